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

use std::collections::BTreeMap;
use std::path::PathBuf;

use scry_model::DomainName;
use serde::Serialize;

use crate::boost::{self, BoostParams, Booster, INPUTS, MARGIN};
use crate::data::{DataStats, Limits, group_key, load_real, load_synthetic};
use crate::features::{CharModel, DENSE, DIM, Features, Words, hash, split};
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
    /// Per threat (phishing, malware, spam): offer the boosted trees
    /// (second stage) to the validation (for malware, the family-wise one).
    /// Off for malware by default: its trees validated better on held-out
    /// *training* families, by the validation quarter (v3) and by
    /// leave-family-out folds (v4: 0.9464 -> 0.9500), but lowered the
    /// held-out test families' AUC three times (model/README.md).
    pub boost: [bool; 3],
    /// Per threat: choose the hyper-parameters by leave-family-out folds
    /// (`train/family.rs`) instead of the validation quarter; on for
    /// malware, whose groups are DGA families.
    pub family_cv: [bool; 3],
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
            boost: [true, false, true],
            family_cv: [false, true, false],
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
    /// Boosted trees over the dense features and the linear margin (0:
    /// the linear model alone validated best).
    pub trees: usize,
    /// Their depth (0 without trees).
    pub tree_depth: usize,
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
    let mut shifts = [0.0f32; 3];
    let mut boosters: [Booster; 3] = Default::default();
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
        let (hyper, validation) = if cfg.validate && cfg.family_cv[t] {
            family::choose_by_family(&rows, pos, neg, seed, V3_MALWARE, progress)
        } else if cfg.validate {
            choose(&rows, pos, neg, seed, progress)
        } else {
            (
                Hyper {
                    epochs: cfg.epochs,
                    l2: DEFAULT_L2,
                    filter: NO_FILTER,
                    balance: false,
                },
                None,
            )
        };
        // The trees' validation over the same split (their depth and
        // number, none if the linear model alone validates best).
        let (boost, validation) = match (cfg.validate && cfg.boost[t], validation) {
            (true, Some(v)) if cfg.family_cv[t] => {
                family::choose_boost_by_family(&rows, pos, neg, seed, hyper, v, progress)
            }
            (true, Some(v)) => choose_boost(&rows, pos, neg, seed, hyper, v, progress),
            (_, v) => (None, v),
        };
        let validation_auc = validation.map(|(auc, _)| auc);
        let rows_of = |v: &[(usize, String)]| v.iter().map(|(r, _)| *r).collect::<Vec<_>>();
        let all_neg = rows_of(neg);
        let filter_keys = |v: &[Keyed], keep: &[usize]| -> Vec<Keyed> {
            v.iter()
                .filter(|(r, _)| keep.binary_search(r).is_ok())
                .cloned()
                .collect()
        };
        let negs = if hyper.filter < NO_FILTER {
            drop_suspects(&rows, &rows_of(pos), &all_neg, seed, hyper.filter)
        } else {
            all_neg.clone()
        };
        let dropped = all_neg.len() - negs.len();
        let pos_w = if hyper.balance {
            family::family_weights(pos)
        } else {
            Vec::new()
        };
        let (w, loss) = fit_weighted(&rows, &rows_of(pos), &pos_w, &negs, hyper, seed);
        let booster = match boost {
            Some(bp) => {
                progress(&format!(
                    "  fitting {} trees of depth {} on all training data",
                    bp.rounds, bp.depth
                ));
                let mut sorted = negs.clone();
                sorted.sort_unstable();
                let kept = filter_keys(neg, &sorted);
                fit_stage2(&rows, pos, &kept, hyper, seed, bp)
            }
            None => Booster::default(),
        };
        // Calibrated on held-out negatives when there are some: the
        // training negatives are fitted, so their quantile is optimistic.
        let shift = match validation {
            Some((_, shift)) => shift,
            None => calibrate(&rows, &all_neg, &w, &booster),
        };
        weights[t] = w;
        shifts[t] = shift;
        boosters[t] = booster;
        reports.push(ModelTrainReport {
            threat: (*threat).to_string(),
            positives_from: (*from).to_string(),
            positives: pos.len(),
            negatives: neg.len(),
            final_loss: loss,
            epochs: hyper.epochs,
            l2: hyper.l2,
            trees: boosters[t].trees.len(),
            tree_depth: boosters[t].depth,
            validation_auc,
            calibration_shift: shift,
            suspect_negatives_dropped: dropped,
            suspect_filter_logit: (hyper.filter < NO_FILTER).then_some(hyper.filter),
        });
    }
    let model = Model::from_parts(weights, shifts, boosters, lm_full)?;
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

/// The shift that moves the [`CALIBRATION_QUANTILE`] of the negatives'
/// log-odds to 0 (score 50).
fn calibrate(rows: &Rows, neg: &[usize], w: &[f32], booster: &Booster) -> f32 {
    let z: Vec<f32> = neg
        .iter()
        .map(|&r| {
            let m = margin(rows, r, w);
            m + booster.eval(&tree_inputs(rows, r, m))
        })
        .collect();
    quantile(z)
}

/// The linear log-odds of row `r`.
fn margin(rows: &Rows, r: usize, w: &[f32]) -> f32 {
    rows.row(r).iter().map(|&(i, v)| w[i as usize] * v).sum()
}

/// The trees' inputs of row `r` with linear margin `m`.
fn tree_inputs(rows: &Rows, r: usize, m: f32) -> [f32; INPUTS] {
    let mut x = [0.0f32; INPUTS];
    for &(i, v) in rows.row(r) {
        let i = i as usize;
        if i < DENSE {
            x[i] = v;
        }
    }
    x[MARGIN] = m;
    x
}

/// The trees offered to the validation: depth × learning rate, each read
/// every [`CHECK_EVERY`] trees up to [`MAX_ROUNDS`].
const BOOST_GRID: [(usize, f32); 2] = [(3, 0.1), (5, 0.1)];
const MAX_ROUNDS: usize = 600;
const CHECK_EVERY: usize = 10;
const BOOST_LAMBDA: f64 = 1.0;
const BOOST_MIN_HESSIAN: f64 = 1.0;

/// Out-of-fold linear margins of `pos` and `neg` (two folds by a keyed
/// hash of the group key: a group's names share a fold), each fold scored
/// by a model fitted on the other; returns rows, labels, margins.
fn oof_margins(
    rows: &Rows,
    pos: &[Keyed],
    neg: &[Keyed],
    hyper: Hyper,
    seed: u64,
) -> (Vec<usize>, Vec<bool>, Vec<f32>) {
    let fold = |k: &str| (hash(0x00f0_1d5e ^ seed as u32, k.as_bytes()) & 1) as usize;
    let mut out = (Vec::new(), Vec::new(), Vec::new());
    for f in 0..2 {
        let pick = |v: &[Keyed], inside: bool| -> Vec<usize> {
            v.iter()
                .filter(|(_, k)| (fold(k) == f) == inside)
                .map(|(r, _)| *r)
                .collect()
        };
        let (tp, tn) = (pick(pos, false), pick(neg, false));
        if tp.is_empty() || tn.is_empty() {
            continue;
        }
        let pw = if hyper.balance {
            let keyed: Vec<Keyed> = pos.iter().filter(|(_, k)| fold(k) != f).cloned().collect();
            family::family_weights(&keyed)
        } else {
            Vec::new()
        };
        let (w, _) = fit_weighted(rows, &tp, &pw, &tn, hyper, seed ^ 0x00f0_1d00);
        for (v, y) in [(pick(pos, true), true), (pick(neg, true), false)] {
            for r in v {
                out.0.push(r);
                out.1.push(y);
                out.2.push(margin(rows, r, &w));
            }
        }
    }
    out
}

/// Class weights as in [`fit`]: both classes weigh half of the rows.
fn class_weights(y: &[bool]) -> Vec<f32> {
    let np = y.iter().filter(|&&b| b).count().max(1) as f32;
    let nn = y.iter().filter(|&&b| !b).count().max(1) as f32;
    let n = y.len() as f32;
    y.iter()
        .map(|&b| if b { 0.5 * n / np } else { 0.5 * n / nn })
        .collect()
}

/// Fits the trees on out-of-fold margins of `pos` and `neg`.
fn fit_stage2(
    rows: &Rows,
    pos: &[Keyed],
    neg: &[Keyed],
    hyper: Hyper,
    seed: u64,
    p: BoostParams,
) -> Booster {
    let (rs, y, m) = oof_margins(rows, pos, neg, hyper, seed);
    let x: Vec<[f32; INPUTS]> = rs
        .iter()
        .zip(&m)
        .map(|(&r, &mi)| tree_inputs(rows, r, mi))
        .collect();
    boost::fit(&x, &y, &class_weights(&y), &m, p)
}

/// Chooses the trees on the validation split of [`choose`] (same keys):
/// the linear model `hyper` is fitted on the training part (its margins on
/// the validation part), the trees on out-of-fold margins of the training
/// part, and the validation AUC read every [`CHECK_EVERY`] trees. Returns
/// the best trees (`None` when no tree beats the linear model) with the
/// validation AUC and calibration shift of the chosen combination.
fn choose_boost(
    rows: &Rows,
    pos: &[Keyed],
    neg: &[Keyed],
    seed: u64,
    hyper: Hyper,
    linear: (f64, f32),
    progress: &dyn Fn(&str),
) -> (Option<BoostParams>, Option<(f64, f32)>) {
    let is_val = |k: &str| hash(0x7a11_d000 ^ seed as u32, k.as_bytes()).is_multiple_of(4);
    let part = |v: &[Keyed], val: bool| -> Vec<Keyed> {
        v.iter()
            .filter(|(_, k)| is_val(k) == val)
            .cloned()
            .collect()
    };
    let (tp, vp, tn, vn) = (
        part(pos, false),
        part(pos, true),
        part(neg, false),
        part(neg, true),
    );
    let rows_of = |v: &[Keyed]| v.iter().map(|(r, _)| *r).collect::<Vec<_>>();
    let tn = if hyper.filter < NO_FILTER {
        let kept = drop_suspects(rows, &rows_of(&tp), &rows_of(&tn), seed, hyper.filter);
        tn.into_iter()
            .filter(|(r, _)| kept.binary_search(r).is_ok())
            .collect()
    } else {
        tn
    };
    if tp.is_empty() || vp.is_empty() || tn.is_empty() || vn.is_empty() {
        return (None, Some(linear));
    }
    let (w, _) = fit(rows, &rows_of(&tp), &rows_of(&tn), hyper, seed);
    let val: Vec<(usize, bool, f32)> = vp
        .iter()
        .map(|(r, _)| (*r, true))
        .chain(vn.iter().map(|(r, _)| (*r, false)))
        .map(|(r, y)| (r, y, margin(rows, r, &w)))
        .collect();
    let vx: Vec<[f32; INPUTS]> = val
        .iter()
        .map(|&(r, _, m)| tree_inputs(rows, r, m))
        .collect();
    // Shown beside the plain AUC, which chooses: each validation positive
    // weighing 1 / (positives of its group), a DGA family counts once
    // however many names it has (tinba's 2,000 validation names weigh as
    // much as the six other families'). Choosing by it was tried and
    // dropped (model/README.md).
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, k) in &vp {
        *sizes.entry(k.as_str()).or_default() += 1;
    }
    let group_w: Vec<f64> = vp
        .iter()
        .map(|(_, k)| 1.0 / sizes.get(k.as_str()).copied().unwrap_or(1) as f64)
        .collect();
    // (plain AUC, group-balanced AUC, negatives' log-odds)
    let auc_of = |z: &[f32]| -> (f64, f64, Vec<f32>) {
        let (mut sp, mut sn) = (Vec::new(), Vec::new());
        for (&(_, y, _), &zi) in val.iter().zip(z) {
            if y { sp.push(zi) } else { sn.push(zi) }
        }
        let plain = crate::metrics::roc_auc(&sp, &sn);
        let balanced = weighted_auc(&sp, &group_w, &sn);
        (plain, balanced, sn)
    };
    let base: Vec<f32> = val.iter().map(|v| v.2).collect();
    let (lin_auc, lin_bal, _) = auc_of(&base);
    progress(&format!(
        "  trees: linear margin alone, validation AUC {lin_auc:.4}, group-balanced {lin_bal:.4}"
    ));
    let mut best: Option<(BoostParams, f64, f64, f32)> = None;
    for (depth, learning_rate) in BOOST_GRID {
        let p = BoostParams {
            depth,
            rounds: MAX_ROUNDS,
            learning_rate,
            lambda: BOOST_LAMBDA,
            min_hessian: BOOST_MIN_HESSIAN,
        };
        let booster = fit_stage2(rows, &tp, &tn, hyper, seed, p);
        let mut z = base.clone();
        for (k, tree) in booster.trees.iter().enumerate() {
            let one = Booster {
                depth: booster.depth,
                trees: vec![tree.clone()],
            };
            for (zi, x) in z.iter_mut().zip(&vx) {
                *zi += one.eval(x);
            }
            if (k + 1) % CHECK_EVERY == 0 {
                let (auc, bal, sn) = auc_of(&z);
                if (k + 1) % (5 * CHECK_EVERY) == 0 {
                    progress(&format!(
                        "  trees: depth {depth}, {} trees: validation AUC {auc:.4}, group-balanced {bal:.4}",
                        k + 1
                    ));
                }
                if auc > lin_auc && best.is_none_or(|(_, b, _, _)| auc > b) {
                    best = Some((BoostParams { rounds: k + 1, ..p }, auc, bal, quantile(sn)));
                }
            }
        }
    }
    match best {
        Some((p, auc, bal, shift)) => {
            progress(&format!(
                "  trees chosen: depth {}, {} trees, validation AUC {auc:.4} (linear {lin_auc:.4}), group-balanced {bal:.4} (linear {lin_bal:.4})",
                p.depth, p.rounds
            ));
            (Some(p), Some((auc, shift)))
        }
        None => (None, Some(linear)),
    }
}

/// ROC AUC with weighted positives: the weighted share of (positive,
/// negative) pairs the positive wins, ties counting half.
fn weighted_auc(pos: &[f32], weights: &[f64], neg: &[f32]) -> f64 {
    let mut n: Vec<f32> = neg.to_vec();
    n.sort_by(f32::total_cmp);
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for (&s, &w) in pos.iter().zip(weights) {
        let below = n.partition_point(|&x| x < s);
        let ties = n.partition_point(|&x| x <= s) - below;
        num += w * (below as f64 + 0.5 * ties as f64);
        den += w;
    }
    if den == 0.0 || n.is_empty() {
        0.5
    } else {
        num / (den * n.len() as f64)
    }
}

/// Training hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Hyper {
    epochs: u32,
    l2: f32,
    /// Drop the negatives whose cross-fitted log-odds exceed this before
    /// fitting (see [`drop_suspects`]; [`NO_FILTER`]: keep all).
    filter: f32,
    /// Each positive group (a DGA family) weighs the same in total,
    /// however many names it has ([`family::family_weights`]).
    balance: bool,
}

const DEFAULT_L2: f32 = 1e-4;

/// The grid point lexical-v3's malware model was fitted with (chosen by
/// the validation quarter); the family-wise validation reports its score.
const V3_MALWARE: Hyper = Hyper {
    epochs: 2,
    l2: 1e-5,
    filter: LOOSEST_SUSPECT_LOGIT,
    balance: false,
};

/// No label-noise filter.
const NO_FILTER: f32 = f32::INFINITY;

/// The validation grid, in preference order (ties keep the first):
/// epochs × L2 × label-noise filter (none, p > 0.99, p > 0.9, p > 0.75).
const GRID: [Hyper; 24] = {
    let mut g = [Hyper {
        epochs: 0,
        l2: 0.0,
        filter: NO_FILTER,
        balance: false,
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
            balance: false,
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
        balance: false,
    };
    let mut keep = Vec::with_capacity(neg.len());
    for h in 0..2 {
        let (w, _) = fit(rows, pos, &halves[1 - h], quick, seed ^ 0x0f11_7e55);
        keep.extend(
            halves[h]
                .iter()
                .copied()
                .filter(|&r| margin(rows, r, &w) <= threshold),
        );
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
        let score = |r: usize| -> f32 { margin(rows, r, &w) };
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
    fit_weighted(rows, pos, &[], neg, hyper, seed)
}

/// [`fit`] with a weight per positive (`pos_w[i]` for `pos[i]`; empty:
/// all 1). The weights should sum to `pos.len()` so that the classes stay
/// balanced.
fn fit_weighted(
    rows: &Rows,
    pos: &[usize],
    pos_w: &[f32],
    neg: &[usize],
    hyper: Hyper,
    seed: u64,
) -> (Vec<f32>, f64) {
    const LR: f32 = 0.1;
    let Hyper { epochs, l2, .. } = hyper;
    let mut w = vec![0.0f32; DIM];
    let mut g2 = vec![1e-6f32; DIM];
    let n = (pos.len() + neg.len()) as f32;
    let wp = 0.5 * n / pos.len() as f32;
    let wn = 0.5 * n / neg.len() as f32;
    let mut order: Vec<(usize, bool, f32)> = pos
        .iter()
        .enumerate()
        .map(|(k, &r)| (r, true, pos_w.get(k).copied().unwrap_or(1.0)))
        .chain(neg.iter().map(|&r| (r, false, 1.0)))
        .collect();
    let mut rng = SplitMix::new(seed);
    let mut loss = 0.0f64;
    for _ in 0..epochs {
        for i in (1..order.len()).rev() {
            let j = rng.below(i + 1);
            order.swap(i, j);
        }
        loss = 0.0;
        for &(r, y, rw) in &order {
            let x = rows.row(r);
            let z: f32 = x.iter().map(|&(i, v)| w[i as usize] * v).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let (target, cw) = if y { (1.0, wp * rw) } else { (0.0, wn) };
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

mod family;

#[cfg(test)]
mod tests;
