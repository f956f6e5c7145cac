//! Output types: the one set of shapes that the CLI's `--json` and the REST
//! API both serialise. Only these types derive `Serialize`.

use std::collections::BTreeMap;

use serde::Serialize;

/// A pivotable value as shown in a profile: DomainTools' `{value, count}`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PivotValue {
    /// The value (display form).
    pub value: String,
    /// Registrable domains currently holding it, this one included when it
    /// holds it now: equal to the `total` of the pivot on this value.
    pub count: u64,
    /// Registrable domains that held it before and no longer do.
    pub historic_count: u64,
    /// 2 <= count <= the guided limit: worth pivoting on.
    pub guided: bool,
    /// This domain holds it now (else: held it before).
    pub current: bool,
    /// First observation (RFC 3339).
    pub first_seen: String,
    /// Last observation (RFC 3339).
    pub last_seen: String,
    /// Observations.
    pub observations: u64,
    /// For IPs: the ASN, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asn: Option<u32>,
    /// For IPs: the AS organisation, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asn_org: Option<String>,
    /// For IPs: the country code, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A host name under the domain, with how much is known about it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HostSummary {
    /// The host name.
    pub name: String,
    /// Facts about it.
    pub facts: u64,
}

/// When and by whom the domain was seen.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct HistorySummary {
    /// First observation of anything about the domain.
    pub first_seen: Option<String>,
    /// Last observation.
    pub last_seen: Option<String>,
    /// Facts about the domain and its hosts.
    pub facts: u64,
    /// Values it held before and no longer does.
    pub historic_values: u64,
    /// Sources that saw it.
    pub sources: Vec<String>,
    /// The fact listing was cut at the profile's fact limit.
    pub limited: bool,
}

/// A domain profile (`scry profile`, `GET /api/v1/domains/{domain}`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Profile {
    /// The registrable domain profiled (A-labels).
    pub domain: String,
    /// Its U-label form.
    pub domain_unicode: String,
    /// The name asked for, when it was a host below the domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queried: Option<String>,
    /// Public suffix.
    pub suffix: String,
    /// Normalisation flags.
    pub flags: Vec<String>,
    /// Whether anything is known about it.
    pub found: bool,
    /// The guided-pivot upper bound used.
    pub guided_max: u64,
    /// Sections (`registration`, `name_servers`, `hosting`, `mail`,
    /// `certificates`, `dns`, `lifecycle`), each a map from field name to
    /// values, current values first.
    #[serde(flatten)]
    pub sections: BTreeMap<String, BTreeMap<String, Vec<PivotValue>>>,
    /// Host names seen under the domain.
    pub hosts: Vec<HostSummary>,
    /// History summary.
    pub history: HistorySummary,
}

/// A pivot result (`scry pivot`, `GET /api/v1/pivot`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PivotResult {
    /// The field pivoted on.
    pub field: String,
    /// The normalised value.
    pub value: String,
    /// Registrable domains currently holding it.
    pub total: u64,
    /// Registrable domains that held it before and no longer do.
    pub historic_total: u64,
    /// `current`, `historic` or `all`.
    pub scope: String,
    /// This page of domains.
    pub domains: Vec<String>,
    /// Cursor of the next page, if any.
    pub next_cursor: Option<String>,
}

/// A search result (`scry search`, `POST /api/v1/search`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SearchResult {
    /// The query as parsed (canonical form).
    pub query: String,
    /// Matching registrable domains.
    pub total: u64,
    /// This page.
    pub domains: Vec<String>,
    /// Cursor of the next page, if any.
    pub next_cursor: Option<String>,
}

/// One stored registration record.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WhoisVersion {
    /// Observation time.
    pub time: String,
    /// `whois` or `rdap`.
    pub kind: String,
    /// Where it came from.
    pub source: String,
    /// The record, re-parsed from the stored raw document.
    pub record: scry_parse::registration::RegistrationRecord,
}

/// What changed between two records of the same kind.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WhoisDiff {
    /// `whois` or `rdap`.
    pub kind: String,
    /// Time of the earlier record.
    pub from: String,
    /// Time of the later record.
    pub to: String,
    /// The changed fields.
    pub changes: Vec<scry_parse::registration::FieldChange>,
}

/// A domain's registration history (`scry whois --history`, `GET /whois/{domain}?history=true`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WhoisHistory {
    /// The registrable domain.
    pub domain: String,
    /// Which kind the current view comes from (the more complete of WHOIS
    /// and RDAP observed within a day of the newest record).
    pub current_from: Option<String>,
    /// Every record, oldest first.
    pub versions: Vec<WhoisVersion>,
    /// Changes between consecutive records of each kind.
    pub diffs: Vec<WhoisDiff>,
}

/// DomainTools' `domain_count {current, historic}`.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct DomainCount {
    /// Domains whose current record matches.
    pub current: u64,
    /// Domains whose earlier records matched and current record does not.
    pub historic: u64,
}

pub(crate) fn reverse_whois_count(current: u64, historic: u64) -> DomainCount {
    DomainCount { current, historic }
}

/// A reverse WHOIS result.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReverseWhoisResult {
    /// Terms that must all match.
    pub terms: Vec<String>,
    /// Terms that must not match.
    pub exclude: Vec<String>,
    /// Fields searched.
    pub fields: Vec<String>,
    /// `current` or `historic` (current and earlier matches).
    pub scope: String,
    /// Counts.
    pub domain_count: DomainCount,
    /// The domains (up to the limit).
    pub domains: Vec<String>,
    /// More domains matched than listed.
    pub limited: bool,
}

/// A passive-DNS record in CIRCL Common Output Format.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CofRecord {
    /// Owner name.
    pub rrname: String,
    /// Type mnemonic.
    pub rrtype: String,
    /// Record data.
    pub rdata: String,
    /// First seen (epoch seconds).
    pub time_first: i64,
    /// Last seen (epoch seconds).
    pub time_last: i64,
    /// Observations.
    pub count: u64,
    /// Sources (sensors, feeds) that saw it.
    pub sources: Vec<String>,
}

/// A passive-DNS lookup result.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PdnsResult {
    /// The records.
    pub records: Vec<CofRecord>,
    /// More records matched than the limit let through.
    pub limited: bool,
}

/// `--summarize` output.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PdnsSummary {
    /// Records matched (up to the limit).
    pub num_results: u64,
    /// Sum of their observation counts.
    pub count: u64,
    /// Earliest first-seen.
    pub time_first: Option<String>,
    /// Latest last-seen.
    pub time_last: Option<String>,
    /// The limit cut the results.
    pub limited: bool,
}
