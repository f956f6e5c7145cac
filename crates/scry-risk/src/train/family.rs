//! Model selection that predicts unseen families: leave-family-out folds.
//!
//! The plain validation of [`super::choose`] holds out a quarter of the
//! group keys; for the malware model the keys are DGA families, and the
//! quarter the seed picks is essentially one family (tinba's 2,000 names of
//! 2,627), so it measures how well the model knows long random strings, not
//! how it meets a family it never saw. Here every training family is held
//! out once: the families fall into [`FOLDS`] folds by a keyed hash (the
//! benign names into the same number of folds by their group key), each
//! fold is scored by a model fitted on the other folds, and the figure that
//! chooses is the **family-macro AUC**: the mean over held-out families of
//! [`MIN_FAMILY`] names or more of the family's AUC against the benign
//! names of its fold, each family's names capped at [`VAL_CAP`] — no
//! family decides alone, however many names it has. The held-out *test*
//! families are never seen here (they are not in the training data).

use super::{
    DEFAULT_L2, GRID, Hyper, Keyed, LOOSE_SUSPECT_LOGIT, LOOSEST_SUSPECT_LOGIT, NO_FILTER, Rows,
    SUSPECT_LOGIT, drop_suspects, fit_weighted, margin, quantile,
};
use crate::features::hash;
use crate::metrics::{roc_auc, tpr_at_fpr};
use std::collections::BTreeMap;

/// Folds over the training families.
pub(super) const FOLDS: u32 = 5;
/// Validation names per held-out family at most.
pub(super) const VAL_CAP: usize = 300;
/// Families with fewer validation names are scored but not averaged.
pub(super) const MIN_FAMILY: usize = 20;

/// Weights per positive so that each group (family) weighs the same in
/// total, scaled to sum to the number of positives.
pub(super) fn family_weights(pos: &[Keyed]) -> Vec<f32> {
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, k) in pos {
        *sizes.entry(k.as_str()).or_default() += 1;
    }
    let per_family = pos.len() as f64 / sizes.len().max(1) as f64;
    pos.iter()
        .map(|(_, k)| (per_family / sizes.get(k.as_str()).copied().unwrap_or(1) as f64) as f32)
        .collect()
}

/// What the leave-family-out validation says of one grid point.
#[derive(Debug, Clone)]
pub(super) struct FamilyScore {
    /// Mean per-family AUC (families of [`MIN_FAMILY`] names or more).
    pub(super) macro_auc: f64,
    /// AUC of all out-of-fold scores pooled (families capped).
    pub(super) pooled_auc: f64,
    /// Pooled TPR at 0.35 % FPR.
    pub(super) tpr_035: f64,
    /// Per family: (name, validation names, AUC).
    pub(super) families: Vec<(String, usize, f64)>,
    /// Out-of-fold log-odds of the benign names (calibration).
    neg_scores: Vec<f32>,
}

/// The grid of the family-wise validation: the plain grid with and
/// without per-family weighting.
pub(super) fn grid() -> Vec<Hyper> {
    let mut g: Vec<Hyper> = GRID.to_vec();
    g.extend(GRID.iter().map(|h| Hyper {
        balance: true,
        ..*h
    }));
    g
}

/// Scores every point of `grid` by leave-family-out folds. `pos` keys are
/// the families, `neg` keys the benign group keys.
pub(super) fn family_cv(
    rows: &Rows,
    pos: &[Keyed],
    neg: &[Keyed],
    seed: u64,
    grid: &[Hyper],
    progress: &dyn Fn(&str),
) -> Vec<FamilyScore> {
    let fold = |k: &str| hash(0xfa5e_0000 ^ seed as u32, k.as_bytes()) % FOLDS;
    // Validation names of each family: the first VAL_CAP by a keyed hash
    // of the row (rows are in a deterministic order).
    let mut by_family: BTreeMap<&str, Vec<(u32, usize)>> = BTreeMap::new();
    for (k, (r, fam)) in pos.iter().enumerate() {
        let h = hash(0xca90_0000 ^ seed as u32, &(*r as u64).to_le_bytes());
        by_family.entry(fam.as_str()).or_default().push((h, k));
    }
    let mut val_of: Vec<bool> = vec![false; pos.len()];
    for v in by_family.values_mut() {
        v.sort_unstable();
        for &(_, k) in v.iter().take(VAL_CAP) {
            val_of[k] = true;
        }
    }
    // Per grid point: per family the out-of-fold positive scores and the
    // fold's negative scores; pooled positives and negatives.
    type PerFamily = BTreeMap<String, (Vec<f32>, u32)>;
    let mut fam_scores: Vec<PerFamily> = vec![BTreeMap::new(); grid.len()];
    let mut neg_by_fold: Vec<Vec<Vec<f32>>> = vec![vec![Vec::new(); FOLDS as usize]; grid.len()];
    for f in 0..FOLDS {
        let train_pos: Vec<(usize, &str)> = pos
            .iter()
            .filter(|(_, k)| fold(k) != f)
            .map(|(r, k)| (*r, k.as_str()))
            .collect();
        let val_pos: Vec<(usize, &str)> = pos
            .iter()
            .enumerate()
            .filter(|(i, (_, k))| fold(k) == f && val_of[*i])
            .map(|(_, (r, k))| (*r, k.as_str()))
            .collect();
        let tn: Vec<usize> = neg
            .iter()
            .filter(|(_, k)| fold(k) != f)
            .map(|(r, _)| *r)
            .collect();
        let vn: Vec<usize> = neg
            .iter()
            .filter(|(_, k)| fold(k) == f)
            .map(|(r, _)| *r)
            .collect();
        if train_pos.is_empty() || val_pos.is_empty() || tn.is_empty() || vn.is_empty() {
            continue;
        }
        let tp: Vec<usize> = train_pos.iter().map(|(r, _)| *r).collect();
        let tp_keyed: Vec<Keyed> = train_pos.iter().map(|(r, k)| (*r, k.to_string())).collect();
        let weights = family_weights(&tp_keyed);
        let filtered: Vec<(f32, Vec<usize>)> =
            [SUSPECT_LOGIT, LOOSE_SUSPECT_LOGIT, LOOSEST_SUSPECT_LOGIT]
                .into_iter()
                .filter(|t| grid.iter().any(|h| h.filter == *t))
                .map(|t| (t, drop_suspects(rows, &tp, &tn, seed, t)))
                .collect();
        progress(&format!(
            "  family fold {f}: {} held-out families ({} names), {} training positives",
            val_pos
                .iter()
                .map(|(_, k)| *k)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            val_pos.len(),
            tp.len()
        ));
        for (g, h) in grid.iter().enumerate() {
            let negs = filtered
                .iter()
                .find(|(t, _)| *t == h.filter)
                .map_or(&tn, |(_, kept)| kept);
            let pw: &[f32] = if h.balance { &weights } else { &[] };
            let (w, _) = fit_weighted(rows, &tp, pw, negs, *h, seed);
            for &(r, k) in &val_pos {
                let e = fam_scores[g]
                    .entry(k.to_string())
                    .or_insert_with(|| (Vec::new(), f));
                e.0.push(margin(rows, r, &w));
            }
            neg_by_fold[g][f as usize] = vn.iter().map(|&r| margin(rows, r, &w)).collect();
        }
    }
    grid.iter()
        .enumerate()
        .map(|(g, _)| {
            let mut families = Vec::new();
            let (mut sum, mut n) = (0.0, 0usize);
            let mut all_pos = Vec::new();
            for (fam, (s, f)) in &fam_scores[g] {
                let auc = roc_auc(s, &neg_by_fold[g][*f as usize]);
                if s.len() >= MIN_FAMILY {
                    sum += auc;
                    n += 1;
                }
                families.push((fam.clone(), s.len(), auc));
                all_pos.extend_from_slice(s);
            }
            let all_neg: Vec<f32> = neg_by_fold[g].concat();
            FamilyScore {
                macro_auc: if n == 0 { 0.5 } else { sum / n as f64 },
                pooled_auc: roc_auc(&all_pos, &all_neg),
                tpr_035: tpr_at_fpr(&all_pos, &all_neg, 0.0035),
                families,
                neg_scores: all_neg,
            }
        })
        .collect()
}

/// Chooses the grid point with the best family-macro AUC (ties keep the
/// first); returns it with that AUC and the calibration quantile of its
/// out-of-fold benign scores, and the score of the plain grid's
/// `reference` point (what the previous model used) for the report.
pub(super) fn choose_by_family(
    rows: &Rows,
    pos: &[Keyed],
    neg: &[Keyed],
    seed: u64,
    reference: Hyper,
    progress: &dyn Fn(&str),
) -> (Hyper, Option<(f64, f32)>) {
    let grid = grid();
    let scores = family_cv(rows, pos, neg, seed, &grid, progress);
    let mut best: Option<usize> = None;
    for (g, (h, s)) in grid.iter().zip(&scores).enumerate() {
        progress(&format!(
            "  epochs {} l2 {:e} filter {} balance {}: family-macro AUC {:.4}, pooled {:.4}, TPR@0.35% {:.3}",
            h.epochs, h.l2, h.filter, h.balance, s.macro_auc, s.pooled_auc, s.tpr_035
        ));
        if best.is_none_or(|b| s.macro_auc > scores[b].macro_auc) {
            best = Some(g);
        }
    }
    let show = |label: &str, g: usize| {
        let s = &scores[g];
        let list: Vec<String> = s
            .families
            .iter()
            .map(|(f, n, a)| format!("{f} {a:.3} ({n})"))
            .collect();
        progress(&format!(
            "  {label}: family-macro AUC {:.4}, pooled {:.4}, TPR@0.35% {:.3}; {}",
            s.macro_auc,
            s.pooled_auc,
            s.tpr_035,
            list.join(", ")
        ));
    };
    if let Some(r) = grid.iter().position(|h| *h == reference) {
        show("previous model's point", r);
    }
    match best {
        Some(b) => {
            show("chosen", b);
            let s = &scores[b];
            (grid[b], Some((s.macro_auc, quantile(s.neg_scores.clone()))))
        }
        None => (
            Hyper {
                epochs: 2,
                l2: DEFAULT_L2,
                filter: NO_FILTER,
                balance: false,
            },
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_weights_give_every_family_the_same_total() {
        let pos: Vec<Keyed> = (0..100)
            .map(|i| (i, if i < 90 { "big" } else { "small" }.to_string()))
            .collect();
        let w = family_weights(&pos);
        let big: f32 = w[..90].iter().sum();
        let small: f32 = w[90..].iter().sum();
        assert!(
            (big - 50.0).abs() < 1e-3 && (small - 50.0).abs() < 1e-3,
            "{big} {small}"
        );
        assert!((w.iter().sum::<f32>() - 100.0).abs() < 1e-3);
    }
}
