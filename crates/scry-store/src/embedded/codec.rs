//! Value encodings of the embedded engine (fixed-width, big-endian).

use scry_model::Window;

use crate::error::{Result, StoreError};

fn corrupt(what: &'static str, detail: &str) -> StoreError {
    StoreError::Corruption {
        what,
        detail: detail.to_string(),
    }
}

fn i64_at(b: &[u8], at: usize) -> Option<i64> {
    b.get(at..at + 8)
        .and_then(|s| s.try_into().ok())
        .map(i64::from_be_bytes)
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 8)
        .and_then(|s| s.try_into().ok())
        .map(u64::from_be_bytes)
}

/// A stored fact: window plus source ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FactVal {
    pub(crate) window: Window,
    pub(crate) sources: Vec<u16>,
}

impl FactVal {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(26 + 2 * self.sources.len());
        v.extend_from_slice(&self.window.first_seen.to_be_bytes());
        v.extend_from_slice(&self.window.last_seen.to_be_bytes());
        v.extend_from_slice(&self.window.count.to_be_bytes());
        v.extend_from_slice(&(self.sources.len() as u16).to_be_bytes());
        for s in &self.sources {
            v.extend_from_slice(&s.to_be_bytes());
        }
        v
    }

    /// The encoding of a fact seen by one source, without allocating.
    pub(crate) fn encode_one(window: &Window, source: u16) -> [u8; 28] {
        let mut v = [0u8; 28];
        v[0..8].copy_from_slice(&window.first_seen.to_be_bytes());
        v[8..16].copy_from_slice(&window.last_seen.to_be_bytes());
        v[16..24].copy_from_slice(&window.count.to_be_bytes());
        v[24..26].copy_from_slice(&1u16.to_be_bytes());
        v[26..28].copy_from_slice(&source.to_be_bytes());
        v
    }

    /// The window of an encoded fact.
    pub(crate) fn decode_window(b: &[u8]) -> Result<Window> {
        let bad = || corrupt("facts", "short fact value");
        Ok(Window {
            first_seen: i64_at(b, 0).ok_or_else(bad)?,
            last_seen: i64_at(b, 8).ok_or_else(bad)?,
            count: u64_at(b, 16).ok_or_else(bad)?,
        })
    }

    pub(crate) fn decode(b: &[u8]) -> Result<FactVal> {
        let bad = || corrupt("facts", "short fact value");
        let first_seen = i64_at(b, 0).ok_or_else(bad)?;
        let last_seen = i64_at(b, 8).ok_or_else(bad)?;
        let count = u64_at(b, 16).ok_or_else(bad)?;
        let n = b
            .get(24..26)
            .map(|s| u16::from_be_bytes([s[0], s[1]]))
            .ok_or_else(bad)? as usize;
        let mut sources = Vec::with_capacity(n);
        for i in 0..n {
            let at = 26 + 2 * i;
            let s = b.get(at..at + 2).ok_or_else(bad)?;
            sources.push(u16::from_be_bytes([s[0], s[1]]));
        }
        Ok(FactVal {
            window: Window {
                first_seen,
                last_seen,
                count,
            },
            sources,
        })
    }
}

/// The source ids of an encoded fact, without collecting them.
pub(crate) fn source_ids(b: &[u8]) -> Result<impl Iterator<Item = u16> + '_> {
    let bad = || corrupt("facts", "short fact value");
    let n = b
        .get(24..26)
        .map(|s| u16::from_be_bytes([s[0], s[1]]))
        .ok_or_else(bad)? as usize;
    let ids = b.get(26..26 + 2 * n).ok_or_else(bad)?;
    Ok(ids
        .chunks_exact(2)
        .map(|s| u16::from_be_bytes([s[0], s[1]])))
}

/// A stored holding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HoldVal {
    pub(crate) window: Window,
    pub(crate) current: bool,
}

impl HoldVal {
    pub(crate) fn encode(&self) -> [u8; 25] {
        let mut v = [0u8; 25];
        v[0..8].copy_from_slice(&self.window.first_seen.to_be_bytes());
        v[8..16].copy_from_slice(&self.window.last_seen.to_be_bytes());
        v[16..24].copy_from_slice(&self.window.count.to_be_bytes());
        v[24] = u8::from(self.current);
        v
    }

    /// Only the first-seen time and the current flag (what a value scan
    /// needs).
    pub(crate) fn first_and_current(b: &[u8]) -> Result<(i64, bool)> {
        let bad = || corrupt("holdings", "short holding value");
        Ok((
            i64_at(b, 0).ok_or_else(bad)?,
            *b.get(24).ok_or_else(bad)? != 0,
        ))
    }

    pub(crate) fn decode(b: &[u8]) -> Result<HoldVal> {
        let bad = || corrupt("holdings", "short holding value");
        Ok(HoldVal {
            window: Window {
                first_seen: i64_at(b, 0).ok_or_else(bad)?,
                last_seen: i64_at(b, 8).ok_or_else(bad)?,
                count: u64_at(b, 16).ok_or_else(bad)?,
            },
            current: *b.get(24).ok_or_else(bad)? != 0,
        })
    }
}

/// A stored (current, historic) count.
pub(crate) fn encode_count(current: u64, historic: u64) -> [u8; 16] {
    let mut v = [0u8; 16];
    v[0..8].copy_from_slice(&current.to_be_bytes());
    v[8..16].copy_from_slice(&historic.to_be_bytes());
    v
}

pub(crate) fn decode_count(b: &[u8]) -> Result<(u64, u64)> {
    let bad = || corrupt("counts", "short count value");
    Ok((u64_at(b, 0).ok_or_else(bad)?, u64_at(b, 8).ok_or_else(bad)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_source_encoding_is_the_general_one() {
        let w = Window {
            first_seen: -5,
            last_seen: 1_700_000_000,
            count: 3,
        };
        let v = FactVal::encode_one(&w, 7);
        let f = FactVal {
            window: w,
            sources: vec![7],
        };
        assert_eq!(v.as_slice(), f.encode().as_slice());
        assert_eq!(FactVal::decode_window(&v).unwrap(), w);
        assert!(FactVal::decode_window(&v[..20]).is_err());
    }
}
