//! The SSRF guard: every address Scry connects to because of untrusted
//! data (a referral host, an RDAP URL, the looked-up name's own addresses)
//! is checked here first. Private, loopback, link-local, multicast,
//! unspecified, broadcast, CGNAT (100.64/10), benchmarking (198.18/15),
//! documentation, reserved (240/4), unique-local (fc00::/7) and
//! IPv4-mapped/translated forms of them are refused unless the operator
//! allows private addresses.
//!
//! Endpoints the operator configured explicitly (the root WHOIS server,
//! the bootstrap URL, the resolver) are trusted and not checked.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;

use crate::error::{LookupError, Result};

/// The range an address is in, when it is not a public unicast address.
pub fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    let reason = if ip.is_unspecified() || o[0] == 0 {
        "unspecified"
    } else if ip.is_loopback() {
        "loopback"
    } else if ip.is_private() {
        "private"
    } else if ip.is_link_local() {
        "link-local"
    } else if ip.is_multicast() {
        "multicast"
    } else if ip.is_broadcast() {
        "broadcast"
    } else if o[0] == 100 && (o[1] & 0xc0) == 64 {
        "shared (CGNAT)"
    } else if ip.is_documentation() {
        "documentation"
    } else if o[0] == 198 && (o[1] & 0xfe) == 18 {
        "benchmarking"
    } else if o[0] == 192 && o[1] == 0 && o[2] == 0 {
        "IETF protocol assignment"
    } else if o[0] >= 240 {
        "reserved"
    } else {
        return None;
    };
    Some(reason)
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_reason(v4);
    }
    let s = ip.segments();
    let reason = if ip.is_unspecified() {
        "unspecified"
    } else if ip.is_loopback() {
        "loopback"
    } else if ip.is_multicast() {
        "multicast"
    } else if (s[0] & 0xffc0) == 0xfe80 {
        "link-local"
    } else if (s[0] & 0xffc0) == 0xfec0 {
        "site-local"
    } else if (s[0] & 0xfe00) == 0xfc00 {
        "unique-local"
    } else if s[0] == 0x2001 && s[1] == 0x0db8 {
        "documentation"
    } else if s[0] == 0x0064 && s[1] == 0xff9b {
        // NAT64 (64:ff9b::/96 and the local-use /48): judge the embedded v4.
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return v4_reason(v4);
    } else if s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0 && s[4] == 0 && s[5] == 0 {
        // IPv4-compatible (deprecated) ::a.b.c.d
        "IPv4-compatible"
    } else if s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0 {
        "discard-only"
    } else {
        return None;
    };
    Some(reason)
}

/// The guard: whether private addresses are allowed, and the time bound
/// on resolving a host's addresses.
#[derive(Debug, Clone, Copy)]
pub struct Guard {
    /// Allow non-public addresses (tests, lab networks).
    pub allow_private: bool,
    /// How long resolving a host may take.
    pub resolve_timeout: Duration,
}

impl Guard {
    /// Checks one address of `host`.
    pub fn check(&self, host: &str, addr: IpAddr) -> Result<()> {
        if self.allow_private {
            return Ok(());
        }
        match non_public_reason(addr) {
            Some(reason) => Err(LookupError::Refused {
                host: host.to_string(),
                addr,
                reason,
            }),
            None => Ok(()),
        }
    }

    /// Resolves `host` (a name or an address literal) and checks every
    /// address: one refused address refuses the host, so a name cannot
    /// mix a public and a private address to get through.
    pub fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>> {
        let addrs = resolve_bounded(host, port, self.resolve_timeout)?;
        for a in &addrs {
            self.check(host, a.ip())?;
        }
        Ok(addrs)
    }
}

/// Resolves through the system resolver on a helper thread, giving up
/// after `timeout` (the thread ends when the system call does).
pub(crate) fn resolve_bounded(host: &str, port: u16, timeout: Duration) -> Result<Vec<SocketAddr>> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::channel();
    let name = host.to_string();
    std::thread::spawn(move || {
        let r = (name.as_str(), port)
            .to_socket_addrs()
            .map(|it| it.collect::<Vec<_>>());
        let _ = tx.send(r);
    });
    let err = |message: String| LookupError::Resolve {
        host: host.to_string(),
        message,
    };
    match rx.recv_timeout(timeout) {
        Ok(Ok(v)) if !v.is_empty() => Ok(v),
        Ok(Ok(_)) => Err(err("no addresses".into())),
        Ok(Err(e)) => Err(err(e.to_string())),
        Err(_) => Err(err(format!("timed out after {timeout:?}"))),
    }
}

#[cfg(test)]
mod tests;
