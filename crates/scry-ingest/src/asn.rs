//! `scry ingest asn`: an ip2asn TSV table applied to the addresses in the
//! store. For every routed range, the IPs already stored in it (an index
//! range scan per CIDR block of the range) get `asn`, `asn_org` and
//! `ip_country_code` facts, and every name that resolves into the range
//! gets an `asn` fact, so `asn` is a pivot with stored counts. Addresses
//! stored later are enriched by ingesting a newer table.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use scry_model::{Entity, IpNet, Observation, Predicate, Timestamp, Window};
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
}

/// Facts read per CIDR block (bounded memory; larger blocks are read in pages).
const PAGE: usize = 100_000;

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
        for net in IpNet::cover(&range.start, &range.end) {
            let page = store.reverse(&ReverseQuery {
                object: ObjectSel::Cidr(net),
                predicates: vec![Predicate::IP],
                fence: TimeFence::default(),
                limit: PAGE,
            })?;
            if page.limited {
                tracing::warn!(range = %net, "more than {PAGE} names in one block; the rest are left for a finer table");
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
