//! Domain names, character strings and numbers in presentation format
//! (RFC 1035 sections 3.1, 3.3 and 5.1; TTL units as BIND accepts them).

/// Maximum wire length of a domain name (RFC 1035 section 2.3.4).
const MAX_NAME_WIRE: usize = 255;
/// Maximum length of one label.
const MAX_LABEL: usize = 63;
/// Maximum length of one character-string.
pub(crate) const MAX_CHAR_STRING: usize = 255;

/// Decodes the escape at `raw[i]` (which is a backslash): returns the byte
/// value and the index after the escape.
fn unescape(raw: &[u8], i: usize) -> Result<(u8, usize), &'static str> {
    let Some(&c) = raw.get(i + 1) else {
        return Err("backslash at end of token");
    };
    if c.is_ascii_digit() {
        let d = raw
            .get(i + 1..i + 4)
            .ok_or("\\DDD escape needs three digits")?;
        if !d.iter().all(u8::is_ascii_digit) {
            return Err("\\DDD escape needs three digits");
        }
        let v = u32::from(d[0] - b'0') * 100 + u32::from(d[1] - b'0') * 10 + u32::from(d[2] - b'0');
        let v = u8::try_from(v).map_err(|_| "\\DDD escape above 255")?;
        return Ok((v, i + 4));
    }
    Ok((c, i + 2))
}

/// Appends one label byte in canonical presentation form (lower case,
/// specials escaped with a backslash, non-printable bytes as `\DDD`).
fn push_name_byte(out: &mut String, b: u8) {
    match b {
        b'.' | b'\\' | b'"' | b'(' | b')' | b';' | b'@' | b'$' => {
            out.push('\\');
            out.push(char::from(b));
        }
        0x21..=0x7e => out.push(char::from(b.to_ascii_lowercase())),
        _ => push_ddd(out, b),
    }
}

fn push_ddd(out: &mut String, b: u8) {
    out.push('\\');
    out.push(char::from(b'0' + b / 100));
    out.push(char::from(b'0' + (b / 10) % 10));
    out.push(char::from(b'0' + b % 10));
}

/// Bytes that a name can hold without escapes: letters, digits, `-`,
/// `_`, `*` and `/` (dots are handled apart).
const fn plain_bytes() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || c == b'-'
            || c == b'_'
            || c == b'*'
            || c == b'/'
            || c == b'.';
        b += 1;
    }
    t
}

/// The current origin: canonical text (no trailing dot, `""` for the root)
/// and its wire length.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origin {
    pub(crate) text: String,
    pub(crate) wire_len: usize,
}

impl Origin {
    /// The root origin.
    pub(crate) fn root() -> Origin {
        Origin {
            text: String::new(),
            wire_len: 1,
        }
    }
}

/// [`plain_name`]'s byte bits: 1 for the dot, 2 for a byte that needs the
/// general path, 0 for a label byte that needs no escape.
const fn name_bits() -> [u8; 256] {
    let plain = plain_bytes();
    let mut t = [2u8; 256];
    let mut b = 0;
    while b < 256 {
        if plain[b] {
            t[b] = 0;
        }
        b += 1;
    }
    t[b'.' as usize] = 1;
    t
}

static NAME_BITS: [u8; 256] = name_bits();

/// The fast path of [`parse_name`] for names of plain host-name bytes (no
/// escapes, no `@`) of at most 63 bytes (so no label can be too long) whose
/// text is known (`lower` is `raw` as a `&str`, ASCII lower-cased): one
/// pass without data-dependent branches checks the bytes and finds empty
/// labels, the name is copied in one piece, and a relative name gets the
/// origin's canonical text appended as it is (the origin was validated
/// when it was set). `None` when the name needs the general path (which
/// reports the first error in the name).
fn plain_name(
    raw: &[u8],
    lower: &str,
    origin: Option<&Origin>,
    out: &mut String,
) -> Option<Result<usize, &'static str>> {
    let n = raw.len();
    if n > MAX_LABEL {
        return None;
    }
    let mut all = 0u8;
    let mut empty = 0u8;
    // A leading dot is an empty label.
    let mut prev = 1u8;
    for &b in raw {
        let c = NAME_BITS[b as usize];
        all |= c;
        empty |= c & prev;
        prev = c;
    }
    if (all & 2) | (empty & 1) != 0 {
        return None;
    }
    let absolute = prev == 1;
    // The root label, and each label with its length byte.
    let mut wire = if absolute { n + 1 } else { n + 2 };
    let body = lower.get(..n - usize::from(absolute))?;
    let origin = if absolute {
        None
    } else {
        match origin {
            Some(o) => Some(o),
            None => {
                return Some(Err(
                    "relative name but no origin is known (set $ORIGIN or an origin)",
                ));
            }
        }
    };
    out.reserve(body.len() + origin.map_or(0, |o| o.text.len() + 1));
    out.push_str(body);
    if let Some(o) = origin {
        if !o.text.is_empty() {
            out.push('.');
            out.push_str(&o.text);
        }
        wire += o.wire_len - 1;
    }
    if wire > MAX_NAME_WIRE {
        return Some(Err("domain name longer than 255 bytes"));
    }
    Some(Ok(wire))
}

/// Parses a domain name token into `out` (cleared first): lower case,
/// absolute, no trailing dot, the root as `""`. Relative names are completed
/// with `origin`; `@` is the origin. Returns the wire length. `lower` is
/// `raw` as a `&str` with ASCII letters lower-cased when the caller knows
/// it (it enables the fast path).
pub(crate) fn parse_name(
    raw: &[u8],
    lower: Option<&str>,
    origin: Option<&Origin>,
    out: &mut String,
) -> Result<usize, &'static str> {
    out.clear();
    if raw.is_empty() {
        return Err("empty domain name");
    }
    if raw == b"@" {
        let o = origin.ok_or("@ used but no origin is known (set $ORIGIN or an origin)")?;
        out.push_str(&o.text);
        return Ok(o.wire_len);
    }
    if raw == b"." {
        return Ok(1);
    }
    if let Some(lower) = lower
        && let Some(r) = plain_name(raw, lower, origin, out)
    {
        return r;
    }
    out.clear();
    let mut wire = 1usize; // the root label
    let mut label = 0usize;
    let mut i = 0usize;
    let mut absolute = false;
    while i < raw.len() {
        let b = raw[i];
        if b == b'.' {
            if label == 0 {
                return Err("empty label in domain name");
            }
            wire += label + 1;
            label = 0;
            i += 1;
            if i == raw.len() {
                absolute = true;
            } else {
                out.push('.');
            }
            continue;
        }
        let (v, next) = if b == b'\\' {
            unescape(raw, i)?
        } else {
            (b, i + 1)
        };
        push_name_byte(out, v);
        label += 1;
        if label > MAX_LABEL {
            return Err("label longer than 63 bytes");
        }
        i = next;
    }
    wire += label + usize::from(label > 0);
    if !absolute {
        let o = origin.ok_or("relative name but no origin is known (set $ORIGIN or an origin)")?;
        if !o.text.is_empty() {
            out.push('.');
            out.push_str(&o.text);
        }
        wire += o.wire_len - 1;
    }
    if wire > MAX_NAME_WIRE {
        return Err("domain name longer than 255 bytes");
    }
    Ok(wire)
}

/// Decodes a character-string token (quoted or not) into bytes, appended to
/// `out`. At most 255 bytes.
pub(crate) fn parse_char_string(
    raw: &[u8],
    escaped: bool,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let start = out.len();
    if !escaped {
        out.extend_from_slice(raw);
    } else {
        decode_escapes(raw, out)?;
    }
    if out.len() - start > MAX_CHAR_STRING {
        return Err("character-string longer than 255 bytes");
    }
    Ok(())
}

/// Appends `raw` with its `\X` and `\DDD` escapes decoded to `out`.
pub(crate) fn decode_escapes(raw: &[u8], out: &mut Vec<u8>) -> Result<(), &'static str> {
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' {
            let (v, next) = unescape(raw, i)?;
            out.push(v);
            i = next;
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
    Ok(())
}

/// Appends a character-string in canonical quoted presentation form.
pub(crate) fn push_quoted(out: &mut String, s: &[u8]) {
    out.push('"');
    for &b in s {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => push_ddd(out, b),
        }
    }
    out.push('"');
}

/// Appends an unquoted token verbatim, escaping non-printable bytes as
/// `\DDD` so the result is ASCII (existing escapes are kept).
pub(crate) fn push_verbatim(out: &mut String, raw: &[u8]) {
    for &b in raw {
        if (0x21..=0x7e).contains(&b) {
            out.push(char::from(b));
        } else {
            push_ddd(out, b);
        }
    }
}

/// Appends a name (canonical form without trailing dot) in presentation
/// form with its trailing dot.
pub(crate) fn push_name(out: &mut String, name: &str) {
    out.push_str(name);
    out.push('.');
}

/// Parses a plain decimal number that fits in `max`.
pub(crate) fn parse_u32(raw: &[u8], max: u32) -> Result<u32, &'static str> {
    if raw.is_empty() || raw.len() > 10 || !raw.iter().all(u8::is_ascii_digit) {
        return Err("expected a decimal number");
    }
    let mut v: u64 = 0;
    for &d in raw {
        v = v * 10 + u64::from(d - b'0');
    }
    if v > u64::from(max) {
        return Err("number out of range");
    }
    Ok(v as u32)
}

/// Largest TTL accepted (RFC 2181 section 8).
pub(crate) const MAX_TTL: u32 = 0x7fff_ffff;

/// Parses a TTL: seconds, or BIND units (`1w2d3h4m5s`, case-insensitive).
pub(crate) fn parse_ttl(raw: &[u8]) -> Result<u32, &'static str> {
    if raw.is_empty() {
        return Err("empty ttl");
    }
    if raw.iter().all(u8::is_ascii_digit) {
        return parse_u32(raw, MAX_TTL).map_err(|_| "ttl out of range (0 to 2147483647)");
    }
    let mut total: u64 = 0;
    let mut cur: u64 = 0;
    let mut digits = 0;
    for &b in raw {
        if b.is_ascii_digit() {
            cur = cur * 10 + u64::from(b - b'0');
            digits += 1;
            if digits > 10 {
                return Err("ttl out of range (0 to 2147483647)");
            }
            continue;
        }
        let mult = match b.to_ascii_lowercase() {
            b's' => 1,
            b'm' => 60,
            b'h' => 3600,
            b'd' => 86_400,
            b'w' => 604_800,
            _ => return Err("bad ttl (expected seconds or units like 1h30m)"),
        };
        if digits == 0 {
            return Err("bad ttl (unit without a number)");
        }
        total += cur * mult;
        cur = 0;
        digits = 0;
        if total > u64::from(MAX_TTL) {
            return Err("ttl out of range (0 to 2147483647)");
        }
    }
    total += cur;
    if total > u64::from(MAX_TTL) {
        return Err("ttl out of range (0 to 2147483647)");
    }
    Ok(total as u32)
}
