//! Risk scores, 0–100, for domains, IPs and e-mail addresses, with the
//! evidence for every number.
//!
//! A domain's score is the maximum of its components (DomainTools
//! semantics):
//! * `listed` — 100 when a threat feed lists it now (the feed is named);
//! * `proximity` — 0–99, how close it sits to listed domains through shared
//!   registrants, name servers, IPs, certificates ([`proximity`]);
//! * `phishing`, `malware`, `spam` — 0–99 each, the threat profile of a
//!   [`ThreatScorer`] (the trained models of `scry-risk`), which scores a
//!   bare name with an empty store.
//!
//! An IP's and an e-mail address's score derive from the domains they host
//! or registered. Scores are `full` when the store holds registration data
//! for the domain, else `provisional`.

pub mod proximity;

use scry_model::{DomainName, Email, Entity, Ip, Predicate};
use scry_store::feeds::FeedIndex;
use scry_store::{FactQuery, PivotQuery, Scope, StateStore, Store, SubjectSel, TimeFence};
use serde::{Deserialize, Serialize};

use crate::error::{IntelError, Result};

/// Scores at or above this are "risky" (what playbooks act on).
pub const RISKY: u8 = 50;

/// One component of a score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// `listed`, `proximity`, `phishing`, `malware`, `spam`, `hosted_domains`,
    /// `registered_domains`, `sender_domain`.
    pub name: String,
    /// 0–100.
    pub risk: u8,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The component it supports.
    pub component: String,
    /// A stable feature id (`feed`, `shared_value`, `brand_term`...).
    pub feature: String,
    /// The sentence an analyst reads.
    pub text: String,
}

/// A threat profile from a classifier: component scores and their evidence.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ThreatProfile {
    /// `(threat, 0–99)`, threats named `phishing`, `malware`, `spam`.
    pub scores: Vec<(String, u8)>,
    /// Evidence, with `component` set to the threat.
    pub evidence: Vec<Evidence>,
}

/// What scores a bare domain name (lexical and registration features).
pub trait ThreatScorer: Send + Sync {
    /// The profile of a name.
    fn profile(&self, name: &DomainName) -> ThreatProfile;
    /// The brand a name imitates: `(similarity 0-100, brand, techniques)`.
    fn lookalike(&self, _name: &DomainName) -> Option<(u8, String, Vec<String>)> {
        None
    }
    /// The profile and the look-alike of a name (similarity, brand and
    /// techniques `, `-joined), as [`ThreatScorer::profile`] and
    /// [`ThreatScorer::lookalike`] give them: a full report needs both, and
    /// a scorer that finds them in one pass does it here.
    fn assess(&self, name: &DomainName) -> (ThreatProfile, Option<(u8, String, String)>) {
        (
            self.profile(name),
            self.lookalike(name)
                .map(|(sim, brand, t)| (sim, brand, t.join(", "))),
        )
    }
    /// The model's name and version, shown with scores.
    fn model(&self) -> String;
    /// What [`RiskEngine::quick_score`] needs of a name: the best threat
    /// `(score, threat)` (the first of the highest; `None` if there is no
    /// threat) and the look-alike similarity (`None` below 60, where its
    /// risk is 0 anyway). By default from `profile` and `lookalike`.
    fn quick(&self, name: &DomainName) -> (Option<(u8, String)>, Option<u8>) {
        let mut best: Option<(u8, String)> = None;
        for (t, s) in self.profile(name).scores {
            if best.as_ref().is_none_or(|b| s > b.0) {
                best = Some((s, t));
            }
        }
        (best, self.lookalike(name).map(|(sim, _, _)| sim))
    }
}

/// The threat model built into Scry: `scry-risk`'s committed lexical
/// classifiers (see `crates/scry-risk/model/README.md`).
#[derive(Debug, Clone, Copy)]
pub struct BuiltinScorer(&'static scry_risk::Model);

/// The built-in threat model.
pub fn builtin_scorer() -> BuiltinScorer {
    BuiltinScorer(scry_risk::Model::builtin())
}

/// The report's form of a `scry-risk` profile.
fn threat_profile(p: scry_risk::ThreatProfile) -> ThreatProfile {
    ThreatProfile {
        scores: vec![
            ("phishing".into(), p.phishing),
            ("malware".into(), p.malware),
            ("spam".into(), p.spam),
        ],
        evidence: p
            .evidence
            .into_iter()
            .map(|e| Evidence {
                component: e.threat.as_str().to_string(),
                feature: e.feature,
                text: e.detail,
            })
            .collect(),
    }
}

impl ThreatScorer for BuiltinScorer {
    fn profile(&self, name: &DomainName) -> ThreatProfile {
        threat_profile(self.0.score(name))
    }

    fn lookalike(&self, name: &DomainName) -> Option<(u8, String, Vec<String>)> {
        scry_risk::lookalike_of(name)
    }

    /// One feature extraction, one look-alike match (`scry-risk` tests
    /// that this is `profile` and `lookalike`).
    fn assess(&self, name: &DomainName) -> (ThreatProfile, Option<(u8, String, String)>) {
        let (p, l) = self.0.score_and_lookalike(name);
        (
            threat_profile(p),
            l.map(|l| (l.similarity, l.brand, l.techniques)),
        )
    }

    fn model(&self) -> String {
        format!("scry-risk {}", scry_risk::MODEL_NAME)
    }

    /// One feature extraction (one look-alike match), no evidence.
    fn quick(&self, name: &DomainName) -> (Option<(u8, String)>, Option<u8>) {
        let (scores, sim) = self.0.scores_and_lookalike(name);
        let mut best = 0;
        for t in 1..scores.len() {
            if scores[t] > scores[best] {
                best = t;
            }
        }
        let threat = ["phishing", "malware", "spam"][best];
        (Some((scores[best], threat.to_string())), sim)
    }
}

/// The `lookalike` component of a similarity: 0 below 75, then linear up
/// to 80 at 100 (50 at about 91: a homoglyph or a one-letter swap of a
/// brand crosses the action threshold, a loose resemblance does not).
pub fn lookalike_risk(similarity: u8) -> u8 {
    match similarity {
        0..=74 => 0,
        s => (f32::from(s - 75) * (80.0 / 25.0)).round().min(80.0) as u8,
    }
}

/// The score of one indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskReport {
    /// The indicator as normalised.
    pub indicator: String,
    /// `domain`, `ip` or `email`.
    #[serde(rename = "type")]
    pub kind: String,
    /// 0–100: the maximum of the components.
    pub risk: u8,
    /// `full` (registration data known) or `provisional`.
    pub status: String,
    /// The components, highest first.
    pub components: Vec<Component>,
    /// Threat types with a component at or above [`RISKY`] (and listed feed kinds).
    pub threats: Vec<String>,
    /// Why.
    pub evidence: Vec<Evidence>,
    /// The threat model used.
    pub model: String,
}

/// Scores indicators against a store.
pub struct RiskEngine<'a> {
    /// The fact store and the state store; `None`: no store at all (the
    /// threat model alone), which scores as an empty store would.
    data: Option<(&'a dyn Store, &'a StateStore)>,
    scorer: &'a dyn ThreatScorer,
    stored_proximity: bool,
    /// The last pass's figures the live proximity query reads, read once
    /// per engine (an engine serves one command, request or batch).
    pass: std::sync::OnceLock<proximity::PassContext>,
}

/// Holder rows examined when deriving an IP's or an e-mail's score.
const MAX_DERIVE: usize = 2_000;

impl<'a> RiskEngine<'a> {
    /// An engine over a store, its state store and a threat model.
    pub fn new(
        store: &'a dyn Store,
        state: &'a StateStore,
        scorer: &'a dyn ThreatScorer,
    ) -> RiskEngine<'a> {
        RiskEngine {
            data: Some((store, state)),
            scorer,
            stored_proximity: false,
            pass: std::sync::OnceLock::new(),
        }
    }

    /// An engine without a store: every report is what an empty store
    /// gives (nothing listed, no proximity, no hosted or registered
    /// domains, `provisional`), from the threat model alone, without
    /// opening (and creating) a store for it.
    pub fn threat_model_only(scorer: &'a dyn ThreatScorer) -> RiskEngine<'a> {
        RiskEngine {
            data: None,
            scorer,
            stored_proximity: false,
            pass: std::sync::OnceLock::new(),
        }
    }

    /// For bulk scoring: read each domain's proximity from the last
    /// rescore instead of computing it live, when that rescore has seen
    /// every event in the store (so the stored results are what the live
    /// query would give). Returns whether it does.
    pub fn use_stored_proximity_if_fresh(&mut self) -> Result<bool> {
        let Some((store, state)) = self.data else {
            return Ok(false);
        };
        let last = store.stats()?.last_event_seq;
        let rescored = state.cursor(proximity::RESCORE_CURSOR)?;
        self.stored_proximity = rescored >= last
            && last > 0
            && state.get("risk/base")?.is_some()
            && proximity::stored_rules_current(state)?;
        Ok(self.stored_proximity)
    }

    /// Scores a domain, an IP or an e-mail address given as text.
    pub fn score(&self, indicator: &str) -> Result<RiskReport> {
        let t = indicator.trim();
        if let Ok(ip) = Ip::parse(t) {
            return self.score_ip(&ip);
        }
        if t.contains('@') {
            let e = Email::parse(t).map_err(|e| IntelError::InvalidValue {
                field: "email".into(),
                reason: e.to_string(),
            })?;
            return self.score_email(&e);
        }
        let d = DomainName::parse(t).map_err(|e| IntelError::InvalidValue {
            field: "domain".into(),
            reason: e.to_string(),
        })?;
        self.score_domain(&d)
    }

    /// The feeds listing a name now: the name itself, its `www.`-less or
    /// `www.` twin, or an ancestor down to its registrable domain.
    /// The names whose listing lists a domain: the name itself, its
    /// `www.` twin (for a registrable domain), and its ancestors down to its
    /// registrable domain.
    fn listed_names(d: &DomainName) -> Vec<String> {
        let mut names = vec![d.ascii().to_string()];
        if let Some(reg) = d.registrable() {
            let mut cur = d.ascii();
            while cur != reg {
                match cur.split_once('.') {
                    Some((_, parent)) => {
                        names.push(parent.to_string());
                        cur = parent;
                    }
                    None => break,
                }
            }
            if d.ascii() == reg {
                names.push(format!("www.{reg}"));
            }
        }
        names
    }

    /// Adds the `listed` component, its evidence and the feeds' threat
    /// kinds for every current listing of `names` (the first is the
    /// indicator itself; the others are named in the evidence).
    fn add_listings(
        &self,
        names: &[String],
        components: &mut Vec<Component>,
        evidence: &mut Vec<Evidence>,
        threats: &mut Vec<String>,
    ) -> Result<()> {
        let Some((_, state)) = self.data else {
            return Ok(());
        };
        let feeds = FeedIndex::new(state);
        for (i, name) in names.iter().enumerate() {
            for l in feeds.listings(name)? {
                if !components.iter().any(|c| c.name == "listed") {
                    components.push(Component {
                        name: "listed".into(),
                        risk: 100,
                    });
                }
                let kind = self.feed_kind(&l.feed);
                let via = if i == 0 {
                    String::new()
                } else {
                    format!(" (as {name})")
                };
                evidence.push(Evidence {
                    component: "listed".into(),
                    feature: "feed".into(),
                    text: format!(
                        "listed in {}{} since {}{via}",
                        l.feed,
                        kind.as_deref()
                            .map(|k| format!(" ({k})"))
                            .unwrap_or_default(),
                        scry_model::format_time(l.since)
                    ),
                });
                if let Some(k) = kind
                    && !threats.contains(&k)
                {
                    threats.push(k);
                }
            }
        }
        Ok(())
    }

    fn feed_kind(&self, feed: &str) -> Option<String> {
        FeedIndex::new(self.data?.1)
            .feed(feed)
            .ok()
            .flatten()
            .map(|m| m.kind.as_str().to_string())
    }

    /// Whether the store has registration data for the registrable domain.
    fn has_registration(&self, d: &DomainName) -> Result<bool> {
        let Some((store, _)) = self.data else {
            return Ok(false);
        };
        let page = store.facts(&FactQuery {
            subject: SubjectSel::Exact(Entity::Domain(d.registrable_name())),
            predicates: vec![
                Predicate::CREATED,
                Predicate::REGISTRAR,
                Predicate::REGISTRANT_EMAIL,
            ],
            fence: TimeFence::default(),
            limit: 1,
        })?;
        Ok(!page.facts.is_empty())
    }

    /// A domain's proximity: (score, evidence texts, whether a value was
    /// too common to weigh).
    fn proximity(
        &self,
        store: &dyn Store,
        state: &StateStore,
        d: &DomainName,
    ) -> Result<(u8, Vec<String>, bool)> {
        if self.stored_proximity {
            return Ok(match proximity::stored(state, d.registrable_or_self())? {
                Some(s) => (s.score, s.evidence, false),
                None => (0, Vec::new(), false),
            });
        }
        let ctx = match self.pass.get() {
            Some(c) => c,
            None => {
                let c = proximity::PassContext::load(state)?;
                self.pass.get_or_init(|| c)
            }
        };
        let p = proximity::domain_proximity_in(store, state, ctx, d)?;
        let texts = p
            .evidence
            .iter()
            .map(proximity::SharedValue::text)
            .collect();
        Ok((p.score, texts, !p.too_common.is_empty()))
    }

    /// Scores a domain.
    pub fn score_domain(&self, d: &DomainName) -> Result<RiskReport> {
        let mut components = Vec::new();
        let mut evidence = Vec::new();
        let mut threats = Vec::new();
        self.add_listings(
            &Self::listed_names(d),
            &mut components,
            &mut evidence,
            &mut threats,
        )?;
        let (score, texts, too_common) = if let Some((store, state)) = self.data {
            self.proximity(store, state, d)?
        } else {
            (0, Vec::new(), false)
        };
        if score > 0 || too_common {
            components.push(Component {
                name: "proximity".into(),
                risk: score,
            });
            for text in texts {
                evidence.push(Evidence {
                    component: "proximity".into(),
                    feature: "shared_value".into(),
                    text,
                });
            }
        }
        let (profile, lookalike) = self.scorer.assess(d);
        if let Some((sim, brand, techniques)) = lookalike {
            let risk = lookalike_risk(sim);
            if risk > 0 {
                components.push(Component {
                    name: "lookalike".into(),
                    risk,
                });
                evidence.push(Evidence {
                    component: "lookalike".into(),
                    feature: "lookalike".into(),
                    text: format!("imitates {brand} ({techniques}; similarity {sim})"),
                });
                if risk >= RISKY && !threats.iter().any(|t| t == "phishing") {
                    threats.push("phishing".into());
                }
            }
        }
        for (t, s) in &profile.scores {
            components.push(Component {
                name: t.clone(),
                risk: *s,
            });
            if *s >= RISKY && !threats.contains(t) {
                threats.push(t.clone());
            }
        }
        evidence.extend(profile.evidence);
        let status = if self.has_registration(d)? {
            "full"
        } else {
            "provisional"
        };
        Ok(finish(
            d.ascii().to_string(),
            "domain",
            status,
            components,
            threats,
            evidence,
            self.scorer.model(),
        ))
    }

    /// The quick score of a registrable domain, for roll-ups and graphs:
    /// listed 100, else the highest of the stored proximity (no live
    /// pivots), the look-alike component and the threat model; with the
    /// component's name.
    pub fn quick_score(&self, reg: &str) -> Result<(u8, String)> {
        let prox = match self.data {
            Some((_, state)) => {
                let feeds = FeedIndex::new(state);
                if proximity::registrable_listed(&feeds, reg)? {
                    let mut l = feeds.listings(reg)?;
                    l.extend(feeds.listings(&format!("www.{reg}"))?);
                    let feed = l
                        .first()
                        .map(|l| l.feed.clone())
                        .unwrap_or_else(|| "a feed".into());
                    return Ok((100, format!("listed in {feed}")));
                }
                proximity::stored(state, reg)?.map_or(0, |s| s.score)
            }
            None => 0,
        };
        let mut best = (prox, "proximity".to_string());
        if let Ok(name) = DomainName::from_normalised(reg) {
            let (threat, sim) = self.scorer.quick(&name);
            if let Some(sim) = sim {
                let s = lookalike_risk(sim);
                if s > best.0 {
                    best = (s, "lookalike".to_string());
                }
            }
            if let Some((s, t)) = threat
                && s > best.0
            {
                best = (s, t);
            }
        }
        Ok(best)
    }

    /// Rolls up the domains holding `predicate = object` into one component.
    fn derive(
        &self,
        predicate: Predicate,
        object: &Entity,
        component: &str,
        verb: &str,
        evidence: &mut Vec<Evidence>,
    ) -> Result<Option<Component>> {
        let Some((store, state)) = self.data else {
            return Ok(None);
        };
        let page = store.pivot(&PivotQuery {
            predicate,
            object: object.clone(),
            scope: Scope::All,
            after: None,
            limit: MAX_DERIVE,
        })?;
        let n = page.count.current + page.count.historic;
        if page.domains.is_empty() {
            return Ok(None);
        }
        let mut bad = Vec::new();
        for (d, _) in &page.domains {
            let (s, why) = self.quick_score(d.ascii())?;
            if s >= RISKY {
                bad.push((s, d.ascii().to_string(), why));
            }
        }
        bad.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let mass: f64 = bad.iter().map(|b| f64::from(b.0) / 100.0).sum();
        let examined = page.domains.len() as u64;
        let risk = proximity::strength(1.0, mass, examined + 1, true, proximity::base_rate(state)?);
        let risk = (99.0 * risk).round() as u8;
        let examples: Vec<String> = bad
            .iter()
            .take(3)
            .map(|(s, d, why)| format!("{d} ({s}, {why})"))
            .collect();
        let scope = if n > examined {
            format!(" (the first {examined} of {n} examined)")
        } else {
            String::new()
        };
        evidence.push(Evidence {
            component: component.into(),
            feature: component.into(),
            text: if bad.is_empty() {
                format!(
                    "{verb} {n} domain{}, none scored {RISKY} or more{scope}",
                    if n == 1 { "" } else { "s" }
                )
            } else {
                format!(
                    "{verb} {} of {n} domains scored {RISKY} or more{scope}: {}",
                    bad.len(),
                    examples.join(", ")
                )
            },
        });
        Ok(Some(Component {
            name: component.into(),
            risk,
        }))
    }

    /// Scores an IP: listed, else from the domains resolving to it.
    pub fn score_ip(&self, ip: &Ip) -> Result<RiskReport> {
        let mut components = Vec::new();
        let mut evidence = Vec::new();
        let mut threats = Vec::new();
        self.add_listings(
            &[ip.to_string()],
            &mut components,
            &mut evidence,
            &mut threats,
        )?;
        if let Some(c) = self.derive(
            Predicate::IP,
            &Entity::Ip(*ip),
            "hosted_domains",
            "hosts",
            &mut evidence,
        )? {
            components.push(c);
        }
        Ok(finish(
            ip.to_string(),
            "ip",
            "full",
            components,
            threats,
            evidence,
            self.scorer.model(),
        ))
    }

    /// Scores an e-mail address: listed, the domains it registered, and the
    /// risk of its own domain (a sender at `paypal-verify.top`).
    pub fn score_email(&self, e: &Email) -> Result<RiskReport> {
        let mut components = Vec::new();
        let mut evidence = Vec::new();
        let mut threats = Vec::new();
        self.add_listings(
            &[e.to_string()],
            &mut components,
            &mut evidence,
            &mut threats,
        )?;
        let object = Entity::Email(e.clone());
        let mut best: Option<Component> = None;
        for p in [
            Predicate::REGISTRANT_EMAIL,
            Predicate::ADMIN_EMAIL,
            Predicate::TECH_EMAIL,
        ] {
            let mut ev = Vec::new();
            if let Some(c) = self.derive(
                p,
                &object,
                "registered_domains",
                &format!("registered ({})", p.name()),
                &mut ev,
            )? && best.as_ref().is_none_or(|b| c.risk > b.risk)
            {
                best = Some(c);
                evidence.retain(|x: &Evidence| x.component != "registered_domains");
                evidence.extend(ev);
            }
        }
        components.extend(best);
        let dom = self.score_domain(e.domain())?;
        components.push(Component {
            name: "sender_domain".into(),
            risk: dom.risk,
        });
        for t in dom.threats {
            if !threats.contains(&t) {
                threats.push(t);
            }
        }
        evidence.push(Evidence {
            component: "sender_domain".into(),
            feature: "sender_domain".into(),
            text: format!("its domain {} scores {}", e.domain().ascii(), dom.risk),
        });
        evidence.extend(dom.evidence.into_iter().take(3).map(|mut x| {
            x.text = format!("{}: {}", e.domain().ascii(), x.text);
            x.component = "sender_domain".into();
            x
        }));
        Ok(finish(
            e.to_string(),
            "email",
            &dom.status,
            components,
            threats,
            evidence,
            self.scorer.model(),
        ))
    }
}

fn finish(
    indicator: String,
    kind: &str,
    status: &str,
    mut components: Vec<Component>,
    threats: Vec<String>,
    evidence: Vec<Evidence>,
    model: String,
) -> RiskReport {
    components.sort_by(|a, b| b.risk.cmp(&a.risk).then_with(|| a.name.cmp(&b.name)));
    components.dedup_by(|a, b| a.name == b.name);
    RiskReport {
        risk: components.first().map_or(0, |c| c.risk),
        indicator,
        kind: kind.into(),
        status: status.into(),
        components,
        threats,
        evidence,
        model,
    }
}

#[cfg(test)]
mod tests;
