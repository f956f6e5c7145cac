//! MATCH ("untwist"): find which brand, if any, a host name imitates.
//!
//! A [`Matcher`] is built once from the brands and then answers for each
//! host without comparing it with every brand:
//!
//! * **exact index** (hash map) from confusable folds (see `fold`) of each
//!   brand term *and* of its variants that are far in edit distance but
//!   cheap to list (ASCII homoglyphs up to two substitutions, homophones,
//!   numeral swaps, plurals, double replacements, stripped dashes): homoglyph
//!   and Cyrillic spoofs, TLD swaps and those variants are one lookup;
//! * **deletion-neighbourhood index** (SymSpell): every string reachable from
//!   a term by up to 1 deletion (2 for terms of 8+ characters), so that the
//!   terms within Damerau-Levenshtein distance of a label are found by
//!   looking up the label's own deletions, then verified;
//! * **token stripping**: dictionary words, TLD labels and `www` are peeled
//!   off both ends of a label (`paypal-secure-login`, `wwwpaypal`,
//!   `paypalcom`) and the core is looked up in both indexes;
//! * **Aho-Corasick** over the folded terms (4+ characters) for combosquats
//!   with words the dictionary does not know (`paypalrewards`);
//! * **host structure**: every label of the host is examined, not only the
//!   registrable one, and adjacent labels are joined, so `pay.pal.com`
//!   (dot inserted) and `paypal.com.evil.net` (brand used as subdomain) are
//!   found.
//!
//! A host under the brand's own registrable domain is never a match, nor is
//! one containing an exclusion term. Each match carries a similarity 0-100;
//! only matches at or above the matcher's threshold are returned.
//!
//! Similarity, roughly: 95 confusable spoof (same skeleton) or the whole
//! brand domain used as a subdomain; 90 same label on another suffix
//! (`tld_swap`), brand plus dictionary words, dot inserted, ASCII
//! homoglyphs; 85-90 one typo a known technique explains (`95 - 40/len`);
//! 80 double replacement; lower for unexplained or double edits and for
//! combosquats with unknown words (by the brand's share of the label). Terms
//! of 3 characters or fewer, and typos of 4-character terms or giving 3, are
//! capped at 60-70: below [`DEFAULT_THRESHOLD`] (75), because any change to
//! `hp` or `a` is another ordinary short name. Lower the threshold to see
//! them.

use aho_corasick::AhoCorasick;
use scry_model::DomainName;

use crate::Technique;
use crate::distance::osa_within;
use crate::fold::{all_cyrillic, fold};
use crate::generate::label_variants;
use crate::hash::FxHashMap;
use crate::tables::{
    DEFAULT_TLDS, DEFAULT_WORDS, DYNAMIC_DNS, SLDS, ascii_glyph_pair, keyboard_adjacent,
};
use crate::{LookalikeError, Result};

/// The similarity at or above which a match is reported by default.
pub const DEFAULT_THRESHOLD: u8 = 75;

/// Shortest folded term that substring containment (combosquat) looks for.
const MIN_CONTAIN: usize = 4;

/// A brand to protect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brand {
    /// The brand's own registrable domain (`paypal.com`). Its label is the
    /// first term; the domain and its subdomains are never matches.
    pub name: String,
    /// More terms to look for (`paypal` is implied by the name).
    pub terms: Vec<String>,
    /// Strings that make a host not a match for this brand when the host
    /// contains them (`paypal-community` for a partner's domain).
    pub exclusions: Vec<String>,
}

impl Brand {
    /// A brand with only its domain.
    pub fn new(name: impl Into<String>) -> Brand {
        Brand {
            name: name.into(),
            terms: Vec::new(),
            exclusions: Vec::new(),
        }
    }
}

/// How a [`Matcher`] is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatcherOptions {
    /// Matches below this similarity are not reported
    /// (default [`DEFAULT_THRESHOLD`]).
    pub threshold: u8,
    /// Dictionary words a combosquat adds to a brand (default: the same
    /// built-in list [`crate::GenerateOptions`] uses).
    pub words: Vec<String>,
    /// TLD labels that may be glued to a brand (`paypalcom`, `paypal-de`).
    pub tlds: Vec<String>,
    /// Strings that exclude a host from every brand.
    pub exclusions: Vec<String>,
}

impl Default for MatcherOptions {
    fn default() -> Self {
        MatcherOptions {
            threshold: DEFAULT_THRESHOLD,
            words: DEFAULT_WORDS.iter().map(|w| (*w).to_string()).collect(),
            tlds: DEFAULT_TLDS.iter().map(|w| (*w).to_string()).collect(),
            exclusions: Vec::new(),
        }
    }
}

/// One host that imitates one brand (serialises as the NDJSON line
/// `{"domain", "brand", "techniques", "similarity"}`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Match {
    /// The host, in A-labels.
    pub domain: String,
    /// The brand's registrable domain.
    pub brand: String,
    /// Every technique that explains the host, sorted.
    pub techniques: Vec<Technique>,
    /// How close the imitation is, 0-100.
    pub similarity: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    Word,
    Tld,
    Www,
}

#[derive(Debug, Clone, Copy)]
struct ExactHit {
    brand: u32,
    /// `None` for the term itself, else the variant's technique.
    technique: Option<Technique>,
}

#[derive(Debug)]
struct Term {
    brand: u32,
    chars: Vec<char>,
}

#[derive(Debug)]
struct BrandEntry {
    name: String,
    label: String,
    suffix_labels: Vec<String>,
    exclusions: Vec<String>,
}

/// The look-alike matcher: built once from many brands, then queried per
/// host (`Sync`: share it between threads).
#[derive(Debug)]
pub struct Matcher {
    brands: Vec<BrandEntry>,
    exact: FxHashMap<String, Vec<ExactHit>>,
    terms: Vec<Term>,
    /// Terms by the hash ([`CharHash`]) of each of their deletion
    /// variants. A hash may collide; every candidate is verified by
    /// [`osa_within`], so a collision only costs a comparison.
    deletes: FxHashMap<u64, Vec<u32>>,
    /// Bit `n` set when some deletion variant has `n` characters (bit 127:
    /// 127 or more): a query's variants of other lengths are not looked up.
    delete_lens: u128,
    contain: Option<AhoCorasick>,
    contain_terms: Vec<(u32, usize)>,
    /// The tokens, read from the front of a label (a byte trie).
    heads: Trie,
    /// The tokens reversed, read from the end of a label.
    tails: Trie,
    threshold: u8,
    exclusions: Vec<String>,
}

/// Edit distance searched for a term of `len` characters: two edits only
/// for long terms (shorter ones score below any useful threshold with two).
fn max_distance(len: usize) -> usize {
    if len >= MIN_LEN_DISTANCE_2 { 2 } else { 1 }
}

/// Shortest term searched at distance 2.
const MIN_LEN_DISTANCE_2: usize = 10;

/// Longest token (in bytes) peeled off a label.
const MAX_TOKEN: usize = 24;

/// The base of the polynomial hash of a character sequence (odd).
const HASH_BASE: u64 = 0x0000_0100_0000_01b3;

/// Buffers reused between the deletion look-ups of one host.
#[derive(Default)]
struct Scratch {
    pre: Vec<u64>,
    pow: Vec<u64>,
}

/// Fills `pre[k]` with the hash of `q[..k]` (Σ (c + 1)·B^(k-1-i), wrapping)
/// and `pow[k]` with B^k, for k in 0..=q.len(): the hash of any slice, and
/// of a concatenation, then takes O(1).
fn prefix_hashes(q: &[char], pre: &mut Vec<u64>, pow: &mut Vec<u64>) {
    pre.clear();
    pow.clear();
    let (mut h, mut b) = (0u64, 1u64);
    pre.push(h);
    pow.push(b);
    for &c in q {
        h = h.wrapping_mul(HASH_BASE).wrapping_add(u64::from(c) + 1);
        b = b.wrapping_mul(HASH_BASE);
        pre.push(h);
        pow.push(b);
    }
}

/// A byte trie of the tokens, each with its kind.
#[derive(Debug, Default)]
struct Trie {
    /// Node 0 is the root; each node's children sorted by byte.
    nodes: Vec<TrieNode>,
}

#[derive(Debug, Default)]
struct TrieNode {
    children: Vec<(u8, u32)>,
    kind: Option<TokenKind>,
}

impl Trie {
    /// Adds a token; a token already present keeps its first kind.
    fn insert(&mut self, bytes: impl Iterator<Item = u8>, kind: TokenKind) {
        if self.nodes.is_empty() {
            self.nodes.push(TrieNode::default());
        }
        let mut at = 0usize;
        for b in bytes {
            let next = self.nodes.len();
            let node = &mut self.nodes[at];
            at = match node.children.binary_search_by_key(&b, |c| c.0) {
                Ok(i) => node.children[i].1 as usize,
                Err(i) => {
                    node.children
                        .insert(i, (b, u32::try_from(next).unwrap_or(u32::MAX)));
                    self.nodes.push(TrieNode::default());
                    next
                }
            };
        }
        let node = &mut self.nodes[at];
        node.kind.get_or_insert(kind);
    }

    /// Calls `f(k, kind)` for every token equal to the first `k` bytes read.
    fn walk(&self, bytes: impl Iterator<Item = u8>, mut f: impl FnMut(usize, TokenKind)) {
        let mut at = 0usize;
        for (k, b) in bytes.enumerate() {
            let Some(node) = self.nodes.get(at) else {
                return;
            };
            let Ok(i) = node.children.binary_search_by_key(&b, |c| c.0) else {
                return;
            };
            at = node.children[i].1 as usize;
            if let Some(kind) = self.nodes.get(at).and_then(|n| n.kind) {
                f(k + 1, kind);
            }
        }
    }
}

/// Accumulates the evidence per brand for one host: the best similarity,
/// and the techniques of every piece of evidence strong enough to report.
struct Hits {
    threshold: u8,
    by_brand: Vec<(u32, u8, Vec<Technique>)>,
}

impl Hits {
    fn add(&mut self, brand: u32, sim: u8, techs: &[Technique]) {
        let keep = sim >= self.threshold;
        match self.by_brand.iter_mut().find(|(b, _, _)| *b == brand) {
            Some((_, s, t)) => {
                if *s < self.threshold && sim > *s {
                    t.clear();
                }
                if keep || sim > *s {
                    t.extend_from_slice(techs);
                }
                *s = (*s).max(sim);
            }
            None => self.by_brand.push((brand, sim, techs.to_vec())),
        }
    }
}

impl Matcher {
    /// Builds the indexes for `brands`.
    pub fn new(brands: &[Brand], opts: &MatcherOptions) -> Result<Matcher> {
        let mut m = Matcher {
            brands: Vec::with_capacity(brands.len()),
            exact: FxHashMap::default(),
            terms: Vec::new(),
            deletes: FxHashMap::default(),
            delete_lens: 0,
            contain: None,
            contain_terms: Vec::new(),
            heads: Trie::default(),
            tails: Trie::default(),
            threshold: opts.threshold.min(100),
            exclusions: opts
                .exclusions
                .iter()
                .map(|e| e.to_lowercase())
                .filter(|e| !e.is_empty())
                .collect(),
        };
        for w in &opts.words {
            m.add_token(&fold(&w.to_lowercase()), TokenKind::Word);
        }
        for t in opts
            .tlds
            .iter()
            .map(String::as_str)
            .chain(SLDS.iter().copied())
        {
            for part in t.split('.') {
                m.add_token(&part.to_lowercase(), TokenKind::Tld);
            }
        }
        m.add_token("www", TokenKind::Www);
        let mut patterns: Vec<String> = Vec::new();
        for brand in brands {
            let name =
                DomainName::parse(&brand.name).map_err(|source| LookalikeError::BrandName {
                    name: brand.name.clone(),
                    source,
                })?;
            let reg = name.registrable_name();
            if name.registrable().is_none() {
                return Err(LookalikeError::BrandSuffix {
                    name: brand.name.clone(),
                });
            }
            let id = u32::try_from(m.brands.len()).unwrap_or(u32::MAX);
            let label_u = reg
                .unicode()
                .split('.')
                .next()
                .unwrap_or_default()
                .to_string();
            let suffix_labels: Vec<String> = reg.suffix().split('.').map(str::to_string).collect();
            for l in &suffix_labels {
                m.add_token(l, TokenKind::Tld);
            }
            m.brands.push(BrandEntry {
                name: reg.ascii().to_string(),
                label: reg
                    .ascii()
                    .split('.')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                suffix_labels,
                exclusions: brand
                    .exclusions
                    .iter()
                    .map(|e| e.to_lowercase())
                    .filter(|e| !e.is_empty())
                    .collect(),
            });
            let mut terms = vec![label_u.clone()];
            for t in &brand.terms {
                let t = t.trim().to_lowercase();
                if !t.is_empty() && t.chars().count() <= 63 && !terms.contains(&t) {
                    terms.push(t);
                }
            }
            for t in &terms {
                let key = fold(t);
                m.push_exact(key.clone(), id, None);
                m.index_term(id, t);
                if key != *t {
                    m.index_term(id, &key);
                }
                if key.chars().count() >= MIN_CONTAIN {
                    patterns.push(key.clone());
                    m.contain_terms.push((id, key.chars().count()));
                }
                for (v, tech) in label_variants(t, &opts.words) {
                    let vk = fold(&v);
                    if vk != key {
                        m.push_exact(vk, id, Some(tech));
                    }
                }
            }
        }
        if !patterns.is_empty() {
            let ac = AhoCorasick::builder()
                .build(&patterns)
                .map_err(|e| LookalikeError::Automaton(e.to_string()))?;
            m.contain = Some(ac);
        }
        Ok(m)
    }

    /// The threshold in use.
    pub fn threshold(&self) -> u8 {
        self.threshold
    }

    /// Number of brands.
    pub fn brand_count(&self) -> usize {
        self.brands.len()
    }

    fn add_token(&mut self, t: &str, kind: TokenKind) {
        if t.is_empty() || t.len() > 24 {
            return;
        }
        // The first kind given to a token stays (words, then TLDs, then
        // `www`).
        self.heads.insert(t.bytes(), kind);
        self.tails.insert(t.bytes().rev(), kind);
    }

    fn push_exact(&mut self, key: String, brand: u32, technique: Option<Technique>) {
        let v = self.exact.entry(key).or_default();
        if !v
            .iter()
            .any(|h| h.brand == brand && h.technique == technique)
        {
            v.push(ExactHit { brand, technique });
        }
    }

    fn index_term(&mut self, brand: u32, t: &str) {
        let chars: Vec<char> = t.chars().collect();
        let id = u32::try_from(self.terms.len()).unwrap_or(u32::MAX);
        let d = max_distance(chars.len());
        let mut keys: Vec<String> = vec![t.to_string()];
        let mut frontier = vec![chars.clone()];
        for _ in 0..d {
            let mut next = Vec::new();
            for s in &frontier {
                for i in 0..s.len() {
                    let mut v = s.clone();
                    v.remove(i);
                    let k: String = v.iter().collect();
                    if !keys.contains(&k) {
                        keys.push(k);
                        next.push(v);
                    }
                }
            }
            frontier = next;
        }
        for k in keys {
            let kc: Vec<char> = k.chars().collect();
            self.delete_lens |= 1u128 << kc.len().min(127);
            let mut pre = Vec::new();
            let mut pow = Vec::new();
            prefix_hashes(&kc, &mut pre, &mut pow);
            let h = pre.last().copied().unwrap_or_default();
            let e = self.deletes.entry(h).or_default();
            if !e.contains(&id) {
                e.push(id);
            }
        }
        self.terms.push(Term { brand, chars });
    }

    /// Every brand `host` imitates at or above the threshold, best first.
    /// Hosts that are not valid names give no match.
    pub fn match_domain(&self, host: &str) -> Vec<Match> {
        match DomainName::parse(host) {
            Ok(name) => self.match_name(&name),
            Err(_) => Vec::new(),
        }
    }

    /// [`Matcher::match_domain`] of a name already parsed (bulk scoring
    /// holds parsed names: parsing again cost about a tenth of the
    /// lexical score's CPU in `risk_bench`).
    pub fn match_name(&self, name: &DomainName) -> Vec<Match> {
        // A host that is itself a public suffix (`t.bg`, `ru.com`) is read
        // as its leftmost label under the rest: such names are registered
        // and resolved too.
        let labels_n = name.label_count();
        if labels_n < 2 {
            return Vec::new();
        }
        let (reg, suffix_count) = match name.registrable() {
            Some(reg) => (reg, name.suffix().split('.').count()),
            None => (name.ascii(), labels_n - 1),
        };
        let lower_u = name.unicode();
        if self
            .exclusions
            .iter()
            .any(|e| name.ascii().contains(e.as_str()) || lower_u.contains(e.as_str()))
        {
            return Vec::new();
        }
        let labels_u: Vec<&str> = lower_u.split('.').collect();
        let labels_a: Vec<&str> = name.ascii().split('.').collect();
        let r = labels_u.len().saturating_sub(suffix_count + 1);
        let host_suffix_labels: Vec<&str> = labels_a[r + 1..].to_vec();
        let mut hits = Hits {
            threshold: self.threshold,
            by_brand: Vec::new(),
        };
        let mut scratch = Scratch::default();
        for i in 0..=r {
            let raw = labels_u[i];
            let folded = fold(raw);
            let at_reg = i == r;
            self.exact_label(
                &mut hits,
                raw,
                &folded,
                i,
                r,
                &labels_a,
                &host_suffix_labels,
            );
            if at_reg || raw.chars().count() >= 5 {
                self.typo_label(
                    &mut hits,
                    raw,
                    &folded,
                    if at_reg { 0 } else { 15 },
                    &mut scratch,
                );
            }
            self.strip_label(&mut hits, raw, &folded, at_reg, &mut scratch);
            self.contain_label(&mut hits, &folded, at_reg);
            // Labels joined: a dot inserted into the brand (`pay.pal.com`).
            let mut joined = raw.to_string();
            // Up to three labels joined; at the registrable label, also the
            // suffix's first labels (`adtech.us.com` for `adtechus.com`,
            // where `us.com` is a public suffix).
            let last = (r + 2).min(i + 3).min(labels_u.len() - 2);
            for (j, label) in labels_u.iter().enumerate().take(last + 1).skip(i + 1) {
                joined.push_str(label);
                let jf = fold(&joined);
                if let Some(v) = self.exact.get(&jf) {
                    for h in v {
                        let sim = if j >= r { 90 } else { 80 };
                        hits.add(h.brand, sim, &[Technique::Subdomain]);
                    }
                }
            }
        }
        let mut out = Vec::new();
        for (b, sim, mut techs) in hits.by_brand {
            let Some(brand) = self.brands.get(b as usize) else {
                continue;
            };
            if reg == brand.name
                || name.ascii().ends_with(&format!(".{}", brand.name))
                || name.ascii() == brand.name
            {
                continue;
            }
            if brand
                .exclusions
                .iter()
                .any(|e| name.ascii().contains(e.as_str()) || lower_u.contains(e.as_str()))
            {
                continue;
            }
            if sim < self.threshold {
                continue;
            }
            techs.sort();
            techs.dedup();
            if techs.len() > 1 {
                techs.retain(|t| *t != Technique::EditDistance);
            }
            if techs.is_empty() {
                techs.push(Technique::EditDistance);
            }
            out.push(Match {
                domain: name.ascii().to_string(),
                brand: brand.name.clone(),
                techniques: techs,
                similarity: sim,
            });
        }
        out.sort_by(|a, b| {
            b.similarity
                .cmp(&a.similarity)
                .then_with(|| a.brand.cmp(&b.brand))
        });
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn exact_label(
        &self,
        hits: &mut Hits,
        raw: &str,
        folded: &str,
        i: usize,
        r: usize,
        labels_a: &[&str],
        host_suffix: &[&str],
    ) {
        let Some(v) = self.exact.get(folded) else {
            return;
        };
        for h in v {
            let Some(brand) = self.brands.get(h.brand as usize) else {
                continue;
            };
            let same_raw = raw == brand.label || labels_a[i] == brand.label;
            let mut techs: Vec<Technique> = Vec::new();
            let mut sim: u8;
            match h.technique {
                None => {
                    if !same_raw {
                        techs.push(if all_cyrillic(raw) {
                            Technique::Cyrillic
                        } else {
                            Technique::Homoglyph
                        });
                    }
                    sim = if same_raw { 90 } else { 95 };
                }
                Some(t) => {
                    techs.push(t);
                    sim = match t {
                        Technique::Homoglyph | Technique::StripDash => 90,
                        Technique::DoubleReplacement => 80,
                        _ => 85,
                    };
                    // Variants of short terms are mostly other short words
                    // (`tt` for `3g`, `crn` for `cnn`).
                    let len = folded.chars().count();
                    if len <= 3 {
                        sim = sim.min(60);
                    } else if len == 4 || (len <= 5 && t == Technique::DoubleReplacement) {
                        sim = sim.min(70);
                    }
                }
            }
            if h.technique.is_none() && !same_raw && folded.chars().count() <= 2 {
                sim = sim.min(70);
            }
            if i == r {
                if same_raw && h.technique.is_none() {
                    let suffix_str = host_suffix.join(".");
                    let nb = brand.suffix_labels.len();
                    if DYNAMIC_DNS.contains(&suffix_str.as_str()) {
                        techs.push(Technique::AddDynamicDns);
                    } else if host_suffix.len() > nb
                        && host_suffix
                            .iter()
                            .zip(&brand.suffix_labels)
                            .all(|(a, b)| a == b)
                    {
                        techs.push(Technique::AddTld);
                    } else if host_suffix.len() == 2
                        && brand.suffix_labels.len() == 2
                        && host_suffix[1] == brand.suffix_labels[1]
                    {
                        techs.push(Technique::WrongSld);
                    } else {
                        techs.push(Technique::TldSwap);
                    }
                }
            } else {
                // The brand used as a subdomain. With the brand's suffix
                // right after it, the whole brand domain is embedded.
                let n = brand.suffix_labels.len();
                let rest = labels_a[i + 1..].join(".");
                if DYNAMIC_DNS.contains(&rest.as_str()) {
                    techs.push(Technique::AddDynamicDns);
                    hits.add(h.brand, sim.min(90), &techs);
                    continue;
                }
                // `amazon.com.uk` for `amazon.co.uk` when `com.uk` is not a
                // public suffix itself.
                let after = &labels_a[i + 1..];
                if h.technique.is_none()
                    && brand.suffix_labels.len() == 2
                    && after.len() == 2
                    && after[1] == brand.suffix_labels[1]
                    && SLDS.contains(&after[0])
                {
                    techs.push(Technique::WrongSld);
                    hits.add(h.brand, sim.min(90), &techs);
                    continue;
                }
                let follows = labels_a
                    .get(i + 1..i + 1 + n)
                    .is_some_and(|s| s.iter().zip(&brand.suffix_labels).all(|(a, b)| a == b));
                if follows && i + n == r {
                    techs.push(Technique::AddTld);
                    sim = sim.max(90);
                } else if follows {
                    techs.push(Technique::BrandInSubdomain);
                    sim = sim.max(95);
                } else {
                    techs.push(Technique::BrandInSubdomain);
                    let len = folded.chars().count();
                    sim = if len >= 5 { sim.min(80) } else { sim.min(60) };
                }
            }
            hits.add(h.brand, sim, &techs);
        }
    }

    /// Terms within a small edit distance of `raw` or `folded`.
    fn typo_label(
        &self,
        hits: &mut Hits,
        raw: &str,
        folded: &str,
        penalty: u8,
        scratch: &mut Scratch,
    ) {
        let raw_c: Vec<char> = raw.chars().collect();
        let fold_c: Vec<char> = if folded == raw {
            Vec::new()
        } else {
            folded.chars().collect()
        };
        let queries: [&[char]; 2] = [&raw_c, &fold_c];
        let mut seen: Vec<u32> = Vec::new();
        for qc in queries {
            if qc.is_empty() || qc.len() > 64 {
                continue;
            }
            let d = if qc.len() + 2 >= MIN_LEN_DISTANCE_2 {
                2
            } else {
                1
            };
            self.for_deletions(qc, d, scratch, |id| {
                if !seen.contains(&id) {
                    seen.push(id);
                }
            });
        }
        let q_len = raw_c.len();
        for id in seen {
            let Some(term) = self.terms.get(id as usize) else {
                continue;
            };
            let max = max_distance(term.chars.len());
            let mut best: Option<(usize, Vec<Technique>)> = None;
            for qc in queries {
                if qc.is_empty() {
                    continue;
                }
                if let Some(dist) = osa_within(&term.chars, qc, max) {
                    if dist == 0 {
                        continue; // exact: handled by the exact index
                    }
                    let class = if dist == 1 {
                        classify(&term.chars, qc)
                    } else {
                        Vec::new()
                    };
                    let better = match &best {
                        None => true,
                        Some((bd, bc)) => {
                            dist < *bd || (dist == *bd && bc.is_empty() && !class.is_empty())
                        }
                    };
                    if better {
                        best = Some((dist, class));
                    }
                }
            }
            if let Some((dist, class)) = best {
                let sim = typo_similarity(term.chars.len(), q_len, dist, !class.is_empty())
                    .saturating_sub(penalty);
                let mut techs = class;
                if techs.is_empty() {
                    techs.push(Technique::EditDistance);
                }
                if penalty > 0 {
                    techs.push(Technique::BrandInSubdomain);
                }
                hits.add(term.brand, sim, &techs);
            }
        }
    }

    /// Calls `f` with every term one of whose deletion variants equals
    /// `q` with up to `d` (≤ 2) characters deleted (and, through hash
    /// collisions, possibly a few more: callers verify with
    /// [`osa_within`]). Each variant's hash is combined from prefix hashes
    /// in O(1), without building the string.
    fn for_deletions(&self, q: &[char], d: usize, scratch: &mut Scratch, mut f: impl FnMut(u32)) {
        let n = q.len();
        let has_len = |len: usize| (self.delete_lens >> len.min(127)) & 1 == 1;
        let mut look = |h: u64| {
            if let Some(ids) = self.deletes.get(&h) {
                for &id in ids {
                    f(id);
                }
            }
        };
        prefix_hashes(q, &mut scratch.pre, &mut scratch.pow);
        let (pre, p) = (&scratch.pre, &scratch.pow);
        // Hash of q[a..b].
        let seg = |a: usize, b: usize| pre[b].wrapping_sub(pre[a].wrapping_mul(p[b - a]));
        if has_len(n) {
            look(pre[n]);
        }
        if n >= 1 && has_len(n - 1) {
            for i in 0..n {
                look(
                    seg(0, i)
                        .wrapping_mul(p[n - i - 1])
                        .wrapping_add(seg(i + 1, n)),
                );
            }
        }
        if d >= 2 && n >= 2 && has_len(n - 2) {
            for i in 0..n {
                for j in i + 1..n {
                    let left = seg(0, i)
                        .wrapping_mul(p[j - i - 1])
                        .wrapping_add(seg(i + 1, j));
                    look(left.wrapping_mul(p[n - j - 1]).wrapping_add(seg(j + 1, n)));
                }
            }
        }
    }

    /// Known tokens peeled off both ends; the cores looked up.
    fn strip_label(
        &self,
        hits: &mut Hits,
        raw: &str,
        folded: &str,
        at_reg: bool,
        scratch: &mut Scratch,
    ) {
        if folded.len() < 3 {
            return;
        }
        // (core, stripped tokens, hyphenated). Tokens are peeled off the raw
        // label and off its fold (the fold's `rn` → `m` may straddle a
        // token boundary, `l0gin` only reads as a token once folded).
        type Stripped = Vec<(TokenKind, String)>;
        let mut cores: Vec<(String, Stripped, bool)> = Vec::new();
        let mut frontier: Vec<(String, Stripped, bool)> =
            vec![(folded.to_string(), Vec::new(), false)];
        if raw != folded {
            frontier.push((raw.to_string(), Vec::new(), false));
        }
        for _ in 0..3 {
            let mut next = Vec::new();
            for (s, toks, hy) in &frontier {
                for (core, kind, tok, h) in self.strip_once(s) {
                    if cores.iter().any(|(c, _, _)| *c == core) {
                        continue;
                    }
                    let mut k = toks.clone();
                    k.push((kind, tok));
                    next.push((core.clone(), k.clone(), *hy || h));
                    cores.push((core, k, *hy || h));
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        let penalty: u8 = if at_reg { 0 } else { 10 };
        for (core, toks, hyphen) in cores {
            let core = fold(&core);
            let tlds: Vec<&str> = toks
                .iter()
                .filter(|(k, _)| *k == TokenKind::Tld)
                .map(|(_, t)| t.as_str())
                .collect();
            let core_len = core.chars().count();
            if tlds.len() > 2 {
                continue;
            }
            let technique = if toks.iter().all(|(k, _)| *k == TokenKind::Www) {
                Technique::MissingDot
            } else if toks.iter().all(|(k, _)| *k == TokenKind::Tld) {
                if hyphen {
                    Technique::ChangeDotDash
                } else {
                    Technique::Various
                }
            } else {
                Technique::Dictionary
            };
            // A TLD glued to the brand must be the brand's own suffix
            // (`paypalcom`, `amazon-co-uk`): other TLD-like endings are
            // mostly words (`operaplus`, `peoplenet`).
            let own_tlds = |brand: u32| {
                self.brands
                    .get(brand as usize)
                    .is_some_and(|b| tlds.iter().all(|t| b.suffix_labels.iter().any(|l| l == t)))
            };
            if let Some(v) = self.exact.get(&core) {
                for h in v {
                    if !own_tlds(h.brand) {
                        continue;
                    }
                    let mut techs = vec![technique];
                    if let Some(t) = h.technique {
                        techs.push(t);
                    }
                    let base: u8 = if h.technique.is_some() {
                        72
                    } else if core_len <= 2 || (core_len == 3 && !hyphen) {
                        // `a-mail`, `logina`: a one-letter brand plus a
                        // word is any word.
                        60
                    } else if core_len == 3 {
                        80
                    } else {
                        90
                    };
                    hits.add(h.brand, base.saturating_sub(penalty), &techs);
                }
            }
            let cc: Vec<char> = core.chars().collect();
            if cc.len() >= 5 {
                let mut seen: Vec<u32> = Vec::new();
                self.for_deletions(&cc, 1, scratch, |id| {
                    if !seen.contains(&id) {
                        seen.push(id);
                    }
                });
                for id in seen {
                    let Some(term) = self.terms.get(id as usize) else {
                        continue;
                    };
                    if !own_tlds(term.brand) {
                        continue;
                    }
                    if let Some(1) = osa_within(&term.chars, &cc, 1) {
                        let mut techs = classify(&term.chars, &cc);
                        let sim = typo_similarity(term.chars.len(), cc.len(), 1, !techs.is_empty())
                            .saturating_sub(8 + penalty);
                        if techs.is_empty() {
                            techs.push(Technique::EditDistance);
                        }
                        techs.push(technique);
                        hits.add(term.brand, sim, &techs);
                    }
                }
            }
        }
    }

    fn strip_once(&self, s: &str) -> Vec<(String, TokenKind, String, bool)> {
        let mut out = Vec::new();
        let max = s.len().saturating_sub(1);
        // Tokens at the front and at the end, by length: the tries walk
        // the label once each.
        let mut heads = [None; MAX_TOKEN + 1];
        let mut tails = [None; MAX_TOKEN + 1];
        self.heads
            .walk(s.bytes().take(max), |k, kind| heads[k] = Some(kind));
        self.tails
            .walk(s.bytes().rev().take(max), |k, kind| tails[k] = Some(kind));
        for k in 1..=max.min(MAX_TOKEN) {
            if let (Some(kind), Some(head), Some(rest)) = (heads[k], s.get(..k), s.get(k..)) {
                // A TLD glued to a brand comes after it (`paypalcom`), so
                // TLD tokens are only peeled off the end.
                if kind != TokenKind::Tld {
                    let (rest, hy) = match rest.strip_prefix('-') {
                        Some(r) => (r, true),
                        None => (rest, false),
                    };
                    if !rest.is_empty() {
                        out.push((rest.to_string(), kind, head.to_string(), hy));
                    }
                }
            }
            let cut = s.len() - k;
            if let (Some(kind), Some(rest), Some(tail)) = (tails[k], s.get(..cut), s.get(cut..)) {
                let (rest, hy) = match rest.strip_suffix('-') {
                    Some(r) => (r, true),
                    None => (rest, false),
                };
                if !rest.is_empty() {
                    out.push((rest.to_string(), kind, tail.to_string(), hy));
                }
            }
        }
        out
    }

    /// Brand terms inside the label with unknown words around them.
    fn contain_label(&self, hits: &mut Hits, folded: &str, at_reg: bool) {
        let Some(ac) = &self.contain else { return };
        let len = folded.chars().count();
        for m in ac.find_overlapping_iter(folded) {
            let Some(&(brand, tlen)) = self.contain_terms.get(m.pattern().as_usize()) else {
                continue;
            };
            if tlen >= len {
                continue;
            }
            let bytes = folded.as_bytes();
            let left = m.start() == 0 || bytes.get(m.start() - 1) == Some(&b'-');
            let right = m.end() == bytes.len() || bytes.get(m.end()) == Some(&b'-');
            let boundary = left && right;
            let ratio = tlen as f32 / len as f32;
            let mut sim = 30.0
                + 50.0 * ratio
                + if boundary { 10.0 } else { 0.0 }
                + (tlen.min(12) as f32 - 4.0) * 1.5;
            if !at_reg {
                sim -= 10.0;
            }
            let sim = sim.clamp(0.0, 85.0) as u8;
            hits.add(brand, sim, &[Technique::Combosquat]);
        }
    }
}

/// Similarity of a typo of a term of `len` characters. Edits a known typo
/// technique explains score higher than unexplained ones; two edits score
/// lower still. Terms of 3 characters or fewer are too short for an edit to
/// say much (any one-character change of `hp` is another short name), nor
/// do 4-character terms and results of 3 or fewer: their typos stay below
/// the default threshold.
fn typo_similarity(len: usize, cand_len: usize, dist: usize, classified: bool) -> u8 {
    let l = len.max(1) as f32;
    let sim = match (dist, classified) {
        (0, _) => 100.0,
        (1, true) => 95.0 - 40.0 / l,
        (1, false) => 88.0 - 75.0 / l,
        _ => 85.0 - 120.0 / l,
    };
    // Short terms, and short results (`elp` for `yelp`), are mostly other
    // words.
    let sim = if len <= 3 {
        sim.min(60.0)
    } else if len == 4 || cand_len <= 3 {
        sim.min(70.0)
    } else {
        sim
    };
    sim.clamp(0.0, 99.0) as u8
}

/// Which single-edit techniques turn `term` into `cand` (distance 1);
/// empty when none explains the edit.
fn classify(term: &[char], cand: &[char]) -> Vec<Technique> {
    let (n, m) = (term.len(), cand.len());
    let p = term.iter().zip(cand).take_while(|(a, b)| a == b).count();
    let byte = |c: char| u8::try_from(c).ok();
    let mut out = Vec::new();
    if m == n + 1 {
        let x = cand[p];
        if term[p..] != cand[p + 1..] {
            return out;
        }
        if (p > 0 && cand[p - 1] == x) || cand.get(p + 1) == Some(&x) {
            out.push(Technique::Repetition);
        }
        if x == '-' {
            out.push(Technique::Hyphenation);
        }
        if p == n || term.get(p) == Some(&'-') {
            out.push(Technique::Addition);
        }
        if x == 's' {
            out.push(Technique::Plural);
        }
        let adj = |c: Option<&char>| {
            c.and_then(|c| byte(*c))
                .zip(byte(x))
                .is_some_and(|(a, b)| keyboard_adjacent(a, b))
        };
        if (p > 0 && adj(cand.get(p - 1))) || adj(cand.get(p + 1)) {
            out.push(Technique::Insertion);
        }
    } else if n == m + 1 {
        if term[p + 1..] != cand[p..] {
            return out;
        }
        out.push(if term.get(p) == Some(&'-') {
            Technique::StripDash
        } else {
            Technique::Omission
        });
    } else if n == m && p < n {
        if p + 1 < n
            && term[p] == cand[p + 1]
            && term[p + 1] == cand[p]
            && term[p + 2..] == cand[p + 2..]
        {
            out.push(Technique::Transposition);
            return out;
        }
        if term[p + 1..] != cand[p + 1..] {
            return out;
        }
        let (a, b) = (term[p], cand[p]);
        match (byte(a), byte(b)) {
            (Some(a), Some(b)) => {
                if keyboard_adjacent(a, b) {
                    out.push(Technique::Replacement);
                }
                if ascii_glyph_pair(a, b) {
                    out.push(Technique::Homoglyph);
                }
                if (a ^ b).count_ones() == 1 {
                    out.push(Technique::Bitsquatting);
                }
                if b"aeiou".contains(&a) && b"aeiou".contains(&b) {
                    out.push(Technique::VowelSwap);
                }
            }
            _ => out.push(Technique::Homoglyph),
        }
    }
    out
}

#[cfg(test)]
mod tests;
