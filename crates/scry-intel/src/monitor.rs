//! Monitors and alerts.
//!
//! A monitor watches the store's event log with its own cursor: each event
//! is examined once per monitor, and re-running never duplicates an alert
//! (one alert per monitor and domain). Kinds:
//! * `brand`: new names (zone additions, first sightings in passive DNS,
//!   first registration records) that imitate a brand, through the
//!   look-alike matcher (technique and similarity in the alert);
//! * `nameserver`: domains added or re-delegated to a watched name server
//!   (a host, or every host under a domain);
//! * `registrant`: registration records (new or changed) whose registrant
//!   e-mail, name or organisation equals a watched term;
//! * `ip`: new names resolving into a watched address or prefix.
//!
//! Monitors and alerts live in the state store; alert state changes keep
//! their history (who, when) and move along
//! `new → watched | ignored → blocked | takedown-requested | taken-down`.

use serde::{Deserialize, Serialize};

use scry_lookalike::{Brand, Matcher, MatcherOptions};
use scry_model::{DomainName, Entity, IpNet, Predicate, Timestamp, format_time};
use scry_store::{Event, FactQuery, StateStore, Store, SubjectSel, TimeFence};

use crate::error::{IntelError, Result};

mod substring;
#[cfg(test)]
mod tests;

use substring::SubstringMatcher;

/// What a monitor watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonitorKind {
    /// Look-alikes of brand domains.
    Brand,
    /// Domains delegated to name servers.
    Nameserver,
    /// Domains registered by a registrant.
    Registrant,
    /// Names resolving into addresses.
    Ip,
}

impl MonitorKind {
    /// Parses `brand`, `nameserver`, `registrant`, `ip`.
    pub fn parse(s: &str) -> Result<MonitorKind> {
        Ok(match s {
            "brand" => MonitorKind::Brand,
            "nameserver" | "ns" => MonitorKind::Nameserver,
            "registrant" => MonitorKind::Registrant,
            "ip" => MonitorKind::Ip,
            _ => {
                return Err(IntelError::InvalidValue {
                    field: "kind".into(),
                    reason: format!("{s:?}: expected brand, nameserver, registrant or ip"),
                });
            }
        })
    }
}

/// A monitor (stored as JSON in the state store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitor {
    /// Stable id.
    pub id: u64,
    /// Kind.
    pub kind: MonitorKind,
    /// A name for people.
    pub name: String,
    /// What to watch: brand domains, name servers, registrant terms, IPs/prefixes.
    pub terms: Vec<String>,
    /// Terms whose matches are not alerts (brand monitors).
    pub exclusions: Vec<String>,
    /// Brand monitors: also match the brand and its look-alike variations
    /// inside longer labels (Iris Detect's `match_substring_variations`).
    #[serde(default)]
    pub match_substring_variations: bool,
    /// When it was created.
    pub created: String,
}

/// One state change of an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateChange {
    /// The new state.
    pub state: String,
    /// Who made the change.
    pub who: String,
    /// When.
    pub when: String,
    /// Why, if given.
    pub note: Option<String>,
}

/// An alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable id.
    pub id: u64,
    /// The monitor that raised it.
    pub monitor: u64,
    /// The domain.
    pub domain: String,
    /// Why: the technique(s) or the matched value.
    pub reason: String,
    /// Look-alike similarity 0-100 (brand monitors).
    pub similarity: Option<u8>,
    /// The event that raised it.
    pub event_seq: u64,
    /// The event's time.
    pub event_time: String,
    /// Current state.
    pub state: String,
    /// Every state change, oldest first.
    pub history: Vec<StateChange>,
    /// The domain's risk when the alert was raised (absent on alerts
    /// stored before risk scores existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<AlertRisk>,
}

/// The risk score attached to an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRisk {
    /// 0-100.
    pub score: u8,
    /// `full` or `provisional`.
    pub status: String,
    /// Threat types at or above 50.
    pub threats: Vec<String>,
    /// The components.
    pub components: Vec<crate::risk::Component>,
}

/// Alert states.
pub const STATES: &[&str] = &[
    "new",
    "watched",
    "ignored",
    "blocked",
    "takedown-requested",
    "taken-down",
];

fn json_err(e: serde_json::Error) -> IntelError {
    IntelError::InvalidValue {
        field: "state".into(),
        reason: format!("damaged monitor state: {e}"),
    }
}

fn next_id(state: &StateStore, counter: &str) -> Result<u64> {
    let n = state
        .get(counter)?
        .and_then(|v| {
            v.get(..8)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes)
        })
        .unwrap_or(0)
        + 1;
    state.put(counter, &n.to_be_bytes())?;
    Ok(n)
}

/// Adds a monitor after checking its terms.
pub fn add_monitor(
    state: &StateStore,
    kind: MonitorKind,
    name: &str,
    terms: &[String],
    exclusions: &[String],
    match_substring_variations: bool,
    now: Timestamp,
) -> Result<Monitor> {
    if match_substring_variations && kind != MonitorKind::Brand {
        return Err(IntelError::InvalidValue {
            field: "match_substring_variations".into(),
            reason: "only brand monitors match substring variations".into(),
        });
    }
    if terms.is_empty() {
        return Err(IntelError::InvalidValue {
            field: "term".into(),
            reason: "a monitor needs at least one --term".into(),
        });
    }
    let bad = |t: &str, e: String| IntelError::InvalidValue {
        field: "term".into(),
        reason: format!("{t:?}: {e}"),
    };
    let mut norm = Vec::new();
    for t in terms {
        norm.push(match kind {
            MonitorKind::Brand | MonitorKind::Nameserver => DomainName::parse(t)
                .map_err(|e| bad(t, e.to_string()))?
                .ascii()
                .to_string(),
            MonitorKind::Ip => IpNet::parse(t)
                .map_err(|e| bad(t, e.to_string()))?
                .to_string(),
            MonitorKind::Registrant => t.trim().to_lowercase(),
        });
    }
    let m = Monitor {
        id: next_id(state, "monitor_seq")?,
        kind,
        name: name.to_string(),
        terms: norm,
        exclusions: exclusions.to_vec(),
        match_substring_variations,
        created: format_time(now),
    };
    state.put(
        &format!("monitor:{:012}", m.id),
        &serde_json::to_vec(&m).map_err(json_err)?,
    )?;
    Ok(m)
}

/// Every monitor.
pub fn monitors(state: &StateStore) -> Result<Vec<Monitor>> {
    state
        .scan("monitor:")?
        .into_iter()
        .map(|(_, v)| serde_json::from_slice(&v).map_err(json_err))
        .collect()
}

/// Removes a monitor (its alerts stay).
pub fn remove_monitor(state: &StateStore, id: u64) -> Result<bool> {
    let key = format!("monitor:{id:012}");
    if state.get(&key)?.is_none() {
        return Ok(false);
    }
    state.delete(&key)?;
    Ok(true)
}

/// The domains an event introduces, with a reason prefix.
fn event_domains(e: &Event) -> Option<&str> {
    match e.kind.as_str() {
        "domain_added" | "domain_redelegated" | "pdns_first_seen" | "cert_first_seen"
        | "whois_new" | "whois_changed" => Some(e.subject.as_str()),
        _ => None,
    }
}

/// What a monitor run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    /// Monitors run.
    pub monitors: u64,
    /// Events examined (summed over monitors).
    pub events: u64,
    /// New alerts.
    pub alerts: u64,
}

/// Runs every monitor over the events after its cursor.
pub fn run_monitors(store: &dyn Store, state: &StateStore, now: Timestamp) -> Result<RunSummary> {
    let scorer = crate::risk::builtin_scorer();
    let risk_engine = crate::risk::RiskEngine::new(store, state, &scorer);
    let mut summary = RunSummary::default();
    for m in monitors(state)? {
        summary.monitors += 1;
        let reader = format!("monitor:{}", m.id);
        let matcher = match m.kind {
            MonitorKind::Brand => Some(
                Matcher::new(
                    &m.terms.iter().map(Brand::new).collect::<Vec<_>>(),
                    &MatcherOptions {
                        exclusions: m.exclusions.clone(),
                        ..MatcherOptions::default()
                    },
                )
                .map_err(|e| IntelError::InvalidValue {
                    field: "term".into(),
                    reason: e.to_string(),
                })?,
            ),
            _ => None,
        };
        let substrings = (m.kind == MonitorKind::Brand && m.match_substring_variations)
            .then(|| SubstringMatcher::new(&m.terms, &m.exclusions));
        let nets: Vec<IpNet> = m
            .terms
            .iter()
            .filter_map(|t| IpNet::parse(t).ok())
            .collect();
        let mut cursor = state.cursor(&reader)?;
        loop {
            let events = store.events(cursor, 5_000)?;
            let Some(last) = events.last().map(|e| e.seq) else {
                break;
            };
            let mut puts = Vec::new();
            for e in &events {
                summary.events += 1;
                let Some(domain) = event_domains(e) else {
                    continue;
                };
                let hit: Option<(String, Option<u8>)> = match m.kind {
                    MonitorKind::Brand => {
                        if matches!(
                            e.kind.as_str(),
                            "domain_added" | "pdns_first_seen" | "cert_first_seen" | "whois_new"
                        ) {
                            matcher
                                .as_ref()
                                .and_then(|mm| mm.match_domain(domain).into_iter().next())
                                .map(|x| {
                                    (
                                        format!(
                                            "imitates {} ({})",
                                            x.brand,
                                            x.techniques
                                                .iter()
                                                .map(|t| t.as_str())
                                                .collect::<Vec<_>>()
                                                .join(",")
                                        ),
                                        Some(x.similarity),
                                    )
                                })
                                .or_else(|| {
                                    substrings.as_ref().and_then(|s| {
                                        s.find(domain).map(|h| (h.reason, Some(h.similarity)))
                                    })
                                })
                        } else {
                            None
                        }
                    }
                    MonitorKind::Nameserver => e.data.get("ns_new").and_then(|ns| {
                        ns.split(',').find_map(|h| {
                            m.terms
                                .iter()
                                .find(|t| h == t.as_str() || h.ends_with(&format!(".{t}")))
                                .map(|t| (format!("name server {h} (watching {t})"), None))
                        })
                    }),
                    MonitorKind::Registrant => [
                        "registrant.email_new",
                        "registrant.org_new",
                        "registrant.name_new",
                    ]
                    .iter()
                    .find_map(|k| {
                        e.data.get(*k).and_then(|v| {
                            let v = v.trim().to_lowercase();
                            m.terms.contains(&v).then(|| (format!("{k}: {v}"), None))
                        })
                    }),
                    MonitorKind::Ip => {
                        if matches!(
                            e.kind.as_str(),
                            "domain_added" | "pdns_first_seen" | "cert_first_seen"
                        ) {
                            ip_hit(store, domain, &nets)?
                        } else {
                            None
                        }
                    }
                };
                let Some((mut reason, similarity)) = hit else {
                    continue;
                };
                // One alert per registrable domain: www.x and x are one finding.
                let host = domain;
                let domain = DomainName::parse(host)
                    .map(|d| d.registrable_or_self().to_string())
                    .unwrap_or_else(|_| host.to_string());
                if domain != host {
                    reason = format!("{reason} [{host}]");
                }
                let idx = format!("alert_idx:{}:{domain}", m.id);
                if state.get(&idx)?.is_some()
                    || puts.iter().any(|(k, _): &(String, Vec<u8>)| *k == idx)
                {
                    continue;
                }
                let id = next_id(state, "alert_seq")?;
                let risk = risk_engine.score(&domain).ok().map(|r| AlertRisk {
                    score: r.risk,
                    status: r.status,
                    threats: r.threats,
                    components: r.components,
                });
                let a = Alert {
                    id,
                    monitor: m.id,
                    domain,
                    reason,
                    similarity,
                    event_seq: e.seq,
                    event_time: format_time(e.time),
                    state: "new".into(),
                    history: vec![StateChange {
                        state: "new".into(),
                        who: "monitor".into(),
                        when: format_time(now),
                        note: None,
                    }],
                    risk,
                };
                puts.push((
                    format!("alert:{id:012}"),
                    serde_json::to_vec(&a).map_err(json_err)?,
                ));
                puts.push((idx, id.to_be_bytes().to_vec()));
                summary.alerts += 1;
            }
            // Alerts and the cursor move together: a crash re-examines the
            // batch, and the per-domain index keeps alerts single.
            state.commit(&puts, Some((&reader, last)))?;
            cursor = last;
        }
    }
    Ok(summary)
}

fn ip_hit(store: &dyn Store, domain: &str, nets: &[IpNet]) -> Result<Option<(String, Option<u8>)>> {
    let Ok(d) = DomainName::parse(domain) else {
        return Ok(None);
    };
    let page = store.facts(&FactQuery {
        subject: SubjectSel::Exact(Entity::Domain(d)),
        predicates: vec![Predicate::IP],
        fence: TimeFence::default(),
        limit: 1000,
    })?;
    for f in page.facts {
        if let Entity::Ip(ip) = &f.object
            && let Some(n) = nets.iter().find(|n| n.contains(ip))
        {
            return Ok(Some((format!("resolves to {ip} (in {n})"), None)));
        }
    }
    Ok(None)
}

/// Alerts, optionally only those in `state`, oldest first.
pub fn alerts(state: &StateStore, only: Option<&str>) -> Result<Vec<Alert>> {
    let mut out = Vec::new();
    for (_, v) in state.scan("alert:")? {
        let a: Alert = serde_json::from_slice(&v).map_err(json_err)?;
        if only.is_none_or(|s| a.state == s) {
            out.push(a);
        }
    }
    Ok(out)
}

/// One alert.
pub fn alert(state: &StateStore, id: u64) -> Result<Option<Alert>> {
    state
        .get(&format!("alert:{id:012}"))?
        .map(|v| serde_json::from_slice(&v).map_err(json_err))
        .transpose()
}

/// Moves an alert to a new state, recording who and when.
pub fn set_state(
    state: &StateStore,
    id: u64,
    new_state: &str,
    who: &str,
    note: Option<&str>,
    now: Timestamp,
) -> Result<Alert> {
    if !STATES.contains(&new_state) || new_state == "new" {
        return Err(IntelError::InvalidValue {
            field: "state".into(),
            reason: format!("{new_state:?}: expected one of {}", STATES[1..].join(", ")),
        });
    }
    let key = format!("alert:{id:012}");
    let Some(v) = state.get(&key)? else {
        return Err(IntelError::InvalidValue {
            field: "id".into(),
            reason: format!("no alert {id}"),
        });
    };
    let mut a: Alert = serde_json::from_slice(&v).map_err(json_err)?;
    a.state = new_state.to_string();
    a.history.push(StateChange {
        state: new_state.to_string(),
        who: who.to_string(),
        when: format_time(now),
        note: note.map(str::to_string),
    });
    state.put(&key, &serde_json::to_vec(&a).map_err(json_err)?)?;
    Ok(a)
}

/// One monitor's part of a digest.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DigestMonitor {
    /// Monitor id.
    pub id: u64,
    /// Monitor name.
    pub name: String,
    /// Alerts raised that day.
    pub alerts: Vec<Alert>,
}

/// The five-minute morning review (`scry alerts digest`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Digest {
    /// The day (YYYY-MM-DD).
    pub date: String,
    /// Alerts raised that day.
    pub raised: u64,
    /// Alerts still in state `new`, whatever their day.
    pub open_total: u64,
    /// By monitor, riskiest first, then highest similarity.
    pub monitors: Vec<DigestMonitor>,
}

/// Alerts raised on the UTC day starting at `day`, grouped by monitor.
pub fn digest(state: &StateStore, day: Timestamp) -> Result<Digest> {
    let date = format_time(day).get(..10).unwrap_or_default().to_string();
    let all = alerts(state, None)?;
    let names: std::collections::BTreeMap<u64, String> = monitors(state)?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let mut by: std::collections::BTreeMap<u64, Vec<Alert>> = std::collections::BTreeMap::new();
    let mut raised = 0;
    for a in &all {
        let created = a
            .history
            .first()
            .map(|h| h.when.as_str())
            .unwrap_or_default();
        if created.starts_with(&date) {
            raised += 1;
            by.entry(a.monitor).or_default().push(a.clone());
        }
    }
    let monitors = by
        .into_iter()
        .map(|(id, mut alerts)| {
            // Riskiest first, then the closest imitations.
            alerts.sort_by(|a, b| {
                let r = |x: &Alert| x.risk.as_ref().map(|r| r.score);
                r(b).cmp(&r(a))
                    .then_with(|| b.similarity.cmp(&a.similarity))
                    .then_with(|| a.domain.cmp(&b.domain))
            });
            DigestMonitor {
                id,
                name: names
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| format!("monitor {id} (removed)")),
                alerts,
            }
        })
        .collect();
    Ok(Digest {
        date,
        raised,
        open_total: all.iter().filter(|a| a.state == "new").count() as u64,
        monitors,
    })
}
