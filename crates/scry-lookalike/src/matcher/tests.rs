use super::*;
use crate::{GenerateOptions, generate};

fn matcher(brands: &[&str]) -> Matcher {
    let brands: Vec<Brand> = brands.iter().map(|b| Brand::new(*b)).collect();
    Matcher::new(&brands, &MatcherOptions::default()).unwrap()
}

const BRANDS: &[&str] = &[
    "paypal.com",
    "google.com",
    "microsoft.com",
    "facebook.com",
    "amazon.co.uk",
    "apple.com",
    "pay-pal-now.com",
    "4chan.org",
    "phonebank.com",
];

/// host → (brand, a technique that must be reported); `None`: no match.
#[test]
fn techniques_data_driven() {
    use Technique::*;
    let m = matcher(BRANDS);
    let cases: &[(&str, Option<(&str, Technique)>)] = &[
        // Typos (Damerau-Levenshtein, classified).
        ("paypall.com", Some(("paypal.com", Repetition))),
        ("paypl.com", Some(("paypal.com", Omission))),
        ("apypal.com", Some(("paypal.com", Transposition))),
        ("paypak.com", Some(("paypal.com", Replacement))),
        ("paytpal.com", Some(("paypal.com", Insertion))),
        ("paypala.com", Some(("paypal.com", Addition))),
        ("paypel.com", Some(("paypal.com", VowelSwap))),
        ("qaypal.com", Some(("paypal.com", Bitsquatting))),
        ("pay-pal.com", Some(("paypal.com", Hyphenation))),
        ("faceboook.com", Some(("facebook.com", Repetition))),
        ("facsebook.com", Some(("facebook.com", Plural))),
        ("microsfot.com", Some(("microsoft.com", Transposition))),
        ("paypaq.com", Some(("paypal.com", EditDistance))), // no technique explains l→q
        // Homoglyphs: TR39 skeletons, ASCII look-alikes, Cyrillic.
        ("paypa1.com", Some(("paypal.com", Homoglyph))),
        ("rnicrosoft.com", Some(("microsoft.com", Homoglyph))),
        ("nnicrosoft.com", Some(("microsoft.com", Homoglyph))),
        ("xn--pypal-4ve.com", Some(("paypal.com", Homoglyph))), // pąypal
        ("раураӏ.com", Some(("paypal.com", Cyrillic))),
        ("аррӏе.com", Some(("apple.com", Cyrillic))),
        ("g00gle.com", Some(("google.com", Homoglyph))),
        // Combosquats.
        ("paypal-secure-login.com", Some(("paypal.com", Dictionary))),
        ("securepaypallogin.net", Some(("paypal.com", Dictionary))),
        ("paypalcom.com", Some(("paypal.com", Various))),
        ("paypal-com.net", Some(("paypal.com", ChangeDotDash))),
        ("wwwpaypal.com", Some(("paypal.com", MissingDot))),
        // Host structure.
        ("pay.pal.com", Some(("paypal.com", Subdomain))),
        ("face.book.us.com", Some(("facebook.com", Subdomain))),
        ("paypa.l.us.com", Some(("paypal.com", Subdomain))), // `l.us.com`: suffix join
        ("paypal.us.com", Some(("paypal.com", TldSwap))),
        ("google.it.com", Some(("google.com", TldSwap))),
        (
            "paypal.com.evil.net",
            Some(("paypal.com", BrandInSubdomain)),
        ),
        ("paypal.com.ru", Some(("paypal.com", AddTld))),
        ("paypal.net", Some(("paypal.com", TldSwap))),
        ("amazon.org.uk", Some(("amazon.co.uk", WrongSld))),
        ("paypal.duckdns.org", Some(("paypal.com", AddDynamicDns))),
        // Exact variants.
        ("paypalnow.com", Some(("pay-pal-now.com", StripDash))),
        ("fourchan.org", Some(("4chan.org", NumeralSwap))),
        ("fonebank.com", Some(("phonebank.com", Homophone))),
        ("ppypal.com", Some(("paypal.com", DoubleReplacement))),
        // Not matches: the brand itself and its subdomains, unrelated names.
        ("paypal.com", None),
        ("www.paypal.com", None),
        ("login.paypal.com", None),
        ("example.com", None),
        ("wikipedia.org", None),
        ("pandorajewelleryoutlets.com", None),
        ("not a name", None),
        ("com", None),
    ];
    for (host, want) in cases {
        let got = m.match_domain(host);
        match want {
            None => assert!(got.is_empty(), "{host} should not match, got {got:?}"),
            Some((brand, t)) => {
                let hit = got.iter().find(|g| g.brand == *brand);
                let Some(hit) = hit else {
                    panic!("{host} should match {brand}, got {got:?}")
                };
                assert!(hit.techniques.contains(t), "{host}: want {t}, got {hit:?}");
                assert!(hit.similarity >= m.threshold() && hit.similarity <= 100);
            }
        }
    }
}

#[test]
fn combosquats_with_unknown_words_score_by_share_and_boundary() {
    let low = Matcher::new(
        &[Brand::new("paypal.com")],
        &MatcherOptions {
            threshold: 0,
            ..MatcherOptions::default()
        },
    )
    .unwrap();
    let sim = |h: &str| {
        let m = low.match_domain(h);
        assert!(
            m[0].techniques.contains(&Technique::Combosquat),
            "{h}: {m:?}"
        );
        m[0].similarity
    };
    let hyphen = sim("paypal-xqzv.com");
    let glued = sim("paypalxqzv.com");
    let long = sim("paypalxqzvbnmwrtkfg.com");
    assert!(hyphen > glued && glued > long, "{hyphen} {glued} {long}");
    assert!(long < DEFAULT_THRESHOLD);
}

#[test]
fn exclusions_and_threshold() {
    let brands = vec![Brand {
        name: "paypal.com".into(),
        terms: vec!["paypal".into(), "venmo".into()],
        exclusions: vec!["paypal-community".into()],
    }];
    let opts = MatcherOptions {
        exclusions: vec!["sandbox".into()],
        ..MatcherOptions::default()
    };
    let m = Matcher::new(&brands, &opts).unwrap();
    assert!(m.match_domain("paypal-community.com").is_empty());
    assert!(m.match_domain("paypa1-sandbox.com").is_empty());
    assert!(
        !m.match_domain("venrno.com").is_empty(),
        "extra term, homoglyph"
    );
    assert_eq!(m.match_domain("paypa1.com")[0].domain, "paypa1.com");
    let strict = Matcher::new(
        &brands,
        &MatcherOptions {
            threshold: 100,
            ..MatcherOptions::default()
        },
    )
    .unwrap();
    assert!(strict.match_domain("paypall.com").is_empty());
    assert!(Matcher::new(&[Brand::new("co.uk")], &MatcherOptions::default()).is_err());
    assert!(Matcher::new(&[Brand::new("bad..name")], &MatcherOptions::default()).is_err());
}

#[test]
fn classify_single_edits() {
    use Technique::*;
    let c = |a: &str, b: &str| {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        classify(&a, &b)
    };
    assert_eq!(c("paypal", "paypa"), vec![Omission]);
    assert_eq!(c("paypal", "ppaypal"), vec![Repetition]);
    assert_eq!(c("paypal", "paypalx"), vec![Addition]);
    assert_eq!(c("paypal", "paypall"), vec![Repetition, Addition]);
    assert_eq!(c("paypal", "pay-pal"), vec![Hyphenation]);
    assert_eq!(c("paypal", "paypsal"), vec![Plural, Insertion]);
    assert_eq!(c("paypal", "paypql"), vec![Replacement, Bitsquatting]);
    assert_eq!(c("paypal", "paypel"), vec![Bitsquatting, VowelSwap]);
    assert_eq!(c("paypal", "paypam"), vec![Replacement, Bitsquatting]); // azerty: l beside m
    assert_eq!(c("paypal", "paypa1"), vec![Homoglyph]);
    assert_eq!(c("paypal", "paypaq"), vec![]);
    assert_eq!(c("paypal", "xaypaq"), vec![], "two edits");
    assert_eq!(c("abc", "bac"), vec![Transposition]);
    assert_eq!(c("pay-pal", "paypal"), vec![StripDash]);
}

fn matcher_at(brands: &[&str], threshold: u8) -> Matcher {
    let brands: Vec<Brand> = brands.iter().map(|b| Brand::new(*b)).collect();
    let opts = MatcherOptions {
        threshold,
        ..MatcherOptions::default()
    };
    Matcher::new(&brands, &opts).unwrap()
}

/// Candidates of `brand` that `m` does not match back to it.
fn missed(m: &Matcher, brand: &str, opts: &GenerateOptions) -> Vec<String> {
    let d = DomainName::parse(brand).unwrap();
    generate(&d, opts)
        .into_iter()
        .filter(|c| !m.match_domain(&c.domain).iter().any(|x| x.brand == brand))
        .map(|c| format!("{} {:?}", c.domain, c.techniques))
        .collect()
}

/// Round trip on real brands: everything `generate` makes is matched back
/// (at any similarity), and at the default threshold for brands whose label
/// has 6+ characters (variants of shorter labels are scored lower on
/// purpose: they collide with ordinary short names).
#[test]
fn generated_candidates_match_back() {
    let any = matcher_at(BRANDS, 0);
    let default = matcher_at(BRANDS, DEFAULT_THRESHOLD);
    let opts = GenerateOptions::default();
    for b in BRANDS {
        let miss = missed(&any, b, &opts);
        assert!(
            miss.is_empty(),
            "{b}: {} missed, e.g. {:?}",
            miss.len(),
            &miss[..miss.len().min(10)]
        );
        if b.split(['.', '-']).next().is_some_and(|l| l.len() >= 6) || b.starts_with("pay-pal") {
            let miss = missed(&default, b, &opts);
            assert!(
                miss.is_empty(),
                "{b} at default: {} missed, e.g. {:?}",
                miss.len(),
                &miss[..miss.len().min(10)]
            );
        }
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn tld() -> impl Strategy<Value = &'static str> {
        proptest::sample::select(vec!["com", "net", "de", "co.uk", "io", "fr", "info"])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Every candidate `generate` produces for a brand is matched back
        /// to that brand (round trip, 100%), for random brands of any
        /// length, among other brands.
        #[test]
        fn round_trip(label in "[a-z0-9][a-z0-9]{0,10}(-[a-z]{2,5})?", tld in tld()) {
            let brand = format!("{label}.{tld}");
            let m = matcher_at(&[brand.as_str(), "google.com", "paypal.com"], 0);
            let opts = GenerateOptions { homoglyph_rounds: 1, ..GenerateOptions::default() };
            let miss = missed(&m, &brand, &opts);
            prop_assert!(miss.is_empty(), "{}: {:?}", brand, miss);
        }

        /// At the default threshold, for labels of 6+ characters, at least
        /// 97% of a brand's candidates are matched back: some two-edit
        /// variants of short labels (`arbaaa` -> `arnnaa`) are scored below
        /// the threshold on purpose. (Measured over the 987 real brands:
        /// 98.88%; the 100% round trip holds at any score, above.)
        #[test]
        fn round_trip_default_threshold(label in "[a-z][a-z0-9]{5,12}(-[a-z]{2,5})?", tld in tld()) {
            let brand = format!("{label}.{tld}");
            let m = matcher_at(&[brand.as_str(), "google.com", "paypal.com"], DEFAULT_THRESHOLD);
            let opts = GenerateOptions { homoglyph_rounds: 1, ..GenerateOptions::default() };
            let total = generate(&DomainName::parse(&brand).unwrap(), &opts).len();
            let miss = missed(&m, &brand, &opts);
            prop_assert!(total > 0);
            prop_assert!(miss.len() * 100 <= total * 3, "{}: {} of {} missed: {:?}", brand, miss.len(), total, miss);
        }

        /// Matching never panics on arbitrary input.
        #[test]
        fn match_never_panics(host in "\\PC{0,80}") {
            let m = matcher(BRANDS);
            let _ = m.match_domain(&host);
        }
    }
}

#[test]
fn matches_serialise_as_ndjson_and_matcher_is_shareable() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Matcher>();
    let m = matcher(BRANDS);
    let hit = m.match_domain("paypa1.com").remove(0);
    assert_eq!(
        serde_json::to_string(&hit).unwrap(),
        r#"{"domain":"paypa1.com","brand":"paypal.com","techniques":["homoglyph"],"similarity":95}"#
    );
}

/// The deletion variants of `s` with up to `d` characters deleted, as
/// strings (the index's definition, written the slow way).
fn variants(s: &[char], d: usize) -> Vec<String> {
    let mut out = vec![s.iter().collect::<String>()];
    let mut frontier = vec![s.to_vec()];
    for _ in 0..d {
        let mut next = Vec::new();
        for v in &frontier {
            for i in 0..v.len() {
                let mut w = v.clone();
                w.remove(i);
                out.push(w.iter().collect());
                next.push(w);
            }
        }
        frontier = next;
    }
    out
}

mod deletions {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// The hashed look-up finds every term one of whose deletion
        /// variants equals one of the query's (what a string index would
        /// find); extra candidates from collisions are allowed (verified
        /// later), and none show up in practice.
        #[test]
        fn hashed_deletions_find_what_strings_find(
            labels in proptest::collection::vec("[a-eé0-2-]{1,14}", 1..8),
            q in "[a-eé0-2-]{0,16}",
        ) {
            let brands: Vec<Brand> = labels
                .iter()
                .enumerate()
                .map(|(i, l)| Brand {
                    name: format!("b{i}.com"),
                    terms: vec![l.clone()],
                    exclusions: Vec::new(),
                })
                .collect();
            let m = Matcher::new(&brands, &MatcherOptions::default()).unwrap();
            let qc: Vec<char> = q.chars().collect();
            for d in [1, 2] {
                let mut got: Vec<u32> = Vec::new();
                m.for_deletions(&qc, d, &mut Scratch::default(), |id| got.push(id));
                got.sort_unstable();
                got.dedup();
                let qv = variants(&qc, d);
                let mut want: Vec<u32> = Vec::new();
                for (id, t) in m.terms.iter().enumerate() {
                    let tv = variants(&t.chars, max_distance(t.chars.len()));
                    if tv.iter().any(|v| qv.contains(v)) {
                        want.push(u32::try_from(id).unwrap());
                    }
                }
                prop_assert_eq!(got, want);
            }
        }
    }
}

#[test]
fn tokens_are_peeled_from_both_ends_by_the_tries() {
    let m = matcher(&["paypal.com"]);
    let got = m.strip_once("wwwpaypal-login");
    assert!(
        got.iter().any(|(core, k, tok, _)| core == "paypal-login"
            && *k == TokenKind::Www
            && tok == "www")
    );
    assert!(got.iter().any(|(core, k, tok, hy)| core == "wwwpaypal"
        && *k == TokenKind::Word
        && tok == "login"
        && *hy));
    // A TLD is only peeled off the end.
    assert!(
        m.strip_once("compaypal")
            .iter()
            .all(|(_, k, _, _)| *k != TokenKind::Tld)
    );
    assert!(
        m.strip_once("paypalcom")
            .iter()
            .any(|(core, k, tok, _)| core == "paypal" && *k == TokenKind::Tld && tok == "com")
    );
}
