//! WHOIS over TCP port 43 with the referral chain (IANA `refer:` → registry
//! → `Registrar WHOIS Server:`), the starting server table, and the
//! per-server gate (bounded parallelism, spacing, back-off on quota text).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use crate::error::{LookupError, Result};
use crate::gate::Gates;
use crate::guard::{Guard, resolve_bounded};

/// Largest WHOIS response read (bigger ones are an error).
pub const MAX_WHOIS: usize = 1 << 20;
/// Most referrals followed after the first server.
pub const MAX_REFERRALS: usize = 3;
/// The IANA root WHOIS server.
pub const IANA_ROOT: &str = "whois.iana.org:43";

/// The starting map from name suffixes to WHOIS servers, in the Debian
/// `whois` client's format (`tld_serv_list`: `.suffix [TAG] server`, first
/// match wins; `new_gtlds_list`: one TLD a line, served by `whois.nic.TLD`).
#[derive(Debug, Clone, Default)]
pub struct ServerTable {
    entries: Vec<(String, Option<String>)>,
    new_gtlds: std::collections::HashSet<String>,
}

impl ServerTable {
    /// Parses the two lists. Lines that are not entries are skipped;
    /// entries without a port-43 server (`NONE`, `WEB url`, `NIC?`) map to
    /// `None` (ask the root instead).
    pub fn parse(tld_serv_list: &str, new_gtlds_list: &str) -> ServerTable {
        let mut entries = Vec::new();
        for line in tld_serv_list.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let mut parts = line.split_ascii_whitespace();
            let Some(suffix) = parts.next() else { continue };
            if !suffix.starts_with('.') || suffix.len() < 2 {
                continue;
            }
            let rest: Vec<&str> = parts.collect();
            let server = match rest.as_slice() {
                [] => None,
                [first, ..] if matches!(*first, "NONE" | "WEB" | "NIC?" | "ARPA" | "IP6") => None,
                [.., last] => Some(last.to_ascii_lowercase()),
            }
            .filter(|s| is_host(s));
            entries.push((suffix.to_ascii_lowercase(), server));
        }
        let new_gtlds = new_gtlds_list
            .lines()
            .map(|l| {
                l.split('#')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .filter(|l| {
                !l.is_empty()
                    && l.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            })
            .collect();
        ServerTable { entries, new_gtlds }
    }

    /// Reads `tld_serv_list` and `new_gtlds_list` from `dir` (the layout of
    /// the Debian whois sources; either file may be missing).
    pub fn load(dir: &Path) -> std::io::Result<ServerTable> {
        let read = |name: &str| match std::fs::read_to_string(dir.join(name)) {
            Ok(s) => Ok(s),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(e),
        };
        Ok(ServerTable::parse(
            &read("tld_serv_list")?,
            &read("new_gtlds_list")?,
        ))
    }

    /// Number of suffix entries plus new gTLDs.
    pub fn len(&self) -> usize {
        self.entries.len() + self.new_gtlds.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The server for `domain` (normal form), if the table names one.
    pub fn server_for(&self, domain: &str) -> Option<&str> {
        let dotted = format!(".{domain}");
        for (suffix, server) in &self.entries {
            if dotted.ends_with(suffix.as_str()) {
                return server.as_deref();
            }
        }
        None
    }

    /// Whether `domain` is under a new gTLD (served by `whois.nic.TLD`).
    pub fn new_gtld_server(&self, domain: &str) -> Option<String> {
        let tld = domain.rsplit('.').next()?;
        self.new_gtlds
            .contains(tld)
            .then(|| format!("whois.nic.{tld}"))
    }
}

/// A WHOIS server named by a response.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Referral {
    /// Host name or address literal, lower case.
    pub host: String,
    /// Port (43 unless the referral says otherwise).
    pub port: u16,
}

impl std::fmt::Display for Referral {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Whether `s` looks like a host name or an address literal.
fn is_host(s: &str) -> bool {
    if s.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && !l.starts_with('-')
        })
}

/// Parses a referral value: `host`, `host:port`, `[v6]:port`,
/// `whois://host[:port][/]`. `rwhois://` and web URLs are not WHOIS
/// referrals.
pub fn parse_server(value: &str) -> Option<Referral> {
    let v = value.trim().trim_end_matches('/');
    let lower = v.to_ascii_lowercase();
    let v = if let Some(rest) = lower.strip_prefix("whois://") {
        rest.to_string()
    } else if lower.contains("://") {
        return None;
    } else {
        lower
    };
    let (host, port) = if let Some(rest) = v.strip_prefix('[') {
        let (h, tail) = rest.split_once(']')?;
        let port = match tail.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if tail.is_empty() => 43,
            None => return None,
        };
        (h.to_string(), port)
    } else if v.parse::<std::net::Ipv6Addr>().is_ok() {
        (v.clone(), 43)
    } else {
        match v.split_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()?),
            None => (v.clone(), 43),
        }
    };
    let host = host.trim_end_matches('.').to_string();
    if port == 0 || !is_host(&host) {
        return None;
    }
    Some(Referral { host, port })
}

/// The next server a WHOIS response points at: IANA's `refer:` (or
/// `whois:`), a registry's `Registrar WHOIS Server:` (or the older
/// `Whois Server:`), ARIN's `ReferralServer:`. The first usable one wins.
pub fn parse_referral(text: &str) -> Option<Referral> {
    const KEYS: &[&str] = &[
        "refer",
        "whois",
        "registrar whois server",
        "whois server",
        "referralserver",
    ];
    for line in text.lines().take(10_000) {
        let line = line.trim();
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        if KEYS.contains(&key.as_str())
            && let Some(r) = parse_server(value)
        {
            return Some(r);
        }
    }
    None
}

/// The line of a rate-limited response that says so (the first non-blank
/// line), when the WHOIS parser reads it as a refusal.
pub fn quota_line(text: &str) -> Option<String> {
    let rec = scry_parse::parse_whois(text);
    if !rec.rate_limited {
        return None;
    }
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    Some(line.chars().take(200).collect())
}

/// Timeouts of one WHOIS exchange.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Connect timeout.
    pub connect: Duration,
    /// Per-read / per-write timeout.
    pub io: Duration,
    /// Bound on the whole exchange.
    pub total: Duration,
}

/// Sends `query` to the first reachable address of `addrs` and reads the
/// answer until the server closes, up to [`MAX_WHOIS`] bytes.
pub fn exchange(server: &str, addrs: &[SocketAddr], query: &str, t: Timeouts) -> Result<Vec<u8>> {
    let io_err = |source| LookupError::Io {
        server: server.to_string(),
        source,
    };
    let mut last = None;
    let mut stream = None;
    for a in addrs.iter().take(4) {
        match TcpStream::connect_timeout(a, t.connect) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let mut stream = stream.ok_or_else(|| {
        io_err(last.unwrap_or_else(|| std::io::Error::other("no address to connect to")))
    })?;
    stream.set_read_timeout(Some(t.io)).map_err(io_err)?;
    stream.set_write_timeout(Some(t.io)).map_err(io_err)?;
    stream
        .write_all(format!("{query}\r\n").as_bytes())
        .map_err(io_err)?;
    let started = std::time::Instant::now();
    let mut body = Vec::with_capacity(8192);
    let mut buf = [0u8; 8192];
    loop {
        if started.elapsed() > t.total {
            return Err(io_err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "response not complete in time",
            )));
        }
        let n = stream.read(&mut buf).map_err(io_err)?;
        if n == 0 {
            break;
        }
        if body.len() + n > MAX_WHOIS {
            return Err(LookupError::TooLarge {
                server: server.to_string(),
                limit: MAX_WHOIS,
            });
        }
        body.extend_from_slice(&buf[..n]);
    }
    Ok(body)
}

/// One server answered in the chain.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hop {
    /// The server asked (`host:port`).
    pub server: String,
    /// The raw response.
    #[serde(skip)]
    pub body: Vec<u8>,
    /// Response size.
    pub bytes: usize,
    /// Whether the response carries registration data for the domain.
    pub has_data: bool,
}

/// What a WHOIS look-up found: the hops answered, and the error that
/// stopped the chain early, if any.
#[derive(Debug, Default)]
pub struct Chain {
    /// Servers that answered, in order.
    pub hops: Vec<Hop>,
    /// Why the chain stopped before its end.
    pub error: Option<LookupError>,
}

/// How WHOIS look-ups are run.
#[derive(Debug, Clone)]
pub struct WhoisConfig {
    /// The root server (`host:port`), trusted: not checked by the guard.
    pub root: String,
    /// The starting map; names it does not cover start at the root.
    pub table: ServerTable,
    /// Fixed addresses for referral hosts (`host` → `ip:port`), like
    /// curl's `--connect-to`; the guard still checks them.
    pub connect_to: HashMap<String, SocketAddr>,
    /// Exchange timeouts.
    pub timeouts: Timeouts,
}

/// Follows the referral chain for `domain`.
pub(crate) fn lookup(cfg: &WhoisConfig, guard: &Guard, gates: &Gates, domain: &str) -> Chain {
    let mut chain = Chain::default();
    let start = cfg
        .table
        .server_for(domain)
        .map(str::to_string)
        .or_else(|| cfg.table.new_gtld_server(domain));
    // (server, trusted)
    let mut next: (Referral, bool) = match start.as_deref().and_then(parse_server) {
        Some(r) => (r, false),
        None => match parse_server(&cfg.root) {
            Some(r) => (r, true),
            None => {
                chain.error = Some(LookupError::Config(format!(
                    "whois root {:?} is not host:port",
                    cfg.root
                )));
                return chain;
            }
        },
    };
    let mut asked: Vec<Referral> = Vec::new();
    loop {
        let (server, trusted) = next.clone();
        if asked.len() > MAX_REFERRALS {
            chain.error = Some(LookupError::TooManyReferrals(MAX_REFERRALS));
            return chain;
        }
        let name = server.to_string();
        let addrs = match resolve(cfg, guard, &server, trusted) {
            Ok(a) => a,
            Err(e) => {
                chain.error = Some(e);
                return chain;
            }
        };
        let body = {
            let permit = match gates.acquire(&format!("whois:{}", server.host)) {
                Ok(p) => p,
                Err(e) => {
                    chain.error = Some(e);
                    return chain;
                }
            };
            let r = exchange(&name, &addrs, domain, cfg.timeouts);
            if let Ok(b) = &r
                && quota_line(&String::from_utf8_lossy(b)).is_some()
            {
                permit.back_off();
            }
            r
        };
        let body = match body {
            Ok(b) => b,
            Err(e) => {
                chain.error = Some(e);
                return chain;
            }
        };
        let text = String::from_utf8_lossy(&body).into_owned();
        asked.push(server.clone());
        let rec = scry_parse::parse_whois(&text);
        chain.hops.push(Hop {
            server: name.clone(),
            bytes: body.len(),
            body,
            has_data: rec.has_data(),
        });
        if let Some(line) = quota_line(&text) {
            chain.error = Some(LookupError::Quota { server: name, line });
            return chain;
        }
        match parse_referral(&text) {
            Some(r) if !asked.contains(&r) => next = (r, false),
            _ => return chain,
        }
    }
}

fn resolve(
    cfg: &WhoisConfig,
    guard: &Guard,
    server: &Referral,
    trusted: bool,
) -> Result<Vec<SocketAddr>> {
    if let Some(a) = cfg.connect_to.get(&server.host) {
        if !trusted {
            guard.check(&server.host, a.ip())?;
        }
        return Ok(vec![*a]);
    }
    if trusted {
        resolve_bounded(&server.host, server.port, guard.resolve_timeout)
    } else {
        guard.resolve(&server.host, server.port)
    }
}

#[cfg(test)]
mod tests;
