//! The conformance suite on real ClickHouse servers: one server, and a
//! two-shard cluster through Distributed tables, plus engine-specific
//! tests (schema refusal, replayed batches).
//!
//! Servers: `SCRY_TEST_CLICKHOUSE_URL` (one server) and
//! `SCRY_TEST_CLICKHOUSE_CLUSTER_URL` (the cluster) when set; otherwise the
//! tests start two throw-away servers once per process with
//! `scripts/clickhouse-test-server start 2` (which installs the Debian
//! package if missing) and a watchdog stops them when this process exits.
//! If the servers cannot start, every test fails with the reason: nothing
//! is skipped. Each test gets its own database, dropped afterwards.
#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use scry_model::Predicate;
use scry_store::clickhouse;
use scry_store::testsuite::{T0, obs};
use scry_store::{FactQuery, LedgerEntry, Store, SubjectSel, TimeFence, WriteBatch};

struct Servers {
    single: String,
    cluster: String,
}

fn start_servers() -> Result<Servers, String> {
    let env_single = std::env::var("SCRY_TEST_CLICKHOUSE_URL").ok();
    let env_cluster = std::env::var("SCRY_TEST_CLICKHOUSE_CLUSTER_URL").ok();
    if let (Some(single), Some(cluster)) = (&env_single, &env_cluster) {
        return Ok(Servers {
            single: single.clone(),
            cluster: cluster.clone(),
        });
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/clickhouse-test-server"
    );
    let pid = std::process::id();
    let base = 20_000 + (pid % 300) * 60;
    let out = Command::new("bash")
        .arg(script)
        .args(["start", "2", "--port-base", &base.to_string()])
        .args(["--owner-pid", &pid.to_string()])
        .output()
        .map_err(|e| format!("cannot run {script}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{script} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k))
            .map(|v| v.trim_matches('\'').to_string())
            .ok_or_else(|| format!("{script} printed no {k}: {text}"))
    };
    Ok(Servers {
        single: env_single.map_or_else(|| get("CH_URL="), Ok)?,
        cluster: env_cluster.map_or_else(|| get("CH_CLUSTER_URL="), Ok)?,
    })
}

fn servers() -> &'static Servers {
    static S: OnceLock<Result<Servers, String>> = OnceLock::new();
    match S.get_or_init(start_servers) {
        Ok(s) => s,
        Err(e) => panic!("clickhouse test servers unavailable: {e}"),
    }
}

/// `url` with its database replaced by a fresh one.
fn fresh_db(url: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let db = format!("scry_test_{}_{n}_{nanos}", std::process::id());
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (url, String::new()),
    };
    let rest = head
        .strip_prefix("clickhouse://")
        .unwrap_or_else(|| panic!("not a clickhouse url: {url:?}"));
    let slash = rest
        .find('/')
        .map_or(head.len(), |i| i + "clickhouse://".len());
    format!("{}/{db}{query}", &head[..slash])
}

/// Drops the test database when the test ends.
struct DbGuard(String);

impl Drop for DbGuard {
    fn drop(&mut self) {
        let _ = clickhouse::drop_database(&self.0);
    }
}

fn migrated(url: &str) -> (String, DbGuard) {
    let url = fresh_db(url);
    let guard = DbGuard(url.clone());
    let applied = clickhouse::migrate(&url).unwrap();
    assert!(!applied.is_empty());
    (url, guard)
}

fn make_single() -> (clickhouse::ClickHouseStore, (DbGuard, tempfile::TempDir)) {
    // The single-server suite keeps its ledger in a state store (the
    // binary's setup); the cluster suite uses the ledger table.
    let (url, guard) = migrated(&servers().single);
    let dir = tempfile::tempdir().unwrap();
    let dd = scry_store::DataDir::open(dir.path(), true).unwrap();
    let state = std::sync::Arc::new(scry_store::StateStore::open(&dd).unwrap());
    drop(dd);
    let s = clickhouse::open_with_state(&url, state).unwrap();
    (s, (guard, dir))
}

fn make_cluster() -> (clickhouse::ClickHouseStore, DbGuard) {
    let (url, guard) = migrated(&servers().cluster);
    (clickhouse::open(&url).unwrap(), guard)
}

scry_store::store_test_suite!(clickhouse_single, super::make_single());
scry_store::store_test_suite!(clickhouse_cluster, super::make_cluster());

#[test]
fn open_refuses_unmigrated_and_newer() {
    let url = fresh_db(&servers().single);
    let _guard = DbGuard(url.clone());
    let e = clickhouse::open(&url).unwrap_err().to_string();
    assert!(e.contains("scry store migrate"), "{e}");
    clickhouse::migrate(&url).unwrap();
    assert!(
        clickhouse::migrate(&url).unwrap().is_empty(),
        "second migrate is a no-op"
    );
    clickhouse::open(&url).unwrap();
    // A newer schema (a future migration recorded) is refused.
    let db = url.rsplit('/').next().unwrap();
    let http = url
        .strip_prefix("clickhouse://")
        .and_then(|r| r.split('/').next())
        .unwrap();
    let v = clickhouse::schema_version() + 1;
    let status = Command::new("curl")
        .args(["-sf", "-m", "20", &format!("http://{http}/")])
        .args([
            "--data-binary",
            &format!("INSERT INTO {db}.schema_migrations VALUES ({v}, 'future', now())"),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let e = clickhouse::open(&url).unwrap_err().to_string();
    assert!(e.contains("upgrade scry"), "{e}");
}

fn replayed_batch_counts_once(s: &dyn Store) {
    let entry = LedgerEntry {
        key: "facts:replay".into(),
        name: "in.ndjson".into(),
        committed_through: 2,
        complete: true,
        updated_at: T0,
    };
    let batch = || WriteBatch {
        observations: vec![
            obs("a.example", Predicate::IP, "192.0.2.1", T0, "f"),
            obs("b.example", Predicate::IP, "192.0.2.1", T0, "f"),
        ],
        ledger: Some(entry.clone()),
        ..Default::default()
    };
    s.write(batch()).unwrap();
    // The same input replayed (a crash before the ledger was recorded, or
    // an ingest that ignores the ledger): nothing is added twice.
    s.write(batch()).unwrap();
    let page = s
        .facts(&FactQuery {
            subject: SubjectSel::Subtree(scry_model::DomainName::parse("a.example").unwrap()),
            predicates: vec![],
            fence: TimeFence::default(),
            limit: 10,
        })
        .unwrap();
    assert_eq!(page.facts.len(), 1);
    assert_eq!(page.facts[0].window.count, 1);
    // Without a ledger entry, a second write is a second observation.
    s.write(WriteBatch {
        observations: vec![obs("a.example", Predicate::IP, "192.0.2.1", T0, "f")],
        ..Default::default()
    })
    .unwrap();
    let page = s
        .facts(&FactQuery {
            subject: SubjectSel::Exact(scry_model::Entity::parse_subject("a.example").unwrap()),
            predicates: vec![],
            fence: TimeFence::default(),
            limit: 10,
        })
        .unwrap();
    assert_eq!(page.facts[0].window.count, 2);
    assert_eq!(s.ledger("facts:replay").unwrap(), Some(entry));
    let r = s.check().unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.facts, 2);
}

#[test]
fn replay_single() {
    let (s, _g) = make_single();
    replayed_batch_counts_once(&s);
}

#[test]
fn replay_cluster() {
    let (s, _g) = make_cluster();
    replayed_batch_counts_once(&s);
    let st = s.stats().unwrap();
    assert_eq!(st.engine, "clickhouse");
    assert!(st.disk_bytes > 0);
}

#[test]
fn cluster_shards_by_holder() {
    let (url, _g) = migrated(&servers().cluster);
    let s = clickhouse::open(&url).unwrap();
    let hosts: Vec<String> = (0..40)
        .map(|i| format!("h{i}.d{}.example", i % 8))
        .collect();
    s.write(WriteBatch {
        observations: hosts
            .iter()
            .map(|h| obs(h, Predicate::IP, "192.0.2.1", T0, "p"))
            .collect(),
        ..Default::default()
    })
    .unwrap();
    // Each registrable domain's rows are on exactly one shard, and both
    // shards got some.
    let shards: Vec<&str> = url
        .split("shards=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .split(',')
        .collect();
    let db = url.split('?').next().unwrap().rsplit('/').next().unwrap();
    let mut per_shard = Vec::new();
    for sh in &shards {
        let out = Command::new("curl")
            .args(["-sf", "-m", "20", &format!("http://{sh}/")])
            .args([
                "--data-binary",
                &format!("SELECT DISTINCT hkey FROM {db}.observations_local FORMAT TSV"),
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        let set: std::collections::BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        per_shard.push(set);
    }
    assert!(per_shard.iter().all(|s| !s.is_empty()), "{per_shard:?}");
    assert!(per_shard[0].is_disjoint(&per_shard[1]));
    assert_eq!(per_shard[0].len() + per_shard[1].len(), 8);
}

#[test]
fn unreachable_server_is_unavailable_after_retries() {
    // Nothing listens on port 1: refused, retried, then reported.
    let t = std::time::Instant::now();
    let e = clickhouse::migrate("clickhouse://127.0.0.1:1/scry?retries=2&timeout=5").unwrap_err();
    assert_eq!(e.kind(), scry_store::StoreErrorKind::Unavailable, "{e}");
    assert!(
        t.elapsed() >= std::time::Duration::from_millis(300),
        "backed off"
    );
}

#[test]
fn check_reports_a_missing_roll_up() {
    let (url, _g) = migrated(&servers().single);
    let s = clickhouse::open(&url).unwrap();
    s.write(WriteBatch {
        observations: vec![obs("a.example", Predicate::IP, "192.0.2.1", T0, "p")],
        ..Default::default()
    })
    .unwrap();
    assert!(s.check().unwrap().problems.is_empty());
    // Break the reverse index's feed, then write more.
    let db = url.rsplit('/').next().unwrap();
    let http = url
        .strip_prefix("clickhouse://")
        .and_then(|r| r.split('/').next())
        .unwrap();
    let status = Command::new("curl")
        .args(["-sf", "-m", "20", &format!("http://{http}/")])
        .args(["--data-binary", &format!("DROP TABLE {db}.facts_rev_mv")])
        .status()
        .unwrap();
    assert!(status.success());
    s.write(WriteBatch {
        observations: vec![obs("b.example", Predicate::IP, "192.0.2.1", T0, "p")],
        ..Default::default()
    })
    .unwrap();
    let r = s.check().unwrap();
    assert!(
        r.problems.iter().any(|p| p.contains("reverse index")),
        "{:?}",
        r.problems
    );
}
