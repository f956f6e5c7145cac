//! WHOIS/RDAP history (re-parsed from the stored raw documents, so history
//! improves when the parser does), diffs, and reverse WHOIS.

use std::collections::BTreeSet;

use scry_model::{DomainName, Entity, Predicate, Timestamp, format_time};
use scry_parse::registration::RegistrationRecord;
use scry_store::{PivotQuery, Scope, Store};

use crate::error::{IntelError, Result};
use crate::output::{
    ReverseWhoisResult, WhoisDiff, WhoisHistory, WhoisVersion, reverse_whois_count,
};

fn parse_doc(kind: &str, body: &[u8]) -> Option<RegistrationRecord> {
    match kind {
        "whois" => Some(scry_parse::parse_whois_bytes(body)),
        "rdap" => scry_parse::parse_rdap(body).ok(),
        _ => None,
    }
}

/// A filled-field score: how complete a record is.
fn completeness(r: &RegistrationRecord) -> usize {
    let c = &r.contacts.registrant;
    [
        r.registrar.name.is_some(),
        r.created.is_some(),
        r.expires.is_some(),
        !r.name_servers.is_empty(),
        !r.statuses.is_empty(),
        c.org.is_some(),
        c.email.is_some(),
        c.country.is_some(),
        c.name.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count()
}

/// Every stored WHOIS and RDAP record of the domain, oldest first, with the
/// diff from the previous record of the same kind.
pub fn history(store: &dyn Store, domain: &str) -> Result<WhoisHistory> {
    let d = DomainName::parse(domain).map_err(|e| IntelError::InvalidValue {
        field: "domain".into(),
        reason: e.to_string(),
    })?;
    let reg = d.registrable_name();
    let mut versions = Vec::new();
    for kind in ["whois", "rdap"] {
        for doc in store.documents(&Entity::Domain(reg.clone()), kind)? {
            if let Some(record) = parse_doc(kind, &doc.body) {
                versions.push((doc.time, kind.to_string(), doc.source, record));
            }
        }
    }
    versions.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let mut diffs = Vec::new();
    for kind in ["whois", "rdap"] {
        let of_kind: Vec<&(Timestamp, String, String, RegistrationRecord)> =
            versions.iter().filter(|v| v.1 == kind).collect();
        for w in of_kind.windows(2) {
            let changes = w[1].3.diff(&w[0].3);
            if !changes.is_empty() {
                diffs.push(WhoisDiff {
                    kind: kind.to_string(),
                    from: format_time(w[0].0),
                    to: format_time(w[1].0),
                    changes,
                });
            }
        }
    }
    // Where WHOIS and RDAP exist for nearly the same time (a day), the
    // current record is the more complete one.
    let newest = versions.iter().map(|v| v.0).max();
    let current = newest.and_then(|t| {
        versions
            .iter()
            .filter(|v| t - v.0 <= 86_400)
            .max_by_key(|v| (completeness(&v.3), v.0))
            .map(|v| v.1.clone())
    });
    Ok(WhoisHistory {
        domain: reg.ascii().to_string(),
        current_from: current,
        versions: versions
            .into_iter()
            .map(|(t, kind, source, record)| WhoisVersion {
                time: format_time(t),
                kind,
                source,
                record,
            })
            .collect(),
        diffs,
    })
}

/// Registration fields reverse WHOIS searches by default.
pub const REVERSE_FIELDS: &[Predicate] = &[
    Predicate::REGISTRANT_EMAIL,
    Predicate::REGISTRANT_NAME,
    Predicate::REGISTRANT_ORG,
    Predicate::REGISTRANT_PHONE,
    Predicate::REGISTRANT_STREET,
    Predicate::ADMIN_EMAIL,
    Predicate::ADMIN_NAME,
    Predicate::ADMIN_ORG,
    Predicate::TECH_EMAIL,
    Predicate::TECH_NAME,
    Predicate::TECH_ORG,
    Predicate::BILLING_EMAIL,
];

/// Most domains one term may match.
const MAX_TERM_DOMAINS: usize = 1_000_000;

fn term_domains(
    store: &dyn Store,
    term: &str,
    fields: &[Predicate],
    scope: Scope,
) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for p in fields {
        let Ok(object) = Entity::parse(p.object_kind(), term) else {
            continue;
        };
        let mut after = None;
        loop {
            let page = store.pivot(&PivotQuery {
                predicate: *p,
                object: object.clone(),
                scope,
                after: after.take(),
                limit: 10_000,
            })?;
            out.extend(page.domains.into_iter().map(|(d, _)| d.ascii().to_string()));
            if out.len() > MAX_TERM_DOMAINS {
                return Err(IntelError::TooBroad(format!(
                    "{term:?} matches more than {MAX_TERM_DOMAINS} domains"
                )));
            }
            match page.next_cursor {
                Some(c) => after = Some(c),
                None => break,
            }
        }
    }
    Ok(out)
}

/// Reverse WHOIS: domains whose registration data contains every term (in
/// any of `fields`), exact and case-insensitive, minus those containing an
/// excluded term; `domain_count` gives current and historic matches.
pub fn reverse_whois(
    store: &dyn Store,
    terms: &[String],
    exclude: &[String],
    fields: &[Predicate],
    historic: bool,
    limit: usize,
) -> Result<ReverseWhoisResult> {
    if terms.is_empty() {
        return Err(IntelError::InvalidValue {
            field: "terms".into(),
            reason: "give at least one term".into(),
        });
    }
    let fields = if fields.is_empty() {
        REVERSE_FIELDS
    } else {
        fields
    };
    let matching = |scope: Scope| -> Result<BTreeSet<String>> {
        let mut acc: Option<BTreeSet<String>> = None;
        for t in terms {
            let d = term_domains(store, t, fields, scope)?;
            acc = Some(match acc {
                None => d,
                Some(a) => a.intersection(&d).cloned().collect(),
            });
        }
        let mut acc = acc.unwrap_or_default();
        for x in exclude {
            for d in term_domains(store, x, fields, Scope::All)? {
                acc.remove(&d);
            }
        }
        Ok(acc)
    };
    let current = matching(Scope::Current)?;
    let all = matching(Scope::All)?;
    let historic_only: BTreeSet<String> = all.difference(&current).cloned().collect();
    let list: Vec<String> = if historic {
        all.iter().take(limit).cloned().collect()
    } else {
        current.iter().take(limit).cloned().collect()
    };
    Ok(ReverseWhoisResult {
        terms: terms.to_vec(),
        exclude: exclude.to_vec(),
        fields: fields.iter().map(|p| p.name()).collect(),
        scope: if historic { "historic" } else { "current" }.to_string(),
        domain_count: reverse_whois_count(current.len() as u64, historic_only.len() as u64),
        limited: (if historic { all.len() } else { current.len() }) > limit,
        domains: list,
    })
}
