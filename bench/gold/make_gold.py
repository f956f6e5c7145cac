#!/usr/bin/env python3
"""Write crates/scry-parse/tests/data/whois-gold/*.json from the reviewed comparison.

Needs `cargo build --release -p scry-parse --example whois_dump`.

Every field where the upstream expectation (normalised: UTC dates, EPP codes,
sorted name servers) and scry disagreed was read against the raw text by hand
(review.py output); MANUAL records who was right and why.
"""
import json, os, re, sys
# reuse helpers without running main
src = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'review.py')).read().replace('\nmain()\n', '\n')
ns = {'__file__': os.path.join(os.path.dirname(os.path.abspath(__file__)), 'review.py')}
exec(compile(src, 'review', 'exec'), ns)
import subprocess, glob
DATA = ns['DATA']; DUMP = ns['DUMP']
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'crates', 'scry-parse', 'tests', 'data', 'whois-gold')
os.makedirs(OUT, exist_ok=True)

PLACEHOLDER = re.compile(r'redacted|please query|https?://|not disclosed|hidden|<data not|select contact|contact via|link at|please contact|not displayed|\(not shown\)|^individual$', re.I)
HANDLE = re.compile(r'^[A-Za-z0-9]+-?[0-9-]*[0-9][A-Za-z0-9-]*$')

# Manual decisions: (file, field) -> (use, reason). use = 'mine' or 'upstream'.
MANUAL = {
    ('at_*', 'registrar'): ('mine', "raw has 'registrar: <name> ( https://nic.at/registrar/N )'; upstream missed it"),
    ('it_*', 'registrar'): ('mine', "the Registrar section's 'Name:' is the registrar handle (e.g. MARKMONITOR-REG); 'Organization:' is its name"),
    ('kr_*', 'registrar'): ('mine', "registrar name without the website appended in parentheses"),
    ('uk_*', 'registrar'): ('mine', "registrar name without Nominet's '[Tag = ...]' suffix"),
    ('ua_*', 'registrar'): ('mine', "'registrar:' is the registrar handle; the registrar block's 'organization:' is its name"),
    ('ee_*', 'updated'): ('mine', "upstream took the last 'changed:' (name server section); the domain's own 'changed:' is first"),
    ('tk_*', 'created'): ('mine', "Freenom writes US dates (mm/dd/yyyy); upstream left it unparsed"),
    ('tk_*', 'expires'): ('mine', "Freenom writes US dates (mm/dd/yyyy, created date 11/29 or 12/18 proves the order); upstream read dd/mm"),
    ('ua_*', 'created'): ('mine', "same instant; upstream kept the +03 local time unnormalised"),
    ('ua_*', 'updated'): ('mine', "same instant; upstream kept the +02/+03 local time unnormalised"),
    ('ua_*', 'expires'): ('mine', "same instant; upstream kept the +03 local time unnormalised"),
    ('mobi_*', 'statuses'): ('mine', "EPP codes normalised (client_transfer_prohibited is clientTransferProhibited)"),
    ('nz_*', 'statuses'): ('mine', "'query_status: 200 Active': 200 is the query result code, the state is Active"),
    ('gg_*', 'statuses'): ('mine', "'Delete Prohibited by Registrar' etc. are clientDeleteProhibited etc.; upstream split the words"),
    ('uk_*', 'statuses'): ('mine', "Nominet's registration status is the whole phrase 'Registered until expiry date.'"),
    ('kz_*', 'statuses'): ('mine', "'ok - Normal state.' is the EPP status ok"),
    ('cn_*', 'registrant_org'): ('mine', "CNNIC's 'Registrant:' value is a company (legal form in the name)"),
    ('xn--fiqs8s_*', 'registrant_org'): ('mine', "CNNIC's 'Registrant:' value is a company (有限公司)"),
    ('fr_*', 'registrant_org'): ('mine', "AFNIC holder block says 'type: ORGANIZATION'"),
    ('pm_*', 'registrant_org'): ('mine', "AFNIC holder block says 'type: ORGANIZATION'"),
    ('re_*', 'registrant_org'): ('mine', "AFNIC holder block says 'type: ORGANIZATION'"),
    ('tf_*', 'registrant_org'): ('mine', "AFNIC holder block says 'type: ORGANIZATION'"),
    ('wf_*', 'registrant_org'): ('mine', "AFNIC holder block says 'type: ORGANIZATION'"),
    ('yt_*', 'registrant_org'): ('mine', "AFNIC holder block says 'type: ORGANIZATION'"),
    ('jp_*', 'registrant_org'): ('mine', "JPRS '[Registrant]' value is a company (legal form in the name)"),
    ('jp_*', 'registrant_email'): ('mine', "JPRS 'Contact Information' of a .jp general-use domain is the registrant's"),
    ('jp_*', 'registrant_country'): ('mine', "last line of the JPRS registrant postal address is the country"),
    ('kr_*', 'registrant_org'): ('mine', "KRNIC '등록인' value is a company (유한회사)"),
    ('gg_*', 'registrant_org'): ('mine', "registrant section's only line is a company name"),
    ('tw_*', 'registrant_org'): ('mine', "first line of the TWNIC registrant block is the organisation; the second line is its English rendering, not part of the same value"),
    ('tk_yazeji*', 'registrant_email'): ('mine', "value lists two role addresses with labels; the first address is the e-mail"),
    ('tw_msn*', 'registrant_email'): ('upstream', ''),
}
COUNTRY_FROM_ADDRESS = "country given in the registrant address (named or last address line); upstream left it empty"

def decide(fname, field, up, me):
    import fnmatch
    for (pat, fld), d in MANUAL.items():
        if fld == field and fnmatch.fnmatch(fname, pat):
            return d
    if field == 'registrant_country' and me and (up is None or len(str(up)) > 2):
        if up is None:
            return ('mine', COUNTRY_FROM_ADDRESS)
        return ('mine', 'country name normalised to ISO 3166 alpha-2')
    if isinstance(up, str) and PLACEHOLDER.search(up) and me is None:
        return ('mine', 'upstream keeps a redaction placeholder / contact-form text; the raw value is not data')
    if isinstance(up, str) and HANDLE.match(up) and me is None and field == 'registrant_org':
        return ('mine', 'upstream took the registrant handle as the organisation')
    raise SystemExit(f'undecided: {fname} {field} UP={up!r} ME={me!r}')

def main():
    files = sorted(f for f in glob.glob(DATA + '/whois/likexian/testdata/noterror/*') if not f.endswith(('.json', '.pre', '.md')))
    out = subprocess.run([DUMP] + files, capture_output=True, text=True).stdout
    parsed = {}
    for line in out.splitlines():
        p, j = line.split('\t', 1); parsed[p] = json.loads(j)
    n = 0
    for f in files:
        fname = os.path.basename(f)
        up = ns['likexian'](f); rec = parsed[f]; me = ns['mine'](rec)
        exp = {}; corr = []
        for k in up:
            a, b = up[k], me[k]
            if a in ([], ''): a = None
            if b in ([], ''): b = None
            if a == b or (isinstance(a, str) and isinstance(b, str) and a.lower() == b.lower()):
                exp[k] = b if b is not None else a
                continue
            use, why = decide(fname, k, a, b)
            if use == 'mine':
                exp[k] = b
                corr.append(f"{k}: upstream {a!r} -> {b!r}: {why}")
            else:
                exp[k] = a
        tld = fname.split('_', 1)[0]
        g = {'raw': f[len(DATA) + 1:], 'tld': tld, 'source': 'likexian/whois-parser', 'expected': exp}
        if corr: g['corrections'] = corr
        json.dump(g, open(os.path.join(OUT, fname + '.json'), 'w'), indent=1, ensure_ascii=False)
        n += 1
    print(n, 'gold files')
main()
