//! Confusable folding (a TR39 skeleton made for host names), the Unicode
//! look-alike tables derived from it, and the checks that keep generated
//! labels registrable.
//!
//! `fold` maps a label to a key that is equal for labels that look alike:
//! lower case, Unicode TR39 §4 skeleton (from `unicode-security`), combining
//! marks removed (so `á` folds like `a`, as registries' bundling does), a few
//! prototypes the skeleton leaves outside ASCII mapped to their ASCII twin
//! (`ƅ`→`b`, `ĸ`→`k`), and the skeleton's `rn` contracted back to `m`.

use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_script::{Script, UnicodeScript};
use unicode_security::{GeneralSecurityProfile, RestrictionLevel, RestrictionLevelDetection};

use crate::tables::{ASCII_ONLY_SUFFIXES, LATIN_ONLY_SUFFIXES};

/// Skeleton prototypes outside ASCII that still stand for one ASCII letter
/// (TR39 maps e.g. Cyrillic `ь` to `ƅ`, `к` to `ĸ`, `м` to `ʍ`).
const EXTRA_PROTOTYPES: &[(char, &str)] = &[
    ('ǝ', "a"),
    ('ə', "a"),
    ('ƅ', "b"),
    ('ʙ', "b"),
    ('ƈ', "c"),
    ('ɢ', "g"),
    ('ⱨ', "h"),
    ('ʝ', "j"),
    ('ĸ', "k"),
    ('ʍ', "m"),
    ('ꞑ', "n"),
    ('ʀ', "r"),
    ('ɾ', "r"),
    ('ʉ', "u"),
    ('ⱴ', "v"),
    ('ⱱ', "v"),
    ('ⱳ', "w"),
    ('ȝ', "3"),
    ('ⱪ', "k"),
    ('ᴛ', "t"),
    ('·', ""),
];

/// Appends the fold of one character to `out`.
fn fold_char_into(c: char, out: &mut String) {
    if c.is_ascii() {
        match c.to_ascii_lowercase() {
            '0' => out.push('o'),
            '1' | '|' => out.push('l'),
            c => out.push(c),
        }
        return;
    }
    // Read as dnstwist does where TR39 differs (`ᶌ` is `y` in TR39).
    if c == 'ᶌ' {
        out.push('v');
        return;
    }
    let mut buf = [0u8; 4];
    for d in c.to_lowercase() {
        for s in unicode_security::skeleton(d.encode_utf8(&mut buf)) {
            if is_combining_mark(s) {
                continue;
            }
            for l in s.to_lowercase() {
                if let Some((_, rep)) = EXTRA_PROTOTYPES.iter().find(|(k, _)| *k == l) {
                    out.push_str(rep);
                } else if l.is_ascii() {
                    match l {
                        '0' => out.push('o'),
                        '1' | '|' => out.push('l'),
                        l => out.push(l),
                    }
                } else {
                    out.push(l);
                }
            }
        }
    }
}

/// The confusable fold of `s` (see the module docs).
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char_into(c, &mut out);
    }
    if out.contains("rn") {
        out = out.replace("rn", "m");
    }
    out
}

/// Whether `c` may appear in a generated label: lower case, unchanged by
/// NFC and by UTS #46 mapping (so IDNA2008-valid as written), and allowed in
/// identifiers by the TR39 General Security Profile.
fn char_registrable(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    }
    if !c.is_lowercase() || !c.identifier_allowed() {
        return false;
    }
    let s = c.to_string();
    if s.nfc().ne(s.chars()) || s.nfkc().ne(s.chars()) {
        return false;
    }
    let probe = format!("{c}a.com");
    match scry_model::DomainName::parse(&probe) {
        Ok(n) => n.unicode() == probe,
        Err(_) => false,
    }
}

/// Unicode look-alikes of ASCII letters and digits: for each ASCII byte,
/// the registrable characters whose fold is exactly that byte.
pub(crate) struct Glyphs {
    by_ascii: Vec<Vec<char>>,
    /// Cyrillic letters folding to each ASCII letter (the `cyrillic` spoof).
    cyrillic: Vec<Option<char>>,
    /// Two-letter ASCII sequences with a single-character look-alike (`ae` →
    /// `æ`).
    pairs: Vec<(String, char)>,
    /// Every registrable character of the scanned ranges, sorted.
    registrable: Vec<char>,
}

impl Glyphs {
    /// The look-alikes of ASCII `b` (any script).
    pub(crate) fn of(&self, b: u8) -> &[char] {
        self.by_ascii.get(usize::from(b)).map_or(&[], Vec::as_slice)
    }

    /// Whether `c` is registrable (memoised [`char_registrable`]).
    fn registrable(&self, c: char) -> bool {
        if c.is_ascii() {
            return char_registrable(c);
        }
        let scanned = SCANNED.iter().any(|r| r.contains(&u32::from(c)));
        if scanned {
            self.registrable.binary_search(&c).is_ok()
        } else {
            char_registrable(c)
        }
    }

    /// The Cyrillic twin of ASCII `b`, if any.
    pub(crate) fn cyrillic(&self, b: u8) -> Option<char> {
        self.cyrillic.get(usize::from(b)).copied().flatten()
    }

    /// Two-letter sequences with a one-character look-alike.
    pub(crate) fn pairs(&self) -> &[(String, char)] {
        &self.pairs
    }
}

/// Latin, IPA, Greek, Cyrillic, Armenian and Latin Extended Additional
/// blocks: they hold every single-script look-alike a registry could accept
/// for an ASCII letter.
const SCANNED: [std::ops::Range<u32>; 4] = [
    0x00c0..0x0590,
    0x1e00..0x1f00,
    0x2c60..0x2c80,
    0xa720..0xa800,
];

/// The derived look-alike tables (built once, on first use).
pub(crate) fn glyphs() -> &'static Glyphs {
    static GLYPHS: OnceLock<Glyphs> = OnceLock::new();
    GLYPHS.get_or_init(|| {
        let mut by_ascii = vec![Vec::new(); 128];
        let mut cyrillic = vec![None; 128];
        let mut pairs = Vec::new();
        let mut registrable = Vec::new();
        for c in SCANNED.iter().cloned().flatten().filter_map(char::from_u32) {
            if !char_registrable(c) {
                continue;
            }
            registrable.push(c);
            // Look-alikes carry at most one diacritic (`ạ`, not `ậ`).
            if c.to_string().nfd().count() > 2 {
                continue;
            }
            let f = fold(&c.to_string());
            let bytes = f.as_bytes();
            match bytes {
                [b] if b.is_ascii_alphanumeric() => {
                    if c.script() == Script::Cyrillic && cyrillic[usize::from(*b)].is_none() {
                        cyrillic[usize::from(*b)] = Some(c);
                    }
                    by_ascii[usize::from(*b)].push(c);
                }
                [a, b] if a.is_ascii_lowercase() && b.is_ascii_lowercase() => {
                    pairs.push((f.clone(), c));
                }
                _ => {}
            }
        }
        registrable.sort_unstable();
        Glyphs {
            by_ascii,
            cyrillic,
            pairs,
            registrable,
        }
    })
}

/// What scripts a registry accepts in labels under a suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdnPolicy {
    /// No internationalised labels.
    AsciiOnly,
    /// Latin-script IDNs only.
    LatinOnly,
    /// Any single script (TR39 "highly restrictive" or stricter).
    Any,
}

/// The IDN policy for a public suffix (A-label form).
pub(crate) fn idn_policy(suffix: &str) -> IdnPolicy {
    if ASCII_ONLY_SUFFIXES.contains(&suffix) {
        IdnPolicy::AsciiOnly
    } else if LATIN_ONLY_SUFFIXES.contains(&suffix) {
        IdnPolicy::LatinOnly
    } else {
        IdnPolicy::Any
    }
}

/// Whether a U-label could be registered under a suffix with `policy`:
/// every character registrable, and the label at TR39 restriction level
/// "highly restrictive" or stricter (no Latin+Cyrillic mixes).
pub(crate) fn label_registrable(label: &str, policy: IdnPolicy) -> bool {
    if label.is_ascii() {
        return true;
    }
    if policy == IdnPolicy::AsciiOnly {
        return false;
    }
    let g = glyphs();
    if !label.chars().all(|c| g.registrable(c)) {
        return false;
    }
    let ident: String = label.chars().filter(|c| *c != '-').collect();
    if ident.as_str().detect_restriction_level() > RestrictionLevel::HighlyRestrictive {
        return false;
    }
    if policy == IdnPolicy::LatinOnly {
        return label
            .chars()
            .all(|c| c.is_ascii() || c.script() == Script::Latin);
    }
    true
}

/// Whether every letter of `label` is Cyrillic (digits and `-` aside).
pub(crate) fn all_cyrillic(label: &str) -> bool {
    let mut any = false;
    for c in label.chars() {
        if c.is_ascii_digit() || c == '-' {
            continue;
        }
        if c.script() != Script::Cyrillic {
            return false;
        }
        any = true;
    }
    any
}

#[cfg(test)]
mod tests;
