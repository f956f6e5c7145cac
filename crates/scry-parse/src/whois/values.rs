//! Value normalisation shared by the WHOIS and RDAP parsers: statuses,
//! host names, e-mail, countries, redaction placeholders and privacy
//! services.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

/// A fixed list of phrases searched for as substrings: one Aho-Corasick
/// automaton built on first use, so a value is scanned once rather than
/// once per phrase.
pub(crate) struct Phrases {
    list: &'static [&'static str],
    /// Build a DFA (fastest search, slowest build) rather than a
    /// contiguous NFA: for lists searched on every record.
    dfa: bool,
    ac: OnceLock<Option<AhoCorasick>>,
}

impl Phrases {
    /// A list searched often: a DFA.
    pub(crate) const fn new(list: &'static [&'static str]) -> Self {
        Phrases {
            list,
            dfa: true,
            ac: OnceLock::new(),
        }
    }

    /// A list searched rarely (behind a cache or a rare condition): a
    /// contiguous NFA, which builds in a fraction of a DFA's time.
    pub(crate) const fn rare(list: &'static [&'static str]) -> Self {
        Phrases {
            list,
            dfa: false,
            ac: OnceLock::new(),
        }
    }

    /// Whether `hay` contains any of the phrases.
    pub(crate) fn any_in(&self, hay: &str) -> bool {
        let build = || {
            let kind = if self.dfa {
                aho_corasick::AhoCorasickKind::DFA
            } else {
                aho_corasick::AhoCorasickKind::ContiguousNFA
            };
            AhoCorasick::builder()
                .kind(Some(kind))
                .build(self.list)
                .ok()
        };
        match self.ac.get_or_init(build) {
            Some(ac) => ac.is_match(hay),
            None => self.list.iter().any(|p| hay.contains(p)),
        }
    }
}

/// Calls `f` with `raw` in lower case: in a stack buffer when `raw` is
/// short ASCII (nearly every value), else through `str::to_lowercase`.
pub(crate) fn with_lower<R>(raw: &str, f: impl FnOnce(&str) -> R) -> R {
    const CAP: usize = 256;
    if raw.len() <= CAP && raw.is_ascii() {
        let mut buf = [0u8; CAP];
        let b = &mut buf[..raw.len()];
        b.copy_from_slice(raw.as_bytes());
        b.make_ascii_lowercase();
        // ASCII lower-cased is still ASCII, so the check cannot fail.
        if let Ok(s) = std::str::from_utf8(b) {
            return f(s);
        }
    }
    f(&raw.to_lowercase())
}

/// EPP status codes (RFC 5731 §2.3, RFC 3915 for the RGP periods) in their
/// canonical spelling.
const EPP: &[&str] = &[
    "ok",
    "active",
    "inactive",
    "addPeriod",
    "autoRenewPeriod",
    "renewPeriod",
    "transferPeriod",
    "redemptionPeriod",
    "pendingCreate",
    "pendingDelete",
    "pendingRenew",
    "pendingRestore",
    "pendingTransfer",
    "pendingUpdate",
    "clientDeleteProhibited",
    "clientHold",
    "clientRenewProhibited",
    "clientTransferProhibited",
    "clientUpdateProhibited",
    "serverDeleteProhibited",
    "serverHold",
    "serverRenewProhibited",
    "serverTransferProhibited",
    "serverUpdateProhibited",
];

/// Normalises one status value (which may carry an ICANN URL or a
/// parenthesised note) to an EPP code, or the registry's own words in lower
/// case. RDAP's spaced forms (`client transfer prohibited`) map too.
pub(crate) fn normalise_status(raw: &str) -> Option<String> {
    let s = status_core(raw)?;
    if let Some(code) = epp_code(s) {
        return Some(code.to_string());
    }
    if s.is_ascii()
        && !s
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b' ' && w[1] == b' ')
        && !s.bytes().any(|c| c.wrapping_sub(0x09) < 5)
    {
        // Single-spaced already (`status_core` trimmed the ends).
        return Some(s.to_ascii_lowercase());
    }
    Some(
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
    )
}

/// A status value without its URL, note, explanation and query code.
fn status_core(raw: &str) -> Option<&str> {
    let mut s = raw.trim();
    // Drop a trailing URL and anything in parentheses.
    if let Some(i) = find(s, "http") {
        s = s[..i].trim();
    }
    if let Some(i) = memchr::memchr(b'(', s.as_bytes()) {
        s = s[..i].trim();
    }
    // `ok - Normal state.`
    if let Some(i) = find(s, " - ") {
        s = s[..i].trim();
    }
    // `200 Active` (a query status code before the state).
    if let Some((code, rest)) = s.split_once(' ')
        && code.len() == 3
        && code.chars().all(|c| c.is_ascii_digit())
    {
        s = rest.trim();
    }
    let s =
        s.trim_matches(|c: char| c == '-' || c == ',' || c == ';' || c == '.' || c.is_whitespace());
    (!s.is_empty() && s.len() <= 100).then_some(s)
}

/// The EPP code a status names once its letters and digits are taken
/// (`clientTransferProhibited`, `CLIENT TRANSFER PROHIBITED`, `Delete
/// Prohibited by Registrar`).
fn epp_code(s: &str) -> Option<&'static str> {
    // The longest code has 24 letters; `…byregistrar` adds 11.
    const CAP: usize = 40;
    let mut buf = [0u8; CAP];
    let mut n = 0;
    if s.is_ascii() {
        for &b in s.as_bytes() {
            if b.is_ascii_alphanumeric() {
                if n == CAP {
                    return None;
                }
                buf[n] = b.to_ascii_lowercase();
                n += 1;
            }
        }
    } else {
        let squashed: String = s
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        if squashed.len() > CAP {
            return None;
        }
        buf[..squashed.len()].copy_from_slice(squashed.as_bytes());
        n = squashed.len();
    }
    let squashed = &buf[..n];
    // `squashed` is lower case, so an ASCII-case-blind compare is equality
    // with the code's lower-case form.
    let find = |w: &[u8]| {
        EPP.iter()
            .find(|c| c.as_bytes().eq_ignore_ascii_case(w))
            .copied()
    };
    if let Some(code) = find(squashed) {
        return Some(code);
    }
    // `Delete Prohibited by Registrar` (CentralNic-style prose).
    for (by, prefix) in [
        (&b"byregistrar"[..], &b"client"[..]),
        (b"byregistry", b"server"),
    ] {
        if let Some(core) = squashed.strip_suffix(by) {
            let mut want = [0u8; CAP];
            let w = prefix.len() + core.len();
            if w > CAP {
                continue;
            }
            want[..prefix.len()].copy_from_slice(prefix);
            want[prefix.len()..w].copy_from_slice(core);
            if let Some(code) = find(&want[..w]) {
                return Some(code);
            }
        }
    }
    None
}

/// The first position of `needle` in `hay`: the needle's first byte found
/// with `memchr`, then compared, which is cheaper than a substring
/// searcher's set-up on the short values it is used on.
pub(crate) fn find(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    let Some(&first) = n.first() else {
        return Some(0);
    };
    let h = hay.as_bytes();
    if h.len() < 64 {
        // Short text (keys, values): a byte loop beats `memchr`'s set-up.
        let last = h.len().checked_sub(n.len())?;
        return (0..=last)
            .find(|&i| h[i] == first && h[i + 1..].iter().zip(&n[1..]).all(|(a, b)| a == b));
    }
    let mut at = 0;
    while let Some(p) = memchr::memchr(first, h.get(at..)?) {
        let i = at + p;
        if h[i..].starts_with(n) {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// The first position of byte `n` in `hay`, eight bytes a step (SWAR):
/// on the short lines and keys of a response this is cheaper than a call
/// into `memchr`, whose set-up pays off on longer text.
pub(crate) fn find_byte(hay: &[u8], n: u8) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let pat = LO.wrapping_mul(u64::from(n));
    let mut chunks = hay.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let x = u64::from_le_bytes(w) ^ pat;
        // A zero byte of `x` is a match; the lowest flagged byte is the
        // first (higher flags may be false, lower ones never are).
        let found = x.wrapping_sub(LO) & !x & HI;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == n)
        .map(|i| at + i)
}

/// Splits a status value that lists several (`REGISTERED, DELEGATED`,
/// `clientTransferProhibited serverHold`) and normalises each.
pub(crate) fn split_statuses(raw: &str, out: &mut Vec<String>) {
    // Status values come from a small vocabulary and repeat in every
    // record of a registry (`clientTransferProhibited
    // https://icann.org/epp#clientTransferProhibited`): what a value
    // splits into is memoised per thread, like placeholder verdicts.
    let s = raw.trim();
    let mut merge = |v: &[String]| {
        for n in v {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
    };
    if s.len() > 256 {
        let mut v = Vec::new();
        split_statuses_uncached(s, &mut v);
        merge(&v);
        return;
    }
    STATUS_CACHE.with(|cell| {
        let Ok(mut cache) = cell.try_borrow_mut() else {
            let mut v = Vec::new();
            split_statuses_uncached(s, &mut v);
            merge(&v);
            return;
        };
        if let Some(v) = cache.get(s) {
            merge(v);
            return;
        }
        let mut v = Vec::new();
        split_statuses_uncached(s, &mut v);
        merge(&v);
        if cache.len() >= STATUS_CACHE_MAX {
            cache.clear();
        }
        cache.insert(s.into(), v);
    });
}

/// Most entries the status cache holds.
pub(crate) const STATUS_CACHE_MAX: usize = 1024;

thread_local! {
    static STATUS_CACHE: std::cell::RefCell<super::keys::FastMap<Box<str>, Vec<String>>> =
        std::cell::RefCell::new(super::keys::FastMap::default());
}

/// Entries in this thread's status cache.
#[cfg(test)]
pub(crate) fn status_cache_len() -> usize {
    STATUS_CACHE.with(|c| c.borrow().len())
}

/// [`split_statuses`] without the cache: the statuses of `s` (trimmed),
/// each added once.
fn split_statuses_uncached(s: &str, out: &mut Vec<String>) {
    let mut add = |p: &str| {
        if let Some(n) = normalise_status(p)
            && !out.contains(&n)
        {
            out.push(n);
        }
    };
    if memchr::memchr(b',', s.as_bytes()).is_some() {
        s.split(',').for_each(add);
        return;
    }
    // Several words, each a long EPP code: each is a status. The last
    // word is tried first: a trailing URL or note fails at once.
    let ws = |c: char| c.is_whitespace();
    let mut words = s.rsplit(ws).filter(|w| !w.is_empty());
    let mut n = 0;
    let all_epp = words.all(|w| {
        n += 1;
        status_is_long_epp(w)
    }) && n > 1;
    if all_epp {
        s.split(ws).filter(|w| !w.is_empty()).for_each(add);
    } else {
        add(s);
    }
}

/// Whether `normalise_status(w)` would be an EPP code longer than six
/// letters, without building it.
fn status_is_long_epp(w: &str) -> bool {
    status_core(w)
        .and_then(epp_code)
        .is_some_and(|c| c.len() > 6)
}

/// A name server host name from a value such as `NS1.Example.COM.
/// 192.0.2.1` or `ns1.example.com (192.0.2.1)`: the first token, lower case,
/// without the trailing dot, when it is a plausible host name.
pub(crate) fn normalise_host(raw: &str) -> Option<String> {
    if raw.is_ascii() {
        let mut h = host_token(raw)?.to_string();
        h.make_ascii_lowercase();
        return Some(h);
    }
    let mut toks = raw
        .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == '(')
        .filter(|t| !t.is_empty());
    let mut tok = toks.next()?;
    // `google.pt NS ns4.google.com.` (zone-file style).
    if let (Some(ns), Some(host)) = (toks.next(), toks.next())
        && ns.eq_ignore_ascii_case("ns")
    {
        tok = host;
    }
    let h = tok.trim_end_matches('.').to_lowercase();
    if h.len() < 3 || h.len() > 253 || !h.contains('.') {
        return None;
    }
    // Only hex digits, dots and colons can make an address.
    if h.bytes()
        .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':')
        && h.parse::<std::net::IpAddr>().is_ok()
    {
        return None;
    }
    let ok = h
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '.' || c == '_');
    let numeric = h.chars().all(|c| c.is_ascii_digit() || c == '.');
    (ok && !numeric && !h.starts_with('.') && !h.contains("..")).then_some(h)
}

/// [`normalise_host`] for ASCII text, not lower-cased: the host token
/// when it is a plausible host name.
pub(crate) fn host_token(raw: &str) -> Option<&str> {
    let sep = |b: u8| {
        matches!(
            b,
            b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b',' | b'[' | b'('
        )
    };
    let b = raw.as_bytes();
    let mut toks = [(0usize, 0usize); 3];
    let mut n = 0;
    let mut i = 0;
    while i < b.len() && n < 3 {
        while i < b.len() && sep(b[i]) {
            i += 1;
        }
        let start = i;
        while i < b.len() && !sep(b[i]) {
            i += 1;
        }
        if i > start {
            toks[n] = (start, i);
            n += 1;
        }
    }
    let tok = |k: usize| raw.get(toks[k].0..toks[k].1).unwrap_or_default();
    if n == 0 {
        return None;
    }
    // `google.pt NS ns4.google.com.` (zone-file style).
    let t = if n == 3 && tok(1).eq_ignore_ascii_case("ns") {
        tok(2)
    } else {
        tok(0)
    };
    let h = t.trim_end_matches('.');
    let hb = h.as_bytes();
    if hb.len() < 3 || hb.len() > 253 || hb[0] == b'.' {
        return None;
    }
    // Letters, digits, `-`, `_` and single dots, not only digits and dots
    // (which also rules out IP addresses: v4 is digits and dots, v6 has a
    // colon).
    let mut dot = false;
    let mut prev_dot = false;
    let mut letter = false;
    for &c in hb {
        match c {
            b'.' => {
                if prev_dot {
                    return None;
                }
                dot = true;
                prev_dot = true;
                continue;
            }
            b'0'..=b'9' => {}
            b'a'..=b'z' | b'A'..=b'Z' | b'-' | b'_' => letter = true,
            _ => return None,
        }
        prev_dot = false;
    }
    (dot && letter).then_some(h)
}

/// A lower-case e-mail address, when the value is one.
pub(crate) fn normalise_email(raw: &str) -> Option<String> {
    let mut s = raw.trim();
    while let Some(rest) = s.strip_prefix("mailto:") {
        s = rest;
    }
    let s = s.trim_matches(|c: char| c == '<' || c == '>');
    let (local, domain) = s.split_once('@')?;
    if local.is_empty() || domain.len() < 3 || !domain.contains('.') || domain.contains('@') {
        return None;
    }
    if s.is_ascii() {
        if s.bytes()
            .any(|c| c.is_ascii_whitespace() || c == 0x0b || c == b',')
        {
            return None;
        }
        let mut e = s.to_string();
        e.make_ascii_lowercase();
        return Some(e);
    }
    if s.chars().any(|c| c.is_whitespace() || c == ',') {
        return None;
    }
    Some(s.to_lowercase())
}

/// `str::trim`: at once when both ends are printable ASCII (most values),
/// else ASCII white space by bytes and the full (Unicode) trim only when
/// what is left starts or ends with a non-ASCII character.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let printable = |b: u8| (b'!'..0x80).contains(&b);
    match s.as_bytes() {
        [f, .., l] if printable(*f) && printable(*l) => s,
        [f] if printable(*f) => s,
        // `Key: value`: the one space after the colon.
        [b' ', f, .., l] if printable(*f) && printable(*l) => &s[1..],
        [b' ', f] if printable(*f) => &s[1..],
        _ => trim_slow(s),
    }
}

fn trim_slow(s: &str) -> &str {
    // ASCII white space is a space or a byte in 0x09..=0x0d.
    let ws = |b: &u8| *b == b' ' || b.wrapping_sub(0x09) < 5;
    let b = s.as_bytes();
    let start = b.iter().position(|c| !ws(c)).unwrap_or(b.len());
    let end = b[start..]
        .iter()
        .rposition(|c| !ws(c))
        .map_or(start, |i| start + i + 1);
    // Both cuts are next to ASCII bytes, so on character boundaries.
    let t = s.get(start..end).unwrap_or(s);
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(&f), Some(&l)) if f >= 0x80 || l >= 0x80 => t.trim(),
        _ => t,
    }
}

/// Trims a value, collapses white space; `None` when empty.
pub(crate) fn clean(raw: &str) -> Option<String> {
    clean_cow(raw).map(std::borrow::Cow::into_owned)
}

/// [`clean`], borrowing from `raw` when nothing but the ends changes (no
/// allocation for a value that is then dropped: a placeholder, a field
/// already set).
pub(crate) fn clean_cow(raw: &str) -> Option<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    let t = trim(raw);
    // Most values have single spaces only: one scan, one allocation.
    let b = t.as_bytes();
    let ascii = t.is_ascii();
    // Folds without early exit, so the compiler vectorises them.
    let mut simple = !b.iter().fold(false, |a, &c| a | (c.wrapping_sub(0x09) < 5));
    if simple && b.len() > 1 {
        simple = !b[1..]
            .iter()
            .zip(b)
            .fold(false, |a, (&c, &p)| a | ((c == b' ') & (p == b' ')));
    }
    let keep = |s| (!str::is_empty(s) && s.len() <= 1024).then_some(Cow::Borrowed(s));
    if ascii && simple {
        let b = t.as_bytes();
        let punct = |c: u8| c == b',' || c == b';';
        let (mut i, mut j) = (0, b.len());
        while i < j && punct(b[i]) {
            i += 1;
        }
        while j > i && punct(b[j - 1]) {
            j -= 1;
        }
        // Cut next to ASCII bytes: on character boundaries.
        return keep(trim(t.get(i..j).unwrap_or_default()));
    }
    let mut prev_space = false;
    let simple = if ascii {
        simple
    } else {
        t.chars().all(|c| {
            let ok = if c == ' ' {
                !prev_space
            } else {
                !c.is_whitespace()
            };
            prev_space = c == ' ';
            ok
        })
    };
    if simple {
        return keep(trim(t.trim_matches(|c: char| c == ',' || c == ';')));
    }
    let s = t.split_whitespace().collect::<Vec<_>>().join(" ");
    let s = s.trim_matches(|c: char| c == ',' || c == ';').trim();
    (!s.is_empty() && s.len() <= 1024).then(|| Cow::Owned(s.to_string()))
}

/// Whether a value is a redaction placeholder rather than data
/// ("REDACTED FOR PRIVACY", "Not Disclosed", "Data Protected", "<data not
/// disclosed>", "Please query the RDDS service of the registrar...").
pub(crate) fn is_placeholder(raw: &str) -> bool {
    let raw = raw.trim();
    if raw.is_empty() {
        return false;
    }
    // Cheap gate, word by word (ASCII case folded per word, no allocation
    // for the common case): every phrase below has one of these words.
    let folded = |w: &[u8]| {
        if w.len() > 24 {
            return false;
        }
        let mut buf = [0u8; 24];
        buf[..w.len()].copy_from_slice(w);
        buf[..w.len()].make_ascii_lowercase();
        gate_word(&buf[..w.len()])
    };
    let gate = if raw.is_ascii() {
        // Words by hand through a byte-class table; only words starting
        // with a gate word's letter are folded and compared.
        let b = raw.as_bytes();
        let mut i = 0;
        let mut hit = false;
        while i < b.len() && !hit {
            let class = GATE_CLASS[usize::from(b[i])];
            if class == 0 {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && GATE_CLASS[usize::from(b[i])] != 0 {
                i += 1;
            }
            if class == 2 {
                hit = folded(&b[start..i]);
            }
        }
        hit
    } else {
        // Only words starting with an ASCII letter can be gate words, so
        // only those are cut out, each from a letter whose previous
        // character is not part of a word; other characters are looked up
        // as Unicode only at those words' edges.
        let word_char = |c: char| c.is_alphanumeric() || c == '/';
        let b = raw.as_bytes();
        (0..b.len()).any(|i| {
            if GATE_CLASS[usize::from(b[i])] != 2 {
                return false;
            }
            let starts = raw[..i].chars().next_back().is_none_or(|c| !word_char(c));
            if !starts {
                return false;
            }
            let end = raw[i..]
                .char_indices()
                // Past 24 bytes no word is a gate word: stop there.
                .find(|&(j, c)| j > 24 || !word_char(c))
                .map_or(b.len(), |(j, _)| i + j);
            folded(&b[i..end])
        })
    };
    if !gate {
        return false;
    }
    placeholder_phrase(raw)
}

/// Byte classes for the placeholder gate: 0 separates words, 1 is part of
/// a word, 2 is part of a word and the first letter of some gate word.
static GATE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'/' {
            t[b] = 1;
        }
        if matches!(
            c.to_ascii_lowercase(),
            b'r' | b'd'
                | b'p'
                | b'g'
                | b'w'
                | b'm'
                | b'h'
                | b's'
                | b'q'
                | b'c'
                | b'f'
                | b't'
                | b'n'
                | b'i'
        ) {
            t[b] = 2;
        }
        b += 1;
    }
    t
};

/// A word (ASCII lower case) that every placeholder phrase contains one of.
fn gate_word(w: &[u8]) -> bool {
    match w.first() {
        Some(b'r') => w.starts_with(b"redact") || w.starts_with(b"restrict"),
        Some(b'd') => w.starts_with(b"disclos") || w.starts_with(b"display") || w == b"data",
        Some(b'p') => {
            w.starts_with(b"public")
                || w.starts_with(b"protect")
                || w.starts_with(b"private")
                || w.starts_with(b"personal")
                || w == b"please"
        }
        Some(b'g') => w.starts_with(b"gdpr"),
        Some(b'w') => w.starts_with(b"withheld") || w.windows(4).any(|x| x == b"form"),
        Some(b'm') => w.starts_with(b"mask"),
        Some(b'h') => w == b"hidden" || w.starts_with(b"http"),
        Some(b's') => w == b"shown" || w == b"select" || w == b"statutory",
        Some(b'q') => w == b"query",
        Some(b'c') => w == b"contact",
        Some(b'f') => w == b"form" || w == b"file",
        Some(b't') => w.starts_with(b"tiered"),
        Some(b'n') => w == b"n/a" || w == b"none" || w.starts_with(b"non") || w == b"not",
        Some(b'i') => w == b"identity",
        _ => false,
    }
}

/// The phrase test of [`is_placeholder`], once a gate word was seen.
fn placeholder_phrase(raw: &str) -> bool {
    // Responses repeat the same few placeholders ("REDACTED FOR PRIVACY",
    // "Please query the RDDS service..."), so verdicts are memoised per
    // thread; the cache is emptied when full, so hostile values cannot
    // grow it.
    if raw.len() > 256 {
        return with_lower(raw, placeholder_phrase_lower);
    }
    PLACEHOLDER_CACHE.with(|cell| {
        let Ok(mut cache) = cell.try_borrow_mut() else {
            return with_lower(raw, placeholder_phrase_lower);
        };
        if let Some(&v) = cache.get(raw) {
            return v;
        }
        let v = with_lower(raw, placeholder_phrase_lower);
        if cache.len() >= PLACEHOLDER_CACHE_MAX {
            cache.clear();
        }
        cache.insert(raw.into(), v);
        v
    })
}

/// Most entries the placeholder verdict cache holds.
pub(crate) const PLACEHOLDER_CACHE_MAX: usize = 1024;

thread_local! {
    static PLACEHOLDER_CACHE: std::cell::RefCell<super::keys::FastMap<Box<str>, bool>> =
        std::cell::RefCell::new(super::keys::FastMap::default());
}

/// Entries in this thread's placeholder verdict cache.
#[cfg(test)]
pub(crate) fn placeholder_cache_len() -> usize {
    PLACEHOLDER_CACHE.with(|c| c.borrow().len())
}

/// [`placeholder_phrase`] of lower-case text.
fn placeholder_phrase_lower(s: &str) -> bool {
    static PHRASES: Phrases = Phrases::rare(&[
        "redacted",
        "not disclosed",
        "non-public",
        "nonpublic",
        "data protected",
        "gdpr",
        "withheld",
        "statutory masking",
        "not displayed",
        "data not available",
        "hidden",
        "(not shown)",
        "not shown",
        "please query the",
        "please contact the registrar",
        "select contact domain holder",
        "contact via",
        "whoisform",
        "contact form",
        "web form",
        "webform",
        "tieredaccess",
        "masked",
        "private person",
        "privateperson",
        "protected by",
        "identity protected",
        "on file",
        "restricted",
        "n/a",
        "personal data",
    ]);
    if PHRASES.any_in(s) {
        // A proxy service's own name is data, not a placeholder.
        return !(find(s, "withheld for privacy").is_some()
            || privacy_service_lower(s) && legal_form_lower(s));
    }
    // A URL where a contact value should be (a contact form).
    s.starts_with("http://") || s.starts_with("https://") || s == "private" || s == "none"
}

/// Whether a registrant name or organisation is a proxy/privacy service.
pub(crate) fn is_privacy_service(raw: &str) -> bool {
    with_lower(raw, privacy_service_lower)
}

/// [`is_privacy_service`] of lower-case text.
fn privacy_service_lower(s: &str) -> bool {
    static MARKS: Phrases = Phrases::new(&[
        "privacy",
        "proxy",
        "whoisguard",
        "whois guard",
        "private by design",
        "privatewho",
        "whois agent",
        "whois protect",
        "protection service",
        "domain protection",
        "private registration",
        "registration private",
        "anonymize",
        "contact privacy",
        "identity protect",
        "id protect",
        "perfect privacy",
        "super privacy",
        "domains by proxy",
        "whois not there",
        "privacydotlink",
        "redacted for privacy",
    ]);
    MARKS.any_in(s) && !s.starts_with("redacted")
}

/// The privacy service a registrant contact stands for, if any: its
/// organisation or name names one, or its e-mail is at a privacy service's
/// domain (`…@1and1-private-registration.com`, `…@domainsbyproxy.com`),
/// in which case the organisation (or that domain) names the service.
///
/// A registrant organisation that is the sponsoring registrar itself (same
/// distinctive first word: "Alibaba Cloud Computing Ltd. d/b/a HiChina" at
/// registrar "Alibaba Cloud Computing (Beijing) Co., Ltd.") is the
/// registrar's proxy service too.
pub(crate) fn privacy_service_of(
    org: Option<&String>,
    name: Option<&String>,
    email: Option<&String>,
    registrar: Option<&String>,
) -> Option<String> {
    if let Some(v) = [org, name]
        .into_iter()
        .flatten()
        .find(|v| is_privacy_service(v))
    {
        return Some(v.clone());
    }
    if let (Some(o), Some(r)) = (org, registrar)
        && same_distinctive_word(o, r)
    {
        return Some(o.clone());
    }
    let domain = email?.rsplit_once('@')?.1;
    let spaced = domain.replace(['-', '.', '_'], " ");
    if is_privacy_service(&spaced) {
        return Some(org.cloned().unwrap_or_else(|| domain.to_string()));
    }
    None
}

/// Whether two names have the same [`distinctive_word`]; ASCII names are
/// compared without building lower-case words.
fn same_distinctive_word(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        let first = |name: &str| -> Option<(usize, usize)> {
            let mut at = 0;
            for w in name.split(|c: char| !c.is_ascii_alphanumeric()) {
                let start = at;
                at += w.len() + 1;
                if w.len() >= 4 && !GENERIC.iter().any(|g| g.eq_ignore_ascii_case(w)) {
                    return Some((start, start + w.len()));
                }
            }
            None
        };
        return match (first(a), first(b)) {
            (Some((i, j)), Some((k, l))) => a[i..j].eq_ignore_ascii_case(&b[k..l]),
            _ => false,
        };
    }
    match (distinctive_word(a), distinctive_word(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Words too common in organisation names to tell two apart.
const GENERIC: &[&str] = &[
    "domain",
    "domains",
    "global",
    "internet",
    "network",
    "networks",
    "online",
    "registrar",
    "registry",
    "services",
    "service",
    "solutions",
    "technology",
    "technologies",
    "hosting",
    "limited",
    "company",
    "group",
    "international",
    "names",
    "name",
    "the",
    "web",
    "com",
];

/// The first word of an organisation's name that tells it apart (4+
/// letters, not a generic word), lower case.
fn distinctive_word(name: &str) -> Option<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .find(|w| w.chars().count() >= 4 && !GENERIC.contains(&w.as_str()))
}

/// Whether a name carries a company legal form or an institution word.
pub(crate) fn has_legal_form(raw: &str) -> bool {
    with_lower(raw, legal_form_lower)
}

/// [`has_legal_form`] of lower-case text: searched with a space at each
/// end and `,()"` as spaces.
fn legal_form_lower(lower: &str) -> bool {
    const CAP: usize = 258;
    let blank = |c: u8| matches!(c, b',' | b'(' | b')' | b'"');
    let mut buf = [b' '; CAP];
    let padded;
    let s: &str = if lower.len() + 2 <= CAP {
        for (d, &c) in buf[1..].iter_mut().zip(lower.as_bytes()) {
            *d = if blank(c) { b' ' } else { c };
        }
        // Only ASCII bytes were replaced, by ASCII: still UTF-8.
        match std::str::from_utf8(&buf[..lower.len() + 2]) {
            Ok(s) => s,
            Err(_) => return false,
        }
    } else {
        padded = format!(" {} ", lower.replace([',', '(', ')', '"'], " "));
        &padded
    };
    // Some 150 phrases, many non-ASCII: a DFA of them costs more to build
    // than it saves on the few names per record searched.
    static FORMS: Phrases = Phrases::rare(&[
        " inc",
        " inc.",
        " llc",
        " l.l.c.",
        " ltd",
        " ltd.",
        " limited",
        " gmbh",
        " ag ",
        " sa ",
        " s.a.",
        " sas ",
        " sarl",
        " s.r.l",
        " srl ",
        " spa ",
        " s.p.a",
        " bv ",
        " b.v.",
        " nv ",
        " n.v.",
        " oy ",
        " ab ",
        " as ",
        " a/s",
        " a.s.",
        " aps",
        " plc",
        " corp",
        " co.",
        " company",
        " corporation",
        " group",
        " holdings",
        " lp ",
        " llp",
        " pty",
        " kk ",
        " k.k.",
        " g.k.",
        " ehf",
        " hf ",
        " hf.",
        " university",
        " universit",
        " üniversite",
        " institute",
        " institut",
        " ministry",
        " ministerio",
        " government",
        " association",
        " foundation",
        " society",
        " council",
        " agency",
        " authority",
        " bank",
        " school",
        " college",
        " center",
        " centre",
        " registry",
        " organization",
        " organisation",
        " network",
        " services",
        " service",
        " technologies",
        " technology",
        " systems",
        " solutions",
        " media",
        " communications",
        " too ",
        " ooo ",
        " zao ",
        " oao ",
        " pao ",
        " ao ",
        " tov ",
        " sp. z o.o.",
        " s.c.",
        " kft",
        " zrt",
        " d.o.o",
        " d.d.",
        " ou ",
        " sia ",
        " uab ",
        " e.v.",
        " ug ",
        " kg ",
        " ohg",
        " se ",
        " co ",
        " cooperative",
        " co-operative",
        " sccl",
        " federation",
        " museum",
        " hospital",
        " club",
        " trust",
        " partners",
        " international",
        " enterprises",
        " industries",
        " labs",
        " studio",
        " press",
        " sociedade",
        " ltda",
        " s/a",
        " associacao",
        " associação",
        " assoc.",
        " universidade",
        " fundacao",
        " fundação",
        " instituto",
        " eireli",
        " prefeitura",
        " governo",
        " empresa",
        " comercio",
        " comércio",
        " industria",
        " indústria",
        "유한회사",
        " 有限公司",
        "有限公司",
        "株式会社",
        "公司",
        "大学",
        "協会",
        "법인",
        "(주)",
        "주식회사",
        "재단",
        "學",
        "会社",
        "中心",
        "机构",
        "政府",
        "省",
    ]);
    FORMS.any_in(s)
}

/// ISO 3166-1 alpha-2 code for a country given as a code or an English (or
/// common local) name; `None` when not recognised.
pub(crate) fn country_code(raw: &str) -> Option<String> {
    let s = raw.trim().trim_end_matches('.');
    if s.is_empty() || s.len() > 60 {
        return None;
    }
    // `United States (US)`, `China (CN)`.
    if let (Some(open), true) = (s.rfind('('), s.ends_with(')')) {
        let inner = &s[open + 1..s.len() - 1];
        if inner.len() == 2 && inner.chars().all(|c| c.is_ascii_alphabetic()) {
            return Some(inner.to_ascii_uppercase());
        }
    }
    if s.len() == 2 && s.chars().all(|c| c.is_ascii_alphabetic()) {
        let up = s.to_ascii_uppercase();
        if up == "UK" {
            return Some("GB".to_string());
        }
        return COUNTRIES
            .binary_search_by(|(c, _)| (*c).cmp(up.as_str()))
            .is_ok()
            .then_some(up);
    }
    if let Some(c) = country_names().get(s.to_lowercase().as_str()) {
        return Some((*c).to_string());
    }
    let key: String = s
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // `Polska/Poland`: try each part.
    std::iter::once(key.as_str())
        .chain(key.split(' '))
        .find_map(|part| country_names().get(part))
        .map(|c| (*c).to_string())
}

fn country_names() -> &'static super::keys::FastMap<&'static str, &'static str> {
    static MAP: OnceLock<super::keys::FastMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = super::keys::FastMap::default();
        for (code, names) in COUNTRIES {
            for n in names.split('|') {
                m.entry(n).or_insert(*code);
            }
        }
        m
    })
}

/// Alpha-2 code and `|`-separated lower-case names (English first, then
/// common local or older names).
static COUNTRIES: &[(&str, &str)] = &[
    ("AD", "andorra"),
    ("AE", "united arab emirates|uae"),
    ("AF", "afghanistan"),
    ("AG", "antigua and barbuda"),
    ("AI", "anguilla"),
    ("AL", "albania"),
    ("AM", "armenia"),
    ("AO", "angola"),
    ("AQ", "antarctica"),
    ("AR", "argentina"),
    ("AS", "american samoa"),
    ("AT", "austria|osterreich|österreich"),
    ("AU", "australia"),
    ("AW", "aruba"),
    ("AX", "aland islands|åland islands|åland"),
    ("AZ", "azerbaijan"),
    ("BA", "bosnia and herzegovina"),
    ("BB", "barbados"),
    ("BD", "bangladesh"),
    ("BE", "belgium|belgique|belgie|belgië"),
    ("BF", "burkina faso"),
    ("BG", "bulgaria"),
    ("BH", "bahrain"),
    ("BI", "burundi"),
    ("BJ", "benin"),
    ("BL", "saint barthelemy"),
    ("BM", "bermuda"),
    ("BN", "brunei|brunei darussalam"),
    ("BO", "bolivia"),
    ("BQ", "bonaire"),
    ("BR", "brazil|brasil"),
    ("BS", "bahamas"),
    ("BT", "bhutan"),
    ("BV", "bouvet island"),
    ("BW", "botswana"),
    ("BY", "belarus"),
    ("BZ", "belize"),
    ("CA", "canada"),
    ("CC", "cocos keeling islands|cocos islands"),
    (
        "CD",
        "congo the democratic republic of the|democratic republic of the congo",
    ),
    ("CF", "central african republic"),
    ("CG", "congo"),
    ("CH", "switzerland|schweiz|suisse|svizzera"),
    ("CI", "cote d ivoire|côte d ivoire|ivory coast"),
    ("CK", "cook islands"),
    ("CL", "chile"),
    ("CM", "cameroon"),
    ("CN", "china|people s republic of china|prc|中国"),
    ("CO", "colombia"),
    ("CR", "costa rica"),
    ("CU", "cuba"),
    ("CV", "cape verde|cabo verde"),
    ("CW", "curacao|curaçao"),
    ("CX", "christmas island"),
    ("CY", "cyprus"),
    ("CZ", "czech republic|czechia|ceska republika"),
    ("DE", "germany|deutschland"),
    ("DJ", "djibouti"),
    ("DK", "denmark|danmark"),
    ("DM", "dominica"),
    ("DO", "dominican republic"),
    ("DZ", "algeria"),
    ("EC", "ecuador"),
    ("EE", "estonia|eesti"),
    ("EG", "egypt"),
    ("ER", "eritrea"),
    ("ES", "spain|espana|españa"),
    ("ET", "ethiopia"),
    ("FI", "finland|suomi"),
    ("FJ", "fiji"),
    ("FK", "falkland islands"),
    ("FM", "micronesia"),
    ("FO", "faroe islands"),
    ("FR", "france"),
    ("GA", "gabon"),
    (
        "GB",
        "united kingdom|great britain|england|scotland|wales|northern ireland|united kingdom of great britain and northern ireland",
    ),
    ("GD", "grenada"),
    ("GE", "georgia"),
    ("GF", "french guiana"),
    ("GG", "guernsey"),
    ("GH", "ghana"),
    ("GI", "gibraltar"),
    ("GL", "greenland"),
    ("GM", "gambia"),
    ("GN", "guinea"),
    ("GP", "guadeloupe"),
    ("GQ", "equatorial guinea"),
    ("GR", "greece"),
    ("GS", "south georgia and the south sandwich islands"),
    ("GT", "guatemala"),
    ("GU", "guam"),
    ("GW", "guinea bissau"),
    ("GY", "guyana"),
    ("HK", "hong kong"),
    ("HM", "heard island and mcdonald islands"),
    ("HN", "honduras"),
    ("HR", "croatia|hrvatska"),
    ("HT", "haiti"),
    ("HU", "hungary|magyarorszag"),
    ("ID", "indonesia"),
    ("IE", "ireland"),
    ("IL", "israel"),
    ("IM", "isle of man"),
    ("IN", "india"),
    ("IO", "british indian ocean territory"),
    ("IQ", "iraq"),
    ("IR", "iran|iran islamic republic of"),
    ("IS", "iceland"),
    ("IT", "italy|italia"),
    ("JE", "jersey"),
    ("JM", "jamaica"),
    ("JO", "jordan"),
    ("JP", "japan|日本"),
    ("KE", "kenya"),
    ("KG", "kyrgyzstan"),
    ("KH", "cambodia"),
    ("KI", "kiribati"),
    ("KM", "comoros"),
    ("KN", "saint kitts and nevis"),
    ("KP", "north korea"),
    (
        "KR",
        "korea|south korea|republic of korea|korea republic of",
    ),
    ("KW", "kuwait"),
    ("KY", "cayman islands"),
    ("KZ", "kazakhstan"),
    ("LA", "laos|lao people s democratic republic"),
    ("LB", "lebanon"),
    ("LC", "saint lucia"),
    ("LI", "liechtenstein"),
    ("LK", "sri lanka"),
    ("LR", "liberia"),
    ("LS", "lesotho"),
    ("LT", "lithuania"),
    ("LU", "luxembourg"),
    ("LV", "latvia"),
    ("LY", "libya"),
    ("MA", "morocco"),
    ("MC", "monaco"),
    ("MD", "moldova"),
    ("ME", "montenegro"),
    ("MF", "saint martin"),
    ("MG", "madagascar"),
    ("MH", "marshall islands"),
    ("MK", "north macedonia|macedonia"),
    ("ML", "mali"),
    ("MM", "myanmar"),
    ("MN", "mongolia"),
    ("MO", "macao|macau"),
    ("MP", "northern mariana islands"),
    ("MQ", "martinique"),
    ("MR", "mauritania"),
    ("MS", "montserrat"),
    ("MT", "malta"),
    ("MU", "mauritius"),
    ("MV", "maldives"),
    ("MW", "malawi"),
    ("MX", "mexico|méxico"),
    ("MY", "malaysia"),
    ("MZ", "mozambique"),
    ("NA", "namibia"),
    ("NC", "new caledonia"),
    ("NE", "niger"),
    ("NF", "norfolk island"),
    ("NG", "nigeria"),
    ("NI", "nicaragua"),
    ("NL", "netherlands|the netherlands|nederland|holland"),
    ("NO", "norway|norge"),
    ("NP", "nepal"),
    ("NR", "nauru"),
    ("NU", "niue"),
    ("NZ", "new zealand"),
    ("OM", "oman"),
    ("PA", "panama"),
    ("PE", "peru"),
    ("PF", "french polynesia"),
    ("PG", "papua new guinea"),
    ("PH", "philippines"),
    ("PK", "pakistan"),
    ("PL", "poland|polska"),
    ("PM", "saint pierre and miquelon"),
    ("PN", "pitcairn"),
    ("PR", "puerto rico"),
    ("PS", "palestine"),
    ("PT", "portugal"),
    ("PW", "palau"),
    ("PY", "paraguay"),
    ("QA", "qatar"),
    ("RE", "reunion|réunion"),
    ("RO", "romania|românia"),
    ("RS", "serbia|srbija"),
    ("RU", "russia|russian federation|россия"),
    ("RW", "rwanda"),
    ("SA", "saudi arabia"),
    ("SB", "solomon islands"),
    ("SC", "seychelles"),
    ("SD", "sudan"),
    ("SE", "sweden|sverige"),
    ("SG", "singapore"),
    ("SH", "saint helena"),
    ("SI", "slovenia|slovenija"),
    ("SJ", "svalbard and jan mayen"),
    ("SK", "slovakia|slovensko|slovak republic"),
    ("SL", "sierra leone"),
    ("SM", "san marino"),
    ("SN", "senegal"),
    ("SO", "somalia"),
    ("SR", "suriname"),
    ("SS", "south sudan"),
    ("ST", "sao tome and principe"),
    ("SV", "el salvador"),
    ("SX", "sint maarten"),
    ("SY", "syria|syrian arab republic"),
    ("SZ", "eswatini|swaziland"),
    ("TC", "turks and caicos islands"),
    ("TD", "chad"),
    ("TF", "french southern territories"),
    ("TG", "togo"),
    ("TH", "thailand"),
    ("TJ", "tajikistan"),
    ("TK", "tokelau"),
    ("TL", "timor leste|east timor"),
    ("TM", "turkmenistan"),
    ("TN", "tunisia"),
    ("TO", "tonga"),
    ("TR", "turkey|türkiye|turkiye"),
    ("TT", "trinidad and tobago"),
    ("TV", "tuvalu"),
    ("TW", "taiwan|taiwan province of china|台灣|台湾"),
    ("TZ", "tanzania"),
    ("UA", "ukraine|україна"),
    ("UG", "uganda"),
    ("UM", "united states minor outlying islands"),
    (
        "US",
        "united states|united states of america|usa|u s a|u s|america",
    ),
    ("UY", "uruguay"),
    ("UZ", "uzbekistan"),
    ("VA", "holy see|vatican"),
    ("VC", "saint vincent and the grenadines"),
    ("VE", "venezuela"),
    ("VG", "virgin islands british|british virgin islands"),
    ("VI", "virgin islands u s|us virgin islands"),
    ("VN", "vietnam|viet nam"),
    ("VU", "vanuatu"),
    ("WF", "wallis and futuna"),
    ("WS", "samoa"),
    ("YE", "yemen"),
    ("YT", "mayotte"),
    ("ZA", "south africa"),
    ("ZM", "zambia"),
    ("ZW", "zimbabwe"),
];
