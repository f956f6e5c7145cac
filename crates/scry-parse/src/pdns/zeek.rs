//! Zeek `dns.log`, in its TSV form (ASCII writer with `#separator`,
//! `#set_separator`, `#empty_field`, `#unset_field`, `#path`, `#fields` and
//! `#types` header lines, values escaped as `\xHH`) and as JSON lines.
//!
//! Fields used: `ts` (epoch seconds, or an ISO 8601 string in JSON logs
//! written with `JSON::TS_ISO8601`), `query`, `qtype` (number) or
//! `qtype_name`, `qclass`, and `answers` (a vector of strings). Zeek loses
//! each answer's type and owner: an address answer is A or AAAA; for an
//! A/AAAA/CNAME question a name answer is a CNAME, and the answers after it
//! belong to that name (the chain is rebuilt in order). For other questions
//! a name answer has the question's type: NS, PTR, MX (Zeek logs only the
//! exchange, kept without a preference), DNAME; TXT answers (`TXT 11 hello
//! world`) are re-quoted. SOA and SRV answers are skipped: Zeek logs only
//! one name of their rdata. Rows without answers give no records.

use serde::Deserialize;
use serde_json::Value;

use crate::error::{ParseError, ParseErrorKind};

use super::{
    PdnsRecord, RR_A, RR_AAAA, RR_CNAME, RR_DNAME, RR_MX, RR_NS, RR_PTR, RR_SOA, RR_SRV, RR_TXT,
    normalise_name, normalise_rdata, parse_epoch, parse_rrtype,
};

const CLASS_IN: u16 = 1;

/// Builds records from one Zeek row.
fn zeek_records(
    ts: i64,
    query: &str,
    qtype: Option<u16>,
    qclass: Option<u16>,
    answers: &[String],
) -> Result<Vec<PdnsRecord>, ParseError> {
    if answers.is_empty() || qclass.is_some_and(|c| c != CLASS_IN) {
        return Ok(Vec::new());
    }
    let query = query.trim();
    if query.is_empty() || query == "-" {
        return Err(
            ParseError::new(ParseErrorKind::Value, "answers without a query").in_field("query"),
        );
    }
    let mut owner = normalise_name(query).map_err(|e| e.in_field("query"))?;
    let chain = matches!(qtype, None | Some(RR_A) | Some(RR_AAAA) | Some(RR_CNAME));
    let mut out = Vec::with_capacity(answers.len());
    let mut seen = std::collections::HashSet::new();
    let mut push = |owner: &str, rrtype: u16, rdata: String| {
        if !seen.insert((owner.to_string(), rrtype, rdata.clone())) {
            return;
        }
        let rec = PdnsRecord {
            rrname: owner.to_string(),
            rrtype,
            rdata,
            time_first: ts,
            time_last: ts,
            count: 1,
            bailiwick: None,
            sensor_id: None,
            zone_time_first: None,
            zone_time_last: None,
        };
        out.push(rec);
    };
    for a in answers {
        let a = a.trim();
        if a.is_empty() {
            continue;
        }
        let field = |e: ParseError| e.in_field("answers");
        if let Ok(ip) = a.parse::<std::net::IpAddr>() {
            let t = if ip.is_ipv4() { RR_A } else { RR_AAAA };
            push(&owner, t, ip.to_string());
            continue;
        }
        if chain {
            let target = normalise_name(a).map_err(field)?;
            push(&owner, RR_CNAME, target.clone());
            owner = target;
            continue;
        }
        match qtype {
            Some(t @ (RR_NS | RR_PTR | RR_MX | RR_DNAME)) => {
                push(&owner, t, normalise_rdata(t, a).map_err(field)?);
            }
            Some(RR_TXT) => push(&owner, RR_TXT, zeek_txt(a)),
            Some(RR_SOA | RR_SRV) | None => {}
            Some(t) => {
                // Other types: Zeek logs their rdata as text when it can.
                if !a.starts_with('<') {
                    push(&owner, t, normalise_rdata(t, a).map_err(field)?);
                }
            }
        }
    }
    Ok(out)
}

/// Zeek writes each TXT string as `TXT <len> <text>`; the result is the
/// presentation form `"<text>"`.
fn zeek_txt(a: &str) -> String {
    let body = a
        .strip_prefix("TXT ")
        .and_then(|r| {
            let (n, rest) = r.split_once(' ').unwrap_or((r, ""));
            n.parse::<usize>().ok().map(|_| rest)
        })
        .unwrap_or(a);
    quote_txt(body)
}

/// Quotes text as one TXT string unless it already is presentation form.
pub(crate) fn quote_txt(s: &str) -> String {
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Parser state for a TSV `dns.log`: the header seen so far.
#[derive(Debug, Clone)]
pub struct ZeekTsvParser {
    separator: Vec<u8>,
    set_separator: Vec<u8>,
    empty: Vec<u8>,
    unset: Vec<u8>,
    cols: Option<Cols>,
}

#[derive(Debug, Clone)]
struct Cols {
    n: usize,
    ts: usize,
    query: usize,
    qtype: Option<usize>,
    qtype_name: Option<usize>,
    qclass: Option<usize>,
    answers: usize,
}

impl Default for ZeekTsvParser {
    fn default() -> Self {
        ZeekTsvParser::new()
    }
}

/// Decodes Zeek's `\xHH` escapes.
fn unescape(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if v[i] == b'\\'
            && i + 3 < v.len()
            && v[i + 1] == b'x'
            && v[i + 2].is_ascii_hexdigit()
            && v[i + 3].is_ascii_hexdigit()
        {
            let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(v[i + 2]) << 4 | hex(v[i + 3]));
            i += 4;
        } else {
            out.push(v[i]);
            i += 1;
        }
    }
    out
}

fn split<'a>(line: &'a [u8], sep: &'a [u8]) -> Vec<&'a [u8]> {
    if sep.is_empty() {
        return vec![line];
    }
    let mut out = Vec::new();
    let mut start = 0;
    for i in memchr::memmem::find_iter(line, sep) {
        if i >= start {
            out.push(&line[start..i]);
            start = i + sep.len();
        }
    }
    out.push(&line[start..]);
    out
}

fn text(v: &[u8], field: &str) -> Result<String, ParseError> {
    String::from_utf8(unescape(v))
        .map_err(|_| ParseError::new(ParseErrorKind::Encoding, "not utf-8").in_field(field))
}

impl ZeekTsvParser {
    /// A parser expecting the header (Zeek's defaults until it says
    /// otherwise).
    pub fn new() -> ZeekTsvParser {
        ZeekTsvParser {
            separator: b"\t".to_vec(),
            set_separator: b",".to_vec(),
            empty: b"(empty)".to_vec(),
            unset: b"-".to_vec(),
            cols: None,
        }
    }

    /// Parses one line: header lines update the state and give no records.
    pub fn parse_line(&mut self, line: &[u8]) -> Result<Vec<PdnsRecord>, ParseError> {
        if line.is_empty() {
            return Ok(Vec::new());
        }
        if line[0] == b'#' {
            self.header(line)?;
            return Ok(Vec::new());
        }
        let Some(cols) = &self.cols else {
            return Err(ParseError::new(
                ParseErrorKind::Syntax,
                "data line before the #fields header",
            ));
        };
        let f = split(line, &self.separator);
        if f.len() != cols.n {
            return Err(ParseError::new(
                ParseErrorKind::Syntax,
                format!("{} fields where #fields names {}", f.len(), cols.n),
            ));
        }
        let unset = |v: &[u8]| v == self.unset.as_slice() || v == self.empty.as_slice();
        let ts_s = text(f[cols.ts], "ts")?;
        let ts = parse_epoch(&ts_s).ok_or_else(|| {
            ParseError::new(ParseErrorKind::Value, format!("bad time {ts_s:?}")).in_field("ts")
        })?;
        let query = if unset(f[cols.query]) {
            String::new()
        } else {
            text(f[cols.query], "query")?
        };
        let num = |i: Option<usize>, field: &str| -> Result<Option<u16>, ParseError> {
            match i {
                Some(i) if !unset(f[i]) => {
                    let s = text(f[i], field)?;
                    parse_rrtype(&s).map(Some).ok_or_else(|| {
                        ParseError::new(ParseErrorKind::Value, format!("bad value {s:?}"))
                            .in_field(field)
                    })
                }
                _ => Ok(None),
            }
        };
        let qtype = match num(cols.qtype, "qtype")? {
            Some(t) => Some(t),
            None => num(cols.qtype_name, "qtype_name")?,
        };
        let qclass = num(cols.qclass, "qclass")?;
        let a = f[cols.answers];
        let answers = if unset(a) {
            Vec::new()
        } else {
            split(a, &self.set_separator)
                .into_iter()
                .map(|v| text(v, "answers"))
                .collect::<Result<Vec<_>, _>>()?
        };
        zeek_records(ts, &query, qtype, qclass, &answers)
    }

    fn header(&mut self, line: &[u8]) -> Result<(), ParseError> {
        if let Some(rest) = line.strip_prefix(b"#separator ") {
            self.separator = unescape(rest.trim_ascii());
            if self.separator.is_empty() {
                return Err(ParseError::new(ParseErrorKind::Value, "empty #separator"));
            }
            return Ok(());
        }
        let f = split(line, &self.separator);
        let key = f[0];
        let val = f.get(1).copied().unwrap_or_default();
        match key {
            b"#set_separator" => self.set_separator = unescape(val),
            b"#empty_field" => self.empty = unescape(val),
            b"#unset_field" => self.unset = unescape(val),
            b"#path" if val != b"dns" => {
                return Err(ParseError::new(
                    ParseErrorKind::Unsupported,
                    format!("zeek log path {:?}, not dns", String::from_utf8_lossy(val)),
                ));
            }
            b"#fields" => {
                let names = &f[1..];
                let pos = |n: &[u8]| names.iter().position(|x| *x == n);
                let need = |n: &str| {
                    pos(n.as_bytes()).ok_or_else(|| {
                        ParseError::new(ParseErrorKind::Syntax, format!("#fields lacks {n}"))
                    })
                };
                self.cols = Some(Cols {
                    n: names.len(),
                    ts: need("ts")?,
                    query: need("query")?,
                    qtype: pos(b"qtype"),
                    qtype_name: pos(b"qtype_name"),
                    qclass: pos(b"qclass"),
                    answers: need("answers")?,
                });
            }
            _ => {}
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct JsonRow {
    ts: Option<Value>,
    query: Option<String>,
    qtype: Option<u16>,
    qtype_name: Option<String>,
    qclass: Option<u16>,
    answers: Option<Vec<String>>,
}

/// Parses one Zeek JSON log line.
pub fn parse_zeek_json_line(line: &[u8]) -> Result<Vec<PdnsRecord>, ParseError> {
    let row: JsonRow = serde_json::from_slice(line).map_err(|e| {
        ParseError::new(ParseErrorKind::Syntax, e.to_string()).at_column(e.column() as u64)
    })?;
    let answers = row.answers.unwrap_or_default();
    if answers.is_empty() {
        return Ok(Vec::new());
    }
    let ts = match &row.ts {
        Some(Value::Number(n)) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.abs() < 9.0e15)
                .map(|f| f.trunc() as i64)
        }),
        Some(Value::String(s)) => parse_epoch(s).or_else(|| scry_model::parse_time(s).ok()),
        _ => None,
    }
    .ok_or_else(|| ParseError::new(ParseErrorKind::Value, "missing or bad ts").in_field("ts"))?;
    let qtype = match (row.qtype, &row.qtype_name) {
        (Some(t), _) => Some(t),
        (None, Some(n)) => parse_rrtype(n),
        (None, None) => None,
    };
    zeek_records(
        ts,
        row.query.as_deref().unwrap_or(""),
        qtype,
        row.qclass,
        &answers,
    )
}
