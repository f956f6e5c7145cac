//! Passive DNS: every input format a sensor or a feed writes, decoded into
//! one record type, [`PdnsRecord`].
//!
//! Line formats (one record or one answer set per line):
//! - [`cof`]: CIRCL Common Output Format NDJSON
//!   (draft-dulaunoy-dnsop-passive-dns-cof), and DNSDB v2 SAF lines
//!   (`{"cond":"begin"}`, `{"obj":{…}}`, `{"cond":"succeeded"}`);
//! - [`zeek`]: Zeek `dns.log` in TSV (with its `#separator`/`#fields`
//!   header) and in JSON;
//! - [`passivedns`]: gamelinux passivedns `||` logs.
//!
//! Binary formats:
//! - [`dnstap`]: Frame Streams files carrying `protobuf:dnstap.Dnstap`;
//! - [`pcap`]: pcap and pcapng captures (DNS over UDP and TCP, IPv4/IPv6);
//! - both decode DNS messages with [`wire`].
//!
//! [`PdnsReader`] streams any of them from an `impl BufRead`, yielding
//! `Result<PdnsRecord, ParseError>`: a bad line or frame is reported with its
//! position and skipped, and the input continues. [`detect_format`] guesses
//! the format from the first bytes when that is unambiguous.
//!
//! Normal form of a record: `rrname` and every name inside `rdata` are
//! lower-case ASCII without the trailing dot (the root is `.`); A and AAAA
//! rdata are canonical (RFC 5952 for IPv6); other rdata is the presentation
//! form, with RFC 3597 `\# len hex` for types the decoder does not know.

pub mod cof;
pub mod dnstap;
mod lines;
pub mod passivedns;
pub mod pcap;
pub mod wire;
pub mod zeek;

#[cfg(test)]
mod tests;

use std::net::{Ipv4Addr, Ipv6Addr};

use scry_model::{DomainName, Entity, Observation, Predicate, Window, rrtype_from_mnemonic};

use crate::error::{ParseError, ParseErrorKind};

pub use lines::{DEFAULT_MAX_LINE, PdnsReader};

/// One passive DNS observation: an rrset member seen in a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdnsRecord {
    /// Owner name, lower-case, without the trailing dot.
    pub rrname: String,
    /// RR type number.
    pub rrtype: u16,
    /// Presentation-form rdata (names lower-case without trailing dot, A and
    /// AAAA canonical).
    pub rdata: String,
    /// First time seen (epoch seconds).
    pub time_first: i64,
    /// Last time seen (epoch seconds).
    pub time_last: i64,
    /// Number of times seen (at least 1 once normalised).
    pub count: u64,
    /// Zone apex the answer came from, when known.
    pub bailiwick: Option<String>,
    /// Sensor that saw it (COF `sensor_id`, dnstap identity).
    pub sensor_id: Option<String>,
    /// First time seen in a zone file.
    pub zone_time_first: Option<i64>,
    /// Last time seen in a zone file.
    pub zone_time_last: Option<i64>,
}

impl PdnsRecord {
    /// The record as an observation for the store: `(rrname,
    /// Predicate::rr(rrtype), object)` where the object is the rdata
    /// normalised by the predicate's object kind: the exchange host for MX
    /// (`10 mx.example.com`, or the bare host Zeek and passivedns log),
    /// the e-mail address from the SOA `rname`, the address for A/AAAA, the
    /// target name for NS/CNAME/PTR, and text for every other type. A count
    /// of zero is read as one. Unassigned types from 32770 to 65279 are
    /// refused (see [`scry_model::Predicate::try_rr`]).
    pub fn to_observation(&self, source: &str, now: i64) -> Result<Observation, ParseError> {
        let value_err = |field: &str, e: scry_model::ModelError| {
            ParseError::new(ParseErrorKind::Value, e.to_string()).in_field(field)
        };
        let subject =
            Entity::Domain(DomainName::parse(&self.rrname).map_err(|e| value_err("rrname", e))?);
        let predicate = Predicate::try_rr(self.rrtype).ok_or_else(|| {
            // The predicate space holds every type below 32768, TA, DLV and
            // the private-use range; the rest is unassigned.
            ParseError::new(
                ParseErrorKind::Unsupported,
                format!("rrtype {} is unassigned", self.rrtype),
            )
            .in_field("rrtype")
        })?;
        let object_text = match self.rrtype {
            RR_MX => self.rdata.split_ascii_whitespace().last().ok_or_else(|| {
                ParseError::new(ParseErrorKind::Value, "mx rdata without an exchange")
                    .in_field("rdata")
            })?,
            RR_SOA => {
                let rname = self.rdata.split_ascii_whitespace().nth(1).ok_or_else(|| {
                    ParseError::new(ParseErrorKind::Value, "soa rdata without an rname")
                        .in_field("rdata")
                })?;
                let email = soa_rname_to_email(rname).ok_or_else(|| {
                    ParseError::new(ParseErrorKind::Value, "soa rname is not a mailbox")
                        .in_field("rdata")
                })?;
                let object = Entity::parse(predicate.object_kind(), &email)
                    .map_err(|e| value_err("rdata", e))?;
                return self.observation(subject, predicate, object, source, now);
            }
            _ => self.rdata.as_str(),
        };
        let object = Entity::parse(predicate.object_kind(), object_text)
            .map_err(|e| value_err("rdata", e))?;
        self.observation(subject, predicate, object, source, now)
    }

    fn observation(
        &self,
        subject: Entity,
        predicate: Predicate,
        object: Entity,
        source: &str,
        now: i64,
    ) -> Result<Observation, ParseError> {
        let window = Window {
            first_seen: self.time_first,
            last_seen: self.time_last,
            count: self.count.max(1),
        };
        Observation::new(subject, predicate, object, window, source.to_string(), now)
            .map_err(|e| ParseError::new(ParseErrorKind::Value, e.to_string()))
    }
}

/// The input formats passive DNS is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PdnsFormat {
    /// CIRCL Common Output Format NDJSON.
    Cof,
    /// DNSDB v2 Streaming Application Format.
    Dnsdb,
    /// Zeek `dns.log`, TSV with header.
    ZeekTsv,
    /// Zeek `dns.log`, JSON lines.
    ZeekJson,
    /// gamelinux passivedns `||` log.
    PassiveDns,
    /// dnstap in a Frame Streams file.
    Dnstap,
    /// pcap or pcapng capture.
    Pcap,
}

impl PdnsFormat {
    /// Every format, in the order the command line lists them.
    pub const ALL: [PdnsFormat; 7] = [
        PdnsFormat::Cof,
        PdnsFormat::Dnsdb,
        PdnsFormat::ZeekTsv,
        PdnsFormat::ZeekJson,
        PdnsFormat::PassiveDns,
        PdnsFormat::Dnstap,
        PdnsFormat::Pcap,
    ];

    /// Stable name, as given to `--format`.
    pub fn as_str(self) -> &'static str {
        match self {
            PdnsFormat::Cof => "cof",
            PdnsFormat::Dnsdb => "dnsdb",
            PdnsFormat::ZeekTsv => "zeek",
            PdnsFormat::ZeekJson => "zeek-json",
            PdnsFormat::PassiveDns => "passivedns",
            PdnsFormat::Dnstap => "dnstap",
            PdnsFormat::Pcap => "pcap",
        }
    }

    /// The format named `name` (as in [`PdnsFormat::as_str`]; `pcapng` is
    /// accepted for `pcap`).
    pub fn from_name(name: &str) -> Option<PdnsFormat> {
        let n = name.trim().to_ascii_lowercase();
        if n == "pcapng" {
            return Some(PdnsFormat::Pcap);
        }
        PdnsFormat::ALL.into_iter().find(|f| f.as_str() == n)
    }

    /// Whether the format is text with one record (set) per line.
    pub fn is_line_format(self) -> bool {
        !matches!(self, PdnsFormat::Dnstap | PdnsFormat::Pcap)
    }
}

/// Guesses the format from the first bytes of an input (a few KiB is
/// plenty). Returns `None` when the bytes fit no format or could be more
/// than one (for example gzip-compressed input: decompress first).
pub fn detect_format(head: &[u8]) -> Option<PdnsFormat> {
    if head.len() >= 4 {
        let magic = [head[0], head[1], head[2], head[3]];
        match magic {
            [0xa1, 0xb2, 0xc3, 0xd4]
            | [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d]
            | [0x4d, 0x3c, 0xb2, 0xa1]
            | [0x0a, 0x0d, 0x0d, 0x0a] => return Some(PdnsFormat::Pcap),
            [0, 0, 0, 0] => {
                return dnstap::looks_like_fstrm(head).then_some(PdnsFormat::Dnstap);
            }
            _ => {}
        }
    }
    let line = head
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .find(|l| !l.is_empty())?;
    if line.starts_with(b"#separator") || line.starts_with(b"#fields") {
        return Some(PdnsFormat::ZeekTsv);
    }
    if line.first() == Some(&b'{') {
        let has = |key: &[u8]| {
            let mut k = Vec::with_capacity(key.len() + 2);
            k.push(b'"');
            k.extend_from_slice(key);
            k.push(b'"');
            memchr::memmem::find(line, &k).is_some()
        };
        if has(b"cond") || has(b"obj") {
            return Some(PdnsFormat::Dnsdb);
        }
        if has(b"rrname") {
            return Some(PdnsFormat::Cof);
        }
        if has(b"uid") && has(b"query") {
            return Some(PdnsFormat::ZeekJson);
        }
        return None;
    }
    if line.starts_with(b"#timestamp||") || memchr::memmem::find(line, b"||").is_some() {
        return Some(PdnsFormat::PassiveDns);
    }
    None
}

pub(crate) const RR_A: u16 = 1;
pub(crate) const RR_NS: u16 = 2;
pub(crate) const RR_CNAME: u16 = 5;
pub(crate) const RR_SOA: u16 = 6;
pub(crate) const RR_PTR: u16 = 12;
pub(crate) const RR_MX: u16 = 15;
pub(crate) const RR_TXT: u16 = 16;
pub(crate) const RR_AAAA: u16 = 28;
pub(crate) const RR_SRV: u16 = 33;
pub(crate) const RR_DNAME: u16 = 39;

/// Longest name kept (presentation form with escapes can be 4x the 255
/// octets of the wire form).
const MAX_NAME_TEXT: usize = 1024;
/// Longest rdata kept, in bytes.
pub(crate) const MAX_RDATA_TEXT: usize = 256 * 1024;

/// An rrtype written as a mnemonic (`A`, `aaaa`, `TYPE65`) or a decimal
/// number.
pub(crate) fn parse_rrtype(s: &str) -> Option<u16> {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok();
    }
    rrtype_from_mnemonic(t)
}

/// Normal form of a name in text: trimmed, lower-case ASCII, no trailing
/// dot (an escaped final dot `\.` is kept); the root stays `.`.
pub(crate) fn normalise_name(s: &str) -> Result<String, ParseError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(ParseError::new(ParseErrorKind::Value, "empty name"));
    }
    if t == "." {
        return Ok(".".to_string());
    }
    if t.len() > MAX_NAME_TEXT {
        return Err(ParseError::new(ParseErrorKind::TooLarge, "name too long"));
    }
    if t.bytes()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(ParseError::new(
            ParseErrorKind::Value,
            "name contains white space or control characters",
        ));
    }
    let t = strip_final_dot(t);
    let mut out = t.to_string();
    out.make_ascii_lowercase();
    Ok(out)
}

/// Strips one trailing unescaped dot.
fn strip_final_dot(t: &str) -> &str {
    match t.strip_suffix('.') {
        Some(rest) => {
            let backslashes = rest.bytes().rev().take_while(|&b| b == b'\\').count();
            if backslashes % 2 == 1 { t } else { rest }
        }
        None => t,
    }
}

/// Normal form of text rdata for `rrtype`: canonical A/AAAA, names
/// lower-cased without trailing dot in NS/CNAME/PTR/DNAME/MX/SOA/SRV,
/// everything else trimmed as given.
pub(crate) fn normalise_rdata(rrtype: u16, s: &str) -> Result<String, ParseError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(ParseError::new(ParseErrorKind::Value, "empty rdata"));
    }
    if t.len() > MAX_RDATA_TEXT {
        return Err(ParseError::new(ParseErrorKind::TooLarge, "rdata too long"));
    }
    let bad = |what: &str| ParseError::new(ParseErrorKind::Value, format!("not {what}: {t:?}"));
    match rrtype {
        RR_A => {
            // Rust's parser accepts only the canonical dotted quad (no
            // leading zeros, no short forms), so valid input is kept as is.
            let _: Ipv4Addr = t.parse().map_err(|_| bad("an ipv4 address"))?;
            Ok(t.to_string())
        }
        RR_AAAA => {
            let a: Ipv6Addr = t.parse().map_err(|_| bad("an ipv6 address"))?;
            Ok(a.to_string())
        }
        RR_NS | RR_CNAME | RR_PTR | RR_DNAME => normalise_name(t),
        RR_MX => match two_fields(t) {
            Some((pref, host)) => {
                let pref: u16 = pref.parse().map_err(|_| bad("mx rdata"))?;
                Ok(format!("{pref} {}", normalise_name(host)?))
            }
            // Zeek and passivedns log only the exchange: keep it alone
            // rather than invent a preference.
            None if !t.contains(char::is_whitespace) => normalise_name(t),
            None => Err(bad("mx rdata")),
        },
        RR_SRV => {
            let f: Vec<&str> = t.split_ascii_whitespace().collect();
            match f.as_slice() {
                [p, w, port, target] => {
                    let p: u16 = p.parse().map_err(|_| bad("srv rdata"))?;
                    let w: u16 = w.parse().map_err(|_| bad("srv rdata"))?;
                    let port: u16 = port.parse().map_err(|_| bad("srv rdata"))?;
                    Ok(format!("{p} {w} {port} {}", normalise_name(target)?))
                }
                _ => Err(bad("srv rdata")),
            }
        }
        RR_SOA => {
            let f: Vec<&str> = t.split_ascii_whitespace().collect();
            if f.len() < 2 {
                return Err(bad("soa rdata"));
            }
            let mut out = format!("{} {}", normalise_name(f[0])?, normalise_name(f[1])?);
            for x in &f[2..] {
                out.push(' ');
                out.push_str(x);
            }
            Ok(out)
        }
        _ => Ok(t.to_string()),
    }
}

fn two_fields(t: &str) -> Option<(&str, &str)> {
    let mut it = t.split_ascii_whitespace();
    let a = it.next()?;
    let b = it.next()?;
    if it.next().is_some() {
        return None;
    }
    Some((a, b))
}

/// The mailbox an SOA `rname` stands for: the first unescaped dot becomes
/// `@` and `\.` escapes become dots (`john\.doe.example.com` →
/// `john.doe@example.com`).
pub(crate) fn soa_rname_to_email(rname: &str) -> Option<String> {
    let mut local = String::new();
    let mut chars = rname.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                let (_, next) = chars.next()?;
                local.push(next);
            }
            '.' => {
                let domain = strip_final_dot(&rname[i + 1..]);
                if local.is_empty() || domain.is_empty() {
                    return None;
                }
                return Some(format!("{local}@{domain}"));
            }
            c => local.push(c),
        }
    }
    None
}

/// Epoch seconds from a decimal text with optional fraction (`1322849924.408856`).
pub(crate) fn parse_epoch(s: &str) -> Option<i64> {
    let t = s.trim();
    let int = match t.split_once('.') {
        Some((i, frac)) => {
            if !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            i
        }
        None => t,
    };
    if int.is_empty() {
        return None;
    }
    int.parse().ok()
}
