//! Golden fixtures: facts in, profile / pivot / search JSON out, including
//! after a replayed ingest. Expected files were checked by hand against the
//! input (tests/data/golden/input.ndjson); refresh with UPDATE_EXPECT=1 and
//! review the diff.

use std::path::Path;

use serde_json::Value;

use crate::{fixture, json, ok};

fn check_golden(name: &str, actual: &Value) {
    let path = fixture("golden").join(name);
    let pretty = serde_json::to_string_pretty(actual).unwrap() + "\n";
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &pretty).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_EXPECT=1)", path.display()));
    let expected: Value = serde_json::from_str(&expected).unwrap();
    assert_eq!(
        &expected, actual,
        "golden {name} differs; actual:\n{pretty}"
    );
}

fn ingest(data: &Path) -> Value {
    let input = fixture("golden/input.ndjson");
    json(
        data,
        &[
            "ingest",
            "facts",
            input.to_str().unwrap(),
            "--json",
            "--progress",
            "none",
        ],
    )
}

#[test]
fn golden_profile_pivot_search_and_replay() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = ingest(&data);
    assert_eq!(first["stored"], 14);
    assert_eq!(first["rejected"], 0);
    // Replaying the same file changes nothing.
    let again = ingest(&data);
    assert_eq!(again["already_complete"], true);
    assert_eq!(again["stored"], 0);

    let pv = |field: &str, value: &str, scope: &str| {
        json(&data, &["pivot", field, value, "--scope", scope, "--json"])
    };
    let shared = pv("nameserver_host", "ns1.shared-dns.net", "current");
    assert_eq!(shared["total"], 3);
    assert_eq!(
        shared["domains"],
        serde_json::json!(["alpha-shop.com", "beta-shop.net", "gamma.co.uk"]),
        "pages are in label-reversed key order (com, net, uk)"
    );
    let old = pv("ns", "NS1.OLD-DNS.ORG", "historic");
    assert_eq!(
        (old["total"].as_u64(), old["historic_total"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(
        old["domains"],
        serde_json::json!(["alpha-shop.com", "gamma.co.uk"])
    );
    let org = pv("registrant_org", "alpha trading ltd", "current");
    assert_eq!(org["total"], 2, "free text compares case-insensitively");
    let ip = pv("ip", "192.0.2.10", "current");
    assert_eq!(ip["total"], 2, "www and apex of alpha-shop.com count once");
    check_golden("pivot-ns.json", &shared);

    let profile = json(&data, &["profile", "www.alpha-shop.com", "--json"]);
    assert_eq!(profile["domain"], "alpha-shop.com");
    assert_eq!(profile["queried"], "www.alpha-shop.com");
    // Every value's count equals the total of the pivot on it.
    for (_, section) in profile.as_object().unwrap() {
        let Some(fields) = section.as_object() else {
            continue;
        };
        for (field, values) in fields {
            let Some(values) = values.as_array() else {
                continue;
            };
            for v in values {
                if v.get("count").is_none() {
                    continue;
                }
                let p = pv(field, v["value"].as_str().unwrap(), "current");
                assert_eq!(v["count"], p["total"], "{field}={}", v["value"]);
            }
        }
    }
    let ip = &profile["hosting"]["ip"][0];
    assert_eq!(ip["asn"], 64500);
    assert_eq!(ip["observations"], 11);
    assert_eq!(ip["first_seen"], "2026-01-01T00:00:00Z");
    assert_eq!(
        profile["name_servers"]["nameserver_host"][1]["current"],
        false
    );
    check_golden("profile-alpha.json", &profile);

    let s = json(
        &data,
        &[
            "search",
            "nameserver_host=ns1.shared-dns.net AND NOT ip=192.0.2.10",
            "--json",
        ],
    );
    assert_eq!(s["domains"], serde_json::json!(["gamma.co.uk"]));
    let s = json(
        &data,
        &[
            "search",
            r#"registrant_org="Alpha Trading Ltd" OR (ns=ns1.old-dns.org AND ip=192.0.2.10)"#,
            "--json",
        ],
    );
    assert_eq!(s["total"], 2);
    check_golden("search-or.json", &s);

    let check = json(&data, &["store", "check", "--json"]);
    assert_eq!(check["ok"], true, "{check}");
    let _ = ok(&data, &["fields"]);
}
