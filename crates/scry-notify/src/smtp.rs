//! E-mail digests over SMTP (RFC 5321): a small client for a relay on a
//! trusted network (no TLS, no AUTH), and the digest text.
//!
//! The dialogue: greeting 220, `EHLO` (falling back to `HELO` on 5xx),
//! `MAIL FROM`, one `RCPT TO` per recipient, `DATA`, the message with
//! CRLF line ends and dot-stuffing (section 4.5.2), `.`, `QUIT`. Replies
//! are read line by line with a bounded length and line count. Only a 5xx
//! reply to the message itself is a rejection; any other failure (4xx, a
//! refused sender or recipient, which is a setting to fix) is retried.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};

use crate::channel::{Outcome, TIMEOUT};
use crate::payload::DeliveredAlert;

/// Longest reply line accepted (RFC 5321 section 4.5.3.1.5 says 512).
const MAX_REPLY_LINE: usize = 4096;
/// Most lines of one (multi-line) reply.
const MAX_REPLY_LINES: usize = 100;

/// The digest of a batch of new alerts, grouped by monitor, highest
/// similarity first (the text of `scry alerts digest`).
pub fn digest_text(alerts: &[DeliveredAlert]) -> String {
    let mut by: BTreeMap<(u64, String), Vec<&DeliveredAlert>> = BTreeMap::new();
    for a in alerts {
        by.entry((a.monitor, a.monitor_name.clone()))
            .or_default()
            .push(a);
    }
    let mut s = format!("{} new alerts\n", alerts.len());
    for ((id, name), mut list) in by {
        list.sort_by(|a, b| {
            b.similarity
                .cmp(&a.similarity)
                .then(a.domain.cmp(&b.domain))
        });
        let name = if name.is_empty() {
            format!("monitor {id} (removed)")
        } else {
            name
        };
        s.push_str(&format!("\n{name} (monitor {id}): {} raised\n", list.len()));
        for a in list {
            let sim = a.similarity.map(|s| format!(" {s:>3}")).unwrap_or_default();
            s.push_str(&format!(
                "  [{}] {:40}{sim} {} (raised {})\n",
                a.id, a.domain, a.reason, a.raised
            ));
        }
    }
    s
}

fn rfc5322_date(t: i64) -> String {
    use time::OffsetDateTime;
    let Ok(dt) = OffsetDateTime::from_unix_timestamp(t) else {
        return String::new();
    };
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
        DAYS[usize::from(dt.weekday().number_days_from_monday())],
        dt.day(),
        MONTHS[usize::from(u8::from(dt.month()) - 1)],
        dt.year(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Quoted-printable (RFC 2045 section 6.7) of a text with `\n` line ends.
fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        let mut col = 0;
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let last = i + 1 == bytes.len();
            let enc = match b {
                b'=' => true,
                b' ' | b'\t' => last,
                33..=126 => false,
                _ => true,
            };
            let piece = if enc {
                format!("={b:02X}")
            } else {
                (b as char).to_string()
            };
            if col + piece.len() > 75 {
                out.push_str("=\r\n");
                col = 0;
            }
            col += piece.len();
            out.push_str(&piece);
        }
        out.push_str("\r\n");
    }
    out
}

/// The message: headers and body with CRLF line ends (not yet dot-stuffed).
pub fn message(from: &str, to: &[String], subject: &str, body: &str, now: i64, id: &str) -> String {
    let ascii_short = body.is_ascii() && body.lines().all(|l| l.len() <= 998);
    let subject: String = subject.chars().filter(|c| !c.is_control()).collect();
    let subject = if subject.is_ascii() {
        subject
    } else {
        // RFC 2047 encoded word, base64 would need a dependency: Q-encoding.
        let mut q = String::from("=?utf-8?Q?");
        for b in subject.bytes() {
            match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => q.push(b as char),
                b' ' => q.push('_'),
                _ => q.push_str(&format!("={b:02X}")),
            }
        }
        q.push_str("?=");
        q
    };
    let mut m = format!(
        "From: {from}\r\nTo: {}\r\nSubject: {subject}\r\nDate: {}\r\nMessage-ID: <{id}@scry>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n",
        to.join(", "),
        rfc5322_date(now),
    );
    if ascii_short {
        m.push_str("Content-Transfer-Encoding: 7bit\r\n\r\n");
        for line in body.split('\n') {
            m.push_str(line.trim_end_matches('\r'));
            m.push_str("\r\n");
        }
    } else {
        m.push_str("Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        m.push_str(&quoted_printable(body));
    }
    m
}

/// Dot-stuffing and the terminating `.` line.
pub fn dot_stuff(msg: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(msg.len() + 8);
    for line in msg.split_inclusive("\r\n") {
        if line.starts_with('.') {
            out.push(b'.');
        }
        out.extend_from_slice(line.as_bytes());
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

struct Conn {
    r: BufReader<TcpStream>,
    w: TcpStream,
}

enum Fail {
    Retry(String),
    Reject(String),
}

impl Conn {
    /// One reply: (code, text of every line).
    fn reply(&mut self) -> Result<(u16, String), Fail> {
        let mut text = String::new();
        for _ in 0..MAX_REPLY_LINES {
            let mut line = Vec::new();
            let n = std::io::Read::take(&mut self.r, MAX_REPLY_LINE as u64)
                .read_until(b'\n', &mut line)
                .map_err(|e| Fail::Retry(format!("reading the reply: {e}")))?;
            if n == 0 {
                return Err(Fail::Retry("the server closed the connection".into()));
            }
            if !line.ends_with(b"\n") {
                return Err(Fail::Retry("reply line too long".into()));
            }
            let l = String::from_utf8_lossy(&line);
            let l = l.trim_end();
            let code = l
                .get(..3)
                .and_then(|c| c.parse::<u16>().ok())
                .ok_or_else(|| Fail::Retry(format!("malformed reply {l:?}")))?;
            if !text.is_empty() {
                text.push_str(" / ");
            }
            text.push_str(l);
            if l.as_bytes().get(3) != Some(&b'-') {
                return Ok((code, text));
            }
        }
        Err(Fail::Retry("reply with too many lines".into()))
    }

    fn cmd(&mut self, line: &str) -> Result<(u16, String), Fail> {
        self.w
            .write_all(format!("{line}\r\n").as_bytes())
            .map_err(|e| Fail::Retry(format!("sending {line:?}: {e}")))?;
        self.reply()
    }

    /// A command that must get a 2xx/3xx `want` class reply.
    fn expect(&mut self, line: &str, want: u16) -> Result<String, Fail> {
        let (code, text) = self.cmd(line)?;
        check(code, want, text)
    }
}

fn check(code: u16, want: u16, text: String) -> Result<String, Fail> {
    if code / 100 == want / 100 {
        Ok(text)
    } else if code / 100 == 4 {
        Err(Fail::Retry(text))
    } else {
        Err(Fail::Reject(text))
    }
}

/// Sends one message to `server` for `to`.
pub(crate) fn send(server: &str, from: &str, to: &[String], msg: &str) -> Outcome {
    match send_inner(server, from, to, msg) {
        Ok(t) => Outcome::Delivered(t),
        Err(Fail::Retry(t)) => Outcome::Retry(format!("smtp {server}: {t}"), None),
        Err(Fail::Reject(t)) => Outcome::Reject(format!("smtp {server}: {t}")),
    }
}

fn send_inner(server: &str, from: &str, to: &[String], msg: &str) -> Result<String, Fail> {
    let addr = server
        .to_socket_addrs()
        .map_err(|e| Fail::Retry(e.to_string()))?
        .next()
        .ok_or_else(|| Fail::Retry("no address".into()))?;
    let s = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| Fail::Retry(e.to_string()))?;
    let setup = s
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| s.set_write_timeout(Some(TIMEOUT)))
        .and_then(|()| s.try_clone());
    let w = setup.map_err(|e| Fail::Retry(e.to_string()))?;
    let mut c = Conn {
        r: BufReader::new(s),
        w,
    };
    let (code, text) = c.reply()?;
    // A 554 greeting means "no service here": retry, the relay may recover.
    if code != 220 {
        return Err(Fail::Retry(format!("greeting: {text}")));
    }
    let helo = crate::channel::local_hostname();
    let helo = if helo == "-" {
        "localhost".into()
    } else {
        helo
    };
    let (code, text) = c.cmd(&format!("EHLO {helo}"))?;
    if code / 100 != 2 {
        c.expect(&format!("HELO {helo}"), 250)
            .map_err(|_| Fail::Retry(format!("EHLO and HELO refused: {text}")))?;
    }
    // A refused sender or recipient is a setting to fix, not a bad digest:
    // retry (with back-off) rather than give the alerts up.
    let setting = |f: Fail| match f {
        Fail::Reject(t) => Fail::Retry(format!("check the destination: {t}")),
        f => f,
    };
    c.expect(&format!("MAIL FROM:<{from}>"), 250)
        .map_err(setting)?;
    for t in to {
        c.expect(&format!("RCPT TO:<{t}>"), 250).map_err(setting)?;
    }
    c.expect("DATA", 354).map_err(setting)?;
    c.w.write_all(&dot_stuff(msg))
        .map_err(|e| Fail::Retry(format!("sending the message: {e}")))?;
    let (code, text) = c.reply()?;
    let accepted = check(code, 250, text)?;
    // The message is accepted; a failed QUIT changes nothing.
    let _ = c.cmd("QUIT");
    Ok(accepted)
}
