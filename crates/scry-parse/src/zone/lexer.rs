//! Physical lines and tokens (RFC 1035 section 5.1).
//!
//! The input is read in large blocks into one fixed buffer ([`Block`]);
//! lines are found with `memchr` and have a hard cap on their length; a
//! logical record (several physical lines joined by parentheses) stays in
//! the block and is split into [`Tok`]s, which are byte ranges into it.
//! Nothing here copies a line or allocates per line or token.

use std::io::{self, Read};

use super::{MAX_LINE, MAX_RECORD};

/// One token of a logical record: a byte range into the record buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    /// Start of the token's text (after the opening quote for quoted strings).
    pub(crate) start: u32,
    /// End (exclusive; before the closing quote).
    pub(crate) end: u32,
    /// Physical line of the token (1-based).
    pub(crate) line: u64,
    /// Byte column of the token on that line (1-based).
    pub(crate) col: u32,
    /// It was a `"quoted string"`.
    pub(crate) quoted: bool,
    /// It contains at least one backslash escape.
    pub(crate) escaped: bool,
}

/// What one call of [`Block::next_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LineRead {
    /// End of input, nothing read.
    Eof,
    /// A line: `block[start..end]`, without its `\n` and a trailing `\r`.
    Line {
        /// First byte of the line in the block.
        start: usize,
        /// End of the line (exclusive).
        end: usize,
    },
    /// The line was longer than [`MAX_LINE`]: it was consumed but not stored.
    TooLong,
}

/// Size of the input block: one logical record being collected (at most
/// [`MAX_RECORD`] plus its last line) plus one line plus room to read.
pub(crate) const BLOCK: usize = MAX_RECORD + 2 * MAX_LINE + 128 * 1024;

/// Newlines found per pass of `memchr_iter`.
const NL_BATCH: usize = 256;

/// The input, read in large blocks into one fixed buffer that is never
/// grown: lines and tokens are byte ranges into it, so nothing is copied
/// per line. The bytes of the logical record being collected (from `keep`)
/// stay in the block; when it is refilled they move to its front and the
/// tokens are shifted with them.
pub(crate) struct Block {
    /// The buffer (`BLOCK` bytes); `data[..end]` holds input.
    pub(crate) data: Vec<u8>,
    /// Next unread byte.
    pos: usize,
    /// End of the input held.
    end: usize,
    /// The source returned end of input.
    eof: bool,
    /// Bytes taken from the source.
    pulled: u64,
    /// Positions of newlines found ahead (`nls[nl_next..]` not yet used).
    nls: Vec<u32>,
    nl_next: usize,
    /// Newlines before this position (and after `pos`) are all in `nls`.
    nl_scanned: usize,
    /// The longest UTF-8 prefix of `data[..end]` (zone files nearly always
    /// are ASCII), ASCII-lower-cased, kept in step with `data`: validated
    /// and lower-cased once per block read so that names are copied as
    /// `&str` in their canonical case without validating each again.
    text: String,
}

impl std::fmt::Debug for Block {
    /// The position, not the 320 KiB of data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Block")
            .field("pos", &self.pos)
            .field("end", &self.end)
            .field("eof", &self.eof)
            .field("text_len", &self.text.len())
            .finish_non_exhaustive()
    }
}

impl Block {
    pub(crate) fn new() -> Block {
        Block {
            data: vec![0; BLOCK],
            pos: 0,
            end: 0,
            eof: false,
            pulled: 0,
            nls: Vec::with_capacity(NL_BATCH),
            nl_next: 0,
            nl_scanned: 0,
            text: String::with_capacity(BLOCK),
        }
    }

    /// `data[start..end]` as text with ASCII letters lower-cased, when that
    /// range is in the UTF-8 prefix.
    pub(crate) fn lower_text(&self, start: usize, end: usize) -> Option<&str> {
        self.text.get(start..end)
    }

    /// Drops `text` from `at` (bytes dropped from `data`).
    fn cut_text(&mut self, at: usize) {
        if self.text.len() > at {
            if self.text.is_char_boundary(at) {
                self.text.truncate(at);
            } else {
                self.text.clear();
            }
        }
    }

    /// Extends `text` over the bytes read since it last stopped.
    fn sync_text(&mut self) {
        let from = self.text.len();
        if from >= self.end {
            return;
        }
        match std::str::from_utf8(&self.data[from..self.end]) {
            Ok(t) => self.text.push_str(t),
            Err(e) => {
                let ok = &self.data[from..from + e.valid_up_to()];
                if let Ok(t) = std::str::from_utf8(ok) {
                    self.text.push_str(t);
                }
            }
        }
        self.text[from..].make_ascii_lowercase();
    }

    /// Input bytes consumed (taken from the source and read as lines).
    pub(crate) fn consumed(&self) -> u64 {
        self.pulled - (self.end - self.pos) as u64
    }

    /// Position of the next unread byte.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Reads the next physical line. The bytes from `*keep` (at most the
    /// start of the line) are kept in the block; when the block is compacted
    /// `*keep` and `toks` are shifted. A line longer than [`MAX_LINE`] is
    /// read to its end and dropped.
    #[inline]
    pub(crate) fn next_line<R: Read>(
        &mut self,
        src: &mut R,
        keep: &mut usize,
        toks: &mut [Tok],
    ) -> io::Result<LineRead> {
        if let Some(&nl) = self.nls.get(self.nl_next) {
            self.nl_next += 1;
            let start = self.pos;
            self.pos = nl as usize + 1;
            return Ok(self.finish(start, nl as usize, false));
        }
        self.next_line_slow(src, keep, toks)
    }

    /// [`Block::next_line`] when the found newlines are used up: finds
    /// the next batch, or reads more input.
    #[inline(never)]
    fn next_line_slow<R: Read>(
        &mut self,
        src: &mut R,
        keep: &mut usize,
        toks: &mut [Tok],
    ) -> io::Result<LineRead> {
        let mut start = self.pos;
        let mut too_long = false;
        loop {
            // The next newlines, found in one pass.
            self.nls.clear();
            self.nl_next = 0;
            let from = self.nl_scanned.max(start);
            for i in memchr::memchr_iter(b'\n', &self.data[from..self.end]) {
                self.nls.push((from + i) as u32);
                if self.nls.len() == NL_BATCH {
                    break;
                }
            }
            self.nl_scanned = match self.nls.last() {
                Some(&l) if self.nls.len() == NL_BATCH => l as usize + 1,
                _ => self.end,
            };
            if let Some(&nl) = self.nls.first() {
                self.nl_next = 1;
                self.pos = nl as usize + 1;
                return Ok(self.finish(start, nl as usize, too_long));
            }
            if self.eof {
                if start == self.end && !too_long {
                    return Ok(LineRead::Eof);
                }
                self.pos = self.end;
                return Ok(self.finish(start, self.end, too_long));
            }
            if too_long || self.end - start > MAX_LINE {
                // Drop what was read of an overlong line.
                too_long = true;
                self.end = start;
                self.cut_text(start);
            }
            let lo = (*keep).min(start);
            if lo > 0 {
                self.data.copy_within(lo..self.end, 0);
                if self.text.is_char_boundary(lo) {
                    self.text.drain(..lo);
                } else {
                    self.text.clear();
                }
                self.end -= lo;
                start -= lo;
                *keep -= lo.min(*keep);
                let shift = lo as u32;
                for t in toks.iter_mut() {
                    t.start = t.start.saturating_sub(shift);
                    t.end = t.end.saturating_sub(shift);
                }
            }
            self.pos = start;
            if self.end == self.data.len() {
                // Cannot happen within the record and line caps; drop the
                // line rather than grow.
                too_long = true;
                self.end = start;
                self.cut_text(start);
            }
            // No newline in what is held.
            self.nl_scanned = self.end;
            let n = loop {
                match src.read(&mut self.data[self.end..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if n == 0 {
                self.eof = true;
            }
            self.end += n;
            self.pulled += n as u64;
            self.sync_text();
        }
    }

    fn finish(&self, start: usize, end: usize, too_long: bool) -> LineRead {
        if too_long || end - start > MAX_LINE {
            return LineRead::TooLong;
        }
        let end = if end > start && self.data[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        LineRead::Line { start, end }
    }
}

/// Byte classes for the tokenizer.
const ORD: u8 = 0;
const WS: u8 = 1;
const SEMI: u8 = 2;
const OPEN: u8 = 3;
const CLOSE: u8 = 4;
const QUOTE: u8 = 5;
const BSL: u8 = 6;

const fn classes() -> [u8; 256] {
    let mut t = [ORD; 256];
    t[b' ' as usize] = WS;
    t[b'\t' as usize] = WS;
    t[b'\r' as usize] = WS;
    t[b'\n' as usize] = WS;
    t[b'(' as usize] = OPEN;
    t[b')' as usize] = CLOSE;
    t[b';' as usize] = SEMI;
    t[b'"' as usize] = QUOTE;
    t[b'\\' as usize] = BSL;
    t
}

static CLASS: [u8; 256] = classes();

/// A tokenising error: 1-based column on the line and a message.
pub(crate) type LexError = (u32, &'static str);

/// What [`tokenize_line`] saw besides tokens.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct LineInfo {
    /// The line had a `(` or `)`.
    pub(crate) paren: bool,
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte of `x` that is zero, and maybe in bytes after
/// the first one (borrows); the first flagged byte is exact.
#[inline]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(LO) & !x & HI
}

/// Flags (as [`zero_bytes`]) the bytes of `x` that may end an unquoted
/// token: everything below `#` (blanks, line ends, `"`, but also `!` and
/// control bytes, which the caller checks with the table), `(`, `)`, `;`
/// and the backslash.
#[inline]
fn maybe_special(x: u64) -> u64 {
    (x.wrapping_sub(LO * 0x23) & !x & HI)
        | zero_bytes((x | LO) ^ (LO * 0x29))
        | zero_bytes(x ^ (LO * u64::from(b';')))
        | zero_bytes(x ^ (LO * u64::from(b'\\')))
}

/// The end of the run of ordinary bytes (class `ORD`) from `i`, at most
/// `n`. Eight bytes at a time where `buf` has them (bytes past `n` are
/// masked), so that a token ends without a branch per byte.
#[inline]
fn ordinary_run(buf: &[u8], mut i: usize, n: usize) -> usize {
    while i < n {
        let Some(w) = buf.get(i..i + 8) else {
            while i < n && CLASS[buf[i] as usize] == ORD {
                i += 1;
            }
            return i;
        };
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        let mut m = maybe_special(u64::from_le_bytes(a));
        let left = n - i;
        if left < 8 {
            m |= HI & (u64::MAX << (left * 8));
        }
        if m == 0 {
            i += 8;
            continue;
        }
        let k = i + (m.trailing_zeros() / 8) as usize;
        if k >= n {
            return n;
        }
        if CLASS[buf[k] as usize] != ORD {
            return k;
        }
        // `!` or a control byte: ordinary after all.
        i = k + 1;
    }
    i
}

/// Splits `buf[from..to]` (one physical line; `buf` may go on past it)
/// into tokens appended to `toks`
/// (unless `keep` is false, when only the parenthesis depth is tracked).
/// `depth` is the parenthesis depth before and after the line.
pub(crate) fn tokenize_line(
    buf: &[u8],
    from: usize,
    to: usize,
    line: u64,
    depth: &mut u32,
    toks: &mut Vec<Tok>,
    keep: bool,
) -> Result<LineInfo, LexError> {
    let mut info = LineInfo::default();
    let mut i = from;
    let n = to.min(buf.len());
    let col = |i: usize| u32::try_from(i - from + 1).unwrap_or(u32::MAX);
    while i < n {
        match CLASS[buf[i] as usize] {
            WS => i += 1,
            SEMI => break,
            OPEN => {
                info.paren = true;
                *depth = depth.saturating_add(1);
                i += 1;
            }
            CLOSE => {
                info.paren = true;
                if *depth == 0 {
                    return Err((col(i), "closing parenthesis without an opening one"));
                }
                *depth -= 1;
                i += 1;
            }
            QUOTE => {
                let start = i + 1;
                let mut j = start;
                let mut escaped = false;
                loop {
                    if j >= n {
                        return Err((col(i), "unterminated quoted string"));
                    }
                    match buf[j] {
                        b'"' => break,
                        b'\\' => {
                            escaped = true;
                            if j + 1 >= n {
                                return Err((col(j), "backslash at end of line"));
                            }
                            j += 2;
                        }
                        _ => j += 1,
                    }
                }
                if keep {
                    toks.push(Tok {
                        start: start as u32,
                        end: j as u32,
                        line,
                        col: col(i),
                        quoted: true,
                        escaped,
                    });
                }
                i = j + 1;
            }
            _ => {
                // An unquoted token: runs of ordinary bytes, and escapes.
                let start = i;
                let mut escaped = false;
                loop {
                    i = ordinary_run(buf, i, n);
                    if i < n && buf[i] == b'\\' {
                        escaped = true;
                        if i + 1 >= n {
                            return Err((col(i), "backslash at end of line"));
                        }
                        i += 2;
                    } else {
                        break;
                    }
                }
                if keep {
                    toks.push(Tok {
                        start: start as u32,
                        end: i as u32,
                        line,
                        col: col(start),
                        quoted: false,
                        escaped,
                    });
                }
            }
        }
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The byte-at-a-time definition of [`ordinary_run`].
    fn ordinary_run_bytewise(buf: &[u8], mut i: usize, n: usize) -> usize {
        while i < n && CLASS[buf[i] as usize] == ORD {
            i += 1;
        }
        i
    }

    proptest! {
        #[test]
        fn ordinary_run_is_the_bytewise_scan(
            buf in proptest::collection::vec(
                prop_oneof![
                    6 => b'0'..=b'z',
                    1 => Just(b' '),
                    1 => prop_oneof![Just(b'!'), Just(b'\x01'), Just(b'\t'), Just(b'(' ), Just(b')'), Just(b';'), Just(b'"'), Just(b'\\'), Just(b'\r'), Just(b'\n'), Just(b'#'), Just(0x80u8), Just(0xffu8)],
                ],
                0..80,
            ),
            a in 0usize..80,
            b in 0usize..80,
        ) {
            let n = b.min(buf.len());
            let i = a.min(n);
            prop_assert_eq!(ordinary_run(&buf, i, n), ordinary_run_bytewise(&buf, i, n));
        }
    }

    #[test]
    fn every_byte_value_ends_a_run_exactly_when_its_class_says() {
        for b in 0..=255u8 {
            for pos in 0..12 {
                let mut buf = vec![b'a'; 20];
                buf[pos] = b;
                let want = if CLASS[b as usize] == ORD { 20 } else { pos };
                assert_eq!(ordinary_run(&buf, 0, 20), want, "byte {b:#x} at {pos}");
                assert_eq!(
                    ordinary_run(&buf, 0, 16),
                    want.min(16),
                    "byte {b:#x} at {pos}"
                );
            }
        }
    }
}
