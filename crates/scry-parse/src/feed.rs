//! Threat feeds: plain indicator lists, CSV dumps (URLhaus, PhishTank) and
//! JSON (PhishTank's array of objects, or one object per line).
//!
//! Every entry becomes an [`Indicator`]: a host name (from a bare name or a
//! URL's authority) or an IP address. URLs are read leniently the way real
//! feeds write them: any scheme or none, defanged `hxxp://` and `[.]`,
//! user info, ports, bracketed IPv6, paths, queries. A leading `www.` is
//! kept (it is a host of its own) — the risk layer decides what a listing
//! of `www.x.com` says about `x.com`.
//!
//! The reader is line-based ([`FeedReader::line`]) for lists and CSV, and
//! value-based ([`entries_from_json`]) for JSON, so the ingest layer owns the
//! IO and bounds line lengths.

use scry_model::{DomainName, Ip};

use crate::error::{ParseError, ParseErrorKind};

/// The layout of a feed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    /// One indicator (domain, host, URL or IP) a line; `#` and `;` comments.
    List,
    /// Comma-separated with a header naming the indicator column (`url`,
    /// `domain`, `host`, `hostname`, `ip`, `ioc`, `indicator`); the header
    /// may be commented out (`# id,dateadded,url,...` as URLhaus writes it).
    Csv,
    /// A JSON array of objects or one object a line, each with a `url`,
    /// `domain`, `host`, `ip` or `indicator` member.
    Json,
}

impl FeedFormat {
    /// Parses a format name (`list`, `csv`, `json`).
    pub fn parse(s: &str) -> Option<FeedFormat> {
        match s {
            "list" | "txt" | "plain" => Some(FeedFormat::List),
            "csv" => Some(FeedFormat::Csv),
            "json" | "ndjson" => Some(FeedFormat::Json),
            _ => None,
        }
    }

    /// Guesses the format from the first non-blank bytes of the file.
    pub fn sniff(head: &[u8]) -> FeedFormat {
        let text = String::from_utf8_lossy(head);
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let Some(first) = lines.clone().next() else {
            return FeedFormat::List;
        };
        if first.starts_with('[') || first.starts_with('{') {
            return FeedFormat::Json;
        }
        // A header (commented or not) naming a known column, or quoted
        // comma-separated rows.
        for l in lines.by_ref().take(20) {
            let l = l.trim_start_matches(['#', ' ']);
            if header_column(l).is_some() {
                return FeedFormat::Csv;
            }
            if l.starts_with('"') && l.contains("\",\"") {
                return FeedFormat::Csv;
            }
        }
        FeedFormat::List
    }
}

/// A listed indicator.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Indicator {
    /// A host or domain name.
    Domain(DomainName),
    /// An IP address.
    Ip(Ip),
}

impl Indicator {
    /// Canonical text (the A-label form of a name).
    pub fn text(&self) -> String {
        match self {
            Indicator::Domain(d) => d.ascii().to_string(),
            Indicator::Ip(ip) => ip.to_string(),
        }
    }
}

/// One feed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// What is listed.
    pub indicator: Indicator,
    /// The URL as the feed gave it, when it gave one.
    pub url: Option<String>,
    /// The targeted brand (PhishTank `target`), when given and not "Other".
    pub target: Option<String>,
    /// The threat or tags column (URLhaus `threat`, `tags`), when given.
    pub threat: Option<String>,
}

/// Longest indicator text accepted (a URL may be long; the host is bounded
/// by the name rules anyway).
const MAX_FIELD: usize = 8192;

/// Extracts the host of a URL-or-host string and parses it as a name or an
/// IP. Accepts defanged forms (`hxxp`, `[.]`, `(.)`).
pub fn parse_indicator(raw: &str) -> Result<Indicator, ParseError> {
    if raw.len() > MAX_FIELD {
        return Err(ParseError::new(
            ParseErrorKind::TooLarge,
            format!("indicator of {} bytes (limit {MAX_FIELD})", raw.len()),
        ));
    }
    let s = raw.trim().trim_matches(['"', '\'', '<', '>']);
    let s = s
        .replace("[.]", ".")
        .replace("(.)", ".")
        .replace("[:]", ":");
    let mut rest: &str = &s;
    if let Some(i) = rest.find("://") {
        let scheme = &rest[..i];
        if scheme.is_empty()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        {
            return Err(ParseError::new(ParseErrorKind::Value, "bad URL scheme"));
        }
        rest = &rest[i + 3..];
    }
    // Authority ends at the first '/', '?' or '#'.
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let mut auth = &rest[..end];
    if let Some(at) = auth.rfind('@') {
        auth = &auth[at + 1..];
    }
    let host = if let Some(v6) = auth.strip_prefix('[') {
        match v6.find(']') {
            Some(close) => &v6[..close],
            None => {
                return Err(ParseError::new(
                    ParseErrorKind::Value,
                    "unclosed '[' in host",
                ));
            }
        }
    } else if auth.bytes().filter(|&b| b == b':').count() > 1 {
        auth // a bare IPv6 address
    } else {
        match auth.rfind(':') {
            Some(c) if auth[c + 1..].bytes().all(|b| b.is_ascii_digit()) => &auth[..c],
            _ => auth,
        }
    };
    let host = host.trim_end_matches('.');
    if host.is_empty() {
        return Err(ParseError::new(ParseErrorKind::Value, "no host"));
    }
    if let Ok(ip) = Ip::parse(host) {
        return Ok(Indicator::Ip(ip));
    }
    DomainName::parse(host)
        .map(Indicator::Domain)
        .map_err(|e| ParseError::new(ParseErrorKind::Value, e.to_string()))
}

/// The indicator column a header cell names, by priority.
fn column_rank(cell: &str) -> Option<u8> {
    match cell.trim().trim_matches('"').to_ascii_lowercase().as_str() {
        "url" => Some(0),
        "domain" | "hostname" | "host" | "fqdn" => Some(1),
        "indicator" | "ioc" | "value" => Some(2),
        "ip" | "ip_address" | "dst_ip" => Some(3),
        _ => None,
    }
}

/// Whether a line is a CSV header naming an indicator column, and which.
fn header_column(line: &str) -> Option<usize> {
    let cells = split_csv(line).ok()?;
    cells
        .iter()
        .enumerate()
        .filter_map(|(i, c)| column_rank(c).map(|r| (r, i)))
        .min()
        .map(|(_, i)| i)
}

/// Splits one CSV line (RFC 4180 quoting, `""` escapes; no multi-line
/// fields). Errors on an unterminated quote.
pub fn split_csv(line: &str) -> Result<Vec<String>, ParseError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut col = 0u64;
    while let Some(c) = chars.next() {
        col += 1;
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && cur.trim().is_empty() {
            cur.clear();
            quoted = true;
        } else if c == ',' {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    if quoted {
        return Err(ParseError::new(ParseErrorKind::Syntax, "unterminated quote").at_column(col));
    }
    out.push(cur);
    Ok(out)
}

/// A line-based feed reader (lists and CSV). Feed it every line in order.
#[derive(Debug, Clone)]
pub struct FeedReader {
    format: FeedFormat,
    /// CSV: column names, once the header was seen.
    columns: Option<Vec<String>>,
    /// CSV: the indicator column.
    indicator: usize,
}

impl FeedReader {
    /// A reader for `format` ([`FeedFormat::Json`] is read with
    /// [`entries_from_json`] instead; lines given here are then parsed as
    /// one JSON object each).
    pub fn new(format: FeedFormat) -> FeedReader {
        FeedReader {
            format,
            columns: None,
            indicator: 0,
        }
    }

    /// Parses one line: `Ok(None)` for blank lines, comments and headers.
    pub fn line(&mut self, line: &str) -> Result<Option<FeedEntry>, ParseError> {
        let t = line.trim_end_matches(['\r', '\n']).trim();
        if t.is_empty() {
            return Ok(None);
        }
        match self.format {
            FeedFormat::List => {
                if t.starts_with('#') || t.starts_with(';') || t.starts_with("//") {
                    return Ok(None);
                }
                // Hosts-file lines (`0.0.0.0 evil.com`) and trailing comments.
                let t = t.split(['#', ';']).next().unwrap_or(t).trim();
                let mut words = t.split_whitespace();
                let first = words.next().unwrap_or("");
                let target = match (first, words.next()) {
                    ("0.0.0.0" | "127.0.0.1" | "::" | "::1", Some(host)) => host,
                    (_, None) => first,
                    (_, Some(extra)) => {
                        return Err(ParseError::new(
                            ParseErrorKind::Syntax,
                            format!("unexpected {extra:?} after the indicator"),
                        )
                        .in_field("indicator"));
                    }
                };
                let indicator = parse_indicator(target).map_err(|e| e.in_field("indicator"))?;
                Ok(Some(FeedEntry {
                    url: target.contains('/').then(|| target.to_string()),
                    indicator,
                    target: None,
                    threat: None,
                }))
            }
            FeedFormat::Csv => {
                if self.columns.is_none() {
                    let h = t.trim_start_matches(['#', ' ']);
                    if let Some(i) = header_column(h) {
                        let cells = split_csv(h)?;
                        self.columns = Some(
                            cells
                                .iter()
                                .map(|c| c.trim().to_ascii_lowercase())
                                .collect(),
                        );
                        self.indicator = i;
                        return Ok(None);
                    }
                }
                if t.starts_with('#') {
                    return Ok(None);
                }
                let cells = split_csv(t)?;
                let Some(cols) = &self.columns else {
                    return Err(ParseError::new(
                        ParseErrorKind::Syntax,
                        "CSV row before a header naming the indicator column (url, domain, host, ip)",
                    ));
                };
                let raw = cells.get(self.indicator).ok_or_else(|| {
                    ParseError::new(
                        ParseErrorKind::Syntax,
                        format!(
                            "{} cells, the indicator is column {}",
                            cells.len(),
                            self.indicator + 1
                        ),
                    )
                })?;
                let field = cols.get(self.indicator).cloned().unwrap_or_default();
                let indicator = parse_indicator(raw).map_err(|e| e.in_field(field.clone()))?;
                let get = |name: &str| {
                    cols.iter()
                        .position(|c| c == name)
                        .and_then(|i| cells.get(i))
                        .map(|v| v.trim())
                        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("other"))
                        .map(str::to_string)
                };
                Ok(Some(FeedEntry {
                    url: (field == "url").then(|| raw.trim().to_string()),
                    indicator,
                    target: get("target"),
                    threat: get("threat").or_else(|| get("tags")),
                }))
            }
            FeedFormat::Json => {
                if t == "[" || t == "]" {
                    return Ok(None);
                }
                let v: serde_json::Value =
                    serde_json::from_str(t.trim_end_matches(',')).map_err(|e| {
                        ParseError::new(ParseErrorKind::Syntax, e.to_string())
                            .at_column(e.column() as u64)
                    })?;
                entry_from_json(&v)
            }
        }
    }
}

/// The entry of one JSON object (`Ok(None)` for non-objects without an indicator member).
pub fn entry_from_json(v: &serde_json::Value) -> Result<Option<FeedEntry>, ParseError> {
    let obj = match v {
        serde_json::Value::Object(o) => o,
        serde_json::Value::String(s) => {
            return parse_indicator(s).map(|indicator| {
                Some(FeedEntry {
                    indicator,
                    url: None,
                    target: None,
                    threat: None,
                })
            });
        }
        _ => {
            return Err(ParseError::new(
                ParseErrorKind::Syntax,
                "entry is not an object",
            ));
        }
    };
    let mut best: Option<(u8, &str, &str)> = None;
    for (k, val) in obj {
        if let (Some(r), Some(s)) = (column_rank(k), val.as_str())
            && best.is_none_or(|(b, _, _)| r < b)
        {
            best = Some((r, k.as_str(), s));
        }
    }
    let Some((_, key, raw)) = best else {
        return Err(ParseError::new(
            ParseErrorKind::Syntax,
            "object has no url, domain, host, ip or indicator member",
        ));
    };
    let indicator = parse_indicator(raw).map_err(|e| e.in_field(key.to_string()))?;
    let text = |name: &str| {
        obj.get(name)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("other"))
            .map(str::to_string)
    };
    Ok(Some(FeedEntry {
        url: (key == "url").then(|| raw.to_string()),
        indicator,
        target: text("target"),
        threat: text("threat").or_else(|| text("tags")),
    }))
}

/// Every entry of a JSON document: an array of entries, or one entry.
/// Errors name the array index in `column`.
pub fn entries_from_json(doc: &[u8]) -> Result<Vec<Result<FeedEntry, ParseError>>, ParseError> {
    let v: serde_json::Value = serde_json::from_slice(doc).map_err(|e| {
        ParseError::new(ParseErrorKind::Syntax, e.to_string())
            .at_line(e.line() as u64)
            .at_column(e.column() as u64)
    })?;
    let items = match v {
        serde_json::Value::Array(a) => a,
        other => vec![other],
    };
    Ok(items
        .iter()
        .enumerate()
        .filter_map(|(i, v)| match entry_from_json(v) {
            Ok(Some(e)) => Some(Ok(e)),
            Ok(None) => None,
            Err(e) => {
                let f = e
                    .field
                    .clone()
                    .map_or(format!("[{i}]"), |f| format!("[{i}].{f}"));
                Some(Err(e.in_field(f)))
            }
        })
        .collect())
}

#[cfg(test)]
mod tests;
