//! CIRCL Common Output Format (COF) NDJSON and DNSDB v2 SAF lines.
//!
//! COF (draft-dulaunoy-dnsop-passive-dns-cof §3): one JSON object per line,
//! field order not significant. Mandatory `rrname` (string), `rrtype` (a
//! mnemonic string, or a JSON number for types without one, RFC 3597),
//! `rdata` (a string or an array of strings: "receivers MUST accept both"),
//! `time_first` and `time_last` (epoch seconds). Optional `count` and
//! `bailiwick`; additional `sensor_id`, `zone_time_first`, `zone_time_last`.
//! Other fields (`origin`, `time_first_ms`...) are ignored. A row carrying
//! only the `zone_time_*` pair (allowed by §3.7) takes its `time_*` from it.
//!
//! DNSDB v2 Streaming Application Format: `{"cond":"begin"}`, then
//! `{"obj":{…COF…}}` rows (optionally with `"cond":"ongoing"`), and one
//! terminal `{"cond":"succeeded"}`, `{"cond":"limited","msg":…}` or
//! `{"cond":"failed","msg":…}`. A stream without a terminal condition is
//! truncated, and reported as such at its end.
//!
//! Parsing borrows from the line (no `serde_json::Value`), so a COF line
//! costs one pass and three small allocations per record.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use crate::error::{ParseError, ParseErrorKind};

use super::{PdnsRecord, normalise_name, normalise_rdata, parse_rrtype};

/// A string that borrows from the input when it has no escapes.
struct Str<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Str<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// `rdata`: one string or an array of strings.
enum Rdata<'a> {
    One(Cow<'a, str>),
    Many(Vec<Cow<'a, str>>),
}

/// Most rdata values one row may carry.
const MAX_RDATA_VALUES: usize = 10_000;

impl<'de: 'a, 'a> Deserialize<'de> for Rdata<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Rdata<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Rdata<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Rdata<'de>, E> {
                Ok(Rdata::One(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Rdata<'de>, E> {
                Ok(Rdata::One(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Rdata<'de>, E> {
                Ok(Rdata::One(Cow::Owned(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Rdata<'de>, A::Error> {
                let mut v = Vec::new();
                while let Some(Str(s)) = seq.next_element::<Str<'de>>()? {
                    if v.len() >= MAX_RDATA_VALUES {
                        return Err(de::Error::custom("too many rdata values"));
                    }
                    v.push(s);
                }
                Ok(Rdata::Many(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// `rrtype`: a mnemonic, a decimal string or a number.
struct RrType(u16);

impl<'de> Deserialize<'de> for RrType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RrType, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RrType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an rrtype mnemonic or number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RrType, E> {
                u16::try_from(v)
                    .map(RrType)
                    .map_err(|_| E::custom("rrtype out of range"))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RrType, E> {
                u16::try_from(v)
                    .map(RrType)
                    .map_err(|_| E::custom("rrtype out of range"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RrType, E> {
                parse_rrtype(v)
                    .map(RrType)
                    .ok_or_else(|| E::custom(format!("unknown rrtype {v:?}")))
            }
        }
        d.deserialize_any(V)
    }
}

/// A time or count: an integer, a float (truncated) or a decimal string.
struct Num(i64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                i64::try_from(v)
                    .map(Num)
                    .map_err(|_| E::custom("number out of range"))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                if v.is_finite() && v.abs() < 9.0e15 {
                    Ok(Num(v.trunc() as i64))
                } else {
                    Err(E::custom("number out of range"))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
                super::parse_epoch(v)
                    .map(Num)
                    .ok_or_else(|| E::custom(format!("not a number: {v:?}")))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct CofRow<'a> {
    #[serde(borrow)]
    rrname: Option<Str<'a>>,
    rrtype: Option<RrType>,
    #[serde(borrow)]
    rdata: Option<Rdata<'a>>,
    time_first: Option<Num>,
    time_last: Option<Num>,
    count: Option<Num>,
    #[serde(borrow)]
    bailiwick: Option<Str<'a>>,
    #[serde(borrow)]
    sensor_id: Option<Str<'a>>,
    zone_time_first: Option<Num>,
    zone_time_last: Option<Num>,
}

fn missing(field: &str) -> ParseError {
    ParseError::new(ParseErrorKind::Syntax, "missing").in_field(field)
}

fn json_error(e: &serde_json::Error) -> ParseError {
    let kind = if e.is_eof() {
        ParseErrorKind::Truncated
    } else {
        ParseErrorKind::Syntax
    };
    ParseError::new(kind, e.to_string()).at_column(e.column() as u64)
}

impl CofRow<'_> {
    fn emit(self, out: &mut dyn FnMut(PdnsRecord)) -> Result<(), ParseError> {
        let rrname = self.rrname.ok_or_else(|| missing("rrname"))?;
        let rrname = normalise_name(&rrname.0).map_err(|e| e.in_field("rrname"))?;
        let rrtype = self.rrtype.ok_or_else(|| missing("rrtype"))?.0;
        let rdata = self.rdata.ok_or_else(|| missing("rdata"))?;
        let zone_time_first = self.zone_time_first.map(|n| n.0);
        let zone_time_last = self.zone_time_last.map(|n| n.0);
        let (time_first, time_last) = match (self.time_first, self.time_last) {
            (Some(f), Some(l)) => (f.0, l.0),
            (None, None) => match (zone_time_first, zone_time_last) {
                (Some(f), Some(l)) => (f, l),
                _ => return Err(missing("time_first")),
            },
            (None, Some(_)) => return Err(missing("time_first")),
            (Some(_), None) => return Err(missing("time_last")),
        };
        if time_first > time_last {
            return Err(
                ParseError::new(ParseErrorKind::Value, "time_first is after time_last")
                    .in_field("time_first"),
            );
        }
        let count = match self.count {
            None => 1,
            Some(Num(n)) => u64::try_from(n).map_err(|_| {
                ParseError::new(ParseErrorKind::Value, "negative count").in_field("count")
            })?,
        };
        let bailiwick = match self.bailiwick {
            Some(b) => Some(normalise_name(&b.0).map_err(|e| e.in_field("bailiwick"))?),
            None => None,
        };
        let sensor_id = self.sensor_id.map(|s| s.0.into_owned());
        let record = |rdata: String,
                      rrname: String,
                      bailiwick: Option<String>,
                      sensor_id: Option<String>| PdnsRecord {
            rrname,
            rrtype,
            rdata,
            time_first,
            time_last,
            count,
            bailiwick,
            sensor_id,
            zone_time_first,
            zone_time_last,
        };
        let norm = |s: &str| normalise_rdata(rrtype, s).map_err(|e| e.in_field("rdata"));
        match rdata {
            // One value, the common row: its strings moved, not cloned.
            Rdata::One(s) => out(record(norm(&s)?, rrname, bailiwick, sensor_id)),
            Rdata::Many(v) => {
                if v.is_empty() {
                    return Err(ParseError::new(ParseErrorKind::Value, "empty rdata array")
                        .in_field("rdata"));
                }
                let mut normalised = Vec::with_capacity(v.len());
                for s in &v {
                    normalised.push(norm(s)?);
                }
                let mut rrname = Some(rrname);
                let last = normalised.len() - 1;
                for (i, r) in normalised.into_iter().enumerate() {
                    let name = if i == last {
                        rrname.take().unwrap_or_default()
                    } else {
                        rrname.clone().unwrap_or_default()
                    };
                    out(record(r, name, bailiwick.clone(), sensor_id.clone()));
                }
            }
        }
        Ok(())
    }
}

/// Parses one COF line into its records (one per rdata value).
pub fn parse_cof_line(line: &[u8]) -> Result<Vec<PdnsRecord>, ParseError> {
    let mut v = Vec::new();
    parse_cof_line_into(line, &mut |r| v.push(r))?;
    Ok(v)
}

/// Parses one COF line, handing each record to `out`. On error nothing
/// already handed out should be kept (a line is all or nothing).
pub fn parse_cof_line_into(line: &[u8], out: &mut dyn FnMut(PdnsRecord)) -> Result<(), ParseError> {
    let row = match fast::row(line) {
        Some(row) => row,
        None => serde_json::from_slice(line).map_err(|e| json_error(&e))?,
    };
    row.emit(out)
}

/// [`parse_cof_line_into`] through serde alone: what the fast path must
/// equal (tests and benchmarks).
#[doc(hidden)]
pub fn parse_cof_line_serde(line: &[u8]) -> Result<Vec<PdnsRecord>, ParseError> {
    let row: CofRow<'_> = serde_json::from_slice(line).map_err(|e| json_error(&e))?;
    let mut v = Vec::new();
    row.emit(&mut |r| v.push(r))?;
    Ok(v)
}

/// The common COF line read without serde: one flat object whose keys and
/// string values are printable ASCII without escapes, whose numbers are
/// plain non-negative integers and whose `rdata` is a string or an array
/// of strings. Anything else (escapes, floats, `null`, nesting, duplicate fields,
/// numbers as strings, an unknown rrtype, a syntax error) returns `None`
/// and the line goes through serde, so every answer and every error is
/// serde's: this path only ever accepts lines serde reads the same way.
mod fast {
    use std::borrow::Cow;

    use super::{CofRow, MAX_RDATA_VALUES, Num, Rdata, RrType, Str, parse_rrtype};

    /// A value the fast path reads.
    enum Val<'a> {
        Str(&'a str),
        Int(i64),
        /// An array of strings (`rdata`).
        Strs(Vec<Cow<'a, str>>),
    }

    struct Cur<'a> {
        b: &'a [u8],
        at: usize,
    }

    impl<'a> Cur<'a> {
        fn ws(&mut self) {
            while let Some(&c) = self.b.get(self.at) {
                if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                    self.at += 1;
                } else {
                    break;
                }
            }
        }

        fn eat(&mut self, c: u8) -> Option<()> {
            self.ws();
            if self.b.get(self.at) == Some(&c) {
                self.at += 1;
                Some(())
            } else {
                None
            }
        }

        /// A string of printable ASCII without escapes, after its `"`.
        fn string(&mut self) -> Option<&'a str> {
            self.ws();
            if self.b.get(self.at) != Some(&b'"') {
                return None;
            }
            let start = self.at + 1;
            let rest = self.b.get(start..)?;
            // One pass: the closing quote, or a byte serde must judge.
            let mut len = 0;
            loop {
                match *rest.get(len)? {
                    b'"' => break,
                    b'\\' | 0..0x20 | 0x7f.. => return None,
                    _ => len += 1,
                }
            }
            self.at = start + len + 1;
            // Printable ASCII: valid UTF-8 by construction.
            std::str::from_utf8(&rest[..len]).ok()
        }

        /// A non-negative integer without leading zeros, fraction or
        /// exponent, below 10^18.
        fn int(&mut self) -> Option<i64> {
            let rest = self.b.get(self.at..)?;
            let len = rest.iter().take_while(|c| c.is_ascii_digit()).count();
            if len == 0 || len > 18 || (len > 1 && rest[0] == b'0') {
                return None;
            }
            if matches!(rest.get(len), Some(b'.' | b'e' | b'E')) {
                return None;
            }
            let mut n = 0i64;
            for &c in &rest[..len] {
                n = n * 10 + i64::from(c - b'0');
            }
            self.at += len;
            Some(n)
        }

        fn value(&mut self) -> Option<Val<'a>> {
            self.ws();
            match self.b.get(self.at)? {
                b'"' => self.string().map(Val::Str),
                b'0'..=b'9' => self.int().map(Val::Int),
                b'[' => {
                    self.at += 1;
                    let mut v = Vec::new();
                    self.ws();
                    if self.b.get(self.at) == Some(&b']') {
                        self.at += 1;
                        return Some(Val::Strs(v));
                    }
                    loop {
                        if v.len() >= MAX_RDATA_VALUES {
                            return None;
                        }
                        v.push(Cow::Borrowed(self.string()?));
                        self.ws();
                        match self.b.get(self.at)? {
                            b',' => self.at += 1,
                            b']' => {
                                self.at += 1;
                                return Some(Val::Strs(v));
                            }
                            _ => return None,
                        }
                    }
                }
                _ => None,
            }
        }
    }

    fn num(v: Val<'_>) -> Option<Num> {
        match v {
            Val::Int(n) => Some(Num(n)),
            _ => None,
        }
    }

    fn text(v: Val<'_>) -> Option<Str<'_>> {
        match v {
            Val::Str(s) => Some(Str(Cow::Borrowed(s))),
            _ => None,
        }
    }

    /// Sets a field once: a second occurrence is serde's error to report.
    fn set<T>(slot: &mut Option<T>, v: Option<T>) -> Option<()> {
        if slot.is_some() {
            return None;
        }
        *slot = Some(v?);
        Some(())
    }

    pub(super) fn row(line: &[u8]) -> Option<CofRow<'_>> {
        let mut c = Cur { b: line, at: 0 };
        let mut row = CofRow {
            rrname: None,
            rrtype: None,
            rdata: None,
            time_first: None,
            time_last: None,
            count: None,
            bailiwick: None,
            sensor_id: None,
            zone_time_first: None,
            zone_time_last: None,
        };
        c.eat(b'{')?;
        c.ws();
        if c.b.get(c.at) == Some(&b'}') {
            c.at += 1;
        } else {
            loop {
                let key = c.string()?;
                c.eat(b':')?;
                let v = c.value()?;
                match key {
                    "rrname" => set(&mut row.rrname, text(v))?,
                    "rrtype" => set(
                        &mut row.rrtype,
                        match v {
                            Val::Str(s) => parse_rrtype(s).map(RrType),
                            Val::Int(n) => u16::try_from(n).ok().map(RrType),
                            Val::Strs(_) => None,
                        },
                    )?,
                    "rdata" => set(
                        &mut row.rdata,
                        match v {
                            Val::Str(s) => Some(Rdata::One(Cow::Borrowed(s))),
                            Val::Strs(v) => Some(Rdata::Many(v)),
                            Val::Int(_) => None,
                        },
                    )?,
                    "time_first" => set(&mut row.time_first, num(v))?,
                    "time_last" => set(&mut row.time_last, num(v))?,
                    "count" => set(&mut row.count, num(v))?,
                    "bailiwick" => set(&mut row.bailiwick, text(v))?,
                    "sensor_id" => set(&mut row.sensor_id, text(v))?,
                    "zone_time_first" => set(&mut row.zone_time_first, num(v))?,
                    "zone_time_last" => set(&mut row.zone_time_last, num(v))?,
                    _ => {}
                }
                c.ws();
                match c.b.get(c.at)? {
                    b',' => c.at += 1,
                    b'}' => {
                        c.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        c.ws();
        (c.at == line.len()).then_some(row)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn sensor_lines_take_the_fast_path_and_escapes_do_not() {
            let plain = br#"{"rrname":"www.d0-p.com","rrtype":"NS","rdata":"ns0.dnshost0.net","time_first":1600000000,"time_last":1600000000,"count":1,"sensor_id":"bench"}"#;
            let row = super::row(plain);
            assert!(row.is_some());
            assert_eq!(
                row.and_then(|r| r.rrname).map(|s| s.0.into_owned()),
                Some("www.d0-p.com".to_string())
            );
            let escaped = br#"{"rrname":"www.d0-p.com","rrtype":"NS","rdata":"ns0.dnshost0.net","time_first":1,"time_last":1,"sensor_id":"a\u0062"}"#;
            assert!(super::row(escaped).is_none());
            let float = br#"{"rrname":"www.d0-p.com","rrtype":"NS","rdata":"ns0.dnshost0.net","time_first":1.0,"time_last":1}"#;
            assert!(super::row(float).is_none());
        }
    }
}

/// The terminal condition of a SAF stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SafCond {
    /// All results were returned.
    Succeeded,
    /// The server cut the results at a limit.
    Limited,
    /// The query failed.
    Failed,
}

/// One SAF line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SafLine {
    /// `{"cond":"begin"}`.
    Begin,
    /// An `obj` row, as records (one per rdata value).
    Records(Vec<PdnsRecord>),
    /// A terminal condition, with the server's message.
    End {
        /// Which condition.
        cond: SafCond,
        /// `msg`, when given.
        msg: Option<String>,
    },
}

#[derive(Deserialize)]
struct SafRow<'a> {
    #[serde(borrow)]
    cond: Option<Str<'a>>,
    #[serde(borrow)]
    msg: Option<Str<'a>>,
    #[serde(borrow)]
    obj: Option<CofRow<'a>>,
}

/// Parses one DNSDB SAF line.
pub fn parse_saf_line(line: &[u8]) -> Result<SafLine, ParseError> {
    let row: SafRow<'_> = serde_json::from_slice(line).map_err(|e| json_error(&e))?;
    if let Some(obj) = row.obj {
        let mut v = Vec::new();
        obj.emit(&mut |r| v.push(r))
            .map_err(|e| match e.field.clone() {
                Some(f) => ParseError {
                    field: Some(format!("obj.{f}")),
                    ..e
                },
                None => e,
            })?;
        return Ok(SafLine::Records(v));
    }
    let msg = row.msg.map(|m| m.0.into_owned());
    let cond = match row.cond.as_ref().map(|c| c.0.as_ref()) {
        Some("begin") => return Ok(SafLine::Begin),
        Some("succeeded") => SafCond::Succeeded,
        Some("limited") => SafCond::Limited,
        Some("failed") => SafCond::Failed,
        Some("ongoing") => return Ok(SafLine::Records(Vec::new())),
        Some(other) => {
            return Err(
                ParseError::new(ParseErrorKind::Value, format!("unknown cond {other:?}"))
                    .in_field("cond"),
            );
        }
        None => {
            return Err(ParseError::new(
                ParseErrorKind::Syntax,
                "neither obj nor cond",
            ));
        }
    };
    Ok(SafLine::End { cond, msg })
}

/// Checks the order of SAF lines across a stream.
#[derive(Debug, Default)]
pub struct SafState {
    ended: Option<SafCond>,
    lines: u64,
}

impl SafState {
    /// Accepts the next line: data after a terminal condition and a
    /// `failed` condition are errors.
    pub fn accept(&mut self, line: SafLine) -> Result<SafLine, ParseError> {
        self.lines += 1;
        if self.ended.is_some() {
            return Err(ParseError::new(
                ParseErrorKind::Syntax,
                "line after the terminal cond",
            ));
        }
        if let SafLine::End { cond, msg } = &line {
            self.ended = Some(cond.clone());
            if *cond == SafCond::Failed {
                return Err(ParseError::new(
                    ParseErrorKind::Truncated,
                    format!(
                        "the server reported failure: {}",
                        msg.as_deref().unwrap_or("no message")
                    ),
                )
                .in_field("cond"));
            }
        }
        Ok(line)
    }

    /// The terminal condition seen, if any.
    pub fn terminal(&self) -> Option<&SafCond> {
        self.ended.as_ref()
    }

    /// Called at the end of input: a stream without a terminal condition is
    /// truncated.
    pub fn finish(&self) -> Result<(), ParseError> {
        if self.ended.is_none() && self.lines > 0 {
            return Err(ParseError::new(
                ParseErrorKind::Truncated,
                "stream ended without a terminal cond (succeeded, limited or failed)",
            ));
        }
        Ok(())
    }
}
