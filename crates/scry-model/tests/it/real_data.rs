//! Real names from `shared/data` through the normaliser: popular and random
//! domains, the root zone, hosts of phishing URLs. Every accepted name must
//! satisfy the same invariants as the property tests.

use std::collections::BTreeSet;

use scry_model::{DomainName, Ip, ModelError, NameError, NameFlag};

use crate::props::check_name;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn read(rel: &str) -> String {
    let path = format!("{DATA}/{rel}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ok(s: &str) -> DomainName {
    DomainName::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn invariants(origin: &str, input: &str) {
    if let Err(e) = check_name(input) {
        panic!("{origin}: {input:?}: {e}");
    }
}

/// OpenDNS top and random 10k (andrewaeva/DGA): every one is a valid name.
#[test]
fn opendns_lists() {
    for file in [
        "benign/opendns-top-10k.txt",
        "benign/opendns-random-10k.txt",
    ] {
        let text = read(file);
        let mut n = 0;
        for (i, line) in text.lines().enumerate() {
            let origin = format!("{file}:{}", i + 1);
            let name = DomainName::parse(line).unwrap_or_else(|e| panic!("{origin}: {e}"));
            invariants(&origin, line);
            assert!(!name.has_flag(NameFlag::UnknownSuffix), "{origin}: {line}");
            n += 1;
        }
        assert_eq!(n, 10_000, "{file}");
    }
    // Spot checks, by hand against the list.
    let n = ok("akamaihd.net");
    assert!(n.has_flag(NameFlag::PrivateSuffix) && n.registrable().is_none());
    let n = ok("rj.gov.br");
    assert!(!n.has_flag(NameFlag::PrivateSuffix) && n.registrable().is_none());
    assert_eq!(ok("kh.ua.").ascii(), "kh.ua");
}

/// The IANA root zone, serial 2018031200: owner names and name-server
/// targets, every one valid; IDN TLDs are proper A-labels.
#[test]
fn root_zone_2018() {
    let zone = read("zones/rootzone-2018/root.zone");
    let mut tlds = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for (i, line) in zone.lines().enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let [owner, _ttl, _class, rtype, rdata, ..] = f[..] else {
            continue;
        };
        let origin = format!("root.zone:{}", i + 1);
        for name in [owner].into_iter().chain((rtype == "NS").then_some(rdata)) {
            if name == "." || !seen.insert(name) {
                continue;
            }
            let n = DomainName::parse(name).unwrap_or_else(|e| panic!("{origin}: {e}"));
            invariants(&origin, name);
            if n.label_count() == 1 {
                tlds.insert(n);
            }
        }
    }
    assert_eq!(seen.len(), 5762);
    // Counted independently: awk '$4=="NS" && $1!="." {print $1}' | sort -u
    assert_eq!(tlds.len(), 1544);
    let idn: Vec<&DomainName> = tlds
        .iter()
        .filter(|t| t.ascii().starts_with("xn--"))
        .collect();
    assert_eq!(idn.len(), 151);
    for t in &idn {
        assert!(!t.unicode().is_ascii(), "{t:?}");
        for bad in [
            NameFlag::Idna2003Only,
            NameFlag::BadPunycode,
            NameFlag::MixedScript,
        ] {
            assert!(!t.has_flag(bad), "{t:?}");
        }
    }
    assert!(tlds.contains(&ok("рф")));
    assert!(tlds.contains(&ok("中国")));
    // TLDs the list does not know are those retired since 2018 (brand TLDs
    // such as .abarth, .xperia) and `za`, listed only below the top level.
    let unknown: Vec<&str> = tlds
        .iter()
        .filter(|t| t.has_flag(NameFlag::UnknownSuffix))
        .map(|t| t.ascii())
        .collect();
    for tld in ["com", "net", "uk", "ck", "mm", "er", "jp", "xn--p1ai"] {
        assert!(!unknown.contains(&tld), "{tld}");
    }
    for tld in ["abarth", "xperia", "za"] {
        assert!(unknown.contains(&tld), "{tld}");
    }
    assert!(unknown.len() < 150, "{unknown:?}");
}

/// Hosts of 11,330 PhishTank URLs (2021): every host is a valid name except
/// IPv4 literals, which are refused as names with that reason.
#[test]
fn phishing_hosts() {
    let csv = read("phishing/phishtank-verified-online-2021.csv");
    let (mut hosts, mut ips) = (0, 0);
    let mut seen = BTreeSet::new();
    for (i, line) in csv.lines().enumerate().skip(1) {
        let origin = format!("phishtank:{}", i + 1);
        let url = line.split(',').nth(1).unwrap_or_default();
        let rest = url.split_once("://").map_or(url, |x| x.1);
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host_port = authority.rsplit_once('@').map_or(authority, |x| x.1);
        let host = host_port.split(':').next().unwrap_or_default();
        match DomainName::parse(host) {
            Ok(_) => {
                if seen.insert(host) {
                    invariants(&origin, host);
                }
                hosts += 1;
            }
            Err(ModelError::Name {
                reason: NameError::NumericTld(_),
                ..
            }) => {
                assert!(Ip::parse(host).is_ok(), "{origin}: {host:?}");
                ips += 1;
            }
            Err(e) => panic!("{origin}: {e}"),
        }
    }
    assert_eq!((hosts, ips), (11_330 - 169, 169));
    // Homographs found there.
    let n = ok("xn--bankofmerca-3ij68171c.vg");
    assert!(n.has_flag(NameFlag::MixedScript) && n.has_flag(NameFlag::Idna2003Only));
    assert_eq!(
        ok("xn--mytherwallet-ceb.org").unicode(),
        "myétherwallet.org"
    );
    assert_eq!(
        ok("xn--42cah8clrbc6a3bj5fsedc1eta89a.com").unicode(),
        "สืบทรัพย์บังคับคดี.com"
    );
    let n = ok("att_t1.godaddysites.com");
    assert!(n.has_flag(NameFlag::UnderscoreLabel));
    assert_eq!(n.registrable(), Some("godaddysites.com"));
}
