use scry_store::{DataDir, StoreError};

#[test]
fn second_writer_is_refused_with_holder() {
    let dir = tempfile::tempdir().unwrap();
    let _a = DataDir::open(dir.path(), true).unwrap();
    // flock is per open file description, so a second open in the same
    // process conflicts just like another process would.
    let err = DataDir::open(dir.path(), true).unwrap_err();
    match err {
        StoreError::Locked { holder, .. } => {
            assert!(
                holder.contains(&format!("pid {}", std::process::id())),
                "{holder}"
            )
        }
        other => panic!("expected Locked, got {other}"),
    }
}

#[test]
fn not_a_store_and_newer_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("something.txt"), "x").unwrap();
    let err = DataDir::open(dir.path(), true).unwrap_err();
    assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("SCRY_FORMAT"),
        "{\"format\":\"scry\",\"version\":999}",
    )
    .unwrap();
    let err = DataDir::open(dir.path(), true).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerFormat { found: 999, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("999"));

    let file = dir.path().join("plainfile");
    std::fs::write(&file, "x").unwrap();
    assert!(matches!(
        DataDir::open(&file, true).unwrap_err(),
        StoreError::NotAStore { .. }
    ));
}

#[test]
fn missing_dir_without_create() {
    let dir = tempfile::tempdir().unwrap();
    let err = DataDir::open(&dir.path().join("nope"), false).unwrap_err();
    assert!(err.to_string().contains("no such directory"), "{err}");
}

/// A format-1 data dir (made before the forward-name index existed) gets
/// the index built when the embedded engine opens it, and its SCRY_FORMAT
/// moves to the current version so older builds refuse it.
#[test]
fn format1_store_gets_forward_name_index() {
    use scry_store::embedded::EmbeddedStore;
    use scry_store::testsuite::{T0, obs};
    use scry_store::{NameScan, Store, WriteBatch};
    let dir = tempfile::tempdir().unwrap();
    let scan = |s: &EmbeddedStore| {
        s.names_forward(&NameScan {
            labels: "www.example".into(),
            after: None,
            limit: 10,
        })
        .unwrap()
        .len()
    };
    {
        let dd = DataDir::open(dir.path(), true).unwrap();
        let s = EmbeddedStore::open(&dd).unwrap();
        s.write(WriteBatch {
            observations: vec![
                obs(
                    "www.example.com",
                    scry_model::Predicate::IP,
                    "192.0.2.1",
                    T0,
                    "p",
                ),
                obs(
                    "www.example.net",
                    scry_model::Predicate::IP,
                    "192.0.2.2",
                    T0,
                    "p",
                ),
            ],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(scan(&s), 2);
        assert!(s.check().unwrap().problems.is_empty());
        s.drop_names_index_for_test().unwrap();
        assert_eq!(scan(&s), 0);
        let p = s.check().unwrap().problems;
        assert!(p.iter().any(|x| x.contains("name index")), "{p:?}");
    }
    std::fs::write(
        dir.path().join("SCRY_FORMAT"),
        "{\"format\":\"scry\",\"version\":1}",
    )
    .unwrap();
    let dd = DataDir::open(dir.path(), true).unwrap();
    assert_eq!(dd.format_version().unwrap(), 1);
    let s = EmbeddedStore::open(&dd).unwrap();
    assert_eq!(scan(&s), 2);
    assert!(s.check().unwrap().problems.is_empty());
    assert_eq!(dd.format_version().unwrap(), scry_store::FORMAT_VERSION);
}

#[test]
fn format2_store_gets_covering_reverse_index() {
    use scry_model::{IpNet, Predicate};
    use scry_store::embedded::EmbeddedStore;
    use scry_store::testsuite::{T0, obs};
    use scry_store::{ObjectSel, ReverseQuery, Store, TimeFence, WriteBatch};
    let dir = tempfile::tempdir().unwrap();
    let by_net = |s: &EmbeddedStore| {
        s.reverse(&ReverseQuery {
            object: ObjectSel::Cidr(IpNet::parse("192.0.2.0/24").unwrap()),
            predicates: vec![],
            fence: TimeFence::default(),
            limit: 100,
        })
        .unwrap()
        .facts
    };
    let before = {
        let dd = DataDir::open(dir.path(), true).unwrap();
        let s = EmbeddedStore::open(&dd).unwrap();
        let batch = |t| WriteBatch {
            observations: vec![
                obs("www.example.com", Predicate::IP, "192.0.2.1", t, "a"),
                obs("www.example.net", Predicate::IP, "192.0.2.2", t, "b"),
                obs("mail.example.net", Predicate::IP, "192.0.2.2", t, "a"),
            ],
            ..Default::default()
        };
        s.write(batch(T0)).unwrap();
        // Merged facts keep their reverse value in step.
        s.write(batch(T0 + 86_400)).unwrap();
        let before = by_net(&s);
        assert_eq!(before.len(), 3);
        assert!(before.iter().all(|f| f.window.count == 2), "{before:?}");
        assert!(s.check().unwrap().problems.is_empty());
        s.drop_reverse_values_for_test().unwrap();
        // Entries without values still answer (a point read each) ...
        assert_eq!(by_net(&s), before);
        // ... but the check names them.
        let p = s.check().unwrap().problems;
        assert!(
            p.iter().any(|x| x.contains("reverse entry's value")),
            "{p:?}"
        );
        before
    };
    std::fs::write(
        dir.path().join("SCRY_FORMAT"),
        "{\"format\":\"scry\",\"version\":2}",
    )
    .unwrap();
    let dd = DataDir::open(dir.path(), true).unwrap();
    assert_eq!(dd.format_version().unwrap(), 2);
    let s = EmbeddedStore::open(&dd).unwrap();
    assert!(s.check().unwrap().problems.is_empty());
    assert_eq!(by_net(&s), before);
    assert_eq!(dd.format_version().unwrap(), scry_store::FORMAT_VERSION);
}
