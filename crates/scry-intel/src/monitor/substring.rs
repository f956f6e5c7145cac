//! `match_substring_variations` (Iris Detect semantics): a brand term
//! matched also inside a longer label, together with its look-alike
//! variations, so `secure-paypa1-login.com` is found for `paypal.com`
//! although no word list explains `secure-…-login`.
//!
//! The variations are the label edits the generator knows (addition, ASCII
//! homoglyphs, hyphenation, insertion, omission, repetition, replacement,
//! transposition, vowel swap, numeral swap, homophones, stripped dash),
//! ASCII only, of 6+ characters (shorter ones and bitsquats are ordinary
//! words too often: `ample`, `chose`, `tsitter`), and never a
//! piece of the brand's own label (an omission at either end, `paypa`,
//! would otherwise match `paypay`) nor a longer text containing it (the
//! brand itself finds those). The brand label itself counts from 4
//! characters. One Aho-Corasick automaton holds every variation of every
//! term of a monitor.

use aho_corasick::{AhoCorasick, MatchKind};
use scry_lookalike::{GenerateOptions, Technique, generate};
use scry_model::DomainName;

/// Shortest variation looked for inside labels.
const MIN_VARIANT: usize = 6;
/// Shortest brand label looked for inside labels.
const MIN_TERM: usize = 4;

const EDITS: &[Technique] = &[
    Technique::Addition,
    Technique::Homoglyph,
    Technique::Hyphenation,
    Technique::Insertion,
    Technique::Omission,
    Technique::Repetition,
    Technique::Replacement,
    Technique::Transposition,
    Technique::VowelSwap,
    Technique::NumeralSwap,
    Technique::Homophone,
    Technique::StripDash,
];

struct Pattern {
    /// Index into `brands`.
    brand: usize,
    /// The text looked for.
    text: String,
    /// `None` for the brand label itself.
    technique: Option<String>,
}

/// A hit: which brand, how, and a similarity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SubstringHit {
    pub(crate) reason: String,
    pub(crate) similarity: u8,
}

/// The automaton of one brand monitor.
pub(crate) struct SubstringMatcher {
    ac: Option<AhoCorasick>,
    patterns: Vec<Pattern>,
    brands: Vec<String>,
    exclusions: Vec<String>,
}

impl SubstringMatcher {
    /// Builds the automaton for a monitor's brand domains.
    pub(crate) fn new(terms: &[String], exclusions: &[String]) -> SubstringMatcher {
        let opts = GenerateOptions {
            techniques: EDITS.to_vec(),
            homoglyph_rounds: 1,
            idn: false,
            ..GenerateOptions::default()
        };
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut brands = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for t in terms {
            let Ok(d) = DomainName::parse(t) else {
                continue;
            };
            let Some(reg) = d.registrable() else {
                continue;
            };
            let suffix = d.suffix().to_string();
            let Some(label) = reg.strip_suffix(&format!(".{suffix}")) else {
                continue;
            };
            let label = label.to_string();
            let bi = brands.len();
            brands.push(reg.to_string());
            if label.len() >= MIN_TERM && seen.insert(label.clone()) {
                patterns.push(Pattern {
                    brand: bi,
                    text: label.clone(),
                    technique: None,
                });
            }
            for c in generate(&d.registrable_name(), &opts) {
                let Some(v) = c.domain.strip_suffix(&format!(".{suffix}")) else {
                    continue;
                };
                if v.len() < MIN_VARIANT
                    || v.contains('.')
                    || !v.is_ascii()
                    || v.starts_with("xn--")
                    || label.contains(v)
                    || (label.len() >= MIN_TERM && v.contains(label.as_str()))
                    || !seen.insert(v.to_string())
                {
                    continue;
                }
                patterns.push(Pattern {
                    brand: bi,
                    text: v.to_string(),
                    technique: c.techniques.first().map(|t| t.as_str().to_string()),
                });
            }
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(patterns.iter().map(|p| p.text.as_str()))
            .ok();
        SubstringMatcher {
            ac,
            patterns,
            brands,
            exclusions: exclusions.iter().map(|e| e.to_lowercase()).collect(),
        }
    }

    /// The best variation found inside a label of `host`, if any.
    pub(crate) fn find(&self, host: &str) -> Option<SubstringHit> {
        let ac = self.ac.as_ref()?;
        let name = DomainName::parse(host).ok()?;
        let ascii = name.ascii();
        if self.exclusions.iter().any(|e| ascii.contains(e.as_str())) {
            return None;
        }
        let suffix_labels = name.suffix().split('.').count();
        let own = name.label_count().saturating_sub(suffix_labels);
        // (score, pattern, label) of the best hit.
        let mut best: Option<(usize, usize, &str)> = None;
        for label in name.labels().take(own) {
            for m in ac.find_overlapping_iter(label) {
                let p = &self.patterns[m.pattern().as_usize()];
                let brand = &self.brands[p.brand];
                if ascii == brand.as_str() || ascii.ends_with(&format!(".{brand}")) {
                    continue;
                }
                // The brand itself outranks a variation, a longer pattern a
                // shorter one.
                let score = p.text.len() * 2 + usize::from(p.technique.is_none());
                if best.is_none_or(|(s, _, _)| score > s) {
                    best = Some((score, m.pattern().as_usize(), label));
                }
            }
        }
        let (_, pi, label) = best?;
        let p = &self.patterns[pi];
        let brand = &self.brands[p.brand];
        let share = (p.text.len() * 25 / label.len().max(1)).min(25) as u8;
        Some(match &p.technique {
            None => SubstringHit {
                reason: format!("contains {} ({brand}) [substring]", p.text),
                similarity: 65 + share,
            },
            Some(t) => SubstringHit {
                reason: format!("contains {} ({t} of {brand}) [substring]", p.text),
                similarity: 60 + share,
            },
        })
    }
}
