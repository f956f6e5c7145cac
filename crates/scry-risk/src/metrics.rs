//! Ranking metrics for score evaluation, reusable by other evaluations
//! (proximity): ROC AUC, TPR at a fixed FPR, and percentile bootstrap
//! confidence intervals. Higher scores mean "more likely positive".

/// A small deterministic generator (splitmix64) for resampling.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// Area under the ROC curve: the probability that a random positive scores
/// above a random negative, ties counting half (Mann-Whitney U). 0.5 when
/// either side is empty. NaN scores rank lowest.
pub fn roc_auc(scores_pos: &[f32], scores_neg: &[f32]) -> f64 {
    if scores_pos.is_empty() || scores_neg.is_empty() {
        return 0.5;
    }
    let key = |x: f32| if x.is_nan() { f32::NEG_INFINITY } else { x };
    let mut all: Vec<(f32, bool)> = scores_pos
        .iter()
        .map(|&s| (key(s), true))
        .chain(scores_neg.iter().map(|&s| (key(s), false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Sum of positive ranks, average rank for ties (1-based).
    let mut rank_sum = 0.0f64;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j + 1 < all.len() && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        let pos = all[i..=j].iter().filter(|x| x.1).count();
        rank_sum += avg * pos as f64;
        i = j + 1;
    }
    let (np, nn) = (scores_pos.len() as f64, scores_neg.len() as f64);
    (rank_sum - np * (np + 1.0) / 2.0) / (np * nn)
}

/// The share of positives scoring strictly above the threshold at which at
/// most `fpr` of the negatives score strictly above it (the threshold is
/// the `floor(fpr × negatives) + 1`-th highest negative score: a
/// conservative reading on small negative sets).
pub fn tpr_at_fpr(scores_pos: &[f32], scores_neg: &[f32], fpr: f64) -> f64 {
    if scores_pos.is_empty() {
        return 0.0;
    }
    if scores_neg.is_empty() {
        return 1.0;
    }
    let mut neg: Vec<f32> = scores_neg.to_vec();
    neg.sort_by(|a, b| b.total_cmp(a));
    let k = ((fpr.clamp(0.0, 1.0) * neg.len() as f64).floor() as usize).min(neg.len() - 1);
    let threshold = neg[k];
    scores_pos.iter().filter(|&&s| s > threshold).count() as f64 / scores_pos.len() as f64
}

/// A percentile bootstrap 95% confidence interval of `stat` over `reps`
/// resamplings (with replacement, positives and negatives separately),
/// deterministic for a given `seed`. Returns `(low, high)`.
pub fn bootstrap_ci(
    scores_pos: &[f32],
    scores_neg: &[f32],
    reps: usize,
    seed: u64,
    stat: impl Fn(&[f32], &[f32]) -> f64,
) -> (f64, f64) {
    if reps == 0 || scores_pos.is_empty() || scores_neg.is_empty() {
        let v = stat(scores_pos, scores_neg);
        return (v, v);
    }
    let mut rng = SplitMix::new(seed);
    let mut p = vec![0.0f32; scores_pos.len()];
    let mut n = vec![0.0f32; scores_neg.len()];
    let mut stats: Vec<f64> = Vec::with_capacity(reps);
    for _ in 0..reps {
        for x in p.iter_mut() {
            *x = scores_pos[rng.below(scores_pos.len())];
        }
        for x in n.iter_mut() {
            *x = scores_neg[rng.below(scores_neg.len())];
        }
        stats.push(stat(&p, &n));
    }
    stats.sort_by(f64::total_cmp);
    let at = |q: f64| stats[((q * (reps - 1) as f64).round() as usize).min(reps - 1)];
    (at(0.025), at(0.975))
}

#[cfg(test)]
mod tests;
