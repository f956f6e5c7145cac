//! Alert delivery against real receivers on 127.0.0.1, started here and
//! stopped by PID: an HTTP receiver written in this file (webhook, Splunk
//! HEC), `rsyslogd` (Debian `rsyslog`) and `aiosmtpd` (Debian
//! `python3-aiosmtpd`). A missing receiver fails the test and names the
//! package (scripts/test-packages lists them; scripts/test installs them).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{json, ok, run, scry};

const SECRET: &str = "s3cret-s3cret-s3cret";

/// A child process killed (by its PID) and reaped when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find_bin(name: &str, package: &str) -> PathBuf {
    let path = std::env::var("PATH").unwrap_or_default();
    let dirs = path
        .split(':')
        .map(PathBuf::from)
        .chain(["/usr/sbin", "/sbin", "/usr/bin"].map(PathBuf::from));
    for d in dirs {
        let p = d.join(name);
        if std::fs::metadata(&p).is_ok_and(|m| m.is_file()) {
            return p;
        }
    }
    panic!("{name} not found: install the Debian package `{package}` (see scripts/test-packages)");
}

fn free_port() -> u16 {
    loop {
        let t = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = t.local_addr().unwrap().port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Request {
    path: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

/// A minimal HTTP/1.1 server (keep-alive, Content-Length bodies) that
/// answers each request with the next status of its script (then 200),
/// after an optional delay.
struct Receiver {
    url: String,
    log: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

impl Receiver {
    fn start(script: Vec<u16>, delay: Duration, answer: &'static str) -> Receiver {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let script = Arc::new(Mutex::new(script.into_iter()));
        let (log2, stop2) = (log.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop2.load(Ordering::SeqCst) {
                match l.accept() {
                    Ok((s, _)) => {
                        let (log, script, stop) = (log2.clone(), script.clone(), stop2.clone());
                        std::thread::spawn(move || serve(s, &log, &script, &stop, delay, answer));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Receiver { url, log, stop }
    }

    fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }
}

fn serve(
    s: TcpStream,
    log: &Mutex<Vec<Request>>,
    script: &Mutex<std::vec::IntoIter<u16>>,
    stop: &AtomicBool,
    delay: Duration,
    answer: &str,
) {
    s.set_nonblocking(false).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::new(s);
    while !stop.load(Ordering::SeqCst) {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split(' ').nth(1).unwrap_or_default().to_string();
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        log.lock().unwrap().push(Request {
            path,
            headers,
            body,
        });
        std::thread::sleep(delay);
        let status = script.lock().unwrap().next().unwrap_or(200);
        let resp = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if w.write_all(resp.as_bytes()).is_err() {
            return;
        }
    }
}

/// A data dir with a name-server monitor and two zone snapshots whose
/// second day delegates `n` new domains to the watched name server; the
/// caller adds destinations, then runs the monitors.
fn setup(dir: &Path, n: usize) -> PathBuf {
    let data = dir.join("d");
    let day1 = dir.join("com-1.zone");
    let day2 = dir.join("com-2.zone");
    let soa = |serial: &str| {
        format!(
            "$ORIGIN com.\n@ 86400 IN SOA a.gtld-servers.net. nstld.verisign-grs.com. {serial} 1800 900 604800 86400\n\
             friendly 172800 IN NS ns1.host.net.\n"
        )
    };
    std::fs::write(&day1, soa("2026010100")).unwrap();
    let mut z = soa("2026010200");
    for i in 0..n {
        z.push_str(&format!("shop{i:03} 172800 IN NS ns1.bad-dns.net.\n"));
    }
    std::fs::write(&day2, z).unwrap();
    ok(
        &data,
        &[
            "monitor",
            "add",
            "--kind",
            "nameserver",
            "--name",
            "bad dns",
            "--term",
            "bad-dns.net",
        ],
    );
    for f in [&day1, &day2] {
        ok(
            &data,
            &["ingest", "zone", f.to_str().unwrap(), "--progress", "none"],
        );
    }
    data
}

fn raise(data: &Path, n: usize) {
    let r = json(data, &["monitor", "run", "--json"]);
    assert_eq!(r["alerts"], n, "{r}");
}

fn verify_signature(req: &Request) -> serde_json::Value {
    let ts = &req.headers["x-scry-timestamp"];
    let sig = req.headers["x-scry-signature"]
        .strip_prefix("sha256=")
        .expect("sha256= prefix");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(&req.body);
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(sig, want, "HMAC over timestamp.body");
    let age = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        - ts.parse::<i64>().unwrap();
    assert!((0..120).contains(&age), "timestamp is now: {ts}");
    serde_json::from_slice(&req.body).unwrap()
}

#[test]
fn webhook_is_signed_retried_with_backoff_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let data = setup(dir.path(), 5);
    let rx = Receiver::start(vec![500], Duration::ZERO, "{}");
    let url = format!("{}/hooks/scry", rx.url);
    let d = json(
        &data,
        &[
            "alerts",
            "destination",
            "add",
            "webhook",
            "--name",
            "soar",
            "--url",
            &url,
            "--secret",
            SECRET,
            "--backoff-ms",
            "3000",
            "--json",
        ],
    );
    assert_eq!(
        d["target"]["secret"], "(stored)",
        "the secret is not printed: {d}"
    );
    let listed = ok(&data, &["alerts", "destination", "list", "--json"]);
    assert!(!listed.contains(SECRET), "{listed}");
    raise(&data, 5);

    // First pass: the receiver answers 500; nothing is lost, exit 1.
    let out = run(&data, &["alerts", "deliver", "--once", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["enqueued"], 5, "{s}");
    assert_eq!(s["destinations"][0]["retried"], 1, "{s}");
    assert_eq!(s["destinations"][0]["queued"], 5, "{s}");
    // A second pass right away: the retry is not due yet (back-off).
    let again = run(&data, &["alerts", "deliver", "--once", "--json"]);
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["destinations"][0]["delivered"], 0, "{again}");
    assert_eq!(rx.requests().len(), 1);

    // Draining waits for the back-off, then everything goes through.
    let s = json(&data, &["alerts", "deliver", "--max-time", "20", "--json"]);
    assert_eq!(s["destinations"][0]["delivered"], 5, "{s}");
    assert_eq!(s["destinations"][0]["queued"], 0, "{s}");

    let reqs = rx.requests();
    assert_eq!(reqs.len(), 6, "one 500, then five 200");
    let mut ids = BTreeSet::new();
    for r in &reqs {
        assert_eq!(r.path, "/hooks/scry");
        assert_eq!(r.headers["content-type"], "application/json");
        let body = verify_signature(r);
        assert_eq!(body["schema"], "scry.alert.v1");
        assert!(
            body["domain"].as_str().unwrap().starts_with("shop"),
            "{body}"
        );
        assert_eq!(body["monitor_name"], "bad dns");
        // The alert's risk score travels with it.
        assert!(body["risk"]["score"].is_u64(), "risk: {body}");
        assert_eq!(
            r.headers["x-scry-delivery"],
            body["delivery_id"].as_str().unwrap()
        );
        ids.insert(body["id"].as_u64().unwrap());
    }
    assert_eq!(ids, (1..=5).collect());
    // The first alert was sent twice (500, then 200) with the same id.
    let first = verify_signature(&reqs[0]);
    let second = verify_signature(&reqs[1]);
    assert_eq!(first["delivery_id"], second["delivery_id"]);

    let show = json(&data, &["alerts", "show", "1", "--json"]);
    assert_eq!(show["alert"]["domain"], first["domain"]);
    let tries = show["deliveries"].as_array().unwrap();
    assert_eq!(tries.len(), 2, "{show}");
    assert_eq!(tries[0]["status"], "retry");
    assert!(
        tries[0]["detail"].as_str().unwrap().contains("HTTP 500"),
        "{show}"
    );
    assert_eq!(tries[1]["status"], "delivered");
    assert_eq!(tries[1]["attempt"], 2);
    let text = ok(&data, &["alerts", "show", "1"]);
    assert!(
        text.contains("webhook \"soar\" attempt 2: delivered"),
        "{text}"
    );

    // New alerts only: nothing more to send, exit 0.
    let s = json(&data, &["alerts", "deliver", "--once", "--json"]);
    assert_eq!(s["enqueued"], 0, "{s}");
    assert_eq!(rx.requests().len(), 6);
}

#[test]
fn a_killed_deliverer_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let n = 20;
    let data = setup(dir.path(), n);
    let rx = Receiver::start(Vec::new(), Duration::from_millis(100), "{}");
    ok(
        &data,
        &[
            "alerts",
            "destination",
            "add",
            "webhook",
            "--name",
            "slow",
            "--url",
            &rx.url,
            "--secret",
            SECRET,
            "--batch",
            "5",
        ],
    );
    raise(&data, n);
    let log = dir.path().join("deliver.log");
    let child = scry()
        .arg("--data-dir")
        .arg(&data)
        .args(["alerts", "deliver", "--max-time", "60"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut child = Proc(child);
    let start = Instant::now();
    while rx.requests().len() < 7 {
        if let Some(st) = child.0.try_wait().unwrap() {
            panic!(
                "the deliverer exited early ({st}): {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no deliveries after 60 s ({} requests): {}",
            rx.requests().len(),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    let before = rx.requests().len();
    assert!(before < n, "killed mid-drain ({before} sent)");

    let s = json(&data, &["alerts", "deliver", "--max-time", "60", "--json"]);
    assert_eq!(s["destinations"][0]["queued"], 0, "{s}");
    let ids: BTreeSet<u64> = rx
        .requests()
        .iter()
        .map(|r| verify_signature(r)["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, (1..=n as u64).collect(), "every alert arrived");
    // At least once: only the uncommitted step (at most one batch) repeats.
    assert!(
        rx.requests().len() <= n + 5,
        "{} requests",
        rx.requests().len()
    );
}

#[test]
fn hec_posts_concatenated_envelopes_and_rejects_for_good_on_400() {
    let dir = tempfile::tempdir().unwrap();
    let data = setup(dir.path(), 5);
    let good = Receiver::start(Vec::new(), Duration::ZERO, r#"{"text":"Success","code":0}"#);
    let bad = Receiver::start(
        vec![400; 3],
        Duration::ZERO,
        r#"{"text":"Invalid data format","code":6}"#,
    );
    ok(
        &data,
        &[
            "alerts",
            "destination",
            "add",
            "hec",
            "--name",
            "splunk",
            "--url",
            &good.url,
            "--token",
            "tok-123",
            "--batch",
            "2",
            "--index",
            "threat",
        ],
    );
    ok(
        &data,
        &[
            "alerts",
            "destination",
            "add",
            "hec",
            "--name",
            "broken",
            "--url",
            &bad.url,
            "--token",
            "tok-456",
        ],
    );
    raise(&data, 5);
    let s = json(&data, &["alerts", "deliver", "--once", "--json"]);
    assert_eq!(s["destinations"][0]["delivered"], 5, "{s}");
    assert_eq!(s["destinations"][1]["rejected"], 5, "{s}");
    assert_eq!(s["destinations"][1]["queued"], 0, "{s}");

    let reqs = good.requests();
    assert_eq!(reqs.len(), 3, "batches of 2");
    let mut ids = Vec::new();
    for r in &reqs {
        assert_eq!(r.path, "/services/collector/event");
        assert_eq!(r.headers["authorization"], "Splunk tok-123");
        let envs: Vec<serde_json::Value> = serde_json::Deserializer::from_slice(&r.body)
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!envs.is_empty() && envs.len() <= 2);
        for e in envs {
            assert!(e["time"].as_i64().unwrap() > 1_700_000_000, "{e}");
            assert_eq!(e["sourcetype"], "scry:alert");
            assert_eq!(e["source"], "scry");
            assert_eq!(e["index"], "threat");
            assert_eq!(e["event"]["schema"], "scry.alert.v1");
            ids.push(e["event"]["id"].as_u64().unwrap());
        }
    }
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
    assert_eq!(bad.requests().len(), 1, "one POST, refused, not retried");
    assert_eq!(bad.requests()[0].headers["authorization"], "Splunk tok-456");
    let show = json(&data, &["alerts", "show", "3", "--json"]);
    let st: BTreeSet<String> = show["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{}:{}", d["destination_name"], d["status"]))
        .collect();
    assert_eq!(
        st,
        ["\"broken\":\"rejected\"", "\"splunk\":\"delivered\""]
            .map(String::from)
            .into()
    );
    let list = json(&data, &["alerts", "destination", "list", "--json"]);
    assert_eq!(list[1]["status"]["rejected"], 5, "{list}");
    // The receiver gets fixed (its script has three 400s): the refused
    // alerts are queued again by hand, and the trail keeps every try.
    let out = ok(&data, &["alerts", "destination", "requeue", "2"]);
    assert!(out.starts_with("5 refused alerts"), "{out}");
    let s = json(&data, &["alerts", "deliver", "--once", "--json"]);
    assert_eq!(s["destinations"][1]["rejected"], 5, "still 400: {s}");
    for _ in 0..2 {
        ok(&data, &["alerts", "destination", "requeue", "2"]);
        json(&data, &["alerts", "deliver", "--once", "--json"]);
    }
    let list = json(&data, &["alerts", "destination", "list", "--json"]);
    assert_eq!(list[1]["status"]["rejected"], 0, "{list}");
    assert_eq!(list[1]["status"]["queued"], 0, "{list}");
    let tries = json(&data, &["alerts", "show", "3", "--json"])["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["destination_name"] == "broken")
        .map(|d| d["status"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert_eq!(tries, ["rejected", "rejected", "rejected", "delivered"]);
    assert!(
        !list.to_string().contains("tok-"),
        "tokens are not printed: {list}"
    );
}

#[test]
fn syslog_cef_over_udp_and_tcp_reaches_rsyslog() {
    let rsyslogd = find_bin("rsyslogd", "rsyslog");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (pu, pt) = (free_port(), free_port());
    let conf = d.join("rsyslog.conf");
    std::fs::write(
        &conf,
        format!(
            "global(workDirectory=\"{d}\")\n\
             module(load=\"imudp\")\nmodule(load=\"imtcp\")\n\
             input(type=\"imudp\" address=\"127.0.0.1\" port=\"{pu}\" ruleset=\"udp\")\n\
             input(type=\"imtcp\" address=\"127.0.0.1\" port=\"{pt}\" ruleset=\"tcp\")\n\
             ruleset(name=\"udp\") {{ action(type=\"omfile\" file=\"{d}/udp.log\" template=\"RSYSLOG_SyslogProtocol23Format\") }}\n\
             ruleset(name=\"tcp\") {{ action(type=\"omfile\" file=\"{d}/tcp.log\" template=\"RSYSLOG_SyslogProtocol23Format\") }}\n",
            d = d.display()
        ),
    )
    .unwrap();
    let _rsyslog = Proc(
        Command::new(&rsyslogd)
            .arg("-n")
            .arg("-f")
            .arg(&conf)
            .arg("-i")
            .arg(d.join("rsyslog.pid"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let udp_log = d.join("udp.log");
    let tcp_log = d.join("tcp.log");
    // Ready when a probe datagram lands in the UDP file and TCP connects.
    let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
    wait_for("rsyslogd", Duration::from_secs(20), || {
        let _ = probe.send_to(b"<13>1 - - probe - - - ready", ("127.0.0.1", pu));
        std::thread::sleep(Duration::from_millis(100));
        std::fs::read_to_string(&udp_log).is_ok_and(|s| s.contains("ready"))
            && TcpStream::connect(("127.0.0.1", pt)).is_ok()
    });

    let data = setup(d, 4);
    for (name, port, transport) in [("siem-udp", pu, "udp"), ("siem-tcp", pt, "tcp")] {
        ok(
            &data,
            &[
                "alerts",
                "destination",
                "add",
                "syslog",
                "--name",
                name,
                "--address",
                &format!("127.0.0.1:{port}"),
                "--transport",
                transport,
                "--hostname",
                "scry-test",
                "--facility",
                "16",
            ],
        );
    }
    raise(&data, 4);
    let s = json(&data, &["alerts", "deliver", "--once", "--json"]);
    assert_eq!(s["destinations"][0]["delivered"], 4, "{s}");
    assert_eq!(s["destinations"][1]["delivered"], 4, "{s}");

    for (log, dest) in [(&udp_log, 1), (&tcp_log, 2)] {
        let lines = || -> Vec<String> {
            std::fs::read_to_string(log)
                .unwrap_or_default()
                .lines()
                .filter(|l| l.contains("CEF:"))
                .map(String::from)
                .collect()
        };
        wait_for("rsyslog output", Duration::from_secs(10), || {
            lines().len() >= 4
        });
        let lines = lines();
        assert_eq!(lines.len(), 4, "{lines:?}");
        let mut ids = BTreeSet::new();
        for l in &lines {
            // rsyslog re-emits what it parsed as RFC 5424: PRI 132 (local0,
            // warning), our HOSTNAME, APP-NAME, MSGID; MSG is the CEF record.
            let f: Vec<&str> = l.splitn(8, ' ').collect();
            assert_eq!(f[0], "<132>1", "{l}");
            assert_eq!(f[2], "scry-test", "{l}");
            assert_eq!(f[3], "scry", "{l}");
            assert_eq!(f[5], "alert", "{l}");
            assert_eq!(f[6], "-", "{l}");
            let cef = f[7];
            assert!(cef.starts_with("CEF:0|Scry|Scry|"), "{l}");
            let header: Vec<&str> = cef.splitn(8, '|').collect();
            assert_eq!(header[4], "watch");
            assert!(header[5].starts_with("bad dns: shop"), "{l}");
            assert_eq!(header[6], "5");
            let ext = header[7];
            assert!(ext.contains("dhost=shop"), "{l}");
            assert!(
                ext.contains(&format!("cs2Label=deliveryId cs2={dest}-")),
                "{l}"
            );
            let id = ext
                .split(' ')
                .find_map(|kv| kv.strip_prefix("externalId="))
                .unwrap();
            ids.insert(id.parse::<u64>().unwrap());
        }
        assert_eq!(ids, (1..=4).collect(), "{log:?}");
    }
}

#[test]
fn smtp_digest_reaches_aiosmtpd() {
    let aiosmtpd = find_bin("aiosmtpd", "python3-aiosmtpd");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = free_port();
    let maildir = d.join("maildir");
    let _smtpd = Proc(
        Command::new(&aiosmtpd)
            .args(["-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for("aiosmtpd", Duration::from_secs(20), || {
        TcpStream::connect(("127.0.0.1", port)).is_ok_and(|s| {
            s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            let mut l = String::new();
            BufReader::new(s).read_line(&mut l).is_ok() && l.starts_with("220")
        })
    });
    let data = setup(d, 3);
    ok(
        &data,
        &[
            "alerts",
            "destination",
            "add",
            "smtp",
            "--name",
            "soc mail",
            "--server",
            &format!("127.0.0.1:{port}"),
            "--from",
            "scry@example.org",
            "--to",
            "soc@example.org",
            "--to",
            "lead@example.org",
        ],
    );
    raise(&data, 3);
    let s = json(&data, &["alerts", "deliver", "--once", "--json"]);
    assert_eq!(s["destinations"][0]["delivered"], 3, "{s}");
    let new = maildir.join("new");
    let mails = || -> Vec<PathBuf> {
        std::fs::read_dir(&new)
            .map(|r| r.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    };
    wait_for("the mail", Duration::from_secs(10), || mails().len() == 1);
    let m = std::fs::read_to_string(&mails()[0]).unwrap();
    assert!(m.contains("Subject: [scry] 3 new alerts ("), "{m}");
    assert!(m.contains("X-MailFrom: scry@example.org"), "{m}");
    assert!(
        m.contains("X-RcptTo: soc@example.org, lead@example.org"),
        "{m}"
    );
    assert!(m.contains("bad dns (monitor 1): 3 raised"), "{m}");
    for i in 0..3 {
        assert!(m.contains(&format!("shop{i:03}.com")), "{m}");
    }
    let show = json(&data, &["alerts", "show", "2", "--json"]);
    assert_eq!(show["deliveries"][0]["status"], "delivered", "{show}");
    assert_eq!(show["deliveries"][0]["channel"], "smtp");
}
