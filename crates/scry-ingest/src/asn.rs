//! `scry ingest asn`: an IP-to-ASN table applied to the addresses in the
//! store: ip2asn TSV, or a MaxMind-format database (GeoLite2/GeoIP2 ASN,
//! Country, City, ISP: `.mmdb`, recognised by its metadata marker). For every routed range, the IPs already stored in it (an index
//! range scan per CIDR block of the range) get `asn`, `asn_org` and
//! `ip_country_code` facts, and every name that resolves into the range
//! gets an `asn` fact, so `asn` is a pivot with stored counts. Addresses
//! stored later are enriched by ingesting a newer table.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use scry_model::{Entity, Ip, IpNet, Observation, Predicate, Timestamp, Window};
use scry_parse::asn::parse_ip2asn_line;
use scry_parse::{ParseError, ParseErrorKind};
use scry_store::{ObjectSel, ReverseQuery, Store, TimeFence};

use crate::error::{IngestError, Result};
use crate::input::{Line, file_identity, open_input, read_line_bounded};
use crate::summary::{IngestSummary, LedgerInput, Progress};

/// Options of an ASN-table ingest.
#[derive(Debug, Clone)]
pub struct AsnOptions {
    /// When the table was taken (its facts' time); default: now.
    pub observed_at: Option<Timestamp>,
    /// Stop at the first bad line.
    pub strict: bool,
    /// "Now".
    pub now: Timestamp,
    /// Facts read per CIDR block ([`DEFAULT_PAGE`]).
    pub page: usize,
}

/// Facts read per CIDR block by default (bounded memory; a block holding
/// more is split in halves until each fits).
pub const DEFAULT_PAGE: usize = 100_000;

/// Every stored `ip` fact whose address lies in `start..=end`, read per
/// CIDR block; a block holding more than `page` facts is split in halves
/// until each fits (only a single address past the page is a limit).
fn stored_ip_facts(
    store: &dyn Store,
    start: &Ip,
    end: &Ip,
    page: usize,
) -> Result<Vec<scry_model::Fact>> {
    let mut out = Vec::new();
    let mut work = IpNet::cover(start, end);
    work.reverse();
    while let Some(net) = work.pop() {
        let got = store.reverse(&ReverseQuery {
            object: ObjectSel::Cidr(net),
            predicates: vec![Predicate::IP],
            fence: TimeFence::default(),
            limit: page.max(2),
        })?;
        if got.limited {
            let (lo, hi) = net.key_range();
            let (a, b) = (u128::from_be_bytes(lo), u128::from_be_bytes(hi));
            if a < b {
                let mid = a + (b - a) / 2;
                let mut halves = IpNet::cover(&Ip::from_key(lo), &Ip::from_key(mid.to_be_bytes()));
                halves.extend(IpNet::cover(
                    &Ip::from_key((mid + 1).to_be_bytes()),
                    &Ip::from_key(hi),
                ));
                halves.reverse();
                work.extend(halves);
                continue;
            }
            tracing::warn!(address = %net, "more than {page} names on one address; the rest are not enriched");
        }
        out.extend(got.facts);
    }
    Ok(out)
}

/// Applies one ip2asn TSV file.
pub fn ingest_asn(
    store: &dyn Store,
    path: &Path,
    opts: &AsnOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<IngestSummary> {
    let started = Instant::now();
    let name = path.display().to_string();
    let key = format!("asn:{}", file_identity(path)?);
    let mut summary = IngestSummary::for_input(&name);
    let Some(resume) = summary.resume_point(store, &key)? else {
        return Ok(summary);
    };
    let t = opts.observed_at.unwrap_or(opts.now);
    let w = Window {
        first_seen: t,
        last_seen: t,
        count: 1,
    };
    let mut input = open_input(path)?;
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let mut obs: Vec<Observation> = Vec::new();
    let ledger = LedgerInput {
        store,
        key: &key,
        name: &name,
        now: opts.now,
    };
    let mut flush = |obs: &mut Vec<Observation>,
                     position: u64,
                     complete: bool,
                     summary: &mut IngestSummary|
     -> Result<()> {
        let events = Vec::new();
        summary.commit(
            &ledger,
            std::mem::take(obs),
            events,
            position,
            complete,
            progress,
        )
    };
    loop {
        let kind =
            read_line_bounded(&mut input, &mut buf, 64 * 1024).map_err(|e| IngestError::Io {
                path: path.to_path_buf(),
                source: e,
            })?;
        if kind == Line::Eof {
            break;
        }
        line_no += 1;
        if line_no <= resume {
            continue;
        }
        summary.read += 1;
        let parsed = match kind {
            Line::TooLong(n) => Err(ParseError::new(
                ParseErrorKind::TooLarge,
                format!("line is {n} bytes"),
            )),
            _ => parse_ip2asn_line(&buf),
        };
        let range = match parsed {
            Ok(Some(r)) => r,
            Ok(None) => continue,
            Err(e) => {
                summary.reject(e.with_source(name.clone()).at_line(line_no), opts.strict)?;
                continue;
            }
        };
        let mut ips = BTreeSet::new();
        let info = AsnInfo {
            asn: Some(range.asn),
            org: range.org.clone(),
            country: range.country.clone(),
        };
        for f in stored_ip_facts(store, &range.start, &range.end, opts.page)? {
            if let Entity::Ip(ip) = &f.object {
                let first = ips.insert(*ip);
                enrichment(&mut obs, *ip, &f.subject, &info, first, w, opts.now);
            }
        }
        if obs.len() >= 50_000 {
            flush(&mut obs, line_no, false, &mut summary)?;
        }
    }
    flush(&mut obs, line_no, true, &mut summary)?;
    summary.skipped = resume;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

/// What an IP-to-ASN table says about an address.
struct AsnInfo {
    asn: Option<u32>,
    org: Option<String>,
    country: Option<String>,
}

/// The enrichment facts of one stored `ip` fact: `asn`, `asn_org` and
/// `ip_country_code` on the address (on its first sighting in the run) and
/// `asn` on the name that resolves to it.
fn enrichment(
    out: &mut Vec<Observation>,
    ip: Ip,
    name: &Entity,
    info: &AsnInfo,
    first: bool,
    w: Window,
    now: Timestamp,
) {
    let mut push = |s: Entity, p: Predicate, o: Entity| {
        if let Ok(ob) = Observation::new(s, p, o, w, "asn".into(), now) {
            out.push(ob);
        }
    };
    if first {
        if let Some(a) = info.asn {
            push(Entity::Ip(ip), Predicate::ASN, Entity::Asn(a));
        }
        if let Some(o) = &info.org {
            push(Entity::Ip(ip), Predicate::ASN_ORG, Entity::Text(o.clone()));
        }
        if let Some(c) = &info.country {
            push(Entity::Ip(ip), Predicate::COUNTRY, Entity::Text(c.clone()));
        }
    }
    if let Some(a) = info.asn {
        push(name.clone(), Predicate::ASN, Entity::Asn(a));
    }
}

/// The marker that starts a MaxMind DB's metadata section.
const MMDB_MARKER: &[u8] = b"\xab\xcd\xefMaxMind.com";
/// Largest MaxMind database read (the real ones are well below).
const MMDB_CAP: u64 = 2 << 30;

/// Whether a file is a MaxMind DB (its metadata marker in the last 128 KiB).
pub fn is_mmdb(path: &Path) -> Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |e| IngestError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    f.seek(SeekFrom::Start(len.saturating_sub(128 * 1024)))
        .map_err(io)?;
    let mut tail = Vec::new();
    f.read_to_end(&mut tail).map_err(io)?;
    Ok(tail.windows(MMDB_MARKER.len()).any(|w| w == MMDB_MARKER))
}

/// Applies a MaxMind-format database to every stored address: `asn`,
/// `asn_org` and `ip_country_code` facts on the IPs it covers, and `asn`
/// on the names resolving to them.
pub fn ingest_mmdb(
    store: &dyn Store,
    path: &Path,
    opts: &AsnOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<IngestSummary> {
    use maxminddb::PathElement;
    let started = Instant::now();
    let name = path.display().to_string();
    let key = format!("mmdb:{}", file_identity(path)?);
    let mut summary = IngestSummary::for_input(&name);
    if summary.resume_point(store, &key)?.is_none() {
        return Ok(summary);
    }
    let bytes = {
        use std::io::Read;
        let f = std::fs::File::open(path).map_err(|e| IngestError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let mut b = Vec::new();
        f.take(MMDB_CAP + 1)
            .read_to_end(&mut b)
            .map_err(|e| IngestError::Io {
                path: path.to_path_buf(),
                source: e,
            })?;
        if b.len() as u64 > MMDB_CAP {
            return Err(IngestError::Invalid(format!(
                "{name}: larger than {MMDB_CAP} bytes"
            )));
        }
        b
    };
    let reader = maxminddb::Reader::from_source(bytes)
        .map_err(|e| IngestError::Invalid(format!("{name}: not a readable MaxMind DB: {e}")))?;
    let t = opts.observed_at.unwrap_or(opts.now);
    let w = Window {
        first_seen: t,
        last_seen: t,
        count: 1,
    };
    let ledger = LedgerInput {
        store,
        key: &key,
        name: &name,
        now: opts.now,
    };
    let mut obs: Vec<Observation> = Vec::new();
    let facts = stored_ip_facts(
        store,
        &Ip::from_key([0; 16]),
        &Ip::from_key([0xff; 16]),
        opts.page,
    )?;
    let mut seen: std::collections::HashMap<Ip, AsnInfo> = std::collections::HashMap::new();
    let lookup = |ip: &Ip| -> AsnInfo {
        let none = AsnInfo {
            asn: None,
            org: None,
            country: None,
        };
        let Ok(addr) = ip.to_string().parse::<std::net::IpAddr>() else {
            return none;
        };
        let r = match reader.lookup(addr) {
            Ok(r) if r.has_data() => r,
            Ok(_) => return none,
            Err(e) => {
                // An IPv6 address in an IPv4-only database, or a damaged
                // record: this address is skipped.
                tracing::debug!(%ip, error = %e, "no MaxMind record");
                return none;
            }
        };
        let text = |path: &[PathElement<'_>]| r.decode_path::<String>(path).ok().flatten();
        AsnInfo {
            asn: r
                .decode_path::<u32>(&[PathElement::Key("autonomous_system_number")])
                .ok()
                .flatten(),
            org: text(&[PathElement::Key("autonomous_system_organization")]),
            country: text(&[PathElement::Key("country"), PathElement::Key("iso_code")]).or_else(
                || {
                    text(&[
                        PathElement::Key("registered_country"),
                        PathElement::Key("iso_code"),
                    ])
                },
            ),
        }
    };
    for f in facts {
        let Entity::Ip(ip) = &f.object else { continue };
        summary.read += 1;
        let first = !seen.contains_key(ip);
        let info = seen.entry(*ip).or_insert_with(|| lookup(ip));
        enrichment(&mut obs, *ip, &f.subject, info, first, w, opts.now);
        if obs.len() >= 50_000 {
            summary.commit(
                &ledger,
                std::mem::take(&mut obs),
                Vec::new(),
                0,
                false,
                progress,
            )?;
        }
    }
    summary.commit(&ledger, obs, Vec::new(), 1, true, progress)?;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scry_model::DomainName;
    use scry_store::embedded::EmbeddedStore;
    use scry_store::{DataDir, FactQuery, SubjectSel, WriteBatch};

    #[test]
    fn blocks_larger_than_a_page_are_split_not_cut() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(&tmp.path().join("d"), true).unwrap();
        let store = EmbeddedStore::open(&dir).unwrap();
        let w = Window {
            first_seen: 1_800_000_000,
            last_seen: 1_800_000_000,
            count: 1,
        };
        let mut obs = Vec::new();
        for i in 0..40u32 {
            obs.push(
                Observation::new(
                    Entity::Domain(DomainName::parse(&format!("d{i}.example")).unwrap()),
                    Predicate::IP,
                    Entity::Ip(Ip::parse(&format!("100.64.0.{}", i * 3)).unwrap()),
                    w,
                    "test".into(),
                    1_800_000_000,
                )
                .unwrap(),
            );
        }
        store
            .write(WriteBatch {
                observations: obs,
                ..Default::default()
            })
            .unwrap();
        let table = tmp.path().join("t.tsv");
        std::fs::write(&table, "100.64.0.0\t100.64.0.255\t64500\tUS\tEXAMPLE-NET\n").unwrap();
        let s = ingest_asn(
            &store,
            &table,
            &AsnOptions {
                observed_at: Some(1_800_000_100),
                strict: true,
                now: 1_800_000_200,
                page: 4,
            },
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(s.rejected, 0);
        for i in 0..40u32 {
            let f = store
                .facts(&FactQuery {
                    subject: SubjectSel::Exact(Entity::Domain(
                        DomainName::parse(&format!("d{i}.example")).unwrap(),
                    )),
                    predicates: vec![Predicate::ASN],
                    fence: TimeFence::default(),
                    limit: 5,
                })
                .unwrap();
            assert_eq!(f.facts.len(), 1, "d{i}.example has no asn fact");
        }
    }

    fn mmdb(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/mmdb/maxmind-test/test-data")
            .join(name)
    }

    /// Addresses from the databases' own source JSON
    /// (`source-data/GeoLite2-ASN-Test.json`, `GeoLite2-Country-Test.json`).
    #[test]
    fn maxmind_databases_match_their_source_records() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(&tmp.path().join("d"), true).unwrap();
        let store = EmbeddedStore::open(&dir).unwrap();
        let w = Window {
            first_seen: 1_800_000_000,
            last_seen: 1_800_000_000,
            count: 1,
        };
        let pairs = [
            ("google-ish.example", "1.0.0.1"), // 1.0.0.0/24: AS15169 Google Inc.
            ("telstra.example", "1.128.0.1"),  // 1.128.0.0/11: AS1221 Telstra Pty Ltd
            ("att.example", "12.81.96.7"),     // 12.81.96.0/19: AS7018, no org
            ("uk.example", "2.125.160.217"),   // Country: GB
            ("none.example", "203.0.113.9"),   // in neither
            ("v6.example", "2001:1700::1"),    // ASN DB: 2001:1700::/27 AS6730
        ];
        let obs = pairs
            .iter()
            .map(|(d, ip)| {
                Observation::new(
                    Entity::Domain(DomainName::parse(d).unwrap()),
                    Predicate::IP,
                    Entity::Ip(Ip::parse(ip).unwrap()),
                    w,
                    "test".into(),
                    1_800_000_000,
                )
                .unwrap()
            })
            .collect();
        store
            .write(WriteBatch {
                observations: obs,
                ..Default::default()
            })
            .unwrap();
        let opts = AsnOptions {
            observed_at: Some(1_800_000_100),
            strict: true,
            now: 1_800_000_200,
            page: DEFAULT_PAGE,
        };
        let asn_db = mmdb("GeoLite2-ASN-Test.mmdb");
        assert!(is_mmdb(&asn_db).unwrap());
        ingest_mmdb(&store, &asn_db, &opts, &mut |_| {}).unwrap();
        let country_db = mmdb("GeoLite2-Country-Test.mmdb");
        ingest_mmdb(&store, &country_db, &opts, &mut |_| {}).unwrap();
        let of = |s: Entity, p: Predicate| -> Vec<String> {
            store
                .facts(&FactQuery {
                    subject: SubjectSel::Exact(s),
                    predicates: vec![p],
                    fence: TimeFence::default(),
                    limit: 10,
                })
                .unwrap()
                .facts
                .iter()
                .map(|f| f.object.to_string())
                .collect()
        };
        let ip = |s: &str| Entity::Ip(Ip::parse(s).unwrap());
        let dom = |s: &str| Entity::Domain(DomainName::parse(s).unwrap());
        assert_eq!(of(ip("1.0.0.1"), Predicate::ASN), vec!["15169"]);
        assert_eq!(of(ip("1.0.0.1"), Predicate::ASN_ORG), vec!["Google Inc."]);
        assert_eq!(of(ip("1.128.0.1"), Predicate::ASN), vec!["1221"]);
        assert_eq!(of(ip("12.81.96.7"), Predicate::ASN), vec!["7018"]);
        assert!(of(ip("12.81.96.7"), Predicate::ASN_ORG).is_empty());
        assert_eq!(of(ip("2001:1700::1"), Predicate::ASN), vec!["6730"]);
        assert_eq!(of(ip("2.125.160.217"), Predicate::COUNTRY), vec!["GB"]);
        assert!(of(ip("203.0.113.9"), Predicate::ASN).is_empty());
        assert_eq!(of(dom("telstra.example"), Predicate::ASN), vec!["1221"]);
        // Broken databases are errors, not panics; a TSV is not a MaxMind DB.
        for broken in [
            "GeoIP2-City-Test-Broken-Double-Format.mmdb",
            "GeoIP2-City-Test-Invalid-Node-Count.mmdb",
        ] {
            let _ = ingest_mmdb(&store, &mmdb(broken), &opts, &mut |_| {});
        }
        let tsv = tmp.path().join("t.tsv");
        std::fs::write(&tsv, "1.0.0.0\t1.0.0.255\t15169\tUS\tGOOGLE\n").unwrap();
        assert!(!is_mmdb(&tsv).unwrap());
        assert!(ingest_mmdb(&store, &tsv, &opts, &mut |_| {}).is_err());
    }
}
