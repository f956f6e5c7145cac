//! The fixed word lists the features use: the brands (look-alike matcher
//! and brand terms) and the phishing keywords.
//!
//! **Brands.** The union of [`scry_gen::brands`] (the 42 brands the
//! synthetic world's campaigns imitate) and the brands of the PhishTank
//! `target` column that have a well-known home domain (`EXTRA_BRANDS`).
//! The list is part of the model's feature definition: changing it changes
//! feature values, so it is versioned with the model format.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use scry_lookalike::{Brand, Matcher, MatcherOptions};

use crate::{Error, Result};

/// PhishTank `target` brands (2021 dump) with their home domains, beyond
/// those of `scry_gen::brands()`.
const EXTRA_BRANDS: &[&str] = &[
    "lloydsbank.com",
    "halifax.co.uk",
    "absa.co.za",
    "mastercard.com",
    "caixa.gov.br",
    "pkobp.pl",
    "ingdirect.com",
    "allegro.pl",
    "runescape.com",
    "capitecbank.co.za",
    "twitter.com",
    "orange.fr",
    "virustotal.com",
    "natwest.com",
    "santander.co.uk",
    "itau.com.br",
    "bradesco.com.br",
    "americanexpress.com",
    "blockchain.com",
    "tsb.co.uk",
    "westpac.com.au",
    "gmail.com",
    "hotmail.com",
    "onedrive.com",
    "sharepoint.com",
    "aol.com",
    "bbva.com",
    "postbank.de",
    "sparkasse.de",
    "credit-agricole.fr",
    "societegenerale.fr",
    "bnpparibas.com",
    "nedbank.co.za",
    "standardbank.co.za",
];

/// Phishing keywords: words phishing names add to a brand or use alone.
pub(crate) const KEYWORDS: &[&str] = &[
    "login",
    "logon",
    "signin",
    "sign-in",
    "secure",
    "security",
    "verify",
    "verification",
    "account",
    "update",
    "confirm",
    "support",
    "service",
    "recovery",
    "unlock",
    "suspend",
    "billing",
    "payment",
    "wallet",
    "webscr",
    "auth",
    "validate",
    "alert",
    "banking",
    "online",
    "customer",
    "helpdesk",
    "password",
    "invoice",
    "refund",
    "reward",
    "bonus",
    "claim",
    "gift",
    "free",
    "access",
    "session",
    "token",
    "office365",
    "webmail",
    "mailbox",
    "portal",
    "member",
    "client",
    "authenticate",
    "restore",
    "limited",
    "official",
    "app",
    "id",
];

/// The brands, as registrable domains, sorted and de-duplicated.
pub(crate) fn brand_domains() -> Vec<String> {
    let mut v: Vec<String> = scry_gen::brands()
        .map(|(_, d)| d.to_string())
        .chain(EXTRA_BRANDS.iter().map(|d| (*d).to_string()))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// What a pattern of [`Lexicon::terms`] stands for.
#[derive(Debug, Clone)]
pub(crate) enum Term {
    /// A brand's label (`paypal`); the index is into `brands`.
    Brand(usize),
    /// A phishing keyword.
    Keyword(&'static str),
}

/// The matcher and the term automaton, built once per process.
pub(crate) struct Lexicon {
    pub(crate) matcher: Matcher,
    pub(crate) brands: Vec<String>,
    pub(crate) terms: AhoCorasick,
    pub(crate) term_kinds: Vec<(Term, String)>,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("brands", &self.brands.len())
            .finish_non_exhaustive()
    }
}

/// An error with its sources, `: `-separated.
fn chain(e: &dyn std::error::Error) -> String {
    let mut m = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        m.push_str(": ");
        m.push_str(&s.to_string());
        src = s.source();
    }
    m
}

/// Look-alikes below this similarity are ignored by the features.
pub(crate) const LOOKALIKE_FLOOR: u8 = 60;

impl Lexicon {
    fn build() -> Result<Lexicon> {
        let brands = brand_domains();
        let matcher = Matcher::new(
            &brands.iter().map(Brand::new).collect::<Vec<_>>(),
            &MatcherOptions {
                threshold: LOOKALIKE_FLOOR,
                ..MatcherOptions::default()
            },
        )?;
        let mut term_kinds: Vec<(Term, String)> = Vec::new();
        for (i, b) in brands.iter().enumerate() {
            let label = b.split('.').next().unwrap_or_default().replace('-', "");
            // Brand labels of 3 letters or fewer (`att`, `dhl`, `tsb`) are
            // inside too many ordinary words to be a term.
            if label.len() >= 4 && !term_kinds.iter().any(|(_, t)| *t == label) {
                term_kinds.push((Term::Brand(i), label));
            }
        }
        for k in KEYWORDS {
            // Two-letter keywords only count as whole hyphen-separated
            // tokens; see `features`.
            if k.len() >= 3 {
                term_kinds.push((Term::Keyword(k), (*k).to_string()));
            }
        }
        let terms = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(term_kinds.iter().map(|(_, t)| t.as_str()))
            .map_err(|e| Error::Training(format!("term automaton: {e}")))?;
        Ok(Lexicon {
            matcher,
            brands,
            terms,
            term_kinds,
        })
    }

    /// The process-wide lexicon.
    pub(crate) fn get() -> Result<&'static Lexicon> {
        static LEX: OnceLock<std::result::Result<Lexicon, String>> = OnceLock::new();
        LEX.get_or_init(|| Lexicon::build().map_err(|e| chain(&e)))
            .as_ref()
            .map_err(|e| Error::Training(e.clone()))
    }
}

/// The closest brand a host imitates, by the look-alike matcher over the
/// built-in brand list: `(similarity 0-100, brand domain, techniques)`.
/// A host under the brand's own label on another suffix (`amazon.co.uk`
/// for `amazon.com`) is not an imitation here: brands own many of those.
pub fn lookalike_of(name: &scry_model::DomainName) -> Option<(u8, String, Vec<String>)> {
    let lex = Lexicon::get().ok()?;
    let m = lex.matcher.match_domain(name.ascii()).into_iter().next()?;
    if crate::model::own_label(name, &m.brand) {
        return None;
    }
    Some((
        m.similarity,
        m.brand,
        m.techniques
            .iter()
            .map(|t| t.as_str().to_string())
            .collect(),
    ))
}
