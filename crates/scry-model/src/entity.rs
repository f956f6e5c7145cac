//! Entities: the nodes of Scry's graph (subjects and objects of facts).

use std::fmt;

use crate::email::Email;
use crate::error::ModelError;
use crate::ip::Ip;
use crate::name::DomainName;
use crate::time_util::{Timestamp, format_time, parse_time};

/// What kind of thing an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EntityKind {
    /// A domain or host name (name servers and mail servers are names too).
    Domain,
    /// An IPv4 or IPv6 address.
    Ip,
    /// An e-mail address.
    Email,
    /// An autonomous system number.
    Asn,
    /// Free text compared case-insensitively (registrant name, registrar...).
    Text,
    /// A hex digest (certificate SHA-256, analytics IDs...), lower case.
    Hash,
    /// A point in time (creation or expiry dates).
    Time,
}

impl EntityKind {
    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Domain => "domain",
            EntityKind::Ip => "ip",
            EntityKind::Email => "email",
            EntityKind::Asn => "asn",
            EntityKind::Text => "text",
            EntityKind::Hash => "hash",
            EntityKind::Time => "time",
        }
    }
}

/// Longest free-text value kept, in bytes; longer values are cut at a
/// character boundary.
pub const MAX_TEXT: usize = 1024;

/// A normalised entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Entity {
    /// A domain or host name.
    Domain(DomainName),
    /// An IP address.
    Ip(Ip),
    /// An e-mail address.
    Email(Email),
    /// An AS number.
    Asn(u32),
    /// Free text, display form (comparison is case-insensitive: see [`Entity::key_text`]).
    Text(String),
    /// Lower-case hex digest.
    Hash(String),
    /// A time.
    Time(Timestamp),
}

impl Entity {
    /// The entity's kind.
    pub fn kind(&self) -> EntityKind {
        match self {
            Entity::Domain(_) => EntityKind::Domain,
            Entity::Ip(_) => EntityKind::Ip,
            Entity::Email(_) => EntityKind::Email,
            Entity::Asn(_) => EntityKind::Asn,
            Entity::Text(_) => EntityKind::Text,
            Entity::Hash(_) => EntityKind::Hash,
            Entity::Time(_) => EntityKind::Time,
        }
    }

    /// Normalises `value` as an entity of `kind`.
    pub fn parse(kind: EntityKind, value: &str) -> Result<Entity, ModelError> {
        Ok(match kind {
            EntityKind::Domain => Entity::Domain(DomainName::parse(value)?),
            EntityKind::Ip => Entity::Ip(Ip::parse(value)?),
            EntityKind::Email => Entity::Email(Email::parse(value)?),
            EntityKind::Asn => Entity::Asn(parse_asn(value)?),
            EntityKind::Text => {
                Entity::Text(normalise_text(value).ok_or_else(|| ModelError::Object {
                    kind: "text",
                    value: value.to_string(),
                    reason: "empty".to_string(),
                })?)
            }
            EntityKind::Hash => Entity::Hash(parse_hash(value)?),
            EntityKind::Time => Entity::Time(parse_time(value)?),
        })
    }

    /// Normalises a subject given without a kind: an IP address if it parses
    /// as one, an e-mail address if it has an `@`, else a domain name.
    pub fn parse_subject(value: &str) -> Result<Entity, ModelError> {
        if let Ok(ip) = Ip::parse(value) {
            return Ok(Entity::Ip(ip));
        }
        if value.contains('@') {
            return Ok(Entity::Email(Email::parse(value)?));
        }
        Ok(Entity::Domain(DomainName::parse(value)?))
    }

    /// The name, if this is a domain.
    pub fn as_domain(&self) -> Option<&DomainName> {
        match self {
            Entity::Domain(d) => Some(d),
            _ => None,
        }
    }

    /// The text compared for equality: lower-case for free text, the
    /// canonical form for everything else.
    pub fn key_text(&self) -> String {
        match self {
            Entity::Text(t) => t.to_lowercase(),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entity::Domain(d) => f.write_str(d.ascii()),
            Entity::Ip(i) => i.fmt(f),
            Entity::Email(e) => e.fmt(f),
            Entity::Asn(a) => write!(f, "{a}"),
            Entity::Text(t) => f.write_str(t),
            Entity::Hash(h) => f.write_str(h),
            Entity::Time(t) => f.write_str(&format_time(*t)),
        }
    }
}

/// Parses an AS number: `AS13335`, `as13335`, `ASN 13335`, `13335`, or the
/// RFC 5396 "asdot" form `1.10` (= 65546). Decimal digits only: no sign.
pub fn parse_asn(s: &str) -> Result<u32, ModelError> {
    let err = || ModelError::Asn(s.to_string());
    let t = s.trim();
    let t = ["asn", "as"]
        .iter()
        .find_map(|p| {
            t.get(..p.len())
                .filter(|h| h.eq_ignore_ascii_case(p))
                .map(|_| t[p.len()..].trim_start())
        })
        .unwrap_or(t);
    let digits = |d: &str| -> Option<u32> {
        if d.is_empty() || d.len() > 10 || !d.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        d.parse().ok()
    };
    match t.split_once('.') {
        Some((hi, lo)) => {
            let hi = u16::try_from(digits(hi).ok_or_else(err)?).map_err(|_| err())?;
            let lo = u16::try_from(digits(lo).ok_or_else(err)?).map_err(|_| err())?;
            Ok(u32::from(hi) << 16 | u32::from(lo))
        }
        None => digits(t).ok_or_else(err),
    }
}

fn parse_hash(s: &str) -> Result<String, ModelError> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| *c != ':')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if t.is_empty() || t.len() > 128 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ModelError::Object {
            kind: "hash",
            value: s.to_string(),
            reason: "expected hex digits".to_string(),
        });
    }
    Ok(t)
}

/// Trims, drops control characters, collapses runs of white space and cuts
/// at [`MAX_TEXT`] bytes; `None` when nothing is left.
pub fn normalise_text(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len().min(MAX_TEXT));
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c.is_control() {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if out.len() + c.len_utf8() > MAX_TEXT {
            break;
        }
        out.push(c);
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests;
