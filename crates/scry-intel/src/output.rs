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
