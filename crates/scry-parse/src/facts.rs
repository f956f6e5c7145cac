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

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use scry_model::{Entity, Observation, Predicate, Timestamp, Window, parse_time};

use crate::error::{ParseError, ParseErrorKind};

/// Longest line accepted, in bytes.
pub const MAX_LINE: usize = 1 << 20;

/// Distinct predicate spellings a [`FactLineParser`] remembers.
const PREDICATE_CACHE: usize = 256;

/// One field's JSON value, borrowed from the line when it has no escapes.
#[cfg_attr(test, derive(Debug, PartialEq))]
enum Scalar<'a> {
    Str(Cow<'a, str>),
    UInt(u64),
    Int(i64),
    Float(f64),
    /// A boolean, array or object (read to its end and dropped).
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor(PhantomData))
    }
}

struct ScalarVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ScalarVisitor<'a> {
    type Value = Scalar<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or number")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::UInt(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        // serde_json hands non-negative integers to `visit_u64`; keep the
        // distinction `serde_json::Number` makes anyway.
        Ok(match u64::try_from(v) {
            Ok(u) => Scalar::UInt(u),
            Err(_) => Scalar::Int(v),
        })
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Float(v))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Other)
    }

    /// A `null` inside an array or object (a field's own `null` is `None`).
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Elements as values (not `IgnoredAny`): nesting counts against
        // serde_json's recursion limit exactly as it would for any value.
        while seq.next_element::<Scalar<'de>>()?.is_some() {}
        Ok(Scalar::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, Scalar<'de>>()?.is_some() {}
        Ok(Scalar::Other)
    }
}

/// A line's fields; `null` reads as absent, unknown fields are skipped.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Debug, PartialEq))]
struct Line<'a> {
    #[serde(borrow)]
    subject: Option<Scalar<'a>>,
    #[serde(borrow)]
    predicate: Option<Scalar<'a>>,
    #[serde(borrow)]
    object: Option<Scalar<'a>>,
    #[serde(borrow)]
    time: Option<Scalar<'a>>,
    #[serde(borrow)]
    first_seen: Option<Scalar<'a>>,
    #[serde(borrow)]
    last_seen: Option<Scalar<'a>>,
    #[serde(borrow)]
    count: Option<Scalar<'a>>,
    #[serde(borrow)]
    source: Option<Scalar<'a>>,
}

/// The common line shape read without serde: one flat object, no
/// whitespace, each of its keys one of [`Line`]'s fields at most once, each
/// value a string without escapes or control characters or an unsigned
/// integer that fits a `u64` (no sign, fraction, exponent or leading
/// zero). Anything else, valid or not, is `None` and goes to serde_json,
/// so a line read here is read exactly as serde_json reads it (tested
/// against it on arbitrary lines); this only skips serde's per-byte
/// dispatch on the lines that need none of it (the bench's parse was a
/// third serde_json).
fn plain_line(s: &str) -> Option<Line<'_>> {
    let b = s.as_bytes();
    if b.first() != Some(&b'{') {
        return None;
    }
    let mut l = Line {
        subject: None,
        predicate: None,
        object: None,
        time: None,
        first_seen: None,
        last_seen: None,
        count: None,
        source: None,
    };
    let mut i = 1;
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let (key, next) = plain_str(s, i + 1)?;
        i = next;
        if b.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        let value = match *b.get(i)? {
            b'"' => {
                let (v, next) = plain_str(s, i + 1)?;
                i = next;
                Scalar::Str(Cow::Borrowed(v))
            }
            d @ b'0'..=b'9' => {
                let start = i;
                let mut n = u64::from(d - b'0');
                i += 1;
                while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                    n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
                    i += 1;
                }
                if d == b'0' && i - start > 1 {
                    return None;
                }
                Scalar::UInt(n)
            }
            _ => return None,
        };
        let slot = match key {
            "subject" => &mut l.subject,
            "predicate" => &mut l.predicate,
            "object" => &mut l.object,
            "time" => &mut l.time,
            "first_seen" => &mut l.first_seen,
            "last_seen" => &mut l.last_seen,
            "count" => &mut l.count,
            "source" => &mut l.source,
            _ => return None,
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(value);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') if i + 1 == b.len() => return Some(l),
            _ => return None,
        }
    }
}

/// The string starting at byte `start` (just past its opening quote) up to
/// its closing quote, and the index past that quote; `None` when it has an
/// escape or a control character, or no end.
fn plain_str(s: &str, start: usize) -> Option<(&str, usize)> {
    let b = s.as_bytes();
    let mut i = start;
    loop {
        match *b.get(i)? {
            b'"' => return Some((s.get(start..i)?, i + 1)),
            b'\\' | 0..=0x1f => return None,
            _ => i += 1,
        }
    }
}

/// A field as text: strings as they are, numbers as `serde_json` prints
/// them.
fn text<'a>(v: &'a Option<Scalar<'a>>, field: &str) -> Result<Option<Cow<'a, str>>, ParseError> {
    match v {
        None => Ok(None),
        Some(Scalar::Str(s)) => Ok(Some(Cow::Borrowed(s.as_ref()))),
        Some(Scalar::UInt(n)) => Ok(Some(Cow::Owned(n.to_string()))),
        Some(Scalar::Int(n)) => Ok(Some(Cow::Owned(n.to_string()))),
        Some(Scalar::Float(f)) => Ok(Some(Cow::Owned(
            serde_json::Number::from_f64(*f)
                .map(|n| n.to_string())
                .unwrap_or_default(),
        ))),
        Some(Scalar::Other) => Err(ParseError::new(
            ParseErrorKind::Syntax,
            "expected a string or number",
        )
        .in_field(field)),
    }
}

fn required<'a>(v: &'a Option<Scalar<'a>>, field: &str) -> Result<Cow<'a, str>, ParseError> {
    text(v, field)?
        .ok_or_else(|| ParseError::new(ParseErrorKind::Syntax, "missing").in_field(field))
}

fn time(v: &Option<Scalar<'_>>, field: &str) -> Result<Option<Timestamp>, ParseError> {
    match text(v, field)? {
        None => Ok(None),
        Some(s) => parse_time(&s)
            .map(Some)
            .map_err(|e| ParseError::new(ParseErrorKind::Value, e.to_string()).in_field(field)),
    }
}

/// Normalised entities by their raw text, bounded: emptied when full.
struct Cache<T> {
    map: HashMap<Box<str>, T>,
    cap: usize,
}

impl<T: Clone> Cache<T> {
    fn new(cap: usize) -> Cache<T> {
        Cache {
            map: HashMap::new(),
            cap,
        }
    }

    /// `parse(raw)`, from the cache when `raw` was parsed before. Only
    /// successes are kept (errors are rare and carry the raw input).
    fn get<E>(&mut self, raw: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<T, E> {
        if self.cap == 0 {
            return parse(raw);
        }
        if let Some(v) = self.map.get(raw) {
            return Ok(v.clone());
        }
        let v = parse(raw)?;
        if self.map.len() >= self.cap {
            self.map.clear();
        }
        self.map.insert(raw.into(), v.clone());
        Ok(v)
    }
}

/// The last few entities parsed, by their raw text: a subject's lines are
/// usually next to one another, and a look-up here costs a few string
/// comparisons, no hashing.
struct Recent<T> {
    slots: Vec<(Box<str>, T)>,
    next: usize,
}

impl<T: Clone> Recent<T> {
    fn new() -> Recent<T> {
        Recent {
            slots: Vec::with_capacity(RECENT),
            next: 0,
        }
    }

    /// `parse(raw)`, from the recent entries when `raw` is one of them.
    fn get<E>(&mut self, raw: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<T, E> {
        if let Some((_, v)) = self.slots.iter().find(|(k, _)| **k == *raw) {
            return Ok(v.clone());
        }
        let v = parse(raw)?;
        if self.slots.len() < RECENT {
            self.slots.push((raw.into(), v.clone()));
        } else if let Some(slot) = self.slots.get_mut(self.next) {
            *slot = (raw.into(), v.clone());
            self.next = (self.next + 1) % RECENT;
        }
        Ok(v)
    }
}

/// Entries of a [`Recent`] cache.
const RECENT: usize = 4;

/// Parses fact lines, normalising a subject once for a run of lines about
/// it (the last [`RECENT`] subjects are kept by their raw text) and each
/// predicate spelling once. Normalisation is a function of the raw text,
/// so the result is what [`parse_line`] gives, line for line. Objects are
/// normalised every time: their values spread over far more distinct names
/// than a bounded cache holds, and a miss costs more than the parse
/// (measured with `examples/facts_bench.rs`).
pub struct FactLineParser {
    default_source: String,
    now: Timestamp,
    cached: bool,
    subjects: Recent<Entity>,
    predicates: Cache<Predicate>,
}

impl FactLineParser {
    /// A parser for lines whose default source is `default_source`, with
    /// times bounded by `now`.
    pub fn new(default_source: &str, now: Timestamp) -> FactLineParser {
        Self::with_cache(default_source, now, true)
    }

    fn with_cache(default_source: &str, now: Timestamp, cached: bool) -> FactLineParser {
        FactLineParser {
            default_source: default_source.to_string(),
            now,
            cached,
            subjects: Recent::new(),
            predicates: Cache::new(if cached { PREDICATE_CACHE } else { 0 }),
        }
    }

    /// Parses one line (without its newline), as [`parse_line`] does.
    pub fn parse(&mut self, line: &[u8]) -> Result<Observation, ParseError> {
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
        let l: Line<'_> = match plain_line(s) {
            Some(l) => l,
            None => serde_json::from_str(s).map_err(|e| {
                let kind = if e.is_eof() {
                    ParseErrorKind::Truncated
                } else {
                    ParseErrorKind::Syntax
                };
                ParseError::new(kind, format!("invalid json: {e}")).at_column(e.column() as u64)
            })?,
        };
        let subject_s = required(&l.subject, "subject")?;
        let predicate_s = required(&l.predicate, "predicate")?;
        let object_s = required(&l.object, "object")?;
        let subject = if self.cached {
            self.subjects.get(&subject_s, Entity::parse_subject)
        } else {
            Entity::parse_subject(&subject_s)
        }
        .map_err(|e| ParseError::new(ParseErrorKind::Value, e.to_string()).in_field("subject"))?;
        let predicate = self
            .predicates
            .get(&predicate_s, Predicate::from_name)
            .map_err(|e| {
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
            None => 1,
            Some(Scalar::UInt(n)) => *n,
            Some(Scalar::Int(_) | Scalar::Float(_)) => {
                return Err(ParseError::new(
                    ParseErrorKind::Value,
                    "count must be a positive integer",
                )
                .in_field("count"));
            }
            Some(Scalar::Str(_) | Scalar::Other) => {
                return Err(
                    ParseError::new(ParseErrorKind::Syntax, "count must be a number")
                        .in_field("count"),
                );
            }
        };
        let source = match text(&l.source, "source")? {
            Some(s) => s.into_owned(),
            None => self.default_source.clone(),
        };
        let window = Window {
            first_seen,
            last_seen,
            count,
        };
        Observation::new(subject, predicate, object, window, source, self.now).map_err(|e| {
            let field = match &e {
                scry_model::ModelError::Time { .. } => "time",
                scry_model::ModelError::Object { kind: "source", .. } => "source",
                _ => "object",
            };
            ParseError::new(ParseErrorKind::Value, e.to_string()).in_field(field)
        })
    }
}

/// Parses one line (without its newline). `default_source` is used when the
/// line has no `source`; `now` bounds times in the future. Errors carry the
/// field but not the line number: the caller adds it. For many lines,
/// [`FactLineParser`] gives the same results with each distinct name
/// normalised once.
pub fn parse_line(
    line: &[u8],
    default_source: &str,
    now: Timestamp,
) -> Result<Observation, ParseError> {
    FactLineParser::with_cache(default_source, now, false).parse(line)
}

#[cfg(test)]
mod tests;
