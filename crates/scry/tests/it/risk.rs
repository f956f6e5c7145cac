//! Feeds, rescoring and `scry risk` end to end: a listed domain scores 100
//! with its feed named, delisting works, an unlisted domain sharing the
//! actor's registrant e-mail and name server scores high with the path as
//! evidence, and a bare name scores from the threat model alone.

use crate::{json, ok, run};

fn facts(dir: &std::path::Path) -> std::path::PathBuf {
    let mut lines = String::new();
    for i in 0..6 {
        for (p, o) in [
            ("registrant_email", "ops@darkmail.example"),
            ("nameserver_host", "ns1.bulletproof-dns.example"),
        ] {
            lines.push_str(&format!(
                "{{\"subject\":\"actor{i}.top\",\"predicate\":\"{p}\",\"object\":\"{o}\",\"time\":\"2026-03-01T00:00:00Z\"}}\n"
            ));
        }
    }
    for i in 0..40 {
        lines.push_str(&format!(
            "{{\"subject\":\"shop{i}.example\",\"predicate\":\"nameserver_host\",\"object\":\"ns1.bighost.example\",\"time\":\"2026-03-01T00:00:00Z\"}}\n"
        ));
    }
    let f = dir.join("facts.ndjson");
    std::fs::write(&f, lines).unwrap();
    f
}

#[test]
fn feeds_rescore_and_risk() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let f = facts(tmp.path());
    ok(&data, &["ingest", "facts", f.to_str().unwrap()]);
    let v1 = tmp.path().join("v1.txt");
    std::fs::write(
        &v1,
        "# phishing\nhttp://actor0.top/login\nactor1.top\nactor2.top\nshop3.example\n",
    )
    .unwrap();
    let s = json(
        &data,
        &[
            "ingest",
            "feed",
            v1.to_str().unwrap(),
            "--name",
            "pt",
            "--kind",
            "phishing",
            "--as-of",
            "2026-03-02",
            "--json",
        ],
    );
    assert_eq!(s["entries"], 4);
    let feeds = json(&data, &["feeds", "--json"]);
    assert_eq!(feeds[0]["name"], "pt");
    let r = json(&data, &["rescore", "--json", "--progress", "none"]);
    assert_eq!(r["mode"], "full");
    assert_eq!(r["seeds"], 4);

    let listed = json(&data, &["risk", "actor0.top", "--json"]);
    assert_eq!(listed["risk"], 100);
    assert!(
        listed["evidence"][0]["text"]
            .as_str()
            .unwrap()
            .contains("listed in pt (phishing)")
    );

    let near = json(&data, &["risk", "actor5.top", "--json"]);
    assert!(near["risk"].as_u64().unwrap() >= 80, "{near}");
    let texts: Vec<String> = near["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("registrant_email ops@darkmail.example with 3 listed")),
        "{texts:?}"
    );

    // A shop on a big shared name server with one listed neighbour: weak
    // proximity (whatever the threat model says of its name).
    let shop = json(&data, &["risk", "shop9.example", "--json"]);
    let prox = shop["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "proximity")
        .map_or(0, |c| c["risk"].as_u64().unwrap());
    assert!(prox < 50, "{shop}");

    // Bare name, unknown to the store: the threat model alone, provisional.
    let bare = json(
        &data,
        &["risk", "paypal-account-verify-login.xyz", "--json"],
    );
    assert_eq!(bare["status"], "provisional");
    assert!(
        bare["components"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "phishing")
    );

    // Batch: one line per input, errors inline.
    let batch = tmp.path().join("batch.txt");
    std::fs::write(
        &batch,
        "actor0.top\n\n# comment\nnot a name!\n100.64.0.1\nboss@actor3.top\n",
    )
    .unwrap();
    let out = ok(&data, &["risk", "--batch", batch.to_str().unwrap()]);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["risk"], 100);
    assert_eq!(lines[1]["line"], 4);
    assert!(lines[1]["error"].is_string());
    assert_eq!(lines[2]["type"], "ip");
    assert_eq!(lines[3]["type"], "email");

    // Delisting: version 2 drops actor0.top; its history stays in the profile.
    let v2 = tmp.path().join("v2.txt");
    std::fs::write(&v2, "actor1.top\nactor2.top\n").unwrap();
    let s = json(
        &data,
        &[
            "ingest",
            "feed",
            v2.to_str().unwrap(),
            "--name",
            "pt",
            "--as-of",
            "2026-03-03",
            "--json",
        ],
    );
    assert_eq!(
        (s["added"].as_u64(), s["removed"].as_u64()),
        (Some(0), Some(2))
    );
    let after = json(&data, &["risk", "actor0.top", "--json"]);
    assert!(after["risk"].as_u64().unwrap() < 100, "{after}");
    let r = json(&data, &["rescore", "--json", "--progress", "none"]);
    assert_eq!(r["mode"], "full", "a feed change makes a full pass");
    let r = json(&data, &["rescore", "--json", "--progress", "none"]);
    assert_eq!(r["mode"], "incremental");
    assert_eq!(r["scored"], 0);

    // Bad input: a clear error, nothing stored.
    let bad = run(
        &data,
        &["ingest", "feed", v2.to_str().unwrap(), "--name", "Bad Name"],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("feed name"));
    let v0 = tmp.path().join("v0.txt");
    std::fs::write(&v0, "actor4.top\n").unwrap();
    let older = run(
        &data,
        &[
            "ingest",
            "feed",
            v0.to_str().unwrap(),
            "--name",
            "pt",
            "--as-of",
            "2026-03-01",
        ],
    );
    let msg = String::from_utf8_lossy(&older.stderr);
    assert!(msg.contains("older"), "{msg}");
}

/// `scry risk --batch` on two threads answers as one does, in input
/// order; answers stream from stdin; a closed output ends the batch.
#[test]
fn a_batch_on_several_threads_keeps_input_order_and_streams_stdin() {
    use std::io::{BufRead, Write};
    let tmp = tempfile::tempdir().unwrap();
    // No data dir: the threat model alone. 500 lines are several blocks'
    // worth of parts for two threads; the answers must come back in input
    // order, equal to one thread's.
    let data = tmp.path().join("none");
    let names: Vec<String> = (0..500)
        .map(|i| match i % 5 {
            0 => format!("shop{i}-secure-login.example"),
            1 => format!("x{i}qzkvbn.top"),
            2 => "not a name!".to_string(),
            3 => format!("198.51.100.{}", i % 250),
            _ => format!("user{i}@mail{i}.example"),
        })
        .collect();
    let file = tmp.path().join("names.txt");
    std::fs::write(&file, names.join("\n") + "\n").unwrap();
    let f = file.to_str().unwrap();
    let one = ok(&data, &["risk", "--batch", f, "--jobs", "1"]);
    let two = ok(&data, &["risk", "--batch", f, "--jobs", "2"]);
    assert_eq!(one, two);
    let lines: Vec<serde_json::Value> = two
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 500);
    for (i, (l, n)) in lines.iter().zip(&names).enumerate() {
        if i % 5 == 2 {
            assert_eq!(l["line"], i as u64 + 1, "{l}");
        } else {
            assert_eq!(l["indicator"].as_str().unwrap(), n.as_str(), "{l}");
        }
    }
    // A playbook writing one indicator at a time gets each answer before
    // it writes the next (a block never waits to fill up).
    let mut child = crate::scry()
        .arg("--data-dir")
        .arg(&data)
        .args(["risk", "--batch", "-", "--jobs", "2"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    for name in ["paypal-account-verify-login.xyz", "example.com"] {
        writeln!(stdin, "{name}").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["indicator"], name);
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());

    // A reader that stops reading (`| head -1`) ends the batch: it does
    // not wait on a reader thread blocked on a full channel.
    let big = tmp.path().join("big.txt");
    let lines: Vec<String> = (0..30_000).map(|i| format!("name{i}.example")).collect();
    std::fs::write(&big, lines.join("\n")).unwrap();
    let mut child = crate::scry()
        .arg("--data-dir")
        .arg(&data)
        .args(["risk", "--batch", big.to_str().unwrap(), "--jobs", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("name0.example"), "{line}");
    drop(stdout);
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > std::time::Duration::from_secs(120) {
            let _ = child.kill();
            panic!("the batch did not end after its reader closed the pipe");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}

/// The selected actor domains, exported as an RPZ zone, load in BIND's
/// `named-checkzone` (Debian bind9-utils, installed by scripts/test).
#[test]
fn blocklist_export_is_a_zone_bind_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let f = facts(tmp.path());
    ok(&data, &["ingest", "facts", f.to_str().unwrap()]);
    let zone = ok(
        &data,
        &[
            "export",
            "rpz",
            "--graph",
            "actor0.top",
            "--origin",
            "rpz.test",
            "extra.example",
        ],
    );
    assert!(zone.contains("actor5.top CNAME ."), "{zone}");
    assert!(zone.contains("*.extra.example CNAME ."));
    let path = tmp.path().join("rpz.zone");
    std::fs::write(&path, &zone).unwrap();
    let check = std::process::Command::new("named-checkzone")
        .args(["-q", "rpz.test"])
        .arg(&path)
        .status()
        .expect("named-checkzone (Debian package bind9-utils) must be installed");
    assert!(check.success(), "named-checkzone refused:\n{zone}");
    let list = ok(&data, &["export", "list", "b.example", "A.example."]);
    assert_eq!(list, "a.example\nb.example\n");
    let bad = run(&data, &["export", "list", "not a name!"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("domains[0]"));
}
