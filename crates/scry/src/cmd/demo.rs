use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context, Result};
use scry_ingest::facts::{FactsOptions, ingest_file};
use scry_intel::profile::ProfileOptions;
use scry_store::Scope;

use crate::cli::{Cli, DemoArgs};
use crate::cmd::query::print_profile;
use crate::{open, out};

const FACTS: &str = include_str!("../../demo/facts.ndjson");
const SEED: &str = "northbank-secure-login.com";

pub(crate) fn run(cli: &Cli, a: &DemoArgs) -> Result<ExitCode> {
    let opened = open::open(cli, true)?;
    let store = opened.store.as_ref();
    let tmp = std::env::temp_dir().join(format!("scry-demo-{}.ndjson", std::process::id()));
    std::fs::write(&tmp, FACTS).with_context(|| format!("writing {}", tmp.display()))?;
    let summary = ingest_file(
        store,
        &tmp,
        &FactsOptions {
            default_source: "demo".into(),
            strict: true,
            batch_size: 10_000,
            now: crate::cmd::ingest::now(),
        },
        &mut |_| {},
    );
    let _ = std::fs::remove_file(&tmp);
    let summary = summary?;
    if !a.json {
        println!(
            "== 1. ingest: {} observations ({} already stored before) into {}\n",
            summary.stored,
            summary.skipped,
            cli.data_dir.display()
        );
        println!("== 2. a user reported {SEED}; its profile:\n");
    }
    let profile = scry_intel::profile::profile(store, SEED, &ProfileOptions::default())?;
    if a.json {
        out::json(&profile)?;
    } else {
        print_profile(&profile)?;
        println!("\n== 3. following its guided pivots (values shared by 2..500 domains):\n");
    }
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for fields in profile.sections.values() {
        for (field, values) in fields {
            for v in values.iter().filter(|v| v.guided && v.current) {
                let r =
                    scry_intel::pivot::pivot(store, field, &v.value, Scope::Current, None, 500)?;
                if a.json {
                    out::json(&r)?;
                } else {
                    println!("  {field}={}: {} domains", r.value, r.total);
                }
                for d in r.domains {
                    if d != profile.domain {
                        let via = found.entry(d).or_default();
                        if !via.contains(field) {
                            via.push(field.clone());
                        }
                    }
                }
            }
        }
    }
    if !a.json {
        println!("\n== 4. related domains, with the values they share with {SEED}:\n");
        for (d, via) in &found {
            println!("  {d:32} {}", via.join(", "));
        }
        let q = "nameserver_host=ns1.bulletproof-dns.net AND NOT registrant_email=reg.desk@mailbox-ultra.net";
        let r = scry_intel::search::search(store, q, None, 100)?;
        println!(
            "\n== 5. search: {q}\n   -> {} domains: {}",
            r.total,
            r.domains.join(", ")
        );
        println!(
            "\nTry: scry --data-dir {} profile northbnak.com   |   scry pivot ip 203.0.113.45 --json",
            cli.data_dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
