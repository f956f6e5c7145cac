//! `scry train` and `scry evaluate`: rebuild and measure the threat-profile
//! model of `scry-risk` (see `crates/scry-risk/model/README.md`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use scry_risk::{EvalConfig, EvalReport, MetricRow, Model, TrainConfig};

use crate::out;

/// `scry train` arguments.
#[derive(Debug, Args)]
pub(crate) struct TrainArgs {
    /// The real labelled data folder (shared/data).
    #[arg(long, default_value = "../shared/data")]
    pub(crate) data: PathBuf,
    /// Split seed (train/test assignment, held-out DGA families, order).
    #[arg(long, default_value_t = scry_risk::DEFAULT_SEED)]
    pub(crate) seed: u64,
    /// Where to write the model.
    #[arg(long, default_value = "crates/scry-risk/model/lexical-v4.bin")]
    pub(crate) out: PathBuf,
    /// Training names per DGA family at most (the test families are
    /// capped separately, at evaluation).
    #[arg(long, default_value_t = 2_000)]
    pub(crate) max_per_family: usize,
    /// Print the training report as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `scry evaluate` arguments.
#[derive(Debug, Args)]
pub(crate) struct EvaluateArgs {
    /// A model file (default: the built-in model).
    #[arg(long)]
    pub(crate) model: Option<PathBuf>,
    /// The real labelled data folder (shared/data).
    #[arg(long, default_value = "../shared/data")]
    pub(crate) data: PathBuf,
    /// Split seed the model was trained with.
    #[arg(long, default_value_t = scry_risk::DEFAULT_SEED)]
    pub(crate) seed: u64,
    /// Seed of the synthetic evaluation world (never used for training).
    #[arg(long, default_value_t = scry_risk::EVAL_SYNTHETIC_SEED)]
    pub(crate) synthetic_seed: u64,
    /// Bootstrap resamplings for the confidence intervals.
    #[arg(long, default_value_t = 500)]
    pub(crate) bootstrap: usize,
    /// Domains of the synthetic world the proximity evaluation generates
    /// (with --synthetic-seed); 0 skips it.
    #[arg(long, default_value_t = 200_000)]
    pub(crate) proximity_domains: u64,
    /// Only the proximity evaluation (not the threat-profile model's).
    #[arg(long)]
    pub(crate) proximity_only: bool,
    /// Keep the proximity evaluation's world and store in DIR, and reuse
    /// them when DIR already holds them (same seed and size): only the
    /// pass runs again.
    #[arg(long, value_name = "DIR")]
    pub(crate) proximity_work: Option<PathBuf>,
    /// With the proximity evaluation: diagnose every weak campaign (each
    /// missed member's values, their holders, listed and campaign ones),
    /// under `diagnosis` in `--json`.
    #[arg(long)]
    pub(crate) proximity_diagnose: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn train(a: &TrainArgs) -> Result<ExitCode> {
    let cfg = TrainConfig {
        seed: a.seed,
        max_per_family: a.max_per_family,
        ..TrainConfig::new(&a.data)
    };
    let quiet = a.json;
    let (model, report) = scry_risk::train(&cfg, &|m| {
        if !quiet {
            eprintln!("{m}");
        }
    })
    .context("training")?;
    let bytes = model.to_bytes();
    std::fs::write(&a.out, &bytes).with_context(|| a.out.display().to_string())?;
    if a.json {
        out::json(&report)?;
    } else {
        println!(
            "wrote {} ({} bytes), split seed {}, spam world seed {} ({} domains)",
            a.out.display(),
            bytes.len(),
            report.seed,
            report.synthetic_seed,
            report.synthetic_domains
        );
        let rows: Vec<Vec<String>> = report
            .models
            .iter()
            .map(|m| {
                vec![
                    m.threat.clone(),
                    m.positives_from.clone(),
                    m.positives.to_string(),
                    m.negatives.to_string(),
                    format!("{:.4}", m.final_loss),
                    m.epochs.to_string(),
                    format!("{:e}", m.l2),
                    m.validation_auc
                        .map_or_else(|| "-".to_string(), |v| format!("{v:.4}")),
                    format!("{:.2}", m.calibration_shift),
                    match m.suspect_filter_logit {
                        Some(t) => format!("{} (log-odds > {t})", m.suspect_negatives_dropped),
                        None => "-".to_string(),
                    },
                ]
            })
            .collect();
        out::table(
            &[
                "model",
                "positives from",
                "pos",
                "neg",
                "loss",
                "epochs",
                "l2",
                "validation AUC",
                "calibration shift",
                "suspects dropped",
            ],
            &rows,
        )?;
        println!(
            "held-out DGA families: {}",
            report.data.dga_test_families.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn ci(v: &scry_risk::WithCi) -> String {
    format!("{:.4} [{:.4}, {:.4}]", v.value, v.low, v.high)
}

fn rows(rs: &[MetricRow]) -> Vec<Vec<String>> {
    rs.iter()
        .map(|r| {
            vec![
                r.task.clone(),
                r.threat.as_str().to_string(),
                r.positives.to_string(),
                r.negatives.to_string(),
                ci(&r.auc),
                ci(&r.tpr_at_0_1),
                ci(&r.tpr_at_0_35),
                format!("{:.3} / {:.4}", r.tpr_at_score_50, r.fpr_at_score_50),
            ]
        })
        .collect()
}

fn print_report(r: &EvalReport) -> Result<()> {
    const HEADER: [&str; 8] = [
        "task",
        "model",
        "pos",
        "neg",
        "ROC AUC [95% CI]",
        "TPR@0.1%FPR",
        "TPR@0.35%FPR",
        "TPR/FPR at score>=50",
    ];
    println!("held-out real names (split seed {}):", r.seed);
    out::table(&HEADER, &rows(&r.real))?;
    println!();
    println!("held-out DGA families: ROC AUC and TPR at the benign 0.35% FPR threshold:");
    let fam: Vec<Vec<String>> = r
        .dga_families
        .iter()
        .map(|f| {
            vec![
                f.family.clone(),
                f.names.to_string(),
                format!("{:.3}", f.auc),
                format!("{:.3}", f.tpr_at_0_35),
            ]
        })
        .collect();
    out::table(&["family", "names", "AUC", "TPR@0.35%FPR"], &fam)?;
    if !r.synthetic.is_empty() {
        println!();
        println!(
            "synthetic world seed {} ({} domains, never used for training or tuning):",
            r.synthetic_seed, r.synthetic_domains
        );
        out::table(&HEADER, &rows(&r.synthetic))?;
    }
    Ok(())
}

pub(crate) fn evaluate(a: &EvaluateArgs) -> Result<ExitCode> {
    let owned;
    let model = match &a.model {
        Some(p) => {
            let b = std::fs::read(p).with_context(|| p.display().to_string())?;
            owned = Model::from_bytes(&b).with_context(|| p.display().to_string())?;
            &owned
        }
        None => Model::builtin(),
    };
    let cfg = EvalConfig {
        seed: a.seed,
        synthetic_seed: a.synthetic_seed,
        bootstrap: a.bootstrap,
        ..EvalConfig::new(&a.data)
    };
    let report = if a.proximity_only {
        None
    } else {
        Some(scry_risk::evaluate(model, &cfg).context("evaluation")?)
    };
    if !a.json
        && let Some(report) = &report
    {
        print_report(report)?;
    }
    let proximity = if a.proximity_domains > 0 {
        let tmp;
        let work = match &a.proximity_work {
            Some(dir) => {
                std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
                dir.as_path()
            }
            None => {
                tmp = tempfile::Builder::new()
                    .prefix("scry-evaluate-")
                    .tempdir()?;
                tmp.path()
            }
        };
        let p = crate::cmd::evalprox::run(
            a.synthetic_seed,
            a.proximity_domains,
            3,
            work,
            a.json,
            a.proximity_diagnose,
        )?;
        if !a.json {
            crate::cmd::evalprox::print(&p)?;
        }
        Some(p)
    } else {
        None
    };
    if a.json {
        let mut v = serde_json::to_value(&report)?;
        v["proximity"] = serde_json::to_value(&proximity)?;
        out::json(&v)?;
    }
    Ok(ExitCode::SUCCESS)
}
