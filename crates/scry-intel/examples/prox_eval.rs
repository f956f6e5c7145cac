//! Re-runs the proximity pass on the store of a kept `scry evaluate
//! --proximity-only --proximity-work WORK` directory and prints the same
//! campaign figures (campaigns of which at least 90 % of the unlisted
//! members score at or above the lowest threshold with a false-positive
//! rate of at most 1 % on unlisted benign and parked domains), without
//! rebuilding the `scry` binary: for tuning on the tuning seeds.
//!
//! ```text
//! cargo run --release -p scry-intel --example prox_eval -- WORK [DUMP.ndjson]
//! ```
//!
//! With `DUMP`, each labelled domain's score, hop-1 score, stored evidence and holdings (weighed
//! predicates, registrar and creation date) are written there as JSON
//! lines, for analysis.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use scry_model::{DomainName, Entity};
use scry_store::{DataDir, StateStore, Store};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Label {
    domain: String,
    label: String,
    campaign: Option<String>,
    listed: bool,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(work) = args.next() else {
        eprintln!("usage: prox_eval WORK [DUMP.ndjson]");
        std::process::exit(2);
    };
    let dump = args.next();
    let work = std::path::Path::new(&work);
    let dd = DataDir::open(&work.join("data"), false).expect("data dir");
    let store = scry_store::embedded::EmbeddedStore::open(&dd).expect("store");
    let state = StateStore::open(&dd).expect("state");
    let t = std::time::Instant::now();
    let sum =
        scry_intel::risk::proximity::full_pass(&store, &state, 0, &mut |_, _, _| {}).expect("pass");
    let pass_s = t.elapsed().as_secs_f64();
    let stored = scry_intel::risk::proximity::stored_all(&state, 1).expect("stored");
    let f = std::fs::File::open(work.join("world").join("labels.ndjson")).expect("labels");
    let labels: Vec<Label> = std::io::BufReader::new(f)
        .lines()
        .map_while(|l| l.ok())
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l).ok()?;
            Some(Label {
                domain: v["domain"].as_str()?.to_string(),
                label: v["label"].as_str()?.to_string(),
                campaign: v["campaign"].as_str().map(str::to_string),
                listed: v["listed"].as_bool().unwrap_or(false),
            })
        })
        .collect();
    let score = |d: &str| stored.get(d).map_or(0, |s| s.score);
    let mut seeded: BTreeMap<&str, bool> = BTreeMap::new();
    for l in &labels {
        if let Some(c) = &l.campaign {
            *seeded.entry(c.as_str()).or_default() |= l.listed;
        }
    }
    let neg: Vec<u8> = labels
        .iter()
        .filter(|l| (l.label == "benign" || l.label == "parked") && !l.listed)
        .map(|l| score(&l.domain))
        .collect();
    let fpr = |t: u8| neg.iter().filter(|&&s| s >= t).count() as f64 / neg.len().max(1) as f64;
    let threshold = (1..=100u8).find(|&t| fpr(t) <= 0.01).unwrap_or(100);
    let malicious = |l: &str| matches!(l, "phishing" | "spam" | "malware_dga");
    let mut per: BTreeMap<(&str, &str), (u64, u64)> = BTreeMap::new();
    for l in labels.iter().filter(|l| malicious(&l.label) && !l.listed) {
        let Some(c) = l.campaign.as_deref() else {
            continue;
        };
        if !seeded.get(c).copied().unwrap_or(false) {
            continue;
        }
        let e = per.entry((l.label.as_str(), c)).or_default();
        e.0 += 1;
        e.1 += u64::from(score(&l.domain) >= threshold);
    }
    let mut out = String::new();
    let (mut all, mut all90) = (0, 0);
    for label in ["phishing", "spam", "malware_dga"] {
        let cs: Vec<&(u64, u64)> = per
            .iter()
            .filter(|((l, _), _)| *l == label)
            .map(|(_, v)| v)
            .collect();
        let n90 = cs
            .iter()
            .filter(|(n, f)| *f as f64 >= 0.9 * *n as f64)
            .count();
        all += cs.len();
        all90 += n90;
        out.push_str(&format!(" {label} {n90}/{}", cs.len()));
    }
    println!(
        "threshold {threshold} fpr {:.4} fpr50 {:.4} campaigns90 {all90}/{all} ({:.1} %){out} pass {pass_s:.1}s hop2_seeds {} values {} edges {}",
        fpr(threshold) * 100.0,
        fpr(50) * 100.0,
        100.0 * all90 as f64 / all.max(1) as f64,
        sum.hop2_seeds,
        sum.values,
        sum.edges,
    );
    let Some(dump) = dump else { return };
    let mut w = std::io::BufWriter::new(std::fs::File::create(dump).expect("dump"));
    for l in &labels {
        let Ok(d) = DomainName::parse(&l.domain) else {
            continue;
        };
        let hs = store
            .holdings(&Entity::Domain(d.registrable_name()))
            .expect("holdings");
        let vals: Vec<serde_json::Value> = hs
            .iter()
            .filter(|h| {
                scry_intel::risk::proximity::predicate_weight(h.predicate).is_some()
                    || h.predicate == scry_model::Predicate::REGISTRAR
                    || h.predicate == scry_model::Predicate::CREATED
            })
            .map(|h| {
                serde_json::json!([
                    h.predicate.name(),
                    h.object.to_string(),
                    h.current,
                    h.window.first_seen.div_euclid(86_400)
                ])
            })
            .collect();
        let line = serde_json::json!({
            "d": l.domain, "label": l.label, "c": l.campaign, "listed": l.listed,
            "score": score(&l.domain), "vals": vals,
            "hop1": stored.get(&l.domain).map_or(0, |s| s.hop1),
            "ev": stored.get(&l.domain).map(|s| s.evidence.clone()).unwrap_or_default(),
        });
        writeln!(w, "{line}").expect("write");
    }
}
