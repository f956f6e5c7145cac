//! Real servers on 127.0.0.1 for the live look-up tests: WHOIS responders
//! speaking the port-43 protocol, an HTTP server for RDAP, a rustls TLS
//! server with an rcgen chain (all in-process, stopped on drop), and nsd
//! behind unbound for DNS (child processes, stopped by PID on drop).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

/// A TCP server on a thread; dropping it stops the thread.
pub(crate) struct TcpServer {
    pub(crate) addr: SocketAddr,
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
    /// Requests seen (first line).
    pub(crate) seen: Arc<Mutex<Vec<String>>>,
    /// Most connections handled at once.
    pub(crate) max_in_flight: Arc<std::sync::atomic::AtomicUsize>,
}

impl TcpServer {
    fn start(
        handler: impl Fn(TcpStream, &Mutex<Vec<String>>, InFlight) + Send + Sync + 'static,
    ) -> TcpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler = Arc::new(handler);
        let (st, sn) = (stop.clone(), seen.clone());
        let in_flight = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let max_in_flight = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (fl, mx) = (in_flight.clone(), max_in_flight.clone());
        let handle = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
                let _ = conn.set_write_timeout(Some(Duration::from_secs(5)));
                let (h, sn, fl, mx) = (handler.clone(), sn.clone(), fl.clone(), mx.clone());
                std::thread::spawn(move || {
                    let now = fl.fetch_add(1, Ordering::SeqCst) + 1;
                    mx.fetch_max(now, Ordering::SeqCst);
                    h(conn, &sn, InFlight(fl));
                });
            }
        });
        TcpServer {
            addr,
            stop,
            handle: Some(handle),
            seen,
            max_in_flight,
        }
    }

    pub(crate) fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// One connection being handled; dropped (before the connection is
/// closed) when the answer is written.
pub(crate) struct InFlight(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drop for TcpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// A WHOIS server: reads the query line, answers `respond(query)`, closes.
pub(crate) fn whois_server(respond: impl Fn(&str) -> String + Send + Sync + 'static) -> TcpServer {
    TcpServer::start(move |conn, seen, in_flight| {
        let mut reader = BufReader::new(conn);
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        let q = line.trim().to_string();
        seen.lock().unwrap().push(q.clone());
        let mut conn = reader.into_inner();
        let _ = conn.write_all(respond(&q).as_bytes());
        drop(in_flight);
        drop(conn);
    })
}

/// An HTTP/1.1 server answering GETs from `routes(path)` (status, body).
pub(crate) fn http_server(
    routes: impl Fn(&str) -> (u16, Vec<u8>) + Send + Sync + 'static,
) -> TcpServer {
    TcpServer::start(move |conn, seen, _| {
        let mut reader = BufReader::new(conn);
        let mut request = String::new();
        if reader.read_line(&mut request).is_err() {
            return;
        }
        loop {
            let mut h = String::new();
            match reader.read_line(&mut h) {
                Ok(0) | Err(_) => break,
                Ok(_) if h.trim().is_empty() => break,
                Ok(_) => {}
            }
        }
        let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
        seen.lock().unwrap().push(path.clone());
        let (status, body) = routes(&path);
        let mut conn = reader.into_inner();
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/rdap+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = conn.write_all(head.as_bytes());
        let _ = conn.write_all(&body);
    })
}

/// A TLS server presenting `leaf` + `ca` for any SNI.
pub(crate) fn tls_server(chain: Vec<Vec<u8>>, key_der: Vec<u8>) -> TcpServer {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs = chain
        .into_iter()
        .map(rustls::pki_types::CertificateDer::from)
        .collect();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key_der.into());
    let cfg = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap(),
    );
    TcpServer::start(move |mut conn, seen, _| {
        let Ok(mut tls) = rustls::ServerConnection::new(cfg.clone()) else {
            return;
        };
        let started = Instant::now();
        while tls.is_handshaking() && started.elapsed() < Duration::from_secs(5) {
            if tls.complete_io(&mut conn).is_err() {
                return;
            }
        }
        seen.lock()
            .unwrap()
            .push(tls.server_name().unwrap_or("").to_string());
        tls.send_close_notify();
        let _ = tls.complete_io(&mut conn);
        let mut sink = [0u8; 256];
        let _ = conn.read(&mut sink);
    })
}

/// A CA and a leaf for `names`, DER: (chain leaf-first, leaf key PKCS#8).
pub(crate) fn cert_chain(names: &[&str]) -> (Vec<Vec<u8>>, Vec<u8>) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::OrganizationName, "Scry Test Trust");
    ca.distinguished_name
        .push(DnType::CommonName, "Scry Test CA 1");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, names[0]);
    let issuer = rcgen::Issuer::from_params(&ca, &ca_key);
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    (
        vec![leaf_cert.der().to_vec(), ca_cert.der().to_vec()],
        leaf_key.serialize_der(),
    )
}

/// A free loopback port (UDP and TCP both bindable when checked).
fn free_port() -> u16 {
    loop {
        let t = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = t.local_addr().unwrap().port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

pub(crate) fn require(binary: &str, package: &str) -> PathBuf {
    for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin"] {
        let p = Path::new(dir).join(binary);
        if p.try_exists().unwrap_or(false) {
            return p;
        }
    }
    panic!(
        "`{binary}` is missing: install the Debian package `{package}` (see scripts/test-packages)"
    );
}

/// nsd serving `zones` behind unbound (stub zones), both on loopback.
pub(crate) struct Dns {
    pub(crate) resolver: SocketAddr,
    children: Vec<Child>,
    _dir: tempfile::TempDir,
}

impl Dns {
    /// `zones`: (origin, zone file text).
    pub(crate) fn start(zones: &[(&str, String)]) -> Dns {
        Dns::start_with(zones, "")
    }

    /// The same, with unbound sending dnstap (resolver and client
    /// responses, identity `identity`) to the Frame Streams socket `socket`.
    pub(crate) fn start_with_dnstap(
        zones: &[(&str, String)],
        socket: &Path,
        identity: &str,
    ) -> Dns {
        Dns::start_with(
            zones,
            &format!(
                "dnstap:\n  dnstap-enable: yes\n  dnstap-socket-path: \"{}\"\n  dnstap-send-identity: yes\n  dnstap-identity: \"{identity}\"\n  dnstap-log-resolver-response-messages: yes\n  dnstap-log-client-response-messages: yes\n",
                socket.display()
            ),
        )
    }

    fn start_with(zones: &[(&str, String)], extra: &str) -> Dns {
        let nsd = require("nsd", "nsd");
        let unbound = require("unbound", "unbound");
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        let (nsd_port, ub_port) = (free_port(), free_port());
        let mut nsd_conf = format!(
            "server:\n  ip-address: 127.0.0.1@{nsd_port}\n  zonesdir: \"{d}\"\n  database: \"\"\n  pidfile: \"{d}/nsd.pid\"\n  xfrdfile: \"{d}/xfrd.state\"\n  zonelistfile: \"{d}/zone.list\"\n  username: \"\"\n  logfile: \"{d}/nsd.log\"\n  server-count: 1\nremote-control:\n  control-enable: no\n"
        );
        let mut ub_conf = format!(
            "server:\n  interface: 127.0.0.1@{ub_port}\n  port: {ub_port}\n  do-daemonize: no\n  username: \"\"\n  chroot: \"\"\n  directory: \"{d}\"\n  pidfile: \"{d}/unbound.pid\"\n  logfile: \"{d}/unbound.log\"\n  num-threads: 1\n  do-not-query-localhost: no\n  module-config: \"iterator\"\n  so-reuseport: no\n"
        );
        for (origin, text) in zones {
            std::fs::write(dir.path().join(format!("{origin}.zone")), text).unwrap();
            nsd_conf.push_str(&format!(
                "zone:\n  name: {origin}\n  zonefile: {origin}.zone\n"
            ));
            ub_conf.push_str(&format!(
                "  domain-insecure: \"{origin}\"\n  local-zone: \"{origin}\" nodefault\n"
            ));
        }
        for (origin, _) in zones {
            ub_conf.push_str(&format!(
                "stub-zone:\n  name: \"{origin}\"\n  stub-addr: 127.0.0.1@{nsd_port}\n"
            ));
        }
        ub_conf.push_str(extra);
        std::fs::write(dir.path().join("nsd.conf"), nsd_conf).unwrap();
        std::fs::write(dir.path().join("unbound.conf"), ub_conf).unwrap();
        let resolver: SocketAddr = format!("127.0.0.1:{ub_port}").parse().unwrap();
        let nsd_conf = dir.path().join("nsd.conf");
        let ub_conf = dir.path().join("unbound.conf");
        // Owned by `dns` as soon as started, so a later failure still stops them.
        let mut dns = Dns {
            resolver,
            children: Vec::new(),
            _dir: dir,
        };
        for (bin, args, conf) in [
            (nsd, &["-d", "-c"][..], nsd_conf),
            (unbound, &["-c"][..], ub_conf),
        ] {
            dns.children.push(
                Command::new(bin)
                    .args(args)
                    .arg(conf)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap(),
            );
        }
        dns.wait_ready(zones[0].0);
        dns
    }

    /// Waits (at most 20 s) until unbound answers the SOA query for `name`
    /// with NOERROR from nsd.
    fn wait_ready(&self, name: &str) {
        let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        for label in name.split('.') {
            q.push(label.len() as u8);
            q.extend_from_slice(label.as_bytes());
        }
        // SOA of the zone apex.
        q.extend_from_slice(&[0, 0, 6, 0, 1]);
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            let _ = sock.send_to(&q, self.resolver);
            let mut buf = [0u8; 1500];
            if let Ok((n, _)) = sock.recv_from(&mut buf)
                && n > 12
                && buf[3] & 0x0f == 0
                && u16::from_be_bytes([buf[6], buf[7]]) > 0
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = std::fs::read_to_string(self._dir.path().join("unbound.log")).unwrap_or_default();
        let nlog = std::fs::read_to_string(self._dir.path().join("nsd.log")).unwrap_or_default();
        panic!("nsd/unbound did not answer for {name} in 20 s\nunbound: {log}\nnsd: {nlog}");
    }
}

impl Drop for Dns {
    fn drop(&mut self) {
        // Stopped by PID: unbound first, then nsd.
        for c in self.children.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
