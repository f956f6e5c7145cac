//! `scry lookalike generate` and `match` round trip through the CLI, and
//! `scry generate` is deterministic.

use std::io::Write;
use std::process::Stdio;

use crate::scry;

#[test]
fn generated_candidates_match_back() {
    let o = scry()
        .args(["lookalike", "generate", "paypal.com", "--json"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let cands: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(cands.len() > 1000, "{}", cands.len());
    let mut child = scry()
        .args([
            "lookalike",
            "match",
            "--brand",
            "paypal.com",
            "--threshold",
            "0",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = String::new();
    for c in &cands {
        input.push_str(c["domain"].as_str().unwrap());
        input.push('\n');
    }
    input.push_str("example.org\n");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let matched: std::collections::BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["brand"], "paypal.com");
            v["domain"].as_str().unwrap().to_string()
        })
        .collect();
    for c in &cands {
        assert!(
            matched.contains(c["domain"].as_str().unwrap()),
            "{} not matched back",
            c["domain"]
        );
    }
    assert!(!matched.contains("example.org"));
}

#[test]
fn generate_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let digest = |out: &std::path::Path| {
        let o = scry()
            .args([
                "generate",
                "--domains",
                "3000",
                "--days",
                "2",
                "--seed",
                "5",
                "--json",
                "--out",
            ])
            .arg(out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let mut stack = vec![out.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                if e.file_type().unwrap().is_dir() {
                    stack.push(e.path());
                } else {
                    let rel = e.path().strip_prefix(out).unwrap().display().to_string();
                    files.push((rel, std::fs::read(e.path()).unwrap()));
                }
            }
        }
        files.sort();
        files
    };
    let a = digest(&dir.path().join("a"));
    let b = digest(&dir.path().join("b"));
    assert!(a.len() > 10);
    assert!(a == b, "same seed, different bytes");
}
