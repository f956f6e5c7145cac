use super::*;

#[test]
fn asn() {
    for (input, want) in [
        ("AS13335", 13335),
        ("as13335", 13335),
        ("ASN 13335", 13335),
        ("asn13335", 13335),
        (" 13335 ", 13335),
        ("4294967295", u32::MAX),
        ("1.10", 65546),
        ("AS0.0", 0),
        ("AS65535.65535", u32::MAX),
    ] {
        assert_eq!(parse_asn(input), Ok(want), "{input:?}");
    }
    for bad in [
        "",
        "AS",
        "+5",
        "-1",
        "4294967296",
        "AS 1 2",
        "1.65536",
        "65536.1",
        "1.",
        ".1",
        "ASX1",
        "1e3",
    ] {
        assert!(parse_asn(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn subjects() {
    assert_eq!(
        Entity::parse_subject("192.0.2.1").map(|e| e.kind()),
        Ok(EntityKind::Ip)
    );
    assert_eq!(
        Entity::parse_subject("A@Example.com").map(|e| e.to_string()),
        Ok("a@example.com".to_string())
    );
    assert_eq!(
        Entity::parse_subject("WWW.Example.com.").map(|e| e.to_string()),
        Ok("www.example.com".to_string())
    );
    assert!(Entity::parse_subject("a..b").is_err());
}

#[test]
fn domains_compare_by_normal_form() {
    let a = Entity::parse(EntityKind::Domain, "Bücher.DE.");
    let b = Entity::parse(EntityKind::Domain, "xn--bcher-kva.de");
    assert_eq!(a, b);
}

#[test]
fn text_and_hash() {
    assert_eq!(
        normalise_text("  Acme \t Corp\u{7}  "),
        Some("Acme Corp".to_string())
    );
    assert_eq!(normalise_text(" \n "), None);
    let long = "é".repeat(MAX_TEXT);
    assert!(normalise_text(&long).is_some_and(|t| t.len() <= MAX_TEXT));
    assert_eq!(
        Entity::parse(EntityKind::Hash, "AB:CD:ef").map(|e| e.to_string()),
        Ok("abcdef".to_string())
    );
    assert!(Entity::parse(EntityKind::Hash, "xyz").is_err());
}
