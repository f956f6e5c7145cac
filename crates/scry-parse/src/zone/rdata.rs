//! Record types and RDATA in presentation format.
//!
//! Types that Scry reads (A, AAAA, NS, CNAME, PTR, DNAME, MX, SOA, DS, TXT)
//! become typed [`Rdata`] variants; the other known types are checked field
//! by field against a small schema (RFC 1035, 2782, 3403, 4034, 5155, 6698,
//! 6844, 7477, 8976 ...) and kept as canonical presentation text; unknown
//! types must use the RFC 3597 `\# length hex` form.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::lexer::{Block, Tok};
use super::text::{
    Origin, parse_char_string, parse_name, parse_ttl, parse_u32, push_name, push_quoted,
    push_verbatim,
};

/// Record type numbers (IANA "Resource Record (RR) TYPEs").
pub mod rtype {
    /// IPv4 address.
    pub const A: u16 = 1;
    /// Name server.
    pub const NS: u16 = 2;
    /// Canonical name.
    pub const CNAME: u16 = 5;
    /// Start of authority.
    pub const SOA: u16 = 6;
    /// Pointer.
    pub const PTR: u16 = 12;
    /// Host information.
    pub const HINFO: u16 = 13;
    /// Mail exchange.
    pub const MX: u16 = 15;
    /// Text.
    pub const TXT: u16 = 16;
    /// IPv6 address.
    pub const AAAA: u16 = 28;
    /// Service locator.
    pub const SRV: u16 = 33;
    /// Delegation name.
    pub const DNAME: u16 = 39;
    /// Delegation signer.
    pub const DS: u16 = 43;
    /// DNSSEC signature.
    pub const RRSIG: u16 = 46;
    /// Next secure.
    pub const NSEC: u16 = 47;
    /// DNSSEC key.
    pub const DNSKEY: u16 = 48;
    /// Hashed next secure.
    pub const NSEC3: u16 = 50;
    /// NSEC3 parameters.
    pub const NSEC3PARAM: u16 = 51;
    /// TLS association.
    pub const TLSA: u16 = 52;
    /// Certification authority authorisation.
    pub const CAA: u16 = 257;
}

/// Class numbers.
pub mod class {
    /// Internet.
    pub const IN: u16 = 1;
    /// CSNET (obsolete).
    pub const CS: u16 = 2;
    /// Chaos.
    pub const CH: u16 = 3;
    /// Hesiod.
    pub const HS: u16 = 4;
}

/// The RDATA of an SOA record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Soa {
    /// Primary name server.
    pub mname: String,
    /// Responsible mailbox, as a name.
    pub rname: String,
    /// Serial number.
    pub serial: u32,
    /// Refresh interval, seconds.
    pub refresh: u32,
    /// Retry interval, seconds.
    pub retry: u32,
    /// Expire time, seconds.
    pub expire: u32,
    /// Minimum / negative-caching TTL, seconds.
    pub minimum: u32,
}

/// The RDATA of one record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rdata {
    /// A: an IPv4 address.
    A(Ipv4Addr),
    /// AAAA: an IPv6 address.
    Aaaa(Ipv6Addr),
    /// NS: the name server's name (canonical, no trailing dot).
    Ns(String),
    /// CNAME: the target name.
    Cname(String),
    /// PTR: the target name.
    Ptr(String),
    /// DNAME: the target name.
    Dname(String),
    /// MX: preference and mail exchange host.
    Mx {
        /// Preference (lower is preferred).
        preference: u16,
        /// The exchange's name.
        exchange: String,
    },
    /// SOA: the start of authority (boxed: one per zone, and the other
    /// variants, which fill a zone, stay small).
    Soa(Box<Soa>),
    /// DS: delegation signer.
    Ds {
        /// Key tag.
        key_tag: u16,
        /// DNSSEC algorithm number.
        algorithm: u8,
        /// Digest type number.
        digest_type: u8,
        /// Digest, upper-case hex.
        digest: String,
    },
    /// TXT: one or more character-strings (raw bytes, escapes decoded).
    Txt(Vec<Vec<u8>>),
    /// Any other known type: canonical presentation text (names absolute
    /// with a trailing dot, numbers in decimal, hex upper case, base64 in one
    /// piece, character-strings quoted).
    Text(String),
    /// RFC 3597 generic form (`\# length hex`): the raw RDATA bytes.
    Raw(Vec<u8>),
}

impl fmt::Display for Rdata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |f: &mut fmt::Formatter<'_>, n: &str| write!(f, "{n}.");
        match self {
            Rdata::A(a) => write!(f, "{a}"),
            Rdata::Aaaa(a) => write!(f, "{a}"),
            Rdata::Ns(n) | Rdata::Cname(n) | Rdata::Ptr(n) | Rdata::Dname(n) => name(f, n),
            Rdata::Mx {
                preference,
                exchange,
            } => {
                write!(f, "{preference} ")?;
                name(f, exchange)
            }
            Rdata::Soa(soa) => {
                let Soa {
                    mname,
                    rname,
                    serial,
                    refresh,
                    retry,
                    expire,
                    minimum,
                } = &**soa;
                name(f, mname)?;
                f.write_str(" ")?;
                name(f, rname)?;
                write!(f, " {serial} {refresh} {retry} {expire} {minimum}")
            }
            Rdata::Ds {
                key_tag,
                algorithm,
                digest_type,
                digest,
            } => write!(f, "{key_tag} {algorithm} {digest_type} {digest}"),
            Rdata::Txt(strings) => {
                let mut s = String::new();
                for (i, t) in strings.iter().enumerate() {
                    if i > 0 {
                        s.push(' ');
                    }
                    push_quoted(&mut s, t);
                }
                f.write_str(&s)
            }
            Rdata::Text(t) => f.write_str(t),
            Rdata::Raw(bytes) => {
                write!(f, "\\# {}", bytes.len())?;
                if !bytes.is_empty() {
                    f.write_str(" ")?;
                    for b in bytes {
                        write!(f, "{b:02X}")?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// How one RDATA field is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum F {
    Name,
    U8,
    U16,
    U32,
    /// A TTL-like duration (units allowed), written in seconds.
    Ttl,
    /// RRSIG time: `YYYYMMDDHHmmSS` or seconds since the epoch.
    Time,
    /// A record type mnemonic.
    Type,
    /// One character-string.
    CharStr,
    /// A single token kept as is (mnemonics, tags).
    Word,
    Ipv4,
    /// NSEC3 salt: `-` or hex.
    Salt,
    /// NSEC3 next hashed owner: base32hex.
    Base32,
    /// The remaining tokens: one or more character-strings.
    CharStrsRest,
    /// The remaining tokens: base64, concatenated.
    Base64Rest,
    /// The remaining tokens: hex, concatenated (at least one digit).
    HexRest,
    /// The remaining tokens: zero or more type mnemonics.
    TypesRest,
    /// The remaining tokens verbatim (types with a syntax not modelled).
    Rest,
}

use F::*;

/// Known types: mnemonic, number, RDATA schema.
const TYPES: &[(&str, u16, &[F])] = &[
    ("A", 1, &[Ipv4]),
    ("NS", 2, &[Name]),
    ("MD", 3, &[Name]),
    ("MF", 4, &[Name]),
    ("CNAME", 5, &[Name]),
    ("SOA", 6, &[Name, Name, U32, Ttl, Ttl, Ttl, Ttl]),
    ("MB", 7, &[Name]),
    ("MG", 8, &[Name]),
    ("MR", 9, &[Name]),
    ("NULL", 10, &[Rest]),
    ("WKS", 11, &[Rest]),
    ("PTR", 12, &[Name]),
    ("HINFO", 13, &[CharStr, CharStr]),
    ("MINFO", 14, &[Name, Name]),
    ("MX", 15, &[U16, Name]),
    ("TXT", 16, &[CharStrsRest]),
    ("RP", 17, &[Name, Name]),
    ("AFSDB", 18, &[U16, Name]),
    ("X25", 19, &[CharStr]),
    ("ISDN", 20, &[CharStrsRest]),
    ("RT", 21, &[U16, Name]),
    ("NSAP", 22, &[Rest]),
    (
        "SIG",
        24,
        &[Type, U8, U8, Ttl, Time, Time, U16, Name, Base64Rest],
    ),
    ("KEY", 25, &[U16, U8, U8, Base64Rest]),
    ("PX", 26, &[U16, Name, Name]),
    ("GPOS", 27, &[Rest]),
    ("AAAA", 28, &[Rest]),
    ("LOC", 29, &[Rest]),
    ("NXT", 30, &[Rest]),
    ("SRV", 33, &[U16, U16, U16, Name]),
    ("NAPTR", 35, &[U16, U16, CharStr, CharStr, CharStr, Name]),
    ("KX", 36, &[U16, Name]),
    ("CERT", 37, &[Word, U16, Word, Base64Rest]),
    ("A6", 38, &[Rest]),
    ("DNAME", 39, &[Name]),
    ("APL", 42, &[Rest]),
    ("DS", 43, &[U16, U8, U8, HexRest]),
    ("SSHFP", 44, &[U8, U8, HexRest]),
    ("IPSECKEY", 45, &[Rest]),
    (
        "RRSIG",
        46,
        &[Type, U8, U8, Ttl, Time, Time, U16, Name, Base64Rest],
    ),
    ("NSEC", 47, &[Name, TypesRest]),
    ("DNSKEY", 48, &[U16, U8, U8, Base64Rest]),
    ("DHCID", 49, &[Base64Rest]),
    ("NSEC3", 50, &[U8, U8, U16, Salt, Base32, TypesRest]),
    ("NSEC3PARAM", 51, &[U8, U8, U16, Salt]),
    ("TLSA", 52, &[U8, U8, U8, HexRest]),
    ("SMIMEA", 53, &[U8, U8, U8, HexRest]),
    ("HIP", 55, &[Rest]),
    ("CDS", 59, &[U16, U8, U8, HexRest]),
    ("CDNSKEY", 60, &[U16, U8, U8, Base64Rest]),
    ("OPENPGPKEY", 61, &[Base64Rest]),
    ("CSYNC", 62, &[U32, U16, TypesRest]),
    ("ZONEMD", 63, &[U32, U8, U8, HexRest]),
    ("SVCB", 64, &[Rest]),
    ("HTTPS", 65, &[Rest]),
    ("SPF", 99, &[CharStrsRest]),
    ("NID", 104, &[U16, Word]),
    ("L32", 105, &[U16, Ipv4]),
    ("L64", 106, &[U16, Word]),
    ("LP", 107, &[U16, Name]),
    ("EUI48", 108, &[Word]),
    ("EUI64", 109, &[Word]),
    ("URI", 256, &[U16, U16, CharStr]),
    ("CAA", 257, &[U8, Word, CharStr]),
    ("AVC", 258, &[CharStrsRest]),
    ("DLV", 32769, &[U16, U8, U8, HexRest]),
];

/// The types that fill TLD zones, as TLD zones write them (upper or lower
/// case): a fast path before the TTL / class / type sorting of a record's
/// fields, which [`lookup_type`] does for everything else.
pub(crate) fn quick_type(raw: &[u8]) -> Option<u16> {
    match raw {
        b"NS" | b"ns" => Some(rtype::NS),
        b"A" | b"a" => Some(rtype::A),
        b"AAAA" | b"aaaa" => Some(rtype::AAAA),
        b"DS" | b"ds" => Some(rtype::DS),
        _ => None,
    }
}

/// Looks a type mnemonic (any case) or `TYPEnnn` up.
pub(crate) fn lookup_type(raw: &[u8]) -> Option<u16> {
    if raw.len() > 4 && raw[..4].eq_ignore_ascii_case(b"TYPE") {
        return parse_u32(&raw[4..], u32::from(u16::MAX))
            .ok()
            .map(|v| v as u16);
    }
    TYPES
        .iter()
        .find(|(m, _, _)| m.as_bytes().eq_ignore_ascii_case(raw))
        .map(|(_, n, _)| *n)
}

/// The mnemonic of a type number (`TYPEnnn` for unknown ones).
pub fn type_name(rtype: u16) -> std::borrow::Cow<'static, str> {
    match TYPES.iter().find(|(_, n, _)| *n == rtype) {
        Some((m, _, _)) => std::borrow::Cow::Borrowed(m),
        None => std::borrow::Cow::Owned(format!("TYPE{rtype}")),
    }
}

fn schema(rtype: u16) -> Option<&'static [F]> {
    TYPES
        .iter()
        .find(|(_, n, _)| *n == rtype)
        .map(|(_, _, s)| *s)
}

/// An RDATA error: the token index it is about (or the token count when a
/// field is missing), and a message.
pub(crate) type RdataError = (usize, String);

fn err(i: usize, m: impl Into<String>) -> RdataError {
    (i, m.into())
}

/// Context for parsing one record's RDATA.
pub(crate) struct RdataCx<'a> {
    pub(crate) buf: &'a [u8],
    pub(crate) toks: &'a [Tok],
    pub(crate) origin: Option<&'a Origin>,
    /// The block the tokens point into, for the text of names (`None`:
    /// names take the general path).
    pub(crate) block: Option<&'a Block>,
}

impl RdataCx<'_> {
    fn raw(&self, i: usize) -> &[u8] {
        let t = &self.toks[i];
        &self.buf[t.start as usize..t.end as usize]
    }

    fn word(&self, i: usize, what: &str) -> Result<&[u8], RdataError> {
        match self.toks.get(i) {
            None => Err(err(i, format!("missing {what}"))),
            Some(t) if t.quoted => Err(err(i, format!("expected {what}, found a quoted string"))),
            Some(_) => Ok(self.raw(i)),
        }
    }

    fn name(&self, i: usize, what: &str) -> Result<String, RdataError> {
        let raw = self.word(i, what)?;
        let t = &self.toks[i];
        let text = self
            .block
            .and_then(|b| b.lower_text(t.start as usize, t.end as usize));
        let mut s = String::with_capacity(raw.len() + self.origin.map_or(0, |o| o.text.len() + 1));
        parse_name(raw, text, self.origin, &mut s).map_err(|m| err(i, format!("{what}: {m}")))?;
        Ok(s)
    }

    fn num(&self, i: usize, max: u32, what: &str) -> Result<u32, RdataError> {
        let raw = self.word(i, what)?;
        parse_u32(raw, max).map_err(|m| err(i, format!("{what}: {m}")))
    }

    fn end(&self, i: usize) -> Result<(), RdataError> {
        if i < self.toks.len() {
            return Err(err(i, "unexpected data after the rdata"));
        }
        Ok(())
    }

    /// Parses the RDATA of `rtype` from all tokens.
    pub(crate) fn parse(&self, rtype: u16) -> Result<Rdata, RdataError> {
        if let Some(t) = self.toks.first()
            && !t.quoted
            && self.raw(0) == b"\\#"
        {
            return self.generic(rtype);
        }
        match rtype {
            rtype::A => {
                let raw = self.word(0, "ipv4 address")?;
                let a = parse_ipv4(raw).ok_or_else(|| err(0, "bad ipv4 address"))?;
                self.end(1)?;
                Ok(Rdata::A(a))
            }
            rtype::AAAA => {
                let raw = self.word(0, "ipv6 address")?;
                let a = std::str::from_utf8(raw)
                    .ok()
                    .and_then(|s| s.parse::<Ipv6Addr>().ok())
                    .ok_or_else(|| err(0, "bad ipv6 address"))?;
                self.end(1)?;
                Ok(Rdata::Aaaa(a))
            }
            rtype::NS | rtype::CNAME | rtype::PTR | rtype::DNAME => {
                let n = self.name(0, "target name")?;
                self.end(1)?;
                Ok(match rtype {
                    rtype::NS => Rdata::Ns(n),
                    rtype::CNAME => Rdata::Cname(n),
                    rtype::PTR => Rdata::Ptr(n),
                    _ => Rdata::Dname(n),
                })
            }
            rtype::MX => {
                let preference = self.num(0, 65535, "preference")? as u16;
                let exchange = self.name(1, "exchange")?;
                self.end(2)?;
                Ok(Rdata::Mx {
                    preference,
                    exchange,
                })
            }
            rtype::SOA => {
                let mname = self.name(0, "mname")?;
                let rname = self.name(1, "rname")?;
                let serial = self.num(2, u32::MAX, "serial")?;
                let mut t = [0u32; 4];
                for (k, what) in ["refresh", "retry", "expire", "minimum"].iter().enumerate() {
                    let raw = self.word(3 + k, what)?;
                    t[k] = parse_ttl(raw).map_err(|m| err(3 + k, format!("{what}: {m}")))?;
                }
                self.end(7)?;
                Ok(Rdata::Soa(Box::new(Soa {
                    mname,
                    rname,
                    serial,
                    refresh: t[0],
                    retry: t[1],
                    expire: t[2],
                    minimum: t[3],
                })))
            }
            rtype::DS => {
                let key_tag = self.num(0, 65535, "key tag")? as u16;
                let algorithm = self.num(1, 255, "algorithm")? as u8;
                let digest_type = self.num(2, 255, "digest type")? as u8;
                let mut digest = String::new();
                self.hex_rest(3, &mut digest)?;
                Ok(Rdata::Ds {
                    key_tag,
                    algorithm,
                    digest_type,
                    digest,
                })
            }
            rtype::TXT => {
                let mut strings = Vec::with_capacity(self.toks.len());
                for i in 0..self.toks.len() {
                    let mut s = Vec::new();
                    parse_char_string(self.raw(i), self.toks[i].escaped, &mut s)
                        .map_err(|m| err(i, m))?;
                    strings.push(s);
                }
                if strings.is_empty() {
                    return Err(err(0, "missing character-string"));
                }
                Ok(Rdata::Txt(strings))
            }
            _ => match schema(rtype) {
                Some(s) => self.by_schema(s).map(Rdata::Text),
                None => Err(err(
                    0,
                    format!(
                        "unknown type {} needs rdata in the RFC 3597 form \\# length hex",
                        type_name(rtype)
                    ),
                )),
            },
        }
    }

    /// RFC 3597 section 5: `\# length hex...`. A and AAAA in this form
    /// become their typed variants (RFC 3597 section 5 allows either form).
    fn generic(&self, rtype: u16) -> Result<Rdata, RdataError> {
        let len = self.num(1, 65535, "rdata length")? as usize;
        let mut hex = String::new();
        if len > 0 {
            self.hex_rest(2, &mut hex)?;
        } else {
            self.end(2)?;
        }
        if hex.len() != len * 2 {
            return Err(err(
                1,
                format!("\\# length {len} but {} bytes of hex", hex.len() / 2),
            ));
        }
        let bytes = hex
            .as_bytes()
            .chunks_exact(2)
            .map(|p| (hex_val(p[0]) << 4) | hex_val(p[1]))
            .collect::<Vec<u8>>();
        match rtype {
            rtype::A => <[u8; 4]>::try_from(bytes.as_slice())
                .map(|b| Rdata::A(Ipv4Addr::from(b)))
                .map_err(|_| err(1, "A rdata must be 4 bytes")),
            rtype::AAAA => <[u8; 16]>::try_from(bytes.as_slice())
                .map(|b| Rdata::Aaaa(Ipv6Addr::from(b)))
                .map_err(|_| err(1, "AAAA rdata must be 16 bytes")),
            _ => Ok(Rdata::Raw(bytes)),
        }
    }

    /// Concatenates hex tokens `from..` into `out` (upper case).
    fn hex_rest(&self, from: usize, out: &mut String) -> Result<(), RdataError> {
        if from >= self.toks.len() {
            return Err(err(from, "missing hex data"));
        }
        let start = out.len();
        let len = self.toks[from..]
            .iter()
            .map(|t| (t.end - t.start) as usize)
            .sum();
        out.reserve(len);
        for i in from..self.toks.len() {
            let raw = self.word(i, "hex data")?;
            if !raw.iter().all(u8::is_ascii_hexdigit) {
                return Err(err(i, "bad hex data"));
            }
            // Hex digits are ASCII: copied in one piece, upper-cased in place.
            let hex = std::str::from_utf8(raw).map_err(|_| err(i, "bad hex data"))?;
            let at = out.len();
            out.push_str(hex);
            out[at..].make_ascii_uppercase();
        }
        if !(out.len() - start).is_multiple_of(2) {
            return Err(err(from, "odd number of hex digits"));
        }
        Ok(())
    }

    fn by_schema(&self, schema: &[F]) -> Result<String, RdataError> {
        let len = match (self.toks.first(), self.toks.last()) {
            (Some(a), Some(b)) => (b.end - a.start) as usize,
            _ => 0,
        };
        let mut out = String::with_capacity(len.min(4096) + 16);
        let mut i = 0usize;
        for (k, f) in schema.iter().enumerate() {
            if k > 0 && !matches!(f, TypesRest if i >= self.toks.len()) {
                out.push(' ');
            }
            match f {
                Name => {
                    let n = self.name(i, "name")?;
                    push_name(&mut out, &n);
                    i += 1;
                }
                U8 | U16 | U32 => {
                    let max = match f {
                        U8 => 255,
                        U16 => 65535,
                        _ => u32::MAX,
                    };
                    let v = self.num(i, max, "number")?;
                    out.push_str(&v.to_string());
                    i += 1;
                }
                Ttl => {
                    let raw = self.word(i, "duration")?;
                    let v = parse_ttl(raw).map_err(|m| err(i, m))?;
                    out.push_str(&v.to_string());
                    i += 1;
                }
                Time => {
                    let raw = self.word(i, "signature time")?;
                    let ok = raw.iter().all(u8::is_ascii_digit)
                        && (raw.len() == 14 || parse_u32(raw, u32::MAX).is_ok());
                    if !ok {
                        return Err(err(i, "bad signature time (YYYYMMDDHHmmSS or seconds)"));
                    }
                    push_verbatim(&mut out, raw);
                    i += 1;
                }
                Type => {
                    let raw = self.word(i, "type")?;
                    let t = lookup_type(raw).ok_or_else(|| err(i, "unknown type mnemonic"))?;
                    out.push_str(&type_name(t));
                    i += 1;
                }
                CharStr => {
                    if i >= self.toks.len() {
                        return Err(err(i, "missing character-string"));
                    }
                    let mut s = Vec::new();
                    parse_char_string(self.raw(i), self.toks[i].escaped, &mut s)
                        .map_err(|m| err(i, m))?;
                    push_quoted(&mut out, &s);
                    i += 1;
                }
                Word => {
                    let raw = self.word(i, "field")?;
                    push_verbatim(&mut out, raw);
                    i += 1;
                }
                Ipv4 => {
                    let raw = self.word(i, "ipv4 address")?;
                    let a = parse_ipv4(raw).ok_or_else(|| err(i, "bad ipv4 address"))?;
                    out.push_str(&a.to_string());
                    i += 1;
                }
                Salt => {
                    let raw = self.word(i, "salt")?;
                    if raw != b"-" {
                        if !raw.len().is_multiple_of(2) || !raw.iter().all(u8::is_ascii_hexdigit) {
                            return Err(err(i, "bad salt (- or hex)"));
                        }
                        out.extend(raw.iter().map(|b| char::from(b.to_ascii_uppercase())));
                    } else {
                        out.push('-');
                    }
                    i += 1;
                }
                Base32 => {
                    let raw = self.word(i, "hashed owner name")?;
                    if !raw
                        .iter()
                        .all(|b| matches!(b.to_ascii_uppercase(), b'0'..=b'9' | b'A'..=b'V'))
                    {
                        return Err(err(i, "bad base32hex"));
                    }
                    out.extend(raw.iter().map(|b| char::from(b.to_ascii_uppercase())));
                    i += 1;
                }
                CharStrsRest => {
                    if i >= self.toks.len() {
                        return Err(err(i, "missing character-string"));
                    }
                    let mut s = Vec::new();
                    for j in i..self.toks.len() {
                        s.clear();
                        parse_char_string(self.raw(j), self.toks[j].escaped, &mut s)
                            .map_err(|m| err(j, m))?;
                        if j > i {
                            out.push(' ');
                        }
                        push_quoted(&mut out, &s);
                    }
                    i = self.toks.len();
                }
                Base64Rest => {
                    if i >= self.toks.len() {
                        return Err(err(i, "missing base64 data"));
                    }
                    for j in i..self.toks.len() {
                        let raw = self.word(j, "base64 data")?;
                        if !raw
                            .iter()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
                        {
                            return Err(err(j, "bad base64 data"));
                        }
                        push_verbatim(&mut out, raw);
                    }
                    i = self.toks.len();
                }
                HexRest => {
                    self.hex_rest(i, &mut out)?;
                    i = self.toks.len();
                }
                TypesRest => {
                    for j in i..self.toks.len() {
                        let raw = self.word(j, "type")?;
                        let t = lookup_type(raw).ok_or_else(|| err(j, "unknown type mnemonic"))?;
                        if j > i {
                            out.push(' ');
                        }
                        out.push_str(&type_name(t));
                    }
                    i = self.toks.len();
                }
                Rest => {
                    if i >= self.toks.len() {
                        return Err(err(i, "missing rdata"));
                    }
                    for j in i..self.toks.len() {
                        if j > i {
                            out.push(' ');
                        }
                        if self.toks[j].quoted {
                            let mut s = Vec::new();
                            parse_char_string(self.raw(j), self.toks[j].escaped, &mut s)
                                .map_err(|m| err(j, m))?;
                            push_quoted(&mut out, &s);
                        } else {
                            push_verbatim(&mut out, self.raw(j));
                        }
                    }
                    i = self.toks.len();
                }
            }
        }
        self.end(i)?;
        Ok(out)
    }
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

/// Dotted-quad IPv4 (exactly four decimal parts, no leading `+`).
fn parse_ipv4(raw: &[u8]) -> Option<Ipv4Addr> {
    let mut parts = [0u8; 4];
    let mut n = 0usize;
    for part in raw.split(|&b| b == b'.') {
        if n == 4 || part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let v = part.iter().fold(0u32, |a, &d| a * 10 + u32::from(d - b'0'));
        parts[n] = u8::try_from(v).ok()?;
        n += 1;
    }
    (n == 4).then(|| Ipv4Addr::from(parts))
}
