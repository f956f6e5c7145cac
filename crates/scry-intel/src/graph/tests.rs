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
