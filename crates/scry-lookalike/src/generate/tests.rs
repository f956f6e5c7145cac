use super::*;

fn gen_with(domain: &str, techniques: &[Technique]) -> Vec<Candidate> {
    let d = DomainName::parse(domain).unwrap();
    let opts = GenerateOptions {
        techniques: techniques.to_vec(),
        ..GenerateOptions::default()
    };
    generate(&d, &opts)
}

fn names(domain: &str, t: Technique) -> Vec<String> {
    gen_with(domain, &[t])
        .into_iter()
        .map(|c| c.unicode)
        .collect()
}

/// Each technique: names it must produce and names it must not.
#[test]
fn every_technique_data_driven() {
    use Technique::*;
    let cases: &[(&str, Technique, &[&str], &[&str])] = &[
        (
            "paypal.com",
            Addition,
            &["paypala.com", "paypal1.com"],
            &["apaypal.com"],
        ),
        ("pay-pal.com", Addition, &["payx-pal.com"], &[]),
        (
            "paypal.com",
            Bitsquatting,
            &["qaypal.com", "paypel.com", "paypah.com"],
            &["paypal.com"],
        ),
        ("paypal.com", Cyrillic, &["раураӏ.com"], &[]),
        ("facebook.com", Cyrillic, &[], &["fасеbооk.com"]), // f has no Cyrillic twin
        (
            "paypal.com",
            Homoglyph,
            &["paypa1.com", "paypai.com", "pąypal.com", "páypąl.com"],
            &["pаypal.com"],
        ),
        (
            "microsoft.com",
            Homoglyph,
            &["rnicrosoft.com", "nnicrosoft.com", "rnicr0soft.com"],
            &[],
        ),
        (
            "paypal.co.uk",
            Homoglyph,
            &["paypa1.co.uk"],
            &["pąypal.co.uk"],
        ), // .uk: no IDN
        (
            "paypal.com",
            Hyphenation,
            &["pay-pal.com", "p-aypal.com"],
            &["-paypal.com", "paypal-.com"],
        ),
        (
            "paypal.com",
            Insertion,
            &["paypalk.com", "paytpal.com", "pqaypal.com"],
            &[],
        ),
        (
            "paypal.com",
            Omission,
            &["paypl.com", "aypal.com", "paypa.com"],
            &[],
        ),
        (
            "facebook.com",
            Plural,
            &["facsebook.com", "facebooks.com"],
            &[],
        ),
        (
            "paypal.com",
            Repetition,
            &["ppaypal.com", "paypaal.com"],
            &[],
        ),
        (
            "paypal.com",
            Replacement,
            &["paypak.com", "oaypal.com", "pqypal.com", "paypam.com"],
            &["paypaq.com"],
        ),
        (
            "paypal.com",
            Subdomain,
            &["pay.pal.com", "p.aypal.com"],
            &[".paypal.com"],
        ),
        (
            "paypal.com",
            Transposition,
            &["apypal.com", "papyal.com"],
            &[],
        ),
        ("paypal.com", VowelSwap, &["paypel.com", "poypal.com"], &[]),
        (
            "paypal.com",
            Dictionary,
            &["paypal-login.com", "securepaypal.com", "login-paypal.com"],
            &[],
        ),
        (
            "pay-pal.com",
            Dictionary,
            &["pay-login.com", "login-pal.com"],
            &[],
        ),
        (
            "paypal.com",
            TldSwap,
            &["paypal.net", "paypal.xyz"],
            &["paypal.com"],
        ),
        ("paypal.com", Various, &["paypalcom.com"], &[]),
        (
            "paypal.de",
            Various,
            &["paypal-de.com", "paypalde.com", "paypalde.de"],
            &[],
        ),
        ("amazon.co.uk", Various, &["amazon.uk", "amazonco.uk"], &[]),
        (
            "www.paypal.com",
            Various,
            &["wwwpaypal.com", "www-paypal.com"],
            &[],
        ),
        (
            "paypal.com",
            DoubleReplacement,
            &["ppypal.com", "paapal.com", "pyypal.com"],
            &[],
        ),
        ("www.paypal.com", MissingDot, &["wwwpaypal.com"], &[]),
        (
            "paypal.com",
            MissingDot,
            &["wwwpaypal.com", "paypalcom.com"],
            &[],
        ),
        (
            "pay-pal-now.com",
            StripDash,
            &["paypalnow.com", "paypal-now.com", "pay-palnow.com"],
            &[],
        ),
        ("4chan.org", NumeralSwap, &["fourchan.org"], &[]),
        ("onebank.com", NumeralSwap, &["1bank.com"], &[]),
        (
            "phonebank.com",
            Homophone,
            &["fonebank.com", "phonebanc.com"],
            &[],
        ),
        (
            "paypal.com",
            AddTld,
            &["paypal.com.co", "paypal.com.ru"],
            &[],
        ),
        (
            "paypal.co.uk",
            ChangeDotDash,
            &["paypal-co-uk.com", "paypal-co.uk"],
            &[],
        ),
        (
            "amazon.co.uk",
            WrongSld,
            &["amazon.org.uk", "amazon.ac.uk"],
            &["amazon.co.uk"],
        ),
        (
            "paypal.com",
            AddDynamicDns,
            &["paypal.duckdns.org", "paypal.ddns.net"],
            &[],
        ),
    ];
    for (domain, t, want, not) in cases {
        let got = names(domain, *t);
        for w in *want {
            assert!(
                got.iter().any(|g| g == w),
                "{t} of {domain} should give {w}; got {} names",
                got.len()
            );
        }
        for n in *not {
            assert!(
                !got.iter().any(|g| g == n),
                "{t} of {domain} must not give {n}"
            );
        }
        assert!(!got.is_empty() || want.is_empty(), "{t} of {domain}");
    }
}

#[test]
fn candidates_are_tagged_merged_and_normalised() {
    let d = DomainName::parse("paypal.com").unwrap();
    let all = generate(&d, &GenerateOptions::default());
    assert!(all.len() > 1000, "{}", all.len());
    let mut seen = std::collections::HashSet::new();
    for c in &all {
        assert!(seen.insert(c.domain.clone()), "duplicate {}", c.domain);
        assert!(!c.techniques.is_empty());
        assert!(
            c.techniques.windows(2).all(|w| w[0] < w[1]),
            "sorted, unique"
        );
        let n = DomainName::parse(&c.domain).unwrap();
        assert_eq!(n.ascii(), c.domain);
        assert_eq!(n.unicode(), c.unicode);
        assert!(!n.has_flag(NameFlag::HyphenEdge), "{}", c.domain);
        assert_ne!(c.domain, "paypal.com");
        for label in c.unicode.split('.') {
            assert!(label_registrable(label, IdnPolicy::Any), "{}", c.unicode);
        }
    }
    // `paypa.com` is both an omission and (deleting the l) nothing else;
    // `paypall.com` is an insertion (l next to k? no: l after l) and a
    // repetition.
    let pall = all.iter().find(|c| c.domain == "paypall.com").unwrap();
    assert!(pall.techniques.contains(&Technique::Repetition));
    assert!(pall.techniques.contains(&Technique::Addition));
}

#[test]
fn no_idn_when_disabled_and_none_for_public_suffix() {
    let d = DomainName::parse("paypal.com").unwrap();
    let opts = GenerateOptions {
        idn: false,
        ..GenerateOptions::default()
    };
    assert!(
        generate(&d, &opts)
            .iter()
            .all(|c| c.domain.is_ascii() && !c.domain.contains("xn--"))
    );
    let suffix = DomainName::parse("co.uk").unwrap();
    assert!(generate(&suffix, &GenerateOptions::default()).is_empty());
}

#[test]
fn word_lists_parse_dnstwist_dict_format() {
    let text = "// comment\n\nLogin\n#x\nsecure\n.com\n";
    assert_eq!(parse_word_list(text), vec!["login", "secure", "com"]);
    let real = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/dictionaries/dnstwist/english.dict"
    ))
    .unwrap();
    let words = parse_word_list(&real);
    assert!(words.contains(&"login".to_string()), "{words:?}");
    assert!(words.iter().all(|w| !w.starts_with("//")));
}

#[test]
fn keyboards_are_physical_neighbours() {
    use crate::tables::{KEYBOARDS, keyboard_adjacent};
    let mut q = KEYBOARDS[0].neighbours(b'q');
    q.sort();
    assert_eq!(q, b"12aw".to_vec());
    let mut a = KEYBOARDS[2].neighbours(b'p'); // azerty
    a.sort();
    assert_eq!(a, b"0lmo".to_vec());
    assert!(keyboard_adjacent(b'y', b'u'));
    assert!(keyboard_adjacent(b'z', b'u'), "qwertz");
    assert!(!keyboard_adjacent(b'a', b'p'));
}
