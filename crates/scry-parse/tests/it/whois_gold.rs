//! Field-level accuracy over the hand-verified gold subset
//! (`tests/data/whois-gold/*.json`: raw file path under shared/data, the
//! expected fields, and every correction of the upstream expectation with
//! its reason).
//!
//! A field is scored on every record where the gold or the parse has a
//! value: both empty is not counted, a value on one side only is a miss.
//! `cargo test -p scry-parse whois_accuracy -- --nocapture` prints the table.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use scry_parse::{RegistrationRecord, parse_whois_bytes};

const FIELDS: &[&str] = &[
    "domain",
    "registrar",
    "created",
    "updated",
    "expires",
    "name_servers",
    "statuses",
    "registrant_org",
    "registrant_email",
    "registrant_country",
];

/// Floors from the issue.
const FLOORS: &[(&str, f64)] = &[
    ("registrar", 0.98),
    ("created", 0.98),
    ("expires", 0.98),
    ("name_servers", 0.98),
    ("statuses", 0.98),
    ("registrant_org", 0.95),
    ("registrant_country", 0.95),
];

fn got(rec: &RegistrationRecord, field: &str) -> Value {
    let s = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    let set = |v: &[String]| {
        if v.is_empty() {
            Value::Null
        } else {
            let b: BTreeSet<String> = v.iter().cloned().collect();
            Value::Array(b.into_iter().map(Value::String).collect())
        }
    };
    let r = &rec.contacts.registrant;
    match field {
        "domain" => s(&rec.domain),
        "registrar" => s(&rec.registrar.name),
        "created" => s(&rec.created),
        "updated" => s(&rec.updated),
        "expires" => s(&rec.expires),
        "name_servers" => set(&rec.name_servers),
        "statuses" => set(&rec.statuses),
        "registrant_org" => s(&r.org),
        "registrant_email" => s(&r.email),
        "registrant_country" => s(&r.country),
        _ => Value::Null,
    }
}

fn norm(v: &Value) -> Value {
    match v {
        Value::String(s) if s.is_empty() => Value::Null,
        Value::String(s) => Value::String(s.to_lowercase()),
        Value::Array(a) if a.is_empty() => Value::Null,
        Value::Array(a) => {
            let b: BTreeSet<String> = a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_lowercase)
                .collect();
            Value::Array(b.into_iter().map(Value::String).collect())
        }
        other => other.clone(),
    }
}

#[test]
fn whois_accuracy() {
    let gold_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/whois-gold");
    let files = super::walk(std::path::Path::new(gold_dir));
    let mut tlds = BTreeSet::new();
    let mut records = 0;
    let mut corrections = 0;
    // field -> (scored, correct)
    let mut score: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    let mut misses = Vec::new();
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
    {
        let g: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        let raw = g["raw"].as_str().expect("raw path");
        let bytes = std::fs::read(super::data().join(raw))
            .unwrap_or_else(|e| panic!("{raw}: {e} (is ../shared/data beside the repo?)"));
        let rec = parse_whois_bytes(&bytes);
        records += 1;
        tlds.insert(g["tld"].as_str().unwrap_or("").to_string());
        corrections += g["corrections"].as_array().map_or(0, Vec::len);
        for field in FIELDS {
            let want = norm(&g["expected"][*field]);
            let have = norm(&got(&rec, field));
            if want.is_null() && have.is_null() {
                continue;
            }
            let e = score.entry(field).or_default();
            e.0 += 1;
            if want == have {
                e.1 += 1;
            } else {
                misses.push(format!("{raw} {field}: want {want} got {have}"));
            }
        }
    }
    println!(
        "whois gold: {records} records, {} TLDs, {corrections} corrections of upstream",
        tlds.len()
    );
    println!(
        "{:<20} {:>6} {:>6} {:>8}",
        "field", "scored", "right", "accuracy"
    );
    let mut acc = BTreeMap::new();
    for field in FIELDS {
        let (n, ok) = score.get(field).copied().unwrap_or((0, 0));
        let a = if n == 0 {
            1.0
        } else {
            f64::from(ok) / f64::from(n)
        };
        acc.insert(*field, a);
        println!("{field:<20} {n:>6} {ok:>6} {a:>8.3}");
    }
    for m in &misses {
        println!("miss: {m}");
    }
    assert!(records >= 150, "gold set has {records} records");
    assert!(tlds.len() >= 60, "gold set covers {} TLDs", tlds.len());
    for (field, floor) in FLOORS {
        assert!(
            acc[field] >= *floor,
            "{field} accuracy {:.3} below {floor}",
            acc[field]
        );
    }
}
