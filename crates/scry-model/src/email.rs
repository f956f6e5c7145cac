//! E-mail addresses: normalised, with the domain part split off.

use std::fmt;

use crate::error::ModelError;
use crate::name::DomainName;

/// A normalised e-mail address: local part as given (trimmed; lower-cased,
/// since real registries treat it case-insensitively), domain normalised by
/// [`DomainName`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email {
    local: String,
    domain: DomainName,
}

impl Email {
    /// Parses `local@domain`, also in `mailto:` and `<...>` wrappers.
    pub fn parse(s: &str) -> Result<Email, ModelError> {
        let bad = |reason: &str| ModelError::Email {
            input: s.to_string(),
            reason: reason.to_string(),
        };
        let mut t = s.trim();
        if let Some(x) = t.strip_prefix("mailto:") {
            t = x;
        }
        if let Some(x) = t.strip_prefix('<').and_then(|x| x.strip_suffix('>')) {
            t = x.trim();
        }
        if t.len() > 320 {
            return Err(bad("longer than 320 octets"));
        }
        let (local, domain) = t.rsplit_once('@').ok_or_else(|| bad("no @"))?;
        if local.is_empty() {
            return Err(bad("empty local part"));
        }
        if local.len() > 64 {
            return Err(bad("local part longer than 64 octets"));
        }
        if local
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
        {
            return Err(bad("invalid character in local part"));
        }
        let domain = DomainName::parse(domain).map_err(|e| bad(&e.to_string()))?;
        Ok(Email {
            local: local.to_lowercase(),
            domain,
        })
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
