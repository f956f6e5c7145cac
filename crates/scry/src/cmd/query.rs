use std::process::ExitCode;

use anyhow::Result;
use scry_intel::output::Profile;
use scry_intel::profile::ProfileOptions;
use scry_model::Predicate;
use scry_store::Scope;

use crate::cli::{Cli, JsonArg, PivotArgs, ProfileArgs, ScopeArg, SearchArgs};
use crate::{open, out};

pub(crate) fn print_profile(p: &Profile) -> Result<()> {
    println!(
        "{}{}{}",
        p.domain,
        if p.domain_unicode != p.domain {
            format!(" ({})", p.domain_unicode)
        } else {
            String::new()
        },
        p.queried
            .as_ref()
            .map(|q| format!("  [asked for {q}]"))
            .unwrap_or_default()
    );
    if !p.found {
        println!("  nothing known about this domain");
        return Ok(());
    }
    println!(
        "  seen {} .. {} by {} ({} facts, {} historic values)",
        p.history.first_seen.as_deref().unwrap_or("-"),
        p.history.last_seen.as_deref().unwrap_or("-"),
        p.history.sources.join(", "),
        p.history.facts,
        p.history.historic_values
    );
    let order = [
        "registration",
        "name_servers",
        "hosting",
        "mail",
        "certificates",
        "dns",
        "lifecycle",
    ];
    for section in order {
        let Some(fields) = p.sections.get(section) else {
            continue;
        };
        println!("\n{section}");
        let mut rows = Vec::new();
        for (field, values) in fields {
            for v in values {
                let mut value = v.value.clone();
                if let Some(asn) = v.asn {
                    value.push_str(&format!(
                        " (AS{asn}{})",
                        v.asn_org
                            .as_ref()
                            .map(|o| format!(" {o}"))
                            .unwrap_or_default()
                    ));
                }
                rows.push(vec![
                    format!("  {field}"),
                    value,
                    v.count.to_string(),
                    if v.guided {
                        "guided".into()
                    } else {
                        String::new()
                    },
                    if v.current {
                        "current".into()
                    } else {
                        "historic".into()
                    },
                    v.last_seen.clone(),
                ]);
            }
        }
        out::table(
            &["  field", "value", "count", "pivot", "state", "last seen"],
            &rows,
        )?;
    }
    if p.hosts.len() > 1 {
        println!("\nhosts");
        for h in &p.hosts {
            println!("  {} ({} facts)", h.name, h.facts);
        }
    }
    Ok(())
}

pub(crate) fn profile(cli: &Cli, a: &ProfileArgs) -> Result<ExitCode> {
    let opened = open::open(cli, false)?;
    let p = scry_intel::profile::profile(
        opened.store.as_ref(),
        &a.domain,
        &ProfileOptions {
            guided_max: a.guided,
            ..Default::default()
        },
    )?;
    if a.json {
        out::json(&p)?;
    } else {
        print_profile(&p)?;
    }
    Ok(if p.found {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

pub(crate) fn pivot(cli: &Cli, a: &PivotArgs) -> Result<ExitCode> {
    let opened = open::open(cli, false)?;
    let scope = match a.scope {
        ScopeArg::Current => Scope::Current,
        ScopeArg::Historic => Scope::Historic,
        ScopeArg::All => Scope::All,
    };
    let r = scry_intel::pivot::pivot(
        opened.store.as_ref(),
        &a.field,
        &a.value,
        scope,
        a.cursor.as_deref(),
        a.limit,
    )?;
    if a.json {
        out::json(&r)?;
    } else {
        println!(
            "{}={}: {} domains now, {} before",
            r.field, r.value, r.total, r.historic_total
        );
        for d in &r.domains {
            println!("{d}");
        }
        if let Some(c) = &r.next_cursor {
            eprintln!("more: --cursor {c}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn search(cli: &Cli, a: &SearchArgs) -> Result<ExitCode> {
    let opened = open::open(cli, false)?;
    let r = scry_intel::search::search(
        opened.store.as_ref(),
        &a.query,
        a.cursor.as_deref(),
        a.limit,
    )?;
    if a.json {
        out::json(&r)?;
    } else {
        println!("{}: {} domains", r.query, r.total);
        for d in &r.domains {
            println!("{d}");
        }
        if let Some(c) = &r.next_cursor {
            eprintln!("more: --cursor {c}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn fields(a: &JsonArg) -> Result<ExitCode> {
    let rows: Vec<Vec<String>> = Predicate::all()
        .iter()
        .map(|p| {
            vec![
                p.name.to_string(),
                p.object.as_str().to_string(),
                p.group.as_str().to_string(),
                p.rrtypes
                    .iter()
                    .map(|r| scry_model::rrtype_mnemonic(*r))
                    .collect::<Vec<_>>()
                    .join(","),
                if p.pivot { "yes".into() } else { String::new() },
            ]
        })
        .collect();
    if a.json {
        let v: Vec<_> = Predicate::all()
            .iter()
            .map(|p| {
                serde_json::json!({
                    "field": p.name, "object": p.object.as_str(), "group": p.group.as_str(),
                    "rrtypes": p.rrtypes, "pivot": p.pivot,
                })
            })
            .collect();
        out::json(&v)?;
    } else {
        out::table(&["field", "object", "group", "rrtypes", "pivot"], &rows)?;
    }
    Ok(ExitCode::SUCCESS)
}
