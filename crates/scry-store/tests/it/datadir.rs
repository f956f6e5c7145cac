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
