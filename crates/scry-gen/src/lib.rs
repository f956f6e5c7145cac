//! A deterministic generator of a coherent synthetic internet, written in
//! the real file formats Scry ingests.
//!
//! [`generate`] writes into an output directory:
//!
//! | path | format |
//! | --- | --- |
//! | `zones/<tld>/<YYYY-MM-DD>.zone` | RFC 1035 master files like ICANN CZDS: SOA with a date serial, NS delegations, glue, DS |
//! | `whois/<YYYY-MM-DD>/<domain>.txt` | WHOIS text in the ICANN 2013 RAA registrar format |
//! | `rdap/<YYYY-MM-DD>/<domain>.json` | RDAP domain JSON (RFC 9083, jCard, RFC 9537 redaction) |
//! | `pdns/<YYYY-MM-DD>.cof.ndjson` | passive DNS in the Common Output Format |
//! | `ct/<YYYY-MM-DD>.jsonl` | certificate-transparency entries, certstream JSON |
//! | `asn/ip2asn-v4.tsv`, `asn/ip2asn-v6.tsv` | IP-to-ASN tables in ip2asn TSV |
//! | `feeds/*.txt`, `feeds/urlhaus.csv` | threat feeds: plain domain lists and a URLhaus CSV dump |
//! | `labels.ndjson` | ground truth, one line per domain |
//! | `manifest.json` | the configuration and the counts |
//!
//! **Determinism.** The bytes depend only on [`GenConfig`] (not on the
//! thread count, the clock or hash-map order): every value is drawn from the
//! crate's own xoshiro256++ generator seeded from `(seed, stream, index)`,
//! and per-chunk output is written in chunk order.
//!
//! **Memory.** Nothing per domain is kept for the whole run. A domain is a
//! pure function of `(seed, index)` and is recomputed when needed; campaigns
//! are blocks of 64 consecutive indices. What is kept: the fixed world
//! tables (a few thousand rows); the sorted list of renamed indices from the
//! uniqueness pass (names that collided with an earlier one: 4 % of domains
//! at 1 M, 13 % at 10 M; 16 bytes each); during that pass only,
//! one 64-bit fingerprint per name of the TLD group being checked (groups
//! hold at most about 30 M names, so at most about 0.6 GiB); and bounded
//! output buffers (two chunks of 8192 domains per worker). Measured peak RSS:
//! 0.15 GiB at 1 M domains, 0.21 GiB at 10 M.
//!
//! **World.** Registrars, DNS operators, hosting networks, mail providers,
//! certificate issuers and brands are real names with realistic shares (see
//! `tables.rs`), but every address is in space that is not routed on the
//! internet (100.64.0.0/10, 198.18.0.0/15, 2001:db8::/32), carved into
//! per-network allocations that `asn/ip2asn-*.tsv` describes. Threat actors
//! run campaigns: phishing look-alikes of a brand list registered in bursts
//! on cheap TLDs with a shared registrant, name servers and addresses (an
//! actor's later campaign often reuses an earlier one's); DGA families
//! (random letters, dictionary words, hex, syllables), some of whose
//! domains are sinkholed; spam campaigns; parked domains. Some actor domains
//! are in the feeds ("listed"), most are not.
//!
//! **Ground truth.** `labels.ndjson` has one object per domain (including
//! the infrastructure domains, marked `"infrastructure": true`): `domain`,
//! `label` (`benign`, `parked`, `phishing`, `malware_dga`, `spam`,
//! `sinkhole`), `actor` (`actor-NNNNN` or `dga-<family>`), `campaign`
//! (`campaign-NNNNNN` or `dga-<family>-NNNNNN`), `listed`, `brand` (the
//! imitated brand of a look-alike), `registered` (creation date),
//! `first_seen` (first zone file it is in) and `deleted` (first zone file
//! it is missing from, if any). Feeds: `feeds/phishing-domains.txt`,
//! `feeds/malware-domains.txt`, `feeds/spam-domains.txt` (one domain a line,
//! `#` comments) and `feeds/urlhaus.csv` (URLhaus CSV dump columns).
#![warn(missing_docs)]

mod emit;
mod names;
mod rng;
mod run;
mod tables;
mod words;
mod world;

use std::path::{Path, PathBuf};

use time::Date;
use time::macros::date;

pub use run::generate;

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct GenConfig {
    /// Number of generated (non-infrastructure) domains over the window.
    pub domains: u64,
    /// Number of daily snapshots (zone files, pDNS and CT days).
    pub days: u32,
    /// The seed: same seed and config, same bytes.
    pub seed: u64,
    /// Date of day 0.
    pub start_date: Date,
    /// Share of benign domains with WHOIS/RDAP records (default 0.01).
    pub whois_benign: f64,
    /// Share of actor domains (phishing, DGA, spam, sinkhole) with WHOIS/RDAP
    /// records (default 0.25).
    pub whois_actor: f64,
    /// Worker threads (the output does not depend on it). Default: the
    /// available parallelism, at most 4.
    pub threads: usize,
    /// Optional word list (one word a line, e.g. dnstwist's `english.dict`)
    /// that enlarges the benign vocabulary. The generator needs no data
    /// files; a different list gives different names.
    pub dictionary: Option<PathBuf>,
}

impl Default for GenConfig {
    fn default() -> GenConfig {
        GenConfig {
            domains: 50_000,
            days: 7,
            seed: 1,
            start_date: date!(2026 - 01 - 01),
            whois_benign: 0.01,
            whois_actor: 0.25,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
            dictionary: None,
        }
    }
}

impl GenConfig {
    /// The default configuration with the given size and seed.
    pub fn new(domains: u64, days: u32, seed: u64) -> GenConfig {
        GenConfig {
            domains,
            days,
            seed,
            ..GenConfig::default()
        }
    }
}

/// The phase a [`Progress`] report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// Checking that every generated name is unique.
    Names,
    /// Generating and writing domains (one pass per group of days).
    Domains,
}

/// A progress report, delivered on the calling thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// What is being done.
    pub phase: Phase,
    /// Units done in this phase (domains; the domain phase counts each
    /// domain once per group of up to 16 days).
    pub done: u64,
    /// Units in this phase.
    pub total: u64,
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GenSummary {
    /// Generated domains (without infrastructure domains).
    pub domains: u64,
    /// Infrastructure domains (DNS operators, brands) present every day.
    pub infrastructure: u64,
    /// Domains per label, in label order (benign, parked, phishing,
    /// malware_dga, spam, sinkhole).
    pub labels: Vec<(String, u64)>,
    /// Listed (known-bad) domains across all feeds.
    pub listed: u64,
    /// Resource records in all zone files.
    pub zone_records: u64,
    /// Passive-DNS records.
    pub pdns_records: u64,
    /// Certificate-transparency entries.
    pub ct_entries: u64,
    /// WHOIS records (and as many RDAP records).
    pub whois_records: u64,
    /// Names renamed by the uniqueness pass.
    pub renamed: u64,
    /// Files written.
    pub files: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenError {
    /// The configuration cannot be generated.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A name could not be made unique (the name space is exhausted).
    #[error("could not find a unique name for domain index {0}")]
    NameSpace(u64),
    /// A worker thread panicked (a bug).
    #[error("generator worker failed: {0}")]
    Worker(String),
}

impl GenError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> GenError {
        GenError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

#[cfg(test)]
mod tests;

/// The brands the world's phishing campaigns imitate: `(key, domain)`, the
/// key being what `labels.ndjson` names in `brand`.
pub fn brands() -> impl Iterator<Item = (&'static str, &'static str)> {
    tables::BRANDS.iter().map(|b| (b.key, b.domain))
}
