use proptest::prelude::*;

use super::date::parse_date;
use super::values::{country_code, is_placeholder, normalise_host, normalise_status};
use super::*;

fn t(s: &str) -> Option<String> {
    parse_date(s, false).map(rfc3339)
}

#[test]
fn dates_in_registry_formats() {
    let cases: &[(&str, &str)] = &[
        ("2019-09-09T08:39:04-0700", "2019-09-09T15:39:04Z"),
        ("2019-10-12T09:42:27.0Z", "2019-10-12T09:42:27Z"),
        ("2010-07-04 04:34:46 +03:00", "2010-07-04T01:34:46Z"),
        ("2011-07-21 18:03:50+03", "2011-07-21T15:03:50Z"),
        ("11-Jun-2014", "2014-06-11T00:00:00Z"),
        ("2008.03.16 01:08:04", "2008-03-16T01:08:04Z"),
        ("2005/05/30", "2005-05-30T00:00:00Z"),
        ("2017/06/01 01:05:09 (JST)", "2017-05-31T16:05:09Z"),
        ("18 Apr 2003 00:00 EAT", "2003-04-17T21:00:00Z"),
        ("2021-11-09 00:00:00 (UTC+8)", "2021-11-08T16:00:00Z"),
        ("2012. 05. 19.", "2012-05-19T00:00:00Z"),
        ("19990717 #175298", "1999-07-17T00:00:00Z"),
        ("30.6.2006 00:00:00", "2006-06-30T00:00:00Z"),
        ("28/08/2020", "2020-08-28T00:00:00Z"),
        ("12/18/2001", "2001-12-18T00:00:00Z"),
        ("30th April 2003 at 00:00:00.000", "2003-04-30T00:00:00Z"),
        ("Tue Sep 15 00:00:00 GMT 1997", "1997-09-15T00:00:00Z"),
        ("before Aug-1996", "1996-08-01T00:00:00Z"),
        ("15-Sep-97", "1997-09-15T00:00:00Z"),
        ("2020-10-31 (YYYY-MM-DD)", "2020-10-31T00:00:00Z"),
        ("1999-06-07 13:01:43 (GMT+0:00)", "1999-06-07T13:01:43Z"),
    ];
    for (input, want) in cases {
        assert_eq!(t(input).as_deref(), Some(*want), "{input}");
    }
    for bad in [
        "",
        "Not Disclosed",
        "2019-13-45",
        "0000-00-00",
        "12345",
        "2019-02-30",
    ] {
        assert_eq!(t(bad), None, "{bad}");
    }
    // A record's other dates decide day/month order.
    assert_eq!(
        parse_date("03/02/2020", true).map(rfc3339).as_deref(),
        Some("2020-03-02T00:00:00Z")
    );
    assert_eq!(
        parse_date("03/02/2020", false).map(rfc3339).as_deref(),
        Some("2020-02-03T00:00:00Z")
    );
}

#[test]
fn values_normalise() {
    assert_eq!(
        normalise_status("clientTransferProhibited https://icann.org/epp#clientTransferProhibited")
            .as_deref(),
        Some("clientTransferProhibited")
    );
    assert_eq!(
        normalise_status("CLIENT-UPDATE-PROHIBITED").as_deref(),
        Some("clientUpdateProhibited")
    );
    assert_eq!(
        normalise_status("client transfer prohibited").as_deref(),
        Some("clientTransferProhibited")
    );
    assert_eq!(
        normalise_status("Delete Prohibited by Registry").as_deref(),
        Some("serverDeleteProhibited")
    );
    assert_eq!(
        normalise_status("ok - Normal state.").as_deref(),
        Some("ok")
    );
    assert_eq!(normalise_status("connect").as_deref(), Some("connect"));
    assert_eq!(
        normalise_host("NS1.Example.COM. 192.0.2.1").as_deref(),
        Some("ns1.example.com")
    );
    assert_eq!(normalise_host("192.0.2.1"), None);
    assert_eq!(
        country_code("United States of America").as_deref(),
        Some("US")
    );
    assert_eq!(country_code("China (CN)").as_deref(), Some("CN"));
    assert_eq!(country_code("Polska/Poland").as_deref(), Some("PL"));
    assert_eq!(country_code("uk").as_deref(), Some("GB"));
    assert_eq!(country_code("Narnia"), None);
    for p in [
        "REDACTED FOR PRIVACY",
        "Not Disclosed - Visit www.internet.ee for webbased WHOIS",
        "Please query the RDDS service of the Registrar of Record",
        "<data not disclosed>",
        "Data Protected",
        "Statutory Masking Enabled",
    ] {
        assert!(is_placeholder(p), "{p}");
    }
    for v in [
        "Google LLC",
        "Withheld for Privacy ehf",
        "Domains By Proxy, LLC",
        "1600 Amphitheatre Parkway",
    ] {
        assert!(!is_placeholder(v), "{v}");
    }
}

const ICANN: &str = "Domain Name: EXAMPLE.COM\n\
Registry Domain ID: 2336799_DOMAIN_COM-VRSN\n\
Registrar WHOIS Server: whois.example-registrar.com\n\
Registrar URL: http://www.example-registrar.com\n\
Updated Date: 2024-08-14T07:01:34Z\n\
Creation Date: 1995-08-14T04:00:00Z\n\
Registry Expiry Date: 2025-08-13T04:00:00Z\n\
Registrar: Example Registrar, Inc.\n\
Registrar IANA ID: 376\n\
Registrar Abuse Contact Email: abuse@example-registrar.com\n\
Registrar Abuse Contact Phone: +1.5555551212\n\
Domain Status: clientDeleteProhibited https://icann.org/epp#clientDeleteProhibited\n\
Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited\n\
Registrant Name: REDACTED FOR PRIVACY\n\
Registrant Organization: Domains By Proxy, LLC\n\
Registrant Street: 100 S. Mill Ave\n\
Registrant Country: US\n\
Registrant Email: Select Request Email Form at https://www.godaddy.com/whois\n\
Admin Email: hostmaster@example.com\n\
Name Server: A.IANA-SERVERS.NET\n\
Name Server: B.IANA-SERVERS.NET.\n\
DNSSEC: signedDelegation\n\
>>> Last update of whois database: 2024-09-01T00:00:00Z <<<\n";

#[test]
fn icann_2013_layout() {
    let r = parse_whois(ICANN);
    assert_eq!(r.source_format, "whois:icann-2013");
    assert_eq!(r.domain.as_deref(), Some("example.com"));
    assert_eq!(r.registrar.name.as_deref(), Some("Example Registrar, Inc."));
    assert_eq!(r.registrar.iana_id.as_deref(), Some("376"));
    assert_eq!(
        r.registrar.whois_server.as_deref(),
        Some("whois.example-registrar.com")
    );
    assert_eq!(
        r.registrar.abuse_email.as_deref(),
        Some("abuse@example-registrar.com")
    );
    assert_eq!(r.created.as_deref(), Some("1995-08-14T04:00:00Z"));
    assert_eq!(r.updated.as_deref(), Some("2024-08-14T07:01:34Z"));
    assert_eq!(r.expires.as_deref(), Some("2025-08-13T04:00:00Z"));
    assert_eq!(
        r.statuses,
        ["clientDeleteProhibited", "clientTransferProhibited"]
    );
    assert_eq!(r.name_servers, ["a.iana-servers.net", "b.iana-servers.net"]);
    assert_eq!(r.dnssec.as_deref(), Some("signed"));
    let reg = &r.contacts.registrant;
    assert_eq!(reg.name, None, "a redaction placeholder is not a person");
    assert_eq!(reg.org.as_deref(), Some("Domains By Proxy, LLC"));
    assert_eq!(reg.street, ["100 S. Mill Ave"]);
    assert_eq!(reg.country.as_deref(), Some("US"));
    assert_eq!(reg.email, None);
    assert_eq!(r.privacy_service.as_deref(), Some("Domains By Proxy, LLC"));
    assert!(r.redacted.any);
    assert_eq!(r.redacted.fields, ["registrant.email", "registrant.name"]);
    assert_eq!(
        r.contacts.admin.email.as_deref(),
        Some("hostmaster@example.com")
    );
    assert!(!r.not_found && !r.rate_limited);
}

#[test]
fn indented_sections_nominet() {
    let text = "
    Domain name:
        example.co.uk

    Registrant:
        Example Holdings Ltd

    Registrar:
        Example Registrar Ltd t/a Example [Tag = EXAMPLE]
        URL: https://www.example.net

    Relevant dates:
        Registered on: before Aug-1996
        Expiry date:  11-Jun-2030
        Last updated:  10-May-2024

    Registration status:
        Registered until expiry date.

    Name servers:
        ns1.example.net        192.0.2.1
        ns2.example.net
";
    let r = parse_whois(text);
    assert_eq!(r.domain.as_deref(), Some("example.co.uk"));
    assert_eq!(
        r.registrar.name.as_deref(),
        Some("Example Registrar Ltd t/a Example")
    );
    assert_eq!(r.registrar.url.as_deref(), Some("https://www.example.net"));
    assert_eq!(r.created.as_deref(), Some("1996-08-01T00:00:00Z"));
    assert_eq!(r.expires.as_deref(), Some("2030-06-11T00:00:00Z"));
    assert_eq!(r.updated.as_deref(), Some("2024-05-10T00:00:00Z"));
    assert_eq!(r.statuses, ["registered until expiry date"]);
    assert_eq!(r.name_servers, ["ns1.example.net", "ns2.example.net"]);
    assert_eq!(
        r.contacts.registrant.org.as_deref(),
        Some("Example Holdings Ltd")
    );
    assert_eq!(r.source_format, "whois:sections");
}

#[test]
fn jprs_brackets() {
    let text = "[ JPRS database provides information on network administration. Its use is    ]\n\
Domain Information:\n\
a. [Domain Name]                EXAMPLE.JP\n\
g. [Organization]               Example K.K.\n\
[Name Server]                   ns1.example.jp\n\
[Name Server]                   ns2.example.jp\n\
[Created on]                    2005/05/30\n\
[Expires on]                    2026/05/31\n\
[Status]                        Active\n\
[Last Updated]                  2025/06/01 01:05:09 (JST)\n";
    let r = parse_whois(text);
    assert_eq!(r.source_format, "whois:jprs");
    assert_eq!(r.domain.as_deref(), Some("example.jp"));
    assert_eq!(r.contacts.registrant.org.as_deref(), Some("Example K.K."));
    assert_eq!(r.updated.as_deref(), Some("2025-05-31T16:05:09Z"));
    assert_eq!(r.statuses, ["active"]);
    assert_eq!(r.name_servers.len(), 2);
}

#[test]
fn rpsl_handles_resolve_to_blocks() {
    let text = "domain:      example.fr\n\
status:      ACTIVE\n\
holder-c:    EX1-FRNIC\n\
admin-c:     EX2-FRNIC\n\
registrar:   EXAMPLE REGISTRAR\n\
Expiry Date: 2030-12-30T17:16:48Z\n\
created:     2000-07-26T22:00:00Z\n\
\n\
nserver:     ns1.example.net\n\
\n\
registrar:   EXAMPLE REGISTRAR\n\
address:     1 Main Street\n\
country:     FR\n\
registered:  1999-01-10T12:00:00Z\n\
\n\
nic-hdl:     EX1-FRNIC\n\
type:        ORGANIZATION\n\
contact:     Example SA\n\
address:     2 rue de la Paix\n\
country:     FR\n\
e-mail:      hostmaster@example.fr\n\
\n\
nic-hdl:     EX2-FRNIC\n\
type:        PERSON\n\
contact:     Jeanne Exemple\n\
e-mail:      jeanne@example.fr\n";
    let r = parse_whois(text);
    assert_eq!(r.source_format, "whois:rpsl");
    assert_eq!(
        r.created.as_deref(),
        Some("2000-07-26T22:00:00Z"),
        "registrar block dates are not the domain's"
    );
    assert_eq!(r.registrar.name.as_deref(), Some("EXAMPLE REGISTRAR"));
    assert_eq!(r.contacts.registrant.org.as_deref(), Some("Example SA"));
    assert_eq!(
        r.contacts.registrant.email.as_deref(),
        Some("hostmaster@example.fr")
    );
    assert_eq!(r.contacts.registrant.country.as_deref(), Some("FR"));
    assert_eq!(r.contacts.admin.name.as_deref(), Some("Jeanne Exemple"));
    assert_eq!(r.name_servers, ["ns1.example.net"]);
}

#[test]
fn tr_section_markers_and_headed_handle_blocks() {
    // nic.tr: `** ` marks a field or a section heading; a heading's
    // paragraph carries a `NIC Handle` that nothing refers to.
    let text = "** Domain Name: example.com.tr\n\
Frozen Status: -\n\
\n\
** Registrant:\n   Example Ltd.\n   Hidden upon user request\n\
\n\
** Registrar:\n\
NIC Handle\t\t: reg1-metu\n\
Organization Name\t: Example Registrar A.S.\n\
Address\t\t\t: 1 Cadde\n\
\t\t\t  06520 Ankara\n\
\n\
** Administrative Contact:\n\
NIC Handle\t\t: adm1-metu\n\
Organization Name\t: Admin Org Inc\n\
Phone\t\t\t: + 90-312-0000000-\n\
\n\
** Domain Servers:\nns1.example.com.tr 192.0.2.1\nns2.example.com.tr\n\
\n\
** Additional Info:\n\
Created on..............: 2001-Aug-23.\n\
Expires on..............: 2030-Aug-22.\n\
\n\
******************************************\n\
** Some banner text **\n";
    let r = parse_whois(text);
    assert_eq!(r.domain.as_deref(), Some("example.com.tr"));
    assert_eq!(r.registrar.name.as_deref(), Some("Example Registrar A.S."));
    assert_eq!(r.contacts.registrant.org.as_deref(), Some("Example Ltd."));
    assert_eq!(r.contacts.admin.org.as_deref(), Some("Admin Org Inc"));
    assert_eq!(r.contacts.admin.phone.as_deref(), Some("+ 90-312-0000000-"));
    assert_eq!(r.name_servers, ["ns1.example.com.tr", "ns2.example.com.tr"]);
    assert_eq!(r.created.as_deref(), Some("2001-08-23T00:00:00Z"));
    assert_eq!(r.expires.as_deref(), Some("2030-08-22T00:00:00Z"));
}

#[test]
fn norid_domain_object_and_holder_block() {
    // The domain object has a handle too; the holder block is found by
    // the domain's `Domain Holder Handle`, and its registrar is its own.
    let text = "Domain Information\n\
\n\
NORID Handle...............: EXA1D-NORID\n\
Domain Name................: example.no\n\
Domain Holder Handle.......: EXH1O-NORID\n\
Registrar Handle...........: REG1-NORID\n\
\n\
Additional information:\n\
Created:         2001-02-26\n\
\n\
NORID Handle...............: EXH1O-NORID\n\
Type.......................: organization\n\
Name.......................: Example Norge AS\n\
Registrar Handle...........: REG2-NORID\n\
Post Address...............: Gate 1\n\
Postal Area................: Oslo\n\
Country....................: NO\n\
Email Address..............: hostmaster@example.no\n\
\n\
Additional information:\n\
Created:         2010-10-01\n";
    let r = parse_whois(text);
    assert_eq!(r.domain.as_deref(), Some("example.no"));
    assert_eq!(r.registrar.name.as_deref(), Some("REG1-NORID"));
    assert_eq!(r.created.as_deref(), Some("2001-02-26T00:00:00Z"));
    let h = &r.contacts.registrant;
    assert_eq!(h.org.as_deref(), Some("Example Norge AS"));
    assert_eq!(h.street, ["Gate 1"]);
    assert_eq!(h.city.as_deref(), Some("Oslo"));
    assert_eq!(h.country.as_deref(), Some("NO"));
    assert_eq!(h.email.as_deref(), Some("hostmaster@example.no"));
}

#[test]
fn lu_domaintype_be_flags_is_role_and_descr() {
    let lu = parse_whois(
        "domainname:     example.lu\ndomaintype:     ACTIVE\nnserver:        ns1.example.lu\n",
    );
    assert_eq!(lu.statuses, ["active"]);
    // DNS Belgium: `Flags:` over indented statuses; an empty one before a
    // blank line and a notice lists nothing.
    let be = parse_whois(
        "Domain:\texample.be\nStatus:\tNOT AVAILABLE\n\nFlags:\n\tclientTransferProhibited\n\nPlease visit www.dns.be for more info.\n",
    );
    assert_eq!(be.statuses, ["not available", "clientTransferProhibited"]);
    let be = parse_whois(
        "Domain:\texample.be\nStatus:\tNOT AVAILABLE\n\nFlags:\n\nPlease visit www.dns.be for more info.\n",
    );
    assert_eq!(be.statuses, ["not available"]);
    // ISNIC: `descr:` is the holder then its address; a `role:` block is
    // an organisation.
    let is = parse_whois(
        "domain:       example.is\n\
descr:        Example hf\n\
descr:        Laugavegur 1\n\
descr:        IS\n\
admin-c:      EX1-IS\n\
\n\
role:         Example Hostmasters\n\
nic-hdl:      EX1-IS\n\
e-mail:       hostmaster@example.is\n",
    );
    assert_eq!(is.contacts.registrant.org.as_deref(), Some("Example hf"));
    assert_eq!(is.contacts.registrant.name, None);
    assert_eq!(is.contacts.registrant.street, ["Laugavegur 1"]);
    assert_eq!(is.contacts.registrant.country.as_deref(), Some("IS"));
    assert_eq!(
        is.contacts.admin.org.as_deref(),
        Some("Example Hostmasters")
    );
    assert_eq!(is.contacts.admin.name, None);
}

#[test]
fn not_found_and_rate_limited() {
    let r = parse_whois(
        "No match for \"NOPE-EXAMPLE.COM\".\n>>> Last update of whois database: 2024-01-01T00:00:00Z <<<\n",
    );
    assert!(r.not_found);
    assert!(!r.has_data());
    let r =
        parse_whois("%ERROR:201: access denied\n% Query rate limit exceeded, try again later\n");
    assert!(r.rate_limited);
    assert!(!r.not_found);
    // A registered record mentioning "not found" in its disclaimer is not a miss.
    let r = parse_whois(&format!(
        "{ICANN}\nIf the domain is not found, contact us.\n"
    ));
    assert!(!r.not_found);
}

#[test]
fn hostile_input() {
    // Binary garbage: an empty record.
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let r = parse_whois_bytes(&garbage);
    assert_eq!(r.source_format, "binary");
    assert!(!r.has_data());
    // Too large: flagged, nothing parsed.
    let big = vec![b'a'; MAX_WHOIS_BYTES + 1];
    let r = parse_whois_bytes(&big);
    assert!(r.too_large);
    // Latin-1 falls back byte for byte.
    let r = parse_whois_bytes(b"Domain Name: example.de\nRegistrant Name: J\xfcrgen M\xfcller\n");
    assert_eq!(
        r.contacts.registrant.name.as_deref(),
        Some("J\u{fc}rgen M\u{fc}ller")
    );
    // Multi-byte text where the parser slices.
    let _ = parse_whois(&format!(
        "{ICANN}>>>\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\n"
    ));
    let _ = parse_whois(&"\u{e9}".repeat(3000));
    // A registry's thin record followed by the registrar's full one: the
    // part after the first `>>> Last update` line is parsed too.
    let r = parse_whois(&format!("{ICANN}\nRegistrant Phone: +1.5555550100\n"));
    assert_eq!(
        r.contacts.registrant.phone.as_deref(),
        Some("+1.5555550100")
    );
    // Pathological shapes stay bounded.
    let many_ns: String = (0..10_000)
        .map(|i| format!("Name Server: ns{i}.example.com\n"))
        .collect();
    assert_eq!(parse_whois(&many_ns).name_servers.len(), 64);
    let long_line = "Domain Name: ".to_string() + &"a".repeat(100_000);
    let _ = parse_whois(&long_line);
    let deep: String = (0..5000)
        .map(|i| format!("{}Registrant:\n", " ".repeat(i % 200)))
        .collect();
    let _ = parse_whois(&deep);
}

#[test]
fn a_100_mb_response_is_refused_unread() {
    // Over the cap: flagged from the length alone, nothing scanned.
    let huge = vec![b'A'; 100 << 20];
    let r = parse_whois_bytes(&huge);
    assert!(r.too_large);
    assert!(!r.has_data());
    assert_eq!(r.source_format, "too_large");
}

#[test]
fn a_response_at_the_cap_parses_with_bounded_output() {
    // Just under the cap, every line a new key and a new contact value, and
    // a name server, status and street line each: one pass, capped lists.
    let mut text = String::with_capacity(MAX_WHOIS_BYTES);
    let mut i = 0u64;
    while text.len() < MAX_WHOIS_BYTES - 200 {
        text.push_str(&format!(
            "Key Number {i}: value {i}\nName Server: ns{i}.example.com\nDomain Status: state{i}\nRegistrant Street: {i} Main St\n"
        ));
        i += 1;
    }
    assert!(text.len() <= MAX_WHOIS_BYTES);
    let r = parse_whois(&text);
    assert!(!r.too_large);
    assert_eq!(r.name_servers.len(), 64);
    assert_eq!(r.statuses.len(), 64);
    assert_eq!(r.contacts.registrant.street.len(), 8);
    // The per-thread key cache stays bounded however many keys were new.
    assert!(super::keys::key_cache_len() <= super::keys::KEY_CACHE_MAX);
    // So does the placeholder verdict cache, and its verdicts stay right.
    for i in 0..3 * super::values::PLACEHOLDER_CACHE_MAX {
        assert!(is_placeholder(&format!("REDACTED {i}")));
        assert!(!is_placeholder(&format!("Data Systems {i} Inc")));
    }
    assert!(super::values::placeholder_cache_len() <= super::values::PLACEHOLDER_CACHE_MAX);
    let mut statuses = Vec::new();
    for i in 0..3 * super::values::STATUS_CACHE_MAX {
        super::values::split_statuses(&format!("state{i}, ok"), &mut statuses);
    }
    assert_eq!(statuses.len(), 3 * super::values::STATUS_CACHE_MAX + 1);
    assert_eq!(statuses[1], "ok");
    assert!(super::values::status_cache_len() <= super::values::STATUS_CACHE_MAX);
}

proptest! {
    #[test]
    fn never_panics_on_text(s in "\\PC{0,400}") {
        let r = parse_whois(&s);
        prop_assert!(serde_json::to_string(&r).is_ok());
    }

    #[test]
    fn never_panics_on_bytes(b in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_whois_bytes(&b);
    }

    #[test]
    fn never_panics_on_keyed_lines(lines in proptest::collection::vec(("[ \\t]{0,6}", "[A-Za-z \\-\\[\\]]{0,20}", "[:\\t ]", "\\PC{0,30}"), 0..40)) {
        let text: String = lines.iter().map(|(i, k, sep, v)| format!("{i}{k}{sep}{v}\n")).collect();
        let _ = parse_whois(&text);
    }

    #[test]
    fn dates_never_panic(s in "\\PC{0,60}") {
        let _ = parse_date(&s, false);
        let _ = parse_date(&s, true);
    }
}

#[test]
fn privacy_service_from_org_name_email_domain_or_registrar() {
    use super::values::privacy_service_of;
    let s = |v: &str| Some(v.to_string());
    let p = |o: &str, n: &str, e: &str, r: &str| {
        let o = (!o.is_empty()).then(|| o.to_string());
        let n = (!n.is_empty()).then(|| n.to_string());
        let e = (!e.is_empty()).then(|| e.to_string());
        let r = (!r.is_empty()).then(|| r.to_string());
        privacy_service_of(o.as_ref(), n.as_ref(), e.as_ref(), r.as_ref())
    };
    assert_eq!(
        p("Domains By Proxy, LLC", "", "", ""),
        s("Domains By Proxy, LLC")
    );
    assert_eq!(
        p(
            "1&1 Internet Inc.",
            "Domain Admin",
            "a1b2c3@1and1-private-registration.com",
            "IONOS SE"
        ),
        s("1&1 Internet Inc.")
    );
    assert_eq!(
        p("", "", "x@whoisprivacyprotect.com", ""),
        s("whoisprivacyprotect.com")
    );
    assert_eq!(
        p(
            "Acme Corp",
            "Jane Roe",
            "jane@acme.example",
            "Global Domains International, Inc."
        ),
        None
    );
    // The registrar's own proxy: the organisation is the registrar.
    assert_eq!(
        p(
            "Alibaba Cloud Computing Ltd. d/b/a HiChina (www.net.cn)",
            "Domain Admin",
            "x@aliyun.com",
            "Alibaba Cloud Computing (Beijing) Co., Ltd."
        ),
        s("Alibaba Cloud Computing Ltd. d/b/a HiChina (www.net.cn)")
    );
}
