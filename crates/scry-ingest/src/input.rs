//! Opening inputs: plain or gzip, read as a stream with bounded lines, and
//! identified by content for the ingest ledger.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{IngestError, Result};

const PROBE: u64 = 1 << 20;

fn io(path: &Path, e: std::io::Error) -> IngestError {
    IngestError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// A content identity for the ledger: SHA-256 over the size, the first MiB
/// and the last MiB. Renaming or moving a file keeps its identity; changing
/// it (appending, editing the head or tail) makes a new input.
pub fn file_identity(path: &Path) -> Result<String> {
    let mut f = File::open(path).map_err(|e| io(path, e))?;
    let len = f.metadata().map_err(|e| io(path, e))?.len();
    let mut h = Sha256::new();
    h.update(len.to_be_bytes());
    let mut buf = Vec::with_capacity(PROBE as usize);
    (&mut f)
        .take(PROBE)
        .read_to_end(&mut buf)
        .map_err(|e| io(path, e))?;
    h.update(&buf);
    if len > PROBE {
        buf.clear();
        f.seek(SeekFrom::Start(len.saturating_sub(PROBE).max(PROBE)))
            .map_err(|e| io(path, e))?;
        f.take(PROBE)
            .read_to_end(&mut buf)
            .map_err(|e| io(path, e))?;
        h.update(&buf);
    }
    Ok(h.finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>())
}

/// Opens a file for streaming, transparently gunzipping it when it starts
/// with the gzip magic.
pub fn open_input(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let mut f = File::open(path).map_err(|e| io(path, e))?;
    let mut magic = [0u8; 2];
    let n = f.read(&mut magic).map_err(|e| io(path, e))?;
    f.seek(SeekFrom::Start(0)).map_err(|e| io(path, e))?;
    if n == 2 && magic == [0x1f, 0x8b] {
        // Streaming decoder: memory stays bounded by the buffer and the line cap.
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(BufReader::new(f)),
        )))
    } else {
        Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
    }
}

/// Outcome of reading one line.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A line (without its `\n` / `\r\n`).
    Text,
    /// A line longer than the cap; its bytes were skipped.
    TooLong(usize),
    /// End of input.
    Eof,
}

/// Reads one line into `buf` (cleared first), never buffering more than
/// `cap` bytes: longer lines are consumed and reported as [`Line::TooLong`].
pub fn read_line_bounded(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<Line> {
    buf.clear();
    let mut total = 0usize;
    let mut any = false;
    loop {
        let avail = match r.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            if !any {
                return Ok(Line::Eof);
            }
            break;
        }
        any = true;
        let (chunk, done) = match avail.iter().position(|b| *b == b'\n') {
            Some(i) => (&avail[..i], Some(i + 1)),
            None => (avail, None),
        };
        total += chunk.len();
        if total <= cap {
            buf.extend_from_slice(chunk);
        }
        let used = done.unwrap_or(avail.len());
        r.consume(used);
        if done.is_some() {
            break;
        }
    }
    if total > cap {
        buf.clear();
        return Ok(Line::TooLong(total));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Line::Text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_lines() {
        let data = b"short\r\nxxxxxxxxxxxxxxxxxxxx\nlast";
        let mut r: &[u8] = data;
        let mut buf = Vec::new();
        assert_eq!(read_line_bounded(&mut r, &mut buf, 10).unwrap(), Line::Text);
        assert_eq!(buf, b"short");
        assert_eq!(
            read_line_bounded(&mut r, &mut buf, 10).unwrap(),
            Line::TooLong(20)
        );
        assert_eq!(read_line_bounded(&mut r, &mut buf, 10).unwrap(), Line::Text);
        assert_eq!(buf, b"last");
        assert_eq!(read_line_bounded(&mut r, &mut buf, 10).unwrap(), Line::Eof);
    }
}
