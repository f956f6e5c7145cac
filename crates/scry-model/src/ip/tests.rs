use super::*;

fn ip(s: &str) -> Ip {
    Ip::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn net(s: &str) -> IpNet {
    IpNet::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

#[test]
fn canonical_text() {
    for (input, canonical) in [
        ("192.0.2.1", "192.0.2.1"),
        (" 192.0.2.1\n", "192.0.2.1"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::FFFF:c000:0201", "192.0.2.1"),
        // IPv4-compatible (deprecated) addresses stay IPv6.
        ("::192.0.2.1", "::c000:201"),
        ("::", "::"),
        ("0.0.0.0", "0.0.0.0"),
    ] {
        assert_eq!(ip(input).to_string(), canonical, "{input:?}");
    }
    for bad in [
        "",
        "1.2.3",
        "1.2.3.4.5",
        "01.2.3.4",
        "256.1.1.1",
        "fe80::1%eth0",
        "1.2.3.4/24",
        "example.com",
        "[::1",
    ] {
        assert!(Ip::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn keys() {
    let v4 = ip("192.0.2.1");
    assert_eq!(v4.key()[..12], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
    assert_eq!(Ip::from_key(v4.key()), v4);
    assert!(Ip::from_key(v4.key()).is_v4());
    let v6 = ip("2001:db8::1");
    assert_eq!(Ip::from_key(v6.key()), v6);
    assert!(ip("10.0.0.1").key() < ip("10.0.0.2").key());
}

#[test]
fn prefixes() {
    for (input, canonical) in [
        ("192.0.2.7/24", "192.0.2.0/24"),
        ("192.0.2.7", "192.0.2.7/32"),
        ("0.0.0.0/0", "0.0.0.0/0"),
        ("2001:db8::1/32", "2001:db8::/32"),
        ("[2001:db8::1]/48", "2001:db8::/48"),
        ("::ffff:192.0.2.7/120", "192.0.2.0/24"),
        ("::ffff:0:0/96", "0.0.0.0/0"),
        // Shorter than /96: an IPv6 prefix, even written with a mapped address.
        ("::ffff:192.0.2.7/64", "::/64"),
        ("::/0", "::/0"),
    ] {
        assert_eq!(net(input).to_string(), canonical, "{input:?}");
    }
    for bad in [
        "192.0.2.0/33",
        "2001:db8::/129",
        "192.0.2.0/",
        "192.0.2.0/+8",
        "192.0.2.0/ 8",
        "192.0.2.0/0008",
        "/8",
        "x/8",
    ] {
        assert!(IpNet::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn contains() {
    let n = net("192.0.2.0/24");
    assert!(n.contains(&ip("192.0.2.0")));
    assert!(n.contains(&ip("192.0.2.255")));
    assert!(!n.contains(&ip("192.0.3.0")));
    assert!(!n.contains(&ip("2001:db8::1")));
    assert!(net("0.0.0.0/0").contains(&ip("255.255.255.255")));
    assert!(!net("0.0.0.0/0").contains(&ip("::1")));
    // The IPv4 space sits inside ::/0 and ::ffff:0:0/96 in key space.
    assert!(net("::/0").contains(&ip("192.0.2.1")));
    assert!(!net("2001:db8::/32").contains(&ip("192.0.2.1")));
    let (lo, hi) = net("10.0.0.0/8").key_range();
    assert_eq!(Ip::from_key(lo), ip("10.0.0.0"));
    assert_eq!(Ip::from_key(hi), ip("10.255.255.255"));
}

fn cover(a: &str, b: &str) -> Vec<String> {
    IpNet::cover(&Ip::parse(a).unwrap(), &Ip::parse(b).unwrap())
        .iter()
        .map(|n| n.to_string())
        .collect()
}

#[test]
fn covers_ranges_exactly() {
    assert_eq!(cover("100.64.0.0", "100.65.255.255"), ["100.64.0.0/15"]);
    assert_eq!(cover("100.67.0.0", "100.67.127.255"), ["100.67.0.0/17"]);
    assert_eq!(
        cover("192.0.2.1", "192.0.2.6"),
        [
            "192.0.2.1/32",
            "192.0.2.2/31",
            "192.0.2.4/31",
            "192.0.2.6/32"
        ]
    );
    assert_eq!(cover("0.0.0.0", "255.255.255.255"), ["0.0.0.0/0"]);
    assert_eq!(cover("2001:db8::", "2001:db8::ffff"), ["2001:db8::/112"]);
    assert!(cover("192.0.2.9", "192.0.2.1").is_empty());
    assert!(cover("192.0.2.1", "2001:db8::1").is_empty());
    // The whole IPv6 space, and its top half (no shift overflow at /0).
    assert_eq!(
        cover("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ["::/0"]
    );
    assert_eq!(
        cover("8000::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ["8000::/1"]
    );
    assert_eq!(
        cover("::", "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ["::/1"]
    );
}
