use super::*;

const MINI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/mini");

#[test]
fn csv_quoting() {
    assert_eq!(
        csv_fields(r#"1,"a, b","say ""hi""",x"#),
        ["1", "a, b", r#"say "hi""#, "x"]
    );
    assert_eq!(csv_fields(""), [""]);
    assert_eq!(csv_fields("a,,b"), ["a", "", "b"]);
}

#[test]
fn url_hosts() {
    assert_eq!(
        url_host("https://www.example.com/a?b"),
        Some("www.example.com")
    );
    assert_eq!(url_host("http://user:pw@ex.org:8080/"), Some("ex.org"));
    assert_eq!(url_host("ex.net/path"), Some("ex.net"));
    assert_eq!(url_host("http://103.114.16.4/x"), None);
    assert_eq!(url_host("http://[2001:db8::1]/"), None);
    assert_eq!(url_host("http:///x"), None);
}

#[test]
fn registrable_uses_the_private_section() {
    assert_eq!(
        registrable("a.b.x.github.io").as_deref(),
        Some("x.github.io")
    );
    assert_eq!(registrable("www.bbc.co.uk").as_deref(), Some("bbc.co.uk"));
    assert_eq!(registrable("github.io"), None);
    assert_eq!(registrable("com"), None);
}

fn mini(seed: u64) -> RealData {
    load_real(
        std::path::Path::new(MINI),
        seed,
        Limits {
            max_per_family: 1000,
            max_per_family_test: 1000,
            per_class: None,
        },
    )
    .unwrap()
}

#[test]
fn label_hygiene_on_the_fixture() {
    let d = mini(8);
    let all_phish: Vec<&String> = d.phish_train.iter().chain(&d.phish_test).collect();
    let all_benign: Vec<&String> = d.benign_train.iter().chain(&d.benign_test).collect();
    // The overlap is dropped from both sides.
    assert!(
        !all_phish
            .iter()
            .any(|n| n.as_str() == "viptbslook-overlap.com")
    );
    assert!(
        !all_benign
            .iter()
            .any(|n| n.as_str() == "viptbslook-overlap.com")
    );
    assert!(d.stats.overlap_dropped >= 1);
    // Registrable domains, de-duplicated, no IPs.
    let mut sorted = all_phish.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), all_phish.len());
    for n in &all_phish {
        let dn = DomainName::parse(n).unwrap();
        assert!(dn.is_registrable(), "{n}");
    }
    assert!(d.stats.phishing_skipped > 0, "IP-address URLs are skipped");
    // Whole families held out.
    for (n, f) in &d.dga_test {
        assert!(d.stats.dga_test_families.contains(f));
        assert!(!d.dga_train.iter().any(|(m, _)| m == n));
    }
    for f in &d.stats.dga_test_families {
        assert!(!d.stats.dga_train_families.contains(f));
        assert!(!d.dga_train.iter().any(|(_, g)| g == f));
    }
    assert!(!d.dga_test.is_empty() && !d.dga_train.is_empty());
    // Private-section names stay themselves (unnamed_downloader uses
    // github.io subdomains).
    assert!(
        d.dga_train
            .iter()
            .chain(&d.dga_test)
            .any(|(n, _)| n.ends_with(".github.io") && n != "github.io")
    );
    // Near-duplicates (digits removed) are on one side only.
    for n in &d.phish_test {
        let k = group_key(n);
        assert!(!d.phish_train.iter().any(|m| group_key(m) == k), "{n}");
    }
}

#[test]
fn split_depends_on_the_seed_only() {
    let a = mini(8);
    let b = mini(8);
    assert_eq!(a.benign_test, b.benign_test);
    assert_eq!(a.dga_test, b.dga_test);
    let c = mini(9);
    assert_ne!(a.benign_test, c.benign_test);
}

#[test]
fn missing_data_is_an_error_naming_the_file() {
    let e = load_real(
        std::path::Path::new("/nonexistent-scry-data"),
        1,
        Limits {
            max_per_family: 1,
            max_per_family_test: 1,
            per_class: None,
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("opendns-top-10k.txt"), "{e}");
    assert!(std::error::Error::source(&e).is_some());
}
