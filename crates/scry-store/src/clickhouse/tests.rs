use std::time::Duration;

use proptest::prelude::*;

use super::migrate::{self, Scope, Statement};
use super::rowbinary::{Dec, Enc, lit};
use super::url::{Config, Node};
use super::{http, window_sql};

fn node(h: &str, p: u16) -> Node {
    Node {
        host: h.into(),
        port: p,
    }
}

#[test]
fn url_single() {
    let c = Config::parse("clickhouse://127.0.0.1:18123/scry").unwrap();
    assert_eq!(c.entry, node("127.0.0.1", 18123));
    assert_eq!(c.db, "scry");
    assert_eq!(c.cluster, None);
    assert_eq!(c.nodes(), vec![node("127.0.0.1", 18123)]);
    assert_eq!(c.local_suffix(), "");
    let c =
        Config::parse("clickhouse://ch.internal/scry?user=u&password=p%26q&timeout=5&retries=0")
            .unwrap();
    assert_eq!(c.entry.port, 8123);
    assert_eq!(c.user.as_deref(), Some("u"));
    assert_eq!(c.password.as_deref(), Some("p&q"));
    assert_eq!(c.timeout, Duration::from_secs(5));
    assert_eq!(c.retries, 0);
    let c = Config::parse("clickhouse://[::1]:9/x").unwrap();
    assert_eq!(c.entry, node("::1", 9));
    assert_eq!(c.entry.to_string(), "[::1]:9");
}

#[test]
fn url_cluster() {
    let c = Config::parse(
        "clickhouse://127.0.0.1:18123/scry?cluster=scry2&shards=127.0.0.1:18123,127.0.0.1:18124",
    )
    .unwrap();
    assert_eq!(c.cluster.as_deref(), Some("scry2"));
    assert_eq!(c.local_suffix(), "_local");
    assert_eq!(c.nodes().len(), 2);
    // An entry server that is not a shard still gets the distributed tables.
    let c = Config::parse("clickhouse://q:1/scry?cluster=c&shards=a:2,b:3").unwrap();
    assert_eq!(c.nodes(), vec![node("a", 2), node("b", 3), node("q", 1)]);
}

#[test]
fn url_rejects() {
    for bad in [
        "http://127.0.0.1:8123/scry",
        "clickhouse://127.0.0.1:8123",
        "clickhouse://127.0.0.1:8123/",
        "clickhouse://127.0.0.1:8123/bad-name",
        "clickhouse://127.0.0.1:8123/x;DROP",
        "clickhouse://127.0.0.1:0/x",
        "clickhouse://127.0.0.1:99999/x",
        "clickhouse://u:p@127.0.0.1/x",
        "clickhouse://127.0.0.1/x?cluster=c",
        "clickhouse://127.0.0.1/x?shards=a:1",
        "clickhouse://127.0.0.1/x?cluster=c;&shards=a:1",
        "clickhouse://127.0.0.1/x?cluster=c&shards=a:1,a:1",
        "clickhouse://127.0.0.1/x?frobnicate=1",
        "clickhouse://127.0.0.1/x?timeout=0",
        "clickhouse://127.0.0.1/x?retries=99",
        "clickhouse://127.0.0.1/x?password=%zz",
        "clickhouse://a/b/c",
    ] {
        assert!(Config::parse(bad).is_err(), "{bad}");
    }
    let e = Config::parse("clickhouse://h/x?password=secret&bogus=1")
        .unwrap_err()
        .to_string();
    assert!(!e.contains("secret"), "{e}");
}

#[test]
fn rowbinary_roundtrip() {
    let mut e = Enc::default();
    let long = vec![0xabu8; 300];
    e.bytes(b"");
    e.bytes(&long);
    e.u8(7);
    e.u16(0xbeef);
    e.u32(70_000);
    e.u64(u64::MAX - 1);
    e.i64(-5);
    let mut d = Dec::new(&e.0);
    assert_eq!(d.bytes().unwrap(), b"");
    assert_eq!(d.bytes().unwrap(), long.as_slice());
    assert_eq!(d.u8().unwrap(), 7);
    assert_eq!(d.u16().unwrap(), 0xbeef);
    assert_eq!(d.u32().unwrap(), 70_000);
    assert_eq!(d.u64().unwrap(), u64::MAX - 1);
    assert_eq!(d.i64().unwrap(), -5);
    assert!(d.is_empty());
    // 300 needs a two-byte length.
    assert_eq!(&e.0[1..3], &[0xac, 0x02]);
}

#[test]
fn rowbinary_rejects_truncated() {
    assert!(Dec::new(&[5, b'a']).bytes().is_err());
    assert!(Dec::new(&[1, 2]).u32().is_err());
    assert!(Dec::new(&[0xff; 11]).bytes().is_err());
    // An array claiming more elements than bytes left.
    assert!(Dec::new(&[0xff, 0xff, 0x03]).strings().is_err());
}

#[test]
fn literals() {
    assert_eq!(lit(b"abc"), "'abc'");
    assert_eq!(lit(b"a'b\\c"), "'a\\'b\\\\c'");
    assert_eq!(lit(b"D\x00\x01\xff"), "'D\\x00\\x01\\xFF'");
}

proptest! {
    #[test]
    fn literal_has_no_raw_quote_or_control(b in proptest::collection::vec(any::<u8>(), 0..64)) {
        let s = lit(&b);
        let inner = &s[1..s.len() - 1];
        prop_assert!(inner.bytes().all(|c| (0x20..0x7f).contains(&c)));
        // Every quote inside is escaped.
        let mut esc = false;
        for c in inner.chars() {
            if esc { esc = false; continue; }
            if c == '\\' { esc = true; continue; }
            prop_assert!(c != '\'');
        }
        prop_assert!(!esc);
    }

    #[test]
    fn rowbinary_bytes_roundtrip(items in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..10)) {
        let mut e = Enc::default();
        for i in &items { e.bytes(i); }
        let mut d = Dec::new(&e.0);
        for i in &items { prop_assert_eq!(d.bytes().unwrap(), i.as_slice()); }
        prop_assert!(d.is_empty());
    }

    #[test]
    fn decoder_never_panics(b in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut d = Dec::new(&b);
        let _ = d.strings();
        let mut d = Dec::new(&b);
        while d.bytes().is_ok() && !d.is_empty() {}
    }
}

#[test]
fn migrations_parse() {
    for (v, name, text) in migrate::MIGRATIONS {
        let stmts = migrate::parse(text).unwrap_or_else(|e| panic!("{v} {name}: {e}"));
        assert!(!stmts.is_empty());
        for s in &stmts {
            if !matches!(s.scope, Scope::Distributed { .. }) {
                assert!(s.sql.contains("{db}."), "{}", s.sql);
            }
        }
    }
    let text = "-- comment\n-- scry: shard\nCREATE TABLE {db}.a{local} (x UInt8)\nENGINE = Log;\n\
                -- scry: distributed a cityHash64(x)\n-- scry: coordinator\nCREATE TABLE {db}.b (x UInt8) ENGINE = Log;\n";
    assert_eq!(
        migrate::parse(text).unwrap(),
        vec![
            Statement {
                scope: Scope::Shard,
                sql: "CREATE TABLE {db}.a{local} (x UInt8)\nENGINE = Log".into()
            },
            Statement {
                scope: Scope::Distributed {
                    table: "a".into(),
                    key: Some("cityHash64(x)".into())
                },
                sql: String::new()
            },
            Statement {
                scope: Scope::Coordinator,
                sql: "CREATE TABLE {db}.b (x UInt8) ENGINE = Log".into()
            },
        ]
    );
    assert!(migrate::parse("CREATE TABLE x;").is_err());
    assert!(migrate::parse("-- scry: shard\nCREATE TABLE x").is_err());
    assert!(migrate::parse("-- scry: sideways\n").is_err());
}

#[test]
fn error_codes_and_backoff() {
    assert_eq!(
        http::error_code("Code: 252, e.displayText() = DB::Exception: Too many parts"),
        Some(252)
    );
    assert_eq!(http::error_code("no code"), None);
    assert_eq!(http::backoff(1), Duration::from_millis(100));
    assert_eq!(http::backoff(2), Duration::from_millis(200));
    assert!(http::backoff(30) <= Duration::from_secs(5));
}

#[test]
fn windows_come_from_the_vocabulary() {
    use scry_model::Predicate;
    let s = window_sql(&[Predicate::REGISTRANT_EMAIL.id(), Predicate::IP.id()].into());
    assert!(s.starts_with("transform(pred, ["), "{s}");
    assert!(s.contains("86400"), "{s}");
    assert_eq!(window_sql(&Default::default()), "toInt64(86400)");
}

#[test]
fn rows_aggregate_and_skip_stored_positions() {
    use scry_model::{Entity, EntityKind, Observation, Predicate, Window};
    const T: i64 = 1_704_067_200;
    let o = |s: &str, src: &str, t: i64| {
        Observation::new(
            Entity::parse_subject(s).unwrap(),
            Predicate::IP,
            Entity::parse(EntityKind::Ip, "192.0.2.1").unwrap(),
            Window {
                first_seen: t,
                last_seen: t,
                count: 1,
            },
            src.into(),
            T + 86_400,
        )
        .unwrap()
    };
    let batch = crate::WriteBatch {
        observations: vec![
            o("a.com", "x", T),
            o("a.com", "y", T),
            o("b.com", "x", T),
            o("a.com", "x", T - 10),
        ],
        ..Default::default()
    };
    let rows = super::Rows::build(&batch).unwrap();
    assert_eq!(rows.len(), 3, "(a.com, x) merged");
    assert_eq!(rows.facts, 2);
    let full = rows.body(7, &Default::default());
    let partial = rows.body(7, &[1u32].into());
    let read = |b: &[u8]| {
        let mut d = Dec::new(b);
        let mut out = Vec::new();
        while !d.is_empty() {
            let batch = d.u64().unwrap();
            let pos = d.u32().unwrap();
            let _skey = d.bytes().unwrap();
            let _hkey = d.bytes().unwrap();
            let _pred = d.u16().unwrap();
            let _okey = d.bytes().unwrap();
            let _disp = d.bytes().unwrap();
            let first = d.i64().unwrap();
            let _last = d.i64().unwrap();
            let cnt = d.u64().unwrap();
            let source = d.string().unwrap();
            out.push((batch, pos, first, cnt, source));
        }
        out
    };
    let all = read(&full);
    assert_eq!(all.len(), 3);
    assert_eq!(all[0], (7, 0, T - 10, 2, "x".to_string()));
    let part = read(&partial);
    assert_eq!(
        part.iter().map(|r| r.1).collect::<Vec<_>>(),
        vec![0, 2],
        "position 1 is stored already"
    );
}
