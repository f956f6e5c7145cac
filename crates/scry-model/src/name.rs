//! Domain and host names: the one normaliser every name in Scry goes through.
//!
//! A name is lower-cased, loses its trailing dot, is converted to A-labels
//! (IDNA UTS #46, non-transitional) with the U-label form kept for display,
//! is validated structurally (label and name lengths, characters) and is split
//! with the Public Suffix List (ICANN and private sections) into registrable
//! domain, public suffix and subdomain.
//!
//! Real DNS is messier than host-name rules, so names that exist in zones and
//! passive DNS are accepted and *flagged* rather than rejected: underscore
//! labels (`_dmarc`), A-labels that only IDNA2003 accepted, labels with edge
//! hyphens, a leading `*` wildcard label. Structurally broken names (empty
//! labels, over-long labels or names, characters DNS names cannot carry in
//! text form) are rejected with a reason.

use std::fmt;

use serde::Serialize;

use crate::error::{ModelError, NameError};

/// A property of an accepted name worth telling the analyst about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum NameFlag {
    /// A label contains `_` (service labels such as `_dmarc`, `_tcp`).
    UnderscoreLabel,
    /// An A-label that IDNA2008/UTS #46 rejects but that decodes as Punycode
    /// (registered under IDNA2003 rules).
    Idna2003Only,
    /// An `xn--` label that is not valid Punycode at all.
    BadPunycode,
    /// A label mixes scripts (e.g. Latin and Cyrillic): a homograph signal.
    MixedScript,
    /// A label starts or ends with `-`, or has `--` in positions 3-4 without
    /// being an A-label.
    HyphenEdge,
    /// The leftmost label is the wildcard `*`.
    Wildcard,
    /// The name's last label is not a suffix known to the Public Suffix List.
    UnknownSuffix,
    /// The name is itself a public suffix (it has no registrable domain).
    PublicSuffix,
    /// The input had upper-case letters, a trailing dot or surrounding space.
    Rewritten,
    /// The input was given in Unicode (U-labels) and converted to A-labels.
    Unicode,
    /// The name's registrable domain comes from the private section of the
    /// Public Suffix List (e.g. `foo.blogspot.com`).
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
/// every label is 1..=63 octets and the whole name at most 253 octets;
/// `suffix_labels <= labels`; the registrable domain, when there is one, is
/// the public suffix plus one label.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainName {
    ascii: String,
    unicode: String,
    labels: u8,
    suffix_labels: u8,
    flags: Vec<NameFlag>,
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

const MAX_NAME: usize = 253;
const MAX_LABEL: usize = 63;

impl DomainName {
    /// Normalises `input` or says why it cannot be a DNS name.
    pub fn parse(input: &str) -> Result<DomainName, ModelError> {
        Self::parse_inner(input).map_err(|reason| ModelError::Name {
            input: input.to_string(),
            reason,
        })
    }

    fn parse_inner(input: &str) -> Result<DomainName, NameError> {
        let mut flags = Vec::new();
        let trimmed = input.trim();
        let mut s = trimmed.strip_suffix('.').unwrap_or(trimmed);
        if s.len() != input.len() {
            flags.push(NameFlag::Rewritten);
        }
        if s.ends_with('.') {
            // "example.com.." has an empty last label.
            return Err(NameError::EmptyLabel(s.split('.').count() - 1));
        }
        if s.is_empty() {
            return Err(NameError::Empty);
        }
        // Bound the work on hostile input before any IDNA processing.
        if s.len() > 4 * MAX_NAME {
            return Err(NameError::NameTooLong(s.len()));
        }
        let owned;
        let ascii: String = if s.is_ascii() {
            if s.bytes().any(|b| b.is_ascii_uppercase()) {
                flags.push(NameFlag::Rewritten);
                owned = s.to_ascii_lowercase();
                s = &owned;
            }
            s.to_string()
        } else {
            flags.push(NameFlag::Unicode);
            for (i, l) in s.split('.').enumerate() {
                if l.is_empty() {
                    return Err(NameError::EmptyLabel(i));
                }
            }
            let out = idna::domain_to_ascii_cow(s.as_bytes(), idna::AsciiDenyList::EMPTY)
                .map_err(|e| NameError::Idna(format!("{e:?}")))?;
            out.into_owned()
        };

        let mut labels = 0usize;
        let mut has_xn = false;
        for (i, label) in ascii.split('.').enumerate() {
            labels += 1;
            if label.is_empty() {
                return Err(NameError::EmptyLabel(i));
            }
            if label.len() > MAX_LABEL {
                return Err(NameError::LabelTooLong {
                    label: label.to_string(),
                    len: label.len(),
                });
            }
            if label == "*" {
                if i == 0 {
                    push_once(&mut flags, NameFlag::Wildcard);
                    continue;
                }
                return Err(NameError::InvalidChar {
                    ch: '*',
                    label: label.to_string(),
                });
            }
            for ch in label.chars() {
                match ch {
                    'a'..='z' | '0'..='9' | '-' => {}
                    '_' => push_once(&mut flags, NameFlag::UnderscoreLabel),
                    _ => {
                        return Err(NameError::InvalidChar {
                            ch,
                            label: label.to_string(),
                        });
                    }
                }
            }
            let is_xn = label.starts_with("xn--");
            has_xn |= is_xn;
            if label.starts_with('-')
                || label.ends_with('-')
                || (!is_xn && label.get(2..4) == Some("--"))
            {
                push_once(&mut flags, NameFlag::HyphenEdge);
            }
            if is_xn {
                check_a_label(label, &mut flags);
            }
        }
        if ascii.len() > MAX_NAME {
            return Err(NameError::NameTooLong(ascii.len()));
        }
        let unicode = if has_xn {
            to_unicode_lossless(&ascii)
        } else {
            ascii.clone()
        };
        if has_xn || flags.contains(&NameFlag::Unicode) {
            for label in unicode.split('.') {
                if is_mixed_script(label) {
                    push_once(&mut flags, NameFlag::MixedScript);
                }
            }
        }

        let (suffix_labels, private, known) = match psl::suffix(ascii.as_bytes()) {
            Some(sfx) => {
                let n = sfx.as_bytes().split(|b| *b == b'.').count();
                (n, sfx.typ() == Some(psl::Type::Private), sfx.is_known())
            }
            None => (1, false, false),
        };
        if !known {
            push_once(&mut flags, NameFlag::UnknownSuffix);
        }
        if suffix_labels >= labels {
            push_once(&mut flags, NameFlag::PublicSuffix);
        } else if private {
            push_once(&mut flags, NameFlag::PrivateSuffix);
        }
        flags.sort();
        flags.dedup();
        Ok(DomainName {
            ascii,
            unicode,
            labels: labels.min(u8::MAX as usize) as u8,
            suffix_labels: suffix_labels.min(labels) as u8,
            flags,
        })
    }

    /// The A-label form (what DNS carries), lower case, no trailing dot.
    pub fn ascii(&self) -> &str {
        &self.ascii
    }

    /// The U-label form for display.
    pub fn unicode(&self) -> &str {
        &self.unicode
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

    /// The registrable domain (public suffix plus one label), or `None` when
    /// the name is itself a public suffix.
    pub fn registrable(&self) -> Option<&str> {
        (self.labels > self.suffix_labels)
            .then(|| tail(&self.ascii, self.suffix_labels as usize + 1))
    }

    /// The registrable domain, or the whole name when it is a public suffix:
    /// the key under which a name's facts roll up.
    pub fn registrable_or_self(&self) -> &str {
        self.registrable().unwrap_or(&self.ascii)
    }

    /// The registrable domain as a `DomainName`.
    pub fn registrable_name(&self) -> DomainName {
        match self.registrable() {
            Some(r) if r.len() != self.ascii.len() => {
                let keep = self.suffix_labels + 1;
                DomainName {
                    ascii: r.to_string(),
                    unicode: tail(&self.unicode, keep as usize).to_string(),
                    labels: keep,
                    suffix_labels: self.suffix_labels,
                    flags: self
                        .flags
                        .iter()
                        .copied()
                        .filter(|f| {
                            matches!(
                                f,
                                NameFlag::UnknownSuffix
                                    | NameFlag::PrivateSuffix
                                    | NameFlag::Idna2003Only
                                    | NameFlag::BadPunycode
                            )
                        })
                        .collect(),
                }
            }
            _ => self.clone(),
        }
    }

    /// The part left of the registrable domain (`www` in `www.example.com`),
    /// or `None` when there is none.
    pub fn subdomain(&self) -> Option<&str> {
        let keep = self.suffix_labels as usize + 1;
        if self.labels as usize <= keep {
            return None;
        }
        let reg_len = tail(&self.ascii, keep).len();
        Some(&self.ascii[..self.ascii.len() - reg_len - 1])
    }

    /// Whether the name is its own registrable domain.
    pub fn is_registrable(&self) -> bool {
        self.labels == self.suffix_labels + 1
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
                let registrable_unicode = n
                    .registrable()
                    .map(|_| n.registrable_name().unicode().to_string());
                NameReport {
                    input: input.to_string(),
                    ascii: Some(n.ascii.clone()),
                    unicode: Some(n.unicode.clone()),
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

fn check_a_label(label: &str, flags: &mut Vec<NameFlag>) {
    let (_, res) = idna::domain_to_unicode(label);
    if res.is_ok() {
        return;
    }
    match label.get(4..).and_then(idna::punycode::decode_to_string) {
        Some(_) => push_once(flags, NameFlag::Idna2003Only),
        None => push_once(flags, NameFlag::BadPunycode),
    }
}

/// U-label form, label by label: labels that UTS #46 refuses keep their raw
/// Punycode decoding (IDNA2003 names), or stay as A-labels when undecodable.
fn to_unicode_lossless(ascii: &str) -> String {
    let mut out = String::with_capacity(ascii.len());
    for (i, label) in ascii.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if let Some(rest) = label.strip_prefix("xn--") {
            let (u, res) = idna::domain_to_unicode(label);
            if res.is_ok() {
                out.push_str(&u);
            } else if let Some(d) = idna::punycode::decode_to_string(rest) {
                out.push_str(&d);
            } else {
                out.push_str(label);
            }
        } else {
            out.push_str(label);
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
    Armenian,
    Hebrew,
    Arabic,
    Cjk,
    Other,
}

fn script_of(c: char) -> Option<Script> {
    let u = c as u32;
    Some(match u {
        0x30..=0x39 | 0x2d | 0x5f => return None, // digits, hyphen, underscore: common
        0x41..=0x5a | 0x61..=0x7a | 0xc0..=0x24f | 0x1e00..=0x1eff => Script::Latin,
        0x370..=0x3ff | 0x1f00..=0x1fff => Script::Greek,
        0x400..=0x52f => Script::Cyrillic,
        0x530..=0x58f => Script::Armenian,
        0x590..=0x5ff => Script::Hebrew,
        0x600..=0x6ff | 0x750..=0x77f => Script::Arabic,
        0x3040..=0x30ff | 0x3400..=0x9fff | 0xac00..=0xd7af => Script::Cjk,
        _ if c.is_ascii() => return None,
        _ => Script::Other,
    })
}

fn is_mixed_script(label: &str) -> bool {
    let mut first: Option<Script> = None;
    for c in label.chars() {
        if let Some(s) = script_of(c) {
            match first {
                None => first = Some(s),
                // Japanese and Korean mix CJK with Latin legitimately only
                // with Latin digits; letters of two scripts are flagged.
                Some(f) if f != s => return true,
                _ => {}
            }
        }
    }
    false
}

#[cfg(test)]
mod tests;
