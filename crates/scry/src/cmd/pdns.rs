use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use scry_intel::pdns::{PdnsOptions, RdataKind, parse_bound, rdata, rrset, summarize};
use scry_store::TimeFence;

use crate::cli::{Cli, PdnsCmd, PdnsQueryArgs, RdataKindArg};
use crate::{open, out};

/// Exit status when results were cut by --limit.
const LIMITED: u8 = 4;

fn options(q: &PdnsQueryArgs) -> Result<PdnsOptions> {
    let now = crate::cmd::ingest::now();
    let b = |s: &Option<String>| -> Result<Option<i64>> {
        Ok(match s {
            Some(x) => Some(parse_bound(x, now)?),
            None => None,
        })
    };
    let rrtype = match &q.rrtype {
        Some(t) => Some(
            scry_model::rrtype_from_mnemonic(t)
                .ok_or_else(|| anyhow::anyhow!("unknown rrtype {t:?}"))?,
        ),
        None => None,
    };
    Ok(PdnsOptions {
        rrtype,
        fence: TimeFence {
            first_before: b(&q.first_before)?,
            first_after: b(&q.first_after)?,
            last_before: b(&q.last_before)?,
            last_after: b(&q.last_after)?,
        },
        limit: q.limit,
        offset: q.offset,
    })
}

pub(crate) fn run(cli: &Cli, c: &PdnsCmd) -> Result<ExitCode> {
    let opened = open::open(cli, false)?;
    let store = opened.store.as_ref();
    let (r, q) = match c {
        PdnsCmd::Rrset(a) => (rrset(store, &a.name, &options(&a.q)?)?, &a.q),
        PdnsCmd::Rdata(a) => {
            let kind = match a.kind {
                RdataKindArg::Ip => RdataKind::Ip,
                RdataKindArg::Name => RdataKind::Name,
                RdataKindArg::Raw => RdataKind::Raw,
            };
            (rdata(store, kind, &a.value, &options(&a.q)?)?, &a.q)
        }
    };
    let mut stdout = std::io::stdout().lock();
    if q.summarize {
        let s = summarize(&r);
        if q.json || q.dnsdb {
            out::json(&s)?;
        } else {
            writeln!(
                stdout,
                "{} records, {} observations, {} .. {}{}",
                s.num_results,
                s.count,
                s.time_first.as_deref().unwrap_or("-"),
                s.time_last.as_deref().unwrap_or("-"),
                if s.limited { " (limited)" } else { "" }
            )?;
        }
    } else if q.dnsdb {
        writeln!(stdout, "{{\"cond\":\"begin\"}}")?;
        for rec in &r.records {
            let obj = serde_json::json!({
                "rrname": rec.rrname, "rrtype": rec.rrtype, "rdata": [rec.rdata],
                "time_first": rec.time_first, "time_last": rec.time_last, "count": rec.count,
            });
            writeln!(stdout, "{}", serde_json::json!({ "obj": obj }))?;
        }
        if r.limited {
            writeln!(
                stdout,
                "{{\"cond\":\"limited\",\"msg\":\"result limit reached\"}}"
            )?;
        } else {
            writeln!(stdout, "{{\"cond\":\"succeeded\"}}")?;
        }
    } else if q.json {
        for rec in &r.records {
            serde_json::to_writer(&mut stdout, rec)?;
            stdout.write_all(b"\n")?;
        }
    } else {
        let rows: Vec<Vec<String>> = r
            .records
            .iter()
            .map(|x| {
                vec![
                    x.rrname.clone(),
                    x.rrtype.clone(),
                    x.rdata.clone(),
                    scry_model::format_time(x.time_first),
                    scry_model::format_time(x.time_last),
                    x.count.to_string(),
                ]
            })
            .collect();
        drop(stdout);
        out::table(
            &[
                "rrname",
                "rrtype",
                "rdata",
                "first seen",
                "last seen",
                "count",
            ],
            &rows,
        )?;
    }
    if r.limited {
        eprintln!(
            "results limited to {}; use --limit/--offset for more",
            q.limit
        );
        return Ok(ExitCode::from(LIMITED));
    }
    Ok(ExitCode::SUCCESS)
}
