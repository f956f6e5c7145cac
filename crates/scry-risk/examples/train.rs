//! Trains the model and writes it (the same as `scry train`, without the
//! binary): `cargo run --release -p scry-risk --example train -- OUT [DATA]`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().ok_or("usage: train OUT [DATA]")?;
    let data = args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data").to_string()
    });
    let cfg = scry_risk::TrainConfig::new(&data);
    let (model, report) = scry_risk::train(&cfg, &|m| eprintln!("{m}"))?;
    std::fs::write(&out, model.to_bytes())?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    let ecfg = scry_risk::EvalConfig::new(&data);
    let ev = scry_risk::evaluate(&model, &ecfg)?;
    println!("{}", serde_json::to_string_pretty(&ev)?);
    Ok(())
}
