//! GENERATE: the look-alike permutations of a domain, dnstwist's fuzzers
//! plus the ail-typo-squatting extras, each tagged with its technique(s).
//!
//! Permutations are made on the label left of the public suffix (as dnstwist
//! does), with any subdomain kept in front. Every candidate is normalised by
//! `scry_model::DomainName::parse` and dropped unless a registry could accept
//! it: no edge hyphens or `--` in positions 3-4, characters valid under
//! IDNA2008 and allowed by the TR39 General Security Profile, each label at
//! TR39 restriction level "highly restrictive" or stricter (no Latin +
//! Cyrillic mixes), and no IDN under suffixes whose registry refuses them.

use std::collections::{BTreeMap, BTreeSet};

use scry_model::{DomainName, NameFlag};
use unicode_script::{Script, UnicodeScript};

use crate::Technique;
use crate::fold::{IdnPolicy, glyphs, idn_policy, label_registrable};
use crate::tables::{
    ADD_TLDS, ASCII_GLYPHS, DEFAULT_TLDS, DEFAULT_WORDS, DYNAMIC_DNS, HOMOPHONES, KEYBOARDS,
    NUMERALS, SLDS,
};

/// What [`generate`] produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// The techniques to run (default: every generator,
    /// [`Technique::GENERATORS`]). Matcher-only techniques are ignored.
    pub techniques: Vec<Technique>,
    /// Words for `dictionary` (default: a built-in list of phishing words;
    /// [`parse_word_list`] reads dnstwist's `.dict` files).
    pub words: Vec<String>,
    /// TLDs for `tld_swap` (default: a built-in list of common and abused
    /// TLDs).
    pub tlds: Vec<String>,
    /// Rounds of `homoglyph` substitution: 1 or 2 (dnstwist does 2; labels
    /// longer than 24 characters get one).
    pub homoglyph_rounds: u8,
    /// Whether to produce internationalised (IDN) candidates at all.
    pub idn: bool,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            techniques: Technique::GENERATORS.to_vec(),
            words: DEFAULT_WORDS.iter().map(|w| (*w).to_string()).collect(),
            tlds: DEFAULT_TLDS.iter().map(|w| (*w).to_string()).collect(),
            homoglyph_rounds: 2,
            idn: true,
        }
    }
}

/// One look-alike of the input domain (serialises as
/// `{"domain", "unicode", "techniques"}`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Candidate {
    /// The name in A-labels (what DNS carries).
    pub domain: String,
    /// The name in U-labels (what a victim sees).
    pub unicode: String,
    /// Every technique that produced this name, sorted.
    pub techniques: Vec<Technique>,
}

/// Reads a word or TLD list in dnstwist's `.dict` format: one entry a line,
/// `//` and `#` comments and blank lines skipped, entries lower-cased.
pub fn parse_word_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with('#'))
        .map(|l| l.trim_start_matches('.').to_lowercase())
        .filter(|l| !l.is_empty() && l.len() <= 63)
        .collect();
    out.dedup();
    out
}

/// The look-alikes of `domain` under `opts`, sorted by A-label, without the
/// domain itself. A domain that is itself a public suffix has none.
pub fn generate(domain: &DomainName, opts: &GenerateOptions) -> Vec<Candidate> {
    let Some(reg) = domain.registrable() else {
        return Vec::new();
    };
    let reg_unicode = domain.registrable_name().unicode().to_string();
    let suffix = domain.suffix().to_string();
    let suffix_unicode = match reg_unicode.split_once('.') {
        Some((_, s)) => s.to_string(),
        None => suffix.clone(),
    };
    let label_unicode = reg_unicode
        .split('.')
        .next()
        .unwrap_or_default()
        .to_string();
    let sub_unicode = domain.subdomain().map(|s| {
        // The subdomain's U-label form: the unicode name minus the
        // registrable part.
        let u = domain.unicode();
        u.strip_suffix(reg_unicode.as_str())
            .and_then(|p| p.strip_suffix('.'))
            .unwrap_or(s)
            .to_string()
    });
    let g = Gen {
        label: label_unicode.chars().collect(),
        label_str: label_unicode,
        sub: sub_unicode,
        suffix: suffix_unicode,
        policy: if opts.idn {
            idn_policy(&suffix)
        } else {
            IdnPolicy::AsciiOnly
        },
        opts,
        out: BTreeMap::new(),
    };
    g.run(domain.ascii(), reg)
}

/// Label-level variants the matcher indexes exactly because they are far
/// from the label in edit distance: ASCII homoglyphs (two rounds),
/// homophones, numeral swaps, plurals, double replacements, stripped dashes,
/// and dictionary words replacing one part of a hyphenated label.
pub(crate) fn label_variants(label: &str, words: &[String]) -> Vec<(String, Technique)> {
    let opts = GenerateOptions {
        techniques: vec![
            Technique::Homoglyph,
            Technique::Homophone,
            Technique::NumeralSwap,
            Technique::Plural,
            Technique::DoubleReplacement,
            Technique::StripDash,
        ],
        words: Vec::new(),
        tlds: Vec::new(),
        homoglyph_rounds: 2,
        idn: false,
    };
    let mut g = Gen {
        label: label.chars().collect(),
        label_str: label.to_string(),
        sub: None,
        suffix: "com".to_string(),
        policy: IdnPolicy::AsciiOnly,
        opts: &opts,
        out: BTreeMap::new(),
    };
    for t in opts.techniques.iter().copied() {
        g.technique(t);
    }
    let mut out = Vec::new();
    for (name, techs) in g.out {
        if let Some(l) = name.strip_suffix(".com")
            && l != label
        {
            out.extend(techs.into_iter().map(|t| (l.to_string(), t)));
        }
    }
    if let (Some((first, _)), Some((_, last))) = (label.split_once('-'), label.rsplit_once('-')) {
        let init = &label[..label.len() - last.len() - 1];
        let rest = &label[first.len() + 1..];
        for w in words {
            out.push((format!("{init}-{w}"), Technique::Dictionary));
            out.push((format!("{w}-{rest}"), Technique::Dictionary));
        }
    }
    out
}

struct Gen<'a> {
    label: Vec<char>,
    label_str: String,
    sub: Option<String>,
    suffix: String,
    policy: IdnPolicy,
    opts: &'a GenerateOptions,
    /// Full U-label name → techniques.
    out: BTreeMap<String, BTreeSet<Technique>>,
}

/// Longest label given two rounds of `homoglyph` substitution.
const MAX_TWO_ROUND_LABEL: usize = 24;

const ALNUM: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const VOWELS: &[char] = &['a', 'e', 'i', 'o', 'u'];

impl Gen<'_> {
    fn run(mut self, original: &str, reg: &str) -> Vec<Candidate> {
        let techniques: BTreeSet<Technique> = self.opts.techniques.iter().copied().collect();
        for t in techniques {
            self.technique(t);
        }
        let mut merged: BTreeMap<String, (String, BTreeSet<Technique>)> = BTreeMap::new();
        for (name, techs) in std::mem::take(&mut self.out) {
            let Some((ascii, unicode)) = self.accept(&name) else {
                continue;
            };
            if ascii == original || ascii == reg {
                continue;
            }
            let e = merged
                .entry(ascii)
                .or_insert_with(|| (unicode, BTreeSet::new()));
            e.1.extend(techs);
        }
        merged
            .into_iter()
            .map(|(domain, (unicode, techniques))| Candidate {
                domain,
                unicode,
                techniques: techniques.into_iter().collect(),
            })
            .collect()
    }

    /// Normalises a candidate and applies the registrability rules.
    fn accept(&self, name: &str) -> Option<(String, String)> {
        let n = DomainName::parse(name).ok()?;
        if n.has_flag(NameFlag::HyphenEdge)
            || n.has_flag(NameFlag::PublicSuffix)
            || n.has_flag(NameFlag::UnderscoreLabel)
            || n.has_flag(NameFlag::Idna2003Only)
            || n.has_flag(NameFlag::BadPunycode)
        {
            return None;
        }
        // UTS #46 must not have rewritten anything (no mapped characters).
        if n.unicode() != name {
            return None;
        }
        let policy = idn_policy(n.suffix());
        let policy = match (self.policy, policy) {
            (IdnPolicy::AsciiOnly, _) | (_, IdnPolicy::AsciiOnly) => IdnPolicy::AsciiOnly,
            (IdnPolicy::LatinOnly, _) | (_, IdnPolicy::LatinOnly) => IdnPolicy::LatinOnly,
            _ => IdnPolicy::Any,
        };
        if !n.unicode().split('.').all(|l| label_registrable(l, policy)) {
            return None;
        }
        Some((n.ascii().to_string(), n.unicode().to_string()))
    }

    /// Records a permutation of the label.
    fn label(&mut self, label: String, t: Technique) {
        if label.is_empty() {
            return;
        }
        let name = match &self.sub {
            Some(s) => format!("{s}.{label}.{}", self.suffix),
            None => format!("{label}.{}", self.suffix),
        };
        self.out.entry(name).or_default().insert(t);
    }

    /// Records a whole name.
    fn name(&mut self, name: String, t: Technique) {
        self.out.entry(name).or_default().insert(t);
    }

    fn with_char(&self, i: usize, c: char) -> String {
        let mut v = self.label.clone();
        v[i] = c;
        v.into_iter().collect()
    }

    fn technique(&mut self, t: Technique) {
        let l = self.label.clone();
        let n = l.len();
        let s = self.label_str.clone();
        match t {
            Technique::Addition => {
                for &c in ALNUM {
                    self.label(format!("{s}{}", c as char), t);
                    for (i, ch) in l.iter().enumerate() {
                        if *ch == '-' && i > 0 {
                            let mut v = l.clone();
                            v.insert(i, c as char);
                            self.label(v.into_iter().collect(), t);
                        }
                    }
                }
            }
            Technique::Bitsquatting => {
                for (i, &ch) in l.iter().enumerate() {
                    if !ch.is_ascii() {
                        continue;
                    }
                    for bit in 0..8 {
                        let b = (ch as u8) ^ (1 << bit);
                        if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' {
                            let v = self.with_char(i, b as char);
                            self.label(v, t);
                        }
                    }
                }
            }
            Technique::Cyrillic => {
                let g = glyphs();
                let mut changed = true;
                let v: String = l
                    .iter()
                    .map(|&c| {
                        if c.is_ascii_digit() || c == '-' {
                            return c;
                        }
                        match u8::try_from(c).ok().and_then(|b| g.cyrillic(b)) {
                            Some(cy) => cy,
                            None => {
                                changed = false;
                                c
                            }
                        }
                    })
                    .collect();
                if changed && v != s {
                    self.label(v, t);
                }
            }
            Technique::Homoglyph => self.homoglyph(),
            Technique::Hyphenation => {
                for i in 1..n {
                    if l[i] != '-' && l[i - 1] != '-' {
                        let mut v = l.clone();
                        v.insert(i, '-');
                        self.label(v.into_iter().collect(), t);
                    }
                }
            }
            Technique::Insertion => {
                for (i, &ch) in l.iter().enumerate() {
                    for kb in &KEYBOARDS {
                        let Ok(b) = u8::try_from(ch) else { continue };
                        for k in kb.neighbours(b) {
                            let mut before = l.clone();
                            before.insert(i, k as char);
                            self.label(before.into_iter().collect(), t);
                            let mut after = l.clone();
                            after.insert(i + 1, k as char);
                            self.label(after.into_iter().collect(), t);
                        }
                    }
                }
            }
            Technique::Omission => {
                for i in 0..n {
                    let mut v = l.clone();
                    v.remove(i);
                    self.label(v.into_iter().collect(), t);
                }
            }
            Technique::Plural => {
                // dnstwist inserts inside the label; the plain plural at the
                // end is ail's singular/plural.
                for i in 2..n.saturating_sub(2) {
                    let mut v = l.clone();
                    let ins = if matches!(l[i], 's' | 'x' | 'z') {
                        "es"
                    } else {
                        "s"
                    };
                    for (k, c) in ins.chars().enumerate() {
                        v.insert(i + 1 + k, c);
                    }
                    self.label(v.into_iter().collect(), t);
                }
                if let Some(last) = l.last() {
                    if *last == 's' && n > 3 {
                        self.label(l[..n - 1].iter().collect(), t);
                    } else if matches!(last, 'x' | 'z' | 'h') {
                        self.label(format!("{s}es"), t);
                    } else {
                        self.label(format!("{s}s"), t);
                    }
                }
            }
            Technique::Repetition => {
                for i in 0..n {
                    let mut v = l.clone();
                    v.insert(i, l[i]);
                    self.label(v.into_iter().collect(), t);
                }
            }
            Technique::Replacement => {
                for (i, &ch) in l.iter().enumerate() {
                    let Ok(b) = u8::try_from(ch) else { continue };
                    for kb in &KEYBOARDS {
                        for k in kb.neighbours(b) {
                            let v = self.with_char(i, k as char);
                            self.label(v, t);
                        }
                    }
                }
            }
            Technique::Subdomain => {
                for i in 1..n.saturating_sub(1) {
                    if l[i] != '-' && l[i - 1] != '-' {
                        let mut v = l.clone();
                        v.insert(i, '.');
                        self.label(v.into_iter().collect(), t);
                    }
                }
            }
            Technique::Transposition => {
                for i in 0..n.saturating_sub(1) {
                    if l[i] != l[i + 1] {
                        let mut v = l.clone();
                        v.swap(i, i + 1);
                        self.label(v.into_iter().collect(), t);
                    }
                }
            }
            Technique::VowelSwap => {
                for (i, ch) in l.iter().enumerate() {
                    if VOWELS.contains(ch) {
                        for &vw in VOWELS {
                            if vw != *ch {
                                let v = self.with_char(i, vw);
                                self.label(v, t);
                            }
                        }
                    }
                }
            }
            Technique::Dictionary => {
                let words = self.opts.words.clone();
                for w in &words {
                    if w.is_empty() || (s.starts_with(w.as_str()) && s.ends_with(w.as_str())) {
                        continue;
                    }
                    self.label(format!("{s}-{w}"), t);
                    self.label(format!("{s}{w}"), t);
                    self.label(format!("{w}-{s}"), t);
                    self.label(format!("{w}{s}"), t);
                }
                if let (Some((_, rest)), Some((init, _))) = (s.split_once('-'), s.rsplit_once('-'))
                {
                    for w in &words {
                        self.label(format!("{init}-{w}"), t);
                        self.label(format!("{w}-{rest}"), t);
                    }
                }
            }
            Technique::TldSwap => {
                let tlds = self.opts.tlds.clone();
                for tld in &tlds {
                    if *tld != self.suffix {
                        let name = match &self.sub {
                            Some(sub) => format!("{sub}.{s}.{tld}"),
                            None => format!("{s}.{tld}"),
                        };
                        self.name(name, t);
                    }
                }
            }
            Technique::Various => self.various(),
            Technique::DoubleReplacement => {
                // Two adjacent characters typed as one key twice: the key is
                // one of the two or a keyboard neighbour of one of them.
                for i in 0..n.saturating_sub(1) {
                    let mut keys: Vec<char> = vec![l[i], l[i + 1]];
                    for c in [l[i], l[i + 1]] {
                        let Ok(b) = u8::try_from(c) else { continue };
                        for kb in &KEYBOARDS {
                            keys.extend(kb.neighbours(b).into_iter().map(char::from));
                        }
                    }
                    for k in keys {
                        if k == '-' {
                            continue;
                        }
                        let mut v = l.clone();
                        v[i] = k;
                        v[i + 1] = k;
                        self.label(v.into_iter().collect(), t);
                    }
                }
            }
            Technique::MissingDot => {
                let suffix = self.suffix.clone();
                match self.sub.clone() {
                    Some(sub) => {
                        self.name(format!("{}{s}.{suffix}", sub.replace('.', "")), t);
                        if let Some((head, last)) = sub.rsplit_once('.') {
                            self.name(format!("{head}.{last}{s}.{suffix}"), t);
                        }
                    }
                    None => self.name(format!("www{s}.{suffix}"), t),
                }
                let flat = suffix.replace('.', "");
                self.name(format!("{s}{flat}.com"), t);
                self.name(format!("www{s}{flat}.com"), t);
            }
            Technique::StripDash => {
                if s.contains('-') {
                    self.label(s.replace('-', ""), t);
                    self.label(s.replacen('-', "", 1), t);
                    if let Some(i) = s.rfind('-') {
                        let mut v = s.clone();
                        v.remove(i);
                        self.label(v, t);
                    }
                }
            }
            Technique::NumeralSwap => {
                for (digit, word) in NUMERALS {
                    for (from, to) in [(digit, word), (word, digit)] {
                        for (i, _) in s.match_indices(from) {
                            let v = format!("{}{to}{}", &s[..i], &s[i + from.len()..]);
                            self.label(v, t);
                        }
                    }
                }
            }
            Technique::Homophone => {
                for group in HOMOPHONES {
                    for from in group.iter() {
                        for (i, _) in s.match_indices(from) {
                            for to in group.iter().filter(|to| *to != from) {
                                let v = format!("{}{to}{}", &s[..i], &s[i + from.len()..]);
                                self.label(v, t);
                            }
                        }
                    }
                }
            }
            Technique::AddTld => {
                let base = match &self.sub {
                    Some(sub) => format!("{sub}.{s}.{}", self.suffix),
                    None => format!("{s}.{}", self.suffix),
                };
                for tld in ADD_TLDS {
                    self.name(format!("{base}.{tld}"), t);
                }
            }
            Technique::ChangeDotDash => {
                let dashed_suffix = self.suffix.replace('.', "-");
                self.name(format!("{s}-{dashed_suffix}.com"), t);
                if self.suffix.contains('.')
                    && let Some((_, last)) = self.suffix.rsplit_once('.')
                {
                    let (first, _) = self.suffix.split_once('.').unwrap_or((last, last));
                    self.name(format!("{s}-{first}.{last}"), t);
                }
                if let Some(sub) = self.sub.clone() {
                    self.name(format!("{}-{s}.{}", sub.replace('.', "-"), self.suffix), t);
                    self.name(
                        format!("{}-{s}-{dashed_suffix}.com", sub.replace('.', "-")),
                        t,
                    );
                }
            }
            Technique::WrongSld => {
                let suffix = self.suffix.clone();
                if let Some((sld, tld)) = suffix.split_once('.')
                    && SLDS.contains(&sld)
                    && !tld.contains('.')
                {
                    for other in SLDS.iter().filter(|o| **o != sld) {
                        self.name(format!("{s}.{other}.{tld}"), t);
                    }
                }
            }
            Technique::AddDynamicDns => {
                for provider in DYNAMIC_DNS {
                    self.name(format!("{s}.{provider}"), t);
                }
            }
            Technique::Combosquat | Technique::BrandInSubdomain | Technique::EditDistance => {}
        }
    }

    fn homoglyph(&mut self) {
        let t = Technique::Homoglyph;
        let g = glyphs();
        let policy = self.policy;
        // Substitutions: ASCII sequences (single and multi-character) and,
        // when IDNs are allowed, the TR39-derived Unicode look-alikes.
        let subs = |window: &[char]| -> Vec<String> {
            let w: String = window.iter().collect();
            let mut out: Vec<String> = ASCII_GLYPHS
                .iter()
                .filter(|(from, _)| *from == w)
                .map(|(_, to)| (*to).to_string())
                .collect();
            if policy != IdnPolicy::AsciiOnly {
                if let [c] = window {
                    if let Ok(b) = u8::try_from(*c) {
                        // A Latin label only takes Latin look-alikes: any
                        // other script would make it mixed-script (whole-
                        // script spoofs are the `cyrillic` technique).
                        out.extend(
                            g.of(b)
                                .iter()
                                .filter(|c| c.script() == Script::Latin)
                                .map(|c| c.to_string()),
                        );
                    }
                } else {
                    out.extend(
                        g.pairs()
                            .iter()
                            .filter(|(p, _)| *p == w)
                            .map(|(_, c)| c.to_string()),
                    );
                }
            }
            out
        };
        // As dnstwist's `mix`: each character, each two-character window,
        // and in a window each character replaced wherever it occurs in the
        // window (`dd` → `bb`).
        let mix = |label: &[char]| -> BTreeSet<String> {
            let mut out = BTreeSet::new();
            for width in 1..=2 {
                for i in 0..label.len().saturating_sub(width - 1) {
                    for rep in subs(&label[i..i + width]) {
                        let mut v: String = label[..i].iter().collect();
                        v.push_str(&rep);
                        v.extend(&label[i + width..]);
                        out.insert(v);
                    }
                }
            }
            for i in 0..label.len().saturating_sub(1) {
                if label[i] == label[i + 1] {
                    for rep in subs(&label[i..=i]) {
                        let mut v: String = label[..i].iter().collect();
                        v.push_str(&rep);
                        v.push_str(&rep);
                        v.extend(&label[i + 2..]);
                        out.insert(v);
                    }
                }
            }
            out
        };
        let first = mix(&self.label);
        let mut all = first.clone();
        // The second round grows with the square of the first: it is skipped
        // for labels longer than `MAX_TWO_ROUND_LABEL` characters.
        if self.opts.homoglyph_rounds >= 2 && self.label.len() <= MAX_TWO_ROUND_LABEL {
            for v in &first {
                let chars: Vec<char> = v.chars().collect();
                all.extend(mix(&chars));
            }
        }
        for v in all {
            // Mixed-script results are dropped later by `accept`; skip the
            // obvious ones here to save the normalisation.
            if v != self.label_str && label_registrable(&v, policy) {
                self.label(v, t);
            }
        }
    }

    fn various(&mut self) {
        let t = Technique::Various;
        let s = self.label_str.clone();
        let suffix = self.suffix.clone();
        let flat = suffix.replace('.', "");
        if let Some((_, last)) = suffix.rsplit_once('.') {
            self.label_on(&s, last, t);
            self.label_on(
                &format!("{s}{}", suffix.split('.').next().unwrap_or_default()),
                last,
                t,
            );
        } else {
            self.label_on(&format!("{s}{flat}"), &suffix, t);
            if suffix != "com" {
                self.label_on(&format!("{s}-{flat}"), "com", t);
                self.label_on(&format!("{s}{flat}"), "com", t);
            }
        }
        if let Some(sub) = self.sub.clone() {
            self.name(format!("{sub}{s}.{suffix}"), t);
            self.name(format!("{}{s}.{suffix}", sub.replace('.', "")), t);
            self.name(format!("{sub}-{s}.{suffix}"), t);
            self.name(format!("{}-{s}.{suffix}", sub.replace('.', "-")), t);
        }
    }

    fn label_on(&mut self, label: &str, suffix: &str, t: Technique) {
        let name = match &self.sub {
            Some(sub) => format!("{sub}.{label}.{suffix}"),
            None => format!("{label}.{suffix}"),
        };
        self.name(name, t);
    }
}

#[cfg(test)]
mod tests;
