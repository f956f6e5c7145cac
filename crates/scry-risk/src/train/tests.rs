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

#[test]
fn calibration_puts_score_50_at_the_benign_quantile() {
    // 1000 one-feature rows with log-odds 0.0, 0.01, ... 9.99 (weight 0.01
    // on a feature of value i).
    let mut rows = Rows {
        feats: Vec::new(),
        spans: Vec::new(),
    };
    let mut neg = Vec::new();
    for i in 0..1000u32 {
        let start = rows.feats.len();
        rows.feats.push((0, 1.0));
        rows.feats.push((1, i as f32));
        rows.spans.push((start, rows.feats.len()));
        neg.push(i as usize);
    }
    let mut w = vec![0.0f32; 2];
    w[1] = 0.01;
    let shift = calibrate(&rows, &neg, &mut w);
    assert!((shift - 9.94).abs() < 1e-3, "{shift}");
    let above = neg
        .iter()
        .filter(|&&r| {
            rows.row(r)
                .iter()
                .map(|&(i, v)| w[i as usize] * v)
                .sum::<f32>()
                > 0.0
        })
        .count();
    assert_eq!(above, 5, "0.5 % of the negatives above score 50");
}
