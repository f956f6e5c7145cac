//! Per-server gates: at most `per_server` exchanges with one server at a
//! time, at least `interval` between two of them, and an exponential
//! back-off after a server says its quota is exceeded. Waiting is bounded:
//! past `max_wait` the exchange fails instead of queueing forever.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::error::{LookupError, Result};

/// Limits of one server.
#[derive(Debug, Clone, Copy)]
pub struct GateLimits {
    /// Concurrent exchanges per server.
    pub per_server: usize,
    /// Minimum time between the starts of two exchanges with a server.
    pub interval: Duration,
    /// First back-off after a quota answer (doubles each time, up to 5 min).
    pub backoff: Duration,
    /// Longest wait for a gate.
    pub max_wait: Duration,
}

#[derive(Debug, Default)]
struct State {
    active: usize,
    next: Option<Instant>,
    backoff: Duration,
}

/// The gates of every server seen.
#[derive(Debug)]
pub(crate) struct Gates {
    limits: GateLimits,
    inner: Mutex<HashMap<String, State>>,
    cv: Condvar,
}

/// An exchange in progress; dropping it opens the gate.
pub(crate) struct Permit<'a> {
    gates: &'a Gates,
    key: String,
}

const MAX_BACKOFF: Duration = Duration::from_secs(300);

impl Gates {
    pub(crate) fn new(limits: GateLimits) -> Gates {
        Gates {
            limits,
            inner: Mutex::new(HashMap::new()),
            cv: Condvar::new(),
        }
    }

    /// Waits for the gate of `key`.
    pub(crate) fn acquire(&self, key: &str) -> Result<Permit<'_>> {
        let deadline = Instant::now() + self.limits.max_wait;
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let now = Instant::now();
            let st = map.entry(key.to_string()).or_default();
            let free = st.active < self.limits.per_server.max(1);
            let ready = st.next.is_none_or(|n| n <= now);
            if free && ready {
                st.active += 1;
                st.next = Some(now + self.limits.interval);
                return Ok(Permit {
                    gates: self,
                    key: key.to_string(),
                });
            }
            if now >= deadline {
                return Err(LookupError::Io {
                    server: key.to_string(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!(
                            "server busy or backing off for more than {:?}",
                            self.limits.max_wait
                        ),
                    ),
                });
            }
            let until = match st.next {
                Some(n) if n > now && free => n.min(deadline),
                _ => deadline,
            };
            let (m, _) = self
                .cv
                .wait_timeout(map, until.saturating_duration_since(now))
                .unwrap_or_else(|p| p.into_inner());
            map = m;
        }
    }
}

impl Permit<'_> {
    /// The server refused for quota: push its next exchange back.
    pub(crate) fn back_off(&self) {
        let mut map = self.gates.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(st) = map.get_mut(&self.key) {
            st.backoff = if st.backoff.is_zero() {
                self.gates.limits.backoff
            } else {
                (st.backoff * 2).min(MAX_BACKOFF)
            };
            st.next = Some(Instant::now() + st.backoff);
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut map = self.gates.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(st) = map.get_mut(&self.key) {
            st.active = st.active.saturating_sub(1);
        }
        drop(map);
        self.gates.cv.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_server: usize, interval_ms: u64, max_wait_ms: u64) -> GateLimits {
        GateLimits {
            per_server,
            interval: Duration::from_millis(interval_ms),
            backoff: Duration::from_millis(400),
            max_wait: Duration::from_millis(max_wait_ms),
        }
    }

    #[test]
    fn bounded_parallelism_per_server() {
        let g = Gates::new(limits(2, 0, 100));
        let a = g.acquire("s").unwrap();
        let _b = g.acquire("s").unwrap();
        // A third exchange with the same server waits, then gives up.
        assert!(g.acquire("s").is_err());
        // Another server is not affected.
        let _c = g.acquire("t").unwrap();
        drop(a);
        assert!(g.acquire("s").is_ok());
    }

    #[test]
    fn spacing_and_back_off() {
        let g = Gates::new(limits(4, 50, 2_000));
        let t0 = Instant::now();
        drop(g.acquire("s").unwrap());
        drop(g.acquire("s").unwrap());
        assert!(t0.elapsed() >= Duration::from_millis(50));
        let p = g.acquire("s").unwrap();
        p.back_off();
        drop(p);
        let t1 = Instant::now();
        drop(g.acquire("s").unwrap());
        assert!(
            t1.elapsed() >= Duration::from_millis(350),
            "{:?}",
            t1.elapsed()
        );
        // Backing off longer than max_wait fails fast.
        let g = Gates::new(limits(4, 0, 50));
        let p = g.acquire("s").unwrap();
        p.back_off();
        drop(p);
        assert!(g.acquire("s").is_err());
    }
}
