//! Scores names from standard input with a model file (default: the
//! built-in one): `... --example score -- [MODEL] < names.txt`, one
//! `phishing malware spam name` line each; with `SCRY_RISK_JSON=1`, the
//! whole `ThreatProfile` as JSON.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::BufRead;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let owned;
    let model = match std::env::args().nth(1) {
        Some(p) => {
            owned = scry_risk::Model::from_bytes(&std::fs::read(p)?)?;
            &owned
        }
        None => scry_risk::Model::builtin(),
    };
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let Ok(n) = scry_model::DomainName::parse(line.trim()) else {
            continue;
        };
        let p = model.score(&n);
        if std::env::var_os("SCRY_RISK_JSON").is_some() {
            println!("{} {}", n.ascii(), serde_json::to_string(&p)?);
        } else {
            println!("{} {} {} {}", p.phishing, p.malware, p.spam, n.ascii());
        }
    }
    Ok(())
}
