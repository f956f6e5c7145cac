//! `scry lookup` end to end against real servers on 127.0.0.1 (see
//! lookup/harness.rs): nsd behind unbound for DNS, a WHOIS root, registry
//! and registrar speaking port-43 WHOIS with real responses from
//! ../shared/data, an HTTP server with the real RDAP bootstrap and
//! response, and a rustls server with an rcgen chain.

pub(crate) mod harness;

use std::sync::{Arc, OnceLock};

use harness::{DATA, Dns, TcpServer, cert_chain, http_server, tls_server, whois_server};

use crate::{json, run};

const RESPONSES: &str = "whois/weppos/spec/fixtures/responses";

fn read(rel: &str) -> String {
    std::fs::read_to_string(format!("{DATA}/{rel}")).unwrap()
}

/// An answer in the format of whois.iana.org for a TLD query. The data set
/// holds IANA answers only for names IANA serves itself (`.int`, `.arpa`),
/// none with a `refer:` line, so the TLD answer is written here in the same
/// layout (banner, `refer:`, `domain:`, `whois:`).
fn iana_answer(tld: &str, refer: &str) -> String {
    format!(
        "% IANA WHOIS server\n% for more information on IANA, visit http://www.iana.org\n% This query returned 1 object\n\nrefer:        {refer}\n\ndomain:       {}\n\norganisation: Registry of .{tld}\n\nwhois:        {refer}\n\nstatus:       ACTIVE\nremarks:      Registration information: http://www.example.net\n\ncreated:      1985-01-01\nsource:       IANA\n",
        tld.to_uppercase()
    )
}

const GOOGLE_ZONE: &str = "$ORIGIN google.com.\n$TTL 300\n@ IN SOA ns1.google.com. dns-admin.google.com. 1 7200 3600 1209600 300\n@ IN NS ns1.google.com.\n@ IN NS ns2.google.com.\n@ IN A 127.0.0.1\n@ IN MX 10 smtp.google.com.\n@ IN TXT \"v=spf1 include:_spf.google.com ~all\"\n@ IN CAA 0 issue \"pki.goog\"\nwww IN CNAME google.com.\nns1 IN A 127.0.0.1\nns2 IN A 127.0.0.1\nsmtp IN A 127.0.0.1\n";
const CZ_ZONE: &str = "$ORIGIN example.cz.\n$TTL 300\n@ IN SOA ns.example.cz. hostmaster.example.cz. 1 7200 3600 1209600 300\n@ IN NS ns.example.cz.\n@ IN A 127.0.0.1\nns IN A 127.0.0.1\n* IN A 127.0.0.1\n";

struct Lab {
    _dns: Dns,
    iana: TcpServer,
    registry: TcpServer,
    registrar: TcpServer,
    http: TcpServer,
    tls: TcpServer,
    leaf_sha256: String,
    args: Vec<String>,
}

fn lab() -> Lab {
    let dns = Dns::start(&[
        ("google.com", GOOGLE_ZONE.to_string()),
        ("example.cz", CZ_ZONE.to_string()),
    ]);
    let iana = whois_server(|q| match q {
        "google.com" => iana_answer("com", "whois.verisign-grs.com"),
        // A hostile root answer pointing into a private network.
        "ssrf-test.com" => iana_answer("com", "10.0.0.1"),
        _ => "% IANA WHOIS server\n\n% This query returned 0 objects.\n".to_string(),
    });
    let registry_text = read(&format!(
        "{RESPONSES}/whois.verisign-grs.com/com/status_registered.txt"
    ));
    let registry = whois_server(move |q| {
        if q.eq_ignore_ascii_case("google.com") {
            registry_text.clone()
        } else {
            format!("No match for \"{}\".\n", q.to_uppercase())
        }
    });
    let registrar_text = read(&format!(
        "{RESPONSES}/whois.markmonitor.com/com/status_registered.txt"
    ));
    let registrar = whois_server(move |_| registrar_text.clone());
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let b = base.clone();
    let http = http_server(move |path| {
        let base = b.get().cloned().unwrap_or_default();
        match path {
            "/dns.json" => (
                200,
                read("rdap/openrdap/test/testdata/bootstrap/dns.json")
                    .replace("https://rdap.nic.cz", &format!("{base}/rdap.nic.cz"))
                    .into_bytes(),
            ),
            "/rdap.nic.cz/domain/example.cz" => (
                200,
                std::fs::read(format!(
                    "{DATA}/rdap/openrdap/test/testdata/rdap/rdap.nic.cz/domain-example.cz.json"
                ))
                .unwrap(),
            ),
            _ => (404, b"{\"errorCode\":404}".to_vec()),
        }
    });
    base.set(format!("http://{}", http.addr)).unwrap();
    let (chain, key) = cert_chain(&["www.google.com", "google.com", "*.google.com"]);
    let leaf_sha256 = {
        use sha2::Digest;
        sha2::Sha256::digest(&chain[0])
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let tls = tls_server(chain, key);
    let args = vec![
        "--resolver".to_string(),
        dns.resolver.to_string(),
        "--whois-root".into(),
        iana.addr.to_string(),
        "--whois-host".into(),
        format!("whois.verisign-grs.com={}", registry.addr),
        "--whois-host".into(),
        format!("whois.markmonitor.com={}", registrar.addr),
        "--rdap-bootstrap".into(),
        format!("http://{}/dns.json", http.addr),
        "--tls-port".into(),
        tls.addr.port().to_string(),
        "--timeout".into(),
        "5".into(),
        "--interval-ms".into(),
        "0".into(),
    ];
    Lab {
        _dns: dns,
        iana,
        registry,
        registrar,
        http,
        tls,
        leaf_sha256,
        args,
    }
}

fn lookup(data: &std::path::Path, lab: &Lab, extra: &[&str]) -> (bool, Vec<serde_json::Value>) {
    let mut args: Vec<&str> = vec!["lookup", "--json"];
    args.extend(lab.args.iter().map(String::as_str));
    args.extend_from_slice(extra);
    let out = run(data, &args);
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        out.status.code().is_some(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), lines)
}

fn result<'a>(lines: &'a [serde_json::Value], domain: &str) -> &'a serde_json::Value {
    lines
        .iter()
        .find(|l| l["domain"] == domain)
        .unwrap_or_else(|| panic!("no result for {domain} in {lines:?}"))
}

fn step<'a>(r: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no {name} step in {r}"))
}

#[test]
fn lookup_fills_an_empty_store_end_to_end() {
    let lab = lab();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, lines) = lookup(
        &data,
        &lab,
        &["--allow-private", "www.google.com", "example.cz"],
    );
    assert!(ok, "{lines:?}");
    assert_eq!(lines.len(), 2);

    let g = result(&lines, "www.google.com");
    assert_eq!(g["registrable"], "google.com");
    for s in ["dns", "whois", "tls"] {
        assert_eq!(step(g, s)["ok"], true, "{s}: {}", step(g, s));
    }
    // Root -> registry -> registrar: two referral hops.
    let chain: Vec<&str> = g["whois_chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        chain,
        vec![
            lab.iana.addr.to_string(),
            "whois.verisign-grs.com:43".to_string(),
            "whois.markmonitor.com:43".to_string()
        ]
    );
    assert_eq!(lab.registry.seen(), vec!["google.com"]);
    assert_eq!(lab.registrar.seen(), vec!["google.com"]);
    // .com has no service in this bootstrap file: reported, not fatal.
    let rdap = step(g, "rdap");
    assert_eq!(rdap["ok"], false);
    assert!(
        rdap["error"]
            .as_str()
            .unwrap()
            .contains("no RDAP service for .com"),
        "{rdap}"
    );
    assert_eq!(g["wildcard"], false);
    assert_eq!(g["certificate"]["sha256"], lab.leaf_sha256.as_str());
    assert_eq!(g["certificate"]["subject_cn"], "www.google.com");
    assert_eq!(
        g["certificate"]["issuer_name"],
        "Scry Test Trust Scry Test CA 1"
    );
    assert!(lab.tls.seen().contains(&"www.google.com".to_string()));
    assert!(step(g, "dns")["observations"].as_u64().unwrap() >= 8, "{g}");

    let cz = result(&lines, "example.cz");
    assert_eq!(step(cz, "rdap")["ok"], true, "{cz}");
    assert_eq!(
        cz["rdap_url"],
        format!("http://{}/rdap.nic.cz/domain/example.cz", lab.http.addr)
    );
    assert_eq!(cz["wildcard"], true);
    assert!(lab.http.seen().contains(&"/dns.json".to_string()));
    // The bootstrap is cached in the data dir with its fetch date.
    let cached: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("rdap-dns-bootstrap.json")).unwrap())
            .unwrap();
    assert_eq!(cached["publication"], "2017-03-15T21:26:24Z");
    assert!(cached["fetched_at"].as_i64().unwrap() > 1_700_000_000);

    // The profile shows DNS, registration and certificate facts.
    let p = json(&data, &["profile", "google.com", "--json"])
        .to_string()
        .to_lowercase();
    for want in [
        // The registrar's answer (second referral hop) is the one stored.
        "markmonitor, inc.",
        "google inc.",
        "ns1.google.com",
        "smtp.google.com",
        "127.0.0.1",
        "dns-admin@google.com",
        "active-dns",
        "whois",
    ] {
        assert!(p.contains(want), "profile lacks {want}: {p}");
    }
    let p = json(&data, &["profile", "www.google.com", "--json"]).to_string();
    assert!(p.contains(&lab.leaf_sha256), "{p}");
    assert!(p.contains("Scry Test Trust"), "{p}");
    let p = json(&data, &["profile", "example.cz", "--json"])
        .to_string()
        .to_lowercase();
    assert!(p.contains("rdap"), "{p}");
    // Only RDAP asked, and .com has no RDAP service: WHOIS answers instead.
    let (ok, lines) = lookup(
        &data,
        &lab,
        &["--allow-private", "--what", "rdap", "google.com"],
    );
    assert!(ok, "{lines:?}");
    let g = result(&lines, "google.com");
    assert!(
        step(g, "rdap")["error"]
            .as_str()
            .unwrap()
            .contains("falling back to WHOIS")
    );
    assert_eq!(step(g, "whois")["ok"], true, "{g}");
    assert_eq!(g["whois_chain"].as_array().unwrap().len(), 3);
    // The raw registrar answer is a stored document: the history has it.
    let h = json(&data, &["whois", "google.com", "--json"]).to_string();
    assert!(h.contains("MarkMonitor"), "{h}");
    // What a look-up found is in the event log: an IP monitor on the
    // address google.com resolved to raises an alert from it.
    crate::ok(
        &data,
        &[
            "monitor",
            "add",
            "--kind",
            "ip",
            "--name",
            "lab",
            "--term",
            "127.0.0.1",
        ],
    );
    // And a registrant monitor on the registrar record's organisation.
    crate::ok(
        &data,
        &[
            "monitor",
            "add",
            "--kind",
            "registrant",
            "--name",
            "g",
            "--term",
            "Google Inc.",
        ],
    );
    let run = json(&data, &["monitor", "run", "--json"]);
    assert!(run["alerts"].as_u64().unwrap_or(0) >= 2, "{run}");
    let alerts = json(&data, &["alerts", "list", "--json"]);
    let by = |m: u64| {
        alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["monitor"] == m && a["domain"] == "google.com")
    };
    assert!(by(1) && by(2), "{alerts}");
}

#[test]
fn lookup_refuses_private_referrals_without_allow_private() {
    let lab = lab();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, lines) = lookup(&data, &lab, &["--what", "whois,tls", "google.com"]);
    assert!(!ok);
    let g = result(&lines, "google.com");
    let w = step(g, "whois");
    assert_eq!(w["ok"], false);
    let e = w["error"].as_str().unwrap();
    assert!(
        e.contains("refused") && e.contains("127.0.0.1") && e.contains("loopback"),
        "{e}"
    );
    // The configured root answered; the referral was never connected to.
    assert_eq!(g["whois_chain"].as_array().unwrap().len(), 1);
    assert!(lab.registry.seen().is_empty());
    // The name's own loopback address is refused for TLS too.
    let t = step(g, "tls");
    assert_eq!(t["ok"], false);
    assert!(t["error"].as_str().unwrap().contains("refused"), "{t}");
    assert!(lab.tls.seen().is_empty());

    let (ok, lines) = lookup(&data, &lab, &["--what", "whois", "ssrf-test.com"]);
    assert!(!ok);
    let s = result(&lines, "ssrf-test.com");
    let e = step(s, "whois")["error"].as_str().unwrap().to_string();
    assert!(e.contains("10.0.0.1") && e.contains("private"), "{e}");
    assert!(lab.registrar.seen().is_empty());
}

/// Many domains at once: every look-up completes against the local
/// servers, and no WHOIS server ever sees more than `--per-server`
/// exchanges at a time. `SCRY_LOOKUP_BENCH_N` sets the number of domains
/// (default 60; the 1,000-domain figure in the README uses 1000) and the
/// wall time is printed.
#[test]
fn lookup_many_domains_with_bounded_parallelism() {
    let n: usize = std::env::var("SCRY_LOOKUP_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let concurrency = std::env::var("SCRY_LOOKUP_BENCH_C").unwrap_or_else(|_| "16".into());
    let names: Vec<String> = (0..n).map(|i| format!("d{i:05}.test")).collect();
    let mut zone = String::from(
        "$ORIGIN test.\n$TTL 300\n@ IN SOA ns.test. hostmaster.test. 1 7200 3600 1209600 300\n@ IN NS ns.test.\nns IN A 127.0.0.1\n",
    );
    for name in &names {
        let label = name.trim_end_matches(".test");
        zone.push_str(&format!(
            "{label} IN A 127.0.0.1\n{label} IN MX 10 mx.{label}\n{label} IN TXT \"v=spf1 -all\"\nmx.{label} IN A 127.0.0.1\n"
        ));
    }
    let dns = Dns::start(&[("test", zone)]);
    let iana = whois_server(|_| iana_answer("test", "whois.verisign-grs.com"));
    // The real registry and registrar answers for google.com, re-addressed
    // to each test name.
    let registry_text = read(&format!(
        "{RESPONSES}/whois.verisign-grs.com/com/status_registered.txt"
    ));
    let registry = whois_server(move |q| registry_text.replace("GOOGLE.COM", &q.to_uppercase()));
    let registrar_text = read(&format!(
        "{RESPONSES}/whois.markmonitor.com/com/status_registered.txt"
    ));
    let registrar = whois_server(move |q| registrar_text.replace("google.com", q));
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let b = base.clone();
    let rdap_text = read("rdap/openrdap/test/testdata/rdap/rdap.nic.cz/domain-example.cz.json");
    let http = http_server(move |path| {
        let base = b.get().cloned().unwrap_or_default();
        if path == "/dns.json" {
            let mut boot: serde_json::Value =
                serde_json::from_str(&read("rdap/openrdap/test/testdata/bootstrap/dns.json"))
                    .unwrap();
            boot["services"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!([["test"], [format!("{base}/rdap/")]]));
            (200, boot.to_string().into_bytes())
        } else if let Some(name) = path.strip_prefix("/rdap/domain/") {
            (200, rdap_text.replace("example.cz", name).into_bytes())
        } else {
            (404, b"{}".to_vec())
        }
    });
    base.set(format!("http://{}", http.addr)).unwrap();
    let (chain, key) = cert_chain(&["*.test"]);
    let tls = tls_server(chain, key);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("domains.txt");
    std::fs::write(&list, names.join("\n")).unwrap();
    let data = dir.path().join("data");
    let started = std::time::Instant::now();
    let out = run(
        &data,
        &[
            "lookup",
            "--json",
            "--allow-private",
            "--file",
            list.to_str().unwrap(),
            "--concurrency",
            &concurrency,
            "--per-server",
            "2",
            "--interval-ms",
            "0",
            "--timeout",
            "10",
            "--resolver",
            &dns.resolver.to_string(),
            "--whois-root",
            &iana.addr.to_string(),
            "--whois-host",
            &format!("whois.verisign-grs.com={}", registry.addr),
            "--whois-host",
            &format!("whois.markmonitor.com={}", registrar.addr),
            "--rdap-bootstrap",
            &format!("http://{}/dns.json", http.addr),
            "--tls-port",
            &tls.addr.port().to_string(),
        ],
    );
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), n);
    for l in &lines {
        for s in ["dns", "whois", "rdap", "tls"] {
            assert_eq!(step(l, s)["ok"], true, "{s}: {l}");
        }
        assert_eq!(l["whois_chain"].as_array().unwrap().len(), 3, "{l}");
    }
    let stored: u64 = lines.iter().map(|l| l["stored"].as_u64().unwrap()).sum();
    for (name, s) in [
        ("root", &iana),
        ("registry", &registry),
        ("registrar", &registrar),
    ] {
        assert_eq!(s.seen().len(), n, "{name}");
        let max = s.max_in_flight.load(std::sync::atomic::Ordering::SeqCst);
        assert!(max <= 2, "{name} saw {max} exchanges at once");
    }
    println!(
        "lookup bench: {n} domains, {stored} observations, {:.2} s wall ({:.1} domains/s)",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
}
