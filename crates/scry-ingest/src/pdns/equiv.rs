//! Equivalence of the pDNS form (`scry_store::embedded` `pdns.rs`) with
//! the fact path: the same inputs stored through batch writes (the
//! reference) and through the form read back the same through every read
//! of the `Store` trait (`zone::equiv::fingerprint`, plus pivots and value
//! scans of the pDNS-only predicates).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use scry_model::{DomainName, Entity, Ip, Observation, Predicate, Window};
use scry_store::embedded::EmbeddedStore;
use scry_store::{DataDir, Store, WriteBatch};

use crate::zone::equiv::{
    DAY, DAY0, Probes, Step, Via, assert_same_reads, fingerprint, ingest_all, pivot_pages,
    scan_line,
};

/// One input: a zone snapshot or pDNS file (through `ingest_all`), or a
/// batch write of `ip` facts from another source.
enum Input {
    Step(Step),
    IpWrite(Vec<(String, String)>),
}

/// The reads `fingerprint` does not make for pDNS predicates: pivots and
/// value scans of `cname`, `txt`, `mx` and `aaaa`-as-`ip` values.
fn extra(store: &dyn Store, p: &Probes) -> Vec<String> {
    let mut out = Vec::new();
    let mut values: Vec<(Predicate, Entity)> = Vec::new();
    for n in &p.names {
        if let Ok(d) = DomainName::parse(n) {
            values.push((Predicate::CNAME, Entity::Domain(d.clone())));
            values.push((Predicate::MAILSERVER_HOST, Entity::Domain(d)));
        }
    }
    for t in ["Hello World", "v=spf1 -all"] {
        values.push((Predicate::TXT, Entity::Text(t.to_string())));
    }
    let counts = store.value_counts(&values).expect("value_counts");
    for ((pr, v), c) in values.iter().zip(&counts) {
        if c.current + c.historic == 0 {
            continue;
        }
        out.push(format!("count {pr} {v}: {c:?}"));
        pivot_pages(&mut out, store, *pr, v, 2);
    }
    for pr in [
        Predicate::CNAME,
        Predicate::MAILSERVER_HOST,
        Predicate::TXT,
        Predicate::IP,
    ] {
        for (min, max) in [(1, u64::MAX), (2, 3), (1, 1)] {
            scan_line(&mut out, store, pr, min, max);
        }
    }
    out
}

fn run(store: &dyn Store, runs: &Path, input: &Input, via: Via) {
    match input {
        Input::Step(s) => ingest_all(store, runs, "test.", std::slice::from_ref(s), via),
        Input::IpWrite(pairs) => {
            let observations = pairs
                .iter()
                .map(|(n, ip)| Observation {
                    subject: Entity::Domain(DomainName::parse(n).expect("name")),
                    predicate: Predicate::IP,
                    object: Entity::Ip(Ip::parse(ip).expect("ip")),
                    window: Window {
                        first_seen: DAY0 + 6 * DAY,
                        last_seen: DAY0 + 7 * DAY,
                        count: 1,
                    },
                    source: "resolver".into(),
                })
                .collect();
            store
                .write(WriteBatch {
                    observations,
                    ..Default::default()
                })
                .expect("ip write");
        }
    }
}

/// Stores `inputs` through batch writes (the reference) and through the
/// form route (pDNS files as sorted-pass loads, the form when the store is
/// empty), compares every read after every input, and returns the form
/// route's store (reopened: the reads after a reopen are compared too).
fn assert_form_agrees(inputs: &[Input], probes: &Probes) -> (tempfile::TempDir, EmbeddedStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = |n: &str| DataDir::open(&dir.path().join(n), true).expect("data dir");
    let reference = EmbeddedStore::open(&data_dir("reference")).expect("store");
    let mut form = EmbeddedStore::open(&data_dir("form")).expect("store");
    let (ra, rb) = (dir.path().join("runs-a"), dir.path().join("runs-b"));
    let via = Via {
        zone_form: true,
        pdns_bulk: true,
        pdns_form: true,
    };
    for (i, input) in inputs.iter().enumerate() {
        run(&reference, &ra, input, Via::default());
        run(&form, &rb, input, via);
        for reopen in [false, true] {
            if reopen {
                drop(form);
                form = EmbeddedStore::open(&data_dir("form")).expect("reopen");
            }
            let mut a = fingerprint(&reference, probes, &ra);
            a.extend(extra(&reference, probes));
            let mut b = fingerprint(&form, probes, &rb);
            b.extend(extra(&form, probes));
            assert_same_reads(&a, &b, &format!("after input {i}, reopen {reopen}"));
        }
    }
    (dir, form)
}

/// A COF line (one argument per field, as the lines read).
#[allow(clippy::too_many_arguments)]
fn cof(
    out: &mut String,
    name: &str,
    rrtype: &str,
    rdata: &str,
    first: i64,
    last: i64,
    count: u64,
    sensor: &str,
) {
    let _ = writeln!(
        out,
        r#"{{"rrname":"{name}","rrtype":"{rrtype}","rdata":"{rdata}","time_first":{first},"time_last":{last},"count":{count},"sensor_id":"{sensor}"}}"#
    );
}

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).expect("write");
    p
}

/// A first COF file: hosts of several registrable domains (holdings merged
/// across a domain's hosts), repeats with later windows and other sensors,
/// facts older than a day before their holder's latest (historic), CNAME,
/// MX, TXT with a display form, NS.
fn first_file(dir: &Path) -> PathBuf {
    let mut s = String::new();
    for d in 0..40 {
        for h in ["", "www.", "mail.", "a.b."] {
            let name = format!("{h}d{d}-ex.com");
            let t = DAY0 + (d % 5) * DAY;
            cof(
                &mut s,
                &name,
                "A",
                &format!("192.0.2.{}", d % 9),
                t,
                t + 3_600,
                2,
                "s1",
            );
            if d % 3 == 0 {
                // Older address: historic once the newer one is a day later.
                cof(
                    &mut s,
                    &name,
                    "A",
                    &format!("198.51.100.{}", d % 4),
                    t - 9 * DAY,
                    t - 8 * DAY,
                    1,
                    "s2",
                );
            }
            if d % 4 == 0 {
                // The same rrset again, later and from another sensor.
                cof(
                    &mut s,
                    &name,
                    "A",
                    &format!("192.0.2.{}", d % 9),
                    t + DAY,
                    t + 2 * DAY,
                    5,
                    "s3",
                );
            }
        }
        cof(
            &mut s,
            &format!("d{d}-ex.com"),
            "NS",
            &format!("ns{}.host.net", d % 3),
            DAY0,
            DAY0 + DAY,
            1,
            "s1",
        );
        if d % 2 == 0 {
            cof(
                &mut s,
                &format!("d{d}-ex.com"),
                "MX",
                &format!("10 mx{}.mail.org", d % 4),
                DAY0,
                DAY0 + 2 * DAY,
                1,
                "s1",
            );
        }
        if d % 5 == 0 {
            cof(
                &mut s,
                &format!("alias{d}.other.net"),
                "CNAME",
                &format!("www.d{d}-ex.com"),
                DAY0,
                DAY0 + DAY,
                1,
                "s2",
            );
            cof(
                &mut s,
                &format!("d{d}-ex.com"),
                "TXT",
                if d % 10 == 0 {
                    "Hello World"
                } else {
                    "v=spf1 -all"
                },
                DAY0,
                DAY0,
                1,
                "s1",
            );
        }
        cof(
            &mut s,
            &format!("d{d}-ex.com"),
            "AAAA",
            &format!("2001:db8::{}", d % 6),
            DAY0,
            DAY0 + DAY,
            1,
            "s1",
        );
    }
    // A glue host name of the zone below and its address.
    cof(
        &mut s,
        "ns1.host.net",
        "A",
        "192.0.2.200",
        DAY0,
        DAY0 + DAY,
        1,
        "s1",
    );
    write(dir, "first.json", &s)
}

/// A later COF file: some of the same rrsets later (windows widened),
/// new rrsets on known holders, names never seen.
fn second_file(dir: &Path) -> PathBuf {
    let mut s = String::new();
    for d in (0..40).step_by(3) {
        cof(
            &mut s,
            &format!("www.d{d}-ex.com"),
            "A",
            &format!("192.0.2.{}", d % 9),
            DAY0 + 20 * DAY,
            DAY0 + 21 * DAY,
            1,
            "s4",
        );
        cof(
            &mut s,
            &format!("new.d{d}-ex.com"),
            "A",
            "203.0.113.7",
            DAY0 + 20 * DAY,
            DAY0 + 20 * DAY,
            1,
            "s4",
        );
    }
    for d in 100..110 {
        cof(
            &mut s,
            &format!("d{d}.fresh.org"),
            "A",
            "203.0.113.7",
            DAY0 + 21 * DAY,
            DAY0 + 22 * DAY,
            1,
            "s4",
        );
    }
    write(dir, "second.json", &s)
}

fn zone_file(dir: &Path, day: i64) -> PathBuf {
    let mut body = String::new();
    for i in 0..30 {
        let _ = writeln!(body, "d{i} NS ns{}.host.net.", i % 3);
    }
    let text = format!(
        "$ORIGIN test.\n$TTL 3600\n@ SOA ns.test. admin.test. 1 3600 600 86400 300\n{body}"
    );
    write(dir, &format!("zone{day}.zone"), &text)
}

/// The names and addresses the scenarios write; `origin` empty (zone
/// diffs are the zone form's concern, and a scenario starting with pDNS
/// has no snapshot to diff).
fn probes() -> Probes {
    let mut p = Probes::default();
    for d in 0..40 {
        for h in ["", "www.", "mail.", "a.b.", "new."] {
            p.names.insert(format!("{h}d{d}-ex.com"));
        }
        p.names.insert(format!("alias{d}.other.net"));
        p.names.insert(format!("d{d}.test"));
    }
    for d in 100..110 {
        p.names.insert(format!("d{d}.fresh.org"));
    }
    for i in 0..4 {
        p.names.insert(format!("ns{i}.host.net"));
        p.names.insert(format!("mx{i}.mail.org"));
    }
    for n in ["d1-ex.com", "host.net", "other.net", "test", "fresh.org"] {
        p.names.insert(n.to_string());
    }
    for i in 0..10 {
        p.ips.insert(format!("192.0.2.{i}"));
        p.ips.insert(format!("198.51.100.{i}"));
        p.ips.insert(format!("2001:db8::{i}"));
    }
    p.ips.insert("192.0.2.200".into());
    p.ips.insert("203.0.113.7".into());
    p
}

/// pDNS first (the form), then a second pDNS load (bulk merge:
/// materialises the holders it touches), a zone snapshot with the same
/// name servers (refused by the zone form: the store holds facts), and
/// batch writes of `ip` from another source on form holders.
#[test]
fn pdns_form_reads_the_same_as_the_fact_path() {
    let files = tempfile::tempdir().expect("tempdir");
    let inputs = vec![
        Input::Step(Step::Pdns(first_file(files.path()))),
        Input::IpWrite(vec![
            ("d1-ex.com".into(), "192.0.2.1".into()),
            ("www.d2-ex.com".into(), "192.0.2.77".into()),
        ]),
        Input::Step(Step::Pdns(second_file(files.path()))),
        Input::Step(Step::Zone {
            path: zone_file(files.path(), 0),
            date: DAY0 + 30 * DAY,
        }),
    ];
    let (_dir, form) = assert_form_agrees(&inputs[..1], &probes());
    let live = form.pdns_holders().expect("holders");
    assert!(live >= 40, "the first load went to the form: {live}");
    let (_dir, form) = assert_form_agrees(&inputs, &probes());
    let live = form.pdns_holders().expect("holders");
    // The second file touched every third domain, the write two more.
    assert!(live > 0 && live < 40, "some holders materialised: {live}");
}

/// A store holding a zone form: the pDNS load is refused by the form (a
/// holder in the zone form could otherwise be in both), so it goes
/// through the bulk load, which materialises the zone holders it touches.
#[test]
fn pdns_form_is_refused_by_a_store_holding_a_zone_form() {
    let files = tempfile::tempdir().expect("tempdir");
    let mut s = String::new();
    for i in 0..10 {
        cof(
            &mut s,
            &format!("d{i}.test"),
            "NS",
            "ns9.host.net",
            DAY0,
            DAY0 + DAY,
            1,
            "s1",
        );
        cof(
            &mut s,
            &format!("www.d{i}.test"),
            "A",
            "192.0.2.9",
            DAY0,
            DAY0 + DAY,
            1,
            "s1",
        );
    }
    let inputs = vec![
        Input::Step(Step::Zone {
            path: zone_file(files.path(), 0),
            date: DAY0,
        }),
        Input::Step(Step::Pdns(write(files.path(), "p.json", &s))),
    ];
    let (_dir, form) = assert_form_agrees(&inputs, &probes());
    assert_eq!(form.pdns_holders().expect("holders"), 0);
    let (live, all) = form.zone_holders().expect("zone holders");
    assert!(
        all > 0 && live < all,
        "zone holders materialised: {live} of {all}"
    );
}
