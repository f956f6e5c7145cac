//! Certificate-transparency entries in certstream's JSON (one
//! `certificate_update` message per line): the names a certificate covers
//! (`leaf_cert.all_domains`, i.e. its SANs), its SHA-256, issuer, subject
//! and validity, and when the log saw it.

use serde::Deserialize;

use scry_model::{DomainName, Entity, Observation, Predicate, Timestamp, Window};

use crate::error::{ParseError, ParseErrorKind};

/// Longest line accepted, in bytes.
pub const MAX_LINE: usize = 1 << 20;
/// Most names kept from one certificate.
pub const MAX_NAMES: usize = 1_000;

/// One certificate seen in a CT log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtEntry {
    /// Every name it covers, lower case (wildcards kept as `*.example.com`).
    pub names: Vec<String>,
    /// SHA-256 of the certificate, lower-case hex.
    pub sha256: Option<String>,
    /// Issuer (organisation and common name).
    pub issuer: Option<String>,
    /// Subject common name.
    pub subject_cn: Option<String>,
    /// Validity start (epoch seconds).
    pub not_before: Option<Timestamp>,
    /// Validity end.
    pub not_after: Option<Timestamp>,
    /// When the log saw it.
    pub seen: Timestamp,
}

#[derive(Deserialize)]
struct Msg {
    message_type: Option<String>,
    data: Option<Data>,
}

#[derive(Deserialize)]
struct Data {
    leaf_cert: Option<Leaf>,
    seen: Option<f64>,
}

#[derive(Deserialize)]
struct Leaf {
    #[serde(default)]
    all_domains: Vec<String>,
    sha256: Option<String>,
    issuer: Option<Name>,
    subject: Option<Name>,
    not_before: Option<i64>,
    not_after: Option<i64>,
}

#[derive(Deserialize)]
struct Name {
    #[serde(rename = "CN")]
    cn: Option<String>,
    #[serde(rename = "O")]
    o: Option<String>,
}

/// Parses one line; `Ok(None)` for messages that are not certificate
/// updates (heartbeats).
pub fn parse_line(line: &[u8]) -> Result<Option<CtEntry>, ParseError> {
    if line.len() > MAX_LINE {
        return Err(ParseError::new(
            ParseErrorKind::TooLarge,
            format!("line is {} bytes", line.len()),
        ));
    }
    let m: Msg = serde_json::from_slice(line).map_err(|e| {
        let kind = if e.is_eof() {
            ParseErrorKind::Truncated
        } else {
            ParseErrorKind::Syntax
        };
        ParseError::new(kind, format!("invalid json: {e}")).at_column(e.column() as u64)
    })?;
    if m.message_type
        .as_deref()
        .is_some_and(|t| t != "certificate_update")
    {
        return Ok(None);
    }
    let data = m
        .data
        .ok_or_else(|| ParseError::new(ParseErrorKind::Syntax, "missing").in_field("data"))?;
    let leaf = data.leaf_cert.ok_or_else(|| {
        ParseError::new(ParseErrorKind::Syntax, "missing").in_field("data.leaf_cert")
    })?;
    let seen = data
        .seen
        .filter(|s| s.is_finite() && *s > 0.0)
        .ok_or_else(|| {
            ParseError::new(ParseErrorKind::Value, "missing or invalid").in_field("data.seen")
        })? as i64;
    let mut names: Vec<String> = leaf
        .all_domains
        .iter()
        .take(MAX_NAMES)
        .map(|n| n.trim().trim_end_matches('.').to_lowercase())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort();
    names.dedup();
    let issuer = leaf.issuer.and_then(|i| match (i.o, i.cn) {
        (Some(o), Some(cn)) => Some(format!("{o} {cn}")),
        (o, cn) => o.or(cn),
    });
    Ok(Some(CtEntry {
        names,
        sha256: leaf.sha256.map(|h| h.to_lowercase()),
        issuer,
        subject_cn: leaf.subject.and_then(|s| s.cn),
        not_before: leaf.not_before,
        not_after: leaf.not_after,
        seen,
    }))
}

impl CtEntry {
    /// Facts: each covered name (wildcards on their base name) gets the
    /// certificate's hash, issuer and subject at the time the log saw it.
    /// Names that cannot be normalised are skipped.
    pub fn to_observations(&self, source: &str, now: Timestamp) -> Vec<Observation> {
        let w = Window {
            first_seen: self.seen,
            last_seen: self.seen,
            count: 1,
        };
        let mut out = Vec::new();
        for n in &self.names {
            let base = n.strip_prefix("*.").unwrap_or(n);
            let Ok(d) = DomainName::parse(base) else {
                continue;
            };
            let subject = Entity::Domain(d);
            let mut push = |p: Predicate, v: &str| {
                if let Ok(o) = Entity::parse(p.object_kind(), v)
                    && let Ok(ob) =
                        Observation::new(subject.clone(), p, o, w, source.to_string(), now)
                {
                    out.push(ob);
                }
            };
            if let Some(h) = &self.sha256 {
                push(Predicate::SSL_HASH, h);
            }
            if let Some(i) = &self.issuer {
                push(Predicate::SSL_ISSUER, i);
            }
            if let Some(s) = &self.subject_cn {
                push(Predicate::SSL_SUBJECT, s);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"data":{"leaf_cert":{"all_domains":["Steelgulf.com","www.steelgulf.com","*.steelgulf.com"],"fingerprint":"90:DC","issuer":{"C":"US","CN":"WE1","O":"Google Trust Services"},"not_after":1775007436,"not_before":1767231437,"sha256":"4C8081A92D2E48C8D283D7092BB2ECCE590E8369E279B9E15E4FE11732EEE082","subject":{"CN":"steelgulf.com"}},"seen":1767234696.5},"message_type":"certificate_update"}"#;

    #[test]
    fn certstream_line() {
        let e = parse_line(LINE.as_bytes()).unwrap().unwrap();
        assert_eq!(
            e.names,
            vec!["*.steelgulf.com", "steelgulf.com", "www.steelgulf.com"]
        );
        assert_eq!(e.issuer.as_deref(), Some("Google Trust Services WE1"));
        assert_eq!(e.seen, 1_767_234_696);
        let obs = e.to_observations("ct", 1_800_000_000);
        // Three names (the wildcard on its base, merged later) × hash, issuer, subject.
        assert_eq!(obs.len(), 9);
        assert!(obs.iter().any(|o| o.predicate == Predicate::SSL_HASH
            && o.object.to_string()
                == "4c8081a92d2e48c8d283d7092bb2ecce590e8369e279b9e15e4fe11732eee082"));
    }

    #[test]
    fn other_messages_and_errors() {
        assert_eq!(
            parse_line(br#"{"message_type":"heartbeat","timestamp":1}"#).unwrap(),
            None
        );
        let e =
            parse_line(br#"{"message_type":"certificate_update","data":{"seen":1}}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("data.leaf_cert"));
        let e = parse_line(br#"{"message_type":"certificate_update","data":{"leaf_cert":{}}}"#)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("data.seen"));
        assert_eq!(
            parse_line(b"{\"data\":").unwrap_err().kind,
            ParseErrorKind::Truncated
        );
    }
}
