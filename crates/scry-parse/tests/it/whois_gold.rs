//! Field-level accuracy over the hand-verified gold subset
//! (`tests/data/whois-gold/*.json`: raw file path under shared/data, the
//! expected fields, and every correction of the upstream expectation with
//! its reason).
//!
//! A field is scored on every record where the gold or the parse has a
//! value: both empty is not counted, a value on one side only is a miss.
//! `cargo test -p scry-parse whois_accuracy -- --nocapture` prints the table.
//!
//! Formats, not TLDs, are counted (see [`formats`]): every record in the
//! ICANN RDDS template (any of `Registry Domain ID`, `Registrar IANA ID`,
//! `Registrar Abuse Contact Email`) is one format whatever its TLD, and the
//! other TLDs are merged when their key vocabularies are alike (Jaccard of
//! the key sets at least 0.7), so `.fr`, `.re`, `.pm`... (one AFNIC
//! template) count once.

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

/// The normalised keys of a response's `key:`, `key....:` and `[key]`
/// lines (lower case, runs of other characters as one space; at most 60
/// characters and 7 words; none with `http`).
fn key_set(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let c = line.trim();
        if c.is_empty() || c.starts_with(['%', '#', ';']) || c.starts_with(">>>") {
            continue;
        }
        let s = c.strip_prefix('[').unwrap_or(c);
        let chars: Vec<char> = s.chars().collect();
        let mut end = None;
        for (i, ch) in chars.iter().enumerate().take(61) {
            if i > 0 && matches!(ch, ']' | ':' | '.') {
                end = Some(i);
                break;
            }
            if matches!(ch, ':' | ']' | '[') {
                break;
            }
        }
        let Some(end) = end else { continue };
        let raw: String = chars[..end].iter().collect::<String>().to_lowercase();
        let mut key = String::new();
        let mut gap = false;
        for ch in raw.chars() {
            if ch.is_ascii_digit() || ch.is_ascii_lowercase() || ch >= '\u{c0}' {
                if gap && !key.is_empty() {
                    key.push(' ');
                }
                gap = false;
                key.push(ch);
            } else {
                gap = true;
            }
        }
        if !key.is_empty() && key.split(' ').count() <= 7 && !key.contains("http") {
            out.insert(key);
        }
    }
    out
}

/// The number of distinct formats among `(tld, raw text)` records: one for
/// the ICANN template, plus the groups of the other TLDs whose key sets
/// (union over the TLD's records) are alike, single-linkage at Jaccard
/// 0.7.
fn formats(records: &[(String, String)]) -> usize {
    const ICANN: [&str; 3] = [
        "registry domain id",
        "registrar iana id",
        "registrar abuse contact email",
    ];
    let mut icann = false;
    let mut by_tld: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (tld, text) in records {
        let keys = key_set(text);
        if ICANN.iter().any(|k| keys.contains(*k)) {
            icann = true;
        } else {
            by_tld.entry(tld).or_default().extend(keys);
        }
    }
    let sets: Vec<&BTreeSet<String>> = by_tld.values().collect();
    let mut parent: Vec<usize> = (0..sets.len()).collect();
    fn root(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            x = p[x];
        }
        x
    }
    for i in 0..sets.len() {
        for j in i + 1..sets.len() {
            let (a, b) = (sets[i], sets[j]);
            let inter = a.intersection(b).count();
            let union = a.union(b).count();
            if !a.is_empty() && !b.is_empty() && inter * 10 >= union * 7 {
                let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                parent[ri] = rj;
            }
        }
    }
    let groups: BTreeSet<usize> = (0..sets.len()).map(|i| root(&mut parent, i)).collect();
    groups.len() + usize::from(icann)
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
    let mut texts = Vec::new();
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
        texts.push((
            g["tld"].as_str().unwrap_or("").to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
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
    let formats = formats(&texts);
    println!(
        "whois gold: {records} records, {} TLDs, {formats} formats, {corrections} corrections of upstream",
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
    assert!(formats >= 60, "gold set covers {formats} formats");
    for (field, floor) in FLOORS {
        assert!(
            acc[field] >= *floor,
            "{field} accuracy {:.3} below {floor}",
            acc[field]
        );
    }
}
