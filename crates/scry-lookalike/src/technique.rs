//! The techniques a look-alike is made with, under stable snake_case names.

use std::fmt;

/// How a look-alike name differs from the name it imitates.
///
/// The names ([`Technique::as_str`]) are stable: they are printed in JSON and
/// stored with alerts. Where dnstwist has a fuzzer of the same kind the name
/// is dnstwist's (with `-` written `_`); the ail-typo-squatting extras use
/// ail's algorithm names in snake_case; the last few are only reported by
/// the matcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Technique {
    /// A character appended to the label (or before a `-`).
    Addition,
    /// One bit of one character flipped (`paypal` → `paypql`).
    Bitsquatting,
    /// Every letter replaced by its Cyrillic twin (a whole-script spoof).
    Cyrillic,
    /// Characters replaced by look-alikes (`rn` for `m`, `ą` for `a`).
    Homoglyph,
    /// A `-` inserted inside the label.
    Hyphenation,
    /// A keyboard neighbour of a character inserted next to it.
    Insertion,
    /// One character left out.
    Omission,
    /// An `s` (or `es`) inserted, as in a plural.
    Plural,
    /// One character doubled.
    Repetition,
    /// One character replaced by a keyboard neighbour.
    Replacement,
    /// A `.` inserted inside the label (`pay.pal.com`).
    Subdomain,
    /// Two adjacent characters swapped.
    Transposition,
    /// One vowel replaced by another.
    VowelSwap,
    /// A word from the dictionary added before or after the label.
    Dictionary,
    /// The same label under another public suffix.
    TldSwap,
    /// dnstwist's miscellany: suffix merged into the label, suffix dropped.
    Various,
    /// Two adjacent characters replaced by a doubled character.
    DoubleReplacement,
    /// A dot removed (`wwwpaypal.com`).
    MissingDot,
    /// Hyphens removed.
    StripDash,
    /// A number written as a word or a word as a number (`one` ↔ `1`).
    NumeralSwap,
    /// A word or syllable replaced by one that sounds the same.
    Homophone,
    /// A top-level domain appended after the real suffix (`paypal.com.it`).
    AddTld,
    /// Dots turned into hyphens (`paypal-com.net`).
    ChangeDotDash,
    /// The second-level part of a two-level suffix changed (`co.uk` →
    /// `org.uk`).
    WrongSld,
    /// The label placed under a dynamic-DNS provider's domain.
    AddDynamicDns,
    /// Matcher only: the brand term inside a longer label with words that
    /// are not in the dictionary (`paypalrewards.com`).
    Combosquat,
    /// Matcher only: the brand's label or domain used as a subdomain of
    /// another registrable domain (`paypal.com.evil.net`).
    BrandInSubdomain,
    /// Matcher only: within a small edit distance of the brand, by edits no
    /// more specific technique explains.
    EditDistance,
}

impl Technique {
    /// Every technique, in declaration order.
    pub const ALL: &'static [Technique] = &[
        Technique::Addition,
        Technique::Bitsquatting,
        Technique::Cyrillic,
        Technique::Homoglyph,
        Technique::Hyphenation,
        Technique::Insertion,
        Technique::Omission,
        Technique::Plural,
        Technique::Repetition,
        Technique::Replacement,
        Technique::Subdomain,
        Technique::Transposition,
        Technique::VowelSwap,
        Technique::Dictionary,
        Technique::TldSwap,
        Technique::Various,
        Technique::DoubleReplacement,
        Technique::MissingDot,
        Technique::StripDash,
        Technique::NumeralSwap,
        Technique::Homophone,
        Technique::AddTld,
        Technique::ChangeDotDash,
        Technique::WrongSld,
        Technique::AddDynamicDns,
        Technique::Combosquat,
        Technique::BrandInSubdomain,
        Technique::EditDistance,
    ];

    /// The techniques [`crate::generate`] implements (all but the
    /// matcher-only ones).
    pub const GENERATORS: &'static [Technique] = &[
        Technique::Addition,
        Technique::Bitsquatting,
        Technique::Cyrillic,
        Technique::Homoglyph,
        Technique::Hyphenation,
        Technique::Insertion,
        Technique::Omission,
        Technique::Plural,
        Technique::Repetition,
        Technique::Replacement,
        Technique::Subdomain,
        Technique::Transposition,
        Technique::VowelSwap,
        Technique::Dictionary,
        Technique::TldSwap,
        Technique::Various,
        Technique::DoubleReplacement,
        Technique::MissingDot,
        Technique::StripDash,
        Technique::NumeralSwap,
        Technique::Homophone,
        Technique::AddTld,
        Technique::ChangeDotDash,
        Technique::WrongSld,
        Technique::AddDynamicDns,
    ];

    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Technique::Addition => "addition",
            Technique::Bitsquatting => "bitsquatting",
            Technique::Cyrillic => "cyrillic",
            Technique::Homoglyph => "homoglyph",
            Technique::Hyphenation => "hyphenation",
            Technique::Insertion => "insertion",
            Technique::Omission => "omission",
            Technique::Plural => "plural",
            Technique::Repetition => "repetition",
            Technique::Replacement => "replacement",
            Technique::Subdomain => "subdomain",
            Technique::Transposition => "transposition",
            Technique::VowelSwap => "vowel_swap",
            Technique::Dictionary => "dictionary",
            Technique::TldSwap => "tld_swap",
            Technique::Various => "various",
            Technique::DoubleReplacement => "double_replacement",
            Technique::MissingDot => "missing_dot",
            Technique::StripDash => "strip_dash",
            Technique::NumeralSwap => "numeral_swap",
            Technique::Homophone => "homophone",
            Technique::AddTld => "add_tld",
            Technique::ChangeDotDash => "change_dot_dash",
            Technique::WrongSld => "wrong_sld",
            Technique::AddDynamicDns => "add_dynamic_dns",
            Technique::Combosquat => "combosquat",
            Technique::BrandInSubdomain => "brand_in_subdomain",
            Technique::EditDistance => "edit_distance",
        }
    }

    /// Parses a stable name; dnstwist's spellings with `-` (`vowel-swap`,
    /// `tld-swap`) are accepted too.
    pub fn parse(name: &str) -> Option<Technique> {
        let name = name.trim();
        Technique::ALL.iter().copied().find(|t| {
            t.as_str().len() == name.len()
                && t.as_str()
                    .bytes()
                    .zip(name.bytes())
                    .all(|(a, b)| a == b || (a == b'_' && b == b'-'))
        })
    }

    /// Whether [`crate::generate`] implements this technique.
    pub fn is_generator(self) -> bool {
        Technique::GENERATORS.contains(&self)
    }
}

impl serde::Serialize for Technique {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for Technique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_and_parse_back() {
        let names: Vec<&str> = Technique::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(names.len(), 28);
        for t in Technique::ALL {
            assert_eq!(Technique::parse(t.as_str()), Some(*t));
            assert_eq!(t.to_string(), t.as_str());
        }
        // dnstwist's spellings.
        assert_eq!(Technique::parse("vowel-swap"), Some(Technique::VowelSwap));
        assert_eq!(Technique::parse("tld-swap"), Some(Technique::TldSwap));
        assert_eq!(Technique::parse("nope"), None);
        assert!(Technique::Addition.is_generator());
        assert!(!Technique::Combosquat.is_generator());
        assert_eq!(Technique::GENERATORS.len(), 25);
    }
}
