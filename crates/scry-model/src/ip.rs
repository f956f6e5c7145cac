//! IP addresses and prefixes, canonical text and fixed-width binary keys.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::error::ModelError;

/// An IPv4 or IPv6 address in canonical form.
///
/// Its 16-byte key is the IPv6 form (IPv4 mapped into `::ffff:0:0/96`), so
/// that every CIDR prefix is one contiguous key range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ip(pub IpAddr);

impl Ip {
    /// Parses dotted-quad or RFC 5952 text; IPv4-mapped IPv6 becomes IPv4.
    pub fn parse(s: &str) -> Result<Ip, ModelError> {
        let t = s.trim();
        let t = t
            .strip_prefix('[')
            .and_then(|x| x.strip_suffix(']'))
            .unwrap_or(t);
        let addr = IpAddr::from_str(t).map_err(|_| ModelError::Ip(s.to_string()))?;
        Ok(Ip::from(addr))
    }

    /// The fixed-width 16-byte key.
    pub fn key(&self) -> [u8; 16] {
        match self.0 {
            IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
            IpAddr::V6(v6) => v6.octets(),
        }
    }

    /// Rebuilds an address from its 16-byte key.
    pub fn from_key(k: [u8; 16]) -> Ip {
        Ip::from(IpAddr::V6(Ipv6Addr::from(k)))
    }

    /// Whether this is an IPv4 address.
    pub fn is_v4(&self) -> bool {
        self.0.is_ipv4()
    }
}

impl From<IpAddr> for Ip {
    fn from(a: IpAddr) -> Ip {
        match a {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Ip(IpAddr::V4(v4)),
                None => Ip(IpAddr::V6(v6)),
            },
            v4 => Ip(v4),
        }
    }
}

impl From<Ipv4Addr> for Ip {
    fn from(a: Ipv4Addr) -> Ip {
        Ip(IpAddr::V4(a))
    }
}

impl fmt::Display for Ip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A CIDR prefix such as `192.0.2.0/24` or `2001:db8::/32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    /// The network address (host bits cleared).
    pub addr: Ip,
    /// Prefix length in the address's own family (0..=32 or 0..=128).
    pub len: u8,
}

impl IpNet {
    /// Parses `addr/len`; a bare address is a host prefix. Host bits are
    /// cleared (`192.0.2.7/24` is `192.0.2.0/24`). An IPv6 prefix inside the
    /// IPv4-mapped range (`::ffff:192.0.2.0/120`) is the IPv4 prefix it
    /// covers (`192.0.2.0/24`), as [`Ip`] does for addresses.
    pub fn parse(s: &str) -> Result<IpNet, ModelError> {
        let err = || ModelError::IpNet(s.to_string());
        let t = s.trim();
        let (a, l) = match t.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (t, None),
        };
        let a = a
            .strip_prefix('[')
            .and_then(|x| x.strip_suffix(']'))
            .unwrap_or(a);
        let raw = IpAddr::from_str(a).map_err(|_| err())?;
        let max = if raw.is_ipv4() { 32 } else { 128 };
        let len = match l {
            // Decimal digits only: no sign, no space, at most three.
            Some(l) if (1..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_digit()) => {
                l.parse::<u8>().map_err(|_| err())?
            }
            Some(_) => return Err(err()),
            None => max,
        };
        if len > max {
            return Err(err());
        }
        let net = match raw {
            IpAddr::V6(v6) if len >= 96 && v6.to_ipv4_mapped().is_some() => IpNet {
                addr: Ip::from(raw),
                len: len - 96,
            },
            // Not `Ip::from`: a short IPv6 prefix of a mapped address stays IPv6.
            IpAddr::V6(_) => IpNet { addr: Ip(raw), len },
            IpAddr::V4(_) => IpNet { addr: Ip(raw), len },
        };
        let (lo, _) = net.key_range();
        Ok(IpNet {
            addr: Ip::from_key(lo),
            len: net.len,
        })
    }

    /// Whether this is an IPv4 prefix.
    pub fn is_v4(&self) -> bool {
        self.addr.is_v4()
    }

    /// The inclusive range of 16-byte keys the prefix covers. An IPv4 prefix
    /// covers its part of `::ffff:0:0/96`; an IPv6 prefix that includes that
    /// range (`::/0`) covers IPv4 addresses too.
    pub fn key_range(&self) -> ([u8; 16], [u8; 16]) {
        let k = u128::from_be_bytes(self.addr.key());
        let bits = if self.addr.is_v4() {
            96 + self.len as u32
        } else {
            self.len as u32
        };
        let mask: u128 = if bits == 0 {
            0
        } else {
            u128::MAX << (128 - bits)
        };
        let lo = k & mask;
        let hi = lo | !mask;
        (lo.to_be_bytes(), hi.to_be_bytes())
    }

    /// The fewest prefixes that exactly cover `start..=end` (both of one
    /// family; empty when `start > end` or the families differ).
    pub fn cover(start: &Ip, end: &Ip) -> Vec<IpNet> {
        if start.is_v4() != end.is_v4() {
            return Vec::new();
        }
        let v4 = start.is_v4();
        let (mut lo, hi) = (
            u128::from_be_bytes(start.key()),
            u128::from_be_bytes(end.key()),
        );
        let max_bits: u32 = if v4 { 32 } else { 128 };
        let mut out = Vec::new();
        while lo <= hi {
            // The largest block aligned at `lo` that stays within `hi`.
            let mut size_bits = if lo == 0 { 128 } else { lo.trailing_zeros() }.min(max_bits);
            while size_bits > 0 {
                let span = if size_bits >= 128 {
                    u128::MAX
                } else {
                    (1u128 << size_bits) - 1
                };
                let last = lo.checked_add(span);
                match last {
                    Some(l) if l <= hi => break,
                    _ => size_bits -= 1,
                }
            }
            out.push(IpNet {
                addr: Ip::from_key(lo.to_be_bytes()),
                len: (max_bits - size_bits) as u8,
            });
            let step = if size_bits >= 128 {
                u128::MAX
            } else {
                1u128 << size_bits
            };
            match lo.checked_add(step) {
                Some(n) if size_bits < 128 => lo = n,
                _ => break,
            }
        }
        out
    }

    /// Whether the prefix contains `ip`.
    pub fn contains(&self, ip: &Ip) -> bool {
        let (lo, hi) = self.key_range();
        let k = ip.key();
        lo <= k && k <= hi
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

#[cfg(test)]
mod tests;
