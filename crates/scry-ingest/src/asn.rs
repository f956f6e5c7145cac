//! `scry ingest asn`: an ip2asn TSV table applied to the addresses in the
//! store. For every routed range, the IPs already stored in it (an index
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
        // Blocks holding more than a page of names are split in halves
        // until each fits (a single address past the page is the limit).
        let mut work = IpNet::cover(&range.start, &range.end);
        work.reverse();
        while let Some(net) = work.pop() {
            let page = store.reverse(&ReverseQuery {
                object: ObjectSel::Cidr(net),
                predicates: vec![Predicate::IP],
                fence: TimeFence::default(),
                limit: opts.page.max(2),
            })?;
            if page.limited {
                let (lo, hi) = net.key_range();
                let (a, b) = (u128::from_be_bytes(lo), u128::from_be_bytes(hi));
                if a < b {
                    let mid = a + (b - a) / 2;
                    let mut halves =
                        IpNet::cover(&Ip::from_key(lo), &Ip::from_key(mid.to_be_bytes()));
                    halves.extend(IpNet::cover(
                        &Ip::from_key((mid + 1).to_be_bytes()),
                        &Ip::from_key(hi),
                    ));
                    halves.reverse();
                    work.extend(halves);
                    continue;
                }
                tracing::warn!(address = %net, "more than {} names on one address; the rest are not enriched", opts.page);
            }
            for f in page.facts {
                let mut push = |s: Entity, p: Predicate, o: Entity| {
                    if let Ok(ob) = Observation::new(s, p, o, w, "asn".into(), opts.now) {
                        obs.push(ob);
                    }
                };
                if let Entity::Ip(ip) = &f.object
                    && ips.insert(*ip)
                {
                    push(Entity::Ip(*ip), Predicate::ASN, Entity::Asn(range.asn));
                    if let Some(o) = &range.org {
                        push(Entity::Ip(*ip), Predicate::ASN_ORG, Entity::Text(o.clone()));
                    }
                    if let Some(c) = &range.country {
                        push(Entity::Ip(*ip), Predicate::COUNTRY, Entity::Text(c.clone()));
                    }
                }
                push(f.subject.clone(), Predicate::ASN, Entity::Asn(range.asn));
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
}
