//! False positives on real benign names: brands are the registrable domains
//! of the first 1,000 names of `opendns-top-10k.txt`; the names tested are
//! `opendns-random-10k.txt`, less those whose registrable label is a brand's
//! own label (the same name on another TLD is a `tld_swap`, reported on
//! purpose).

use std::collections::HashSet;

use scry_lookalike::{
    Brand, DEFAULT_THRESHOLD, GenerateOptions, Matcher, MatcherOptions, Technique, generate,
};
use scry_model::DomainName;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/benign");

fn lines(file: &str) -> Vec<String> {
    let path = format!("{DATA}/{file}");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .map(str::to_string)
        .collect()
}

fn brands() -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for line in lines("opendns-top-10k.txt").iter().take(1000) {
        let reg = DomainName::parse(line)
            .ok()
            .and_then(|n| n.registrable().map(str::to_string));
        if let Some(reg) = reg
            && seen.insert(reg.clone())
        {
            out.push(reg);
        }
    }
    out
}

#[test]
fn false_positive_rate_on_random_benign_names_is_below_half_a_percent() {
    let brands = brands();
    assert!(brands.len() > 950, "{}", brands.len());
    let list: Vec<Brand> = brands.iter().map(Brand::new).collect();
    let m = Matcher::new(&list, &MatcherOptions::default()).unwrap();
    assert_eq!(m.threshold(), DEFAULT_THRESHOLD);
    let own: HashSet<&str> = brands.iter().filter_map(|b| b.split('.').next()).collect();
    let mut tested = 0usize;
    let mut fps = Vec::new();
    let mut tld_swaps = 0usize;
    for name in lines("opendns-random-10k.txt") {
        let Ok(d) = DomainName::parse(&name) else {
            continue;
        };
        let label = d
            .registrable()
            .and_then(|r| r.split('.').next())
            .unwrap_or_default();
        if own.contains(label) {
            // Reported as a TLD swap, excluded from the rate.
            if m.match_domain(&name)
                .iter()
                .any(|x| x.techniques.contains(&Technique::TldSwap))
            {
                tld_swaps += 1;
            }
            continue;
        }
        tested += 1;
        if let Some(first) = m.match_domain(&name).into_iter().next() {
            fps.push(format!(
                "{name} -> {} {:?} {}",
                first.brand, first.techniques, first.similarity
            ));
        }
    }
    let rate = fps.len() as f64 / tested as f64;
    assert!(tested > 9000, "{tested}");
    assert!(
        tld_swaps > 100,
        "own labels elsewhere are tld_swap: {tld_swaps}"
    );
    assert!(
        rate < 0.005,
        "false-positive rate {:.3}% ({} of {tested}): {fps:#?}",
        rate * 100.0,
        fps.len()
    );
    // The list contains real typosquats of the brands: they must be found.
    for typo in ["facobook.com", "hpotmail.com", "pinterrest.com"] {
        assert!(fps.iter().any(|f| f.starts_with(typo)), "{typo} not found");
    }
}

/// Round trip on a sample of the real brands: every candidate is matched
/// back to its brand among all 1,000 brands.
#[test]
fn real_brands_round_trip_among_all_brands() {
    let brands = brands();
    let list: Vec<Brand> = brands.iter().map(Brand::new).collect();
    let m = Matcher::new(
        &list,
        &MatcherOptions {
            threshold: 0,
            ..MatcherOptions::default()
        },
    )
    .unwrap();
    let opts = GenerateOptions {
        homoglyph_rounds: 1,
        ..GenerateOptions::default()
    };
    for brand in brands.iter().step_by(97) {
        let d = DomainName::parse(brand).unwrap();
        for c in generate(&d, &opts) {
            assert!(
                m.match_domain(&c.domain).iter().any(|x| &x.brand == brand),
                "{} ({:?}) not matched to {brand}",
                c.domain,
                c.techniques
            );
        }
    }
}
