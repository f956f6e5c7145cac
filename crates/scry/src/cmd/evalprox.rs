//! The proximity evaluation on a synthetic world: generate a world with a
//! seed never used for tuning, ingest it through the real formats and its
//! feeds, run the proximity pass, and measure against the ground truth how
//! many of each campaign's *unlisted* domains it finds at a threshold that
//! keeps the false-positive rate on benign and parked domains at or below 1%.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use scry_intel::risk::proximity::{full_pass, stored_all};
use scry_store::embedded::EmbeddedStore;
use scry_store::{DataDir, StateStore};
use serde::Serialize;

use crate::cmd::demo::{ingest_feeds, ingest_world, read_labels};

/// Per label of the malicious classes.
#[derive(Debug, Serialize)]
pub(crate) struct LabelRecall {
    pub(crate) label: String,
    /// Unlisted domains of campaigns that have at least one listed domain.
    pub(crate) unlisted: u64,
    /// Found at the 1%-FPR threshold.
    pub(crate) found: u64,
    /// Campaigns (with a listed member and an unlisted one).
    pub(crate) campaigns: u64,
    /// Campaigns of which at least 90% of the unlisted domains are found.
    pub(crate) campaigns_90: u64,
    /// Unlisted domains of campaigns with no listed member (proximity has no seed there).
    pub(crate) unseeded: u64,
}

/// The evaluation's result.
#[derive(Debug, Serialize)]
pub(crate) struct ProximityEval {
    pub(crate) seed: u64,
    pub(crate) domains: u64,
    pub(crate) facts_written: u64,
    pub(crate) pass: scry_intel::risk::proximity::PassSummary,
    /// Benign and parked domains (negatives), unlisted.
    pub(crate) negatives: u64,
    /// The lowest threshold with FPR <= 1%.
    pub(crate) threshold: u8,
    pub(crate) fpr_at_threshold: f64,
    /// FPR at the product's action threshold 50.
    pub(crate) fpr_at_50: f64,
    /// Recall of unlisted seeded campaign domains at 50.
    pub(crate) recall_at_50: f64,
    pub(crate) by_label: Vec<LabelRecall>,
    pub(crate) roc_auc: f64,
    /// Unlisted campaign domains below the threshold, with their evidence.
    pub(crate) missed_examples: Vec<(String, String, u8, Vec<String>)>,
    /// The highest-scoring negatives, with their evidence (for analysis).
    pub(crate) false_positive_examples: Vec<(String, u8, Vec<String>)>,
    /// The seeded campaigns under 90 % found, most unfound first (at most
    /// 40), for diagnosis.
    pub(crate) weak_campaigns: Vec<WeakCampaign>,
    /// With `--proximity-diagnose`: every weak campaign's missed members,
    /// what they share with the campaign's listed members, classified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) diagnosis: Option<Diagnosis>,
}

/// Why the unlisted members of weak campaigns are missed.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Diagnosis {
    /// Missed members by class: `shares_weighed` (a value of at most
    /// 10,000 holders with a listed member of its campaign: under-weighed),
    /// `hop2_reachable` (shares such a value only with unlisted members
    /// of its campaign, and a value of at most `HOP2_MAX_HOLDERS` holders
    /// with a domain that shares one with a listed domain), `isolated`
    /// (shares such values only with unlisted members, none of them
    /// reaching a listed domain in two hops as the pass propagates), or
    /// `nothing` (shares no value of at most 10,000 holders with any
    /// member: the rest is too common to weigh, or unobserved).
    pub(crate) classes: BTreeMap<String, u64>,
    /// Weak campaigns with every missed member in class `nothing`:
    /// unfindable by shared values.
    pub(crate) unfindable_campaigns: u64,
    /// Weak campaigns more than 10 % of whose unlisted members are
    /// `nothing` or `isolated`: no threshold reaches 90 % of them.
    pub(crate) unreachable_campaigns: u64,
    /// Per weak campaign, its missed members.
    pub(crate) campaigns: Vec<CampaignDiagnosis>,
}

/// One weak campaign's missed members.
#[derive(Debug, Serialize)]
pub(crate) struct CampaignDiagnosis {
    pub(crate) campaign: String,
    pub(crate) label: String,
    pub(crate) listed: u64,
    pub(crate) unlisted: u64,
    pub(crate) found: u64,
    pub(crate) missed: Vec<MemberDiagnosis>,
}

/// A missed member: its score, its evidence, and each value it holds.
#[derive(Debug, Serialize)]
pub(crate) struct MemberDiagnosis {
    pub(crate) domain: String,
    pub(crate) score: u8,
    pub(crate) class: String,
    pub(crate) evidence: Vec<String>,
    pub(crate) values: Vec<ValueDiagnosis>,
}

/// A value a missed member holds.
#[derive(Debug, Serialize)]
pub(crate) struct ValueDiagnosis {
    pub(crate) field: String,
    pub(crate) value: String,
    pub(crate) current: bool,
    /// Registrable domains holding it.
    pub(crate) holders: u64,
    /// Listed holders (any campaign).
    pub(crate) listed: u64,
    /// Holders in this campaign, and the listed ones among them.
    pub(crate) campaign: u64,
    pub(crate) campaign_listed: u64,
    /// Holders that took it up within a day of this member (neither on
    /// the value's first day, the data's start for most values), and the
    /// listed ones among them.
    pub(crate) same_days: u64,
    pub(crate) same_days_listed: u64,
    /// Holders that are campaign members (of any campaign) or listed.
    pub(crate) malicious: u64,
}

/// A seeded campaign of which less than 90 % of the unlisted domains are
/// found at the threshold.
#[derive(Debug, Serialize)]
pub(crate) struct WeakCampaign {
    pub(crate) campaign: String,
    pub(crate) label: String,
    /// Listed members.
    pub(crate) listed: u64,
    pub(crate) unlisted: u64,
    pub(crate) found: u64,
    /// Scores of the unlisted members, lowest first.
    pub(crate) scores: Vec<u8>,
    /// A missed member and its stored evidence.
    pub(crate) missed: (String, Vec<String>),
}

/// Runs the evaluation in `work` (a fresh directory).
pub(crate) fn run(
    seed: u64,
    domains: u64,
    days: u32,
    work: &Path,
    quiet: bool,
    diagnose: bool,
) -> Result<ProximityEval> {
    let world = work.join("world");
    let cfg = scry_gen::GenConfig::new(domains, days, seed);
    // A kept work directory holding this very world is reused (only the
    // pass runs again).
    let marker = work.join(format!("ingested-{seed}-{domains}-{days}"));
    let reuse = marker
        .try_exists()
        .with_context(|| marker.display().to_string())?;
    if !reuse {
        crate::cmd::generate::world(&cfg, &world, true)?;
    }
    let dir = DataDir::open(&work.join("data"), true)?;
    let store = EmbeddedStore::open(&dir)?;
    let state = StateStore::open(&dir)?;
    let as_of = scry_model::parse_time(&cfg.start_date.to_string())? + i64::from(days) * 86_400;
    if !reuse {
        if !quiet {
            eprintln!("proximity eval: ingesting a {domains}-domain world (seed {seed})");
        }
        ingest_world(&store, &world, &work.join("data").join("zones"), true)?;
        ingest_feeds(&store, &state, &world, as_of, true)?;
        std::fs::write(&marker, b"")?;
    } else if !quiet {
        eprintln!(
            "proximity eval: reusing the {domains}-domain world (seed {seed}) in {}",
            work.display()
        );
    }
    let facts_written = scry_store::Store::stats(&store)?.facts;
    let pass = full_pass(&store, &state, as_of, &mut |_, _, _| {})?;
    let stored = stored_all(&state, 1)?;
    let scores: BTreeMap<String, u8> = stored.iter().map(|(d, s)| (d.clone(), s.score)).collect();
    let labels = read_labels(&world.join("labels.ndjson")).context("reading labels")?;
    // Campaigns with a listed member.
    let mut seeded: BTreeMap<&str, bool> = BTreeMap::new();
    for l in &labels {
        if let Some(c) = &l.campaign {
            *seeded.entry(c.as_str()).or_default() |= l.listed;
        }
    }
    let score = |d: &str| scores.get(d).copied().unwrap_or(0);
    let neg: Vec<u8> = labels
        .iter()
        .filter(|l| (l.label == "benign" || l.label == "parked") && !l.listed)
        .map(|l| score(&l.domain))
        .collect();
    let malicious = |l: &str| matches!(l, "phishing" | "spam" | "malware_dga");
    let pos: Vec<(&str, &str, u8)> = labels
        .iter()
        .filter(|l| malicious(&l.label) && !l.listed)
        .filter_map(|l| {
            let c = l.campaign.as_deref()?;
            seeded
                .get(c)
                .copied()
                .unwrap_or(false)
                .then(|| (l.label.as_str(), c, score(&l.domain)))
        })
        .collect();
    let fpr = |t: u8| neg.iter().filter(|&&s| s >= t).count() as f64 / neg.len().max(1) as f64;
    let threshold = (1..=100u8).find(|&t| fpr(t) <= 0.01).unwrap_or(100);
    let mut by_label = Vec::new();
    for label in ["phishing", "spam", "malware_dga"] {
        let mut per_campaign: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        for &(l, c, s) in pos.iter().filter(|p| p.0 == label) {
            let e = per_campaign.entry(c).or_default();
            let _ = l;
            e.0 += 1;
            e.1 += u64::from(s >= threshold);
        }
        let unseeded = labels
            .iter()
            .filter(|l| l.label == label && !l.listed)
            .filter(|l| {
                l.campaign
                    .as_deref()
                    .is_none_or(|c| !seeded.get(c).copied().unwrap_or(false))
            })
            .count() as u64;
        by_label.push(LabelRecall {
            label: label.into(),
            unlisted: per_campaign.values().map(|v| v.0).sum(),
            found: per_campaign.values().map(|v| v.1).sum(),
            campaigns: per_campaign.len() as u64,
            campaigns_90: per_campaign
                .values()
                .filter(|(n, f)| *f as f64 >= 0.9 * *n as f64)
                .count() as u64,
            unseeded,
        });
    }
    let pos_scores: Vec<u8> = pos.iter().map(|p| p.2).collect();
    let mut fps: Vec<(String, u8, Vec<String>)> = labels
        .iter()
        .filter(|l| (l.label == "benign" || l.label == "parked") && !l.listed)
        .filter_map(|l| {
            let s = stored.get(&l.domain)?;
            Some((l.domain.clone(), s.score, s.evidence.clone()))
        })
        .collect();
    fps.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    fps.truncate(5);
    let mut missed: Vec<(String, String, u8, Vec<String>)> = labels
        .iter()
        .filter(|l| malicious(&l.label) && !l.listed)
        .filter(|l| {
            l.campaign
                .as_deref()
                .is_some_and(|c| seeded.get(c).copied().unwrap_or(false))
        })
        .filter(|l| score(&l.domain) < threshold)
        .map(|l| {
            let ev = stored
                .get(&l.domain)
                .map(|s| s.evidence.clone())
                .unwrap_or_default();
            (
                l.domain.clone(),
                l.campaign.clone().unwrap_or_default(),
                score(&l.domain),
                ev,
            )
        })
        .collect();
    let mut weak: BTreeMap<&str, WeakCampaign> = BTreeMap::new();
    for l in labels.iter().filter(|l| malicious(&l.label)) {
        let Some(c) = l.campaign.as_deref() else {
            continue;
        };
        if !seeded.get(c).copied().unwrap_or(false) {
            continue;
        }
        let w = weak.entry(c).or_insert_with(|| WeakCampaign {
            campaign: c.to_string(),
            label: l.label.clone(),
            listed: 0,
            unlisted: 0,
            found: 0,
            scores: Vec::new(),
            missed: (String::new(), Vec::new()),
        });
        if l.listed {
            w.listed += 1;
            continue;
        }
        let s = score(&l.domain);
        w.unlisted += 1;
        w.scores.push(s);
        if s >= threshold {
            w.found += 1;
        } else if w.missed.0.is_empty() {
            let ev = stored
                .get(&l.domain)
                .map(|s| s.evidence.clone())
                .unwrap_or_default();
            w.missed = (l.domain.clone(), ev);
        }
    }
    let mut weak: Vec<WeakCampaign> = weak
        .into_values()
        .filter(|w| w.unlisted > 0 && (w.found as f64) < 0.9 * w.unlisted as f64)
        .map(|mut w| {
            w.scores.sort_unstable();
            w
        })
        .collect();
    weak.sort_by(|a, b| {
        (b.unlisted - b.found)
            .cmp(&(a.unlisted - a.found))
            .then_with(|| a.campaign.cmp(&b.campaign))
    });
    let diagnosis = if diagnose {
        Some(diagnose_weak(
            &store, &labels, &weak, &scores, &stored, threshold,
        )?)
    } else {
        None
    };
    weak.truncate(40);
    missed.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let step = (missed.len() / 8).max(1);
    let missed: Vec<_> = missed.into_iter().step_by(step).take(8).collect();
    Ok(ProximityEval {
        seed,
        domains,
        facts_written,
        pass,
        negatives: neg.len() as u64,
        threshold,
        fpr_at_threshold: fpr(threshold),
        fpr_at_50: fpr(50),
        recall_at_50: pos_scores.iter().filter(|&&s| s >= 50).count() as f64
            / pos_scores.len().max(1) as f64,
        roc_auc: scry_risk::metrics::roc_auc(
            &pos_scores.iter().map(|&s| f32::from(s)).collect::<Vec<_>>(),
            &neg.iter().map(|&s| f32::from(s)).collect::<Vec<_>>(),
        ),
        false_positive_examples: fps,
        missed_examples: missed,
        weak_campaigns: weak,
        diagnosis,
        by_label,
    })
}

/// Classifies the missed members of the weak campaigns (see [`Diagnosis`]).
fn diagnose_weak(
    store: &EmbeddedStore,
    labels: &[crate::cmd::demo::Label],
    weak: &[WeakCampaign],
    scores: &BTreeMap<String, u8>,
    stored: &BTreeMap<String, scry_intel::risk::proximity::StoredProximity>,
    threshold: u8,
) -> Result<Diagnosis> {
    let by_domain: BTreeMap<&str, &crate::cmd::demo::Label> =
        labels.iter().map(|l| (l.domain.as_str(), l)).collect();
    let mut members: BTreeMap<&str, Vec<&crate::cmd::demo::Label>> = BTreeMap::new();
    for l in labels {
        if let Some(c) = l.campaign.as_deref() {
            members.entry(c).or_default().push(l);
        }
    }
    let mut d = Diagnosis::default();
    let mut cache: BTreeMap<String, Vec<scry_intel::risk::proximity::HeldValue>> = BTreeMap::new();
    // Whether `h` shares a weighed value with a listed domain (other than itself).
    let mut near_listed = |h: &str| -> Result<bool> {
        if !cache.contains_key(h) {
            let Ok(name) = scry_model::DomainName::from_normalised(h) else {
                return Ok(false);
            };
            let held = scry_intel::risk::proximity::held_values(store, &name)?;
            cache.insert(h.to_string(), held);
        }
        Ok(cache.get(h).is_some_and(|vs| {
            vs.iter().any(|v| {
                v.holders
                    .iter()
                    .any(|x| x.0 != h && by_domain.get(x.0.as_str()).is_some_and(|l| l.listed))
            })
        }))
    };
    for w in weak {
        let mut missed = Vec::new();
        let Some(ms) = members.get(w.campaign.as_str()) else {
            continue;
        };
        for m in ms.iter().filter(|m| !m.listed) {
            let score = scores.get(&m.domain).copied().unwrap_or(0);
            if score >= threshold {
                continue;
            }
            let Ok(name) = scry_model::DomainName::from_normalised(&m.domain) else {
                continue;
            };
            let held = scry_intel::risk::proximity::held_values(store, &name)?;
            let mut values = Vec::new();
            let (mut with_listed, mut with_member) = (false, false);
            let mut small: Vec<String> = Vec::new();
            for v in held {
                let own_day = v
                    .holders
                    .iter()
                    .find(|h| h.0 == m.domain)
                    .map_or(i64::MIN, |h| h.2);
                let first = v.holders.iter().map(|h| h.2).min().unwrap_or(i64::MIN);
                let mut vd = ValueDiagnosis {
                    field: v.field.clone(),
                    value: v.value.clone(),
                    current: v.current,
                    holders: v.count,
                    listed: 0,
                    campaign: 0,
                    campaign_listed: 0,
                    same_days: 0,
                    same_days_listed: 0,
                    malicious: 0,
                };
                if v.count <= scry_intel::risk::proximity::HOP2_MAX_HOLDERS {
                    small.extend(
                        v.holders
                            .iter()
                            .filter(|h| h.0 != m.domain)
                            .map(|h| h.0.clone()),
                    );
                }
                for (h, _, day) in v.holders.iter().filter(|h| h.0 != m.domain) {
                    let l = by_domain.get(h.as_str());
                    let listed = l.is_some_and(|l| l.listed);
                    vd.listed += u64::from(listed);
                    let mate = l.is_some_and(|l| l.campaign == m.campaign);
                    vd.campaign += u64::from(mate);
                    vd.campaign_listed += u64::from(mate && listed);
                    vd.malicious += u64::from(listed || l.is_some_and(|l| l.campaign.is_some()));
                    if own_day > first && *day > first && (day - own_day).abs() <= 1 {
                        vd.same_days += 1;
                        vd.same_days_listed += u64::from(listed);
                    }
                }
                with_listed |= vd.campaign_listed > 0;
                with_member |= vd.campaign > 0;
                values.push(vd);
            }
            let mut reach = false;
            if !with_listed && with_member {
                for h in &small {
                    if near_listed(h)? {
                        reach = true;
                        break;
                    }
                }
            }
            let class = if with_listed {
                "shares_weighed"
            } else if reach {
                "hop2_reachable"
            } else if with_member {
                "isolated"
            } else {
                "nothing"
            };
            *d.classes.entry(class.to_string()).or_default() += 1;
            missed.push(MemberDiagnosis {
                domain: m.domain.clone(),
                score,
                class: class.to_string(),
                evidence: stored
                    .get(&m.domain)
                    .map(|s| s.evidence.clone())
                    .unwrap_or_default(),
                values,
            });
        }
        if !missed.is_empty() && missed.iter().all(|m| m.class == "nothing") {
            d.unfindable_campaigns += 1;
        }
        let lost = missed
            .iter()
            .filter(|m| m.class == "nothing" || m.class == "isolated")
            .count() as f64;
        if lost > 0.1 * w.unlisted as f64 {
            d.unreachable_campaigns += 1;
        }
        d.campaigns.push(CampaignDiagnosis {
            campaign: w.campaign.clone(),
            label: w.label.clone(),
            listed: w.listed,
            unlisted: w.unlisted,
            found: w.found,
            missed,
        });
    }
    Ok(d)
}

/// Prints the evaluation for people.
pub(crate) fn print(p: &ProximityEval) -> Result<()> {
    println!(
        "\nProximity on a synthetic world (seed {}, {} domains, {} facts; pass: {} listed seeds, {} hop-2 seeds, {} shared values, {} edges, base rate {:.4}, {:.1}s):",
        p.seed,
        p.domains,
        p.facts_written,
        p.pass.seeds,
        p.pass.hop2_seeds,
        p.pass.values,
        p.pass.edges,
        p.pass.base_rate,
        p.pass.elapsed_ms as f64 / 1000.0
    );
    println!(
        "  ROC AUC {:.4} (unlisted members of seeded campaigns vs {} unlisted benign/parked); threshold at <= 1% FPR: {} (FPR {:.2}%); at 50: FPR {:.2}%, recall {:.1}%",
        p.roc_auc,
        p.negatives,
        p.threshold,
        100.0 * p.fpr_at_threshold,
        100.0 * p.fpr_at_50,
        100.0 * p.recall_at_50
    );
    let rows: Vec<Vec<String>> = p
        .by_label
        .iter()
        .map(|l| {
            vec![
                l.label.clone(),
                l.campaigns.to_string(),
                l.campaigns_90.to_string(),
                l.unlisted.to_string(),
                format!("{:.1}%", 100.0 * l.found as f64 / l.unlisted.max(1) as f64),
                l.unseeded.to_string(),
            ]
        })
        .collect();
    crate::out::table(
        &[
            "label",
            "campaigns",
            ">=90% found",
            "unlisted",
            "found",
            "unseeded",
        ],
        &rows,
    )
}
