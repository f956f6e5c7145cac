//! WHOIS text (RFC 3912 responses) to a [`RegistrationRecord`].
//!
//! WHOIS has no grammar: every registry and many registrars print their own
//! layout. This parser reads the shapes those layouts are built from rather
//! than the layouts themselves:
//!
//! - **key/value lines**: `Key: Value`, `Key.......: Value`, `key:   value`
//!   (RPSL), `[Key]   Value` (JPRS), `a. [Key]   Value`; the key is looked up
//!   in one alias table ([`keys`]), contact keys by role prefix and field
//!   suffix;
//! - **sections**: a heading (`Registrant:`, `Name servers:`, `[Tech-C]`, a
//!   bare `Registrant` followed by indented lines) followed by indented
//!   lines, or by unindented lines up to the next blank line; inside a
//!   contact section generic keys (`Name:`, `Organisation:`) take the
//!   section's role and unlabelled lines are name, street and country;
//! - **blocks** (RPSL-like: .fr, .br, .ee...): blank-line separated
//!   paragraphs; one carrying `nic-hdl` defines a contact that `holder-c`,
//!   `admin-c`, `tech-c`... refer to;
//! - **continuations**: an indented unlabelled line under a keyed line adds
//!   another value (more name servers, more address lines);
//! - **prose** dates: `Record created on 15-Sep-1997.`
//!
//! Values are normalised in [`values`] and dates parsed in [`date`].
//!
//! The parser never fails. Input over [`MAX_WHOIS_BYTES`] yields an empty
//! record flagged `too_large`; binary input (more than 5% control bytes)
//! yields an empty record with `source_format` `binary`.

pub(crate) mod date;
mod keys;
pub(crate) mod values;

use std::collections::HashMap;

use crate::registration::{Contact, RegistrationRecord, Role, rfc3339};
use keys::{CField, Field, Section, classify, norm_key, norm_key_into, section_of};

use values::{
    Phrases, clean, country_code, has_legal_form, is_placeholder, is_privacy_service,
    normalise_email, normalise_host, privacy_service_of, split_statuses, trim,
};

/// Largest response parsed, in bytes (4 MiB; real responses are under 100
/// KiB). Larger input gives a record with `too_large` set and nothing else.
pub const MAX_WHOIS_BYTES: usize = 4 << 20;

/// Longest line looked at, in bytes; longer lines are skipped.
const MAX_LINE: usize = 4096;

/// Parses a WHOIS response given as bytes: UTF-8 when valid, otherwise
/// Latin-1 (every byte a character), which is what non-UTF-8 registries
/// send. See [`parse_whois`].
pub fn parse_whois_bytes(bytes: &[u8]) -> RegistrationRecord {
    if bytes.len() > MAX_WHOIS_BYTES {
        return too_large();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => parse_whois(s),
        Err(_) => {
            let s: String = bytes.iter().map(|&b| char::from(b)).collect();
            parse_whois(&s)
        }
    }
}

/// Parses a WHOIS response. Never fails: see the module docs for what an
/// unparseable, binary or oversized input gives.
pub fn parse_whois(text: &str) -> RegistrationRecord {
    if text.len() > MAX_WHOIS_BYTES {
        return too_large();
    }
    // Binary input shows in any sample; 4 KiB is enough to decide.
    let sample = &text.as_bytes()[..text.len().min(4096)];
    let controls = count_controls(sample);
    if controls * 20 > sample.len() {
        return RegistrationRecord {
            source_format: "binary".to_string(),
            ..RegistrationRecord::default()
        };
    }
    let mut keys = String::with_capacity(text.len());
    let lines = lex(text, &mut keys);
    let mut p = Parser::default();
    p.run(&lines, &keys);
    p.finish(text)
}

/// Control bytes other than tab, line feed, form feed and carriage return,
/// counted without branches in byte-wide lanes (the inner loop vectorises).
fn count_controls(sample: &[u8]) -> usize {
    sample
        .chunks(255)
        .map(|chunk| {
            // At most one per byte, so a chunk's count fits a byte.
            let n = chunk.iter().fold(0u8, |n, &b| {
                // Plain comparisons (not a `matches!` bit test) vectorise.
                let space = (b == b'\t') | (b == b'\n') | (b == 0x0c) | (b == b'\r');
                let control = (b < 0x20) & !space;
                n.wrapping_add(u8::from(control | (b == 0x7f)))
            });
            usize::from(n)
        })
        .sum()
}

fn too_large() -> RegistrationRecord {
    RegistrationRecord {
        too_large: true,
        source_format: "too_large".to_string(),
        ..RegistrationRecord::default()
    }
}

/// One lexed line.
#[derive(Debug)]
struct Line<'a> {
    indent: usize,
    /// The key as written (without brackets, colon or trailing dots).
    key: Option<&'a str>,
    /// The value, or the whole content for unkeyed lines.
    value: &'a str,
    /// The normalised key (empty for unkeyed lines): a range of the
    /// lexer's key buffer.
    nk: (u32, u32),
    /// What the key means, looked up once.
    field: Option<Field>,
    blank: bool,
    bracket: bool,
}

impl Line<'_> {
    /// The normalised key, from the buffer `lex` filled.
    fn nk<'k>(&self, keys: &'k str) -> &'k str {
        keys.get(self.nk.0 as usize..self.nk.1 as usize)
            .unwrap_or_default()
    }
}

/// Cuts the text into lines; every line's normalised key is appended to
/// `keys` (one buffer for the whole response).
fn lex<'a>(text: &'a str, keys: &mut String) -> Vec<Line<'a>> {
    // Lines average some thirty bytes; a guess saves a counting pass.
    let mut out = Vec::with_capacity(text.len() / 24 + 8);
    // Line ends found eight bytes a step (`find_byte`), not `str::split`.
    let mut start = 0;
    let bytes = text.as_bytes();
    while start <= bytes.len() {
        let end = values::find_byte(&bytes[start..], b'\n').map_or(bytes.len(), |i| start + i);
        let raw = &text[start..end];
        start = end + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let content = strip_marker(trim(raw));
        if content.is_empty() || raw.len() > MAX_LINE {
            out.push(Line {
                indent: 0,
                key: None,
                value: "",
                nk: (0, 0),
                field: None,
                blank: true,
                bracket: false,
            });
            continue;
        }
        let indent: usize = raw
            .chars()
            .take_while(|c| c.is_whitespace())
            .map(|c| if c == '\t' { 8 } else { 1 })
            .sum();
        if is_comment(content) {
            continue;
        }
        let (key, value, bracket) = split_key(content);
        let start = keys.len();
        let field = match key {
            Some(k) => keys::key_info(k, keys),
            None => None,
        };
        let nk = (start as u32, keys.len() as u32);
        out.push(Line {
            indent,
            key,
            value,
            nk,
            field,
            blank: false,
            bracket,
        });
    }
    out
}

/// Whether `s` has more than `n` white-space separated words.
fn more_words_than(s: &str, n: usize) -> bool {
    if !s.is_ascii() {
        return s.split_whitespace().nth(n).is_some();
    }
    // Word starts: a byte that is not white space after one that is (or
    // at the start).
    let ws = |b: u8| b == b' ' || b.wrapping_sub(0x09) < 5;
    let mut words = 0;
    let mut in_word = false;
    for &b in s.as_bytes() {
        let w = ws(b);
        words += usize::from(!w & !in_word);
        in_word = !w;
    }
    words > n
}

/// A line without its `** ` section marker (.tr: `** Registrant:`, `**
/// Domain Name: example.tr`); banners (`*****`, `** text **`) keep theirs
/// and are comments.
fn strip_marker(c: &str) -> &str {
    match c.as_bytes() {
        [b'*', b'*', b' ', first, ..] if first.is_ascii_alphanumeric() && !c.ends_with('*') => {
            &c[3..]
        }
        _ => c,
    }
}

fn is_comment(c: &str) -> bool {
    c.starts_with('%')
        || c.starts_with('#')
        || c.starts_with(">>>")
        || c.starts_with("--")
        || (c.starts_with('*') && !c.ends_with(':'))
        || c.starts_with(';')
        || c.starts_with("NOTICE:")
        || c.starts_with("TERMS OF USE:")
        || (c.starts_with('[') && c.ends_with(']') && c.len() > 42)
}

/// Splits `Key: Value`, `[Key] Value`, `a. [Key] Value`.
fn split_key(c: &str) -> (Option<&str>, &str, bool) {
    let mut s = c;
    // JPRS `a. [Domain Name]`
    let b = s.as_bytes();
    if b.len() > 4 && b[0].is_ascii_lowercase() && (b[1] == b'.' || b[1] == b' ') {
        let rest = s[2..].trim_start();
        if rest.starts_with('[') {
            s = rest;
        }
    }
    if let Some(rest) = s.strip_prefix('[')
        && let Some(end) = rest.find(']')
        && end > 0
        && end <= 40
    {
        return (Some(trim(&rest[..end])), trim(&rest[end + 1..]), true);
    }
    let Some(i) = values::find_byte(s.as_bytes(), b':') else {
        // `Domain name<TAB>google.ch` (SWITCH).
        if let Some(t) = values::find_byte(s.as_bytes(), b'\t') {
            let (k, v) = (&s[..t], &s[t + 1..]);
            let k = k.trim();
            if !k.is_empty() && k.len() <= 40 {
                return (Some(k), v.trim(), false);
            }
        }
        // `dns_name            ns1.google.com` (SK-NIC): a one-word known
        // key, then spaces.
        if let Some(i) = s.as_bytes().windows(2).position(|w| w == b"  ") {
            let k = &s[..i];
            let v = s[i..].trim();
            if k.len() <= 30
                && k.chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
                && v.split_whitespace().count() <= 4
                && classify(&norm_key(k)).is_some()
            {
                return (Some(k), v, false);
            }
        }
        return (None, s, false);
    };
    let dots = trim(&s[..i]);
    let dots = &dots[..dots.len() - dots.bytes().rev().take_while(|&b| b == b'.').count()];
    let mut key = trim(dots);
    let value = trim(&s[i + 1..]);
    // `Company English Name (It should be the same as ...): GOOGLE LLC`
    // `Servidores de nombre (Domain servers)`: the label in parentheses is
    // the one to use when only it is known.
    if key.ends_with(')')
        && let Some(open) = key.find('(')
        && open > 0
    {
        let base = key[..open].trim();
        let inner = key[open + 1..key.len() - 1].trim();
        let known = |k: &str| {
            let n = norm_key(k);
            let f = classify(&n);
            f.is_some() || section_of(&n).is_some() || heading(&n, f).is_some()
        };
        key = if !known(base) && inner.len() <= 40 && known(inner) {
            inner
        } else {
            base
        };
    }
    // `Record created on 2005-04-15 21:43:27`: the colon is in a time.
    let time_colon = key.ends_with(|c: char| c.is_ascii_digit())
        && value.starts_with(|c: char| c.is_ascii_digit());
    if key.is_empty()
        || time_colon
        || key.len() > 60
        || value.starts_with("//")
        || key
            .as_bytes()
            .windows(4)
            .any(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]) == u32::from_le_bytes(*b"http"))
        || key.starts_with(|c: char| c.is_ascii_digit())
        // Eight words take at least fifteen bytes.
        || (key.len() >= 15 && more_words_than(key, 7))
    {
        return (None, s, false);
    }
    (Some(key), value, false)
}

/// The roles a contact heading names, in order (`Administrative Contact,
/// Technical Contact` names two).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Roles([Option<Role>; 4]);

impl Roles {
    fn one(r: Role) -> Self {
        Roles([Some(r), None, None, None])
    }

    /// Adds a role not yet named (at most the four there are).
    fn push(&mut self, r: Role) {
        if self.0.contains(&Some(r)) {
            return;
        }
        if let Some(slot) = self.0.iter_mut().find(|s| s.is_none()) {
            *slot = Some(r);
        }
    }

    fn iter(self) -> impl Iterator<Item = Role> {
        self.0.into_iter().flatten()
    }

    fn first(self) -> Option<Role> {
        self.0[0]
    }
}

/// An open section.
#[derive(Debug, Clone, Copy)]
struct Open<'a> {
    kind: Section,
    /// The heading's key as written.
    head: &'a str,
    /// What the heading's key means as a key (`Domain name:` over an
    /// indented value).
    head_field: Option<Field>,
    /// The heading is `Organisation` (its first line is the organisation).
    org_head: bool,
    roles: Roles,
    indent: usize,
    /// Children may sit at the heading's indent (until a blank line).
    flat: bool,
    children: usize,
    blank_since: bool,
}

/// Where the last value went, for continuation lines.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Last {
    NameServer,
    Street(Target),
    Status,
}

/// Which contact a value belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Role(Role),
    /// A handle block (index into `blocks`).
    Block(usize),
}

#[derive(Default)]
struct Parser<'a> {
    rec: RegistrationRecord,
    /// Contact blocks by lower-case handle.
    blocks: Vec<(String, Contact)>,
    refs: HashMap<Role, String>,
    section: Option<Open<'a>>,
    last: Option<Last>,
    last_indent: usize,
    /// Whether a `Domain` key has been seen in an earlier paragraph.
    domain_paragraph_done: bool,
    saw_bracket: bool,
    saw_icann: bool,
    saw_sections: bool,
    /// Role set by `contact: administrative` (IANA layout), for this paragraph.
    para_role: Option<Role>,
    /// Handle block of the current paragraph.
    para_block: Option<usize>,
    para_has_domain: bool,
    /// The paragraph is a registrar's own block (.fr), not the domain's.
    para_registrar: bool,
    /// The paragraph describes a contact or registrar, not the domain.
    para_foreign: bool,
    /// A registrar given as a handle (`MARK-0292`), the name of last resort.
    registrar_handle: Option<String>,
    /// Raw created, updated and expires values, parsed day-first, and
    /// whether each is unambiguously month-first.
    dates: [Option<(String, i64, bool)>; 3],
    /// Buffer for normalising unlabelled lines' text.
    scratch: String,
    /// Contacts declared organisations (`type: ORGANIZATION`).
    org_targets: Vec<Target>,
}

impl<'a> Parser<'a> {
    fn run(&mut self, lines: &[Line<'a>], keys: &str) {
        let mut i = 0;
        while i < lines.len() {
            if lines[i].blank {
                self.blank();
                i += 1;
                continue;
            }
            // Start of a paragraph: find a handle definition in it.
            if i == 0 || lines[i - 1].blank {
                self.start_paragraph(lines, i, keys);
            }
            let next = lines[i + 1..].iter().find(|l| !l.blank);
            let adjacent = lines.get(i + 1).is_some_and(|l| !l.blank);
            self.line(&lines[i], next, adjacent, keys);
            i += 1;
        }
    }

    fn blank(&mut self) {
        if let Some(s) = &mut self.section {
            if s.children > 0 && (s.flat || !matches!(s.kind, Section::Plain)) {
                self.section = None;
            } else if !s.flat {
                s.blank_since = true;
            }
        }
        self.last = None;
        if self.para_has_domain {
            self.domain_paragraph_done = true;
        }
        self.para_role = None;
        self.para_block = None;
        self.para_has_domain = false;
        self.para_registrar = false;
        self.para_foreign = false;
    }

    fn start_paragraph(&mut self, lines: &[Line<'_>], start: usize, keys: &str) {
        let para = || lines[start..].iter().take_while(|l| !l.blank);
        // A paragraph naming the domain is the domain's own, even when it
        // carries a handle (NORID's `NORID Handle` of the domain object);
        // one under a contact or registrar heading (.tr `** Administrative
        // Contact:` then `NIC Handle: mi154-metu`) is that heading's
        // section, whose handle nothing refers to.
        let domain = para().any(|l| l.field == Some(Field::Domain));
        let headed = lines.get(start).is_some_and(|l| {
            l.key.is_some()
                && l.value.is_empty()
                && matches!(
                    heading(l.nk(keys), l.field),
                    Some((Section::Contact(_) | Section::Registrar, _))
                )
        });
        for l in para().filter(|_| !domain && !headed) {
            if l.field == Some(Field::NicHandle) {
                let handle = l.value.trim().to_lowercase();
                if !handle.is_empty() && self.blocks.len() < 64 {
                    self.blocks.push((handle, Contact::default()));
                    self.para_block = Some(self.blocks.len() - 1);
                    self.section = None;
                }
                return;
            }
        }
        // A paragraph of contact details with no role after the domain's
        // (IANA's `organisation:` block, .ua's registrant block): the
        // registrant, when none has been seen.
        if let Some(l0) = lines.get(start).filter(|l| l.key.is_some()) {
            let first_val = l0.value;
            if self.domain_paragraph_done
                && matches!(
                    l0.field,
                    Some(Field::Bare(CField::Name | CField::Org | CField::Whole))
                )
                && role_word(first_val).is_none()
                && self.rec.contacts.registrant.is_empty()
                && !self
                    .rec
                    .redacted
                    .fields
                    .iter()
                    .any(|f| f.starts_with("registrant"))
            {
                self.para_role = Some(Role::Registrant);
            }
        }
        // A registrar's own block (.fr, .ua): starts with `registrar:` after
        // the domain's paragraph and carries address details.
        if let Some(first) = lines.get(start)
            && first.key.is_some()
        {
            let details = lines[start..]
                .iter()
                .take_while(|l| !l.blank)
                .filter(|l| matches!(l.field, Some(Field::Bare(_))))
                .count();
            let has_domain = lines[start..]
                .iter()
                .take_while(|l| !l.blank)
                .any(|l| l.field == Some(Field::Domain));
            if self.domain_paragraph_done && details >= 2 && !has_domain {
                self.para_foreign = true;
                if first.indent == 0 && first.field == Some(Field::Registrar) {
                    self.para_registrar = true;
                }
            }
        }
    }

    fn line(&mut self, l: &Line<'a>, next: Option<&Line<'a>>, adjacent: bool, keys: &str) {
        let l_nk = l.nk(keys);
        if l.bracket {
            self.saw_bracket = true;
        }
        // Leave a section the line is not part of.
        if let Some(s) = &self.section {
            let inside = if l.indent > s.indent {
                true
            } else if l.indent == s.indent && !s.blank_since {
                match l.key {
                    None => s.flat,
                    Some(_) => (s.flat || l.bracket) && same_indent_member(s, l_nk, l.field),
                }
            } else {
                false
            };
            if !inside {
                self.section = None;
            }
        }
        // A heading?
        let heading_text = match l.key {
            Some(k) if l.value.is_empty() => Some(k),
            // Headings are short; prose lines are not looked up.
            None if l.value.len() <= 60 && (l.value.len() < 13 || !more_words_than(l.value, 6)) => {
                Some(l.value.trim_end_matches(':'))
            }
            _ => None,
        };
        if let Some(h) = heading_text {
            // Unlabelled lines are normalised into a buffer kept between
            // lines; keyed lines were normalised and classified by `lex`.
            let mut scratch = std::mem::take(&mut self.scratch);
            let (nk, field) = if l.key.is_some() {
                (l_nk, l.field)
            } else {
                scratch.clear();
                norm_key_into(h, &mut scratch);
                (scratch.as_str(), classify(&scratch))
            };
            let opened = self.open_heading(l, next.map(|n| (n, adjacent)), keys, h, nk, field);
            self.scratch = scratch;
            if opened {
                return;
            }
            if l.key.is_some() {
                // Empty field.
                return;
            }
        }
        let section = self.section;
        if let Some(s) = &mut self.section {
            s.children += 1;
        }
        match l.key {
            Some(k) => self.keyed_nk(k, l_nk, l.field, l.value, l.indent, section.as_ref()),
            None => self.unkeyed(l.value, l.indent, section.as_ref()),
        }
    }

    /// Opens the section a heading line starts, if it is one. `next` is
    /// the next non-blank line and whether it is the very next line.
    fn open_heading(
        &mut self,
        l: &Line<'a>,
        next: Option<(&Line<'a>, bool)>,
        keys: &str,
        h: &'a str,
        nk: &str,
        field: Option<Field>,
    ) -> bool {
        let Some((kind, roles)) = heading(nk, field) else {
            return false;
        };
        let adjacent = next.is_some_and(|(_, a)| a);
        let next = next.map(|(n, _)| n);
        let nested = next.is_some_and(|n| n.indent > l.indent);
        // Children at the heading's indent: unlabelled lines (.pl,
        // .ch), `[Key]` lines (JPRS) or generic keys (.ee, .fi); a status
        // list's right under it (DNS Belgium's empty `Flags:` is followed
        // by a blank line and a notice).
        let flat = (adjacent || kind != Section::Status)
            && next.is_some_and(|n| {
                n.indent == l.indent
                    && match n.key {
                        None => true,
                        Some(_) => {
                            let probe = Open {
                                kind,
                                head: "",
                                head_field: None,
                                org_head: false,
                                roles: Roles::default(),
                                indent: 0,
                                flat: true,
                                children: 0,
                                blank_since: false,
                            };
                            n.bracket || same_indent_member(&probe, n.nk(keys), n.field)
                        }
                    }
            });
        let explicit = l.key.is_some() || l.value.ends_with(':') || nested;
        if !(nested || (flat && (explicit || section_of_field(nk, field).is_some()))) {
            return false;
        }
        self.saw_sections = true;
        self.section = Some(Open {
            kind,
            head: h,
            head_field: field,
            org_head: matches!(nk, "organisation" | "organization"),
            roles,
            indent: l.indent,
            flat: !nested,
            children: 0,
            blank_since: false,
        });
        self.last = None;
        true
    }

    /// Opens a flat section after `Registrar: MARK-0292` or `Domain
    /// registrant: mmr-170347`, whose details follow as generic keys (.sk).
    fn open_after_handle(&mut self, kind: Section, indent: usize) {
        let roles = match kind {
            Section::Contact(r) => Roles::one(r),
            _ => Roles::default(),
        };
        self.section = Some(Open {
            kind,
            head: "",
            head_field: None,
            org_head: false,
            roles,
            indent,
            flat: true,
            children: 0,
            blank_since: false,
        });
    }

    fn keyed(&mut self, key: &str, value: &str, indent: usize, section: Option<&Open<'a>>) {
        let nk = norm_key(key);
        let field = classify(&nk);
        self.keyed_nk(key, &nk, field, value, indent, section);
    }

    fn keyed_nk(
        &mut self,
        key: &str,
        nk: &str,
        field: Option<Field>,
        value: &str,
        indent: usize,
        section: Option<&Open<'a>>,
    ) {
        if matches!(
            nk,
            "registry domain id" | "registrar iana id" | "registrar abuse contact email"
        ) {
            self.saw_icann = true;
        }
        self.last_indent = indent;
        self.last = None;
        if nk == "type" {
            let v = value.trim().to_lowercase();
            if matches!(
                v.as_str(),
                "organization" | "organisation" | "org" | "company" | "legal person"
            ) {
                let target = match (self.para_block, section) {
                    (Some(b), _) => Some(Target::Block(b)),
                    (
                        None,
                        Some(Open {
                            kind: Section::Contact(r),
                            ..
                        }),
                    ) => Some(Target::Role(*r)),
                    _ => None,
                };
                if let Some(t) = target {
                    self.org_targets.push(t);
                }
            }
            return;
        }
        // Inside a contact section, generic contact keys take its role.
        if let Some(Open {
            kind: Section::Contact(_),
            roles,
            ..
        }) = section
            && let Some(f) = contact_field(nk, field)
        {
            for r in roles.iter() {
                self.contact_value(Target::Role(r), f, value);
            }
            if f == CField::Street
                && let Some(r) = roles.first()
            {
                self.last = Some(Last::Street(Target::Role(r)));
            }
            return;
        }
        if let Some(Open {
            kind: Section::Registrar,
            ..
        }) = section
        {
            match nk {
                "name" | "organization" | "organisation" | "org" | "registrar name"
                | "organization name" | "organisation name" | "company name" => {
                    self.set_registrar(value);
                    return;
                }
                "url" | "website" | "web" | "www" | "homepage" | "referral url" => {
                    set_once(&mut self.rec.registrar.url, value);
                    return;
                }
                "registrar" => {
                    if self.registrar_handle.is_none() {
                        self.set_registrar(value);
                    }
                    return;
                }
                _ => {
                    if contact_field(nk, field).is_some() {
                        return;
                    }
                }
            }
        }
        if let Some(Open {
            kind: Section::Ignore,
            ..
        }) = section
        {
            return;
        }
        if let Some(Open {
            kind: Section::Plain,
            head,
            head_field,
            ..
        }) = section
        {
            // `Domain:` over `name: git.ee`.
            if nk == "name" && *head_field == Some(Field::Domain) {
                self.keyed(head, value, indent, None);
                return;
            }
        }
        let Some(field) = field else {
            if let Some(Open {
                kind: Section::NameServers,
                ..
            }) = section
            {
                // `ns2.switch.ch<TAB>130.59.31.29`
                self.add_ns(key);
            }
            return;
        };
        // Registry and registrar dates of a registrar's own block (.fr).
        let foreign = self.para_foreign || self.para_block.is_some();
        match field {
            Field::Domain => {
                self.para_has_domain = true;
                // `GOOGLE.TK is Active` (Freenom).
                if let Some((_, state)) = value.split_once(" is ")
                    && self.para_block.is_none()
                    && state.split_whitespace().count() <= 3
                {
                    split_statuses(state, &mut self.rec.statuses);
                }
                if self.rec.domain.is_none() && self.para_block.is_none() {
                    let d = value
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_end_matches('.')
                        .to_lowercase();
                    if d.contains('.') || (!d.is_empty() && d.len() < 64) {
                        self.rec.domain = Some(d);
                    }
                }
            }
            Field::Registrar => {
                if self.para_block.is_some() {
                    // A contact block's own registrar (NORID).
                    return;
                }
                if is_handle(value) {
                    // `Registrar: MARK-0292` followed by the registrar's details.
                    if self.registrar_handle.is_none() {
                        self.registrar_handle = clean(value);
                    }
                    self.open_after_handle(Section::Registrar, indent);
                } else {
                    self.set_registrar(value);
                }
            }
            Field::RegistrarIanaId => {
                if value.chars().all(|c| c.is_ascii_digit()) {
                    set_once(&mut self.rec.registrar.iana_id, value);
                }
            }
            Field::WhoisServer => {
                if let Some(h) = normalise_host(value)
                    && self.rec.registrar.whois_server.is_none()
                {
                    self.rec.registrar.whois_server = Some(h);
                }
            }
            Field::RegistrarUrl => set_once(&mut self.rec.registrar.url, value),
            Field::AbuseEmail => {
                if self.rec.registrar.abuse_email.is_none() {
                    self.rec.registrar.abuse_email = normalise_email(value);
                }
            }
            Field::AbusePhone => set_once(&mut self.rec.registrar.abuse_phone, value),
            Field::Created | Field::Updated | Field::Expires => {
                // Dates are first-wins, so only blocks that are surely not
                // the domain's are skipped here.
                if self.para_registrar || self.para_block.is_some() {
                    return;
                }
                if matches!(
                    section,
                    Some(Open {
                        kind: Section::Contact(_) | Section::Registrar,
                        ..
                    })
                ) {
                    // A contact's or registrar's own dates.
                    return;
                }
                self.keyed_date(field, value);
            }
            Field::Status => {
                if !foreign && self.rec.statuses.len() < 64 {
                    split_statuses(value, &mut self.rec.statuses);
                    self.last = Some(Last::Status);
                }
            }
            Field::NameServer => {
                if !foreign {
                    self.add_ns(value);
                    self.last = Some(Last::NameServer);
                }
            }
            Field::Dnssec => {
                if self.rec.dnssec.is_none() && !value.is_empty() {
                    self.rec.dnssec = Some(norm_dnssec(value));
                }
            }
            Field::NicHandle | Field::Skip => {}
            Field::Contact(role, CField::Handle) => {
                if let Some(b) = self.para_block {
                    // `admin-c` inside a contact block refers elsewhere.
                    let _ = b;
                } else if !value.is_empty() {
                    self.refs
                        .entry(role)
                        .or_insert_with(|| value.trim().to_lowercase());
                }
            }
            Field::Contact(role, CField::Whole) if is_handle(value) => {
                if self.para_block.is_none() {
                    self.refs
                        .entry(role)
                        .or_insert_with(|| value.trim().to_lowercase());
                    self.open_after_handle(Section::Contact(role), indent);
                }
            }
            Field::Contact(role, f) => {
                let t = match self.para_block {
                    Some(b) => Target::Block(b),
                    None => Target::Role(role),
                };
                self.contact_value(t, f, value);
                if f == CField::Street {
                    self.last = Some(Last::Street(t));
                }
            }
            Field::Bare(f) => {
                if nk == "contact"
                    && let Some(r) = role_word(value)
                {
                    self.para_role = Some(r);
                    return;
                }
                // RPSL `descr:` lines: the holder, then its address.
                let f = match (f, self.para_role, self.para_block) {
                    (CField::Whole, None, None) if nk == "descr" => {
                        let c = &self.rec.contacts.registrant;
                        if c.name.is_some() || c.org.is_some() {
                            CField::Street
                        } else {
                            f
                        }
                    }
                    _ => f,
                };
                if self.para_registrar {
                    if f == CField::Org
                        && let Some(v) = clean(value)
                    {
                        self.rec.registrar.name = Some(v);
                    }
                    return;
                }
                let target = match (self.para_block, self.para_role) {
                    (Some(b), _) => Some(Target::Block(b)),
                    (None, Some(r)) => Some(Target::Role(r)),
                    (None, None) if (self.para_has_domain && !self.para_registrar) => {
                        Some(Target::Role(Role::Registrant))
                    }
                    _ => None,
                };
                if let Some(t) = target {
                    self.contact_value(t, f, value);
                    if f == CField::Street {
                        self.last = Some(Last::Street(t));
                    }
                }
            }
        }
    }

    fn unkeyed(&mut self, value: &str, indent: usize, section: Option<&Open<'a>>) {
        if let Some(s) = section {
            match s.kind {
                Section::NameServers => {
                    // `NS1.GOOGLE.COM   NS2.GOOGLE.COM` (SGNIC): several
                    // hosts on a line when every token is a host or address.
                    let toks: Vec<&str> = value.split_whitespace().collect();
                    let all_hosts = toks.len() > 1
                        && toks.iter().all(|t| {
                            normalise_host(t).is_some() || t.parse::<std::net::IpAddr>().is_ok()
                        });
                    if all_hosts {
                        for t in toks {
                            self.add_ns(t);
                        }
                    } else {
                        self.add_ns(value);
                    }
                    return;
                }
                Section::Status => {
                    if self.rec.statuses.len() < 64 {
                        split_statuses(value, &mut self.rec.statuses);
                    }
                    return;
                }
                Section::Registrar => {
                    if is_url(value) {
                        set_once(&mut self.rec.registrar.url, value);
                    } else if s.children == 0 && self.rec.registrar.name.is_none() {
                        self.set_registrar(value);
                    }
                    return;
                }
                Section::Contact(_) => {
                    let first = s.children == 0;
                    for r in s.roles.iter() {
                        self.contact_line(Target::Role(r), value, first);
                    }
                    return;
                }
                Section::Ignore => return,
                Section::Plain => {
                    // `Domain name:` over an indented `example.uk`.
                    if s.head_field.is_some() {
                        self.keyed(s.head, value, indent, None);
                        return;
                    }
                }
            }
        }
        // A continuation of the previous keyed line.
        if indent > 0 || self.last.is_some() {
            match self.last {
                Some(Last::NameServer) if indent > 0 => {
                    self.add_ns(value);
                    return;
                }
                Some(Last::Street(t)) if indent > 0 => {
                    self.contact_value(t, CField::Street, value);
                    return;
                }
                Some(Last::Status) if indent > 0 => {
                    split_statuses(value, &mut self.rec.statuses);
                    return;
                }
                _ => {}
            }
        }
        // `Record created on 15-Sep-1997.`
        if value.len() > 100 || !value.bytes().any(|b| b.is_ascii_digit()) {
            return;
        }
        if let Some(i) = value.rfind(" on ") {
            let nk = norm_key(&value[..i + 3]);
            // `Record expires on`, `Registered on`; not `Last updated on`,
            // which is the database's timestamp in most layouts.
            let about_domain =
                nk.starts_with("record") || nk.starts_with("domain") || nk.contains("regist");
            if let (true, Some(f @ (Field::Created | Field::Expires | Field::Updated))) =
                (about_domain, classify(&nk))
            {
                self.keyed_date(f, value[i + 4..].trim_end_matches('.'));
            }
        }
    }

    /// Keeps the first parseable value of each date field; parsed in
    /// `finish`, where the record's day/month order is known.
    fn keyed_date(&mut self, f: Field, v: &str) {
        let i = match f {
            Field::Created => 0,
            Field::Updated => 1,
            _ => 2,
        };
        if self.dates[i].is_none()
            && let Some((t, mdy)) = date::parse_date_order(v, false)
        {
            self.dates[i] = Some((v.to_string(), t, mdy));
        }
    }

    fn add_ns(&mut self, value: &str) {
        if self.rec.name_servers.len() >= 64 {
            return;
        }
        if let Some(h) = normalise_host(value)
            && !self.rec.name_servers.contains(&h)
        {
            self.rec.name_servers.push(h);
        }
    }

    fn set_registrar(&mut self, value: &str) {
        if self.rec.registrar.name.is_some() {
            return;
        }
        let mut v = value;
        if let Some(i) = values::find(v, "[Tag") {
            v = &v[..i];
        }
        // `Megazone(http://HOSTING.KR)`, `NETPLANET GmbH ( https://nic.at/... )`
        if let Some(i) = v.find('(') {
            let inner = v[i + 1..].trim_start().to_lowercase();
            if inner.starts_with("http") || inner.starts_with("www.") {
                v = &v[..i];
            }
        }
        // `MarkMonitor, Inc. (R22-LRCC)`, `MarkMonitor Inc. (292)`: an id.
        let t = v.trim();
        if let (Some(i), true) = (t.rfind('('), t.ends_with(')'))
            && i > 0
            && is_handle(&t[i + 1..t.len() - 1])
        {
            v = &t[..i];
        }
        // `MarkMonitor Inc R45-ME`: a trailing registrar handle.
        let t = v.trim();
        if let Some((head, last)) = t.rsplit_once(' ')
            && is_handle(last)
            && last.contains('-')
            && last.starts_with(|c: char| c.is_ascii_uppercase())
            && !last.contains(|c: char| c.is_lowercase())
        {
            v = head;
        }
        let l = v.trim().to_lowercase();
        if l.starts_with("http://") || l.starts_with("https://") {
            set_once(&mut self.rec.registrar.url, v);
            return;
        }
        if let Some(c) = clean(v)
            && !is_placeholder(&c)
        {
            self.rec.registrar.name = Some(c);
        }
    }

    /// An unlabelled line in a contact section: the first is the name (or
    /// organisation), later ones street lines; e-mail addresses and phone
    /// numbers are recognised by shape.
    fn contact_line(&mut self, t: Target, value: &str, first: bool) {
        let mut rest = String::new();
        let mut had_email = false;
        let org_first = self.section.as_ref().is_some_and(|s| s.org_head);
        // Only a token with an `@` can be an address.
        if memchr::memchr(b'@', value.as_bytes()).is_some() {
            for tok in value.split_whitespace() {
                if let Some(e) = normalise_email(tok) {
                    self.contact_value(t, CField::Email, &e);
                    had_email = true;
                } else {
                    if !rest.is_empty() {
                        rest.push(' ');
                    }
                    rest.push_str(tok);
                }
            }
        }
        let rest: &str = if had_email {
            &rest
        } else if value.split_whitespace().nth(1).is_none() || !has_space_run(value) {
            // Already single-spaced: the words joined are the value.
            value.trim()
        } else {
            rest = value.split_whitespace().collect::<Vec<_>>().join(" ");
            &rest
        };
        // Drop a `(HANDLE)` suffix.
        let text = match rest.rfind('(') {
            Some(i) if rest.ends_with(')') && i > 0 => rest[..i].trim(),
            _ => rest.trim(),
        };
        if text.is_empty() {
            return;
        }
        let visit = text
            .get(..6)
            .is_some_and(|p| p.eq_ignore_ascii_case("visit "));
        if is_placeholder(text) || visit {
            self.redact(t, "name");
            return;
        }
        if looks_like_phone(text) {
            let has_phone = self.contact(t).phone.is_some();
            let f = if has_phone {
                CField::Fax
            } else {
                CField::Phone
            };
            self.contact_value(t, f, text);
            return;
        }
        let c = self.contact(t);
        if had_email && c.org.is_none() && c.name.is_some() && c.street.is_empty() {
            // `CIMTA` then `Super AE  super.ae88@gmail.com`: the first line
            // was the organisation, this one is the person.
            c.org = c.name.take();
            self.contact_value(t, CField::Name, text);
        } else if had_email && c.name.is_none() {
            self.contact_value(t, CField::Name, text);
        } else if first && org_first {
            self.contact_value(t, CField::Org, text);
        } else if first || (c.name.is_none() && c.org.is_none()) {
            self.contact_value(t, CField::Whole, text);
        } else {
            self.contact_value(t, CField::Street, text);
        }
    }

    fn contact(&mut self, t: Target) -> &mut Contact {
        match t {
            Target::Role(r) => self.rec.contacts.get_mut(r),
            Target::Block(i) => &mut self.blocks[i].1,
        }
    }

    fn redact(&mut self, t: Target, field: &str) {
        if let Target::Role(r) = t {
            // `registrant.email`, built on the stack.
            let mut buf = [0u8; 32];
            let (role, field) = (r.as_str().as_bytes(), field.as_bytes());
            let n = role.len() + 1 + field.len();
            if n <= buf.len() {
                buf[..role.len()].copy_from_slice(role);
                buf[role.len()] = b'.';
                buf[role.len() + 1..n].copy_from_slice(field);
                if let Ok(path) = std::str::from_utf8(&buf[..n]) {
                    self.rec.redacted.add(path);
                }
            }
        } else {
            self.rec.redacted.any = true;
        }
    }

    fn contact_value(&mut self, t: Target, f: CField, raw: &str) {
        let Some(v) = values::clean_cow(raw) else {
            return;
        };
        let name = match f {
            CField::Whole | CField::Name => "name",
            CField::Org => "org",
            CField::Street => "street",
            CField::City => "city",
            CField::State => "state",
            CField::Postal => "postal",
            CField::Country => "country",
            CField::Phone => "phone",
            CField::Fax => "fax",
            CField::Email => "email",
            CField::Handle | CField::Skip => return,
        };
        if f == CField::Email {
            // `abuse: abuse@freenom.com, copyright: ...`: the first address.
            let found = normalise_email(&v).or_else(|| {
                v.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                    .find_map(normalise_email)
            });
            match found {
                Some(e) => {
                    let c = self.contact(t);
                    if c.email.is_none() {
                        c.email = Some(e);
                    }
                }
                None => self.redact(t, "email"),
            }
            return;
        }
        if is_placeholder(&v)
            && !(matches!(f, CField::Whole | CField::Name | CField::Org)
                && is_privacy_service(&v)
                && !v.to_lowercase().contains("redacted"))
        {
            self.redact(t, name);
            return;
        }
        let c = self.contact(t);
        match f {
            CField::Whole => {
                if has_legal_form(&v) || is_privacy_service(&v) {
                    set_opt(&mut c.org, &v);
                } else {
                    set_opt(&mut c.name, &v);
                }
            }
            CField::Name => set_opt(&mut c.name, &v),
            CField::Org => set_opt(&mut c.org, &v),
            CField::Street => {
                if c.street.len() < 8 {
                    c.street.push(v.into_owned());
                }
            }
            CField::City => set_opt(&mut c.city, &v),
            CField::State => set_opt(&mut c.state, &v),
            CField::Postal => set_opt(&mut c.postal, &v),
            CField::Country => {
                if c.country.is_none() {
                    c.country = country_code(&v);
                }
            }
            CField::Phone => set_opt(&mut c.phone, &v),
            CField::Fax => set_opt(&mut c.fax, &v),
            CField::Email | CField::Handle | CField::Skip => {}
        }
    }

    fn finish(mut self, text: &str) -> RegistrationRecord {
        // One record writes all its dates the same way: if any is
        // unambiguously month-first (`12/18/2001`), all are.
        let mdy = self.dates.iter().flatten().any(|(_, _, mdy)| *mdy);
        let [c, u, e] = std::mem::take(&mut self.dates);
        let parse = |d: Option<(String, i64, bool)>| {
            d.and_then(|(raw, t, _)| {
                if mdy {
                    date::parse_date(&raw, true)
                } else {
                    Some(t)
                }
            })
            .map(rfc3339)
        };
        self.rec.created = parse(c);
        self.rec.updated = parse(u);
        self.rec.expires = parse(e);
        for t in std::mem::take(&mut self.org_targets) {
            let c = self.contact(t);
            if c.org.is_none() {
                c.org = c.name.take();
            }
        }
        // Resolve handle references.
        for role in Role::ALL {
            let Some(h) = self.refs.get(&role) else {
                continue;
            };
            if let Some((_, block)) = self.blocks.iter().find(|(k, _)| k == h) {
                let c = self.rec.contacts.get_mut(role);
                merge_contact(c, block);
            }
        }
        // Street lines ending in a country.
        for role in Role::ALL {
            let c = self.rec.contacts.get_mut(role);
            if c.country.is_none()
                && let Some(last) = c.street.last()
                && let Some(cc) = country_code(last)
            {
                c.country = Some(cc);
                c.street.pop();
            }
        }
        if self.rec.registrar.name.is_none() {
            self.rec.registrar.name = self.registrar_handle.take();
        }
        // `DNS: google.dk` names the zone, not a server.
        if let Some(d) = &self.rec.domain {
            self.rec.name_servers.retain(|n| n != d);
        }
        let reg = &self.rec.contacts.registrant;
        self.rec.privacy_service = privacy_service_of(
            reg.org.as_ref(),
            reg.name.as_ref(),
            reg.email.as_ref(),
            self.rec.registrar.name.as_ref(),
        );
        self.rec.source_format = if self.saw_icann {
            "whois:icann-2013"
        } else if self.saw_bracket {
            "whois:jprs"
        } else if !self.blocks.is_empty() {
            "whois:rpsl"
        } else if self.saw_sections {
            "whois:sections"
        } else {
            "whois:key-value"
        }
        .to_string();
        let has_data = self.rec.created.is_some()
            || self.rec.expires.is_some()
            || !self.rec.name_servers.is_empty()
            || self.rec.registrar.name.is_some();
        if !has_data {
            // Refusals and not-found notices sit near the top (after a
            // banner) or at the very end (after a disclaimer).
            let head = floor_char(text, 4096);
            let tail = &text[ceil_char(text, text.len().saturating_sub(1024).max(head.len()))..];
            let mut low = String::from("\n");
            low.push_str(&head.to_ascii_lowercase());
            low.push('\n');
            low.push_str(&tail.to_ascii_lowercase());
            if is_not_found(&low, &self.rec.statuses) {
                self.rec.not_found = true;
                self.rec.source_format = "whois:not-found".to_string();
            } else if is_rate_limited(&low) {
                self.rec.rate_limited = true;
                self.rec.source_format = "whois:rate-limited".to_string();
            }
        }
        self.rec
    }
}

/// `text[..n]` cut back to a character boundary.
fn floor_char(text: &str, n: usize) -> &str {
    let mut i = n.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    &text[..i]
}

/// The first character boundary at or after `n`.
fn ceil_char(text: &str, n: usize) -> usize {
    let mut i = n.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn merge_contact(c: &mut Contact, b: &Contact) {
    let fill = |a: &mut Option<String>, v: &Option<String>| {
        if a.is_none() {
            a.clone_from(v);
        }
    };
    fill(&mut c.name, &b.name);
    fill(&mut c.org, &b.org);
    if c.street.is_empty() {
        c.street.clone_from(&b.street);
    }
    fill(&mut c.city, &b.city);
    fill(&mut c.state, &b.state);
    fill(&mut c.postal, &b.postal);
    fill(&mut c.country, &b.country);
    fill(&mut c.phone, &b.phone);
    fill(&mut c.fax, &b.fax);
    fill(&mut c.email, &b.email);
}

/// Whether a keyed line at a flat section's indent belongs to it.
/// `field` is `classify(nk)`.
fn same_indent_member(s: &Open<'_>, nk: &str, field: Option<Field>) -> bool {
    match s.kind {
        // Unknown keys (`Attention`, `org id`) do not end a contact section.
        Section::Contact(_) => {
            contact_field(nk, field).is_some()
                || matches!(
                    field,
                    None | Some(
                        Field::NicHandle | Field::Contact(_, CField::Handle | CField::Skip)
                    )
                )
        }
        Section::Registrar => {
            contact_field(nk, field).is_some()
                || field == Some(Field::NicHandle)
                || matches!(
                    nk,
                    "url" | "website" | "web" | "www" | "homepage" | "registrar"
                )
        }
        Section::Plain => nk == "name",
        Section::NameServers => normalise_host(nk.replace(' ', ".").as_str()).is_some(),
        Section::Status | Section::Ignore => false,
    }
}

/// A contact or registrar handle (`mmr-170347`, `MARK-0292`, `LBS2`): one
/// token with a digit.
fn is_handle(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty()
        && v.len() <= 40
        && !v.contains(char::is_whitespace)
        && !v.contains('@')
        && !v.contains('.')
        && v.chars().any(|c| c.is_ascii_digit())
}

/// A contact field named without a role (`Organisation`, `E-mail`);
/// `field` is `classify(nk)`.
fn contact_field(nk: &str, field: Option<Field>) -> Option<CField> {
    match field {
        Some(Field::Bare(f)) => Some(f),
        _ => match nk {
            "state" => Some(CField::State),
            "type" | "language" | "handle" | "id" | "contact id" | "source" | "anonymous"
            | "obsoleted" => Some(CField::Skip),
            _ => None,
        },
    }
}

/// [`section_of`] for a key already classified (`field` is
/// `classify(nk)`); a section word opens a section even without a colon
/// (`Name servers`, `Holder`, `Registrar` on a line of their own).
fn section_of_field(nk: &str, field: Option<Field>) -> Option<Section> {
    match field {
        Some(Field::Contact(role, CField::Whole | CField::Name | CField::Handle)) => {
            Some(Section::Contact(role))
        }
        _ => keys::section_of_word(nk),
    }
}

/// Classifies a heading (`field` is `classify(nk)`), including
/// `Administrative Contact, Technical Contact` (several roles).
fn heading(nk: &str, field: Option<Field>) -> Option<(Section, Roles)> {
    if let Some(s) = section_of_field(nk, field) {
        let roles = match s {
            Section::Contact(r) => Roles::one(r),
            _ => Roles::default(),
        };
        return Some((s, roles));
    }
    if !nk.as_bytes().windows(7).any(|w| w == b"contact") {
        // `Registered By:` over an indented value (JANET): a section whose
        // lines are values of that key.
        return match field {
            Some(Field::Bare(_) | Field::Skip | Field::NicHandle) | None => None,
            Some(_) => Some((Section::Plain, Roles::default())),
        };
    }
    let parts: Vec<&str> = nk
        .split(" and ")
        .flat_map(|p| p.split(" contact "))
        .collect();
    let mut roles = Roles::default();
    for p in nk.replace(" and ", ",").split(',').chain(parts) {
        if let Some(Section::Contact(r)) = section_of(p.trim()) {
            roles.push(r);
        }
    }
    // `administrative contact technical contact` (the comma was normalised away).
    if roles.first().is_none() {
        for w in nk.split(" contact") {
            if let Some(Section::Contact(r)) = section_of(w.trim()) {
                roles.push(r);
            }
        }
    }
    let first = roles.first()?;
    Some((Section::Contact(first), roles))
}

fn role_word(v: &str) -> Option<Role> {
    match v.trim().to_lowercase().as_str() {
        "administrative" | "admin" => Some(Role::Admin),
        "technical" | "tech" => Some(Role::Tech),
        "registrant" | "holder" | "owner" => Some(Role::Registrant),
        "billing" => Some(Role::Billing),
        _ => None,
    }
}

fn set_once(slot: &mut Option<String>, v: &str) {
    if slot.is_none() {
        *slot = clean(v);
    }
}

fn set_opt(slot: &mut Option<String>, v: &str) {
    if slot.is_none() {
        *slot = Some(v.to_string());
    }
}

/// Whether `v` has white space other than single spaces between words
/// (`split_whitespace` and a join would change it).
fn has_space_run(v: &str) -> bool {
    let v = v.trim();
    if !v.is_ascii() {
        return true;
    }
    let b = v.as_bytes();
    b.iter().any(|&c| (0x09..=0x0d).contains(&c)) || b.windows(2).any(|w| w == b"  ")
}

fn is_url(v: &str) -> bool {
    let l = v.trim().to_lowercase();
    l.starts_with("http://") || l.starts_with("https://") || l.starts_with("www.")
}

fn looks_like_phone(v: &str) -> bool {
    let v = v
        .trim_start_matches(|c: char| c.is_alphabetic() || c == '.' || c == ':')
        .trim();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    digits >= 6
        && v.chars()
            .all(|c| c.is_ascii_digit() || " +-.()/x".contains(c))
}

fn norm_dnssec(v: &str) -> String {
    let l = v.trim().to_lowercase();
    match l.as_str() {
        "unsigned"
        | "no"
        | "unsigned delegation"
        | "inactive"
        | "not signed"
        | "false"
        | "미서명"
        | "unsigneddelegation"
        | "none"
        | "n" => "unsigned".to_string(),
        "signed" | "yes" | "signed delegation" | "signeddelegation" | "active" | "true"
        | "서명" | "y" => "signed".to_string(),
        _ => l,
    }
}

fn is_not_found(low: &str, statuses: &[String]) -> bool {
    const MARKS: &[&str] = &[
        "no match",
        "not found",
        "no entries found",
        "no data found",
        "nothing found",
        "no object found",
        "object does not exist",
        "no matching record",
        "has not been registered",
        "is not registered",
        "not registered",
        "does not exist",
        "is available for",
        "domain is available",
        "no such domain",
        "no information available",
        "not been found",
        "available for registration",
        "no records matching",
        "no found",
        "status: free",
        "status: available",
        "status:      available",
        "is free",
        "no domain",
        "not exist",
        "no se encontr",
        "não encontrado",
        "niet gevonden",
        "nicht gefunden",
        "no existe",
        "not have any entries",
        "invalid query or domain name not known",
        "domain name not known",
        "can not be found",
        "is available",
        "no entries",
        "no results were found",
        "no records found",
        "not registred",
        "do not have an entry",
        "not available in our whois",
        "object_not_found",
        "could not find the requested domain",
        "\navailable\n",
        "returned 0 objects",
        "does not have any data",
        "not available for second level registration",
    ];
    static FINDER: Phrases = Phrases::new(MARKS);
    FINDER.any_in(low)
        || statuses
            .iter()
            .any(|s| matches!(s.as_str(), "free" | "available" | "not registered"))
}

fn is_rate_limited(low: &str) -> bool {
    const MARKS: &[&str] = &[
        "rate limit",
        "limit exceeded",
        "exceeded the",
        "too many",
        "query limit",
        "quota",
        "try again later",
        "please wait",
        "temporarily",
        "exceeded",
        "access denied",
    ];
    static FINDER: Phrases = Phrases::rare(MARKS);
    FINDER.any_in(low)
}

#[cfg(test)]
mod tests;
