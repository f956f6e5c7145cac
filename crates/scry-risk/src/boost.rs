//! Gradient-boosted shallow trees over the dense lexical features and the
//! linear model's log-odds: the second stage of each classifier (format
//! v3). The linear model sees hashed n-grams and crosses; the trees see
//! the few dozen dense values (length, entropy, likelihoods, word
//! coverage, suffix rarity, …) and the linear margin, and learn the
//! interactions a linear model cannot (five random letters are evidence
//! only at that length, a likelihood means little on a covered phrase).
//!
//! Written by hand: the trees are complete binary trees of a fixed depth
//! (an unused split sends everything left), stored in this crate's own
//! checked format, and trained deterministically (histograms over at most
//! [`BINS`] quantile bins, Newton leaves, no sampling). The boosted
//! log-odds start from the linear margin, so zero trees is the linear
//! model exactly.

use crate::features::{DENSE, Features};

/// Inputs of a tree: the dense feature slots, then the linear margin.
pub(crate) const INPUTS: usize = DENSE + 1;
/// Index of the linear margin among the inputs.
pub(crate) const MARGIN: usize = DENSE;
/// Deepest tree a model file may hold.
pub(crate) const MAX_DEPTH: usize = 6;
/// Most trees per classifier a model file may hold.
pub(crate) const MAX_TREES: usize = 2048;
/// Histogram bins per input at most.
const BINS: usize = 64;

/// The tree inputs of one name: its dense features and the linear margin.
pub(crate) fn inputs(f: &Features, margin: f32) -> [f32; INPUTS] {
    let mut x = [0.0f32; INPUTS];
    for (i, v, _) in f.iter() {
        if let Some(s) = x.get_mut(i).filter(|_| i < DENSE) {
            *s = v;
        }
    }
    x[MARGIN] = margin;
    x
}

/// One complete binary tree of depth `d`: `2^d - 1` splits in
/// breadth-first order (go right when the input exceeds the threshold),
/// then `2^d` leaf values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tree {
    pub(crate) feature: Vec<u8>,
    pub(crate) threshold: Vec<f32>,
    pub(crate) leaf: Vec<f32>,
}

impl Tree {
    fn eval(&self, x: &[f32; INPUTS], depth: usize) -> f32 {
        let mut node = 0usize;
        for _ in 0..depth {
            let f = usize::from(self.feature.get(node).copied().unwrap_or(0));
            let t = self.threshold.get(node).copied().unwrap_or(f32::INFINITY);
            let v = x.get(f).copied().unwrap_or(0.0);
            node = 2 * node + 1 + usize::from(v > t);
        }
        let first_leaf = (1usize << depth) - 1;
        self.leaf.get(node - first_leaf).copied().unwrap_or(0.0)
    }
}

/// The trees of one classifier.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Booster {
    pub(crate) depth: usize,
    pub(crate) trees: Vec<Tree>,
}

impl Booster {
    /// The trees' sum for `x` (0 without trees).
    pub(crate) fn eval(&self, x: &[f32; INPUTS]) -> f32 {
        self.trees.iter().map(|t| t.eval(x, self.depth)).sum()
    }
}

/// Boosting hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BoostParams {
    pub(crate) depth: usize,
    pub(crate) rounds: usize,
    pub(crate) learning_rate: f32,
    /// L2 penalty on leaf values (Newton step denominator).
    pub(crate) lambda: f64,
    /// Least (weighted) hessian on either side of a split.
    pub(crate) min_hessian: f64,
}

/// Quantile cut points per input: a value `v` falls in the first bin `b`
/// with `v <= cuts[b]`, or in the last bin.
fn cut_points(x: &[[f32; INPUTS]]) -> Vec<Vec<f32>> {
    (0..INPUTS)
        .map(|f| {
            let mut v: Vec<f32> = x.iter().map(|r| r[f]).filter(|v| !v.is_nan()).collect();
            v.sort_by(f32::total_cmp);
            v.dedup();
            if v.len() <= BINS {
                v.pop();
                return v;
            }
            let mut cuts: Vec<f32> = (1..BINS).map(|k| v[k * v.len() / BINS]).collect();
            cuts.dedup();
            cuts
        })
        .collect()
}

fn bin_of(cuts: &[f32], v: f32) -> u8 {
    cuts.partition_point(|&c| c < v) as u8
}

/// Fits `p.rounds` trees on rows `x` with labels `y`, example weights `w`
/// and starting log-odds `init` (the linear margins). Deterministic: no
/// sampling, ties broken by the lowest input and bin.
pub(crate) fn fit(
    x: &[[f32; INPUTS]],
    y: &[bool],
    w: &[f32],
    init: &[f32],
    p: BoostParams,
) -> Booster {
    let n = x.len();
    let depth = p.depth.clamp(1, MAX_DEPTH);
    let cuts = cut_points(x);
    let bins: Vec<[u8; INPUTS]> = x
        .iter()
        .map(|r| std::array::from_fn(|f| bin_of(&cuts[f], r[f])))
        .collect();
    let mut score: Vec<f32> = init.to_vec();
    let mut grad = vec![0.0f64; n];
    let mut hess = vec![0.0f64; n];
    let mut node = vec![0u32; n];
    let mut trees = Vec::with_capacity(p.rounds);
    let splits = (1usize << depth) - 1;
    let mut hist = vec![[0.0f64; 2]; (1 << (depth - 1)) * INPUTS * BINS];
    for _ in 0..p.rounds {
        for i in 0..n {
            let q = 1.0 / (1.0 + (-f64::from(score[i])).exp());
            let wi = f64::from(w[i]);
            grad[i] = wi * (q - if y[i] { 1.0 } else { 0.0 });
            hess[i] = (wi * q * (1.0 - q)).max(1e-12);
        }
        node.fill(0);
        let mut feature = vec![0u8; splits];
        let mut threshold = vec![f32::INFINITY; splits];
        for level in 0..depth {
            let first = (1usize << level) - 1;
            let width = 1usize << level;
            hist[..width * INPUTS * BINS].fill([0.0; 2]);
            for i in 0..n {
                let k = node[i] as usize - first;
                let base = k * INPUTS * BINS;
                for (f, &b) in bins[i].iter().enumerate() {
                    let h = &mut hist[base + f * BINS + usize::from(b)];
                    h[0] += grad[i];
                    h[1] += hess[i];
                }
            }
            for k in 0..width {
                let base = k * INPUTS * BINS;
                let mut best: Option<(f64, usize, usize)> = None;
                for f in 0..INPUTS {
                    let hs = &hist[base + f * BINS..base + (f + 1) * BINS];
                    let (g, h) = hs.iter().fold((0.0, 0.0), |a, s| (a.0 + s[0], a.1 + s[1]));
                    let parent = g * g / (h + p.lambda);
                    let (mut gl, mut hl) = (0.0, 0.0);
                    for (b, s) in hs.iter().enumerate().take(cuts[f].len()) {
                        gl += s[0];
                        hl += s[1];
                        let (gr, hr) = (g - gl, h - hl);
                        if hl < p.min_hessian || hr < p.min_hessian {
                            continue;
                        }
                        let gain = gl * gl / (hl + p.lambda) + gr * gr / (hr + p.lambda) - parent;
                        if gain > 1e-9 && best.is_none_or(|(bg, _, _)| gain > bg) {
                            best = Some((gain, f, b));
                        }
                    }
                }
                if let Some((_, f, b)) = best {
                    feature[first + k] = f as u8;
                    threshold[first + k] = cuts[f][b];
                }
            }
            for i in 0..n {
                let nd = node[i] as usize;
                let f = usize::from(feature[nd]);
                let right = x[i][f] > threshold[nd];
                node[i] = (2 * nd + 1 + usize::from(right)) as u32;
            }
        }
        let leaves = 1usize << depth;
        let mut gh = vec![[0.0f64; 2]; leaves];
        for i in 0..n {
            let l = node[i] as usize - splits;
            gh[l][0] += grad[i];
            gh[l][1] += hess[i];
        }
        let leaf: Vec<f32> = gh
            .iter()
            .map(|s| (-s[0] / (s[1] + p.lambda)) as f32 * p.learning_rate)
            .collect();
        for i in 0..n {
            score[i] += leaf[node[i] as usize - splits];
        }
        trees.push(Tree {
            feature,
            threshold,
            leaf,
        });
    }
    Booster { depth, trees }
}

#[cfg(test)]
mod tests;
