use super::*;
use scry_model::DomainName;
use scry_store::embedded::EmbeddedStore;
use scry_store::{DataDir, FactQuery, SubjectSel, TimeFence};

struct Env {
    _tmp: tempfile::TempDir,
    path: std::path::PathBuf,
    store: EmbeddedStore,
    state: StateStore,
    _dir: DataDir,
}

fn env() -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let dir = DataDir::open(&tmp.path().join("d"), true).unwrap();
    let store = EmbeddedStore::open(&dir).unwrap();
    let state = StateStore::open(&dir).unwrap();
    Env {
        path: tmp.path().to_path_buf(),
        _tmp: tmp,
        store,
        state,
        _dir: dir,
    }
}

fn opts(name: &str, t: Timestamp) -> FeedOptions {
    FeedOptions {
        name: name.into(),
        kind: FeedKind::Phishing,
        format: None,
        as_of: Some(t),
        strict: false,
        now: 1_800_000_000,
    }
}

fn listed_facts(s: &dyn Store, d: &str) -> Vec<(Timestamp, Timestamp)> {
    s.facts(&FactQuery {
        subject: SubjectSel::Exact(Entity::Domain(DomainName::parse(d).unwrap())),
        predicates: vec![Predicate::LISTED],
        fence: TimeFence::default(),
        limit: 10,
    })
    .unwrap()
    .facts
    .iter()
    .map(|f| (f.window.first_seen, f.window.last_seen))
    .collect()
}

#[test]
fn versions_list_delist_and_keep_history() {
    let e = env();
    let f1 = e.path.join("v1.txt");
    std::fs::write(
        &f1,
        "# feed\nevil.example\nhttp://www.bad.example/login\n100.64.0.1\nbad line here\n",
    )
    .unwrap();
    let s = ingest_feed(&e.store, &e.state, &f1, &opts("pt", 1000), &mut |_| {}).unwrap();
    assert_eq!((s.entries, s.added, s.removed), (3, 3, 0));
    assert_eq!(s.ingest.rejected, 1);
    assert!(
        s.ingest.rejected_examples[0].contains(":5:"),
        "{:?}",
        s.ingest.rejected_examples
    );
    let idx = FeedIndex::new(&e.state);
    assert!(idx.is_listed("evil.example").unwrap());
    assert!(idx.is_listed("www.bad.example").unwrap());
    assert!(idx.is_listed("100.64.0.1").unwrap());

    // The same file again: nothing.
    let again = ingest_feed(&e.store, &e.state, &f1, &opts("pt", 1000), &mut |_| {}).unwrap();
    assert!(again.ingest.already_complete);

    // Version 2 drops evil.example, adds new.example.
    let f2 = e.path.join("v2.txt");
    std::fs::write(&f2, "www.bad.example\nnew.example\n100.64.0.1\n").unwrap();
    let s2 = ingest_feed(&e.store, &e.state, &f2, &opts("pt", 2000), &mut |_| {}).unwrap();
    assert_eq!((s2.entries, s2.added, s2.removed), (3, 1, 1));
    assert!(!idx.is_listed("evil.example").unwrap());
    assert!(idx.is_listed("new.example").unwrap());
    assert_eq!(idx.listings("www.bad.example").unwrap()[0].since, 1000);
    // History stays: the delisted domain's fact keeps its window.
    assert_eq!(listed_facts(&e.store, "evil.example"), vec![(1000, 1000)]);
    assert_eq!(
        listed_facts(&e.store, "www.bad.example"),
        vec![(1000, 2000)]
    );
    let kinds: Vec<(String, String)> = e
        .store
        .events(0, 100)
        .unwrap()
        .into_iter()
        .map(|ev| (ev.kind, ev.subject))
        .collect();
    assert!(kinds.contains(&("feed_delisted".into(), "evil.example".into())));
    assert!(kinds.contains(&("feed_listed".into(), "new.example".into())));
    assert_eq!(kinds.iter().filter(|(k, _)| k == "feed_listed").count(), 4);

    // An older version is refused.
    let f3 = e.path.join("v3.txt");
    std::fs::write(&f3, "x.example\n").unwrap();
    let err = ingest_feed(&e.store, &e.state, &f3, &opts("pt", 1500), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("older"), "{err}");
}

#[test]
fn csv_and_json_formats() {
    let e = env();
    let csv = e.path.join("urlhaus.csv");
    std::fs::write(
        &csv,
        "# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n\"1\",\"2026-01-01 00:00:00\",\"http://dl.example/x.exe\",\"online\",\"\",\"malware_download\",\"\",\"u\",\"r\"\n",
    )
    .unwrap();
    let s = ingest_feed(
        &e.store,
        &e.state,
        &csv,
        &FeedOptions {
            kind: FeedKind::Malware,
            ..opts("urlhaus", 10)
        },
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(s.entries, 1);
    let json = e.path.join("pt.json");
    std::fs::write(
        &json,
        r#"[{"url":"http://a.example/"},{"url":"http://b.example/"},{"nope":1}]"#,
    )
    .unwrap();
    let s = ingest_feed(
        &e.store,
        &e.state,
        &json,
        &opts("phishtank", 10),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!((s.entries, s.ingest.rejected), (2, 1));
    assert!(FeedIndex::new(&e.state).is_listed("dl.example").unwrap());
    // Broken JSON is an error naming the file and position, nothing stored.
    let bad = e.path.join("bad.json");
    std::fs::write(&bad, "[{\"url\": \"http://c.example/\"},\n").unwrap();
    let err = ingest_feed(&e.store, &e.state, &bad, &opts("other", 10), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("bad.json:2"), "{err}");
    assert!(FeedIndex::new(&e.state).feed("other").unwrap().is_none());
    // Bad names are refused.
    assert!(
        ingest_feed(
            &e.store,
            &e.state,
            &json,
            &opts("Bad Name", 10),
            &mut |_| {}
        )
        .is_err()
    );
}

#[test]
fn index_is_finished_when_the_facts_were_stored_by_a_crashed_run() {
    let e = env();
    let f = e.path.join("v.txt");
    std::fs::write(&f, "a.example\nb.example\n").unwrap();
    ingest_feed(&e.store, &e.state, &f, &opts("pt", 100), &mut |_| {}).unwrap();
    // Simulate a crash between the last batch and the index: drop the index.
    let idx = FeedIndex::new(&e.state);
    let mut puts = Vec::new();
    let dels: Vec<String> = e
        .state
        .scan("feed/")
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    puts.clear();
    e.state.apply(&puts, &dels, None).unwrap();
    assert!(!idx.is_listed("a.example").unwrap());
    let s = ingest_feed(&e.store, &e.state, &f, &opts("pt", 100), &mut |_| {}).unwrap();
    assert_eq!(s.ingest.stored, 0);
    assert!(idx.is_listed("a.example").unwrap());
    assert!(idx.is_listed("b.example").unwrap());
}
