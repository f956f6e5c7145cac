use super::*;

fn host(s: &str) -> String {
    parse_indicator(s)
        .map(|i| i.text())
        .unwrap_or_else(|e| format!("ERR {e}"))
}

#[test]
fn indicators_from_messy_urls() {
    assert_eq!(
        host("https://www.viptbslook.tonohost.com/"),
        "www.viptbslook.tonohost.com"
    );
    assert_eq!(
        host("hxxp://evil[.]example[.]com/a?b#c"),
        "evil.example.com"
    );
    assert_eq!(
        host("http://user:pw@Login.PayPaL.com.evil.net:8080/x"),
        "login.paypal.com.evil.net"
    );
    assert_eq!(host("http://[2001:db8::1]:80/x"), "2001:db8::1");
    assert_eq!(host("2001:db8::2"), "2001:db8::2");
    assert_eq!(host("http://100.64.1.2:8080/bins/x86"), "100.64.1.2");
    assert_eq!(host("example.com."), "example.com");
    assert_eq!(host("http://bücher.example/"), "xn--bcher-kva.example");
    assert!(host("http:///nohost").starts_with("ERR"));
    assert!(host("ht tp://x.com").starts_with("ERR"));
    assert!(host("http://[::1/x").starts_with("ERR"));
    assert!(host(&"a".repeat(10_000)).starts_with("ERR"));
}

#[test]
fn lists_skip_comments_and_read_hosts_files() {
    let mut r = FeedReader::new(FeedFormat::List);
    assert_eq!(r.line("# comment").unwrap(), None);
    assert_eq!(r.line("   ").unwrap(), None);
    let e = r
        .line("0.0.0.0 ads.example.com # tracker")
        .unwrap()
        .unwrap();
    assert_eq!(e.indicator.text(), "ads.example.com");
    let e = r.line("evil.test\r\n").unwrap().unwrap();
    assert_eq!(e.indicator.text(), "evil.test");
    let err = r.line("not a domain!").unwrap_err();
    assert_eq!(err.field.as_deref(), Some("indicator"));
}

#[test]
fn urlhaus_csv_with_commented_header() {
    let mut r = FeedReader::new(FeedFormat::Csv);
    assert_eq!(r.line("#####").unwrap(), None);
    assert_eq!(
        r.line("# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter")
            .unwrap(),
        None
    );
    let e = r
        .line(r#""1","2026-01-02 03:04:05","http://bad.example.net/gate.php","online","","malware_download","mozi,elf","https://urlhaus.abuse.ch/url/1/","lrz_urlhaus""#)
        .unwrap()
        .unwrap();
    assert_eq!(e.indicator.text(), "bad.example.net");
    assert_eq!(e.url.as_deref(), Some("http://bad.example.net/gate.php"));
    assert_eq!(e.threat.as_deref(), Some("malware_download"));
    let err = r.line(r#""2","x","http://bad..net/","#).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("url"));
    assert!(r.line(r#""3","unterminated"#).is_err());
}

#[test]
fn csv_row_before_header_is_an_error() {
    let mut r = FeedReader::new(FeedFormat::Csv);
    assert!(r.line("1,2,3").is_err());
}

#[test]
fn real_phishtank_csv() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/phishing/phishtank-verified-online-2021.csv"
    );
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(FeedFormat::sniff(text.as_bytes()), FeedFormat::Csv);
    let mut r = FeedReader::new(FeedFormat::Csv);
    let (mut ok, mut bad, mut targets) = (0, 0, 0);
    let mut hosts = std::collections::BTreeSet::new();
    for line in text.lines() {
        match r.line(line) {
            Ok(Some(e)) => {
                ok += 1;
                targets += usize::from(e.target.is_some());
                hosts.insert(e.indicator.text());
            }
            Ok(None) => {}
            Err(_) => bad += 1,
        }
    }
    // 11,330 URLs; a few hosts are not valid names (underscores, junk).
    assert!(ok > 11_200, "{ok} ok, {bad} bad");
    assert!(bad < 100, "{bad}");
    assert!(targets > 1500, "{targets}"); // 9,554 rows say "Other"
    assert!(
        hosts.len() > 4000 && hosts.len() < ok,
        "{} distinct hosts",
        hosts.len()
    );
    assert!(hosts.contains("www.viptbslook.tonohost.com"));
}

#[test]
fn json_array_and_lines() {
    let doc = br#"[{"phish_id":1,"url":"http://a.example/x","target":"PayPal"},{"domain":"b.example"},{"x":1},3]"#;
    let v = entries_from_json(doc).unwrap();
    assert_eq!(v.len(), 4);
    let a = v[0].as_ref().unwrap();
    assert_eq!(a.indicator.text(), "a.example");
    assert_eq!(a.target.as_deref(), Some("PayPal"));
    assert_eq!(v[1].as_ref().unwrap().indicator.text(), "b.example");
    assert_eq!(v[2].as_ref().unwrap_err().field.as_deref(), Some("[2]"));
    assert!(v[3].is_err());
    let mut r = FeedReader::new(FeedFormat::Json);
    assert_eq!(
        r.line(r#"{"ip": "100.64.0.9"},"#)
            .unwrap()
            .unwrap()
            .indicator
            .text(),
        "100.64.0.9"
    );
    assert!(r.line("{oops").is_err());
    assert!(entries_from_json(b"[1,").is_err());
}

#[test]
fn sniffing() {
    assert_eq!(FeedFormat::sniff(b"\n[{\"url\":\"x\"}]"), FeedFormat::Json);
    assert_eq!(FeedFormat::sniff(b"# list\nevil.com\n"), FeedFormat::List);
    assert_eq!(
        FeedFormat::sniff(b"phish_id,url,target\n1,http://x/,y\n"),
        FeedFormat::Csv
    );
    assert_eq!(FeedFormat::sniff(b""), FeedFormat::List);
}

proptest::proptest! {
    #[test]
    fn never_panics(s in "\\PC{0,200}") {
        let _ = parse_indicator(&s);
        let _ = split_csv(&s);
        for f in [FeedFormat::List, FeedFormat::Csv, FeedFormat::Json] {
            let mut r = FeedReader::new(f);
            let _ = r.line("url,domain");
            let _ = r.line(&s);
        }
    }
}
