//! Training: logistic regression with AdaGrad on the hashed lexical
//! features, single-threaded, in a seeded order: the same data, config and
//! seed give the same model bytes on every machine.
//!
//! Which data trains which model:
//!
//! * **phishing**: PhishTank registrable domains (positives) vs. OpenDNS
//!   benign names (negatives), training split;
//! * **malware**: DGA names of the training families vs. the same benign
//!   names;
//! * **spam**: the synthetic world's `spam` names (seed
//!   [`TrainConfig::synthetic_seed`]) vs. the real benign names plus the
//!   synthetic `benign` and `parked` names: no real spam list is available.
//!
//! The benign character model (a feature) is cross-fitted: each training
//! name's likelihood comes from a model built on the other half of the
//! benign training names, so that the classifier does not learn to trust a
//! likelihood that saw the name; the shipped model uses all of them.

use std::path::PathBuf;

use scry_model::DomainName;
use serde::Serialize;

use crate::data::{DataStats, Limits, group_key, load_real, load_synthetic};
use crate::features::{CharModel, DIM, Features, Words, hash, split};
use crate::lexicon::Lexicon;
use crate::metrics::SplitMix;
use crate::{Error, Model, Result};

/// The committed split seed (`scry train` default).
pub const DEFAULT_SEED: u64 = 8;
/// The synthetic world the spam model is trained on.
pub const TRAIN_SYNTHETIC_SEED: u64 = 1;

/// How to train.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// The `shared/data` folder.
    pub data_dir: PathBuf,
    /// Split seed (train/test assignment, held-out DGA families, order).
    pub seed: u64,
    /// Seed of the synthetic world that trains the spam model.
    pub synthetic_seed: u64,
    /// Domains in that world.
    pub synthetic_domains: u64,
    /// Passes over the training data (when `validate` is off).
    pub epochs: u32,
    /// Choose epochs and L2 per classifier on a validation split of the
    /// training data (a quarter of the group keys: digits-removed names,
    /// whole DGA families), then refit on all of it.
    pub validate: bool,
    /// Training names per DGA family at most.
    pub max_per_family: usize,
    /// Cap on every class after the split (tests train on a subset).
    pub per_class: Option<usize>,
}

impl TrainConfig {
    /// The defaults with `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> TrainConfig {
        TrainConfig {
            data_dir: data_dir.into(),
            seed: DEFAULT_SEED,
            synthetic_seed: TRAIN_SYNTHETIC_SEED,
            synthetic_domains: 20_000,
            epochs: 8,
            validate: true,
            max_per_family: 2_000,
            per_class: None,
        }
    }
}

/// One classifier's training summary.
#[derive(Debug, Clone, Serialize)]
pub struct ModelTrainReport {
    /// The threat.
    pub threat: String,
    /// Where its positives came from.
    pub positives_from: String,
    /// Positive examples.
    pub positives: usize,
    /// Negative examples.
    pub negatives: usize,
    /// Class-weighted mean log loss over the last epoch.
    pub final_loss: f64,
    /// Epochs used.
    pub epochs: u32,
    /// L2 penalty used.
    pub l2: f32,
    /// ROC AUC on the validation part of the training data for the chosen
    /// hyper-parameters (when [`TrainConfig::validate`] is on).
    pub validation_auc: Option<f64>,
    /// What was subtracted from the intercept so that score 50 sits at the
    /// [`CALIBRATION_QUANTILE`] of the log-odds of benign names held out
    /// from training (the validation negatives; the training negatives when
    /// validation is off).
    pub calibration_shift: f32,
    /// Negatives left out of the final fit as suspect (label noise), when
    /// validation chose the filter.
    pub suspect_negatives_dropped: usize,
    /// The filter's log-odds threshold (4.6: p > 0.99, 2.2: p > 0.9), when
    /// validation chose one.
    pub suspect_filter_logit: Option<f32>,
}

/// What training did.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    /// Split seed.
    pub seed: u64,
    /// Synthetic world seed (spam model).
    pub synthetic_seed: u64,
    /// Synthetic world size.
    pub synthetic_domains: u64,
    /// Epochs.
    pub epochs: u32,
    /// What the real data loader read and dropped.
    pub data: DataStats,
    /// Per classifier.
    pub models: Vec<ModelTrainReport>,
}

/// A feature row with its validation group key.
type Keyed = (usize, String);

/// Sparse feature rows in one flat buffer.
struct Rows {
    feats: Vec<(u32, f32)>,
    spans: Vec<(usize, usize)>,
}

impl Rows {
    fn push(&mut self, f: &Features) -> usize {
        let start = self.feats.len();
        self.feats.extend(f.iter().map(|(i, v, _)| (i as u32, v)));
        self.spans.push((start, self.feats.len()));
        self.spans.len() - 1
    }

    fn row(&self, r: usize) -> &[(u32, f32)] {
        let (s, e) = self.spans[r];
        &self.feats[s..e]
    }
}

fn half(name: &str) -> usize {
    (hash(0x6861_6c66, name.as_bytes()) & 1) as usize
}

/// Trains the three classifiers. `progress` receives one line per step.
pub fn train(cfg: &TrainConfig, progress: &dyn Fn(&str)) -> Result<(Model, TrainReport)> {
    let lex = Lexicon::get()?;
    progress("reading real data");
    let real = load_real(
        &cfg.data_dir,
        cfg.seed,
        Limits {
            max_per_family: cfg.max_per_family,
            max_per_family_test: 0,
            per_class: cfg.per_class,
        },
    )?;
    progress("generating the synthetic world for the spam model");
    let synth = if cfg.synthetic_domains > 0 {
        load_synthetic(cfg.synthetic_seed, cfg.synthetic_domains)?.names
    } else {
        Vec::new()
    };
    let mut synth_pos = Vec::new();
    let mut synth_neg = Vec::new();
    for (n, l) in &synth {
        match l.as_str() {
            "spam" => synth_pos.push(n.clone()),
            "benign" | "parked" => synth_neg.push(n.clone()),
            _ => {}
        }
    }
    if let Some(c) = cfg.per_class {
        synth_pos.truncate(c);
        synth_neg.truncate(c);
    }

    progress("building the benign character model");
    let mut lm_full = CharModel::empty();
    let mut lm_half = [CharModel::empty(), CharModel::empty()];
    let dictionary = crate::data::dictionary_words(&cfg.data_dir)?;
    let mut words_full: Vec<String> = dictionary.clone();
    let mut words_half = [dictionary.clone(), dictionary];
    for n in &real.benign_train {
        let Ok(d) = DomainName::from_normalised(n) else {
            continue;
        };
        let (label, suffix) = split(&d);
        lm_full.add(label);
        lm_full.add_suffix(suffix);
        lm_half[half(n)].add(label);
        lm_half[half(n)].add_suffix(suffix);
        for w in Words::tokens(label) {
            words_full.push(w.to_string());
            words_half[half(n)].push(w.to_string());
        }
    }
    lm_full.words = Words::new(words_full);
    for (lm, w) in lm_half.iter_mut().zip(words_half) {
        lm.words = Words::new(w);
    }

    progress("extracting features");
    let mut rows = Rows {
        feats: Vec::new(),
        spans: Vec::new(),
    };
    // Each row with its validation group key.
    let mut add = |names: &mut dyn Iterator<Item = (&String, String)>,
                   benign: bool|
     -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for (n, key) in names {
            let Ok(d) = DomainName::from_normalised(n) else {
                continue;
            };
            // A benign training name is scored by the other half's model.
            let h = half(n);
            let lm = if benign { &lm_half[1 - h] } else { &lm_half[h] };
            out.push((rows.push(&Features::extract(&d, lm, lex)), key));
        }
        out
    };
    let by_name = |n: &String| (n.clone(), group_key(n));
    let benign = add(
        &mut real.benign_train.iter().map(|n| (n, group_key(n))),
        true,
    );
    let phish = add(
        &mut real.phish_train.iter().map(|n| (n, group_key(n))),
        false,
    );
    let dga = add(
        &mut real.dga_train.iter().map(|(n, f)| (n, f.clone())),
        false,
    );
    let spam = add(&mut synth_pos.iter().map(|n| (n, by_name(n).1)), false);
    let synth_benign = add(&mut synth_neg.iter().map(|n| (n, by_name(n).1)), false);
    let with_synth = |real: &[Keyed], synth: &[Keyed]| -> Vec<Keyed> {
        real.iter().chain(synth).cloned().collect()
    };

    let specs: [(&str, &str, &[Keyed], Vec<Keyed>); 3] = [
        ("phishing", "PhishTank 2021 (real)", &phish, benign.clone()),
        (
            "malware",
            "DGA training families (real)",
            &dga,
            benign.clone(),
        ),
        (
            "spam",
            "synthetic world spam labels",
            &spam,
            with_synth(&benign, &synth_benign),
        ),
    ];
    let mut weights: [Vec<f32>; 3] = Default::default();
    let mut reports = Vec::new();
    for (t, (threat, from, pos, neg)) in specs.iter().enumerate() {
        if pos.is_empty() || neg.is_empty() {
            return Err(Error::Training(format!(
                "{threat}: {} positives, {} negatives",
                pos.len(),
                neg.len()
            )));
        }
        progress(&format!(
            "training {threat}: {} positives, {} negatives",
            pos.len(),
            neg.len()
        ));
        let seed = cfg.seed ^ ((t as u64 + 1) << 8);
        let (hyper, validation) = if cfg.validate {
            choose(&rows, pos, neg, seed, progress)
        } else {
            (
                Hyper {
                    epochs: cfg.epochs,
                    l2: DEFAULT_L2,
                    filter: NO_FILTER,
                },
                None,
            )
        };
        let validation_auc = validation.map(|(auc, _)| auc);
        let rows_of = |v: &[(usize, String)]| v.iter().map(|(r, _)| *r).collect::<Vec<_>>();
        let all_neg = rows_of(neg);
        let negs = if hyper.filter < NO_FILTER {
            drop_suspects(&rows, &rows_of(pos), &all_neg, seed, hyper.filter)
        } else {
            all_neg.clone()
        };
        let dropped = all_neg.len() - negs.len();
        let (mut w, loss) = fit(&rows, &rows_of(pos), &negs, hyper, seed);
        // Calibrated on held-out negatives when there are some: the
        // training negatives are fitted, so their quantile is optimistic.
        let shift = match validation {
            Some((_, shift)) => {
                if let Some(b) = w.first_mut() {
                    *b -= shift;
                }
                shift
            }
            None => calibrate(&rows, &all_neg, &mut w),
        };
        weights[t] = w;
        reports.push(ModelTrainReport {
            threat: (*threat).to_string(),
            positives_from: (*from).to_string(),
            positives: pos.len(),
            negatives: neg.len(),
            final_loss: loss,
            epochs: hyper.epochs,
            l2: hyper.l2,
            validation_auc,
            calibration_shift: shift,
            suspect_negatives_dropped: dropped,
            suspect_filter_logit: (hyper.filter < NO_FILTER).then_some(hyper.filter),
        });
    }
    let model = Model::from_parts(weights, lm_full)?;
    Ok((
        model,
        TrainReport {
            seed: cfg.seed,
            synthetic_seed: cfg.synthetic_seed,
            synthetic_domains: cfg.synthetic_domains,
            epochs: cfg.epochs,
            data: real.stats,
            models: reports,
        },
    ))
}

/// Score 50 is set at this quantile of the benign training names'
/// log-odds: classes are balanced in training, but benign names are the
/// vast majority in the wild, so "50" should mean "above 99.5 % of benign
/// names", not "as likely as not under a 50/50 prior". Ranking (AUC, TPR
/// at a fixed FPR) is unchanged.
pub const CALIBRATION_QUANTILE: f64 = 0.995;

/// The [`CALIBRATION_QUANTILE`] of `z` (0 when empty).
fn quantile(mut z: Vec<f32>) -> f32 {
    if z.is_empty() {
        return 0.0;
    }
    z.sort_by(f32::total_cmp);
    let k = ((CALIBRATION_QUANTILE * (z.len() - 1) as f64).round() as usize).min(z.len() - 1);
    z[k]
}

/// Moves the intercept (the always-on bias feature) so that the
/// [`CALIBRATION_QUANTILE`] of the negatives' log-odds becomes 0 (score
/// 50); returns the shift.
fn calibrate(rows: &Rows, neg: &[usize], w: &mut [f32]) -> f32 {
    let z: Vec<f32> = neg
        .iter()
        .map(|&r| rows.row(r).iter().map(|&(i, v)| w[i as usize] * v).sum())
        .collect();
    let shift = quantile(z);
    if let Some(b) = w.first_mut() {
        *b -= shift;
    }
    shift
}

/// Training hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Hyper {
    epochs: u32,
    l2: f32,
    /// Drop the negatives whose cross-fitted log-odds exceed this before
    /// fitting (see [`drop_suspects`]; [`NO_FILTER`]: keep all).
    filter: f32,
}

const DEFAULT_L2: f32 = 1e-4;

/// No label-noise filter.
const NO_FILTER: f32 = f32::INFINITY;

/// The validation grid, in preference order (ties keep the first):
/// epochs × L2 × label-noise filter (none, p > 0.99, p > 0.9, p > 0.75).
const GRID: [Hyper; 24] = {
    let mut g = [Hyper {
        epochs: 0,
        l2: 0.0,
        filter: NO_FILTER,
    }; 24];
    let epochs = [2u32, 4, 8];
    let l2 = [1e-3f32, 1e-5];
    let filters = [
        NO_FILTER,
        SUSPECT_LOGIT,
        LOOSE_SUSPECT_LOGIT,
        LOOSEST_SUSPECT_LOGIT,
    ];
    let mut i = 0;
    while i < 24 {
        g[i] = Hyper {
            epochs: epochs[(i % 6) / 2],
            l2: l2[i % 2],
            filter: filters[i / 6],
        };
        i += 1;
    }
    g
};

/// Negatives whose cross-fitted log-odds exceed this (p > 0.99) are
/// dropped by the filter: the benign lists contain DGA traffic
/// (`xkrlmshkbhi.net` is in the OpenDNS top-10k).
const SUSPECT_LOGIT: f32 = 4.6;
/// The looser filter of the grid: p > 0.9.
const LOOSE_SUSPECT_LOGIT: f32 = 2.2;
/// The loosest filter of the grid: p > 0.75.
const LOOSEST_SUSPECT_LOGIT: f32 = 1.1;

/// The negatives without the suspects: each half of them is scored by a
/// model fitted on the positives and the other half (2 epochs), and those
/// above `threshold` are left out. Only training negatives are
/// filtered; validation and test sets never are.
fn drop_suspects(
    rows: &Rows,
    pos: &[usize],
    neg: &[usize],
    seed: u64,
    threshold: f32,
) -> Vec<usize> {
    let halves: [Vec<usize>; 2] = [
        neg.iter().step_by(2).copied().collect(),
        neg.iter().skip(1).step_by(2).copied().collect(),
    ];
    let quick = Hyper {
        epochs: 2,
        l2: DEFAULT_L2,
        filter: NO_FILTER,
    };
    let mut keep = Vec::with_capacity(neg.len());
    for h in 0..2 {
        let (w, _) = fit(rows, pos, &halves[1 - h], quick, seed ^ 0x0f11_7e55);
        keep.extend(halves[h].iter().copied().filter(|&r| {
            let z: f32 = rows.row(r).iter().map(|&(i, v)| w[i as usize] * v).sum();
            z <= threshold
        }));
    }
    keep.sort_unstable();
    keep
}

/// Picks the grid point with the best validation ROC AUC: a quarter of the
/// group keys is held out, the rest trains. Returns it with its validation
/// AUC and the calibration quantile of its validation negatives.
fn choose(
    rows: &Rows,
    pos: &[(usize, String)],
    neg: &[(usize, String)],
    seed: u64,
    progress: &dyn Fn(&str),
) -> (Hyper, Option<(f64, f32)>) {
    let is_val = |k: &str| hash(0x7a11_d000 ^ seed as u32, k.as_bytes()).is_multiple_of(4);
    let part = |v: &[(usize, String)], val: bool| -> Vec<usize> {
        v.iter()
            .filter(|(_, k)| is_val(k) == val)
            .map(|(r, _)| *r)
            .collect()
    };
    let (tp, vp, tn, vn) = (
        part(pos, false),
        part(pos, true),
        part(neg, false),
        part(neg, true),
    );
    if tp.is_empty() || vp.is_empty() || tn.is_empty() || vn.is_empty() {
        return (GRID[GRID.len() - 1], None);
    }
    let filtered: Vec<(f32, Vec<usize>)> =
        [SUSPECT_LOGIT, LOOSE_SUSPECT_LOGIT, LOOSEST_SUSPECT_LOGIT]
            .into_iter()
            .map(|t| {
                let kept = drop_suspects(rows, &tp, &tn, seed, t);
                progress(&format!(
                    "  filter at log-odds {t}: {} of {} training negatives suspect",
                    tn.len() - kept.len(),
                    tn.len()
                ));
                (t, kept)
            })
            .collect();
    let mut best: Option<(Hyper, f64, f32)> = None;
    for h in GRID {
        let negs = filtered
            .iter()
            .find(|(t, _)| *t == h.filter)
            .map_or(&tn, |(_, kept)| kept);
        let (w, _) = fit(rows, &tp, negs, h, seed);
        let score = |r: usize| -> f32 { rows.row(r).iter().map(|&(i, v)| w[i as usize] * v).sum() };
        let sp: Vec<f32> = vp.iter().map(|&r| score(r)).collect();
        let sn: Vec<f32> = vn.iter().map(|&r| score(r)).collect();
        let auc = crate::metrics::roc_auc(&sp, &sn);
        progress(&format!(
            "  epochs {} l2 {:e} filter {}: validation AUC {auc:.4}",
            h.epochs, h.l2, h.filter
        ));
        if best.is_none_or(|(_, b, _)| auc > b) {
            best = Some((h, auc, quantile(sn)));
        }
    }
    match best {
        Some((h, auc, shift)) => (h, Some((auc, shift))),
        None => (GRID[GRID.len() - 1], None),
    }
}

/// AdaGrad logistic regression with L2 on the active features; classes
/// weighted to equal total weight. Returns the weights and the last
/// epoch's mean weighted log loss.
fn fit(rows: &Rows, pos: &[usize], neg: &[usize], hyper: Hyper, seed: u64) -> (Vec<f32>, f64) {
    const LR: f32 = 0.1;
    let Hyper { epochs, l2, .. } = hyper;
    let mut w = vec![0.0f32; DIM];
    let mut g2 = vec![1e-6f32; DIM];
    let n = (pos.len() + neg.len()) as f32;
    let wp = 0.5 * n / pos.len() as f32;
    let wn = 0.5 * n / neg.len() as f32;
    let mut order: Vec<(usize, bool)> = pos
        .iter()
        .map(|&r| (r, true))
        .chain(neg.iter().map(|&r| (r, false)))
        .collect();
    let mut rng = SplitMix::new(seed);
    let mut loss = 0.0f64;
    for _ in 0..epochs {
        for i in (1..order.len()).rev() {
            let j = rng.below(i + 1);
            order.swap(i, j);
        }
        loss = 0.0;
        for &(r, y) in &order {
            let x = rows.row(r);
            let z: f32 = x.iter().map(|&(i, v)| w[i as usize] * v).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let (target, cw) = if y { (1.0, wp) } else { (0.0, wn) };
            let pc = p.clamp(1e-7, 1.0 - 1e-7);
            loss += f64::from(cw) * -f64::from(if y { pc.ln() } else { (1.0 - pc).ln() });
            let err = (p - target) * cw;
            for &(i, v) in x {
                let i = i as usize;
                let g = err * v + l2 * w[i];
                g2[i] += g * g;
                w[i] -= LR * g / g2[i].sqrt();
            }
        }
        loss /= f64::from(n);
    }
    (w, loss)
}

#[cfg(test)]
mod tests;
