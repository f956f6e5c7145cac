//! Look-alike domains: GENERATE the typo, homoglyph and combosquat
//! permutations of a domain (dnstwist's fuzzers and the ail-typo-squatting
//! extras), and MATCH ("untwist") host names back to the brands they
//! imitate, at stream speed, against thousands of brands at once.
//!
//! * [`generate`] takes a [`scry_model::DomainName`] and
//!   [`GenerateOptions`] and returns [`Candidate`]s, each tagged with the
//!   [`Technique`]s that produce it. Only names a registry could accept are
//!   produced: IDNA2008-valid, TR39 restriction level "highly restrictive"
//!   or stricter, no IDN under registries that refuse them.
//! * [`Matcher`] is built once from [`Brand`]s and answers
//!   [`Matcher::match_domain`] with [`Match`]es (brand, techniques,
//!   similarity 0-100) using prebuilt indexes (confusable folds,
//!   SymSpell-style deletion neighbourhoods for Damerau-Levenshtein, token
//!   stripping and Aho-Corasick for combosquats). See [`matcher`]'s docs.
//!
//! Unicode look-alikes come from the TR39 confusables data of the
//! `unicode-security` crate; the small tables written for the project
//! (keyboard rows, ASCII look-alike sequences, default words and TLDs,
//! homophones) are in `tables`. The library does no IO and never prints.

#![warn(missing_docs)]

mod distance;
mod error;
mod fold;
mod generate;
mod hash;
pub mod matcher;
mod tables;
mod technique;

pub use error::{LookalikeError, Result};
pub use generate::{Candidate, GenerateOptions, generate, parse_word_list};
pub use matcher::{Brand, DEFAULT_THRESHOLD, Match, Matcher, MatcherOptions};
pub use technique::Technique;

/// The confusable fold of a label (lower case, TR39 skeleton, marks
/// removed): two labels that fold alike look alike.
pub fn skeleton(label: &str) -> String {
    fold::fold(label)
}
