//! Embedded vs ClickHouse on the same generated data, in the same run:
//! ingest throughput, then profile (holdings + value counts), pivot and
//! reverse-by-IP latency (p50/p99).
//!
//! ```text
//! scripts/clickhouse-test-server start 1        # prints CH_URL
//! cargo run --release -p scry-store --example engine_bench -- \
//!     --facts 1000000 --clickhouse clickhouse://127.0.0.1:18123/scry_bench
//! ```
//! The ClickHouse database is dropped and re-created (migrated) first; the
//! embedded store lives in a temporary directory (`--skip-embedded` skips
//! it, e.g. to measure a cluster URL alone). `--json` adds one last line, a
//! JSON object with every figure (for `cargo xtask bench all`).
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use scry_model::{DomainName, Entity, Ip, Observation, Predicate, Window};
use scry_store::embedded::EmbeddedStore;
use scry_store::{
    DataDir, ObjectSel, PivotQuery, ReverseQuery, Scope, Store, TimeFence, WriteBatch, clickhouse,
};

const T0: i64 = 1_704_067_200;
const DAY: i64 = 86_400;
const FACTS_PER_DOMAIN: u64 = 6;

/// xorshift64*: deterministic data for both engines.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Skewed pick: small indexes are much more popular.
    fn skewed(&mut self, n: u64) -> u64 {
        let a = self.below(n);
        self.below(a + 1)
    }
}

struct Gen {
    domains: u64,
    ips: u64,
    ns: u64,
    mx: u64,
    emails: u64,
}

impl Gen {
    fn new(facts: u64) -> Gen {
        let domains = (facts / FACTS_PER_DOMAIN).max(1);
        Gen {
            domains,
            ips: (domains / 4).max(1),
            ns: (domains / 500).max(2),
            mx: (domains / 1000).max(2),
            emails: (domains / 20).max(2),
        }
    }
    fn ip(i: u64) -> String {
        format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)
    }
    fn domain(i: u64) -> String {
        const TLDS: [&str; 5] = ["com", "net", "org", "co.uk", "de"];
        format!("d{i}-bench.{}", TLDS[(i % 5) as usize])
    }
    fn ns(i: u64) -> String {
        format!("ns{}.dnsprov{}.net", i % 4, i / 4)
    }
    /// The observations of domains `from..to`.
    fn batch(&self, from: u64, to: u64) -> Vec<Observation> {
        let mut out = Vec::with_capacity(((to - from) * FACTS_PER_DOMAIN) as usize);
        let now = T0 + 1000 * DAY;
        for i in from..to {
            let mut r = Rng(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let d = Self::domain(i);
            let t = T0 + r.below(365) as i64 * DAY;
            let w = Window {
                first_seen: t,
                last_seen: t + r.below(30) as i64 * DAY,
                count: 1 + r.below(5),
            };
            let mut push = |subject: &str, p: Predicate, object: String| {
                let o = Observation::new(
                    Entity::parse_subject(subject).unwrap(),
                    p,
                    Entity::parse(p.object_kind(), &object).unwrap(),
                    w,
                    "bench".into(),
                    now,
                )
                .unwrap();
                out.push(o);
            };
            push(&d, Predicate::IP, Self::ip(r.skewed(self.ips)));
            push(
                &format!("www.{d}"),
                Predicate::IP,
                Self::ip(r.below(self.ips)),
            );
            let ns = r.skewed(self.ns / 2) * 2;
            push(&d, Predicate::NAMESERVER_HOST, Self::ns(ns));
            push(&d, Predicate::NAMESERVER_HOST, Self::ns(ns + 1));
            push(
                &d,
                Predicate::MAILSERVER_HOST,
                format!("mx.mailprov{}.net", r.skewed(self.mx)),
            );
            push(
                &d,
                Predicate::REGISTRANT_EMAIL,
                format!("owner{}@mail{}.test", r.skewed(self.emails), i % 7),
            );
        }
        out
    }
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

/// Ingests every fact; returns (facts, seconds).
fn ingest(s: &dyn Store, g: &Gen, batch_domains: u64) -> (u64, f64) {
    let start = Instant::now();
    let mut i = 0;
    let mut facts = 0u64;
    while i < g.domains {
        let to = (i + batch_domains).min(g.domains);
        let obs = g.batch(i, to);
        facts += obs.len() as u64;
        s.write(WriteBatch {
            observations: obs,
            ..Default::default()
        })
        .unwrap();
        i = to;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "  ingest: {facts} facts in {secs:.1} s = {:.0} facts/s",
        facts as f64 / secs
    );
    (facts, secs)
}

/// Measures the queries; returns their p50/p99 in milliseconds, by name.
fn queries(s: &dyn Store, g: &Gen, n: usize) -> serde_json::Value {
    let mut r = Rng(42);
    let mut profile = Vec::new();
    let mut pivot = Vec::new();
    let mut reverse = Vec::new();
    for _ in 0..n {
        let d = DomainName::parse(&Gen::domain(r.below(g.domains))).unwrap();
        let t = Instant::now();
        let h = s.holdings(&Entity::Domain(d)).unwrap();
        let vals: Vec<_> = h.iter().map(|h| (h.predicate, h.object.clone())).collect();
        let c = s.value_counts(&vals).unwrap();
        assert_eq!(c.len(), vals.len());
        profile.push(t.elapsed());

        let ns = Gen::ns(r.skewed(g.ns));
        let t = Instant::now();
        s.pivot(&PivotQuery {
            predicate: Predicate::NAMESERVER_HOST,
            object: Entity::Domain(DomainName::parse(&ns).unwrap()),
            scope: Scope::Current,
            after: None,
            limit: 100,
        })
        .unwrap();
        pivot.push(t.elapsed());

        let ip = Ip::parse(&Gen::ip(r.skewed(g.ips))).unwrap();
        let t = Instant::now();
        s.reverse(&ReverseQuery {
            object: ObjectSel::Exact(Entity::Ip(ip)),
            predicates: vec![],
            fence: TimeFence::default(),
            limit: 100,
        })
        .unwrap();
        reverse.push(t.elapsed());
    }
    let mut out = serde_json::Map::new();
    for (key, name, v) in [
        ("profile", "profile (holdings + value_counts)", &mut profile),
        ("pivot", "pivot nameserver_host, current, 100", &mut pivot),
        ("reverse", "reverse by IP, 100", &mut reverse),
    ] {
        let (p50, p99) = (pct(v, 0.5), pct(v, 0.99));
        println!(
            "  {name}: p50 {p50:.2} ms, p99 {p99:.2} ms ({} queries)",
            v.len()
        );
        out.insert(format!("{key}_p50_ms"), p50.into());
        out.insert(format!("{key}_p99_ms"), p99.into());
    }
    out.into()
}

/// One engine's figures as a JSON object.
fn run_engine(s: &dyn Store, g: &Gen, batch_domains: u64, n_queries: usize) -> serde_json::Value {
    let (facts, secs) = ingest(s, g, batch_domains);
    let mut v = queries(s, g, n_queries);
    let disk = s.stats().unwrap().disk_bytes;
    println!("  disk: {} MiB", disk >> 20);
    if let Some(m) = v.as_object_mut() {
        m.insert("facts".into(), facts.into());
        m.insert("ingest_s".into(), secs.into());
        m.insert("facts_per_s".into(), (facts as f64 / secs).into());
        m.insert("disk_bytes".into(), disk.into());
    }
    v
}

fn main() {
    let mut facts = 1_000_000u64;
    let mut url = None;
    let mut n_queries = 200usize;
    let mut batch_domains = 10_000u64;
    let mut embedded = true;
    let mut json = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--facts" => facts = args.next().and_then(|v| v.parse().ok()).unwrap(),
            "--clickhouse" => url = args.next(),
            "--queries" => n_queries = args.next().and_then(|v| v.parse().ok()).unwrap(),
            "--skip-embedded" => embedded = false,
            "--json" => json = true,
            "--batch-domains" => batch_domains = args.next().and_then(|v| v.parse().ok()).unwrap(),
            other => panic!("unknown argument {other}"),
        }
    }
    let g = Gen::new(facts);
    println!(
        "data: {} domains x {FACTS_PER_DOMAIN} facts, {} IPs, {} name servers, {} mail servers, {} registrant e-mails; batches of {} facts",
        g.domains,
        g.ips,
        g.ns,
        g.mx,
        g.emails,
        batch_domains * FACTS_PER_DOMAIN
    );

    let dir = tempfile::tempdir().unwrap();
    let mut report = serde_json::Map::new();
    report.insert("bench".into(), "engine".into());
    report.insert("domains".into(), g.domains.into());
    report.insert("queries".into(), n_queries.into());
    if embedded {
        let dd = DataDir::open(dir.path(), true).unwrap();
        let s = EmbeddedStore::open(&dd).unwrap();
        println!("embedded:");
        report.insert(
            "embedded".into(),
            run_engine(&s, &g, batch_domains, n_queries),
        );
    }
    if let Some(url) = url {
        clickhouse::drop_database(&url).unwrap();
        clickhouse::migrate(&url).unwrap();
        let s = clickhouse::open(&url).unwrap();
        println!("clickhouse ({url}):");
        report.insert(
            "clickhouse".into(),
            run_engine(&s, &g, batch_domains, n_queries),
        );
    }
    if json {
        println!("{}", serde_json::Value::Object(report));
    }
}
