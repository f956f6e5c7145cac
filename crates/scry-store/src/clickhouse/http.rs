//! A small synchronous client for ClickHouse's HTTP interface: every
//! request has a timeout; transient failures (connection refused or reset,
//! timeouts, 502/503/504, server codes that mean "try again") are retried
//! with exponential back-off a bounded number of times.

use std::io::ErrorKind;
use std::time::Duration;

use super::url::{Config, Node};
use crate::error::{Result, StoreError};

/// Largest response body read (results are paged or aggregated, so this
/// only trips on a runaway query).
const MAX_RESPONSE: u64 = 1 << 30;

/// Server error codes worth retrying: too many simultaneous queries,
/// socket timeout, network error, too many parts (merges are behind), all
/// connection tries failed, unknown status of insert.
const TRANSIENT_CODES: &[u32] = &[202, 209, 210, 252, 279, 319];

/// One failed attempt.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) transient: bool,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn into_error(self) -> StoreError {
        if self.transient {
            StoreError::Unavailable(self.message)
        } else {
            StoreError::Remote(self.message)
        }
    }
}

pub(crate) struct Http {
    agent: ureq::Agent,
    user: Option<String>,
    password: Option<String>,
    pub(crate) retries: u32,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("user", &self.user)
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
}

fn encode_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The server's error code in a `Code: N, e.displayText() = ...` body.
pub(crate) fn error_code(body: &str) -> Option<u32> {
    let at = body.find("Code: ")? + 6;
    let digits: String = body[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Back-off before retry `attempt` (1-based): 100 ms doubling, capped at 5 s.
pub(crate) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis((100u64 << attempt.min(6).saturating_sub(1)).min(5_000))
}

impl Http {
    pub(crate) fn new(cfg: &Config) -> Http {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(cfg.timeout))
            .timeout_connect(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .max_idle_connections_per_host(8)
            .build()
            .into();
        Http {
            agent,
            user: cfg.user.clone(),
            password: cfg.password.clone(),
            retries: cfg.retries,
        }
    }

    fn url(&self, node: &Node, params: &[(&str, &str)]) -> String {
        let mut u = format!("http://{node}/?");
        let mut first = true;
        let creds = [
            ("user", self.user.as_deref()),
            ("password", self.password.as_deref()),
        ];
        let all = creds
            .iter()
            .filter_map(|(k, v)| v.map(|v| (*k, v)))
            .chain(params.iter().copied());
        for (k, v) in all {
            if !first {
                u.push('&');
            }
            first = false;
            u.push_str(k);
            u.push('=');
            encode_into(&mut u, v);
        }
        u
    }

    /// One request: POSTs `body` with the given URL parameters.
    pub(crate) fn post_once(
        &self,
        node: &Node,
        params: &[(&str, &str)],
        body: &[u8],
    ) -> std::result::Result<Vec<u8>, Failure> {
        let url = self.url(node, params);
        let resp = match self.agent.post(&url).send(body) {
            Ok(r) => r,
            Err(e) => return Err(classify(node, e)),
        };
        let status = resp.status().as_u16();
        let body = resp
            .into_body()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .map_err(|e| classify(node, e))?;
        if status == 200 {
            return Ok(body);
        }
        let text = String::from_utf8_lossy(&body);
        let text = text.trim();
        let shown: String = text.chars().take(2_000).collect();
        let transient = matches!(status, 502..=504)
            || error_code(text).is_some_and(|c| TRANSIENT_CODES.contains(&c));
        Err(Failure {
            transient,
            message: format!("clickhouse {node} answered {status}: {shown}"),
        })
    }

    /// A request that is safe to repeat (reads, DDL with IF NOT EXISTS,
    /// inserts into replacing tables), retried on transient failures.
    pub(crate) fn post(
        &self,
        node: &Node,
        params: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Vec<u8>> {
        let mut attempt = 0;
        loop {
            match self.post_once(node, params, body) {
                Ok(b) => return Ok(b),
                Err(f) if f.transient && attempt < self.retries => {
                    attempt += 1;
                    tracing::warn!(node = %node, attempt, error = %f.message, "retrying clickhouse request");
                    std::thread::sleep(backoff(attempt));
                }
                Err(f) => return Err(f.into_error()),
            }
        }
    }
}

fn classify(node: &Node, e: ureq::Error) -> Failure {
    let transient = match &e {
        ureq::Error::Io(io) => matches!(
            io.kind(),
            ErrorKind::ConnectionRefused
                | ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::TimedOut
                | ErrorKind::UnexpectedEof
                | ErrorKind::NotConnected
                | ErrorKind::Interrupted
        ),
        ureq::Error::Timeout(_) | ureq::Error::ConnectionFailed | ureq::Error::Protocol(_) => true,
        _ => false,
    };
    Failure {
        transient,
        message: format!("clickhouse {node}: {e}"),
    }
}
