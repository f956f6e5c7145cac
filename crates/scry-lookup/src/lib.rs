//! Live look-ups of a domain nobody has ingested yet: DNS (A, AAAA, NS,
//! MX, TXT, SOA, CAA, CNAME for the name and its registrable domain, with
//! a wildcard probe), WHOIS over port 43 following the referral chain,
//! RDAP through the IANA bootstrap file (falling back to WHOIS when a TLD
//! has none), and the TLS certificate served for the name.
//!
//! The crate does not touch the store: [`Lookup::lookup`] returns a
//! [`DomainResult`] with the observations (same predicates and normal
//! forms as the file ingests: `active-dns`, `whois`, `rdap`, `tls`), the
//! raw documents (WHOIS text, RDAP JSON, DER certificates) and one
//! [`StepReport`] per step; a failed step is reported there and never
//! stops the others. The caller writes the result in one batch.
//!
//! Safety: every address reached because of untrusted data passes the
//! [`guard`]; referrals are bounded ([`whois::MAX_REFERRALS`]), every
//! connect and read has a timeout, responses are capped
//! ([`whois::MAX_WHOIS`], [`rdap::MAX_RDAP`]), and each server has a gate
//! ([`gate::GateLimits`]) bounding parallelism and spacing queries.

pub mod dns;
pub mod error;
pub mod gate;
pub mod guard;
pub mod rdap;
pub mod tls;
pub mod whois;

#[cfg(test)]
mod tests;

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use scry_model::{DomainName, Entity, Observation, Predicate, Window};

pub use error::{LookupError, Result};
pub use gate::GateLimits;
pub use guard::Guard;
pub use rdap::{Bootstrap, BootstrapSource};
pub use tls::CertInfo;
pub use whois::{ServerTable, WhoisConfig};

/// Source name of live DNS answers.
pub const SOURCE_DNS: &str = "active-dns";
/// Source name of certificates fetched live.
pub const SOURCE_TLS: &str = "tls";

/// Which steps to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct What {
    /// DNS.
    pub dns: bool,
    /// WHOIS.
    pub whois: bool,
    /// RDAP.
    pub rdap: bool,
    /// TLS.
    pub tls: bool,
}

impl What {
    /// Every step.
    pub const ALL: What = What {
        dns: true,
        whois: true,
        rdap: true,
        tls: true,
    };

    /// Parses `dns,whois,rdap,tls` (any subset).
    pub fn parse(s: &str) -> Result<What> {
        let mut w = What {
            dns: false,
            whois: false,
            rdap: false,
            tls: false,
        };
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.to_ascii_lowercase().as_str() {
                "dns" => w.dns = true,
                "whois" => w.whois = true,
                "rdap" => w.rdap = true,
                "tls" => w.tls = true,
                "all" => w = What::ALL,
                other => {
                    return Err(LookupError::Config(format!(
                        "unknown step {other:?} (dns, whois, rdap, tls)"
                    )));
                }
            }
        }
        if w == (What {
            dns: false,
            whois: false,
            rdap: false,
            tls: false,
        }) {
            return Err(LookupError::Config("no step chosen".into()));
        }
        Ok(w)
    }
}

/// A step of a look-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// The name itself (invalid input).
    Name,
    /// DNS.
    Dns,
    /// WHOIS.
    Whois,
    /// RDAP.
    Rdap,
    /// TLS.
    Tls,
}

/// How one step went.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepReport {
    /// The step.
    pub step: Step,
    /// Whether it produced what it was for.
    pub ok: bool,
    /// Why it failed (or what went partly wrong).
    pub error: Option<String>,
    /// What it did (servers asked, counts).
    pub detail: String,
    /// Observations it produced.
    pub observations: usize,
    /// Wall time.
    pub elapsed_ms: u64,
}

/// A raw document to keep.
#[derive(Debug, Clone)]
pub struct RawDocument {
    /// The name it is about (the registrable domain for WHOIS/RDAP, the
    /// looked-up name for certificates).
    pub subject: DomainName,
    /// `whois`, `rdap` or `cert`.
    pub kind: String,
    /// Where it came from (server, URL, `name@addr:port`).
    pub source: String,
    /// The bytes.
    pub body: Vec<u8>,
}

/// Everything one look-up found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DomainResult {
    /// The name as given.
    pub input: String,
    /// The name, normalised (empty when it is not a domain name).
    pub domain: String,
    /// Its registrable domain.
    pub registrable: String,
    /// The look-up time (epoch seconds): every observation's time.
    pub time: i64,
    /// Per-step reports.
    pub steps: Vec<StepReport>,
    /// Whether a random label under the registrable domain resolves.
    pub wildcard: Option<bool>,
    /// The WHOIS servers that answered, in order.
    pub whois_chain: Vec<String>,
    /// The RDAP URL that answered.
    pub rdap_url: Option<String>,
    /// The name's addresses.
    pub addresses: Vec<IpAddr>,
    /// The leaf certificate.
    pub certificate: Option<CertInfo>,
    /// Observations to store.
    #[serde(skip)]
    pub observations: Vec<Observation>,
    /// Documents to store.
    #[serde(skip)]
    pub documents: Vec<RawDocument>,
}

/// Everything a look-up can be pointed at.
#[derive(Debug, Clone)]
pub struct LookupConfig {
    /// Allow non-public addresses (tests, lab networks).
    pub allow_private: bool,
    /// The DNS resolver (`None`: the system's).
    pub resolver: Option<SocketAddr>,
    /// WHOIS.
    pub whois: WhoisConfig,
    /// RDAP bootstrap file.
    pub bootstrap: BootstrapSource,
    /// Port of the TLS step.
    pub tls_port: u16,
    /// Timeout of each network operation.
    pub timeout: Duration,
    /// Per-server limits.
    pub gates: GateLimits,
}

impl Default for LookupConfig {
    fn default() -> Self {
        let timeout = Duration::from_secs(10);
        LookupConfig {
            allow_private: false,
            resolver: None,
            whois: WhoisConfig {
                root: whois::IANA_ROOT.to_string(),
                table: ServerTable::default(),
                connect_to: Default::default(),
                timeouts: whois::Timeouts {
                    connect: Duration::from_secs(5),
                    io: timeout,
                    total: Duration::from_secs(30),
                },
            },
            bootstrap: BootstrapSource {
                url: rdap::IANA_DNS_BOOTSTRAP.to_string(),
                cache_dir: None,
                max_age: Duration::from_secs(86_400),
            },
            tls_port: 443,
            timeout,
            gates: GateLimits {
                per_server: 2,
                interval: Duration::from_millis(200),
                backoff: Duration::from_secs(5),
                max_wait: Duration::from_secs(60),
            },
        }
    }
}

/// The look-up engine: shared by every worker of a many-domain run.
pub struct Lookup {
    cfg: LookupConfig,
    guard: Guard,
    gates: gate::Gates,
    dns: std::result::Result<dns::Dns, String>,
    http: rdap::Http,
    tls: Arc<rustls::ClientConfig>,
    bootstrap: OnceLock<std::result::Result<(Bootstrap, i64), String>>,
}

impl std::fmt::Debug for Lookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lookup")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

impl Lookup {
    /// Builds the engine. A resolver that cannot be set up fails the DNS
    /// step of each look-up, not the engine.
    pub fn new(cfg: LookupConfig) -> Result<Lookup> {
        let guard = Guard {
            allow_private: cfg.allow_private,
            resolve_timeout: cfg.timeout,
        };
        Ok(Lookup {
            guard,
            gates: gate::Gates::new(cfg.gates),
            dns: dns::Dns::new(cfg.resolver, cfg.timeout.min(Duration::from_secs(5)))
                .map_err(|e| e.to_string()),
            http: rdap::Http::new(cfg.timeout),
            tls: tls::client_config()?,
            bootstrap: OnceLock::new(),
            cfg,
        })
    }

    /// The bootstrap file (loaded once per engine) and when it was fetched.
    pub fn bootstrap(&self, now: i64) -> std::result::Result<&(Bootstrap, i64), String> {
        self.bootstrap
            .get_or_init(|| {
                rdap::load_bootstrap(&self.cfg.bootstrap, &self.http, &self.guard, now)
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Looks `input` up; `now` is the observation time.
    pub fn lookup(&self, input: &str, what: What, now: i64) -> DomainResult {
        let mut res = DomainResult {
            input: input.to_string(),
            domain: String::new(),
            registrable: String::new(),
            time: now,
            steps: Vec::new(),
            wildcard: None,
            whois_chain: Vec::new(),
            rdap_url: None,
            addresses: Vec::new(),
            certificate: None,
            observations: Vec::new(),
            documents: Vec::new(),
        };
        let name = match DomainName::parse(input.trim().trim_end_matches('.')) {
            Ok(n) => n,
            Err(e) => {
                res.steps.push(StepReport {
                    step: Step::Name,
                    ok: false,
                    error: Some(e.to_string()),
                    detail: String::new(),
                    observations: 0,
                    elapsed_ms: 0,
                });
                return res;
            }
        };
        let reg = name.registrable_name();
        res.domain = name.ascii().to_string();
        res.registrable = reg.ascii().to_string();
        if what.dns {
            self.timed(&mut res, Step::Dns, |s, r| s.step_dns(&name, &reg, now, r));
        }
        let mut whois = what.whois;
        if what.rdap {
            let mut fallback = false;
            self.timed(&mut res, Step::Rdap, |s, r| {
                match s.step_rdap(&reg, now, r) {
                    Err(e @ LookupError::NoRdapService(_)) if !what.whois => {
                        fallback = true;
                        Err(LookupError::Config(format!("{e}; falling back to WHOIS")))
                    }
                    other => other,
                }
            });
            whois |= fallback;
        }
        if whois {
            self.timed(&mut res, Step::Whois, |s, r| s.step_whois(&reg, now, r));
        }
        if what.tls {
            self.timed(&mut res, Step::Tls, |s, r| s.step_tls(&name, now, r));
        }
        res
    }

    /// Looks every name up with `concurrency` workers, handing each result
    /// to `on` on the calling thread as it completes. Per-server gates
    /// bound the parallelism each server sees.
    pub fn lookup_many(
        &self,
        inputs: &[String],
        what: What,
        concurrency: usize,
        now: i64,
        on: &mut dyn FnMut(DomainResult),
    ) {
        let next = AtomicUsize::new(0);
        let (tx, rx) = std::sync::mpsc::sync_channel::<DomainResult>(concurrency.max(1) * 2);
        std::thread::scope(|scope| {
            for _ in 0..concurrency.clamp(1, 256).min(inputs.len().max(1)) {
                let tx = tx.clone();
                let next = &next;
                scope.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(input) = inputs.get(i) else { break };
                        if tx.send(self.lookup(input, what, now)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            for r in rx {
                on(r);
            }
        });
    }

    fn timed(
        &self,
        res: &mut DomainResult,
        step: Step,
        f: impl FnOnce(&Self, &mut DomainResult) -> Result<String>,
    ) {
        let started = Instant::now();
        let before = res.observations.len();
        let out = f(self, res);
        let observations = res.observations.len() - before;
        let (ok, error, detail) = match out {
            Ok(detail) => (true, None, detail),
            Err(e) => (false, Some(e.to_string()), String::new()),
        };
        res.steps.push(StepReport {
            step,
            ok,
            error,
            detail,
            observations,
            elapsed_ms: started.elapsed().as_millis() as u64,
        });
    }

    fn step_dns(
        &self,
        name: &DomainName,
        reg: &DomainName,
        now: i64,
        res: &mut DomainResult,
    ) -> Result<String> {
        let dns = self.dns.as_ref().map_err(|e| LookupError::Dns(e.clone()))?;
        let mut names = vec![name.ascii().to_string()];
        if reg != name {
            names.push(reg.ascii().to_string());
        }
        let mut failures = Vec::new();
        let mut records = 0usize;
        for (i, n) in names.iter().enumerate() {
            let answers = dns.answers(n, now)?;
            if i == 0 {
                res.addresses = answers.addresses.clone();
            }
            failures.extend(answers.failures);
            records += answers.records.len();
            for r in answers.records {
                // Records outside the vocabulary's id space or with
                // unnormalisable names are skipped, as in pDNS ingest.
                if let Ok(o) = r.to_observation(SOURCE_DNS, now) {
                    res.observations.push(o);
                }
            }
        }
        let wildcard = match dns.wildcard(reg.ascii()) {
            Ok(w) => Some(w),
            Err(e) => {
                failures.push(format!("wildcard probe: {e}"));
                None
            }
        };
        res.wildcard = wildcard;
        let asked = names.len() * dns::TYPES.len();
        if failures.len() >= asked || (records == 0 && !failures.is_empty()) {
            return Err(LookupError::Dns(failures.join("; ")));
        }
        let mut detail = format!("{records} records for {}", names.join(", "));
        if wildcard == Some(true) {
            detail.push_str("; wildcard zone");
        }
        if !failures.is_empty() {
            detail.push_str(&format!("; failed: {}", failures.join("; ")));
        }
        Ok(detail)
    }

    fn step_rdap(&self, reg: &DomainName, now: i64, res: &mut DomainResult) -> Result<String> {
        let (boot, fetched) = self.bootstrap(now).map_err(LookupError::Bootstrap)?;
        let tld = reg.ascii().rsplit('.').next().unwrap_or("").to_string();
        let urls = boot
            .urls_for(reg.ascii())
            .filter(|u| !u.is_empty())
            .ok_or(LookupError::NoRdapService(tld))?;
        let mut last = None;
        for base in urls.iter().take(3) {
            let url = rdap::domain_url(base, reg.ascii());
            let host = rdap::host_port(&url).map(|(h, _)| h).unwrap_or_default();
            let got = self
                .gates
                .acquire(&format!("rdap:{host}"))
                .and_then(|_permit| self.http.get(&url, &self.guard, false, rdap::MAX_RDAP));
            match got {
                Ok((final_url, body)) => {
                    let rec = scry_parse::parse_rdap(&body)?;
                    res.observations
                        .extend(rec.to_observations(now, "rdap", now));
                    res.documents.push(RawDocument {
                        subject: reg.clone(),
                        kind: "rdap".into(),
                        source: final_url.clone(),
                        body,
                    });
                    res.rdap_url = Some(final_url.clone());
                    return Ok(format!(
                        "{final_url} (bootstrap published {}, fetched {})",
                        boot.publication.as_deref().unwrap_or("?"),
                        scry_model::format_time(*fetched)
                    ));
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| LookupError::NoRdapService(reg.ascii().to_string())))
    }

    fn step_whois(&self, reg: &DomainName, now: i64, res: &mut DomainResult) -> Result<String> {
        let chain = whois::lookup(&self.cfg.whois, &self.guard, &self.gates, reg.ascii());
        res.whois_chain = chain.hops.iter().map(|h| h.server.clone()).collect();
        // Facts from the most specific answer with data (the registrar's,
        // else the registry's); every answer with data is kept.
        let mut used = None;
        for h in chain.hops.iter().rev() {
            if h.has_data {
                let rec = scry_parse::parse_whois_bytes(&h.body);
                if rec.domain.as_deref().is_some_and(|d| {
                    d.eq_ignore_ascii_case(reg.ascii())
                        || DomainName::parse(d).is_ok_and(|n| n == *reg)
                }) {
                    res.observations
                        .extend(rec.to_observations(now, "whois", now));
                    used = Some(h.server.clone());
                    break;
                }
            }
        }
        for h in &chain.hops {
            if h.has_data {
                res.documents.push(RawDocument {
                    subject: reg.clone(),
                    kind: "whois".into(),
                    source: h.server.clone(),
                    body: h.body.clone(),
                });
            }
        }
        let detail = format!(
            "{}{}",
            res.whois_chain.join(" -> "),
            used.as_ref()
                .map(|u| format!("; facts from {u}"))
                .unwrap_or_default()
        );
        match (chain.error, &used) {
            (Some(e), None) => Err(e),
            // Data, but the chain stopped early: report both.
            (Some(e), Some(_)) => Ok(format!("{detail}; stopped: {e}")),
            (None, Some(_)) => Ok(detail),
            (None, None) if chain.hops.is_empty() => {
                Err(LookupError::NoWhoisServer(reg.ascii().to_string()))
            }
            (None, None) => Err(LookupError::Config(format!(
                "no registration data for {} ({detail})",
                reg.ascii()
            ))),
        }
    }

    fn step_tls(&self, name: &DomainName, now: i64, res: &mut DomainResult) -> Result<String> {
        let addrs = if res.addresses.is_empty() {
            let dns = self.dns.as_ref().map_err(|e| LookupError::Dns(e.clone()))?;
            dns.addresses(name.ascii())?
        } else {
            res.addresses.clone()
        };
        if addrs.is_empty() {
            return Err(LookupError::Resolve {
                host: name.ascii().to_string(),
                message: "no addresses".into(),
            });
        }
        let mut last = None;
        for ip in addrs.iter().take(3) {
            if let Err(e) = self.guard.check(name.ascii(), *ip) {
                last = Some(e);
                continue;
            }
            let got = self.gates.acquire(&format!("tls:{ip}")).and_then(|_p| {
                tls::fetch_chain(
                    &self.tls,
                    name.ascii(),
                    *ip,
                    self.cfg.tls_port,
                    self.cfg.timeout,
                )
            });
            let chain = match got {
                Ok(c) => c,
                Err(e) => {
                    last = Some(e);
                    continue;
                }
            };
            let Some(leaf) = chain.first() else { continue };
            let info = tls::cert_info(leaf)?;
            let server = format!(
                "{}@{}",
                name.ascii(),
                SocketAddr::new(*ip, self.cfg.tls_port)
            );
            self.cert_observations(name, &info, now, res);
            for (i, der) in chain.iter().enumerate() {
                res.documents.push(RawDocument {
                    subject: name.clone(),
                    kind: "cert".into(),
                    source: if i == 0 {
                        server.clone()
                    } else {
                        format!("{server}#{i}")
                    },
                    body: der.clone(),
                });
            }
            let detail = format!(
                "{server}: {} certificate(s), leaf {} issued by {}",
                chain.len(),
                info.sha256,
                info.issuer
            );
            res.certificate = Some(info);
            return Ok(detail);
        }
        Err(last.unwrap_or_else(|| LookupError::Tls {
            server: name.ascii().to_string(),
            message: "no address tried".into(),
        }))
    }

    fn cert_observations(
        &self,
        name: &DomainName,
        info: &CertInfo,
        now: i64,
        res: &mut DomainResult,
    ) {
        let w = Window {
            first_seen: now,
            last_seen: now,
            count: 1,
        };
        let subject = Entity::Domain(name.clone());
        let mut push = |p: Predicate, v: &str| {
            if let Ok(o) = Entity::parse(p.object_kind(), v)
                && let Ok(ob) =
                    Observation::new(subject.clone(), p, o, w, SOURCE_TLS.to_string(), now)
            {
                res.observations.push(ob);
            }
        };
        push(Predicate::SSL_HASH, &info.sha256);
        push(
            Predicate::SSL_SUBJECT,
            info.subject_cn.as_deref().unwrap_or(&info.subject),
        );
        push(
            Predicate::SSL_ISSUER,
            info.issuer_name.as_deref().unwrap_or(&info.issuer),
        );
        for san in &info.alt_names {
            push(
                Predicate::SSL_ALT_NAMES,
                san.strip_prefix("*.").unwrap_or(san),
            );
        }
    }
}
