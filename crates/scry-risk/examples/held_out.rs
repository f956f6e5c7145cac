//! Prints the held-out real names of the committed split with their
//! scores, for error analysis: `... --example held_out -- DATA_DIR [MODEL]`
//! writes `class family phishing_logit malware_logit name suffix icann_suffix
//! lookalike evidence_json`
//! lines (tab-separated; the family is `-` for non-DGA names). Read the
//! test split only to explain a model already chosen, never to choose one.
#![allow(clippy::print_stdout)]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data = args.next().ok_or("usage: held_out DATA_DIR [MODEL]")?;
    let owned;
    let model = match args.next() {
        Some(p) => {
            owned = scry_risk::Model::from_bytes(&std::fs::read(p)?)?;
            &owned
        }
        None => scry_risk::Model::builtin(),
    };
    let cfg = scry_risk::EvalConfig::new(data);
    for (name, class, family) in scry_risk::held_out_names(&cfg)? {
        let Ok(n) = scry_model::DomainName::from_normalised(&name) else {
            continue;
        };
        let p = model.logit(&n, scry_risk::Threat::Phishing);
        let m = model.logit(&n, scry_risk::Threat::Malware);
        let profile = model.score(&n);
        let family = if family.is_empty() { "-" } else { &family };
        let lookalike = scry_risk::lookalike_of(&n)
            .map_or_else(|| "-".to_string(), |(s, b, _)| format!("{s}:{b}"));
        println!(
            "{class}\t{family}\t{p:.4}\t{m:.4}\t{name}\t{}\t{}\t{lookalike}\t{}",
            n.suffix(),
            n.icann_suffix(),
            serde_json::to_string(&profile.evidence)?
        );
    }
    Ok(())
}
