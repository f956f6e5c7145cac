//! Blocklists from a selection of domains: an RPZ zone (RFC-draft DNS
//! Response Policy Zones, as BIND, Unbound and PowerDNS load them) or a
//! plain list.
//!
//! Every name is normalised (A-labels, lower case) and de-duplicated; a
//! name that does not normalise is an error naming it, never silently
//! dropped. Each domain blocks itself and everything below it.

use std::collections::BTreeSet;

use scry_model::DomainName;

use crate::error::{IntelError, Result};

/// The normalised, sorted, de-duplicated names of a selection.
pub fn normalise(domains: &[String]) -> Result<Vec<String>> {
    let mut out = BTreeSet::new();
    for (i, d) in domains.iter().enumerate() {
        let n = DomainName::parse(d.trim()).map_err(|e| IntelError::InvalidValue {
            field: format!("domains[{i}]"),
            reason: format!("{d:?}: {e}"),
        })?;
        out.insert(n.ascii().to_string());
    }
    Ok(out.into_iter().collect())
}

/// One domain a line.
pub fn plain_list(domains: &[String]) -> Result<String> {
    let mut s = String::new();
    for d in normalise(domains)? {
        s.push_str(&d);
        s.push('\n');
    }
    Ok(s)
}

/// An RPZ zone `origin` blocking every domain and its subdomains with
/// NXDOMAIN (`CNAME .`).
pub fn rpz(domains: &[String], origin: &str, serial: u32) -> Result<String> {
    let origin = DomainName::parse(origin).map_err(|e| IntelError::InvalidValue {
        field: "origin".into(),
        reason: e.to_string(),
    })?;
    let o = origin.ascii();
    let mut s = format!(
        "; Scry blocklist: {n} domains\n$ORIGIN {o}.\n$TTL 300\n@ IN SOA localhost. hostmaster.localhost. ( {serial} 3600 600 86400 300 )\n@ IN NS localhost.\n",
        n = domains.len()
    );
    for d in normalise(domains)? {
        s.push_str(&format!("{d} CNAME .\n*.{d} CNAME .\n"));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_zones() {
        let sel = vec![
            "Evil.Example.".to_string(),
            "evil.example".into(),
            "bücher.example".into(),
        ];
        assert_eq!(
            plain_list(&sel).unwrap(),
            "evil.example\nxn--bcher-kva.example\n"
        );
        let z = rpz(&sel, "rpz.scry", 7).unwrap();
        assert!(z.contains("$ORIGIN rpz.scry."));
        assert!(z.contains("\nevil.example CNAME .\n*.evil.example CNAME .\n"));
        assert!(z.contains("xn--bcher-kva.example CNAME ."));
        let err = plain_list(&["ok.example".into(), "not a name".into()]).unwrap_err();
        assert!(err.to_string().contains("domains[1]"), "{err}");
        assert!(rpz(&sel, "bad origin!", 1).is_err());
    }
}
