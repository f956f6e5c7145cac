//! A small gradient-boosted tree ensemble (logistic loss) stacked on a
//! classifier's logistic regression: it sees the dense lexical features
//! and the regression's per-group contributions, and adds a correction to
//! the regression's log-odds. That gives the model interactions (length ×
//! likelihood × entropy, "many n-gram votes but a benign-looking TLD", ...)
//! that a linear model cannot express.
//!
//! Trees are *oblivious* (every node of a level asks the same question, as
//! in CatBoost): scoring a tree is `depth` independent comparisons and a
//! table look-up, with no data-dependent pointer chasing, and the shared
//! questions regularise. A level that found no useful split has an
//! infinite threshold (every row goes left). Training is histogram-based (at most [`MAX_BINS`] quantile bins
//! per feature), single-threaded and sums in row order: the same rows give
//! the same trees.

use crate::features::{DENSE, GROUPS};

/// Inputs of the trees: the dense features, the regression's per-group
/// contributions (bias group left at 0), and the regression's log-odds
/// without its intercept.
pub(crate) const GB_INPUTS: usize = DENSE + GROUPS + 1;
/// Index of the regression's log-odds among the inputs.
pub(crate) const GB_LOGIT: usize = DENSE + GROUPS;
/// [`GB_INPUTS`] rounded up to a power of two.
const PADDED: usize = GB_INPUTS.next_power_of_two();
/// Quantile bins per feature at most.
pub(crate) const MAX_BINS: usize = 32;
/// Deepest trees the format accepts.
pub(crate) const MAX_DEPTH: u32 = 8;
/// Most trees the format accepts per threat.
pub(crate) const MAX_TREES: u32 = 2000;

/// Training parameters of a forest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GbParams {
    pub(crate) trees: u32,
    pub(crate) depth: u32,
    pub(crate) learning_rate: f32,
    /// L2 penalty on leaf values.
    pub(crate) lambda: f64,
    /// Smallest hessian sum a child may have.
    pub(crate) min_hess: f64,
}

/// A forest of oblivious trees of one depth: every node of a level asks
/// the same question, so a leaf index is the bits of `depth` comparisons.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Forest {
    pub(crate) depth: u32,
    /// Per tree and level: the input compared.
    pub(crate) feat: Vec<u16>,
    /// Per tree and level: the threshold (value > threshold: bit 1).
    pub(crate) thr: Vec<f32>,
    /// Per tree, `2^depth - 1` internal nodes in heap order (node `i` has
    /// children `2i + 1` and `2i + 2`): the value the node would predict
    /// (for evidence).
    pub(crate) node_val: Vec<f32>,
    /// Per tree, `2^depth` leaf values, indexed by the comparison bits
    /// (first level most significant).
    pub(crate) leaf: Vec<f32>,
}

impl Forest {
    pub(crate) fn trees(&self) -> usize {
        let leaves = 1usize << self.depth;
        self.leaf.len() / leaves
    }

    fn internal(&self) -> usize {
        (1usize << self.depth) - 1
    }

    /// Checks the shape and the indices (model loading).
    pub(crate) fn valid(&self) -> bool {
        if self.depth > MAX_DEPTH {
            return false;
        }
        let (d, n, l) = (self.depth as usize, self.internal(), 1usize << self.depth);
        let t = self.leaf.len() / l;
        self.leaf.len() == t * l
            && self.feat.len() == t * d
            && self.thr.len() == t * d
            && self.node_val.len() == t * n
            && self.feat.iter().all(|&f| (f as usize) < GB_INPUTS)
            && self.thr.iter().all(|x| !x.is_nan())
            && self
                .leaf
                .iter()
                .chain(&self.node_val)
                .all(|x| x.is_finite())
    }

    /// The sum of the trees' outputs for `x`.
    pub(crate) fn predict(&self, x: &[f32; GB_INPUTS]) -> f32 {
        let d = self.depth as usize;
        if d == 0 || self.leaf.is_empty() {
            return 0.0;
        }
        // Padded to a power of two so that a masked index needs no bounds
        // check (indices are validated at load anyway).
        let mut xp = [0.0f32; PADDED];
        xp[..GB_INPUTS].copy_from_slice(x);
        let mut sum = 0.0f32;
        let bit = |f: u16, t: f32| usize::from(xp[f as usize & (PADDED - 1)] > t);
        if d == 4 {
            // The shipped depth: four independent comparisons per tree.
            let questions = self.feat.chunks_exact(4).zip(self.thr.chunks_exact(4));
            for ((feat, thr), leaves) in questions.zip(self.leaf.chunks_exact(16)) {
                if let ([f0, f1, f2, f3], [t0, t1, t2, t3]) = (feat, thr) {
                    let idx = (bit(*f0, *t0) << 3)
                        | (bit(*f1, *t1) << 2)
                        | (bit(*f2, *t2) << 1)
                        | bit(*f3, *t3);
                    sum += leaves[idx & 15];
                }
            }
            return sum;
        }
        let questions = self.feat.chunks_exact(d).zip(self.thr.chunks_exact(d));
        for ((feat, thr), leaves) in questions.zip(self.leaf.chunks_exact(1 << d)) {
            let mut idx = 0usize;
            for (f, t) in feat.iter().zip(thr) {
                idx = (idx << 1) | bit(*f, *t);
            }
            sum += leaves[idx & (leaves.len() - 1)];
        }
        sum
    }

    /// Per-input contributions of the path each tree takes (the change of
    /// the node value at each level is credited to that level's input),
    /// and the sum of the roots' values. `contrib.sum() + root sum =
    /// predict`.
    pub(crate) fn attribute(&self, x: &[f32; GB_INPUTS]) -> ([f32; GB_INPUTS], f32) {
        let mut c = [0.0f32; GB_INPUTS];
        let mut roots = 0.0f32;
        let d = self.depth as usize;
        if d == 0 || self.leaf.is_empty() {
            return (c, roots);
        }
        let n = self.internal();
        let mut xp = [0.0f32; PADDED];
        xp[..GB_INPUTS].copy_from_slice(x);
        let trees = self
            .feat
            .chunks_exact(d)
            .zip(self.thr.chunks_exact(d))
            .zip(self.node_val.chunks_exact(n))
            .zip(self.leaf.chunks_exact(n + 1));
        for (((feat, thr), nodes), leaves) in trees {
            let val = |i: usize| -> f32 {
                if i < n {
                    nodes.get(i).copied().unwrap_or(0.0)
                } else {
                    leaves.get(i - n).copied().unwrap_or(0.0)
                }
            };
            roots += val(0);
            let mut i = 0usize;
            for (f, t) in feat.iter().zip(thr) {
                let f = *f as usize & (PADDED - 1);
                let next = 2 * i + 1 + usize::from(xp[f] > *t);
                if let Some(slot) = c.get_mut(f) {
                    *slot += val(next) - val(i);
                }
                i = next;
            }
        }
        (c, roots)
    }
}

/// Binned training inputs, column-major.
struct Binned {
    rows: usize,
    /// Per input, its cut points (ascending): bin `b` means `cuts[b-1] <
    /// x ≤ cuts[b]`.
    cuts: Vec<Vec<f32>>,
    bins: Vec<u8>,
}

fn bin_inputs(x: &[[f32; GB_INPUTS]]) -> Binned {
    let rows = x.len();
    let mut cuts = Vec::with_capacity(GB_INPUTS);
    let mut bins = vec![0u8; rows * GB_INPUTS];
    let mut col: Vec<f32> = Vec::with_capacity(rows);
    for f in 0..GB_INPUTS {
        col.clear();
        col.extend(x.iter().map(|r| r[f]).filter(|v| !v.is_nan()));
        col.sort_by(f32::total_cmp);
        let mut c: Vec<f32> = Vec::new();
        if let (Some(&lo), Some(&hi)) = (col.first(), col.last())
            && lo < hi
        {
            for k in 1..MAX_BINS {
                let v = col[(k * col.len() / MAX_BINS).min(col.len() - 1)];
                // A cut must leave something on its right.
                if v < hi && c.last().is_none_or(|l| v > *l) {
                    c.push(v);
                }
            }
        }
        for (r, row) in x.iter().enumerate() {
            let v = row[f];
            bins[f * rows + r] = c.partition_point(|cut| v > *cut) as u8;
        }
        cuts.push(c);
    }
    Binned { rows, cuts, bins }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Fits `p.trees` oblivious trees to rows `x` with labels `y`, row
/// weights `w` and starting log-odds `base` (the regression's).
pub(crate) fn fit(
    x: &[[f32; GB_INPUTS]],
    y: &[bool],
    w: &[f32],
    base: &[f32],
    p: GbParams,
) -> Forest {
    let depth = p.depth.clamp(1, MAX_DEPTH);
    let n_leaf = 1usize << depth;
    let mut forest = Forest {
        depth,
        ..Forest::default()
    };
    let rows = x.len();
    if rows == 0 || y.len() != rows || w.len() != rows || base.len() != rows {
        return forest;
    }
    let b = bin_inputs(x);
    let mut margin: Vec<f32> = base.to_vec();
    let mut g = vec![0.0f64; rows];
    let mut h = vec![0.0f64; rows];
    // Each row's path bits so far (its node within the level).
    let mut node = vec![0u32; rows];
    // Histograms of (g, h) per level node, input and bin.
    let width = GB_INPUTS * MAX_BINS;
    let mut hist = vec![(0.0f64, 0.0f64); (n_leaf / 2) * width];
    for _ in 0..p.trees.min(MAX_TREES) {
        for r in 0..rows {
            let pr = sigmoid(margin[r]);
            let t = if y[r] { 1.0 } else { 0.0 };
            g[r] = f64::from(w[r] * (pr - t));
            h[r] = f64::from(w[r] * (pr * (1.0 - pr)).max(1e-6));
        }
        node.iter_mut().for_each(|n| *n = 0);
        let mut feat = Vec::with_capacity(depth as usize);
        let mut thr = Vec::with_capacity(depth as usize);
        let mut node_val = vec![0.0f32; n_leaf - 1];
        for level in 0..depth {
            let count = 1usize << level;
            let first = count - 1;
            let hist = &mut hist[..count * width];
            hist.iter_mut().for_each(|x| *x = (0.0, 0.0));
            for f in 0..GB_INPUTS {
                let col = &b.bins[f * b.rows..(f + 1) * b.rows];
                for r in 0..rows {
                    let e = &mut hist[node[r] as usize * width + f * MAX_BINS + col[r] as usize];
                    e.0 += g[r];
                    e.1 += h[r];
                }
            }
            // Node totals from input 0's bins (every row is in one).
            let totals: Vec<(f64, f64)> = (0..count)
                .map(|k| {
                    hist[k * width..k * width + MAX_BINS]
                        .iter()
                        .fold((0.0, 0.0), |a, e| (a.0 + e.0, a.1 + e.1))
                })
                .collect();
            for (k, (gt, ht)) in totals.iter().enumerate() {
                node_val[first + k] = (-gt / (ht + p.lambda)) as f32 * p.learning_rate;
            }
            let mut best: Option<(f64, usize, usize)> = None;
            for f in 0..GB_INPUTS {
                let ncut = b.cuts[f].len();
                let mut left = vec![(0.0f64, 0.0f64); count];
                for c in 0..ncut {
                    let (mut gain, mut hl_all, mut hr_all) = (0.0f64, 0.0f64, 0.0f64);
                    for (k, (gt, ht)) in totals.iter().enumerate() {
                        let e = hist[k * width + f * MAX_BINS + c];
                        left[k].0 += e.0;
                        left[k].1 += e.1;
                        let (gl, hl) = left[k];
                        let (gr, hr) = (gt - gl, ht - hl);
                        hl_all += hl;
                        hr_all += hr;
                        gain += gl * gl / (hl + p.lambda) + gr * gr / (hr + p.lambda)
                            - gt * gt / (ht + p.lambda);
                    }
                    if hl_all < p.min_hess || hr_all < p.min_hess {
                        continue;
                    }
                    if gain > 1e-9 && best.is_none_or(|(bg, _, _)| gain > bg) {
                        best = Some((gain, f, c));
                    }
                }
            }
            let (f, t) = match best {
                Some((_, f, c)) => (f, b.cuts[f][c]),
                None => (0, f32::INFINITY),
            };
            feat.push(f as u16);
            thr.push(t);
            for r in 0..rows {
                node[r] = (node[r] << 1) | u32::from(x[r][f] > t);
            }
        }
        // Leaf values (Newton step, shrunk).
        let mut sums = vec![(0.0f64, 0.0f64); n_leaf];
        for r in 0..rows {
            let l = node[r] as usize;
            sums[l].0 += g[r];
            sums[l].1 += h[r];
        }
        let leaf: Vec<f32> = sums
            .iter()
            .map(|(gs, hs)| (-gs / (hs + p.lambda)) as f32 * p.learning_rate)
            .collect();
        for r in 0..rows {
            margin[r] += leaf[node[r] as usize];
        }
        forest.feat.extend_from_slice(&feat);
        forest.thr.extend_from_slice(&thr);
        forest.node_val.extend_from_slice(&node_val);
        forest.leaf.extend_from_slice(&leaf);
    }
    forest
}

#[cfg(test)]
mod tests;
