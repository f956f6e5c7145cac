//! `scry demo` on a generated world: starting from one listed domain, the
//! guided pivots it follows reach at least 80% of that campaign's unlisted
//! domains (checked against the world's ground-truth labels).

use crate::scry;

#[test]
fn demo_pivots_reach_the_campaign() {
    let dir = tempfile::tempdir().unwrap();
    let o = scry()
        .arg("--data-dir")
        .arg(dir.path().join("d"))
        .args([
            "demo",
            "--json",
            "--domains",
            "15000",
            "--days",
            "3",
            "--seed",
            "11",
        ])
        .arg("--world")
        .arg(dir.path().join("world"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["unlisted"].as_u64().unwrap() >= 5, "{v}");
    let coverage = v["coverage"].as_f64().unwrap();
    assert!(
        coverage >= 0.8,
        "guided pivots reached only {coverage} of the campaign: {v}"
    );
    assert!(v["lookalikes"].as_u64().unwrap() > 0, "{v}");
}
