//! The engine URL: `clickhouse://HOST:PORT/DB[?cluster=NAME&shards=H:P,H:P&user=U&password=P&timeout=S&retries=N]`.

use std::time::Duration;

use crate::error::{Result, StoreError};

/// ClickHouse's default HTTP port.
const DEFAULT_PORT: u16 = 8123;

/// One server's HTTP endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    pub(crate) host: String,
    pub(crate) port: u16,
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// A parsed engine URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Config {
    /// The server queries go to (and where the event log and ledger live).
    pub(crate) entry: Node,
    /// Database name.
    pub(crate) db: String,
    /// Cluster name (`remote_servers`), when sharded.
    pub(crate) cluster: Option<String>,
    /// Every shard's HTTP endpoint, when sharded (schema changes go to each).
    pub(crate) shards: Vec<Node>,
    pub(crate) user: Option<String>,
    pub(crate) password: Option<String>,
    /// Per-request timeout.
    pub(crate) timeout: Duration,
    /// Retries of a request after a transient failure.
    pub(crate) retries: u32,
}

fn invalid(url: &str, why: impl std::fmt::Display) -> StoreError {
    // Never echo a password back.
    let shown = match url.find("password=") {
        Some(i) => format!("{}password=…", &url[..i]),
        None => url.to_string(),
    };
    StoreError::Invalid(format!("bad clickhouse url {shown}: {why}"))
}

/// Whether `s` is a plain SQL identifier (database, cluster).
pub(crate) fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn parse_node(s: &str) -> std::result::Result<Node, String> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let end = rest.find(']').ok_or("unclosed [ in host")?;
        let host = &rest[..end];
        let after = &rest[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(format!("junk after host: {after}")),
        };
        (host, port)
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    if host.is_empty() {
        return Err("empty host".into());
    }
    if !host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':')
    {
        return Err(format!("bad host {host:?}"));
    }
    let port = match port {
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| format!("bad port {p:?}"))?,
        None => DEFAULT_PORT,
    };
    Ok(Node {
        host: host.to_string(),
        port,
    })
}

/// Decodes `%XX` escapes (and `+` as space) of a query value.
fn percent_decode(s: &str) -> std::result::Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or("bad % escape")?;
                out.push(hex);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "value is not utf-8".to_string())
}

impl Config {
    /// Parses an engine URL.
    pub(crate) fn parse(url: &str) -> Result<Config> {
        let rest = url
            .strip_prefix("clickhouse://")
            .ok_or_else(|| invalid(url, "it must start with clickhouse://"))?;
        let (main, query) = match rest.split_once('?') {
            Some((m, q)) => (m, Some(q)),
            None => (rest, None),
        };
        let (hostport, db) = main
            .split_once('/')
            .ok_or_else(|| invalid(url, "no database (clickhouse://HOST:PORT/DB)"))?;
        if hostport.contains('@') {
            return Err(invalid(
                url,
                "give credentials as ?user=...&password=..., not in the host part",
            ));
        }
        let entry = parse_node(hostport).map_err(|e| invalid(url, e))?;
        if !is_ident(db) {
            return Err(invalid(
                url,
                format!("database {db:?} is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)"),
            ));
        }
        let mut cfg = Config {
            entry,
            db: db.to_string(),
            cluster: None,
            shards: Vec::new(),
            user: None,
            password: None,
            timeout: Duration::from_secs(300),
            retries: 5,
        };
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_decode(v).map_err(|e| invalid(url, format!("{k}: {e}")))?;
            match k {
                "cluster" => {
                    if !is_ident(&v) {
                        return Err(invalid(url, format!("cluster {v:?} is not an identifier")));
                    }
                    cfg.cluster = Some(v);
                }
                "shards" => {
                    for s in v.split(',').filter(|s| !s.is_empty()) {
                        let n = parse_node(s).map_err(|e| invalid(url, format!("shards: {e}")))?;
                        if cfg.shards.contains(&n) {
                            return Err(invalid(url, format!("shard {n} listed twice")));
                        }
                        cfg.shards.push(n);
                    }
                }
                "user" => cfg.user = Some(v).filter(|v| !v.is_empty()),
                "password" => cfg.password = Some(v),
                "timeout" => {
                    let s: u64 = v
                        .parse()
                        .ok()
                        .filter(|s| (1..=86_400).contains(s))
                        .ok_or_else(|| invalid(url, "timeout must be 1..=86400 seconds"))?;
                    cfg.timeout = Duration::from_secs(s);
                }
                "retries" => {
                    cfg.retries = v
                        .parse()
                        .ok()
                        .filter(|r| *r <= 20)
                        .ok_or_else(|| invalid(url, "retries must be 0..=20"))?;
                }
                other => return Err(invalid(url, format!("unknown option {other:?}"))),
            }
        }
        match (&cfg.cluster, cfg.shards.is_empty()) {
            (Some(_), true) => {
                return Err(invalid(
                    url,
                    "cluster needs shards=HOST:HTTP_PORT,... (schema changes go to each shard)",
                ));
            }
            (None, false) => return Err(invalid(url, "shards given without cluster")),
            _ => {}
        }
        Ok(cfg)
    }

    /// The `{local}` suffix of shard-local tables.
    pub(crate) fn local_suffix(&self) -> &'static str {
        if self.cluster.is_some() { "_local" } else { "" }
    }

    /// Every node that gets schema: the shards (or the one server), plus
    /// the entry server if it is not a shard.
    pub(crate) fn nodes(&self) -> Vec<Node> {
        if self.cluster.is_none() {
            return vec![self.entry.clone()];
        }
        let mut v = self.shards.clone();
        if !v.contains(&self.entry) {
            v.push(self.entry.clone());
        }
        v
    }
}
