use super::*;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(format!("{DATA}/{rel}")).unwrap()
}

#[test]
fn referral_from_a_real_registry_answer() {
    let text = fixture(
        "whois/weppos/spec/fixtures/responses/whois.verisign-grs.com/com/status_registered.txt",
    );
    assert_eq!(
        parse_referral(&text),
        Some(Referral {
            host: "whois.markmonitor.com".into(),
            port: 43
        })
    );
    // The registrar's own answer ends the chain.
    let text = fixture(
        "whois/weppos/spec/fixtures/responses/whois.markmonitor.com/com/status_registered.txt",
    );
    let r = parse_referral(&text);
    assert!(
        r.is_none()
            || r == Some(Referral {
                host: "whois.markmonitor.com".into(),
                port: 43
            }),
        "{r:?}"
    );
}

#[test]
fn referral_forms() {
    let r = |s: &str| parse_referral(s).map(|r| r.to_string());
    assert_eq!(
        r("refer:        whois.verisign-grs.com\n").as_deref(),
        Some("whois.verisign-grs.com:43")
    );
    assert_eq!(
        r("whois:        WHOIS.NIC.XYZ.\n").as_deref(),
        Some("whois.nic.xyz:43")
    );
    assert_eq!(
        r("ReferralServer:  whois://whois.ripe.net\n").as_deref(),
        Some("whois.ripe.net:43")
    );
    assert_eq!(
        r("ReferralServer: whois://whois.example.net:4343/\n").as_deref(),
        Some("whois.example.net:4343")
    );
    assert_eq!(r("refer: 127.0.0.1\n").as_deref(), Some("127.0.0.1:43"));
    assert_eq!(r("refer: [::1]:4343\n").as_deref(), Some("[::1]:4343"));
    assert_eq!(
        r("ReferralServer: rwhois://rwhois.example.net:4321\n"),
        None
    );
    assert_eq!(
        r("Registrar WHOIS Server: https://www.example.com/whois\n"),
        None
    );
    assert_eq!(r("Registrar WHOIS Server: \n"), None);
    assert_eq!(r("refer: bad host!\n"), None);
    assert_eq!(r("refer: host:0\n"), None);
    assert_eq!(r("refer: host:99999\n"), None);
    assert_eq!(r(""), None);
}

#[test]
fn quota_text_is_detected() {
    let text = fixture(
        "whois/weppos/spec/fixtures/responses/whois.markmonitor.com/response_throttled.txt",
    );
    assert_eq!(
        quota_line(&text).as_deref(),
        Some("You have exceeded your quota of queries.")
    );
    let text = fixture(
        "whois/weppos/spec/fixtures/responses/whois.verisign-grs.com/com/status_registered.txt",
    );
    assert_eq!(quota_line(&text), None);
}

#[test]
fn the_debian_server_table() {
    let t = ServerTable::load(std::path::Path::new(&format!("{DATA}/whois-servers"))).unwrap();
    assert!(t.len() > 300);
    assert_eq!(t.server_for("google.com"), Some("whois.verisign-grs.com"));
    assert_eq!(t.server_for("example.org"), Some("whois.pir.org"));
    // `.uk.com` comes before `.com`: first match wins.
    assert_eq!(t.server_for("foo.uk.com"), Some("whois.centralnic.net"));
    assert_eq!(
        t.new_gtld_server("nic.xyz").as_deref(),
        Some("whois.nic.xyz")
    );
    assert_eq!(t.server_for("example.invalid-tld-zz"), None);
    let t = ServerTable::parse(
        ".ad\tNONE\n.al\tWEB http://x\n.com VERISIGN whois.verisign-grs.com\n# c\n",
        "",
    );
    assert_eq!(t.server_for("a.ad"), None);
    assert_eq!(t.server_for("a.al"), None);
    assert_eq!(t.server_for("a.com"), Some("whois.verisign-grs.com"));
}

proptest::proptest! {
    #[test]
    fn referral_never_panics(s in "\\PC{0,300}") {
        if let Some(r) = parse_referral(&s) {
            proptest::prop_assert!(r.port != 0);
            proptest::prop_assert!(!r.host.is_empty() && r.host.len() <= 253);
        }
    }
}
