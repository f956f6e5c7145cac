//! `scry serve` end to end on a loopback port: health without a key, 401
//! without one, keys in both headers, scopes, profile, pivot paging, risk
//! (one and bulk), reputation, errors naming the field, rate limits with
//! Retry-After, and the OpenAPI document.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::{ok, run};

pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start(data: &std::path::Path, rate: u32) -> Server {
    start_with(data, &["--rate-limit", &rate.to_string()])
}

/// `scry serve` on a free loopback port with more arguments.
pub(crate) fn start_with(data: &std::path::Path, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scry"))
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env_remove("SCRY_STORE")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start scry serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let base = loop {
        assert!(
            std::time::Instant::now() < deadline,
            "scry serve did not start"
        );
        let line = lines
            .next()
            .expect("scry serve exited")
            .expect("read stderr");
        if let Some(addr) = line.split("listening on ").nth(1) {
            break addr.trim().to_string();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, base }
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into()
}

fn get(
    s: &Server,
    path: &str,
    key: Option<&str>,
) -> (u16, serde_json::Value, ureq::http::HeaderMap) {
    let mut req = agent().get(format!("{}{path}", s.base));
    if let Some(k) = key {
        req = req.header("X-Api-Key", k);
    }
    let r = req.call().expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r.into_body().read_to_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
        headers,
    )
}

#[test]
fn api_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut facts = String::new();
    for i in 0..5 {
        facts.push_str(&format!(
            "{{\"subject\":\"actor{i}.top\",\"predicate\":\"registrant_email\",\"object\":\"ops@dark.example\",\"time\":\"2026-03-01T00:00:00Z\"}}\n"
        ));
    }
    facts.push_str("{\"subject\":\"www.actor0.top\",\"predicate\":\"ip\",\"object\":\"192.0.2.7\",\"time\":\"2026-03-01T00:00:00Z\"}\n");
    let f = tmp.path().join("f.ndjson");
    std::fs::write(&f, facts).unwrap();
    ok(&data, &["ingest", "facts", f.to_str().unwrap()]);
    let feed = tmp.path().join("feed.txt");
    std::fs::write(&feed, "actor0.top\nactor1.top\n").unwrap();
    ok(
        &data,
        &["ingest", "feed", feed.to_str().unwrap(), "--name", "pt"],
    );
    let read = ok(
        &data,
        &["keys", "create", "--scope", "read", "--name", "soar"],
    )
    .trim()
    .to_string();
    assert!(read.starts_with("scry_") && !read.contains('\n'), "{read}");
    let admin = ok(&data, &["keys", "create", "--scope", "admin"])
        .trim()
        .to_string();
    let write = ok(&data, &["keys", "create", "--scope", "write"])
        .trim()
        .to_string();
    let listed = ok(&data, &["keys", "list", "--json"]);
    assert!(!listed.contains(&read), "secrets are never listed");

    let s = start(&data, 600);
    let (st, body, _) = get(&s, "/health", None);
    assert_eq!((st, body["status"].as_str()), (200, Some("ok")));

    let (st, body, _) = get(&s, "/api/v1/domains/actor0.top", None);
    assert_eq!(st, 401);
    assert_eq!(body["error"]["code"], "unauthorized");
    let (st, _, _) = get(&s, "/api/v1/domains/actor0.top", Some("scry_not_a_key"));
    assert_eq!(st, 401);

    let (st, body, h) = get(&s, "/api/v1/domains/actor0.top", Some(&read));
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["domain"], "actor0.top");
    assert!(h.contains_key("x-ratelimit-remaining"));
    // Bearer works too.
    let r = agent()
        .get(format!("{}/api/v1/reputation?domain=actor0.top", s.base))
        .header("Authorization", format!("Bearer {read}"))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let rep: serde_json::Value =
        serde_json::from_str(&r.into_body().read_to_string().unwrap()).unwrap();
    assert_eq!(rep["risk"], 100);

    // Wrong input: 400 naming the field, never 500.
    let (st, body, _) = get(&s, "/api/v1/domains/not%20a%20name", Some(&read));
    assert_eq!(st, 400, "{body}");
    assert_eq!(body["error"]["field"], "domain");
    let (st, body, _) = get(&s, "/api/v1/pivot?field=nope&value=x", Some(&read));
    assert_eq!((st, body["error"]["field"].as_str()), (400, Some("field")));
    let (st, body, _) = get(
        &s,
        "/api/v1/risk?domain=a.example&ip=192.0.2.1",
        Some(&read),
    );
    assert_eq!((st, body["error"]["field"].as_str()), (400, Some("ip")));
    let (st, body, _) = get(&s, "/api/v1/risk?ip=actor0.top", Some(&read));
    assert_eq!((st, body["error"]["field"].as_str()), (400, Some("ip")));
    let (st, body, _) = get(&s, "/api/v1/nothing", Some(&read));
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );

    // Pivot with cursor paging: 5 holders, pages of 2.
    let (st, p1, _) = get(
        &s,
        "/api/v1/pivot?field=registrant_email&value=ops@dark.example&limit=2",
        Some(&read),
    );
    assert_eq!(st, 200, "{p1}");
    let cursor = p1["next_cursor"].as_str().expect("a next page").to_string();
    let (_, p2, _) = get(
        &s,
        &format!(
            "/api/v1/pivot?field=registrant_email&value=ops@dark.example&limit=2&cursor={cursor}"
        ),
        Some(&read),
    );
    assert_ne!(p1["domains"], p2["domains"]);

    // Risk: one, with components and evidence; bulk with an error inline.
    let (st, r, _) = get(&s, "/api/v1/risk?domain=actor3.top", Some(&read));
    assert_eq!(st, 200);
    assert!(r["risk"].as_u64().unwrap() >= 50, "{r}");
    assert!(r["evidence"].as_array().is_some_and(|e| !e.is_empty()));
    let resp = agent()
        .post(format!("{}/api/v1/risk", s.base))
        .header("X-Api-Key", &read)
        .header("Content-Type", "application/json")
        .send(r#"{"indicators":["actor1.top","192.0.2.1","not a name!"]}"#)
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let bulk: serde_json::Value =
        serde_json::from_str(&resp.into_body().read_to_string().unwrap()).unwrap();
    let results = bulk["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["risk"], 100);
    assert_eq!(results[1]["type"], "ip");
    assert_eq!(results[2]["error"]["code"], "invalid_value");
    let too_many = serde_json::json!({"indicators": vec!["a.example"; 1001]}).to_string();
    let resp = agent()
        .post(format!("{}/api/v1/risk", s.base))
        .header("X-Api-Key", &read)
        .header("Content-Type", "application/json")
        .send(too_many.as_str())
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);

    // Enrich, search, passive DNS, WHOIS, reverse WHOIS.
    let post = |path: &str, key: &str, body: &str| {
        let r = agent()
            .post(format!("{}{path}", s.base))
            .header("X-Api-Key", key)
            .header("Content-Type", "application/json")
            .send(body)
            .unwrap();
        let st = r.status().as_u16();
        let v: serde_json::Value =
            serde_json::from_str(&r.into_body().read_to_string().unwrap_or_default())
                .unwrap_or_default();
        (st, v)
    };
    let (st, e) = post(
        "/api/v1/enrich",
        &read,
        r#"{"domains":["actor0.top","bad name!"]}"#,
    );
    assert_eq!(st, 200, "{e}");
    assert_eq!(e["results"][0]["domain"], "actor0.top");
    assert!(e["results"][1]["error"].is_object());
    let (st, q) = post(
        "/api/v1/search",
        &read,
        r#"{"query":"registrant_email=ops@dark.example","limit":2}"#,
    );
    assert_eq!(st, 200, "{q}");
    assert_eq!(q["total"], 5);
    let (st, q) = post(
        "/api/v1/search",
        &read,
        r#"{"query":"registrant_email= AND"}"#,
    );
    assert_eq!((st, q["error"]["field"].as_str()), (400, Some("query")));
    let (st, q) = post("/api/v1/search", &read, "not json");
    assert_eq!(st, 400, "{q}");
    let (st, p, _) = get(&s, "/api/v1/pdns/rrset/*.top?limit=5", Some(&read));
    assert_eq!(st, 200, "{p}");
    assert!(p["records"].is_array());
    // Right-hand wildcard through the API: the same records as the exact
    // name (the only name starting with `www.actor0.`), one wildcard only.
    let (st, exact, _) = get(&s, "/api/v1/pdns/rrset/www.actor0.top", Some(&read));
    assert_eq!(st, 200, "{exact}");
    let (st, right, _) = get(&s, "/api/v1/pdns/rrset/www.actor0.*", Some(&read));
    assert_eq!(st, 200, "{right}");
    assert!(!right["records"].as_array().unwrap().is_empty(), "{right}");
    assert_eq!(right["records"], exact["records"]);
    let (st, p, _) = get(&s, "/api/v1/pdns/rrset/*.actor0.*", Some(&read));
    assert_eq!(
        (st, p["error"]["field"].as_str()),
        (400, Some("name")),
        "{p}"
    );
    let (st, p, _) = get(&s, "/api/v1/pdns/rdata/bogus/x", Some(&read));
    assert_eq!((st, p["error"]["field"].as_str()), (400, Some("kind")));
    let (st, w, _) = get(&s, "/api/v1/whois/actor0.top", Some(&read));
    assert_eq!(st, 200, "{w}");
    let (st, w, _) = get(
        &s,
        "/api/v1/reverse-whois?term=ops@dark.example",
        Some(&read),
    );
    assert_eq!(st, 200, "{w}");
    let (st, w, _) = get(
        &s,
        "/api/v1/pivot?field=registrant_email&value=x&limit=abc",
        Some(&read),
    );
    assert_eq!(
        (st, w["error"]["code"].as_str()),
        (400, Some("invalid_request")),
        "{w}"
    );

    // Monitors need the write scope; alert state changes are audited with the key.
    let (st, m) = post(
        "/api/v1/monitors",
        &read,
        r#"{"kind":"brand","name":"pp","terms":["paypal.com"]}"#,
    );
    assert_eq!((st, m["error"]["code"].as_str()), (403, Some("forbidden")));
    let (st, m) = post(
        "/api/v1/monitors",
        &write,
        r#"{"kind":"brand","name":"pp","terms":["paypal.com"]}"#,
    );
    assert_eq!(st, 201, "{m}");
    let (st, list, _) = get(&s, "/api/v1/monitors", Some(&read));
    assert_eq!((st, list.as_array().map(Vec::len)), (200, Some(1)));
    let (st, a, _) = get(&s, "/api/v1/alerts?state=new", Some(&read));
    assert_eq!((st, a.is_array()), (200, true));
    let (st, a) = post("/api/v1/alerts/999/state", &write, r#"{"state":"watched"}"#);
    assert!(st == 400 || st == 404, "{st} {a}");
    let id = m["id"].as_u64().unwrap();
    let r = agent()
        .delete(format!("{}/api/v1/monitors/{id}", s.base))
        .header("X-Api-Key", &write)
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);

    // The graph around a listed domain.
    let (st, g, _) = get(
        &s,
        "/api/v1/graph?seed=actor0.top&depth=2&max_nodes=50",
        Some(&read),
    );
    assert_eq!(st, 200, "{g}");
    assert_eq!(g["seed"], "domain:actor0.top");
    assert!(g["nodes"].as_array().unwrap().len() >= 6, "{g}");
    assert!(
        g["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["first_seen"].is_string())
    );
    let (st, g, _) = get(&s, "/api/v1/graph?seed=actor0.top&max_nodes=0", Some(&read));
    assert_eq!((st, g["error"]["field"].as_str()), (400, Some("max_nodes")));

    // A blocklist export of a selection.
    let r = agent()
        .post(format!("{}/api/v1/export/rpz", s.base))
        .header("X-Api-Key", &read)
        .header("Content-Type", "application/json")
        .send(r#"{"domains":["actor1.top","actor2.top"],"origin":"rpz.test"}"#)
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let zone = r.into_body().read_to_string().unwrap();
    assert!(zone.contains("*.actor2.top CNAME ."), "{zone}");
    let (st, e) = post("/api/v1/export/csv", &read, r#"{"domains":["a.example"]}"#);
    assert_eq!((st, e["error"]["field"].as_str()), (400, Some("format")));

    // Keys over the API: admin scope only; the new key works at once.
    let (st, _) = post("/api/v1/keys", &write, r#"{"scope":"read"}"#);
    assert_eq!(st, 403);
    let (st, k) = post(
        "/api/v1/keys",
        &admin,
        r#"{"scope":"read","name":"playbook"}"#,
    );
    assert_eq!(st, 201, "{k}");
    let fresh = k["key"].as_str().unwrap().to_string();
    assert_eq!(
        get(&s, "/api/v1/reputation?domain=a.example", Some(&fresh)).0,
        200
    );
    let (st, list, _) = get(&s, "/api/v1/keys", Some(&admin));
    assert_eq!(st, 200);
    assert!(
        !list.to_string().contains(&fresh),
        "secrets are never listed"
    );
    let r = agent()
        .delete(format!(
            "{}/api/v1/keys/{}",
            s.base,
            k["info"]["id"].as_str().unwrap()
        ))
        .header("X-Api-Key", &admin)
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(
        get(&s, "/api/v1/reputation?domain=a.example", Some(&fresh)).0,
        401
    );
    let (st, e) = post("/api/v1/keys", &admin, r#"{"scope":"root"}"#);
    assert_eq!((st, e["error"]["field"].as_str()), (400, Some("scope")));

    // The OpenAPI document lists the routes.
    let (st, doc, _) = get(&s, "/api/v1/openapi.json", Some(&read));
    assert_eq!(st, 200);
    assert!(doc["paths"]["/api/v1/risk"]["post"].is_object());
    drop(s);

    // Rate limit: 3 a minute, the 4th is refused with Retry-After.
    let s = start(&data, 3);
    for _ in 0..3 {
        assert_eq!(
            get(&s, "/api/v1/reputation?domain=a.example", Some(&read)).0,
            200
        );
    }
    let (st, body, h) = get(&s, "/api/v1/reputation?domain=a.example", Some(&read));
    assert_eq!(st, 429);
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(h.get("retry-after").is_some());
    drop(s);

    // A revoked key is refused.
    let keys: serde_json::Value =
        serde_json::from_str(&ok(&data, &["keys", "list", "--json"])).unwrap();
    let id = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "soar")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&data, &["keys", "revoke", &id]);
    let s = start(&data, 600);
    assert_eq!(
        get(&s, "/api/v1/reputation?domain=a.example", Some(&read)).0,
        401
    );
    let bad = run(&data, &["keys", "create", "--scope", "root"]);
    assert!(!bad.status.success());
}
