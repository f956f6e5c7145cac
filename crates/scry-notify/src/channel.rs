//! The delivery channels. Each sends one batch of queued alerts and says
//! what became of it: delivered, to be retried (the receiver is down or
//! busy), or rejected (the receiver refused the payload itself; retrying
//! would not help, so the alerts go to the dead-letter list).

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::payload::DeliveredAlert;

/// What one send did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Accepted (HTTP 2xx, written to the socket, SMTP 250 after DATA).
    Delivered(String),
    /// Not accepted now; retry later (no earlier than the hint, if any).
    Retry(String, Option<u64>),
    /// Refused for good.
    Reject(String),
}

/// Socket and HTTP timeouts of every channel.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(10);
const MAX_RESPONSE: u64 = 64 * 1024;

/// The HMAC-SHA256 signature of a webhook body: lowercase hex over
/// `"{timestamp}.{body}"`, the header value being `sha256=<hex>`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so new_from_slice cannot fail.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex(&mac.finalize().into_bytes())
}

pub(crate) fn hex(b: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(D[usize::from(x >> 4)] as char);
        s.push(D[usize::from(x & 15)] as char);
    }
    s
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .timeout_connect(Some(Duration::from_secs(5)))
        .http_status_as_error(false)
        .max_redirects(0)
        .max_idle_connections_per_host(4)
        .user_agent(concat!("scry/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// POSTs a JSON body and classifies the answer: 2xx delivered; 400, 413
/// and 422 (the payload itself is refused) rejected; anything else
/// (network errors, 3xx, 401/403/404 misconfiguration, 408, 429, 5xx)
/// retried, honouring a numeric `Retry-After`.
pub(crate) fn post_json(
    agent: &ureq::Agent,
    url: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Outcome {
    let mut req = agent.post(url).header("Content-Type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, v.as_str());
    }
    let resp = match req.send(body) {
        Ok(r) => r,
        Err(e) => return Outcome::Retry(format!("{url}: {e}"), None),
    };
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| s.min(3_600) * 1_000);
    let text = resp
        .into_body()
        .with_config()
        .limit(MAX_RESPONSE)
        .read_to_vec()
        .map(|b| {
            String::from_utf8_lossy(&b)
                .trim()
                .chars()
                .take(200)
                .collect::<String>()
        })
        .unwrap_or_default();
    let detail = if text.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {text}")
    };
    match status {
        200..=299 => Outcome::Delivered(detail),
        400 | 413 | 422 => Outcome::Reject(detail),
        _ => Outcome::Retry(detail, retry_after),
    }
}

/// One webhook POST: the alert as JSON, signed.
pub(crate) fn webhook(
    agent: &ureq::Agent,
    url: &str,
    secret: &str,
    alert: &DeliveredAlert,
    now: i64,
) -> Outcome {
    let body = crate::destination::encode(alert);
    let sig = sign(secret.as_bytes(), now, &body);
    post_json(
        agent,
        url,
        &[
            ("X-Scry-Timestamp", now.to_string()),
            ("X-Scry-Signature", format!("sha256={sig}")),
            ("X-Scry-Delivery", alert.delivery_id.clone()),
        ],
        &body,
    )
}

/// The HEC body: one envelope per alert, concatenated.
pub fn hec_body(
    alerts: &[DeliveredAlert],
    host: &str,
    sourcetype: &str,
    index: Option<&str>,
) -> Vec<u8> {
    let mut out = Vec::new();
    for a in alerts {
        let time = scry_model::parse_time(&a.raised).unwrap_or(0);
        let mut env = serde_json::json!({
            "time": time,
            "host": host,
            "source": "scry",
            "sourcetype": sourcetype,
            "event": a,
        });
        if let (Some(i), Some(obj)) = (index, env.as_object_mut()) {
            obj.insert("index".into(), serde_json::Value::String(i.to_string()));
        }
        out.extend_from_slice(&crate::destination::encode(&env));
    }
    out
}

/// One HEC POST carrying a batch.
pub(crate) fn hec(agent: &ureq::Agent, url: &str, token: &str, body: &[u8]) -> Outcome {
    post_json(
        agent,
        url,
        &[("Authorization", format!("Splunk {token}"))],
        body,
    )
}

/// This machine's name for syslog HOSTNAME and HEC `host` (printable
/// ASCII, at most 255 bytes; `-` when unknown, as RFC 5424 says).
pub(crate) fn local_hostname() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    let h: String = raw
        .trim()
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(255)
        .collect();
    if h.is_empty() { "-".into() } else { h }
}
