//! The conformance suite every engine must pass.
//!
//! An engine's tests instantiate it with a constructor expression that
//! returns a fresh, empty store (and whatever guard keeps it alive):
//!
//! ```ignore
//! scry_store::store_test_suite!(embedded, {
//!     let dir = tempfile::tempdir().unwrap();
//!     let dd = scry_store::DataDir::open(dir.path(), true).unwrap();
//!     let s = scry_store::embedded::EmbeddedStore::open(&dd).unwrap();
//!     (s, (dd, dir))
//! });
//! ```
//!
//! Each test is a plain function taking `&dyn Store`, so the macro only
//! wires them up; the same functions run against every engine.

use std::collections::BTreeMap;

use scry_model::{DomainName, Entity, IpNet, Observation, Predicate, Window};

use crate::{
    Document, FactQuery, LedgerEntry, NameScan, NewEvent, ObjectSel, PivotQuery, ReverseQuery,
    Scope, Store, SubjectSel, SubjectSummary, TimeFence, ValueScan, WriteBatch,
};

/// A day in seconds.
pub const DAY: i64 = 86_400;
/// 2024-01-01T00:00:00Z, the suite's epoch.
pub const T0: i64 = 1_704_067_200;

fn ent(kind_pred: Predicate, v: &str) -> Entity {
    Entity::parse(kind_pred.object_kind(), v).expect("valid test value")
}

/// An observation of `subject predicate object` at `t`.
pub fn obs(subject: &str, predicate: Predicate, object: &str, t: i64, source: &str) -> Observation {
    Observation::new(
        Entity::parse_subject(subject).expect("valid subject"),
        predicate,
        ent(predicate, object),
        Window {
            first_seen: t,
            last_seen: t,
            count: 1,
        },
        source.to_string(),
        T0 + 10_000 * DAY,
    )
    .expect("valid observation")
}

fn write(s: &dyn Store, obs: Vec<Observation>) {
    s.write(WriteBatch {
        observations: obs,
        ..Default::default()
    })
    .expect("write");
}

fn d(s: &str) -> DomainName {
    DomainName::parse(s).expect("valid name")
}

fn pivot_all(s: &dyn Store, p: Predicate, v: &str, scope: Scope) -> Vec<String> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .pivot(&PivotQuery {
                predicate: p,
                object: ent(p, v),
                scope,
                after: after.clone(),
                limit: 2,
            })
            .expect("pivot");
        out.extend(page.domains.iter().map(|(d, _)| d.ascii().to_string()));
        match page.next_cursor {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    out
}

fn assert_consistent(s: &dyn Store) {
    let r = s.check().expect("check");
    assert!(r.problems.is_empty(), "inconsistent: {:?}", r.problems);
}

/// Re-observation widens the window, adds counts and sources.
pub fn merge_widens_window(s: &dyn Store) {
    write(
        s,
        vec![obs(
            "www.example.com",
            Predicate::IP,
            "192.0.2.1",
            T0 + DAY,
            "a",
        )],
    );
    write(
        s,
        vec![
            obs("www.example.com", Predicate::IP, "192.0.2.1", T0, "b"),
            obs(
                "www.example.com",
                Predicate::IP,
                "192.0.2.1",
                T0 + 2 * DAY,
                "a",
            ),
        ],
    );
    let page = s
        .facts(&FactQuery {
            subject: SubjectSel::Exact(Entity::Domain(d("www.example.com"))),
            predicates: vec![],
            fence: TimeFence::default(),
            limit: 100,
        })
        .expect("facts");
    assert_eq!(page.facts.len(), 1);
    let f = &page.facts[0];
    assert_eq!(f.window.first_seen, T0);
    assert_eq!(f.window.last_seen, T0 + 2 * DAY);
    assert_eq!(f.window.count, 3);
    assert_eq!(f.sources, vec!["a".to_string(), "b".to_string()]);
    assert_consistent(s);
}

/// Hosts roll up to their registrable domain; counts are per domain.
pub fn hosts_roll_up_and_count_once(s: &dyn Store) {
    write(
        s,
        vec![
            obs("www.example.com", Predicate::IP, "192.0.2.1", T0, "a"),
            obs("mail.example.com", Predicate::IP, "192.0.2.1", T0, "a"),
            obs("other.net", Predicate::IP, "192.0.2.1", T0, "a"),
            obs("x.foo.blogspot.com", Predicate::IP, "192.0.2.1", T0, "a"),
        ],
    );
    let c = s
        .value_counts(&[(Predicate::IP, ent(Predicate::IP, "192.0.2.1"))])
        .expect("counts");
    assert_eq!(c[0].current, 3, "example.com, other.net, foo.blogspot.com");
    let h = s
        .holdings(&Entity::Domain(d("example.com")))
        .expect("holdings");
    assert_eq!(h.len(), 1);
    assert!(h[0].current);
    assert_eq!(h[0].window.count, 2);
    assert_eq!(
        pivot_all(s, Predicate::IP, "192.0.2.1", Scope::Current),
        vec!["foo.blogspot.com", "example.com", "other.net"]
    );
    // The registrable selection does not include other registrable domains below.
    let page = s
        .facts(&FactQuery {
            subject: SubjectSel::Registrable(d("blogspot.com")),
            predicates: vec![],
            fence: TimeFence::default(),
            limit: 100,
        })
        .expect("facts");
    assert!(page.facts.is_empty());
    assert_consistent(s);
}

/// A registrable domain's subject summary is what its facts add up to,
/// whatever the limit, and leaves out other registrable domains below it.
pub fn subject_summary_matches_facts(s: &dyn Store) {
    write(
        s,
        vec![
            obs(
                "example.com",
                Predicate::NAMESERVER_HOST,
                "ns1.example.net",
                T0,
                "zone",
            ),
            obs(
                "example.com",
                Predicate::REGISTRAR,
                "Example Registrar",
                T0 + DAY,
                "whois",
            ),
            obs(
                "www.example.com",
                Predicate::IP,
                "192.0.2.1",
                T0 + 2 * DAY,
                "pdns",
            ),
            obs(
                "www.example.com",
                Predicate::IP,
                "192.0.2.2",
                T0 - DAY,
                "pdns",
            ),
            obs(
                "www.example.com",
                Predicate::IP,
                "192.0.2.1",
                T0 + 3 * DAY,
                "zone",
            ),
            obs("a.b.example.com", Predicate::TXT, "v=spf1 -all", T0, "pdns"),
            obs("x.blogspot.com", Predicate::IP, "192.0.2.9", T0, "pdns"),
            obs("other.com", Predicate::IP, "192.0.2.1", T0, "pdns"),
        ],
    );
    for (name, limits) in [
        ("example.com", &[0usize, 1, 2, 3, 4, 5, 100][..]),
        ("www.example.com", &[100][..]),
        ("blogspot.com", &[100][..]),
        ("x.blogspot.com", &[100][..]),
        ("absent.org", &[100][..]),
    ] {
        let reg = d(name).registrable_name();
        for &limit in limits {
            let page = s
                .facts(&FactQuery {
                    subject: SubjectSel::Registrable(reg.clone()),
                    predicates: vec![],
                    fence: TimeFence::default(),
                    limit,
                })
                .expect("facts");
            let got = s.subject_summary(&reg, limit).expect("summary");
            assert_eq!(
                got,
                SubjectSummary::of_facts(&page),
                "{name}, limit {limit}"
            );
        }
    }
    let all = s.subject_summary(&d("example.com"), 100).expect("summary");
    assert_eq!(all.facts, 5);
    assert_eq!(
        all.subjects.into_iter().collect::<Vec<_>>(),
        vec![
            ("a.b.example.com".to_string(), 1),
            ("example.com".to_string(), 2),
            ("www.example.com".to_string(), 2),
        ]
    );
    assert_eq!(all.window, Some((T0 - DAY, T0 + 3 * DAY)));
    assert!(!all.limited);
    assert!(
        s.subject_summary(&d("example.com"), 4)
            .expect("summary")
            .limited
    );
}

/// A newer snapshot makes superseded values historic and moves the counts.
pub fn current_and_historic(s: &dyn Store) {
    write(
        s,
        vec![
            obs(
                "a.com",
                Predicate::REGISTRANT_EMAIL,
                "x@evil.test",
                T0,
                "whois",
            ),
            obs(
                "b.com",
                Predicate::REGISTRANT_EMAIL,
                "x@evil.test",
                T0,
                "whois",
            ),
            obs(
                "a.com",
                Predicate::NAMESERVER_HOST,
                "ns1.old.net",
                T0,
                "zone",
            ),
        ],
    );
    write(
        s,
        vec![
            obs(
                "a.com",
                Predicate::REGISTRANT_EMAIL,
                "new@good.test",
                T0 + DAY,
                "whois",
            ),
            obs(
                "a.com",
                Predicate::NAMESERVER_HOST,
                "ns1.new.net",
                T0 + 3 * DAY,
                "zone",
            ),
        ],
    );
    let c = s
        .value_counts(&[
            (
                Predicate::REGISTRANT_EMAIL,
                ent(Predicate::REGISTRANT_EMAIL, "x@evil.test"),
            ),
            (
                Predicate::REGISTRANT_EMAIL,
                ent(Predicate::REGISTRANT_EMAIL, "new@good.test"),
            ),
            (
                Predicate::NAMESERVER_HOST,
                ent(Predicate::NAMESERVER_HOST, "ns1.old.net"),
            ),
            (
                Predicate::NAMESERVER_HOST,
                ent(Predicate::NAMESERVER_HOST, "ns1.new.net"),
            ),
        ])
        .expect("counts");
    assert_eq!((c[0].current, c[0].historic), (1, 1));
    assert_eq!((c[1].current, c[1].historic), (1, 0));
    assert_eq!((c[2].current, c[2].historic), (0, 1));
    assert_eq!((c[3].current, c[3].historic), (1, 0));
    assert_eq!(
        pivot_all(
            s,
            Predicate::REGISTRANT_EMAIL,
            "x@evil.test",
            Scope::Current
        ),
        vec!["b.com"]
    );
    assert_eq!(
        pivot_all(
            s,
            Predicate::REGISTRANT_EMAIL,
            "x@evil.test",
            Scope::Historic
        ),
        vec!["a.com"]
    );
    assert_eq!(
        pivot_all(s, Predicate::REGISTRANT_EMAIL, "x@evil.test", Scope::All),
        vec!["a.com", "b.com"]
    );
    // An old observation arriving late does not make a value current again.
    write(
        s,
        vec![obs(
            "a.com",
            Predicate::REGISTRANT_EMAIL,
            "x@evil.test",
            T0 - DAY,
            "whois",
        )],
    );
    let c = s
        .value_counts(&[(
            Predicate::REGISTRANT_EMAIL,
            ent(Predicate::REGISTRANT_EMAIL, "x@evil.test"),
        )])
        .expect("counts");
    assert_eq!((c[0].current, c[0].historic), (1, 1));
    assert_consistent(s);
}

/// Pages cover every holder exactly once.
pub fn pivot_pages(s: &dyn Store) {
    let obs_: Vec<_> = (0..25)
        .map(|i| {
            obs(
                &format!("d{i:02}.example"),
                Predicate::NAMESERVER_HOST,
                "ns.shared.net",
                T0,
                "z",
            )
        })
        .collect();
    write(s, obs_);
    let all = pivot_all(
        s,
        Predicate::NAMESERVER_HOST,
        "ns.shared.net",
        Scope::Current,
    );
    assert_eq!(all.len(), 25);
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 25);
    let page = s
        .pivot(&PivotQuery {
            predicate: Predicate::NAMESERVER_HOST,
            object: ent(Predicate::NAMESERVER_HOST, "ns.shared.net"),
            scope: Scope::Current,
            after: None,
            limit: 10,
        })
        .expect("pivot");
    assert_eq!(page.count.current, 25);
    assert_eq!(page.domains.len(), 10);
    assert!(page.next_cursor.is_some());
    let bad = s.pivot(&PivotQuery {
        predicate: Predicate::NAMESERVER_HOST,
        object: ent(Predicate::NAMESERVER_HOST, "ns.shared.net"),
        scope: Scope::Current,
        after: Some("not a cursor!".into()),
        limit: 10,
    });
    assert!(bad.is_err());
}

/// A value scan gives each value held by `min..=max` registrable domains
/// once, with the holders a pivot gives (hosts rolled up, current flags,
/// first seen), in value order; more common values are only counted.
pub fn scan_values_matches_pivots(s: &dyn Store) {
    let p = Predicate::NAMESERVER_HOST;
    let mut o = Vec::new();
    for i in 0..30 {
        o.push(obs(&format!("big{i:02}.example"), p, "ns.big.net", T0, "z"));
    }
    for i in 0..3 {
        o.push(obs(
            &format!("www.pair{i}.example"),
            p,
            "ns.pair.net",
            T0 + i * DAY,
            "z",
        ));
    }
    o.push(obs("alone.example", p, "ns.alone.net", T0, "z"));
    // pair0 moves away from ns.pair.net: historic there.
    o.push(obs("pair0.example", p, "ns.other.net", T0 + 5 * DAY, "z"));
    o.push(obs("x.example", p, "ns.other.net", T0 + 5 * DAY, "z"));
    o.push(obs("x.example", Predicate::IP, "192.0.2.9", T0, "z"));
    o.push(obs("y.example", Predicate::IP, "192.0.2.9", T0, "z"));
    write(s, o);
    type Scanned = (String, Vec<(String, bool, i64)>);
    let mut seen: Vec<Scanned> = Vec::new();
    let sum = s
        .scan_values(
            &ValueScan {
                predicate: p,
                min_holders: 2,
                max_holders: 10,
            },
            &mut |v, hs| {
                seen.push((
                    v.to_string(),
                    hs.iter()
                        .map(|h| (h.name().expect("a name key"), h.current, h.first_seen))
                        .collect(),
                ));
                Ok(())
            },
        )
        .expect("scan");
    assert_eq!(sum.delivered, 2, "{seen:?}");
    assert_eq!(sum.too_common, 1);
    assert_eq!(seen[0].0, "ns.other.net");
    assert_eq!(
        seen[0].1,
        vec![
            ("pair0.example".to_string(), true, T0 + 5 * DAY),
            ("x.example".to_string(), true, T0 + 5 * DAY),
        ]
    );
    assert_eq!(seen[1].0, "ns.pair.net");
    assert_eq!(
        seen[1].1,
        vec![
            ("pair0.example".to_string(), false, T0),
            ("pair1.example".to_string(), true, T0 + DAY),
            ("pair2.example".to_string(), true, T0 + 2 * DAY),
        ]
    );
    // Everything, however common; other predicates stay out.
    let mut n = 0;
    let sum = s
        .scan_values(
            &ValueScan {
                predicate: p,
                min_holders: 1,
                max_holders: u64::MAX,
            },
            &mut |_, hs| {
                n += hs.len();
                Ok(())
            },
        )
        .expect("scan");
    assert_eq!((sum.delivered, sum.too_common, n), (4, 0, 30 + 3 + 1 + 2));
}

/// Paging through a scope that few holders are in: every historic holder
/// is found, once, in key order, however far apart.
pub fn pivot_sparse_scope(s: &dyn Store) {
    let mut o: Vec<_> = (0..300)
        .map(|i| {
            obs(
                &format!("d{i:03}.example"),
                Predicate::REGISTRANT_EMAIL,
                "x@a.test",
                T0,
                "w",
            )
        })
        .collect();
    for i in [7, 150, 299] {
        o.push(obs(
            &format!("d{i:03}.example"),
            Predicate::REGISTRANT_EMAIL,
            "y@b.test",
            T0 + DAY,
            "w",
        ));
    }
    write(s, o);
    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .pivot(&PivotQuery {
                predicate: Predicate::REGISTRANT_EMAIL,
                object: ent(Predicate::REGISTRANT_EMAIL, "x@a.test"),
                scope: Scope::Historic,
                after: after.clone(),
                limit: 1,
            })
            .expect("pivot");
        assert_eq!((page.count.current, page.count.historic), (297, 3));
        assert!(page.domains.iter().all(|(_, h)| !h.current));
        pages.push(
            page.domains
                .iter()
                .map(|(d, _)| d.ascii().to_string())
                .collect::<Vec<_>>(),
        );
        match page.next_cursor {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    assert_eq!(
        pages,
        vec![
            vec!["d007.example".to_string()],
            vec!["d150.example".to_string()],
            vec!["d299.example".to_string()]
        ]
    );
    let current = pivot_all(s, Predicate::REGISTRANT_EMAIL, "x@a.test", Scope::Current);
    assert_eq!(current.len(), 297);
    assert!(!current.contains(&"d150.example".to_string()));
    assert_consistent(s);
}

/// Reverse lookups by exact value, name subtree and CIDR; time fences; limits.
pub fn reverse_ranges_and_fences(s: &dyn Store) {
    write(
        s,
        vec![
            obs("a.example", Predicate::IP, "192.0.2.1", T0, "p"),
            obs("b.example", Predicate::IP, "192.0.2.200", T0 + 5 * DAY, "p"),
            obs("c.example", Predicate::IP, "192.0.3.1", T0, "p"),
            obs("d.example", Predicate::IP, "2001:db8::1", T0, "p"),
            obs(
                "e.example",
                Predicate::NAMESERVER_HOST,
                "ns1.dns.example.net",
                T0,
                "p",
            ),
            obs(
                "f.example",
                Predicate::NAMESERVER_HOST,
                "ns2.dns.example.net",
                T0,
                "p",
            ),
            obs(
                "g.example",
                Predicate::NAMESERVER_HOST,
                "ns.example.org",
                T0,
                "p",
            ),
        ],
    );
    let q = |object: ObjectSel, fence: TimeFence, limit: usize| {
        s.reverse(&ReverseQuery {
            object,
            predicates: vec![],
            fence,
            limit,
        })
        .expect("reverse")
    };
    let net = IpNet::parse("192.0.2.0/24").expect("net");
    let page = q(ObjectSel::Cidr(net), TimeFence::default(), 100);
    let subjects: Vec<String> = page.facts.iter().map(|f| f.subject.to_string()).collect();
    assert_eq!(subjects, vec!["a.example", "b.example"]);
    let v6 = IpNet::parse("2001:db8::/32").expect("net");
    assert_eq!(
        q(ObjectSel::Cidr(v6), TimeFence::default(), 100)
            .facts
            .len(),
        1
    );
    let page = q(
        ObjectSel::Subtree(d("dns.example.net")),
        TimeFence::default(),
        100,
    );
    assert_eq!(page.facts.len(), 2);
    let page = q(
        ObjectSel::Cidr(net),
        TimeFence {
            first_after: Some(T0 + DAY),
            ..Default::default()
        },
        100,
    );
    assert_eq!(page.facts.len(), 1);
    assert_eq!(page.facts[0].subject.to_string(), "b.example");
    let page = q(ObjectSel::Cidr(net), TimeFence::default(), 1);
    assert_eq!(page.facts.len(), 1);
    assert!(page.limited);
    let page = q(
        ObjectSel::Exact(ent(Predicate::IP, "192.0.3.1")),
        TimeFence::default(),
        10,
    );
    assert_eq!(page.facts.len(), 1);
    assert!(!page.limited);
}

/// Reverse lookups return the fact as the forward index holds it after
/// merges: widened window, added count, every source.
pub fn reverse_after_merge(s: &dyn Store) {
    let batch = |t: i64, src: &str| {
        vec![
            obs("a.example", Predicate::IP, "198.51.100.1", t, src),
            obs("b.example", Predicate::IP, "198.51.100.2", t, src),
        ]
    };
    write(s, batch(T0, "p"));
    write(s, batch(T0 + 3 * DAY, "q"));
    write(
        s,
        vec![obs(
            "a.example",
            Predicate::IP,
            "198.51.100.1",
            T0 + 9 * DAY,
            "p",
        )],
    );
    let fwd = s
        .facts(&FactQuery {
            subject: SubjectSel::Exact(Entity::Domain(d("a.example"))),
            predicates: vec![Predicate::IP],
            fence: TimeFence::default(),
            limit: 10,
        })
        .expect("facts");
    let rev = s
        .reverse(&ReverseQuery {
            object: ObjectSel::Cidr(IpNet::parse("198.51.100.0/24").expect("net")),
            predicates: vec![],
            fence: TimeFence::default(),
            limit: 10,
        })
        .expect("reverse");
    assert_eq!(rev.facts.len(), 2);
    assert_eq!(rev.facts[0], fwd.facts[0]);
    assert_eq!(rev.facts[0].window.count, 3);
    assert_eq!(rev.facts[0].window.last_seen, T0 + 9 * DAY);
    assert_eq!(rev.facts[0].sources, vec!["p".to_string(), "q".to_string()]);
    assert_eq!(rev.facts[1].window.count, 2);
    // The fence applies to the merged window.
    let fenced = s
        .reverse(&ReverseQuery {
            object: ObjectSel::Cidr(IpNet::parse("198.51.100.0/24").expect("net")),
            predicates: vec![],
            fence: TimeFence {
                last_after: Some(T0 + 5 * DAY),
                ..Default::default()
            },
            limit: 10,
        })
        .expect("reverse");
    assert_eq!(fenced.facts.len(), 1);
    assert_eq!(fenced.facts[0].subject.to_string(), "a.example");
}

/// Subjects with stored facts are known; others are not.
pub fn known_subjects(s: &dyn Store) {
    write(
        s,
        vec![
            obs("www.example.com", Predicate::IP, "192.0.2.1", T0, "p"),
            obs("192.0.2.9", Predicate::ASN, "64500", T0, "p"),
        ],
    );
    let known = s
        .known_subjects(&[
            Entity::Domain(d("www.example.com")),
            Entity::Domain(d("example.com")),
            Entity::Domain(d("mail.example.com")),
            ent(Predicate::IP, "192.0.2.9"),
            ent(Predicate::IP, "192.0.2.1"),
        ])
        .expect("known");
    assert_eq!(known, vec![true, false, false, true, false]);
    assert!(s.known_subjects(&[]).expect("known").is_empty());
}

/// Forward wildcard (subtree) and CIDR subject queries.
pub fn forward_subtree(s: &dyn Store) {
    write(
        s,
        vec![
            obs("example.com", Predicate::IP, "192.0.2.1", T0, "p"),
            obs("www.example.com", Predicate::IP, "192.0.2.2", T0, "p"),
            obs("a.b.example.com", Predicate::IP, "192.0.2.3", T0, "p"),
            obs("examples.com", Predicate::IP, "192.0.2.4", T0, "p"),
            obs("192.0.2.9", Predicate::ASN, "64500", T0, "asn"),
        ],
    );
    let page = s
        .facts(&FactQuery {
            subject: SubjectSel::Subtree(d("example.com")),
            predicates: vec![Predicate::IP],
            fence: TimeFence::default(),
            limit: 100,
        })
        .expect("facts");
    assert_eq!(page.facts.len(), 3);
    let page = s
        .facts(&FactQuery {
            subject: SubjectSel::Cidr(IpNet::parse("192.0.2.0/24").expect("net")),
            predicates: vec![],
            fence: TimeFence::default(),
            limit: 100,
        })
        .expect("facts");
    assert_eq!(page.facts.len(), 1);
    assert_eq!(page.facts[0].predicate, Predicate::ASN);
}

fn names_page(s: &dyn Store, labels: &str, after: Option<&str>, limit: usize) -> Vec<String> {
    s.names_forward(&NameScan {
        labels: labels.to_string(),
        after: after.map(d),
        limit,
    })
    .expect("names")
    .iter()
    .map(|n| n.ascii().to_string())
    .collect()
}

/// The forward-name index (right-hand wildcards): distinct subject names
/// by leading labels, label-aligned, in forward order, paged.
pub fn names_by_leading_labels(s: &dyn Store) {
    write(
        s,
        vec![
            obs("www.example.com", Predicate::IP, "192.0.2.1", T0, "p"),
            obs("www.example.com", Predicate::IP, "192.0.2.2", T0, "p"),
            obs("www.example.co.uk", Predicate::IP, "192.0.2.3", T0, "p"),
            obs(
                "www.example.org",
                Predicate::NAMESERVER_HOST,
                "ns1.other.net",
                T0,
                "p",
            ),
            obs("www.examples.com", Predicate::IP, "192.0.2.4", T0, "p"),
            obs("a.www.example.com", Predicate::IP, "192.0.2.5", T0, "p"),
            obs("192.0.2.9", Predicate::ASN, "64500", T0, "asn"),
        ],
    );
    // Re-observing a name and adding facts to it keeps one key.
    write(
        s,
        vec![
            obs("www.example.com", Predicate::IP, "192.0.2.1", T0 + DAY, "p"),
            obs("www.example.org", Predicate::IP, "192.0.2.6", T0, "p"),
        ],
    );
    let all = names_page(s, "www.example", None, 100);
    assert_eq!(
        all,
        ["www.example.co.uk", "www.example.com", "www.example.org"]
    );
    let first = names_page(s, "www.example", None, 2);
    assert_eq!(first, ["www.example.co.uk", "www.example.com"]);
    let rest = names_page(s, "www.example", Some("www.example.com"), 2);
    assert_eq!(rest, ["www.example.org"]);
    assert_eq!(names_page(s, "WWW.Example.", None, 100).len(), 3);
    assert_eq!(names_page(s, "www", None, 100).len(), 4);
    assert!(
        names_page(s, "ns1.other", None, 100).is_empty(),
        "objects are not subjects"
    );
    assert_eq!(
        names_page(s, "a.www.example", None, 100),
        ["a.www.example.com"]
    );
}

/// The ledger is stored with its batch and read back.
pub fn ledger_roundtrip(s: &dyn Store) {
    assert_eq!(s.ledger("facts:abc").expect("ledger"), None);
    let entry = LedgerEntry {
        key: "facts:abc".into(),
        name: "in.ndjson".into(),
        committed_through: 42,
        complete: false,
        updated_at: T0,
    };
    s.write(WriteBatch {
        observations: vec![obs("a.com", Predicate::IP, "192.0.2.1", T0, "f")],
        ledger: Some(entry.clone()),
        ..Default::default()
    })
    .expect("write");
    assert_eq!(s.ledger("facts:abc").expect("ledger"), Some(entry));
}

/// Events get increasing sequence numbers and are read after a cursor.
pub fn events_in_order(s: &dyn Store) {
    let ev = |i: usize| NewEvent {
        time: T0 + i as i64,
        kind: "domain_added".into(),
        subject: format!("d{i}.com"),
        data: BTreeMap::from([("zone".to_string(), "com".to_string())]),
    };
    let r1 = s
        .write(WriteBatch {
            events: vec![ev(0), ev(1)],
            ..Default::default()
        })
        .expect("write");
    let r2 = s
        .write(WriteBatch {
            events: vec![ev(2)],
            ..Default::default()
        })
        .expect("write");
    assert_eq!(r1.last_event_seq, Some(2));
    assert_eq!(r2.last_event_seq, Some(3));
    let all = s.events(0, 100).expect("events");
    assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(all[2].subject, "d2.com");
    assert_eq!(all[0].data.get("zone").map(String::as_str), Some("com"));
    let after = s.events(2, 100).expect("events");
    assert_eq!(after.len(), 1);
    assert_eq!(s.events(0, 2).expect("events").len(), 2);
}

/// Documents are kept per holder and time, byte for byte.
pub fn documents_roundtrip(s: &dyn Store) {
    let body = b"Domain Name: EXAMPLE.COM\r\nRegistrar: Example Registrar\r\n".repeat(50);
    s.write(WriteBatch {
        documents: vec![
            Document {
                subject: Entity::Domain(d("www.example.com")),
                kind: "whois".into(),
                time: T0 + DAY,
                source: "whois.example".into(),
                body: body.clone(),
            },
            Document {
                subject: Entity::Domain(d("example.com")),
                kind: "whois".into(),
                time: T0,
                source: "whois.example".into(),
                body: b"old".to_vec(),
            },
            Document {
                subject: Entity::Domain(d("example.com")),
                kind: "rdap".into(),
                time: T0,
                source: "rdap.example".into(),
                body: b"{}".to_vec(),
            },
        ],
        ..Default::default()
    })
    .expect("write");
    let docs = s
        .documents(&Entity::Domain(d("example.com")), "whois")
        .expect("docs");
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].body, b"old");
    assert_eq!(docs[1].body, body);
    assert_eq!(docs[1].time, T0 + DAY);
    assert_eq!(
        s.documents(&Entity::Domain(d("example.com")), "")
            .expect("docs")
            .len(),
        3
    );
}

/// Free text compares case-insensitively but keeps its display form.
pub fn text_case(s: &dyn Store) {
    write(
        s,
        vec![
            obs(
                "a.com",
                Predicate::REGISTRANT_ORG,
                "Acme Widgets, Inc.",
                T0,
                "w",
            ),
            obs(
                "b.com",
                Predicate::REGISTRANT_ORG,
                "ACME WIDGETS, INC.",
                T0,
                "w",
            ),
        ],
    );
    let c = s
        .value_counts(&[(
            Predicate::REGISTRANT_ORG,
            ent(Predicate::REGISTRANT_ORG, "acme widgets, inc."),
        )])
        .expect("counts");
    assert_eq!(c[0].current, 2);
    let h = s.holdings(&Entity::Domain(d("a.com"))).expect("holdings");
    assert!(
        matches!(&h[0].object, Entity::Text(t) if t.eq_ignore_ascii_case("acme widgets, inc."))
    );
}

/// Instantiates the suite for an engine.
#[macro_export]
macro_rules! store_test_suite {
    ($name:ident, $make:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            macro_rules! case {
                ($t:ident) => {
                    #[test]
                    fn $t() {
                        let (store, _guard) = $make;
                        $crate::testsuite::$t(&store);
                    }
                };
            }
            case!(merge_widens_window);
            case!(hosts_roll_up_and_count_once);
            case!(subject_summary_matches_facts);
            case!(current_and_historic);
            case!(pivot_pages);
            case!(pivot_sparse_scope);
            case!(scan_values_matches_pivots);
            case!(reverse_ranges_and_fences);
            case!(reverse_after_merge);
            case!(known_subjects);
            case!(forward_subtree);
            case!(names_by_leading_labels);
            case!(ledger_roundtrip);
            case!(events_in_order);
            case!(documents_roundtrip);
            case!(text_case);
        }
    };
}
