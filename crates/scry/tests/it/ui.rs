//! The web UI of `scry serve`: the session and CSRF rules over plain HTTP,
//! TLS with an rcgen certificate, and a walk through the product in Debian's
//! headless Chromium driven over WebDriver (chromedriver on loopback):
//! sign-in → search → profile → guided pivot → graph → expand → select →
//! export → alerts → keyboard triage, with screenshots of the main pages in
//! `target/ui-screenshots/` and the browser's own timing of an expansion.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::serve::{Server, agent, start, start_with};
use crate::{json as run_json, ok};

/// A store with a small synthetic world (the demo's), a registrant monitor
/// with alerts, and a write key.
struct World {
    _tmp: tempfile::TempDir,
    data: PathBuf,
    key: String,
    seed: String,
    registrant_email: String,
}

fn world() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let demo = crate::scry()
        .arg("--data-dir")
        .arg(&data)
        .args([
            "demo",
            "--json",
            "--domains",
            "3000",
            "--days",
            "3",
            "--seed",
            "11",
        ])
        .arg("--world")
        .arg(tmp.path().join("world"))
        .env_remove("SCRY_STORE")
        .output()
        .unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let v: Value = serde_json::from_slice(&demo.stdout).unwrap();
    let seed = v["seed"].as_str().unwrap().to_string();
    let registrant_email = v["pivots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["field"] == "registrant_email")
        .and_then(|p| p["value"].as_str())
        .expect("the demo campaign has a registrant e-mail pivot")
        .to_string();
    ok(
        &data,
        &[
            "monitor",
            "add",
            "--kind",
            "registrant",
            "--name",
            "campaign",
            "--term",
            &registrant_email,
        ],
    );
    ok(&data, &["monitor", "run"]);
    let alerts = run_json(&data, &["alerts", "list", "--json"]);
    assert!(
        alerts.as_array().unwrap().len() >= 2,
        "the registrant monitor raised too few alerts: {alerts}"
    );
    let key = ok(
        &data,
        &["keys", "create", "--scope", "write", "--name", "analyst"],
    )
    .trim()
    .to_string();
    World {
        _tmp: tmp,
        data,
        key,
        seed,
        registrant_email,
    }
}

/// One HTTP exchange with optional cookie and CSRF headers; returns the
/// status, the headers and the body.
fn call(
    s: &Server,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    csrf: Option<&str>,
    body: Option<Value>,
) -> (u16, ureq::http::HeaderMap, String) {
    let url = format!("{}{path}", s.base);
    let a = agent();
    let mut req = ureq::http::Request::builder().method(method).uri(&url);
    if let Some(c) = cookie {
        req = req.header("Cookie", format!("scry_session={c}"));
    }
    if let Some(t) = csrf {
        req = req.header("X-CSRF-Token", t);
    }
    let r = match body {
        Some(b) => a.run(
            req.header("Content-Type", "application/json")
                .body(b.to_string())
                .unwrap(),
        ),
        None => a.run(req.body(()).unwrap()),
    }
    .expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (
        status,
        headers,
        r.into_body().read_to_string().unwrap_or_default(),
    )
}

#[test]
fn sessions_cookies_and_csrf() {
    let w = world();
    let admin = ok(&w.data, &["keys", "create", "--scope", "admin"])
        .trim()
        .to_string();
    let s = start(&w.data, 100_000);
    // The shell is open, with its security headers; data is not.
    let (st, h, body) = call(&s, "GET", "/", None, None, None);
    assert_eq!(st, 200);
    assert!(body.contains("/ui/app.js"), "{body}");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(h.get("etag").is_some() && h.get("cache-control").is_some());
    let (st, h, _) = call(&s, "GET", "/ui/graph.js", None, None, None);
    assert_eq!(st, 200);
    assert!(h["content-type"].to_str().unwrap().contains("javascript"));
    for path in ["/api/v1/alerts", "/nothing-here", "/ui/session"] {
        assert_eq!(call(&s, "GET", path, None, None, None).0, 401, "{path}");
    }
    // Sign-in: a wrong key is refused; a form post (not JSON) is refused.
    let (st, _, _) = call(
        &s,
        "POST",
        "/ui/login",
        None,
        None,
        Some(json!({"key": "scry_wrong"})),
    );
    assert_eq!(st, 401);
    let a = agent();
    let r = a
        .post(format!("{}/ui/login", s.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(format!("key={}", w.key))
        .unwrap();
    assert_eq!(r.status().as_u16(), 400, "a form post must not sign in");
    let (st, h, body) = call(
        &s,
        "POST",
        "/ui/login",
        None,
        None,
        Some(json!({"key": w.key})),
    );
    assert_eq!(st, 200, "{body}");
    assert!(!body.contains(&w.key), "the answer echoes the key: {body}");
    let set = h["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/"),
        "{set}"
    );
    assert!(!set.contains(&w.key), "{set}");
    let sid = set
        .split(';')
        .next()
        .unwrap()
        .strip_prefix("scry_session=")
        .unwrap()
        .to_string();
    let csrf = serde_json::from_str::<Value>(&body).unwrap()["csrf"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(csrf.len(), 64);
    // Reads with the cookie alone.
    let (st, _, body) = call(&s, "GET", "/api/v1/alerts", Some(&sid), None, None);
    assert_eq!(st, 200, "{body}");
    let alerts: Value = serde_json::from_str(&body).unwrap();
    let id = alerts[0]["id"].as_u64().unwrap();
    let (st, _, body) = call(&s, "GET", "/ui/session", Some(&sid), None, None);
    assert_eq!(st, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["csrf"],
        csrf.as_str()
    );
    // Changes need the CSRF header, and the right one.
    let change = json!({"state": "watched"});
    let path = format!("/api/v1/alerts/{id}/state");
    let (st, _, body) = call(&s, "POST", &path, Some(&sid), None, Some(change.clone()));
    assert_eq!(st, 403, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["error"]["code"],
        "csrf"
    );
    let wrong = "0".repeat(64);
    let (st, _, _) = call(
        &s,
        "POST",
        &path,
        Some(&sid),
        Some(&wrong),
        Some(change.clone()),
    );
    assert_eq!(st, 403);
    let (st, _, body) = call(&s, "POST", &path, Some(&sid), Some(&csrf), Some(change));
    assert_eq!(st, 200, "{body}");
    let a: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(a["state"], "watched");
    let who = a["history"].as_array().unwrap().last().unwrap()["who"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        who.starts_with("api:") && who.ends_with(":analyst"),
        "{who}"
    );
    // A forged or unknown session is nobody.
    let (st, _, _) = call(&s, "GET", "/api/v1/alerts", Some(&wrong), None, None);
    assert_eq!(st, 401);
    // Sign-out needs the token too, then the cookie is dead.
    let (st, _, _) = call(&s, "POST", "/ui/logout", Some(&sid), None, None);
    assert_eq!(st, 403);
    let (st, h, _) = call(&s, "POST", "/ui/logout", Some(&sid), Some(&csrf), None);
    assert_eq!(st, 204);
    assert!(h["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let (st, _, _) = call(&s, "GET", "/api/v1/alerts", Some(&sid), None, None);
    assert_eq!(st, 401);
    // Revoking the key ends its sessions.
    let (_, h, _) = call(
        &s,
        "POST",
        "/ui/login",
        None,
        None,
        Some(json!({"key": w.key})),
    );
    let sid = h["set-cookie"].to_str().unwrap()[13..77].to_string();
    assert_eq!(
        call(&s, "GET", "/api/v1/monitors", Some(&sid), None, None).0,
        200
    );
    let (_, _, body) = call(&s, "GET", "/ui/session", Some(&sid), None, None);
    let kid = serde_json::from_str::<Value>(&body).unwrap()["key"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = agent()
        .delete(format!("{}/api/v1/keys/{kid}", s.base))
        .header("X-Api-Key", &admin)
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(
        call(&s, "GET", "/api/v1/monitors", Some(&sid), None, None).0,
        401
    );
}

// ---------------------------------------------------------------- TLS

/// PEM armour (rcgen is built without its pem feature).
fn pem(label: &str, der: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for c in der.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                b64.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[test]
fn tls_with_a_given_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let key = ok(&data, &["keys", "create", "--scope", "read"])
        .trim()
        .to_string();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    std::fs::write(
        tmp.path().join("cert.pem"),
        pem("CERTIFICATE", ck.cert.der()),
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("key.pem"),
        pem("PRIVATE KEY", &ck.signing_key.serialize_der()),
    )
    .unwrap();
    let s = start_with(
        &data,
        &[
            "--tls-cert",
            tmp.path().join("cert.pem").to_str().unwrap(),
            "--tls-key",
            tmp.path().join("key.pem").to_str().unwrap(),
        ],
    );
    assert!(s.base.starts_with("https://"), "{}", s.base);
    let addr = s.base.trim_start_matches("https://").to_string();
    // A client that trusts exactly this certificate.
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ck.cert.der().clone()).unwrap();
    let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let cfg = Arc::new(cfg);
    let exchange = |request: &str| -> String {
        let conn =
            rustls::ClientConnection::new(cfg.clone(), "localhost".try_into().unwrap()).unwrap();
        let tcp = TcpStream::connect(&addr).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        tls.write_all(request.as_bytes()).unwrap();
        let mut out = Vec::new();
        let _ = tls.read_to_end(&mut out);
        String::from_utf8_lossy(&out).to_string()
    };
    let get = |path: &str| {
        exchange(&format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        ))
    };
    let health = get("/health");
    assert!(
        health.starts_with("HTTP/1.1 200") && health.contains("\"ok\""),
        "{health}"
    );
    assert!(get("/api/v1/alerts").starts_with("HTTP/1.1 401"));
    let shell = get("/");
    assert!(shell.starts_with("HTTP/1.1 200") && shell.contains("/ui/app.js"));
    // Sessions over TLS get Secure cookies.
    let body = json!({"key": key}).to_string();
    let login = exchange(&format!(
        "POST /ui/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    let cookie = login
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap_or_else(|| panic!("no cookie: {login}"));
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    // Plain HTTP on the TLS port gets no HTTP answer.
    let mut plain = TcpStream::connect(&addr).unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    plain
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = Vec::new();
    let _ = plain.read_to_end(&mut buf);
    assert!(!String::from_utf8_lossy(&buf).contains("\"ok\""));
    drop(s);
    // A certificate that does not match its key is refused at start-up.
    let other = rcgen::generate_simple_self_signed(vec!["x".to_string()]).unwrap();
    std::fs::write(
        tmp.path().join("other.pem"),
        pem("PRIVATE KEY", &other.signing_key.serialize_der()),
    )
    .unwrap();
    let out = crate::run(
        &data,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            tmp.path().join("cert.pem").to_str().unwrap(),
            "--tls-key",
            tmp.path().join("other.pem").to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("TLS"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------- WebDriver

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver (which starts and stops Chromium), killed by PID on drop.
struct Driver {
    child: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = agent()
            .delete(format!("{}/session/{}", self.base, self.session))
            .call();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn which(bin: &str, package: &str) -> PathBuf {
    for dir in ["/usr/bin", "/usr/local/bin", "/bin"] {
        let p = Path::new(dir).join(bin);
        if matches!(p.try_exists(), Ok(true)) {
            return p;
        }
    }
    panic!("{bin} is missing: install the Debian package {package} (scripts/test-packages)");
}

impl Driver {
    fn start(downloads: &Path) -> Driver {
        let chromium = which("chromium", "chromium");
        let chromedriver = which("chromedriver", "chromium-driver");
        let port = free_port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = agent().get(format!("{base}/status")).call()
                && r.status().as_u16() == 200
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    "--window-size=1440,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "download.default_directory": downloads,
                    "download.prompt_for_download": false,
                }
            }
        }}});
        let mut d = Driver {
            child,
            base,
            session: String::new(),
            _profile: profile,
        };
        let v = d.req("POST", "/session", Some(caps));
        d.session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {v}"))
            .to_string();
        d
    }

    fn req(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let a = agent();
        let r = match method {
            "GET" => a.get(&url).call(),
            "DELETE" => a.delete(&url).call(),
            _ => a
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.unwrap_or(json!({})).to_string()),
        }
        .expect("WebDriver request");
        let status = r.status().as_u16();
        let text = r.into_body().read_to_string().unwrap_or_default();
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert!(status == 200, "WebDriver {method} {path}: {status} {text}");
        v
    }

    fn s(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.req(method, &format!("/session/{}{path}", self.session), body)["value"].clone()
    }

    fn goto(&self, url: &str) {
        self.s("POST", "/url", Some(json!({"url": url})));
    }

    fn js(&self, script: &str, args: Value) -> Value {
        self.s(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Waits until the script returns something truthy; returns it.
    fn wait(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let v = self.js(script, json!([]));
            let truthy = match &v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return v;
            }
            if Instant::now() > deadline {
                let page = self.js("return document.body.innerText.slice(0, 2000)", json!([]));
                panic!("timed out waiting for {what}; the page says: {page}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn find(&self, css: &str) -> String {
        let v = self.s(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.s("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.s("POST", &format!("/element/{id}/clear"), Some(json!({})));
        self.s(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        );
    }

    /// Presses keys (WebDriver actions), e.g. "w" or "\u{E007}" (Enter).
    fn keys(&self, keys: &str) {
        let mut acts = Vec::new();
        for k in keys.chars() {
            acts.push(json!({"type": "keyDown", "value": k.to_string()}));
            acts.push(json!({"type": "keyUp", "value": k.to_string()}));
        }
        self.s(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "kb", "actions": acts}]})),
        );
        self.s("DELETE", "/actions", None);
    }

    /// Shift-click on an element (adds it to a selection).
    fn shift_click(&self, css: &str) {
        let id = self.find(css);
        let shift = "\u{E008}";
        self.s(
            "POST",
            "/actions",
            Some(json!({"actions": [
                {"type": "key", "id": "kb", "actions": [
                    {"type": "keyDown", "value": shift}, {"type": "pause", "duration": 0},
                    {"type": "pause", "duration": 0}, {"type": "keyUp", "value": shift}]},
                {"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": [
                    {"type": "pointerMove", "origin": {ELEMENT: id}, "x": 0, "y": 0},
                    {"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0},
                    {"type": "pause", "duration": 0}]}
            ]})),
        );
        self.s("DELETE", "/actions", None);
    }

    fn screenshot(&self, dir: &Path, name: &str) {
        let b64 = self.s("GET", "/screenshot", None);
        let png = base64_decode(b64.as_str().expect("screenshot"));
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64"),
        }
    };
    let bytes: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for chunk in bytes.chunks(4) {
        let n = chunk.iter().filter(|&&c| c != b'=').count();
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            if c != b'=' {
                acc |= val(c) << (18 - 6 * i);
            }
        }
        let b = acc.to_be_bytes();
        out.extend_from_slice(&b[1..n]);
    }
    out
}

fn screenshots_dir() -> PathBuf {
    // target/<profile>/scry → target/ui-screenshots
    Path::new(env!("CARGO_BIN_EXE_scry"))
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("ui-screenshots")
}

#[test]
fn browser_walk_through() {
    let w = world();
    let s = start(&w.data, 100_000);
    let downloads = tempfile::tempdir().unwrap();
    let shots = screenshots_dir();
    let d = Driver::start(downloads.path());

    // Sign in.
    d.goto(&format!("{}/", s.base));
    d.wait(
        "the sign-in form",
        "return document.getElementById('login-key')",
    );
    d.screenshot(&shots, "01-sign-in.png");
    d.type_into("#login-key", "scry_not-a-key");
    d.click("#login-submit");
    d.wait(
        "the refusal",
        "return document.getElementById('login-error').textContent.includes('Unknown')",
    );
    d.type_into("#login-key", &w.key);
    d.click("#login-submit");
    d.wait(
        "the signed-in page",
        "return !document.getElementById('top').hidden && document.getElementById('who').textContent",
    );
    let leaked = d.js(
        "const k = arguments[0]; return document.documentElement.outerHTML.includes(k) \
         || JSON.stringify(localStorage).includes(k) || JSON.stringify(sessionStorage).includes(k) \
         || document.cookie.includes(k) || document.cookie.includes('scry_session')",
        json!([w.key]),
    );
    assert_eq!(
        leaked,
        json!(false),
        "the key or session id is readable by the page"
    );

    // Search by the campaign's e-mail: a results table with risk.
    d.type_into("#search-box", &w.registrant_email);
    d.click("#search-form button");
    let rows = d.wait(
        "search results",
        "const r = document.querySelectorAll('#results .result-row'); return r.length >= 2 && r.length",
    );
    let info = d.js(
        "return document.getElementById('results-info').textContent",
        json!([]),
    );
    assert!(
        info.as_str().unwrap().contains(&format!("of {rows}"))
            || info.as_str().unwrap().contains(" of "),
        "{info}"
    );
    d.wait(
        "risk badges",
        "return [...document.querySelectorAll('#results .risk')].some(e => /\\d/.test(e.textContent))",
    );
    // Sorting by domain puts the names in order.
    d.click("#results th[data-sort=domain]");
    let names = d.js(
        "return [...document.querySelectorAll('#results .result-row')].map(r => r.dataset.domain)",
        json!([]),
    );
    let names: Vec<String> = serde_json::from_value(names).unwrap();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    d.screenshot(&shots, "02-search.png");

    // Profile of the seed domain.
    d.goto(&format!("{}/#/domain/{}", s.base, w.seed));
    d.wait(
        "the profile",
        "const e = document.getElementById('profile-domain'); return e && document.querySelector('.pv.guided') && e.textContent",
    );
    d.wait(
        "the risk card",
        "return document.querySelector('#section-risk .risk.big')",
    );
    d.screenshot(&shots, "03-profile.png");
    // One click on a guided pivot.
    let (field, value) = {
        let v = d.js(
            "const a = document.querySelector('#section-registration .pv.guided[data-field=registrant_email]') || document.querySelector('.pv.guided'); \
             return [a.dataset.field, a.dataset.value]",
            json!([]),
        );
        (
            v[0].as_str().unwrap().to_string(),
            v[1].as_str().unwrap().to_string(),
        )
    };
    d.click(&format!(".pv.guided[data-field=\"{field}\"]"));
    d.wait(
        "the pivot's domains",
        "return document.querySelectorAll('#results .result-row').length >= 2",
    );
    let title = d.js(
        "return document.getElementById('results-title').textContent",
        json!([]),
    );
    assert_eq!(title, json!(format!("{field} = {value}")));

    // Graph from the pivot value; expand a domain; select two; export.
    d.click("#pivot-graph");
    d.wait(
        "the graph",
        "return document.querySelectorAll('.gnode').length > 2 && document.body.dataset.graphExpandMs",
    );
    let before = d
        .js(
            "return document.querySelectorAll('.gnode').length",
            json!([]),
        )
        .as_u64()
        .unwrap();
    let target = d
        .js(
            "return [...document.querySelectorAll('.gnode[data-type=domain]')].map(g => g.dataset.id)[0]",
            json!([]),
        )
        .as_str()
        .unwrap()
        .to_string();
    d.click(&format!(".gnode[data-id=\"{target}\"] > :first-child"));
    d.wait(
        "the node panel",
        "return document.getElementById('graph-expand-focus')",
    );
    d.click("#graph-expand-focus");
    d.wait(
        "the expansion",
        "return performance.getEntriesByName('scry-graph-expand').length >= 2",
    );
    let after = d
        .js(
            "return document.querySelectorAll('.gnode').length",
            json!([]),
        )
        .as_u64()
        .unwrap();
    assert!(
        after > before,
        "expanding {target} added nothing ({before} → {after})"
    );
    let timings = d.js(
        "return performance.getEntriesByName('scry-graph-expand').map(m => m.duration)",
        json!([]),
    );
    println!(
        "browser performance.measure('scry-graph-expand') in ms (seed, then expansion of {target}): {timings}"
    );
    let domains = d.js(
        "return [...document.querySelectorAll('.gnode[data-type=domain]')].map(g => g.dataset.id).slice(0, 2)",
        json!([]),
    );
    let a = domains[0].as_str().unwrap().to_string();
    let b = domains[1].as_str().unwrap().to_string();
    d.click(&format!(".gnode[data-id=\"{a}\"] > :first-child"));
    d.shift_click(&format!(".gnode[data-id=\"{b}\"] > :first-child"));
    let sel = d.js(
        "return document.getElementById('graph-selection').textContent",
        json!([]),
    );
    assert!(sel.as_str().unwrap().starts_with("2 selected"), "{sel}");
    d.click("#graph-csv");
    let csv = d
        .js(
            "return document.getElementById('graph-export').textContent",
            json!([]),
        )
        .as_str()
        .unwrap()
        .to_string();
    let label = |id: &str| id.trim_start_matches("domain:").to_string();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(
        csv.contains(&label(&a)) && csv.contains(&label(&b)),
        "{csv}"
    );
    d.click("#graph-rpz");
    let rpz = d
        .wait(
            "the RPZ export",
            "const t = document.getElementById('graph-export').textContent; return t.includes('$ORIGIN') && t",
        )
        .as_str()
        .unwrap()
        .to_string();
    for x in [&a, &b] {
        assert!(
            rpz.contains(&format!("\n{} CNAME .", label(x))),
            "{x} not in {rpz}"
        );
    }
    assert_eq!(rpz.matches(" CNAME .").count(), 4, "{rpz}");
    // The file was downloaded too.
    let file = downloads.path().join("scry-graph.rpz");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !matches!(file.try_exists(), Ok(true)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), rpz);
    d.click("#graph-png");
    d.wait(
        "the PNG export",
        "return document.getElementById('graph-export').textContent.startsWith('PNG')",
    );
    d.click("#graph-clear");
    d.screenshot(&shots, "04-graph.png");
    // A new graph from a bare IP address typed into the graph's own box.
    let ip = d
        .js(
            "return [...document.querySelectorAll('.gnode[data-type=ip]')].map(g => g.dataset.id.slice(3))[0]",
            json!([]),
        )
        .as_str()
        .expect("an IP node in the graph")
        .to_string();
    d.type_into("#graph-seed", &ip);
    d.click("#graph-seed ~ button");
    d.wait(
        "the graph around the IP",
        &format!(
            "return location.hash.includes('seed=ip%3D') && document.querySelector('.gnode[data-id=\"ip:{ip}\"]') && document.querySelectorAll('.gnode[data-type=domain]').length >= 1"
        ),
    );

    // Alerts: keyboard triage, checked through the API.
    d.goto(&format!("{}/#/alerts", s.base));
    d.wait(
        "the alerts",
        "return document.querySelectorAll('.alert-row').length >= 2",
    );
    // The morning review: what was raised since yesterday (here: all of it).
    let total = d
        .js(
            "return document.querySelectorAll('.alert-row').length",
            json!([]),
        )
        .as_u64()
        .unwrap();
    d.click("#alerts-fresh");
    d.wait(
        "the alerts since yesterday",
        &format!(
            "return location.hash.includes('since=yesterday') && document.querySelectorAll('.alert-row').length === {total}"
        ),
    );
    d.screenshot(&shots, "05-alerts.png");
    let ids = d.js(
        "return [...document.querySelectorAll('.alert-row')].map(r => Number(r.dataset.id)).slice(0, 2)",
        json!([]),
    );
    let first = ids[0].as_u64().unwrap();
    let second = ids[1].as_u64().unwrap();
    d.keys("w");
    d.wait(
        "the first alert watched",
        &format!("return document.getElementById('alert-state-{first}').textContent === 'watched'"),
    );
    d.keys("e");
    d.wait(
        "the second alert escalated",
        &format!(
            "return document.getElementById('alert-state-{second}').textContent === 'blocked'"
        ),
    );
    let (_, _, body) = call(&s, "GET", "/api/v1/alerts?state=watched", None, None, None);
    assert!(body.contains("unauthorized"), "no key, no data");
    let watched: Value = agent()
        .get(format!("{}/api/v1/alerts?state=watched", s.base))
        .header("X-Api-Key", &w.key)
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    let hit = watched
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == first)
        .unwrap_or_else(|| panic!("alert {first} is not watched: {watched}"));
    assert!(
        hit["history"].as_array().unwrap().last().unwrap()["who"]
            .as_str()
            .unwrap()
            .ends_with(":analyst")
    );
    let blocked: Value = agent()
        .get(format!("{}/api/v1/alerts?state=blocked", s.base))
        .header("X-Api-Key", &w.key)
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert!(
        blocked
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == second)
    );

    d.goto(&format!("{}/#/monitors", s.base));
    d.wait(
        "the monitors",
        "return document.querySelectorAll('#monitors tbody tr').length >= 1",
    );
    // Add a monitor through the form.
    d.type_into("#mon-name", "paypal look-alikes");
    d.type_into("#mon-terms", "paypal.com");
    d.click("#mon-save");
    d.wait(
        "the new monitor",
        "return document.querySelectorAll('#monitors tbody tr').length >= 2",
    );
    let monitors: Value = serde_json::from_str(
        &agent()
            .get(format!("{}/api/v1/monitors", s.base))
            .header("X-Api-Key", &w.key)
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    assert!(
        monitors
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "paypal look-alikes" && m["terms"][0] == "paypal.com"),
        "{monitors}"
    );
    d.screenshot(&shots, "06-monitors.png");
    println!("screenshots in {}", shots.display());
    // Nothing the page did broke the Content-Security-Policy or failed in
    // the console.
    let log = d.s("POST", "/se/log", Some(json!({"type": "browser"})));
    let bad: Vec<&Value> = log
        .as_array()
        .expect("browser log")
        .iter()
        .filter(|e| {
            let m = e["message"].as_str().unwrap_or("");
            m.contains("Content Security Policy")
                || (e["level"] == "SEVERE" && !m.contains("401") && !m.contains("favicon"))
        })
        .collect();
    println!(
        "browser console: {} entries",
        log.as_array().map_or(0, Vec::len)
    );
    assert!(bad.is_empty(), "browser console: {bad:?}");
}
