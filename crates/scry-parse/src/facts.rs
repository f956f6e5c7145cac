//! The generic fact import format: one JSON object per line.
//!
//! ```text
//! {"subject":"www.example.com","predicate":"ip","object":"192.0.2.1","time":"2024-05-01T00:00:00Z","source":"proxy"}
//! {"subject":"example.com","predicate":"nameserver_host","object":"ns1.host.net","first_seen":"2024-01-01","last_seen":"2024-05-01","count":12,"source":"resolver"}
//! ```
//!
//! `subject` is a domain/host name, an IP or an e-mail address; `predicate`
//! is a field name from the vocabulary (or a DNS rrtype mnemonic); `object`
//! is normalised by the predicate's object kind; `time` (or `first_seen` +
//! `last_seen`) is RFC 3339, `YYYY-MM-DD` or epoch seconds; `count` defaults
//! to 1; `source` defaults to the one given by the caller.

use serde::Deserialize;
use serde_json::Value;

use scry_model::{Entity, Observation, Predicate, Timestamp, Window, parse_time};

use crate::error::{ParseError, ParseErrorKind};

/// Longest line accepted, in bytes.
pub const MAX_LINE: usize = 1 << 20;

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
            ParseError::new(ParseErrorKind::Syntax, "expected a string or number").in_field(field),
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

/// Parses one line (without its newline). `default_source` is used when the
/// line has no `source`; `now` bounds times in the future. Errors carry the
/// field but not the line number: the caller adds it.
pub fn parse_line(
    line: &[u8],
    default_source: &str,
    now: Timestamp,
) -> Result<Observation, ParseError> {
    if line.len() > MAX_LINE {
        return Err(ParseError::new(
            ParseErrorKind::TooLarge,
            format!("line is {} bytes (max {MAX_LINE})", line.len()),
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
    let subject = Entity::parse_subject(&subject_s)
        .map_err(|e| ParseError::new(ParseErrorKind::Value, e.to_string()).in_field("subject"))?;
    let predicate = Predicate::from_name(&predicate_s)
        .map_err(|e| ParseError::new(ParseErrorKind::Value, e.to_string()).in_field("predicate"))?;
    let object = Entity::parse(predicate.object_kind(), &object_s)
        .map_err(|e| ParseError::new(ParseErrorKind::Value, e.to_string()).in_field("object"))?;
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
                ParseError::new(ParseErrorKind::Syntax, "count must be a number").in_field("count"),
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

#[cfg(test)]
mod tests {
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
}
