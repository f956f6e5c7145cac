//! Zone snapshots end to end on real root-zone files: the diff between two
//! snapshots equals an independent computation from the raw files, replay
//! changes nothing, and a date is required when the serial is not one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::{json, ok, run};

fn root(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/zones/rootzone-2018/history"
    ))
    .join(name)
}

/// TLD -> NS set, read independently of Scry's parser (these files are one
/// record per line, whitespace separated, absolute names).
fn ns_sets(path: &PathBuf) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() >= 5 && f[3].eq_ignore_ascii_case("NS") && f[0] != "." {
            out.entry(f[0].trim_end_matches('.').to_lowercase())
                .or_default()
                .insert(f[4].trim_end_matches('.').to_lowercase());
        }
    }
    out
}

#[test]
fn root_zone_diff_matches_raw_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let (a, b) = (root("root.zone.20180207"), root("root.zone.20180301"));
    let s = json(
        &data,
        &[
            "ingest",
            "zone",
            a.to_str().unwrap(),
            "--progress",
            "none",
            "--json",
        ],
    );
    assert_eq!(s["rejected"], 0);
    json(
        &data,
        &[
            "ingest",
            "zone",
            b.to_str().unwrap(),
            "--progress",
            "none",
            "--json",
        ],
    );
    let again = json(
        &data,
        &[
            "ingest",
            "zone",
            b.to_str().unwrap(),
            "--progress",
            "none",
            "--json",
        ],
    );
    assert_eq!(again["already_complete"], true);

    let (old, new) = (ns_sets(&a), ns_sets(&b));
    let mut expect = BTreeSet::new();
    for (tld, ns) in &new {
        match old.get(tld) {
            None => expect.insert(("added".to_string(), tld.clone())),
            Some(o) if o != ns => expect.insert(("changed".to_string(), tld.clone())),
            _ => false,
        };
    }
    for tld in old.keys() {
        if !new.contains_key(tld) {
            expect.insert(("removed".to_string(), tld.clone()));
        }
    }
    assert!(!expect.is_empty(), "the two snapshots differ");
    let out = ok(&data, &["zone", "diff", "--origin", ".", "--json"]);
    let got: BTreeSet<(String, String)> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["date"], "2018-03-01");
            (
                v["kind"].as_str().unwrap().to_string(),
                v["domain"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, expect);

    // With no earlier snapshot every domain is added.
    let first = ok(
        &data,
        &[
            "zone",
            "diff",
            "--origin",
            ".",
            "--to",
            "2018-02-07",
            "--json",
        ],
    );
    assert_eq!(first.lines().count(), old.len());

    // A changed TLD's profile shows the new name servers as current.
    if let Some((_, tld)) = expect.iter().find(|(k, _)| k == "changed") {
        let p = json(&data, &["profile", tld, "--json"]);
        let current: BTreeSet<String> = p["name_servers"]["nameserver_host"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["current"] == true)
            .map(|v| v["value"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(&current, &new[tld]);
    }
    let check = json(&data, &["store", "check", "--json"]);
    assert_eq!(check["ok"], true);
}

#[test]
fn zone_without_date_asks_for_one() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("lab.zone");
    std::fs::write(
        &f,
        "$ORIGIN lab.\n@ 3600 IN SOA ns.lab. host.lab. 7 3600 600 86400 300\n@ IN NS ns.lab.\nfoo IN NS ns1.example.net.\n",
    )
    .unwrap();
    let o = run(
        &dir.path().join("d"),
        &["ingest", "zone", f.to_str().unwrap(), "--progress", "none"],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("give --date"));
    let s = json(
        &dir.path().join("d"),
        &[
            "ingest",
            "zone",
            f.to_str().unwrap(),
            "--date",
            "2026-01-01",
            "--progress",
            "none",
            "--json",
        ],
    );
    assert_eq!(s["rejected"], 0);
    let p = json(
        &dir.path().join("d"),
        &["pivot", "ns", "ns1.example.net", "--json"],
    );
    assert_eq!(p["domains"], serde_json::json!(["foo.lab"]));
}
