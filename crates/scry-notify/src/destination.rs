//! Destinations: where new alerts go, stored in the state store as JSON
//! under `dest:{id}`. Secrets (webhook HMAC keys, HEC tokens) are stored
//! there and never shown again: [`Destination::redacted`] is what listings
//! print.

use serde::{Deserialize, Serialize};

use scry_model::{Timestamp, format_time};
use scry_store::StateStore;

use crate::error::{NotifyError, Result, invalid};

/// How syslog messages travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// One datagram per message (RFC 5426).
    Udp,
    /// A TCP stream with octet-counting framing (RFC 6587 section 3.4.1).
    Tcp,
}

/// Where and how a destination delivers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// An HTTP endpoint receiving one signed JSON POST per alert.
    Webhook {
        /// `http://host[:port]/path`.
        url: String,
        /// The HMAC-SHA256 key.
        secret: String,
    },
    /// A syslog receiver: RFC 5424 messages whose MSG is a CEF record.
    Syslog {
        /// `host:port`.
        address: String,
        /// UDP or TCP.
        transport: Transport,
        /// Syslog facility 0-23 (default 16, local0).
        facility: u8,
        /// HOSTNAME field (default: this machine's name).
        hostname: Option<String>,
    },
    /// A Splunk HTTP Event Collector.
    Hec {
        /// `http://host:port/services/collector/event`.
        url: String,
        /// The HEC token (`Authorization: Splunk <token>`).
        token: String,
        /// `sourcetype` of every event.
        sourcetype: String,
        /// Target index, when not the token's default.
        index: Option<String>,
    },
    /// An e-mail digest of the new alerts over SMTP.
    Smtp {
        /// `host:port` of the SMTP server (relay; no TLS, no AUTH).
        server: String,
        /// Envelope and header sender.
        from: String,
        /// Recipients.
        to: Vec<String>,
    },
}

impl Target {
    /// `webhook`, `syslog`, `hec` or `smtp`.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Webhook { .. } => "webhook",
            Target::Syslog { .. } => "syslog",
            Target::Hec { .. } => "hec",
            Target::Smtp { .. } => "smtp",
        }
    }

    /// Where it delivers, without secrets (for listings and audit).
    pub fn endpoint(&self) -> String {
        match self {
            Target::Webhook { url, .. } | Target::Hec { url, .. } => url.clone(),
            Target::Syslog {
                address, transport, ..
            } => format!(
                "{}://{address}",
                match transport {
                    Transport::Udp => "udp",
                    Transport::Tcp => "tcp",
                }
            ),
            Target::Smtp { server, to, .. } => format!("smtp://{server} to {}", to.join(",")),
        }
    }

    /// How many queued alerts one delivery step sends.
    fn default_batch(&self) -> u32 {
        match self {
            Target::Webhook { .. } => 50,
            Target::Hec { .. } => 100,
            Target::Syslog { .. } => 500,
            Target::Smtp { .. } => 1000,
        }
    }
}

/// Queue and retry settings of a destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Most alerts waiting in the destination's outbox. When it is full the
    /// destination stops taking alerts from the alert log (its cursor stays)
    /// until deliveries make room: nothing is dropped.
    pub max_queue: u32,
    /// First retry delay; each further failure doubles it.
    pub backoff_ms: u64,
    /// Longest retry delay.
    pub backoff_max_ms: u64,
    /// Alerts per delivery step (one HEC POST, one syslog connection, one
    /// e-mail; webhooks send one POST per alert and commit per step).
    pub batch: u32,
}

impl Policy {
    /// The defaults for a target.
    pub fn for_target(t: &Target) -> Policy {
        Policy {
            max_queue: 10_000,
            backoff_ms: 2_000,
            backoff_max_ms: 3_600_000,
            batch: t.default_batch(),
        }
    }

    /// The delay before retry number `attempts` (1 after the first
    /// failure): `backoff_ms * 2^(attempts-1)`, capped, with up to 1/8
    /// deterministic jitter per alert so a recovered receiver is not hit by
    /// every retry at once.
    pub fn delay_ms(&self, attempts: u32, salt: u64) -> u64 {
        let exp = attempts.saturating_sub(1).min(40);
        let d = self
            .backoff_ms
            .saturating_mul(1u64 << exp)
            .min(self.backoff_max_ms);
        let jitter_span = d / 8;
        let jitter = if jitter_span == 0 {
            0
        } else {
            salt.wrapping_mul(0x9E37_79B9_7F4A_7C15) % jitter_span
        };
        d.saturating_add(jitter).min(self.backoff_max_ms.max(d))
    }
}

/// A stored destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    /// Stable id.
    pub id: u64,
    /// A name for people.
    pub name: String,
    /// Where and how.
    pub target: Target,
    /// Queue and retries.
    pub policy: Policy,
    /// When it was added.
    pub created: String,
}

const REDACTED: &str = "(stored)";

impl Destination {
    /// The destination with its secret and token replaced by `(stored)`.
    pub fn redacted(&self) -> Destination {
        let mut d = self.clone();
        match &mut d.target {
            Target::Webhook { secret, .. } => *secret = REDACTED.into(),
            Target::Hec { token, .. } => *token = REDACTED.into(),
            Target::Syslog { .. } | Target::Smtp { .. } => {}
        }
        d
    }
}

pub(crate) fn dest_key(id: u64) -> String {
    format!("dest:{id:06}")
}

/// The event-log-style reader name of a destination's cursor over alert ids.
pub(crate) fn cursor_name(id: u64) -> String {
    format!("notify:{id}")
}

fn check_http_url(field: &str, url: &str) -> Result<()> {
    let Some(rest) = url.strip_prefix("http://") else {
        return Err(invalid(
            field,
            format!(
                "{url:?}: expected http://HOST[:PORT]/PATH (https is not built in: put a \
                 TLS-terminating relay in front)"
            ),
        ));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.contains('@') || url.chars().any(|c| c.is_control() || c == ' ') {
        return Err(invalid(
            field,
            format!("{url:?}: no host, or a bad character"),
        ));
    }
    Ok(())
}

fn check_hostport(field: &str, v: &str) -> Result<()> {
    let ok = v.rsplit_once(':').is_some_and(|(h, p)| {
        !h.is_empty() && p.parse::<u16>().is_ok_and(|p| p > 0) && !h.chars().any(char::is_control)
    });
    if ok {
        Ok(())
    } else {
        Err(invalid(field, format!("{v:?}: expected HOST:PORT")))
    }
}

/// Checks an e-mail address for use in an SMTP envelope and header.
pub(crate) fn check_mailbox(field: &str, v: &str) -> Result<()> {
    let ok = v.len() <= 254
        && v.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty() && !d.contains('@') && (d.contains('.') || d == "localhost")
        })
        && !v
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | ',' | '"'));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("{v:?}: not a plain mailbox (local@domain)"),
        ))
    }
}

/// Checks a target's settings and normalises them (HEC URL path).
pub fn validate(target: Target) -> Result<Target> {
    Ok(match target {
        Target::Webhook { url, secret } => {
            check_http_url("url", &url)?;
            if secret.len() < 16 {
                return Err(invalid(
                    "secret",
                    "the webhook secret must be at least 16 bytes",
                ));
            }
            Target::Webhook { url, secret }
        }
        Target::Syslog {
            address,
            transport,
            facility,
            hostname,
        } => {
            check_hostport("address", &address)?;
            if facility > 23 {
                return Err(invalid("facility", format!("{facility}: expected 0-23")));
            }
            if let Some(h) = &hostname
                && (h.is_empty() || h.len() > 255 || !h.bytes().all(|b| (33..=126).contains(&b)))
            {
                return Err(invalid(
                    "hostname",
                    format!("{h:?}: 1-255 printable ASCII characters (RFC 5424)"),
                ));
            }
            Target::Syslog {
                address,
                transport,
                facility,
                hostname,
            }
        }
        Target::Hec {
            url,
            token,
            sourcetype,
            index,
        } => {
            check_http_url("url", &url)?;
            if token.is_empty() || token.chars().any(|c| c.is_control() || c == ' ') {
                return Err(invalid("token", "empty, or a space or control character"));
            }
            let rest = &url["http://".len()..];
            let url = match rest.find('/') {
                Some(i) if rest[i..] != *"/" => url,
                _ => format!("{}/services/collector/event", url.trim_end_matches('/')),
            };
            Target::Hec {
                url,
                token,
                sourcetype,
                index,
            }
        }
        Target::Smtp { server, from, to } => {
            check_hostport("server", &server)?;
            check_mailbox("from", &from)?;
            if to.is_empty() {
                return Err(invalid("to", "at least one recipient"));
            }
            for t in &to {
                check_mailbox("to", t)?;
            }
            Target::Smtp { server, from, to }
        }
    })
}

fn decode<T: serde::de::DeserializeOwned>(key: &str, v: &[u8]) -> Result<T> {
    serde_json::from_slice(v).map_err(|e| NotifyError::Corrupt {
        key: key.to_string(),
        reason: e.to_string(),
    })
}

pub(crate) fn encode<T: Serialize>(v: &T) -> Vec<u8> {
    // Serialising these plain structs cannot fail (string keys, no maps
    // with non-string keys); an empty value would be reported as corrupt
    // on read rather than panicking here.
    serde_json::to_vec(v).unwrap_or_default()
}

pub(crate) fn decode_value<T: serde::de::DeserializeOwned>(key: &str, v: &[u8]) -> Result<T> {
    decode(key, v)
}

/// Adds a destination. It receives the alerts raised after this moment;
/// with `backfill`, every alert already in the log too.
pub fn add_destination(
    state: &StateStore,
    name: &str,
    target: Target,
    policy: Option<Policy>,
    backfill: bool,
    now: Timestamp,
) -> Result<Destination> {
    let target = validate(target)?;
    let policy = policy.unwrap_or_else(|| Policy::for_target(&target));
    if policy.max_queue == 0 || policy.batch == 0 || policy.backoff_ms == 0 {
        return Err(invalid(
            "policy",
            "max-queue, batch and backoff must be positive",
        ));
    }
    let id = next_counter(state, "dest_seq")?;
    let d = Destination {
        id,
        name: name.to_string(),
        target,
        policy,
        created: format_time(now),
    };
    // The alert counter is the highest id raised so far.
    let start = if backfill {
        0
    } else {
        read_counter(state, "alert_seq")?
    };
    state.apply(
        &[(dest_key(id), encode(&d))],
        &[],
        (start > 0).then_some((cursor_name(id).as_str(), start)),
    )?;
    Ok(d)
}

fn read_counter(state: &StateStore, key: &str) -> Result<u64> {
    Ok(state
        .get(key)?
        .and_then(|v| {
            v.get(..8)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes)
        })
        .unwrap_or(0))
}

fn next_counter(state: &StateStore, key: &str) -> Result<u64> {
    let n = read_counter(state, key)? + 1;
    state.put(key, &n.to_be_bytes())?;
    Ok(n)
}

/// Every destination, by id.
pub fn destinations(state: &StateStore) -> Result<Vec<Destination>> {
    state
        .scan("dest:")?
        .into_iter()
        .map(|(k, v)| decode(&k, &v))
        .collect()
}

/// One destination.
pub fn destination(state: &StateStore, id: u64) -> Result<Destination> {
    let key = dest_key(id);
    match state.get(&key)? {
        Some(v) => decode(&key, &v),
        None => Err(NotifyError::NoDestination(id)),
    }
}

/// Removes a destination and its outbox (the audit trail stays).
pub fn remove_destination(state: &StateStore, id: u64) -> Result<()> {
    let key = dest_key(id);
    if state.get(&key)?.is_none() {
        return Err(NotifyError::NoDestination(id));
    }
    let mut deletes = vec![key];
    for prefix in [
        crate::outbox::outbox_prefix(id),
        crate::outbox::dead_prefix(id),
    ] {
        deletes.extend(state.scan(&prefix)?.into_iter().map(|(k, _)| k));
    }
    state.apply(&[], &deletes, None)?;
    Ok(())
}
