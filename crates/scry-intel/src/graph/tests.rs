use super::*;
use crate::risk::{RiskEngine, builtin_scorer};
use scry_model::{Observation, Window};
use scry_store::embedded::EmbeddedStore;
use scry_store::{DataDir, StateStore, WriteBatch};

fn obs(s: &str, p: Predicate, o: Entity) -> Observation {
    Observation {
        subject: Entity::Domain(DomainName::parse(s).unwrap()),
        predicate: p,
        object: o,
        window: Window {
            first_seen: 1_700_000_000,
            last_seen: 1_700_000_000,
            count: 1,
        },
        source: "test".into(),
    }
}

#[test]
fn grows_by_guided_pivots_and_stops_at_limits() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = DataDir::open(&tmp.path().join("d"), true).unwrap();
    let store = EmbeddedStore::open(&dir).unwrap();
    let state = StateStore::open(&dir).unwrap();
    let ns = Entity::Domain(DomainName::parse("ns1.actor-dns.example").unwrap());
    let mail = Entity::Email(scry_model::Email::parse("ops@dark.example").unwrap());
    let mut o = Vec::new();
    for i in 0..3 {
        o.push(obs(
            &format!("a{i}.top"),
            Predicate::NAMESERVER_HOST,
            ns.clone(),
        ));
    }
    o.push(obs("a2.top", Predicate::REGISTRANT_EMAIL, mail.clone()));
    o.push(obs("far.top", Predicate::REGISTRANT_EMAIL, mail));
    store
        .write(WriteBatch {
            observations: o,
            ..Default::default()
        })
        .unwrap();
    let scorer = builtin_scorer();
    let engine = RiskEngine::new(&store, &state, &scorer);
    let g = graph(&store, &engine, "www.a0.top", &GraphOptions::default()).unwrap();
    let ids: Vec<&str> = g.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(g.seed, "domain:a0.top");
    assert!(
        ids.contains(&"nameserver_host:ns1.actor-dns.example"),
        "{ids:?}"
    );
    assert!(ids.contains(&"domain:a2.top"));
    // far.top is 4 hops away (a0 - ns - a2 - e-mail - far): not at depth 2.
    assert!(!ids.contains(&"domain:far.top"));
    assert!(
        g.nodes
            .iter()
            .filter(|n| n.kind == "domain")
            .all(|n| n.risk.is_some())
    );
    assert_eq!(g.edges.len(), 3);
    assert!(
        g.edges
            .iter()
            .all(|e| e.current && e.field == "nameserver_host")
    );
    let deep = graph(
        &store,
        &engine,
        "a0.top",
        &GraphOptions {
            depth: 4,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(deep.nodes.iter().any(|n| n.id == "domain:far.top"));
    let cut = graph(
        &store,
        &engine,
        "a0.top",
        &GraphOptions {
            max_nodes: 3,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(cut.nodes.len(), 3);
    assert!(cut.truncated);
    let by_value = graph(
        &store,
        &engine,
        "registrant_email=ops@dark.example",
        &GraphOptions {
            depth: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(by_value.nodes[0].holders, Some(2));
    assert_eq!(by_value.nodes.len(), 3);
    assert!(graph(&store, &engine, "nope=1", &GraphOptions::default()).is_err());
    assert!(
        graph(
            &store,
            &engine,
            "a0.top",
            &GraphOptions {
                depth: 9,
                ..Default::default()
            }
        )
        .is_err()
    );
}

/// The graph as built before the fast path (every holding counted, every
/// value's holders read `max_fanout` at once, edges deduplicated by ids):
/// the reference the fast path must agree with.
fn reference(store: &dyn Store, engine: &RiskEngine<'_>, seed: &str, o: &GraphOptions) -> Graph {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut nodes: Vec<Node> = Vec::new();
    let mut edges = Vec::new();
    let mut edge_seen = std::collections::HashSet::new();
    let mut queue: VecDeque<(usize, Option<(Predicate, Entity)>)> = VecDeque::new();
    let mut truncated = false;
    let mut node = |nodes: &mut Vec<Node>,
                    queue: &mut VecDeque<_>,
                    kind: &str,
                    label: &str,
                    depth: usize,
                    value: Option<(Predicate, Entity)>|
     -> Option<usize> {
        let id = node_id(kind, label);
        if let Some(&i) = index.get(&id) {
            return Some(i);
        }
        if nodes.len() >= o.max_nodes {
            truncated = true;
            return None;
        }
        let (risk, risk_reason) = if kind == "domain" {
            let (r, why) = engine.quick_score(label).unwrap();
            (Some(r), Some(why))
        } else {
            (None, None)
        };
        nodes.push(Node {
            id: id.clone(),
            kind: kind.into(),
            label: label.into(),
            depth,
            holders: None,
            risk,
            risk_reason,
        });
        index.insert(id, nodes.len() - 1);
        if depth < o.depth {
            queue.push_back((nodes.len() - 1, value));
        }
        Some(nodes.len() - 1)
    };
    let mut edge = |nodes: &[Node], d: usize, v: usize, field: &str, h: &scry_store::Holding| {
        let (s, t) = (nodes[d].id.clone(), nodes[v].id.clone());
        if edge_seen.insert((s.clone(), t.clone(), field.to_string())) {
            edges.push(Edge {
                source: s,
                target: t,
                field: field.into(),
                first_seen: scry_model::format_time(h.window.first_seen),
                last_seen: scry_model::format_time(h.window.last_seen),
                current: h.current,
            });
        }
    };
    let reg = DomainName::parse(seed)
        .unwrap()
        .registrable_or_self()
        .to_string();
    node(&mut nodes, &mut queue, "domain", &reg, 0, None);
    'grow: while let Some((i, value)) = queue.pop_front() {
        let depth = nodes[i].depth + 1;
        match value {
            Some((p, obj)) => {
                let page = store
                    .pivot(&PivotQuery {
                        predicate: p,
                        object: obj,
                        scope: Scope::All,
                        after: None,
                        limit: o.max_fanout as usize,
                    })
                    .unwrap();
                for (d, h) in page.domains {
                    let Some(di) = node(&mut nodes, &mut queue, "domain", d.ascii(), depth, None)
                    else {
                        continue 'grow;
                    };
                    edge(&nodes, di, i, &p.name(), &h);
                }
            }
            None if nodes[i].kind != "domain" => {}
            None => {
                let name = DomainName::from_normalised(&nodes[i].label).unwrap();
                let holdings: Vec<_> = store
                    .holdings(&Entity::Domain(name))
                    .unwrap()
                    .into_iter()
                    .filter(|h| {
                        h.predicate.info().is_some_and(|p| p.pivot)
                            && h.predicate != Predicate::LISTED
                    })
                    .collect();
                let counts = store
                    .value_counts(
                        &holdings
                            .iter()
                            .map(|h| (h.predicate, h.object.clone()))
                            .collect::<Vec<_>>(),
                    )
                    .unwrap();
                for (h, c) in holdings.iter().zip(counts) {
                    let n = c.current + c.historic;
                    let field = h.predicate.name();
                    let value = (n <= o.max_fanout).then(|| (h.predicate, h.object.clone()));
                    let Some(v) = node(
                        &mut nodes,
                        &mut queue,
                        &field,
                        &h.object.to_string(),
                        depth,
                        value,
                    ) else {
                        continue 'grow;
                    };
                    nodes[v].holders = Some(n);
                    edge(&nodes, i, v, &field, h);
                }
            }
        }
    }
    Graph {
        seed: node_id("domain", &reg),
        nodes,
        edges,
        truncated,
    }
}

#[test]
fn fast_path_agrees_with_the_reference_on_a_generated_web() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = DataDir::open(&tmp.path().join("d"), true).unwrap();
    let store = EmbeddedStore::open(&dir).unwrap();
    let state = StateStore::open(&dir).unwrap();
    // 400 domains over 40 name servers (skewed: ns0 holds ~1 in 3),
    // 60 registrant e-mails; some look-alike names for the risk.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rnd = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let mut o = Vec::new();
    let words = ["paypal-login", "g00gle", "shop", "secure-apple", "news"];
    for i in 0..400u64 {
        let d = format!(
            "{}{i}.{}",
            words[(i % 5) as usize],
            ["top", "com", "club"][(i % 3) as usize]
        );
        let ns = if rnd(3) == 0 { 0 } else { rnd(40) };
        for k in 0..=rnd(2) {
            o.push(obs(
                &d,
                Predicate::NAMESERVER_HOST,
                Entity::Domain(
                    DomainName::parse(&format!("ns{}.dns{}.example", k, ns + k)).unwrap(),
                ),
            ));
        }
        o.push(obs(
            &d,
            Predicate::REGISTRANT_EMAIL,
            Entity::Email(scry_model::Email::parse(&format!("r{}@mail.example", rnd(60))).unwrap()),
        ));
    }
    store
        .write(WriteBatch {
            observations: o,
            ..Default::default()
        })
        .unwrap();
    let scorer = builtin_scorer();
    let engine = RiskEngine::new(&store, &state, &scorer);
    let mut cut = 0;
    for seed in [
        "paypal-login0.top",
        "shop2.club",
        "news4.com",
        "g00gle1.com",
    ] {
        for (depth, max_nodes, max_fanout) in [
            (4, 2_000, 1_000),
            (4, 150, 1_000),
            (4, 40, 1_000),
            (3, 300, 20),
            (4, 500, 60),
            (2, 10, 5),
            (4, 120, 0),
        ] {
            let opts = GraphOptions {
                depth,
                max_nodes,
                max_fanout,
            };
            let want = reference(&store, &engine, seed, &opts);
            let got = graph(&store, &engine, seed, &opts).unwrap();
            assert_eq!(got, want, "{seed} {opts:?}");
            cut += usize::from(got.truncated);
        }
    }
    // Not vacuous: graphs were cut (the paged path ran) and some were not.
    assert!((4..28).contains(&cut), "{cut}");
}
