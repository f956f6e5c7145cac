use super::*;

fn ok(s: &str) -> DomainName {
    DomainName::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn basic_split() {
    let n = ok("WWW.Example.COM.");
    assert_eq!(n.ascii(), "www.example.com");
    assert_eq!(n.registrable(), Some("example.com"));
    assert_eq!(n.suffix(), "com");
    assert_eq!(n.subdomain(), Some("www"));
    assert_eq!(n.reversed(), "com.example.www");
    assert!(n.has_flag(NameFlag::Rewritten));
}

#[test]
fn private_section() {
    let n = ok("foo.blogspot.com");
    assert_eq!(n.registrable(), Some("foo.blogspot.com"));
    assert_eq!(n.suffix(), "blogspot.com");
    assert!(n.has_flag(NameFlag::PrivateSuffix));
    let n = ok("a.b.example.co.uk");
    assert_eq!(n.registrable(), Some("example.co.uk"));
    assert_eq!(n.subdomain(), Some("a.b"));
}

#[test]
fn suffix_only() {
    let n = ok("co.uk");
    assert_eq!(n.registrable(), None);
    assert!(n.has_flag(NameFlag::PublicSuffix));
    assert_eq!(n.registrable_or_self(), "co.uk");
}

#[test]
fn idna() {
    let n = ok("Bücher.example");
    assert_eq!(n.ascii(), "xn--bcher-kva.example");
    assert_eq!(n.unicode(), "bücher.example");
    let n = ok("xn--bcher-kva.de");
    assert_eq!(n.unicode(), "bücher.de");
    assert_eq!(n.registrable(), Some("xn--bcher-kva.de"));
}

#[test]
fn underscore_flagged() {
    let n = ok("_dmarc.example.com");
    assert!(n.has_flag(NameFlag::UnderscoreLabel));
    assert_eq!(n.registrable(), Some("example.com"));
}

#[test]
fn rejects_broken() {
    assert!(DomainName::parse("").is_err());
    assert!(DomainName::parse(".").is_err());
    assert!(DomainName::parse("a..b").is_err());
    assert!(DomainName::parse("example.com..").is_err());
    assert!(DomainName::parse(&format!("{}.com", "a".repeat(64))).is_err());
    assert!(DomainName::parse("exa mple.com").is_err());
    assert!(DomainName::parse("exa/mple.com").is_err());
    let long = vec!["abcdefghi"; 30].join(".");
    assert!(DomainName::parse(&long).is_err());
}

#[test]
fn mixed_script() {
    // Latin "p", "y", "l" with Cyrillic "а".
    let n = ok("pаypal.com");
    assert!(n.has_flag(NameFlag::MixedScript));
}
