use super::*;

fn ok(s: &str) -> DomainName {
    DomainName::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn reason(s: &str) -> NameError {
    match DomainName::parse(s) {
        Err(ModelError::Name { reason, .. }) => reason,
        other => panic!("{s:?}: expected a name error, got {other:?}"),
    }
}

/// `input, ascii, unicode, registrable, suffix, flags`.
type Accepted<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a str,
    &'a [NameFlag],
);

#[test]
fn accepted() {
    use NameFlag::*;
    let cases: &[Accepted<'_>] = &[
        (
            "WWW.Example.COM.",
            "www.example.com",
            "www.example.com",
            Some("example.com"),
            "com",
            &[Rewritten],
        ),
        (
            "  example.com\t",
            "example.com",
            "example.com",
            Some("example.com"),
            "com",
            &[Rewritten],
        ),
        (
            "example.com",
            "example.com",
            "example.com",
            Some("example.com"),
            "com",
            &[],
        ),
        (
            "a.b.example.co.uk",
            "a.b.example.co.uk",
            "a.b.example.co.uk",
            Some("example.co.uk"),
            "co.uk",
            &[],
        ),
        // Private section: blogspot.com is a suffix, its children registrable.
        (
            "foo.blogspot.com",
            "foo.blogspot.com",
            "foo.blogspot.com",
            Some("foo.blogspot.com"),
            "blogspot.com",
            &[PrivateSuffix],
        ),
        (
            "x.foo.blogspot.com",
            "x.foo.blogspot.com",
            "x.foo.blogspot.com",
            Some("foo.blogspot.com"),
            "blogspot.com",
            &[PrivateSuffix],
        ),
        (
            "blogspot.com",
            "blogspot.com",
            "blogspot.com",
            None,
            "blogspot.com",
            &[PrivateSuffix, PublicSuffix],
        ),
        ("co.uk", "co.uk", "co.uk", None, "co.uk", &[PublicSuffix]),
        ("com", "com", "com", None, "com", &[PublicSuffix]),
        (
            "localhost",
            "localhost",
            "localhost",
            None,
            "localhost",
            &[UnknownSuffix, PublicSuffix],
        ),
        (
            "host.corp.internal",
            "host.corp.internal",
            "host.corp.internal",
            Some("corp.internal"),
            "internal",
            &[UnknownSuffix],
        ),
        // Unicode input: A-labels out, U-labels kept.
        (
            "Bücher.example",
            "xn--bcher-kva.example",
            "bücher.example",
            Some("xn--bcher-kva.example"),
            "example",
            &[Rewritten, Unicode, UnknownSuffix],
        ),
        (
            "xn--bcher-kva.de",
            "xn--bcher-kva.de",
            "bücher.de",
            Some("xn--bcher-kva.de"),
            "de",
            &[],
        ),
        (
            "XN--BCHER-KVA.DE",
            "xn--bcher-kva.de",
            "bücher.de",
            Some("xn--bcher-kva.de"),
            "de",
            &[Rewritten],
        ),
        (
            "faß.de",
            "xn--fa-hia.de",
            "faß.de",
            Some("xn--fa-hia.de"),
            "de",
            &[Rewritten, Unicode],
        ),
        (
            "食狮.公司.cn",
            "xn--85x722f.xn--55qx5d.cn",
            "食狮.公司.cn",
            Some("xn--85x722f.xn--55qx5d.cn"),
            "xn--55qx5d.cn",
            &[Rewritten, Unicode],
        ),
        (
            "日本語のテキスト.jp",
            "xn--u9jyglbycm1962fo4bc84j.jp",
            "日本語のテキスト.jp",
            Some("xn--u9jyglbycm1962fo4bc84j.jp"),
            "jp",
            &[Rewritten, Unicode],
        ),
        (
            "xn--ngbrx.com",
            "xn--ngbrx.com",
            "عرب.com",
            Some("xn--ngbrx.com"),
            "com",
            &[],
        ),
        // Fullwidth letters and the three Unicode full stops.
        (
            "ｅｘａｍｐｌｅ.com",
            "example.com",
            "example.com",
            Some("example.com"),
            "com",
            &[Rewritten, Unicode],
        ),
        (
            "example。com",
            "example.com",
            "example.com",
            Some("example.com"),
            "com",
            &[Rewritten, Unicode],
        ),
        (
            "www．example｡com。",
            "www.example.com",
            "www.example.com",
            Some("example.com"),
            "com",
            &[Rewritten, Unicode],
        ),
        // IDNA2003-era names: accepted and flagged.
        (
            "xn--i-7iq.ws",
            "xn--i-7iq.ws",
            "i❤.ws",
            Some("xn--i-7iq.ws"),
            "ws",
            &[Idna2003Only],
        ),
        (
            "i❤.ws",
            "xn--i-7iq.ws",
            "i❤.ws",
            Some("xn--i-7iq.ws"),
            "ws",
            &[Idna2003Only, Rewritten, Unicode],
        ),
        (
            "xn--ls8h.la",
            "xn--ls8h.la",
            "💩.la",
            Some("xn--ls8h.la"),
            "la",
            &[Idna2003Only],
        ),
        (
            "bücher.xn--i-7iq.ws",
            "xn--bcher-kva.xn--i-7iq.ws",
            "bücher.i❤.ws",
            Some("xn--i-7iq.ws"),
            "ws",
            &[Idna2003Only, Rewritten, Unicode],
        ),
        // Decodes (to U+0080) but UTS #46 refuses it: kept as the A-label.
        (
            "xn--a.com",
            "xn--a.com",
            "xn--a.com",
            Some("xn--a.com"),
            "com",
            &[Idna2003Only],
        ),
        // Decodes to "xn--iಝ-i" (Latin and Kannada), which UTS #46 will not
        // encode again (found by the fuzzer).
        (
            "xn--xn--i-i-7iu.com",
            "xn--xn--i-i-7iu.com",
            "xn--xn--i-i-7iu.com",
            Some("xn--xn--i-i-7iu.com"),
            "com",
            &[Idna2003Only, MixedScript],
        ),
        // IDNA2008 hyphen rules on the U-label ("-ü" and "ab--ü").
        (
            "xn----eha.com",
            "xn----eha.com",
            "-ü.com",
            Some("xn----eha.com"),
            "com",
            &[Idna2003Only],
        ),
        // Not A-labels: Punycode of ASCII only, undecodable.
        (
            "xn--abc-.com",
            "xn--abc-.com",
            "xn--abc-.com",
            Some("xn--abc-.com"),
            "com",
            &[BadPunycode, HyphenEdge],
        ),
        (
            "xn--.com",
            "xn--.com",
            "xn--.com",
            Some("xn--.com"),
            "com",
            &[BadPunycode, HyphenEdge],
        ),
        (
            "xn--99999999999.com",
            "xn--99999999999.com",
            "xn--99999999999.com",
            Some("xn--99999999999.com"),
            "com",
            &[BadPunycode],
        ),
        // DNS realities.
        (
            "_dmarc.example.com",
            "_dmarc.example.com",
            "_dmarc.example.com",
            Some("example.com"),
            "com",
            &[UnderscoreLabel],
        ),
        (
            "_sip._tcp.example.com",
            "_sip._tcp.example.com",
            "_sip._tcp.example.com",
            Some("example.com"),
            "com",
            &[UnderscoreLabel],
        ),
        (
            "ab--cd.example.com",
            "ab--cd.example.com",
            "ab--cd.example.com",
            Some("example.com"),
            "com",
            &[HyphenEdge],
        ),
        (
            "-ab.example.com",
            "-ab.example.com",
            "-ab.example.com",
            Some("example.com"),
            "com",
            &[HyphenEdge],
        ),
        (
            "*.example.com",
            "*.example.com",
            "*.example.com",
            Some("example.com"),
            "com",
            &[Wildcard],
        ),
        // A wildcard right under a suffix has no registrable domain.
        ("*.com", "*.com", "*.com", None, "com", &[Wildcard]),
        (
            "*.blogspot.com",
            "*.blogspot.com",
            "*.blogspot.com",
            None,
            "blogspot.com",
            &[PrivateSuffix, Wildcard],
        ),
        // Digits are fine anywhere but in the last label.
        (
            "1.2.3.example",
            "1.2.3.example",
            "1.2.3.example",
            Some("3.example"),
            "example",
            &[UnknownSuffix],
        ),
        (
            "4.3.2.1.in-addr.arpa",
            "4.3.2.1.in-addr.arpa",
            "4.3.2.1.in-addr.arpa",
            Some("1.in-addr.arpa"),
            "in-addr.arpa",
            &[],
        ),
        (
            "example.xn--p1ai",
            "example.xn--p1ai",
            "example.рф",
            Some("example.xn--p1ai"),
            "xn--p1ai",
            &[],
        ),
        // Wildcard and exception rules.
        ("c.mm", "c.mm", "c.mm", None, "c.mm", &[PublicSuffix]),
        // Listed only through "*.mm": known all the same.
        ("mm", "mm", "mm", None, "mm", &[PublicSuffix]),
        ("ck", "ck", "ck", None, "ck", &[PublicSuffix]),
        // Listed only below the top level ("co.za"...).
        ("za", "za", "za", None, "za", &[PublicSuffix, UnknownSuffix]),
        // A Cyrillic "а" and a Cherokee "ꭵ" (which UTS #46 maps to upper
        // case, so the label is shown as is) in a real phishing host
        // (shared/data/phishing, PhishTank 2021).
        (
            "xn--bankofmerca-3ij68171c.vg",
            "xn--bankofmerca-3ij68171c.vg",
            "xn--bankofmerca-3ij68171c.vg",
            Some("xn--bankofmerca-3ij68171c.vg"),
            "vg",
            &[Idna2003Only, MixedScript],
        ),
        (
            "a.b.c.mm",
            "a.b.c.mm",
            "a.b.c.mm",
            Some("b.c.mm"),
            "c.mm",
            &[],
        ),
        (
            "www.www.ck",
            "www.www.ck",
            "www.www.ck",
            Some("www.ck"),
            "ck",
            &[],
        ),
    ];
    for (input, ascii, unicode, registrable, suffix, flags) in cases {
        let n = ok(input);
        assert_eq!(n.ascii(), *ascii, "{input:?} ascii");
        assert_eq!(n.unicode(), *unicode, "{input:?} unicode");
        assert_eq!(n.registrable(), *registrable, "{input:?} registrable");
        assert_eq!(n.suffix(), *suffix, "{input:?} suffix");
        let mut want = flags.to_vec();
        want.sort();
        assert_eq!(n.flags(), want, "{input:?} flags");
    }
}

#[test]
fn rejected() {
    let long_label = format!("{}.com", "a".repeat(64));
    let long_name = vec!["abcdefghi"; 26].join(".");
    let long_unicode_label = format!("{}.com", "ü".repeat(60));
    let huge = "ü".repeat(600);
    let cases: Vec<(&str, NameError)> = vec![
        ("", NameError::Empty),
        ("   ", NameError::Empty),
        (".", NameError::Empty),
        ("。", NameError::Empty),
        ("..", NameError::EmptyLabel(0)),
        (".com", NameError::EmptyLabel(0)),
        ("a..b", NameError::EmptyLabel(1)),
        ("example.com..", NameError::EmptyLabel(2)),
        ("bücher..de", NameError::EmptyLabel(1)),
        ("example.com。。", NameError::EmptyLabel(2)),
        // U+00AD maps to nothing, leaving an empty label.
        ("\u{AD}.com", NameError::EmptyLabel(0)),
        (
            &long_label,
            NameError::LabelTooLong {
                label: "a".repeat(64),
                len: 64,
            },
        ),
        (&long_name, NameError::NameTooLong(259)),
        (&huge, NameError::InputTooLong(1200)),
        (
            "exa mple.com",
            NameError::InvalidChar {
                ch: ' ',
                label: "exa mple".into(),
            },
        ),
        (
            "exa/mple.com",
            NameError::InvalidChar {
                ch: '/',
                label: "exa/mple".into(),
            },
        ),
        (
            "user@example.com",
            NameError::InvalidChar {
                ch: '@',
                label: "user@example".into(),
            },
        ),
        (
            "example.com:443",
            NameError::InvalidChar {
                ch: ':',
                label: "com:443".into(),
            },
        ),
        (
            "exa\0mple.com",
            NameError::InvalidChar {
                ch: '\0',
                label: "exa\0mple".into(),
            },
        ),
        // A fullwidth solidus maps to "/".
        (
            "a／b.com",
            NameError::InvalidChar {
                ch: '/',
                label: "a/b".into(),
            },
        ),
        ("*", NameError::MisplacedWildcard),
        ("a.*.com", NameError::MisplacedWildcard),
        ("*a.com", NameError::MisplacedWildcard),
        ("1.2.3.4", NameError::NumericTld("4".into())),
        ("foo.123", NameError::NumericTld("123".into())),
        ("*.123.", NameError::NumericTld("123".into())),
    ];
    for (input, want) in cases {
        assert_eq!(reason(input), want, "{input:?}");
    }
    // Over-long in A-label form although short in characters.
    assert!(matches!(
        reason(&long_unicode_label),
        NameError::LabelTooLong { .. }
    ));
    // UTS #46 failures name the label and say why.
    for (bad, why) in [
        ("a\u{200D}b.com", "CONTEXTJ"),
        ("1שלום.com", "bidi"),
        ("⒈.com", "disallowed code point U+2488"),
        ("a\u{2FF0}b.com", "disallowed code point U+2FF0"),
        ("\u{301}a.com", "combining mark"),
        ("xn--bücher.de", "all ASCII"),
    ] {
        let r = reason(bad);
        assert!(matches!(r, NameError::Idna(_)), "{bad:?}: {r:?}");
        let label = bad.split('.').next().unwrap_or_default();
        let text = r.to_string();
        assert!(text.contains(&format!("{label:?}")), "{text}");
        assert!(text.contains(why), "{bad:?}: {text}");
    }
}

#[test]
fn the_longest_names_pass() {
    let label63 = "a".repeat(63);
    let n = ok(&format!("{label63}.com"));
    assert_eq!(n.label_count(), 2);
    // 4 x 63 + 1 dot = 253 octets exactly.
    let name253 = format!("{label63}.{label63}.{label63}.{}", "b".repeat(61));
    assert_eq!(name253.len(), 253);
    assert_eq!(ok(&format!("{name253}.")).ascii(), name253);
    assert!(matches!(
        reason(&format!("{name253}b")),
        NameError::NameTooLong(254)
    ));
}

#[test]
fn mixed_script() {
    use NameFlag::MixedScript;
    for (input, mixed) in [
        // Latin "p", "y", "l" with a Cyrillic "а".
        ("pаypal.com", true),
        ("xn--pypal-4ve.com", true),
        // Greek omicron among Latin letters.
        ("gοogle.com", true),
        ("abc中文.cn", true),
        // One script, or Japanese (Han + Hiragana + Katakana), or Korean.
        ("日本語のテキスト.jp", false),
        ("カタカナ漢字ひらがな.jp", false),
        ("한국어漢字.kr", false),
        ("аррӏе.com", false),
        ("bücher.de", false),
        ("中文123.cn", false),
        ("paypal.com", false),
        // The check is per label.
        ("paypal.рф", false),
    ] {
        assert_eq!(ok(input).has_flag(MixedScript), mixed, "{input:?}");
    }
}

#[test]
fn idna2008_derived_property() {
    for (u, valid) in [
        ("bücher", true),
        ("ß", true),
        ("日本", true),
        ("i❤", false),
        ("💩", false),
        // CONTEXTO: middle dot only between two l (Catalan).
        ("l·l", true),
        ("a·b", false),
        // Arabic-Indic digits of the two kinds may not mix.
        ("\u{661}\u{662}", true),
        ("\u{661}\u{6F2}", false),
        ("\u{640}", false),
        // Old Hangul Jamo.
        ("\u{1100}", false),
        ("a_b", false),
    ] {
        assert_eq!(idna2008_pvalid(u), valid, "{u:?}");
    }
}

#[test]
fn split_accessors() {
    let n = ok("a.b.example.co.uk");
    assert_eq!(n.subdomain(), Some("a.b"));
    assert_eq!(n.reversed(), "uk.co.example.b.a");
    assert_eq!(
        n.labels().collect::<Vec<_>>(),
        ["a", "b", "example", "co", "uk"]
    );
    assert_eq!(n.label_count(), 5);
    assert!(!n.is_registrable());
    let r = n.registrable_name();
    assert_eq!(r.ascii(), "example.co.uk");
    assert!(r.is_registrable());
    assert_eq!(r.suffix(), "co.uk");
    assert_eq!(ok("co.uk").registrable_or_self(), "co.uk");
    assert!(!ok("co.uk").is_registrable());
    assert!(!ok("*.com").is_registrable());
    assert_eq!(ok("*.com").registrable_or_self(), "*.com");
    let u = ok("www.食狮.公司.cn");
    assert_eq!(u.registrable_unicode(), Some("食狮.公司.cn"));
    assert_eq!(u.suffix_unicode(), "公司.cn");
    assert_eq!(u.subdomain(), Some("www"));
    // Flags of the registrable part are its own.
    let r = ok("xn--i-7iq.example.com").registrable_name();
    assert_eq!(r.flags(), &[] as &[NameFlag]);
}

#[test]
fn equality_is_by_ascii() {
    use std::collections::HashSet;
    let a = ok("Bücher.de.");
    let b = ok("xn--bcher-kva.de");
    assert_ne!(a.flags(), b.flags());
    assert_eq!(a, b);
    assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
    let set: HashSet<DomainName> = [a, b].into_iter().collect();
    assert_eq!(set.len(), 1);
}

#[test]
fn report_shape() {
    let r = DomainName::report("WWW.Bücher.de");
    let json = serde_json::to_value(&r).unwrap_or_default();
    assert_eq!(
        json,
        serde_json::json!({
            "input": "WWW.Bücher.de",
            "ascii": "www.xn--bcher-kva.de",
            "unicode": "www.bücher.de",
            "registrable": "xn--bcher-kva.de",
            "registrable_unicode": "bücher.de",
            "suffix": "de",
            "subdomain": "www",
            "valid": true,
            "error": null,
            "flags": ["rewritten", "unicode"],
        })
    );
    let r = DomainName::report("a..b");
    assert!(!r.valid);
    assert_eq!(r.error.as_deref(), Some("empty label at position 1"));
    assert_eq!(r.ascii, None);
}

#[test]
fn icann_suffix_of_private_suffixes() {
    for (name, suffix, icann) in [
        ("foo.github.io", "github.io", "io"),
        ("x.foo.herokuapp.com", "herokuapp.com", "com"),
        ("site.netlify.app", "netlify.app", "app"),
        ("www.example.co.uk", "co.uk", "co.uk"),
        ("example.com", "com", "com"),
        ("example.internal", "internal", "internal"),
    ] {
        let n = DomainName::parse(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(n.suffix(), suffix, "{name}");
        assert_eq!(n.icann_suffix(), icann, "{name}");
    }
}

/// Everything a name holds, for comparisons stricter than `==` (which
/// looks at `ascii` alone).
fn parts(
    r: Result<DomainName, NameError>,
) -> Result<(String, String, u8, u8, Vec<NameFlag>), NameError> {
    r.map(|n| {
        (
            n.ascii().to_string(),
            n.unicode().to_string(),
            n.labels,
            n.suffix_labels,
            n.flags().to_vec(),
        )
    })
}

fn same_as_full(input: &str) {
    assert_eq!(
        parts(DomainName::parse_inner(input)),
        parts(DomainName::parse_full(input)),
        "{input:?}"
    );
}

#[test]
fn plain_path_on_chosen_names() {
    for input in [
        "",
        ".",
        "..",
        "a",
        "a.",
        "a..",
        "example.com",
        "example.com.",
        "www.d0-bench.com",
        "_dmarc.example.com",
        "*.example.com",
        "*",
        "*.",
        "a.*.com",
        "-x.com",
        "x-.com",
        "ab--c.com",
        "xn--bcher-kva.de",
        "xn--i-7iq.ws",
        "xn--zz.com",
        "xn--abc-.com",
        "x.123",
        "1.2.3.4",
        "com",
        "blogspot.com",
        "foo.blogspot.com",
        "a.ck",
        "co.uk",
        "localhost",
        "foo.internal",
        &"a".repeat(64),
        &format!("{}.com", "a.".repeat(126)),
        &"a.".repeat(600),
    ] {
        same_as_full(input);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]

    #[test]
    fn plain_path_is_the_full_path(input in "[a-z0-9._*-]{0,70}") {
        same_as_full(&input);
    }

    #[test]
    fn plain_path_is_the_full_path_on_labels(
        labels in proptest::collection::vec(
            "(xn--[a-z0-9-]{1,12}|[a-z0-9_-]{1,10}|\\*|[a-z]{2,3})",
            1..6,
        ),
        dot in proptest::bool::ANY,
    ) {
        let mut input = labels.join(".");
        if dot {
            input.push('.');
        }
        same_as_full(&input);
    }

    #[test]
    fn parse_is_the_full_path_on_any_input(input in "[a-zA-Z0-9._*\\- \u{e9}\u{fc}\u{3002}\u{ff0e}\u{430}\u{4e00}]{0,40}") {
        // Inputs off the plain path (upper case, white space, Unicode) and
        // on it, mixed: parse must agree with the full path everywhere.
        same_as_full(&input);
    }
}
