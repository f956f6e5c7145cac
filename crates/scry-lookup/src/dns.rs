//! Active DNS through hickory-resolver (the system resolver or a given
//! one). Answers are turned into passive-DNS records by re-encoding them
//! as a response message and decoding it with
//! [`scry_parse::pdns::wire::decode_response`], so live answers and sensor
//! answers get exactly the same normal form and predicates.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::op::{Message, MessageType, OpCode, Query};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use hickory_resolver::proto::serialize::binary::BinEncodable;
use hickory_resolver::{Resolver, TokioResolver};
use scry_parse::pdns::PdnsRecord;
use scry_parse::pdns::wire::{WireContext, decode_response};

use crate::error::{LookupError, Result};

/// The record types asked for each name.
pub const TYPES: [RecordType; 8] = [
    RecordType::A,
    RecordType::AAAA,
    RecordType::NS,
    RecordType::MX,
    RecordType::TXT,
    RecordType::SOA,
    RecordType::CAA,
    RecordType::CNAME,
];

/// A resolver on its own small runtime, usable from many threads.
pub(crate) struct Dns {
    rt: tokio::runtime::Runtime,
    resolver: TokioResolver,
}

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dns").finish_non_exhaustive()
    }
}

/// What the DNS step found for one name.
#[derive(Debug, Default)]
pub(crate) struct DnsAnswers {
    pub(crate) records: Vec<PdnsRecord>,
    /// `(name, type, error)` of queries that failed (not "no records").
    pub(crate) failures: Vec<String>,
    pub(crate) addresses: Vec<IpAddr>,
}

impl Dns {
    /// `server`: a resolver to ask (`None`: the system's).
    pub(crate) fn new(server: Option<SocketAddr>, timeout: Duration) -> Result<Dns> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| LookupError::Dns(format!("runtime: {e}")))?;
        let mut opts = ResolverOpts::default();
        opts.timeout = timeout;
        opts.attempts = 2;
        opts.ndots = 0;
        opts.edns0 = true;
        opts.preserve_intermediates = true;
        let resolver = {
            let _guard = rt.enter();
            match server {
                Some(addr) => {
                    let group =
                        NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true);
                    Resolver::builder_with_config(
                        ResolverConfig::from_parts(None, vec![], group),
                        TokioConnectionProvider::default(),
                    )
                    .with_options(opts)
                    .build()
                }
                None => Resolver::builder_tokio()
                    .map_err(|e| LookupError::Dns(format!("system resolver: {e}")))?
                    .with_options(opts)
                    .build(),
            }
        };
        Ok(Dns { rt, resolver })
    }

    fn query(&self, name: &Name, rtype: RecordType) -> std::result::Result<Vec<Record>, String> {
        match self.rt.block_on(self.resolver.lookup(name.clone(), rtype)) {
            Ok(l) => Ok(l.records().to_vec()),
            Err(e) if e.is_no_records_found() || e.is_nx_domain() => Ok(Vec::new()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Every type of [`TYPES`] for `name`, as passive-DNS records seen at `now`.
    pub(crate) fn answers(&self, name: &str, now: i64) -> Result<DnsAnswers> {
        let fqdn = Name::from_ascii(format!("{name}."))
            .map_err(|e| LookupError::Dns(format!("{name}: {e}")))?;
        let mut out = DnsAnswers::default();
        for t in TYPES {
            match self.query(&fqdn, t) {
                Ok(records) => {
                    for r in &records {
                        match r.data() {
                            RData::A(a) if r.name() == &fqdn => out.addresses.push(IpAddr::V4(a.0)),
                            RData::AAAA(a) if r.name() == &fqdn => {
                                out.addresses.push(IpAddr::V6(a.0))
                            }
                            _ => {}
                        }
                    }
                    out.records.extend(to_pdns(&fqdn, t, records, now)?);
                }
                Err(e) => out.failures.push(format!("{name} {t}: {e}")),
            }
        }
        out.addresses.sort();
        out.addresses.dedup();
        out.records
            .sort_by(|a, b| (&a.rrname, a.rrtype, &a.rdata).cmp(&(&b.rrname, b.rrtype, &b.rdata)));
        out.records
            .dedup_by(|a, b| (&a.rrname, a.rrtype, &a.rdata) == (&b.rrname, b.rrtype, &b.rdata));
        Ok(out)
    }

    /// The addresses of `name` (A and AAAA).
    pub(crate) fn addresses(&self, name: &str) -> Result<Vec<IpAddr>> {
        let ips = self
            .rt
            .block_on(self.resolver.lookup_ip(format!("{name}.")))
            .map_err(|e| LookupError::Dns(format!("{name}: {e}")))?;
        Ok(ips.iter().collect())
    }

    /// Whether a random label under `domain` resolves (a wildcard).
    pub(crate) fn wildcard(&self, domain: &str) -> Result<bool> {
        let label = random_label();
        let name = Name::from_ascii(format!("{label}.{domain}."))
            .map_err(|e| LookupError::Dns(format!("{domain}: {e}")))?;
        let a = self.query(&name, RecordType::A).map_err(LookupError::Dns)?;
        let aaaa = self
            .query(&name, RecordType::AAAA)
            .map_err(LookupError::Dns)?;
        Ok(!a.is_empty() || !aaaa.is_empty())
    }
}

/// A label no zone holds on purpose: 20 hex digits from the std hasher's
/// random keys and the clock.
fn random_label() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    let a = h.finish();
    h.write_u64(a);
    let b = h.finish();
    format!("scry-{:016x}{:04x}", a, b & 0xffff)
}

/// Records of one answer as passive-DNS records, through the wire decoder.
fn to_pdns(qname: &Name, t: RecordType, records: Vec<Record>, now: i64) -> Result<Vec<PdnsRecord>> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let mut msg = Message::new();
    msg.set_message_type(MessageType::Response)
        .set_op_code(OpCode::Query)
        .set_authoritative(true)
        .add_query(Query::query(qname.clone(), t))
        .add_answers(records);
    let wire = msg
        .to_bytes()
        .map_err(|e| LookupError::Dns(format!("re-encoding the answer: {e}")))?;
    let decoded = decode_response(
        &wire,
        &WireContext {
            time: now,
            sensor_id: None,
            bailiwick: None,
        },
    );
    if let Some(e) = decoded.error
        && decoded.records.is_empty()
    {
        return Err(LookupError::Parse(e));
    }
    Ok(decoded.records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_resolver::proto::rr::rdata::{A, MX, TXT};

    #[test]
    fn answers_take_the_passive_dns_normal_form() {
        let q = Name::from_ascii("Lab.Test.").unwrap();
        let mx = Record::from_rdata(
            q.clone(),
            60,
            RData::MX(MX::new(10, Name::from_ascii("MX1.lab.test.").unwrap())),
        );
        let a = Record::from_rdata(q.clone(), 60, RData::A(A::new(192, 0, 2, 1)));
        let txt = Record::from_rdata(
            q.clone(),
            60,
            RData::TXT(TXT::new(vec!["v=spf1 -all".into()])),
        );
        let recs = to_pdns(&q, RecordType::MX, vec![mx, a, txt], 1_700_000_000).unwrap();
        let got: Vec<(String, u16, String)> = recs
            .iter()
            .map(|r| (r.rrname.clone(), r.rrtype, r.rdata.clone()))
            .collect();
        assert!(
            got.contains(&("lab.test".into(), 15, "10 mx1.lab.test".into())),
            "{got:?}"
        );
        assert!(
            got.contains(&("lab.test".into(), 1, "192.0.2.1".into())),
            "{got:?}"
        );
        assert!(
            got.iter()
                .any(|(_, t, d)| *t == 16 && d.contains("v=spf1 -all")),
            "{got:?}"
        );
        let obs = recs[0].to_observation("active-dns", 1_700_000_000).unwrap();
        assert_eq!(obs.source, "active-dns");
        assert!(to_pdns(&q, RecordType::A, vec![], 0).unwrap().is_empty());
    }

    #[test]
    fn random_labels_differ() {
        assert_ne!(random_label(), random_label());
        assert!(random_label().len() <= 63);
    }
}
