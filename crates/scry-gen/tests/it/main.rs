//! Integration tests of the generator: determinism, coherence of the
//! generated world across formats, and validity of the files.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod coherence;
mod determinism;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use scry_gen::{GenConfig, GenSummary, generate};

/// A small world shared by the coherence tests.
pub(crate) struct World {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) cfg: GenConfig,
    pub(crate) summary: GenSummary,
}

pub(crate) fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = GenConfig::new(6_000, 6, 3);
        cfg.whois_actor = 1.0;
        cfg.whois_benign = 0.05;
        cfg.threads = 2;
        let summary = generate(&cfg, dir.path(), &|_| {}).unwrap();
        World { dir, cfg, summary }
    })
}

/// Every file under `root`, relative path -> bytes, in sorted order.
pub(crate) fn read_tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// A zone file as (owner, type, rdata) triples, lowercase, without the
/// trailing dots.
pub(crate) fn zone_records(text: &str) -> Vec<(String, String, String)> {
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 5, "zone line has 5 tab-separated fields: {l}");
            assert_eq!(f[2], "in");
            assert!(f[1].parse::<u32>().is_ok(), "ttl in {l}");
            (
                f[0].trim_end_matches('.').to_string(),
                f[3].to_string(),
                f[4].trim_end_matches('.').to_string(),
            )
        })
        .collect()
}
