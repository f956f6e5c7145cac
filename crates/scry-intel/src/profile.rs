//! Domain profiles: everything known about a registrable domain, grouped,
//! with `{value, count}` for every value.

use std::collections::BTreeMap;

use scry_model::{DomainName, Entity, Predicate, format_time};
use scry_store::{FactQuery, Store, SubjectSel, TimeFence};

use crate::error::{IntelError, Result};
use crate::output::{HistorySummary, HostSummary, PivotValue, Profile};

/// Options of a profile.
#[derive(Debug, Clone, Copy)]
pub struct ProfileOptions {
    /// Values held by 2..=guided_max domains are guided pivots.
    pub guided_max: u64,
    /// At most this many facts are read for the host list and history.
    pub fact_limit: usize,
    /// At most this many IPs are enriched with ASN data.
    pub enrich_limit: usize,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions {
            guided_max: 500,
            fact_limit: 10_000,
            enrich_limit: 100,
        }
    }
}

/// ASN, AS organisation and country of an IP.
type IpInfo = (Option<u32>, Option<String>, Option<String>);

/// Builds the profile of `name`'s registrable domain.
pub fn profile(store: &dyn Store, name: &str, opts: &ProfileOptions) -> Result<Profile> {
    let asked = DomainName::parse(name).map_err(|e| IntelError::InvalidValue {
        field: "domain".into(),
        reason: e.to_string(),
    })?;
    let reg = asked.registrable_name();
    let holder = Entity::Domain(reg.clone());
    let holdings = store.holdings(&holder)?;
    let keys: Vec<(Predicate, Entity)> = holdings
        .iter()
        .map(|h| (h.predicate, h.object.clone()))
        .collect();
    let counts = store.value_counts(&keys)?;

    // ASN data for the IPs the domain points at.
    let mut ip_info: BTreeMap<String, IpInfo> = BTreeMap::new();
    for h in holdings
        .iter()
        .filter(|h| matches!(h.object, Entity::Ip(_)))
    {
        if ip_info.len() >= opts.enrich_limit {
            break;
        }
        let key = h.object.to_string();
        if ip_info.contains_key(&key) {
            continue;
        }
        let page = store.facts(&FactQuery {
            subject: SubjectSel::Exact(h.object.clone()),
            predicates: vec![Predicate::ASN, Predicate::ASN_ORG, Predicate::COUNTRY],
            fence: TimeFence::default(),
            limit: 32,
        })?;
        let mut info = (None, None, None);
        let mut newest = [i64::MIN; 3];
        for f in page.facts {
            let slot = match f.predicate {
                p if p == Predicate::ASN => 0,
                p if p == Predicate::ASN_ORG => 1,
                _ => 2,
            };
            if f.window.last_seen < newest[slot] {
                continue;
            }
            newest[slot] = f.window.last_seen;
            match (slot, &f.object) {
                (0, Entity::Asn(a)) => info.0 = Some(*a),
                (1, o) => info.1 = Some(o.to_string()),
                (_, o) => info.2 = Some(o.to_string()),
            }
        }
        ip_info.insert(key, info);
    }

    let mut sections: BTreeMap<String, BTreeMap<String, Vec<PivotValue>>> = BTreeMap::new();
    let mut historic_values = 0;
    for (h, c) in holdings.iter().zip(counts) {
        if !h.current {
            historic_values += 1;
        }
        let value = h.object.to_string();
        let (asn, asn_org, country) = ip_info.get(&value).cloned().unwrap_or_default();
        let pv = PivotValue {
            guided: h.predicate.is_pivot() && c.current >= 2 && c.current <= opts.guided_max,
            count: c.current,
            historic_count: c.historic,
            current: h.current,
            first_seen: format_time(h.window.first_seen),
            last_seen: format_time(h.window.last_seen),
            observations: h.window.count,
            value,
            asn,
            asn_org,
            country,
        };
        sections
            .entry(h.predicate.group().as_str().to_string())
            .or_default()
            .entry(h.predicate.name())
            .or_default()
            .push(pv);
    }
    for fields in sections.values_mut() {
        for values in fields.values_mut() {
            values.sort_by(|a, b| {
                b.current
                    .cmp(&a.current)
                    .then_with(|| b.last_seen.cmp(&a.last_seen))
                    .then_with(|| a.value.cmp(&b.value))
            });
        }
    }

    // Hosts, sources and the overall window: the facts' subjects, windows
    // and sources only (the engine need not decode their values).
    let facts = store.subject_summary(&reg, opts.fact_limit)?;
    let found = !holdings.is_empty() || facts.facts > 0;
    Ok(Profile {
        domain: reg.ascii().to_string(),
        domain_unicode: reg.unicode().to_string(),
        queried: (asked.ascii() != reg.ascii()).then(|| asked.ascii().to_string()),
        suffix: reg.suffix().to_string(),
        flags: asked
            .flags()
            .iter()
            .map(|f| f.as_str().to_string())
            .collect(),
        found,
        guided_max: opts.guided_max,
        sections,
        hosts: facts
            .subjects
            .into_iter()
            .map(|(name, facts)| HostSummary { name, facts })
            .collect(),
        history: HistorySummary {
            first_seen: facts.window.map(|(first, _)| format_time(first)),
            last_seen: facts.window.map(|(_, last)| format_time(last)),
            facts: facts.facts,
            historic_values,
            sources: facts.sources.into_iter().collect(),
            limited: facts.limited,
        },
    })
}
