//! Property tests: normalisation is idempotent and its parts fit together,
//! for names, IP addresses and prefixes, and e-mail addresses.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use scry_model::{DomainName, Email, Ip, IpNet, NameFlag};

/// `n` cases, unless `PROPTEST_CASES` asks for another number (for long
/// runs: `PROPTEST_CASES=200000 cargo test -p scry-model --test it props`).
fn cases(n: u32) -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = n;
    }
    c
}

/// One label as people, zones and passive DNS write them.
fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9]{1,12}",
        2 => "[a-zA-Z0-9_-]{1,10}",
        1 => "[a-z0-9-]{60,66}",
        1 => "(xn--)?xn--[a-z0-9-]{1,14}",
        // Real A-labels, some IDNA2003-only.
        1 => prop::sample::select(vec![
            "xn--bcher-kva", "xn--i-7iq", "xn--ls8h", "xn--pypal-4ve", "xn--85x722f",
            "xn--zca", "xn--a", "xn--mnchen-3ya", "xn--ngbrx",
        ]).prop_map(str::to_string),
        // Unicode: Latin with diacritics, Cyrillic, Greek, CJK, kana, Hangul,
        // Arabic, Hebrew, symbols, joiners, fullwidth and case forms.
        2 => "[a-zA-Zäöüßéаеорсοα日本語中文のテキスト한국ابتשלום❤💩\u{200d}\u{ad}ＡＢｃ0-9-]{1,10}",
        1 => Just("*".to_string()),
        1 => "\\PC{1,8}",
    ]
}

/// A name ending in a suffix worth exercising.
fn name_like() -> impl Strategy<Value = String> {
    let suffix = prop::sample::select(vec![
        "com",
        "co.uk",
        "blogspot.com",
        "jp",
        "kobe.jp",
        "ck",
        "mm",
        "xn--fiqs8s",
        "中国",
        "example",
        "ws",
        "in-addr.arpa",
        "github.io",
        "COM",
        "рф",
        "s3.amazonaws.com",
    ]);
    let sep = prop::sample::select(vec![".", ".", ".", ".", "。", "．", "｡", ".."]);
    let end = prop::sample::select(vec!["", "", "", ".", "..", " ", "。"]);
    (
        prop::collection::vec(label(), 0..5),
        suffix,
        sep,
        end,
        any::<bool>(),
    )
        .prop_map(|(labels, suffix, sep, end, space)| {
            let mut s = String::new();
            if space {
                s.push(' ');
            }
            for l in labels {
                s.push_str(&l);
                s.push_str(sep);
            }
            s.push_str(suffix);
            s.push_str(end);
            s
        })
}

fn any_name_input() -> impl Strategy<Value = String> {
    prop_oneof![4 => name_like(), 1 => any::<String>(), 1 => "[a-z.]{0,300}"]
}

/// `part` is `whole` or a dot-separated label suffix of it.
fn is_label_suffix(part: &str, whole: &str) -> bool {
    whole == part
        || whole
            .strip_suffix(part)
            .is_some_and(|head| head.ends_with('.') && !part.is_empty())
}

fn derived_flags(n: &DomainName) -> Vec<NameFlag> {
    n.flags()
        .iter()
        .copied()
        .filter(|f| !matches!(f, NameFlag::Rewritten | NameFlag::Unicode))
        .collect()
}

pub(crate) fn check_name(input: &str) -> Result<(), TestCaseError> {
    let report = DomainName::report(input);
    let Ok(n) = DomainName::parse(input) else {
        prop_assert!(!report.valid && report.error.is_some());
        return Ok(());
    };
    prop_assert!(report.valid && report.error.is_none());
    let ascii = n.ascii();

    // Shape of the A-label form.
    prop_assert!(ascii.len() <= 253);
    prop_assert!(!ascii.ends_with('.'));
    let labels: Vec<&str> = ascii.split('.').collect();
    prop_assert_eq!(labels.len(), n.label_count());
    prop_assert_eq!(n.labels().collect::<Vec<_>>(), labels.clone());
    for (i, l) in labels.iter().enumerate() {
        prop_assert!((1..=63).contains(&l.len()), "label {:?}", l);
        let wildcard = i == 0 && *l == "*";
        prop_assert!(
            wildcard
                || l.bytes()
                    .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_')),
            "label {:?}",
            l
        );
    }
    prop_assert!(
        !labels
            .last()
            .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
    );
    prop_assert_eq!(n.has_flag(NameFlag::Wildcard), labels[0] == "*");
    prop_assert_eq!(n.has_flag(NameFlag::UnderscoreLabel), ascii.contains('_'));

    // The split.
    let suffix = n.suffix();
    prop_assert!(is_label_suffix(suffix, ascii));
    match n.registrable() {
        Some(r) => {
            prop_assert!(is_label_suffix(r, ascii));
            prop_assert!(is_label_suffix(suffix, r) && r != suffix);
            prop_assert_eq!(r.split('.').count(), suffix.split('.').count() + 1);
            prop_assert!(!r.starts_with("*."));
            prop_assert!(!n.has_flag(NameFlag::PublicSuffix));
            match n.subdomain() {
                Some(sub) => prop_assert_eq!(format!("{sub}.{r}"), ascii),
                None => prop_assert_eq!(r, ascii),
            }
            prop_assert_eq!(n.is_registrable(), r == ascii);
            let rn = n.registrable_name();
            prop_assert_eq!(rn.ascii(), r);
            prop_assert_eq!(rn.suffix(), suffix);
            prop_assert_eq!(rn.registrable(), Some(r));
            prop_assert_eq!(Some(rn.unicode()), n.registrable_unicode());
            prop_assert_eq!(n.registrable_or_self(), r);
        }
        None => {
            prop_assert_eq!(n.subdomain(), None);
            prop_assert!(!n.is_registrable());
            prop_assert_eq!(n.registrable_or_self(), ascii);
            prop_assert!(n.has_flag(NameFlag::PublicSuffix) || n.has_flag(NameFlag::Wildcard));
        }
    }
    prop_assert_eq!(report.registrable.as_deref(), n.registrable());
    prop_assert_eq!(report.suffix.as_deref(), Some(suffix));

    // The reversed key.
    let rev = n.reversed();
    prop_assert_eq!(rev.split('.').rev().collect::<Vec<_>>().join("."), ascii);

    // Idempotence: the A-label form is a fixed point with the same analysis.
    let again = DomainName::parse(ascii);
    prop_assert!(again.is_ok(), "{:?} -> {:?}: {:?}", input, ascii, again);
    let Ok(m) = again else { return Ok(()) };
    prop_assert_eq!(m.ascii(), ascii);
    prop_assert_eq!(m.unicode(), n.unicode());
    prop_assert_eq!(m.registrable(), n.registrable());
    prop_assert_eq!(m.suffix(), suffix);
    prop_assert_eq!(m.subdomain(), n.subdomain());
    prop_assert_eq!(m.flags().to_vec(), derived_flags(&n));
    prop_assert!(!m.has_flag(NameFlag::Rewritten) && !m.has_flag(NameFlag::Unicode));
    prop_assert_eq!(n.has_flag(NameFlag::Rewritten), input != ascii);

    // The display form: same labels, and back to the same A-labels.
    let unicode = n.unicode();
    prop_assert_eq!(unicode.split('.').count(), labels.len());
    let back = DomainName::parse(unicode);
    prop_assert!(back.is_ok(), "{:?} -> {:?}: {:?}", input, unicode, back);
    if let Ok(b) = back {
        prop_assert_eq!(b.ascii(), ascii);
        prop_assert_eq!(derived_flags(&b), derived_flags(&n));
    }
    prop_assert_eq!(
        n.suffix_unicode().split('.').count(),
        suffix.split('.').count()
    );
    Ok(())
}

proptest! {
    #![proptest_config(cases(2048))]

    #[test]
    fn names(input in any_name_input()) {
        check_name(&input)?;
    }

    /// Differential: where the idna crate's whole-name UTS #46 processing
    /// and ours both accept a name, they agree on the A-labels.
    #[test]
    fn agrees_with_whole_name_uts46(input in name_like()) {
        let body = input.trim();
        let ours = DomainName::parse(body);
        let theirs = idna::domain_to_ascii(body);
        if let (Ok(n), Ok(a)) = (ours, theirs) {
            prop_assert_eq!(n.ascii(), a.strip_suffix('.').unwrap_or(&a));
        }
    }
}

proptest! {
    #[test]
    fn ip_text_and_key_round_trip(v4 in any::<u32>(), v6 in any::<u128>()) {
        for addr in [IpAddr::V4(Ipv4Addr::from(v4)), IpAddr::V6(Ipv6Addr::from(v6))] {
            let ip = Ip::from(addr);
            let text = ip.to_string();
            prop_assert_eq!(Ip::parse(&text), Ok(ip));
            prop_assert_eq!(Ip::parse(&text.to_uppercase()), Ok(ip));
            prop_assert_eq!(Ip::from_key(ip.key()), ip);
            // Only IPv4 addresses live in ::ffff:0:0/96.
            let mapped = ip.key()[..12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];
            prop_assert_eq!(mapped, ip.is_v4());
        }
    }

    #[test]
    fn ip_key_order_is_numeric(a in any::<u32>(), b in any::<u32>()) {
        let (x, y) = (Ip::from(Ipv4Addr::from(a)), Ip::from(Ipv4Addr::from(b)));
        prop_assert_eq!(x.key().cmp(&y.key()), a.cmp(&b));
    }

    #[test]
    fn prefixes_agree_with_bit_masks(
        net_v4 in any::<u32>(), ip_v4 in any::<u32>(), len4 in 0u8..=32,
        net_v6 in any::<u128>(), ip_v6 in any::<u128>(), len6 in 0u8..=128,
        share in 0u32..=128,
    ) {
        // Bias the address towards the prefix so both outcomes occur.
        let keep4 = share.min(32);
        let ip_v4 = if keep4 == 0 { ip_v4 } else {
            let m = u32::MAX << (32 - keep4);
            (net_v4 & m) | (ip_v4 & !m)
        };
        let ip_v6 = if share == 0 { ip_v6 } else {
            let m = u128::MAX << (128 - share);
            (net_v6 & m) | (ip_v6 & !m)
        };
        let n4 = IpNet::parse(&format!("{}/{len4}", Ipv4Addr::from(net_v4)));
        let n6 = IpNet::parse(&format!("{}/{len6}", Ipv6Addr::from(net_v6)));
        prop_assert!(n4.is_ok() && n6.is_ok());
        let (Ok(n4), Ok(n6)) = (n4, n6) else { return Ok(()) };
        let a4 = Ip::from(Ipv4Addr::from(ip_v4));
        let a6 = Ip::from(IpAddr::V6(Ipv6Addr::from(ip_v6)));
        let in4 = |net: u32, ip: u32, len: u8| len == 0 || (net ^ ip) >> (32 - u32::from(len)) == 0;
        let in6 = |net: u128, ip: u128, len: u8| len == 0 || (net ^ ip) >> (128 - u32::from(len)) == 0;
        prop_assert_eq!(n4.contains(&a4), in4(net_v4, ip_v4, len4));
        prop_assert!(!n4.contains(&a6) || a6.is_v4());
        let key6 = u128::from_be_bytes(a6.key());
        prop_assert_eq!(n6.contains(&a6), in6(net_v6, key6, len6) || (n6.is_v4() && n6.contains(&a6)));
        // An IPv6 prefix holds an IPv4 address exactly when it covers its mapped key.
        let key4 = u128::from_be_bytes(a4.key());
        if !n6.is_v4() {
            prop_assert_eq!(n6.contains(&a4), in6(net_v6, key4, len6));
        }
        for n in [n4, n6] {
            // Canonical: host bits clear, text round-trips, the range bounds are inside.
            prop_assert_eq!(IpNet::parse(&n.to_string()), Ok(n));
            let (lo, hi) = n.key_range();
            prop_assert_eq!(lo, n.addr.key());
            prop_assert!(n.contains(&Ip::from_key(lo)) && n.contains(&Ip::from_key(hi)));
        }
        // The mapped spelling of an IPv4 prefix is that prefix.
        let mapped = IpNet::parse(&format!("::ffff:{}/{}", Ipv4Addr::from(net_v4), u32::from(len4) + 96));
        prop_assert_eq!(mapped, Ok(n4));
    }

    #[test]
    fn ip_parsers_never_panic(s in any::<String>()) {
        let _ = Ip::parse(&s);
        let _ = IpNet::parse(&s);
    }
}

fn local_part() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9._+-]{1,20}",
        1 => "[a-zäöüİßK\u{212a}ÉΣ._]{1,30}",
        1 => "\\PC{1,10}",
    ]
}

proptest! {
    #![proptest_config(cases(1024))]

    #[test]
    fn emails(local in local_part(), domain in name_like(), wrap in 0usize..4) {
        // The domain is what follows the last "@".
        prop_assume!(!domain.contains('@'));
        let input = match wrap {
            0 => format!("{local}@{domain}"),
            1 => format!("<{local}@{domain}>"),
            2 => format!("mailto:{local}@{domain}"),
            _ => format!("  {local}@{domain}  "),
        };
        let Ok(e) = Email::parse(&input) else { return Ok(()) };
        // The domain part is exactly what the name normaliser makes of it.
        let d = DomainName::parse(&domain);
        prop_assert!(d.is_ok());
        if let Ok(d) = d {
            prop_assert_eq!(e.domain().ascii(), d.ascii());
        }
        prop_assert!(e.local().len() <= 64);
        prop_assert_eq!(e.local().to_lowercase(), e.local());
        // Idempotent.
        let text = e.to_string();
        prop_assert_eq!(Email::parse(&text), Ok(e.clone()));
        // Case does not matter in ASCII addresses.
        if text.is_ascii() {
            prop_assert_eq!(Email::parse(&text.to_ascii_uppercase()), Ok(e));
        }
    }

    #[test]
    fn email_parser_never_panics(s in any::<String>()) {
        let _ = Email::parse(&s);
    }
}

proptest! {
    /// Rebuilding a stored name gives exactly what parsing it gives.
    #[test]
    fn from_normalised_equals_parse(input in "[a-zA-Z0-9_*.\\-]{1,40}|[a-z0-9]{1,10}\\.(com|co\\.uk|blogspot\\.com|xn--p1ai|ck)") {
        if let Ok(n) = DomainName::parse(&input) {
            let again = DomainName::from_normalised(n.ascii()).unwrap();
            let direct = DomainName::parse(n.ascii()).unwrap();
            prop_assert_eq!(again.ascii(), direct.ascii());
            prop_assert_eq!(again.unicode(), direct.unicode());
            prop_assert_eq!(again.registrable(), direct.registrable());
            prop_assert_eq!(again.suffix(), direct.suffix());
            prop_assert_eq!(again.flags(), direct.flags());
        }
        // Whatever it accepts, parse accepts with the same A-labels.
        if let Ok(fast) = DomainName::from_normalised(&input) {
            let slow = DomainName::parse(&input);
            prop_assert!(slow.is_ok(), "from_normalised accepted {:?}, parse did not", input);
            let slow = slow.unwrap();
            prop_assert_eq!(slow.ascii(), fast.ascii());
        }
    }
}

proptest! {
    #![proptest_config(cases(2048))]

    /// The key decoder's constructor: given a normalised name and where its
    /// registrable part starts (what a store key records), it rebuilds
    /// exactly what `parse` gives; given any other offset it never panics
    /// and returns a name with the same A-labels, or an error.
    #[test]
    fn from_stored_equals_parse(input in any_name_input(), other in 0usize..300) {
        let Ok(n) = DomainName::parse(&input) else {
            let _ = DomainName::from_stored(input.clone(), other);
            return Ok(());
        };
        let ascii = n.ascii().to_string();
        let start = n.registrable().map_or(0, |r| ascii.len() - r.len());
        let back = DomainName::from_stored(ascii.clone(), start).unwrap();
        let direct = DomainName::parse(&ascii).unwrap();
        prop_assert_eq!(back.ascii(), direct.ascii());
        prop_assert_eq!(back.unicode(), direct.unicode());
        prop_assert_eq!(back.registrable(), direct.registrable());
        prop_assert_eq!(back.subdomain(), direct.subdomain());
        prop_assert_eq!(back.suffix(), direct.suffix());
        prop_assert_eq!(back.flags(), direct.flags());
        if let Ok(any) = DomainName::from_stored(ascii.clone(), other) {
            prop_assert_eq!(any.ascii(), direct.ascii());
        }
    }
}
