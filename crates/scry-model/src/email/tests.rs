use super::*;

#[test]
fn normalised() {
    for (input, local, domain, shown) in [
        (
            "Admin@Example.COM",
            "admin",
            "example.com",
            "admin@example.com",
        ),
        (
            " <hostmaster@example.com.> ",
            "hostmaster",
            "example.com",
            "hostmaster@example.com",
        ),
        (
            "mailto:abuse@example.com",
            "abuse",
            "example.com",
            "abuse@example.com",
        ),
        (
            "MAILTO: abuse@example.com",
            "abuse",
            "example.com",
            "abuse@example.com",
        ),
        (
            "info@Bücher.de",
            "info",
            "xn--bcher-kva.de",
            "info@xn--bcher-kva.de",
        ),
        (
            "\"a@b\"@example.com",
            "\"a@b\"",
            "example.com",
            "\"a@b\"@example.com",
        ),
        (
            "Ünïcode@example.com",
            "ünïcode",
            "example.com",
            "ünïcode@example.com",
        ),
        (
            "x@mail._domainkey.example.com",
            "x",
            "mail._domainkey.example.com",
            "x@mail._domainkey.example.com",
        ),
    ] {
        let e = Email::parse(input).unwrap_or_else(|err| panic!("{input:?}: {err}"));
        assert_eq!(e.local(), local, "{input:?}");
        assert_eq!(e.domain().ascii(), domain, "{input:?}");
        assert_eq!(e.to_string(), shown, "{input:?}");
        assert_eq!(Email::parse(&e.to_string()).as_ref(), Ok(&e), "{input:?}");
    }
}

#[test]
fn rejected() {
    for (input, why) in [
        ("", "no @"),
        ("example.com", "no @"),
        ("@example.com", "empty local part"),
        ("a b@example.com", "invalid character"),
        ("a@", "domain: empty name"),
        ("a@exa mple.com", "domain: invalid character"),
        ("a@*.example.com", "wildcard"),
        ("a@192.0.2.1", "all digits"),
        ("a@[192.0.2.1]", "invalid character"),
    ] {
        match Email::parse(input) {
            Err(ModelError::Email { reason, .. }) => {
                assert!(reason.contains(why), "{input:?}: {reason}")
            }
            other => panic!("{input:?}: {other:?}"),
        }
    }
    let long = format!("{}@example.com", "a".repeat(65));
    assert!(Email::parse(&long).is_err());
    assert!(Email::parse(&format!("{}@example.com", "a".repeat(64))).is_ok());
    // 22 x "İ" is 44 octets, but 66 once lower-cased ("i" + U+0307).
    let grows = format!("{}@example.com", "İ".repeat(22));
    assert!(Email::parse(&grows).is_err());
}
