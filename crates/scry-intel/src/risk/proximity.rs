//! Proximity: how close a domain sits to known-bad (listed) domains through
//! what it shares with them.
//!
//! **One formula, two traversals.** A shared value `v` (a registrant e-mail,
//! a name server, an IP...) held by `n` registrable domains, `l` of them
//! listed (or, at hop 2, near-listed with a fractional weight), is evidence
//! only in so far as `l` exceeds what chance gives: with `b` the base rate
//! (the median share of listed domains among the holders of common
//! infrastructure, measured by the pass), `l₀ = b·(n − 1)` listed
//! co-holders are expected of any value, and
//!
//! ```text
//! significant  ⇔  l − l₀ − ½√l₀ > 0
//! share        = (l + 2·b) / (n − 1 + 2)          (a prior of 2 holders at the base rate)
//! e(v)         = w(p) · ln(share / b) · (0.7 if no longer held)     (0 unless significant)
//! ```
//!
//! where `w(p)` is the predicate's weight (a registrant e-mail says more
//! than a mail server): a weighted log-likelihood ratio. So a value shared
//! with 14 of 20 holders says much, and one shared with 1,000 of 2 million
//! says nothing. **Bursts:** the holders of a value that took it up within a
//! day of the domain (after the data's first day, whose holdings predate
//! the data) are weighed as a value of their own, with 2.5 times the weight,
//! for name-server values (whose first-seen day is the delegation's, from
//! zone files; an address's is only the day a sensor first saw it): a
//! campaign registers or moves its domains together, so "took up
//! the same name-server pair on the same day as 5 listed domains" says more
//! than "uses the same name-server pair as 5 listed domains among 120". The
//! stronger of the two counts. A domain with a name-server set of its own
//! (see below) has its burst read on that set, not on each of its hosts: a
//! provider shares a host among many accounts' pairs, and a day's sign-ups
//! on a big provider's host are not one actor's.
//! **Registration batches:** the holders of a domain's name-server set
//! under the domain's own public suffix are a value of their own (weight
//! [`SET_SUFFIX_WEIGHT`], in the name-server family, so the stronger of it
//! and the set counts): an actor buys a batch of names in one or a few
//! cheap suffixes and points them at one DNS account, so "the same pair
//! and the same suffix as 3 listed domains among 10" says more than "the
//! same pair as 3 listed domains among 100" where the pair is a big
//! provider's, shared by unrelated accounts under other suffixes. When
//! those holders are nearly all of the set's (see [`is_batch`]), the set
//! is one account's batch, and its listed holders weigh as a dedicated
//! value's (below) once they exceed what chance gives. So do a name
//! server's or a set's with at least one listed co-holder when its holders
//! span more than one suffix but at most half the distinct suffixes that
//! as many domains drawn from the world's own suffix mix would (measured
//! by the pass, `risk/suffix_mix`; see [`SuffixMix`]): an actor's own
//! name servers over its few cheap suffixes, not a provider's customers
//! — unless the holders whose take-up day is known took it up spread over
//! time, not in a campaign's run (a ccTLD registrar's or a national
//! host's customers, under one country's suffix and `.com`, are narrow
//! against the world's mix too; see [`spread_over_time`]).
//! A value held almost only by one burst (at
//! least [`DEDICATED_SHARE`] of its holders) is **dedicated**: an actor's
//! own name servers, set up for its registrations; its holders are not
//! independent draws, so their number does not dilute its listed ones
//! (its evidence is that of a value held by the listed ones alone).
//! **Linked groups:** the holders of a name-server set (or of its holders
//! under one suffix) of at most [`GROUP_MAX_HOLDERS`] are split into
//! groups linked by what else they share — a value of another family (an
//! address, a certificate, a mail host, registrant data) held by 2 to
//! [`GROUP_LINK_MAX`] domains, directly or through other holders — and
//! each group of 2 or more that is not the whole is a value of its own
//! (with its parent's weight, no burst, in a family of its own,
//! [`GROUP_FAMILY`]: the group is made by the other families' values, so
//! its evidence adds to the name servers'): an actor's
//! domains in a provider's slice are linked by the actor's own addresses
//! and certificates, a benign newcomer in the same slice is not, so the
//! group's listed share is the actor's, not the slice's. Values of one family (registrant data; name
//! servers and their addresses; web hosting; mail; certificates; analytics
//! IDs) are correlated, so only the strongest of each family counts (in
//! the name-server family plus [`SECOND_KIND`] of the strongest piece of
//! another kind: host, set, or the set's one-suffix slice), and
//! the families' evidence adds up (independent evidence multiplies the
//! odds): `proximity = 99 · (1 − e^(−Σ e_family / `[`SCORE_SCALE`]`))`, a
//! scale calibrated so that the action threshold 50 sits at no more than
//! 1 % false positives on the tuning worlds (see [`SCORE_SCALE`]); hop 2
//! propagates from the hop-1 score on the scale the rules were tuned on,
//! `99 · (1 − e^(−Σ e_family / `[`EVIDENCE_SCALE`]`))` (stored as `hop1`), so the
//! calibration moves no domain's rank. Values held by
//! more than [`MAX_HOLDERS`] domains are not enumerated (nothing that
//! common is evidence) and are named as such.
//!
//! [`domain_proximity`] computes it for one domain from the store (live, so
//! it reflects the newest listings); [`full_pass`] computes it for every
//! domain near a listed one by propagating from the listed set, and stores
//! the results (`risk/prox/<domain>`) for hop 2 and for IP and e-mail
//! scores, with the base rate (`risk/base`) and the data's first day (`risk/start`). At most two hops: hop 2 treats
//! a domain whose hop-1 proximity is at least 50 as listed with weight
//! `0.5 · proximity / 100`, through values held by at most
//! [`HOP2_MAX_HOLDERS`] domains.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use scry_model::{DomainName, Entity, Predicate, Timestamp};
use scry_store::feeds::FeedIndex;
use scry_store::{PivotQuery, Scope, StateStore, Store};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// Values held by more domains than this are not enumerated.
pub const MAX_HOLDERS: u64 = 10_000;
/// Hop 2 propagates only through values at most this many domains hold
/// (a shared certificate or registrant, not a provider's name server).
pub const HOP2_MAX_HOLDERS: u64 = 15;
/// Hop-1 proximity (on the propagation scale, [`EVIDENCE_SCALE`]) from
/// which a domain propagates at hop 2.
pub const HOP2_FROM: u8 = 50;
/// Weight of a hop-2 seed relative to a listed domain, times its proximity.
pub const HOP2_DECAY: f64 = 0.5;

/// The weight of a shared value of this predicate, if it counts.
pub fn predicate_weight(p: Predicate) -> Option<f64> {
    let w = match p {
        Predicate::REGISTRANT_EMAIL
        | Predicate::ADMIN_EMAIL
        | Predicate::TECH_EMAIL
        | Predicate::BILLING_EMAIL => 0.95,
        Predicate::REGISTRANT_PHONE
        | Predicate::ADMIN_PHONE
        | Predicate::TECH_PHONE
        | Predicate::BILLING_PHONE => 0.85,
        Predicate::REGISTRANT_NAME
        | Predicate::ADMIN_NAME
        | Predicate::TECH_NAME
        | Predicate::BILLING_NAME
        | Predicate::REGISTRANT_STREET => 0.8,
        Predicate::REGISTRANT_ORG
        | Predicate::ADMIN_ORG
        | Predicate::TECH_ORG
        | Predicate::BILLING_ORG => 0.75,
        Predicate::SSL_HASH | Predicate::GOOGLE_ANALYTICS => 0.9,
        Predicate::SOA_EMAIL | Predicate::SSL_EMAIL | Predicate::NAMESERVER_HOST => 0.8,
        Predicate::IP | Predicate::SSL_ALT_NAMES | Predicate::REDIRECT_DOMAIN => 0.7,
        Predicate::NAMESERVER_IP | Predicate::MAILSERVER_HOST | Predicate::CNAME => 0.6,
        Predicate::MAILSERVER_IP | Predicate::EMAIL_DOMAIN => 0.5,
        _ => return None,
    };
    Some(w)
}

/// The base rate used before any pass measured one.
pub const DEFAULT_BASE_RATE: f64 = 0.003;

/// The family of a predicate: values of one family are correlated, only
/// the strongest counts.
pub fn family(p: Predicate) -> u8 {
    match p {
        Predicate::NAMESERVER_HOST | Predicate::NAMESERVER_IP | Predicate::SOA_EMAIL => 1,
        Predicate::IP | Predicate::CNAME | Predicate::REDIRECT_DOMAIN => 2,
        Predicate::MAILSERVER_HOST | Predicate::MAILSERVER_IP => 3,
        Predicate::SSL_HASH | Predicate::SSL_EMAIL | Predicate::SSL_ALT_NAMES => 4,
        Predicate::GOOGLE_ANALYTICS => 5,
        _ => 0, // registrant, admin, tech, billing data and the e-mail domain
    }
}

/// The strength (0–1) of a set of holders of which `listed` are bad, for
/// the scores of IPs and e-mail addresses derived from their domains;
/// `base` is the base rate.
pub fn strength(weight: f64, listed: f64, holders: u64, current: bool, base: f64) -> f64 {
    if listed <= 0.0 {
        return 0.0;
    }
    let others = holders.saturating_sub(1).max(1) as f64;
    let expected = base * others;
    let excess = listed - expected - 0.5 * expected.sqrt();
    if excess <= 0.0 {
        return 0.0;
    }
    let purity = (listed / others / 0.05).min(1.0).sqrt();
    let specificity = (100.0 / holders.max(1) as f64).min(1.0).powf(0.3);
    let s = weight * (1.0 - (-excess).exp()) * purity * specificity;
    if current { s } else { 0.7 * s }
}

/// Pseudo-count of the prior on a value's listed share (the base rate):
/// a value held by two domains, one listed, is not taken as 50 % bad.
pub const PRIOR_COUNT: f64 = 2.0;
/// Evidence (in nats) that makes a hop-1 proximity of 63 on the
/// propagation scale, `99·(1 − e^(−E/τ))`: the scale hop 2 propagates
/// from ([`HOP2_FROM`], [`HOP2_DECAY`]) and the stored `hop1` is on.
pub const EVIDENCE_SCALE: f64 = 3.5;
/// Evidence (in nats) that makes a reported proximity of 63, `99·(1 −
/// e^(−E/τ))`: calibrated so that a playbook acting at 50 ([`RISKY`])
/// sees at most 1 % of unrelated domains. On the tuning worlds the lowest
/// score with at most 1 % false positives among unlisted benign and
/// parked domains was, on the propagation scale, 61 at most (1 M domains,
/// seed 1; 55 on seed 2, 46–49 at 200 k): a propagation score of 60.5 or
/// more before rounding, i.e. 3.306 nats; 50 on this scale (49.5 before
/// rounding) is `τ·ln 2` = 3.306 nats. A monotone map of the same
/// evidence: the ranking is unchanged, and a reported 50 or more is a
/// propagation score of 60.51 or more before rounding, i.e. 61 (only the
/// rounding of other scores moves).
///
/// [`RISKY`]: crate::risk::RISKY
pub const SCORE_SCALE: f64 = 4.77;
/// The weight of a value's holders that took it up within a day of the
/// domain, relative to the value's own (a burst is stronger evidence).
/// Only name-server values are weighed so: their first-seen day is the
/// delegation's (zone files); an address's or a certificate's is only the
/// day a sensor first saw it.
pub const SAME_DAYS_WEIGHT: f64 = 2.5;

/// The evidence a shared value gives (see the module docs): the log of its
/// listed share (with a prior of [`PRIOR_COUNT`] holders at the base rate)
/// over the base rate, times the predicate's weight, 0 when the listed
/// co-holders do not exceed what chance gives; 0.7 times that when no
/// longer held.
pub fn evidence(weight: f64, listed: f64, holders: u64, current: bool, base: f64) -> f64 {
    if listed <= 0.0 {
        return 0.0;
    }
    let others = holders.saturating_sub(1).max(1) as f64;
    let expected = base * others;
    if listed - expected - 0.5 * expected.sqrt() <= 0.0 {
        return 0.0;
    }
    let share = (listed + PRIOR_COUNT * base) / (others + PRIOR_COUNT);
    lift(weight, share, current, base)
}

/// A value's evidence from the listed share of its holders: the log lift of
/// that share over the base rate, weighed, never negative, and discounted
/// when the domain no longer holds the value.
fn lift(weight: f64, share: f64, current: bool, base: f64) -> f64 {
    let e = weight * (share / base).ln();
    if e <= 0.0 {
        0.0
    } else if current {
        e
    } else {
        0.7 * e
    }
}

/// Combines evidence: the strongest of each family, summed across
/// families (independent pieces of evidence add up, as log-likelihood
/// ratios do), as a reported 0–99 score `99·(1 − e^(−E/`[`SCORE_SCALE`]`))`.
pub fn combine(strengths: impl IntoIterator<Item = (Predicate, f64)>) -> u8 {
    combine_kinds(
        strengths
            .into_iter()
            .map(|(p, s)| (family(p), Kind::Value, s)),
    )
}

/// The family of linked groups (see [`add_groups`]): their evidence comes
/// from the values of other families that link the group, not from the
/// name servers alone, so it adds to the name-server family's.
pub const GROUP_FAMILY: u8 = 6;

/// The kind of a name-server piece of evidence: a host (or another value
/// of the family), the domain's set, or the set's holders under its
/// suffix. Within the name-server family the strongest piece of a second
/// kind adds [`SECOND_KIND`] of its evidence to the strongest piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Value = 0,
    Set = 1,
    Slice = 2,
}

/// The share of the strongest name-server piece of a second kind added to
/// the family's strongest (see [`Kind`]): the set and its one-suffix slice
/// (or a host) are correlated, not independent, so only a share of the
/// second counts.
pub const SECOND_KIND: f64 = 0.2;

/// [`combine`] by family (0 to [`GROUP_FAMILY`]), with each piece's kind
/// (see [`Kind`]): the reported score.
fn combine_kinds(strengths: impl IntoIterator<Item = (u8, Kind, f64)>) -> u8 {
    to_score(total_evidence(strengths), SCORE_SCALE)
}

/// [`combine_kinds`] on the propagation scale ([`EVIDENCE_SCALE`]): the
/// hop-1 score hop 2 propagates from.
fn hop_score(strengths: impl IntoIterator<Item = (u8, Kind, f64)>) -> u8 {
    to_score(total_evidence(strengths), EVIDENCE_SCALE)
}

/// A total evidence `e` as a 0–99 score on the scale `tau`.
fn to_score(e: f64, tau: f64) -> u8 {
    (99.0 * (1.0 - (-e / tau).exp())).round().clamp(0.0, 99.0) as u8
}

/// The evidence of pieces (family, kind, evidence): the strongest of
/// each family summed, in the name-server family plus [`SECOND_KIND`] of
/// the strongest piece of a second kind.
fn total_evidence(strengths: impl IntoIterator<Item = (u8, Kind, f64)>) -> f64 {
    let mut best = [[0.0f64; 3]; GROUP_FAMILY as usize + 1];
    for (f, k, s) in strengths {
        let f = usize::from(f.min(GROUP_FAMILY));
        if s.is_finite() {
            best[f][k as usize] = best[f][k as usize].max(s);
        }
    }
    best.iter()
        .enumerate()
        .map(|(f, b)| {
            let mut b = *b;
            b.sort_by(|x, y| y.total_cmp(x));
            if f == 1 {
                b[0] + SECOND_KIND * b[1]
            } else {
                b[0]
            }
        })
        .sum()
}

/// The kind of a piece of evidence from its field.
fn kind_of_field(field: &str) -> Kind {
    if field == SET_SUFFIX_FIELD {
        Kind::Slice
    } else if field == "nameserver_set" {
        Kind::Set
    } else {
        Kind::Value
    }
}

/// The base rate the last pass measured (or [`DEFAULT_BASE_RATE`]).
pub fn base_rate(state: &StateStore) -> Result<f64> {
    Ok(state
        .get(BASE_KEY)?
        .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
        .map(f64::from_be_bytes)
        .filter(|b| b.is_finite() && *b > 0.0 && *b < 1.0)
        .unwrap_or(DEFAULT_BASE_RATE))
}

const BASE_KEY: &str = "risk/base";
const START_KEY: &str = "risk/start";
/// The version of the rules the stored results were computed with.
const RULES_KEY: &str = "risk/rules";
/// Moves whenever a stored score's meaning changes (2: the calibrated
/// [`SCORE_SCALE`] and the narrow rule's time guard), so that results of
/// an older binary's pass are neither served as fresh nor kept beside
/// new ones by an incremental rescore.
const RULES_VERSION: &[u8] = b"2";

/// Whether the stored pass results were computed with this binary's
/// rules (see [`RULES_VERSION`]).
pub fn stored_rules_current(state: &StateStore) -> Result<bool> {
    Ok(state.get(RULES_KEY)?.as_deref() == Some(RULES_VERSION))
}

/// The first day of the data the last pass saw (holdings first seen then
/// predate the data: when they began is unknown), if a pass ran.
pub fn start_day(state: &StateStore) -> Result<Option<i64>> {
    Ok(state
        .get(START_KEY)?
        .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
        .map(i64::from_be_bytes))
}

/// How a value's holders weigh: in total, and per day they took it up (the
/// data's first day left out), so that the holders that took it up within
/// a day of one another can be weighed as a value of their own.
struct Tally {
    total: f64,
    days: HashMap<i64, (u64, f64)>,
}

impl Tally {
    /// From each holder's (weight, first day), in the value's holder order.
    fn new(holders: impl Iterator<Item = (f64, i64)>, start: Option<i64>) -> Tally {
        let mut t = Tally {
            total: 0.0,
            days: HashMap::new(),
        };
        for (w, day) in holders {
            t.total += w;
            if start.is_some_and(|s| day > s) {
                let e = t.days.entry(day).or_default();
                e.0 += 1;
                e.1 += w;
            }
        }
        t
    }

    /// Holders and their weight that took the value up within a day of `day`.
    fn around(&self, day: i64) -> (u64, f64) {
        let (mut n, mut w) = (0, 0.0);
        for d in [day - 1, day, day + 1] {
            if let Some(&(dn, dw)) = self.days.get(&d) {
                n += dn;
                w += dw;
            }
        }
        (n, w)
    }
}

/// The data's first day if the values of `p` are weighed for bursts.
fn burst_start(p: Predicate, start: Option<i64>) -> Option<i64> {
    start.filter(|_| family(p) == 1)
}

/// Whether a holder that took a value up on `other` did so within a day of
/// one that took it up on `day` (after the data's first day).
fn same_days(start: Option<i64>, day: i64, other: i64) -> bool {
    start.is_some_and(|s| day > s && other > s) && (other - day).abs() <= 1
}

/// The strength of a value for one of its holders (own weight `own`,
/// first day `day`): the value's, or, when stronger, that of the holders
/// that took it up within a day of this one (a burst of registrations or
/// moves is a value of its own: `Some(their number)`).
#[allow(clippy::too_many_arguments)]
fn holder_strength(
    weight: f64,
    n: u64,
    tally: &Tally,
    own: f64,
    day: i64,
    current: bool,
    base: f64,
    start: Option<i64>,
    batch: Batch,
) -> (f64, Option<u64>) {
    let mut s = evidence(weight, tally.total - own, n, current, base);
    if s > 0.0 && batch.weighs_dedicated(tally.total - own) {
        s = s.max(dedicated(weight, tally.total - own, current, base));
    }
    if start.is_none_or(|st| day <= st) {
        return (s, None);
    }
    let (gn, gw) = tally.around(day);
    let mut g = evidence(SAME_DAYS_WEIGHT * weight, gw - own, gn, current, base);
    if gn >= DEDICATED_MIN && gn as f64 >= DEDICATED_SHARE * n as f64 {
        g = g.max(dedicated(weight, gw - own, current, base));
    }
    if g > s { (g, Some(gn)) } else { (s, None) }
}

/// A burst holding at least this share of a value's holders makes the
/// value dedicated infrastructure (see [`dedicated`]).
pub const DEDICATED_SHARE: f64 = 0.9;
/// The fewest domains such a burst has.
pub const DEDICATED_MIN: u64 = 3;

/// Whether a name-server set's holders under one suffix (`in_suffix` of
/// the set's `holders`) are one registration batch: at least
/// [`DEDICATED_MIN`] domains and [`DEDICATED_SHARE`] of the set's holders.
/// A provider's account pair shared by independent customers has its
/// holders spread over the suffixes as the world's domains are (most
/// under `.com`); a set whose holders nearly all sit under one suffix is
/// one account's batch of names, not independent draws, so its listed
/// holders are weighed as a dedicated value's (see [`dedicated`]), once
/// they exceed what chance gives among its holders.
fn is_batch(in_suffix: u64, holders: u64) -> bool {
    in_suffix >= DEDICATED_MIN && in_suffix as f64 >= DEDICATED_SHARE * holders as f64
}

/// Whether a value's holders are one actor's batch, whose listed holders
/// weigh as a dedicated value's (see [`dedicated`]) once they exceed what
/// chance gives among its holders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Batch {
    /// Independent holders.
    #[default]
    No,
    /// A name-server set's holders under one suffix that are nearly all
    /// of the set's (see [`is_batch`]).
    OneSuffix,
    /// A name server or set whose holders span far fewer suffixes than
    /// the world's suffix mix gives for that many domains (see
    /// [`SuffixMix::is_narrow`]) and not taken up spread over time (see
    /// [`spread_over_time`]: a country provider's customers); weighed so
    /// only with at least [`NARROW_MIN_LISTED`] listed co-holders.
    Narrow,
}

impl Batch {
    /// Whether `listed` co-holders weigh as a dedicated value's.
    fn weighs_dedicated(self, listed: f64) -> bool {
        match self {
            Batch::No => false,
            Batch::OneSuffix => true,
            Batch::Narrow => listed >= NARROW_MIN_LISTED,
        }
    }
}

/// A narrow value (see [`Batch::Narrow`]) weighs as a dedicated one with
/// at least this many listed co-holders.
pub const NARROW_MIN_LISTED: f64 = 1.0;
/// A value's holders are narrow when their distinct suffixes are at most
/// this share of what the world's suffix mix gives for that many domains.
pub const NARROW_SPREAD: f64 = 0.5;

/// The world's suffix mix, as the pass measured it: each public suffix's
/// share of the domains holding a shared value. Unrelated domains (a
/// provider's customers) are drawn from it, so their number of distinct
/// suffixes is what the mix gives for that many draws; an actor buys its
/// names in a few cheap suffixes, so its own name servers' holders span
/// far fewer. A ccTLD's or a local provider's customers sit under one
/// suffix (the one-suffix batch rule, which asks for nearly all of a
/// set's holders, judges those) and where the world itself is narrow
/// (few suffixes) nothing is far below it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SuffixMix {
    /// Each suffix's share, largest first.
    shares: Vec<f64>,
}

const SUFFIX_MIX_KEY: &str = "risk/suffix_mix";

impl SuffixMix {
    /// From each suffix's number of domains.
    fn from_counts(mut counts: Vec<u64>) -> SuffixMix {
        counts.retain(|&c| c > 0);
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let total: u64 = counts.iter().sum();
        SuffixMix {
            shares: counts
                .iter()
                .map(|&c| c as f64 / total.max(1) as f64)
                .collect(),
        }
    }

    /// The expected number of distinct suffixes among `n` domains drawn
    /// from the mix: `Σ_s 1 − (1 − p_s)^n`.
    pub fn expected(&self, n: u64) -> f64 {
        let n = n as f64;
        self.shares.iter().map(|p| 1.0 - (1.0 - p).powf(n)).sum()
    }

    /// Whether `holders` domains spanning `suffixes` distinct suffixes are
    /// narrow: more than one suffix (one is the one-suffix batch rule's),
    /// and at most [`NARROW_SPREAD`] of what the mix gives for them.
    pub fn is_narrow(&self, suffixes: u64, holders: u64) -> bool {
        suffixes >= 2 && suffixes as f64 <= NARROW_SPREAD * self.expected(holders)
    }
}

/// A campaign's registration run, in days: an actor takes its own name
/// servers into use for a batch of names bought within weeks, where a
/// provider's (a ccTLD registrar's or a national host's default name
/// servers) gain customers over years.
pub const NARROW_RUN_DAYS: i64 = 30;

/// Whether a value's holders took it up spread over time rather than in a
/// campaign's run: of the holders whose take-up day is known (after the
/// data's first day `start`; those first seen then took it up on or before
/// it, when is unknown), at least [`DEDICATED_MIN`], and the busiest
/// [`NARROW_RUN_DAYS`] days hold fewer than half of them. A country
/// provider's customers (under one country's suffix plus `.com` and
/// `.net`, far below the world's suffix mix too) keep arriving; an actor's
/// names arrive in a run. With fewer dated holders (a short history, or a
/// value whose holders all predate the data) nothing is known and the
/// value is not called spread.
fn spread_over_time(days: impl Iterator<Item = i64>, start: Option<i64>) -> bool {
    let Some(start) = start else {
        return false;
    };
    let mut dated: Vec<i64> = days.filter(|&d| d > start).collect();
    if (dated.len() as u64) < DEDICATED_MIN {
        return false;
    }
    dated.sort_unstable();
    let (mut busiest, mut lo) = (0usize, 0usize);
    for hi in 0..dated.len() {
        while dated[hi] - dated[lo] >= NARROW_RUN_DAYS {
            lo += 1;
        }
        busiest = busiest.max(hi + 1 - lo);
    }
    2 * busiest < dated.len()
}

/// The suffix mix the last pass measured, if one ran.
pub fn suffix_mix(state: &StateStore) -> Result<Option<SuffixMix>> {
    Ok(state
        .get(SUFFIX_MIX_KEY)?
        .and_then(|v| serde_json::from_slice::<Vec<u64>>(&v).ok())
        .map(SuffixMix::from_counts))
}

/// Whether a name-server value is narrow (see [`SuffixMix::is_narrow`]),
/// from its holders' suffixes, and not taken up spread over time (see
/// [`spread_over_time`]; `start`: the data's first day).
fn narrow(mix: Option<&SuffixMix>, holders: &[Holder], start: Option<i64>) -> Batch {
    let Some(mix) = mix else {
        return Batch::No;
    };
    let mut seen: Vec<&str> = Vec::new();
    for h in holders {
        let s = suffix(&h.0);
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    if mix.is_narrow(seen.len() as u64, holders.len() as u64)
        && !spread_over_time(holders.iter().map(|h| h.2), start)
    {
        Batch::Narrow
    } else {
        Batch::No
    }
}

/// The evidence of a dedicated value: one whose holders nearly all took it
/// up within a day of one another (an actor's own name servers, set up
/// for one registration burst). Its holders are one actor's domains, not
/// independent draws, so their number does not dilute the listed ones:
/// the listed share is taken over the listed holders and the prior alone
/// (as for a value held by them and this domain only), with the value's
/// own weight.
fn dedicated(weight: f64, listed: f64, current: bool, base: f64) -> f64 {
    if listed <= 0.0 {
        return 0.0;
    }
    let share = (listed + PRIOR_COUNT * base) / (listed + PRIOR_COUNT);
    lift(weight, share, current, base)
}

/// Why a domain is close to listed ones: one shared value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedValue {
    /// The field (`nameserver_host`...).
    pub field: String,
    /// The value.
    pub value: String,
    /// Registrable domains holding it.
    pub holders: u64,
    /// Listed domains among them (other than this one).
    pub listed: u64,
    /// Near-listed (hop-2) domains among them.
    pub near: u64,
    /// A few of the listed ones.
    pub examples: Vec<String>,
    /// The evidence it gives (weighted log-likelihood ratio, see [`evidence`]).
    pub strength: f64,
    /// When the evidence is the holders that took the value up within a
    /// day of this domain (a burst): their number; the listed and near
    /// counts are among them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_days: Option<u64>,
}

impl SharedValue {
    /// The evidence sentence.
    pub fn text(&self) -> String {
        let mut s = format!(
            "shares {} {} with {} listed domain{}",
            self.field,
            self.value,
            self.listed,
            if self.listed == 1 { "" } else { "s" }
        );
        if self.near > 0 {
            s.push_str(&format!(" and {} near-listed", self.near));
        }
        if let Some(g) = self.same_days {
            s.push_str(&format!(
                " that took it up within a day of it (of {g} that did; {} hold it",
                self.holders
            ));
        } else {
            s.push_str(&format!(" (of {} holding it", self.holders));
        }
        if !self.examples.is_empty() {
            s.push_str(&format!(", e.g. {}", self.examples.join(", ")));
        }
        s.push(')');
        s
    }
}

/// A domain's proximity and its evidence (strongest first, at most 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proximity {
    /// 0–99, on the calibrated scale ([`SCORE_SCALE`]).
    pub score: u8,
    /// Hop-1 proximity (from listed domains only), on the propagation
    /// scale ([`EVIDENCE_SCALE`]) hop 2 propagates from.
    pub hop1: u8,
    /// The strongest shared values.
    pub evidence: Vec<SharedValue>,
    /// Values too common to weigh (field, value, holders).
    pub too_common: Vec<(String, String, u64)>,
}

/// What a stored pass result holds for a domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredProximity {
    /// Final proximity (calibrated, [`SCORE_SCALE`]).
    pub score: u8,
    /// Hop-1 proximity on the propagation scale ([`EVIDENCE_SCALE`]).
    pub hop1: u8,
    /// Evidence sentences.
    pub evidence: Vec<String>,
    /// When the pass ran.
    pub at: Timestamp,
}

const PROX_PREFIX: &str = "risk/prox/";

/// The state-store reader name of the rescoring cursor: the last event a
/// rescore has seen.
pub const RESCORE_CURSOR: &str = "risk:rescore";

/// The stored pass result of a registrable domain.
pub fn stored(state: &StateStore, registrable: &str) -> Result<Option<StoredProximity>> {
    Ok(state
        .get(&format!("{PROX_PREFIX}{registrable}"))?
        .and_then(|v| serde_json::from_slice(&v).ok()))
}

/// Whether a registrable domain counts as listed: it, or its `www.` host,
/// is listed by a feed now.
pub fn registrable_listed(feeds: &FeedIndex<'_>, registrable: &str) -> Result<bool> {
    Ok(feeds.is_listed(registrable)? || feeds.is_listed(&format!("www.{registrable}"))?)
}

/// A holder's values that count, with their weights. Under a privacy
/// service the registrant-family values are the service's, not the
/// holder's: they are left out.
fn weighed(holdings: Vec<scry_store::Holding>) -> Vec<(Predicate, Entity, bool, f64)> {
    let private = is_private(&holdings);
    weighed_all(holdings)
        .into_iter()
        .filter(|v| !(private && family(v.0) == 0))
        .collect()
}

/// Whether a holder's registration is under a privacy service now.
fn is_private(holdings: &[scry_store::Holding]) -> bool {
    holdings
        .iter()
        .any(|h| h.predicate == Predicate::PRIVACY_SERVICE && h.current)
}

/// Every value of a holder that counts, with its weight (privacy aside).
fn weighed_all(holdings: Vec<scry_store::Holding>) -> Vec<(Predicate, Entity, bool, f64)> {
    holdings
        .into_iter()
        .filter_map(|h| {
            predicate_weight(h.predicate).map(|w| (h.predicate, h.object, h.current, w))
        })
        .collect()
}

/// A holder of a value: the registrable domain, whether it holds the value
/// now, and the day it was first seen holding it.
type Holder = (String, bool, i64);

/// The day (UTC, days since the epoch) of a timestamp.
fn day_of(t: Timestamp) -> i64 {
    t.div_euclid(86_400)
}

/// Every holder of a value (registrable domains, with whether they hold it now).
fn holders(store: &dyn Store, p: Predicate, o: &Entity) -> Result<Vec<Holder>> {
    holders_capped(store, p, o, MAX_HOLDERS)
}

/// Every holder of a value, up to about `cap`.
fn holders_capped(store: &dyn Store, p: Predicate, o: &Entity, cap: u64) -> Result<Vec<Holder>> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store.pivot(&PivotQuery {
            predicate: p,
            object: o.clone(),
            scope: Scope::All,
            after: after.take(),
            limit: 5_000,
        })?;
        out.extend(page.domains.into_iter().map(|(d, h)| {
            (
                d.ascii().to_string(),
                h.current,
                day_of(h.window.first_seen),
            )
        }));
        match page.next_cursor {
            Some(c) if (out.len() as u64) < cap => after = Some(c),
            _ => break,
        }
    }
    Ok(out)
}

/// A name-server set has at most this many hosts (larger is no fingerprint).
const NS_SET_MAX_HOSTS: usize = 6;
/// Holders read per host when intersecting a name-server set.
const NS_SET_MAX_HOLDERS: u64 = 100_000;
/// The weight of a shared name-server set (a DNS provider account's pair).
const NS_SET_WEIGHT: f64 = 0.7;

/// A holder's name-server set: its current name servers held by 2 to
/// [`NS_SET_MAX_HOLDERS`] domains (`counts`: each value's holders, current
/// and historic), sorted, if there are 2 to 6 of them. DNS providers give
/// each account its own pair, so the pair is a pivot where each host alone
/// is not; a host too common to intersect, or held by this domain alone,
/// is left out of it.
fn ns_set(values: &[(Predicate, Entity, bool, f64)], counts: &[u64]) -> Option<Vec<Entity>> {
    let mut hosts: Vec<Entity> = values
        .iter()
        .zip(counts)
        .filter(|(v, n)| {
            v.0 == Predicate::NAMESERVER_HOST && v.2 && (2..=NS_SET_MAX_HOLDERS).contains(*n)
        })
        .map(|(v, _)| v.1.clone())
        .collect();
    hosts.sort();
    hosts.dedup();
    (hosts.len() >= 2 && hosts.len() <= NS_SET_MAX_HOSTS).then_some(hosts)
}

/// The field of a name-server set's holders under one public suffix.
pub const SET_SUFFIX_FIELD: &str = "nameserver_set_suffix";
/// The weight of a shared name-server set under one suffix: one DNS
/// account's domains registered under one suffix (a registration batch's
/// fingerprint: an actor buys its names in one or a few cheap suffixes
/// and points them at one account), a value of its own even where the
/// set is shared by many accounts' unrelated domains.
pub const SET_SUFFIX_WEIGHT: f64 = 1.0;

/// A registrable domain's public suffix: all after its first label.
fn suffix(registrable: &str) -> &str {
    registrable.split_once('.').map_or("", |(_, s)| s)
}

fn set_suffix_label(set: &str, suffix: &str) -> String {
    format!("{set} in .{suffix}")
}

fn ns_set_label(hosts: &[Entity]) -> String {
    hosts
        .iter()
        .map(Entity::to_string)
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The registrable domains whose current name servers include every host
/// of the set (each host held by at most [`NS_SET_MAX_HOLDERS`] domains,
/// see [`ns_set`]), by name, with the day they had taken up all of them.
fn ns_set_holders(store: &dyn Store, hosts: &[Entity]) -> Result<Vec<Holder>> {
    let keys: Vec<(Predicate, Entity)> = hosts
        .iter()
        .map(|h| (Predicate::NAMESERVER_HOST, h.clone()))
        .collect();
    let counts = store.value_counts(&keys)?;
    let mut order: Vec<usize> = (0..hosts.len()).collect();
    order.sort_by_key(|&i| counts[i].current + counts[i].historic);
    // Per holder, the day it had taken up every host of the set so far.
    let mut set: Option<HashMap<String, i64>> = None;
    for i in order {
        let hs = holders_capped(
            store,
            Predicate::NAMESERVER_HOST,
            &hosts[i],
            NS_SET_MAX_HOLDERS,
        )?;
        let cur: HashMap<String, i64> =
            hs.into_iter().filter(|h| h.1).map(|h| (h.0, h.2)).collect();
        set = Some(match set {
            None => cur,
            Some(s) => s
                .into_iter()
                .filter_map(|(d, day)| cur.get(&d).map(|&c| (d, day.max(c))))
                .collect(),
        });
        if set.as_ref().is_some_and(HashMap::is_empty) {
            break;
        }
    }
    let mut out: Vec<Holder> = set
        .unwrap_or_default()
        .into_iter()
        .map(|(d, day)| (d, true, day))
        .collect();
    out.sort();
    Ok(out)
}

/// The linked group (see [`add_groups`]) of the set holders `hs` (by
/// name) that `me` belongs to, if `hs` has 3 to [`GROUP_MAX_HOLDERS`]
/// holders and the group has 2 or more members but not all: one read of
/// each holder's holdings and one count of their link values.
fn linked_group(store: &dyn Store, me: &str, hs: &[Holder]) -> Result<Option<Vec<Holder>>> {
    if !(3..=GROUP_MAX_HOLDERS as usize).contains(&hs.len()) || !hs.iter().any(|h| h.0 == me) {
        return Ok(None);
    }
    let mut held: Vec<Vec<(Predicate, Entity)>> = Vec::with_capacity(hs.len());
    for (d, _, _) in hs {
        let Ok(name) = DomainName::parse(d) else {
            held.push(Vec::new());
            continue;
        };
        let mut vs: Vec<(Predicate, Entity)> =
            weighed_all(store.holdings(&Entity::Domain(name.registrable_name()))?)
                .into_iter()
                .filter(|v| family(v.0) != 1)
                .map(|v| (v.0, v.1))
                .collect();
        vs.sort();
        vs.dedup();
        held.push(vs);
    }
    let mut distinct: Vec<(Predicate, Entity)> = held.iter().flatten().cloned().collect();
    distinct.sort();
    distinct.dedup();
    let counts = store.value_counts(&distinct)?;
    let linking: HashSet<&(Predicate, Entity)> = distinct
        .iter()
        .zip(&counts)
        .filter(|(v, c)| links(v.0, c.current + c.historic))
        .map(|(v, _)| v)
        .collect();
    let keys: Vec<Vec<&(Predicate, Entity)>> = held
        .iter()
        .map(|vs| vs.iter().filter(|v| linking.contains(v)).collect())
        .collect();
    let group = link_groups(keys);
    let Some(i) = hs.iter().position(|h| h.0 == me) else {
        return Ok(None);
    };
    let members: Vec<Holder> = hs
        .iter()
        .zip(&group)
        .filter(|(_, g)| **g == group[i])
        .map(|(h, _)| h.clone())
        .collect();
    Ok((members.len() >= 2 && members.len() < hs.len()).then_some(members))
}

/// How much a co-holder weighs: listed 1, near-listed by its stored hop-1.
fn holder_weight(feeds: &FeedIndex<'_>, state: &StateStore, d: &str) -> Result<(f64, bool)> {
    if registrable_listed(feeds, d)? {
        return Ok((1.0, true));
    }
    Ok(match stored(state, d)? {
        Some(s) if s.hop1 >= HOP2_FROM => (HOP2_DECAY * f64::from(s.hop1) / 100.0, false),
        _ => (0.0, false),
    })
}

/// A value to weigh in the live query: (predicate for the family, field,
/// value, held now, weight, holders).
type Candidate = (Predicate, String, String, bool, f64, Vec<Holder>);

/// What the live query reads from the last pass: the base rate, the
/// data's first day and the world's suffix mix (a parse of every
/// suffix's count). Read once per batch of queries ([`PassContext::load`],
/// [`domain_proximity_in`]), not per domain; a pass that runs meanwhile
/// is seen by the next batch.
#[derive(Debug, Clone, PartialEq)]
pub struct PassContext {
    base: f64,
    start: Option<i64>,
    mix: Option<SuffixMix>,
}

impl PassContext {
    /// Reads it from the state store.
    pub fn load(state: &StateStore) -> Result<PassContext> {
        Ok(PassContext {
            base: base_rate(state)?,
            start: start_day(state)?,
            mix: suffix_mix(state)?,
        })
    }
}

/// Live proximity of one registrable domain.
pub fn domain_proximity(
    store: &dyn Store,
    state: &StateStore,
    domain: &DomainName,
) -> Result<Proximity> {
    domain_proximity_in(store, state, &PassContext::load(state)?, domain)
}

/// [`domain_proximity`] with the last pass's figures read beforehand
/// (for a batch of queries).
pub fn domain_proximity_in(
    store: &dyn Store,
    state: &StateStore,
    ctx: &PassContext,
    domain: &DomainName,
) -> Result<Proximity> {
    let feeds = FeedIndex::new(state);
    let me = domain.registrable_or_self().to_string();
    let holder = Entity::Domain(domain.registrable_name());
    let mut values = weighed(store.holdings(&holder)?);
    values.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    let counts = store.value_counts(
        &values
            .iter()
            .map(|(p, o, _, _)| (*p, o.clone()))
            .collect::<Vec<_>>(),
    )?;
    let base = ctx.base;
    let mut evidence = Vec::new();
    let mut too_common = Vec::new();
    let mut hop1 = Vec::new();
    let mut all = Vec::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    let totals: Vec<u64> = counts.iter().map(|c| c.current + c.historic).collect();
    for ((p, o, current, w), &n) in values.iter().zip(&totals) {
        if n > MAX_HOLDERS {
            too_common.push((p.name(), o.to_string(), n));
            continue;
        }
        candidates.push((
            *p,
            p.name(),
            o.to_string(),
            *current,
            *w,
            holders(store, *p, o)?,
        ));
    }
    let mut has_set = false;
    let mut batch_label = None;
    if let Some(hosts) = ns_set(&values, &totals) {
        let hs = ns_set_holders(store, &hosts)?;
        let set_n = hs.len() as u64;
        has_set = (2..=MAX_HOLDERS).contains(&set_n);
        let same: Vec<Holder> = if hs.len() >= 2 {
            let mine = suffix(&me);
            hs.iter()
                .filter(|h| suffix(&h.0) == mine)
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        if hs.len() as u64 <= MAX_HOLDERS {
            if let Some(group) = linked_group(store, &me, &hs)? {
                let first = group[0].0.clone();
                candidates.push((
                    Predicate::NAMESERVER_HOST,
                    GROUP_FIELD.into(),
                    group_label(&ns_set_label(&hosts), &first),
                    true,
                    NS_SET_WEIGHT,
                    group,
                ));
            }
            candidates.push((
                Predicate::NAMESERVER_HOST,
                "nameserver_set".into(),
                ns_set_label(&hosts),
                true,
                NS_SET_WEIGHT,
                hs,
            ));
        }
        // The set's holders under this domain's suffix: a value of its own
        // (even when the set is too common to be one).
        if (2..=MAX_HOLDERS as usize).contains(&same.len()) {
            if is_batch(same.len() as u64, set_n) {
                batch_label = Some(set_suffix_label(&ns_set_label(&hosts), suffix(&me)));
            }
            let label = set_suffix_label(&ns_set_label(&hosts), suffix(&me));
            if let Some(group) = linked_group(store, &me, &same)? {
                let first = group[0].0.clone();
                candidates.push((
                    Predicate::NAMESERVER_HOST,
                    GROUP_FIELD.into(),
                    group_label(&label, &first),
                    true,
                    SET_SUFFIX_WEIGHT,
                    group,
                ));
            }
            candidates.push((
                Predicate::NAMESERVER_HOST,
                SET_SUFFIX_FIELD.into(),
                label,
                true,
                SET_SUFFIX_WEIGHT,
                same,
            ));
        }
    }
    let data_start = ctx.start;
    let mix = ctx.mix.as_ref();
    for (p, field, value, current, w, hs) in candidates {
        let batch = if field == SET_SUFFIX_FIELD {
            if batch_label.as_deref() == Some(value.as_str()) {
                Batch::OneSuffix
            } else {
                Batch::No
            }
        } else if p == Predicate::NAMESERVER_HOST && field != GROUP_FIELD {
            // Linked groups are never narrow (the pass marks the narrow
            // values before it adds the groups).
            narrow(mix, &hs, data_start)
        } else {
            Batch::No
        };
        // A name server's burst is read on the domain's set when it has one
        // (the account's pair), not on each host a provider shares out.
        let fam = if field == GROUP_FIELD {
            GROUP_FAMILY
        } else {
            family(p)
        };
        let start = if (has_set && field == "nameserver_host") || fam == GROUP_FAMILY {
            None
        } else {
            burst_start(p, data_start)
        };
        let n = hs.len() as u64;
        let day = hs.iter().find(|h| h.0 == me).map_or(i64::MIN, |h| h.2);
        // Each holder's weight, in the value's holder order (as the pass).
        let mut weights = Vec::with_capacity(hs.len());
        for (d, _, _) in &hs {
            let (wt, is_listed) = holder_weight(&feeds, state, d)?;
            let soft = if is_listed || n <= HOP2_MAX_HOLDERS {
                wt
            } else {
                0.0
            };
            weights.push((u8::from(is_listed), soft));
        }
        let own = hs
            .iter()
            .zip(&weights)
            .find(|(h, _)| h.0 == me)
            .map_or((0, 0.0), |(_, w)| *w);
        let listed_tally = Tally::new(
            weights.iter().zip(&hs).map(|(w, h)| (f64::from(w.0), h.2)),
            start,
        );
        let soft_tally = Tally::new(weights.iter().zip(&hs).map(|(w, h)| (w.1, h.2)), start);
        let (h1, _) = holder_strength(
            w,
            n,
            &listed_tally,
            f64::from(own.0),
            day,
            current,
            base,
            start,
            batch,
        );
        let kind = kind_of_field(&field);
        hop1.push((fam, kind, h1));
        let (s, group) =
            holder_strength(w, n, &soft_tally, own.1, day, current, base, start, batch);
        all.push((fam, kind, s));
        if s > 0.0 {
            let (mut listed, mut near, mut examples) = (0u64, 0u64, Vec::new());
            for ((d, _, hd), wt) in hs.iter().zip(&weights) {
                if *d == me || (group.is_some() && !same_days(start, day, *hd)) {
                    continue;
                }
                if wt.0 == 1 {
                    listed += 1;
                    if examples.len() < 3 {
                        examples.push(d.clone());
                    }
                } else if wt.1 > 0.0 {
                    near += 1;
                }
            }
            evidence.push(SharedValue {
                field,
                value,
                holders: n,
                listed,
                near,
                examples,
                strength: s,
                same_days: group,
            });
        }
    }
    evidence.sort_by(|a, b| b.strength.total_cmp(&a.strength));
    let score = combine_kinds(all);
    evidence.truncate(5);
    Ok(Proximity {
        score,
        hop1: hop_score(hop1),
        evidence,
        too_common,
    })
}

/// One value a domain holds, with its holders, for diagnosis (why a
/// domain scores what it does): every weighed value, and its registrar
/// and creation date (not weighed; their holders are not read).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldValue {
    /// The field (`nameserver_host`...).
    pub field: String,
    /// The value.
    pub value: String,
    /// Whether the domain holds it now.
    pub current: bool,
    /// Registrable domains holding it (current and historic).
    pub count: u64,
    /// Its holders (registrable name, held now, first day), when weighed
    /// and held by at most [`MAX_HOLDERS`] domains; empty otherwise.
    #[serde(skip)]
    pub holders: Vec<(String, bool, i64)>,
}

/// Every weighed value of a registrable domain with its holders (and its
/// registrar and creation date, without holders), for diagnosis.
pub fn held_values(store: &dyn Store, domain: &DomainName) -> Result<Vec<HeldValue>> {
    let holder = Entity::Domain(domain.registrable_name());
    let all = store.holdings(&holder)?;
    let keys: Vec<(Predicate, Entity)> = all
        .iter()
        .map(|h| (h.predicate, h.object.clone()))
        .collect();
    let counts = store.value_counts(&keys)?;
    let mut out = Vec::new();
    for (h, c) in all.iter().zip(&counts) {
        let n = c.current + c.historic;
        let weighed = predicate_weight(h.predicate).is_some();
        if !weighed && h.predicate != Predicate::REGISTRAR && h.predicate != Predicate::CREATED {
            continue;
        }
        let holders = if weighed && n <= MAX_HOLDERS {
            holders(store, h.predicate, &h.object)?
        } else {
            Vec::new()
        };
        out.push(HeldValue {
            field: h.predicate.name(),
            value: h.object.to_string(),
            current: h.current,
            count: n,
            holders,
        });
    }
    Ok(out)
}

/// What a full pass did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PassSummary {
    /// Listed registrable domains (seeds).
    pub seeds: u64,
    /// Domains that propagated at hop 2.
    pub hop2_seeds: u64,
    /// Shared values in the pass's graph (held by 2 to [`MAX_HOLDERS`]
    /// domains; name-server sets included).
    pub values: u64,
    /// Holder rows of those values (the graph's edges).
    pub edges: u64,
    /// Registrable domains in the graph (holders of a shared value, and
    /// the listed ones).
    pub domains: u64,
    /// Time spent scanning the store into the graph.
    pub scan_ms: u64,
    /// Values skipped as too common.
    pub too_common: u64,
    /// Domains with a proximity above 0.
    pub scored: u64,
    /// Of those, at least 50.
    pub high: u64,
    /// Stored results removed because they no longer apply.
    pub removed: u64,
    /// A full pass (not only the domains named by new events).
    pub full: bool,
    /// The base rate measured (median listed share among the holders of common values).
    pub base_rate: f64,
    /// Wall time.
    pub elapsed_ms: u64,
}

/// The predicates whose values count (the arms of [`predicate_weight`]):
/// what a pass scans.
pub const ALL_WEIGHED: [Predicate; 30] = [
    Predicate::REGISTRANT_EMAIL,
    Predicate::ADMIN_EMAIL,
    Predicate::TECH_EMAIL,
    Predicate::BILLING_EMAIL,
    Predicate::REGISTRANT_PHONE,
    Predicate::ADMIN_PHONE,
    Predicate::TECH_PHONE,
    Predicate::BILLING_PHONE,
    Predicate::REGISTRANT_NAME,
    Predicate::ADMIN_NAME,
    Predicate::TECH_NAME,
    Predicate::BILLING_NAME,
    Predicate::REGISTRANT_STREET,
    Predicate::REGISTRANT_ORG,
    Predicate::ADMIN_ORG,
    Predicate::TECH_ORG,
    Predicate::BILLING_ORG,
    Predicate::SSL_HASH,
    Predicate::GOOGLE_ANALYTICS,
    Predicate::SOA_EMAIL,
    Predicate::SSL_EMAIL,
    Predicate::NAMESERVER_HOST,
    Predicate::IP,
    Predicate::SSL_ALT_NAMES,
    Predicate::REDIRECT_DOMAIN,
    Predicate::NAMESERVER_IP,
    Predicate::MAILSERVER_HOST,
    Predicate::CNAME,
    Predicate::MAILSERVER_IP,
    Predicate::EMAIL_DOMAIN,
];

/// Byte strings (registrable domain names, or the store's keys of them)
/// interned as dense `u32` ids: one arena, offsets, and an open-addressing
/// table of (hash tag, id) entries, so that a probe compares a name only
/// when its tag matches (a few bytes per name beyond the name itself).
struct Interner {
    arena: Vec<u8>,
    ends: Vec<usize>,
    /// Each id's hash (the table grows without hashing again).
    hashes: Vec<u64>,
    table: Vec<u64>,
    hasher: std::collections::hash_map::RandomState,
}

impl Interner {
    const EMPTY: u64 = u64::MAX;

    fn new() -> Interner {
        Interner {
            arena: Vec::new(),
            ends: Vec::new(),
            hashes: Vec::new(),
            table: vec![Self::EMPTY; 1 << 16],
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn bytes(&self, id: u32) -> &[u8] {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.arena[start..self.ends[i]]
    }

    /// The name of `id` (interned names are the store's ASCII names).
    fn name(&self, id: u32) -> &str {
        std::str::from_utf8(self.bytes(id)).unwrap_or_default()
    }

    fn hash(&self, key: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        self.hasher.hash_one(key)
    }

    /// The slot of `key` (its entry, or the empty slot it would take).
    fn slot(&self, key: &[u8], h: u64) -> usize {
        let mask = self.table.len() - 1;
        let tag = h >> 32;
        let mut i = (h as usize) & mask;
        loop {
            let e = self.table[i];
            if e == Self::EMPTY || (e >> 32 == tag && self.bytes(e as u32) == key) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    fn get(&self, key: &[u8]) -> Option<u32> {
        let e = self.table[self.slot(key, self.hash(key))];
        (e != Self::EMPTY).then_some(e as u32)
    }

    fn intern(&mut self, key: &[u8]) -> u32 {
        let h = self.hash(key);
        let i = self.slot(key, h);
        if self.table[i] != Self::EMPTY {
            return self.table[i] as u32;
        }
        let id = self.ends.len() as u32;
        self.arena.extend_from_slice(key);
        self.ends.push(self.arena.len());
        self.hashes.push(h);
        self.table[i] = (h >> 32 << 32) | u64::from(id);
        if self.ends.len() * 2 > self.table.len() {
            let size = self.table.len() * 2;
            let old = std::mem::replace(&mut self.table, vec![Self::EMPTY; size]);
            let mask = self.table.len() - 1;
            for e in old.into_iter().filter(|&e| e != Self::EMPTY) {
                let mut j = (self.hashes[e as u32 as usize] as usize) & mask;
                while self.table[j] != Self::EMPTY {
                    j = (j + 1) & mask;
                }
                self.table[j] = e;
            }
        }
        id
    }
}

/// One value of the pass's graph.
struct Value {
    /// The predicate (for its family and its field).
    pred: Predicate,
    /// The value (a name-server set: its first host; see `set`).
    object: Entity,
    /// A name-server set: its label (its hosts joined by ` + `; for a
    /// set's holders under one suffix, followed by ` in .SUFFIX`).
    set: Option<String>,
    /// For a set's holders under one suffix: the set's id (see
    /// [`add_sets`]).
    of_set: Option<u32>,
    weight: f64,
    /// Registrable domains holding it.
    n: u64,
    /// Scored (a name-server value above [`MAX_HOLDERS`] holders is kept
    /// only to find the sets).
    scored: bool,
    /// Whether its holders are one actor's batch (see [`Batch`]).
    batch: Batch,
    /// A linked group of a set's holders (see [`add_groups`]): the set's
    /// value index when the group is of the whole set (a group of a set's
    /// holders under one suffix has `of_set` instead).
    group: Option<Option<u32>>,
}

impl Value {
    /// Its family for [`combine_kinds`].
    fn family(&self) -> u8 {
        if self.group.is_some() {
            GROUP_FAMILY
        } else {
            family(self.pred)
        }
    }

    fn field(&self) -> String {
        if self.group.is_some() {
            GROUP_FIELD.into()
        } else if self.of_set.is_some() {
            SET_SUFFIX_FIELD.into()
        } else if self.set.is_some() {
            "nameserver_set".into()
        } else {
            self.pred.name()
        }
    }

    fn label(&self) -> String {
        self.set.clone().unwrap_or_else(|| self.object.to_string())
    }
}

/// The pass's bipartite graph: values and their holders in compressed rows
/// (`holders[offs[v]..offs[v + 1]]`), holders as interned ids with whether
/// they hold the value now and the day they took it up.
#[derive(Default)]
struct Graph {
    values: Vec<Value>,
    offs: Vec<usize>,
    holder: Vec<u32>,
    current: Vec<bool>,
    day: Vec<i32>,
}

impl Graph {
    fn push(&mut self, v: Value, holders: impl Iterator<Item = (u32, bool, i64)>) {
        if self.offs.is_empty() {
            self.offs.push(0);
        }
        for (h, c, d) in holders {
            self.holder.push(h);
            self.current.push(c);
            self.day
                .push(d.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32);
        }
        self.values.push(v);
        self.offs.push(self.holder.len());
    }

    fn range(&self, v: usize) -> std::ops::Range<usize> {
        self.offs[v]..self.offs[v + 1]
    }

    /// (holder, held now, day) of value `v`.
    fn holders(&self, v: usize) -> impl Iterator<Item = (u32, bool, i64)> + '_ {
        self.range(v)
            .map(|i| (self.holder[i], self.current[i], i64::from(self.day[i])))
    }
}

/// Threads the pass reads the store with.
fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 8)
}

/// `f` over `items` on every core, results in order (blocks of 32 items
/// handed out as the threads free up, so a few heavy items do not leave a
/// core idle).
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> Result<R> + Sync) -> Result<Vec<R>> {
    const BLOCK: usize = 32;
    let n = threads();
    if n == 1 || items.len() < 2 * BLOCK {
        return items.iter().map(&f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let blocks = items.len().div_ceil(BLOCK);
    let (f, next) = (&f, &next);
    type Done<R> = Result<Vec<(usize, Vec<R>)>>;
    let parts: Vec<Done<R>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                sc.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let b = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if b >= blocks {
                            return Ok(done);
                        }
                        let end = (b * BLOCK + BLOCK).min(items.len());
                        let part = items[b * BLOCK..end]
                            .iter()
                            .map(f)
                            .collect::<Result<Vec<R>>>()?;
                        done.push((b, part));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(scry_store::StoreError::State("a proximity worker panicked".into()).into())
                })
            })
            .collect()
    });
    let mut all = Vec::with_capacity(blocks);
    for p in parts {
        all.extend(p?);
    }
    all.sort_unstable_by_key(|(b, _)| *b);
    Ok(all.into_iter().flat_map(|(_, part)| part).collect())
}

/// What one scanning thread read: its values (predicate, value, end of
/// its holders) and their holders as ids of the thread's own interner of
/// holder keys, with whether they hold the value now and the day they
/// took it up.
struct ScanPart {
    keys: Interner,
    values: Vec<(Predicate, Entity, usize)>,
    holders: Vec<(u32, bool, i32)>,
}

/// Scans every weighed predicate's values (both cores, a predicate at a
/// time; each thread interns the holders' store keys on its own, no lock
/// and no name decoded per holding) into the pass's graph, in a
/// deterministic order (by predicate, then value), with the names
/// interned. Returns the graph and the number of values too common to
/// weigh.
fn scan_graph(store: &dyn Store, names: &mut Interner) -> Result<(Graph, u64)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let preds: Vec<Predicate> = ALL_WEIGHED.to_vec();
    let next = AtomicUsize::new(0);
    let too_common = std::sync::atomic::AtomicU64::new(0);
    let parts: Vec<Result<ScanPart>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads())
            .map(|_| {
                sc.spawn(|| -> Result<ScanPart> {
                    let mut part = ScanPart {
                        keys: Interner::new(),
                        values: Vec::new(),
                        holders: Vec::new(),
                    };
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&p) = preds.get(i) else {
                            return Ok(part);
                        };
                        let max = if p == Predicate::NAMESERVER_HOST {
                            NS_SET_MAX_HOLDERS
                        } else {
                            MAX_HOLDERS
                        };
                        let sum = store.scan_values(
                            &scry_store::ValueScan {
                                predicate: p,
                                min_holders: 2,
                                max_holders: max,
                            },
                            &mut |o, hs| {
                                for h in hs {
                                    part.holders.push((
                                        part.keys.intern(h.key),
                                        h.current,
                                        day_of(h.first_seen)
                                            .clamp(i64::from(i32::MIN), i64::from(i32::MAX))
                                            as i32,
                                    ));
                                }
                                part.values.push((p, o.clone(), part.holders.len()));
                                Ok(())
                            },
                        )?;
                        too_common.fetch_add(sum.too_common, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(scry_store::StoreError::State("a proximity worker panicked".into()).into())
                })
            })
            .collect()
    });
    let parts: Vec<ScanPart> = parts.into_iter().collect::<Result<_>>()?;
    // Each thread's holder keys, decoded once, to global ids.
    let mut buf = String::new();
    let mut global: Vec<Vec<u32>> = Vec::with_capacity(parts.len());
    for part in &parts {
        let mut ids = Vec::with_capacity(part.keys.len());
        for id in 0..part.keys.len() as u32 {
            buf.clear();
            if !scry_store::push_key_name(part.keys.bytes(id), &mut buf) {
                return Err(scry_store::StoreError::Corruption {
                    what: "piv",
                    detail: "a scanned holder key is not a name's".into(),
                }
                .into());
            }
            ids.push(names.intern(buf.as_bytes()));
        }
        global.push(ids);
    }
    // Values in (predicate, value) order.
    let mut order: Vec<(usize, usize)> = parts
        .iter()
        .enumerate()
        .flat_map(|(t, part)| (0..part.values.len()).map(move |v| (t, v)))
        .collect();
    order.sort_by(|&(ta, va), &(tb, vb)| {
        let (a, b) = (&parts[ta].values[va], &parts[tb].values[vb]);
        a.0.id().cmp(&b.0.id()).then_with(|| a.1.cmp(&b.1))
    });
    let mut g = Graph::default();
    let edges: usize = parts.iter().map(|p| p.holders.len()).sum();
    g.holder.reserve_exact(edges);
    g.current.reserve_exact(edges);
    g.day.reserve_exact(edges);
    for (t, v) in order {
        let part = &parts[t];
        let (p, o, end) = &part.values[v];
        let begin = if v == 0 { 0 } else { part.values[v - 1].2 };
        let hs = &part.holders[begin..*end];
        let n = hs.len() as u64;
        g.push(
            Value {
                pred: *p,
                object: o.clone(),
                set: None,
                of_set: None,
                weight: predicate_weight(*p).unwrap_or(0.0),
                n,
                scored: n <= MAX_HOLDERS,
                batch: Batch::No,
                group: None,
            },
            hs.iter()
                .map(|&(h, c, d)| (global[t][h as usize], c, i64::from(d))),
        );
    }
    Ok((g, too_common.into_inner()))
}

/// Adds the name-server sets to the graph: each domain's set is its
/// current name servers held by 2 to [`NS_SET_MAX_HOLDERS`] domains (2 to
/// [`NS_SET_MAX_HOLDERS`] hosts: a DNS provider account's pair), and a
/// set's holders are the domains whose such name servers include all of
/// it (as [`ns_set_holders`] reads them); a set held by at most
/// [`MAX_HOLDERS`] domains is a value, and so are its holders under each
/// suffix (2 to [`MAX_HOLDERS`] of them) whatever the set's size. Returns
/// each domain's own set as a value index and as a set id (the `of_set`
/// of its suffix values), `u32::MAX` for none: a set and its suffix
/// values weigh only for the domains whose own set it is, as in the live
/// query.
fn add_sets(g: &mut Graph, names: &Interner) -> (Vec<u32>, Vec<u32>) {
    const NONE: u32 = u32::MAX;
    // Per domain: its current name servers (value index, day), by value.
    let mut pairs: Vec<(u32, u32, i64)> = Vec::new();
    for v in 0..g.values.len() {
        if g.values[v].pred != Predicate::NAMESERVER_HOST || g.values[v].set.is_some() {
            continue;
        }
        pairs.extend(
            g.holders(v)
                .filter(|h| h.1)
                .map(|(d, _, day)| (d, v as u32, day)),
        );
    }
    pairs.sort_unstable();
    let mut start = vec![0usize; names.len() + 1];
    for &(d, _, _) in &pairs {
        start[d as usize + 1] += 1;
    }
    for i in 0..names.len() {
        start[i + 1] += start[i];
    }
    let hosts_of = |d: u32| &pairs[start[d as usize]..start[d as usize + 1]];
    // Distinct own sets, in order of first appearance by domain id.
    let mut set_ids: HashMap<Vec<u32>, u32> = HashMap::new();
    let mut sets: Vec<Vec<u32>> = Vec::new();
    let mut own = vec![NONE; names.len()];
    for (d, slot) in own.iter_mut().enumerate() {
        let hs = hosts_of(d as u32);
        if hs.len() < 2 || hs.len() > NS_SET_MAX_HOSTS {
            continue;
        }
        let key: Vec<u32> = hs.iter().map(|h| h.1).collect();
        let next = sets.len() as u32;
        *slot = *set_ids.entry(key.clone()).or_insert_with(|| {
            sets.push(key);
            next
        });
    }
    // Sets in a deterministic order: by their hosts' value order.
    let mut order: Vec<u32> = (0..sets.len() as u32).collect();
    order.sort_by(|&a, &b| sets[a as usize].cmp(&sets[b as usize]));
    let mut value_of = vec![NONE; sets.len()];
    for s in order {
        let hosts = &sets[s as usize];
        let Some(&rarest) = hosts.iter().min_by_key(|&&h| g.values[h as usize].n) else {
            continue;
        };
        let mut holders: Vec<(u32, bool, i64)> = Vec::new();
        for (d, cur, _) in g.holders(rarest as usize) {
            if !cur {
                continue;
            }
            let mine = hosts_of(d);
            let mut day = i64::MIN;
            let all = hosts
                .iter()
                .all(|h| match mine.binary_search_by_key(h, |x| x.1) {
                    Ok(i) => {
                        day = day.max(mine[i].2);
                        true
                    }
                    Err(_) => false,
                });
            if all {
                holders.push((d, true, day));
            }
        }
        let n = holders.len() as u64;
        if n < 2 {
            continue;
        }
        holders.sort_by(|a, b| names.bytes(a.0).cmp(names.bytes(b.0)));
        let label = ns_set_label(
            &hosts
                .iter()
                .map(|&h| g.values[h as usize].object.clone())
                .collect::<Vec<_>>(),
        );
        let object = g.values[hosts[0] as usize].object.clone();
        // A set too common to weigh is not a value, but its holders under
        // one suffix may be.
        if n <= MAX_HOLDERS {
            value_of[s as usize] = g.values.len() as u32;
            g.push(
                Value {
                    pred: Predicate::NAMESERVER_HOST,
                    object: object.clone(),
                    set: Some(label.clone()),
                    of_set: None,
                    weight: NS_SET_WEIGHT,
                    n,
                    scored: true,
                    batch: Batch::No,
                    group: None,
                },
                holders.iter().copied(),
            );
        }
        // The set's holders under each suffix (a registration batch: one
        // DNS account, one suffix), in the set's holder order.
        let mut by_suffix: Vec<SuffixHolder> = holders
            .iter()
            .map(|&h| (suffix(names.name(h.0)).as_bytes(), h))
            .collect();
        by_suffix.sort_by(|a, b| a.0.cmp(b.0));
        for group in by_suffix.chunk_by(|a, b| a.0 == b.0) {
            if !(2..=MAX_HOLDERS as usize).contains(&group.len()) {
                continue;
            }
            let sfx = std::str::from_utf8(group[0].0).unwrap_or_default();
            g.push(
                Value {
                    pred: Predicate::NAMESERVER_HOST,
                    object: object.clone(),
                    set: Some(set_suffix_label(&label, sfx)),
                    of_set: Some(s),
                    weight: SET_SUFFIX_WEIGHT,
                    n: group.len() as u64,
                    scored: true,
                    batch: if is_batch(group.len() as u64, n) {
                        Batch::OneSuffix
                    } else {
                        Batch::No
                    },
                    group: None,
                },
                group.iter().map(|x| x.1),
            );
        }
    }
    let value = own
        .iter()
        .map(|&s| {
            if s == NONE {
                NONE
            } else {
                value_of[s as usize]
            }
        })
        .collect();
    (value, own)
}

/// Measures the world's suffix mix on the scanned domains (returned as
/// each suffix's number of domains, to store for the live query) and
/// marks the narrow name servers and sets (see [`Batch::Narrow`]): their
/// holders' suffixes counted as the live query counts them, and their
/// take-up days judged as it judges them (see [`spread_over_time`]).
fn mark_narrow(g: &mut Graph, names: &Interner, start: Option<i64>) -> Vec<u64> {
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut counts: Vec<u64> = Vec::new();
    let of: Vec<u32> = (0..names.len() as u32)
        .map(|d| {
            let next = ids.len() as u32;
            let id = *ids.entry(suffix(names.name(d))).or_insert(next);
            if id as usize == counts.len() {
                counts.push(0);
            }
            counts[id as usize] += 1;
            id
        })
        .collect();
    let mix = SuffixMix::from_counts(counts.clone());
    let mut seen: Vec<u32> = Vec::new();
    for v in 0..g.values.len() {
        let val = &g.values[v];
        if !val.scored || val.pred != Predicate::NAMESERVER_HOST || val.of_set.is_some() {
            continue;
        }
        seen.clear();
        seen.extend(g.holders(v).map(|h| of[h.0 as usize]));
        seen.sort_unstable();
        seen.dedup();
        if mix.is_narrow(seen.len() as u64, g.range(v).len() as u64)
            && !spread_over_time(g.holders(v).map(|h| h.2), start)
        {
            g.values[v].batch = Batch::Narrow;
        }
    }
    counts
}

/// A piece's predicate, kind and evidence for [`combine_kinds`].
fn piece_kind(v: &Value, s: f64) -> (u8, Kind, f64) {
    let kind = if v.of_set.is_some() {
        Kind::Slice
    } else if v.set.is_some() {
        Kind::Set
    } else {
        Kind::Value
    };
    (v.family(), kind, s)
}

/// The field of a linked group of a name-server set's holders.
pub const GROUP_FIELD: &str = "nameserver_group";
/// A set (or its holders under one suffix) is split into linked groups
/// only when it has at most this many holders.
pub const GROUP_MAX_HOLDERS: u64 = 1_000;
/// Values of the other families held by at most this many domains link
/// the holders of a set into groups.
pub const GROUP_LINK_MAX: u64 = 1_000;

/// Whether a value links a set's holders into a group: a value of another
/// family than the name servers' (an address, a certificate, a mail host,
/// registrant data) held by 2 to [`GROUP_LINK_MAX`] domains.
fn links(p: Predicate, holders: u64) -> bool {
    family(p) != 1 && predicate_weight(p).is_some() && (2..=GROUP_LINK_MAX).contains(&holders)
}

/// Union-find root of `x`, with path halving.
fn root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// The linked groups of a value's holders: holders `0..n`, each with the
/// link values it holds (any ids); holders sharing a link value, directly
/// or through other holders, are one group. Returns each holder's group
/// (its smallest member).
fn link_groups<K: std::hash::Hash + Eq>(per_holder: Vec<Vec<K>>) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..per_holder.len()).collect();
    let mut first: HashMap<K, usize> = HashMap::new();
    for (i, keys) in per_holder.into_iter().enumerate() {
        for k in keys {
            match first.get(&k) {
                Some(&j) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    let (lo, hi) = (a.min(b), a.max(b));
                    parent[hi] = lo;
                }
                None => {
                    first.insert(k, i);
                }
            }
        }
    }
    (0..parent.len()).map(|i| root(&mut parent, i)).collect()
}

/// The label of a linked group of a set's holders: the set's (or its
/// suffix's) label and its first member by name.
fn group_label(set_label: &str, first: &str) -> String {
    format!("{set_label}, linked with {first}")
}

/// Linked groups (see the module docs): the holders of each name-server
/// set, and of each set's holders under one suffix, of at most
/// [`GROUP_MAX_HOLDERS`], linked by the rare values of other families
/// they share (see [`links`]) into groups; each group of 2 or more that is
/// not the whole set is a value of its own, with the set's weight, held by
/// its members (only the members whose own set it is are scored).
fn add_groups(g: &mut Graph, names: &Interner) {
    // Per domain: the link values it holds.
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for v in 0..g.values.len() {
        let val = &g.values[v];
        if val.set.is_some() || !val.scored || !links(val.pred, val.n) {
            continue;
        }
        pairs.extend(g.holders(v).map(|(d, _, _)| (d, v as u32)));
    }
    pairs.sort_unstable();
    let mut start = vec![0usize; names.len() + 1];
    for &(d, _) in &pairs {
        start[d as usize + 1] += 1;
    }
    for i in 0..names.len() {
        start[i + 1] += start[i];
    }
    let parents: Vec<usize> = (0..g.values.len())
        .filter(|&v| {
            let val = &g.values[v];
            val.set.is_some() && val.scored && (3..=GROUP_MAX_HOLDERS).contains(&val.n)
        })
        .collect();
    for v in parents {
        let hs: Vec<(u32, bool, i64)> = g.holders(v).collect();
        let keys: Vec<Vec<u32>> = hs
            .iter()
            .map(|h| {
                pairs[start[h.0 as usize]..start[h.0 as usize + 1]]
                    .iter()
                    .map(|x| x.1)
                    .collect()
            })
            .collect();
        let group = link_groups(keys);
        let mut order: Vec<usize> = (0..hs.len()).collect();
        order.sort_by_key(|&i| (group[i], i));
        let parent = &g.values[v];
        let (pred, object, weight, of_set) = (
            parent.pred,
            parent.object.clone(),
            parent.weight,
            parent.of_set,
        );
        let label = parent.label();
        let members: Vec<Vec<(u32, bool, i64)>> = order
            .chunk_by(|&a, &b| group[a] == group[b])
            .filter(|c| c.len() >= 2 && c.len() < hs.len())
            .map(|c| c.iter().map(|&i| hs[i]).collect())
            .collect();
        for m in members {
            // Holders keep the set's order (by name): the first is the smallest.
            let first = names.name(m[0].0).to_string();
            g.push(
                Value {
                    pred,
                    object: object.clone(),
                    set: Some(group_label(&label, &first)),
                    of_set,
                    weight,
                    n: m.len() as u64,
                    scored: true,
                    batch: Batch::No,
                    group: Some(if of_set.is_some() {
                        None
                    } else {
                        Some(v as u32)
                    }),
                },
                m.into_iter(),
            );
        }
    }
}

/// A set's holder keyed by its suffix.
type SuffixHolder<'a> = (&'a [u8], (u32, bool, i64));

/// One piece of evidence: (domain, evidence, value, burst: (holders in
/// it, day)).
type Piece = (u32, f64, u32, Option<(u64, i64)>);
/// Evidence grouped by domain, in value order.
type Scored = Vec<Piece>;

/// The evidence every value gives each of its holders, given every
/// domain's weight (listed 1, near-listed a fraction): on every core, a
/// block of values each; entries grouped by domain, in value order.
fn score_all(
    g: &Graph,
    weight: &[f64],
    private: &[bool],
    own_set: &[u32],
    own_sid: &[u32],
    base: f64,
    start: Option<i64>,
) -> Scored {
    let blocks: Vec<std::ops::Range<usize>> = {
        let n = g.values.len();
        let step = n.div_ceil(64).max(1);
        (0..n).step_by(step).map(|a| a..(a + step).min(n)).collect()
    };
    let parts = par_map(&blocks, |r| -> Result<Scored> {
        let mut out = Vec::new();
        for vi in r.clone() {
            let v = &g.values[vi];
            if !v.scored {
                continue;
            }
            // Near-listed domains count only through rare values.
            let w_of = |d: u32| {
                let x = weight[d as usize];
                if x >= 1.0 || v.n <= HOP2_MAX_HOLDERS {
                    x
                } else {
                    0.0
                }
            };
            if !g.holders(vi).any(|h| w_of(h.0) > 0.0) {
                continue;
            }
            // A linked group's evidence is its members', not a burst's.
            let start = if v.group.is_some() {
                None
            } else {
                burst_start(v.pred, start)
            };
            let tally = Tally::new(g.holders(vi).map(|(d, _, day)| (w_of(d), day)), start);
            // A host's burst counts only for domains without a set of
            // their own (the set's burst is the sharper one), as live.
            let host = v.pred == Predicate::NAMESERVER_HOST && v.set.is_none();
            for (d, cur, day) in g.holders(vi) {
                let start = if host && own_set[d as usize] != u32::MAX {
                    None
                } else {
                    start
                };
                if family(v.pred) == 0 && private[d as usize] {
                    continue;
                }
                match (v.of_set, v.group) {
                    (Some(sid), _) if own_sid[d as usize] != sid => continue,
                    (None, Some(Some(sv))) if own_set[d as usize] != sv => continue,
                    (None, None) if v.set.is_some() && own_set[d as usize] != vi as u32 => {
                        continue;
                    }
                    _ => {}
                }
                let (s, group) = holder_strength(
                    v.weight,
                    v.n,
                    &tally,
                    w_of(d),
                    day,
                    cur,
                    base,
                    start,
                    v.batch,
                );
                if s > 0.0 {
                    out.push((d, s, vi as u32, group.map(|g| (g, day))));
                }
            }
        }
        Ok(out)
    })
    .unwrap_or_default();
    let mut all: Scored = parts.into_iter().flatten().collect();
    // Stable: each domain's entries stay in value order.
    all.sort_by_key(|x| x.0);
    all
}

/// Groups of `scored` by domain.
fn by_domain(scored: &Scored) -> impl Iterator<Item = &[Piece]> {
    scored.chunk_by(|a, b| a.0 == b.0)
}

/// Recomputes the proximity of every domain near a listed one and replaces
/// the stored results. `now` dates them.
///
/// One streaming scan of every weighed predicate's values
/// ([`Store::scan_values`], values held by 2 to [`MAX_HOLDERS`] domains)
/// builds an in-memory bipartite graph (interned `u32` domain ids,
/// compressed rows); hop 1, the near-listed seeds and hop 2 are then
/// computed on it on every core, with the formula the live query uses.
pub fn full_pass(
    store: &dyn Store,
    state: &StateStore,
    now: Timestamp,
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<PassSummary> {
    let started = Instant::now();
    let feeds = FeedIndex::new(state);
    let mut sum = PassSummary {
        full: true,
        ..Default::default()
    };
    progress("scan", 0, 1);
    let mut names = Interner::new();
    let (mut g, too_common) = scan_graph(store, &mut names)?;
    sum.too_common = too_common;
    let (own_set, own_sid) = add_sets(&mut g, &names);
    // The data's first day: holdings first seen then predate the data.
    let start = (0..g.values.len())
        .filter(|&v| g.values[v].scored && g.values[v].set.is_none())
        .flat_map(|v| g.range(v))
        .map(|i| i64::from(g.day[i]))
        .min();
    let mix = mark_narrow(&mut g, &names, start);
    add_groups(&mut g, &names);
    sum.scan_ms = started.elapsed().as_millis() as u64;
    progress("scan", 1, 1);
    // Seeds: registrable domains listed themselves or through www.
    let mut seed_names: Vec<String> = Vec::new();
    for meta in feeds.feeds()? {
        for (ind, _) in feeds.members(&meta.name)? {
            let Ok(d) = DomainName::from_normalised(&ind) else {
                continue; // an IP
            };
            let Some(reg) = d.registrable() else { continue };
            let bare = ind.strip_prefix("www.").unwrap_or(&ind);
            if bare == reg {
                seed_names.push(reg.to_string());
            }
        }
    }
    let seed_ids: Vec<u32> = seed_names
        .iter()
        .map(|s| names.intern(s.as_bytes()))
        .collect();
    let len = names.len();
    let mut is_seed = vec![false; len];
    for id in seed_ids {
        is_seed[id as usize] = true;
    }
    let mut own_set = own_set;
    own_set.resize(len, u32::MAX);
    let mut own_sid = own_sid;
    own_sid.resize(len, u32::MAX);
    sum.seeds = is_seed.iter().filter(|&&x| x).count() as u64;
    // Privacy: the holders under a privacy service now (their registrant
    // values are the service's, not theirs).
    let mut private = vec![false; len];
    store.scan_values(
        &scry_store::ValueScan {
            predicate: Predicate::PRIVACY_SERVICE,
            min_holders: 1,
            max_holders: u64::MAX,
        },
        &mut |_, hs| {
            let mut buf = String::new();
            for h in hs.iter().filter(|h| h.current) {
                buf.clear();
                if h.push_name(&mut buf)
                    && let Some(id) = names.get(buf.as_bytes())
                {
                    private[id as usize] = true;
                }
            }
            Ok(())
        },
    )?;
    sum.values = g.values.iter().filter(|v| v.scored).count() as u64;
    sum.edges = (0..g.values.len())
        .filter(|&v| g.values[v].scored)
        .map(|v| g.range(v).len() as u64)
        .sum();
    sum.domains = len as u64;

    // The base rate: the median listed share among the holders of common
    // values (1,000 or more holders) that listed domains hold. The median,
    // not the pooled share: an actor's bulletproof host is common too, and
    // must not make every shared value look like chance.
    let mut shares: Vec<f64> = (0..g.values.len())
        .filter(|&v| g.values[v].scored && g.values[v].n >= 1_000)
        .filter_map(|v| {
            let listed = g.holders(v).filter(|h| is_seed[h.0 as usize]).count();
            (listed > 0).then(|| listed as f64 / g.range(v).len() as f64)
        })
        .collect();
    shares.sort_by(f64::total_cmp);
    let base = if shares.len() >= 5 {
        shares[shares.len() / 2].clamp(DEFAULT_BASE_RATE, 0.5)
    } else {
        DEFAULT_BASE_RATE
    };
    sum.base_rate = base;

    // Hop 1: listed co-holders.
    progress("hop1", 0, 1);
    let mut weight: Vec<f64> = is_seed.iter().map(|&s| if s { 1.0 } else { 0.0 }).collect();
    let per1 = score_all(&g, &weight, &private, &own_set, &own_sid, base, start);
    let mut hop1 = vec![0u8; len];
    for group in by_domain(&per1) {
        hop1[group[0].0 as usize] = hop_score(
            group
                .iter()
                .map(|x| piece_kind(&g.values[x.2 as usize], x.1)),
        );
    }
    drop(per1);
    // Hop 2: near-listed domains propagate with decay.
    for d in 0..len {
        if hop1[d] >= HOP2_FROM && !is_seed[d] {
            weight[d] = HOP2_DECAY * f64::from(hop1[d]) / 100.0;
            sum.hop2_seeds += 1;
        }
    }
    progress("hop2", 0, 1);
    let per = score_all(&g, &weight, &private, &own_set, &own_sid, base, start);

    // Evidence sentences and stored records, on every core. Each domain's
    // 3 strongest values are named; the listed and near-listed co-holders
    // of a value (or of its holders that took it up within a day of `day`)
    // are counted once per value and day: (listed, near, the first 4 listed).
    progress("store", 0, 1);
    let is_near = |h: u32, v: &Value| {
        !is_seed[h as usize] && weight[h as usize] > 0.0 && v.n <= HOP2_MAX_HOLDERS
    };
    let mut groups: Vec<(u8, Vec<Piece>)> = by_domain(&per)
        .map(|group| {
            let score = combine_kinds(
                group
                    .iter()
                    .map(|x| piece_kind(&g.values[x.2 as usize], x.1)),
            );
            let mut ss: Vec<Piece> = group.to_vec();
            ss.sort_by(|a, b| b.1.total_cmp(&a.1));
            ss.truncate(3);
            (score, ss)
        })
        .filter(|(score, _)| *score > 0)
        .collect();
    drop(per);
    let mut wanted: Vec<(u32, Option<i64>)> = groups
        .iter()
        .flat_map(|(_, ss)| ss.iter().map(|x| (x.2, x.3.map(|b| b.1))))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    type Counts = (u64, u64, Vec<u32>);
    let counts: Vec<Counts> = par_map(&wanted, |&(vi, day)| -> Result<Counts> {
        let v = &g.values[vi as usize];
        let burst = burst_start(v.pred, start);
        let (mut listed, mut near, mut first) = (0u64, 0u64, Vec::new());
        for (h, _, hd) in g.holders(vi as usize) {
            if day.is_some_and(|day| !same_days(burst, day, hd)) {
                continue;
            }
            if is_seed[h as usize] {
                listed += 1;
                if first.len() < 4 {
                    first.push(h);
                }
            } else if is_near(h, v) {
                near += 1;
            }
        }
        Ok((listed, near, first))
    })?;
    let records = par_map(&groups, |(score, ss)| -> Result<(String, Vec<u8>)> {
        let d = ss[0].0;
        let evidence = ss
            .iter()
            .map(|&(_, s, vi, group)| {
                let v = &g.values[vi as usize];
                let i = wanted
                    .binary_search(&(vi, group.map(|b| b.1)))
                    .unwrap_or_default();
                let (all_listed, all_near, first) = &counts[i];
                // Itself left out.
                let listed = all_listed - u64::from(is_seed[d as usize]);
                let near = all_near - u64::from(is_near(d, v));
                let examples = first
                    .iter()
                    .filter(|&&h| h != d)
                    .take(3)
                    .map(|&h| names.name(h).to_string())
                    .collect();
                SharedValue {
                    field: v.field(),
                    value: v.label(),
                    holders: v.n,
                    listed,
                    near,
                    examples,
                    strength: s,
                    same_days: group.map(|g| g.0),
                }
                .text()
            })
            .collect();
        let rec = StoredProximity {
            score: *score,
            hop1: hop1[d as usize],
            evidence,
            at: now,
        };
        let json =
            serde_json::to_vec(&rec).map_err(|e| scry_store::StoreError::State(e.to_string()))?;
        Ok((format!("{PROX_PREFIX}{}", names.name(d)), json))
    })?;
    sum.high = groups.iter().filter(|(score, _)| *score >= 50).count() as u64;
    groups.clear();
    let mut puts: Vec<(String, Vec<u8>)> = records;
    puts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    sum.scored = puts.len() as u64;
    // Stored results that no longer apply, read a page at a time.
    let mut deletes: Vec<String> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = state.scan_after(PROX_PREFIX, after.as_deref(), 50_000)?;
        let Some(last) = page.last() else { break };
        after = Some(last.0.clone());
        for (k, _) in page {
            if puts.binary_search_by(|p| p.0.as_str().cmp(&k)).is_err() {
                deletes.push(k);
            }
        }
    }
    sum.removed = deletes.len() as u64;
    puts.push((BASE_KEY.to_string(), base.to_be_bytes().to_vec()));
    puts.push((RULES_KEY.to_string(), RULES_VERSION.to_vec()));
    puts.push((
        SUFFIX_MIX_KEY.to_string(),
        serde_json::to_vec(&mix).unwrap_or_default(),
    ));
    if let Some(start) = start {
        puts.push((START_KEY.to_string(), start.to_be_bytes().to_vec()));
    }
    for chunk in puts.chunks(100_000) {
        state.apply(chunk, &[], None)?;
    }
    for chunk in deletes.chunks(100_000) {
        state.apply(&[], chunk, None)?;
    }
    progress("store", 1, 1);
    sum.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(sum)
}

/// Registrable domains with a stored proximity of at least `min`, by score.
pub fn stored_all(state: &StateStore, min: u8) -> Result<BTreeMap<String, StoredProximity>> {
    Ok(state
        .scan(PROX_PREFIX)?
        .into_iter()
        .filter_map(|(k, v)| {
            let s: StoredProximity = serde_json::from_slice(&v).ok()?;
            (s.score >= min).then(|| (k[PROX_PREFIX.len()..].to_string(), s))
        })
        .collect())
}

/// Event kinds after which the listed set changed: a full pass is needed.
const FEED_EVENTS: [&str; 2] = ["feed_listed", "feed_delisted"];
/// Event kinds that announce a new domain (rescored first).
const NEW_DOMAIN_EVENTS: [&str; 3] = ["domain_added", "pdns_first_seen", "cert_first_seen"];

/// Rescoring from the event log after `after`: when a feed changed, a full
/// pass; otherwise only the domains the events name, new domains first, so
/// the work is proportional to what changed. Returns the summary and the
/// last event examined.
pub fn incremental_pass(
    store: &dyn Store,
    state: &StateStore,
    after: u64,
    now: Timestamp,
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<(PassSummary, u64)> {
    let started = Instant::now();
    let mut last = after;
    let mut new_domains: Vec<String> = Vec::new();
    let mut changed: Vec<String> = Vec::new();
    let mut feed_changed = false;
    loop {
        let page = store.events(last, 10_000)?;
        let Some(tail) = page.last() else { break };
        last = tail.seq;
        for e in &page {
            if FEED_EVENTS.contains(&e.kind.as_str()) {
                feed_changed = true;
            }
            let Ok(d) = DomainName::parse(&e.subject) else {
                continue;
            };
            let reg = d.registrable_or_self().to_string();
            if NEW_DOMAIN_EVENTS.contains(&e.kind.as_str()) {
                new_domains.push(reg);
            } else {
                changed.push(reg);
            }
        }
    }
    // A feed change moves every score; results of older rules would sit
    // beside new ones.
    if feed_changed || !stored_rules_current(state)? {
        return Ok((full_pass(store, state, now, progress)?, last));
    }
    let mut seen = HashSet::new();
    let order: Vec<String> = new_domains
        .into_iter()
        .chain(changed)
        .filter(|d| seen.insert(d.clone()))
        .collect();
    let ctx = PassContext::load(state)?;
    let mut sum = PassSummary {
        base_rate: ctx.base,
        ..Default::default()
    };
    let total = order.len() as u64;
    let mut puts = Vec::new();
    let mut deletes = Vec::new();
    for (i, d) in order.iter().enumerate() {
        if i % 1000 == 0 {
            progress("domains", i as u64, total);
        }
        let Ok(name) = DomainName::from_normalised(d) else {
            continue;
        };
        let p = domain_proximity_in(store, state, &ctx, &name)?;
        let key = format!("{PROX_PREFIX}{d}");
        if p.score == 0 {
            deletes.push(key);
            continue;
        }
        sum.scored += 1;
        if p.score >= 50 {
            sum.high += 1;
        }
        let rec = StoredProximity {
            score: p.score,
            hop1: p.hop1,
            evidence: p.evidence.iter().take(3).map(SharedValue::text).collect(),
            at: now,
        };
        let json =
            serde_json::to_vec(&rec).map_err(|e| scry_store::StoreError::State(e.to_string()))?;
        puts.push((key, json));
    }
    progress("domains", total, total);
    state.apply(&puts, &deletes, None)?;
    sum.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok((sum, last))
}

#[cfg(test)]
mod kind_tests {
    use super::*;

    /// Within the name-server family a second kind adds [`SECOND_KIND`] of
    /// its evidence (2 + 0.2 × 2 nats: 49, not 43, on the propagation
    /// scale); a second piece of the same kind, or of another family's
    /// kinds, adds nothing of the sort.
    #[test]
    fn a_second_name_server_kind_adds_a_share_of_its_evidence() {
        let ns = family(Predicate::NAMESERVER_HOST);
        let ip = family(Predicate::IP);
        let one = hop_score([(ns, Kind::Slice, 2.0)]);
        assert_eq!(one, 43);
        assert_eq!(
            hop_score([(ns, Kind::Slice, 2.0), (ns, Kind::Set, 2.0)]),
            49
        );
        assert_eq!(
            hop_score([(ns, Kind::Slice, 2.0), (ns, Kind::Slice, 1.9)]),
            one
        );
        assert_eq!(
            hop_score([(ip, Kind::Value, 2.0), (ip, Kind::Set, 2.0)]),
            one
        );
    }

    /// The reported score is a monotone map of the propagation score's
    /// evidence: never lower for more evidence, and 50 (the action
    /// threshold) only from the evidence of 60.5 on the propagation scale
    /// (the tuning worlds' highest 1 %-FPR threshold, 61, rounded down).
    #[test]
    fn the_reported_score_is_calibrated_and_monotone() {
        let ns = family(Predicate::NAMESERVER_HOST);
        let mut last = 0;
        for i in 0..3_000 {
            let e = f64::from(i) * 0.005;
            let s = combine_kinds([(ns, Kind::Value, e)]);
            assert!(s >= last, "{e}");
            assert!(s <= hop_score([(ns, Kind::Value, e)]), "{e}");
            last = s;
        }
        let at = |raw: f64| -EVIDENCE_SCALE * (1.0 - raw / 99.0).ln();
        assert!(combine_kinds([(ns, Kind::Value, at(60.49))]) < 50);
        assert!(combine_kinds([(ns, Kind::Value, at(61.0))]) >= 50);
        assert_eq!(combine_kinds([(ns, Kind::Value, 30.0)]), 99);
        assert_eq!(combine_kinds([(ns, Kind::Value, 0.0)]), 0);
    }
}
