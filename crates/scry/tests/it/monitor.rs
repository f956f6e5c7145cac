//! Monitors over the event log: zone additions and re-delegations, WHOIS
//! records; alerts raised once per monitor and domain, triaged with history.

use crate::{json, ok, run};

#[test]
fn monitors_raise_alerts_once_and_triage_keeps_history() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let day1 = dir.path().join("com-1.zone");
    let day2 = dir.path().join("com-2.zone");
    std::fs::write(
        &day1,
        "$ORIGIN com.\n@ 86400 IN SOA a.gtld-servers.net. nstld.verisign-grs.com. 2026010100 1800 900 604800 86400\n\
         example-shop 172800 IN NS ns1.host.net.\npaypal 172800 IN NS ns1.paypal-dns.com.\n",
    )
    .unwrap();
    std::fs::write(
        &day2,
        "$ORIGIN com.\n@ 86400 IN SOA a.gtld-servers.net. nstld.verisign-grs.com. 2026010200 1800 900 604800 86400\n\
         example-shop 172800 IN NS ns1.bad-dns.net.\npaypal 172800 IN NS ns1.paypal-dns.com.\n\
         paypa1-secure 172800 IN NS ns1.bad-dns.net.\nfriendly 172800 IN NS ns1.host.net.\n",
    )
    .unwrap();
    let whois = dir.path().join("paypa1-secure.com.txt");
    std::fs::write(
        &whois,
        "Domain Name: PAYPA1-SECURE.COM\r\nRegistrar: Cheap Registrar LLC\r\nCreation Date: 2026-01-02T00:00:00Z\r\n\
         Registrant Organization: Evil Org\r\nRegistrant Email: Evil@Mail.test\r\nName Server: NS1.BAD-DNS.NET\r\n",
    )
    .unwrap();

    for args in [
        vec![
            "monitor",
            "add",
            "--kind",
            "brand",
            "--name",
            "paypal",
            "--term",
            "paypal.com",
        ],
        vec![
            "monitor",
            "add",
            "--kind",
            "nameserver",
            "--name",
            "bad dns",
            "--term",
            "bad-dns.net",
        ],
        vec![
            "monitor",
            "add",
            "--kind",
            "registrant",
            "--name",
            "evil",
            "--term",
            "evil@mail.test",
        ],
    ] {
        ok(&data, &args);
    }
    let bad = run(
        &data,
        &[
            "monitor",
            "add",
            "--kind",
            "ip",
            "--name",
            "x",
            "--term",
            "not-an-ip",
        ],
    );
    assert!(!bad.status.success());

    ok(
        &data,
        &[
            "ingest",
            "zone",
            day1.to_str().unwrap(),
            "--progress",
            "none",
        ],
    );
    let first = json(&data, &["monitor", "run", "--json"]);
    assert_eq!(first["alerts"], 0, "nothing suspicious on day one: {first}");
    ok(
        &data,
        &[
            "ingest",
            "zone",
            day2.to_str().unwrap(),
            "--progress",
            "none",
        ],
    );
    ok(
        &data,
        &[
            "ingest",
            "whois",
            whois.to_str().unwrap(),
            "--date",
            "2026-01-02",
        ],
    );
    let second = json(&data, &["monitor", "run", "--json"]);
    let again = json(&data, &["monitor", "run", "--json"]);
    assert_eq!(again["alerts"], 0, "each event is examined once");

    let alerts = json(&data, &["alerts", "list", "--json"]);
    let got: std::collections::BTreeSet<(u64, String)> = alerts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["monitor"].as_u64().unwrap(),
                a["domain"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: std::collections::BTreeSet<(u64, String)> = [
        (1, "paypa1-secure.com"),
        (2, "paypa1-secure.com"),
        (2, "example-shop.com"),
        (3, "paypa1-secure.com"),
    ]
    .into_iter()
    .map(|(m, d)| (m, d.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(second["alerts"], 4);
    let brand = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["monitor"] == 1)
        .unwrap();
    assert!(
        brand["reason"].as_str().unwrap().contains("paypal.com"),
        "{brand}"
    );
    assert!(brand["similarity"].as_u64().unwrap() >= 75);
    // The risk score is attached, with its components (the look-alike's
    // threat profile at least).
    assert!(brand["risk"]["score"].is_u64(), "{brand}");
    assert!(
        brand["risk"]["components"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "phishing"),
        "{brand}"
    );

    let id = brand["id"].as_u64().unwrap().to_string();
    ok(
        &data,
        &[
            "alerts",
            "set-state",
            &id,
            "blocked",
            "--who",
            "ana",
            "--note",
            "RPZ",
        ],
    );
    let bad = run(&data, &["alerts", "set-state", &id, "bogus"]);
    assert!(!bad.status.success());
    let blocked = json(&data, &["alerts", "list", "--state", "blocked", "--json"]);
    assert_eq!(blocked.as_array().unwrap().len(), 1);
    let hist = &blocked[0]["history"];
    assert_eq!(hist[0]["state"], "new");
    assert_eq!(hist[1]["state"], "blocked");
    assert_eq!(hist[1]["who"], "ana");
    // A certificate for a new look-alike name, seen in a CT log.
    let ct = dir.path().join("ct.jsonl");
    std::fs::write(
        &ct,
        concat!(
            r#"{"message_type":"heartbeat","timestamp":1767300000}"#, "\n",
            r#"{"message_type":"certificate_update","data":{"leaf_cert":{"all_domains":["paypal-login-verify.net","www.paypal-login-verify.net"],"issuer":{"O":"Let's Encrypt","CN":"R11"},"sha256":"AB12","subject":{"CN":"paypal-login-verify.net"}},"seen":1767300000}}"#, "\n",
            "not json\n",
        ),
    )
    .unwrap();
    let s = json(&data, &["ingest", "ct", ct.to_str().unwrap(), "--json"]);
    assert_eq!(s["rejected"], 1, "{s}");
    let third = json(&data, &["monitor", "run", "--json"]);
    assert_eq!(third["alerts"], 1, "the CT look-alike: {third}");
    let p = json(&data, &["pivot", "ssl_hash", "ab12", "--json"]);
    assert_eq!(p["domains"], serde_json::json!(["paypal-login-verify.net"]));
    let today = {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        secs - secs % 86_400
    };
    let digest = json(
        &data,
        &["alerts", "digest", "--date", &today.to_string(), "--json"],
    );
    assert_eq!(digest["raised"], 5, "{digest}");
    assert_eq!(digest["open_total"], 4, "one alert was triaged: {digest}");

    let monitors = json(&data, &["monitor", "list", "--json"]);
    assert_eq!(monitors.as_array().unwrap().len(), 3);
    ok(&data, &["monitor", "remove", "2"]);
    assert_eq!(
        json(&data, &["monitor", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn brand_monitor_matches_substring_variations_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let day1 = dir.path().join("com-1.zone");
    let day2 = dir.path().join("com-2.zone");
    let soa = |serial: &str| {
        format!(
            "$ORIGIN com.\n@ 86400 IN SOA a.gtld-servers.net. nstld.verisign-grs.com. {serial} 1800 900 604800 86400\n\
             paypal 172800 IN NS ns1.paypal-dns.com.\n"
        )
    };
    std::fs::write(&day1, soa("2026010100")).unwrap();
    std::fs::write(
        &day2,
        soa("2026010200")
            + "xqzpaypa1zz 172800 IN NS ns1.bad-dns.net.\npaypay 172800 IN NS ns1.x.net.\n",
    )
    .unwrap();
    for (name, extra) in [
        ("plain", None),
        ("substrings", Some("--match-substring-variations")),
    ] {
        let mut args = vec![
            "monitor",
            "add",
            "--kind",
            "brand",
            "--name",
            name,
            "--term",
            "paypal.com",
        ];
        args.extend(extra);
        ok(&data, &args);
    }
    let m = json(&data, &["monitor", "list", "--json"]);
    assert_eq!(m[0]["match_substring_variations"], false);
    assert_eq!(m[1]["match_substring_variations"], true);
    let bad = run(
        &data,
        &[
            "monitor",
            "add",
            "--kind",
            "ip",
            "--name",
            "x",
            "--term",
            "10.0.0.0/8",
            "--match-substring-variations",
        ],
    );
    assert!(!bad.status.success(), "only brand monitors");
    for f in [&day1, &day2] {
        ok(
            &data,
            &["ingest", "zone", f.to_str().unwrap(), "--progress", "none"],
        );
    }
    json(&data, &["monitor", "run", "--json"]);
    let a = json(&data, &["alerts", "list", "--json"]);
    let got: std::collections::BTreeSet<(u64, String)> = a
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["monitor"].as_u64().unwrap(),
                x["domain"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // paypay.com is one edit away (both monitors); only the second finds
    // the homoglyph variation inside a longer label.
    let want = [(1, "paypay.com"), (2, "paypay.com"), (2, "xqzpaypa1zz.com")]
        .map(|(m, d)| (m, d.to_string()))
        .into();
    assert_eq!(got, want);
    let sub = a
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["domain"] == "xqzpaypa1zz.com")
        .unwrap();
    assert!(
        sub["reason"]
            .as_str()
            .unwrap()
            .contains("paypa1 (homoglyph of paypal.com) [substring]"),
        "{sub}"
    );
    assert!(sub["similarity"].as_u64().unwrap() >= 60, "{sub}");
}
