//! Passive-DNS queries with DNSDB semantics: rrset lookups by name (exact,
//! left-hand `*.` wildcard, single-label `+.`, right-hand `.*` and
//! single-label `.+`), rdata lookups by IP or prefix, by name (with `*.`)
//! or by raw value, time fences, limits and summaries. Every lookup is an
//! index range scan: names are stored label-reversed, IPs as fixed-width
//! keys, and right-hand wildcards scan the store's forward-name index
//! ([`Store::names_forward`]) and then read each name's facts.

use scry_model::{
    DomainName, Entity, Fact, IpNet, Predicate, Timestamp, format_time, rrtype_mnemonic,
};
use scry_store::{
    FactPage, FactQuery, NameScan, ObjectSel, ReverseQuery, Store, SubjectSel, TimeFence,
};

use crate::error::{IntelError, Result};
use crate::output::{CofRecord, PdnsResult, PdnsSummary};

/// Options shared by rrset and rdata lookups.
#[derive(Debug, Clone, Copy, Default)]
pub struct PdnsOptions {
    /// Only this rrtype.
    pub rrtype: Option<u16>,
    /// Time fence.
    pub fence: TimeFence,
    /// Most records returned.
    pub limit: usize,
    /// Records skipped first.
    pub offset: usize,
}

/// Largest limit.
pub const MAX_LIMIT: usize = 1_000_000;

fn invalid(field: &str, reason: impl Into<String>) -> IntelError {
    IntelError::InvalidValue {
        field: field.into(),
        reason: reason.into(),
    }
}

/// A DNSDB-style name pattern.
enum NamePattern {
    Exact(DomainName),
    /// `*.base`: every name strictly below `base`.
    Below(DomainName),
    /// `+.base`: names exactly one label below `base`.
    OneBelow(DomainName),
    /// `lead.*` (`one`: `lead.+`): names starting with the labels `lead`
    /// followed by one or more labels (exactly one).
    Leading {
        /// The fixed labels, normalised (A-labels, lower case).
        labels: String,
        /// Their number.
        count: usize,
        /// Exactly one label after them.
        one: bool,
    },
}

fn pattern(s: &str) -> Result<NamePattern> {
    let t = s.trim().trim_end_matches('.');
    let parse = |x: &str| DomainName::parse(x).map_err(|e| invalid("name", e.to_string()));
    let right = t
        .strip_suffix(".*")
        .map(|l| (l, false))
        .or_else(|| t.strip_suffix(".+").map(|l| (l, true)));
    if let Some((lead, one)) = right {
        if lead.starts_with("*.") || lead.starts_with("+.") || lead.contains(['*', '+']) {
            return Err(invalid(
                "name",
                "a name has one wildcard, leftmost (*.example.com, +.example.com) or rightmost (www.example.*, www.example.+)",
            ));
        }
        // Normalise the fixed labels as a name would be (IDNA, case); a
        // single label such as `www` is accepted as it stands.
        let labels = match DomainName::parse(lead) {
            Ok(d) => d.ascii().to_string(),
            Err(e) if !lead.contains('.') && !lead.is_empty() => {
                if lead
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                {
                    lead.to_ascii_lowercase()
                } else {
                    return Err(invalid("name", e.to_string()));
                }
            }
            Err(e) => return Err(invalid("name", e.to_string())),
        };
        let count = labels.split('.').count();
        return Ok(NamePattern::Leading { labels, count, one });
    }
    if t.contains(['*', '+']) && !(t.starts_with("*.") || t.starts_with("+.")) {
        return Err(invalid(
            "name",
            "wildcards are leftmost (*.example.com, +.example.com) or rightmost (www.example.*, www.example.+)",
        ));
    }
    Ok(if let Some(base) = t.strip_prefix("*.") {
        NamePattern::Below(parse(base)?)
    } else if let Some(base) = t.strip_prefix("+.") {
        NamePattern::OneBelow(parse(base)?)
    } else {
        NamePattern::Exact(parse(t)?)
    })
}

fn accepts(p: &NamePattern, name: &Entity) -> bool {
    let Entity::Domain(d) = name else {
        return false;
    };
    match p {
        NamePattern::Exact(e) => d == e,
        NamePattern::Below(b) => d.label_count() > b.label_count(),
        NamePattern::OneBelow(b) => d.label_count() == b.label_count() + 1,
        NamePattern::Leading { labels, count, one } => {
            d.ascii().len() > labels.len() + 1
                && d.ascii().starts_with(labels.as_str())
                && d.ascii().as_bytes().get(labels.len()) == Some(&b'.')
                && (!one || d.label_count() == count + 1)
        }
    }
}

/// The rrtype a fact stands for (A or AAAA by address family).
fn fact_rrtype(f: &Fact) -> Option<u16> {
    if f.predicate == Predicate::IP {
        return Some(match &f.object {
            Entity::Ip(ip) if !ip.is_v4() => 28,
            _ => 1,
        });
    }
    f.predicate.rrtype()
}

/// An entity's text, as `to_string` writes it, without the formatting
/// machinery for names and IPv4 addresses (a 1,000-result wildcard spent a
/// seventh of its time in `Ipv4Addr`'s `Display`).
fn entity_text(e: &Entity) -> String {
    match e {
        Entity::Domain(d) => d.ascii().to_owned(),
        Entity::Ip(scry_model::Ip(std::net::IpAddr::V4(a))) => {
            let mut s = String::with_capacity(15);
            for (i, o) in a.octets().into_iter().enumerate() {
                if i > 0 {
                    s.push('.');
                }
                if o >= 100 {
                    s.push(char::from(b'0' + o / 100));
                }
                if o >= 10 {
                    s.push(char::from(b'0' + o / 10 % 10));
                }
                s.push(char::from(b'0' + o % 10));
            }
            s
        }
        other => other.to_string(),
    }
}

/// [`entity_text`] of an entity the caller gives up: a name's or a
/// text's own string is moved out, not copied.
fn into_text(e: Entity) -> String {
    match e {
        Entity::Domain(d) => d.into_ascii(),
        Entity::Text(t) => t,
        other => entity_text(&other),
    }
}

fn to_cof(f: Fact, rr: u16) -> CofRecord {
    CofRecord {
        rrname: into_text(f.subject),
        rrtype: rrtype_mnemonic(rr),
        rdata: into_text(f.object),
        time_first: f.window.first_seen,
        time_last: f.window.last_seen,
        count: f.window.count,
        sources: f.sources,
    }
}

fn finish(
    facts: Vec<Fact>,
    store_limited: bool,
    keep: &dyn Fn(&Fact) -> bool,
    opts: &PdnsOptions,
) -> PdnsResult {
    let limit = opts.limit.clamp(1, MAX_LIMIT);
    let mut records = Vec::with_capacity(facts.len().min(limit));
    let mut skipped = 0usize;
    let mut limited = store_limited;
    for f in facts {
        let Some(rr) = fact_rrtype(&f) else { continue };
        if opts.rrtype.is_some_and(|t| t != rr) || !keep(&f) {
            continue;
        }
        if skipped < opts.offset {
            skipped += 1;
            continue;
        }
        if records.len() >= limit {
            limited = true;
            break;
        }
        records.push(to_cof(f, rr));
    }
    PdnsResult { records, limited }
}

fn predicates(rrtype: Option<u16>) -> Vec<Predicate> {
    rrtype.map(Predicate::rr).into_iter().collect()
}

fn fetch_limit(opts: &PdnsOptions) -> usize {
    // Non-DNS facts and other rrtypes are filtered after the scan; read a
    // margin beyond the page so the limited flag is exact in common cases.
    opts.limit
        .clamp(1, MAX_LIMIT)
        .saturating_add(opts.offset)
        .saturating_mul(2)
        .saturating_add(64)
}

/// Names read from the forward-name index per step of a right-hand
/// wildcard.
const NAME_PAGE: usize = 256;

/// `lead.*` / `lead.+`: a range scan of the forward-name index, then each
/// name's facts (a prefix scan each), until `limit` facts are read (one more
/// tells whether the result is cut).
fn leading_facts(
    store: &dyn Store,
    labels: &str,
    count: usize,
    one: bool,
    opts: &PdnsOptions,
    limit: usize,
) -> Result<FactPage> {
    let mut page = FactPage::default();
    let mut after = None;
    loop {
        let names = store.names_forward(&NameScan {
            labels: labels.to_string(),
            after: after.take(),
            limit: NAME_PAGE,
        })?;
        let full = names.len() >= NAME_PAGE;
        after = names.last().cloned();
        for name in names {
            if one && name.label_count() != count + 1 {
                continue;
            }
            let room = (limit + 1).saturating_sub(page.facts.len());
            let p = store.facts(&FactQuery {
                subject: SubjectSel::Exact(Entity::Domain(name)),
                predicates: predicates(opts.rrtype),
                fence: opts.fence,
                limit: room,
            })?;
            page.facts.extend(p.facts);
            if p.limited || page.facts.len() > limit {
                page.facts.truncate(limit);
                page.limited = true;
                return Ok(page);
            }
        }
        if !full {
            return Ok(page);
        }
    }
}

/// `rrset NAME`: what the name (pattern) resolved to.
pub fn rrset(store: &dyn Store, name: &str, opts: &PdnsOptions) -> Result<PdnsResult> {
    let p = pattern(name)?;
    let subject = match &p {
        NamePattern::Exact(d) => SubjectSel::Exact(Entity::Domain(d.clone())),
        NamePattern::Below(d) | NamePattern::OneBelow(d) => SubjectSel::Subtree(d.clone()),
        NamePattern::Leading { labels, count, one } => {
            let page = leading_facts(store, labels, *count, *one, opts, fetch_limit(opts))?;
            return Ok(finish(
                page.facts,
                page.limited,
                &|f| accepts(&p, &f.subject),
                opts,
            ));
        }
    };
    let page = store.facts(&FactQuery {
        subject,
        predicates: predicates(opts.rrtype),
        fence: opts.fence,
        limit: fetch_limit(opts),
    })?;
    Ok(finish(
        page.facts,
        page.limited,
        &|f| accepts(&p, &f.subject),
        opts,
    ))
}

/// A post-scan filter on facts.
type FactFilter = Box<dyn Fn(&Fact) -> bool>;

/// What an rdata lookup looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RdataKind {
    /// An IP address or CIDR prefix.
    Ip,
    /// A name (name servers, mail exchangers, CNAME targets, PTR...).
    Name,
    /// Any other rdata, compared exactly.
    Raw,
}

/// `rdata ip|name|raw VALUE`: which names pointed at the value.
pub fn rdata(
    store: &dyn Store,
    kind: RdataKind,
    value: &str,
    opts: &PdnsOptions,
) -> Result<PdnsResult> {
    let (object, keep): (ObjectSel, FactFilter) = match kind {
        RdataKind::Ip => (
            ObjectSel::Cidr(IpNet::parse(value).map_err(|e| invalid("ip", e.to_string()))?),
            Box::new(|f: &Fact| f.predicate.rrtype().is_some()),
        ),
        RdataKind::Name => {
            let p = pattern(value)?;
            let sel = match &p {
                NamePattern::Exact(d) => ObjectSel::Exact(Entity::Domain(d.clone())),
                NamePattern::Below(d) | NamePattern::OneBelow(d) => ObjectSel::Subtree(d.clone()),
                NamePattern::Leading { .. } => {
                    return Err(invalid(
                        "name",
                        "right-hand wildcards apply to rrset names only: rdata names are indexed label-reversed (use *.example.com)",
                    ));
                }
            };
            (sel, Box::new(move |f: &Fact| accepts(&p, &f.object)))
        }
        RdataKind::Raw => (
            ObjectSel::Exact(Entity::Text(
                scry_model::normalise_text(value).ok_or_else(|| invalid("rdata", "empty value"))?,
            )),
            Box::new(|_: &Fact| true),
        ),
    };
    let page = store.reverse(&ReverseQuery {
        object,
        predicates: predicates(opts.rrtype),
        fence: opts.fence,
        limit: fetch_limit(opts),
    })?;
    Ok(finish(page.facts, page.limited, &*keep, opts))
}

/// Counts only (`--summarize`).
pub fn summarize(r: &PdnsResult) -> PdnsSummary {
    let first = r.records.iter().map(|x| x.time_first).min();
    let last = r.records.iter().map(|x| x.time_last).max();
    PdnsSummary {
        num_results: r.records.len() as u64,
        count: r.records.iter().map(|x| x.count).sum(),
        time_first: first.map(format_time),
        time_last: last.map(format_time),
        limited: r.limited,
    }
}

/// Parses a time bound: epoch seconds, RFC 3339, `YYYY-MM-DD`, or relative
/// to `now` (`-7d`, `-12h`, `-30m`, `-90s`, `-2w`).
pub fn parse_bound(s: &str, now: Timestamp) -> Result<Timestamp> {
    let t = s.trim();
    if let Some(rel) = t.strip_prefix('-')
        && let Some(unit) = rel.chars().last()
        && unit.is_ascii_alphabetic()
    {
        let n: i64 = rel[..rel.len() - 1]
            .parse()
            .map_err(|_| invalid("time", format!("{s:?}: expected -N[smhdw]")))?;
        let mul = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => {
                return Err(invalid(
                    "time",
                    format!("{s:?}: unit must be s, m, h, d or w"),
                ));
            }
        };
        return Ok(now - n.saturating_mul(mul));
    }
    scry_model::parse_time(t).map_err(|e| invalid("time", e.to_string()))
}

#[cfg(test)]
mod tests {
    use scry_model::{DomainName, Entity, Ip};

    use super::entity_text;

    #[test]
    fn entity_text_is_to_string() {
        let mut x: u32 = 0x9e37_79b9;
        let mut ips: Vec<u32> = vec![0, u32::MAX, 0x0a00_0001, 0x6464_0a09, 0xc0a8_6301];
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            ips.push(x);
        }
        for ip in ips {
            let e = Entity::Ip(Ip(std::net::Ipv4Addr::from(ip).into()));
            assert_eq!(entity_text(&e), e.to_string());
        }
        for e in [
            Entity::Ip(Ip("2001:db8::1"
                .parse()
                .unwrap_or(std::net::Ipv6Addr::LOCALHOST)
                .into())),
            Entity::Domain(DomainName::parse("www.example.co.uk").expect("a name")),
            Entity::Text("v=spf1 -all".into()),
        ] {
            assert_eq!(entity_text(&e), e.to_string());
            assert_eq!(super::into_text(e.clone()), e.to_string());
        }
    }
}
