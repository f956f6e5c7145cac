use proptest::prelude::*;

use super::*;

fn shared(rel: &str) -> Vec<u8> {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/rdap/");
    std::fs::read(format!("{p}{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn gtld_response_with_nested_abuse_contact() {
    let r = parse_rdap(&shared(
        "icann-rdap/icann-rdap-client/src/test_files/microsoft.click.json",
    ))
    .unwrap();
    assert_eq!(r.source_format, "rdap");
    assert_eq!(r.domain.as_deref(), Some("microsoft.click"));
    assert_eq!(r.registrar.name.as_deref(), Some("MarkMonitor Inc."));
    assert_eq!(
        r.registrar.abuse_email.as_deref(),
        Some("abusecomplaints@markmonitor.com")
    );
    assert_eq!(r.created.as_deref(), Some("2014-11-12T19:15:55Z"));
    assert_eq!(r.updated.as_deref(), Some("2023-10-17T10:47:21Z"));
    assert_eq!(r.expires.as_deref(), Some("2024-11-12T19:15:55Z"));
    assert_eq!(
        r.statuses,
        [
            "clientUpdateProhibited",
            "clientTransferProhibited",
            "clientDeleteProhibited"
        ]
    );
    assert_eq!(r.name_servers.len(), 4);
    assert!(r.name_servers.contains(&"ns1-08.azure-dns.com".to_string()));
    assert_eq!(r.dnssec.as_deref(), Some("unsigned"));
    assert_eq!(
        r.contacts.registrant.org.as_deref(),
        Some("Microsoft Corporation")
    );
    assert_eq!(r.contacts.registrant.country.as_deref(), Some("US"));
    assert_eq!(r.contacts.registrant.state.as_deref(), Some("WA"));
}

#[test]
fn cctld_response_with_jcard_contacts() {
    let r = parse_rdap(&shared(
        "icann-rdap/icann-rdap-client/src/test_files/lemonde.fr.json",
    ))
    .unwrap();
    assert_eq!(r.domain.as_deref(), Some("lemonde.fr"));
    assert_eq!(r.registrar.name.as_deref(), Some("NAMESHIELD"));
    assert_eq!(r.registrar.iana_id.as_deref(), Some("1251"));
    let reg = &r.contacts.registrant;
    assert_eq!(reg.org.as_deref(), Some("SOCIETE EDITRICE DU MONDE"));
    assert_eq!(reg.city.as_deref(), Some("PARIS"));
    assert_eq!(reg.country.as_deref(), Some("FR"));
    assert_eq!(reg.email.as_deref(), Some("domain_names@lemonde.fr"));
    assert_eq!(r.created.as_deref(), Some("2005-08-02T14:16:36Z"));
}

#[test]
fn rfc9537_redactions() {
    let r = parse_rdap(&shared(
        "icann-rdap/icann-rdap-common/src/response/test_files/lookup_with_redaction.json",
    ))
    .unwrap();
    assert!(r.redacted.any);
    for f in [
        "registrant.name",
        "registrant.email",
        "registrant.phone",
        "tech.email",
    ] {
        assert!(
            r.redacted.fields.iter().any(|x| x == f),
            "{f} in {:?}",
            r.redacted.fields
        );
    }
    assert_eq!(r.contacts.registrant.name, None);
    assert_eq!(r.registrar.iana_id.as_deref(), Some("1"));
}

#[test]
fn errors_are_errors() {
    let e = parse_rdap(&shared(
        "icann-rdap/icann-rdap-common/src/response/test_files/error_ripe_net.json",
    ))
    .unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::Value);
    assert_eq!(e.field.as_deref(), Some("errorCode"));
    let e = parse_rdap(&shared(
        "icann-rdap/icann-rdap-common/src/response/test_files/autnum_16509.json",
    ))
    .unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::Unsupported);
    let e = parse_rdap(b"{\"objectClassName\": \"domain\", \"ldhName\": ").unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::Truncated);
    let e = parse_rdap(b"{\"ldhName\": 1,}").unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::Syntax);
    assert!(e.line.is_some() && e.column.is_some());
    let e = parse_rdap(b"\xff\xfe{}").unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::Encoding);
    let e = parse_rdap(b"[]").unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::Syntax);
    let e = parse_rdap(&vec![b' '; MAX_RDAP_BYTES + 1]).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::TooLarge);
    // A 100 MB "RDAP" answer is refused from its length, not read.
    let e = parse_rdap(&vec![b'['; 100 << 20]).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::TooLarge);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // serde_json's recursion limit (128) refuses this long before the stack
    // is at risk.
    for depth in [200usize, 100_000] {
        let mut s =
            String::from("{\"objectClassName\":\"domain\",\"ldhName\":\"a.example\",\"entities\":");
        s.push_str(&"[".repeat(depth));
        s.push_str(&"]".repeat(depth));
        s.push('}');
        let e = parse_rdap(s.as_bytes()).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::Syntax, "{e}");
        assert!(e.message.contains("recursion limit"), "{e}");
    }
    // Entity nesting within the limit is followed only to MAX_ENTITY_DEPTH.
    let mut ent = String::from(
        "{\"roles\":[\"registrant\"],\"vcardArray\":[\"vcard\",[[\"fn\",{},\"text\",\"Deep\"]]]}",
    );
    for _ in 0..20 {
        ent = format!("{{\"roles\":[\"reseller\"],\"entities\":[{ent}]}}");
    }
    let doc = format!(
        "{{\"objectClassName\":\"domain\",\"ldhName\":\"a.example\",\"entities\":[{ent}]}}"
    );
    let r = parse_rdap(doc.as_bytes()).unwrap();
    assert_eq!(r.contacts.registrant.name, None);
}

#[test]
fn placeholder_vcard_values_are_redactions() {
    let doc = br#"{"objectClassName":"domain","ldhName":"Example.COM.","status":["active"],
      "entities":[{"roles":["registrant"],"vcardArray":["vcard",[
        ["fn",{},"text","REDACTED FOR PRIVACY"],["org",{},"text","Withheld for Privacy ehf"],
        ["email",{},"text","Please query the RDDS service of the Registrar of Record"],
        ["adr",{"cc":"IS"},"text",["","","Kalkofnsvegur 2","Reykjavik","","101",""]]]]}]}"#;
    let r = parse_rdap(doc).unwrap();
    assert_eq!(r.domain.as_deref(), Some("example.com"));
    let c = &r.contacts.registrant;
    assert_eq!(c.name, None);
    assert_eq!(c.email, None);
    assert_eq!(c.org.as_deref(), Some("Withheld for Privacy ehf"));
    assert_eq!(c.country.as_deref(), Some("IS"));
    assert_eq!(
        r.privacy_service.as_deref(),
        Some("Withheld for Privacy ehf")
    );
    assert_eq!(r.redacted.fields, ["registrant.email", "registrant.name"]);
}

proptest! {
    #[test]
    fn never_panics_on_bytes(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_rdap(&b);
    }

    #[test]
    fn never_panics_on_json_shapes(s in "[\\[\\]{}\",:a-z0-9 ]{0,300}") {
        let doc = format!("{{\"objectClassName\":\"domain\",\"entities\":[{s}]}}");
        let _ = parse_rdap(doc.as_bytes());
    }
}
