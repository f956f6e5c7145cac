#!/usr/bin/env python3
"""Held-out check: scry's parse vs joepie91/python-whois target_normalized
(older records; not used to build the gold set). Dates compared by day,
registrar case-insensitively, name servers as sets. Needs the release
`whois_dump` example. `joepie91_eval.py FIELD N` lists misses."""
import collections, json, os, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
D = os.path.join(HERE, '..', '..', '..', 'shared', 'data', 'whois', 'joepie91', 'test')
DUMP = os.path.join(HERE, '..', '..', 'target', 'release', 'examples', 'whois_dump')
names = sorted(os.listdir(os.path.join(D, 'target_normalized')))
files = [os.path.join(D, 'data', n) for n in names if os.path.exists(os.path.join(D, 'data', n))]
out = subprocess.run([DUMP] + files, capture_output=True, text=True).stdout
parsed = {l.split('\t', 1)[0]: json.loads(l.split('\t', 1)[1]) for l in out.splitlines()}
score = collections.defaultdict(lambda: [0, 0]); misses = collections.defaultdict(list)
def first(v):
    return v[0] if isinstance(v, list) and v else (v if not isinstance(v, list) else None)
for f in files:
    t = json.load(open(os.path.join(D, 'target_normalized', os.path.basename(f))))
    r = parsed.get(f)
    if r is None: continue
    def check(k, want, have):
        if want is None and have is None: return
        score[k][0] += 1
        if want == have: score[k][1] += 1
        else: misses[k].append((os.path.basename(f), want, have))
    for k, mk in (('creation_date', 'created'), ('expiration_date', 'expires'), ('updated_date', 'updated')):
        w = first(t.get(k)); check(mk, w[:10] if w else None, (r.get(mk) or '')[:10] or None)
    w = first(t.get('registrar')); h = r.get('registrar', {}).get('name')
    check('registrar', w.lower() if w else None, h.lower() if h else None)
    w = sorted({n.lower().rstrip('.') for n in t.get('nameservers') or []}) or None
    check('name_servers', w, sorted(r.get('name_servers', [])) or None)
for k, (n, ok) in sorted(score.items()):
    print(f'{k:14} {n:5} {ok:5} {ok / n:.3f}')
if len(sys.argv) > 1:
    for m in misses[sys.argv[1]][:int(sys.argv[2]) if len(sys.argv) > 2 else 30]:
        print(m)
