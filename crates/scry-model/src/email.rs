//! E-mail addresses: normalised, with the domain part split off.

use std::fmt;

use crate::error::ModelError;
use crate::name::{DomainName, NameFlag};

/// A normalised e-mail address: local part trimmed and lower-cased (real
/// registries treat it case-insensitively), domain normalised by
/// [`DomainName`].
///
/// Invariant: `Email::parse(&e.to_string()) == Ok(e)`; the local part is
/// 1..=64 octets without white space, control characters, `<`, `>` or `,`;
/// the domain is not a wildcard.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email {
    local: String,
    domain: DomainName,
}

/// Longest local part, in octets (RFC 5321 §4.5.3.1.1).
const MAX_LOCAL: usize = 64;

impl Email {
    /// Parses `local@domain`, also in `mailto:` and `<...>` wrappers. The
    /// domain is the part after the last `@`.
    pub fn parse(s: &str) -> Result<Email, ModelError> {
        let bad = |reason: &str| ModelError::Email {
            input: s.to_string(),
            reason: reason.to_string(),
        };
        let mut t = s.trim();
        if t.get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("mailto:"))
        {
            t = t[7..].trim_start();
        }
        if let Some(x) = t.strip_prefix('<').and_then(|x| x.strip_suffix('>')) {
            t = x.trim();
        }
        let (local, domain) = t.rsplit_once('@').ok_or_else(|| bad("no @"))?;
        if local.is_empty() {
            return Err(bad("empty local part"));
        }
        // Refuse before lower-casing, which can only grow it threefold.
        if local.len() > 4 * MAX_LOCAL {
            return Err(bad("local part longer than 64 octets"));
        }
        if local
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
        {
            return Err(bad("invalid character in local part"));
        }
        let local = local.to_lowercase();
        if local.len() > MAX_LOCAL {
            return Err(bad("local part longer than 64 octets"));
        }
        let domain = DomainName::parse(domain).map_err(|e| match e {
            ModelError::Name { reason, .. } => bad(&format!("domain: {reason}")),
            other => bad(&other.to_string()),
        })?;
        if domain.has_flag(NameFlag::Wildcard) {
            return Err(bad("domain: a wildcard is not a mail domain"));
        }
        Ok(Email { local, domain })
    }

    /// The local part.
    pub fn local(&self) -> &str {
        &self.local
    }

    /// The domain part.
    pub fn domain(&self) -> &DomainName {
        &self.domain
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain.ascii())
    }
}

#[cfg(test)]
mod tests;
