use super::*;

#[test]
fn auc_extremes_and_ties() {
    assert_eq!(roc_auc(&[3.0, 4.0], &[1.0, 2.0]), 1.0);
    assert_eq!(roc_auc(&[1.0, 2.0], &[3.0, 4.0]), 0.0);
    assert_eq!(roc_auc(&[1.0, 1.0], &[1.0, 1.0]), 0.5);
    // One of four pairs inverted.
    assert_eq!(roc_auc(&[2.0, 4.0], &[1.0, 3.0]), 0.75);
    assert_eq!(roc_auc(&[], &[1.0]), 0.5);
}

#[test]
fn tpr_at_fpr_uses_the_negative_quantile() {
    let neg: Vec<f32> = (0..1000).map(|i| i as f32).collect();
    // 0.1% of 1000 negatives: one may be above the threshold (999), so the
    // threshold is the second highest (998).
    let pos = [998.5, 999.5, 10.0, 998.0];
    assert_eq!(tpr_at_fpr(&pos, &neg, 0.001), 0.5);
    // FPR 0: above every negative.
    assert_eq!(tpr_at_fpr(&pos, &neg, 0.0), 0.25);
    assert_eq!(tpr_at_fpr(&[], &neg, 0.01), 0.0);
}

#[test]
fn bootstrap_is_deterministic_and_brackets_the_estimate() {
    let mut rng = SplitMix::new(3);
    let pos: Vec<f32> = (0..300).map(|_| (rng.below(1000) as f32) + 300.0).collect();
    let neg: Vec<f32> = (0..300).map(|_| rng.below(1000) as f32).collect();
    let a = bootstrap_ci(&pos, &neg, 200, 7, roc_auc);
    let b = bootstrap_ci(&pos, &neg, 200, 7, roc_auc);
    assert_eq!(a, b);
    let v = roc_auc(&pos, &neg);
    assert!(a.0 <= v && v <= a.1, "{a:?} {v}");
    assert!(a.1 - a.0 < 0.1 && a.1 - a.0 > 0.0, "{a:?}");
}

#[test]
fn splitmix_below_stays_in_range() {
    let mut r = SplitMix::new(0);
    for n in 1..200 {
        assert!(r.below(n) < n);
    }
}
