//! Passive DNS end to end on captures made with real software (unbound with
//! dnstap answering from nsd, tcpdump; see scry-parse's
//! tests/data/pdns/make_captures.sh): every answer dig received is stored and
//! found again with DNSDB-style queries; wildcards, prefixes, fences, limits.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::{json, ok, run};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scry-parse/tests/data/pdns"
    ))
    .join(name)
}

/// (name, type, rdata) of every answer in dig's transcript.
fn dig_answers() -> BTreeSet<(String, String, String)> {
    let text = std::fs::read_to_string(fixture("lab.dig.txt")).unwrap();
    let mut out = BTreeSet::new();
    let mut in_answer = false;
    for line in text.lines() {
        if line.starts_with(";; ANSWER SECTION") {
            in_answer = true;
            continue;
        }
        if line.trim().is_empty() || line.starts_with(';') {
            in_answer = false;
            continue;
        }
        if in_answer {
            let f: Vec<&str> = line.split_whitespace().collect();
            let rdata = f[4..].join(" ");
            let rdata = match f[3] {
                "MX" => f[5].trim_end_matches('.').to_string(),
                // Scry's normal form has no trailing dot on names in rdata.
                "TXT" => rdata,
                _ => rdata.trim_end_matches('.').to_string(),
            };
            out.insert((
                f[0].trim_end_matches('.').to_string(),
                f[3].to_string(),
                rdata,
            ));
        }
    }
    out
}

#[test]
fn dnstap_and_pcap_answers_are_all_stored_and_queryable() {
    let dir = tempfile::tempdir().unwrap();
    for (file, extra) in [
        ("lab.fstrm", vec![]),
        ("lab.pcap", vec!["--dns-port", "5300", "--dns-port", "5301"]),
    ] {
        let data = dir.path().join(file);
        let f = fixture(file);
        let mut args = vec!["ingest", "pdns", f.to_str().unwrap(), "--json"];
        args.extend(extra.iter().copied());
        let s = json(&data, &args);
        assert_eq!(s["rejected"], 0, "{file}: {s}");
        let again = json(&data, &args);
        assert_eq!(again["already_complete"], true);

        let answers = dig_answers();
        assert!(answers.len() >= 8);
        for (name, rtype, rdata) in &answers {
            if rtype == "SOA" {
                continue;
            }
            let out = ok(&data, &["pdns", "rrset", name, "--type", rtype, "--json"]);
            let found = out.lines().any(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["rrtype"] == rtype.as_str()
                    && v["rdata"].as_str().unwrap().eq_ignore_ascii_case(rdata)
            });
            assert!(found, "{file}: {name} {rtype} {rdata} not found in:\n{out}");
        }
        // Left-hand wildcard and single label; reverse by prefix and by name.
        let all = ok(&data, &["pdns", "rrset", "*.lab.test", "--json"]);
        assert!(all.lines().any(|l| l.contains("\"www.lab.test\"")));
        // Right-hand wildcard: the same answers by leading labels.
        let right = ok(&data, &["pdns", "rrset", "www.lab.*", "--json"]);
        let left: Vec<&str> = all
            .lines()
            .filter(|l| l.contains("\"rrname\":\"www.lab.test\""))
            .collect();
        assert!(!left.is_empty());
        assert_eq!(right.lines().collect::<Vec<_>>(), left, "{file}");
        let ips = ok(&data, &["pdns", "rdata", "ip", "192.0.2.0/24", "--json"]);
        assert!(ips.lines().count() >= 3, "{ips}");
        let v6 = ok(&data, &["pdns", "rdata", "ip", "2001:db8::/32", "--json"]);
        assert!(v6.contains("2001:db8::10"), "{v6}");
        let alias = ok(&data, &["pdns", "rdata", "name", "www.lab.test", "--json"]);
        assert!(alias.contains("alias.lab.test"), "{alias}");
        // Time fences: nothing was first seen after now.
        let none = ok(
            &data,
            &[
                "pdns",
                "rrset",
                "*.lab.test",
                "--first-after",
                "-0d",
                "--json",
            ],
        );
        assert!(none.trim().is_empty(), "{none}");
        let past = ok(
            &data,
            &[
                "pdns",
                "rrset",
                "*.lab.test",
                "--last-after",
                "2020-01-01",
                "--json",
            ],
        );
        assert!(!past.trim().is_empty());
        // Limits: a distinct exit status, and DNSDB's limited condition.
        let o = run(
            &data,
            &["pdns", "rrset", "www.lab.test", "--limit", "1", "--dnsdb"],
        );
        assert_eq!(o.status.code(), Some(4));
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.starts_with("{\"cond\":\"begin\"}"));
        assert!(
            text.trim_end()
                .ends_with("{\"cond\":\"limited\",\"msg\":\"result limit reached\"}"),
            "{text}"
        );
        let s = json(
            &data,
            &["pdns", "rrset", "www.lab.test", "--summarize", "--json"],
        );
        assert!(s["num_results"].as_u64().unwrap() >= 3);
    }
}

#[test]
fn line_formats_and_bad_records() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    for f in [
        "cof.ndjson",
        "dnsdb.saf",
        "zeek-dns.log",
        "zeek-dns.json",
        "passivedns.log",
    ] {
        let p = fixture(f);
        let s = json(&data, &["ingest", "pdns", p.to_str().unwrap(), "--json"]);
        assert!(s["stored"].as_u64().unwrap() > 0, "{f}: {s}");
        // The fixtures carry deliberately broken lines: reported with positions.
        for e in s["rejected_examples"].as_array().unwrap() {
            assert!(e.as_str().unwrap().contains(f), "{e}");
        }
    }
    // Right-hand wildcards: `WWW.Example.com.` (COF) is found by its
    // leading labels, label-aligned; both wildcards at once are refused.
    for q in ["www.example.*", "WWW.example.+", "www.*"] {
        let out = ok(&data, &["pdns", "rrset", q, "--json"]);
        assert!(out.contains("\"www.example.com\""), "{q}: {out}");
        assert!(!out.contains("\"rrname\":\"example.com\""), "{q}: {out}");
    }
    let none = ok(&data, &["pdns", "rrset", "www.exampl.*", "--json"]);
    assert!(none.trim().is_empty(), "{none}");
    let none = ok(&data, &["pdns", "rrset", "www.+", "--json"]);
    assert!(
        none.trim().is_empty(),
        "www.+ is one label after www: {none}"
    );
    let o = run(&data, &["pdns", "rrset", "*.example.*"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("one wildcard"));
    let o = run(&data, &["pdns", "rdata", "name", "ns1.example.*"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("rrset names only"));
}

#[test]
fn asn_table_enriches_ips_and_makes_asn_a_pivot() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let input = crate::fixture("golden/input.ndjson");
    ok(
        &data,
        &[
            "ingest",
            "facts",
            input.to_str().unwrap(),
            "--progress",
            "none",
        ],
    );
    let table = dir.path().join("ip2asn.tsv");
    std::fs::write(
        &table,
        "0.0.0.0\t192.0.1.255\t0\tNone\tNot routed\n192.0.2.0\t192.0.2.127\t64496\tNL\tEXAMPLE-NET\nbad line\n",
    )
    .unwrap();
    let s = json(
        &data,
        &[
            "ingest",
            "asn",
            table.to_str().unwrap(),
            "--date",
            "2026-03-02",
            "--json",
        ],
    );
    assert_eq!(s["rejected"], 1, "{s}");
    let p = json(&data, &["pivot", "asn", "AS64496", "--json"]);
    assert_eq!(
        p["domains"],
        serde_json::json!(["alpha-shop.com", "beta-shop.net"])
    );
    assert_eq!(p["total"], 2);
    let prof = json(&data, &["profile", "alpha-shop.com", "--json"]);
    let ip = &prof["hosting"]["ip"][0];
    assert_eq!(ip["asn"], 64496, "the newer table wins: {ip}");
    assert_eq!(ip["country"], "NL");
    assert_eq!(prof["hosting"]["asn"][0]["value"], "64496");
}

/// A sorted-pass load into an empty store takes the embedded engine's pDNS
/// form; `--fact-path` the bulk load. Both answer the same through the
/// binary (queries, profile, pivots, events, `store check`).
#[test]
fn pdns_form_and_fact_path_answer_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("cof.ndjson");
    let (form, facts) = (dir.path().join("form"), dir.path().join("facts"));
    for (data, extra) in [(&form, None), (&facts, Some("--fact-path"))] {
        let mut args = vec![
            "ingest",
            "pdns",
            f.to_str().unwrap(),
            "--bulk-min-mib",
            "0",
            "--json",
        ];
        args.extend(extra);
        let s = json(data, &args);
        assert!(s["stored"].as_u64().unwrap() > 0, "{s}");
    }
    let queries: &[&[&str]] = &[
        &["pdns", "rrset", "*.example.com", "--json"],
        &["pdns", "rrset", "www.example.*", "--json"],
        &["pdns", "rdata", "ip", "192.0.2.0/24", "--json"],
        &["profile", "example.com", "--json"],
        &["pivot", "ip", "192.0.2.1", "--scope", "all", "--json"],
        &[
            "pivot",
            "nameserver_host",
            "ns1.example.net",
            "--scope",
            "all",
            "--json",
        ],
        &["store", "check", "--json"],
    ];
    for q in queries {
        let (a, b) = (ok(&facts, q), ok(&form, q));
        assert!(!a.trim().is_empty(), "{q:?} answers something");
        assert_eq!(a, b, "{q:?}");
    }
    let check = json(&form, &["store", "check", "--json"]);
    assert_eq!(
        check["problems"].as_array().map(Vec::len),
        Some(0),
        "{check}"
    );
}
