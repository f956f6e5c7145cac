//! dnstap in Frame Streams: the container and the protobuf, decoded by
//! hand (only the fields passive DNS needs, every length bounded).
//!
//! Frame Streams (fstrm, farsightsec/fstrm `fstrm/control.h`): a data frame
//! is a 32-bit big-endian length then the payload; a control frame is an
//! escape (a zero length), the 32-bit control frame length (at most 512),
//! the 32-bit control type (ACCEPT 1, START 2, STOP 3, READY 4, FINISH 5)
//! and fields (type CONTENT_TYPE 1, 32-bit length, bytes). A file is START
//! (content type `protobuf:dnstap.Dnstap`), data frames, STOP.
//!
//! dnstap (dnstap.pb `dnstap.proto`, proto2): `Dnstap { identity = 1,
//! version = 2, message = 14, type = 15 }`, `Message { type = 1,
//! query_time_sec = 8, query_time_nsec = 9, query_message = 10, query_zone
//! = 11, response_time_sec = 12, response_time_nsec = 13, response_message
//! = 14 }`. Response messages (AUTH, RESOLVER, CLIENT and FORWARDER
//! responses by default) are decoded with [`super::wire`]; the sensor id is
//! the dnstap identity and the bailiwick is `query_zone` when present.
//!
//! A live sensor (a resolver's `dnstap-socket-path`) uses the same pieces
//! sans-IO: feed received bytes to [`decode_frame`]; answer READY with
//! `encode_control(ControlType::Accept, Some(CONTENT_TYPE))` and STOP with
//! `encode_control(ControlType::Finish, None)`; pass each data frame to
//! [`dnstap_records`].

use std::io::{self, BufRead};

use crate::error::{ParseError, ParseErrorKind};

use super::PdnsRecord;
use super::wire::{self, WireContext};

/// The content type of dnstap frames.
pub const CONTENT_TYPE: &str = "protobuf:dnstap.Dnstap";
/// Longest control frame (fstrm's `FSTRM_CONTROL_FRAME_LENGTH_MAX`).
pub const MAX_CONTROL_FRAME: usize = 512;
/// Longest data frame accepted (a dnstap message holds at most two 64 KiB
/// DNS messages plus addresses).
pub const MAX_DATA_FRAME: usize = 256 * 1024;

/// Frame Streams control frame types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ControlType {
    /// Receiver accepts the content type (bidirectional handshake).
    Accept,
    /// Start of a stream.
    Start,
    /// End of a stream.
    Stop,
    /// Sender is ready (bidirectional handshake).
    Ready,
    /// Receiver acknowledges STOP (bidirectional).
    Finish,
}

impl ControlType {
    fn from_u32(v: u32) -> Option<ControlType> {
        Some(match v {
            1 => ControlType::Accept,
            2 => ControlType::Start,
            3 => ControlType::Stop,
            4 => ControlType::Ready,
            5 => ControlType::Finish,
            _ => return None,
        })
    }

    fn as_u32(self) -> u32 {
        match self {
            ControlType::Accept => 1,
            ControlType::Start => 2,
            ControlType::Stop => 3,
            ControlType::Ready => 4,
            ControlType::Finish => 5,
        }
    }
}

/// One Frame Streams frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A data frame's payload.
    Data(&'a [u8]),
    /// A control frame.
    Control {
        /// Its type.
        kind: ControlType,
        /// Its CONTENT_TYPE fields.
        content_types: Vec<String>,
    },
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Decodes one frame from the start of `buf` (sans-IO: feed it the bytes
/// received so far). Returns the frame and the bytes it used, or `None`
/// when `buf` does not hold a whole frame yet.
pub fn decode_frame(buf: &[u8]) -> Result<Option<(Frame<'_>, usize)>, ParseError> {
    if buf.len() < 4 {
        return Ok(None);
    }
    let len = be32(buf) as usize;
    if len != 0 {
        if len > MAX_DATA_FRAME {
            return Err(ParseError::new(
                ParseErrorKind::TooLarge,
                format!("data frame of {len} bytes (limit {MAX_DATA_FRAME})"),
            ));
        }
        if buf.len() < 4 + len {
            return Ok(None);
        }
        return Ok(Some((Frame::Data(&buf[4..4 + len]), 4 + len)));
    }
    if buf.len() < 8 {
        return Ok(None);
    }
    let clen = be32(&buf[4..]) as usize;
    if !(4..=MAX_CONTROL_FRAME).contains(&clen) {
        return Err(ParseError::new(
            ParseErrorKind::Syntax,
            format!("control frame length {clen} outside 4..={MAX_CONTROL_FRAME}"),
        ));
    }
    if buf.len() < 8 + clen {
        return Ok(None);
    }
    let body = &buf[8..8 + clen];
    let ctype = be32(body);
    let kind = ControlType::from_u32(ctype).ok_or_else(|| {
        ParseError::new(
            ParseErrorKind::Syntax,
            format!("unknown control type {ctype}"),
        )
    })?;
    let mut content_types = Vec::new();
    let mut rest = &body[4..];
    while !rest.is_empty() {
        if rest.len() < 8 {
            return Err(ParseError::new(
                ParseErrorKind::Truncated,
                "control field header cut short",
            ));
        }
        let ftype = be32(rest);
        let flen = be32(&rest[4..]) as usize;
        if rest.len() - 8 < flen {
            return Err(ParseError::new(
                ParseErrorKind::Truncated,
                "control field runs past its frame",
            ));
        }
        if ftype == 1 {
            content_types.push(String::from_utf8_lossy(&rest[8..8 + flen]).into_owned());
        }
        rest = &rest[8 + flen..];
    }
    Ok(Some((
        Frame::Control {
            kind,
            content_types,
        },
        8 + clen,
    )))
}

/// Encodes a control frame (for the bidirectional handshake of a live
/// socket: answer READY with ACCEPT, STOP with FINISH).
pub fn encode_control(kind: ControlType, content_type: Option<&str>) -> Vec<u8> {
    let mut body = kind.as_u32().to_be_bytes().to_vec();
    if let Some(ct) = content_type {
        body.extend_from_slice(&1u32.to_be_bytes());
        body.extend_from_slice(&(ct.len() as u32).to_be_bytes());
        body.extend_from_slice(ct.as_bytes());
    }
    let mut out = vec![0, 0, 0, 0];
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    out
}

/// Whether `head` starts like a Frame Streams file (a START or READY
/// control frame).
pub(crate) fn looks_like_fstrm(head: &[u8]) -> bool {
    matches!(
        decode_frame(head),
        Ok(Some((
            Frame::Control {
                kind: ControlType::Start | ControlType::Ready,
                ..
            },
            _
        )))
    )
}

/// dnstap `Message.type` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageType {
    /// AUTH_QUERY (1).
    AuthQuery,
    /// AUTH_RESPONSE (2).
    AuthResponse,
    /// RESOLVER_QUERY (3).
    ResolverQuery,
    /// RESOLVER_RESPONSE (4).
    ResolverResponse,
    /// CLIENT_QUERY (5).
    ClientQuery,
    /// CLIENT_RESPONSE (6).
    ClientResponse,
    /// FORWARDER_QUERY (7).
    ForwarderQuery,
    /// FORWARDER_RESPONSE (8).
    ForwarderResponse,
    /// Any other value (STUB, TOOL, UPDATE...).
    Other(u64),
}

impl MessageType {
    fn from_u64(v: u64) -> MessageType {
        match v {
            1 => MessageType::AuthQuery,
            2 => MessageType::AuthResponse,
            3 => MessageType::ResolverQuery,
            4 => MessageType::ResolverResponse,
            5 => MessageType::ClientQuery,
            6 => MessageType::ClientResponse,
            7 => MessageType::ForwarderQuery,
            8 => MessageType::ForwarderResponse,
            n => MessageType::Other(n),
        }
    }

    /// Whether passive DNS takes this message by default.
    pub fn is_default_taken(self) -> bool {
        matches!(
            self,
            MessageType::AuthResponse
                | MessageType::ResolverResponse
                | MessageType::ClientResponse
                | MessageType::ForwarderResponse
        )
    }
}

/// The fields of one dnstap payload that passive DNS uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DnstapMessage<'a> {
    /// `Dnstap.identity`.
    pub identity: Option<&'a [u8]>,
    /// `Message.type`, if the payload has a message.
    pub message_type: Option<MessageType>,
    /// `Message.query_time_sec`.
    pub query_time_sec: Option<u64>,
    /// `Message.response_time_sec`.
    pub response_time_sec: Option<u64>,
    /// `Message.query_zone` (wire-format name).
    pub query_zone: Option<&'a [u8]>,
    /// `Message.response_message` (wire-format DNS).
    pub response_message: Option<&'a [u8]>,
}

/// Protobuf wire types.
const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LEN: u8 = 2;
const FIXED32: u8 = 5;

enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// Iterates the fields of one protobuf message.
struct Fields<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Fields<'a> {
    fn varint(&mut self) -> Result<u64, ParseError> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let b = *self.buf.get(self.pos).ok_or_else(|| {
                ParseError::new(ParseErrorKind::Truncated, "protobuf varint cut short")
            })?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(ParseError::new(
            ParseErrorKind::Syntax,
            "protobuf varint longer than 10 bytes",
        ))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ParseError> {
        if self.buf.len() - self.pos < n {
            return Err(ParseError::new(
                ParseErrorKind::Truncated,
                "protobuf field runs past its message",
            ));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn next_field(&mut self) -> Option<Result<(u64, Value<'a>), ParseError>> {
        if self.pos >= self.buf.len() {
            return None;
        }
        Some(self.read_field())
    }

    fn read_field(&mut self) -> Result<(u64, Value<'a>), ParseError> {
        let key = self.varint()?;
        let wt = (key & 7) as u8;
        let num = key >> 3;
        let v = match wt {
            VARINT => Value::Varint(self.varint()?),
            FIXED64 => {
                self.take(8)?;
                Value::Fixed
            }
            FIXED32 => {
                self.take(4)?;
                Value::Fixed
            }
            LEN => {
                let n = self.varint()?;
                let n = usize::try_from(n).map_err(|_| {
                    ParseError::new(ParseErrorKind::TooLarge, "protobuf length too large")
                })?;
                Value::Bytes(self.take(n)?)
            }
            other => {
                return Err(ParseError::new(
                    ParseErrorKind::Unsupported,
                    format!("protobuf wire type {other}"),
                ));
            }
        };
        Ok((num, v))
    }
}

/// Decodes the fields passive DNS needs from one dnstap protobuf payload.
pub fn decode_dnstap(payload: &[u8]) -> Result<DnstapMessage<'_>, ParseError> {
    let mut m = DnstapMessage::default();
    let mut f = Fields {
        buf: payload,
        pos: 0,
    };
    let mut message = None;
    while let Some(field) = f.next_field() {
        match field.map_err(|e| e.in_field("Dnstap"))? {
            (1, Value::Bytes(b)) => m.identity = Some(b),
            (14, Value::Bytes(b)) => message = Some(b),
            _ => {}
        }
    }
    let Some(msg) = message else {
        return Ok(m);
    };
    let mut f = Fields { buf: msg, pos: 0 };
    while let Some(field) = f.next_field() {
        match field.map_err(|e| e.in_field("Message"))? {
            (1, Value::Varint(t)) => m.message_type = Some(MessageType::from_u64(t)),
            (8, Value::Varint(t)) => m.query_time_sec = Some(t),
            (11, Value::Bytes(b)) => m.query_zone = Some(b),
            (12, Value::Varint(t)) => m.response_time_sec = Some(t),
            (14, Value::Bytes(b)) => m.response_message = Some(b),
            _ => {}
        }
    }
    Ok(m)
}

/// Which dnstap messages become records.
pub type MessageFilter = fn(MessageType) -> bool;

/// Turns one dnstap payload into records. Messages that `take` refuses
/// (use [`MessageType::is_default_taken`] for the default), or without a
/// response, give none. The second value is the error that
/// stopped DNS decoding early, if any (the records before it are kept).
pub fn dnstap_records(
    payload: &[u8],
    take: MessageFilter,
) -> Result<(Vec<PdnsRecord>, Option<ParseError>), ParseError> {
    let m = decode_dnstap(payload)?;
    let Some(mt) = m.message_type else {
        return Ok((Vec::new(), None));
    };
    if !take(mt) {
        return Ok((Vec::new(), None));
    }
    let Some(resp) = m.response_message else {
        return Ok((Vec::new(), None));
    };
    let secs = m.response_time_sec.or(m.query_time_sec).ok_or_else(|| {
        ParseError::new(ParseErrorKind::Value, "response without a time")
            .in_field("response_time_sec")
    })?;
    let time = i64::try_from(secs).map_err(|_| {
        ParseError::new(ParseErrorKind::Value, "time out of range").in_field("response_time_sec")
    })?;
    let identity = m
        .identity
        .map(|b| String::from_utf8_lossy(b).trim().to_string())
        .filter(|s| !s.is_empty());
    let zone = match m.query_zone {
        Some(z) => Some(wire::decode_name(z).map_err(|e| e.in_field("query_zone"))?),
        None => None,
    };
    let d = wire::decode_response(
        resp,
        &WireContext {
            time,
            sensor_id: identity.as_deref(),
            bailiwick: zone.as_deref(),
        },
    );
    Ok((d.records, d.error.map(|e| e.in_field("response_message"))))
}

/// Streams records from a Frame Streams file; errors carry the 1-based
/// frame number as their line.
pub(crate) struct DnstapRecords<R> {
    inner: R,
    buf: Vec<u8>,
    frame: u64,
    started: bool,
    done: bool,
    pending: std::collections::VecDeque<PdnsRecord>,
    pub(crate) take: MessageFilter,
}

impl<R: BufRead> DnstapRecords<R> {
    pub(crate) fn new(inner: R) -> DnstapRecords<R> {
        DnstapRecords {
            inner,
            buf: Vec::new(),
            frame: 0,
            started: false,
            done: false,
            pending: std::collections::VecDeque::new(),
            take: MessageType::is_default_taken,
        }
    }

    /// Reads exactly `n` more bytes into `buf`; `Ok(false)` at a clean end
    /// of input before any byte.
    fn fill(&mut self, n: usize) -> Result<bool, ParseError> {
        let start = self.buf.len();
        self.buf.resize(start + n, 0);
        let mut got = 0;
        while got < n {
            match self.inner.read(&mut self.buf[start + got..]) {
                Ok(0) => break,
                Ok(k) => got += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(ParseError::new(
                        ParseErrorKind::Truncated,
                        format!("read failed: {e}"),
                    ));
                }
            }
        }
        if got == n {
            return Ok(true);
        }
        if got == 0 && start == 0 {
            return Ok(false);
        }
        Err(ParseError::new(
            ParseErrorKind::Truncated,
            "input ends in the middle of a frame",
        ))
    }

    /// Reads the next whole frame into `buf`.
    fn read_frame(&mut self) -> Result<bool, ParseError> {
        self.buf.clear();
        if !self.fill(4)? {
            return Ok(false);
        }
        let len = be32(&self.buf) as usize;
        if len != 0 {
            if len > MAX_DATA_FRAME {
                return Err(ParseError::new(
                    ParseErrorKind::TooLarge,
                    format!("data frame of {len} bytes (limit {MAX_DATA_FRAME})"),
                ));
            }
            self.fill(len)?;
            return Ok(true);
        }
        self.fill(4)?;
        let clen = be32(&self.buf[4..]) as usize;
        if !(4..=MAX_CONTROL_FRAME).contains(&clen) {
            return Err(ParseError::new(
                ParseErrorKind::Syntax,
                format!("control frame length {clen} outside 4..={MAX_CONTROL_FRAME}"),
            ));
        }
        self.fill(clen)?;
        Ok(true)
    }

    fn step(&mut self) -> Result<(), ParseError> {
        self.frame += 1;
        match self.read_frame() {
            Ok(true) => {}
            Ok(false) => {
                self.frame -= 1;
                self.done = true;
                return Ok(());
            }
            Err(e) => {
                // The framing is lost: nothing after this can be trusted.
                self.done = true;
                return Err(e);
            }
        }
        let (frame, _) = decode_frame(&self.buf)?
            .ok_or_else(|| ParseError::new(ParseErrorKind::Truncated, "frame cut short"))?;
        match frame {
            Frame::Control {
                kind,
                content_types,
            } => match kind {
                ControlType::Start => {
                    if !content_types.is_empty() && !content_types.iter().any(|c| c == CONTENT_TYPE)
                    {
                        self.done = true;
                        return Err(ParseError::new(
                            ParseErrorKind::Unsupported,
                            format!(
                                "frame streams content type {content_types:?}, not {CONTENT_TYPE}"
                            ),
                        ));
                    }
                    self.started = true;
                }
                ControlType::Stop => self.started = false,
                _ => {}
            },
            Frame::Data(payload) => {
                if !self.started {
                    return Err(ParseError::new(
                        ParseErrorKind::Syntax,
                        "data frame outside a START..STOP stream",
                    ));
                }
                let (records, err) = dnstap_records(payload, self.take)?;
                self.pending.extend(records);
                if let Some(e) = err {
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    pub(crate) fn next(&mut self) -> Option<Result<PdnsRecord, ParseError>> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Some(Ok(r));
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.step() {
                if self.frame == 1 && !self.started {
                    // Not a Frame Streams file at all.
                    self.done = true;
                }
                return Some(Err(e.at_line(self.frame.max(1))));
            }
        }
    }
}
