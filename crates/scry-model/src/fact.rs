//! Observations (what a source saw) and facts (what Scry knows).

use crate::entity::Entity;
use crate::error::ModelError;
use crate::predicate::Predicate;
use crate::time_util::{MIN_TIME, Timestamp};

/// The name of a source: `zone:com`, `pdns:sensor-1`, `whois`, `facts`...
pub type SourceId = String;

/// A time window `[first_seen, last_seen]` with an observation count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First observation.
    pub first_seen: Timestamp,
    /// Last observation.
    pub last_seen: Timestamp,
    /// Number of observations.
    pub count: u64,
}

impl Window {
    /// Widens this window by another and adds its count.
    pub fn merge(&mut self, other: &Window) {
        self.first_seen = self.first_seen.min(other.first_seen);
        self.last_seen = self.last_seen.max(other.last_seen);
        self.count = self.count.saturating_add(other.count);
    }
}

/// One observation of a fact by one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The name (or address) as observed: a host name stays a host name.
    pub subject: Entity,
    /// What is said about it.
    pub predicate: Predicate,
    /// The value.
    pub object: Entity,
    /// When, and how often.
    pub window: Window,
    /// Who saw it.
    pub source: SourceId,
}

impl Observation {
    /// Builds an observation and checks it: the object must be of the
    /// predicate's kind, times must be ordered, not before 1985 and not more
    /// than a day in the future of `now`, and the count positive.
    pub fn new(
        subject: Entity,
        predicate: Predicate,
        object: Entity,
        window: Window,
        source: SourceId,
        now: Timestamp,
    ) -> Result<Observation, ModelError> {
        let bad_time = |reason: String| ModelError::Time {
            value: format!("{}..{}", window.first_seen, window.last_seen),
            reason,
        };
        if object.kind() != predicate.object_kind() {
            return Err(ModelError::Object {
                kind: predicate.object_kind().as_str(),
                value: object.to_string(),
                reason: format!(
                    "{} takes a {} object, not a {}",
                    predicate,
                    predicate.object_kind().as_str(),
                    object.kind().as_str()
                ),
            });
        }
        if window.first_seen > window.last_seen {
            return Err(bad_time("first_seen is after last_seen".to_string()));
        }
        if window.first_seen < MIN_TIME {
            return Err(bad_time("before 1985-01-01".to_string()));
        }
        if window.last_seen > now + 86_400 {
            return Err(bad_time("more than a day in the future".to_string()));
        }
        if window.count == 0 {
            return Err(bad_time("count is zero".to_string()));
        }
        if source.is_empty() || source.len() > 128 {
            return Err(ModelError::Object {
                kind: "source",
                value: source,
                reason: "source must be 1 to 128 bytes".to_string(),
            });
        }
        Ok(Observation {
            subject,
            predicate,
            object,
            window,
            source,
        })
    }
}

/// A fact as stored: merged over every observation of the same
/// `(subject, predicate, object)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// The name as observed.
    pub subject: Entity,
    /// Predicate.
    pub predicate: Predicate,
    /// Value.
    pub object: Entity,
    /// Merged window.
    pub window: Window,
    /// Every source that saw it, sorted.
    pub sources: Vec<SourceId>,
}
