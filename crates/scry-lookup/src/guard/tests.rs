use std::net::IpAddr;
use std::time::Duration;

use super::*;

fn reason(s: &str) -> Option<&'static str> {
    non_public_reason(s.parse::<IpAddr>().unwrap())
}

#[test]
fn refused_ranges() {
    for (ip, why) in [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("255.255.255.255", "broadcast"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("100.127.255.254", "shared (CGNAT)"),
        ("192.0.2.10", "documentation"),
        ("198.51.100.1", "documentation"),
        ("203.0.113.7", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("240.0.0.1", "reserved"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "unique-local"),
        ("fd12:3456::1", "unique-local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "documentation"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.1.2.3", "private"),
        ("64:ff9b::a00:1", "private"),
        ("::127.0.0.1", "IPv4-compatible"),
    ] {
        assert_eq!(reason(ip), Some(why), "{ip}");
    }
}

#[test]
fn public_addresses_pass() {
    for ip in [
        "8.8.8.8",
        "1.1.1.1",
        "100.63.255.255",
        "100.128.0.0",
        "172.32.0.1",
        "192.169.0.1",
        "198.20.0.1",
        "2606:4700::1111",
        "2a00:1450:4001::200e",
        "::ffff:8.8.4.4",
        "64:ff9b::808:808",
    ] {
        assert_eq!(reason(ip), None, "{ip}");
    }
}

#[test]
fn guard_refuses_then_allows() {
    let strict = Guard {
        allow_private: false,
        resolve_timeout: Duration::from_secs(2),
    };
    let e = strict.resolve("127.0.0.1", 43).unwrap_err();
    assert!(
        matches!(
            e,
            LookupError::Refused {
                reason: "loopback",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("--allow-private"));
    let e = strict.resolve("[::1]", 43).unwrap_err();
    assert!(matches!(e, LookupError::Refused { .. }));
    assert!(strict.check("x", "10.0.0.1".parse().unwrap()).is_err());
    assert!(strict.check("x", "8.8.8.8".parse().unwrap()).is_ok());
    let open = Guard {
        allow_private: true,
        ..strict
    };
    assert_eq!(open.resolve("127.0.0.1", 43).unwrap().len(), 1);
}

proptest::proptest! {
    #[test]
    fn mapped_v4_is_judged_as_v4(a in 0u8.., b in 0u8.., c in 0u8.., d in 0u8..) {
        let v4 = std::net::Ipv4Addr::new(a, b, c, d);
        let mapped = IpAddr::V6(v4.to_ipv6_mapped());
        proptest::prop_assert_eq!(non_public_reason(IpAddr::V4(v4)), non_public_reason(mapped));
    }
}
