//! Bad data dirs, a second writer, bad input: clear errors, never a panic.

use crate::{fixture, run};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn not_a_store_newer_format_and_missing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    let o = run(dir.path(), &["profile", "example.com"]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("is not a scry data dir") && !e.contains("panicked"),
        "{e}"
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("SCRY_FORMAT"),
        "{\"format\":\"scry\",\"version\":42}",
    )
    .unwrap();
    let e = stderr(&run(dir.path(), &["pivot", "ip", "192.0.2.1"]));
    assert!(e.contains("newer than this scry supports"), "{e}");

    let e = stderr(&run(
        &dir.path().join("absent"),
        &["profile", "example.com"],
    ));
    assert!(e.contains("no such directory"), "{e}");
}

#[test]
fn bad_queries_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let input = fixture("golden/input.ndjson");
    assert!(
        run(
            &data,
            &[
                "ingest",
                "facts",
                input.to_str().unwrap(),
                "--progress",
                "none"
            ]
        )
        .status
        .success()
    );
    let e = stderr(&run(&data, &["pivot", "nosuchfield", "x"]));
    assert!(e.contains("unknown field"), "{e}");
    let e = stderr(&run(&data, &["pivot", "ip", "999.1.1.1"]));
    assert!(e.contains("invalid value for ip"), "{e}");
    let e = stderr(&run(&data, &["search", "ip=192.0.2.1 AND"]));
    assert!(e.contains("at character 17"), "{e}");
    let e = stderr(&run(&data, &["search", "NOT ip=192.0.2.1"]));
    assert!(e.contains("positive term"), "{e}");
    let e = stderr(&run(&data, &["profile", "bad..name"]));
    assert!(e.contains("empty label"), "{e}");
    let e = stderr(&run(
        &data,
        &["pivot", "ip", "192.0.2.10", "--cursor", "%%%"],
    ));
    assert!(e.contains("bad cursor"), "{e}");
}

#[test]
fn second_writer_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    // A slow first writer: a big input with small batches.
    let big = dir.path().join("big.ndjson");
    let mut body = String::new();
    for i in 0..200_000 {
        body.push_str(&format!(
            "{{\"subject\":\"h{i}.example.com\",\"predicate\":\"ip\",\"object\":\"192.0.2.1\",\"time\":\"2026-01-01\"}}\n"
        ));
    }
    std::fs::write(&big, body).unwrap();
    let mut first = crate::scry()
        .arg("--data-dir")
        .arg(&data)
        .args([
            "ingest",
            "facts",
            big.to_str().unwrap(),
            "--batch",
            "500",
            "--progress",
            "ndjson",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it has committed something, so it certainly holds the lock.
    let mut line = String::new();
    let mut reader = std::io::BufReader::new(first.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut reader, &mut line).unwrap();
    assert!(line.contains("committed_through_line"), "{line}");
    let o = run(&data, &["profile", "example.com"]);
    let _ = first.kill();
    let _ = first.wait();
    let e = stderr(&o);
    assert!(!o.status.success());
    assert!(
        e.contains("is locked by another scry process") && e.contains("pid "),
        "{e}"
    );
    assert!(
        e.contains("ingest facts"),
        "the holder's command line is named: {e}"
    );
}
