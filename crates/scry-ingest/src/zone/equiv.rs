//! Equivalence of zone-ingest routes: the same snapshots (and the same
//! passive-DNS facts on some of the same names) stored through two routes
//! must read back the same through every read of the `Store` trait.
//!
//! The reference is today's fact path with its bulk load (the first
//! snapshot, and a later snapshot's changes after three batches). The
//! other route is, for now, the fact path through batch writes only; a
//! zone-specific storage form plugs in as one more route and must pass
//! the same comparison before it may become the default.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use scry_model::{DomainName, Entity, Ip, Predicate, Timestamp};
use scry_store::embedded::EmbeddedStore;
use scry_store::{
    BulkLoad, CheckReport, DataDir, Document, Event, FactPage, FactQuery, Holding, LedgerEntry,
    NameScan, ObjectSel, PivotPage, PivotQuery, ReverseQuery, ScannedHolder, Scope, Store,
    StoreStats, SubjectSel, SubjectSummary, TimeFence, ValueCount, ValueScan, ValueScanSummary,
    WriteBatch, WriteReceipt,
};

use super::{ZoneIngestOptions, ingest_zone, zone_diff};
use crate::pdns::{PdnsOptions, ingest_pdns};

pub(crate) const DAY0: Timestamp = 1_767_225_600; // 2026-01-01
pub(crate) const DAY: Timestamp = 86_400;

/// The embedded engine without its bulk load: every change goes through
/// batch writes.
pub(crate) struct BatchOnly(pub(crate) EmbeddedStore);

impl Store for BatchOnly {
    fn engine(&self) -> &'static str {
        self.0.engine()
    }
    fn write(&self, batch: WriteBatch) -> scry_store::Result<WriteReceipt> {
        self.0.write(batch)
    }
    fn bulk_load(&self) -> scry_store::Result<Option<Box<dyn BulkLoad + '_>>> {
        Ok(None)
    }
    fn ledger(&self, key: &str) -> scry_store::Result<Option<LedgerEntry>> {
        self.0.ledger(key)
    }
    fn facts(&self, q: &FactQuery) -> scry_store::Result<FactPage> {
        self.0.facts(q)
    }
    fn reverse(&self, q: &ReverseQuery) -> scry_store::Result<FactPage> {
        self.0.reverse(q)
    }
    fn names_forward(&self, q: &NameScan) -> scry_store::Result<Vec<DomainName>> {
        self.0.names_forward(q)
    }
    fn known_subjects(&self, s: &[Entity]) -> scry_store::Result<Vec<bool>> {
        self.0.known_subjects(s)
    }
    fn subject_summary(&self, r: &DomainName, limit: usize) -> scry_store::Result<SubjectSummary> {
        self.0.subject_summary(r, limit)
    }
    fn holdings(&self, holder: &Entity) -> scry_store::Result<Vec<Holding>> {
        self.0.holdings(holder)
    }
    fn value_counts(&self, v: &[(Predicate, Entity)]) -> scry_store::Result<Vec<ValueCount>> {
        self.0.value_counts(v)
    }
    fn pivot(&self, q: &PivotQuery) -> scry_store::Result<PivotPage> {
        self.0.pivot(q)
    }
    fn scan_values(
        &self,
        q: &ValueScan,
        visit: &mut dyn FnMut(&Entity, &[ScannedHolder<'_>]) -> scry_store::Result<()>,
    ) -> scry_store::Result<ValueScanSummary> {
        self.0.scan_values(q, visit)
    }
    fn documents(&self, s: &Entity, kind: &str) -> scry_store::Result<Vec<Document>> {
        self.0.documents(s, kind)
    }
    fn events(&self, after: u64, limit: usize) -> scry_store::Result<Vec<Event>> {
        self.0.events(after, limit)
    }
    fn check(&self) -> scry_store::Result<CheckReport> {
        self.0.check()
    }
    fn stats(&self) -> scry_store::Result<StoreStats> {
        self.0.stats()
    }
}

/// One input of a scenario, in order.
pub(crate) enum Step {
    Zone { path: PathBuf, date: Timestamp },
    Pdns(PathBuf),
}

/// What a scenario's reads are asked about.
#[derive(Default)]
pub(crate) struct Probes {
    pub(crate) names: BTreeSet<String>,
    pub(crate) ips: BTreeSet<String>,
    pub(crate) origin: String,
}

/// How a route stores: the zone form for first snapshots, and passive DNS
/// as one bulk load instead of batches.
#[derive(Clone, Copy, Default)]
pub(crate) struct Via {
    pub(crate) zone_form: bool,
    pub(crate) pdns_bulk: bool,
    /// A first pDNS load into an empty store in the pDNS form.
    pub(crate) pdns_form: bool,
}

pub(crate) fn ingest_all(store: &dyn Store, runs: &Path, origin: &str, steps: &[Step], via: Via) {
    for s in steps {
        match s {
            Step::Zone { path, date } => {
                let opts = ZoneIngestOptions {
                    zone_form: via.zone_form,
                    origin: Some(origin.to_string()),
                    date: Some(*date),
                    strict: false,
                    runs_dir: runs.to_path_buf(),
                    now: DAY0 + 100 * DAY,
                };
                ingest_zone(store, path, &opts, &mut |_| {}).expect("zone ingest");
            }
            Step::Pdns(path) => {
                let opts = PdnsOptions {
                    format: None,
                    strict: true,
                    batch_size: 50,
                    dns_ports: vec![53],
                    now: DAY0 + 100 * DAY,
                    bulk_min_bytes: via.pdns_bulk.then_some(0),
                    fact_path: !via.pdns_form,
                };
                ingest_pdns(store, path, &opts, &mut |_| {}).expect("pdns ingest");
            }
        }
    }
}

fn facts_line(out: &mut Vec<String>, what: &str, page: &FactPage) {
    let mut s = format!("{what}: limited={} n={}", page.limited, page.facts.len());
    for f in &page.facts {
        let _ = write!(
            s,
            " | {} {} {} [{},{}]x{} {:?}",
            f.subject,
            f.predicate,
            f.object,
            f.window.first_seen,
            f.window.last_seen,
            f.window.count,
            f.sources
        );
    }
    out.push(s);
}

fn holding_str(h: &Holding) -> String {
    format!(
        "{} {} [{},{}]x{} current={}",
        h.predicate, h.object, h.window.first_seen, h.window.last_seen, h.window.count, h.current
    )
}

/// Every page of the pivot on `(pr, v)` in every scope, `limit` domains a
/// page, as lines.
pub(crate) fn pivot_pages(
    out: &mut Vec<String>,
    store: &dyn Store,
    pr: Predicate,
    v: &Entity,
    limit: usize,
) {
    for scope in [Scope::Current, Scope::Historic, Scope::All] {
        let mut after = None;
        for page_no in 0..1_000 {
            let page = store
                .pivot(&PivotQuery {
                    predicate: pr,
                    object: v.clone(),
                    scope,
                    after: after.clone(),
                    limit,
                })
                .expect("pivot");
            let ds: Vec<String> = page
                .domains
                .iter()
                .map(|(d, h)| format!("{d} {}", holding_str(h)))
                .collect();
            out.push(format!(
                "pivot {pr} {v} {scope:?} #{page_no}: {:?} {ds:?} next={:?}",
                page.count, page.next_cursor
            ));
            match page.next_cursor {
                Some(c) => after = Some(c),
                None => break,
            }
        }
    }
}

/// The value scan of `pr` over values of `min..=max` holders, as one line.
pub(crate) fn scan_line(
    out: &mut Vec<String>,
    store: &dyn Store,
    pr: Predicate,
    min: u64,
    max: u64,
) {
    let mut lines = Vec::new();
    let sum = store
        .scan_values(
            &ValueScan {
                predicate: pr,
                min_holders: min,
                max_holders: max,
            },
            &mut |v, hs| {
                let hs: Vec<String> = hs
                    .iter()
                    .map(|h| format!("{:?} {} {}", h.name(), h.current, h.first_seen))
                    .collect();
                lines.push(format!("{v}: {hs:?}"));
                Ok(())
            },
        )
        .expect("scan_values");
    out.push(format!("scan {pr} {min}..{max}: {sum:?} {lines:?}"));
}

/// Everything the reads return about the probes, as lines.
pub(crate) fn fingerprint(store: &dyn Store, p: &Probes, runs: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let all = TimeFence::default();
    let fenced = TimeFence {
        last_after: Some(DAY0 + DAY),
        ..Default::default()
    };
    let mut values: Vec<(Predicate, Entity)> = Vec::new();
    for n in &p.names {
        let Ok(d) = DomainName::parse(n) else {
            continue;
        };
        let e = Entity::Domain(d.clone());
        for (sel, name) in [
            (SubjectSel::Exact(e.clone()), "exact"),
            (SubjectSel::Registrable(d.clone()), "registrable"),
            (SubjectSel::Subtree(d.clone()), "subtree"),
        ] {
            for (fence, fname) in [(&all, "all"), (&fenced, "fenced")] {
                for limit in [2, 10_000] {
                    let q = FactQuery {
                        subject: sel.clone(),
                        predicates: Vec::new(),
                        fence: *fence,
                        limit,
                    };
                    let page = store.facts(&q).expect("facts");
                    facts_line(
                        &mut out,
                        &format!("facts {name} {fname} {limit} {n}"),
                        &page,
                    );
                }
            }
        }
        let q = FactQuery {
            subject: SubjectSel::Exact(e.clone()),
            predicates: vec![Predicate::NAMESERVER_HOST],
            fence: all,
            limit: 10_000,
        };
        facts_line(
            &mut out,
            &format!("facts ns {n}"),
            &store.facts(&q).expect("facts"),
        );
        for limit in [3, 10_000] {
            let s = store.subject_summary(&d, limit).expect("summary");
            out.push(format!("summary {limit} {n}: {s:?}"));
        }
        let hs: Vec<String> = store
            .holdings(&e)
            .expect("holdings")
            .iter()
            .map(holding_str)
            .collect();
        out.push(format!("holdings {n}: {hs:?}"));
        for (sel, name) in [
            (ObjectSel::Exact(e.clone()), "exact"),
            (ObjectSel::Subtree(d.clone()), "subtree"),
        ] {
            for limit in [2, 10_000] {
                let q = ReverseQuery {
                    object: sel.clone(),
                    predicates: Vec::new(),
                    fence: all,
                    limit,
                };
                let page = store.reverse(&q).expect("reverse");
                facts_line(&mut out, &format!("reverse {name} {limit} {n}"), &page);
            }
        }
        values.push((Predicate::NAMESERVER_HOST, e.clone()));
        values.push((Predicate::IN_ZONE, e.clone()));
        let labels = n.split('.').next().unwrap_or("").to_string();
        let names = store
            .names_forward(&NameScan {
                labels: format!("{labels}."),
                after: None,
                limit: 50,
            })
            .expect("names_forward");
        out.push(format!("names_forward {labels}: {names:?}"));
        let known = store
            .known_subjects(std::slice::from_ref(&e))
            .expect("known");
        out.push(format!("known {n}: {known:?}"));
    }
    for ip in &p.ips {
        let Ok(ip) = Ip::parse(ip) else { continue };
        let e = Entity::Ip(ip);
        let q = ReverseQuery {
            object: ObjectSel::Exact(e.clone()),
            predicates: Vec::new(),
            fence: all,
            limit: 10_000,
        };
        facts_line(
            &mut out,
            &format!("reverse ip {ip}"),
            &store.reverse(&q).expect("rev"),
        );
        let q = FactQuery {
            subject: SubjectSel::Exact(e.clone()),
            predicates: Vec::new(),
            fence: all,
            limit: 10_000,
        };
        facts_line(
            &mut out,
            &format!("facts ip {ip}"),
            &store.facts(&q).expect("facts"),
        );
        let hs: Vec<String> = store
            .holdings(&e)
            .expect("holdings")
            .iter()
            .map(holding_str)
            .collect();
        out.push(format!("holdings {ip}: {hs:?}"));
        values.push((Predicate::NAMESERVER_IP, e.clone()));
        values.push((Predicate::IP, e));
    }
    values.push((
        Predicate::DNSSEC,
        Entity::Text("signedDelegation".to_string()),
    ));
    let counts = store.value_counts(&values).expect("value_counts");
    for ((pr, v), c) in values.iter().zip(&counts) {
        out.push(format!("count {pr} {v}: {c:?}"));
    }
    // Pivots of every counted value, every scope, in pages of 3.
    for (pr, v) in &values {
        pivot_pages(&mut out, store, *pr, v, 3);
    }
    for pr in [
        Predicate::NAMESERVER_HOST,
        Predicate::NAMESERVER_IP,
        Predicate::IP,
        Predicate::IN_ZONE,
        Predicate::DNSSEC,
    ] {
        for (min, max) in [(1, u64::MAX), (2, 5)] {
            scan_line(&mut out, store, pr, min, max);
        }
    }
    let check = store.check().expect("check");
    out.push(format!(
        "check: facts={} holdings={} values={} events={} problems={:?}",
        check.facts, check.holdings, check.values, check.events, check.problems
    ));
    for e in store.events(0, 1_000_000).expect("events") {
        out.push(format!(
            "event {} {} {} {} {:?}",
            e.seq, e.time, e.kind, e.subject, e.data
        ));
    }
    // No origin: a scenario without zone snapshots (the pDNS form's).
    if p.origin.is_empty() {
        return out;
    }
    let mut diffs = Vec::new();
    zone_diff(runs, &p.origin, None, None, &mut |t, c| {
        diffs.push(format!(
            "{t} {} {} {:?} {:?}",
            c.kind, c.domain, c.ns_old, c.ns_new
        ));
        Ok(())
    })
    .expect("zone diff");
    out.push(format!("diff: {diffs:?}"));
    out
}

/// A route under test: opens a store (in the given data dir) that
/// stores zone snapshots its own way.
type Route = fn(&DataDir) -> Box<dyn Store>;

/// The routes compared with the reference (the fact path with its bulk
/// load): the fact path through batch writes only, and the embedded
/// engine's zone form (`scry_store::embedded` `zone.rs`: a first
/// snapshot stored per delegation, materialised into facts by any later
/// write that touches its holder), which is the default since it agrees,
/// with passive DNS in batches (materialised by batch writes) and as a
/// bulk load (materialised by the bulk load).
const ROUTES: &[(&str, Route, Via)] = &[
    (
        "facts-batches",
        |dd| Box::new(BatchOnly(EmbeddedStore::open(dd).expect("store"))),
        Via {
            zone_form: false,
            pdns_bulk: false,
            pdns_form: false,
        },
    ),
    (
        "zone-form",
        |dd| Box::new(EmbeddedStore::open(dd).expect("store")),
        Via {
            zone_form: true,
            pdns_bulk: false,
            pdns_form: false,
        },
    ),
    (
        "zone-form-pdns-bulk",
        |dd| Box::new(EmbeddedStore::open(dd).expect("store")),
        Via {
            zone_form: true,
            pdns_bulk: true,
            pdns_form: false,
        },
    ),
];

/// Stores `steps` through the reference and every route in [`ROUTES`] and
/// compares every read (after every step when `every_step`, else at the
/// end).
fn assert_routes_agree(origin: &str, steps: &[Step], probes: &Probes, every_step: bool) {
    for (name, route, via) in ROUTES {
        assert_route_agrees(origin, steps, probes, name, *route, *via, every_step);
    }
}

fn assert_route_agrees(
    origin: &str,
    steps: &[Step],
    probes: &Probes,
    name: &str,
    route: Route,
    via: Via,
    every_step: bool,
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = |n: &str| DataDir::open(&dir.path().join(n), true).expect("data dir");
    let reference = EmbeddedStore::open(&data_dir("reference")).expect("store");
    let other = route(&data_dir(name));
    let (ra, rb) = (dir.path().join("runs-a"), dir.path().join("runs-b"));
    for (i, step) in steps.iter().enumerate() {
        let step = std::slice::from_ref(step);
        ingest_all(&reference, &ra, origin, step, Via::default());
        ingest_all(other.as_ref(), &rb, origin, step, via);
        if !every_step && i + 1 < steps.len() {
            continue;
        }
        let a = fingerprint(&reference, probes, &ra);
        let b = fingerprint(other.as_ref(), probes, &rb);
        assert_same_reads(&a, &b, &format!("route {name}, after step {i}"));
    }
    if via.zone_form {
        // The route did store delegations in the zone form (later
        // snapshots and passive DNS may have materialised them all since).
        drop(other);
        let s = EmbeddedStore::open(&data_dir(name)).expect("reopen");
        let (live, all) = s.zone_holders().expect("zone holders");
        assert!(all > 0 && live <= all, "{name}: zone form {live} of {all}");
    }
}

/// The reference's reads `a` (which must read something and check clean)
/// equal the route's `b`, line by line; `at` names the step on failure.
pub(crate) fn assert_same_reads(a: &[String], b: &[String], at: &str) {
    assert!(a.len() > 50, "the probes read something: {}", a.len());
    assert!(
        a.iter()
            .any(|l| l.starts_with("check:") && l.ends_with("problems=[]")),
        "the reference store checks clean"
    );
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x, y, "first read that differs ({at})");
    }
    assert_eq!(a.len(), b.len());
}

fn zone_text(origin: &str, body: &str) -> String {
    format!(
        "$ORIGIN {origin}\n$TTL 3600\n@ SOA ns.{origin} admin.{origin} 1 3600 600 86400 300\n{body}"
    )
}

/// A generated zone over days: adds, removes, name-server changes, glue
/// and signed delegations, with passive DNS seeing some of the same name
/// servers (and some others) between the snapshots.
#[test]
fn generated_zone_days_with_pdns_read_the_same_through_every_route() {
    let dir = tempfile::tempdir().expect("tempdir");
    let day = |d: usize, range: std::ops::Range<usize>, shift: usize| {
        let mut body = String::new();
        for i in range {
            body.push_str(&format!("d{i} NS ns{}.host.net.\n", (i + shift) % 7));
            if i % 3 == 0 {
                body.push_str(&format!("d{i} NS ns{}.other.org.\n", i % 4));
            }
            if i % 10 == 0 {
                body.push_str(&format!(
                    "d{i} NS ns.d{i}.test.\nns.d{i}.test. A 192.0.2.{}\n",
                    (i + d) % 250
                ));
            }
            if i % 7 == 0 {
                body.push_str(&format!("d{i} DS 1 8 2 ABCD\n"));
            }
        }
        let p = dir.path().join(format!("day{d}.zone"));
        std::fs::write(&p, zone_text("test.", &body)).expect("write zone");
        p
    };
    let mut steps = vec![Step::Zone {
        path: day(0, 0..120, 0),
        date: DAY0,
    }];
    // pDNS: the same name servers as the zone on some names (one fact on
    // read), others on some, a glue address, and names the zone never had.
    let mut cof = String::new();
    for i in 30..50 {
        let ns = if i % 2 == 0 {
            format!("ns{}.host.net", i % 7)
        } else {
            format!("pdns{}.example.net", i % 3)
        };
        let _ = writeln!(
            cof,
            r#"{{"rrname":"d{i}.test","rrtype":"NS","rdata":["{ns}"],"time_first":{},"time_last":{},"count":2,"sensor_id":"s1"}}"#,
            DAY0 - 5 * DAY,
            DAY0 + 3 * DAY
        );
    }
    let _ = writeln!(
        cof,
        r#"{{"rrname":"ns.d40.test","rrtype":"A","rdata":"192.0.2.40","time_first":{},"time_last":{},"count":1,"sensor_id":"s2"}}"#,
        DAY0,
        DAY0 + 2 * DAY
    );
    for i in 500..505 {
        let _ = writeln!(
            cof,
            r#"{{"rrname":"d{i}.test","rrtype":"NS","rdata":["ns1.host.net"],"time_first":{},"time_last":{},"count":1,"sensor_id":"s1"}}"#,
            DAY0 + DAY,
            DAY0 + DAY
        );
    }
    let pdns = dir.path().join("pdns.json");
    std::fs::write(&pdns, cof).expect("write pdns");
    // Day 1: 10 removed, 20 added, every 4th of 40..80 moved.
    steps.push(Step::Zone {
        path: day(1, 10..140, 0),
        date: DAY0 + DAY,
    });
    steps.push(Step::Pdns(pdns));
    steps.push(Step::Zone {
        path: day(2, 5..140, 1),
        date: DAY0 + 2 * DAY,
    });
    steps.push(Step::Zone {
        path: day(3, 0..130, 1),
        date: DAY0 + 4 * DAY,
    });
    let mut probes = Probes {
        origin: "test.".into(),
        ..Default::default()
    };
    for i in (0..145).chain(500..506) {
        probes.names.insert(format!("d{i}.test"));
        probes.names.insert(format!("ns.d{i}.test"));
    }
    for i in 0..7 {
        probes.names.insert(format!("ns{i}.host.net"));
    }
    for i in 0..4 {
        probes.names.insert(format!("ns{i}.other.org"));
    }
    for i in 0..3 {
        probes.names.insert(format!("pdns{i}.example.net"));
    }
    for n in ["test", "host.net", "other.org", "example.net"] {
        probes.names.insert(n.to_string());
    }
    for i in 0..250 {
        probes.ips.insert(format!("192.0.2.{i}"));
    }
    assert_routes_agree("test.", &steps, &probes, true);
}

/// Real root-zone snapshots (`shared/data/zones`), oldest first.
#[test]
fn root_zone_snapshots_read_the_same_through_every_route() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/zones");
    let files = [
        ("rootzone-2018/history/root.zone.20180129", DAY0),
        ("rootzone-2018/root.zone", DAY0 + 40 * DAY),
    ];
    let mut steps = Vec::new();
    let mut probes = Probes {
        origin: ".".into(),
        ..Default::default()
    };
    for (f, date) in files {
        let path = data.join(f);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (shared/data/zones)", path.display()));
        for line in text.lines() {
            let mut it = line.split_whitespace();
            let (Some(owner), Some(rtype)) = (it.next(), it.nth(2)) else {
                continue;
            };
            let last = line.split_whitespace().last().unwrap_or("");
            match rtype {
                "NS" => {
                    probes
                        .names
                        .insert(owner.trim_end_matches('.').to_lowercase());
                    probes
                        .names
                        .insert(last.trim_end_matches('.').to_lowercase());
                }
                "A" | "AAAA" => {
                    probes.ips.insert(last.to_string());
                }
                _ => {}
            }
        }
        steps.push(Step::Zone { path, date });
    }
    probes.names.retain(|n| !n.is_empty());
    assert!(probes.names.len() > 1_000, "{}", probes.names.len());
    assert_routes_agree(".", &steps, &probes, false);
}
