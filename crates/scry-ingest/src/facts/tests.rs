use std::io::Write;

use scry_model::{DomainName, Entity, Predicate};
use scry_store::embedded::EmbeddedStore;
use scry_store::{DataDir, Store};

use super::*;

const NOW: i64 = 1_800_000_000;

fn opts() -> FactsOptions {
    FactsOptions {
        default_source: "test".into(),
        strict: false,
        batch_size: 2,
        now: NOW,
        bulk_min_bytes: None,
    }
}

fn lines(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{{\"subject\":\"d{i}.com\",\"predicate\":\"nameserver_host\",\"object\":\"ns1.shared.net\",\"time\":\"2024-01-0{}T00:00:00Z\"}}\n",
                1 + i % 5
            )
        })
        .collect()
}

fn count(s: &dyn Store) -> u64 {
    s.value_counts(&[(
        Predicate::NAMESERVER_HOST,
        Entity::Domain(DomainName::parse("ns1.shared.net").unwrap()),
    )])
    .unwrap()[0]
        .current
}

#[test]
fn replay_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dd = DataDir::open(&dir.path().join("d"), true).unwrap();
    let s = EmbeddedStore::open(&dd).unwrap();
    let f = dir.path().join("in.ndjson");
    std::fs::write(&f, lines(7)).unwrap();
    let mut seen = Vec::new();
    let sum = ingest_file(&s, &f, &opts(), &mut |p| {
        seen.push(p.committed_through_line)
    })
    .unwrap();
    assert_eq!(sum.read, 7);
    assert_eq!(sum.stored, 7);
    assert_eq!(seen.last(), Some(&7));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(count(&s), 7);
    let again = ingest_file(&s, &f, &opts(), &mut |_| {}).unwrap();
    assert!(again.already_complete);
    assert_eq!(again.stored, 0);
    assert_eq!(count(&s), 7);
    assert!(s.check().unwrap().problems.is_empty());
}

#[test]
fn bad_lines_are_counted_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let dd = DataDir::open(&dir.path().join("d"), true).unwrap();
    let s = EmbeddedStore::open(&dd).unwrap();
    let f = dir.path().join("in.ndjson");
    let mut body = lines(3);
    body.push_str("{\"subject\":\"bad..name\",\"predicate\":\"ip\",\"object\":\"1.2.3.4\",\"time\":\"2024-01-01\"}\n");
    body.push_str("not json\n\n");
    body.push_str("{\"subject\":\"a.com\",\"predicate\":\"ip\",\"object\":\"1.2.3.4\",\"time\":\"2024-01-01\"");
    body.push('\n');
    body.push_str(&lines(1));
    std::fs::write(&f, body).unwrap();
    let sum = ingest_file(&s, &f, &opts(), &mut |_| {}).unwrap();
    assert_eq!(sum.rejected, 3);
    assert_eq!(sum.stored, 4);
    assert_eq!(sum.rejected_by_reason.get("value:subject"), Some(&1));
    assert!(
        sum.rejected_examples[0].contains(":4"),
        "{:?}",
        sum.rejected_examples
    );
    assert!(
        sum.rejected_examples[1].contains(":5"),
        "{:?}",
        sum.rejected_examples
    );

    let strict = FactsOptions {
        strict: true,
        ..opts()
    };
    let f2 = dir.path().join("in2.ndjson");
    std::fs::write(&f2, "{\"subject\":\"x.com\",\"predicate\":\"ip\",\"object\":\"nope\",\"time\":\"2024-01-01\"}\n").unwrap();
    let err = ingest_file(&s, &f2, &strict, &mut |_| {}).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("in2.ndjson:1") && msg.contains("object"),
        "{msg}"
    );
    // Nothing stored before is lost.
    assert_eq!(count(&s), 3, "d0, d1, d2 (d0 twice)");
}

#[test]
fn gzip_input() {
    let dir = tempfile::tempdir().unwrap();
    let dd = DataDir::open(&dir.path().join("d"), true).unwrap();
    let s = EmbeddedStore::open(&dd).unwrap();
    let f = dir.path().join("in.ndjson.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(lines(5).as_bytes()).unwrap();
    std::fs::write(&f, enc.finish().unwrap()).unwrap();
    let sum = ingest_file(&s, &f, &opts(), &mut |_| {}).unwrap();
    assert_eq!(sum.stored, 5);
}

#[test]
fn resumes_after_ledger_position() {
    let dir = tempfile::tempdir().unwrap();
    let dd = DataDir::open(&dir.path().join("d"), true).unwrap();
    let s = EmbeddedStore::open(&dd).unwrap();
    let f = dir.path().join("in.ndjson");
    std::fs::write(&f, lines(6)).unwrap();
    let key = format!("facts:{}", crate::file_identity(&f).unwrap());
    // Pretend an earlier run stored lines 1-4 and died.
    let first: Vec<_> = lines(4)
        .lines()
        .map(|l| scry_parse::facts::parse_line(l.as_bytes(), "test", NOW).unwrap())
        .collect();
    s.write(scry_store::WriteBatch {
        observations: first,
        ledger: Some(scry_store::LedgerEntry {
            key,
            name: "x".into(),
            committed_through: 4,
            complete: false,
            updated_at: NOW,
        }),
        ..Default::default()
    })
    .unwrap();
    let sum = ingest_file(&s, &f, &opts(), &mut |_| {}).unwrap();
    assert_eq!(sum.skipped, 4);
    assert_eq!(sum.stored, 2);
    assert_eq!(count(&s), 6);
}

/// Into an empty store with `bulk_min_bytes` reached, the file is one bulk
/// load: one progress report at the end, the same facts as batch writes,
/// bad lines still rejected, a replay still a no-op, and a second file
/// (the store is no longer empty) merged in one pass too.
#[test]
fn bulk_load_of_an_empty_store() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("in.ndjson");
    let mut body = lines(40);
    body.push_str("not json\n");
    std::fs::write(&f, body).unwrap();
    let bulk = FactsOptions {
        bulk_min_bytes: Some(0),
        ..opts()
    };
    let dd = DataDir::open(&dir.path().join("bulk"), true).unwrap();
    let s = EmbeddedStore::open(&dd).unwrap();
    let mut seen = Vec::new();
    let sum = ingest_file(&s, &f, &bulk, &mut |p| seen.push(p.committed_through_line)).unwrap();
    assert_eq!(seen, vec![41], "one report, at the end");
    assert_eq!((sum.read, sum.stored, sum.rejected), (41, 40, 1));
    assert_eq!(count(&s), 40);
    assert!(s.check().unwrap().problems.is_empty());
    assert!(
        ingest_file(&s, &f, &bulk, &mut |_| {})
            .unwrap()
            .already_complete
    );

    let dd2 = DataDir::open(&dir.path().join("batches"), true).unwrap();
    let r = EmbeddedStore::open(&dd2).unwrap();
    ingest_file(&r, &f, &opts(), &mut |_| {}).unwrap();
    for i in [0usize, 17, 39] {
        let q = scry_store::FactQuery {
            subject: scry_store::SubjectSel::Exact(Entity::Domain(
                DomainName::parse(&format!("d{i}.com")).unwrap(),
            )),
            predicates: Vec::new(),
            fence: Default::default(),
            limit: 100,
        };
        assert_eq!(s.facts(&q).unwrap().facts, r.facts(&q).unwrap().facts);
    }

    let f2 = dir.path().join("more.ndjson");
    std::fs::write(&f2, lines(60)).unwrap();
    let mut seen = Vec::new();
    ingest_file(&s, &f2, &bulk, &mut |p| seen.push(p.committed_through_line)).unwrap();
    assert_eq!(seen, vec![60], "a bulk merge: one report, at the end");
    assert_eq!(count(&s), 60);
    assert!(s.check().unwrap().problems.is_empty());
}
