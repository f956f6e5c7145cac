use super::substring::SubstringMatcher;

fn hit(terms: &[&str], excl: &[&str], host: &str) -> Option<(String, u8)> {
    let terms: Vec<String> = terms.iter().map(|t| (*t).to_string()).collect();
    let excl: Vec<String> = excl.iter().map(|t| (*t).to_string()).collect();
    SubstringMatcher::new(&terms, &excl)
        .find(host)
        .map(|h| (h.reason, h.similarity))
}

#[test]
fn substring_variations_find_the_brand_and_its_variations_inside_labels() {
    // (host, expected piece of the reason; None: no hit)
    let cases: &[(&str, Option<&str>)] = &[
        (
            "secure-paypa1-login.com",
            Some("contains paypa1 (homoglyph of paypal.com)"),
        ),
        (
            "xqzpaypalrewardsxx.net",
            Some("contains paypal (paypal.com)"),
        ),
        ("mypaypall-acct.org", Some("contains paypal (paypal.com)")),
        (
            "zzpapyal-zz.io",
            Some("contains papyal (transposition of paypal.com)"),
        ),
        ("login.paypal.com", None),
        ("paypal.com", None),
        ("paypay.ne.jp", None),
        ("example.com", None),
        ("secure-paypa1-login.evil-partner.com", Some("paypa1")),
    ];
    for (host, want) in cases {
        let got = hit(&["paypal.com"], &[], host);
        match (want, &got) {
            (None, None) => {}
            (Some(w), Some((r, sim))) => {
                assert!(r.contains(w), "{host}: {r}");
                assert!((60..=90).contains(sim), "{host}: {sim}");
            }
            _ => panic!("{host}: want {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn substring_variations_respect_exclusions_and_short_terms() {
    assert_eq!(
        hit(
            &["paypal.com"],
            &["paypal-community"],
            "paypal-community-x.com"
        ),
        None
    );
    // A three-letter brand is never looked for inside labels, and variants
    // shorter than six characters are not either.
    assert_eq!(hit(&["ibm.com"], &[], "xibmx-login.com"), None);
    // The brand itself scores above its variations in the same label.
    let (r, _) = hit(&["paypal.com"], &[], "paypal-paypa1.com").unwrap_or_default();
    assert!(r.contains("contains paypal (paypal.com)"), "{r}");
}

/// Real benign names (../shared/data/benign/opendns-random-10k.txt) against
/// 20 brands of the top list: how often a substring-variation monitor
/// raises an alert on a name that imitates nothing. The names that are a
/// brand's own label on another suffix are not counted (a plain brand
/// monitor reports those too).
#[test]
fn substring_variations_false_positive_rate_on_benign_names() {
    let read = |f: &str| {
        std::fs::read_to_string(format!(
            "{}/../../../shared/data/benign/{f}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap_or_else(|e| panic!("{f}: {e}"))
    };
    let brands = [
        "google.com",
        "facebook.com",
        "amazon.com",
        "microsoft.com",
        "apple.com",
        "paypal.com",
        "netflix.com",
        "linkedin.com",
        "twitter.com",
        "instagram.com",
        "yahoo.com",
        "dropbox.com",
        "adobe.com",
        "github.com",
        "office.com",
        "outlook.com",
        "ebay.com",
        "spotify.com",
        "wellsfargo.com",
        "chase.com",
    ]
    .map(String::from);
    let m = SubstringMatcher::new(&brands, &[]);
    let labels: Vec<&str> = brands.iter().filter_map(|b| b.split('.').next()).collect();
    let text = read("opendns-random-10k.txt");
    let (mut n, mut hits) = (0, Vec::new());
    for name in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        n += 1;
        let first = name.split('.').next().unwrap_or_default();
        if labels.contains(&first) {
            continue;
        }
        if let Some(h) = m.find(name) {
            hits.push(format!("{name}: {}", h.reason));
        }
    }
    let rate = hits.len() as f64 / f64::from(n);
    assert!(n > 9_000, "{n} names");
    // Measured: 0.27% (27 of 9,999 names); 22 of them contain a brand
    // verbatim (`chasediamonds`, `officepools`), which is what the option
    // asks for; 5 a variation (`facobook` is a real typo-squat, `petsitters`
    // holds `tsitter`). Bitsquatting and 5-character variations raised 0.8%
    // and are not used inside labels.
    assert!(rate < 0.005, "{rate}: {hits:#?}");
}
