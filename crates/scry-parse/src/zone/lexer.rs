//! Physical lines and tokens (RFC 1035 section 5.1).
//!
//! Lines are read with a hard cap on their length; a logical record (several
//! physical lines joined by parentheses) is collected in one reusable buffer
//! and split into [`Tok`]s, which are byte ranges into that buffer. Nothing
//! here allocates per token.

use std::io::{self, BufRead};

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

/// What one call of [`read_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LineRead {
    /// End of input, nothing read.
    Eof,
    /// A line (without its `\n`) was appended to the buffer.
    Line,
    /// The line was longer than the cap: it was consumed but not stored.
    TooLong,
}

/// Appends the next physical line of `src` (without `\n` and a trailing
/// `\r`) to `buf`, never storing more than `max` bytes of it; a longer line
/// is read to its end and dropped. `consumed` counts the input bytes.
pub(crate) fn read_line<R: BufRead>(
    src: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
    consumed: &mut u64,
) -> io::Result<LineRead> {
    let start = buf.len();
    let mut any = false;
    let mut too_long = false;
    loop {
        let chunk = match src.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            if !any {
                return Ok(LineRead::Eof);
            }
            break;
        }
        any = true;
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i, i + 1),
            None => (chunk.len(), chunk.len()),
        };
        if !too_long {
            if buf.len() - start + take > max {
                too_long = true;
                buf.truncate(start);
            } else {
                buf.extend_from_slice(&chunk[..take]);
            }
        }
        let newline = done > take;
        src.consume(done);
        *consumed += done as u64;
        if newline {
            break;
        }
    }
    if too_long {
        return Ok(LineRead::TooLong);
    }
    if buf.len() > start && buf[buf.len() - 1] == b'\r' {
        buf.pop();
    }
    Ok(LineRead::Line)
}

/// Bytes that end an unquoted token.
const fn delimiters() -> [bool; 256] {
    let mut t = [false; 256];
    t[b' ' as usize] = true;
    t[b'\t' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'(' as usize] = true;
    t[b')' as usize] = true;
    t[b';' as usize] = true;
    t[b'"' as usize] = true;
    t
}

static DELIM: [bool; 256] = delimiters();

/// A tokenising error: 1-based column on the line and a message.
pub(crate) type LexError = (u32, &'static str);

/// What [`tokenize_line`] saw besides tokens.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct LineInfo {
    /// The line had a `(` or `)`.
    pub(crate) paren: bool,
}

/// Splits `buf[from..]` (one physical line) into tokens appended to `toks`
/// (unless `keep` is false, when only the parenthesis depth is tracked).
/// `depth` is the parenthesis depth before and after the line.
pub(crate) fn tokenize_line(
    buf: &[u8],
    from: usize,
    line: u64,
    depth: &mut u32,
    toks: &mut Vec<Tok>,
    keep: bool,
) -> Result<LineInfo, LexError> {
    let mut info = LineInfo::default();
    let mut i = from;
    let n = buf.len();
    let col = |i: usize| u32::try_from(i - from + 1).unwrap_or(u32::MAX);
    while i < n {
        let b = buf[i];
        match b {
            b' ' | b'\t' | b'\r' => i += 1,
            b';' => break,
            b'(' => {
                info.paren = true;
                *depth = depth.saturating_add(1);
                i += 1;
            }
            b')' => {
                info.paren = true;
                if *depth == 0 {
                    return Err((col(i), "closing parenthesis without an opening one"));
                }
                *depth -= 1;
                i += 1;
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                let mut escaped = false;
                loop {
                    match buf.get(j) {
                        None => return Err((col(i), "unterminated quoted string")),
                        Some(b'"') => break,
                        Some(b'\\') => {
                            escaped = true;
                            if j + 1 >= n {
                                return Err((col(j), "backslash at end of line"));
                            }
                            j += 2;
                        }
                        Some(_) => j += 1,
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
                let start = i;
                let mut escaped = false;
                while i < n {
                    let c = buf[i];
                    if c == b'\\' {
                        escaped = true;
                        if i + 1 >= n {
                            return Err((col(i), "backslash at end of line"));
                        }
                        i += 2;
                    } else if DELIM[c as usize] {
                        break;
                    } else {
                        i += 1;
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
