//! Evaluates the built-in model (as `scry evaluate` does for the lexical
//! part) and, with `--linear`, the same model without its tree
//! corrections (an ablation: the regressions alone):
//! `cargo run --release -p scry-risk --example evaluate -- [--linear] [DATA]`.
//! Prints the held-out rows, the per-family rows and the synthetic rows.
#![allow(clippy::print_stdout, clippy::print_stderr)]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let linear = args.iter().any(|a| a == "--linear");
    let data = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data").to_string()
        });
    let builtin = scry_risk::Model::builtin();
    let model = if linear {
        builtin.without_trees()
    } else {
        builtin.clone()
    };
    println!("trees per threat: {:?}", model.trees());
    let ev = scry_risk::evaluate(&model, &scry_risk::EvalConfig::new(&data))?;
    for r in ev.real.iter().chain(&ev.synthetic) {
        println!(
            "{:<24} pos {:>5} neg {:>5} AUC {:.4} [{:.4}, {:.4}] TPR@0.1% {:.3} [{:.3}, {:.3}] TPR@0.35% {:.3} [{:.3}, {:.3}] score>=50 {:.3} / {:.4}",
            r.task,
            r.positives,
            r.negatives,
            r.auc.value,
            r.auc.low,
            r.auc.high,
            r.tpr_at_0_1.value,
            r.tpr_at_0_1.low,
            r.tpr_at_0_1.high,
            r.tpr_at_0_35.value,
            r.tpr_at_0_35.low,
            r.tpr_at_0_35.high,
            r.tpr_at_score_50,
            r.fpr_at_score_50
        );
    }
    for f in &ev.dga_families {
        println!("{:<20} {:>5} {:.3}", f.family, f.names, f.tpr_at_0_35);
    }
    Ok(())
}
