//! Pivot field names (DomainTools Iris names where one exists) and value
//! normalisation.

use scry_model::{Entity, Predicate};

use crate::error::{IntelError, Result};

/// Short aliases analysts type, mapped to vocabulary names.
const ALIASES: &[(&str, &str)] = &[
    ("ns", "nameserver_host"),
    ("nameserver", "nameserver_host"),
    ("nameserver_domain", "nameserver_host"),
    ("mx", "mailserver_host"),
    ("mailserver", "mailserver_host"),
    ("ip_address", "ip"),
    ("ssl", "ssl_hash"),
    ("ssl_sha256", "ssl_hash"),
    ("email", "registrant_email"),
    ("registrant", "registrant_name"),
    ("org", "registrant_org"),
];

/// Resolves a field name (vocabulary name, alias or rrtype) to a predicate.
pub fn resolve_field(field: &str) -> Result<Predicate> {
    let f = field.trim().to_ascii_lowercase();
    let name = ALIASES
        .iter()
        .find(|(a, _)| *a == f)
        .map_or(f.as_str(), |(_, n)| n);
    Predicate::from_name(name).map_err(|_| IntelError::UnknownField(field.to_string()))
}

/// Normalises a value for a predicate.
pub fn resolve_value(p: Predicate, value: &str) -> Result<Entity> {
    Entity::parse(p.object_kind(), value).map_err(|e| IntelError::InvalidValue {
        field: p.name(),
        reason: e.to_string(),
    })
}
