use super::*;
use crate::metrics::SplitMix;

/// Rows where the label is an XOR of two inputs: no linear model can
/// rank them, two levels of splits can.
fn xor_rows(n: usize, seed: u64) -> (Vec<[f32; GB_INPUTS]>, Vec<bool>) {
    let mut rng = SplitMix::new(seed);
    let mut x = Vec::new();
    let mut y = Vec::new();
    for _ in 0..n {
        let mut r = [0.0f32; GB_INPUTS];
        r[3] = rng.below(1000) as f32 / 1000.0;
        r[7] = rng.below(1000) as f32 / 1000.0;
        r[GB_LOGIT] = rng.below(1000) as f32 / 1000.0; // noise
        y.push((r[3] > 0.5) != (r[7] > 0.5));
        x.push(r);
    }
    (x, y)
}

fn params(trees: u32, depth: u32) -> GbParams {
    GbParams {
        trees,
        depth,
        learning_rate: 0.3,
        lambda: 1.0,
        min_hess: 1.0,
    }
}

#[test]
fn learns_an_interaction_and_generalises() {
    let (x, y) = xor_rows(4000, 1);
    let w = vec![1.0f32; x.len()];
    let base = vec![0.0f32; x.len()];
    let f = fit(&x, &y, &w, &base, params(30, 3));
    assert!(f.valid());
    assert_eq!(f.trees(), 30);
    let (tx, ty) = xor_rows(2000, 2);
    let right = tx
        .iter()
        .zip(&ty)
        .filter(|(r, l)| (f.predict(r) > 0.0) == **l)
        .count();
    assert!(right > 1900, "{right} of 2000 right");
}

#[test]
fn training_is_deterministic_and_attribution_adds_up() {
    let (x, y) = xor_rows(1000, 3);
    let w = vec![1.0f32; x.len()];
    let base = vec![0.5f32; x.len()];
    let a = fit(&x, &y, &w, &base, params(10, 4));
    let b = fit(&x, &y, &w, &base, params(10, 4));
    assert_eq!(a, b);
    for r in x.iter().take(50) {
        let (c, roots) = a.attribute(r);
        let sum: f32 = c.iter().sum::<f32>() + roots;
        assert!(
            (sum - a.predict(r)).abs() < 1e-3,
            "{sum} vs {}",
            a.predict(r)
        );
        // Only the informative inputs and the noise input are split on.
        for (i, v) in c.iter().enumerate() {
            if ![3, 7, GB_LOGIT].contains(&i) {
                assert_eq!(*v, 0.0, "input {i}");
            }
        }
    }
}

#[test]
fn degenerate_inputs_give_an_empty_or_flat_forest() {
    let f = fit(&[], &[], &[], &[], params(5, 3));
    assert_eq!(f.trees(), 0);
    assert_eq!(f.predict(&[0.0; GB_INPUTS]), 0.0);
    // Constant inputs: nothing to split on, every tree is one leaf value.
    let x = vec![[1.0f32; GB_INPUTS]; 100];
    let y: Vec<bool> = (0..100).map(|i| i % 4 == 0).collect();
    let f = fit(&x, &y, &[1.0; 100], &[0.0; 100], params(3, 2));
    assert!(f.valid());
    assert!(f.thr.iter().all(|t| t.is_infinite()));
    assert!(f.predict(&x[0]) < 0.0, "the base rate is 25 %");
    // NaN and infinite inputs never panic.
    let mut odd = [f32::NAN; GB_INPUTS];
    odd[1] = f32::INFINITY;
    let _ = f.predict(&odd);
}
