//! Lexical feature extraction: one sparse vector per name, built on the
//! stack (no heap allocation except what the look-alike matcher does).
//!
//! The features describe the **registrable label** (`example` in
//! `www.example.co.uk`, `x` in `x.github.io`: the label left of the public
//! suffix, private PSL section included), its public suffix, and the
//! look-alike match of the whole host:
//!
//! * dense: length and length buckets, Shannon entropy, digits, hyphens,
//!   vowel ratio and consonant/digit runs, the mean log-likelihood of the
//!   label under a character trigram model of benign names
//!   ([`CharModel`]), the total and mean log-likelihood ratio (against
//!   random characters) under a 4-gram model of them ([`Kn`]) and under
//!   their letter frequencies alone (hashed slots), the share
//!   of the label covered by words of benign names ([`Words`]), how rare
//!   the top-level suffix is among benign names, punycode, brand terms and
//!   phishing keywords, look-alike similarity buckets;
//! * hashed (into [`DIM`] buckets): character 2-, 3- and 4-grams of
//!   `^label$`, the last suffix label and the whole suffix, the brand
//!   term and keyword seen, and crosses that let a linear model weigh one
//!   fact differently per length or per another fact (vowel share,
//!   consonant run, distinct characters, likelihood ratio and word
//!   coverage per length bucket; likelihood ratio per suffix rarity and
//!   per word coverage).
//!
//! The bucket layout and the hash are part of the model format: changing
//! them needs a new model version.

use scry_model::DomainName;

use crate::lexicon::{LOOKALIKE_FLOOR, Lexicon, Term};

/// Number of weight buckets (dense features first, then hashed ones).
pub(crate) const DIM: usize = 1 << 15;
/// Indices below this are dense features.
pub(crate) const DENSE: usize = 64;
/// Most features one name can have.
pub(crate) const MAX_FEATURES: usize = 512;
/// Longest label prefix the n-grams and the character model look at.
const MAX_LABEL: usize = 63;

/// Trigram buckets of the character model.
pub(crate) const LM_TRI: usize = 1 << 15;
/// Context (bigram) buckets of the character model.
pub(crate) const LM_CTX: usize = 1 << 12;
/// Single-character context slots of the character model (a-z, 0-9, `-`,
/// `^`, other; padded to 64).
pub(crate) const LM_UNI: usize = 64;

/// What a feature is about, for evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Group {
    Bias,
    Length,
    Entropy,
    Digits,
    Hyphens,
    Runs,
    Shapes,
    Ngrams,
    Likelihood,
    BrandTerm,
    Keyword,
    Lookalike,
    Tld,
    Structure,
    Words,
}

/// Number of [`Group`]s.
pub(crate) const GROUPS: usize = 15;

impl Group {
    /// The stable evidence id.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Group::Bias => "bias",
            Group::Length => "length",
            Group::Entropy => "entropy",
            Group::Digits => "digits",
            Group::Hyphens => "hyphens",
            Group::Runs => "char_runs",
            Group::Shapes => "char_shapes",
            Group::Ngrams => "char_ngrams",
            Group::Likelihood => "benign_likelihood",
            Group::BrandTerm => "brand_term",
            Group::Keyword => "keyword",
            Group::Lookalike => "lookalike",
            Group::Tld => "tld",
            Group::Structure => "structure",
            Group::Words => "benign_words",
        }
    }
}

// Dense feature indices.
const F_BIAS: usize = 0;
pub(crate) const F_LEN: usize = 1;
const F_LEN_BUCKET: usize = 2; // 8 buckets: 2..=9
const F_ENTROPY: usize = 10;
const F_ENTROPY_BUCKET: usize = 11; // 5 buckets: 11..=15
const F_DIGIT_RATIO: usize = 16;
const F_HAS_DIGIT: usize = 17;
const F_DIGITS3: usize = 18;
const F_TRANSITIONS: usize = 19;
const F_HYPHEN: usize = 20; // 3 buckets: 20..=22
const F_VOWEL_RATIO: usize = 23;
const F_CONS_RUN: usize = 24;
const F_CONS_RUN_BUCKET: usize = 25; // 4 buckets: 25..=28
const F_DIGIT_RUN4: usize = 29;
const F_LL: usize = 30;
const F_LL_BUCKET: usize = 31; // 6 buckets: 31..=36
const F_PUNYCODE: usize = 37;
const F_LONG_SUFFIX: usize = 38;
const F_BRAND: usize = 40;
const F_BRAND2: usize = 41;
const F_KEYWORD: usize = 42;
const F_KEYWORD2: usize = 43;
const F_BRAND_KEYWORD: usize = 44;
const F_LOOKALIKE_BUCKET: usize = 45; // 4 buckets: 45..=48
const F_HEX: usize = 49;
const F_LEADING_DIGIT: usize = 50;
const F_UNDERSCORE: usize = 51;
const F_LL2: usize = 52;
const F_LL2_BUCKET: usize = 53; // 5 buckets: 53..=57
const F_COVER: usize = 39;
const F_LLR: usize = 58;
const F_TLD_RARE: usize = 59;
const F_TLD_UNSEEN: usize = 60;
const F_UNCOVERED: usize = 61;
const F_KN_LLR: usize = 62;
const F_KN_MEAN: usize = 63;

/// Hash seeds of the hashed feature families.
const H_NGRAM: u32 = 0x6e67_7261;
const H_TLD: u32 = 0x746c_6431;
const H_SUFFIX: u32 = 0x7375_6666;
const H_BRAND: u32 = 0x6272_616e;
const H_KEYWORD: u32 = 0x6b65_7977;
const H_LM_TRI: u32 = 0x6c6d_7472;
const H_LM_CTX: u32 = 0x6c6d_6378;
const H_SHAPE: u32 = 0x7368_6170;
const H_TLD_PRIOR: u32 = 0x746c_6470;
const H_COVER_LEN: u32 = 0x636f_766c;
const H_LLR_LEN: u32 = 0x6c6c_726c;
const H_SHAPE_LEN: u32 = 0x7368_6c6e;
const H_KN: u32 = 0x6b6e_3400;
const H_KN_LEN: u32 = 0x6b6e_6c6e;
const H_KN_CROSS: u32 = 0x6b6e_7863;
const H_UNI: u32 = 0x756e_6931;

/// FNV-1a over `bytes` from `seed`, then the murmur3 finaliser.
pub(crate) fn hash(seed: u32, bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5 ^ seed;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// A likelihood ratio (nats, benign model vs. uniform) in one of seven
/// buckets, crossed with the length bucket by the caller.
fn llr_bucket(l: f32) -> u8 {
    match l {
        l if l < -12.0 => 0,
        l if l < -6.0 => 1,
        l if l < -2.0 => 2,
        l if l < 2.0 => 3,
        l if l < 6.0 => 4,
        l if l < 12.0 => 5,
        _ => 6,
    }
}

fn hashed(seed: u32, bytes: &[u8]) -> usize {
    DENSE + (hash(seed, bytes) as usize) % (DIM - DENSE)
}

/// What the model knows of benign registrable names: a character trigram
/// model (hashed counts of trigrams and of their two-character contexts
/// over `^^label$`), the words their labels are made of ([`Words`]) and
/// how many of them use each top-level suffix.
#[derive(Clone)]
pub(crate) struct CharModel {
    pub(crate) tri: Vec<u16>,
    pub(crate) ctx: Vec<u16>,
    pub(crate) uni: Vec<u16>,
    /// Benign names per hashed last suffix label ([`TLD_BUCKETS`]).
    pub(crate) tld: Vec<u16>,
    pub(crate) words: Words,
    pub(crate) kn: Kn,
}

impl PartialEq for CharModel {
    fn eq(&self, o: &CharModel) -> bool {
        self.tri == o.tri
            && self.ctx == o.ctx
            && self.uni == o.uni
            && self.tld == o.tld
            && self.words.list == o.words.list
            && self.kn == o.kn
    }
}

impl Eq for CharModel {}

/// Hashed top-level suffix buckets of the benign suffix counts.
pub(crate) const TLD_BUCKETS: usize = 1 << 12;
/// Shortest word of the benign word list.
pub(crate) const MIN_WORD: usize = 4;
/// Longest word of the benign word list.
pub(crate) const MAX_WORD: usize = 24;

/// The words benign labels are made of: every run of letters of
/// [`MIN_WORD`]..=[`MAX_WORD`] characters in a benign training label
/// (`stack`, `overflow` from `stack-overflow`; `stackoverflow` whole), plus
/// the dnstwist English, French and Polish dictionaries. A label's
/// *coverage* is the largest share of its characters that non-overlapping
/// words cover: benign names are mostly made of words, random generators'
/// names are not.
#[derive(Clone, Default)]
pub(crate) struct Words {
    /// Sorted, distinct.
    pub(crate) list: Vec<String>,
    ac: Option<aho_corasick::AhoCorasick>,
}

impl Words {
    /// The word list's automaton; an empty or unbuildable list covers
    /// nothing.
    pub(crate) fn new(mut list: Vec<String>) -> Words {
        list.sort_unstable();
        list.dedup();
        let ac = if list.is_empty() {
            None
        } else {
            aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::Standard)
                .build(&list)
                .ok()
        };
        Words { list, ac }
    }

    /// Whether `w` may be a word (lowercase ASCII letters, length bounds).
    pub(crate) fn valid(w: &str) -> bool {
        (MIN_WORD..=MAX_WORD).contains(&w.len()) && w.bytes().all(|c| c.is_ascii_lowercase())
    }

    /// The letter runs of a label that may be words.
    pub(crate) fn tokens(label: &str) -> impl Iterator<Item = &str> {
        label
            .split(|c: char| !c.is_ascii_lowercase())
            .filter(|w| Words::valid(w))
    }

    /// (characters covered by non-overlapping words, words used) of
    /// `label` (at most [`MAX_LABEL`] bytes), maximising the coverage and
    /// then using the fewest words.
    pub(crate) fn coverage(&self, label: &[u8]) -> (usize, usize) {
        let Some(ac) = &self.ac else {
            return (0, 0);
        };
        let label = &label[..label.len().min(MAX_LABEL)];
        // best[i]: (covered, -words) of the prefix of i bytes.
        let mut best = [(0u8, 0i8); MAX_LABEL + 1];
        let mut done = 0usize;
        for m in ac.find_overlapping_iter(label) {
            let (s, e) = (m.start(), m.end());
            while done < e {
                done += 1;
                best[done] = best[done].max(best[done - 1]);
            }
            let (c, w) = best[s];
            let cand = (c.saturating_add((e - s) as u8), w.saturating_sub(1));
            best[e] = best[e].max(cand);
        }
        while done < label.len() {
            done += 1;
            best[done] = best[done].max(best[done - 1]);
        }
        let (c, w) = best[label.len()];
        (usize::from(c), usize::from(w.unsigned_abs()))
    }
}

/// Highest order of the [`Kn`] model (4: three characters of context).
pub(crate) const KN_ORDER: usize = 4;
/// Hashed buckets of the [`Kn`] n-gram and context tables, per order 2..=4.
pub(crate) const KN_BUCKETS: [usize; 3] = [1 << 12, 1 << 15, 1 << 16];
/// Absolute discount of the [`Kn`] model.
const KN_DISCOUNT: f32 = 0.75;
/// Unigram slots of the [`Kn`] model (as [`char_slot`], padded).
const KN_UNI: usize = 40;

/// A character 4-gram model of benign labels with interpolated absolute
/// discounting (Kneser-Ney's interpolation, without its continuation
/// counts): each order's estimate is its discounted count plus the
/// discounted mass times the next lower order's estimate, down to add-one
/// unigrams. Counts are hashed (`u16`, saturating): per order 2..=4, the
/// n-grams, their contexts and the distinct characters seen after each
/// context.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Kn {
    /// Per order 2..=4: n-gram counts, context counts, distinct followers.
    pub(crate) tables: [[Vec<u16>; 3]; 3],
    pub(crate) uni: Vec<u16>,
}

impl Kn {
    pub(crate) fn empty() -> Kn {
        Kn {
            tables: std::array::from_fn(|o| std::array::from_fn(|_| vec![0; KN_BUCKETS[o]])),
            uni: vec![0; KN_UNI],
        }
    }

    /// `(n-gram bucket, context bucket)` of the n-gram of `order` (2..=4)
    /// ending at `w[i]` (`w` padded with `^`).
    fn buckets(order: usize, w: &[u8], i: usize) -> (usize, usize) {
        let g = &w[i + 1 - order..=i];
        let size = KN_BUCKETS[order - 2];
        let seed = H_KN ^ order as u32;
        (
            hash(seed, g) as usize % size,
            hash(seed ^ 0x00c0_0000, &g[..order - 1]) as usize % size,
        )
    }

    /// `^^^label$` in a stack buffer.
    fn padded(label: &[u8], buf: &mut [u8; MAX_LABEL + KN_ORDER]) -> usize {
        let label = &label[..label.len().min(MAX_LABEL)];
        let p = KN_ORDER - 1;
        buf[..p].fill(b'^');
        buf[p..p + label.len()].copy_from_slice(label);
        buf[p + label.len()] = b'$';
        p + label.len() + 1
    }

    /// Counts one benign label.
    pub(crate) fn add(&mut self, label: &str) {
        let mut buf = [0u8; MAX_LABEL + KN_ORDER];
        let n = Kn::padded(label.as_bytes(), &mut buf);
        let w = &buf[..n];
        for i in KN_ORDER - 1..n {
            if let Some(x) = self.uni.get_mut(char_slot(w[i])) {
                *x = x.saturating_add(1);
            }
            for order in 2..=KN_ORDER {
                let (g, c) = Kn::buckets(order, w, i);
                let [grams, ctx, followers] = &mut self.tables[order - 2];
                if grams[g] == 0 {
                    followers[c] = followers[c].saturating_add(1);
                }
                grams[g] = grams[g].saturating_add(1);
                ctx[c] = ctx[c].saturating_add(1);
            }
        }
    }

    /// The total natural-log likelihood ratio of the characters of `label`
    /// under the benign character frequencies (add-one) against uniformly
    /// random characters: rare letters (`x`, `q`, `z`, `j`) pull it down
    /// whatever their order.
    pub(crate) fn unigram_llr(&self, label: &[u8]) -> f32 {
        let label = &label[..label.len().min(MAX_LABEL)];
        let total: f32 = self.uni.iter().map(|&x| f32::from(x)).sum();
        let norm = (total + ALPHABET + 1.0).ln() - (ALPHABET + 1.0).ln();
        label
            .iter()
            .map(|&c| {
                let u = f32::from(self.uni.get(char_slot(c)).copied().unwrap_or(0));
                (u + 1.0).ln() - norm
            })
            .sum()
    }

    /// The total natural-log likelihood ratio of `label` (and its end)
    /// against uniformly random characters, and the number of characters
    /// scored.
    pub(crate) fn llr(&self, label: &[u8]) -> (f32, usize) {
        let mut buf = [0u8; MAX_LABEL + KN_ORDER];
        let n = Kn::padded(label, &mut buf);
        let w = &buf[..n];
        let total: f32 = self.uni.iter().map(|&x| f32::from(x)).sum();
        let mut sum = 0.0f32;
        for i in KN_ORDER - 1..n {
            let u = f32::from(self.uni.get(char_slot(w[i])).copied().unwrap_or(0));
            let mut p = (u + 1.0) / (total + ALPHABET + 1.0);
            for order in 2..=KN_ORDER {
                let (g, c) = Kn::buckets(order, w, i);
                let [grams, ctx, followers] = &self.tables[order - 2];
                let cc = f32::from(ctx.get(c).copied().unwrap_or(0));
                if cc > 0.0 {
                    let gc = f32::from(grams.get(g).copied().unwrap_or(0));
                    let f = f32::from(followers.get(c).copied().unwrap_or(0));
                    p = (gc - KN_DISCOUNT).max(0.0) / cc + KN_DISCOUNT * f / cc * p;
                }
            }
            sum += p.max(1e-9).ln() + (ALPHABET + 1.0).ln();
        }
        (sum, n + 1 - KN_ORDER)
    }
}

/// The hashed bucket of a top-level suffix label.
pub(crate) fn tld_bucket(last: &str) -> usize {
    hash(H_TLD_PRIOR, last.as_bytes()) as usize % TLD_BUCKETS
}

impl std::fmt::Debug for CharModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CharModel").finish_non_exhaustive()
    }
}

/// Alphabet size the smoothing assumes (a-z, 0-9, `-`, end).
const ALPHABET: f32 = 38.0;

/// The unigram slot of a byte.
fn char_slot(c: u8) -> usize {
    match c {
        b'a'..=b'z' => (c - b'a') as usize,
        b'0'..=b'9' => 26 + (c - b'0') as usize,
        b'-' => 36,
        b'^' => 37,
        _ => 38,
    }
}

/// The shape class of a byte: consonant, vowel, digit, hyphen, other.
fn shape(c: u8) -> u8 {
    match c {
        b'a' | b'e' | b'i' | b'o' | b'u' | b'y' => b'v',
        b'a'..=b'z' => b'c',
        b'0'..=b'9' => b'd',
        b'-' => b'h',
        _ => b'x',
    }
}

impl CharModel {
    pub(crate) fn empty() -> CharModel {
        CharModel {
            tri: vec![0; LM_TRI],
            ctx: vec![0; LM_CTX],
            uni: vec![0; LM_UNI],
            tld: vec![0; TLD_BUCKETS],
            words: Words::default(),
            kn: Kn::empty(),
        }
    }

    /// Calls `f(trigram bucket, its context bucket, the context's last
    /// character slot)` for every character of `^^label$` after the two
    /// `^`. The context bucket also counts the bigram (context's last
    /// character, character).
    fn for_each_trigram(label: &[u8], mut f: impl FnMut(usize, usize, usize)) {
        let label = &label[..label.len().min(MAX_LABEL)];
        let mut prev = [b'^', b'^'];
        for &c in label.iter().chain(std::iter::once(&b'$')) {
            let t = [prev[0], prev[1], c];
            let ti = hash(H_LM_TRI, &t) as usize % LM_TRI;
            let ci = hash(H_LM_CTX, &prev) as usize % LM_CTX;
            f(ti, ci, char_slot(prev[1]));
            prev = [prev[1], c];
        }
    }

    /// Counts one benign name's suffix (its last label).
    pub(crate) fn add_suffix(&mut self, suffix: &str) {
        let last = suffix.rsplit('.').next().unwrap_or(suffix);
        if let Some(x) = self.tld.get_mut(tld_bucket(last)) {
            *x = x.saturating_add(1);
        }
    }

    /// Counts one benign label.
    pub(crate) fn add(&mut self, label: &str) {
        self.kn.add(label);
        let (tri, ctx, uni) = (&mut self.tri, &mut self.ctx, &mut self.uni);
        Self::for_each_trigram(label.as_bytes(), |t, c, u| {
            for (table, i) in [(&mut *tri, t), (&mut *ctx, c), (&mut *uni, u)] {
                if let Some(x) = table.get_mut(i) {
                    *x = x.saturating_add(1);
                }
            }
        });
    }

    /// Mean natural-log probability per character under the trigram and
    /// under the bigram model (a bigram is estimated as the count of the
    /// next trigram context over its first character's count), and the
    /// total log-likelihood ratio of the label against uniformly random
    /// characters (nats: below zero, the label is less likely under the
    /// benign model than as random letters and digits).
    pub(crate) fn log_probs(&self, label: &str) -> (f32, f32, f32) {
        let get = |t: &[u16], i: usize| f32::from(t.get(i).copied().unwrap_or(0));
        let (mut tri_sum, mut bi_sum) = (0.0f32, 0.0f32);
        let mut n = 0u32;
        let mut prev_ctx: Option<(usize, usize)> = None;
        Self::for_each_trigram(label.as_bytes(), |t, c, u| {
            let tc = get(&self.tri, t);
            let cc = get(&self.ctx, c);
            tri_sum += ((tc + 0.1) / (cc + 0.1 * ALPHABET)).ln();
            // The bigram ending at the previous character: its count is
            // this step's context count, its history that step's slot.
            if let Some((_, pu)) = prev_ctx {
                bi_sum += ((cc + 0.1) / (get(&self.uni, pu) + 0.1 * ALPHABET)).ln();
            }
            prev_ctx = Some((c, u));
            n += 1;
        });
        if n == 0 {
            (0.0, 0.0, 0.0)
        } else {
            (
                tri_sum / n as f32,
                bi_sum / n.saturating_sub(1).max(1) as f32,
                tri_sum + n as f32 * ALPHABET.ln(),
            )
        }
    }
}

/// Facts about the name kept for evidence text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Info {
    pub(crate) len: usize,
    pub(crate) entropy: f32,
    pub(crate) digits: usize,
    pub(crate) hyphens: usize,
    pub(crate) cons_run: usize,
    pub(crate) log_prob: f32,
    /// Characters of the label covered by benign words.
    pub(crate) covered: usize,
    /// Index into `Lexicon::term_kinds` of the first brand term.
    pub(crate) brand_term: Option<usize>,
    /// Index into `Lexicon::term_kinds` of the first keyword, or a
    /// two-letter keyword token.
    pub(crate) keyword: Option<&'static str>,
    /// Best look-alike: similarity, brand, techniques.
    pub(crate) lookalike: Option<(u8, String, String)>,
    /// The name is under a protected brand's own registrable domain (index
    /// into `Lexicon::brands`).
    pub(crate) own_brand: Option<usize>,
}

/// The sparse feature vector of one name.
pub(crate) struct Features {
    n: usize,
    idx: [u32; MAX_FEATURES],
    val: [f32; MAX_FEATURES],
    grp: [Group; MAX_FEATURES],
    pub(crate) info: Info,
}

impl std::fmt::Debug for Features {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The label and suffix features are computed on.
///
/// The suffix is the ICANN one: `x.github.io` is described as the label `x`
/// under `io`. A private suffix (free hosting, dynamic DNS) says nothing the
/// training data can teach honestly: the benign lists are registrable
/// domains and hold no `x.github.io`-style name while PhishTank holds
/// hundreds, so a model that saw `github.io` learnt "hosted = phishing"
/// (`foo.github.io` scored 86 in the first model).
pub(crate) fn split(name: &DomainName) -> (&str, &str) {
    let ascii = name.ascii();
    let suffix = name.suffix();
    match name.registrable() {
        Some(reg) => {
            let label = reg
                .strip_suffix(suffix)
                .and_then(|l| l.strip_suffix('.'))
                .unwrap_or(reg);
            (label, name.icann_suffix())
        }
        None => match ascii.split_once('.') {
            Some((l, rest)) => (l, rest),
            None => (ascii, ""),
        },
    }
}

impl Features {
    fn new() -> Features {
        Features {
            n: 0,
            idx: [0; MAX_FEATURES],
            val: [0.0; MAX_FEATURES],
            grp: [Group::Bias; MAX_FEATURES],
            info: Info::default(),
        }
    }

    fn push(&mut self, i: usize, v: f32, g: Group) {
        if self.n < MAX_FEATURES && v != 0.0 {
            self.idx[self.n] = i as u32;
            self.val[self.n] = v;
            self.grp[self.n] = g;
            self.n += 1;
        }
    }

    fn one_hot(&mut self, base: usize, bucket: usize, g: Group) {
        self.push(base + bucket, 1.0, g);
    }

    /// `(index, value, group)` of every non-zero feature.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, f32, Group)> + '_ {
        (0..self.n).map(|k| (self.idx[k] as usize, self.val[k], self.grp[k]))
    }

    /// Extracts the features of `name`.
    pub(crate) fn extract(name: &DomainName, lm: &CharModel, lex: &Lexicon) -> Features {
        let mut f = Features::new();
        let (label, suffix) = split(name);
        let lb = label.as_bytes();
        let lb = &lb[..lb.len().min(MAX_LABEL)];
        f.push(F_BIAS, 1.0, Group::Bias);

        // Character classes and runs.
        let mut counts = [0u16; 40];
        let (mut digits, mut hyphens, mut vowels) = (0usize, 0usize, 0usize);
        let (mut cons_run, mut max_cons, mut digit_run, mut max_digit) = (0, 0, 0, 0);
        let mut transitions = 0usize;
        let mut hex = true;
        let mut underscore = false;
        let mut prev_digit: Option<bool> = None;
        for &c in lb {
            let slot = match c {
                b'a'..=b'z' => (c - b'a') as usize,
                b'0'..=b'9' => 26 + (c - b'0') as usize,
                b'-' => 36,
                _ => 37,
            };
            counts[slot] = counts[slot].saturating_add(1);
            let is_digit = c.is_ascii_digit();
            let is_vowel = matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
            let is_cons = c.is_ascii_lowercase() && !is_vowel;
            digits += usize::from(is_digit);
            hyphens += usize::from(c == b'-');
            vowels += usize::from(is_vowel);
            underscore |= c == b'_';
            hex &= c.is_ascii_hexdigit();
            cons_run = if is_cons { cons_run + 1 } else { 0 };
            max_cons = max_cons.max(cons_run);
            digit_run = if is_digit { digit_run + 1 } else { 0 };
            max_digit = max_digit.max(digit_run);
            if c != b'-' {
                if prev_digit.is_some_and(|p| p != is_digit) {
                    transitions += 1;
                }
                prev_digit = Some(is_digit);
            }
        }
        let len = lb.len();
        let lenf = len.max(1) as f32;
        let mut entropy = 0.0f32;
        for &c in &counts {
            if c > 0 {
                let p = f32::from(c) / lenf;
                entropy -= p * p.log2();
            }
        }
        f.push(F_LEN, (len as f32 / 32.0).min(2.0), Group::Length);
        let lb_bucket = match len {
            0..=3 => 0,
            4..=6 => 1,
            7..=9 => 2,
            10..=12 => 3,
            13..=15 => 4,
            16..=20 => 5,
            21..=30 => 6,
            _ => 7,
        };
        f.one_hot(F_LEN_BUCKET, lb_bucket, Group::Length);
        f.push(F_ENTROPY, entropy / 4.5, Group::Entropy);
        let eb = match entropy {
            e if e < 2.0 => 0,
            e if e < 2.5 => 1,
            e if e < 3.0 => 2,
            e if e < 3.5 => 3,
            _ => 4,
        };
        f.one_hot(F_ENTROPY_BUCKET, eb, Group::Entropy);
        f.push(F_DIGIT_RATIO, digits as f32 / lenf, Group::Digits);
        f.push(F_HAS_DIGIT, f32::from(u8::from(digits > 0)), Group::Digits);
        f.push(F_DIGITS3, f32::from(u8::from(digits >= 3)), Group::Digits);
        f.push(
            F_TRANSITIONS,
            (transitions as f32 / lenf * 4.0).min(2.0),
            Group::Digits,
        );
        if hyphens > 0 {
            f.one_hot(F_HYPHEN, hyphens.min(3) - 1, Group::Hyphens);
        }
        f.push(F_VOWEL_RATIO, vowels as f32 / lenf, Group::Runs);
        f.push(F_CONS_RUN, (max_cons as f32 / 8.0).min(2.0), Group::Runs);
        for (k, min) in [4usize, 5, 6, 8].into_iter().enumerate() {
            if max_cons >= min {
                f.one_hot(F_CONS_RUN_BUCKET, k, Group::Runs);
            }
        }
        // Vowel share, consonant run and distinct characters per length:
        // five random letters are not five letters of a word.
        let vb = ((vowels * 5) / len.max(1)).min(4) as u8;
        let distinct = counts.iter().filter(|&&c| c > 0).count();
        let db = ((distinct * 4) / len.max(1)).min(4) as u8;
        let lbb = lb_bucket as u8;
        for (k, v) in [(0u8, vb), (1, max_cons.min(6) as u8), (2, db)] {
            f.push(hashed(H_SHAPE_LEN, &[k, v, lbb]), 1.0, Group::Runs);
        }
        f.push(
            F_DIGIT_RUN4,
            f32::from(u8::from(max_digit >= 4)),
            Group::Digits,
        );
        f.push(
            F_HEX,
            f32::from(u8::from(hex && len >= 8 && digits > 0)),
            Group::Digits,
        );
        f.push(
            F_LEADING_DIGIT,
            f32::from(u8::from(lb.first().is_some_and(u8::is_ascii_digit))),
            Group::Digits,
        );
        f.push(
            F_UNDERSCORE,
            f32::from(u8::from(underscore)),
            Group::Structure,
        );

        // Benign character model.
        let (ll, ll2, llr) = lm.log_probs(label);
        // The total evidence against the benign model grows with the
        // length; the mean does not: both, and the total per length.
        f.push(F_LLR, (-llr / 16.0).clamp(-2.0, 2.0), Group::Likelihood);
        let llrb = llr_bucket(llr);
        f.push(
            hashed(H_LLR_LEN, &[llrb, lb_bucket as u8]),
            1.0,
            Group::Likelihood,
        );

        // The 4-gram model: total and mean evidence, total per length.
        let (kn, kn_n) = lm.kn.llr(lb);
        f.push(F_KN_LLR, (-kn / 16.0).clamp(-2.0, 2.0), Group::Likelihood);
        f.push(
            F_KN_MEAN,
            (-kn / kn_n.max(1) as f32 / 2.0).clamp(-2.0, 2.0),
            Group::Likelihood,
        );
        let knb = llr_bucket(kn);
        f.push(
            hashed(H_KN_LEN, &[knb, lb_bucket as u8]),
            1.0,
            Group::Likelihood,
        );

        // Letter frequencies alone (short names carry little order).
        let uni = lm.kn.unigram_llr(lb);
        f.push(
            hashed(H_UNI, b"total"),
            (-uni / 8.0).clamp(-2.0, 2.0),
            Group::Likelihood,
        );
        let unb: u8 = match uni / lenf {
            l if l < -0.8 => 0,
            l if l < -0.4 => 1,
            l if l < 0.0 => 2,
            l if l < 0.3 => 3,
            _ => 4,
        };
        f.push(
            hashed(H_UNI, &[unb, lb_bucket as u8]),
            1.0,
            Group::Likelihood,
        );

        // Benign words.
        let (covered, words) = lm.words.coverage(lb);
        let cover = covered as f32 / lenf;
        f.push(F_COVER, cover, Group::Words);
        f.push(
            F_UNCOVERED,
            ((len - covered.min(len)) as f32 / 8.0).min(2.0),
            Group::Words,
        );
        let cb: u8 = match cover {
            c if c <= 0.0 => 0,
            c if c < 0.5 => 1,
            c if c < 0.75 => 2,
            c if c < 1.0 => 3,
            _ => 4,
        };
        f.push(
            hashed(H_COVER_LEN, &[cb, lb_bucket as u8, words.min(4) as u8]),
            1.0,
            Group::Words,
        );
        f.info.covered = covered;
        f.push(F_LL2, (-ll2 / 4.0).clamp(0.0, 2.0), Group::Likelihood);
        let ll2b = match ll2 {
            l if l > -2.0 => 0,
            l if l > -2.5 => 1,
            l if l > -3.0 => 2,
            l if l > -3.5 => 3,
            _ => 4,
        };
        f.one_hot(F_LL2_BUCKET, ll2b, Group::Likelihood);
        f.push(F_LL, (-ll / 4.0).clamp(0.0, 2.0), Group::Likelihood);
        let llb = match ll {
            l if l > -1.5 => 0,
            l if l > -2.0 => 1,
            l if l > -2.5 => 2,
            l if l > -3.0 => 3,
            l if l > -3.5 => 4,
            _ => 5,
        };
        f.one_hot(F_LL_BUCKET, llb, Group::Likelihood);

        // Structure and suffix.
        f.push(
            F_PUNYCODE,
            f32::from(u8::from(label.starts_with("xn--"))),
            Group::Structure,
        );
        f.push(
            F_LONG_SUFFIX,
            f32::from(u8::from(suffix.contains('.'))),
            Group::Tld,
        );
        let last = suffix.rsplit('.').next().unwrap_or(suffix);
        f.push(hashed(H_TLD, last.as_bytes()), 1.0, Group::Tld);
        // How rare the top-level suffix is among benign names.
        let tld_count = lm.tld.get(tld_bucket(last)).copied().unwrap_or(0);
        f.push(
            F_TLD_RARE,
            (-(f32::from(tld_count) + 1.0).ln() / 10.0 + 1.0).clamp(0.0, 1.0),
            Group::Tld,
        );
        f.push(
            F_TLD_UNSEEN,
            f32::from(u8::from(tld_count == 0)),
            Group::Tld,
        );
        // Randomness with suffix rarity and with word coverage.
        let rare: u8 = match tld_count {
            0..=9 => 0,
            10..=99 => 1,
            100..=999 => 2,
            _ => 3,
        };
        f.push(hashed(H_KN_CROSS, &[0, knb, rare]), 1.0, Group::Likelihood);
        f.push(hashed(H_KN_CROSS, &[1, knb, cb]), 1.0, Group::Likelihood);
        if last.len() != suffix.len() {
            f.push(hashed(H_SUFFIX, suffix.as_bytes()), 1.0, Group::Tld);
        }

        // Brand terms and keywords in the label.
        let mut brands = 0usize;
        let mut keywords = 0usize;
        let mut last_brand: Option<usize> = None;
        for m in lex.terms.find_overlapping_iter(label) {
            let pid = m.pattern().as_usize();
            match lex.term_kinds.get(pid) {
                Some((Term::Brand(_), t)) => {
                    if label.len() == t.len() {
                        // The label is the brand's own label (`paypal` on
                        // another suffix): the look-alike matcher's case.
                        continue;
                    }
                    if last_brand != Some(pid) {
                        brands += 1;
                        if f.info.brand_term.is_none() {
                            f.info.brand_term = Some(pid);
                        }
                        f.push(hashed(H_BRAND, t.as_bytes()), 1.0, Group::BrandTerm);
                        last_brand = Some(pid);
                    }
                }
                Some((Term::Keyword(k), _)) => {
                    keywords += 1;
                    if f.info.keyword.is_none() {
                        f.info.keyword = Some(k);
                    }
                    f.push(hashed(H_KEYWORD, k.as_bytes()), 1.0, Group::Keyword);
                }
                None => {}
            }
        }
        for tok in label.split('-') {
            if tok.len() == 2
                && let Some(k) = crate::lexicon::KEYWORDS.iter().find(|k| **k == tok)
            {
                keywords += 1;
                if f.info.keyword.is_none() {
                    f.info.keyword = Some(k);
                }
                f.push(hashed(H_KEYWORD, k.as_bytes()), 1.0, Group::Keyword);
            }
        }
        f.push(F_BRAND, f32::from(u8::from(brands >= 1)), Group::BrandTerm);
        f.push(F_BRAND2, f32::from(u8::from(brands >= 2)), Group::BrandTerm);
        f.push(
            F_KEYWORD,
            f32::from(u8::from(keywords >= 1)),
            Group::Keyword,
        );
        f.push(
            F_KEYWORD2,
            f32::from(u8::from(keywords >= 2)),
            Group::Keyword,
        );
        f.push(
            F_BRAND_KEYWORD,
            f32::from(u8::from(brands >= 1 && keywords >= 1)),
            Group::BrandTerm,
        );

        // Look-alike similarity of the whole host to the brands.
        if let Some(m) = lex.matcher.match_name(name).into_iter().next()
            && m.similarity >= LOOKALIKE_FLOOR
        {
            let b = match m.similarity {
                0..=74 => 0,
                75..=84 => 1,
                85..=89 => 2,
                _ => 3,
            };
            f.one_hot(F_LOOKALIKE_BUCKET, b, Group::Lookalike);
            let techs: Vec<&str> = m.techniques.iter().map(|t| t.as_str()).collect();
            f.info.lookalike = Some((m.similarity, m.brand, techs.join(", ")));
        }

        // Character n-grams of ^label$.
        let mut buf = [0u8; MAX_LABEL + 2];
        buf[0] = b'^';
        buf[1..=len].copy_from_slice(lb);
        buf[len + 1] = b'$';
        let padded = &buf[..len + 2];
        for n in 2..=4usize {
            if padded.len() < n {
                continue;
            }
            for w in padded.windows(n) {
                f.push(hashed(H_NGRAM, w), 1.0, Group::Ngrams);
            }
        }

        // Shape n-grams (consonant/vowel/digit/hyphen classes) of ^label$:
        // pronounceability patterns that carry over between generators.
        let mut sbuf = [0u8; MAX_LABEL + 2];
        for (d, s) in sbuf.iter_mut().zip(padded) {
            *d = match *s {
                b'^' | b'$' => *s,
                c => shape(c),
            };
        }
        let shapes = &sbuf[..padded.len()];
        for n in 3..=5usize {
            if shapes.len() < n {
                continue;
            }
            for w in shapes.windows(n) {
                f.push(hashed(H_SHAPE, w), 1.0, Group::Shapes);
            }
        }

        f.info.own_brand = name
            .registrable()
            .and_then(|r| lex.brands.binary_search_by(|b| b.as_str().cmp(r)).ok());
        f.info.len = len;
        f.info.entropy = entropy;
        f.info.digits = digits;
        f.info.hyphens = hyphens;
        f.info.cons_run = max_cons;
        f.info.log_prob = ll;
        f
    }
}

#[cfg(test)]
mod tests;
