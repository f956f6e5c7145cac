//! What every channel delivers about an alert: a snapshot taken when the
//! alert enters a destination's outbox.

use serde::{Deserialize, Serialize};

use scry_intel::monitor::Alert;

/// The schema name carried by every delivered alert.
pub const SCHEMA: &str = "scry.alert.v1";

/// An alert as delivered (webhook body, HEC `event`, CEF fields, e-mail
/// lines).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveredAlert {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// `<destination>-<alert>`: stable across retries, for receivers that
    /// de-duplicate (delivery is at least once).
    pub delivery_id: String,
    /// Alert id.
    pub id: u64,
    /// The monitor that raised it.
    pub monitor: u64,
    /// The monitor's name (empty when it was removed).
    pub monitor_name: String,
    /// The registrable domain.
    pub domain: String,
    /// Why: technique(s) or matched value.
    pub reason: String,
    /// Look-alike similarity 0-100 (brand monitors).
    pub similarity: Option<u8>,
    /// State when enqueued (normally `new`).
    pub state: String,
    /// When the alert was raised (RFC 3339).
    pub raised: String,
    /// The time of the event that raised it.
    pub event_time: String,
    /// The event's sequence number in the store's event log.
    pub event_seq: u64,
    /// Risk score and evidence, when the alert carries one (the stored
    /// alert's `risk` field, passed through unchanged); `null` otherwise.
    pub risk: Option<serde_json::Value>,
}

impl DeliveredAlert {
    /// The snapshot of `alert` for destination `dest`; `risk` is the stored
    /// alert's `risk` member, if any.
    pub fn new(
        dest: u64,
        alert: &Alert,
        monitor_name: &str,
        risk: Option<serde_json::Value>,
    ) -> DeliveredAlert {
        DeliveredAlert {
            schema: SCHEMA.to_string(),
            delivery_id: format!("{dest}-{}", alert.id),
            id: alert.id,
            monitor: alert.monitor,
            monitor_name: monitor_name.to_string(),
            domain: alert.domain.clone(),
            reason: alert.reason.clone(),
            similarity: alert.similarity,
            state: alert.state.clone(),
            raised: alert
                .history
                .first()
                .map(|h| h.when.clone())
                .unwrap_or_default(),
            event_time: alert.event_time.clone(),
            event_seq: alert.event_seq,
            risk: risk.filter(|r| !r.is_null()),
        }
    }

    /// CEF severity 0-10: the similarity's tens for look-alikes, 5 for
    /// other monitors (a watched name server, registrant or address).
    pub fn severity(&self) -> u8 {
        self.similarity.map_or(5, |s| (s / 10).min(10))
    }
}
