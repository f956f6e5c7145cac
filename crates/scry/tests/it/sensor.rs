//! `scry sensor dnstap` end to end: real unbound (Debian's, built with
//! dnstap) resolving from nsd on loopback sends its dnstap to the sensor's
//! socket; `dig` asks; after SIGTERM every answer is in the store with the
//! resolver's identity as its source, and the summary shows the handshake,
//! the frames and time-bounded commits.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::lookup::harness::{Dns, require};
use crate::{ok, scry};

const LAB_ZONE: &str = "$ORIGIN sensorlab.net.\n$TTL 300\n@ IN SOA ns.sensorlab.net. hostmaster.sensorlab.net. 1 7200 3600 1209600 300\n@ IN NS ns.sensorlab.net.\n@ IN MX 10 mail.sensorlab.net.\nns IN A 127.0.0.1\nwww IN A 192.0.2.10\nwww IN AAAA 2001:db8::10\nmail IN A 192.0.2.25\nalias IN CNAME www.sensorlab.net.\n";

/// The sensor process, killed by PID if the test fails before stopping it.
struct Sensor(std::process::Child);

impl Drop for Sensor {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn dig(resolver: std::net::SocketAddr, name: &str, rtype: &str) -> String {
    let out = Command::new(require("dig", "dnsutils"))
        .args([
            &format!("@{}", resolver.ip()),
            "-p",
            &resolver.port().to_string(),
            name,
            rtype,
            "+short",
            "+time=3",
            "+tries=2",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "dig {name} {rtype}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn live_dnstap_from_unbound_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let socket = dir.path().join("dnstap.sock");
    // Not under `.test`: unbound answers that TLD itself (RFC 6761).
    let mut sensor = Sensor(
        scry()
            .arg("--data-dir")
            .arg(&data)
            .args(["sensor", "dnstap", "--socket"])
            .arg(&socket)
            .args(["--flush-ms", "200", "--json"])
            .env_remove("SCRY_STORE")
            .env_remove("SCRY_DATA")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while !socket.try_exists().unwrap() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        socket.try_exists().unwrap(),
        "the sensor did not create its socket"
    );
    // The resolver connects to the sensor when it starts.
    let dns = Dns::start_with_dnstap(
        &[("sensorlab.net", LAB_ZONE.to_string())],
        &socket,
        "resolver-1",
    );
    // Two rounds of queries more than the flush interval apart: each round
    // is committed on its own, before the sensor stops.
    assert!(dig(dns.resolver, "www.sensorlab.net", "A").contains("192.0.2.10"));
    assert!(dig(dns.resolver, "www.sensorlab.net", "AAAA").contains("2001:db8::10"));
    std::thread::sleep(Duration::from_millis(1_000));
    assert!(dig(dns.resolver, "sensorlab.net", "MX").contains("mail.sensorlab.net."));
    assert!(dig(dns.resolver, "alias.sensorlab.net", "A").contains("192.0.2.10"));
    std::thread::sleep(Duration::from_millis(1_000));
    drop(dns);

    // A clean stop: SIGTERM by PID.
    let st = Command::new("kill")
        .args(["-TERM", &sensor.0.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = sensor.0.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            panic!("the sensor did not stop within 20 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stdout = String::new();
    sensor
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let mut stderr = String::new();
    sensor
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{status}: {stderr}");
    let s: serde_json::Value = serde_json::from_str(&stdout).expect("summary json");
    assert!(s["connections"].as_u64().unwrap() >= 1, "{s}");
    assert!(s["frames"].as_u64().unwrap() >= 4, "{s}");
    assert_eq!(s["stream_errors"], 0, "{s}");
    assert_eq!(s["rejected"], 0, "{s}");
    assert!(s["stored"].as_u64().unwrap() >= 6, "{s}");
    // At least one commit made by the flush timer while the sensor ran, plus
    // the one at the stop. (Not one per round: unbound's dnstap output
    // thread may hand both rounds over together on a loaded machine.)
    assert!(s["batches"].as_u64().unwrap() >= 2, "{s}");
    assert!(s["input"].as_str().unwrap().contains("(live)"), "{s}");
    assert!(
        !socket.try_exists().unwrap(),
        "the socket file is removed on stop"
    );

    for (name, rtype, rdata) in [
        ("www.sensorlab.net", "A", "192.0.2.10"),
        ("www.sensorlab.net", "AAAA", "2001:db8::10"),
        ("sensorlab.net", "MX", "mail.sensorlab.net"),
        ("alias.sensorlab.net", "CNAME", "www.sensorlab.net"),
    ] {
        let out = ok(&data, &["pdns", "rrset", name, "--type", rtype, "--json"]);
        let rec = out
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|v| v["rdata"] == rdata)
            .unwrap_or_else(|| panic!("{name} {rtype} {rdata} not stored:\n{out}"));
        assert!(rec["count"].as_u64().unwrap() >= 1);
        assert!(
            rec["sources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x == "pdns:resolver-1"),
            "{rec}"
        );
    }
    // Right-hand wildcard over the live data.
    let out = ok(&data, &["pdns", "rrset", "www.sensorlab.*", "--json"]);
    assert!(
        out.contains("192.0.2.10") && out.contains("2001:db8::10"),
        "{out}"
    );
}
