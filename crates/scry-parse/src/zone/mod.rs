//! RFC 1035 master files ("zone files"), as TLD operators publish them.
//!
//! Implements RFC 1035 section 5 (master file format) with the extensions
//! real zone files use: `$TTL` (RFC 2308 section 4), TTL units (`1h30m`, as
//! BIND), TTL and class in either order, unknown types and RDATA in the RFC
//! 3597 `\# length hex` form, DNSSEC types (RFC 4034, 5155).
//!
//! # Design
//!
//! [`ZoneReader`] is sans-IO and streaming: it pulls physical lines from any
//! [`BufRead`] (plain or decompressed by the caller), joins the lines of a
//! parenthesised record into one reusable buffer, splits it into byte-range
//! tokens (no per-token allocation) and yields one [`ZoneRecord`] at a time.
//! Memory is bounded whatever the input: a physical line longer than
//! [`MAX_LINE`] or a logical record longer than [`MAX_RECORD`] is reported
//! as [`ParseErrorKind::TooLarge`] and skipped, and an unclosed parenthesis
//! ends at one of those caps or at the end of the input.
//!
//! Errors name the source, line and column (and the field). A bad record is
//! reported and the reader goes on with the next logical record (the next
//! line outside parentheses); only an IO error from the underlying reader
//! ends the iteration.
//!
//! `$INCLUDE` is refused ([`ParseErrorKind::Refused`]) unless
//! [`ZoneOptions::allow_include`] is set; then [`ZoneReader::next_item`]
//! yields a [`ZoneItem::Include`] and the caller opens the file (with a new
//! reader whose origin and default TTL the item gives).
//!
//! Owner names and names in RDATA are lower-cased, absolute, without the
//! trailing dot (the root is `""`), with special and non-printable bytes in
//! `\X` / `\DDD` form. No IDNA processing is done here: the caller
//! normalises what it stores.
//!
//! [`Delegations`] groups a record stream into per-child delegations (name
//! servers, glue, DS) for the ingest layer.

mod delegations;
mod lexer;
mod rdata;
mod text;

#[cfg(test)]
mod tests;

use std::io::BufRead;
use std::sync::Arc;

pub use delegations::{Delegation, DelegationGrouper, Delegations, MAX_GROUP};
pub use rdata::{Rdata, Soa, class, rtype, type_name};

use crate::error::{ParseError, ParseErrorKind};
use lexer::{Block, LineRead, Tok, tokenize_line};
use rdata::{RdataCx, lookup_type, quick_type};
use text::{Origin, parse_name, parse_ttl};

/// Longest physical line accepted, in bytes.
pub const MAX_LINE: usize = 64 * 1024;
/// Longest logical record (all lines of a parenthesised record), in bytes.
pub const MAX_RECORD: usize = 64 * 1024;

/// How to read a zone file.
#[derive(Debug, Clone, Default)]
pub struct ZoneOptions {
    /// The initial origin (e.g. `"com."` or `"com"`; `"."` for the root);
    /// relative names need an origin or a `$ORIGIN`.
    pub origin: Option<String>,
    /// The source's name for errors (usually the file path).
    pub source_name: String,
    /// Yield `$INCLUDE` as [`ZoneItem::Include`] instead of refusing it.
    pub allow_include: bool,
    /// TTL for records without one before any `$TTL` (and before any record
    /// with an explicit TTL).
    pub default_ttl: Option<u32>,
}

/// One resource record of a zone file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ZoneRecord {
    /// Owner name: lower case, absolute, no trailing dot (`""` is the root).
    /// Shared by consecutive records of one owner (one allocation per
    /// owner, not per record).
    pub owner: Arc<str>,
    /// TTL in seconds.
    pub ttl: u32,
    /// Class number ([`class::IN`] ...).
    pub class: u16,
    /// Type number ([`rtype::NS`] ...).
    pub rtype: u16,
    /// The RDATA.
    pub rdata: Rdata,
    /// 1-based line where the record starts.
    pub line: u64,
}

/// What [`ZoneReader::next_item`] yields.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZoneItem {
    /// A record.
    Record(ZoneRecord),
    /// An allowed `$INCLUDE`: the caller reads `path` with a new
    /// [`ZoneReader`] whose options use `origin` and `default_ttl`, then
    /// continues with this reader (whose origin is unchanged, RFC 1035).
    Include {
        /// The file name as written (not resolved against anything).
        path: String,
        /// Origin for the included file (absolute, canonical).
        origin: String,
        /// The default TTL in force (from `$TTL` or the last record).
        default_ttl: Option<u32>,
        /// Line of the directive.
        line: u64,
    },
}

/// Streaming master-file reader; see the [module docs](self).
#[derive(Debug)]
pub struct ZoneReader<R: BufRead> {
    src: R,
    opts: ZoneOptions,
    origin: Option<Origin>,
    /// `$TTL` value (or the configured default).
    dollar_ttl: Option<u32>,
    /// TTL of the previous record (used when no `$TTL` was seen).
    last_ttl: Option<u32>,
    last_owner: Option<Arc<str>>,
    /// The owner token `last_owner` was parsed from (empty: none).
    last_owner_raw: Vec<u8>,
    last_class: u16,
    /// The input block; the current logical record is `blk[keep..rec_end]`.
    blk: Block,
    keep: usize,
    rec_end: usize,
    /// Scratch buffer for a new owner name.
    name_buf: String,
    toks: Vec<Tok>,
    /// The current record's first line starts with a blank (no owner).
    start_ws: bool,
    line: u64,
    done: bool,
    /// Use the fast paths (owner reuse, names copied as validated text,
    /// common types first); off only in tests comparing them with the general path.
    fast: bool,
    /// An error found at initialisation (bad configured origin).
    pending: Option<ParseError>,
}

impl<R: BufRead> ZoneReader<R> {
    /// A reader over `src` with `opts`.
    pub fn new(src: R, opts: ZoneOptions) -> ZoneReader<R> {
        let mut pending = None;
        let origin = match &opts.origin {
            None => None,
            Some(o) => {
                let mut s = String::new();
                let raw = o.as_bytes();
                // The configured origin is absolute whether or not it ends in a dot.
                let res = if raw.ends_with(b".") || raw.is_empty() {
                    parse_name(raw, None, None, &mut s)
                } else {
                    parse_name(raw, None, Some(&Origin::root()), &mut s)
                };
                match res {
                    Ok(wire_len) => Some(Origin { text: s, wire_len }),
                    Err(m) => {
                        pending = Some(
                            ParseError::new(
                                ParseErrorKind::Value,
                                format!("bad origin option {o:?}: {m}"),
                            )
                            .with_source(opts.source_name.clone())
                            .in_field("origin"),
                        );
                        None
                    }
                }
            }
        };
        ZoneReader {
            src,
            dollar_ttl: opts.default_ttl,
            opts,
            origin,
            last_ttl: None,
            last_owner: None,
            last_owner_raw: Vec::new(),
            last_class: class::IN,
            blk: Block::new(),
            keep: 0,
            rec_end: 0,
            name_buf: String::new(),
            toks: Vec::with_capacity(64),
            start_ws: false,
            line: 0,
            done: false,
            fast: true,
            pending,
        }
    }

    /// Lines read so far.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Input bytes consumed so far (for progress reporting).
    pub fn bytes_read(&self) -> u64 {
        self.blk.consumed()
    }

    /// The current origin (canonical, no trailing dot), if any.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_ref().map(|o| o.text.as_str())
    }

    fn error(
        &self,
        kind: ParseErrorKind,
        line: u64,
        col: u32,
        msg: impl Into<String>,
    ) -> ParseError {
        ParseError::new(kind, msg)
            .with_source(self.opts.source_name.clone())
            .at_line(line)
            .at_column(u64::from(col))
    }

    /// The next record or `$INCLUDE`, or an error for a bad record (the
    /// reader then continues with the next one), or `None` at the end.
    pub fn next_item(&mut self) -> Option<Result<ZoneItem, ParseError>> {
        if let Some(e) = self.pending.take() {
            return Some(Err(e));
        }
        if self.done {
            return None;
        }
        loop {
            match self.read_logical() {
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Ok(true) => {}
                Err(e) => return Some(Err(e)),
            }
            if self.toks.is_empty() {
                continue;
            }
            match self.record() {
                Ok(Some(item)) => return Some(Ok(item)),
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// Reads the next logical record into `toks` (ranges into the block,
    /// which keeps the record's bytes from `keep`). `Ok(false)` at the end
    /// of the input. `toks` may be empty (a line with only `()`).
    fn read_logical(&mut self) -> Result<bool, ParseError> {
        self.toks.clear();
        let mut depth = 0u32;
        let mut started = false;
        let mut open_line = 0u64;
        let mut fail: Option<ParseError> = None;
        self.keep = self.blk.pos();
        loop {
            let read = self
                .blk
                .next_line(&mut self.src, &mut self.keep, &mut self.toks);
            let read = match read {
                Ok(r) => r,
                Err(e) => {
                    self.done = true;
                    return Err(ParseError::new(
                        ParseErrorKind::Truncated,
                        format!("read error: {e}"),
                    )
                    .with_source(self.opts.source_name.clone())
                    .at_line(self.line + 1)
                    .at_column(1));
                }
            };
            let (from, to) = match read {
                LineRead::Eof => {
                    if depth > 0 {
                        let e = self.error(
                            ParseErrorKind::Truncated,
                            open_line,
                            1,
                            "end of input inside parentheses opened here",
                        );
                        self.done = true;
                        return Err(fail.unwrap_or(e));
                    }
                    if let Some(e) = fail {
                        return Err(e);
                    }
                    return Ok(started);
                }
                LineRead::TooLong => {
                    self.line += 1;
                    let e = fail.take().unwrap_or_else(|| {
                        self.error(
                            ParseErrorKind::TooLarge,
                            self.line,
                            1,
                            format!("line longer than {MAX_LINE} bytes"),
                        )
                    });
                    if depth == 0 {
                        return Err(e);
                    }
                    fail = Some(e);
                    self.keep = self.blk.pos();
                    continue;
                }
                LineRead::Line { start, end } => {
                    self.line += 1;
                    (start, end)
                }
            };
            if fail.is_none() && to - self.keep > MAX_RECORD {
                fail = Some(self.error(
                    ParseErrorKind::TooLarge,
                    self.line,
                    1,
                    format!("record longer than {MAX_RECORD} bytes (unclosed parenthesis?)"),
                ));
            }
            let keep = fail.is_none();
            let before = depth;
            let n_before = self.toks.len();
            let line = &self.blk.data[..];
            match tokenize_line(line, from, to, self.line, &mut depth, &mut self.toks, keep) {
                Ok(info) => {
                    if !started && (self.toks.len() > n_before || info.paren) {
                        started = true;
                        self.start_ws = from < to && matches!(line.get(from), Some(b' ' | b'\t'));
                    }
                    if before == 0 && depth > 0 {
                        open_line = self.line;
                    }
                }
                Err((col, msg)) => {
                    if fail.is_none() {
                        fail = Some(self.error(ParseErrorKind::Syntax, self.line, col, msg));
                    }
                    // An unterminated quote or a trailing backslash ends the
                    // line; the depth counts the parentheses before it.
                    if !started {
                        started = true;
                        self.start_ws = from < to && matches!(line.get(from), Some(b' ' | b'\t'));
                    }
                }
            }
            if !keep {
                // A failed record's bytes are not needed any more.
                self.keep = self.blk.pos();
            }
            if depth == 0 && started {
                self.rec_end = to;
                return match fail {
                    Some(e) => Err(e),
                    None => Ok(true),
                };
            }
            if !started {
                // A blank or comment-only line: drop it.
                self.keep = self.blk.pos();
            }
        }
    }

    fn raw(&self, i: usize) -> &[u8] {
        let t = &self.toks[i];
        &self.blk.data[t.start as usize..t.end as usize]
    }

    fn tok_error(
        &self,
        kind: ParseErrorKind,
        i: usize,
        msg: impl Into<String>,
        field: &str,
    ) -> ParseError {
        let (line, col) = match self.toks.get(i).or(self.toks.last()) {
            Some(t) => {
                let past = if i >= self.toks.len() {
                    t.end - t.start
                } else {
                    0
                };
                (t.line, t.col + past)
            }
            None => (self.line, 1),
        };
        self.error(kind, line, col, msg).in_field(field)
    }

    /// Interprets the tokens of one logical record.
    fn record(&mut self) -> Result<Option<ZoneItem>, ParseError> {
        let first = self.toks[0];
        let line = first.line;
        let owner_given = !self.start_ws;
        if owner_given && !first.quoted && self.raw(0).first() == Some(&b'$') {
            return self.directive();
        }
        let mut i = 0usize;
        let owner = if owner_given {
            if first.quoted {
                return Err(self.tok_error(
                    ParseErrorKind::Syntax,
                    0,
                    "owner name cannot be quoted",
                    "owner",
                ));
            }
            i = 1;
            // Consecutive records of one owner (the common case) reuse it.
            match &self.last_owner {
                Some(o) if self.fast && self.last_owner_raw == self.raw(0) => o.clone(),
                _ => {
                    let mut s = std::mem::take(&mut self.name_buf);
                    let text = if self.fast {
                        self.blk
                            .lower_text(first.start as usize, first.end as usize)
                    } else {
                        None
                    };
                    let res = parse_name(self.raw(0), text, self.origin.as_ref(), &mut s);
                    if let Err(m) = res {
                        self.name_buf = s;
                        return Err(self.tok_error(ParseErrorKind::Value, 0, m, "owner"));
                    }
                    let (a, b) = (first.start as usize, first.end as usize);
                    self.last_owner_raw.clear();
                    self.last_owner_raw.extend_from_slice(&self.blk.data[a..b]);
                    // Owner inheritance follows the last owner written, even
                    // when the record itself turns out bad.
                    let owner: Arc<str> = Arc::from(s.as_str());
                    self.name_buf = s;
                    self.last_owner = Some(Arc::clone(&owner));
                    owner
                }
            }
        } else {
            match &self.last_owner {
                Some(o) => o.clone(),
                None => {
                    return Err(self.tok_error(
                        ParseErrorKind::Syntax,
                        0,
                        "record without an owner name and no previous owner",
                        "owner",
                    ));
                }
            }
        };
        let mut ttl: Option<u32> = None;
        let mut cls: Option<u16> = None;
        let rtype = loop {
            let Some(t) = self.toks.get(i) else {
                return Err(self.tok_error(
                    ParseErrorKind::Syntax,
                    i,
                    "missing record type",
                    "type",
                ));
            };
            if t.quoted {
                return Err(self.tok_error(
                    ParseErrorKind::Syntax,
                    i,
                    "expected ttl, class or type",
                    "type",
                ));
            }
            let raw = self.raw(i);
            // The types that fill TLD zones, as they are written there.
            if self.fast
                && let Some(t) = quick_type(raw)
            {
                break t;
            }
            if raw[0].is_ascii_digit() {
                if ttl.is_some() {
                    return Err(self.tok_error(
                        ParseErrorKind::Syntax,
                        i,
                        "ttl given twice",
                        "ttl",
                    ));
                }
                ttl = Some(
                    parse_ttl(raw)
                        .map_err(|m| self.tok_error(ParseErrorKind::Value, i, m, "ttl"))?,
                );
            } else if let Some(c) = parse_class(raw) {
                if cls.is_some() {
                    return Err(self.tok_error(
                        ParseErrorKind::Syntax,
                        i,
                        "class given twice",
                        "class",
                    ));
                }
                cls = Some(c);
            } else {
                match lookup_type(raw) {
                    Some(t) => break t,
                    None => {
                        let shown = String::from_utf8_lossy(&raw[..raw.len().min(40)]).into_owned();
                        return Err(self.tok_error(
                            ParseErrorKind::Value,
                            i,
                            format!("unknown record type {shown:?}"),
                            "type",
                        ));
                    }
                }
            }
            i += 1;
        };
        let type_idx = i;
        let cx = RdataCx {
            buf: &self.blk.data,
            toks: &self.toks[type_idx + 1..],
            origin: self.origin.as_ref(),
            block: self.fast.then_some(&self.blk),
        };
        let rdata = cx.parse(rtype).map_err(|(k, m)| {
            let kind = if k >= self.toks.len() - type_idx - 1 {
                ParseErrorKind::Syntax
            } else {
                ParseErrorKind::Value
            };
            self.tok_error(kind, type_idx + 1 + k, m, "rdata")
        })?;
        let class = cls.unwrap_or(self.last_class);
        let ttl = match ttl {
            Some(t) => {
                self.last_ttl = Some(t);
                t
            }
            None => match (self.dollar_ttl, self.last_ttl, &rdata) {
                (Some(t), _, _) | (None, Some(t), _) => t,
                // RFC 1035 leaves this open; BIND uses the SOA minimum.
                (None, None, Rdata::Soa(soa)) => {
                    self.last_ttl = Some(soa.minimum);
                    soa.minimum
                }
                (None, None, _) => {
                    return Err(self
                        .error(
                            ParseErrorKind::Syntax,
                            line,
                            first.col,
                            "record without a ttl and no $TTL or earlier ttl",
                        )
                        .in_field("ttl"));
                }
            },
        };
        self.last_class = class;
        Ok(Some(ZoneItem::Record(ZoneRecord {
            owner,
            ttl,
            class,
            rtype,
            rdata,
            line,
        })))
    }

    /// `$ORIGIN`, `$TTL`, `$INCLUDE` (RFC 1035 section 5.1, RFC 2308).
    /// `Ok(None)` when the directive only changed the reader's state.
    fn directive(&mut self) -> Result<Option<ZoneItem>, ParseError> {
        let raw = self.raw(0);
        let line = self.toks[0].line;
        let arg_count = self.toks.len() - 1;
        let expect = |this: &Self, min: usize, max: usize, what: &str| -> Result<(), ParseError> {
            if arg_count < min {
                return Err(this.tok_error(
                    ParseErrorKind::Syntax,
                    1,
                    format!("{what} needs an argument"),
                    "directive",
                ));
            }
            if arg_count > max {
                return Err(this.tok_error(
                    ParseErrorKind::Syntax,
                    max + 1,
                    format!("unexpected data after {what}"),
                    "directive",
                ));
            }
            Ok(())
        };
        if raw.eq_ignore_ascii_case(b"$ORIGIN") {
            expect(self, 1, 1, "$ORIGIN")?;
            let mut s = String::new();
            let wire_len = parse_name(self.raw(1), None, self.origin.as_ref(), &mut s)
                .map_err(|m| self.tok_error(ParseErrorKind::Value, 1, m, "$ORIGIN"))?;
            self.origin = Some(Origin { text: s, wire_len });
            // Relative owner text now means another name.
            self.last_owner_raw.clear();
            Ok(None)
        } else if raw.eq_ignore_ascii_case(b"$TTL") {
            expect(self, 1, 1, "$TTL")?;
            let t = parse_ttl(self.raw(1))
                .map_err(|m| self.tok_error(ParseErrorKind::Value, 1, m, "$TTL"))?;
            self.dollar_ttl = Some(t);
            Ok(None)
        } else if raw.eq_ignore_ascii_case(b"$INCLUDE") {
            if !self.opts.allow_include {
                return Err(self.tok_error(
                    ParseErrorKind::Refused,
                    0,
                    "$INCLUDE refused (reading other files is not allowed for this input)",
                    "directive",
                ));
            }
            expect(self, 1, 2, "$INCLUDE")?;
            let mut path = Vec::new();
            text::decode_escapes(self.raw(1), &mut path)
                .map_err(|m| self.tok_error(ParseErrorKind::Value, 1, m, "$INCLUDE"))?;
            let path = String::from_utf8(path).map_err(|_| {
                self.tok_error(
                    ParseErrorKind::Encoding,
                    1,
                    "file name is not utf-8",
                    "$INCLUDE",
                )
            })?;
            let origin = if arg_count == 2 {
                let mut s = String::new();
                parse_name(self.raw(2), None, self.origin.as_ref(), &mut s)
                    .map_err(|m| self.tok_error(ParseErrorKind::Value, 2, m, "$INCLUDE"))?;
                s
            } else {
                match &self.origin {
                    Some(o) => o.text.clone(),
                    None => {
                        return Err(self.tok_error(
                            ParseErrorKind::Syntax,
                            0,
                            "$INCLUDE without an origin and no origin is known",
                            "$INCLUDE",
                        ));
                    }
                }
            };
            Ok(Some(ZoneItem::Include {
                path,
                origin,
                default_ttl: self.dollar_ttl.or(self.last_ttl),
                line,
            }))
        } else if raw.eq_ignore_ascii_case(b"$GENERATE") {
            Err(self.tok_error(
                ParseErrorKind::Unsupported,
                0,
                "$GENERATE is not supported",
                "directive",
            ))
        } else {
            let shown = String::from_utf8_lossy(&raw[..raw.len().min(40)]).into_owned();
            Err(self.tok_error(
                ParseErrorKind::Syntax,
                0,
                format!("unknown directive {shown:?}"),
                "directive",
            ))
        }
    }
}

fn parse_class(raw: &[u8]) -> Option<u16> {
    if raw.eq_ignore_ascii_case(b"IN") {
        Some(class::IN)
    } else if raw.eq_ignore_ascii_case(b"CH") {
        Some(class::CH)
    } else if raw.eq_ignore_ascii_case(b"CS") {
        Some(class::CS)
    } else if raw.eq_ignore_ascii_case(b"HS") {
        Some(class::HS)
    } else if raw.len() > 5 && raw[..5].eq_ignore_ascii_case(b"CLASS") {
        text::parse_u32(&raw[5..], u32::from(u16::MAX))
            .ok()
            .map(|v| v as u16)
    } else {
        None
    }
}

impl<R: BufRead> Iterator for ZoneReader<R> {
    type Item = Result<ZoneRecord, ParseError>;

    /// The next record. An allowed `$INCLUDE` cannot be followed through
    /// this interface: it yields an [`ParseErrorKind::Unsupported`] error
    /// (use [`ZoneReader::next_item`] to follow includes).
    fn next(&mut self) -> Option<Self::Item> {
        Some(match self.next_item()? {
            Ok(ZoneItem::Record(r)) => Ok(r),
            Ok(ZoneItem::Include { path, line, .. }) => Err(ParseError::new(
                ParseErrorKind::Unsupported,
                format!("$INCLUDE {path:?} not followed: read with ZoneReader::next_item to follow includes"),
            )
            .with_source(self.opts.source_name.clone())
            .at_line(line)
            .at_column(1)),
            Err(e) => Err(e),
        })
    }
}
