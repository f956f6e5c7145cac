//! The model: three logistic regressions over the shared lexical features
//! (each with its boosted trees, `boost`), the benign character model, the
//! file format and scoring with evidence.
//!
//! **File format, version 3** (all integers little-endian; version 2 had
//! no calibration shifts and no trees, version 1 neither the suffix counts
//! nor the words, and other features):
//!
//! | bytes | content |
//! | --- | --- |
//! | 8 | magic `SCRYRSK\0` |
//! | 4 | format version (3) |
//! | 4 × 11 | weight buckets, dense buckets, trigram buckets, context buckets, unigram slots, suffix buckets, the 4-gram model's three bucket counts, threats, tree inputs: must equal the compiled constants |
//! | 3 × (4 + 2 × buckets) | per threat (phishing, malware, spam): an `f32` scale, then the weights as `i16` (weight = value × scale) |
//! | 3 × (12 + trees × (5 × splits + 4)) | per threat: the calibration shift (`f32`, subtracted from the log-odds), the tree depth `d` and the tree count (`u32` each; depth 0 exactly when there are no trees), then per tree its `2^d - 1` split inputs (`u8`), their thresholds and its `2^d` leaf values (`f32`) |
//! | 2 × (trigram + context buckets + unigram slots) | the character model's counts as `u16` |
//! | 2 × suffix buckets | benign names per hashed top-level suffix, `u16` |
//! | 4 + words × (1 + length) | the benign word list: a `u32` count, then each word as a length byte and its letters, sorted and distinct |
//! | 8 | FNV-1a 64 of everything before |
//!
//! The loader checks every size, the scales (finite, positive, small), the
//! shifts, thresholds and leaves (finite, bounded), the split inputs (in
//! range), the words (lowercase letters, 4 to 24 of them, sorted,
//! distinct) and the checksum, and never panics.
//!
//! A threat's log-odds: the linear margin `m` (weights · features), plus
//! its trees' sum over (dense features, `m`), minus its shift.

use std::sync::OnceLock;

use scry_model::DomainName;
use serde::{Deserialize, Serialize};

use crate::boost::{self, Booster, INPUTS, MARGIN, MAX_DEPTH, MAX_TREES, Tree};
use crate::features::{
    CharModel, DENSE, DIM, Features, GROUPS, Group, KN_BUCKETS, Kn, LM_CTX, LM_TRI, LM_UNI,
    TLD_BUCKETS, Words, split,
};
use crate::lexicon::{Lexicon, Term};
use crate::{Error, Result};

/// The phishing log-odds ceiling of a protected brand's own domain (score 1).
const OWN_BRAND_LOGIT: f32 = -4.6;

/// Evidence items per threat at most.
const EVIDENCE_PER_THREAT: usize = 4;
const MAGIC: &[u8; 8] = b"SCRYRSK\0";
/// The model file format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 3;
/// The table sizes a model file's header lists, in order (written by
/// `to_bytes`, checked by `from_bytes`).
const HEADER_DIMS: [usize; 11] = [
    DIM,
    DENSE,
    LM_TRI,
    LM_CTX,
    LM_UNI,
    TLD_BUCKETS,
    KN_BUCKETS[0],
    KN_BUCKETS[1],
    KN_BUCKETS[2],
    THREATS,
    INPUTS,
];
const THREATS: usize = 3;
/// Most words a model file may hold.
const MAX_WORDS: usize = 1 << 20;

/// The name of the built-in model (its file's stem), shown with scores.
pub const MODEL_NAME: &str = "lexical-v4";

/// The model committed in the crate (`model/lexical-v4.bin`).
static BUILTIN: &[u8] = include_bytes!("../model/lexical-v4.bin");
/// Largest calibration shift or leaf value a model file may hold.
const MAX_ABS: f32 = 1e4;

/// A threat a classifier scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Threat {
    /// Phishing (brand impersonation, credential theft).
    Phishing,
    /// Malware, including algorithmically generated (DGA) names.
    Malware,
    /// Spam.
    Spam,
}

impl Threat {
    /// All threats, in model order.
    pub const ALL: [Threat; 3] = [Threat::Phishing, Threat::Malware, Threat::Spam];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Threat::Phishing => "phishing",
            Threat::Malware => "malware",
            Threat::Spam => "spam",
        }
    }

    fn index(self) -> usize {
        match self {
            Threat::Phishing => 0,
            Threat::Malware => 1,
            Threat::Spam => 2,
        }
    }
}

/// One reason behind a threat score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The threat this evidence raises.
    pub threat: Threat,
    /// Stable feature id: `length`, `entropy`, `digits`, `hyphens`,
    /// `char_runs`, `char_shapes`, `char_ngrams`, `benign_likelihood`,
    /// `brand_term`,
    /// `keyword`, `lookalike`, `tld` or `structure`.
    pub feature: String,
    /// Human-readable text (`contains brand term 'paypal'`).
    pub detail: String,
    /// The feature group's contribution to the classifier's log-odds.
    pub weight: f32,
}

/// The three threat-profile scores of a name, 0..=99 each, with evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreatProfile {
    /// Phishing score, 0..=99.
    pub phishing: u8,
    /// Malware (DGA) score, 0..=99.
    pub malware: u8,
    /// Spam score, 0..=99.
    pub spam: u8,
    /// The top contributing features per threat, strongest first within a
    /// threat (threats scoring at least 10 only).
    pub evidence: Vec<Evidence>,
}

impl ThreatProfile {
    /// The score for one threat.
    pub fn get(&self, t: Threat) -> u8 {
        match t {
            Threat::Phishing => self.phishing,
            Threat::Malware => self.malware,
            Threat::Spam => self.spam,
        }
    }
}

/// The threat-profile model: three logistic regressions (phishing, malware,
/// spam) over the lexical features of a name.
#[derive(Clone)]
pub struct Model {
    /// Dequantised weights, `DIM` rows of one weight per threat
    /// (interleaved: one cache line per feature).
    pub(crate) weights: Vec<[f32; THREATS]>,
    /// Quantisation scale per threat.
    pub(crate) scales: [f32; THREATS],
    /// The quantised weights as stored.
    pub(crate) quant: [Vec<i16>; THREATS],
    /// Calibration shift per threat (subtracted from the log-odds).
    pub(crate) shifts: [f32; THREATS],
    /// Boosted trees per threat (none: the linear model alone).
    pub(crate) boosters: [Booster; THREATS],
    pub(crate) lm: CharModel,
    lex: &'static Lexicon,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("scales", &self.scales)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Model {
    fn eq(&self, other: &Model) -> bool {
        self.quant == other.quant
            && self.scales == other.scales
            && self.shifts == other.shifts
            && self.boosters == other.boosters
            && self.lm == other.lm
    }
}

/// The dequantised weights, interleaved per bucket.
fn interleave(quant: &[Vec<i16>; THREATS], scales: &[f32; THREATS]) -> Vec<[f32; THREATS]> {
    (0..DIM)
        .map(|i| {
            std::array::from_fn(|t| f32::from(quant[t].get(i).copied().unwrap_or(0)) * scales[t])
        })
        .collect()
}

/// Whether `brand`'s label is the label of `name`'s registrable domain
/// (`amazon.co.uk` for `amazon.com`): brands own many of those, so the
/// match is no imitation.
pub(crate) fn own_label(name: &DomainName, brand: &str) -> bool {
    let own = name
        .registrable()
        .and_then(|r| r.split('.').next())
        .unwrap_or_default();
    own == brand.split('.').next().unwrap_or_default()
}

/// The brand a host imitates (see [`Model::score_and_lookalike`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookalike {
    /// Similarity to the brand, 60..=100.
    pub similarity: u8,
    /// The brand's domain.
    pub brand: String,
    /// The matcher's techniques, `, `-joined (`homoglyph, tld-swap`).
    pub techniques: String,
}

fn score_of(logit: f32) -> u8 {
    let p = 1.0 / (1.0 + (-logit).exp());
    let s = (p * 100.0).floor();
    if s.is_nan() {
        0
    } else {
        s.clamp(0.0, 99.0) as u8
    }
}

/// Reads little-endian values off a byte slice, tracking the offset.
struct Reader<'a> {
    b: &'a [u8],
    off: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .off
            .checked_add(n)
            .filter(|e| *e <= self.b.len())
            .ok_or_else(|| Error::model(self.off, format!("truncated: {n} more bytes expected")))?;
        let s = &self.b[self.off..end];
        self.off = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }

    fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_bits(self.u32()?))
    }
}

/// FNV-1a 64.
fn checksum(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Model {
    /// The model committed in the crate, loaded once.
    pub fn builtin() -> &'static Model {
        static M: OnceLock<Model> = OnceLock::new();
        M.get_or_init(|| {
            // The bytes are part of the build and checked by a unit test;
            // failing here is a build defect, not an input error.
            #[allow(clippy::expect_used)]
            Model::from_bytes(BUILTIN).expect("the built-in risk model is valid")
        })
    }

    /// Builds a model from float weights (quantising them), calibration
    /// shifts, trees and a character model.
    pub(crate) fn from_parts(
        weights: [Vec<f32>; THREATS],
        shifts: [f32; THREATS],
        boosters: [Booster; THREATS],
        lm: CharModel,
    ) -> Result<Model> {
        let mut quant: [Vec<i16>; THREATS] = Default::default();
        let mut scales = [0.0f32; THREATS];
        for t in 0..THREATS {
            let w = &weights[t];
            if w.len() != DIM {
                return Err(Error::Training(format!(
                    "weight vector of {} buckets",
                    w.len()
                )));
            }
            let max = w.iter().fold(0.0f32, |m, x| m.max(x.abs()));
            let scale = if max > 0.0 && max.is_finite() {
                max / 32767.0
            } else {
                1.0 / 32767.0
            };
            let q: Vec<i16> = w
                .iter()
                .map(|x| (x / scale).round().clamp(-32767.0, 32767.0) as i16)
                .collect();
            quant[t] = q;
            scales[t] = scale;
        }
        let m = Model {
            weights: interleave(&quant, &scales),
            scales,
            quant,
            shifts,
            boosters,
            lm,
            lex: Lexicon::get()?,
        };
        // What training made must load back.
        Model::from_bytes(&m.to_bytes())?;
        Ok(m)
    }

    /// Reads a model file (see the module docs for the format). Never
    /// panics; every inconsistency is an [`Error::Model`].
    pub fn from_bytes(b: &[u8]) -> Result<Model> {
        let mut r = Reader { b, off: 0 };
        if r.take(8)? != MAGIC {
            return Err(Error::model(0, "not a scry risk model (bad magic)"));
        }
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(Error::model(
                8,
                format!("format version {version}, this build reads {FORMAT_VERSION}"),
            ));
        }
        let expect = HEADER_DIMS;
        let names = [
            "weight buckets",
            "dense buckets",
            "trigram buckets",
            "context buckets",
            "unigram slots",
            "suffix buckets",
            "4-gram model order-2 buckets",
            "4-gram model order-3 buckets",
            "4-gram model order-4 buckets",
            "threats",
            "tree inputs",
        ];
        for (want, what) in expect.iter().zip(names) {
            let at = r.off;
            let got = r.u32()? as usize;
            if got != *want {
                return Err(Error::model(at, format!("{what}: {got}, expected {want}")));
            }
        }
        let mut quant: [Vec<i16>; THREATS] = Default::default();
        let mut scales = [0.0f32; THREATS];
        for t in 0..THREATS {
            let at = r.off;
            let scale = r.f32()?;
            if !(scale.is_finite() && scale > 0.0 && scale < 1.0) {
                return Err(Error::model(
                    at,
                    format!("weight scale {scale} out of range"),
                ));
            }
            scales[t] = scale;
            let s = r.take(DIM * 2)?;
            quant[t] = s
                .chunks_exact(2)
                .map(|c| i16::from_le_bytes([c[0], c[1]]))
                .collect();
        }
        let mut shifts = [0.0f32; THREATS];
        let mut boosters: [Booster; THREATS] = Default::default();
        for t in 0..THREATS {
            let at = r.off;
            let shift = r.f32()?;
            if !(shift.is_finite() && shift.abs() <= MAX_ABS) {
                return Err(Error::model(at, format!("shift {shift} out of range")));
            }
            shifts[t] = shift;
            boosters[t] = read_booster(&mut r)?;
        }
        let mut read_u16 = |n: usize| -> Result<Vec<u16>> {
            Ok(r.take(n * 2)?
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect())
        };
        let tri = read_u16(LM_TRI)?;
        let ctx = read_u16(LM_CTX)?;
        let uni = read_u16(LM_UNI)?;
        let tld = read_u16(TLD_BUCKETS)?;
        let mut kn = Kn::empty();
        for (o, tables) in kn.tables.iter_mut().enumerate() {
            for t in tables.iter_mut() {
                *t = read_u16(KN_BUCKETS[o])?;
            }
        }
        kn.uni = read_u16(kn.uni.len())?;
        let at = r.off;
        let n_words = r.u32()? as usize;
        if n_words > MAX_WORDS {
            return Err(Error::model(
                at,
                format!("{n_words} words, at most {MAX_WORDS}"),
            ));
        }
        let mut list = Vec::with_capacity(n_words);
        for _ in 0..n_words {
            let at = r.off;
            let len = usize::from(r.take(1)?[0]);
            let w = r.take(len)?;
            let w = std::str::from_utf8(w)
                .ok()
                .filter(|w| Words::valid(w))
                .ok_or_else(|| Error::model(at, "invalid word"))?;
            if list.last().is_some_and(|p: &String| p.as_str() >= w) {
                return Err(Error::model(at, "words not sorted and distinct"));
            }
            list.push(w.to_string());
        }
        let body_end = r.off;
        let sum = r.take(8)?;
        let mut s8 = [0u8; 8];
        s8.copy_from_slice(sum);
        if u64::from_le_bytes(s8) != checksum(&b[..body_end]) {
            return Err(Error::model(body_end, "checksum mismatch"));
        }
        if r.off != b.len() {
            return Err(Error::model(r.off, "trailing bytes after the checksum"));
        }
        Ok(Model {
            weights: interleave(&quant, &scales),
            scales,
            quant,
            shifts,
            boosters,
            lm: CharModel {
                tri,
                ctx,
                uni,
                tld,
                words: Words::new(list),
                kn,
            },
            lex: Lexicon::get()?,
        })
    }

    /// The model file's bytes (see the module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(40 + THREATS * (4 + DIM * 2) + (LM_TRI + LM_CTX + LM_UNI) * 2 + 8);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        for v in HEADER_DIMS {
            out.extend_from_slice(&(v as u32).to_le_bytes());
        }
        for t in 0..THREATS {
            out.extend_from_slice(&self.scales[t].to_le_bytes());
            for q in &self.quant[t] {
                out.extend_from_slice(&q.to_le_bytes());
            }
        }
        for t in 0..THREATS {
            out.extend_from_slice(&self.shifts[t].to_le_bytes());
            let b = &self.boosters[t];
            let depth = if b.trees.is_empty() { 0 } else { b.depth };
            out.extend_from_slice(&(depth as u32).to_le_bytes());
            out.extend_from_slice(&(b.trees.len() as u32).to_le_bytes());
            for tree in &b.trees {
                out.extend_from_slice(&tree.feature);
                for v in tree.threshold.iter().chain(&tree.leaf) {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
        for v in self
            .lm
            .tri
            .iter()
            .chain(&self.lm.ctx)
            .chain(&self.lm.uni)
            .chain(&self.lm.tld)
            .chain(self.lm.kn.tables.iter().flatten().flatten())
            .chain(&self.lm.kn.uni)
        {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&(self.lm.words.list.len() as u32).to_le_bytes());
        for w in &self.lm.words.list {
            // `Words::valid`: at most MAX_WORD bytes.
            out.push(w.len() as u8);
            out.extend_from_slice(w.as_bytes());
        }
        let sum = checksum(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    pub(crate) fn features(&self, name: &DomainName) -> Features {
        Features::extract(name, &self.lm, self.lex)
    }

    fn logits(&self, f: &Features) -> [f32; THREATS] {
        let mut z = [0.0f32; THREATS];
        for (i, v, _) in f.iter() {
            let w = self.weights.get(i).copied().unwrap_or_default();
            for (zt, wt) in z.iter_mut().zip(w) {
                *zt += wt * v;
            }
        }
        self.finish_logits(f, z)
    }

    /// The log-odds from the linear margins `z` (the weighted feature
    /// sums, in feature order): the trees, the calibration shift and the
    /// own-brand cap.
    fn finish_logits(&self, f: &Features, mut z: [f32; THREATS]) -> [f32; THREATS] {
        if self.boosters.iter().any(|b| !b.trees.is_empty()) {
            let mut x = boost::inputs(f, 0.0);
            for ((zt, b), s) in z.iter_mut().zip(&self.boosters).zip(self.shifts) {
                x[MARGIN] = *zt;
                *zt += b.eval(&x) - s;
            }
        } else {
            for (zt, s) in z.iter_mut().zip(self.shifts) {
                *zt -= s;
            }
        }
        // A protected brand's own domain does not phish for itself (the
        // look-alike matcher's rule too).
        if f.info.own_brand.is_some() {
            z[Threat::Phishing.index()] = z[Threat::Phishing.index()].min(OWN_BRAND_LOGIT);
        }
        z
    }

    /// The three scores (phishing, malware, spam) without evidence: the
    /// fast path for bulk scoring.
    pub fn scores(&self, name: &DomainName) -> [u8; 3] {
        let z = self.logits(&self.features(name));
        [score_of(z[0]), score_of(z[1]), score_of(z[2])]
    }

    /// The three scores (as [`Model::scores`]) and the look-alike
    /// similarity of the whole host to a brand not its own (as
    /// [`crate::lookalike_of`], but only from the feature floor, 60, up),
    /// from one feature extraction: the graph's quick risk per domain.
    pub fn scores_and_lookalike(&self, name: &DomainName) -> ([u8; 3], Option<u8>) {
        let f = self.features(name);
        let z = self.logits(&f);
        let scores = [score_of(z[0]), score_of(z[1]), score_of(z[2])];
        let lookalike = f
            .info
            .lookalike
            .as_ref()
            .and_then(|(sim, brand, _)| (!own_label(name, brand)).then_some(*sim));
        (scores, lookalike)
    }

    /// The raw log-odds per threat (for evaluation: no rounding to 0..99).
    pub fn logit(&self, name: &DomainName, t: Threat) -> f32 {
        self.logits(&self.features(name))[t.index()]
    }

    /// Scores `name` for each threat, 0..=99, with the top contributing
    /// features as evidence. The registrable label is scored; the
    /// look-alike match looks at the whole host.
    pub fn score(&self, name: &DomainName) -> ThreatProfile {
        self.profile_of(name, &self.features(name))
    }

    /// [`Model::score`] and the look-alike of the whole host to a brand
    /// not its own (what [`crate::lookalike_of`] gives: the same matcher
    /// on the same name, its first match, from the feature floor, 60, up;
    /// techniques `, `-joined), from one feature extraction and one
    /// look-alike match: a full report's path.
    pub fn score_and_lookalike(&self, name: &DomainName) -> (ThreatProfile, Option<Lookalike>) {
        let mut f = self.features(name);
        let profile = self.profile_of(name, &f);
        let lookalike = f
            .info
            .lookalike
            .take()
            .filter(|(_, brand, _)| !own_label(name, brand))
            .map(|(similarity, brand, techniques)| Lookalike {
                similarity,
                brand,
                techniques,
            });
        (profile, lookalike)
    }

    fn profile_of(&self, name: &DomainName, f: &Features) -> ThreatProfile {
        // One pass over the features for both the per-group sums (the
        // evidence) and the linear margins (the scores, summed in the
        // same order as `logits` does, so the scores are `scores`').
        let mut sums = [[0.0f32; GROUPS]; THREATS];
        let mut lin = [0.0f32; THREATS];
        for (i, v, g) in f.iter() {
            let w = self.weights.get(i).copied().unwrap_or_default();
            for ((s, zt), wt) in sums.iter_mut().zip(lin.iter_mut()).zip(w) {
                s[g as usize] += wt * v;
                *zt += wt * v;
            }
        }
        let z = self.finish_logits(f, lin);
        let scores: [u8; THREATS] = std::array::from_fn(|t| score_of(z[t]));
        let (_, suffix) = split(name);
        let mut evidence = Vec::new();
        for threat in Threat::ALL {
            let t = threat.index();
            if scores[t] < 10 {
                continue;
            }
            let mut groups: Vec<(Group, f32)> = ALL_GROUPS
                .iter()
                .map(|&g| (g, sums[t][g as usize]))
                .filter(|(g, s)| *g != Group::Bias && *s >= 0.25)
                .collect();
            groups.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for (g, w) in groups.into_iter().take(EVIDENCE_PER_THREAT) {
                evidence.push(Evidence {
                    threat,
                    feature: g.id().to_string(),
                    detail: self.detail(g, threat, f, suffix),
                    weight: w,
                });
            }
        }
        ThreatProfile {
            phishing: scores[0],
            malware: scores[1],
            spam: scores[2],
            evidence,
        }
    }

    fn detail(&self, g: Group, threat: Threat, f: &Features, suffix: &str) -> String {
        let i = &f.info;
        match g {
            Group::Bias => String::from("base rate"),
            Group::Length => format!("registrable label is {} characters long", i.len),
            Group::Entropy => format!("character entropy {:.2} bits", i.entropy),
            Group::Digits => format!("{} digits in the registrable label", i.digits),
            Group::Hyphens => format!("{} hyphens in the registrable label", i.hyphens),
            Group::Runs => format!("longest consonant run {}", i.cons_run),
            Group::Shapes => format!(
                "consonant/vowel/digit patterns typical of {} names",
                threat.as_str()
            ),
            Group::Ngrams => format!(
                "character sequences typical of {} names, not of benign ones",
                threat.as_str()
            ),
            Group::Likelihood => format!(
                "unlike benign names: mean log-likelihood {:.2} per character under the benign character model",
                i.log_prob
            ),
            Group::BrandTerm => match i.brand_term.and_then(|k| self.lex.term_kinds.get(k)) {
                Some((Term::Brand(b), t)) => match self.lex.brands.get(*b) {
                    Some(d) => format!("contains brand term '{t}' ({d})"),
                    None => format!("contains brand term '{t}'"),
                },
                _ => String::from("contains a brand term"),
            },
            Group::Keyword => match i.keyword {
                Some(k) => format!("contains keyword '{k}'"),
                None => String::from("contains a phishing keyword"),
            },
            Group::Lookalike => match &i.lookalike {
                Some((sim, brand, techs)) => {
                    format!("looks like {brand} ({techs}, similarity {sim})")
                }
                None => String::from("looks like a brand"),
            },
            Group::Tld => format!("public suffix .{suffix}"),
            Group::Structure => String::from("punycode or underscore in the registrable label"),
            Group::Words => format!(
                "{} of {} characters of the registrable label are words of benign names",
                i.covered, i.len
            ),
        }
    }
}

/// Reads one threat's trees (see the module docs).
fn read_booster(r: &mut Reader<'_>) -> Result<Booster> {
    let at = r.off;
    let depth = r.u32()? as usize;
    let n = r.u32()? as usize;
    if depth > MAX_DEPTH || n > MAX_TREES || (depth == 0) != (n == 0) {
        return Err(Error::model(
            at,
            format!("{n} trees of depth {depth}: at most {MAX_TREES} of depth 1 to {MAX_DEPTH}"),
        ));
    }
    let splits = (1usize << depth) - 1;
    let mut trees = Vec::with_capacity(n);
    for _ in 0..n {
        let at = r.off;
        let feature = r.take(splits)?.to_vec();
        if feature.iter().any(|&f| usize::from(f) >= INPUTS) {
            return Err(Error::model(at, "tree split on an unknown input"));
        }
        let at = r.off;
        let threshold = (0..splits).map(|_| r.f32()).collect::<Result<Vec<f32>>>()?;
        if threshold.iter().any(|t| t.is_nan()) {
            return Err(Error::model(at, "tree threshold is not a number"));
        }
        let at = r.off;
        let leaf = (0..=splits)
            .map(|_| r.f32())
            .collect::<Result<Vec<f32>>>()?;
        if leaf.iter().any(|v| !(v.is_finite() && v.abs() <= MAX_ABS)) {
            return Err(Error::model(at, "tree leaf out of range"));
        }
        trees.push(Tree {
            feature,
            threshold,
            leaf,
        });
    }
    Ok(Booster { depth, trees })
}

const ALL_GROUPS: [Group; GROUPS] = [
    Group::Bias,
    Group::Length,
    Group::Entropy,
    Group::Digits,
    Group::Hyphens,
    Group::Runs,
    Group::Shapes,
    Group::Ngrams,
    Group::Likelihood,
    Group::BrandTerm,
    Group::Keyword,
    Group::Lookalike,
    Group::Tld,
    Group::Structure,
    Group::Words,
];

#[cfg(test)]
mod tests;
