use super::*;

#[test]
fn evaluation_on_the_fixture() {
    let cfg = EvalConfig {
        synthetic_domains: 6000,
        bootstrap: 20,
        ..EvalConfig::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/mini"))
    };
    let r = evaluate(Model::builtin(), &cfg).unwrap();
    assert_eq!(r.real.len(), 4);
    assert_eq!(r.synthetic.len(), 3);
    for row in r.real.iter().chain(&r.synthetic) {
        for v in [row.auc, row.tpr_at_0_1, row.tpr_at_0_35] {
            assert!((0.0..=1.0).contains(&v.value), "{row:?}");
            assert!(v.low <= v.high, "{row:?}");
        }
    }
    assert!(r.real[0].positives > 0 && r.real[0].negatives > 0);
    // The built-in model ranks the fixture's held-out DGA names well above
    // the benign ones.
    assert!(r.real[1].auc.value > 0.8, "{:?}", r.real[1]);
    let again = evaluate(Model::builtin(), &cfg).unwrap();
    assert_eq!(
        serde_json::to_string(&again).unwrap(),
        serde_json::to_string(&r).unwrap()
    );
}

#[test]
fn the_held_out_names_are_what_the_evaluation_scores() {
    let cfg = EvalConfig {
        synthetic_domains: 0,
        bootstrap: 2,
        ..EvalConfig::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/mini"))
    };
    let names = held_out_names(&cfg).unwrap();
    let r = evaluate(Model::builtin(), &cfg).unwrap();
    let count = |c: &str| names.iter().filter(|(_, k, _)| k == c).count();
    let benign = count("benign") + count("benign-top");
    assert_eq!(count("phishing"), r.real[0].positives);
    assert_eq!(benign, r.real[0].negatives);
    assert_eq!(count("dga"), r.real[1].positives);
    assert_eq!(count("benign-top"), r.real[2].negatives);
    // DGA names carry their family, which is a held-out one; no other
    // class has a family.
    for (n, class, family) in &names {
        if class == "dga" {
            assert!(r.data.dga_test_families.contains(family), "{n} {family}");
        } else {
            assert!(family.is_empty(), "{n} {class} {family}");
        }
    }
}
