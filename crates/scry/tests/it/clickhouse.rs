//! `scry --store clickhouse://...` end to end against a real ClickHouse
//! server (started by scripts/clickhouse-test-server on 127.0.0.1, stopped
//! by a watchdog when this process exits): the same commands give the same
//! answers as the embedded engine. Nothing is skipped: if the server cannot
//! start, the test fails with the reason.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::{fixture, scry};

fn server() -> &'static str {
    static S: OnceLock<Result<String, String>> = OnceLock::new();
    let r = S.get_or_init(|| {
        if let Ok(u) = std::env::var("SCRY_TEST_CLICKHOUSE_URL") {
            return Ok(u);
        }
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/clickhouse-test-server"
        );
        let pid = std::process::id();
        let base = 40_000 + (pid % 300) * 20;
        let out = Command::new("bash")
            .arg(script)
            .args([
                "start",
                "1",
                "--port-base",
                &base.to_string(),
                "--owner-pid",
                &pid.to_string(),
            ])
            .output()
            .map_err(|e| format!("cannot run {script}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{script}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        text.lines()
            .find_map(|l| l.strip_prefix("CH_URL="))
            .map(|v| v.trim_matches('\'').to_string())
            .ok_or_else(|| format!("no CH_URL in: {text}"))
    });
    match r {
        Ok(u) => u,
        Err(e) => panic!("clickhouse test server unavailable: {e}"),
    }
}

fn db_url(name: &str) -> String {
    let base = server();
    let head = base.rsplit_once('/').map_or(base, |(h, _)| h);
    format!("{head}/scry_cli_{}_{name}", std::process::id())
}

fn run(data: &Path, store: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut c = scry();
    c.arg("--data-dir")
        .arg(data)
        .env_remove("SCRY_STORE")
        .env_remove("SCRY_DATA");
    if let Some(s) = store {
        c.arg("--store").arg(s);
    }
    c.args(args).output().unwrap()
}

fn json(data: &Path, store: Option<&str>, args: &[&str]) -> Value {
    let o = run(data, store, args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn lines(data: &Path, store: Option<&str>, args: &[&str]) -> Vec<Value> {
    let o = run(data, store, args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn same_answers_as_the_embedded_engine() {
    let dir = tempfile::tempdir().unwrap();
    let url = db_url("same");
    let ch = Some(url.as_str());
    let (e_data, c_data) = (dir.path().join("embedded"), dir.path().join("state"));

    // An unmigrated database is refused with the way out named.
    let o = run(&c_data, ch, &["profile", "example.com"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("scry store migrate"));
    let o = run(&c_data, ch, &["store", "migrate"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let facts = fixture("golden/input.ndjson");
    let whois = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/whois/likexian/testdata/noterror/com_google.com");
    let zone = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/zones/rootzone-2018/history/root.zone.20180207");
    let pcap =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../scry-parse/tests/data/pdns/lab.fstrm");
    for (data, store) in [(&e_data, None), (&c_data, ch)] {
        for args in [
            vec![
                "ingest",
                "facts",
                facts.to_str().unwrap(),
                "--progress",
                "none",
                "--json",
            ],
            vec![
                "ingest",
                "whois",
                whois.to_str().unwrap(),
                "--date",
                "2026-01-01",
                "--json",
            ],
            vec![
                "ingest",
                "zone",
                zone.to_str().unwrap(),
                "--progress",
                "none",
                "--json",
            ],
            vec!["ingest", "pdns", pcap.to_str().unwrap(), "--json"],
        ] {
            let s = json(data, store, &args);
            assert_eq!(s["rejected"], 0, "{args:?}: {s}");
        }
        // Replay changes nothing, on both engines (the ledger).
        let again = json(
            data,
            store,
            &[
                "ingest",
                "facts",
                facts.to_str().unwrap(),
                "--progress",
                "none",
                "--json",
            ],
        );
        assert_eq!(again["already_complete"], true);
    }
    let same = |args: &[&str]| {
        let a = json(&e_data, None, args);
        let b = json(&c_data, ch, args);
        assert_eq!(a, b, "{args:?} differs between engines");
    };
    same(&["profile", "www.alpha-shop.com", "--json"]);
    same(&["profile", "google.com", "--json"]);
    same(&["profile", "com", "--json"]);
    same(&["pivot", "nameserver_host", "ns1.shared-dns.net", "--json"]);
    same(&[
        "pivot",
        "ns",
        "ns1.old-dns.org",
        "--scope",
        "historic",
        "--json",
    ]);
    same(&[
        "pivot",
        "ns",
        "a.gtld-servers.net",
        "--limit",
        "3",
        "--json",
    ]);
    same(&[
        "search",
        "nameserver_host=ns1.shared-dns.net AND NOT ip=192.0.2.10",
        "--json",
    ]);
    same(&["reverse-whois", "Google LLC", "--json"]);
    let a = lines(&e_data, None, &["pdns", "rrset", "*.lab.test", "--json"]);
    let b = lines(&c_data, ch, &["pdns", "rrset", "*.lab.test", "--json"]);
    assert_eq!(a, b);
    // Right-hand wildcards: the forward-name index of both engines.
    for q in ["www.lab.*", "www.+", "alpha-shop.*"] {
        let a = lines(&e_data, None, &["pdns", "rrset", q, "--json"]);
        let b = lines(&c_data, ch, &["pdns", "rrset", q, "--json"]);
        assert_eq!(a, b, "{q}");
    }
    assert!(!lines(&e_data, None, &["pdns", "rrset", "www.lab.*", "--json"]).is_empty());
    let a = lines(
        &e_data,
        None,
        &["pdns", "rdata", "ip", "192.0.2.0/24", "--json"],
    );
    let b = lines(
        &c_data,
        ch,
        &["pdns", "rdata", "ip", "192.0.2.0/24", "--json"],
    );
    assert!(!a.is_empty());
    assert_eq!(a, b);
    let check = json(&c_data, ch, &["store", "check", "--json"]);
    assert_eq!(check["ok"], true, "{check}");
    let _ = run(&c_data, ch, &["store", "stats"]);
    let _ = scry_store_drop(&url);
}

fn scry_store_drop(url: &str) -> Result<(), String> {
    scry_store::clickhouse::drop_database(url).map_err(|e| e.to_string())
}
