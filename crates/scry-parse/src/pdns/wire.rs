//! DNS wire format (RFC 1035 §4): a response message into passive DNS
//! records.
//!
//! Decoding uses `hickory-proto`'s binary decoder, which only follows
//! compression pointers that point *before* the label being read (so a
//! pointer loop cannot exist), bounds names to 255 octets and checks every
//! length against the buffer. Records are read one by one: a bad record
//! ends the section walk with an error, and the records decoded before it
//! are kept (a truncated message still yields its complete records).
//!
//! What is taken: the answer section, and the NS records of the authority
//! section (delegations and apex NS sets), class IN only, from messages
//! with QR set and opcode QUERY. Rdata is written in presentation form:
//! names lower-case without trailing dot; TXT as quoted strings; types the
//! decoder does not model as RFC 3597 generic rdata (`\# 4 0a0b0c0d`).
//! DNSSEC types (DS, DNSKEY, RRSIG, NSEC...) are among those: hickory-proto
//! is built without its `dnssec` features (and their crypto dependencies).
//! The bailiwick is the one given (dnstap's `query_zone`) or, for
//! authoritative answers, the owner of an authority SOA/NS set that encloses
//! the question name.

use std::collections::HashSet;
use std::fmt::Write as _;

use hickory_proto::rr::{Name, RData, RecordType};
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder, Restrict};

use crate::error::{ParseError, ParseErrorKind};

use super::{PdnsRecord, RR_A, RR_AAAA, RR_CNAME, RR_DNAME, RR_MX, RR_NS, RR_PTR, RR_SOA, RR_SRV};

const HEADER_LEN: usize = 12;
const CLASS_IN: u16 = 1;

/// Where and when a message was seen.
#[derive(Debug, Clone, Copy, Default)]
pub struct WireContext<'a> {
    /// Time of the response (epoch seconds).
    pub time: i64,
    /// Sensor identity, copied into every record.
    pub sensor_id: Option<&'a str>,
    /// Known bailiwick (zone apex, normal form), copied into every record.
    pub bailiwick: Option<&'a str>,
}

/// The records of one message, and the error that stopped decoding early.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// Records decoded (deduplicated on `(rrname, rrtype, rdata)`).
    pub records: Vec<PdnsRecord>,
    /// Why decoding stopped before the end, if it did; its column is the
    /// 1-based byte offset in the message.
    pub error: Option<ParseError>,
}

/// Decodes a DNS response into records. Queries and non-QUERY opcodes
/// yield nothing (and no error).
pub fn decode_response(msg: &[u8], ctx: &WireContext<'_>) -> Decoded {
    let mut out = Decoded::default();
    if msg.len() < HEADER_LEN {
        out.error = Some(
            ParseError::new(
                ParseErrorKind::Truncated,
                format!(
                    "dns message of {} bytes is shorter than its header",
                    msg.len()
                ),
            )
            .at_column(1),
        );
        return out;
    }
    let qr = msg[2] & 0x80 != 0;
    let opcode = (msg[2] >> 3) & 0x0f;
    let aa = msg[2] & 0x04 != 0;
    if !qr || opcode != 0 {
        return out;
    }
    let count = |i: usize| u16::from_be_bytes([msg[i], msg[i + 1]]);
    let (qd, an, ns) = (count(4), count(6), count(8));

    let mut dec = BinDecoder::new(msg);
    if dec.read_slice(HEADER_LEN).is_err() {
        return out;
    }
    let mut qname: Option<Name> = None;
    for i in 0..qd {
        let at = dec.index();
        let q = Name::read(&mut dec).and_then(|n| {
            dec.read_u16()?;
            dec.read_u16()?;
            Ok(n)
        });
        match q {
            Ok(n) => {
                if qname.is_none() {
                    qname = Some(n);
                }
            }
            Err(e) => {
                out.error = Some(wire_error(at, format!("question {i}: {e}")));
                return out;
            }
        }
    }

    let mut answers = Vec::new();
    let mut authority = Vec::new();
    let mut failed = false;
    for (section, n, into) in [
        ("answer", an, &mut answers),
        ("authority", ns, &mut authority),
    ] {
        if failed {
            break;
        }
        for i in 0..n {
            let at = dec.index();
            match read_record(&mut dec, msg) {
                Ok(Some(r)) => into.push(r),
                Ok(None) => {}
                Err(RecordError::Skip(m)) => {
                    if out.error.is_none() {
                        out.error = Some(wire_error(at, format!("{section} record {i}: {m}")));
                    }
                }
                Err(RecordError::Fatal(m)) => {
                    if out.error.is_none() {
                        out.error = Some(wire_error(at, format!("{section} record {i}: {m}")));
                    }
                    failed = true;
                    break;
                }
            }
        }
    }

    let derived;
    let bailiwick = match ctx.bailiwick {
        Some(b) => Some(b),
        None if aa => {
            derived = qname.as_ref().and_then(|q| {
                authority
                    .iter()
                    .chain(answers.iter())
                    .filter(|r| r.rrtype == RR_SOA || r.rrtype == RR_NS)
                    .find(|r| r.owner.zone_of(q))
                    .map(|r| name_text(&r.owner))
            });
            derived.as_deref()
        }
        None => None,
    };

    let mut seen = HashSet::new();
    let taken = answers
        .into_iter()
        .chain(authority.into_iter().filter(|r| r.rrtype == RR_NS));
    for r in taken {
        let rec = PdnsRecord {
            rrname: name_text(&r.owner),
            rrtype: r.rrtype,
            rdata: r.rdata,
            time_first: ctx.time,
            time_last: ctx.time,
            count: 1,
            bailiwick: bailiwick.map(str::to_string),
            sensor_id: ctx.sensor_id.map(str::to_string),
            zone_time_first: None,
            zone_time_last: None,
        };
        if seen.insert((rec.rrname.clone(), rec.rrtype, rec.rdata.clone())) {
            out.records.push(rec);
        }
    }
    out
}

fn wire_error(at: usize, message: String) -> ParseError {
    ParseError::new(ParseErrorKind::Syntax, message).at_column(at as u64 + 1)
}

struct RawRecord {
    owner: Name,
    rrtype: u16,
    rdata: String,
}

enum RecordError {
    /// The record is bad but the next one can be found.
    Skip(String),
    /// The section cannot be walked further.
    Fatal(String),
}

fn read_record(dec: &mut BinDecoder<'_>, msg: &[u8]) -> Result<Option<RawRecord>, RecordError> {
    let fatal = |e: &dyn std::fmt::Display| RecordError::Fatal(e.to_string());
    let owner = Name::read(dec).map_err(|e| fatal(&e))?;
    let rrtype = dec.read_u16().map_err(|e| fatal(&e))?.unverified();
    let class = dec.read_u16().map_err(|e| fatal(&e))?.unverified();
    let _ttl = dec.read_u32().map_err(|e| fatal(&e))?.unverified();
    let rdlen = dec.read_u16().map_err(|e| fatal(&e))?.unverified();
    let start = dec.index();
    let end = start + rdlen as usize;
    if end > msg.len() {
        return Err(RecordError::Fatal(format!(
            "rdata of {rdlen} bytes runs past the end of the message"
        )));
    }
    dec.read_slice(rdlen as usize).map_err(|e| fatal(&e))?;
    // OPT and other meta types carry no data worth keeping; CH/HS are not
    // Internet data.
    if class != CLASS_IN || rrtype == 41 || (128..=255).contains(&rrtype) {
        return Ok(None);
    }
    let rdata = render_rdata(msg, start, rdlen, rrtype).map_err(RecordError::Skip)?;
    Ok(Some(RawRecord {
        owner,
        rrtype,
        rdata,
    }))
}

/// Presentation form of the rdata at `msg[start..start + len]`.
fn render_rdata(msg: &[u8], start: usize, len: u16, rrtype: u16) -> Result<String, String> {
    let raw = &msg[start..start + len as usize];
    let mut d = BinDecoder::new(msg);
    d.read_slice(start).map_err(|e| e.to_string())?;
    if rrtype == RR_DNAME {
        // Not modelled by the decoder: one uncompressed name (RFC 6672).
        let n = Name::read(&mut d).map_err(|e| format!("bad dname rdata: {e}"))?;
        if d.index() != start + len as usize {
            return Err("dname rdata length does not match its name".to_string());
        }
        return Ok(name_text(&n));
    }
    let structured = matches!(
        rrtype,
        RR_A | RR_AAAA | RR_NS | RR_CNAME | RR_PTR | RR_MX | RR_SOA | RR_SRV | super::RR_TXT
    );
    match RData::read(&mut d, RecordType::from(rrtype), Restrict::new(len)) {
        Ok(rd) => Ok(present(&rd).unwrap_or_else(|| generic_rdata(raw))),
        Err(e) if structured => Err(format!("bad {} rdata: {e}", RecordType::from(rrtype))),
        Err(_) => Ok(generic_rdata(raw)),
    }
}

/// Presentation form for the types Scry normalises; `None` means "use the
/// RFC 3597 form".
fn present(rd: &RData) -> Option<String> {
    Some(match rd {
        RData::A(a) => a.0.to_string(),
        RData::AAAA(a) => a.0.to_string(),
        RData::NS(n) => name_text(&n.0),
        RData::CNAME(n) => name_text(&n.0),
        RData::PTR(n) => name_text(&n.0),
        RData::MX(mx) => format!("{} {}", mx.preference(), name_text(mx.exchange())),
        RData::SOA(soa) => format!(
            "{} {} {} {} {} {} {}",
            name_text(soa.mname()),
            name_text(soa.rname()),
            soa.serial(),
            soa.refresh(),
            soa.retry(),
            soa.expire(),
            soa.minimum()
        ),
        RData::SRV(s) => format!(
            "{} {} {} {}",
            s.priority(),
            s.weight(),
            s.port(),
            name_text(s.target())
        ),
        RData::TXT(t) => {
            let mut out = String::new();
            for (i, s) in t.txt_data().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                quoted(&mut out, s);
            }
            if out.is_empty() {
                return None;
            }
            out
        }
        RData::Unknown { .. } | RData::NULL(_) | RData::OPT(_) | RData::Update0(_) => {
            return None;
        }
        other => {
            let s = other.to_string();
            if s.trim().is_empty() {
                return None;
            }
            s
        }
    })
}

/// RFC 3597 §5 generic rdata: `\# <length> <hex>`.
pub(crate) fn generic_rdata(raw: &[u8]) -> String {
    let mut s = String::with_capacity(8 + raw.len() * 2);
    let _ = write!(s, "\\# {}", raw.len());
    if !raw.is_empty() {
        s.push(' ');
        for b in raw {
            let _ = write!(s, "{b:02x}");
        }
    }
    s
}

/// A character string in quotes, with `"` and `\` escaped and bytes outside
/// printable ASCII as `\DDD`.
fn quoted(out: &mut String, s: &[u8]) {
    out.push('"');
    for &b in s {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
    out.push('"');
}

/// Normal form of a wire name: labels lower-cased, special characters
/// escaped as in RFC 1035 §5.1, no trailing dot; the root is `.`.
pub(crate) fn name_text(n: &Name) -> String {
    let mut out = String::new();
    for (i, label) in n.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        label_text(&mut out, label);
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

fn label_text(out: &mut String, label: &[u8]) {
    for &b in label {
        match b {
            b'.' | b'\\' | b'"' | b'(' | b')' | b';' | b'@' | b'$' => {
                out.push('\\');
                out.push(b as char);
            }
            0x21..=0x7e => out.push(b.to_ascii_lowercase() as char),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
}

/// Decodes an uncompressed wire-format name (dnstap's `query_zone`) into
/// its normal form.
pub fn decode_name(wire: &[u8]) -> Result<String, ParseError> {
    let mut d = BinDecoder::new(wire);
    let n = Name::read(&mut d)
        .map_err(|e| ParseError::new(ParseErrorKind::Syntax, format!("bad wire name: {e}")))?;
    if d.index() != wire.len() {
        return Err(ParseError::new(
            ParseErrorKind::Syntax,
            "bytes after the wire name",
        ));
    }
    Ok(name_text(&n))
}
