//! The one predicate vocabulary.
//!
//! Every fact's predicate comes from this table, whatever source saw it: a
//! delegation in a zone file and an NS answer in passive DNS are the same
//! predicate, `nameserver_host`. Each entry names its DomainTools Iris field
//! (the pivot field name users know), the DNS rrtypes it stands for, the kind
//! of its object, the profile group it is shown in, and the rule that decides
//! whether a value is *current* for a domain.
//!
//! Ids are part of the on-disk format: never renumber, only append.
//! DNS record types without an entry here are carried as [`Predicate::rr`]
//! (`0x8000 | rrtype`), so passive DNS can store any rrset.

use std::fmt;

use crate::entity::EntityKind;
use crate::error::ModelError;
use crate::time_util::Timestamp;

/// A predicate: an index into the vocabulary, or a bare DNS rrtype.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Predicate(u16);

/// Where a predicate is shown in a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Group {
    /// Registration data (WHOIS/RDAP).
    Registration,
    /// Name servers.
    NameServers,
    /// Addresses and hosting.
    Hosting,
    /// Mail.
    Mail,
    /// TLS certificates.
    Certificates,
    /// Other DNS records.
    Dns,
    /// Zone presence and other lifecycle facts.
    Lifecycle,
    /// Threat-feed listings.
    Threat,
}

impl Group {
    /// Stable lower-case name, used as the JSON key of a profile section.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Registration => "registration",
            Group::NameServers => "name_servers",
            Group::Hosting => "hosting",
            Group::Mail => "mail",
            Group::Certificates => "certificates",
            Group::Dns => "dns",
            Group::Lifecycle => "lifecycle",
            Group::Threat => "threat",
        }
    }
}

/// When a value a domain held is still *current*.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurrentRule {
    /// Current while its last observation is within `window` seconds of the
    /// domain's latest observation of the same predicate: `latest -
    /// last_seen < window`. Registration data uses a window of one second
    /// (only the newest record counts); DNS uses a day, so answers seen in
    /// the same daily snapshot or sensor day are current together.
    Within(Timestamp),
}

impl CurrentRule {
    /// Whether a value last seen at `last_seen` is current when the domain's
    /// newest observation of the predicate is at `latest`.
    pub fn is_current(self, last_seen: Timestamp, latest: Timestamp) -> bool {
        match self {
            CurrentRule::Within(w) => latest.saturating_sub(last_seen) < w,
        }
    }
}

/// One row of the vocabulary.
#[derive(Debug, Clone, Copy)]
pub struct PredicateInfo {
    /// Stable id (on-disk).
    pub id: u16,
    /// Iris field name, used on the command line and in JSON.
    pub name: &'static str,
    /// DNS record types this predicate stands for (first is the canonical).
    pub rrtypes: &'static [u16],
    /// Kind of the object.
    pub object: EntityKind,
    /// Profile section.
    pub group: Group,
    /// Current/historic rule.
    pub current: CurrentRule,
    /// Whether analysts pivot on it (shown with counts, guided pivots).
    pub pivot: bool,
}

const DAY: Timestamp = 86_400;
const SNAP: CurrentRule = CurrentRule::Within(1);
const DNS: CurrentRule = CurrentRule::Within(DAY);

macro_rules! vocab {
    ($( $id:literal $konst:ident $name:literal [$($rr:literal),*] $kind:ident $group:ident $rule:ident $pivot:literal; )*) => {
        impl Predicate {
            $(
                #[doc = concat!("`", $name, "`")]
                pub const $konst: Predicate = Predicate($id);
            )*
        }
        static VOCAB: &[PredicateInfo] = &[
            $( PredicateInfo { id: $id, name: $name, rrtypes: &[$($rr),*], object: EntityKind::$kind, group: Group::$group, current: $rule, pivot: $pivot }, )*
        ];
    };
}

vocab! {
    1 IP "ip" [1, 28] Ip Hosting DNS true;
    2 NAMESERVER_HOST "nameserver_host" [2] Domain NameServers DNS true;
    3 NAMESERVER_IP "nameserver_ip" [] Ip NameServers DNS true;
    4 MAILSERVER_HOST "mailserver_host" [15] Domain Mail DNS true;
    5 MAILSERVER_IP "mailserver_ip" [] Ip Mail DNS true;
    6 CNAME "cname" [5] Domain Dns DNS true;
    7 TXT "txt" [16] Text Dns DNS false;
    8 SOA_EMAIL "soa_email" [6] Email Dns DNS true;
    9 PTR "ptr" [12] Domain Dns DNS true;
    10 ASN "asn" [] Asn Hosting DNS true;
    11 ASN_ORG "asn_org" [] Text Hosting DNS false;
    12 COUNTRY "ip_country_code" [] Text Hosting DNS false;
    13 REGISTRAR "registrar" [] Text Registration SNAP true;
    14 REGISTRAR_IANA_ID "registrar_iana_id" [] Text Registration SNAP false;
    15 WHOIS_SERVER "whois_server" [] Domain Registration SNAP false;
    16 CREATED "create_date" [] Time Registration SNAP false;
    17 UPDATED "update_date" [] Time Registration SNAP false;
    18 EXPIRES "expiration_date" [] Time Registration SNAP false;
    19 STATUS "status" [] Text Registration SNAP false;
    20 DNSSEC "dnssec" [] Text Registration SNAP false;
    21 PRIVACY_SERVICE "privacy_service" [] Text Registration SNAP true;
    22 REGISTRANT_NAME "registrant_name" [] Text Registration SNAP true;
    23 REGISTRANT_ORG "registrant_org" [] Text Registration SNAP true;
    24 REGISTRANT_EMAIL "registrant_email" [] Email Registration SNAP true;
    25 REGISTRANT_PHONE "registrant_phone" [] Text Registration SNAP true;
    26 REGISTRANT_STREET "registrant_street" [] Text Registration SNAP true;
    27 REGISTRANT_CITY "registrant_city" [] Text Registration SNAP false;
    28 REGISTRANT_STATE "registrant_state" [] Text Registration SNAP false;
    29 REGISTRANT_POSTAL "registrant_postal" [] Text Registration SNAP false;
    30 REGISTRANT_COUNTRY "registrant_country" [] Text Registration SNAP false;
    31 ADMIN_NAME "admin_name" [] Text Registration SNAP true;
    32 ADMIN_ORG "admin_org" [] Text Registration SNAP true;
    33 ADMIN_EMAIL "admin_email" [] Email Registration SNAP true;
    34 ADMIN_PHONE "admin_phone" [] Text Registration SNAP true;
    35 TECH_NAME "tech_name" [] Text Registration SNAP true;
    36 TECH_ORG "tech_org" [] Text Registration SNAP true;
    37 TECH_EMAIL "tech_email" [] Email Registration SNAP true;
    38 TECH_PHONE "tech_phone" [] Text Registration SNAP true;
    39 BILLING_NAME "billing_name" [] Text Registration SNAP true;
    40 BILLING_ORG "billing_org" [] Text Registration SNAP true;
    41 BILLING_EMAIL "billing_email" [] Email Registration SNAP true;
    42 BILLING_PHONE "billing_phone" [] Text Registration SNAP true;
    43 SSL_HASH "ssl_hash" [] Hash Certificates DNS true;
    44 SSL_SUBJECT "ssl_subject" [] Text Certificates DNS true;
    45 SSL_ALT_NAMES "ssl_alt_names" [] Domain Certificates DNS true;
    46 SSL_ISSUER "ssl_issuer" [] Text Certificates DNS false;
    47 SSL_EMAIL "ssl_email" [] Email Certificates DNS true;
    48 DS "ds" [43] Text Dns DNS false;
    49 DNSKEY "dnskey" [48] Text Dns DNS false;
    50 CAA "caa" [257] Text Dns DNS false;
    51 SRV "srv" [33] Text Dns DNS false;
    52 IN_ZONE "in_zone" [] Domain Lifecycle SNAP false;
    53 GOOGLE_ANALYTICS "google_analytics" [] Text Hosting DNS true;
    54 REDIRECT_DOMAIN "redirect_domain" [] Domain Hosting DNS true;
    55 WEBSITE_TITLE "website_title" [] Text Hosting DNS true;
    56 SERVER_TYPE "server_type" [] Text Hosting DNS false;
    57 REGISTRAR_URL "registrar_url" [] Text Registration SNAP false;
    58 REGISTRAR_ABUSE_EMAIL "registrar_abuse_email" [] Email Registration SNAP false;
    59 MX_PREFERENCE "mx_preference" [] Text Mail DNS false;
    60 EMAIL_DOMAIN "email_domain" [] Domain Registration SNAP true;
    // The name of a threat feed listing the subject; whether a listing is
    // current is the feed's business (its latest version), not this rule's.
    61 LISTED "listed" [] Text Threat DNS true;
}

/// Flag bit marking a bare DNS rrtype predicate (rrtypes below 32768).
const RR_BIT: u16 = 0x8000;
/// Ids of the assigned rrtypes from 32768 up: TA (32768) and DLV (32769).
const RR_HIGH: u16 = 0x0400;
/// Ids of the private-use rrtypes 65280..=65535.
const RR_PRIVATE: u16 = 0x0500;

/// The id of a bare rrtype, when the id space can hold it: every type below
/// 32768, TA and DLV, and the private-use range; other types from 32770 up
/// are unassigned and refused.
fn rr_id(rrtype: u16) -> Option<u16> {
    match rrtype {
        0..=0x7fff => Some(RR_BIT | rrtype),
        0x8000..=0x8001 => Some(RR_HIGH + (rrtype - 0x8000)),
        0xff00..=0xffff => Some(RR_PRIVATE + (rrtype - 0xff00)),
        _ => None,
    }
}

/// The rrtype of a bare-rrtype id.
fn id_rr(id: u16) -> Option<u16> {
    match id {
        _ if id & RR_BIT != 0 => Some(id & !RR_BIT),
        RR_HIGH..=0x0401 => Some(0x8000 + (id - RR_HIGH)),
        RR_PRIVATE..=0x05ff => Some(0xff00 + (id - RR_PRIVATE)),
        _ => None,
    }
}

impl Predicate {
    /// The whole vocabulary, in id order.
    pub fn all() -> &'static [PredicateInfo] {
        VOCAB
    }

    /// The predicate with this stable id, if it exists.
    pub fn from_id(id: u16) -> Option<Predicate> {
        if id_rr(id).is_some() || VOCAB.iter().any(|p| p.id == id) {
            Some(Predicate(id))
        } else {
            None
        }
    }

    /// Stable id.
    pub fn id(self) -> u16 {
        self.0
    }

    /// The predicate of a DNS rrtype: its vocabulary entry, or a bare
    /// rrtype predicate. Unassigned types from 32770 to 65279 have no
    /// predicate (see [`Predicate::try_rr`]); they map to `rr0`.
    pub fn rr(rrtype: u16) -> Predicate {
        Self::try_rr(rrtype).unwrap_or(Predicate(RR_BIT))
    }

    /// The predicate of a DNS rrtype, if the id space holds it.
    pub fn try_rr(rrtype: u16) -> Option<Predicate> {
        match VOCAB.iter().find(|p| p.rrtypes.contains(&rrtype)) {
            Some(p) => Some(Predicate(p.id)),
            None => rr_id(rrtype).map(Predicate),
        }
    }

    /// The vocabulary row, or `None` for a bare rrtype predicate.
    pub fn info(self) -> Option<&'static PredicateInfo> {
        if id_rr(self.0).is_some() {
            return None;
        }
        VOCAB.iter().find(|p| p.id == self.0)
    }

    /// The field name (`nameserver_host`, or `rr65` for bare rrtypes).
    pub fn name(self) -> String {
        match self.info() {
            Some(i) => i.name.to_string(),
            None => format!("rr{}", id_rr(self.0).unwrap_or(0)),
        }
    }

    /// Looks a predicate up by field name (or `rrNN`, or an rrtype mnemonic
    /// such as `NS`).
    pub fn from_name(name: &str) -> Result<Predicate, ModelError> {
        let n = name.trim();
        if let Some(p) = VOCAB.iter().find(|p| p.name.eq_ignore_ascii_case(n)) {
            return Ok(Predicate(p.id));
        }
        if let Some(num) = n.strip_prefix("rr").and_then(|x| x.parse::<u16>().ok()) {
            return Ok(Predicate::rr(num));
        }
        if let Some(rr) = rrtype_from_mnemonic(n) {
            return Ok(Predicate::rr(rr));
        }
        Err(ModelError::UnknownPredicate(name.to_string()))
    }

    /// Kind of the object (bare rrtypes carry text rdata).
    pub fn object_kind(self) -> EntityKind {
        self.info().map_or(EntityKind::Text, |i| i.object)
    }

    /// Profile section.
    pub fn group(self) -> Group {
        self.info().map_or(Group::Dns, |i| i.group)
    }

    /// Current/historic rule.
    pub fn current_rule(self) -> CurrentRule {
        self.info().map_or(DNS, |i| i.current)
    }

    /// Whether analysts pivot on this predicate.
    pub fn is_pivot(self) -> bool {
        self.info().is_some_and(|i| i.pivot)
    }

    /// The canonical DNS rrtype, if any.
    pub fn rrtype(self) -> Option<u16> {
        if let Some(rr) = id_rr(self.0) {
            return Some(rr);
        }
        self.info().and_then(|i| i.rrtypes.first().copied())
    }
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.info() {
            Some(i) => f.write_str(i.name),
            None => write!(f, "rr{}", id_rr(self.0).unwrap_or(0)),
        }
    }
}

/// DNS rrtype mnemonics Scry knows by name.
pub const RRTYPES: &[(&str, u16)] = &[
    ("A", 1),
    ("NS", 2),
    ("CNAME", 5),
    ("SOA", 6),
    ("PTR", 12),
    ("HINFO", 13),
    ("MX", 15),
    ("TXT", 16),
    ("RP", 17),
    ("AAAA", 28),
    ("LOC", 29),
    ("SRV", 33),
    ("NAPTR", 35),
    ("DNAME", 39),
    ("DS", 43),
    ("SSHFP", 44),
    ("RRSIG", 46),
    ("NSEC", 47),
    ("DNSKEY", 48),
    ("NSEC3", 50),
    ("NSEC3PARAM", 51),
    ("TLSA", 52),
    ("CDS", 59),
    ("CDNSKEY", 60),
    ("OPENPGPKEY", 61),
    ("SVCB", 64),
    ("HTTPS", 65),
    ("SPF", 99),
    ("CAA", 257),
];

/// The rrtype number for a mnemonic (`NS`, `aaaa`, `TYPE65`).
pub fn rrtype_from_mnemonic(s: &str) -> Option<u16> {
    let up = s.trim().to_ascii_uppercase();
    if let Some(n) = up.strip_prefix("TYPE") {
        return n.parse().ok();
    }
    RRTYPES.iter().find(|(m, _)| *m == up).map(|(_, n)| *n)
}

/// The mnemonic for an rrtype (`TYPE65534` for unknown ones).
pub fn rrtype_mnemonic(rr: u16) -> String {
    RRTYPES
        .iter()
        .find(|(_, n)| *n == rr)
        .map_or_else(|| format!("TYPE{rr}"), |(m, _)| (*m).to_string())
}
