//! The world model: fixed infrastructure built once per run, and the pure
//! functions that derive a block (campaign) and a domain from the seed and an
//! index. Nothing here stores per-domain state: a domain is recomputed from
//! `(seed, index)` whenever it is needed.

use std::collections::BTreeMap;

use crate::GenConfig;
use crate::names::{DGA_FAMILIES, LOOK_FORMS, Lexicon, LookForm};
use crate::rng::{Rng, cumulative, fnv, mix, stream};
use crate::tables::{
    BRANDS, DNS_OPS, ISSUERS, MAIL, MARKMONITOR, NETWORKS, NsPattern, REGISTRARS, TLDS, dns, net,
};

/// Domains per block. A block is either ordinary (all benign or parked) or
/// the home of one campaign, whose members are its first `size` slots.
pub(crate) const BLOCK: u64 = 64;
/// Blocks per actor window: campaigns of one actor live in one window.
const WINDOW: u64 = 32;

/// Ground-truth class of a domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    Benign,
    Parked,
    Phishing,
    Dga,
    Spam,
    Sinkhole,
}

impl Class {
    /// The label written in `labels.ndjson`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Class::Benign => "benign",
            Class::Parked => "parked",
            Class::Phishing => "phishing",
            Class::Dga => "malware_dga",
            Class::Spam => "spam",
            Class::Sinkhole => "sinkhole",
        }
    }
}

/// What a block holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BlockKind {
    Benign,
    Phishing,
    Dga,
    Spam,
}

/// How registration data is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Privacy {
    /// GDPR: "REDACTED FOR PRIVACY".
    Redacted,
    /// A privacy/proxy service of the registrar.
    Proxy,
    /// The registrant's (possibly fake) identity.
    Disclosed,
}

/// A name server host of a DNS operator or registry, with its addresses.
pub(crate) struct NsHost {
    pub(crate) name: String,
    pub(crate) tld: usize,
    pub(crate) v4: u32,
    pub(crate) v6: Option<u128>,
}

/// A delegation: a DNS operator's host set, or hosts `ns1`/`ns2` under a
/// domain (`base`) with glue addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ns {
    Op { op: usize, set: usize },
    Own { base: String, v4: [u32; 2] },
}

/// An infrastructure domain that exists on every day (DNS operators'
/// domains, brands' real domains).
pub(crate) struct Infra {
    pub(crate) fqdn: String,
    pub(crate) tld: usize,
    /// Host indices it is delegated to.
    pub(crate) hosts: Vec<usize>,
    pub(crate) brand: bool,
}

/// A block's campaign (for ordinary blocks only `kind` and `id` matter).
#[derive(Clone, Debug)]
pub(crate) struct Block {
    pub(crate) id: u64,
    pub(crate) kind: BlockKind,
    pub(crate) size: u64,
    pub(crate) actor: u64,
    pub(crate) burst: i64,
    /// The block whose infrastructure (NS, IPs, e-mail) this campaign uses:
    /// itself, or an earlier campaign of the same actor.
    pub(crate) infra: u64,
    pub(crate) tlds: Vec<usize>,
    pub(crate) registrars: [usize; 2],
    pub(crate) brand: usize,
    pub(crate) forms: [LookForm; 2],
    pub(crate) keywords: Vec<&'static str>,
    pub(crate) family: usize,
    pub(crate) theme: Vec<&'static str>,
    pub(crate) own_ns: bool,
    pub(crate) ns_op: (usize, usize),
    pub(crate) net: usize,
    pub(crate) servers: [u64; 3],
    pub(crate) privacy: Privacy,
    pub(crate) listed_rate: f64,
    pub(crate) takedown_rate: f64,
}

/// Registrant contact details (shown unless redacted).
#[derive(Clone, Debug)]
pub(crate) struct Contact {
    pub(crate) name: String,
    pub(crate) org: String,
    pub(crate) street: String,
    pub(crate) city: String,
    pub(crate) state: String,
    pub(crate) postal: String,
    pub(crate) country: &'static str,
    pub(crate) phone: String,
    pub(crate) email: String,
}

/// One domain, fully derived for the whole window.
#[derive(Clone, Debug)]
pub(crate) struct Dom {
    pub(crate) index: u64,
    pub(crate) fqdn: String,
    pub(crate) tld: usize,
    pub(crate) class: Class,
    /// Campaign block, actor id and kind for actor domains.
    pub(crate) campaign: Option<(u64, u64, BlockKind)>,
    pub(crate) brand: Option<usize>,
    pub(crate) family: Option<usize>,
    pub(crate) created: i64,
    /// First day it is in the zone (0 when it predates the window).
    pub(crate) first_day: u32,
    pub(crate) del_day: Option<u32>,
    pub(crate) registrar: [usize; 2],
    pub(crate) transfer_day: Option<u32>,
    pub(crate) ns: [Ns; 2],
    pub(crate) ns_day: Option<u32>,
    pub(crate) v4: [u32; 2],
    pub(crate) v6: [Option<u128>; 2],
    pub(crate) ip_day: Option<u32>,
    pub(crate) ds: Option<(u16, String)>,
    pub(crate) expires: i64,
    pub(crate) renew_day: Option<u32>,
    pub(crate) privacy: Privacy,
    pub(crate) contact: Option<Contact>,
    pub(crate) whois: bool,
    pub(crate) https: bool,
    pub(crate) issuer: usize,
    pub(crate) cert_phase: u32,
    pub(crate) seen: f64,
    pub(crate) mail: Option<usize>,
    pub(crate) listed: Option<u32>,
}

impl Dom {
    /// Whether the domain is delegated in the zone file of day `d`.
    pub(crate) fn alive(&self, d: u32) -> bool {
        d >= self.first_day && self.del_day.is_none_or(|x| d < x)
    }

    /// Index (0 or 1) of the state in effect on day `d` for a change on `at`.
    pub(crate) fn phase(at: Option<u32>, d: u32) -> usize {
        usize::from(at.is_some_and(|x| d >= x))
    }

    /// Delegation on day `d`.
    pub(crate) fn ns_at(&self, d: u32) -> &Ns {
        &self.ns[Self::phase(self.ns_day, d)]
    }

    /// Web server address on day `d`.
    pub(crate) fn v4_at(&self, d: u32) -> u32 {
        self.v4[Self::phase(self.ip_day, d)]
    }

    /// Registrar on day `d`.
    pub(crate) fn registrar_at(&self, d: u32) -> usize {
        self.registrar[Self::phase(self.transfer_day, d)]
    }
}

/// Everything fixed for a run, plus the name renames from the uniqueness pass.
pub(crate) struct World {
    pub(crate) seed: u64,
    pub(crate) domains: u64,
    pub(crate) days: u32,
    pub(crate) whois_benign: f64,
    pub(crate) whois_actor: f64,
    pub(crate) day0: i64,
    pub(crate) dates: Vec<String>,
    pub(crate) lex: Lexicon,
    tld_cum: Vec<u32>,
    pub(crate) cheap_tlds: Vec<usize>,
    reg_cum: Vec<u32>,
    reg_abuse_cum: Vec<u32>,
    net_cum: Vec<u32>,
    net_abuse_cum: Vec<u32>,
    op_cum: Vec<u32>,
    mail_cum: Vec<u32>,
    issuer_cum: Vec<u32>,
    issuer_abuse_cum: Vec<u32>,
    brand_cum: Vec<u32>,
    pub(crate) hosts: Vec<NsHost>,
    /// Per DNS operator, its host sets (indices into `hosts`).
    pub(crate) op_sets: Vec<Vec<Vec<usize>>>,
    /// Per TLD, the registry's in-zone apex hosts (name, v4).
    pub(crate) apex_glue: Vec<Vec<(String, u32)>>,
    pub(crate) infra: Vec<Infra>,
    /// Names that must never be generated (infrastructure, registry hosts).
    pub(crate) reserved: Vec<String>,
    /// (index, attempt) for names renamed by the uniqueness pass, sorted by
    /// index (16 bytes per renamed domain).
    pub(crate) renames: Vec<(u64, u32)>,
}

const DAY: i64 = 86_400;

impl World {
    /// Builds the fixed world for a configuration.
    pub(crate) fn new(cfg: &GenConfig, extra_words: &[String]) -> World {
        let day0 = cfg.start_date.midnight().assume_utc().unix_timestamp();
        let dates = (0..cfg.days)
            .map(|d| date_string(day0 + i64::from(d) * DAY))
            .collect();
        let (hosts, op_sets) = build_hosts(cfg.seed);
        let apex_glue = TLDS
            .iter()
            .map(|t| {
                let suffix = format!(".{}", t.name);
                t.apex_ns
                    .iter()
                    .filter(|h| h.ends_with(&suffix))
                    .map(|h| {
                        let n = if t.name == "com" || t.name == "net" {
                            net::VERISIGN
                        } else {
                            net::NEUSTAR
                        };
                        (h.to_string(), net_v4(n, fnv(h.as_bytes())))
                    })
                    .collect()
            })
            .collect::<Vec<Vec<(String, u32)>>>();
        let mut reserved: Vec<String> = Vec::new();
        for (t, glue) in apex_glue.iter().enumerate() {
            for (h, _) in glue {
                reserved.push(registrable(h, t));
            }
        }
        let infra = build_infra(cfg.seed, &hosts, &op_sets);
        for i in &infra {
            reserved.push(i.fqdn.clone());
        }
        reserved.sort();
        reserved.dedup();
        World {
            seed: cfg.seed,
            domains: cfg.domains,
            days: cfg.days,
            whois_benign: cfg.whois_benign,
            whois_actor: cfg.whois_actor,
            day0,
            dates,
            lex: Lexicon::new(extra_words),
            tld_cum: cumulative(TLDS.iter().map(|t| t.weight)),
            cheap_tlds: (0..TLDS.len()).filter(|&t| TLDS[t].cheap).collect(),
            reg_cum: cumulative(REGISTRARS.iter().map(|r| r.weight)),
            reg_abuse_cum: cumulative(REGISTRARS.iter().map(|r| r.abuse_weight)),
            net_cum: cumulative(NETWORKS.iter().map(|n| n.weight)),
            net_abuse_cum: cumulative(NETWORKS.iter().map(|n| n.abuse_weight)),
            op_cum: cumulative(DNS_OPS.iter().map(|o| o.weight)),
            mail_cum: cumulative(MAIL.iter().map(|m| m.weight)),
            issuer_cum: cumulative(ISSUERS.iter().map(|i| i.weight)),
            issuer_abuse_cum: cumulative(ISSUERS.iter().map(|i| i.abuse_weight)),
            brand_cum: cumulative(BRANDS.iter().map(|b| b.weight)),
            hosts,
            op_sets,
            apex_glue,
            infra,
            reserved,
            renames: Vec::new(),
        }
    }

    /// Epoch seconds of the start of day `d` (may be negative days).
    pub(crate) fn day_start(&self, d: i64) -> i64 {
        self.day0 + d * DAY
    }

    /// Number of blocks.
    pub(crate) fn blocks(&self) -> u64 {
        self.domains.div_ceil(BLOCK)
    }

    /// The kind, actor and burst day of a block, without its reuse link.
    fn block_head(&self, b: u64) -> (BlockKind, u64, i64) {
        let mut r = Rng::derive(self.seed, stream::BLOCK, b);
        let x = r.unit();
        let kind = if x < 0.10 {
            BlockKind::Phishing
        } else if x < 0.145 {
            BlockKind::Dga
        } else if x < 0.175 {
            BlockKind::Spam
        } else {
            BlockKind::Benign
        };
        let days = i64::from(self.days);
        let burst = if r.chance(0.25) {
            -(r.range(1, 45) as i64)
        } else {
            r.below(days as u64) as i64
        };
        let actor = match kind {
            BlockKind::Dga => r.below(DGA_FAMILIES.len() as u64),
            _ => (b / WINDOW) * 2 + r.below(2),
        };
        (kind, actor, burst)
    }

    /// The full description of block `b`.
    pub(crate) fn block(&self, b: u64) -> Block {
        let (kind, actor, burst) = self.block_head(b);
        let mut r = Rng::derive(self.seed, stream::BLOCK, b ^ (1 << 63));
        let size = match kind {
            BlockKind::Benign => 0,
            BlockKind::Phishing => 4 + r.below(12) + r.below(16) * r.below(4),
            BlockKind::Dga => 10 + r.below(40),
            BlockKind::Spam => 12 + r.below(50),
        }
        .min(BLOCK);
        // Reuse: an earlier campaign of the same actor in the same window
        // whose burst came first lends its NS, addresses and e-mail.
        let mut infra = b;
        let mut burst = burst;
        if matches!(kind, BlockKind::Phishing | BlockKind::Spam) && r.chance(0.6) {
            let start = (b / WINDOW) * WINDOW;
            for prev in start..b {
                let (k2, a2, burst2) = self.block_head(prev);
                if k2 == kind && a2 == actor {
                    // The lender's first domain (which carries the name
                    // servers) must exist before this campaign starts.
                    infra = prev;
                    burst = burst.max(burst2);
                    break;
                }
            }
        }
        // Infrastructure choices come from the infra block's own stream so
        // that a reusing campaign gets exactly the same ones.
        let mut ri = Rng::derive(self.seed, stream::ACTOR, infra);
        let abusive = if kind == BlockKind::Benign {
            0
        } else {
            ri.weighted(&self.net_abuse_cum)
        };
        let own_ns = ri.chance(if kind == BlockKind::Dga { 0.3 } else { 0.5 });
        let ns_op = if ri.chance(0.55) {
            (
                dns::CLOUDFLARE,
                ri.index(self.op_sets[dns::CLOUDFLARE].len()),
            )
        } else if ri.chance(0.3) {
            (dns::DDOSGUARD, 0)
        } else {
            let reg = ri.weighted(&self.reg_abuse_cum);
            let op = REGISTRARS[reg].dns;
            (op, ri.index(self.op_sets[op].len()))
        };
        let servers = [
            ri.below(u64::from(NETWORKS[abusive].servers)),
            ri.below(u64::from(NETWORKS[abusive].servers)),
            ri.below(u64::from(NETWORKS[abusive].servers)),
        ];
        let privacy = match ri.below(10) {
            0..=4 => Privacy::Disclosed,
            5..=7 => Privacy::Redacted,
            _ => Privacy::Proxy,
        };
        let ntld = 1 + r.below(3) as usize;
        let tlds = (0..ntld)
            .map(|_| *r.pick(&self.cheap_tlds))
            .collect::<Vec<_>>();
        let reg1 = r.weighted(&self.reg_abuse_cum);
        let reg2 = r.weighted(&self.reg_abuse_cum);
        let brand = r.weighted(&self.brand_cum);
        let f1 = *r.pick(&LOOK_FORMS);
        let f2 = *r.pick(&LOOK_FORMS);
        let keywords = (0..3).map(|_| *r.pick(&self.lex.phish_keywords)).collect();
        let theme = self.lex.spam_theme(&mut r);
        Block {
            id: b,
            kind,
            size,
            actor,
            burst,
            infra,
            tlds,
            registrars: [reg1, reg2],
            brand,
            forms: [f1, f2],
            keywords,
            family: actor as usize % DGA_FAMILIES.len(),
            theme,
            own_ns,
            ns_op,
            net: abusive,
            servers,
            privacy,
            listed_rate: 0.15 + r.unit() * 0.2,
            takedown_rate: 0.2 + r.unit() * 0.4,
        }
    }

    /// Whether slot `index` of `block` is a campaign member.
    pub(crate) fn is_member(block: &Block, index: u64) -> bool {
        block.kind != BlockKind::Benign && index % BLOCK < block.size
    }

    /// The TLD and label of a domain for a naming attempt (the uniqueness
    /// pass retries with higher attempts on collisions).
    pub(crate) fn name(&self, block: &Block, index: u64, attempt: u32, out: &mut String) -> usize {
        let mut r = Rng::derive(self.seed, stream::NAME, index ^ (u64::from(attempt) << 48));
        let mut rt = Rng::derive(self.seed, stream::NAME, index ^ (0xFFFF << 48));
        if Self::is_member(block, index) {
            let tld = *rt.pick(&block.tlds);
            match block.kind {
                BlockKind::Phishing => {
                    let form = block.forms[r.index(2)];
                    self.lex
                        .lookalike(BRANDS[block.brand].key, form, &block.keywords, &mut r, out);
                }
                BlockKind::Dga => self.lex.dga(DGA_FAMILIES[block.family].1, &mut r, out),
                BlockKind::Spam => self.lex.spam(&block.theme, &mut r, out),
                BlockKind::Benign => self.lex.benign(&mut r, out),
            }
            if attempt > 8 {
                // A crowded space (short brand look-alikes): add digits.
                out.push_str(&r.range(2, 10_000).to_string());
            }
            tld
        } else {
            let tld = rt.weighted(&self.tld_cum);
            self.lex.benign(&mut r, out);
            if attempt > 8 {
                out.push_str(&r.range(2, 10_000).to_string());
            }
            tld
        }
    }

    /// The final fully-qualified name of `index`, after renames.
    pub(crate) fn fqdn(&self, block: &Block, index: u64) -> (String, usize) {
        let attempt = self
            .renames
            .binary_search_by_key(&index, |&(i, _)| i)
            .map_or(0, |k| self.renames[k].1);
        let mut label = String::new();
        let tld = self.name(block, index, attempt, &mut label);
        label.push('.');
        label.push_str(TLDS[tld].name);
        (label, tld)
    }

    /// Derives domain `index` of `block` (`infra_d0` is the FQDN of the first
    /// member of the campaign's infrastructure block, for own name servers).
    pub(crate) fn domain(&self, block: &Block, index: u64, infra_d0: Option<&str>) -> Dom {
        let (fqdn, tld) = self.fqdn(block, index);
        let mut r = Rng::derive(self.seed, stream::DOMAIN, index);
        let days = self.days;
        let member = Self::is_member(block, index);
        if member {
            self.actor_domain(block, index, fqdn, tld, infra_d0, &mut r)
        } else {
            self.benign_domain(index, fqdn, tld, days, &mut r)
        }
    }

    fn benign_domain(&self, index: u64, fqdn: String, tld: usize, days: u32, r: &mut Rng) -> Dom {
        let parked = r.chance(0.06);
        let class = if parked { Class::Parked } else { Class::Benign };
        let fdays = f64::from(days);
        let new = days > 1 && r.chance((0.004 * fdays).min(0.5));
        let (first_day, created) = if new {
            let d = r.range(1, u64::from(days)) as u32;
            (d, self.day_start(i64::from(d)) - 1 - r.below(86_400) as i64)
        } else {
            let u = r.unit();
            let ago = 2 + (u * u * 9_000.0) as i64;
            (0, self.day_start(-ago) + r.below(86_400) as i64)
        };
        let del_day = pick_day(r, (0.002 * fdays).min(0.3), first_day + 1, days);
        let registrar0 = if parked && r.chance(0.5) {
            *r.pick(&[12usize, 0, 10])
        } else {
            r.weighted(&self.reg_cum)
        };
        let transfer_day = pick_day(r, (0.0005 * fdays).min(0.05), first_day + 1, days);
        let registrar1 = if transfer_day.is_some() {
            r.weighted(&self.reg_cum)
        } else {
            registrar0
        };
        let (ns0, net0) = self.benign_ns(&fqdn, parked, registrar0, r);
        let mut ns_day = pick_day(r, (0.002 * fdays).min(0.1), first_day + 1, days);
        if transfer_day.is_some() && r.chance(0.5) {
            ns_day = transfer_day;
        }
        let (ns1, net1) = if ns_day.is_some() {
            self.benign_ns(&fqdn, parked, registrar1, r)
        } else {
            (ns0.clone(), net0)
        };
        let ip_day = if ns_day.is_some() && net1 != net0 {
            ns_day
        } else {
            pick_day(r, (0.001 * fdays).min(0.05), first_day + 1, days)
        };
        let s0 = r.below(u64::from(NETWORKS[net0].servers));
        let s1 = if ip_day.is_some() {
            r.below(u64::from(NETWORKS[net1].servers))
        } else {
            s0
        };
        let v6 = r.chance(0.25);
        let (v4, v6) = (
            [net_v4(net0, s0), net_v4(net1, s1)],
            if v6 {
                [Some(net_v6(net0, s0)), Some(net_v6(net1, s1))]
            } else {
                [None, None]
            },
        );
        let signed = match &ns0 {
            Ns::Op { op, .. } if *op == dns::CLOUDFLARE => r.chance(0.2),
            _ => r.chance(0.04),
        } && !parked;
        let ds = signed.then(|| ds_record(r));
        let (expires, renew_day) = self.expiry(created, r);
        let whois = r.chance(self.whois_benign);
        let privacy = match r.below(100) {
            0..=54 => Privacy::Redacted,
            55..=84 => Privacy::Proxy,
            _ => Privacy::Disclosed,
        };
        let contact = whois.then(|| self.contact(&fqdn, r, None));
        let https = r.chance(if parked { 0.1 } else { 0.8 });
        let issuer = r.weighted(&self.issuer_cum);
        let tier = r.below(100);
        let seen = if tier < 2 {
            1.0
        } else if tier < 20 {
            0.3
        } else {
            0.03
        };
        let mail = (!parked && r.chance(0.6)).then(|| r.weighted(&self.mail_cum));
        Dom {
            index,
            fqdn,
            tld,
            class,
            campaign: None,
            brand: None,
            family: None,
            created,
            first_day,
            del_day,
            registrar: [registrar0, registrar1],
            transfer_day,
            ns: [ns0, ns1],
            ns_day,
            v4,
            v6,
            ip_day,
            ds,
            expires,
            renew_day,
            privacy,
            contact,
            whois,
            https,
            issuer,
            cert_phase: r.below(60) as u32,
            seen,
            mail,
            listed: None,
        }
    }

    /// A benign delegation and the hosting network that goes with it.
    fn benign_ns(&self, fqdn: &str, parked: bool, registrar: usize, r: &mut Rng) -> (Ns, usize) {
        if parked {
            let op = *r.pick(&dns::PARKING);
            return (Ns::Op { op, set: 0 }, DNS_OPS[op].net);
        }
        let x = r.below(100);
        let op = if x < 45 {
            REGISTRARS[registrar].dns
        } else if x < 50 {
            let n = r.weighted(&self.net_cum);
            let s = r.below(u64::from(NETWORKS[n].servers));
            let v4 = [net_v4(n, s), net_v4(n, s.wrapping_add(1))];
            return (
                Ns::Own {
                    base: fqdn.to_string(),
                    v4,
                },
                n,
            );
        } else {
            r.weighted(&self.op_cum)
        };
        let set = r.index(self.op_sets[op].len());
        let net = if op == dns::CLOUDFLARE && r.chance(0.85) {
            net::CLOUDFLARE
        } else {
            r.weighted(&self.net_cum)
        };
        (Ns::Op { op, set }, net)
    }

    fn actor_domain(
        &self,
        block: &Block,
        index: u64,
        fqdn: String,
        tld: usize,
        infra_d0: Option<&str>,
        r: &mut Rng,
    ) -> Dom {
        let days = self.days;
        let first_member = index.is_multiple_of(BLOCK);
        let mut class = match block.kind {
            BlockKind::Phishing => Class::Phishing,
            BlockKind::Dga => Class::Dga,
            BlockKind::Spam => Class::Spam,
            BlockKind::Benign => Class::Benign,
        };
        let last = i64::from(days) - 1;
        let reg = if block.kind == BlockKind::Dga {
            // DGA operators register a few of the day's names at a time.
            block.burst.max(0)
                + if first_member {
                    0
                } else {
                    r.below(u64::from(days)) as i64
                }
        } else if first_member {
            block.burst
        } else {
            block.burst
                + match r.below(10) {
                    0..=6 => 0,
                    7 | 8 => 1,
                    _ => 2,
                }
        }
        .min(last);
        let first_day = reg.max(0) as u32;
        let created = self.day_start(reg) - 1 - r.below(86_400) as i64;
        let sinkhole = block.kind == BlockKind::Dga && !first_member && r.chance(0.15);
        if sinkhole {
            class = Class::Sinkhole;
        }
        let del_day = if first_member || sinkhole {
            // The campaign's first domain carries its name servers: kept.
            None
        } else if block.kind == BlockKind::Dga {
            Some(first_day + 1 + r.below(5) as u32).filter(|&d| d < days)
        } else if r.chance(block.takedown_rate) {
            Some(first_day + 1 + r.below(6) as u32).filter(|&d| d < days)
        } else {
            None
        };
        let registrar = if sinkhole {
            MARKMONITOR
        } else if r.chance(0.8) {
            block.registrars[0]
        } else {
            block.registrars[1]
        };
        let (ns, v4) = if sinkhole {
            let op = *r.pick(&dns::SINKHOLE);
            let n = DNS_OPS[op].net;
            (Ns::Op { op, set: 0 }, net_v4(n, 7 + op as u64))
        } else {
            let server = block.servers[r.index(3)];
            let v4 = net_v4(block.net, server);
            let ns = match (block.own_ns, infra_d0) {
                (true, Some(base)) => Ns::Own {
                    base: base.to_string(),
                    v4: [
                        net_v4(block.net, block.servers[0]),
                        net_v4(block.net, block.servers[1]),
                    ],
                },
                _ => Ns::Op {
                    op: block.ns_op.0,
                    set: block.ns_op.1,
                },
            };
            (ns, v4)
        };
        let (expires, renew_day) = self.expiry(created, r);
        let whois = r.chance(self.whois_actor);
        let privacy = if sinkhole {
            Privacy::Disclosed
        } else {
            block.privacy
        };
        let contact = whois.then(|| {
            if sinkhole {
                self.contact(&fqdn, r, Some(usize::MAX))
            } else {
                self.contact(&fqdn, r, Some(block.infra as usize))
            }
        });
        let listed_p = if sinkhole { 0.5 } else { block.listed_rate };
        let listed = r.chance(listed_p).then(|| first_day + r.below(3) as u32);
        let listed = listed.filter(|&d| d < days);
        let issuer = r.weighted(&self.issuer_abuse_cum);
        let mail = (block.kind == BlockKind::Spam).then_some(MAIL.len() - 1);
        Dom {
            index,
            fqdn,
            tld,
            class,
            campaign: Some((block.id, block.actor, block.kind)),
            brand: (block.kind == BlockKind::Phishing).then_some(block.brand),
            family: (block.kind == BlockKind::Dga).then_some(block.family),
            created,
            first_day,
            del_day,
            registrar: [registrar, registrar],
            transfer_day: None,
            ns: [ns.clone(), ns],
            ns_day: None,
            v4: [v4, v4],
            v6: [None, None],
            ip_day: None,
            ds: None,
            expires,
            renew_day,
            privacy,
            contact,
            whois,
            https: !sinkhole && r.chance(0.9),
            issuer,
            cert_phase: r.below(60) as u32,
            seen: if sinkhole { 0.8 } else { 0.5 },
            mail,
            listed,
        }
    }

    /// Expiry date and, when it falls in the window, the renewal day.
    fn expiry(&self, created: i64, r: &mut Rng) -> (i64, Option<u32>) {
        let years = 1 + r.below(3) as i64;
        let mut exp = created + years * 365 * DAY;
        let start = self.day_start(0);
        while exp < start {
            exp += 365 * DAY;
        }
        let d = (exp - start) / DAY;
        let renew = (d < i64::from(self.days) && d > 0).then_some(d as u32);
        (exp, renew)
    }

    /// A registrant contact. `actor` names the infrastructure block whose
    /// shared identity to use (`usize::MAX` for sinkhole operators).
    fn contact(&self, fqdn: &str, r: &mut Rng, actor: Option<usize>) -> Contact {
        let mut r2;
        let rr: &mut Rng = match actor {
            Some(a) if a != usize::MAX => {
                r2 = Rng::derive(self.seed, stream::ACTOR, a as u64 ^ (1 << 62));
                &mut r2
            }
            _ => r,
        };
        if actor == Some(usize::MAX) {
            return Contact {
                name: "Domain Administrator".into(),
                org: "Microsoft Corporation".into(),
                street: "One Microsoft Way".into(),
                city: "Redmond".into(),
                state: "WA".into(),
                postal: "98052".into(),
                country: "US",
                phone: "+1.4258828080".into(),
                email: "domains@microsoft.com".into(),
            };
        }
        let name = self.lex.person(rr);
        let mut email = String::new();
        let free = [
            "gmail.com",
            "outlook.com",
            "yahoo.com",
            "proton.me",
            "mail.ru",
            "yandex.ru",
            "qq.com",
            "gmx.de",
        ];
        if actor.is_none() && rr.chance(0.5) {
            email.push_str(rr.word(&["admin", "info", "contact", "hostmaster", "office"]));
            email.push('@');
            email.push_str(fqdn);
        } else {
            self.lex.mailbox(rr, &mut email);
            email.push('@');
            email.push_str(rr.word(&free));
        }
        let places: &[(&str, &str, &str)] = &[
            ("US", "CA", "9"),
            ("US", "NY", "1"),
            ("US", "TX", "7"),
            ("US", "FL", "3"),
            ("GB", "England", "E"),
            ("DE", "Berlin", "1"),
            ("FR", "Ile-de-France", "7"),
            ("CA", "ON", "M"),
            ("NL", "Noord-Holland", "1"),
            ("CN", "Guangdong", "5"),
            ("RU", "Moskva", "1"),
            ("IN", "Maharashtra", "4"),
        ];
        let (cc, state, p) = *rr.pick(places);
        let org = if actor.is_none() && rr.chance(0.4) {
            let mut o = String::new();
            let label = fqdn.split('.').next().unwrap_or(fqdn);
            let mut c = label.chars();
            if let Some(f) = c.next() {
                o.push(f.to_ascii_uppercase());
                o.push_str(c.as_str());
            }
            o.push_str(rr.word(&[" LLC", " Inc.", " Ltd", " GmbH", " SARL", ""]));
            o
        } else {
            String::new()
        };
        Contact {
            name,
            org,
            street: format!(
                "{} {} {}",
                rr.range(1, 9999),
                capital(self.lex.city(rr)),
                rr.word(&["St", "Ave", "Road", "Lane", "Blvd"])
            ),
            city: capital(self.lex.city(rr)),
            state: state.into(),
            postal: format!("{p}{:04}", rr.below(10_000)),
            country: cc,
            phone: format!("+1.{:010}", rr.range(2_000_000_000, 9_999_999_999)),
            email,
        }
    }
}

/// A day in `[lo, hi)` with probability `p`, else none.
fn pick_day(r: &mut Rng, p: f64, lo: u32, hi: u32) -> Option<u32> {
    let hit = r.chance(p);
    let d = r.range(u64::from(lo), u64::from(hi)) as u32;
    (hit && lo < hi).then_some(d)
}

fn ds_record(r: &mut Rng) -> (u16, String) {
    let tag = r.below(65_536) as u16;
    let mut digest = String::with_capacity(64);
    r.hex(&mut digest, 32);
    digest.make_ascii_uppercase();
    (tag, digest)
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// `YYYY-MM-DD` of an epoch.
pub(crate) fn date_string(t: i64) -> String {
    let s = scry_model::format_time(t);
    s.get(..10).unwrap_or(&s).to_string()
}

/// The registrable domain of a host (last two labels; our TLDs are single
/// labels).
pub(crate) fn registrable(host: &str, _tld: usize) -> String {
    let mut it = host.rsplitn(3, '.');
    let tld = it.next().unwrap_or("");
    let sld = it.next().unwrap_or("");
    format!("{sld}.{tld}")
}

/// Address number `k` of network `n`: a deterministic spread over its blocks,
/// avoiding .0 and .255.
pub(crate) fn net_v4(n: usize, k: u64) -> u32 {
    let nw = &NETWORKS[n];
    let total: u64 = nw.v4.iter().map(|&(_, len)| 1u64 << (32 - len)).sum();
    let mut off = mix(k ^ (n as u64) << 40) % total.max(1);
    for &(base, len) in nw.v4 {
        let size = 1u64 << (32 - len);
        if off < size {
            let mut a = base + off as u32;
            match a & 0xff {
                0 => a += 1,
                255 => a -= 1,
                _ => {}
            }
            return a;
        }
        off -= size;
    }
    nw.v4[0].0 + 1
}

/// IPv6 address `k` of network `n` inside 2001:db8:<n>::/48.
pub(crate) fn net_v6(n: usize, k: u64) -> u128 {
    let nw = &NETWORKS[n];
    let h = mix(k ^ 0x5555);
    (0x2001_0db8u128 << 96)
        | (u128::from(nw.v6) << 80)
        | (u128::from(h as u16) << 64)
        | u128::from((h >> 16) & 0xfff)
}

/// Whether `ip` (v4, as u32) falls in network `n`.
#[cfg(test)]
pub(crate) fn in_net(n: usize, ip: u32) -> bool {
    NETWORKS[n]
        .v4
        .iter()
        .any(|&(base, len)| ip >= base && u64::from(ip) < u64::from(base) + (1u64 << (32 - len)))
}

fn build_hosts(seed: u64) -> (Vec<NsHost>, Vec<Vec<Vec<usize>>>) {
    let mut hosts: Vec<NsHost> = Vec::new();
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    let mut add = |name: String, net: usize, hosts: &mut Vec<NsHost>| -> usize {
        if let Some(&i) = by_name.get(&name) {
            return i;
        }
        let tld_name = name.rsplit('.').next().unwrap_or("");
        let tld = TLDS.iter().position(|t| t.name == tld_name).unwrap_or(0);
        let h = fnv(name.as_bytes());
        let v6 = h.is_multiple_of(3).then(|| net_v6(net, h));
        hosts.push(NsHost {
            v4: net_v4(net, h),
            v6,
            tld,
            name: name.clone(),
        });
        by_name.insert(name, hosts.len() - 1);
        hosts.len() - 1
    };
    let mut op_sets = Vec::new();
    for op in DNS_OPS {
        let mut sets = Vec::new();
        match &op.pattern {
            NsPattern::Numbered {
                prefix,
                width,
                suffix,
                count,
            } => {
                let mut n = 1;
                while n < *count + 1 {
                    let a = add(format!("{prefix}{n:0width$}{suffix}"), op.net, &mut hosts);
                    // An odd last host pairs with the first one.
                    let m = if n < *count { n + 1 } else { 1 };
                    let b = add(format!("{prefix}{m:0width$}{suffix}"), op.net, &mut hosts);
                    sets.push(vec![a, b]);
                    n += 2;
                }
            }
            NsPattern::Named { names, suffix } => {
                let idx: Vec<usize> = names
                    .iter()
                    .map(|nm| add(format!("{nm}{suffix}"), op.net, &mut hosts))
                    .collect();
                for i in 0..idx.len() {
                    for j in i + 1..idx.len() {
                        sets.push(vec![idx[i], idx[j]]);
                    }
                }
            }
            NsPattern::Fixed(list) => {
                sets.push(
                    list.iter()
                        .map(|h| add((*h).to_string(), op.net, &mut hosts))
                        .collect(),
                );
            }
            NsPattern::Aws => {
                let mut r = Rng::derive(seed, stream::HOST, 0xA5);
                for k in 0..48u64 {
                    let n = r.below(512);
                    let m = k % 24;
                    sets.push(vec![
                        add(format!("ns-{n}.awsdns-{m:02}.com"), op.net, &mut hosts),
                        add(
                            format!("ns-{}.awsdns-{:02}.net", n + 512, (m + 7) % 24),
                            op.net,
                            &mut hosts,
                        ),
                        add(
                            format!("ns-{}.awsdns-{:02}.org", n + 1024, (m + 13) % 24),
                            op.net,
                            &mut hosts,
                        ),
                    ]);
                }
            }
        }
        op_sets.push(sets);
    }
    (hosts, op_sets)
}

fn build_infra(seed: u64, hosts: &[NsHost], op_sets: &[Vec<Vec<usize>>]) -> Vec<Infra> {
    let mut by_domain: BTreeMap<String, (usize, Vec<usize>)> = BTreeMap::new();
    for (i, h) in hosts.iter().enumerate() {
        let d = registrable(&h.name, h.tld);
        by_domain.entry(d).or_insert((h.tld, Vec::new())).1.push(i);
    }
    let mut infra: Vec<Infra> = by_domain
        .into_iter()
        .map(|(fqdn, (tld, mut hs))| {
            if hs.len() < 2 {
                // A lone host (azure-dns.com): add its set's other hosts.
                let first = hs[0];
                if let Some(set) = op_sets.iter().flatten().find(|s| s.contains(&first)) {
                    hs.extend(set.iter().filter(|&&h| h != first));
                }
            }
            hs.truncate(4);
            Infra {
                fqdn,
                tld,
                hosts: hs,
                brand: false,
            }
        })
        .collect();
    let mut r = Rng::derive(seed, stream::HOST, 0xB7);
    for b in BRANDS {
        let tld_name = b.domain.rsplit('.').next().unwrap_or("");
        let Some(tld) = TLDS.iter().position(|t| t.name == tld_name) else {
            continue;
        };
        if infra.iter().any(|i| i.fqdn == b.domain) {
            continue;
        }
        let op = *r.pick(&[18usize, 19, dns::CLOUDFLARE, 21]);
        let set = r.index(op_sets[op].len());
        infra.push(Infra {
            fqdn: b.domain.to_string(),
            tld,
            hosts: op_sets[op][set].clone(),
            brand: true,
        });
    }
    infra
}
