use super::*;

fn mini() -> TrainConfig {
    TrainConfig {
        synthetic_domains: 6000,
        epochs: 3,
        validate: false,
        ..TrainConfig::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/mini"))
    }
}

#[test]
fn training_is_deterministic_and_learns() {
    let cfg = mini();
    let (a, ra) = train(&cfg, &|_| {}).unwrap();
    let (b, _) = train(&cfg, &|_| {}).unwrap();
    assert_eq!(a.to_bytes(), b.to_bytes(), "same data and seed, same bytes");
    assert_eq!(ra.models.len(), 3);
    for m in &ra.models {
        assert!(m.positives > 0 && m.negatives > 0, "{m:?}");
        assert!(m.final_loss < 0.69, "{m:?}: better than chance");
    }
    // The trained model survives its own file format.
    assert_eq!(Model::from_bytes(&a.to_bytes()).unwrap(), a);
}

#[test]
fn empty_classes_are_an_error() {
    let cfg = TrainConfig {
        per_class: Some(0),
        ..mini()
    };
    let e = train(&cfg, &|_| {}).unwrap_err();
    assert!(matches!(e, Error::Training(_)), "{e}");
}
