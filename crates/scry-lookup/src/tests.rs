use super::*;

#[test]
fn what_parses() {
    assert_eq!(
        What::parse("dns,whois").unwrap(),
        What {
            dns: true,
            whois: true,
            rdap: false,
            tls: false
        }
    );
    assert_eq!(What::parse("all").unwrap(), What::ALL);
    assert!(What::parse("dns,ftp").is_err());
    assert!(What::parse("").is_err());
}

#[test]
fn an_invalid_name_is_reported_not_fatal() {
    let l = Lookup::new(LookupConfig::default()).unwrap();
    let r = l.lookup("not a name!", What::ALL, 1_700_000_000);
    assert_eq!(r.steps.len(), 1);
    assert_eq!(r.steps[0].step, Step::Name);
    assert!(!r.steps[0].ok);
}

#[test]
fn a_refused_tls_address_is_a_step_error() {
    // The name's own address is private: the TLS step refuses it (no
    // connection is made), and no other step is run or harmed.
    let l = Lookup::new(LookupConfig::default()).unwrap();
    let mut r = l.lookup(
        "www.example.com",
        What {
            dns: false,
            whois: false,
            rdap: false,
            tls: false,
        },
        1_700_000_000,
    );
    r.addresses = vec!["10.0.0.1".parse().unwrap()];
    let name = DomainName::parse("www.example.com").unwrap();
    let e = l.step_tls(&name, 1_700_000_000, &mut r).unwrap_err();
    assert!(
        matches!(
            e,
            LookupError::Refused {
                reason: "private",
                ..
            }
        ),
        "{e}"
    );
}

/// A port-43 responder on loopback answering `respond(n, query)` for the
/// n-th connection; stops after `max` connections.
fn responder(
    max: usize,
    respond: impl Fn(usize, &str) -> String + Send + 'static,
) -> (SocketAddr, std::thread::JoinHandle<()>) {
    use std::io::{BufRead, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        for (n, c) in l.incoming().take(max).enumerate() {
            let Ok(c) = c else { continue };
            let _ = c.set_read_timeout(Some(Duration::from_secs(5)));
            let mut r = std::io::BufReader::new(c);
            let mut q = String::new();
            let _ = r.read_line(&mut q);
            let _ = r.into_inner().write_all(respond(n, q.trim()).as_bytes());
        }
    });
    (addr, h)
}

fn whois_cfg(root: SocketAddr, hosts: &[&str]) -> WhoisConfig {
    let mut cfg = LookupConfig::default().whois;
    cfg.root = root.to_string();
    cfg.connect_to = hosts.iter().map(|h| (h.to_string(), root)).collect();
    cfg.timeouts.io = Duration::from_secs(5);
    cfg
}

fn open_guard() -> Guard {
    Guard {
        allow_private: true,
        resolve_timeout: Duration::from_secs(2),
    }
}

fn gates() -> gate::Gates {
    gate::Gates::new(GateLimits {
        per_server: 1,
        interval: Duration::ZERO,
        backoff: Duration::from_secs(30),
        max_wait: Duration::from_millis(200),
    })
}

#[test]
fn quota_answers_are_reported_and_back_off() {
    let throttled = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/whois/weppos/spec/fixtures/responses/whois.markmonitor.com/response_throttled.txt"
    ))
    .unwrap();
    let (addr, h) = responder(1, move |_, _| throttled.clone());
    let g = gates();
    let chain = whois::lookup(&whois_cfg(addr, &[]), &open_guard(), &g, "google.com");
    h.join().unwrap();
    let e = chain.error.unwrap();
    assert!(matches!(e, LookupError::Quota { .. }), "{e}");
    assert!(e.to_string().contains("exceeded your quota"));
    // The server is now backing off: the next query waits, then gives up.
    let chain = whois::lookup(&whois_cfg(addr, &[]), &open_guard(), &g, "google.com");
    assert!(chain.hops.is_empty());
    assert!(chain.error.unwrap().to_string().contains("backing off"));
}

#[test]
fn referral_chains_are_bounded() {
    let (addr, h) = responder(4, |n, _| format!("refer: h{}.test\n", n + 1));
    let cfg = whois_cfg(addr, &["h1.test", "h2.test", "h3.test", "h4.test"]);
    let chain = whois::lookup(&cfg, &open_guard(), &gates(), "example.com");
    h.join().unwrap();
    assert_eq!(chain.hops.len(), 4, "root and three referrals");
    assert!(matches!(
        chain.error,
        Some(LookupError::TooManyReferrals(3))
    ));
}

#[test]
fn oversized_answers_are_refused() {
    let (addr, h) = responder(1, |_, _| "x".repeat(whois::MAX_WHOIS + 10));
    let chain = whois::lookup(
        &whois_cfg(addr, &[]),
        &open_guard(),
        &gates(),
        "example.com",
    );
    h.join().unwrap();
    assert!(matches!(chain.error, Some(LookupError::TooLarge { .. })));
}

#[test]
fn certificate_fields() {
    use rcgen::{CertificateParams, DnType, KeyPair};
    let key = KeyPair::generate().unwrap();
    let mut p =
        CertificateParams::new(vec!["Example.com".to_string(), "*.example.com".to_string()])
            .unwrap();
    p.distinguished_name.push(DnType::CommonName, "example.com");
    p.distinguished_name
        .push(DnType::OrganizationName, "Example Org");
    let cert = p.self_signed(&key).unwrap();
    let info = tls::cert_info(cert.der()).unwrap();
    assert_eq!(info.alt_names, vec!["*.example.com", "example.com"]);
    assert_eq!(info.subject_cn.as_deref(), Some("example.com"));
    assert_eq!(info.issuer_name.as_deref(), Some("Example Org example.com"));
    assert_eq!(info.sha256.len(), 64);
    assert!(info.not_before < info.not_after);
    assert!(tls::cert_info(b"not a certificate").is_err());
    // Facts: hash, subject, issuer and one alt name per SAN (wildcards on their base).
    let l = Lookup::new(LookupConfig::default()).unwrap();
    let mut r = l.lookup(
        "www.example.com",
        What {
            dns: false,
            whois: false,
            rdap: false,
            tls: false,
        },
        1_700_000_000,
    );
    l.cert_observations(
        &DomainName::parse("www.example.com").unwrap(),
        &info,
        1_700_000_000,
        &mut r,
    );
    let preds: Vec<String> = r
        .observations
        .iter()
        .map(|o| format!("{}={}", o.predicate, o.object))
        .collect();
    assert!(
        preds.contains(&"ssl_alt_names=example.com".to_string()),
        "{preds:?}"
    );
    assert!(
        preds.iter().any(|p| p.starts_with("ssl_hash=")),
        "{preds:?}"
    );
    assert_eq!(r.observations.len(), 5, "{preds:?}");
}
