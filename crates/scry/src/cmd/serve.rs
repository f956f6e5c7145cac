//! `scry serve` and `scry keys`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use scry_server::{Scope, ServeOptions, keys};

use crate::cli::{Cli, ExportArgs, GraphArgs, KeysCmd, ServeArgs};
use crate::cmd::ingest::now;
use crate::{open, out};

pub(crate) fn serve(cli: &Cli, a: &ServeArgs) -> Result<ExitCode> {
    let opened = open::open(cli, true)?;
    let store: Arc<dyn scry_store::Store> = Arc::from(opened.store);
    let _dir = opened._dir;
    scry_server::serve(
        store,
        opened.state,
        &ServeOptions {
            listen: a.listen,
            rate_per_minute: a.rate_limit,
            tls: a.tls_cert.clone().zip(a.tls_key.clone()),
        },
        |addr| {
            let scheme = if a.tls_cert.is_some() {
                "https"
            } else {
                "http"
            };
            eprintln!("scry serve: listening on {scheme}://{addr}");
            eprintln!("scry serve: web UI at {scheme}://{addr}/ (sign in with an API key)");
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn keys(cli: &Cli, c: &KeysCmd) -> Result<ExitCode> {
    let opened = open::open(cli, true)?;
    match c {
        KeysCmd::Create(a) => {
            let scope = Scope::parse(&a.scope).ok_or_else(|| {
                anyhow::anyhow!("--scope {:?}: expected read, write or admin", a.scope)
            })?;
            let (secret, info) = keys::create_key(&opened.state, scope, &a.name, now())?;
            println!("{secret}");
            eprintln!(
                "key {} ({}) created; it is not shown again",
                info.id,
                info.scope.as_str()
            );
        }
        KeysCmd::List(a) => {
            let all = keys::list_keys(&opened.state)?;
            if a.json {
                out::json(&all)?;
            } else {
                let rows: Vec<Vec<String>> = all
                    .iter()
                    .map(|k| {
                        vec![
                            k.id.clone(),
                            k.name.clone(),
                            k.scope.as_str().to_string(),
                            scry_model::format_time(k.created),
                            if k.revoked { "revoked" } else { "active" }.to_string(),
                        ]
                    })
                    .collect();
                out::table(&["id", "name", "scope", "created", "state"], &rows)?;
            }
        }
        KeysCmd::Revoke(a) => {
            if !keys::revoke_key(&opened.state, &a.id)? {
                anyhow::bail!("no key with id {}", a.id);
            }
            eprintln!("key {} revoked", a.id);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn graph(cli: &Cli, a: &GraphArgs) -> Result<ExitCode> {
    let opened = open::open(cli, false)?;
    let scorer = scry_intel::risk::builtin_scorer();
    let engine = scry_intel::risk::RiskEngine::new(opened.store.as_ref(), &opened.state, &scorer);
    let g = scry_intel::graph::graph(
        opened.store.as_ref(),
        &engine,
        &a.seed,
        &scry_intel::graph::GraphOptions {
            depth: a.depth,
            max_nodes: a.max_nodes,
            max_fanout: a.max_fanout,
        },
    )?;
    if a.json {
        out::json(&g)?;
    } else if a.csv {
        println!("source,target,field,first_seen,last_seen,current");
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        for e in &g.edges {
            println!(
                "{},{},{},{},{},{}",
                q(&e.source),
                q(&e.target),
                e.field,
                e.first_seen,
                e.last_seen,
                e.current
            );
        }
    } else {
        let rows: Vec<Vec<String>> = g
            .nodes
            .iter()
            .map(|n| {
                vec![
                    n.depth.to_string(),
                    n.kind.clone(),
                    n.label.clone(),
                    n.holders.map(|h| h.to_string()).unwrap_or_default(),
                    n.risk
                        .map(|r| format!("{r} ({})", n.risk_reason.as_deref().unwrap_or("")))
                        .unwrap_or_default(),
                ]
            })
            .collect();
        out::table(&["hop", "type", "value", "holders", "risk"], &rows)?;
        eprintln!(
            "{} nodes, {} edges{}",
            g.nodes.len(),
            g.edges.len(),
            if g.truncated {
                " (cut at --max-nodes)"
            } else {
                ""
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn export(cli: &Cli, a: &ExportArgs) -> Result<ExitCode> {
    let mut sel: Vec<String> = a.domains.clone();
    if let Some(f) = &a.file {
        let text =
            std::fs::read_to_string(f).map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
        sel.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string),
        );
    }
    if let Some(seed) = &a.graph {
        let opened = open::open(cli, false)?;
        let scorer = scry_intel::risk::builtin_scorer();
        let engine =
            scry_intel::risk::RiskEngine::new(opened.store.as_ref(), &opened.state, &scorer);
        let g = scry_intel::graph::graph(
            opened.store.as_ref(),
            &engine,
            seed,
            &scry_intel::graph::GraphOptions::default(),
        )?;
        sel.extend(
            g.nodes
                .into_iter()
                .filter(|n| n.kind == "domain" && n.risk.unwrap_or(0) >= a.min_risk)
                .map(|n| n.label),
        );
    }
    if sel.is_empty() {
        anyhow::bail!("nothing selected: give domains, --file or --graph");
    }
    let text = match a.format.as_str() {
        "rpz" => scry_intel::export::rpz(&sel, &a.origin, now().max(0) as u32)?,
        "list" => scry_intel::export::plain_list(&sel)?,
        other => anyhow::bail!("format {other:?}: expected rpz or list"),
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}
