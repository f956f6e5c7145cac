//! Integration tests of scry-parse against the shared real-world corpus
//! (`../shared/data`, beside the repository).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

mod rdap_corpus;
mod whois_corpus;
mod whois_gold;
mod zone;

use std::path::{Path, PathBuf};

/// The shared data directory.
pub(crate) fn data() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
}

/// Every file under `dir`, recursively, sorted.
pub(crate) fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
