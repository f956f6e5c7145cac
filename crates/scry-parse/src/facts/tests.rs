use std::borrow::Cow;

use proptest::prelude::*;
use serde_json::Value;

use super::*;

const NOW: Timestamp = 1_800_000_000;

#[test]
fn good_line() {
    let o = parse_line(
        br#"{"subject":"WWW.Example.com.","predicate":"ip","object":"192.0.2.1","time":"2024-05-01T00:00:00Z","source":"proxy"}"#,
        "x",
        NOW,
    )
    .unwrap();
    assert_eq!(o.subject.to_string(), "www.example.com");
    assert_eq!(o.predicate, Predicate::IP);
    assert_eq!(o.window.count, 1);
    assert_eq!(o.source, "proxy");
}

#[test]
fn errors_name_the_field() {
    let cases: &[(&[u8], &str)] = &[
        (br#"{"subject":"a..b","predicate":"ip","object":"1.2.3.4","time":"2024-01-01"}"#, "subject"),
        (br#"{"subject":"a.com","predicate":"nope","object":"1.2.3.4","time":"2024-01-01"}"#, "predicate"),
        (br#"{"subject":"a.com","predicate":"ip","object":"1.2.3","time":"2024-01-01"}"#, "object"),
        (br#"{"subject":"a.com","predicate":"ip","object":"1.2.3.4","time":"1970-01-01"}"#, "time"),
        (br#"{"subject":"a.com","predicate":"ip","object":"1.2.3.4","first_seen":"2024-02-01","last_seen":"2024-01-01"}"#, "time"),
        (br#"{"subject":"a.com","predicate":"ip","object":"1.2.3.4"}"#, "time"),
        (br#"{"subject":"a.com","predicate":"ip","object":"1.2.3.4","time":"2024-01-01","count":-1}"#, "count"),
    ];
    for (line, field) in cases {
        let e = parse_line(line, "x", NOW).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(*field), "{e}");
    }
    let e = parse_line(b"{\"subject\":\"a.com\"", "x", NOW).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::Truncated);
    let e = parse_line(b"\xff\xfe", "x", NOW).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::Encoding);
}

/// The parser this module had before the borrowed visitor and the name
/// caches (`serde_json::Value` fields, every name normalised on every
/// line): the new one must give the same observation or the same error for
/// every line.
mod reference {
    use serde::Deserialize;
    use serde_json::Value;

    use scry_model::{Entity, Observation, Predicate, Timestamp, Window, parse_time};

    use crate::error::{ParseError, ParseErrorKind};

    #[derive(Deserialize)]
    struct Line {
        subject: Option<Value>,
        predicate: Option<Value>,
        object: Option<Value>,
        time: Option<Value>,
        first_seen: Option<Value>,
        last_seen: Option<Value>,
        count: Option<Value>,
        source: Option<Value>,
    }

    fn text(v: &Option<Value>, field: &str) -> Result<Option<String>, ParseError> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(
                ParseError::new(ParseErrorKind::Syntax, "expected a string or number")
                    .in_field(field),
            ),
        }
    }

    fn required(v: &Option<Value>, field: &str) -> Result<String, ParseError> {
        text(v, field)?
            .ok_or_else(|| ParseError::new(ParseErrorKind::Syntax, "missing").in_field(field))
    }

    fn time(v: &Option<Value>, field: &str) -> Result<Option<Timestamp>, ParseError> {
        match text(v, field)? {
            None => Ok(None),
            Some(s) => parse_time(&s)
                .map(Some)
                .map_err(|e| ParseError::new(ParseErrorKind::Value, e.to_string()).in_field(field)),
        }
    }

    pub(super) fn parse_line(
        line: &[u8],
        default_source: &str,
        now: Timestamp,
    ) -> Result<Observation, ParseError> {
        if line.len() > super::MAX_LINE {
            return Err(ParseError::new(
                ParseErrorKind::TooLarge,
                format!("line is {} bytes (max {})", line.len(), super::MAX_LINE),
            ));
        }
        let s = std::str::from_utf8(line).map_err(|e| {
            ParseError::new(ParseErrorKind::Encoding, format!("not utf-8: {e}"))
                .at_column(e.valid_up_to() as u64 + 1)
        })?;
        let l: Line = serde_json::from_str(s).map_err(|e| {
            let kind = if e.is_eof() {
                ParseErrorKind::Truncated
            } else {
                ParseErrorKind::Syntax
            };
            ParseError::new(kind, format!("invalid json: {e}")).at_column(e.column() as u64)
        })?;
        let subject_s = required(&l.subject, "subject")?;
        let predicate_s = required(&l.predicate, "predicate")?;
        let object_s = required(&l.object, "object")?;
        let subject = Entity::parse_subject(&subject_s).map_err(|e| {
            ParseError::new(ParseErrorKind::Value, e.to_string()).in_field("subject")
        })?;
        let predicate = Predicate::from_name(&predicate_s).map_err(|e| {
            ParseError::new(ParseErrorKind::Value, e.to_string()).in_field("predicate")
        })?;
        let object = Entity::parse(predicate.object_kind(), &object_s).map_err(|e| {
            ParseError::new(ParseErrorKind::Value, e.to_string()).in_field("object")
        })?;
        let t = time(&l.time, "time")?;
        let first = time(&l.first_seen, "first_seen")?;
        let last = time(&l.last_seen, "last_seen")?;
        let (first_seen, last_seen) = match (t, first, last) {
            (Some(t), None, None) => (t, t),
            (None, Some(f), Some(l)) => (f, l),
            (None, Some(f), None) => (f, f),
            (None, None, Some(l)) => (l, l),
            (Some(_), _, _) => {
                return Err(ParseError::new(
                    ParseErrorKind::Syntax,
                    "give either time or first_seen/last_seen, not both",
                )
                .in_field("time"));
            }
            (None, None, None) => {
                return Err(ParseError::new(ParseErrorKind::Syntax, "missing").in_field("time"));
            }
        };
        let count = match &l.count {
            None | Some(Value::Null) => 1,
            Some(Value::Number(n)) => n.as_u64().ok_or_else(|| {
                ParseError::new(ParseErrorKind::Value, "count must be a positive integer")
                    .in_field("count")
            })?,
            Some(_) => {
                return Err(
                    ParseError::new(ParseErrorKind::Syntax, "count must be a number")
                        .in_field("count"),
                );
            }
        };
        let source = text(&l.source, "source")?.unwrap_or_else(|| default_source.to_string());
        let window = Window {
            first_seen,
            last_seen,
            count,
        };
        Observation::new(subject, predicate, object, window, source, now).map_err(|e| {
            let field = match &e {
                scry_model::ModelError::Time { .. } => "time",
                scry_model::ModelError::Object { kind: "source", .. } => "source",
                _ => "object",
            };
            ParseError::new(ParseErrorKind::Value, e.to_string()).in_field(field)
        })
    }
}

/// A JSON value for one field: the shapes real files have, the shapes the
/// parser must refuse, and names that exercise every normaliser path
/// (upper case, trailing dots, IDN, full stops, escapes, bad labels).
fn field_value() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec![
        "example.com",
        "WWW.Example.COM.",
        "d0-bench.com",
        "www.d0-bench.com",
        "ns1.prov334.net",
        "bücher.de",
        "xn--bcher-kva.de",
        "xn--i-7iq.ws",
        "例え．テスト",
        "a..b",
        "-x.com",
        "_dmarc.example.com",
        "*.example.com",
        "x.123",
        "blogspot.com",
        "foo.blogspot.com",
        " spaced.com ",
        "",
        "owner1@mail1.example",
        "Admin@Example.COM",
        "mailto:a@b.com",
        "a@b@c.com",
        "192.0.2.1",
        "::ffff:192.0.2.1",
        "[2001:db8::1]",
        "10.2.187.82",
        "1.2.3",
        "2024-05-01T00:00:00Z",
        "2024-05-01",
        "1735689600",
        "1970-01-01",
        "ip",
        "nameserver_host",
        "registrar",
        "registrant_email",
        "create_date",
        "A",
        "NS",
        "nope",
        "bench",
        "Registrar 1 LLC",
        "AS64500",
        "aa:bb:cc",
        "pаypal.com",
    ])
    .prop_map(|s| Value::String(s.to_string()));
    prop_oneof![
        4 => names,
        2 => "[a-zA-Z0-9.@:_\\- \u{e9}\u{3002}]{0,24}".prop_map(Value::String),
        1 => any::<u64>().prop_map(Value::from),
        1 => (1_600_000_000u64..1_900_000_000).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(serde_json::json!(["a", 1, {"b": [null]}])),
        1 => Just(serde_json::json!({"x": "y"})),
    ]
}

const FIELDS: [&str; 9] = [
    "subject",
    "predicate",
    "object",
    "time",
    "first_seen",
    "last_seen",
    "count",
    "source",
    "extra",
];

/// A line: fields picked (some twice, some never), in any order, written
/// with or without `\u` escapes; now and then cut short or left bare.
fn any_line() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec((0..FIELDS.len(), field_value()), 0..10),
        any::<bool>(),
        0u8..20,
    )
        .prop_map(|(fields, escape, cut)| {
            let mut out = String::from("{");
            for (i, (f, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(FIELDS[*f]).unwrap_or_default());
                out.push(':');
                let mut v = serde_json::to_string(v).unwrap_or_default();
                if escape && v.starts_with('"') {
                    v = v.replace('e', "\\u0065");
                }
                out.push_str(&v);
            }
            out.push('}');
            match cut {
                1 => out = format!("[{out}]"),
                2 => out.push_str(" trailing"),
                _ => {}
            }
            let mut out = out.into_bytes();
            if cut == 0 {
                // Possibly inside a UTF-8 sequence: an encoding error then.
                out.truncate(out.len() / 2);
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn same_as_the_value_parser(lines in prop::collection::vec(any_line(), 1..8)) {
        // One parser for all lines, so names come from the caches too.
        let mut p = FactLineParser::new("default", NOW);
        for line in &lines {
            let want = reference::parse_line(line, "default", NOW);
            prop_assert_eq!(&parse_line(line, "default", NOW), &want, "{}", String::from_utf8_lossy(line));
            prop_assert_eq!(&p.parse(line), &want, "{}", String::from_utf8_lossy(line));
        }
    }
}

/// A line of the plain shape (what [`plain_line`] reads), then maybe one
/// byte-level change that may or may not leave it plain or valid JSON.
fn near_plain_line() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        "[a-zA-Z0-9.@:_\\- \u{e9}]{0,12}".prop_map(|s| format!("\"{s}\"")),
        any::<u64>().prop_map(|n| n.to_string()),
        "(0|[1-9][0-9]{0,3})(\\.[0-9]|e5|E-1)?",
        "0[0-9]{1,3}",
        "[0-9]{19,22}",
        "-[0-9]{1,3}",
        Just("null".to_string()),
        Just("\"a\\nb\"".to_string()),
        Just("\"a\tb\"".to_string()),
        Just("\"\\u0065\"".to_string()),
        Just("[1]".to_string()),
    ];
    (
        prop::collection::vec((0..FIELDS.len(), value), 0..9),
        0u8..12,
    )
        .prop_map(|(fields, edit)| {
            let mut out = String::from("{");
            for (i, (f, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(if edit == 1 && i == 1 { ", " } else { "," });
                }
                out.push('"');
                out.push_str(FIELDS[*f]);
                out.push_str(if edit == 2 { "\": " } else { "\":" });
                out.push_str(v);
            }
            out.push('}');
            match edit {
                3 => out.push(' '),
                4 => out.push('}'),
                5 => {
                    out.pop();
                }
                6 => out.insert(0, ' '),
                7 => out.push_str(",\"x\":1"),
                _ => {}
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// Whatever the plain-line reader accepts, serde_json reads the same;
    /// whatever it refuses goes to serde_json, so parses are unchanged.
    #[test]
    fn plain_lines_read_as_serde_reads_them(line in near_plain_line()) {
        if let Some(fast) = plain_line(&line) {
            let slow: Line<'_> = serde_json::from_str(&line)
                .map_err(|e| TestCaseError::fail(format!("{line}: serde refused it: {e}")))?;
            prop_assert_eq!(fast, slow, "{}", line);
        }
        let want = reference::parse_line(line.as_bytes(), "default", NOW);
        prop_assert_eq!(&parse_line(line.as_bytes(), "default", NOW), &want, "{}", line);
    }
}

#[test]
fn the_bench_line_shape_is_plain() {
    let line = r#"{"subject":"d1-bench.com","predicate":"nameserver_host","object":"ns1.prov12.net","time":1735689600,"source":"bench"}"#;
    let l = plain_line(line).unwrap();
    assert_eq!(l.time, Some(Scalar::UInt(1_735_689_600)));
    assert_eq!(l.source, Some(Scalar::Str(Cow::Borrowed("bench"))));
    assert!(plain_line(r#"{"subject":"a","subject":"b"}"#).is_none());
    assert!(plain_line(r#"{"count":01}"#).is_none());
    assert!(plain_line(r#"{"count":18446744073709551616}"#).is_none());
}

#[test]
fn same_as_the_value_parser_on_edge_lines() {
    let deep = format!("{{\"subject\":{}1{}}}", "[".repeat(200), "]".repeat(200));
    let lines: Vec<Cow<'_, [u8]>> = vec![
        Cow::Borrowed(br#"{"subject":"a.com","predicate":"ip","object":"1.2.3.4","time":1735689600,"count":2.0}"#),
        Cow::Borrowed(br#"{"subject":"a.com","predicate":"ip","object":"1.2.3.4","time":1735689600.5}"#),
        Cow::Borrowed(br#"{"subject":"a.com","predicate":"ip","object":"1.2.3.4","time":-5}"#),
        Cow::Borrowed(br#"{"subject":"a.com","predicate":"ip","object":"1.2.3.4","time":1e400}"#),
        Cow::Borrowed(br#"{"subject":"a.com","predicate":"ip","object":"1.2.3.4","time":1735689600,"count":0}"#),
        Cow::Borrowed(br#"{"subject":"a.com","subject":"b.com","predicate":"ip","object":"1.2.3.4","time":1}"#),
        Cow::Borrowed(br#"{"subject":"a.com","predicate":"create_date","object":1700000000,"time":"2024-01-01"}"#),
        Cow::Borrowed(br#"{"subject":"a.com","predicate":"ip","object":"1.2.3.4","time":"2024-01-01","source":""}"#),
        Cow::Borrowed(br#"{"subject":"a.com","predicate":"ip","object":"1.2.3.4","time":"2024-01-01","source":{"a":[1]}}"#),
        Cow::Borrowed(br#"["a.com","ip","1.2.3.4","2024-01-01"]"#),
        Cow::Borrowed(b"{\"subject\":\"a\xff.com\"}"),
        Cow::Owned(deep.into_bytes()),
    ];
    let mut p = FactLineParser::new("default", NOW);
    for line in &lines {
        let want = reference::parse_line(line, "default", NOW);
        assert_eq!(p.parse(line), want, "{}", String::from_utf8_lossy(line));
    }
}

#[test]
fn caches_stay_bounded() {
    let mut p = FactLineParser::new("x", NOW);
    for i in 0..1000 {
        let line = format!(
            r#"{{"subject":"d{}.com","predicate":"rr{}","object":"ns{i}.host.net","time":"2024-01-01"}}"#,
            i % 7,
            60_000 + i
        );
        let o = p.parse(line.as_bytes()).unwrap();
        assert_eq!(o.subject.to_string(), format!("d{}.com", i % 7));
        assert_eq!(o.predicate, Predicate::rr(60_000 + i));
        assert!(p.subjects.slots.len() <= RECENT);
        assert!(p.predicates.map.len() <= PREDICATE_CACHE);
    }
}
