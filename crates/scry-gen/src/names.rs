//! Domain labels: benign names that look real, brand look-alikes, DGA output
//! and spam names. Every function returns a valid LDH label (1..=63 bytes,
//! lowercase, no leading, trailing or double hyphen).

use crate::rng::Rng;
use crate::words;

/// Look-alike construction styles a phishing campaign favours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LookForm {
    /// `paypal-login`
    BrandKeyword,
    /// `secure-paypal`
    KeywordBrand,
    /// `paypa1`, `paypall`, `pyapal`
    Typo,
    /// `paypa1-verify`
    TypoKeyword,
    /// `paypal-us`
    BrandLocale,
    /// `paypal-account-update`
    BrandTwoKeywords,
}

/// All look-alike forms.
pub(crate) const LOOK_FORMS: [LookForm; 6] = [
    LookForm::BrandKeyword,
    LookForm::KeywordBrand,
    LookForm::Typo,
    LookForm::TypoKeyword,
    LookForm::BrandLocale,
    LookForm::BrandTwoKeywords,
];

/// DGA styles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DgaStyle {
    /// Random letters, 12 to 20 of them.
    Letters,
    /// Two or three dictionary words concatenated.
    Words,
    /// 16 to 32 hex digits.
    Hex,
    /// Consonant-vowel syllables.
    Syllables,
}

/// The DGA families of the synthetic world: (family id, style, label length).
pub(crate) const DGA_FAMILIES: &[(&str, DgaStyle)] = &[
    ("lettersoup", DgaStyle::Letters),
    ("wordsalad", DgaStyle::Words),
    ("hexbeacon", DgaStyle::Hex),
    ("syllabus", DgaStyle::Syllables),
];

/// Word lists, built once per run.
pub(crate) struct Lexicon {
    common: Vec<String>,
    business: Vec<&'static str>,
    locale: Vec<&'static str>,
    cities: Vec<&'static str>,
    first: Vec<&'static str>,
    last: Vec<&'static str>,
    pub(crate) phish_keywords: Vec<&'static str>,
    phish_locales: Vec<&'static str>,
    spam: Vec<&'static str>,
}

impl Lexicon {
    /// The built-in lists plus optional extra common words (from a
    /// dictionary file the caller supplied).
    pub(crate) fn new(extra: &[String]) -> Lexicon {
        let mut common: Vec<String> = words::list(words::COMMON)
            .into_iter()
            .map(str::to_string)
            .collect();
        for w in extra {
            let w = w.trim().to_ascii_lowercase();
            if (3..=12).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_lowercase()) {
                common.push(w);
            }
        }
        Lexicon {
            common,
            business: words::list(words::BUSINESS),
            locale: words::list(words::LOCALE),
            cities: words::list(words::CITIES),
            first: words::list(words::FIRST),
            last: words::list(words::LAST),
            phish_keywords: words::list(words::PHISH_KEYWORDS),
            phish_locales: words::list(words::PHISH_LOCALES),
            spam: words::list(words::SPAM),
        }
    }

    fn common<'a>(&'a self, r: &mut Rng) -> &'a str {
        let i = r.index(self.common.len());
        self.common[i].as_str()
    }

    /// A benign-looking label.
    pub(crate) fn benign(&self, r: &mut Rng, out: &mut String) {
        out.clear();
        match r.below(100) {
            0 => out.push_str(self.common(r)),
            1..=6 => {
                out.push_str(self.common(r));
                out.push_str(self.common(r));
            }
            7..=9 => {
                out.push_str(self.common(r));
                out.push('-');
                out.push_str(self.common(r));
            }
            10..=27 => {
                out.push_str(self.common(r));
                out.push_str(self.common(r));
                out.push_str(r.word(&self.business));
            }
            28..=35 => {
                out.push_str(r.word(&self.first));
                if r.chance(0.2) {
                    out.push('-');
                }
                out.push_str(r.word(&self.last));
                if r.chance(0.6) {
                    out.push_str(r.word(&self.business));
                }
            }
            36..=45 => {
                out.push_str(r.word(&self.cities));
                if r.chance(0.15) {
                    out.push('-');
                }
                if r.chance(0.7) {
                    out.push_str(self.common(r));
                }
                out.push_str(r.word(&self.business));
            }
            46..=49 => {
                out.push_str(self.common(r));
                out.push_str(r.word(&self.business));
            }
            50..=55 => {
                out.push_str(r.word(&self.locale));
                out.push_str(r.word(&self.locale));
                if r.chance(0.7) {
                    out.push_str(r.word(&self.locale));
                }
            }
            56..=63 => {
                out.push_str(r.word(&[
                    "the", "my", "get", "go", "try", "your", "our", "hello", "just", "we", "hey",
                    "all",
                ]));
                out.push_str(self.common(r));
                out.push_str(self.common(r));
            }
            64..=71 => {
                out.push_str(self.common(r));
                out.push_str(self.common(r));
                out.push_str(self.common(r));
            }
            72..=77 => {
                out.push_str(self.common(r));
                out.push_str(self.common(r));
                let n = r.range(1, 2_100);
                out.push_str(&n.to_string());
            }
            _ => coined(r, out),
        }
        finish(out);
    }

    /// A look-alike of `brand` in the given form; `kws` are the campaign's
    /// preferred keywords.
    pub(crate) fn lookalike(
        &self,
        brand: &str,
        form: LookForm,
        kws: &[&'static str],
        r: &mut Rng,
        out: &mut String,
    ) {
        out.clear();
        let kw = |r: &mut Rng| -> &'static str {
            if !kws.is_empty() && r.chance(0.8) {
                kws[r.index(kws.len())]
            } else {
                self.phish_keywords[r.index(self.phish_keywords.len())]
            }
        };
        let sep = |r: &mut Rng| if r.chance(0.7) { "-" } else { "" };
        match form {
            LookForm::BrandKeyword => {
                out.push_str(brand);
                out.push_str(sep(r));
                out.push_str(kw(r));
            }
            LookForm::KeywordBrand => {
                out.push_str(kw(r));
                out.push_str(sep(r));
                out.push_str(brand);
            }
            LookForm::Typo => typo(brand, r, out),
            LookForm::TypoKeyword => {
                typo(brand, r, out);
                out.push_str(sep(r));
                out.push_str(kw(r));
            }
            LookForm::BrandLocale => {
                out.push_str(brand);
                out.push('-');
                out.push_str(r.word(&self.phish_locales));
                if r.chance(0.4) {
                    out.push('-');
                    out.push_str(kw(r));
                }
            }
            LookForm::BrandTwoKeywords => {
                out.push_str(brand);
                out.push('-');
                out.push_str(kw(r));
                out.push('-');
                out.push_str(kw(r));
            }
        }
        if r.chance(0.15) {
            out.push_str(&r.range(1, 100).to_string());
        }
        finish(out);
    }

    /// A DGA label.
    pub(crate) fn dga(&self, style: DgaStyle, r: &mut Rng, out: &mut String) {
        out.clear();
        match style {
            DgaStyle::Letters => {
                let n = r.range(12, 21);
                for _ in 0..n {
                    out.push((b'a' + r.below(26) as u8) as char);
                }
            }
            DgaStyle::Words => {
                let n = r.range(2, 4);
                for _ in 0..n {
                    out.push_str(self.common(r));
                }
            }
            DgaStyle::Hex => {
                let n = r.range(8, 17) as usize;
                r.hex(out, n);
            }
            DgaStyle::Syllables => {
                let n = r.range(4, 8);
                for _ in 0..n {
                    out.push(*r.pick(words::CONSONANTS) as char);
                    out.push(*r.pick(words::VOWELS) as char);
                }
            }
        }
        finish(out);
    }

    /// A spam label built from the campaign's theme words.
    pub(crate) fn spam(&self, theme: &[&'static str], r: &mut Rng, out: &mut String) {
        out.clear();
        let w = |r: &mut Rng| -> &'static str {
            if !theme.is_empty() && r.chance(0.7) {
                theme[r.index(theme.len())]
            } else {
                self.spam[r.index(self.spam.len())]
            }
        };
        out.push_str(w(r));
        if r.chance(0.4) {
            out.push('-');
        }
        out.push_str(w(r));
        if r.chance(0.5) {
            out.push_str(self.common(r));
        }
        if r.chance(0.5) {
            out.push_str(&r.range(1, 1000).to_string());
        }
        finish(out);
    }

    /// Theme words of a spam campaign.
    pub(crate) fn spam_theme(&self, r: &mut Rng) -> Vec<&'static str> {
        (0..3).map(|_| r.word(&self.spam)).collect()
    }

    /// A random local part for a throwaway mailbox (`mark.jones1987`).
    pub(crate) fn mailbox(&self, r: &mut Rng, out: &mut String) {
        out.push_str(r.word(&self.first));
        match r.below(3) {
            0 => out.push('.'),
            1 => out.push('_'),
            _ => {}
        }
        out.push_str(r.word(&self.last));
        out.push_str(&r.range(1960, 2006).to_string());
    }

    /// A person's name (`Mary Johnson`).
    pub(crate) fn person(&self, r: &mut Rng) -> String {
        let mut s = String::new();
        for (i, w) in [r.word(&self.first), r.word(&self.last)].iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            let mut c = w.chars();
            if let Some(f) = c.next() {
                s.push(f.to_ascii_uppercase());
                s.push_str(c.as_str());
            }
        }
        s
    }

    /// A city name for addresses.
    pub(crate) fn city(&self, r: &mut Rng) -> &'static str {
        r.word(&self.cities)
    }
}

/// A pronounceable made-up brand (`zentaro`, `kivano`).
fn coined(r: &mut Rng, out: &mut String) {
    let syll = if r.chance(0.3) { 3 } else { 4 };
    for _ in 0..syll {
        out.push(*r.pick(words::CONSONANTS) as char);
        out.push(*r.pick(words::VOWELS) as char);
        if r.chance(0.25) {
            out.push(*r.pick(b"nrsl") as char);
        }
    }
    if r.chance(0.3) {
        out.push_str(r.word(&["ly", "io", "ify", "hub", "lab", "go"]));
    }
}

/// One dnstwist-style typo of `brand`.
fn typo(brand: &str, r: &mut Rng, out: &mut String) {
    let b = brand.as_bytes();
    let n = b.len();
    if n < 3 {
        out.push_str(brand);
        out.push(*r.pick(b"sxz") as char);
        return;
    }
    let i = r.range(1, n as u64 - 1) as usize;
    match r.below(7) {
        0 => {
            // Omission.
            out.push_str(&brand[..i]);
            out.push_str(&brand[i + 1..]);
        }
        1 => {
            // Repetition.
            out.push_str(&brand[..=i]);
            out.push_str(&brand[i..]);
        }
        2 => {
            // Transposition.
            let mut v = b.to_vec();
            v.swap(i - 1, i);
            out.extend(v.iter().map(|&c| c as char));
        }
        3 => {
            // ASCII homoglyph (dnstwist's table, one substitution).
            const GLYPHS: &[(&str, &str)] = &[
                ("o", "0"),
                ("l", "1"),
                ("i", "l"),
                ("m", "rn"),
                ("w", "vv"),
                ("d", "cl"),
                ("n", "m"),
                ("e", "3"),
                ("a", "4"),
                ("s", "5"),
            ];
            let hits: Vec<&(&str, &str)> =
                GLYPHS.iter().filter(|(f, _)| brand.contains(f)).collect();
            if hits.is_empty() {
                out.push_str(brand);
                out.push(*r.pick(b"sxz") as char);
            } else {
                let (f, t) = *hits[r.index(hits.len())];
                out.push_str(&brand.replacen(f, t, 1));
            }
        }
        4 => {
            // Vowel swap.
            let vowels: Vec<usize> = (0..n).filter(|&k| b"aeiou".contains(&b[k])).collect();
            let mut v = b.to_vec();
            if let Some(&k) = vowels.get(r.index(vowels.len().max(1))) {
                let mut nv = *r.pick(b"aeiou");
                if nv == v[k] {
                    nv = if nv == b'a' { b'e' } else { b'a' };
                }
                v[k] = nv;
            } else {
                v.push(b'e');
            }
            out.extend(v.iter().map(|&c| c as char));
        }
        5 => {
            // Addition.
            out.push_str(brand);
            out.push((b'a' + r.below(26) as u8) as char);
        }
        _ => {
            // Hyphenation.
            out.push_str(&brand[..i]);
            out.push('-');
            out.push_str(&brand[i..]);
        }
    }
}

/// Makes `out` a valid LDH label: lowercase, at most 63 bytes, no leading or
/// trailing hyphen, no double hyphen, never empty.
pub(crate) fn finish(out: &mut String) {
    let mut s = String::with_capacity(out.len());
    for c in out.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() || (c == '-' && !s.is_empty() && !s.ends_with('-')) {
            s.push(c);
        }
        if s.len() == 63 {
            break;
        }
    }
    while s.ends_with('-') {
        s.pop();
    }
    if s.is_empty() {
        s.push('x');
    }
    *out = s;
}

/// Whether `label` is a valid LDH label as [`finish`] produces.
#[cfg(test)]
pub(crate) fn is_ldh(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && !label.contains("--")
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}
