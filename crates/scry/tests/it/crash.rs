//! Crash safety: SIGKILL in the middle of an ingest, then reopen, check and
//! resume. Every line up to the last `committed_through_line` printed must be
//! stored, and resuming must complete the input without double counts.

use std::io::BufRead;

use scry_model::{DomainName, Entity, Predicate};
use scry_store::embedded::EmbeddedStore;
use scry_store::{DataDir, PivotQuery, Scope, Store};

use crate::{json, scry};

const LINES: usize = 120_000;

#[test]
fn sigkill_mid_ingest_then_resume() {
    crash_and_resume("1000");
}

/// Batches this large take the store's bulk path (redo log + ingestion).
#[test]
fn sigkill_mid_bulk_ingest_then_resume() {
    crash_and_resume("20000");
}

/// `LINES` facts, one new domain per line, all sharing one name server.
fn write_input(path: &std::path::Path) {
    let mut body = String::with_capacity(LINES * 110);
    for i in 0..LINES {
        body.push_str(&format!(
            "{{\"subject\":\"d{i}.com\",\"predicate\":\"nameserver_host\",\"object\":\"ns1.crash.test\",\"time\":\"2026-01-01T00:00:00Z\",\"source\":\"crash\"}}\n"
        ));
    }
    std::fs::write(path, body).unwrap();
}

fn crash_and_resume(batch: &str) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let input = dir.path().join("in.ndjson");
    write_input(&input);

    let mut child = scry()
        .arg("--data-dir")
        .arg(&data)
        .args([
            "ingest",
            "facts",
            input.to_str().unwrap(),
            "--batch",
            batch,
            "--progress",
            "ndjson",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut last = 0u64;
    let mut line = String::new();
    let stop_after = if batch == "1000" { 8 } else { 2 };
    for _ in 0..stop_after {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        last = v["committed_through_line"].as_u64().unwrap();
    }
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    assert!(
        last > 0 && (last as usize) < LINES,
        "killed mid-way (last {last})"
    );

    // The store opens and is consistent, and holds every line up to `last`.
    let check = json(&data, &["store", "check", "--json"]);
    assert_eq!(check["ok"], true, "{check}");
    let total_after_kill = {
        let dd = DataDir::open(&data, false).unwrap();
        let s = EmbeddedStore::open(&dd).unwrap();
        let ns = Entity::Domain(DomainName::parse("ns1.crash.test").unwrap());
        let c = s.value_counts(&[(Predicate::NAMESERVER_HOST, ns)]).unwrap()[0];
        c.current
    };
    assert!(
        total_after_kill >= last,
        "stored {total_after_kill} < committed {last}"
    );

    // Resume: completes without double counts.
    let sum = json(
        &data,
        &[
            "ingest",
            "facts",
            input.to_str().unwrap(),
            "--json",
            "--progress",
            "none",
        ],
    );
    assert_eq!(sum["already_complete"], false);
    assert!(sum["skipped"].as_u64().unwrap() >= last);
    let dd = DataDir::open(&data, false).unwrap();
    let s = EmbeddedStore::open(&dd).unwrap();
    let ns = Entity::Domain(DomainName::parse("ns1.crash.test").unwrap());
    let mut after = None;
    let mut seen = 0usize;
    loop {
        let page = s
            .pivot(&PivotQuery {
                predicate: Predicate::NAMESERVER_HOST,
                object: ns.clone(),
                scope: Scope::All,
                after: after.take(),
                limit: 10_000,
            })
            .unwrap();
        assert_eq!(page.count.current as usize, LINES);
        for (d, h) in &page.domains {
            assert_eq!(h.window.count, 1, "{d} counted twice");
        }
        seen += page.domains.len();
        match page.next_cursor {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, LINES);
    let r = s.check().unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
}

/// A bulk load (`--bulk-min-mib 0`: every file into an empty store) killed
/// before its commit point leaves an empty, consistent store that the next
/// run loads completely.
#[test]
fn sigkill_mid_bulk_load_then_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let input = dir.path().join("in.ndjson");
    write_input(&input);
    let mut child = scry()
        .arg("--data-dir")
        .arg(&data)
        .args([
            "ingest",
            "facts",
            input.to_str().unwrap(),
            "--bulk-min-mib",
            "0",
            "--progress",
            "ndjson",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Kill once the load has started (its directory exists) and before it
    // committed (nothing printed yet).
    let started = std::time::Instant::now();
    while !data.join("facts/bulk").try_exists().unwrap() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "no bulk load started"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    let mut printed = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut printed).unwrap();
    assert_eq!(printed, "", "killed before the load committed");

    let check = json(&data, &["store", "check", "--json"]);
    assert_eq!(check["ok"], true, "{check}");
    assert!(
        !data.join("facts/bulk").try_exists().unwrap(),
        "leftovers removed at open"
    );
    {
        let dd = DataDir::open(&data, false).unwrap();
        let s = EmbeddedStore::open(&dd).unwrap();
        let ns = Entity::Domain(DomainName::parse("ns1.crash.test").unwrap());
        let c = s.value_counts(&[(Predicate::NAMESERVER_HOST, ns)]).unwrap()[0];
        assert_eq!((c.current, c.historic), (0, 0), "nothing stored");
    }

    let sum = json(
        &data,
        &[
            "ingest",
            "facts",
            input.to_str().unwrap(),
            "--bulk-min-mib",
            "0",
            "--json",
            "--progress",
            "none",
        ],
    );
    assert_eq!(sum["already_complete"], false);
    assert_eq!(sum["stored"].as_u64(), Some(LINES as u64));
    assert_eq!(sum["facts_new"].as_u64(), Some(LINES as u64));
    let dd = DataDir::open(&data, false).unwrap();
    let s = EmbeddedStore::open(&dd).unwrap();
    let ns = Entity::Domain(DomainName::parse("ns1.crash.test").unwrap());
    let c = s.value_counts(&[(Predicate::NAMESERVER_HOST, ns)]).unwrap()[0];
    assert_eq!(c.current as usize, LINES);
    let r = s.check().unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    drop(s);
    drop(dd);
    // The ledger says complete: a third run skips the file.
    let again = json(
        &data,
        &[
            "ingest",
            "facts",
            input.to_str().unwrap(),
            "--json",
            "--progress",
            "none",
        ],
    );
    assert_eq!(again["already_complete"], true, "{again}");
}

/// Lines `from..to` of the crash input (one domain per line).
fn write_range(path: &std::path::Path, from: usize, to: usize) {
    let mut body = String::with_capacity((to - from) * 110);
    for i in from..to {
        body.push_str(&format!(
            "{{\"subject\":\"d{i}.com\",\"predicate\":\"nameserver_host\",\"object\":\"ns1.crash.test\",\"time\":\"2026-01-01T00:00:00Z\",\"source\":\"crash\"}}\n"
        ));
    }
    std::fs::write(path, body).unwrap();
}

/// A bulk merge into a store holding facts, SIGKILLed before its commit
/// point and after it (`bulk/COMMIT` written, the merge being applied):
/// the reopened store is consistent, and the rerun (or the recovery at
/// open) stores the second file once: no double counts, merged windows
/// counted once.
#[test]
fn sigkill_mid_bulk_merge_then_rerun() {
    for kill_at in ["facts/bulk", "facts/bulk/COMMIT"] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("d");
        let (first, second) = (dir.path().join("a.ndjson"), dir.path().join("b.ndjson"));
        write_range(&first, 0, 60_000);
        write_range(&second, 30_000, LINES);
        let ingest = |f: &std::path::Path| {
            json(
                &data,
                &[
                    "ingest",
                    "facts",
                    f.to_str().unwrap(),
                    "--bulk-min-mib",
                    "0",
                    "--json",
                    "--progress",
                    "none",
                ],
            )
        };
        assert_eq!(ingest(&first)["facts_new"].as_u64(), Some(60_000));
        let mut child = scry()
            .arg("--data-dir")
            .arg(&data)
            .args([
                "ingest",
                "facts",
                second.to_str().unwrap(),
                "--bulk-min-mib",
                "0",
                "--progress",
                "ndjson",
            ])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while !data.join(kill_at).try_exists().unwrap() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(120),
                "{kill_at} never appeared"
            );
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();

        let check = json(&data, &["store", "check", "--json"]);
        assert_eq!(check["ok"], true, "{kill_at}: {check}");
        assert!(!data.join("facts/bulk").try_exists().unwrap());
        let sum = ingest(&second);
        if kill_at.ends_with("COMMIT") {
            // Past the commit point: the open finished the merge.
            assert_eq!(sum["already_complete"], true, "{kill_at}: {sum}");
        }
        let dd = DataDir::open(&data, false).unwrap();
        let s = EmbeddedStore::open(&dd).unwrap();
        let ns = Entity::Domain(DomainName::parse("ns1.crash.test").unwrap());
        let c = s.value_counts(&[(Predicate::NAMESERVER_HOST, ns)]).unwrap()[0];
        assert_eq!((c.current, c.historic), (LINES as u64, 0), "{kill_at}");
        for (d, want) in [("d10.com", 1), ("d45000.com", 2), ("d100000.com", 1)] {
            let page = s
                .facts(&scry_store::FactQuery {
                    subject: scry_store::SubjectSel::Exact(Entity::Domain(
                        DomainName::parse(d).unwrap(),
                    )),
                    predicates: Vec::new(),
                    fence: Default::default(),
                    limit: 10,
                })
                .unwrap();
            assert_eq!(page.facts.len(), 1, "{kill_at}: {d}");
            assert_eq!(page.facts[0].window.count, want, "{kill_at}: {d}");
        }
        let r = s.check().unwrap();
        assert!(r.problems.is_empty(), "{kill_at}: {:?}", r.problems);
    }
}
