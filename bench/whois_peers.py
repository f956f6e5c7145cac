#!/usr/bin/env python3
"""WHOIS parse throughput of PyPI peers on the corpus scry's whois_bench reads.

Runs asyncwhois 1.1.15 (DomainParser) and python-whois (WhoisEntry.load) on
the same raw responses (every file the Rust example `whois_bench` reads from
shared/data/whois), one core, repeated, and prints records/s. With --scry,
also runs the Rust benchmark binary on the same list and prints the ratio.

python-whois backtracks for seconds (or forever) on some .jp and .hk
records; a first pass with a per-record alarm (--slow, default 0.5 s) drops
those records from the timed set of every parser, scry included, and lists
them.

    python3 -m venv /tmp/whoisvenv
    /tmp/whoisvenv/bin/pip install asyncwhois==1.1.15 python-whois
    cargo build --release -p scry-parse --example whois_bench
    /tmp/whoisvenv/bin/python bench/whois_peers.py --scry target/release/examples/whois_bench

With --json the last line is one JSON object: the timed and dropped file
counts, each peer's records/s per core (keyed by name and version) and, with
--scry, the Rust benchmark's own JSON object (`cargo xtask bench all` reads
it).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, '..', '..', 'shared', 'data'))


def corpus(data):
    """(path, domain, tld) for every raw response, sorted like whois_bench."""
    out = []
    for root, _, files in os.walk(os.path.join(data, 'whois')):
        for name in files:
            p = os.path.join(root, name)
            if '/likexian/testdata/' in p:
                if name.endswith(('.json', '.pre', '.md')):
                    continue
                dom = name.split('_', 1)[1] if '_' in name else name
            elif '/weppos/' in p:
                if not name.endswith('.txt'):
                    continue
                parts = p.split('/responses/')[-1].split('/')
                tld = parts[1] if len(parts) == 3 else 'com'
                dom = 'example.' + tld
            elif '/joepie91/test/data/' in p:
                dom = name
            elif '/whoisdomain/testdata/' in p:
                if name != 'input':
                    continue
                dom = os.path.basename(root)
            else:
                continue
            out.append((p, dom.lower(), dom.lower().rsplit('.', 1)[-1]))
    out.sort()
    return out


def run(label, fn, docs, repeat):
    """Best of `repeat` timed passes over `docs`, in records per CPU-second.

    Every parser is measured the same way (scry too, see --scry-rounds): the
    best pass is the one least disturbed by other work on a shared machine,
    as Python's timeit recommends for the minimum.
    """
    errors = 0
    for _, dom, tld, text in docs:  # warm-up
        try:
            fn(dom, tld, text)
        except Exception:
            errors += 1
    passes = []
    for _ in range(repeat):
        start = time.perf_counter()
        cpu0 = time.process_time()
        for _, dom, tld, text in docs:
            try:
                fn(dom, tld, text)
            except Exception:
                pass
        secs = time.perf_counter() - start
        cpu = time.process_time() - cpu0
        passes.append((len(docs) / cpu, secs, cpu))
    rate, secs, cpu = max(passes)
    all_rates = ', '.join(f'{r:.0f}' for r, _, _ in passes)
    print(f'{label}: best of {repeat} passes of {len(docs)} records: {secs:.2f} s wall, {cpu:.2f} s cpu: '
          f'{rate:.0f} records/s per core (every pass: {all_rates}; {errors} raised)')
    return rate


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--repeat', type=int, default=2)
    ap.add_argument('--data', default=DATA)
    ap.add_argument('--scry', help='path of the built whois_bench example, to report the ratio')
    ap.add_argument('--scry-repeat', type=int, default=50)
    ap.add_argument('--scry-rounds', type=int, default=5,
                    help='runs of the scry binary (each --scry-repeat passes); the best counts')
    ap.add_argument('--slow', type=float, default=0.5)
    ap.add_argument('--json', action='store_true', help='print one JSON line at the end')
    a = ap.parse_args()
    import logging
    logging.disable(logging.CRITICAL)
    from asyncwhois.parse_tld import DomainParser
    import whois.parser as pw
    docs = []
    for p, dom, tld in corpus(a.data):
        with open(p, 'rb') as f:
            docs.append((p, dom, tld, f.read().decode('utf-8', 'replace')))
    print(f'corpus: {len(docs)} files from {a.data}/whois')
    import signal
    import warnings
    warnings.filterwarnings('ignore')

    class Slow(Exception):
        pass

    def alarm(*_):
        raise Slow()
    signal.signal(signal.SIGALRM, alarm)
    keep = []
    dropped = 0
    for d in docs:
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, a.slow)
        try:
            pw.WhoisEntry.load(d[1], d[3])
        except Slow:
            pass
        except Exception:
            pass
        signal.setitimer(signal.ITIMER_REAL, 0)
        if time.perf_counter() - start < a.slow:
            keep.append(d)
        else:
            dropped += 1
            print(f'dropped (python-whois over {a.slow} s): {d[0]}')
    docs = keep
    print(f'timed set: {len(docs)} files')
    dp = DomainParser(ignore_not_found=True)
    from importlib.metadata import version
    aw = f"asyncwhois {version('asyncwhois')}"
    pwn = f"python-whois {version('python-whois')}"
    rates = {}
    rates[aw] = run(aw, lambda d, t, x: dp.parse(x, t), docs, a.repeat)
    rates[pwn] = run(pwn, lambda d, t, x: pw.WhoisEntry.load(d, x), docs, a.repeat)
    scry_json = None
    if a.scry:
        import tempfile
        with tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False) as f:
            f.write('\n'.join(d[0] for d in docs) + '\n')
            listfile = f.name
        cmd = [a.scry, '--repeat', str(a.scry_repeat), '--list', listfile, '--json']
        rounds = []
        for _ in range(max(1, a.scry_rounds)):
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            rounds.append(json.loads(out.strip().splitlines()[-1]))
        os.unlink(listfile)
        scry_json = max(rounds, key=lambda r: r['records_per_cpu_s'])
        scry_json['rounds'] = [r['records_per_cpu_s'] for r in rounds]
        scry = scry_json['records_per_cpu_s']
        print(f"scry whois: best of {len(rounds)} runs of {a.scry_repeat} passes: {scry:.0f} records/s per core "
              f"(every run: {', '.join(f'{r:.0f}' for r in scry_json['rounds'])})")
        if scry:
            for k, v in rates.items():
                print(f'scry / {k}: {scry / v:.1f}x')
    if a.json:
        print(json.dumps({'bench': 'whois_peers', 'timed_files': len(docs), 'dropped': dropped,
                          'repeat': a.repeat, 'peers': rates, 'scry': scry_json}))


if __name__ == '__main__':
    sys.exit(main())
