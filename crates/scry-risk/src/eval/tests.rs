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
