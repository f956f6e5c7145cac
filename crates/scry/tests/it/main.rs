//! End-to-end tests of the `scry` binary: the interface contract, golden
//! fixtures, the crash test, and errors on bad input.
#![allow(clippy::unwrap_used)]

mod clickhouse;
mod contract;
mod crash;
mod delivery;
mod demo;
mod errors;
mod golden;
mod lookalike;
mod lookup;
mod monitor;
mod pdns;
mod risk;
mod sensor;
mod serve;
mod ui;
mod whois;
mod zone;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) fn scry() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scry"))
}

pub(crate) fn run(data: &Path, args: &[&str]) -> Output {
    scry()
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("SCRY_STORE")
        .env_remove("SCRY_DATA")
        .output()
        .expect("run scry")
}

pub(crate) fn ok(data: &Path, args: &[&str]) -> String {
    let out = run(data, args);
    assert!(
        out.status.success(),
        "scry {args:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

pub(crate) fn json(data: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(data, args)).expect("json output")
}

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}
