#!/usr/bin/env python3
"""Held-out check: scry's parse vs weppos .expected files.

The weppos expectations were not used to build the gold set or to tune the
parser; seven weppos fixtures (.no .pt .ie .lv .mx .ke .md) were later added
to the gold set, hand-read, to cover formats it lacked (the parser was not
changed for them). Compares dates
(day), registrar name, name servers, availability and registrant org/country
where weppos asserts them; prints per-field accuracy, or the misses of one
field: `weppos_eval.py registrar 40`. Needs the release `whois_dump` example.
"""
import collections, glob, json, os, re, subprocess, sys
D = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'shared', 'data', 'whois', 'weppos', 'spec', 'fixtures', 'responses')
DUMP = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'target', 'release', 'examples', 'whois_dump')
exps = sorted(glob.glob(D + '/**/*.expected', recursive=True))
pairs = [(e, e[:-9] + '.txt') for e in exps]
pairs = [(e, t) for e, t in pairs if __import__('os').path.exists(t)]
out = subprocess.run([DUMP] + [t for _, t in pairs], capture_output=True, text=True).stdout
parsed = {}
for line in out.splitlines():
    p, j = line.split('\t', 1); parsed[p] = json.loads(j)
score = collections.defaultdict(lambda: [0, 0]); misses = collections.defaultdict(list)
def blocks(text):
    cur = None; b = {}
    for line in text.splitlines():
        if line.startswith('#'):
            cur = line.strip(); b.setdefault(cur, [])
        elif cur and line.strip():
            b[cur].append(line.strip())
    return b
def sval(line):
    m = re.search(r'==\s*"(.*)"\s*$', line)
    return m.group(1) if m else None
for e, t in pairs:
    b = blocks(open(e).read()); r = parsed.get(t)
    if r is None: continue
    def check(field, want, have):
        if want is None and have is None: return
        score[field][0] += 1
        if want == have: score[field][1] += 1
        else: misses[field].append((t[len(D)+1:], want, have))
    for key, mine in (('#created_on', 'created'), ('#expires_on', 'expires'), ('#updated_on', 'updated')):
        if key in b:
            lines = b[key]
            if any('%ERROR' in l for l in lines): continue
            want = None
            for l in lines:
                m = re.search(r'%TIME\{(\d{4}-\d{2}-\d{2})', l)
                if m: want = m.group(1)
            if any('== nil' in l for l in lines): want = None
            have = (r.get(mine) or '')[:10] or None
            check(mine, want, have)
    if '#registrar' in b and not any('%ERROR' in l for l in b['#registrar']):
        want = None
        for l in b['#registrar']:
            if l.startswith('%s.name'): want = sval(l)
        if any(l.strip() == '%s == nil' for l in b['#registrar']): want = None
        have = r.get('registrar', {}).get('name')
        check('registrar', want and want.lower(), have and have.lower())
    if '#nameservers' in b and not any('%ERROR' in l for l in b['#nameservers']):
        want = sorted({sval(l).lower() for l in b['#nameservers'] if re.match(r'%s\[\d+\]\.name', l) and sval(l)})
        have = sorted(r.get('name_servers', []))
        check('name_servers', want or None, have or None)
    if '#available?' in b:
        want = any('== true' in l for l in b['#available?'])
        check('not_found', want, r.get('not_found', False))
    if '#registrant_contacts' in b and not any('%ERROR' in l for l in b['#registrant_contacts']):
        c = r.get('contacts', {}).get('registrant', {})
        for l in b['#registrant_contacts']:
            if l.startswith('%s[0].organization'):
                check('registrant_org', sval(l), c.get('org'))
            if l.startswith('%s[0].country_code'):
                check('registrant_country', sval(l) and sval(l).upper(), c.get('country'))
for f, (n, ok) in sorted(score.items()):
    print(f'{f:20} {n:5} {ok:5} {ok/n:.3f}')
if len(sys.argv) > 1:
    for t, w, h in misses[sys.argv[1]][:int(sys.argv[2]) if len(sys.argv) > 2 else 40]:
        print(f'{t:70} want={w!r} have={h!r}')
