//! RDAP through the IANA bootstrap file (`dns.json`, RFC 9224): which base
//! URLs serve a TLD, the file cached in the data dir with the time it was
//! fetched, and the domain query itself (redirects followed by hand so
//! each hop passes the guard; responses capped at [`MAX_RDAP`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{LookupError, Result};
use crate::guard::Guard;

/// Largest RDAP response read.
pub const MAX_RDAP: u64 = 4 << 20;
/// Largest bootstrap file read.
pub const MAX_BOOTSTRAP: u64 = 4 << 20;
/// The IANA bootstrap file for domain names.
pub const IANA_DNS_BOOTSTRAP: &str = "https://data.iana.org/rdap/dns.json";
/// Redirects followed.
const MAX_REDIRECTS: usize = 3;

/// A parsed bootstrap file.
#[derive(Debug, Clone, Default)]
pub struct Bootstrap {
    /// Its `publication` date, as written.
    pub publication: Option<String>,
    services: Vec<(Vec<String>, Vec<String>)>,
}

#[derive(serde::Deserialize)]
struct RawBootstrap {
    publication: Option<String>,
    services: Vec<(Vec<String>, Vec<String>)>,
}

impl Bootstrap {
    /// Parses a bootstrap file.
    pub fn parse(bytes: &[u8]) -> Result<Bootstrap> {
        let raw: RawBootstrap = serde_json::from_slice(bytes)
            .map_err(|e| LookupError::Bootstrap(format!("invalid json: {e}")))?;
        let services = raw
            .services
            .into_iter()
            .map(|(tlds, urls)| {
                (
                    tlds.into_iter()
                        .map(|t| t.trim().trim_matches('.').to_ascii_lowercase())
                        .collect(),
                    urls,
                )
            })
            .collect();
        Ok(Bootstrap {
            publication: raw.publication,
            services,
        })
    }

    /// Number of services.
    pub fn len(&self) -> usize {
        self.services.len()
    }

    /// Whether it has no services.
    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    /// The base URLs for `domain`: the service of its longest matching
    /// label suffix; https first.
    pub fn urls_for(&self, domain: &str) -> Option<Vec<String>> {
        let mut best: Option<(usize, &Vec<String>)> = None;
        for (tlds, urls) in &self.services {
            for t in tlds {
                let m = domain == t || domain.ends_with(&format!(".{t}"));
                if m && best.is_none_or(|(len, _)| t.len() > len) {
                    best = Some((t.len(), urls));
                }
            }
        }
        let mut urls = best?.1.clone();
        urls.sort_by_key(|u| !u.starts_with("https:"));
        Some(urls)
    }
}

/// The HTTP side of RDAP.
#[derive(Debug, Clone)]
pub(crate) struct Http {
    agent: ureq::Agent,
}

impl Http {
    pub(crate) fn new(timeout: Duration) -> Http {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(5))))
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .user_agent(concat!("scry/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Http { agent }
    }

    /// GETs `url`, following up to three redirects; every hop's host is
    /// checked by the guard unless `trusted` (the operator's own URL, for
    /// the first hop only). Returns the final URL and the body.
    pub(crate) fn get(
        &self,
        url: &str,
        guard: &Guard,
        trusted: bool,
        limit: u64,
    ) -> Result<(String, Vec<u8>)> {
        let mut url = url.to_string();
        for hop in 0..=MAX_REDIRECTS {
            if !(trusted && hop == 0) {
                let (host, port) = host_port(&url)?;
                guard.resolve(&host, port)?;
            }
            let herr = |message: String| LookupError::Http {
                url: url.clone(),
                message,
            };
            let mut resp = self
                .agent
                .get(&url)
                .header("Accept", "application/rdap+json, application/json")
                .call()
                .map_err(|e| herr(e.to_string()))?;
            let status = resp.status().as_u16();
            if (300..400).contains(&status) {
                let loc = resp
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| herr(format!("status {status} without Location")))?;
                url = join(&url, loc);
                continue;
            }
            if status != 200 {
                return Err(herr(format!("status {status}")));
            }
            let body = resp
                .body_mut()
                .with_config()
                .limit(limit)
                .read_to_vec()
                .map_err(|e| match e {
                    ureq::Error::BodyExceedsLimit(_) => {
                        herr(format!("body larger than {limit} bytes"))
                    }
                    e => herr(e.to_string()),
                })?;
            return Ok((url, body));
        }
        Err(LookupError::Http {
            url,
            message: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }
}

/// Host and port of an `http(s)://` URL.
pub fn host_port(url: &str) -> Result<(String, u16)> {
    let bad = || LookupError::Http {
        url: url.to_string(),
        message: "not an http(s) URL with a host".into(),
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let default = match scheme.to_ascii_lowercase().as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(bad()),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = if let Some(r) = authority.strip_prefix('[') {
        let (h, tail) = r.split_once(']').ok_or_else(bad)?;
        let port = match tail.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| bad())?,
            None => default,
        };
        (h.to_string(), port)
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().map_err(|_| bad())?),
            None => (authority.to_string(), default),
        }
    };
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host.to_ascii_lowercase(), port))
}

fn join(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let origin_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|s| base[s..].find('/').map(|j| s + j))
        .unwrap_or(base.len());
    if location.starts_with('/') {
        format!("{}{}", &base[..origin_end], location)
    } else {
        let dir_end = base
            .rfind('/')
            .filter(|&i| i >= origin_end)
            .unwrap_or(origin_end);
        format!("{}/{}", &base[..dir_end], location)
    }
}

/// The domain query URL under a base URL.
pub fn domain_url(base: &str, domain: &str) -> String {
    format!("{}/domain/{}", base.trim_end_matches('/'), domain)
}

/// Where the bootstrap file is cached, and for how long it is used.
#[derive(Debug, Clone)]
pub struct BootstrapSource {
    /// URL (`http(s)://`) or local path of `dns.json`.
    pub url: String,
    /// Cache directory (`None`: no cache).
    pub cache_dir: Option<PathBuf>,
    /// Age after which the cache is fetched again.
    pub max_age: Duration,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Cached {
    url: String,
    fetched_at: i64,
    publication: Option<String>,
    body: String,
}

/// Loads the bootstrap: from the cache if it holds this URL's file and is
/// young enough, else from the URL (then cached with its fetch time).
/// Returns the file and when it was fetched.
pub(crate) fn load_bootstrap(
    src: &BootstrapSource,
    http: &Http,
    guard: &Guard,
    now: i64,
) -> Result<(Bootstrap, i64)> {
    let cache = src
        .cache_dir
        .as_ref()
        .map(|d| d.join("rdap-dns-bootstrap.json"));
    if let Some(path) = &cache
        && let Ok(bytes) = std::fs::read(path)
        && let Ok(c) = serde_json::from_slice::<Cached>(&bytes)
        && c.url == src.url
        && now.saturating_sub(c.fetched_at) < src.max_age.as_secs() as i64
        && let Ok(b) = Bootstrap::parse(c.body.as_bytes())
    {
        return Ok((b, c.fetched_at));
    }
    let body = if src.url.starts_with("http://") || src.url.starts_with("https://") {
        http.get(&src.url, guard, true, MAX_BOOTSTRAP)?.1
    } else {
        read_capped(Path::new(src.url.trim_start_matches("file://")))?
    };
    let boot = Bootstrap::parse(&body)?;
    if let Some(path) = &cache {
        let c = Cached {
            url: src.url.clone(),
            fetched_at: now,
            publication: boot.publication.clone(),
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        // The cache is an optimisation: failing to write it is not an error.
        if let Ok(json) = serde_json::to_vec(&c) {
            let tmp = path.with_extension("tmp");
            if std::fs::write(&tmp, json).is_ok() {
                let _ = std::fs::rename(&tmp, path);
            }
        }
    }
    Ok((boot, now))
}

fn read_capped(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path)
        .map_err(|e| LookupError::Bootstrap(format!("{}: {e}", path.display())))?;
    let mut body = Vec::new();
    f.take(MAX_BOOTSTRAP + 1)
        .read_to_end(&mut body)
        .map_err(|e| LookupError::Bootstrap(format!("{}: {e}", path.display())))?;
    if body.len() as u64 > MAX_BOOTSTRAP {
        return Err(LookupError::Bootstrap(format!(
            "{}: larger than {MAX_BOOTSTRAP} bytes",
            path.display()
        )));
    }
    Ok(body)
}

#[cfg(test)]
mod tests;
