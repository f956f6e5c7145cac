//! Evaluation on held-out real names and on a synthetic world never used
//! for training or tuning: ROC AUC and TPR at 0.1 % and 0.35 % FPR with
//! percentile-bootstrap 95 % confidence intervals. Rankings use the raw
//! log-odds (not the rounded 0..99 score).

use std::path::PathBuf;

use scry_model::DomainName;
use serde::Serialize;

use crate::data::{DataStats, Limits, RealData, load_real, load_synthetic};
use crate::metrics::{bootstrap_ci, roc_auc, tpr_at_fpr};
use crate::train::DEFAULT_SEED;
use crate::{Model, Result, Threat};

/// The synthetic world of the evaluation: never used for training or
/// tuning (training uses seed 1).
pub const EVAL_SYNTHETIC_SEED: u64 = 20_261_123;

/// How to evaluate.
#[derive(Debug, Clone)]
pub struct EvalConfig {
    /// The `shared/data` folder.
    pub data_dir: PathBuf,
    /// Split seed: must be the one the model was trained with.
    pub seed: u64,
    /// Seed of the evaluation's synthetic world.
    pub synthetic_seed: u64,
    /// Its size (0: no synthetic evaluation).
    pub synthetic_domains: u64,
    /// Bootstrap resamplings.
    pub bootstrap: usize,
    /// Test names per held-out DGA family at most.
    pub max_per_family_test: usize,
    /// Cap on every class (tests evaluate a subset).
    pub per_class: Option<usize>,
}

impl EvalConfig {
    /// The defaults with `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> EvalConfig {
        EvalConfig {
            data_dir: data_dir.into(),
            seed: DEFAULT_SEED,
            synthetic_seed: EVAL_SYNTHETIC_SEED,
            synthetic_domains: 20_000,
            bootstrap: 500,
            max_per_family_test: 5_000,
            per_class: None,
        }
    }
}

/// A value with its bootstrap 95 % confidence interval.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct WithCi {
    /// The point estimate.
    pub value: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// One positives-vs-negatives comparison.
#[derive(Debug, Clone, Serialize)]
pub struct MetricRow {
    /// `phishing-vs-benign` etc.
    pub task: String,
    /// The classifier whose score ranks the names.
    pub threat: Threat,
    /// Where positives and negatives come from.
    pub data: String,
    /// Positive names.
    pub positives: usize,
    /// Negative names.
    pub negatives: usize,
    /// ROC AUC.
    pub auc: WithCi,
    /// TPR at 0.1 % FPR.
    pub tpr_at_0_1: WithCi,
    /// TPR at 0.35 % FPR.
    pub tpr_at_0_35: WithCi,
    /// Share of positives scoring 50 or more (the playbook threshold).
    pub tpr_at_score_50: f64,
    /// Share of negatives scoring 50 or more.
    pub fpr_at_score_50: f64,
}

/// Detection of one held-out DGA family.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyRow {
    /// The family.
    pub family: String,
    /// Test names.
    pub names: usize,
    /// ROC AUC of the family's names against the held-out benign names.
    pub auc: f64,
    /// TPR at the benign test set's 0.35 % FPR threshold.
    pub tpr_at_0_35: f64,
}

/// The evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Split seed.
    pub seed: u64,
    /// Held-out real names.
    pub real: Vec<MetricRow>,
    /// Per held-out DGA family.
    pub dga_families: Vec<FamilyRow>,
    /// Seed of the synthetic world.
    pub synthetic_seed: u64,
    /// Its size.
    pub synthetic_domains: u64,
    /// Per synthetic label vs. synthetic benign.
    pub synthetic: Vec<MetricRow>,
    /// What the data loader read and dropped.
    pub data: DataStats,
}

fn logits<'a>(model: &Model, t: Threat, names: impl Iterator<Item = &'a String>) -> Vec<f32> {
    names
        .filter_map(|n| DomainName::from_normalised(n).ok())
        .map(|d| model.logit(&d, t))
        .collect()
}

fn row(
    task: &str,
    threat: Threat,
    data: &str,
    pos: &[f32],
    neg: &[f32],
    cfg: &EvalConfig,
) -> MetricRow {
    let seed = cfg.seed ^ 0xb007;
    let with = |stat: &dyn Fn(&[f32], &[f32]) -> f64| {
        let (low, high) = bootstrap_ci(pos, neg, cfg.bootstrap, seed, stat);
        WithCi {
            value: stat(pos, neg),
            low,
            high,
        }
    };
    MetricRow {
        task: task.to_string(),
        threat,
        data: data.to_string(),
        positives: pos.len(),
        negatives: neg.len(),
        auc: with(&roc_auc),
        tpr_at_0_1: with(&|p, n| tpr_at_fpr(p, n, 0.001)),
        tpr_at_0_35: with(&|p, n| tpr_at_fpr(p, n, 0.0035)),
        tpr_at_score_50: share_at_50(pos),
        fpr_at_score_50: share_at_50(neg),
    }
}

/// Share of log-odds at or above 0, i.e. of scores of 50 or more.
fn share_at_50(z: &[f32]) -> f64 {
    if z.is_empty() {
        return 0.0;
    }
    z.iter().filter(|&&x| x >= 0.0).count() as f64 / z.len() as f64
}

/// The real names split as `cfg` says (the training side unlimited per
/// family: only the held-out side is read here).
fn load_split(cfg: &EvalConfig) -> Result<RealData> {
    load_real(
        &cfg.data_dir,
        cfg.seed,
        Limits {
            max_per_family: 0,
            max_per_family_test: cfg.max_per_family_test,
            per_class: cfg.per_class,
        },
    )
}

/// The held-out real names of the split, for error analysis (what
/// [`evaluate`] scores): each with its class (`benign`, `phishing` or
/// `dga`) and, for DGA names, its family; benign names from the popular
/// list are `benign-top`.
pub fn held_out_names(cfg: &EvalConfig) -> Result<Vec<(String, String, String)>> {
    let real = load_split(cfg)?;
    let mut out = Vec::new();
    for n in &real.benign_test {
        let class = if real.benign_top.contains(n) {
            "benign-top"
        } else {
            "benign"
        };
        out.push((n.clone(), class.to_string(), String::new()));
    }
    for n in &real.phish_test {
        out.push((n.clone(), "phishing".to_string(), String::new()));
    }
    for (n, f) in &real.dga_test {
        out.push((n.clone(), "dga".to_string(), f.clone()));
    }
    Ok(out)
}

/// Evaluates `model` (see the module docs).
pub fn evaluate(model: &Model, cfg: &EvalConfig) -> Result<EvalReport> {
    let real = load_split(cfg)?;
    let neg_p = logits(model, Threat::Phishing, real.benign_test.iter());
    let neg_m = logits(model, Threat::Malware, real.benign_test.iter());
    let pos_p = logits(model, Threat::Phishing, real.phish_test.iter());
    let pos_m = logits(model, Threat::Malware, real.dga_test.iter().map(|(n, _)| n));
    let top: Vec<String> = real
        .benign_test
        .iter()
        .filter(|n| real.benign_top.contains(*n))
        .cloned()
        .collect();
    let top_p = logits(model, Threat::Phishing, top.iter());
    let top_m = logits(model, Threat::Malware, top.iter());
    let rows = vec![
        row(
            "phishing-vs-benign",
            Threat::Phishing,
            "held-out PhishTank 2021 registrable domains vs held-out OpenDNS benign",
            &pos_p,
            &neg_p,
            cfg,
        ),
        row(
            "dga-vs-benign",
            Threat::Malware,
            "held-out DGA families vs held-out OpenDNS benign",
            &pos_m,
            &neg_m,
            cfg,
        ),
        row(
            "phishing-vs-popular",
            Threat::Phishing,
            "held-out PhishTank 2021 vs held-out names of the OpenDNS top-10k list only",
            &pos_p,
            &top_p,
            cfg,
        ),
        row(
            "dga-vs-popular",
            Threat::Malware,
            "held-out DGA families vs held-out names of the OpenDNS top-10k list only",
            &pos_m,
            &top_m,
            cfg,
        ),
    ];
    // The spam classifier on real data has no real spam: report how it
    // ranks phishing and DGA names instead would mislead, so it is only
    // evaluated on the synthetic world.
    let mut families: Vec<FamilyRow> = Vec::new();
    let mut sorted = neg_m.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let k = ((0.0035 * sorted.len() as f64).floor() as usize).min(sorted.len().saturating_sub(1));
    let threshold = sorted.get(k).copied().unwrap_or(f32::INFINITY);
    for fam in &real.stats.dga_test_families {
        let s = logits(
            model,
            Threat::Malware,
            real.dga_test
                .iter()
                .filter(|(_, f)| f == fam)
                .map(|(n, _)| n),
        );
        if s.is_empty() {
            continue;
        }
        families.push(FamilyRow {
            family: fam.clone(),
            names: s.len(),
            auc: roc_auc(&s, &neg_m),
            tpr_at_0_35: s.iter().filter(|&&x| x > threshold).count() as f64 / s.len() as f64,
        });
    }

    let mut synthetic = Vec::new();
    if cfg.synthetic_domains > 0 {
        let world = load_synthetic(cfg.synthetic_seed, cfg.synthetic_domains)?;
        let by = |label: &str| -> Vec<String> {
            let mut v: Vec<String> = world
                .names
                .iter()
                .filter(|(_, l)| l == label)
                .map(|(n, _)| n.clone())
                .collect();
            if let Some(c) = cfg.per_class {
                v.truncate(c);
            }
            v
        };
        let benign = by("benign");
        for (label, threat) in [
            ("phishing", Threat::Phishing),
            ("malware_dga", Threat::Malware),
            ("spam", Threat::Spam),
        ] {
            let pos = logits(model, threat, by(label).iter());
            let neg = logits(model, threat, benign.iter());
            synthetic.push(row(
                &format!("{label}-vs-benign"),
                threat,
                &format!(
                    "synthetic world seed {} ({} domains)",
                    world.seed, cfg.synthetic_domains
                ),
                &pos,
                &neg,
                cfg,
            ));
        }
    }
    Ok(EvalReport {
        seed: cfg.seed,
        real: rows,
        dga_families: families,
        synthetic_seed: cfg.synthetic_seed,
        synthetic_domains: cfg.synthetic_domains,
        synthetic,
        data: real.stats,
    })
}

#[cfg(test)]
mod tests;
