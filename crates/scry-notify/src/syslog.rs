//! Syslog delivery: RFC 5424 messages whose MSG is an ArcSight CEF record,
//! over UDP (one datagram per message, RFC 5426) or TCP with octet-counting
//! framing (`MSG-LEN SP SYSLOG-MSG`, RFC 6587 section 3.4.1).
//!
//! ```text
//! <132>1 2026-01-02T03:04:05Z host scry 4242 alert - CEF:0|Scry|Scry|0.0.0|lookalike|paypal: paypa1-secure.com|9|rt=... dhost=paypa1-secure.com ...
//! ```
//! PRI is `facility * 8 + 4` (warning). The CEF header escapes `\` and
//! `|`; extension values escape `\` and `=` and carry line breaks as `\n`
//! and `\r` (CEF "Implementation Standard", character encoding).

use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};

use crate::channel::{Outcome, TIMEOUT};
use crate::destination::Transport;
use crate::payload::DeliveredAlert;

/// RFC 5424 severity of every alert message: 4, warning.
const SEVERITY: u8 = 4;
/// Longest text of one CEF field (reasons can quote registrant data).
const MAX_FIELD: usize = 1024;

fn clip(s: &str) -> String {
    s.chars().take(MAX_FIELD).collect()
}

/// Escapes a CEF header field.
pub fn cef_header_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in clip(s).chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '|' => o.push_str("\\|"),
            '\r' | '\n' => o.push(' '),
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    o
}

/// Escapes a CEF extension value.
pub fn cef_value_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in clip(s).chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '=' => o.push_str("\\="),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    o
}

/// The CEF record of an alert.
pub fn cef(a: &DeliveredAlert) -> String {
    let signature = if a.similarity.is_some() {
        "lookalike"
    } else {
        "watch"
    };
    let name = if a.monitor_name.is_empty() {
        a.domain.clone()
    } else {
        format!("{}: {}", a.monitor_name, a.domain)
    };
    let rt = scry_model::parse_time(&a.raised)
        .map(|t| (t.saturating_mul(1000)).to_string())
        .unwrap_or_default();
    let mut ext = vec![
        ("rt", rt),
        ("dhost", a.domain.clone()),
        ("externalId", a.id.to_string()),
        ("act", a.state.clone()),
        ("msg", a.reason.clone()),
        ("cs1Label", "monitor".into()),
        ("cs1", a.monitor_name.clone()),
        ("cn1Label", "monitorId".into()),
        ("cn1", a.monitor.to_string()),
        ("cs2Label", "deliveryId".into()),
        ("cs2", a.delivery_id.clone()),
    ];
    if let Some(s) = a.similarity {
        ext.push(("cn2Label", "similarity".into()));
        ext.push(("cn2", s.to_string()));
    }
    if let Some(r) = &a.risk {
        ext.push(("cs3Label", "risk".into()));
        ext.push(("cs3", r.to_string()));
    }
    let ext: Vec<String> = ext
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", cef_value_escape(&v)))
        .collect();
    format!(
        "CEF:0|Scry|Scry|{}|{signature}|{}|{}|{}",
        env!("CARGO_PKG_VERSION"),
        cef_header_escape(&name),
        a.severity(),
        ext.join(" ")
    )
}

/// The RFC 5424 message of an alert (`timestamp` RFC 3339).
pub fn rfc5424(
    a: &DeliveredAlert,
    facility: u8,
    hostname: &str,
    timestamp: &str,
    procid: u32,
) -> String {
    format!(
        "<{}>1 {timestamp} {hostname} scry {procid} alert - {}",
        u16::from(facility.min(23)) * 8 + u16::from(SEVERITY),
        cef(a)
    )
}

/// Octet-counting framing for TCP.
pub fn frame(msg: &str) -> Vec<u8> {
    let mut v = format!("{} ", msg.len()).into_bytes();
    v.extend_from_slice(msg.as_bytes());
    v
}

/// Sends a batch of messages. A connection or write failure retries the
/// whole batch (the receiver may then see some messages twice: delivery is
/// at least once, and `cs2` carries the delivery id for de-duplication).
pub(crate) fn send(address: &str, transport: Transport, msgs: &[String]) -> Outcome {
    let addrs: Vec<_> = match address.to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => return Outcome::Retry(format!("{address}: {e}"), None),
    };
    let Some(addr) = addrs.first().copied() else {
        return Outcome::Retry(format!("{address}: no address"), None);
    };
    match transport {
        Transport::Udp => {
            let local = if addr.is_ipv4() {
                "0.0.0.0:0"
            } else {
                "[::]:0"
            };
            let r = UdpSocket::bind(local).and_then(|s| {
                s.connect(addr)?;
                for m in msgs {
                    s.send(m.as_bytes())?;
                }
                Ok(())
            });
            match r {
                Ok(()) => Outcome::Delivered(format!("{} datagrams to udp://{addr}", msgs.len())),
                Err(e) => Outcome::Retry(format!("udp://{addr}: {e}"), None),
            }
        }
        Transport::Tcp => {
            let r = TcpStream::connect_timeout(&addr, TIMEOUT).and_then(|mut s| {
                s.set_write_timeout(Some(TIMEOUT))?;
                let mut buf = Vec::new();
                for m in msgs {
                    buf.extend_from_slice(&frame(m));
                }
                s.write_all(&buf)?;
                s.flush()?;
                s.shutdown(std::net::Shutdown::Write)
            });
            match r {
                Ok(()) => Outcome::Delivered(format!("{} messages to tcp://{addr}", msgs.len())),
                Err(e) => Outcome::Retry(format!("tcp://{addr}: {e}"), None),
            }
        }
    }
}
