use super::*;

fn row(a: f32, b: f32, m: f32) -> [f32; INPUTS] {
    let mut x = [0.0f32; INPUTS];
    x[0] = a;
    x[1] = b;
    x[MARGIN] = m;
    x
}

fn params(depth: usize, rounds: usize) -> BoostParams {
    BoostParams {
        depth,
        rounds,
        learning_rate: 0.3,
        lambda: 1.0,
        min_hessian: 0.5,
    }
}

/// An exclusive-or of two inputs: no linear margin separates it, trees of
/// depth 2 do.
fn xor_data() -> (Vec<[f32; INPUTS]>, Vec<bool>) {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in 0..400u32 {
        let a = (i % 20) as f32 / 20.0;
        let b = ((i / 20) % 20) as f32 / 20.0;
        x.push(row(a, b, 0.0));
        y.push((a > 0.5) != (b > 0.5));
    }
    (x, y)
}

#[test]
fn trees_learn_an_interaction_a_margin_cannot() {
    let (x, y) = xor_data();
    let w = vec![1.0f32; x.len()];
    let init = vec![0.0f32; x.len()];
    let b = fit(&x, &y, &w, &init, params(2, 30));
    assert_eq!(b.trees.len(), 30);
    let (mut sp, mut sn) = (Vec::new(), Vec::new());
    for (xi, &yi) in x.iter().zip(&y) {
        if yi {
            sp.push(b.eval(xi))
        } else {
            sn.push(b.eval(xi))
        }
    }
    let auc = crate::metrics::roc_auc(&sp, &sn);
    assert!(auc > 0.99, "xor AUC {auc}");
}

#[test]
fn zero_trees_leave_the_margin_and_training_is_deterministic() {
    let (x, y) = xor_data();
    let w = vec![1.0f32; x.len()];
    let init: Vec<f32> = (0..x.len()).map(|i| (i % 7) as f32 - 3.0).collect();
    let none = fit(&x, &y, &w, &init, params(3, 0));
    assert!(none.trees.is_empty());
    assert_eq!(none.eval(&x[0]), 0.0);
    let a = fit(&x, &y, &w, &init, params(3, 12));
    let b = fit(&x, &y, &w, &init, params(3, 12));
    assert_eq!(a, b);
}

#[test]
fn a_constant_input_never_splits() {
    // Labels independent of every input: nothing to split on, every tree
    // sends everything left (threshold +inf) and only moves the base rate.
    let x = vec![row(1.0, 2.0, 0.0); 50];
    let y: Vec<bool> = (0..50).map(|i| i % 3 == 0).collect();
    let w = vec![1.0f32; 50];
    let b = fit(&x, &y, &w, &[0.0; 50], params(2, 3));
    for t in &b.trees {
        assert!(t.threshold.iter().all(|v| *v == f32::INFINITY));
    }
    assert!(b.eval(&x[0]) < 0.0, "a third positive: the log-odds fall");
}
