//! WHOIS/RDAP end to end on real responses from ../shared/data: parse,
//! ingest with observation dates, history diffs, reverse WHOIS with current
//! and historic counts, and the profile.

use std::path::PathBuf;

use crate::{json, ok, run, scry};

fn shared(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")).join(rel)
}

#[test]
fn whois_history_diff_and_reverse_whois() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let v1 = shared("whois/likexian/testdata/noterror/com_google.com");
    // A later record of the same domain: a registrar transfer, a new name
    // server and a new registrant organisation (derived from the real one).
    let text = std::fs::read_to_string(&v1).unwrap();
    assert!(text.contains("MarkMonitor, Inc.") && text.contains("ns1.google.com"));
    let v2 = dir.path().join("google.com-v2.txt");
    std::fs::write(
        &v2,
        text.replace("MarkMonitor, Inc.", "Other Registrar LLC")
            .replace("ns1.google.com", "ns1.example-dns.net")
            .replace("NS1.GOOGLE.COM", "NS1.EXAMPLE-DNS.NET")
            .replace(
                "Registrant Organization: Google LLC",
                "Registrant Organization: Example Holdings",
            ),
    )
    .unwrap();

    let parsed: serde_json::Value =
        serde_json::from_str(&ok(&data, &["parse", "whois", v1.to_str().unwrap()])).unwrap();
    assert_eq!(parsed["registrar"]["name"], "MarkMonitor, Inc.");
    assert_eq!(parsed["created"], "1997-09-15T07:00:00Z");

    let s1 = json(
        &data,
        &[
            "ingest",
            "whois",
            v1.to_str().unwrap(),
            "--date",
            "2026-01-01",
            "--json",
        ],
    );
    assert_eq!(s1["rejected"], 0);
    json(
        &data,
        &[
            "ingest",
            "whois",
            v2.to_str().unwrap(),
            "--date",
            "2026-02-01",
            "--json",
        ],
    );
    // Replaying a file changes nothing.
    let again = json(
        &data,
        &[
            "ingest",
            "whois",
            v1.to_str().unwrap(),
            "--date",
            "2026-01-01",
            "--json",
        ],
    );
    assert_eq!(again["skipped"], 1);

    let hist = json(&data, &["whois", "google.com", "--history", "--json"]);
    assert_eq!(hist["versions"].as_array().unwrap().len(), 2);
    let diffs = json(&data, &["whois", "google.com", "--diff", "--json"]);
    let fields: Vec<&str> = diffs[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"registrar"), "{fields:?}");
    assert!(fields.contains(&"name_servers"), "{fields:?}");
    assert!(fields.contains(&"registrant.org"), "{fields:?}");

    let rw = json(
        &data,
        &[
            "reverse-whois",
            "google llc",
            "--field",
            "registrant_org",
            "--scope",
            "historic",
            "--json",
        ],
    );
    assert_eq!(rw["domain_count"]["current"], 0);
    assert_eq!(rw["domain_count"]["historic"], 1);
    assert_eq!(rw["domains"], serde_json::json!(["google.com"]));
    let rw = json(&data, &["reverse-whois", "Example Holdings", "--json"]);
    assert_eq!(rw["domain_count"]["current"], 1);

    let p = json(&data, &["profile", "google.com", "--json"]);
    assert_eq!(
        p["registration"]["registrar"][0]["value"],
        "Other Registrar LLC"
    );
    assert_eq!(p["registration"]["registrar"][0]["current"], true);
    assert_eq!(p["registration"]["registrar"][1]["current"], false);
}

#[test]
fn rdap_ingest_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let lemonde = shared("rdap/icann-rdap/icann-rdap-client/src/test_files/lemonde.fr.json");
    json(
        &data,
        &[
            "ingest",
            "rdap",
            lemonde.to_str().unwrap(),
            "--date",
            "2026-03-01",
            "--json",
        ],
    );
    let p = json(&data, &["profile", "lemonde.fr", "--json"]);
    assert_eq!(p["registration"]["registrar"][0]["value"], "NAMESHIELD");
    let w = json(&data, &["whois", "lemonde.fr", "--json"]);
    assert_eq!(w["current_from"], "rdap");

    // An RDAP error document and binary garbage are rejected with the file named.
    let err =
        shared("rdap/icann-rdap/icann-rdap-common/src/response/test_files/error_ripe_net.json");
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, [0u8, 159, 146, 150, 255, 1, 2]).unwrap();
    let s = json(
        &data,
        &[
            "ingest",
            "rdap",
            err.to_str().unwrap(),
            garbage.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(s["rejected"], 2, "{s}");
    let o = run(
        &data,
        &["ingest", "rdap", garbage.to_str().unwrap(), "--strict"],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("garbage.json"));
    let o = scry()
        .args(["parse", "rdap", garbage.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!o.status.success());
}
