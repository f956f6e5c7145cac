//! The streaming reader over every passive DNS format.

use std::collections::VecDeque;
use std::io::{self, BufRead};

use crate::error::{ParseError, ParseErrorKind};

use super::cof::{self, SafLine, SafState};
use super::zeek::ZeekTsvParser;
use super::{PdnsFormat, PdnsRecord, dnstap, passivedns, pcap, zeek};

/// Longest line accepted by default, in bytes.
pub const DEFAULT_MAX_LINE: usize = 1 << 20;

/// Reads lines of at most `max` bytes from a `BufRead`, counting them; a
/// longer line is skipped (without buffering it) and reported.
pub(crate) struct LineSource<R> {
    inner: R,
    buf: Vec<u8>,
    line: u64,
    max: usize,
}

pub(crate) enum Line<'a> {
    Text(u64, &'a [u8]),
    TooLong(u64),
}

impl<R: BufRead> LineSource<R> {
    pub(crate) fn new(inner: R, max: usize) -> LineSource<R> {
        LineSource {
            inner,
            buf: Vec::new(),
            line: 0,
            max,
        }
    }

    /// The next line without its end (`\n` or `\r\n`), `None` at the end.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        self.buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let avail = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                if !any {
                    return Ok(None);
                }
                break;
            }
            any = true;
            let (take, done) = match memchr::memchr(b'\n', avail) {
                Some(i) => (i, true),
                None => (avail.len(), false),
            };
            if !too_long {
                if self.buf.len() + take > self.max {
                    too_long = true;
                    self.buf = Vec::new();
                } else {
                    self.buf.extend_from_slice(&avail[..take]);
                }
            }
            self.inner.consume(if done { take + 1 } else { take });
            if done {
                break;
            }
        }
        self.line += 1;
        if too_long {
            return Ok(Some(Line::TooLong(self.line)));
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Ok(Some(Line::Text(self.line, &self.buf)))
    }
}

enum LineParser {
    Cof,
    Dnsdb(SafState),
    ZeekTsv(ZeekTsvParser),
    ZeekJson,
    PassiveDns,
}

impl LineParser {
    fn parse(&mut self, line: &[u8], out: &mut VecDeque<PdnsRecord>) -> Result<(), ParseError> {
        match self {
            LineParser::Cof => {
                if line.trim_ascii().is_empty() {
                    return Ok(());
                }
                cof::parse_cof_line_into(line, &mut |r| out.push_back(r))
            }
            LineParser::Dnsdb(state) => {
                if line.trim_ascii().is_empty() {
                    return Ok(());
                }
                match state.accept(cof::parse_saf_line(line)?)? {
                    SafLine::Records(rs) => out.extend(rs),
                    SafLine::Begin | SafLine::End { .. } => {}
                }
                Ok(())
            }
            LineParser::ZeekTsv(p) => {
                out.extend(p.parse_line(line)?);
                Ok(())
            }
            LineParser::ZeekJson => {
                if line.trim_ascii().is_empty() {
                    return Ok(());
                }
                out.extend(zeek::parse_zeek_json_line(line)?);
                Ok(())
            }
            LineParser::PassiveDns => {
                if let Some(r) = passivedns::parse_passivedns_line(line)? {
                    out.push_back(r);
                }
                Ok(())
            }
        }
    }

    fn finish(&mut self) -> Result<(), ParseError> {
        match self {
            LineParser::Dnsdb(state) => state.finish(),
            _ => Ok(()),
        }
    }
}

/// Line-format records: one parser over a [`LineSource`].
struct LineRecords<R> {
    src: LineSource<R>,
    parser: LineParser,
    pending: VecDeque<PdnsRecord>,
    done: bool,
}

impl<R: BufRead> LineRecords<R> {
    fn next_item(&mut self) -> Option<Result<PdnsRecord, ParseError>> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Some(Ok(r));
            }
            if self.done {
                return None;
            }
            let line = match self.src.next_line() {
                Ok(Some(l)) => l,
                Ok(None) => {
                    self.done = true;
                    let line = self.src.line;
                    return match self.parser.finish() {
                        Ok(()) => None,
                        Err(e) => Some(Err(e.at_line(line))),
                    };
                }
                Err(e) => {
                    self.done = true;
                    let line = self.src.line + 1;
                    return Some(Err(ParseError::new(
                        ParseErrorKind::Truncated,
                        format!("read failed: {e}"),
                    )
                    .at_line(line)));
                }
            };
            match line {
                Line::TooLong(n) => {
                    return Some(Err(ParseError::new(
                        ParseErrorKind::TooLarge,
                        format!("line longer than {} bytes", self.src.max),
                    )
                    .at_line(n)));
                }
                Line::Text(n, text) => {
                    if let Err(e) = self.parser.parse(text, &mut self.pending) {
                        self.pending.clear();
                        return Some(Err(e.at_line(n)));
                    }
                }
            }
        }
    }
}

enum Inner<R: BufRead> {
    Lines(LineRecords<R>),
    Dnstap(dnstap::DnstapRecords<R>),
    Pcap(pcap::PcapRecords<R>),
}

/// Streams [`PdnsRecord`]s from any passive DNS format.
///
/// Bad lines (or frames, or packets) come out as `Err` items naming their
/// line (or frame/packet number in [`ParseError::line`]) and the stream
/// continues; input that cannot continue (a broken container) ends it after
/// one error. Memory is bounded by the line cap and the container limits.
pub struct PdnsReader<R: BufRead> {
    inner: Inner<R>,
    source: Option<String>,
}

impl<R: BufRead> PdnsReader<R> {
    /// A reader of `format` over `reader`.
    pub fn new(format: PdnsFormat, reader: R) -> PdnsReader<R> {
        fn lines<R>(reader: R, parser: LineParser) -> Inner<R>
        where
            R: BufRead,
        {
            Inner::Lines(LineRecords {
                src: LineSource::new(reader, DEFAULT_MAX_LINE),
                parser,
                pending: VecDeque::new(),
                done: false,
            })
        }
        let inner = match format {
            PdnsFormat::Cof => lines(reader, LineParser::Cof),
            PdnsFormat::Dnsdb => lines(reader, LineParser::Dnsdb(SafState::default())),
            PdnsFormat::ZeekTsv => lines(reader, LineParser::ZeekTsv(ZeekTsvParser::new())),
            PdnsFormat::ZeekJson => lines(reader, LineParser::ZeekJson),
            PdnsFormat::PassiveDns => lines(reader, LineParser::PassiveDns),
            PdnsFormat::Dnstap => Inner::Dnstap(dnstap::DnstapRecords::new(reader)),
            PdnsFormat::Pcap => Inner::Pcap(pcap::PcapRecords::new(reader)),
        };
        PdnsReader {
            inner,
            source: None,
        }
    }

    /// Names the source (a file path) in every error.
    pub fn with_source(mut self, name: impl Into<String>) -> PdnsReader<R> {
        self.source = Some(name.into());
        self
    }

    /// Sets the longest line accepted (line formats only).
    pub fn with_max_line(mut self, max: usize) -> PdnsReader<R> {
        if let Inner::Lines(l) = &mut self.inner {
            l.src.max = max;
        }
        self
    }

    /// Chooses the dnstap messages taken (dnstap only; default
    /// [`dnstap::MessageType::is_default_taken`]: AUTH, RESOLVER, CLIENT and
    /// FORWARDER responses). A resolver logs each answer as a resolver
    /// response and again as a client response; take one kind to count
    /// each resolution once.
    pub fn with_dnstap_filter(mut self, take: dnstap::MessageFilter) -> PdnsReader<R> {
        if let Inner::Dnstap(d) = &mut self.inner {
            d.take = take;
        }
        self
    }

    /// Sets the ports whose traffic is decoded as DNS (pcap only; default
    /// [`pcap::DEFAULT_DNS_PORTS`]).
    pub fn with_dns_ports(mut self, ports: &[u16]) -> PdnsReader<R> {
        if let Inner::Pcap(p) = &mut self.inner {
            p.set_ports(ports);
        }
        self
    }
}

impl<R: BufRead> Iterator for PdnsReader<R> {
    type Item = Result<PdnsRecord, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = match &mut self.inner {
            Inner::Lines(l) => l.next_item(),
            Inner::Dnstap(d) => d.next(),
            Inner::Pcap(p) => p.next(),
        };
        match (item, &self.source) {
            (Some(Err(e)), Some(s)) => Some(Err(e.with_source(s.clone()))),
            (item, _) => item,
        }
    }
}
