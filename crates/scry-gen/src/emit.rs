//! Writers for each output format. Pure functions from a domain (and a day)
//! to text in the real format; no IO.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::{Value, json};

use crate::names::DGA_FAMILIES;
use crate::rng::{Rng, stream};
use crate::tables::{BRANDS, CT_LOGS, ISSUERS, MAIL, NETWORKS, REGISTRARS, TLDS};
use crate::world::{BlockKind, Class, Dom, Ns, Privacy, World, date_string};

const NS_TTL: u32 = 172_800;
const DS_TTL: u32 = 86_400;

/// Name server hosts of a delegation with the glue address of in-bailiwick
/// ones (`Own` hosts).
pub(crate) fn ns_hosts(world: &World, ns: &Ns) -> Vec<(String, Option<u32>)> {
    match ns {
        Ns::Op { op, set } => world.op_sets[*op][*set]
            .iter()
            .map(|&h| (world.hosts[h].name.clone(), None))
            .collect(),
        Ns::Own { base, v4 } => vec![
            (format!("ns1.{base}"), Some(v4[0])),
            (format!("ns2.{base}"), Some(v4[1])),
        ],
    }
}

/// SOA serial of day `d`: `YYYYMMDD00`.
pub(crate) fn serial(world: &World, d: u32) -> String {
    let date = &world.dates[d as usize];
    format!("{}00", date.replace('-', ""))
}

/// The top of a TLD zone file for day `d`: SOA, apex NS, registry glue, and
/// the always-present infrastructure delegations with their glue.
pub(crate) fn zone_header(world: &World, tld: usize, d: u32) -> (String, u64) {
    let t = &TLDS[tld];
    let mut s = String::new();
    let mut n = 0u64;
    let _ = writeln!(
        s,
        "{}.\t900\tin\tsoa\t{}. {}. {} 1800 900 604800 86400",
        t.name,
        t.soa_mname,
        t.soa_rname,
        serial(world, d)
    );
    n += 1;
    for ns in t.apex_ns {
        let _ = writeln!(s, "{}.\t{NS_TTL}\tin\tns\t{ns}.", t.name);
        n += 1;
    }
    for (h, ip) in &world.apex_glue[tld] {
        let _ = writeln!(s, "{h}.\t{NS_TTL}\tin\ta\t{}", Ipv4Addr::from(*ip));
        n += 1;
    }
    for inf in world.infra.iter().filter(|i| i.tld == tld) {
        for &h in &inf.hosts {
            let _ = writeln!(
                s,
                "{}.\t{NS_TTL}\tin\tns\t{}.",
                inf.fqdn, world.hosts[h].name
            );
            n += 1;
        }
    }
    for h in world.hosts.iter().filter(|h| h.tld == tld) {
        let _ = writeln!(s, "{}.\t{NS_TTL}\tin\ta\t{}", h.name, Ipv4Addr::from(h.v4));
        n += 1;
        if let Some(v6) = h.v6 {
            let _ = writeln!(s, "{}.\t{NS_TTL}\tin\taaaa\t{}", h.name, Ipv6Addr::from(v6));
            n += 1;
        }
    }
    (s, n)
}

/// A domain's delegation lines in the zone of day `d` (glue and DS
/// included). Returns the number of records.
pub(crate) fn zone_domain(world: &World, dom: &Dom, d: u32, out: &mut String) -> u64 {
    let ns = dom.ns_at(d);
    let mut n = 0;
    for (host, glue) in ns_hosts(world, ns) {
        let _ = writeln!(out, "{}.\t{NS_TTL}\tin\tns\t{host}.", dom.fqdn);
        n += 1;
        if let (Some(ip), Ns::Own { base, .. }) = (glue, ns)
            && *base == dom.fqdn
        {
            let _ = writeln!(out, "{host}.\t{NS_TTL}\tin\ta\t{}", Ipv4Addr::from(ip));
            n += 1;
        }
    }
    if let Some((tag, digest)) = &dom.ds {
        let _ = writeln!(out, "{}.\t{DS_TTL}\tin\tds\t{tag} 13 2 {digest}", dom.fqdn);
        n += 1;
    }
    n
}

fn cof(
    out: &mut String,
    rrname: &str,
    rrtype: &str,
    rdata: &[String],
    seen: (i64, i64, u64),
    sensor: u64,
) {
    let _ = write!(
        out,
        "{{\"rrname\":\"{rrname}\",\"rrtype\":\"{rrtype}\",\"rdata\":["
    );
    for (i, r) in rdata.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "\"{r}\"");
    }
    let (t1, t2, count) = seen;
    let _ = writeln!(
        out,
        "],\"time_first\":{t1},\"time_last\":{t2},\"count\":{count},\"sensor_id\":\"scry-sensor-{sensor:02}\"}}"
    );
}

/// Passive DNS (COF) lines for a domain on day `d`, if the sensors saw it.
pub(crate) fn pdns_domain(world: &World, dom: &Dom, d: u32, out: &mut String) -> u64 {
    if !dom.alive(d) {
        return 0;
    }
    let mut r = Rng::derive(
        world.seed,
        stream::DAY,
        dom.index.wrapping_mul(4099) ^ u64::from(d),
    );
    if !r.chance(dom.seen) {
        return 0;
    }
    let start = world.day_start(i64::from(d));
    let window = |r: &mut Rng| {
        let t1 = start + r.below(43_200) as i64;
        let t2 = t1 + r.below(43_000) as i64;
        let heavy = dom.seen >= 1.0;
        let count = 1 + if heavy { r.below(5_000) } else { r.below(40) };
        (t1, t2, count)
    };
    let sensor = r.below(12);
    let mut n = 0;
    let ip = dom.v4_at(d);
    let seen = window(&mut r);
    cof(
        out,
        &dom.fqdn,
        "A",
        &[Ipv4Addr::from(ip).to_string()],
        seen,
        sensor,
    );
    n += 1;
    if r.chance(0.5) {
        let seen = window(&mut r);
        let www = format!("www.{}", dom.fqdn);
        cof(
            out,
            &www,
            "A",
            &[Ipv4Addr::from(ip).to_string()],
            seen,
            sensor,
        );
        n += 1;
    }
    if let Some(v6) = dom.v6[Dom::phase(dom.ip_day, d)] {
        let seen = window(&mut r);
        cof(
            out,
            &dom.fqdn,
            "AAAA",
            &[Ipv6Addr::from(v6).to_string()],
            seen,
            sensor,
        );
        n += 1;
    }
    let hosts: Vec<String> = ns_hosts(world, dom.ns_at(d))
        .into_iter()
        .map(|h| h.0)
        .collect();
    let seen = window(&mut r);
    cof(out, &dom.fqdn, "NS", &hosts, seen, sensor);
    n += 1;
    if let Some(m) = dom.mail {
        let seen = window(&mut r);
        let dashed = dom.fqdn.replace('.', "-");
        let mx: Vec<String> = MAIL[m]
            .mx
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = h
                    .replace("{domain-dashed}", &dashed)
                    .replace("{domain}", &dom.fqdn);
                format!("{} {h}", 10 * (i + 1))
            })
            .collect();
        cof(out, &dom.fqdn, "MX", &mx, seen, sensor);
        n += 1;
        if MAIL[m].mx[0].contains("{domain}") {
            let seen = window(&mut r);
            let mxh = format!("mx.{}", dom.fqdn);
            cof(
                out,
                &mxh,
                "A",
                &[Ipv4Addr::from(ip).to_string()],
                seen,
                sensor,
            );
            n += 1;
        }
    }
    n
}

/// Certificate-transparency entries (certstream JSON) for certificates a
/// domain got on day `d`.
pub(crate) fn ct_domain(world: &World, dom: &Dom, d: u32, out: &mut String) -> u64 {
    if !dom.https || !dom.alive(d) {
        return 0;
    }
    let issuer = &ISSUERS[dom.issuer];
    let cadence = if issuer.days <= 90 { 60 } else { 330 };
    let fresh = d == dom.first_day && dom.first_day > 0;
    if !fresh && !(d + dom.cert_phase).is_multiple_of(cadence) {
        return 0;
    }
    let mut r = Rng::derive(
        world.seed,
        stream::DAY,
        dom.index.wrapping_mul(8191) ^ (u64::from(d) << 40) ^ 0xC7,
    );
    let seen = world.day_start(i64::from(d)) + r.below(86_400) as i64;
    let not_before = seen - 3_600 + r.below(1_800) as i64;
    let not_after = not_before + issuer.days * 86_400 - 1;
    let wildcard = dom.class == Class::Benign && r.chance(0.1);
    let mut names = vec![dom.fqdn.clone()];
    names.push(if wildcard {
        format!("*.{}", dom.fqdn)
    } else {
        format!("www.{}", dom.fqdn)
    });
    let mut sha256 = String::with_capacity(64);
    r.hex(&mut sha256, 32);
    sha256.make_ascii_uppercase();
    let mut sha1 = String::with_capacity(40);
    r.hex(&mut sha1, 20);
    sha1.make_ascii_uppercase();
    let fingerprint: Vec<&str> = (0..20).filter_map(|i| sha1.get(2 * i..2 * i + 2)).collect();
    let mut serialno = String::new();
    r.hex(&mut serialno, 18);
    serialno.make_ascii_uppercase();
    let (log_name, log_url) = CT_LOGS[r.index(CT_LOGS.len())];
    let index = r.range(100_000_000, 2_000_000_000);
    let san: Vec<String> = names.iter().map(|n| format!("DNS:{n}")).collect();
    let v = json!({
        "message_type": "certificate_update",
        "data": {
            "update_type": "X509LogEntry",
            "leaf_cert": {
                "subject": {"aggregated": format!("/CN={}", dom.fqdn), "CN": dom.fqdn},
                "issuer": {
                    "aggregated": format!("/C={}/O={}/CN={}", issuer.c, issuer.o, issuer.cn),
                    "C": issuer.c, "O": issuer.o, "CN": issuer.cn,
                },
                "extensions": {"subjectAltName": san.join(", ")},
                "not_before": not_before,
                "not_after": not_after,
                "serial_number": serialno,
                "fingerprint": fingerprint.join(":"),
                "sha1": sha1,
                "sha256": sha256,
                "all_domains": names,
            },
            "cert_index": index,
            "cert_link": format!("{log_url}ct/v1/get-entries?start={index}&end={index}"),
            "seen": seen,
            "source": {"name": log_name, "url": log_url},
        }
    });
    out.push_str(&v.to_string());
    out.push('\n');
    1
}

/// The days on which a sampled domain gets a WHOIS/RDAP record: its first
/// day, and each day something in its registration changed.
pub(crate) fn rdds_days(dom: &Dom, days: u32) -> Vec<u32> {
    let mut v = vec![dom.first_day];
    for x in [dom.ns_day, dom.transfer_day, dom.renew_day]
        .into_iter()
        .flatten()
    {
        v.push(x);
    }
    v.sort_unstable();
    v.dedup();
    v.retain(|&d| d < days && dom.alive(d));
    v
}

/// State of a registration on day `d`.
struct Reg<'a> {
    registrar: usize,
    created: String,
    updated: String,
    expires: String,
    hosts: Vec<(String, Option<u32>)>,
    status: &'a [&'a str],
    transferred: Option<String>,
}

fn reg_state<'a>(world: &World, dom: &Dom, d: u32) -> Reg<'a> {
    let mut updated = dom.created;
    let mut expires = dom.expires;
    let mut transferred = None;
    for (at, what) in [(dom.ns_day, 0), (dom.transfer_day, 1), (dom.renew_day, 2)] {
        if let Some(x) = at
            && x <= d
        {
            let t = world.day_start(i64::from(x)) - 3_600 * i64::from(1 + (dom.index % 20) as u32);
            updated = updated.max(t);
            if what == 1 {
                transferred = Some(scry_model::format_time(t));
            }
            if what == 2 {
                expires += 365 * 86_400;
            }
        }
    }
    let status: &[&str] = match dom.class {
        Class::Sinkhole => &[
            "clientDeleteProhibited",
            "clientTransferProhibited",
            "clientUpdateProhibited",
        ],
        Class::Benign if dom.index.is_multiple_of(3) => &["clientTransferProhibited"],
        Class::Benign => &[
            "clientDeleteProhibited",
            "clientRenewProhibited",
            "clientTransferProhibited",
            "clientUpdateProhibited",
        ],
        _ if d < dom.first_day + 5 => &["addPeriod", "clientTransferProhibited"],
        _ => &["clientTransferProhibited"],
    };
    Reg {
        registrar: dom.registrar_at(d),
        created: scry_model::format_time(dom.created),
        updated: scry_model::format_time(updated),
        expires: scry_model::format_time(expires),
        hosts: ns_hosts(world, dom.ns_at(d)),
        status,
        transferred,
    }
}

fn epp_to_rdap(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

const REDACTED: &str = "REDACTED FOR PRIVACY";
const RDDS_EMAIL: &str = "Please query the RDDS service of the Registrar of Record identified in this output for information on how to contact the Registrant, Admin, or Tech contact of the queried domain name.";

/// Contact fields as WHOIS shows them for this privacy mode.
struct Shown {
    name: String,
    org: String,
    street: String,
    city: String,
    state: String,
    postal: String,
    country: String,
    phone: String,
    email: String,
}

fn shown(dom: &Dom, registrar: usize) -> Shown {
    let p = &REGISTRARS[registrar].proxy;
    let c = dom.contact.as_ref();
    let get = |f: fn(&crate::world::Contact) -> String| c.map(f).unwrap_or_default();
    match dom.privacy {
        Privacy::Disclosed => Shown {
            name: get(|c| c.name.clone()),
            org: get(|c| c.org.clone()),
            street: get(|c| c.street.clone()),
            city: get(|c| c.city.clone()),
            state: get(|c| c.state.clone()),
            postal: get(|c| c.postal.clone()),
            country: get(|c| c.country.to_string()),
            phone: get(|c| c.phone.clone()),
            email: get(|c| c.email.clone()),
        },
        Privacy::Proxy => {
            let alias = format!(
                "{:016x}{:08x}",
                crate::rng::mix(dom.index),
                crate::rng::mix(!dom.index) as u32
            );
            Shown {
                name: "Domain Admin".into(),
                org: p.org.into(),
                street: p.street.into(),
                city: p.city.into(),
                state: p.state.into(),
                postal: p.postal.into(),
                country: p.country.into(),
                phone: p.phone.into(),
                email: format!("{}@{}", &alias[..24], p.email_domain),
            }
        }
        Privacy::Redacted => Shown {
            name: REDACTED.into(),
            org: get(|c| c.org.clone()),
            street: REDACTED.into(),
            city: REDACTED.into(),
            state: get(|c| c.state.clone()),
            postal: REDACTED.into(),
            country: get(|c| c.country.to_string()),
            phone: REDACTED.into(),
            email: RDDS_EMAIL.into(),
        },
    }
}

/// The registry handle of a domain.
fn handle(dom: &Dom) -> String {
    format!("{}{}", 2_000_000_000 + dom.index, TLDS[dom.tld].roid)
}

/// WHOIS text in the ICANN 2013 RAA format a registrar prints.
pub(crate) fn whois_text(world: &World, dom: &Dom, d: u32) -> String {
    let reg = reg_state(world, dom, d);
    let rr = &REGISTRARS[reg.registrar];
    let who = shown(dom, reg.registrar);
    let mut s = String::with_capacity(3_000);
    let _ = writeln!(s, "Domain Name: {}", dom.fqdn.to_ascii_uppercase());
    let _ = writeln!(s, "Registry Domain ID: {}", handle(dom));
    let _ = writeln!(s, "Registrar WHOIS Server: {}", rr.whois);
    let _ = writeln!(s, "Registrar URL: {}", rr.url);
    let _ = writeln!(s, "Updated Date: {}", reg.updated);
    let _ = writeln!(s, "Creation Date: {}", reg.created);
    let _ = writeln!(s, "Registrar Registration Expiration Date: {}", reg.expires);
    let _ = writeln!(s, "Registrar: {}", rr.name);
    let _ = writeln!(s, "Registrar IANA ID: {}", rr.iana);
    let _ = writeln!(s, "Registrar Abuse Contact Email: {}", rr.abuse_email);
    let _ = writeln!(s, "Registrar Abuse Contact Phone: {}", rr.abuse_phone);
    for st in reg.status {
        let _ = writeln!(s, "Domain Status: {st} https://icann.org/epp#{st}");
    }
    let redacted_id = if dom.privacy == Privacy::Disclosed {
        ""
    } else {
        REDACTED
    };
    for role in ["Registrant", "Admin", "Tech"] {
        let reg_role = if role == "Registrant" {
            "Registrant"
        } else {
            role
        };
        let _ = writeln!(s, "Registry {reg_role} ID: {redacted_id}");
        let _ = writeln!(s, "{role} Name: {}", who.name);
        let _ = writeln!(s, "{role} Organization: {}", who.org);
        let _ = writeln!(s, "{role} Street: {}", who.street);
        let _ = writeln!(s, "{role} City: {}", who.city);
        let _ = writeln!(s, "{role} State/Province: {}", who.state);
        let _ = writeln!(s, "{role} Postal Code: {}", who.postal);
        let _ = writeln!(s, "{role} Country: {}", who.country);
        let _ = writeln!(s, "{role} Phone: {}", who.phone);
        let _ = writeln!(s, "{role} Phone Ext: ");
        let _ = writeln!(s, "{role} Fax: ");
        let _ = writeln!(s, "{role} Fax Ext: ");
        let _ = writeln!(s, "{role} Email: {}", who.email);
    }
    for (h, _) in &reg.hosts {
        let _ = writeln!(s, "Name Server: {}", h.to_ascii_uppercase());
    }
    let _ = writeln!(
        s,
        "DNSSEC: {}",
        if dom.ds.is_some() {
            "signedDelegation"
        } else {
            "unsigned"
        }
    );
    let _ = writeln!(
        s,
        "URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/"
    );
    let asof =
        scry_model::format_time(world.day_start(i64::from(d)) + 3_600 + (dom.index % 3_000) as i64);
    let _ = writeln!(s, ">>> Last update of WHOIS database: {asof} <<<");
    s.push('\n');
    s.push_str("For more information on Whois status codes, please visit https://icann.org/epp\n");
    s
}

fn vcard(items: Vec<Value>) -> Value {
    let mut all = vec![json!(["version", {}, "text", "4.0"])];
    all.extend(items);
    json!(["vcard", all])
}

/// RDAP domain JSON (RFC 9083) with RFC 9537 redaction where redacted.
pub(crate) fn rdap_json(world: &World, dom: &Dom, d: u32) -> Value {
    let reg = reg_state(world, dom, d);
    let rr = &REGISTRARS[reg.registrar];
    let who = shown(dom, reg.registrar);
    let tld = &TLDS[dom.tld];
    let asof =
        scry_model::format_time(world.day_start(i64::from(d)) + 3_600 + (dom.index % 3_000) as i64);
    let mut events = vec![
        json!({"eventAction": "registration", "eventDate": reg.created}),
        json!({"eventAction": "expiration", "eventDate": reg.expires}),
        json!({"eventAction": "last changed", "eventDate": reg.updated}),
    ];
    if let Some(t) = &reg.transferred {
        events.push(json!({"eventAction": "transfer", "eventDate": t}));
    }
    events.push(json!({"eventAction": "last update of RDAP database", "eventDate": asof}));
    let registrar = json!({
        "objectClassName": "entity",
        "handle": rr.iana.to_string(),
        "roles": ["registrar"],
        "publicIds": [{"type": "IANA Registrar ID", "identifier": rr.iana.to_string()}],
        "vcardArray": vcard(vec![json!(["fn", {}, "text", rr.name])]),
        "links": [{"href": rr.url, "rel": "about", "type": "text/html", "value": rr.url}],
        "entities": [{
            "objectClassName": "entity",
            "roles": ["abuse"],
            "vcardArray": vcard(vec![
                json!(["fn", {}, "text", "Abuse Contact"]),
                json!(["tel", {"type": ["voice"]}, "uri", format!("tel:{}", rr.abuse_phone)]),
                json!(["email", {}, "text", rr.abuse_email]),
            ]),
        }],
    });
    let mut entities = vec![registrar];
    let mut redacted = Vec::new();
    let mut conformance = vec![
        "rdap_level_0",
        "icann_rdap_response_profile_1",
        "icann_rdap_technical_implementation_guide_1",
    ];
    match dom.privacy {
        Privacy::Redacted => {
            conformance.push("redacted");
            let mut items = Vec::new();
            if !who.org.is_empty() {
                items.push(json!(["org", {}, "text", who.org]));
            }
            items.push(json!(["fn", {}, "text", ""]));
            items.push(json!([
                "adr",
                {},
                "text",
                ["", "", "", "", who.state, "", who.country]
            ]));
            entities.push(json!({
                "objectClassName": "entity",
                "roles": ["registrant"],
                "vcardArray": vcard(items),
                "remarks": [{"title": "REDACTED FOR PRIVACY", "description": ["Some of the data in this object has been removed"], "type": "object redacted due to authorization"}],
            }));
            let path = "$.entities[?(@.roles[0]=='registrant')]";
            for (name, sub, method) in [
                ("Registry Registrant ID", ".handle", "removal"),
                (
                    "Registrant Name",
                    ".vcardArray[1][?(@[0]=='fn')][3]",
                    "emptyValue",
                ),
                (
                    "Registrant Street",
                    ".vcardArray[1][?(@[0]=='adr')][3][:3]",
                    "emptyValue",
                ),
                (
                    "Registrant City",
                    ".vcardArray[1][?(@[0]=='adr')][3][3]",
                    "emptyValue",
                ),
                (
                    "Registrant Postal Code",
                    ".vcardArray[1][?(@[0]=='adr')][3][5]",
                    "emptyValue",
                ),
                (
                    "Registrant Phone",
                    ".vcardArray[1][?(@[1].type=='voice')]",
                    "removal",
                ),
                (
                    "Registrant Email",
                    ".vcardArray[1][?(@[0]=='email')]",
                    "removal",
                ),
            ] {
                let key = if method == "removal" {
                    "prePath"
                } else {
                    "postPath"
                };
                redacted.push(json!({
                    "name": {"type": name},
                    key: format!("{path}{sub}"),
                    "pathLang": "jsonpath",
                    "method": method,
                    "reason": {"type": "Server policy"},
                }));
            }
            redacted.push(json!({
                "name": {"type": "Administrative Contact"},
                "prePath": "$.entities[?(@.roles[0]=='administrative')]",
                "pathLang": "jsonpath",
                "method": "removal",
                "reason": {"type": "Server policy"},
            }));
        }
        Privacy::Proxy | Privacy::Disclosed => {
            let mut items = vec![json!(["fn", {}, "text", who.name])];
            if !who.org.is_empty() {
                items.push(json!(["org", {}, "text", who.org]));
            }
            items.push(json!([
                "adr",
                {},
                "text",
                [
                    "",
                    "",
                    who.street,
                    who.city,
                    who.state,
                    who.postal,
                    who.country
                ]
            ]));
            items.push(json!(["tel", {"type": ["voice"]}, "uri", format!("tel:{}", who.phone)]));
            items.push(json!(["email", {}, "text", who.email]));
            let mut roles = vec!["registrant"];
            if dom.privacy == Privacy::Proxy {
                roles.push("proxy");
            }
            entities.push(json!({
                "objectClassName": "entity",
                "handle": format!("C{}-{}", dom.index, tld.name.to_ascii_uppercase()),
                "roles": roles,
                "vcardArray": vcard(items),
            }));
        }
    }
    let nameservers: Vec<Value> = reg
        .hosts
        .iter()
        .map(|(h, glue)| {
            let mut ns = json!({"objectClassName": "nameserver", "ldhName": h});
            if let Some(ip) = glue {
                ns["ipAddresses"] = json!({"v4": [Ipv4Addr::from(*ip).to_string()]});
            }
            ns
        })
        .collect();
    let status: Vec<String> = reg.status.iter().map(|s| epp_to_rdap(s)).collect();
    let self_link = format!("{}domain/{}", tld.rdap, dom.fqdn);
    let mut v = json!({
        "rdapConformance": conformance,
        "objectClassName": "domain",
        "handle": handle(dom),
        "ldhName": dom.fqdn,
        "links": [{"value": self_link, "rel": "self", "href": self_link, "type": "application/rdap+json"},
                  {"value": format!("{}domain/{}", rr.rdap, dom.fqdn), "rel": "related", "href": format!("{}domain/{}", rr.rdap, dom.fqdn), "type": "application/rdap+json"}],
        "status": status,
        "entities": entities,
        "events": events,
        "nameservers": nameservers,
        "secureDNS": match &dom.ds {
            Some((tag, digest)) => json!({"delegationSigned": true, "dsData": [{"keyTag": tag, "algorithm": 13, "digestType": 2, "digest": digest}]}),
            None => json!({"delegationSigned": false}),
        },
        "port43": tld.whois,
        "notices": [
            {"title": "Status Codes", "description": ["For more information on domain status codes, please visit https://icann.org/epp"], "links": [{"href": "https://icann.org/epp", "type": "text/html"}]},
            {"title": "RDDS Inaccuracy Complaint Form", "description": ["URL of the ICANN RDDS Inaccuracy Complaint Form: https://icann.org/wicf"], "links": [{"href": "https://icann.org/wicf", "type": "text/html"}]},
        ],
    });
    if !redacted.is_empty() {
        v["redacted"] = Value::Array(redacted);
    }
    v
}

/// Actor and campaign ids of a domain.
pub(crate) fn actor_ids(dom: &Dom) -> (Option<String>, Option<String>) {
    match dom.campaign {
        Some((block, _, BlockKind::Dga)) => {
            let fam = DGA_FAMILIES[dom.family.unwrap_or(0)].0;
            (
                Some(format!("dga-{fam}")),
                Some(format!("dga-{fam}-{block:06}")),
            )
        }
        Some((block, actor, _)) => (
            Some(format!("actor-{actor:05}")),
            Some(format!("campaign-{block:06}")),
        ),
        None => (None, None),
    }
}

/// One `labels.ndjson` line.
pub(crate) fn label_line(world: &World, dom: &Dom, out: &mut String) {
    let (actor, campaign) = actor_ids(dom);
    let v = json!({
        "domain": dom.fqdn,
        "label": dom.class.as_str(),
        "actor": actor,
        "campaign": campaign,
        "listed": dom.listed.is_some(),
        "brand": dom.brand.map(|b| BRANDS[b].key),
        "registered": date_string(dom.created),
        "first_seen": world.dates[dom.first_day as usize],
        "deleted": dom.del_day.map(|d| world.dates[d as usize].clone()),
    });
    out.push_str(&v.to_string());
    out.push('\n');
}

/// Feed lines for a listed domain: (phishing list, malware list, spam list,
/// URLhaus CSV).
pub(crate) fn feed_lines(world: &World, dom: &Dom, out: &mut [String; 4]) -> bool {
    let Some(day) = dom.listed else {
        return false;
    };
    match dom.class {
        Class::Phishing => {
            out[0].push_str(&dom.fqdn);
            out[0].push('\n');
        }
        Class::Spam => {
            out[2].push_str(&dom.fqdn);
            out[2].push('\n');
        }
        Class::Dga | Class::Sinkhole => {
            out[1].push_str(&dom.fqdn);
            out[1].push('\n');
            let mut r = Rng::derive(world.seed, stream::DAY, dom.index ^ 0xFEED);
            let added = world.day_start(i64::from(day)) + r.below(86_400) as i64;
            let ts = scry_model::format_time(added)
                .replace('T', " ")
                .replace('Z', "");
            let path = r.pick(&[
                "/bins/x86",
                "/gate.php",
                "/update.exe",
                "/load/payload.bin",
                "/wp-content/a.zip",
                "/invoice.js",
            ]);
            let fam = DGA_FAMILIES[dom.family.unwrap_or(0)].0;
            let status = if dom.alive(world.days - 1) && dom.class != Class::Sinkhole {
                "online"
            } else {
                "offline"
            };
            let id = 3_000_000 + dom.index;
            let reporter = r.pick(&[
                "abuse_ch",
                "anonymous",
                "Cryptolaemus1",
                "JAMESWT_WT",
                "lrz_urlhaus",
            ]);
            let _ = writeln!(
                out[3],
                "\"{id}\",\"{ts}\",\"http://{}{path}\",\"{status}\",\"\",\"malware_download\",\"{fam}\",\"https://urlhaus.abuse.ch/url/{id}/\",\"{reporter}\"",
                dom.fqdn
            );
        }
        Class::Benign | Class::Parked => return false,
    }
    true
}

/// The ip2asn-v4 table: every allocation, with "Not routed" rows filling the
/// gaps so the file covers the whole space, as the real one does.
pub(crate) fn ip2asn_v4() -> String {
    let mut rows: Vec<(u32, u32, usize)> = Vec::new();
    for (i, n) in NETWORKS.iter().enumerate() {
        for &(base, len) in n.v4 {
            let end = (u64::from(base) + (1u64 << (32 - len)) - 1) as u32;
            rows.push((base, end, i));
        }
    }
    rows.sort_unstable();
    let mut s = String::new();
    let mut next: u64 = 0;
    for (start, end, i) in rows {
        if u64::from(start) > next {
            let _ = writeln!(
                s,
                "{}\t{}\t0\tNone\tNot routed",
                Ipv4Addr::from(next as u32),
                Ipv4Addr::from(start - 1)
            );
        }
        let n = &NETWORKS[i];
        let _ = writeln!(
            s,
            "{}\t{}\t{}\t{}\t{}",
            Ipv4Addr::from(start),
            Ipv4Addr::from(end),
            n.asn,
            n.country,
            n.desc
        );
        next = u64::from(end) + 1;
    }
    if next <= u64::from(u32::MAX) {
        let _ = writeln!(
            s,
            "{}\t255.255.255.255\t0\tNone\tNot routed",
            Ipv4Addr::from(next as u32)
        );
    }
    s
}

/// The ip2asn-v6 table (allocations inside 2001:db8::/32 only).
pub(crate) fn ip2asn_v6() -> String {
    let mut rows: Vec<(u16, usize)> = NETWORKS
        .iter()
        .enumerate()
        .map(|(i, n)| (n.v6, i))
        .collect();
    rows.sort_unstable();
    let mut s = String::new();
    for (v6, i) in rows {
        let start = (0x2001_0db8u128 << 96) | (u128::from(v6) << 80);
        let end = start | ((1u128 << 80) - 1);
        let n = &NETWORKS[i];
        let _ = writeln!(
            s,
            "{}\t{}\t{}\t{}\t{}",
            Ipv6Addr::from(start),
            Ipv6Addr::from(end),
            n.asn,
            n.country,
            n.desc
        );
    }
    s
}
