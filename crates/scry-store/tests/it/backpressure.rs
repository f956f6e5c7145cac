//! Issue 2: a write could halt forever in fjall's backpressure. fjall
//! halts writes to a keyspace holding 30 level-0 runs until compaction
//! brings them down, but compacts only when asked (after a flush or an
//! ingestion); when the compactions asked for work on deeper levels,
//! nothing asks again. The store now asks itself before writing.

use std::time::{Duration, Instant};

use scry_model::{DomainName, Entity, Observation, Predicate, Window};
use scry_store::embedded::EmbeddedStore;
use scry_store::testsuite::{DAY, T0};
use scry_store::{Store, WriteBatch};

/// Keys that sort apart from every stored key (no encoding starts with `t`).
fn run(r: usize, n: usize) -> Vec<Vec<u8>> {
    (0..n)
        // Keys with 48 noisy bytes (tables are LZ4-compressed): enough
        // bytes for the deeper levels to outrank level 0 in compaction's
        // choice.
        .map(|i| {
            let mut x = (i as u64) << 16 | r as u64;
            let mut k = format!("t{i:08}-{r:04}-").into_bytes();
            for _ in 0..6 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                k.extend_from_slice(&x.to_be_bytes());
            }
            k
        })
        .collect()
}

#[test]
fn r2_a_write_after_many_level0_runs_compacts_instead_of_halting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facts");
    // 1. Tiny compaction tables (1 KiB: every level is over its size
    // target) and some data compacted below level 0.
    {
        let s = EmbeddedStore::open_tuned_for_test(&path, 1, Some(1024)).unwrap();
        for r in 0..8 {
            s.ingest_run_for_test("fwd", &run(r, 2_000)).unwrap();
        }
        assert!(s.wait_for_background_work(Duration::from_secs(120)));
    }
    // 2. 35 level-0 runs that nothing compacts (no worker).
    {
        let s = EmbeddedStore::open_tuned_for_test(&path, 0, Some(1024)).unwrap();
        for r in 0..35 {
            s.ingest_run_for_test("fwd", &run(100 + r, 10)).unwrap();
        }
        assert!(s.l0_runs_for_test("fwd") >= 35);
    }
    // 3. Reopened with its worker: fjall asks for one compaction, which
    // works on the overfull deeper levels and leaves level 0 as it was.
    let s = EmbeddedStore::open_tuned_for_test(&path, 1, Some(1024)).unwrap();
    assert!(s.wait_for_background_work(Duration::from_secs(120)));
    assert!(
        s.l0_runs_for_test("fwd") >= 30,
        "the setup should leave level 0 at fjall's write halt"
    );
    // A small write must still finish (fjall alone would sleep forever).
    let s = std::sync::Arc::new(s);
    let (tx, rx) = std::sync::mpsc::channel();
    let start = Instant::now();
    let writer = s.clone();
    std::thread::spawn(move || {
        let d = Entity::Domain(DomainName::parse("after-the-stall.example").unwrap());
        let w = Window {
            first_seen: T0,
            last_seen: T0,
            count: 1,
        };
        let o = Observation::new(
            d,
            Predicate::REGISTRAR,
            Entity::Text("Registrar".into()),
            w,
            "test".into(),
            T0 + DAY,
        )
        .unwrap();
        let r = writer.write(WriteBatch {
            observations: vec![o],
            ..Default::default()
        });
        tx.send(r.map(|_| ())).ok();
    });
    // On a timeout the writer stays asleep in fjall; the test fails.
    let r = rx
        .recv_timeout(Duration::from_secs(120))
        .unwrap_or_else(|_| {
            panic!(
                "a one-fact write did not finish in 120 s (level 0: {} runs)",
                s.l0_runs_for_test("fwd")
            )
        });
    r.unwrap();
    assert!(start.elapsed() < Duration::from_secs(120));
    assert!(
        s.l0_runs_for_test("fwd") < 20,
        "level 0 should be below fjall's write stall, is {}",
        s.l0_runs_for_test("fwd")
    );
}

/// Past fjall's memtable limit (64 MiB) every write queues a rotation
/// request for fjall's single worker; while it compacts, a thousand of
/// them fill its queue and the worker then deadlocks sending itself a
/// flush. The store rotates memtables itself before that limit. With no
/// worker at all (nothing rotates or flushes in the background), the
/// active memtable must still never pass the limit.
#[test]
fn r2_memtables_are_rotated_before_fjalls_limit() {
    const FJALL_LIMIT: u64 = 64 * 1024 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let s = EmbeddedStore::open_tuned_for_test(&dir.path().join("facts"), 0, None).unwrap();
    // 90 batches of one 1 MiB document value: 90 MiB through memtables.
    let value = vec![7u8; 1024 * 1024];
    for b in 0..90u32 {
        let key = format!("t-doc-{b:04}").into_bytes();
        s.put_for_test("doc", &[(key, value.clone())]).unwrap();
        let (active, _) = s.memtables_for_test("doc");
        assert!(
            active < FJALL_LIMIT,
            "batch {b}: active memtable {active} bytes, fjall's limit {FJALL_LIMIT}"
        );
    }
    let (_, sealed) = s.memtables_for_test("doc");
    assert!(
        sealed >= 2,
        "the store should have rotated (sealed memtables: {sealed})"
    );
}
