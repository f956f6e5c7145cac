//! ClickHouse's `RowBinary` format (little-endian fixed-width numbers,
//! strings as LEB128 length + bytes) and SQL string literals.

use crate::error::{Result, StoreError};

/// Appends values in `RowBinary`.
#[derive(Debug, Default)]
pub(crate) struct Enc(pub(crate) Vec<u8>);

impl Enc {
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        let mut n = b.len() as u64;
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                self.0.push(byte);
                break;
            }
            self.0.push(byte | 0x80);
        }
        self.0.extend_from_slice(b);
    }
    pub(crate) fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    pub(crate) fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
}

/// Reads `RowBinary` values from a response body.
#[derive(Debug)]
pub(crate) struct Dec<'a> {
    buf: &'a [u8],
}

fn short() -> StoreError {
    StoreError::Corruption {
        what: "clickhouse response",
        detail: "truncated RowBinary".into(),
    }
}

impl<'a> Dec<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Dec<'a> {
        Dec { buf }
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.buf.len() < n {
            return Err(short());
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Ok(a)
    }
    fn fixed<const N: usize>(&mut self) -> Result<[u8; N]> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for i in 0..10 {
            let b = self.take(1)?[0];
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(StoreError::Corruption {
            what: "clickhouse response",
            detail: "varint longer than 10 bytes".into(),
        })
    }
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.varint()?;
        let n = usize::try_from(n).map_err(|_| short())?;
        self.take(n)
    }
    pub(crate) fn string(&mut self) -> Result<String> {
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).map_err(|e| StoreError::Corruption {
            what: "clickhouse response",
            detail: format!("string is not utf-8: {e}"),
        })
    }
    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub(crate) fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.fixed()?))
    }
    pub(crate) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.fixed()?))
    }
    pub(crate) fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.fixed()?))
    }
    pub(crate) fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.fixed()?))
    }
    /// `Array(String)`.
    pub(crate) fn strings(&mut self) -> Result<Vec<String>> {
        let n = self.varint()?;
        // Each element takes at least one byte: bound the allocation.
        if n > self.buf.len() as u64 {
            return Err(short());
        }
        (0..n).map(|_| self.string()).collect()
    }
}

/// A SQL string literal for arbitrary bytes: printable ASCII as is,
/// everything else as `\xHH` (ClickHouse has no server-side parameters in
/// 18.16, so every value is escaped here).
pub(crate) fn lit(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() + 2);
    s.push('\'');
    for &c in b {
        match c {
            b'\'' => s.push_str("\\'"),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(c as char),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                s.push_str("\\x");
                s.push(HEX[(c >> 4) as usize] as char);
                s.push(HEX[(c & 15) as usize] as char);
            }
        }
    }
    s.push('\'');
    s
}
