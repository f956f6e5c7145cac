//! `scry lookup`: live look-ups stored as observations and documents, so
//! history starts today and `scry profile` shows them.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use scry_lookup::{
    BootstrapSource, DomainResult, GateLimits, Lookup, LookupConfig, ServerTable, What,
    WhoisConfig, whois,
};
use scry_model::{Entity, Predicate};
use scry_store::{Document, Store, WriteBatch};

use crate::cli::{Cli, LookupArgs};
use crate::{open, out};

/// Most domains read from `--file`.
const MAX_DOMAINS: usize = 1_000_000;

pub(crate) fn run(cli: &Cli, a: &LookupArgs) -> Result<ExitCode> {
    let what = What::parse(&a.what)?;
    let mut domains = a.domains.clone();
    if let Some(f) = &a.file {
        let text = std::fs::read_to_string(f).with_context(|| f.display().to_string())?;
        domains.extend(
            text.lines()
                .map(|l| l.split('#').next().unwrap_or("").trim())
                .filter(|l| !l.is_empty())
                .map(str::to_string),
        );
    }
    if domains.len() > MAX_DOMAINS {
        anyhow::bail!("more than {MAX_DOMAINS} domains");
    }
    let opened = open::open(cli, true)?;
    let engine = Lookup::new(config(cli, a)?)?;
    let now = crate::cmd::ingest::now();
    let started = Instant::now();
    let (mut all_ok, mut n, mut facts) = (true, 0usize, 0u64);
    let mut write_err = None;
    engine.lookup_many(&domains, what, a.concurrency, now, &mut |r| {
        n += 1;
        all_ok &= r.steps.iter().any(|s| s.ok);
        match store(opened.store.as_ref(), &r) {
            Ok(stored) => {
                facts += stored as u64;
                if let Err(e) = print(&r, stored, a.json) {
                    write_err.get_or_insert(e);
                }
            }
            Err(e) => {
                write_err.get_or_insert(e);
            }
        }
    });
    if let Some(e) = write_err {
        return Err(e);
    }
    tracing::info!(
        domains = n,
        observations = facts,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "lookup done"
    );
    if !a.json && n > 1 {
        println!(
            "{n} domains, {facts} observations stored in {:.2}s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn config(cli: &Cli, a: &LookupArgs) -> Result<LookupConfig> {
    let mut cfg = LookupConfig::default();
    let timeout = Duration::from_secs(a.timeout.clamp(1, 300));
    let table = match &a.whois_servers {
        Some(dir) => ServerTable::load(dir).with_context(|| dir.display().to_string())?,
        None => ServerTable::default(),
    };
    let mut connect_to = HashMap::new();
    for spec in &a.whois_host {
        let (host, addr) = spec
            .split_once('=')
            .with_context(|| format!("--whois-host {spec:?}: expected HOST=IP:PORT"))?;
        let addr = addr
            .parse()
            .with_context(|| format!("--whois-host {spec:?}: expected HOST=IP:PORT"))?;
        connect_to.insert(host.trim().to_ascii_lowercase(), addr);
    }
    cfg.allow_private = a.allow_private;
    cfg.resolver = a.resolver;
    cfg.whois = WhoisConfig {
        root: a.whois_root.clone(),
        table,
        connect_to,
        timeouts: whois::Timeouts {
            connect: timeout.min(Duration::from_secs(5)),
            io: timeout,
            total: timeout * 3,
        },
    };
    cfg.bootstrap = BootstrapSource {
        url: a.rdap_bootstrap.clone(),
        cache_dir: Some(cli.data_dir.clone()),
        max_age: Duration::from_secs(86_400),
    };
    cfg.tls_port = a.tls_port;
    cfg.timeout = timeout;
    cfg.gates = GateLimits {
        per_server: a.per_server.max(1),
        interval: Duration::from_millis(a.interval_ms),
        backoff: Duration::from_secs(5),
        max_wait: timeout * 6,
    };
    Ok(cfg)
}

/// Writes a result in one batch; returns the observations stored.
fn store(store: &dyn Store, r: &DomainResult) -> Result<usize> {
    if r.observations.is_empty() && r.documents.is_empty() {
        return Ok(0);
    }
    let documents = r
        .documents
        .iter()
        .map(|d| Document {
            subject: Entity::Domain(d.subject.clone()),
            kind: d.kind.clone(),
            time: r.time,
            source: d.source.clone(),
            body: d.body.clone(),
        })
        .collect();
    // New names are announced like passive-DNS first sightings (source
    // `active-dns`), and a first registration record like an ingested one,
    // so monitors see what a look-up found.
    let mut events = scry_ingest::first_seen_events(
        store,
        &r.observations,
        "pdns_first_seen",
        "active-dns",
        r.time,
    )?;
    let registration = [
        Predicate::REGISTRAR,
        Predicate::CREATED,
        Predicate::REGISTRANT_EMAIL,
    ];
    for reg in r
        .observations
        .iter()
        .filter(|o| registration.contains(&o.predicate))
        .filter_map(|o| o.subject.as_domain().map(|d| d.registrable_name()))
        .collect::<std::collections::BTreeSet<_>>()
    {
        let known = store.facts(&scry_store::FactQuery {
            subject: scry_store::SubjectSel::Exact(Entity::Domain(reg.clone())),
            predicates: registration.to_vec(),
            fence: scry_store::TimeFence::default(),
            limit: 1,
        })?;
        if known.facts.is_empty() {
            // The registrant fields, as registration ingest names them, so
            // registrant monitors match look-ups too.
            let mut data =
                std::collections::BTreeMap::from([("source".to_string(), "lookup".to_string())]);
            let mut fields = Vec::new();
            for (p, field) in [
                (Predicate::REGISTRANT_EMAIL, "registrant.email"),
                (Predicate::REGISTRANT_ORG, "registrant.org"),
                (Predicate::REGISTRANT_NAME, "registrant.name"),
            ] {
                if let Some(o) = r.observations.iter().find(|o| {
                    o.predicate == p
                        && o.subject.as_domain().map(|d| d.registrable_name()) == Some(reg.clone())
                }) {
                    data.insert(format!("{field}_new"), o.object.to_string());
                    fields.push(field);
                }
            }
            data.insert("fields".to_string(), fields.join(","));
            events.push(scry_store::NewEvent {
                time: r.time,
                kind: "whois_new".into(),
                subject: reg.ascii().to_string(),
                data,
            });
        }
    }
    store.write(WriteBatch {
        observations: r.observations.clone(),
        documents,
        events,
        ..Default::default()
    })?;
    Ok(r.observations.len())
}

#[derive(serde::Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    result: &'a DomainResult,
    stored: usize,
    documents: usize,
}

fn print(r: &DomainResult, stored: usize, json: bool) -> Result<()> {
    if json {
        return out::json(&Line {
            result: r,
            stored,
            documents: r.documents.len(),
        });
    }
    let name = if r.domain.is_empty() {
        &r.input
    } else {
        &r.domain
    };
    println!(
        "{name}: {stored} observations, {} documents",
        r.documents.len()
    );
    let rows: Vec<Vec<String>> = r
        .steps
        .iter()
        .map(|s| {
            vec![
                format!("  {:?}", s.step).to_lowercase(),
                if s.ok { "ok" } else { "FAILED" }.to_string(),
                s.observations.to_string(),
                format!("{}ms", s.elapsed_ms),
                s.error.clone().unwrap_or_else(|| s.detail.clone()),
            ]
        })
        .collect();
    out::table(&["  step", "status", "facts", "time", "detail"], &rows)
}
