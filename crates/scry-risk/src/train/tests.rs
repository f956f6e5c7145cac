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
    let shift = calibrate(&rows, &neg, &w, &Booster::default());
    assert!((shift - 9.94).abs() < 1e-3, "{shift}");
    let above = neg
        .iter()
        .filter(|&&r| margin(&rows, r, &w) - shift > 0.0)
        .count();
    assert_eq!(above, 5, "0.5 % of the negatives above score 50");
}

#[test]
fn weighted_auc_counts_each_group_once() {
    // Unweighted it is the plain AUC.
    let pos = [0.9f32, 0.8, 0.1, 0.5];
    let neg = [0.2f32, 0.5, 0.6];
    let plain = crate::metrics::roc_auc(&pos, &neg);
    assert!((weighted_auc(&pos, &[1.0; 4], &neg) - plain).abs() < 1e-12);
    // Three positives of one group that all win, one of another that
    // loses every pair: each group weighs half.
    let pos = [0.9f32, 0.9, 0.9, 0.0];
    let w = [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 1.0];
    assert!((weighted_auc(&pos, &w, &neg) - 0.5).abs() < 1e-12);
    assert_eq!(weighted_auc(&pos, &w, &[]), 0.5);
}

#[test]
fn the_validation_takes_trees_only_where_they_beat_the_linear_model() {
    // Two dense inputs whose exclusive-or is the label: no linear margin
    // separates it, trees do; the validation must choose them, and the
    // same call must choose the same trees twice.
    let (rows, pos, neg) = labelled_rows(|i| {
        let a = (i % 20) as f32 / 20.0 + 0.01;
        let b = ((i / 20) % 20) as f32 / 20.0 + 0.01;
        (vec![(0, 1.0), (1, a), (2, b)], (a > 0.5) != (b > 0.5))
    });
    let hyper = Hyper {
        epochs: 2,
        l2: 1e-5,
        filter: NO_FILTER,
        balance: false,
    };
    let run = || choose_boost(&rows, &pos, &neg, 3, hyper, (0.5, 0.0), &|_| {});
    let (p, v) = run();
    let p = p.expect("trees chosen");
    let (auc, _) = v.expect("validated");
    assert!(auc > 0.95, "{auc}");
    assert_eq!(run().0, Some(p));
    let a = fit_stage2(&rows, &pos, &neg, hyper, 3, p);
    assert_eq!(a, fit_stage2(&rows, &pos, &neg, hyper, 3, p));
    assert_eq!(a.trees.len(), p.rounds);
    // A label the linear model separates perfectly (one input over one
    // half): no tree can beat it, none is taken.
    let (rows, pos, neg) = labelled_rows(|i| {
        let a = (i % 20) as f32 / 20.0 + 0.01;
        (vec![(0, 1.0), (1, a)], a > 0.5)
    });
    let (p, v) = choose_boost(&rows, &pos, &neg, 3, hyper, (0.25, 0.5), &|_| {});
    assert_eq!(p, None, "nothing beats a perfect linear validation");
    assert_eq!(v, Some((0.25, 0.5)), "the linear model's own figures");
}

/// 800 rows of the features `row(i)` gives, split into positives and
/// negatives by its label, each keyed by its own group.
fn labelled_rows(row: impl Fn(u32) -> (Vec<(u32, f32)>, bool)) -> (Rows, Vec<Keyed>, Vec<Keyed>) {
    let mut rows = Rows {
        feats: Vec::new(),
        spans: Vec::new(),
    };
    let (mut pos, mut neg) = (Vec::new(), Vec::new());
    for i in 0..800u32 {
        let (feats, label) = row(i);
        let start = rows.feats.len();
        rows.feats.extend(feats);
        rows.spans.push((start, rows.feats.len()));
        let keyed = (rows.spans.len() - 1, format!("name{i}"));
        if label {
            pos.push(keyed);
        } else {
            neg.push(keyed);
        }
    }
    (rows, pos, neg)
}
