//! `scry sensor dnstap`: a live passive-DNS sensor on a resolver's dnstap
//! socket (unbound's or BIND's `dnstap-socket-path`).
//!
//! The sensor listens on a Unix socket and speaks bidirectional Frame
//! Streams with each connection (fstrm `fstrm/control.h`): the resolver sends
//! READY with the content types it offers, the sensor answers ACCEPT with
//! `protobuf:dnstap.Dnstap`, the resolver sends START and data frames, and
//! STOP, answered with FINISH. Frames are decoded with the same sans-IO
//! pieces as a dnstap file ([`scry_parse::pdns::dnstap`]).
//!
//! Threads: one accepting connections, one per connection (at most
//! [`SensorOptions::max_connections`]) decoding frames into records, and the
//! calling thread storing them. Connections and the writer are joined by a
//! bounded channel ([`SensorOptions::queue`] frames): when the store falls
//! behind, the readers block, the socket fills, and the resolver drops
//! messages at its end (its dnstap queue) instead of Scry growing without
//! bound. A batch is committed when it holds
//! [`SensorOptions::batch_size`] observations or when its oldest record has
//! waited [`SensorOptions::flush_interval`], so latency is bounded.
//!
//! The ledger records the stream under its own key (`live:dnstap:` + the
//! socket path + the session's start time), never under a content identity:
//! a live stream cannot be mistaken for a file already ingested, nor
//! skipped as a replay; it is marked complete when the sensor stops cleanly.
//! Stopping (the `stop` flag, set by the binary on SIGINT/SIGTERM) closes
//! the socket, lets the connections finish their current frame, stores
//! everything received and removes the socket file.

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use scry_model::{Observation, Timestamp};
use scry_parse::ParseError;
use scry_parse::pdns::PdnsRecord;
use scry_parse::pdns::dnstap::{
    CONTENT_TYPE, ControlType, Frame, MessageType, decode_frame, dnstap_records, encode_control,
};
use scry_store::Store;
use serde::Serialize;

use crate::error::{IngestError, Result};
use crate::summary::{IngestSummary, LedgerInput, Progress};

/// Options of the live sensor.
#[derive(Debug, Clone)]
pub struct SensorOptions {
    /// Observations per committed batch (at most).
    pub batch_size: usize,
    /// Longest time a received record waits before its batch is committed.
    pub flush_interval: Duration,
    /// Frames queued between the connections and the writer.
    pub queue: usize,
    /// Most simultaneous connections (further ones are closed at once).
    pub max_connections: usize,
    /// Source name when a message carries no dnstap identity.
    pub default_sensor: String,
}

impl Default for SensorOptions {
    fn default() -> Self {
        SensorOptions {
            batch_size: 10_000,
            flush_interval: Duration::from_millis(1_000),
            queue: 4_096,
            max_connections: 16,
            default_sensor: "dnstap".into(),
        }
    }
}

/// What a sensor session did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SensorSummary {
    /// The ingest counters (read = records decoded from responses).
    #[serde(flatten)]
    pub ingest: IngestSummary,
    /// Connections accepted.
    pub connections: u64,
    /// Connections refused (over the limit, or a content type other than dnstap).
    pub connections_refused: u64,
    /// Data frames received.
    pub frames: u64,
    /// Connections closed on a Frame Streams error.
    pub stream_errors: u64,
}

/// How often blocked calls look at the stop flag.
const POLL: Duration = Duration::from_millis(100);

/// What a connection hands the writer: one frame's records, and the error
/// that cut its decoding short, if any.
type Decoded = (Vec<PdnsRecord>, Option<ParseError>);

struct Shared<'a> {
    stop: &'a AtomicBool,
    live: AtomicUsize,
    connections: AtomicU64,
    refused: AtomicU64,
    frames: AtomicU64,
    stream_errors: AtomicU64,
}

fn now() -> Timestamp {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Binds the socket (replacing a stale socket file, refusing any other file).
pub fn bind(path: &Path) -> Result<UnixListener> {
    let io = |e| IngestError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    if let Ok(m) = std::fs::symlink_metadata(path) {
        use std::os::unix::fs::FileTypeExt;
        if !m.file_type().is_socket() {
            return Err(IngestError::Invalid(format!(
                "{} exists and is not a socket",
                path.display()
            )));
        }
        // A socket file nobody answers on is left from an earlier run.
        if UnixStream::connect(path).is_ok() {
            return Err(IngestError::Invalid(format!(
                "{} is in use by another process",
                path.display()
            )));
        }
        std::fs::remove_file(path).map_err(io)?;
    }
    UnixListener::bind(path).map_err(io)
}

/// Runs the sensor on a bound socket until `stop` is set; stores every
/// record received before returning. `progress` is called after each
/// committed batch.
pub fn run_dnstap_sensor(
    store: &dyn Store,
    listener: UnixListener,
    socket: &Path,
    opts: &SensorOptions,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(&Progress),
) -> Result<SensorSummary> {
    let started = Instant::now();
    listener
        .set_nonblocking(true)
        .map_err(|e| IngestError::Io {
            path: socket.to_path_buf(),
            source: e,
        })?;
    let session = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let key = format!("live:dnstap:{}@{session}", socket.display());
    let name = format!("dnstap sensor on {} (live)", socket.display());
    let shared = Shared {
        stop,
        live: AtomicUsize::new(0),
        connections: AtomicU64::new(0),
        refused: AtomicU64::new(0),
        frames: AtomicU64::new(0),
        stream_errors: AtomicU64::new(0),
    };
    let (tx, rx) = sync_channel::<Decoded>(opts.queue.max(1));
    let result = std::thread::scope(|scope| {
        let shared = &shared;
        let acceptor = scope.spawn(move || accept_loop(scope, &listener, tx, shared, opts));
        let r = write_loop(store, &rx, opts, &key, &name, progress);
        // On a store error, stop the readers too (they would block on a
        // channel nobody drains).
        if r.is_err() {
            stop.store(true, Ordering::SeqCst);
            drop(rx);
        }
        let _ = acceptor.join();
        r
    });
    let _ = std::fs::remove_file(socket);
    let mut ingest = result?;
    ingest.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(SensorSummary {
        ingest,
        connections: shared.connections.load(Ordering::SeqCst),
        connections_refused: shared.refused.load(Ordering::SeqCst),
        frames: shared.frames.load(Ordering::SeqCst),
        stream_errors: shared.stream_errors.load(Ordering::SeqCst),
    })
}

fn accept_loop<'scope, 'env>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    listener: &UnixListener,
    tx: SyncSender<Decoded>,
    shared: &'scope Shared<'env>,
    opts: &'scope SensorOptions,
) {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                if shared.live.load(Ordering::SeqCst) >= opts.max_connections {
                    shared.refused.fetch_add(1, Ordering::SeqCst);
                    tracing::warn!("dnstap connection refused: too many connections");
                    continue;
                }
                shared.live.fetch_add(1, Ordering::SeqCst);
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let tx = tx.clone();
                scope.spawn(move || {
                    if let Err(e) = serve_connection(stream, &tx, shared) {
                        shared.stream_errors.fetch_add(1, Ordering::SeqCst);
                        tracing::warn!(error = %e, "dnstap connection closed on an error");
                    }
                    shared.live.fetch_sub(1, Ordering::SeqCst);
                });
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted => {
                std::thread::sleep(POLL);
            }
            Err(e) => {
                tracing::warn!(error = %e, "dnstap accept failed");
                std::thread::sleep(POLL);
            }
        }
    }
}

/// Why a connection ended early.
#[derive(Debug)]
enum ConnError {
    Io(std::io::Error),
    Stream(ParseError),
    Protocol(String),
}

impl std::fmt::Display for ConnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnError::Io(e) => write!(f, "{e}"),
            ConnError::Stream(e) => write!(f, "{e}"),
            ConnError::Protocol(s) => f.write_str(s),
        }
    }
}

fn offers_dnstap(content_types: &[String]) -> bool {
    content_types.is_empty() || content_types.iter().any(|c| c == CONTENT_TYPE)
}

/// One resolver connection: handshake, frames, STOP/FINISH.
fn serve_connection(
    mut stream: UnixStream,
    tx: &SyncSender<Decoded>,
    shared: &Shared<'_>,
) -> std::result::Result<(), ConnError> {
    stream.set_nonblocking(false).map_err(ConnError::Io)?;
    stream.set_read_timeout(Some(POLL)).map_err(ConnError::Io)?;
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut started = false;
    loop {
        // Decode every whole frame buffered.
        while let Some((frame, used)) = decode_frame(&buf).map_err(ConnError::Stream)? {
            match frame {
                Frame::Control {
                    kind: ControlType::Ready,
                    content_types,
                } => {
                    if !offers_dnstap(&content_types) {
                        shared.refused.fetch_add(1, Ordering::SeqCst);
                        return Err(ConnError::Protocol(format!(
                            "resolver offers {content_types:?}, not {CONTENT_TYPE}"
                        )));
                    }
                    stream
                        .write_all(&encode_control(ControlType::Accept, Some(CONTENT_TYPE)))
                        .map_err(ConnError::Io)?;
                }
                Frame::Control {
                    kind: ControlType::Start,
                    content_types,
                } => {
                    if !offers_dnstap(&content_types) {
                        shared.refused.fetch_add(1, Ordering::SeqCst);
                        return Err(ConnError::Protocol(format!(
                            "stream of {content_types:?}, not {CONTENT_TYPE}"
                        )));
                    }
                    started = true;
                }
                Frame::Control {
                    kind: ControlType::Stop,
                    ..
                } => {
                    // Bidirectional: acknowledge, then the sender closes.
                    let _ = stream.write_all(&encode_control(ControlType::Finish, None));
                    return Ok(());
                }
                Frame::Control { kind, .. } => {
                    return Err(ConnError::Protocol(format!(
                        "unexpected control frame {kind:?}"
                    )));
                }
                Frame::Data(payload) => {
                    if !started {
                        return Err(ConnError::Protocol("data frame before START".into()));
                    }
                    shared.frames.fetch_add(1, Ordering::SeqCst);
                    let decoded = match dnstap_records(payload, MessageType::is_default_taken) {
                        Ok(d) => d,
                        Err(e) => (Vec::new(), Some(e)),
                    };
                    if (!decoded.0.is_empty() || decoded.1.is_some()) && tx.send(decoded).is_err() {
                        // The writer is gone (store error): stop reading.
                        return Ok(());
                    }
                }
            }
            buf.drain(..used);
        }
        if shared.stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(ConnError::Io(e)),
        }
    }
}

/// Stores what the connections decode, in batches bounded in size and age.
fn write_loop(
    store: &dyn Store,
    rx: &Receiver<Decoded>,
    opts: &SensorOptions,
    key: &str,
    name: &str,
    progress: &mut dyn FnMut(&Progress),
) -> Result<IngestSummary> {
    let mut summary = IngestSummary::for_input(name);
    let mut batch: Vec<Observation> = Vec::new();
    let mut oldest: Option<Instant> = None;
    let batch_size = opts.batch_size.max(1);
    let mut flush =
        |batch: &mut Vec<Observation>, summary: &mut IngestSummary, complete: bool| -> Result<()> {
            let t = now();
            let ledger = LedgerInput {
                store,
                key,
                name,
                now: t,
            };
            let events = crate::first_seen_events(store, batch, "pdns_first_seen", "pdns", t)?;
            let position = summary.read;
            summary.commit(
                &ledger,
                std::mem::take(batch),
                events,
                position,
                complete,
                progress,
            )
        };
    loop {
        let wait = match oldest {
            Some(t) => opts.flush_interval.saturating_sub(t.elapsed()),
            None => POLL,
        };
        let disconnected = match rx.recv_timeout(wait) {
            Ok((records, error)) => {
                let t = now();
                for rec in records {
                    summary.read += 1;
                    let source = format!(
                        "pdns:{}",
                        rec.sensor_id.as_deref().unwrap_or(&opts.default_sensor)
                    );
                    match rec.to_observation(&source, t) {
                        Ok(o) => batch.push(o),
                        Err(e) => summary.reject(e.with_source(name.to_string()), false)?,
                    }
                }
                if let Some(e) = error {
                    summary.reject(e.with_source(name.to_string()), false)?;
                }
                if oldest.is_none() && !batch.is_empty() {
                    oldest = Some(Instant::now());
                }
                false
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => true,
        };
        let due = oldest.is_some_and(|t| t.elapsed() >= opts.flush_interval);
        if batch.len() >= batch_size || (due && !batch.is_empty()) {
            flush(&mut batch, &mut summary, false)?;
            oldest = None;
        }
        if disconnected {
            break;
        }
    }
    flush(&mut batch, &mut summary, true)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use scry_parse::pdns::dnstap::{
        CONTENT_TYPE, ControlType, Frame, decode_frame, encode_control,
    };
    use scry_store::embedded::EmbeddedStore;
    use scry_store::{DataDir, FactQuery, Store, SubjectSel, TimeFence};

    use super::{SensorOptions, bind, run_dnstap_sensor};

    /// The data frames of the real capture (unbound's dnstap, see
    /// scry-parse's tests/data/pdns/make_captures.sh).
    fn lab_frames() -> Vec<Vec<u8>> {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scry-parse/tests/data/pdns/lab.fstrm"
        ))
        .unwrap();
        let mut out = Vec::new();
        let mut rest = &bytes[..];
        while let Some((frame, used)) = decode_frame(rest).unwrap() {
            if let Frame::Data(p) = frame {
                let mut f = (p.len() as u32).to_be_bytes().to_vec();
                f.extend_from_slice(p);
                out.push(f);
            }
            rest = &rest[used..];
        }
        out
    }

    fn read_control(s: &mut UnixStream) -> Option<ControlType> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 512];
        loop {
            if let Ok(Some((Frame::Control { kind, .. }, _))) = decode_frame(&buf) {
                return Some(kind);
            }
            match s.read(&mut chunk) {
                Ok(0) | Err(_) => return None,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    #[test]
    fn handshake_frames_finish_and_hostile_peers() {
        let dir = tempfile::tempdir().unwrap();
        let dd = DataDir::open(&dir.path().join("d"), true).unwrap();
        let store = EmbeddedStore::open(&dd).unwrap();
        let sock = dir.path().join("s.sock");
        let listener = bind(&sock).unwrap();
        let stop = AtomicBool::new(false);
        let frames = lab_frames();
        assert!(frames.len() >= 4);
        let opts = SensorOptions {
            flush_interval: Duration::from_millis(50),
            ..SensorOptions::default()
        };
        let summary = std::thread::scope(|scope| {
            let h = scope.spawn(|| {
                run_dnstap_sensor(&store, listener, &sock, &opts, &stop, &mut |_| {}).unwrap()
            });
            let timeout = Some(Duration::from_secs(10));
            // A peer offering another content type is refused.
            let mut other = UnixStream::connect(&sock).unwrap();
            other.set_read_timeout(timeout).unwrap();
            other
                .write_all(&encode_control(ControlType::Ready, Some("protobuf:other")))
                .unwrap();
            assert_eq!(read_control(&mut other), None);
            // Garbage: a data frame length over the limit closes the connection.
            let mut junk = UnixStream::connect(&sock).unwrap();
            junk.set_read_timeout(timeout).unwrap();
            junk.write_all(&[0x7f, 0xff, 0xff, 0xff, 1, 2, 3]).unwrap();
            assert_eq!(read_control(&mut junk), None);
            // A resolver: READY/ACCEPT, START, frames, STOP/FINISH.
            let mut c = UnixStream::connect(&sock).unwrap();
            c.set_read_timeout(timeout).unwrap();
            c.write_all(&encode_control(ControlType::Ready, Some(CONTENT_TYPE)))
                .unwrap();
            assert_eq!(read_control(&mut c), Some(ControlType::Accept));
            c.write_all(&encode_control(ControlType::Start, Some(CONTENT_TYPE)))
                .unwrap();
            for f in &frames {
                // Split frames across writes, as a socket may.
                let (a, b) = f.split_at(f.len() / 2);
                c.write_all(a).unwrap();
                c.flush().unwrap();
                c.write_all(b).unwrap();
            }
            c.write_all(&encode_control(ControlType::Stop, None))
                .unwrap();
            assert_eq!(read_control(&mut c), Some(ControlType::Finish));
            stop.store(true, Ordering::SeqCst);
            h.join().unwrap()
        });
        assert_eq!(summary.connections, 3);
        assert!(summary.connections_refused >= 1, "{summary:?}");
        assert_eq!(summary.stream_errors, 2, "{summary:?}");
        assert_eq!(summary.frames, frames.len() as u64);
        assert!(summary.ingest.stored > 0, "{summary:?}");
        assert_eq!(summary.ingest.rejected, 0, "{summary:?}");
        assert!(!sock.try_exists().unwrap());
        let page = store
            .facts(&FactQuery {
                subject: SubjectSel::Exact(scry_model::Entity::Domain(
                    scry_model::DomainName::parse("www.lab.test").unwrap(),
                )),
                predicates: vec![],
                fence: TimeFence::default(),
                limit: 100,
            })
            .unwrap();
        assert!(!page.facts.is_empty());
        let key = summary.ingest.input.clone();
        assert!(key.contains("(live)"));
    }
}
