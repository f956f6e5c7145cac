#!/usr/bin/env python3
"""Compare likexian's expectations (normalised: UTC dates, EPP codes, sorted
name servers) with scry's parse and print every disagreement, for review
against the raw text. `review.py registrar,created` limits the fields."""
import json, glob, os, re, subprocess, sys, datetime

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'shared', 'data')
DUMP = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'target', 'release', 'examples', 'whois_dump')

def norm_date(v):
    if not v: return None
    s = v.strip()
    s = re.sub(r'\s*\(YYYY-MM-DD\)', '', s)
    s = re.sub(r'\s*#\d+$', '', s)
    m = re.match(r'before (\d+) (\w+) (\d{4})$', s)
    if m: s = f"{m.group(1)} {m.group(2)[:3]} {m.group(3)}"
    tz = datetime.timezone.utc
    m = re.search(r'\((?:UTC|GMT)\+(\d+)(?::(\d+))?\)$', s)
    if m:
        tz = datetime.timezone(datetime.timedelta(hours=int(m.group(1)), minutes=int(m.group(2) or 0)))
        s = s[:m.start()].strip()
    if s.endswith('(JST)'):
        tz = datetime.timezone(datetime.timedelta(hours=9)); s = s[:-5].strip()
    s = s.replace('-T', 'T')
    fmts = ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%fZ',
            '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%d %H:%M:%S %z', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d',
            '%Y.%m.%d %H:%M:%S', '%d.%m.%Y %H:%M:%S', '%d.%m.%Y', '%d-%m-%Y', '%Y/%m/%d', '%Y/%m/%d %H:%M:%S',
            '%Y. %m. %d.', '%Y%m%d %H:%M:%S', '%Y%m%d', '%d-%b-%Y', '%d %b %Y', '%d/%m/%Y', '%Y-%m-%dT%H:%M:%S']
    for f in fmts:
        try:
            d = datetime.datetime.strptime(s, f)
        except ValueError:
            continue
        if d.tzinfo is None: d = d.replace(tzinfo=tz)
        return d.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    return 'UNPARSED:' + v

EPP = ["ok","active","inactive","addPeriod","autoRenewPeriod","renewPeriod","transferPeriod","redemptionPeriod","pendingCreate","pendingDelete","pendingRenew","pendingRestore","pendingTransfer","pendingUpdate","clientDeleteProhibited","clientHold","clientRenewProhibited","clientTransferProhibited","clientUpdateProhibited","serverDeleteProhibited","serverHold","serverRenewProhibited","serverTransferProhibited","serverUpdateProhibited"]
def norm_status(s):
    t = re.sub(r'https?://\S*', '', s)
    t = re.sub(r'\(.*', '', t).strip(' -,;.')
    sq = re.sub(r'\W', '', t).lower()
    for c in EPP:
        if c.lower() == sq: return c
    return ' '.join(t.split()).lower()

def likexian(path):
    d = json.load(open(path + '.json'))
    dom = d.get('domain', {}); reg = d.get('registrar', {}); r = d.get('registrant', {})
    return {
        'domain': dom.get('domain'),
        'registrar': reg.get('name'),
        'created': norm_date(dom.get('created_date')),
        'updated': norm_date(dom.get('updated_date')),
        'expires': norm_date(dom.get('expiration_date')),
        'name_servers': sorted({n.lower().rstrip('.') for n in dom.get('name_servers', [])}),
        'statuses': sorted({norm_status(s) for s in dom.get('status', [])}),
        'registrant_org': r.get('organization'),
        'registrant_email': r.get('email'),
        'registrant_country': r.get('country'),
    }

def mine(rec):
    c = rec.get('contacts', {}).get('registrant', {})
    return {
        'domain': rec.get('domain'),
        'registrar': rec.get('registrar', {}).get('name'),
        'created': rec.get('created'), 'updated': rec.get('updated'), 'expires': rec.get('expires'),
        'name_servers': sorted(rec.get('name_servers', [])),
        'statuses': sorted(rec.get('statuses', [])),
        'registrant_org': c.get('org'), 'registrant_email': c.get('email'), 'registrant_country': c.get('country'),
    }

def main():
    files = sorted(f for f in glob.glob(DATA + '/whois/likexian/testdata/noterror/*') if not f.endswith(('.json', '.pre', '.md')))
    out = subprocess.run([DUMP] + files, capture_output=True, text=True).stdout
    parsed = {}
    for line in out.splitlines():
        p, j = line.split('\t', 1); parsed[p] = json.loads(j)
    fields = sys.argv[1].split(',') if len(sys.argv) > 1 else None
    for f in files:
        up = likexian(f); me = mine(parsed[f])
        for k in up:
            if fields and k not in fields: continue
            a, b = up[k], me[k]
            if isinstance(a, str) and isinstance(b, str) and a.lower() == b.lower(): continue
            if (a in (None, [], '') and b in (None, [], '')): continue
            if a != b:
                print(f"{os.path.basename(f):40} {k:18} UP={a!r}  ME={b!r}")
main()
