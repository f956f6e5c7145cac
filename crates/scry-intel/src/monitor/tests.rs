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
        ("zzpypal-zz.io", Some("contains pypal (")),
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
    // shorter than five characters are not either.
    assert_eq!(hit(&["ibm.com"], &[], "xibmx-login.com"), None);
    // The brand itself scores above its variations in the same label.
    let (r, _) = hit(&["paypal.com"], &[], "paypal-paypa1.com").unwrap_or_default();
    assert!(r.contains("contains paypal (paypal.com)"), "{r}");
}
