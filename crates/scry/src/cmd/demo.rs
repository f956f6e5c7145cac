//! `scry demo`: a whole investigation on a generated world, from a fresh
//! store. It generates a small synthetic internet, ingests it through the
//! real file formats (zone files, WHOIS, RDAP, passive DNS), starts from one
//! domain a threat feed lists, follows its guided pivots to the rest of its
//! campaign, measures that against the world's ground truth, and shows the
//! day's new look-alike registrations.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use scry_ingest::pdns::{PdnsOptions, ingest_pdns};
use scry_ingest::registration::{RegKind, RegOptions, ingest_paths};
use scry_ingest::zone::{ZoneIngestOptions, ingest_zone, zone_diff};
use scry_intel::profile::ProfileOptions;
use scry_lookalike::{Brand, Matcher, MatcherOptions};
use scry_store::{Scope, Store};

use crate::cli::{Cli, DemoArgs};
use crate::cmd::ingest::now;
use crate::cmd::query::print_profile;
use crate::{open, out};

pub(crate) struct Label {
    pub(crate) domain: String,
    pub(crate) label: String,
    pub(crate) campaign: Option<String>,
    pub(crate) listed: bool,
}

pub(crate) fn read_labels(path: &Path) -> Result<Vec<Label>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    let mut out = Vec::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        if v["infrastructure"] == true {
            continue;
        }
        out.push(Label {
            domain: v["domain"].as_str().unwrap_or_default().to_string(),
            label: v["label"].as_str().unwrap_or_default().to_string(),
            campaign: v["campaign"].as_str().map(str::to_string),
            listed: v["listed"] == true,
        });
    }
    Ok(out)
}

/// Ingests the world's threat feeds (`feeds/*.txt`, `feeds/urlhaus.csv`)
/// as one version each, dated `as_of`.
pub(crate) fn ingest_feeds(
    store: &dyn Store,
    state: &scry_store::StateStore,
    world: &Path,
    as_of: scry_model::Timestamp,
    quiet: bool,
) -> Result<()> {
    use scry_store::feeds::FeedKind;
    for f in sorted_entries(&world.join("feeds"))? {
        let stem = f
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let kind = if stem.contains("phishing") {
            FeedKind::Phishing
        } else if stem.contains("spam") {
            FeedKind::Spam
        } else {
            FeedKind::Malware
        };
        let s = scry_ingest::feed::ingest_feed(
            store,
            state,
            &f,
            &scry_ingest::feed::FeedOptions {
                name: stem.trim_end_matches("-domains").to_string(),
                kind,
                format: None,
                as_of: Some(as_of),
                strict: false,
                now: now(),
            },
            &mut |_| {},
        )?;
        if !quiet {
            eprintln!("  feed {}: {} listed", s.feed, s.entries);
        }
    }
    Ok(())
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| dir.display().to_string()),
    };
    v.sort();
    Ok(v)
}

pub(crate) fn ingest_world(
    store: &dyn Store,
    world: &Path,
    runs_dir: &Path,
    quiet: bool,
) -> Result<()> {
    let now = now();
    let say = |s: String| {
        if !quiet {
            eprintln!("  {s}");
        }
    };
    for tld in sorted_entries(&world.join("zones"))? {
        for f in sorted_entries(&tld)? {
            let s = ingest_zone(
                store,
                &f,
                &ZoneIngestOptions {
                    zone_form: true,
                    origin: None,
                    date: None,
                    strict: true,
                    runs_dir: runs_dir.to_path_buf(),
                    now,
                },
                &mut |_| {},
            )?;
            say(format!("zone {}: {} facts stored", f.display(), s.stored));
        }
    }
    for (kind, dir) in [(RegKind::Whois, "whois"), (RegKind::Rdap, "rdap")] {
        for day in sorted_entries(&world.join(dir))? {
            let date = day
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| scry_model::parse_time(n).ok());
            let s = ingest_paths(
                store,
                std::slice::from_ref(&day),
                &RegOptions {
                    kind,
                    observed_at: date,
                    strict: false,
                    now,
                },
                &mut |_| {},
            )?;
            say(format!(
                "{dir} {}: {} records, {} rejected",
                day.display(),
                s.read,
                s.rejected
            ));
        }
    }
    for f in sorted_entries(&world.join("ct"))? {
        let s = scry_ingest::ct::ingest_ct(
            store,
            &f,
            &scry_ingest::ct::CtOptions {
                strict: false,
                batch_size: 50_000,
                now,
            },
            &mut |_| {},
        )?;
        say(format!("ct {}: {} facts", f.display(), s.stored));
    }
    for f in sorted_entries(&world.join("pdns"))? {
        let s = ingest_pdns(
            store,
            &f,
            &PdnsOptions {
                format: Some(scry_parse::pdns::PdnsFormat::Cof),
                strict: false,
                batch_size: 50_000,
                dns_ports: vec![53],
                now,
                bulk_min_bytes: Some(64 << 20),
                fact_path: false,
            },
            &mut |_| {},
        )?;
        say(format!("pdns {}: {} records", f.display(), s.stored));
    }
    let table = world.join("asn").join("ip2asn-v4.tsv");
    if std::fs::metadata(&table).is_ok() {
        let s = scry_ingest::asn::ingest_asn(
            store,
            &table,
            &scry_ingest::asn::AsnOptions {
                observed_at: None,
                strict: true,
                now,
                page: scry_ingest::asn::DEFAULT_PAGE,
            },
            &mut |_| {},
        )?;
        say(format!("asn {}: {} facts", table.display(), s.stored));
    }
    Ok(())
}

pub(crate) fn run(cli: &Cli, a: &DemoArgs) -> Result<ExitCode> {
    let quiet = a.json;
    let tmp;
    let world = match &a.world {
        Some(w) => w.clone(),
        None => {
            tmp = TempDir::new()?;
            tmp.0.clone()
        }
    };
    if !quiet {
        println!(
            "== 1. generating a synthetic internet: {} domains over {} days (seed {})",
            a.domains, a.days, a.seed
        );
    }
    let mut cfg = scry_gen::GenConfig::new(a.domains, a.days, a.seed);
    cfg.whois_actor = 1.0;
    let g = crate::cmd::generate::world(&cfg, &world, quiet)?;
    if !quiet {
        println!(
            "   {} files, {} listed domains in the feeds\n",
            g.files, g.listed
        );
        println!(
            "== 2. ingesting it into {} (zone files, WHOIS, RDAP, CT, passive DNS, IP-to-ASN)",
            cli.data_dir.display()
        );
    }
    let opened = open::open(cli, true)?;
    let store = opened.store.as_ref();
    ingest_world(store, &world, &cli.data_dir.join("zones"), quiet)?;
    let as_of = scry_model::parse_time(&cfg.start_date.to_string())? + i64::from(a.days) * 86_400;
    ingest_feeds(store, &opened.state, &world, as_of, quiet)?;
    let pass =
        scry_intel::risk::proximity::full_pass(store, &opened.state, now(), &mut |_, _, _| {})?;
    if !quiet {
        println!(
            "   threat feeds ingested; proximity pass: {} listed domains, {} domains near them, {} at 50 or more ({:.1}s)",
            pass.seeds,
            pass.scored,
            pass.high,
            pass.elapsed_ms as f64 / 1000.0
        );
    }

    // 3. The reported domain: a listed member of the biggest phishing campaign.
    let labels = read_labels(&world.join("labels.ndjson"))?;
    let mut campaigns: BTreeMap<String, Vec<&Label>> = BTreeMap::new();
    for l in labels.iter().filter(|l| l.label == "phishing") {
        if let Some(c) = &l.campaign {
            campaigns.entry(c.clone()).or_default().push(l);
        }
    }
    let (campaign, members) = campaigns
        .iter()
        .filter(|(_, m)| m.iter().any(|l| l.listed) && m.iter().any(|l| !l.listed))
        .max_by_key(|(c, m)| (m.len(), std::cmp::Reverse((*c).clone())))
        .context("the generated world has no phishing campaign with listed and unlisted domains; use more --domains")?;
    let seed = members
        .iter()
        .filter(|l| l.listed)
        .map(|l| l.domain.clone())
        .min()
        .context("no listed domain")?;
    let unlisted: BTreeSet<String> = members
        .iter()
        .filter(|l| !l.listed)
        .map(|l| l.domain.clone())
        .collect();
    if !quiet {
        println!("\n== 3. a feed lists {seed}; its profile:\n");
    }
    let profile = scry_intel::profile::profile(store, &seed, &ProfileOptions::default())?;
    if !quiet {
        print_profile(&profile)?;
        println!(
            "\n== 4. following its guided pivots (values shared by 2..{} domains):\n",
            profile.guided_max
        );
    }
    let mut reached: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut pivots = Vec::new();
    for fields in profile.sections.values() {
        for (field, values) in fields {
            for v in values.iter().filter(|v| v.guided && v.current) {
                let r =
                    scry_intel::pivot::pivot(store, field, &v.value, Scope::Current, None, 1000)?;
                if !quiet {
                    println!("   {field}={}: {} domains", r.value, r.total);
                }
                pivots
                    .push(serde_json::json!({"field": field, "value": r.value, "total": r.total}));
                for d in r.domains {
                    if d != profile.domain {
                        let via = reached.entry(d).or_default();
                        if !via.contains(field) {
                            via.push(field.clone());
                        }
                    }
                }
            }
        }
    }
    let found_unlisted = unlisted.iter().filter(|d| reached.contains_key(*d)).count();
    let coverage = if unlisted.is_empty() {
        1.0
    } else {
        found_unlisted as f64 / unlisted.len() as f64
    };
    let campaign_set: BTreeSet<&str> = members.iter().map(|l| l.domain.as_str()).collect();
    let outside = reached
        .keys()
        .filter(|d| !campaign_set.contains(d.as_str()))
        .count();
    if !quiet {
        println!(
            "\n   reached {} domains: {found_unlisted} of the campaign's {} unlisted domains ({:.0}%), {} outside it",
            reached.len(),
            unlisted.len(),
            coverage * 100.0,
            outside
        );
        let label_of: BTreeMap<&str, &str> = labels
            .iter()
            .map(|l| (l.domain.as_str(), l.label.as_str()))
            .collect();
        let mut shown: Vec<(&String, &Vec<String>)> = reached.iter().collect();
        // Campaign members first, then the rest.
        shown.sort_by_key(|(d, _)| (!campaign_set.contains(d.as_str()), (*d).clone()));
        for (d, via) in shown.into_iter().take(20) {
            let other = format!(
                "other: {}",
                label_of.get(d.as_str()).copied().unwrap_or("unlabelled")
            );
            let mark = if unlisted.contains(d) {
                "unlisted campaign domain"
            } else if campaign_set.contains(d.as_str()) {
                "listed campaign domain"
            } else {
                other.as_str()
            };
            println!("   {d:40} via {:40} [{mark}]", via.join(","));
        }
    }

    // 4b. Risk: the listed seed and the campaign's unlisted domains.
    let scorer = scry_intel::risk::builtin_scorer();
    let engine = scry_intel::risk::RiskEngine::new(store, &opened.state, &scorer);
    let mut risky_unlisted = 0usize;
    for d in &unlisted {
        if engine.score(d)?.risk >= scry_intel::risk::RISKY {
            risky_unlisted += 1;
        }
    }
    if !quiet {
        println!(
            "\n== 4b. risk scores (scry risk): the listed domain and an unlisted one of its campaign\n"
        );
        for d in [Some(&seed), unlisted.iter().next()].into_iter().flatten() {
            let r = engine.score(d)?;
            println!(
                "   {d}: risk {} ({}), components: {}",
                r.risk,
                r.status,
                r.components
                    .iter()
                    .map(|c| format!("{} {}", c.name, c.risk))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for e in r.evidence.iter().take(3) {
                println!("     - [{}] {}", e.component, e.text);
            }
        }
        println!(
            "   {risky_unlisted} of the campaign's {} unlisted domains score {} or more",
            unlisted.len(),
            scry_intel::risk::RISKY
        );
    }

    // 5. New look-alike registrations of the last day.
    let brands: Vec<Brand> = scry_gen::brands().map(|(_, d)| Brand::new(d)).collect();
    let matcher = Matcher::new(&brands, &MatcherOptions::default())?;
    let mut lookalikes = Vec::new();
    for tld in sorted_entries(&cli.data_dir.join("zones"))? {
        let origin = tld
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let runs = scry_ingest::zone::snapshots(&cli.data_dir.join("zones"), &origin)?;
        if runs.len() < 2 {
            continue;
        }
        zone_diff(
            &cli.data_dir.join("zones"),
            &origin,
            None,
            None,
            &mut |_, ch| {
                if ch.kind == "added" {
                    for m in matcher.match_domain(&ch.domain) {
                        lookalikes.push(m);
                    }
                }
                Ok(())
            },
        )?;
    }
    lookalikes.sort_by(|a, b| {
        b.similarity
            .cmp(&a.similarity)
            .then_with(|| a.domain.cmp(&b.domain))
    });
    if !quiet {
        println!(
            "\n== 5. the last day's new registrations that imitate a brand: {}\n",
            lookalikes.len()
        );
        for m in lookalikes.iter().take(10) {
            println!(
                "   {:40} imitates {:20} {:3}  {}",
                m.domain,
                m.brand,
                m.similarity,
                m.techniques
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            );
        }
        println!(
            "\nTry: scry --data-dir {} profile {}   |   scry pivot nameserver_host <ns> --json",
            cli.data_dir.display(),
            unlisted.iter().next().map_or(seed.as_str(), String::as_str)
        );
    } else {
        out::json(&serde_json::json!({
            "seed": seed,
            "campaign": campaign,
            "campaign_domains": members.len(),
            "unlisted": unlisted.len(),
            "reached": reached.len(),
            "reached_unlisted": found_unlisted,
            "coverage": coverage,
            "reached_outside_campaign": outside,
            "unlisted_risky": risky_unlisted,
            "proximity_pass": pass,
            "pivots": pivots,
            "lookalikes": lookalikes.len(),
        }))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir> {
        let p = std::env::temp_dir().join(format!("scry-demo-world-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).with_context(|| p.display().to_string())?;
        Ok(TempDir(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
