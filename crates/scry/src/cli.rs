//! Command-line definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Scry: self-hosted domain intelligence.
#[derive(Debug, Parser)]
#[command(name = "scry", version, about, long_about = None)]
pub(crate) struct Cli {
    /// Embedded data directory.
    #[arg(long, global = true, env = "SCRY_DATA", default_value = "./scry-data")]
    pub(crate) data_dir: PathBuf,
    /// Another fact engine, e.g. `clickhouse://127.0.0.1:8123/scry`; wins over --data-dir for facts
    /// (the data dir still holds the state store).
    #[arg(long, global = true, env = "SCRY_STORE")]
    pub(crate) store: Option<String>,
    /// More logging (-v info, -vv debug); SCRY_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Only errors.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Normalise names: A-label, U-label, registrable domain, suffix, flags.
    Name(NameArgs),
    /// Import data into the store.
    #[command(subcommand)]
    Ingest(IngestCmd),
    /// Everything known about a domain, with pivot counts.
    Profile(ProfileArgs),
    /// Look domains up live (DNS, WHOIS, RDAP, TLS) and store what is found.
    Lookup(LookupArgs),
    /// The domains sharing a value.
    Pivot(PivotArgs),
    /// Boolean search over pivots: 'FIELD=VALUE AND (FIELD=VALUE OR ...) AND NOT ...'.
    Search(SearchArgs),
    /// The pivot fields (predicate vocabulary).
    Fields(JsonArg),
    /// Store maintenance.
    #[command(subcommand)]
    Store(StoreCmd),
    /// Ingest a small bundled investigation and walk through it.
    Demo(DemoArgs),
    /// Parse a file and print the normalised record as JSON (no store needed).
    #[command(subcommand)]
    Parse(ParseCmd),
    /// A domain's registration history (WHOIS and RDAP) and what changed.
    Whois(WhoisArgs),
    /// Domains whose registration data contains every term.
    ReverseWhois(ReverseWhoisArgs),
    /// Zone snapshots.
    #[command(subcommand)]
    Zone(ZoneCmd),
    /// Passive DNS lookups with DNSDB semantics.
    #[command(subcommand)]
    Pdns(PdnsCmd),
    /// Live sensors that store what they observe as it arrives.
    #[command(subcommand)]
    Sensor(SensorCmd),
    /// Look-alike domains: generate a brand's permutations, or find imitations in a stream.
    #[command(subcommand)]
    Lookalike(LookalikeCmd),
    /// Write a deterministic synthetic internet in the real file formats.
    Generate(GenerateArgs),
    /// Brand, name-server, registrant and IP monitors over the event log.
    #[command(subcommand)]
    Monitor(MonitorCmd),
    /// Alerts raised by monitors: list, triage.
    #[command(subcommand)]
    Alerts(AlertsCmd),
    /// Train the threat-profile model (phishing, malware/DGA, spam) from labelled data.
    Train(crate::cmd::train::TrainArgs),
    /// Measure the threat-profile model on held-out real names and a synthetic world.
    Evaluate(crate::cmd::train::EvaluateArgs),
    /// Risk scores 0-100 of domains, IPs and e-mail addresses, with components and evidence.
    Risk(RiskArgs),
    /// Recompute the stored proximity of every domain near a listed one (run after ingests).
    Rescore(RescoreArgs),
    /// The threat feeds ingested, with their versions.
    Feeds(JsonArg),
    /// The infrastructure graph around a domain or `field=value` (JSON nodes and edges, or CSV edges).
    Graph(GraphArgs),
    /// A blocklist from a selection: an RPZ zone or a plain list.
    Export(ExportArgs),
    /// The REST API (keys required; see /api/v1/openapi.json).
    Serve(ServeArgs),
    /// API keys for `scry serve`.
    #[command(subcommand)]
    Keys(KeysCmd),
}

#[derive(Debug, Args)]
pub(crate) struct GraphArgs {
    /// A domain, or `field=value` (e.g. `registrant_email=a@b.example`).
    pub(crate) seed: String,
    /// Hops from the seed (0-4).
    #[arg(long, default_value_t = 2)]
    pub(crate) depth: usize,
    /// Nodes at most.
    #[arg(long, default_value_t = 500)]
    pub(crate) max_nodes: usize,
    /// Values held by more domains are shown but not expanded.
    #[arg(long, default_value_t = 200)]
    pub(crate) max_fanout: u64,
    /// Edges as CSV (source,target,field,first_seen,last_seen,current) instead of a table.
    #[arg(long, conflicts_with = "json")]
    pub(crate) csv: bool,
    /// Nodes and edges as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// rpz or list.
    pub(crate) format: String,
    /// Domains to include.
    pub(crate) domains: Vec<String>,
    /// Also every line of FILE (`#` comments).
    #[arg(long)]
    pub(crate) file: Option<PathBuf>,
    /// Also the domains of the graph around SEED (a domain or field=value)...
    #[arg(long)]
    pub(crate) graph: Option<String>,
    /// ...whose quick risk is at least this.
    #[arg(long, default_value_t = 0)]
    pub(crate) min_risk: u8,
    /// The RPZ zone's origin.
    #[arg(long, default_value = "rpz.scry")]
    pub(crate) origin: String,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8640")]
    pub(crate) listen: std::net::SocketAddr,
    /// Requests a minute per API key.
    #[arg(long, default_value_t = 600)]
    pub(crate) rate_limit: u32,
    /// Serve HTTPS with this certificate chain (PEM; needs --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCmd {
    /// Make a key; prints it alone on stdout (shown once, stored hashed).
    Create(KeysCreateArgs),
    /// The keys (ids, names, scopes; never the secrets).
    List(JsonArg),
    /// Revoke a key by id.
    Revoke(KeysRevokeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct KeysCreateArgs {
    /// read, write or admin.
    #[arg(long, default_value = "read")]
    pub(crate) scope: String,
    /// A name for people (who or what uses it).
    #[arg(long, default_value = "")]
    pub(crate) name: String,
}

#[derive(Debug, Args)]
pub(crate) struct KeysRevokeArgs {
    /// The key's id (from `scry keys list`).
    pub(crate) id: String,
}

#[derive(Debug, Args)]
pub(crate) struct RiskArgs {
    /// Domains, IPs or e-mail addresses.
    #[arg(required_unless_present = "batch")]
    pub(crate) indicators: Vec<String>,
    /// Score every line of FILE (`-` for stdin); prints one JSON object a line, in input order, as it goes.
    #[arg(long, conflicts_with = "indicators")]
    pub(crate) batch: Option<PathBuf>,
    /// Scoring threads for `--batch` (default: the machine's cores, at most 8).
    #[arg(long, requires = "batch", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) jobs: Option<u16>,
    /// Machine-readable output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RescoreArgs {
    /// A full pass even when the event log says little changed (the default
    /// rescores only the domains named by events since the last rescore,
    /// and makes a full pass when a feed changed or on the first run).
    #[arg(long)]
    pub(crate) full: bool,
    /// Progress display.
    #[arg(long, value_enum, default_value_t = ProgressMode::Bar)]
    pub(crate) progress: ProgressMode,
    /// Machine-readable output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum MonitorCmd {
    /// Add a monitor.
    Add(MonitorAddArgs),
    /// List monitors.
    List(JsonArg),
    /// Remove a monitor (its alerts stay).
    Remove(IdArg),
    /// Examine the events each monitor has not seen yet; raise alerts.
    Run(JsonArg),
}

#[derive(Debug, Args)]
pub(crate) struct MonitorAddArgs {
    /// brand, nameserver, registrant or ip.
    #[arg(long)]
    pub(crate) kind: String,
    /// A name for people.
    #[arg(long)]
    pub(crate) name: String,
    /// What to watch (repeatable): brand domains, name servers (host or domain), registrant e-mail/name/org, IPs or prefixes.
    #[arg(long, required = true)]
    pub(crate) term: Vec<String>,
    /// Terms whose look-alike matches are not alerts (repeatable).
    #[arg(long)]
    pub(crate) exclude: Vec<String>,
    /// Brand monitors: also match the brand and its look-alike variations
    /// inside longer labels (`secure-paypa1-login.com` for `paypal.com`).
    #[arg(long)]
    pub(crate) match_substring_variations: bool,
    /// Print the monitor as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct IdArg {
    /// The id.
    pub(crate) id: u64,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AlertsCmd {
    /// List alerts.
    List(AlertsListArgs),
    /// Move an alert to a new state (watched, ignored, blocked, takedown-requested, taken-down).
    SetState(AlertsSetArgs),
    /// The morning review: alerts raised on a day, by monitor, with what is still open.
    Digest(AlertsDigestArgs),
    /// One alert with its triage history and delivery attempts.
    Show(AlertsShowArgs),
    /// Where new alerts are delivered: webhook, syslog (CEF), Splunk HEC, e-mail.
    #[command(subcommand)]
    Destination(DestinationCmd),
    /// Queue new alerts for every destination and deliver them, with retries
    /// (exit status 1 while alerts remain queued).
    Deliver(AlertsDeliverArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AlertsShowArgs {
    /// The alert.
    pub(crate) id: u64,
    /// Machine-readable output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct AlertsDeliverArgs {
    /// One pass: deliver what is due now, do not wait for retries.
    #[arg(long)]
    pub(crate) once: bool,
    /// Stop waiting for retries after this many seconds (the data dir stays
    /// locked meanwhile: run it after `monitor run`, from cron).
    #[arg(long, default_value_t = 60)]
    pub(crate) max_time: u64,
    /// Machine-readable output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DestinationCmd {
    /// Add a destination (it receives alerts raised from now on).
    #[command(subcommand)]
    Add(DestinationAddCmd),
    /// List destinations with their queue counts (secrets are not shown).
    List(JsonArg),
    /// Remove a destination and its queue (the delivery audit stays).
    Remove(IdArg),
    /// Queue again the alerts a destination's receiver refused (after fixing it).
    Requeue(IdArg),
}

#[derive(Debug, Subcommand)]
pub(crate) enum DestinationAddCmd {
    /// One signed JSON POST per alert.
    Webhook(DestWebhookArgs),
    /// RFC 5424 syslog with a CEF payload, UDP or TCP.
    Syslog(DestSyslogArgs),
    /// Splunk HTTP Event Collector.
    Hec(DestHecArgs),
    /// An e-mail digest of new alerts over SMTP.
    Smtp(DestSmtpArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DestCommon {
    /// A name for people.
    #[arg(long)]
    pub(crate) name: String,
    /// Most alerts waiting in the queue (when full, new alerts wait in the alert log).
    #[arg(long)]
    pub(crate) max_queue: Option<u32>,
    /// First retry delay in milliseconds (doubles per failure, up to an hour).
    #[arg(long)]
    pub(crate) backoff_ms: Option<u64>,
    /// Alerts per delivery step (HEC POST, syslog connection, e-mail).
    #[arg(long)]
    pub(crate) batch: Option<u32>,
    /// Also deliver the alerts raised before the destination was added.
    #[arg(long)]
    pub(crate) backfill: bool,
    /// Print the destination (without secrets) as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DestWebhookArgs {
    #[command(flatten)]
    pub(crate) common: DestCommon,
    /// http://HOST[:PORT]/PATH
    #[arg(long)]
    pub(crate) url: String,
    /// HMAC-SHA256 key (16+ bytes), stored and never shown again.
    #[arg(long, env = "SCRY_WEBHOOK_SECRET", hide_env_values = true)]
    pub(crate) secret: String,
}

#[derive(Debug, Args)]
pub(crate) struct DestSyslogArgs {
    #[command(flatten)]
    pub(crate) common: DestCommon,
    /// HOST:PORT of the syslog receiver.
    #[arg(long)]
    pub(crate) address: String,
    /// udp or tcp (octet-counting framing).
    #[arg(long, default_value = "udp")]
    pub(crate) transport: String,
    /// Syslog facility 0-23.
    #[arg(long, default_value_t = 16)]
    pub(crate) facility: u8,
    /// HOSTNAME field (default: this machine's name).
    #[arg(long)]
    pub(crate) hostname: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct DestHecArgs {
    #[command(flatten)]
    pub(crate) common: DestCommon,
    /// http://HOST:PORT[/services/collector/event]
    #[arg(long)]
    pub(crate) url: String,
    /// HEC token, stored and never shown again.
    #[arg(long, env = "SCRY_HEC_TOKEN", hide_env_values = true)]
    pub(crate) token: String,
    /// sourcetype of the events.
    #[arg(long, default_value = "scry:alert")]
    pub(crate) sourcetype: String,
    /// Index (default: the token's).
    #[arg(long)]
    pub(crate) index: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct DestSmtpArgs {
    #[command(flatten)]
    pub(crate) common: DestCommon,
    /// HOST:PORT of an SMTP relay (no TLS, no AUTH).
    #[arg(long)]
    pub(crate) server: String,
    /// Sender address.
    #[arg(long)]
    pub(crate) from: String,
    /// Recipient (repeatable).
    #[arg(long, required = true)]
    pub(crate) to: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct AlertsDigestArgs {
    /// The day (YYYY-MM-DD; default: today, UTC).
    #[arg(long)]
    pub(crate) date: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct AlertsListArgs {
    /// Only alerts in this state.
    #[arg(long)]
    pub(crate) state: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct AlertsSetArgs {
    /// The alert.
    pub(crate) id: u64,
    /// The new state.
    pub(crate) state: String,
    /// Who (default: $USER).
    #[arg(long)]
    pub(crate) who: Option<String>,
    /// Why.
    #[arg(long)]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum LookalikeCmd {
    /// Every permutation of a domain, tagged with its technique(s).
    Generate(LookalikeGenerateArgs),
    /// Read domains (one per line) on stdin; print one NDJSON line per imitation of a brand.
    Match(LookalikeMatchArgs),
}

#[derive(Debug, Args)]
pub(crate) struct LookalikeGenerateArgs {
    /// The brand's domain.
    pub(crate) domain: String,
    /// Only these techniques (comma-separated dnstwist names, e.g. omission,homoglyph).
    #[arg(long, value_delimiter = ',')]
    pub(crate) fuzzers: Vec<String>,
    /// Dictionary for dictionary/combosquat permutations (one word per line).
    #[arg(long)]
    pub(crate) dictionary: Option<PathBuf>,
    /// TLD list for tld-swap (one per line).
    #[arg(long)]
    pub(crate) tld_dictionary: Option<PathBuf>,
    /// One JSON object per candidate.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct LookalikeMatchArgs {
    /// A brand's domain (repeatable).
    #[arg(long)]
    pub(crate) brand: Vec<String>,
    /// A file of brand domains, one per line.
    #[arg(long)]
    pub(crate) brands: Option<PathBuf>,
    /// Terms never reported (repeatable).
    #[arg(long)]
    pub(crate) exclude: Vec<String>,
    /// Similarity threshold 0-100.
    #[arg(long, default_value_t = scry_lookalike::DEFAULT_THRESHOLD)]
    pub(crate) threshold: u8,
}

#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// Output directory (created).
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Domains over the window.
    #[arg(long, default_value_t = 50_000)]
    pub(crate) domains: u64,
    /// Daily snapshots.
    #[arg(long, default_value_t = 7)]
    pub(crate) days: u32,
    /// Seed: same seed, same bytes.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Share of actor domains with WHOIS/RDAP records (0..1).
    #[arg(long, default_value_t = 0.25)]
    pub(crate) whois_actor: f64,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ParseCmd {
    /// A WHOIS response (text).
    Whois(ParseFileArgs),
    /// An RDAP domain response (JSON).
    Rdap(ParseFileArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ParseFileArgs {
    /// The file.
    pub(crate) file: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct IngestRegArgs {
    /// Files or directories (walked recursively), one response per file.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// Observation time of every file (RFC 3339, YYYY-MM-DD or epoch); default: each file's mtime.
    #[arg(long)]
    pub(crate) date: Option<String>,
    /// Stop at the first bad file.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct WhoisArgs {
    /// The domain.
    pub(crate) domain: String,
    /// List every stored record (default: the current one).
    #[arg(long)]
    pub(crate) history: bool,
    /// Show what changed between records (between the two dates, when given).
    #[arg(long, num_args = 0..=2, value_name = "DATE")]
    pub(crate) diff: Option<Vec<String>>,
    /// Machine-readable output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ReverseWhoisArgs {
    /// Terms that must all appear (e-mail, name, organisation, phone, street).
    #[arg(required = true)]
    pub(crate) terms: Vec<String>,
    /// Domains with this term are left out (repeatable).
    #[arg(long)]
    pub(crate) exclude: Vec<String>,
    /// current: domains whose current record matches; historic: also earlier records.
    #[arg(long, value_enum, default_value_t = ReverseScope::Current)]
    pub(crate) scope: ReverseScope,
    /// Only these fields (repeatable), e.g. registrant_email.
    #[arg(long)]
    pub(crate) field: Vec<String>,
    /// Most domains listed.
    #[arg(long, default_value_t = 1000)]
    pub(crate) limit: usize,
    /// Machine-readable output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum ReverseScope {
    /// Current records.
    Current,
    /// Current and earlier records.
    Historic,
}

#[derive(Debug, Args)]
pub(crate) struct JsonArg {
    /// Machine-readable output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct NameArgs {
    /// Names to normalise.
    pub(crate) names: Vec<String>,
    /// Read names from standard input, one per line.
    #[arg(long)]
    pub(crate) stdin: bool,
    /// One JSON object per input line.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum ProgressMode {
    /// A progress bar on stderr when it is a terminal.
    Bar,
    /// `{"committed_through_line": N}` on stdout after each durable commit.
    Ndjson,
    /// Nothing.
    None,
}

#[derive(Debug, Subcommand)]
pub(crate) enum IngestCmd {
    /// Generic observations, one JSON object per line (see README).
    Facts(IngestFactsArgs),
    /// WHOIS responses (text files), one per file.
    Whois(IngestRegArgs),
    /// RDAP domain responses (JSON files), one per file.
    Rdap(IngestRegArgs),
    /// Zone files (RFC 1035 master files, plain or gzip): one snapshot each.
    Zone(IngestZoneArgs),
    /// Passive DNS: COF, DNSDB SAF, Zeek, passivedns, dnstap, pcap (plain or gzip).
    Pdns(IngestPdnsArgs),
    /// Certificate-transparency entries (certstream JSON lines, plain or gzip).
    Ct(IngestFactsLikeArgs),
    /// An IP-to-ASN table applied to the addresses already stored (ASN, org, country; `asn` pivots): ip2asn TSV or a MaxMind `.mmdb`.
    Asn(IngestAsnArgs),
    /// One version of a threat feed: a domain/URL/IP list, a CSV dump (URLhaus, PhishTank) or JSON.
    Feed(IngestFeedArgs),
}

#[derive(Debug, Args)]
pub(crate) struct IngestFeedArgs {
    /// The feed file (plain or gzip).
    pub(crate) file: PathBuf,
    /// The feed's name (a-z 0-9 . _ -); each ingest is its newest version.
    #[arg(long)]
    pub(crate) name: String,
    /// What it lists: phishing, malware, spam or c2.
    #[arg(long, default_value = "phishing")]
    pub(crate) kind: String,
    /// list, csv or json (default: guessed from the content).
    #[arg(long)]
    pub(crate) format: Option<String>,
    /// The version's time (default: now).
    #[arg(long)]
    pub(crate) as_of: Option<String>,
    /// Stop at the first bad line.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct IngestAsnArgs {
    /// The table (plain or gzip).
    pub(crate) file: PathBuf,
    /// When the table was taken (default: now).
    #[arg(long)]
    pub(crate) date: Option<String>,
    /// Stop at the first bad line.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct IngestFactsLikeArgs {
    /// Input files.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Stop at the first bad line.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum PdnsFormatArg {
    /// CIRCL Common Output Format (NDJSON).
    Cof,
    /// DNSDB v2 SAF lines.
    Dnsdb,
    /// Zeek dns.log, TSV.
    Zeek,
    /// Zeek dns.log, JSON.
    ZeekJson,
    /// gamelinux passivedns `||` logs.
    Passivedns,
    /// dnstap Frame Streams.
    Dnstap,
    /// pcap or pcapng capture.
    Pcap,
}

#[derive(Debug, Args)]
pub(crate) struct IngestPdnsArgs {
    /// Input files.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Input format (default: detected when unambiguous).
    #[arg(long, value_enum)]
    pub(crate) format: Option<PdnsFormatArg>,
    /// Stop at the first bad record.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Observations per durable commit.
    #[arg(long, default_value_t = 50_000)]
    pub(crate) batch: usize,
    /// DNS ports in pcap captures (repeatable; default 53).
    #[arg(long = "dns-port")]
    pub(crate) dns_ports: Vec<u16>,
    /// A file of at least this many MiB is loaded in one sorted pass,
    /// merged with what is stored: much faster, but committed once, at the
    /// end (a crash before that leaves the store as it was).
    #[arg(long, default_value_t = 64)]
    pub(crate) bulk_min_mib: u64,
    /// Never load in one sorted pass: commit every batch.
    #[arg(long)]
    pub(crate) no_bulk: bool,
    /// Store a first load as facts even when the engine has a pDNS form
    /// (the embedded engine's rrset form is the default for a sorted-pass
    /// load into an empty store).
    #[arg(long)]
    pub(crate) fact_path: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SensorCmd {
    /// Listen on a Unix socket for a resolver's dnstap (unbound/BIND `dnstap-socket-path`,
    /// bidirectional Frame Streams) and store every answer as passive DNS until SIGINT/SIGTERM.
    Dnstap(SensorDnstapArgs),
}

#[derive(Debug, Args)]
pub(crate) struct SensorDnstapArgs {
    /// The socket to create and listen on (a stale socket file is replaced).
    #[arg(long)]
    pub(crate) socket: PathBuf,
    /// Observations per durable commit, at most.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) batch: usize,
    /// Longest wait, in milliseconds, before received answers are committed.
    #[arg(long, default_value_t = 1_000)]
    pub(crate) flush_ms: u64,
    /// Frames queued between the connections and the store.
    #[arg(long, default_value_t = 4_096)]
    pub(crate) queue: usize,
    /// Most simultaneous resolver connections.
    #[arg(long, default_value_t = 16)]
    pub(crate) max_connections: usize,
    /// Source name when a message carries no dnstap identity (stored as `pdns:NAME`).
    #[arg(long, default_value = "dnstap")]
    pub(crate) sensor: String,
    /// One progress line on stderr after each commit.
    #[arg(long)]
    pub(crate) progress: bool,
    /// Print the summary as JSON on exit.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PdnsCmd {
    /// What a name resolved to: NAME, *.NAME (everything below) or +.NAME (one label below).
    Rrset(PdnsRrsetArgs),
    /// Which names pointed at a value: `ip 192.0.2.1` or `ip 192.0.2.0/24`, `name ns1.x.net` or `name *.x.net`, `raw TEXT`.
    Rdata(PdnsRdataArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PdnsQueryArgs {
    /// Only this rrtype (A, NS, MX, TYPE65...).
    #[arg(long = "type")]
    pub(crate) rrtype: Option<String>,
    /// First seen before (epoch, RFC 3339, YYYY-MM-DD or -7d).
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) first_before: Option<String>,
    /// First seen after.
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) first_after: Option<String>,
    /// Last seen before.
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) last_before: Option<String>,
    /// Last seen after.
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) last_after: Option<String>,
    /// Most records.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) limit: usize,
    /// Records to skip.
    #[arg(long, default_value_t = 0)]
    pub(crate) offset: usize,
    /// Counts only.
    #[arg(long)]
    pub(crate) summarize: bool,
    /// COF NDJSON output.
    #[arg(long)]
    pub(crate) json: bool,
    /// DNSDB SAF output (`cond`/`obj` lines).
    #[arg(long, conflicts_with = "json")]
    pub(crate) dnsdb: bool,
}

#[derive(Debug, Args)]
pub(crate) struct PdnsRrsetArgs {
    /// The name or pattern.
    pub(crate) name: String,
    #[command(flatten)]
    pub(crate) q: PdnsQueryArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum RdataKindArg {
    /// An IP address or prefix.
    Ip,
    /// A name or *.name.
    Name,
    /// Raw rdata text.
    Raw,
}

#[derive(Debug, Args)]
pub(crate) struct PdnsRdataArgs {
    /// What the value is.
    #[arg(value_enum)]
    pub(crate) kind: RdataKindArg,
    /// The value.
    pub(crate) value: String,
    #[command(flatten)]
    pub(crate) q: PdnsQueryArgs,
}

#[derive(Debug, Args)]
pub(crate) struct IngestZoneArgs {
    /// Zone files, oldest first.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// The zone's origin, e.g. `com.` (default: the owner of the first record, the SOA).
    #[arg(long)]
    pub(crate) origin: Option<String>,
    /// Snapshot date (default: from a date-shaped SOA serial YYYYMMDDnn).
    #[arg(long)]
    pub(crate) date: Option<String>,
    /// Stop at the first bad record.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Store a first snapshot as facts even when the engine has a zone
    /// form (the embedded engine's per-delegation form is the default).
    #[arg(long)]
    pub(crate) fact_path: bool,
    /// Progress reporting.
    #[arg(long, value_enum, default_value_t = ProgressMode::Bar)]
    pub(crate) progress: ProgressMode,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ZoneCmd {
    /// Newly registered, deleted and re-delegated domains between two snapshots.
    Diff(ZoneDiffArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ZoneDiffArgs {
    /// The zone, e.g. `com.` (`.` for the root).
    #[arg(long)]
    pub(crate) origin: String,
    /// The earlier snapshot's date (default: the one before --to).
    #[arg(long)]
    pub(crate) from: Option<String>,
    /// The later snapshot's date (default: the newest).
    #[arg(long)]
    pub(crate) to: Option<String>,
    /// One JSON object per line.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct IngestFactsArgs {
    /// NDJSON files (plain or gzip).
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Stop at the first bad line.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Source name for lines without one.
    #[arg(long, default_value = "facts")]
    pub(crate) source: String,
    /// Observations per durable commit.
    #[arg(long, default_value_t = 50_000)]
    pub(crate) batch: usize,
    /// Into an empty store, a file of at least this many MiB is loaded in
    /// one sorted pass: much faster, but committed once, at the end (a
    /// crash before that leaves the store empty).
    #[arg(long, default_value_t = 64)]
    pub(crate) bulk_min_mib: u64,
    /// Never load in one sorted pass: commit every batch.
    #[arg(long)]
    pub(crate) no_bulk: bool,
    /// Progress reporting.
    #[arg(long, value_enum, default_value_t = ProgressMode::Bar)]
    pub(crate) progress: ProgressMode,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ProfileArgs {
    /// A domain or host name.
    pub(crate) domain: String,
    /// Values held by 2..=N domains are guided pivots.
    #[arg(long, default_value_t = 500)]
    pub(crate) guided: u64,
    /// Machine-readable output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum ScopeArg {
    /// Domains holding the value now.
    Current,
    /// Domains that held it before.
    Historic,
    /// Both.
    All,
}

#[derive(Debug, Args)]
pub(crate) struct PivotArgs {
    /// Field (Iris name: ip, nameserver_host, registrant_email, ...; see `scry fields`).
    pub(crate) field: String,
    /// Value.
    pub(crate) value: String,
    /// Page size.
    #[arg(long, default_value_t = 100)]
    pub(crate) limit: usize,
    /// Resume after this cursor (from `next_cursor`).
    #[arg(long)]
    pub(crate) cursor: Option<String>,
    /// Which holders.
    #[arg(long, value_enum, default_value_t = ScopeArg::Current)]
    pub(crate) scope: ScopeArg,
    /// Machine-readable output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// The query, e.g. 'nameserver_host=ns1.x.net AND NOT registrar="Acme Inc"'.
    pub(crate) query: String,
    /// Page size.
    #[arg(long, default_value_t = 100)]
    pub(crate) limit: usize,
    /// Resume after this cursor.
    #[arg(long)]
    pub(crate) cursor: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum StoreCmd {
    /// Verify the store's internal consistency.
    Check(JsonArg),
    /// Sizes and counters.
    Stats(JsonArg),
    /// Apply the fact engine's schema migrations (ClickHouse; `--store` names it).
    Migrate,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Machine-readable output of each step.
    #[arg(long)]
    pub(crate) json: bool,
    /// Domains in the generated world.
    #[arg(long, default_value_t = 30_000)]
    pub(crate) domains: u64,
    /// Days in the generated world.
    #[arg(long, default_value_t = 4)]
    pub(crate) days: u32,
    /// World seed.
    #[arg(long, default_value_t = 7)]
    pub(crate) seed: u64,
    /// Where the world's files go (default: a temporary directory, removed afterwards).
    #[arg(long)]
    pub(crate) world: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct LookupArgs {
    /// Domains to look up.
    #[arg(required_unless_present = "file")]
    pub(crate) domains: Vec<String>,
    /// Also read domains from a file (one a line, `#` comments).
    #[arg(long, value_name = "PATH")]
    pub(crate) file: Option<PathBuf>,
    /// One JSON line per domain.
    #[arg(long)]
    pub(crate) json: bool,
    /// Steps to run.
    #[arg(long, default_value = "dns,whois,rdap,tls")]
    pub(crate) what: String,
    /// DNS resolver to ask (default: the system's).
    #[arg(long, value_name = "IP:PORT")]
    pub(crate) resolver: Option<std::net::SocketAddr>,
    /// Root WHOIS server, asked when the server table has no entry.
    #[arg(long, value_name = "HOST:PORT", default_value = "whois.iana.org:43")]
    pub(crate) whois_root: String,
    /// Directory with the Debian whois server tables (tld_serv_list,
    /// new_gtlds_list) used as the starting map; without it every chain
    /// starts at the root.
    #[arg(long, value_name = "DIR")]
    pub(crate) whois_servers: Option<PathBuf>,
    /// Connect to ADDR for WHOIS host HOST (like curl --connect-to); repeatable.
    #[arg(long, value_name = "HOST=IP:PORT")]
    pub(crate) whois_host: Vec<String>,
    /// RDAP bootstrap file (URL or path); cached in the data dir for a day.
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://data.iana.org/rdap/dns.json"
    )]
    pub(crate) rdap_bootstrap: String,
    /// TLS port.
    #[arg(long, default_value_t = 443)]
    pub(crate) tls_port: u16,
    /// Allow private, loopback and link-local addresses (labs, tests).
    #[arg(long)]
    pub(crate) allow_private: bool,
    /// Domains looked up at once.
    #[arg(long, default_value_t = 8)]
    pub(crate) concurrency: usize,
    /// Exchanges at once with one server.
    #[arg(long, default_value_t = 2)]
    pub(crate) per_server: usize,
    /// Minimum milliseconds between two queries to one server.
    #[arg(long, default_value_t = 200)]
    pub(crate) interval_ms: u64,
    /// Timeout of each network operation, in seconds.
    #[arg(long, default_value_t = 10)]
    pub(crate) timeout: u64,
}
