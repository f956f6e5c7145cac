//! The bulk path (redo log + sorted ingestion) gives the same store as
//! ordinary batches, and a crash in the middle of it is finished on reopen.

use scry_model::{DomainName, Entity, Observation, Predicate, Window};
use scry_store::embedded::EmbeddedStore;
use scry_store::testsuite::{DAY, T0};
use scry_store::{DataDir, PivotQuery, Scope, Store, WriteBatch};

fn observations(n: usize, day: i64) -> Vec<Observation> {
    (0..n)
        .flat_map(|i| {
            let d = Entity::Domain(DomainName::parse(&format!("d{i}.example-bulk.com")).unwrap());
            let reg = Entity::Domain(DomainName::parse(&format!("r{}.com", i % 5000)).unwrap());
            let w = Window {
                first_seen: T0 + day * DAY,
                last_seen: T0 + day * DAY,
                count: 1,
            };
            let mk = |s: &Entity, p: Predicate, o: Entity| {
                Observation::new(s.clone(), p, o, w, "bulk".into(), T0 + 1000 * DAY).unwrap()
            };
            vec![
                mk(
                    &reg,
                    Predicate::NAMESERVER_HOST,
                    Entity::Domain(
                        DomainName::parse(&format!("ns{}.dns.net", (i + day as usize) % 7))
                            .unwrap(),
                    ),
                ),
                mk(
                    &d,
                    Predicate::IP,
                    Entity::Ip(scry_model::Ip::parse(&format!("192.0.2.{}", i % 250)).unwrap()),
                ),
                mk(
                    &reg,
                    Predicate::REGISTRAR,
                    Entity::Text(format!("Registrar {}", i % 13)),
                ),
            ]
        })
        .collect()
}

fn snapshot(s: &dyn Store) -> Vec<(String, u64, u64, Vec<String>)> {
    let mut out = Vec::new();
    for ns in 0..7 {
        let o = Entity::Domain(DomainName::parse(&format!("ns{ns}.dns.net")).unwrap());
        let mut after = None;
        let mut doms = Vec::new();
        let mut count;
        loop {
            let p = s
                .pivot(&PivotQuery {
                    predicate: Predicate::NAMESERVER_HOST,
                    object: o.clone(),
                    scope: Scope::All,
                    after: after.take(),
                    limit: 1000,
                })
                .unwrap();
            count = (p.count.current, p.count.historic);
            doms.extend(
                p.domains
                    .iter()
                    .map(|(d, h)| format!("{d}:{}:{}", h.current, h.window.count)),
            );
            match p.next_cursor {
                Some(c) => after = Some(c),
                None => break,
            }
        }
        out.push((format!("ns{ns}"), count.0, count.1, doms));
    }
    out
}

fn open(dir: &std::path::Path) -> (EmbeddedStore, DataDir) {
    let dd = DataDir::open(dir, true).unwrap();
    (EmbeddedStore::open(&dd).unwrap(), dd)
}

#[test]
fn bulk_equals_small_batches() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (sa, _da) = open(a.path());
    let (sb, _db) = open(b.path());
    for day in 0..3 {
        let obs = observations(4_000, day);
        // One large batch: the bulk path.
        sa.write(WriteBatch {
            observations: obs.clone(),
            ..Default::default()
        })
        .unwrap();
        // The same in small batches: the ordinary path.
        for chunk in obs.chunks(500) {
            sb.write(WriteBatch {
                observations: chunk.to_vec(),
                ..Default::default()
            })
            .unwrap();
        }
    }
    assert_eq!(snapshot(&sa), snapshot(&sb));
    assert!(sa.check().unwrap().problems.is_empty());
    assert!(sb.check().unwrap().problems.is_empty());
}

#[test]
fn crash_in_bulk_batch_is_finished_on_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let reference = tempfile::tempdir().unwrap();
    {
        let (s, _d) = open(dir.path());
        s.write(WriteBatch {
            observations: observations(4_000, 0),
            ..Default::default()
        })
        .unwrap();
        s.fail_next_bulk_after(2);
        let err = s.write(WriteBatch {
            observations: observations(4_000, 1),
            ..Default::default()
        });
        assert!(err.is_err());
        // The store refuses further writes until reopened.
        assert!(
            s.write(WriteBatch {
                observations: observations(10, 2),
                ..Default::default()
            })
            .is_err()
        );
    }
    let (s, _d) = open(dir.path());
    assert!(
        s.check().unwrap().problems.is_empty(),
        "{:?}",
        s.check().unwrap().problems
    );
    let (r, _rd) = open(reference.path());
    r.write(WriteBatch {
        observations: observations(4_000, 0),
        ..Default::default()
    })
    .unwrap();
    r.write(WriteBatch {
        observations: observations(4_000, 1),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(snapshot(&s), snapshot(&r));
}

/// A store written before the `seen` name markers existed: `check` notices
/// the missing markers, the next open indexes the stored names, and later
/// batches merge with the stored facts instead of taking them for new.
#[test]
fn store_without_name_markers_is_indexed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let reference = tempfile::tempdir().unwrap();
    {
        let (s, _d) = open(dir.path());
        s.write(WriteBatch {
            observations: observations(4_000, 0),
            ..Default::default()
        })
        .unwrap();
        s.forget_name_markers().unwrap();
        let problems = s.check().unwrap().problems;
        assert!(
            problems.iter().any(|p| p.contains("not marked seen")),
            "{problems:?}"
        );
    }
    let (s, _d) = open(dir.path());
    assert!(s.check().unwrap().problems.is_empty());
    let receipt = s
        .write(WriteBatch {
            observations: observations(4_000, 1),
            ..Default::default()
        })
        .unwrap();
    assert!(receipt.facts_merged > 0);
    assert!(s.check().unwrap().problems.is_empty());
    let (r, _rd) = open(reference.path());
    for day in 0..2 {
        r.write(WriteBatch {
            observations: observations(4_000, day),
            ..Default::default()
        })
        .unwrap();
    }
    assert_eq!(snapshot(&s), snapshot(&r));
}
