//! Labelled data: reading the real lists of `shared/data` and the synthetic
//! world's labels, with the label hygiene the evaluation relies on.
//!
//! 1. Every name is reduced to its **registrable domain** with scry-model's
//!    PSL split (private section included: `x.github.io` stays itself).
//!    PhishTank URLs are reduced to their host first; IP-address hosts are
//!    dropped.
//! 2. Each class is **de-duplicated** (sorted sets).
//! 3. Names present in the benign lists and in a malicious list are
//!    **dropped from both**; names in both malicious lists are dropped too.
//! 4. The split is by a keyed hash of a **group key** (the registrable
//!    domain with its digits removed, so `betasus17.blogspot.com` and
//!    `betasus23.blogspot.com` land on the same side), 20 % to test.
//! 5. **Whole DGA families** are held out: a family is a test family when
//!    its keyed hash falls in the test third. Training takes at most
//!    `max_per_family` names per training family, the evaluation at most
//!    `max_per_family_test` per test family (chosen by keyed hash, so the
//!    biggest families do not drown the rest).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use scry_model::DomainName;
use serde::Serialize;

use crate::features::hash;
use crate::{Error, Result};

/// The real labelled data, split.
#[derive(Debug, Clone, Default)]
pub(crate) struct RealData {
    pub(crate) benign_train: Vec<String>,
    pub(crate) benign_test: Vec<String>,
    pub(crate) phish_train: Vec<String>,
    pub(crate) phish_test: Vec<String>,
    pub(crate) dga_train: Vec<(String, String)>,
    pub(crate) dga_test: Vec<(String, String)>,
    /// The benign names that come from the popular (top-10k) list.
    pub(crate) benign_top: BTreeSet<String>,
    pub(crate) stats: DataStats,
}

/// What the loader read and dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DataStats {
    /// Distinct benign registrable domains.
    pub benign: usize,
    /// Distinct phishing registrable domains (from PhishTank URLs).
    pub phishing: usize,
    /// PhishTank rows whose host is an IP address or not a valid name.
    pub phishing_skipped: usize,
    /// Distinct DGA registrable domains.
    pub dga: usize,
    /// Names dropped because they are in the benign and a malicious list.
    pub overlap_dropped: usize,
    /// DGA families used for training.
    pub dga_train_families: Vec<String>,
    /// DGA families held out for the test set.
    pub dga_test_families: Vec<String>,
}

/// How much to read (tests read a small subset).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_per_family: usize,
    pub(crate) max_per_family_test: usize,
    /// Cap on every class list after the split (None: everything).
    pub(crate) per_class: Option<usize>,
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

fn registrable(input: &str) -> Option<String> {
    let n = DomainName::parse(input).ok()?;
    if n.label_count() < 2 {
        return None;
    }
    n.registrable().map(str::to_string)
}

/// Splits one CSV record (RFC 4180 quoting) into fields.
pub(crate) fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cur.is_empty() => quoted = true,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// The host of a URL (`https://user@host:8443/path` → `host`), or `None`
/// for IP literals.
pub(crate) fn url_host(url: &str) -> Option<&str> {
    let rest = url.trim().split_once("://").map_or(url.trim(), |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..end];
    let host = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    if host.starts_with('[') {
        return None;
    }
    let host = host.split_once(':').map_or(host, |(h, _)| h);
    if host.is_empty() || host.parse::<std::net::Ipv4Addr>().is_ok() {
        return None;
    }
    Some(host)
}

/// The dnstwist English, French and Polish dictionaries
/// (`dictionaries/dnstwist/*.dict`): the words that may be words
/// ([`crate::features::Words::valid`]), as listed.
pub(crate) fn dictionary_words(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for f in ["english", "french", "polish"] {
        let path = dir.join(format!("dictionaries/dnstwist/{f}.dict"));
        let text = read_file(&path)?;
        for line in String::from_utf8_lossy(&text).lines() {
            let w = line.trim().to_ascii_lowercase();
            if crate::features::Words::valid(&w) {
                out.push(w);
            }
        }
    }
    Ok(out)
}

/// The benign names, and those of them from the popular list.
fn benign_names(dir: &Path) -> Result<(BTreeSet<String>, BTreeSet<String>)> {
    let mut set = BTreeSet::new();
    let mut top = BTreeSet::new();
    for f in [
        "benign/opendns-top-10k.txt",
        "benign/opendns-random-10k.txt",
    ] {
        let path = dir.join(f);
        let text = read_file(&path)?;
        for line in String::from_utf8_lossy(&text).lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(r) = registrable(line) {
                if f.contains("top") {
                    top.insert(r.clone());
                }
                set.insert(r);
            }
        }
    }
    Ok((set, top))
}

fn phishing_names(dir: &Path) -> Result<(BTreeSet<String>, usize)> {
    let path = dir.join("phishing/phishtank-verified-online-2021.csv");
    let text = read_file(&path)?;
    let text = String::from_utf8_lossy(&text);
    let mut lines = text.lines().enumerate();
    let url_col = match lines.next() {
        Some((_, h)) => csv_fields(h)
            .iter()
            .position(|f| f == "url")
            .ok_or_else(|| Error::Data {
                path: path.clone(),
                line: 1,
                message: "no url column".into(),
            })?,
        None => {
            return Err(Error::Data {
                path,
                line: 1,
                message: "empty file".into(),
            });
        }
    };
    let mut set = BTreeSet::new();
    let mut skipped = 0;
    for (_, line) in lines {
        let fields = csv_fields(line);
        match fields
            .get(url_col)
            .and_then(|u| url_host(u))
            .and_then(registrable)
        {
            Some(r) => {
                set.insert(r);
            }
            None => skipped += 1,
        }
    }
    Ok((set, skipped))
}

fn dga_names(dir: &Path) -> Result<BTreeMap<String, String>> {
    let path = dir.join("dga/dga-labeled.csv.gz");
    let f = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
    // The file is 10 MB compressed, ~40 MB inflated: read at most 256 MB.
    let gz = flate2::read::MultiGzDecoder::new(BufReader::new(f)).take(256 << 20);
    let mut map = BTreeMap::new();
    for (i, line) in BufReader::new(gz).lines().enumerate() {
        let line = line.map_err(|e| Error::io(&path, e))?;
        if i == 0 {
            continue;
        }
        let mut it = line.split(',');
        let (Some(d), Some(fam)) = (it.next(), it.next()) else {
            return Err(Error::Data {
                path: path.clone(),
                line: i + 1,
                message: "expected domain,family,source".into(),
            });
        };
        if let Some(r) = registrable(d) {
            map.entry(r).or_insert_with(|| fam.to_string());
        }
    }
    Ok(map)
}

/// The split key of a registrable domain: digits removed.
pub(crate) fn group_key(name: &str) -> String {
    name.chars().filter(|c| !c.is_ascii_digit()).collect()
}

fn keyed(seed: u64, s: &str) -> u32 {
    hash(seed as u32 ^ (seed >> 32) as u32, s.as_bytes())
}

fn is_test(seed: u64, name: &str) -> bool {
    keyed(seed, &group_key(name)).is_multiple_of(5)
}

/// The first `n` of `v` in keyed-hash order (a deterministic sample).
fn sample<T: Clone>(v: &[T], n: usize, seed: u64, key: impl Fn(&T) -> &str) -> Vec<T> {
    let mut idx: Vec<(u32, usize)> = v
        .iter()
        .enumerate()
        .map(|(i, x)| (keyed(seed ^ 0x5a5a, key(x)), i))
        .collect();
    idx.sort_unstable();
    let mut out: Vec<T> = idx.iter().take(n).map(|&(_, i)| v[i].clone()).collect();
    // Back in name order: the training order is shuffled separately.
    out.sort_by(|a, b| key(a).cmp(key(b)));
    out
}

/// Reads and splits the real data under `dir` (the `shared/data` folder).
pub(crate) fn load_real(dir: &Path, seed: u64, limits: Limits) -> Result<RealData> {
    let (benign, benign_top) = benign_names(dir)?;
    let (mut phish, phishing_skipped) = phishing_names(dir)?;
    let mut dga = dga_names(dir)?;
    let mut stats = DataStats {
        benign: benign.len(),
        phishing: phish.len(),
        phishing_skipped,
        dga: dga.len(),
        ..DataStats::default()
    };
    let mut benign = benign;
    let both: Vec<String> = benign
        .iter()
        .filter(|n| phish.contains(*n) || dga.contains_key(*n))
        .cloned()
        .chain(phish.iter().filter(|n| dga.contains_key(*n)).cloned())
        .collect();
    for n in &both {
        benign.remove(n);
        phish.remove(n);
        dga.remove(n);
    }
    stats.overlap_dropped = both.len();

    let mut d = RealData {
        benign_top,
        ..RealData::default()
    };
    for n in benign {
        if is_test(seed, &n) {
            d.benign_test.push(n);
        } else {
            d.benign_train.push(n);
        }
    }
    for n in phish {
        if is_test(seed, &n) {
            d.phish_test.push(n);
        } else {
            d.phish_train.push(n);
        }
    }
    let mut by_family: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (n, f) in dga {
        by_family.entry(f).or_default().push(n);
    }
    for (fam, names) in by_family {
        let test = keyed(seed ^ 0xfa11, &fam).is_multiple_of(3);
        let cap = if test {
            limits.max_per_family_test
        } else {
            limits.max_per_family
        };
        let picked = sample(&names, cap, seed, |s: &String| s.as_str());
        let target = if test {
            stats.dga_test_families.push(fam.clone());
            &mut d.dga_test
        } else {
            stats.dga_train_families.push(fam.clone());
            &mut d.dga_train
        };
        target.extend(picked.into_iter().map(|n| (n, fam.clone())));
    }
    if let Some(c) = limits.per_class {
        let s = |v: &[String]| sample(v, c, seed, |s: &String| s.as_str());
        let p = |v: &[(String, String)]| sample(v, c, seed, |s: &(String, String)| s.0.as_str());
        d.benign_train = s(&d.benign_train);
        d.benign_test = s(&d.benign_test);
        d.phish_train = s(&d.phish_train);
        d.phish_test = s(&d.phish_test);
        d.dga_train = p(&d.dga_train);
        d.dga_test = p(&d.dga_test);
    }
    d.stats = stats;
    Ok(d)
}

/// Labels of a synthetic world, registrable domains, de-duplicated.
#[derive(Debug, Clone, Default)]
pub(crate) struct SyntheticData {
    /// `(registrable domain, label)`, label as in `labels.ndjson`.
    pub(crate) names: Vec<(String, String)>,
    /// The seed the world was generated with.
    pub(crate) seed: u64,
}

/// Generates a synthetic world of `domains` domains with `seed` into a
/// temporary directory and reads its labels (infrastructure domains and
/// sinkholes left out; a name with two labels keeps the first in file
/// order).
pub(crate) fn load_synthetic(seed: u64, domains: u64) -> Result<SyntheticData> {
    let dir = tempfile::tempdir().map_err(|e| Error::io(Path::new("tempdir"), e))?;
    let cfg = scry_gen::GenConfig {
        threads: 1,
        ..scry_gen::GenConfig::new(domains, 1, seed)
    };
    scry_gen::generate(&cfg, dir.path(), &|_| {})?;
    let path: PathBuf = dir.path().join("labels.ndjson");
    let text = read_file(&path)?;
    let mut seen = BTreeSet::new();
    let mut names = Vec::new();
    for (i, line) in String::from_utf8_lossy(&text).lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| Error::Data {
            path: path.clone(),
            line: i + 1,
            message: e.to_string(),
        })?;
        if v.get("infrastructure").and_then(serde_json::Value::as_bool) == Some(true) {
            continue;
        }
        let (Some(d), Some(l)) = (
            v.get("domain").and_then(serde_json::Value::as_str),
            v.get("label").and_then(serde_json::Value::as_str),
        ) else {
            return Err(Error::Data {
                path: path.clone(),
                line: i + 1,
                message: "expected domain and label".into(),
            });
        };
        if l == "sinkhole" {
            continue;
        }
        if let Some(r) = registrable(d)
            && seen.insert(r.clone())
        {
            names.push((r, l.to_string()));
        }
    }
    Ok(SyntheticData { names, seed })
}

#[cfg(test)]
mod tests;
