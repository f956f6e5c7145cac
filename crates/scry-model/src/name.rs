//! Domain and host names: the one normaliser every name in Scry goes through.
//!
//! `DomainName::parse` trims surrounding white space, treats the UTS #46
//! full stops (`。` `．` `｡`) as dots, drops one trailing dot (two are an
//! empty label), lower-cases, converts Unicode labels to A-labels (UTS #46,
//! non-transitional, label by label) and validates the result: labels of
//! 1..=63 octets of `[a-z0-9_-]`, at most 253 octets in all, `*` only as the
//! whole leftmost label, a top-level label that is not all digits. The
//! U-label form is kept for display, and the name is split with the Public
//! Suffix List (ICANN and private sections, the list embedded by the `psl`
//! crate) into registrable domain, public suffix and subdomain.
//!
//! Real DNS is messier than host-name rules, so names that exist in zones and
//! passive DNS are accepted and *flagged* rather than rejected: underscore
//! labels (`_dmarc`), A-labels that only IDNA2003 accepted (`xn--i-7iq`,
//! `i❤`), `xn--` labels that are no A-labels, edge hyphens, a leading `*`
//! wildcard; mixed-script labels are flagged as a homograph signal.
//! Structurally broken names (empty labels, over-long labels or names,
//! characters DNS names cannot carry in text form) are rejected with a
//! reason. Work is bounded: input longer than 1024 bytes is refused before
//! any IDNA processing.
//!
//! Invariants (property-tested in `tests/it/props.rs`): everything but the
//! `rewritten` and `unicode` flags is a function of the A-label form, so
//! `parse(parse(x).ascii())` gives the same name, split and flags;
//! `parse(parse(x).unicode())` gives the same A-labels; subdomain, registrable
//! domain and suffix are label suffixes of one another.

use std::fmt;

use serde::Serialize;

use crate::error::{ModelError, NameError};

/// A property of an accepted name worth telling the analyst about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum NameFlag {
    /// A label contains `_` (service labels such as `_dmarc`, `_tcp`).
    UnderscoreLabel,
    /// An A-label that decodes as Punycode but that IDNA2008 (RFC 5891,
    /// 5892) or UTS #46 rejects: symbols and emoji (`xn--i-7iq` is `i❤`),
    /// punctuation, unnormalised or disallowed code points, bidi or joiner
    /// violations. Such names were registered under IDNA2003-era rules and
    /// still resolve. The U-label is shown when UTS #46 accepts it, the
    /// A-label otherwise.
    Idna2003Only,
    /// An `xn--` label that is no A-label at all: not Punycode, Punycode of
    /// ASCII-only text, or a non-canonical encoding. It is kept as is.
    BadPunycode,
    /// A label mixes scripts (e.g. Latin and Cyrillic): a homograph signal.
    /// UTS #39 single-script test; Japanese kanji with kana is one script.
    MixedScript,
    /// A label starts or ends with `-`, or has `--` in positions 3-4 without
    /// being an A-label.
    HyphenEdge,
    /// The leftmost label is the wildcard `*`.
    Wildcard,
    /// The name's top-level domain is unknown to the Public Suffix List: a
    /// made-up (`.internal`, `.corp`) or retired TLD. (A few real TLDs the
    /// list only knows below the top level, such as `za`, are flagged too.)
    UnknownSuffix,
    /// The name is itself a public suffix (it has no registrable domain).
    PublicSuffix,
    /// The input differs from the normal form: upper case, a trailing dot,
    /// surrounding white space, Unicode. Not derived from the name itself, so
    /// re-parsing the normal form drops it.
    Rewritten,
    /// The input was given in Unicode (U-labels, fullwidth forms...) and
    /// converted to A-labels. Like `Rewritten`, a property of the input.
    Unicode,
    /// The name's public suffix comes from the private section of the
    /// Public Suffix List (`blogspot.com`): `foo.blogspot.com` is its own
    /// registrable domain.
    PrivateSuffix,
}

impl NameFlag {
    /// The flag's stable snake_case name, as printed in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            NameFlag::UnderscoreLabel => "underscore_label",
            NameFlag::Idna2003Only => "idna2003_only",
            NameFlag::BadPunycode => "bad_punycode",
            NameFlag::MixedScript => "mixed_script",
            NameFlag::HyphenEdge => "hyphen_edge",
            NameFlag::Wildcard => "wildcard",
            NameFlag::UnknownSuffix => "unknown_suffix",
            NameFlag::PublicSuffix => "public_suffix",
            NameFlag::Rewritten => "rewritten",
            NameFlag::Unicode => "unicode",
            NameFlag::PrivateSuffix => "private_suffix",
        }
    }
}

impl Serialize for NameFlag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A normalised domain or host name.
///
/// Invariant: `ascii` is lower-case A-label text without a trailing dot,
/// every label is 1..=63 octets of `[a-z0-9_-]` (or the leftmost label is
/// `*`), the whole name at most 253 octets and the last label is not all
/// digits; `unicode` has as many labels, or is `None` when it is `ascii`
/// itself (see [`DomainName::unicode`]); `suffix_labels <= labels`; the
/// registrable domain, when there is one, is the public suffix plus one
/// label. Everything but the `rewritten` and `unicode` flags is a function
/// of `ascii`, and two names are equal, hash and sort by `ascii` alone.
#[derive(Clone)]
pub struct DomainName {
    ascii: String,
    /// The U-label form when it differs from `ascii` (a name with an
    /// `xn--` label shown decoded); `None`: the same text.
    unicode: Option<String>,
    labels: u8,
    suffix_labels: u8,
    flags: Vec<NameFlag>,
}

impl PartialEq for DomainName {
    fn eq(&self, other: &Self) -> bool {
        self.ascii == other.ascii
    }
}

impl Eq for DomainName {}

impl std::hash::Hash for DomainName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.ascii.hash(state);
    }
}

impl PartialOrd for DomainName {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DomainName {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.ascii.cmp(&other.ascii)
    }
}

impl fmt::Debug for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DomainName({})", self.ascii)
    }
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.ascii)
    }
}

/// Longest name in A-label form, in octets, without the trailing dot
/// (RFC 1035 §2.3.4: 255 octets on the wire).
const MAX_NAME: usize = 253;
/// Longest label, in octets (RFC 1035 §2.3.4).
const MAX_LABEL: usize = 63;
/// Longest input, in bytes after trimming, that is worth IDNA processing:
/// a 253-octet name written with the widest legitimate Unicode forms
/// (4-byte characters, fullwidth letters, combining sequences) stays below
/// it; anything longer is refused before any work that scales with length.
const MAX_INPUT: usize = 1024;
/// Characters UTS #46 treats as label separators besides `.` (ideographic
/// full stop, fullwidth full stop, halfwidth ideographic full stop).
const UNICODE_DOTS: [char; 3] = ['\u{3002}', '\u{FF0E}', '\u{FF61}'];

impl DomainName {
    /// Normalises `input` or says why it cannot be a DNS name.
    pub fn parse(input: &str) -> Result<DomainName, ModelError> {
        Self::parse_inner(input).map_err(|reason| ModelError::Name {
            input: input.to_string(),
            reason,
        })
    }

    fn parse_inner(input: &str) -> Result<DomainName, NameError> {
        if is_plain(input) {
            // Trimming, dot mapping, case folding and IDNA mapping would
            // all leave it as it is: only a trailing dot can go.
            let body = input.strip_suffix('.').unwrap_or(input);
            if body.is_empty() {
                return Err(NameError::Empty);
            }
            if let Some(d) = plain_shape_name(body, body.len() != input.len()) {
                return Ok(d);
            }
            validate(body)?;
            let flags = if body.len() == input.len() {
                Vec::new()
            } else {
                vec![NameFlag::Rewritten]
            };
            return Ok(analyse(body.to_string(), flags));
        }
        Self::parse_full(input)
    }

    /// Every step of the normalisation, whatever the input.
    fn parse_full(input: &str) -> Result<DomainName, NameError> {
        let trimmed = input.trim();
        if trimmed.len() > MAX_INPUT {
            return Err(NameError::InputTooLong(trimmed.len()));
        }
        let unicode_input = !trimmed.is_ascii();
        let dotted: std::borrow::Cow<'_, str> = if trimmed.contains(UNICODE_DOTS) {
            trimmed.replace(UNICODE_DOTS, ".").into()
        } else {
            trimmed.into()
        };
        // One trailing dot is the root: "example.com." is absolute.
        let body = dotted.strip_suffix('.').unwrap_or(&dotted);
        if body.is_empty() {
            return Err(NameError::Empty);
        }
        let ascii = if unicode_input {
            labels_to_ascii(body)?
        } else {
            body.to_ascii_lowercase()
        };
        validate(&ascii)?;
        let mut flags = Vec::new();
        if unicode_input {
            flags.push(NameFlag::Unicode);
        }
        if ascii != input {
            flags.push(NameFlag::Rewritten);
        }
        Ok(analyse(ascii, flags))
    }

    /// Rebuilds a name from the A-label form a [`DomainName`] had (as stored
    /// in keys): the structural checks still run, but the input clean-up
    /// (trimming, dot mapping, case folding, IDNA mapping) is skipped. Any
    /// input that is not already in normal form goes through
    /// [`DomainName::parse`], so the result is always what `parse` gives.
    pub fn from_normalised(ascii: &str) -> Result<DomainName, ModelError> {
        let normal = !ascii.is_empty()
            && ascii.len() <= MAX_NAME
            && ascii.bytes().all(|b| {
                b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || matches!(b, b'-' | b'_' | b'.' | b'*')
            })
            && !ascii.ends_with('.');
        if !normal {
            return Self::parse(ascii);
        }
        validate(ascii).map_err(|reason| ModelError::Name {
            input: ascii.to_string(),
            reason,
        })?;
        Ok(analyse(ascii.to_string(), Vec::new()))
    }

    /// Rebuilds a name the store wrote, from its A-label form and the byte
    /// offset at which its registrable domain starts in it (0 when the name
    /// is its own registrable domain or has none), as the store's key
    /// recorded them: the key decoder's constructor.
    ///
    /// It trusts its input as far as keys deserve: every stored name came
    /// out of [`DomainName::parse`] (the one normaliser), so the input
    /// clean-up and the label-by-label validation and analysis are not
    /// repeated. One byte pass checks the shape (A-label characters, label
    /// and name lengths, the wildcard's place, the split on a label
    /// boundary), so a corrupt key is refused or re-checked through
    /// [`DomainName::from_normalised`], never trusted blindly, and raises
    /// the flags a label carries; names with an `xn--` label take the full
    /// analysis. The Public Suffix List is consulted for the registrable
    /// part only (where the key says it is); when the list compiled in
    /// splits the name elsewhere than the key did, the list wins. An
    /// all-ASCII name shares its text with its display form (no second
    /// copy). The result equals what `parse` gives for the same text, split
    /// and flags included (property-tested).
    pub fn from_stored(ascii: String, registrable_start: usize) -> Result<DomainName, ModelError> {
        let Some(shape) = stored_shape(&ascii, registrable_start) else {
            return Self::from_normalised(&ascii);
        };
        if shape.a_label {
            return Ok(analyse(ascii, Vec::new()));
        }
        let reg = &ascii[registrable_start..];
        let (suffix_labels, typ) = psl_suffix_recent(reg);
        if registrable_start > 0 && shape.registrable_labels != suffix_labels + 1 {
            return Ok(analyse(ascii, Vec::new()));
        }
        Ok(shaped_name(ascii, shape, (suffix_labels, typ)))
    }

    /// The A-label form (what DNS carries), lower case, no trailing dot.
    pub fn ascii(&self) -> &str {
        &self.ascii
    }

    /// The A-label form, taken out of the name (no copy).
    pub fn into_ascii(self) -> String {
        self.ascii
    }

    /// The U-label form for display.
    pub fn unicode(&self) -> &str {
        self.unicode.as_deref().unwrap_or(&self.ascii)
    }

    /// Flags raised while normalising.
    pub fn flags(&self) -> &[NameFlag] {
        &self.flags
    }

    /// Whether a flag was raised.
    pub fn has_flag(&self, flag: NameFlag) -> bool {
        self.flags.contains(&flag)
    }

    /// Number of labels.
    pub fn label_count(&self) -> usize {
        self.labels as usize
    }

    /// Labels from left to right.
    pub fn labels(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.ascii.split('.')
    }

    /// The public suffix (`co.uk`, `com`, `blogspot.com`).
    pub fn suffix(&self) -> &str {
        tail(&self.ascii, self.suffix_labels as usize)
    }

    /// The public suffix from the list's ICANN section only: the same as
    /// [`DomainName::suffix`] unless the suffix is a private one, then the
    /// ICANN suffix it sits under (`io` for `github.io`, `app` for
    /// `netlify.app`, `com` for `herokuapp.com`). A private suffix under no
    /// ICANN rule yields its last label.
    pub fn icann_suffix(&self) -> &str {
        let suffix = self.suffix();
        if !self.has_flag(NameFlag::PrivateSuffix) {
            return suffix;
        }
        let mut rest = suffix;
        while let Some((_, shorter)) = rest.split_once('.') {
            rest = shorter;
            // `rest` is an ICANN suffix when the list, asked about a name
            // one label longer, answers with exactly `rest` from its ICANN
            // section.
            let probe = format!("a.{rest}");
            if let Some(s) = psl::suffix(probe.as_bytes())
                && s.as_bytes().len() == rest.len()
                && s.typ() == Some(psl::Type::Icann)
            {
                return rest;
            }
        }
        rest
    }

    /// The public suffix in U-label form, for display.
    pub fn suffix_unicode(&self) -> &str {
        tail(self.unicode(), self.suffix_labels as usize)
    }

    /// Number of labels of the registrable domain, when there is one.
    fn registrable_labels(&self) -> Option<usize> {
        let keep = self.suffix_labels as usize + 1;
        let labels = self.labels as usize;
        // "*.com" stands for every registrable domain under com: it has none
        // of its own, although it is not a public suffix either.
        let wildcard_only = labels == keep && self.has_flag(NameFlag::Wildcard);
        (labels >= keep && !wildcard_only).then_some(keep)
    }

    /// The registrable domain (public suffix plus one label), or `None` when
    /// the name is itself a public suffix (or a wildcard directly under one,
    /// such as `*.com`).
    pub fn registrable(&self) -> Option<&str> {
        self.registrable_labels().map(|n| tail(&self.ascii, n))
    }

    /// The registrable domain in U-label form, for display.
    pub fn registrable_unicode(&self) -> Option<&str> {
        self.registrable_labels().map(|n| tail(self.unicode(), n))
    }

    /// The registrable domain, or the whole name when it has none: the key
    /// under which a name's facts roll up.
    pub fn registrable_or_self(&self) -> &str {
        self.registrable().unwrap_or(&self.ascii)
    }

    /// The registrable domain as a `DomainName` (the name itself when it has
    /// no registrable domain). Its flags are those of its own labels; input
    /// flags (`rewritten`, `unicode`) are not carried over.
    pub fn registrable_name(&self) -> DomainName {
        match self.registrable() {
            Some(r) if r.len() != self.ascii.len() => analyse(r.to_string(), Vec::new()),
            _ => self.clone(),
        }
    }

    /// The part left of the registrable domain (`www` in `www.example.com`),
    /// or `None` when there is none.
    pub fn subdomain(&self) -> Option<&str> {
        let keep = self.registrable_labels()?;
        if self.labels as usize <= keep {
            return None;
        }
        let reg_len = tail(&self.ascii, keep).len();
        Some(&self.ascii[..self.ascii.len() - reg_len - 1])
    }

    /// Whether the name is its own registrable domain.
    pub fn is_registrable(&self) -> bool {
        self.registrable_labels() == Some(self.labels as usize)
    }

    /// The label-reversed form, `com.example.www`, for suffix range scans.
    pub fn reversed(&self) -> String {
        let mut out = String::with_capacity(self.ascii.len());
        for (i, l) in self.ascii.rsplit('.').enumerate() {
            if i > 0 {
                out.push('.');
            }
            out.push_str(l);
        }
        out
    }

    /// The machine-readable report printed by `scry name --json`.
    pub fn report(input: &str) -> NameReport {
        match DomainName::parse(input) {
            Ok(n) => {
                let registrable = n.registrable().map(str::to_string);
                let registrable_unicode = n.registrable_unicode().map(str::to_string);
                NameReport {
                    input: input.to_string(),
                    ascii: Some(n.ascii.clone()),
                    unicode: Some(n.unicode().to_string()),
                    registrable,
                    registrable_unicode,
                    suffix: Some(n.suffix().to_string()),
                    subdomain: n.subdomain().map(str::to_string),
                    valid: true,
                    error: None,
                    flags: n.flags.clone(),
                }
            }
            Err(e) => NameReport {
                input: input.to_string(),
                ascii: None,
                unicode: None,
                registrable: None,
                registrable_unicode: None,
                suffix: None,
                subdomain: None,
                valid: false,
                error: Some(match e {
                    ModelError::Name { reason, .. } => reason.to_string(),
                    other => other.to_string(),
                }),
                flags: Vec::new(),
            },
        }
    }
}

/// The outcome of normalising one input, as `scry name --json` prints it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NameReport {
    /// The input as given.
    pub input: String,
    /// A-label form.
    pub ascii: Option<String>,
    /// U-label form.
    pub unicode: Option<String>,
    /// Registrable domain (A-labels).
    pub registrable: Option<String>,
    /// Registrable domain (U-labels).
    pub registrable_unicode: Option<String>,
    /// Public suffix.
    pub suffix: Option<String>,
    /// Labels left of the registrable domain.
    pub subdomain: Option<String>,
    /// Whether the name was accepted.
    pub valid: bool,
    /// Why it was rejected.
    pub error: Option<String>,
    /// Flags raised.
    pub flags: Vec<NameFlag>,
}

fn push_once(flags: &mut Vec<NameFlag>, f: NameFlag) {
    if !flags.contains(&f) {
        flags.push(f);
    }
}

/// Whether `input` is already lower-case ASCII of the characters a normal
/// name can hold (no white space, no upper case, no Unicode), so that
/// [`DomainName::parse`] can skip straight to validation.
fn is_plain(input: &str) -> bool {
    input.len() <= MAX_INPUT
        && input
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*'))
}

/// The last `n` labels of `name`.
fn tail(name: &str, n: usize) -> &str {
    if n == 0 {
        return "";
    }
    let mut seen = 0;
    for (i, b) in name.bytes().enumerate().rev() {
        if b == b'.' {
            seen += 1;
            if seen == n {
                return &name[i + 1..];
            }
        }
    }
    name
}

/// UTS #46 (non-transitional, `UseSTD3ASCIIRules` off, `CheckHyphens` off)
/// label by label: ASCII labels are only lower-cased (they are checked by
/// [`validate`]), other labels are mapped, normalised, checked and
/// Punycode-encoded. Bidi rules (RFC 5893) therefore apply within a label,
/// not across the name: zones hold left-to-right labels under right-to-left
/// ones and the reverse.
fn labels_to_ascii(body: &str) -> Result<String, NameError> {
    let mut out = String::with_capacity(body.len());
    for (i, label) in body.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if label.is_empty() {
            return Err(NameError::EmptyLabel(i));
        }
        if label.is_ascii() {
            out.extend(label.chars().map(|c| c.to_ascii_lowercase()));
            continue;
        }
        match idna::domain_to_ascii_cow(label.as_bytes(), idna::AsciiDenyList::EMPTY) {
            Ok(a) => out.push_str(&a),
            Err(_) => {
                return Err(NameError::Idna(format!(
                    "label {label:?} is not valid under UTS #46: {}",
                    uts46_reason(label)
                )));
            }
        }
    }
    Ok(out)
}

/// Best-effort explanation of why UTS #46 refused a non-ASCII label, for
/// the analyst reading the error.
fn uts46_reason(label: &str) -> String {
    use icu_properties::CodePointMapData;
    use icu_properties::props::{BidiClass, GeneralCategory as Gc};
    let gc = CodePointMapData::<Gc>::new();
    let is_mark = |c: char| {
        matches!(
            gc.get(c),
            Gc::NonspacingMark | Gc::SpacingMark | Gc::EnclosingMark
        )
    };
    let joiner = |c: char| c == '\u{200C}' || c == '\u{200D}';
    let mut buf = [0u8; 4];
    for c in label.chars() {
        if c.is_ascii() || is_mark(c) || joiner(c) {
            continue;
        }
        let alone = c.encode_utf8(&mut buf);
        if idna::domain_to_ascii_cow(alone.as_bytes(), idna::AsciiDenyList::EMPTY).is_err() {
            return format!("disallowed code point U+{:04X}", u32::from(c));
        }
    }
    if label
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
    {
        return "an xn-- label must be all ASCII".to_string();
    }
    if label.chars().next().is_some_and(is_mark) {
        return "label starts with a combining mark".to_string();
    }
    if label.chars().any(joiner) {
        return "zero-width joiner or non-joiner out of context (RFC 5892 CONTEXTJ)".to_string();
    }
    let bidi = CodePointMapData::<BidiClass>::new();
    if label.chars().any(|c| {
        matches!(
            bidi.get(c),
            BidiClass::RightToLeft | BidiClass::ArabicLetter | BidiClass::ArabicNumber
        )
    }) {
        return "right-to-left label breaks the bidi rule (RFC 5893)".to_string();
    }
    "mapping or normalisation yields an invalid label".to_string()
}

/// What one byte pass over a stored name finds.
struct StoredShape {
    labels: usize,
    registrable_labels: usize,
    /// A label starts with `xn--`: the full analysis is needed.
    a_label: bool,
    /// Flags raised by the labels themselves, in [`NameFlag`] order.
    flags: Vec<NameFlag>,
}

/// The byte-level shape [`validate`] accepts, checked in one pass, with a
/// registrable part starting on a label boundary, plus the label flags
/// [`analyse`] would raise for an all-ASCII name; `None` when the text is
/// not such a name.
fn stored_shape(ascii: &str, registrable_start: usize) -> Option<StoredShape> {
    let b = ascii.as_bytes();
    if b.is_empty() || b.len() > MAX_NAME || registrable_start >= b.len() {
        return None;
    }
    if registrable_start > 0 && b[registrable_start - 1] != b'.' {
        return None;
    }
    let (mut underscore, mut hyphen_edge, mut a_label) = (false, false, false);
    let mut labels = 0usize;
    let mut registrable_labels = 0usize;
    let mut start = 0usize;
    while start <= b.len() {
        let end = b[start..]
            .iter()
            .position(|&c| c == b'.')
            .map_or(b.len(), |p| start + p);
        let label = &b[start..end];
        if label.is_empty() || label.len() > MAX_LABEL {
            return None;
        }
        let last = end == b.len();
        if label == b"*" {
            // `*` only as the whole leftmost label, and not the only one.
            if start != 0 || last {
                return None;
            }
        } else {
            let mut digits = true;
            for &c in label {
                match c {
                    b'a'..=b'z' | b'-' => digits = false,
                    b'_' => {
                        digits = false;
                        underscore = true;
                    }
                    b'0'..=b'9' => {}
                    _ => return None,
                }
            }
            if last && digits {
                return None;
            }
            if label.starts_with(b"xn--") {
                a_label = true;
            } else if label[0] == b'-'
                || label[label.len() - 1] == b'-'
                || label.get(2..4) == Some(&b"--"[..])
            {
                hyphen_edge = true;
            }
        }
        labels += 1;
        if start >= registrable_start {
            registrable_labels += 1;
        }
        start = end + 1;
    }
    let mut flags = Vec::new();
    if underscore {
        flags.push(NameFlag::UnderscoreLabel);
    }
    if hyphen_edge {
        flags.push(NameFlag::HyphenEdge);
    }
    if b[0] == b'*' {
        flags.push(NameFlag::Wildcard);
    }
    Some(StoredShape {
        labels,
        registrable_labels,
        a_label,
        flags,
    })
}

/// A plain name without an `xn--` label (`body`: the input without its
/// trailing dot, `rewritten`: there was one) checked and analysed in one
/// byte pass ([`stored_shape`]) instead of [`validate`]'s and [`analyse`]'s
/// label iterators: the name servers and delegated domains of a zone load
/// take this path millions of times. `None` when the name needs the
/// general path (an invalid shape, to report its error, or an A-label).
/// Gives what `validate` then `analyse` give (the plain-path tests compare
/// every result with [`DomainName::parse_full`]).
fn plain_shape_name(body: &str, rewritten: bool) -> Option<DomainName> {
    let shape = stored_shape(body, 0)?;
    if shape.a_label {
        return None;
    }
    let mut shape = shape;
    if rewritten {
        shape.flags.push(NameFlag::Rewritten);
    }
    Some(shaped_name(body.to_string(), shape, psl_suffix(body)))
}

/// The name of an all-ASCII `ascii` without A-labels from its byte
/// [`StoredShape`] and the Public Suffix List's answer for it (suffix
/// labels, type): the suffix flags added, the flags sorted, the display
/// form shared with `ascii` (`unicode: None`).
fn shaped_name(
    ascii: String,
    shape: StoredShape,
    (suffix_labels, typ): (usize, Option<psl::Type>),
) -> DomainName {
    let mut flags = shape.flags;
    match typ {
        None => flags.push(NameFlag::UnknownSuffix),
        Some(psl::Type::Private) => flags.push(NameFlag::PrivateSuffix),
        Some(psl::Type::Icann) => {}
    }
    if suffix_labels >= shape.labels {
        flags.push(NameFlag::PublicSuffix);
    }
    flags.sort();
    DomainName {
        ascii,
        // None: the same as `ascii` (see `unicode()`).
        unicode: None,
        labels: u8::try_from(shape.labels).unwrap_or(u8::MAX),
        suffix_labels: u8::try_from(suffix_labels.min(shape.labels)).unwrap_or(u8::MAX),
        flags,
    }
}

/// Structural checks on the A-label form.
fn validate(ascii: &str) -> Result<(), NameError> {
    if ascii.is_empty() {
        return Err(NameError::Empty);
    }
    let mut last = "";
    for (i, label) in ascii.split('.').enumerate() {
        if label.is_empty() {
            return Err(NameError::EmptyLabel(i));
        }
        if label.len() > MAX_LABEL {
            return Err(NameError::LabelTooLong {
                label: label.to_string(),
                len: label.len(),
            });
        }
        last = label;
        if label == "*" && i == 0 {
            continue;
        }
        for ch in label.chars() {
            match ch {
                'a'..='z' | '0'..='9' | '-' | '_' => {}
                '*' => return Err(NameError::MisplacedWildcard),
                _ => {
                    return Err(NameError::InvalidChar {
                        ch,
                        label: label.to_string(),
                    });
                }
            }
        }
    }
    if ascii.len() > MAX_NAME {
        return Err(NameError::NameTooLong(ascii.len()));
    }
    if last == "*" {
        // The leftmost label is also the last one: a bare "*".
        return Err(NameError::MisplacedWildcard);
    }
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NameError::NumericTld(last.to_string()));
    }
    Ok(())
}

/// Everything derived from a validated A-label name: flags, display form and
/// the public-suffix split. Depends on `ascii` alone (plus the input flags
/// passed in), which is what makes normalisation idempotent.
fn analyse(ascii: String, mut flags: Vec<NameFlag>) -> DomainName {
    // Only a name with an `xn--` label has a display form of its own.
    let mut unicode = ascii
        .split('.')
        .any(|l| l.starts_with("xn--"))
        .then(|| String::with_capacity(ascii.len()));
    let mut labels = 0usize;
    for (i, label) in ascii.split('.').enumerate() {
        labels += 1;
        if i > 0
            && let Some(u) = unicode.as_mut()
        {
            u.push('.');
        }
        if i == 0 && label == "*" {
            push_once(&mut flags, NameFlag::Wildcard);
        }
        if label.contains('_') {
            push_once(&mut flags, NameFlag::UnderscoreLabel);
        }
        let is_xn = label.starts_with("xn--");
        if label.starts_with('-')
            || label.ends_with('-')
            || (!is_xn && label.get(2..4) == Some("--"))
        {
            push_once(&mut flags, NameFlag::HyphenEdge);
        }
        // An `xn--` label means `unicode` is being built.
        let Some(unicode) = unicode.as_mut() else {
            continue;
        };
        if !is_xn {
            unicode.push_str(label);
            continue;
        }
        match classify_a_label(label) {
            ALabel::Valid(u) => {
                if is_mixed_script(&u) {
                    push_once(&mut flags, NameFlag::MixedScript);
                }
                unicode.push_str(&u);
            }
            ALabel::Idna2003Displayable(u) => {
                push_once(&mut flags, NameFlag::Idna2003Only);
                if is_mixed_script(&u) {
                    push_once(&mut flags, NameFlag::MixedScript);
                }
                unicode.push_str(&u);
            }
            ALabel::Idna2003Hidden(decoded) => {
                push_once(&mut flags, NameFlag::Idna2003Only);
                // Not displayed, but still a homograph signal.
                if is_mixed_script(&decoded) {
                    push_once(&mut flags, NameFlag::MixedScript);
                }
                unicode.push_str(label);
            }
            ALabel::Bad => {
                push_once(&mut flags, NameFlag::BadPunycode);
                unicode.push_str(label);
            }
        }
    }

    let (suffix_labels, typ) = psl_suffix(&ascii);
    match typ {
        None => push_once(&mut flags, NameFlag::UnknownSuffix),
        Some(psl::Type::Private) => push_once(&mut flags, NameFlag::PrivateSuffix),
        Some(psl::Type::Icann) => {}
    }
    if suffix_labels >= labels {
        push_once(&mut flags, NameFlag::PublicSuffix);
    }
    flags.sort();
    flags.dedup();
    let unicode = unicode.filter(|u| *u != ascii);
    DomainName {
        ascii,
        unicode,
        // A valid name has at most 127 labels.
        labels: u8::try_from(labels).unwrap_or(u8::MAX),
        suffix_labels: u8::try_from(suffix_labels.min(labels)).unwrap_or(u8::MAX),
        flags,
    }
}

/// The number of labels of the public suffix of a valid name, and the list
/// section it comes from (`None`: only the implicit `*` rule matched).
/// [`psl_suffix`] with the last answer of this thread kept: the names a
/// store read decodes come grouped by registrable domain (a subtree's
/// hosts, a domain's facts), and each asks about the same registrable
/// text in turn. The answer is a function of the text alone, so reusing it
/// for equal text changes nothing.
fn psl_suffix_recent(reg: &str) -> (usize, Option<psl::Type>) {
    thread_local! {
        static RECENT: std::cell::RefCell<(String, usize, Option<psl::Type>)> =
            const { std::cell::RefCell::new((String::new(), 0, None)) };
    }
    RECENT.with(|r| {
        let Ok(mut last) = r.try_borrow_mut() else {
            return psl_suffix(reg);
        };
        if !last.0.is_empty() && last.0 == reg {
            return (last.1, last.2);
        }
        let (labels, typ) = psl_suffix(reg);
        last.0.clear();
        last.0.push_str(reg);
        last.1 = labels;
        last.2 = typ;
        (labels, typ)
    })
}

fn psl_suffix(ascii: &str) -> (usize, Option<psl::Type>) {
    let Some(sfx) = psl::suffix(ascii.as_bytes()) else {
        return (1, None);
    };
    let labels = sfx.as_bytes().split(|b| *b == b'.').count();
    if sfx.typ().is_some() || labels != 1 {
        return (labels, sfx.typ());
    }
    // A top-level domain listed only through a wildcard (`*.ck`, `*.mm`)
    // matches no rule itself, yet the list knows it.
    let probe = format!("a.{}", tail(ascii, 1));
    let typ = psl::suffix(probe.as_bytes())
        .filter(|p| p.as_bytes().len() == probe.len())
        .and_then(|p| p.typ());
    (1, typ)
}

/// What an `xn--` label turned out to be.
enum ALabel {
    /// A valid IDNA2008 / UTS #46 A-label; its U-label.
    Valid(String),
    /// Accepted by UTS #46 but not by IDNA2008 (symbols, emoji): its
    /// U-label, which UTS #46 maps back to the same A-label.
    Idna2003Displayable(String),
    /// Decodes as Punycode (to the text carried) but UTS #46 rejects the
    /// result (bidi or joiner rules, disallowed or unnormalised code points):
    /// shown as the A-label, since its decoding would not map back to it.
    Idna2003Hidden(String),
    /// Not an A-label at all.
    Bad,
}

fn classify_a_label(label: &str) -> ALabel {
    let Some(rest) = label.strip_prefix("xn--") else {
        return ALabel::Bad;
    };
    let Some(decoded) = idna::punycode::decode_to_string(rest) else {
        return ALabel::Bad;
    };
    // RFC 5890 §2.3.2.1: an A-label encodes at least one non-ASCII code
    // point, and the encoding is canonical (re-encoding gives it back).
    if decoded.is_ascii() || idna::punycode::encode_str(&decoded).as_deref() != Some(rest) {
        return ALabel::Bad;
    }
    let (u, res) = idna::domain_to_unicode(label);
    // The U-label is shown only if UTS #46 takes it back to this very
    // A-label, which is what makes the display form re-parse to the same name
    // (UTS #46 lets `xn--xn--i-i-7iu` decode to `xn--iಝ-i` but not encode it).
    let round_trips = || {
        idna::domain_to_ascii_cow(decoded.as_bytes(), idna::AsciiDenyList::EMPTY)
            .is_ok_and(|a| a == label)
    };
    if res.is_err() || u != decoded || !round_trips() {
        return ALabel::Idna2003Hidden(decoded);
    }
    if idna2008_pvalid(&decoded) {
        ALabel::Valid(decoded)
    } else {
        ALabel::Idna2003Displayable(decoded)
    }
}

/// Whether every code point of a U-label that UTS #46 accepted is allowed by
/// IDNA2008 (RFC 5892 §3 derived property, PVALID or a satisfied CONTEXTO
/// rule). UTS #46 already applied the stability (its "valid" status), joiner
/// (CONTEXTJ) and bidi checks; what it lets through and IDNA2008 does not
/// are mostly symbols and punctuation (its `NV8` set).
fn idna2008_pvalid(u: &str) -> bool {
    use icu_properties::props::{DefaultIgnorableCodePoint, GeneralCategory as Gc, Script};
    use icu_properties::{CodePointMapData, CodePointSetData};
    let gc = CodePointMapData::<Gc>::new();
    let script = CodePointMapData::<Script>::new();
    let ignorable = CodePointSetData::new::<DefaultIgnorableCodePoint>();
    let chars: Vec<char> = u.chars().collect();
    // RFC 5891 §4.2.3.1: no hyphen at either end nor in both the third and
    // fourth positions.
    if chars.first() == Some(&'-')
        || chars.last() == Some(&'-')
        || (chars.get(2) == Some(&'-') && chars.get(3) == Some(&'-'))
    {
        return false;
    }
    chars.iter().enumerate().all(|(i, &c)| {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        match c {
            'a'..='z' | '0'..='9' | '-' => true,
            _ if c.is_ascii() => false,
            // §2.6 Exceptions.
            '\u{DF}' | '\u{3C2}' | '\u{6FD}' | '\u{6FE}' | '\u{F0B}' | '\u{3007}' => true,
            '\u{640}'
            | '\u{7FA}'
            | '\u{302E}'
            | '\u{302F}'
            | '\u{3031}'..='\u{3035}'
            | '\u{303B}' => false,
            // Appendix A CONTEXTO rules.
            '\u{B7}' => prev == Some('l') && next == Some('l'),
            '\u{375}' => next.is_some_and(|n| script.get(n) == Script::Greek),
            '\u{5F3}' | '\u{5F4}' => prev.is_some_and(|p| script.get(p) == Script::Hebrew),
            '\u{30FB}' => chars.iter().any(|&o| {
                o != '\u{30FB}'
                    && matches!(
                        script.get(o),
                        Script::Hiragana | Script::Katakana | Script::Han
                    )
            }),
            '\u{660}'..='\u{669}' => !chars.iter().any(|o| ('\u{6F0}'..='\u{6F9}').contains(o)),
            '\u{6F0}'..='\u{6F9}' => !chars.iter().any(|o| ('\u{660}'..='\u{669}').contains(o)),
            // CONTEXTJ: UTS #46 CheckJoiners applied the same rules.
            '\u{200C}' | '\u{200D}' => true,
            // §2.4 IgnorableBlocks (combining marks for symbols, musical
            // notation) and §2.9 OldHangulJamo.
            '\u{20D0}'..='\u{20FF}'
            | '\u{1D100}'..='\u{1D24F}'
            | '\u{1100}'..='\u{11FF}'
            | '\u{A960}'..='\u{A97F}'
            | '\u{D7B0}'..='\u{D7FF}' => false,
            // §2.3 IgnorableProperties.
            _ if ignorable.contains(c) || is_noncharacter(c) => false,
            // §2.1 LetterDigits.
            _ => matches!(
                gc.get(c),
                Gc::LowercaseLetter
                    | Gc::UppercaseLetter
                    | Gc::OtherLetter
                    | Gc::DecimalNumber
                    | Gc::ModifierLetter
                    | Gc::NonspacingMark
                    | Gc::SpacingMark
            ),
        }
    })
}

fn is_noncharacter(c: char) -> bool {
    let u = c as u32;
    (0xFDD0..=0xFDEF).contains(&u) || (u & 0xFFFE) == 0xFFFE
}

/// Whether a U-label mixes scripts: UTS #39 §5.1, its resolved script set
/// is empty. Each character contributes its Script_Extensions, augmented so
/// that Han, Hiragana and Katakana share "Japanese", Han and Hangul
/// "Korean", Han and Bopomofo "Han with Bopomofo"; Common and Inherited
/// characters (digits, hyphen, combining marks) go with any script. So
/// `日本語のテキスト` is one script, `pаypal` with a Cyrillic `а` is two,
/// and so is Latin next to Han.
fn is_mixed_script(label: &str) -> bool {
    use icu_properties::props::Script;
    use icu_properties::script::ScriptWithExtensions;
    if label.is_ascii() {
        return false;
    }
    let swe = ScriptWithExtensions::new();
    // `None` is the set of all scripts.
    let mut resolved: Option<Vec<Script>> = None;
    for c in label.chars() {
        let scx = swe.get_script_extensions_val(c);
        if scx.contains(&Script::Common) || scx.contains(&Script::Inherited) {
            continue;
        }
        let mut set = Vec::with_capacity(4);
        for s in scx.iter() {
            set.push(s);
            match s {
                Script::Han => {
                    set.extend([Script::HanWithBopomofo, Script::Japanese, Script::Korean])
                }
                Script::Hiragana | Script::Katakana => set.push(Script::Japanese),
                Script::Hangul => set.push(Script::Korean),
                Script::Bopomofo => set.push(Script::HanWithBopomofo),
                _ => {}
            }
        }
        let next = match resolved {
            None => set,
            Some(r) => r.into_iter().filter(|s| set.contains(s)).collect(),
        };
        if next.is_empty() {
            return true;
        }
        resolved = Some(next);
    }
    false
}

#[cfg(test)]
mod tests;
