//! Same seed, same bytes; another seed, other bytes.

use scry_gen::{GenConfig, GenError, generate};

use crate::read_tree;

/// FNV-1a over every (path, bytes) pair in order: a digest of a whole world.
fn digest(tree: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (p, bytes) in tree {
        for &b in p
            .to_string_lossy()
            .as_bytes()
            .iter()
            .chain(&[0u8])
            .chain(bytes)
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[test]
fn same_seed_same_bytes_whatever_the_thread_count() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let mut cfg = GenConfig::new(20_000, 4, 7);
    cfg.threads = 1;
    let sa = generate(&cfg, a.path(), &|_| {}).unwrap();
    cfg.threads = 3;
    let sb = generate(&cfg, b.path(), &|_| {}).unwrap();
    assert_eq!(sa, sb);
    let ta = read_tree(a.path());
    let tb = read_tree(b.path());
    assert_eq!(
        ta.keys().collect::<Vec<_>>(),
        tb.keys().collect::<Vec<_>>(),
        "same file list"
    );
    for (p, bytes) in &ta {
        assert!(bytes == &tb[p], "{} differs between runs", p.display());
    }
    assert_eq!(digest(&ta), digest(&tb));
    assert!(ta.len() > 50, "a world has many files: {}", ta.len());
}

#[test]
fn another_seed_gives_another_world() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    generate(&GenConfig::new(2_000, 2, 1), a.path(), &|_| {}).unwrap();
    generate(&GenConfig::new(2_000, 2, 2), b.path(), &|_| {}).unwrap();
    let la = std::fs::read(a.path().join("labels.ndjson")).unwrap();
    let lb = std::fs::read(b.path().join("labels.ndjson")).unwrap();
    assert_ne!(la, lb);
    let za = std::fs::read(a.path().join("zones/com/2026-01-02.zone")).unwrap();
    let zb = std::fs::read(b.path().join("zones/com/2026-01-02.zone")).unwrap();
    assert_ne!(za, zb);
}

#[test]
fn a_small_world_is_pinned() {
    // Pins the generator's output: a change here changes every user's
    // world for a given seed, so it must be deliberate (update the digest
    // and say so in the changelog).
    let dir = tempfile::tempdir().unwrap();
    let cfg = GenConfig::new(700, 3, 42);
    generate(&cfg, dir.path(), &|_| {}).unwrap();
    let got = digest(&read_tree(dir.path()));
    assert_eq!(got, PINNED, "world digest changed: {got:#018x}");
}

const PINNED: u64 = 0xf3f2_7c6b_53d5_9ef5;

#[test]
fn invalid_configurations_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    for cfg in [
        GenConfig::new(0, 3, 1),
        GenConfig::new(10, 0, 1),
        GenConfig {
            whois_actor: 1.5,
            ..GenConfig::new(10, 1, 1)
        },
    ] {
        let err = generate(&cfg, dir.path(), &|_| {}).unwrap_err();
        assert!(matches!(err, GenError::InvalidConfig(_)), "{err}");
    }
}

#[test]
fn a_dictionary_changes_the_names_and_a_missing_one_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let dict = dir.path().join("words.txt");
    std::fs::write(&dict, "# words\nquokka\nxylophone\nzeppelin\n").unwrap();
    let mut cfg = GenConfig::new(3_000, 1, 5);
    cfg.dictionary = Some(dict);
    let out = dir.path().join("out");
    generate(&cfg, &out, &|_| {}).unwrap();
    let labels = std::fs::read_to_string(out.join("labels.ndjson")).unwrap();
    assert!(
        ["quokka", "xylophone", "zeppelin"]
            .iter()
            .any(|w| labels.contains(w)),
        "dictionary words are used"
    );
    cfg.dictionary = Some(dir.path().join("missing.txt"));
    let err = generate(&cfg, &out, &|_| {}).unwrap_err();
    assert!(matches!(err, GenError::Io { .. }), "{err}");
}

#[test]
fn progress_reaches_the_total_of_each_phase() {
    use std::cell::RefCell;
    let dir = tempfile::tempdir().unwrap();
    let seen = RefCell::new(Vec::new());
    generate(&GenConfig::new(30_000, 20, 3), dir.path(), &|p| {
        seen.borrow_mut().push(p)
    })
    .unwrap();
    let seen = seen.into_inner();
    for phase in [scry_gen::Phase::Names, scry_gen::Phase::Domains] {
        let ps: Vec<_> = seen.iter().filter(|p| p.phase == phase).collect();
        assert!(!ps.is_empty(), "{phase:?} reported");
        for w in ps.windows(2) {
            assert!(w[0].done <= w[1].done && w[1].done <= w[1].total);
        }
        let last = ps.last().unwrap();
        assert_eq!(last.done, last.total, "{phase:?} completes");
    }
    // 20 days are written in two groups: every day has its files.
    for d in 1..=20 {
        let date = format!("2026-01-{d:02}");
        for f in [
            format!("zones/com/{date}.zone"),
            format!("pdns/{date}.cof.ndjson"),
            format!("ct/{date}.jsonl"),
        ] {
            let meta = std::fs::metadata(dir.path().join(&f)).unwrap();
            assert!(meta.len() > 0, "{f} is empty");
        }
    }
    let labels = std::fs::read_to_string(dir.path().join("labels.ndjson")).unwrap();
    let infra = labels
        .lines()
        .filter(|l| l.contains("\"infrastructure\":true"))
        .count();
    assert_eq!(
        labels.lines().count() - infra,
        30_000,
        "labels written once"
    );
}
