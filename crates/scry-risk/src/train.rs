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

use crate::data::{DataStats, Limits, load_real, load_synthetic};
use crate::features::{CharModel, DIM, Features, hash, split};
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
    /// Passes over the training data.
    pub epochs: u32,
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
    for n in &real.benign_train {
        let Ok(d) = DomainName::from_normalised(n) else {
            continue;
        };
        let (label, _) = split(&d);
        lm_full.add(label);
        lm_half[half(n)].add(label);
    }

    progress("extracting features");
    let mut rows = Rows {
        feats: Vec::new(),
        spans: Vec::new(),
    };
    let mut add = |names: &mut dyn Iterator<Item = &String>, benign: bool| -> Vec<usize> {
        let mut out = Vec::new();
        for n in names {
            let Ok(d) = DomainName::from_normalised(n) else {
                continue;
            };
            // A benign training name is scored by the other half's model.
            let h = half(n);
            let lm = if benign { &lm_half[1 - h] } else { &lm_half[h] };
            out.push(rows.push(&Features::extract(&d, lm, lex)));
        }
        out
    };
    let benign = add(&mut real.benign_train.iter(), true);
    let phish = add(&mut real.phish_train.iter(), false);
    let dga = add(&mut real.dga_train.iter().map(|(n, _)| n), false);
    let spam = add(&mut synth_pos.iter(), false);
    let synth_benign = add(&mut synth_neg.iter(), false);

    let specs: [(&str, &str, &[usize], Vec<usize>); 3] = [
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
            benign.iter().chain(&synth_benign).copied().collect(),
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
        let (w, loss) = fit(
            &rows,
            pos,
            neg,
            cfg.epochs,
            cfg.seed ^ ((t as u64 + 1) << 8),
        );
        weights[t] = w;
        reports.push(ModelTrainReport {
            threat: (*threat).to_string(),
            positives_from: (*from).to_string(),
            positives: pos.len(),
            negatives: neg.len(),
            final_loss: loss,
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

/// AdaGrad logistic regression with L2 on the active features; classes
/// weighted to equal total weight. Returns the weights and the last
/// epoch's mean weighted log loss.
fn fit(rows: &Rows, pos: &[usize], neg: &[usize], epochs: u32, seed: u64) -> (Vec<f32>, f64) {
    const LR: f32 = 0.1;
    const L2: f32 = 1e-4;
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
                let g = err * v + L2 * w[i];
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
