//! Time: seconds since the Unix epoch, UTC, with RFC 3339 text.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::ModelError;

/// Seconds since 1970-01-01T00:00:00Z.
pub type Timestamp = i64;

/// Earliest time Scry accepts for an observation (1985-01-01, the first
/// registered .com): anything earlier is a broken clock or a parse error.
pub const MIN_TIME: Timestamp = 473_385_600;

/// Parses RFC 3339 text (`2024-05-01T12:00:00Z`), a date (`2024-05-01`,
/// midnight UTC) or integer epoch seconds.
pub fn parse_time(s: &str) -> Result<Timestamp, ModelError> {
    let t = s.trim();
    let bad = |reason: &str| ModelError::Time {
        value: s.to_string(),
        reason: reason.to_string(),
    };
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && t.len() <= 12 {
        return t.parse::<i64>().map_err(|_| bad("not a number"));
    }
    if let Ok(dt) = OffsetDateTime::parse(t, &Rfc3339) {
        return Ok(dt.unix_timestamp());
    }
    if t.len() == 10 {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        if let Ok(d) = time::Date::parse(t, &fmt) {
            return Ok(d.midnight().assume_utc().unix_timestamp());
        }
    }
    Err(bad("expected RFC 3339, YYYY-MM-DD or epoch seconds"))
}

/// Formats a timestamp as RFC 3339 (`2024-05-01T12:00:00Z`).
pub fn format_time(t: Timestamp) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|dt| dt.format(&Rfc3339).ok())
        .unwrap_or_else(|| t.to_string())
}
