//! The bulk load of an empty store (`Store::bulk_load`) leaves exactly the
//! keys and values batch-by-batch writes leave; a crash after its commit
//! point is finished on reopen, one before it leaves the store empty.

use scry_model::{DomainName, Entity, Observation, Predicate, Window};
use scry_store::embedded::EmbeddedStore;
use scry_store::testsuite::{DAY, T0};
use scry_store::{DataDir, LedgerEntry, Store, WriteBatch};

fn dom(s: &str) -> Entity {
    Entity::Domain(DomainName::parse(s).unwrap())
}

/// Batches with hosts under shared holders, a value held through two
/// hosts with different windows, values going historic, IPs, mixed-case
/// text, two sources and facts repeated across batches.
fn batches() -> Vec<Vec<Observation>> {
    let mut out = Vec::new();
    for day in 0..4i64 {
        let mut b = Vec::new();
        let source = if day < 2 { "a" } else { "b" };
        for i in 0..3_000usize {
            let t = T0 + (day + (i % 3) as i64) * DAY;
            let w = Window {
                first_seen: t,
                last_seen: t,
                count: 1,
            };
            let mk = |s: Entity, p: Predicate, o: Entity| {
                Observation::new(s, p, o, w, source.into(), T0 + 1000 * DAY).unwrap()
            };
            let reg = format!("r{}.example.com", i % 700);
            b.push(mk(
                dom(&reg),
                Predicate::NAMESERVER_HOST,
                dom(&format!("ns{}.dns{}.net", (i + day as usize) % 3, i % 50)),
            ));
            b.push(mk(
                dom(&format!("h{}.{reg}", i % 4)),
                Predicate::IP,
                Entity::Ip(scry_model::Ip::parse(&format!("198.51.100.{}", i % 200)).unwrap()),
            ));
            b.push(mk(
                dom(&reg),
                Predicate::REGISTRANT_ORG,
                Entity::Text(if day % 2 == 0 {
                    format!("Acme {}", i % 40)
                } else {
                    format!("ACME {}", i % 40)
                }),
            ));
            if i % 10 == 0 {
                b.push(mk(
                    Entity::Ip(scry_model::Ip::parse(&format!("203.0.113.{}", i % 90)).unwrap()),
                    Predicate::NAMESERVER_HOST,
                    dom("ns.ip-holder.net"),
                ));
            }
        }
        out.push(b);
    }
    out
}

fn ledger(line: u64) -> LedgerEntry {
    LedgerEntry {
        key: "facts:test".into(),
        name: "test".into(),
        committed_through: line,
        complete: true,
        updated_at: T0,
    }
}

fn open(dir: &std::path::Path) -> (EmbeddedStore, DataDir) {
    let dd = DataDir::open(dir, true).unwrap();
    (EmbeddedStore::open(&dd).unwrap(), dd)
}

/// The store as written batch by batch (the last batch carries the ledger).
fn reference(dir: &std::path::Path) -> (EmbeddedStore, DataDir) {
    let (s, d) = open(dir);
    let bs = batches();
    let n = bs.len();
    for (i, b) in bs.into_iter().enumerate() {
        for chunk in b.chunks(1_000) {
            s.write(WriteBatch {
                observations: chunk.to_vec(),
                ..Default::default()
            })
            .unwrap();
        }
        if i + 1 == n {
            s.write(WriteBatch {
                ledger: Some(ledger(7)),
                ..Default::default()
            })
            .unwrap();
        }
    }
    (s, d)
}

fn bulk_load(s: &EmbeddedStore) -> scry_store::Result<scry_store::WriteReceipt> {
    let mut b = s
        .bulk_load()
        .unwrap()
        .expect("an empty store takes a bulk load");
    for batch in batches() {
        b.add(WriteBatch {
            observations: batch,
            ..Default::default()
        })
        .unwrap();
    }
    b.finish(Some(ledger(7)))
}

#[test]
fn bulk_load_equals_batch_writes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (r, _rd) = reference(a.path());
    let (s, _sd) = open(b.path());
    let receipt = bulk_load(&s).unwrap();
    let want = r.dump_for_test().unwrap();
    let got = s.dump_for_test().unwrap();
    let facts = want[0].1.len() as u64;
    assert!(facts > 4_000, "{facts} facts");
    assert_eq!(receipt.facts_new, facts);
    for ((i, w), (_, g)) in want.iter().zip(&got) {
        assert_eq!(w.len(), g.len(), "keyspace {i}: number of keys");
        for (x, y) in w.iter().zip(g) {
            assert_eq!(x, y, "keyspace {i}");
        }
    }
    assert!(s.check().unwrap().problems.is_empty());
    assert!(
        !b.path().join("facts/bulk").try_exists().unwrap(),
        "bulk files removed"
    );
    // Ordinary writes merge with what the load stored.
    let more = batches().remove(0);
    s.write(WriteBatch {
        observations: more.clone(),
        ..Default::default()
    })
    .unwrap();
    r.write(WriteBatch {
        observations: more,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.dump_for_test().unwrap(), s.dump_for_test().unwrap());
}

#[test]
fn crash_after_commit_point_is_finished_on_reopen() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (r, _rd) = reference(a.path());
    {
        let (s, _sd) = open(b.path());
        s.fail_next_bulk_after(0);
        assert!(bulk_load(&s).is_err());
        assert!(b.path().join("facts/bulk/COMMIT").try_exists().unwrap());
        // Refuses writes until reopened.
        assert!(
            s.write(WriteBatch {
                observations: batches().remove(0),
                ..Default::default()
            })
            .is_err()
        );
    }
    let (s, _sd) = open(b.path());
    assert!(!b.path().join("facts/bulk").try_exists().unwrap());
    assert!(s.check().unwrap().problems.is_empty());
    assert_eq!(s.ledger("facts:test").unwrap(), Some(ledger(7)));
    // Every key is as the batch writes left it (a re-ingested key is
    // stored twice until compaction, read once).
    assert_eq!(r.dump_for_test().unwrap(), s.dump_for_test().unwrap());
}

#[test]
fn abandoned_load_leaves_the_store_empty() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (s, _d) = open(dir.path());
        let mut b = s.bulk_load().unwrap().unwrap();
        b.add(WriteBatch {
            observations: batches().remove(0),
            ..Default::default()
        })
        .unwrap();
        // Dropped without `finish`, as a crash before the commit point.
        drop(b);
        assert!(!dir.path().join("facts/bulk").try_exists().unwrap());
        assert_eq!(s.ledger("facts:test").unwrap(), None);
    }
    // Files left by a killed process are removed at open.
    std::fs::create_dir_all(dir.path().join("facts/bulk")).unwrap();
    std::fs::write(dir.path().join("facts/bulk/facts-00000.run"), b"junk").unwrap();
    let (s, _d) = open(dir.path());
    assert!(!dir.path().join("facts/bulk").try_exists().unwrap());
    assert!(s.dump_for_test().unwrap()[0].1.is_empty());
    // Still empty, so it takes a bulk load, which stores what it is given.
    bulk_load(&s).unwrap();
    assert!(s.check().unwrap().problems.is_empty());
    let (r, _rd) = reference(tempfile::tempdir().unwrap().path());
    assert_eq!(r.dump_for_test().unwrap()[0], s.dump_for_test().unwrap()[0]);
}

fn event(i: usize) -> scry_store::NewEvent {
    scry_store::NewEvent {
        kind: "domain_added".into(),
        subject: format!("r{i}.example.com"),
        time: T0 + i as i64,
        data: [("zone".to_string(), "com".to_string())].into(),
    }
}

#[test]
fn events_of_a_bulk_load_are_numbered_as_batch_writes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (r, _rd) = open(a.path());
    let (s, _sd) = open(b.path());
    let mut bulk = s.bulk_load().unwrap().unwrap();
    for (i, obs) in batches().into_iter().enumerate() {
        let events: Vec<_> = (i * 100..i * 100 + 100).map(event).collect();
        r.write(WriteBatch {
            observations: obs.clone(),
            events: events.clone(),
            ..Default::default()
        })
        .unwrap();
        bulk.add(WriteBatch {
            observations: obs,
            events,
            ..Default::default()
        })
        .unwrap();
    }
    let receipt = bulk.finish(None).unwrap();
    assert_eq!(receipt.last_event_seq, Some(400));
    assert_eq!(r.dump_for_test().unwrap(), s.dump_for_test().unwrap());
    // The sequence goes on after the load.
    let next = s
        .write(WriteBatch {
            events: vec![event(1)],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(next.last_event_seq, Some(401));
}

#[test]
fn bulk_load_refuses_documents() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _d) = open(dir.path());
    let mut b = s.bulk_load().unwrap().unwrap();
    let err = b.add(WriteBatch {
        documents: vec![scry_store::Document {
            subject: dom("example.com"),
            kind: "whois".into(),
            time: T0,
            source: "test".into(),
            body: b"raw".to_vec(),
        }],
        ..Default::default()
    });
    assert!(err.is_err());
}

/// A holder with more hosts than the load buffers per holder: its
/// holdings are merged in place, and the store is the batch writes' one.
#[test]
fn holder_with_very_many_hosts() {
    let obs: Vec<Observation> = (0..70_000usize)
        .map(|i| {
            let t = T0 + (i % 7) as i64 * DAY;
            Observation::new(
                dom(&format!("h{i}.big.example.com")),
                Predicate::IP,
                Entity::Ip(scry_model::Ip::parse(&format!("192.0.2.{}", i % 200)).unwrap()),
                Window {
                    first_seen: t,
                    last_seen: t,
                    count: 1,
                },
                "a".into(),
                T0 + 1000 * DAY,
            )
            .unwrap()
        })
        .collect();
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (r, _rd) = open(a.path());
    for chunk in obs.chunks(10_000) {
        r.write(WriteBatch {
            observations: chunk.to_vec(),
            ..Default::default()
        })
        .unwrap();
    }
    let (s, _sd) = open(b.path());
    let mut bulk = s.bulk_load().unwrap().unwrap();
    bulk.add(WriteBatch {
        observations: obs,
        ..Default::default()
    })
    .unwrap();
    bulk.finish(None).unwrap();
    assert_eq!(r.dump_for_test().unwrap(), s.dump_for_test().unwrap());
    assert!(s.check().unwrap().problems.is_empty());
}

/// The first-sighting candidates of a chunk: its distinct subjects in
/// order of appearance, each with an event.
fn sightings(chunk: &[Observation]) -> Vec<(Entity, scry_store::NewEvent)> {
    let mut out: Vec<(Entity, scry_store::NewEvent)> = Vec::new();
    for o in chunk {
        if out.iter().any(|(e, _)| *e == o.subject) {
            continue;
        }
        let ev = scry_store::NewEvent {
            kind: "first_seen".into(),
            subject: o.subject.to_string(),
            time: o.window.first_seen,
            data: Default::default(),
        };
        out.push((o.subject.clone(), ev));
    }
    out
}

/// Writes `batches` chunk by chunk, each with the events of its subjects
/// the store did not know, as `scry ingest pdns` writes batches.
fn write_with_sightings(s: &EmbeddedStore, batches: &[Vec<Observation>], ledger_at_end: bool) {
    for b in batches {
        for chunk in b.chunks(1_000) {
            let cands = sightings(chunk);
            let names: Vec<Entity> = cands.iter().map(|(e, _)| e.clone()).collect();
            let known = s.known_subjects(&names).unwrap();
            let events = cands
                .into_iter()
                .zip(known)
                .filter_map(|((_, e), k)| (!k).then_some(e))
                .collect();
            s.write(WriteBatch {
                observations: chunk.to_vec(),
                events,
                ..Default::default()
            })
            .unwrap();
        }
    }
    if ledger_at_end {
        s.write(WriteBatch {
            ledger: Some(ledger(7)),
            ..Default::default()
        })
        .unwrap();
    }
}

/// The same chunks through one bulk load.
fn bulk_with_sightings(
    s: &EmbeddedStore,
    batches: &[Vec<Observation>],
) -> scry_store::Result<scry_store::WriteReceipt> {
    let mut b = s
        .bulk_load()
        .unwrap()
        .expect("the embedded engine bulk-loads");
    for batch in batches {
        for chunk in batch.chunks(1_000) {
            b.add_first_sightings(sightings(chunk)).unwrap();
            b.add(WriteBatch {
                observations: chunk.to_vec(),
                ..Default::default()
            })
            .unwrap();
        }
    }
    b.finish(Some(ledger(7)))
}

fn assert_same(r: &EmbeddedStore, s: &EmbeddedStore) {
    let want = r.dump_for_test().unwrap();
    let got = s.dump_for_test().unwrap();
    for ((i, w), (_, g)) in want.iter().zip(&got) {
        assert_eq!(w.len(), g.len(), "keyspace {i}: number of keys");
        for (x, y) in w.iter().zip(g) {
            assert_eq!(x, y, "keyspace {i}");
        }
    }
}

/// A later batch's windows and a new source over A's facts, new hosts
/// under A's holders, new holders, values moving current/historic.
fn second_load() -> Vec<Vec<Observation>> {
    let mut bs = batches();
    let mut extra = Vec::new();
    for i in 0..2_000usize {
        let t = T0 + (10 + (i % 5) as i64) * DAY;
        let w = Window {
            first_seen: t - DAY,
            last_seen: t,
            count: 2,
        };
        let mk = |s: Entity, p: Predicate, o: Entity| {
            Observation::new(s, p, o, w, "c".into(), T0 + 1000 * DAY).unwrap()
        };
        extra.push(mk(
            dom(&format!("n{}.r{}.example.com", i % 7, i % 900)),
            Predicate::IP,
            Entity::Ip(scry_model::Ip::parse(&format!("198.51.100.{}", i % 230)).unwrap()),
        ));
        extra.push(mk(
            dom(&format!("new{}.example.org", i % 300)),
            Predicate::NAMESERVER_HOST,
            dom(&format!("ns{}.dns{}.net", i % 3, i % 60)),
        ));
    }
    bs.push(extra);
    bs.drain(..2);
    bs
}

/// Loading A then bulk-merging B stores byte for byte what writing A then
/// B batch by batch stores, events of first sightings included; whether A
/// came by batches or by a bulk load.
#[test]
fn bulk_merge_equals_batch_writes() {
    let a_batches: Vec<_> = batches().into_iter().take(2).collect();
    let b_batches = second_load();
    let mut all = a_batches.clone();
    all.extend(b_batches.clone());
    let rd = tempfile::tempdir().unwrap();
    let (r, _rdd) = open(rd.path());
    write_with_sightings(&r, &all, true);
    for a_by_bulk in [false, true] {
        let d = tempfile::tempdir().unwrap();
        let (s, _dd) = open(d.path());
        if a_by_bulk {
            bulk_with_sightings(&s, &a_batches).unwrap();
        } else {
            write_with_sightings(&s, &a_batches, false);
        }
        let before = s.dump_for_test().unwrap()[0].1.len() as u64;
        let receipt = bulk_with_sightings(&s, &b_batches).unwrap();
        let after = s.dump_for_test().unwrap()[0].1.len() as u64;
        assert_eq!(receipt.facts_new, after - before);
        assert!(receipt.facts_merged > 1_000, "{receipt:?}");
        assert_same(&r, &s);
        assert!(s.check().unwrap().problems.is_empty());
        assert!(!d.path().join("facts/bulk").try_exists().unwrap());
        // The event sequence goes on after the merge.
        let n = r.events(0, 100_000).unwrap().len() as u64;
        let next = s
            .write(WriteBatch {
                events: vec![event(1)],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(next.last_event_seq, Some(n + 1));
    }
}

/// A crash after a bulk merge's commit point (part of its keyspaces
/// ingested) is finished on reopen without merging anything twice; one
/// before it leaves the store as it was.
#[test]
fn crash_during_a_bulk_merge() {
    let a_batches: Vec<_> = batches().into_iter().take(2).collect();
    let b_batches = second_load();
    let mut all = a_batches.clone();
    all.extend(b_batches.clone());
    let rd = tempfile::tempdir().unwrap();
    let (r, _rdd) = open(rd.path());
    write_with_sightings(&r, &all, true);
    let d = tempfile::tempdir().unwrap();
    let before;
    {
        let (s, _dd) = open(d.path());
        write_with_sightings(&s, &a_batches, false);
        before = s.dump_for_test().unwrap();
        // Abandoned before its commit point: nothing changes.
        let mut b = s.bulk_load().unwrap().unwrap();
        b.add(WriteBatch {
            observations: b_batches[0].clone(),
            ..Default::default()
        })
        .unwrap();
        drop(b);
        assert_eq!(before, s.dump_for_test().unwrap());
        s.fail_next_bulk_after(0);
        assert!(bulk_with_sightings(&s, &b_batches).is_err());
        assert!(d.path().join("facts/bulk/APPLY").try_exists().unwrap());
        assert_ne!(before[0], s.dump_for_test().unwrap()[0], "fwd ingested");
    }
    // Reopened twice: the second open finds nothing left to do.
    for _ in 0..2 {
        let (s, _dd) = open(d.path());
        assert!(!d.path().join("facts/bulk").try_exists().unwrap());
        assert_same(&r, &s);
        assert!(s.check().unwrap().problems.is_empty());
        assert_eq!(s.ledger("facts:test").unwrap(), Some(ledger(7)));
    }
}

/// Many bulk merges: each adds one L0 run per keyspace; compaction keeps
/// L0 small, and every merge still equals batch writes.
#[test]
fn many_bulk_merges_keep_l0_small() {
    let rd = tempfile::tempdir().unwrap();
    let (r, _rdd) = open(rd.path());
    let d = tempfile::tempdir().unwrap();
    let (s, _dd) = open(d.path());
    let rounds = 16;
    let mut worst = 0;
    for round in 0..rounds {
        let b: Vec<Vec<Observation>> =
            vec![batches().remove(round % 4).into_iter().step_by(3).collect()];
        write_with_sightings(&r, &b, round + 1 == rounds);
        bulk_with_sightings(&s, &b).unwrap();
        for (name, l0, _) in s.table_counts() {
            worst = worst.max(l0);
            assert!(l0 <= 24, "{name}: {l0} L0 tables after {round} merges");
        }
    }
    assert!(s.wait_for_background_work(std::time::Duration::from_secs(60)));
    let counts = s.table_counts();
    eprintln!("after {rounds} bulk merges: worst L0 {worst}; settled {counts:?}");
    for (name, l0, _) in counts {
        assert!(l0 <= 4, "{name}: {l0} L0 tables once compaction settled");
    }
    assert_same(&r, &s);
    assert!(s.check().unwrap().problems.is_empty());
}

/// A store made before the scanned keyspaces got 16 KiB data blocks (its
/// keyspaces created with fjall's 4 KiB) stays readable and correct: it
/// keeps its block size, answers as a new store with the same writes, and
/// takes further writes; a new store gets the larger blocks.
#[test]
fn a_store_with_4_kib_blocks_stays_readable_and_keeps_them() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (r, _rd) = reference(a.path());
    assert_eq!(r.data_block_size_for_test("rev"), Some(16 * 1024));
    assert_eq!(r.data_block_size_for_test("zrv"), Some(16 * 1024));
    assert_eq!(r.data_block_size_for_test("fwd"), Some(4 * 1024));
    let dd = DataDir::open(b.path(), true).unwrap();
    {
        let old = EmbeddedStore::open_with_small_blocks_for_test(&b.path().join("facts")).unwrap();
        assert_eq!(old.data_block_size_for_test("rev"), Some(4 * 1024));
        bulk_load(&old).unwrap();
    }
    let s = EmbeddedStore::open(&dd).unwrap();
    for ks in ["rev", "piv", "dom", "nam", "zrv", "zdl", "evt", "fwd"] {
        assert_eq!(s.data_block_size_for_test(ks), Some(4 * 1024), "{ks}");
    }
    assert_same(&r, &s);
    assert!(s.check().unwrap().problems.is_empty());
    let more = second_load().remove(0);
    for st in [&r, &s] {
        st.write(WriteBatch {
            observations: more.clone(),
            ..Default::default()
        })
        .unwrap();
    }
    assert_same(&r, &s);
    assert!(s.check().unwrap().problems.is_empty());
}
