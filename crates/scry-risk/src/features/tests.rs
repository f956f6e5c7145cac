use proptest::prelude::*;

use super::*;

fn name(s: &str) -> DomainName {
    DomainName::parse(s).unwrap()
}

fn feats(s: &str) -> Features {
    Features::extract(&name(s), &CharModel::empty(), Lexicon::get().unwrap())
}

fn has(f: &Features, i: usize) -> bool {
    f.iter().any(|(j, _, _)| j == i)
}

#[test]
fn split_takes_the_registrable_label() {
    assert_eq!(split(&name("www.example.co.uk")), ("example", "co.uk"));
    // A private suffix is described by the ICANN suffix under it.
    assert_eq!(split(&name("a.x.github.io")), ("x", "io"));
    assert_eq!(split(&name("x.herokuapp.com")), ("x", "com"));
    assert_eq!(split(&name("github.io")), ("github", "io"));
    assert_eq!(split(&name("example.com")), ("example", "com"));
}

#[test]
fn a_private_suffix_looks_like_its_icann_suffix() {
    // `x.github.io` and `x.io` have the same features apart from what the
    // look-alike matcher finds in the whole host.
    let no_lookalike = |f: &Features| -> Vec<(usize, u32)> {
        f.iter()
            .filter(|(_, _, g)| *g != Group::Lookalike)
            .map(|(i, v, _)| (i, v.to_bits()))
            .collect()
    };
    for (hosted, plain) in [
        ("mybank-login.github.io", "mybank-login.io"),
        ("shop.netlify.app", "shop.app"),
    ] {
        assert_eq!(
            no_lookalike(&feats(hosted)),
            no_lookalike(&feats(plain)),
            "{hosted}"
        );
    }
}

#[test]
fn character_statistics() {
    let f = feats("ab12-c3.com");
    assert_eq!(f.info.len, 7);
    assert_eq!(f.info.digits, 3);
    assert_eq!(f.info.hyphens, 1);
    assert!(has(&f, F_HYPHEN) && has(&f, F_DIGITS3) && has(&f, F_HAS_DIGIT));
    let f = feats("aaaa.com");
    assert_eq!(f.info.entropy, 0.0);
    let f = feats("bcdfghjk.net");
    assert_eq!(f.info.cons_run, 8);
    assert!(has(&f, F_CONS_RUN_BUCKET + 3));
    // Shape n-grams: `bcd` and `xyz...` share the consonant shape `ccc`.
    let shapes = |s: &str| -> Vec<usize> {
        feats(s)
            .iter()
            .filter(|(_, _, g)| *g == Group::Shapes)
            .map(|(i, _, _)| i)
            .collect()
    };
    let (a, b) = (shapes("bcdfg.com"), shapes("qwrtz.com"));
    assert!(!a.is_empty() && a == b);
}

#[test]
fn brand_terms_keywords_and_lookalikes() {
    let f = feats("paypal-secure-login.com");
    assert!(has(&f, F_BRAND) && has(&f, F_KEYWORD) && has(&f, F_KEYWORD2));
    assert!(has(&f, F_BRAND_KEYWORD));
    assert!(f.info.brand_term.is_some());
    // The brand's own label is not a brand term; a homoglyph is a look-alike.
    let f = feats("paypal.com");
    assert!(!has(&f, F_BRAND));
    assert!(
        f.info.lookalike.is_none(),
        "the brand itself is no look-alike"
    );
    let f = feats("paypa1.com");
    let (sim, brand, _) = f.info.lookalike.clone().unwrap();
    assert_eq!(brand, "paypal.com");
    assert!(sim >= 85);
    // The whole host is matched: the brand as a subdomain.
    let f = feats("paypal.com.account-check.net");
    assert!(f.info.lookalike.is_some());
    // Short keyword tokens count only as whole tokens.
    assert!(has(&feats("apple-id-verify.com"), F_KEYWORD2));
    assert!(!has(&feats("idaho.com"), F_KEYWORD));
}

#[test]
fn the_char_model_prefers_what_it_saw() {
    let mut lm = CharModel::empty();
    for w in [
        "google",
        "facebook",
        "amazon",
        "wikipedia",
        "yahoo",
        "twitter",
    ] {
        lm.add(w);
    }
    let (g3, g2, gr) = lm.log_probs("google");
    let (x3, x2, xr) = lm.log_probs("xkqzvj");
    assert!(
        g3 > x3 && g2 > x2 && gr > xr,
        "{g3} {x3} {g2} {x2} {gr} {xr}"
    );
    assert!(lm.log_probs("").0 < 0.0);
    assert!(CharModel::empty().log_probs("abc").0.is_finite());
}

#[test]
fn word_coverage_takes_the_best_non_overlapping_words() {
    let w = Words::new(
        ["stack", "overflow", "flow", "over", "tack", "xkcd"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    // Whole: two words (not "stack" + "over" + "flow": fewer words win a tie).
    assert_eq!(w.coverage(b"stackoverflow"), (13, 2));
    assert_eq!(w.coverage(b"stack-overflow-2"), (13, 2));
    assert_eq!(w.coverage(b"qzstackq"), (5, 1));
    assert_eq!(w.coverage(b"hrhsevfd"), (0, 0));
    assert_eq!(w.coverage(b""), (0, 0));
    assert_eq!(Words::default().coverage(b"stack"), (0, 0));
    // Longer than the label limit: bounded, no panic.
    let long = "stack".repeat(40);
    let (c, n) = w.coverage(long.as_bytes());
    assert!(c <= MAX_LABEL && n <= MAX_LABEL, "{c} {n}");
    // What may be a word.
    assert!(Words::valid("stack") && !Words::valid("abc") && !Words::valid("Stack"));
    let t: Vec<&str> = Words::tokens("my-stack2overflow-ab").collect();
    assert_eq!(t, ["stack", "overflow"]);
}

#[test]
fn the_four_gram_model_finds_random_letters_unlikely() {
    let mut lm = CharModel::empty();
    for w in [
        "google",
        "facebook",
        "amazon",
        "wikipedia",
        "yahoo",
        "twitter",
        "linkedin",
        "microsoft",
        "apple",
        "netflix",
    ] {
        lm.add(w);
    }
    let (seen, n) = lm.kn.llr(b"google");
    assert_eq!(n, 7, "six letters and the end");
    let (random, _) = lm.kn.llr(b"xkqzvj");
    assert!(seen > 0.0 && random < seen, "{seen} {random}");
    // An empty model is uniform-ish and finite.
    let (e, _) = CharModel::empty().kn.llr(b"abc");
    assert!(e.is_finite());
    let (e, n) = lm.kn.llr(&[b'z'; 200]);
    assert!(e.is_finite() && n == MAX_LABEL + 1);
}

#[test]
fn rare_suffixes_are_marked() {
    let mut lm = CharModel::empty();
    for _ in 0..500 {
        lm.add_suffix("com");
    }
    lm.add_suffix("co.uk");
    let n = name("abcdef.com");
    let com = Features::extract(&n, &lm, Lexicon::get().unwrap());
    let ws = Features::extract(&name("abcdef.ws"), &lm, Lexicon::get().unwrap());
    let val = |f: &Features, i: usize| f.iter().find(|(j, _, _)| *j == i).map(|(_, v, _)| v);
    assert!(val(&com, F_TLD_RARE).unwrap_or(0.0) < val(&ws, F_TLD_RARE).unwrap_or(0.0));
    assert!(has(&ws, F_TLD_UNSEEN) && !has(&com, F_TLD_UNSEEN));
    // `co.uk` counts as `uk`.
    let uk = Features::extract(&name("abcdef.uk"), &lm, Lexicon::get().unwrap());
    assert!(!has(&uk, F_TLD_UNSEEN));
}

#[test]
fn hash_is_stable() {
    // Part of the model format: a change here needs a new model version.
    assert_eq!(hash(0, b""), hash(0, b""));
    assert_ne!(hash(0, b"ab"), hash(0, b"ba"));
    assert_ne!(hash(H_NGRAM, b"ab"), hash(H_TLD, b"ab"));
    assert_eq!(hash(0, b"abc"), 482_950_588);
}

proptest! {
    #[test]
    fn features_are_bounded(label in "[a-z0-9][a-z0-9-]{0,61}[a-z0-9]", tld in "(com|net|co\\.uk|github\\.io|xyz)") {
        let Ok(n) = DomainName::parse(&format!("{label}.{tld}")) else { return Ok(()); };
        let f = Features::extract(&n, &CharModel::empty(), Lexicon::get().unwrap());
        prop_assert!(f.iter().count() <= MAX_FEATURES);
        for (i, v, _) in f.iter() {
            prop_assert!(i < DIM);
            prop_assert!(v.is_finite());
            prop_assert!(v.abs() <= 2.0);
        }
        // Dense bias always present, n-grams always present.
        prop_assert!(f.iter().any(|(i, _, g)| i == F_BIAS && g == Group::Bias));
        prop_assert!(f.iter().any(|(_, _, g)| g == Group::Ngrams));
    }
}
