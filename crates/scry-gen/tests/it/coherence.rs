//! The generated world is coherent across its formats.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

use serde_json::Value;

use crate::{world, zone_records};

fn dates() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(world().dir.path().join("pdns"))
        .unwrap()
        .map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().to_string();
            n.trim_end_matches(".cof.ndjson").to_string()
        })
        .collect();
    v.sort();
    v
}

fn tlds() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(world().dir.path().join("zones"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

/// Per TLD: owner -> NS hosts, and the set of owners with address records.
struct Zone {
    ns: BTreeMap<String, BTreeSet<String>>,
    addr: BTreeSet<String>,
    v4: Vec<Ipv4Addr>,
    v6: Vec<Ipv6Addr>,
    serial: String,
}

fn load_zone(tld: &str, date: &str) -> Zone {
    let p = world()
        .dir
        .path()
        .join("zones")
        .join(tld)
        .join(format!("{date}.zone"));
    let text = std::fs::read_to_string(&p).unwrap();
    let mut z = Zone {
        ns: BTreeMap::new(),
        addr: BTreeSet::new(),
        v4: Vec::new(),
        v6: Vec::new(),
        serial: String::new(),
    };
    for (owner, ty, rdata) in zone_records(&text) {
        match ty.as_str() {
            "soa" => z.serial = rdata.split(' ').nth(2).unwrap().to_string(),
            "ns" if owner != tld => {
                z.ns.entry(owner).or_default().insert(rdata);
            }
            "a" => {
                z.v4.push(rdata.parse().unwrap());
                z.addr.insert(owner);
            }
            "aaaa" => {
                z.v6.push(rdata.parse().unwrap());
                z.addr.insert(owner);
            }
            "ns" | "ds" => {}
            other => panic!("unexpected record type {other} in {}", p.display()),
        }
    }
    z
}

fn zones(date: &str) -> BTreeMap<String, Zone> {
    tlds()
        .into_iter()
        .map(|t| {
            let z = load_zone(&t, date);
            (t, z)
        })
        .collect()
}

fn labels() -> Vec<Value> {
    let text = std::fs::read_to_string(world().dir.path().join("labels.ndjson")).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn registrable(host: &str) -> (String, String) {
    let parts: Vec<&str> = host.rsplitn(3, '.').collect();
    (format!("{}.{}", parts[1], parts[0]), parts[0].to_string())
}

#[test]
fn every_delegation_points_at_name_servers_that_exist() {
    for date in dates() {
        let zs = zones(&date);
        let mut checked = 0;
        for (tld, z) in &zs {
            assert_eq!(
                z.serial,
                format!("{}00", date.replace('-', "")),
                "{tld} {date} serial"
            );
            for (owner, hosts) in &z.ns {
                assert!(owner.ends_with(&format!(".{tld}")), "{owner} in {tld} zone");
                assert!(hosts.len() >= 2, "{owner} has at least two name servers");
                for h in hosts {
                    let (reg, htld) = registrable(h);
                    let hz = zs
                        .get(&htld)
                        .unwrap_or_else(|| panic!("{h}: TLD not generated"));
                    assert!(
                        hz.ns.contains_key(&reg),
                        "{date}: {owner} -> {h}, but {reg} is not delegated"
                    );
                    if htld == *tld {
                        assert!(z.addr.contains(h), "{date}: in-zone host {h} has no glue");
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "{checked} NS records checked on {date}");
    }
}

fn asn_v4() -> Vec<(u32, u32, u32)> {
    let text = std::fs::read_to_string(world().dir.path().join("asn/ip2asn-v4.tsv")).unwrap();
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 5, "{l}");
            let a: Ipv4Addr = f[0].parse().unwrap();
            let b: Ipv4Addr = f[1].parse().unwrap();
            (u32::from(a), u32::from(b), f[2].parse().unwrap())
        })
        .collect()
}

fn asn_v6() -> Vec<(u128, u128, u32)> {
    let text = std::fs::read_to_string(world().dir.path().join("asn/ip2asn-v6.tsv")).unwrap();
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let a: Ipv6Addr = f[0].parse().unwrap();
            let b: Ipv6Addr = f[1].parse().unwrap();
            (u128::from(a), u128::from(b), f[2].parse().unwrap())
        })
        .collect()
}

fn routed_v4(table: &[(u32, u32, u32)], ip: Ipv4Addr) -> bool {
    let x = u32::from(ip);
    table
        .iter()
        .any(|&(a, b, asn)| asn != 0 && a <= x && x <= b)
}

fn routed_v6(table: &[(u128, u128, u32)], ip: Ipv6Addr) -> bool {
    let x = u128::from(ip);
    table
        .iter()
        .any(|&(a, b, asn)| asn != 0 && a <= x && x <= b)
}

#[test]
fn the_asn_table_covers_the_whole_ipv4_space_in_order() {
    let t = asn_v4();
    assert_eq!(t[0].0, 0);
    assert_eq!(t.last().unwrap().1, u32::MAX);
    for w in t.windows(2) {
        assert_eq!(u64::from(w[0].1) + 1, u64::from(w[1].0), "contiguous rows");
        assert!(w[0].0 <= w[0].1);
    }
    assert!(t.iter().filter(|r| r.2 != 0).count() >= 20);
}

#[test]
fn every_address_falls_in_the_asn_table() {
    let v4 = asn_v4();
    let v6 = asn_v6();
    let mut n = 0;
    for date in dates() {
        for z in zones(&date).values() {
            for ip in &z.v4 {
                assert!(routed_v4(&v4, *ip), "glue {ip} not in ip2asn");
                n += 1;
            }
            for ip in &z.v6 {
                assert!(routed_v6(&v6, *ip), "glue {ip} not in ip2asn-v6");
            }
        }
        let pdns = std::fs::read_to_string(
            world()
                .dir
                .path()
                .join("pdns")
                .join(format!("{date}.cof.ndjson")),
        )
        .unwrap();
        for line in pdns.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            for r in v["rdata"].as_array().unwrap() {
                let r = r.as_str().unwrap();
                match v["rrtype"].as_str().unwrap() {
                    "A" => assert!(routed_v4(&v4, r.parse().unwrap()), "pdns {r}"),
                    "AAAA" => assert!(routed_v6(&v6, r.parse().unwrap()), "pdns {r}"),
                    _ => continue,
                }
                n += 1;
            }
        }
    }
    assert!(n > 1_000, "{n} addresses checked");
}

fn whois_field<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    text.lines()
        .filter_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(": ")))
        .collect()
}

#[test]
fn whois_and_rdap_agree_with_the_zone_of_their_day() {
    let root = world().dir.path();
    let mut checked = 0;
    let mut privacy = BTreeMap::<&str, usize>::new();
    for date in dates() {
        let zs = zones(&date);
        let dir = root.join("whois").join(&date);
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let domain = p.file_stem().unwrap().to_string_lossy().to_string();
            let tld = domain.rsplit('.').next().unwrap();
            let zone_ns = zs[tld]
                .ns
                .get(&domain)
                .unwrap_or_else(|| panic!("{domain} has WHOIS on {date} but is not in the zone"));
            let text = std::fs::read_to_string(&p).unwrap();
            assert_eq!(
                whois_field(&text, "Domain Name"),
                vec![domain.to_uppercase()]
            );
            let whois_ns: BTreeSet<String> = whois_field(&text, "Name Server")
                .iter()
                .map(|s| s.to_lowercase())
                .collect();
            assert_eq!(&whois_ns, zone_ns, "{date} {domain}: WHOIS NS vs zone");
            let rdap: Value = serde_json::from_str(
                &std::fs::read_to_string(
                    root.join("rdap").join(&date).join(format!("{domain}.json")),
                )
                .unwrap(),
            )
            .unwrap();
            assert_eq!(rdap["objectClassName"], "domain");
            assert_eq!(rdap["ldhName"], domain.as_str());
            let rdap_ns: BTreeSet<String> = rdap["nameservers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["ldhName"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(&rdap_ns, zone_ns, "{date} {domain}: RDAP NS vs zone");
            let registrar = whois_field(&text, "Registrar")[0];
            let ents = rdap["entities"].as_array().unwrap();
            let reg = ents
                .iter()
                .find(|e| e["roles"][0] == "registrar")
                .expect("registrar entity");
            assert_eq!(reg["vcardArray"][0], "vcard");
            let fn_ = reg["vcardArray"][1]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p[0] == "fn")
                .unwrap();
            assert_eq!(fn_[3], registrar, "{domain}: registrar");
            assert_eq!(
                reg["publicIds"][0]["identifier"],
                whois_field(&text, "Registrar IANA ID")[0]
            );
            let name = whois_field(&text, "Registrant Name")[0];
            let kind = if name == "REDACTED FOR PRIVACY" {
                assert!(rdap["redacted"].as_array().is_some_and(|r| !r.is_empty()));
                assert!(
                    rdap["rdapConformance"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|c| c == "redacted")
                );
                "redacted"
            } else if whois_field(&text, "Registrant Organization")[0].contains("Privacy")
                || name == "Domain Admin"
            {
                "proxy"
            } else {
                assert!(rdap.get("redacted").is_none());
                "disclosed"
            };
            *privacy.entry(kind).or_default() += 1;
            let events: Vec<&str> = rdap["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["eventAction"].as_str().unwrap())
                .collect();
            assert!(events.contains(&"registration") && events.contains(&"expiration"));
            checked += 1;
        }
    }
    assert!(checked > 300, "{checked} WHOIS/RDAP records checked");
    for k in ["redacted", "proxy", "disclosed"] {
        assert!(privacy.get(k).copied().unwrap_or(0) > 20, "{privacy:?}");
    }
}

#[test]
fn whois_history_records_changes() {
    // A domain with several records changed something between them.
    let root = world().dir.path().join("whois");
    let mut by_domain: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for date in dates() {
        for e in std::fs::read_dir(root.join(&date)).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().to_string();
            by_domain.entry(name).or_default().push(date.clone());
        }
    }
    let multi: Vec<(&String, &Vec<String>)> =
        by_domain.iter().filter(|(_, d)| d.len() > 1).collect();
    assert!(!multi.is_empty(), "some domains have WHOIS history");
    for (name, ds) in multi {
        let texts: Vec<String> = ds
            .iter()
            .map(|d| std::fs::read_to_string(root.join(d).join(name)).unwrap())
            .collect();
        let strip = |t: &str| -> String {
            t.lines()
                .filter(|l| !l.starts_with(">>>"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        for w in texts.windows(2) {
            assert_ne!(
                strip(&w[0]),
                strip(&w[1]),
                "{name}: a history record per change"
            );
        }
    }
}

#[test]
fn labels_cover_every_domain_exactly_once() {
    let labels = labels();
    let w = world();
    assert_eq!(
        labels.len() as u64,
        w.cfg.domains + w.summary.infrastructure
    );
    let names: BTreeSet<&str> = labels
        .iter()
        .map(|l| l["domain"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), labels.len(), "domain names are unique");
    for n in &names {
        assert!(
            scry_model::DomainName::parse(n).is_ok(),
            "{n} is a valid name"
        );
    }
    let mut in_zones = BTreeSet::new();
    for date in dates() {
        for z in zones(&date).values() {
            in_zones.extend(z.ns.keys().cloned());
        }
    }
    for d in &in_zones {
        assert!(
            names.contains(d.as_str()),
            "{d} is delegated but has no label"
        );
    }
    let mut classes = BTreeMap::<&str, usize>::new();
    for l in &labels {
        *classes.entry(l["label"].as_str().unwrap()).or_default() += 1;
        assert!(l["registered"].as_str().unwrap().len() == 10);
        if l["label"] == "phishing" {
            assert!(l["brand"].is_string(), "look-alikes name their brand");
        }
        if l["label"] != "benign" && l["label"] != "parked" {
            assert!(l["actor"].is_string() && l["campaign"].is_string(), "{l}");
        }
    }
    for c in [
        "benign",
        "parked",
        "phishing",
        "malware_dga",
        "spam",
        "sinkhole",
    ] {
        assert!(classes.get(c).copied().unwrap_or(0) > 0, "{c}: {classes:?}");
    }
    let benign = classes["benign"] as f64 / labels.len() as f64;
    assert!((0.7..0.95).contains(&benign), "benign share {benign}");
}

#[test]
fn feeds_list_some_actor_domains_but_not_most() {
    let root = world().dir.path();
    let labels = labels();
    let listed: BTreeSet<&str> = labels
        .iter()
        .filter(|l| l["listed"] == true)
        .map(|l| l["domain"].as_str().unwrap())
        .collect();
    let mut fed = BTreeSet::new();
    for f in [
        "phishing-domains.txt",
        "malware-domains.txt",
        "spam-domains.txt",
    ] {
        let text = std::fs::read_to_string(root.join("feeds").join(f)).unwrap();
        for l in text.lines().filter(|l| !l.starts_with('#')) {
            assert!(fed.insert(l.to_string()), "{l} listed twice");
        }
    }
    let fed_ref: BTreeSet<&str> = fed.iter().map(String::as_str).collect();
    assert_eq!(fed_ref, listed, "feeds and labels agree on what is listed");
    let urlhaus = std::fs::read_to_string(root.join("feeds/urlhaus.csv")).unwrap();
    let rows: Vec<&str> = urlhaus.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(!rows.is_empty());
    for r in rows {
        assert_eq!(r.split("\",\"").count(), 9, "{r}");
    }
    for class in ["phishing", "malware_dga", "spam"] {
        let all = labels.iter().filter(|l| l["label"] == class).count();
        let l = labels
            .iter()
            .filter(|l| l["label"] == class && l["listed"] == true)
            .count();
        assert!(
            l > 0 && (l as f64) < 0.6 * all as f64,
            "{class}: {l} of {all} listed"
        );
    }
    assert!(
        labels
            .iter()
            .all(|l| l["listed"] == false || (l["label"] != "benign" && l["label"] != "parked"))
    );
}

#[test]
fn campaigns_share_name_servers_and_some_reuse_infrastructure() {
    let labels = labels();
    let mut campaigns: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for l in &labels {
        if let Some(c) = l["campaign"].as_str()
            && (l["label"] == "phishing" || l["label"] == "spam")
        {
            let e = campaigns
                .entry(c.to_string())
                .or_insert_with(|| (l["actor"].as_str().unwrap().to_string(), Vec::new()));
            e.1.push(l["domain"].as_str().unwrap().to_string());
        }
    }
    assert!(campaigns.len() >= 5, "{} campaigns", campaigns.len());
    let mut ns_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for date in dates() {
        for z in zones(&date).values() {
            for (d, hosts) in &z.ns {
                ns_of.entry(d.clone()).or_insert_with(|| hosts.clone());
            }
        }
    }
    let mut sets_by_campaign: BTreeMap<&str, (&str, &BTreeSet<String>)> = BTreeMap::new();
    for (c, (actor, domains)) in &campaigns {
        let sets: BTreeSet<&BTreeSet<String>> =
            domains.iter().filter_map(|d| ns_of.get(d)).collect();
        assert_eq!(sets.len(), 1, "{c}: all members share one NS set: {sets:?}");
        if let Some(s) = sets.into_iter().next() {
            sets_by_campaign.insert(c, (actor, s));
        }
    }
    // Some actor runs two campaigns on the same infrastructure.
    let mut reused = 0;
    let list: Vec<_> = sets_by_campaign.iter().collect();
    for (i, (c1, (a1, s1))) in list.iter().enumerate() {
        for (c2, (a2, s2)) in &list[i + 1..] {
            if a1 == a2 && s1 == s2 && s1.iter().any(|h| h.starts_with("ns1.")) {
                assert_ne!(c1, c2);
                reused += 1;
            }
        }
    }
    assert!(
        reused > 0,
        "some campaigns reuse another campaign's own name servers"
    );
}

#[test]
fn disclosed_campaign_registrants_share_one_email() {
    let root = world().dir.path();
    let labels = labels();
    let mut emails: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for date in dates() {
        for e in std::fs::read_dir(root.join("whois").join(&date)).unwrap() {
            let p = e.unwrap().path();
            let text = std::fs::read_to_string(&p).unwrap();
            let email = whois_field(&text, "Registrant Email")[0].to_string();
            let name = whois_field(&text, "Registrant Name")[0];
            if name == "REDACTED FOR PRIVACY" || name == "Domain Admin" {
                continue;
            }
            let domain = p.file_stem().unwrap().to_string_lossy().to_string();
            let l = labels
                .iter()
                .find(|l| l["domain"] == domain.as_str())
                .unwrap();
            if l["label"] == "phishing" || l["label"] == "spam" {
                emails
                    .entry(l["campaign"].as_str().unwrap().to_string())
                    .or_default()
                    .insert(email);
            }
        }
    }
    assert!(
        emails.len() >= 2,
        "campaigns with disclosed registrants: {}",
        emails.len()
    );
    for (c, e) in &emails {
        assert_eq!(e.len(), 1, "{c}: one shared registrant e-mail, got {e:?}");
    }
}

#[test]
fn zones_change_between_days() {
    let ds = dates();
    let first = zones(&ds[0]);
    let last = zones(&ds[ds.len() - 1]);
    let (mut added, mut removed, mut redelegated) = (0, 0, 0);
    for (tld, z0) in &first {
        let z1 = &last[tld];
        for (d, ns) in &z1.ns {
            match z0.ns.get(d) {
                None => added += 1,
                Some(old) if old != ns => redelegated += 1,
                Some(_) => {}
            }
        }
        removed += z0.ns.keys().filter(|d| !z1.ns.contains_key(*d)).count();
    }
    assert!(
        added > 20 && removed > 10 && redelegated > 5,
        "+{added} -{removed} ~{redelegated}"
    );
}

#[test]
fn passive_dns_and_ct_lines_are_well_formed() {
    let root = world().dir.path();
    let labels: BTreeSet<String> = labels()
        .iter()
        .map(|l| l["domain"].as_str().unwrap().to_string())
        .collect();
    let mut n = 0;
    for date in dates() {
        let pdns =
            std::fs::read_to_string(root.join("pdns").join(format!("{date}.cof.ndjson"))).unwrap();
        for line in pdns.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            let rrname = v["rrname"].as_str().unwrap();
            let base = rrname
                .strip_prefix("www.")
                .or_else(|| rrname.strip_prefix("mx."))
                .unwrap_or(rrname);
            assert!(labels.contains(base) || labels.contains(rrname), "{rrname}");
            let (t1, t2) = (
                v["time_first"].as_i64().unwrap(),
                v["time_last"].as_i64().unwrap(),
            );
            assert!(t1 <= t2 && t2 - t1 < 86_400);
            assert!(v["count"].as_u64().unwrap() >= 1);
            assert!(v["sensor_id"].is_string());
            n += 1;
        }
        let ct = std::fs::read_to_string(root.join("ct").join(format!("{date}.jsonl"))).unwrap();
        for line in ct.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["message_type"], "certificate_update");
            let leaf = &v["data"]["leaf_cert"];
            let all = leaf["all_domains"].as_array().unwrap();
            assert!(labels.contains(all[0].as_str().unwrap()));
            let sha = leaf["sha256"].as_str().unwrap();
            assert!(sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(leaf["not_before"].as_i64().unwrap() < leaf["not_after"].as_i64().unwrap());
            assert!(leaf["issuer"]["O"].is_string());
            n += 1;
        }
    }
    assert!(n > 1_000, "{n} lines");
}

fn named_checkzone() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("named-checkzone"))
        .find(|p| p.is_file())
}

fn check_zone(bin: &Path, tld: &str, file: &Path) {
    // `-i local`: integrity checks of in-zone data only, no lookups.
    let out = std::process::Command::new(bin)
        .args(["-q", "-i", "local", "-k", "fail", "-n", "fail", tld])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "named-checkzone rejected {}: {}{}",
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn named_checkzone_accepts_every_zone_file() {
    let Some(bin) = named_checkzone() else {
        // CI installs bind9-utils; elsewhere the check is optional.
        assert!(
            std::env::var_os("CI").is_none(),
            "named-checkzone is missing in CI"
        );
        eprintln!("named-checkzone not installed: skipped");
        return;
    };
    let root = world().dir.path().join("zones");
    let date = &dates()[dates().len() / 2];
    for tld in tlds() {
        check_zone(&bin, &tld, &root.join(&tld).join(format!("{date}.zone")));
    }
}
