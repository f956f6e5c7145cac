//! From each benchmark's machine-readable output (one JSON line, or
//! `/usr/bin/time -v`) to report figures beside their peers.
//!
//! Every function returns the figures it could read and the problems it
//! found (a peer that failed, a figure missing): a step with problems is
//! reported as failed, with its figures kept.

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::report::{Better, Figure};

/// Figures and problems read from one benchmark's output.
#[derive(Debug, Default)]
pub(crate) struct Read {
    pub(crate) figures: Vec<Figure>,
    pub(crate) notes: Vec<String>,
    pub(crate) problems: Vec<String>,
}

/// The last line of `stdout` that is a JSON object.
pub(crate) fn last_json_line(stdout: &str) -> Result<Value> {
    for line in stdout.lines().rev() {
        let line = line.trim();
        if line.starts_with('{')
            && let Ok(v @ Value::Object(_)) = serde_json::from_str::<Value>(line)
        {
            return Ok(v);
        }
    }
    bail!("no JSON line in the output")
}

/// What `/usr/bin/time -v` says about a command.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TimeV {
    pub(crate) wall_s: f64,
    pub(crate) cpu_s: f64,
    pub(crate) max_rss_kib: u64,
}

/// Parses the report `/usr/bin/time -v` writes on stderr (its last lines).
pub(crate) fn parse_time_v(stderr: &str) -> Result<TimeV> {
    let field = |key: &str| {
        stderr
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix(key).map(str::trim))
    };
    let wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss):")
        .context("no wall time in the /usr/bin/time -v output")?;
    let mut wall_s = 0.0;
    for part in wall.split(':') {
        wall_s = wall_s * 60.0
            + part
                .parse::<f64>()
                .with_context(|| format!("bad wall time {wall:?}"))?;
    }
    let num = |key: &str| -> Result<f64> {
        field(key)
            .with_context(|| format!("no {key:?} in the /usr/bin/time -v output"))?
            .parse::<f64>()
            .with_context(|| format!("bad {key:?}"))
    };
    Ok(TimeV {
        wall_s,
        cpu_s: num("User time (seconds):")? + num("System time (seconds):")?,
        max_rss_kib: num("Maximum resident set size (kbytes):")? as u64,
    })
}

fn f64_at(v: &Value, path: &[&str]) -> Option<f64> {
    let mut cur = v;
    for k in path {
        cur = cur.get(k)?;
    }
    cur.as_f64()
}

fn need(v: &Value, path: &[&str], problems: &mut Vec<String>) -> f64 {
    f64_at(v, path).unwrap_or_else(|| {
        problems.push(format!("missing figure {}", path.join(".")));
        f64::NAN
    })
}

const MIB: f64 = 1024.0;

/// `target/bench/store-N.json` written by `cargo xtask bench store`.
pub(crate) fn store(v: &Value) -> Read {
    let mut r = Read::default();
    let p = &mut r.problems;
    let facts = need(v, &["facts"], p);
    let s = |k: &str, p: &mut Vec<String>| need(v, &["scry", k], p);
    let pg = v.get("postgres").filter(|x| !x.is_null());
    if pg.is_none() {
        p.push("PostgreSQL did not run".to_owned());
    }
    let g = |k: &str| pg.and_then(|x| f64_at(x, &[k]));
    let with_pg = |f: Figure, v: Option<f64>| match v {
        Some(v) => f.peer("PostgreSQL", v),
        None => f,
    };
    let ingest = s("ingest_s", p);
    r.figures.push(
        with_pg(
            Figure::new(
                "store ingest (parse + store + indexes; PG: COPY + 2 indexes + counts)",
                "facts/s",
                facts / ingest,
                Better::Higher,
            ),
            g("load_s").map(|l| facts / l),
        )
        .target("≥ 3x PostgreSQL"),
    );
    r.figures.push(
        Figure::new(
            "store ingest peak RSS",
            "MiB",
            s("ingest_rss_kib", p) / MIB,
            Better::Lower,
        )
        .target("< 1 GiB"),
    );
    r.figures.push(
        with_pg(
            Figure::new(
                "store on-disk size",
                "MiB",
                s("disk_bytes", p) / MIB / MIB,
                Better::Lower,
            ),
            g("disk_bytes").map(|d| d / MIB / MIB),
        )
        .target("≤ 0.5x PostgreSQL"),
    );
    for (key, what, target) in [
        ("pivot", "pivot, 1,000 domains", "p99 ≤ PostgreSQL"),
        (
            "profile_small",
            "profile with counts, ~10 values",
            "p99 ≤ PostgreSQL",
        ),
        (
            "profile_big",
            "profile, 20 values, one held by every domain",
            "p99 < 1 ms",
        ),
    ] {
        for q in ["p50", "p99"] {
            let k = format!("{key}_{q}_us");
            let f = with_pg(
                Figure::new(format!("{what}, {q}"), "µs", s(&k, p), Better::Lower),
                g(&k),
            );
            r.figures
                .push(if q == "p99" { f.target(target) } else { f });
        }
    }
    r.notes.push(format!(
        "{} domains, {} facts",
        v.get("domains").map_or(Value::Null, Clone::clone),
        facts
    ));
    r
}

/// `zone_bench FILE --compare --json`.
pub(crate) fn zone_parse(v: &Value) -> Read {
    let mut r = Read::default();
    let p = &mut r.problems;
    let bytes = need(v, &["bytes"], p);
    let wall = need(v, &["wall_s"], p);
    let cpu = need(v, &["cpu_s"], p);
    let rss = need(v, &["peak_rss_kib"], p);
    let errors = f64_at(v, &["errors"]).unwrap_or(0.0);
    if errors > 0.0 {
        p.push(format!("{errors} records failed to parse"));
    }
    r.notes.push(format!(
        "{:.1} MB, {} records, {errors} errors",
        bytes / 1e6,
        f64_at(v, &["records"]).unwrap_or(f64::NAN)
    ));
    let peers: Vec<(String, &Value)> = v
        .get("peers")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v)).collect())
        .unwrap_or_default();
    if peers.is_empty() {
        p.push("no peer ran (named-compilezone, ldns-read-zone)".to_owned());
    }
    let ours = [
        (
            "zone parse throughput (wall)",
            "MB/s",
            bytes / 1e6 / wall,
            Better::Higher,
        ),
        ("zone parse CPU time", "s", cpu, Better::Lower),
        ("zone parse peak RSS", "MiB", rss / MIB, Better::Lower),
    ];
    for (measure, unit, value, better) in ours {
        let mut any = false;
        for (name, pv) in &peers {
            if let Some(e) = pv.get("error") {
                if measure == "zone parse throughput (wall)" {
                    p.push(format!("{name}: {}", e.as_str().unwrap_or("failed")));
                }
                continue;
            }
            let peer_value = match unit {
                "MB/s" => f64_at(pv, &["wall_s"]).map(|w| bytes / 1e6 / w),
                "s" => f64_at(pv, &["cpu_s"]),
                _ => f64_at(pv, &["peak_rss_kib"]).map(|k| k / MIB),
            };
            let Some(peer_value) = peer_value else {
                p.push(format!("{name}: missing figure for {measure}"));
                continue;
            };
            let mut f = Figure::new(measure, unit, value, better).peer(name.clone(), peer_value);
            if name == "named-compilezone" && unit == "MB/s" {
                f = f.target("≥ 20x named-compilezone");
            }
            r.figures.push(f);
            any = true;
        }
        if !any {
            r.figures.push(Figure::new(measure, unit, value, better));
        }
    }
    r
}

/// `scry ingest zone` under `/usr/bin/time -v`, beside named-compilezone
/// from the parse step's JSON.
pub(crate) fn zone_ingest(t: &TimeV, parse: Option<&Value>) -> Read {
    let mut r = Read::default();
    let named = parse.and_then(|v| v.get("peers")?.get("named-compilezone"));
    let peer = |k: &str| named.and_then(|n| f64_at(n, &[k]));
    let mut wall = Figure::new(
        "zone full ingest (parse + store + indexes), wall",
        "s",
        t.wall_s,
        Better::Lower,
    )
    .target("≥ 5x faster than named-compilezone");
    let mut rss = Figure::new(
        "zone full ingest peak RSS",
        "MiB",
        t.max_rss_kib as f64 / MIB,
        Better::Lower,
    )
    .target("< 500 MiB");
    match (peer("wall_s"), peer("peak_rss_kib")) {
        (Some(w), Some(k)) => {
            wall = wall.peer("named-compilezone", w);
            rss = rss.peer("named-compilezone", k / MIB);
        }
        _ => r
            .problems
            .push("no named-compilezone figure to compare the ingest with".to_owned()),
    }
    r.figures.push(wall);
    r.figures.push(rss);
    r
}

/// The next day's `scry ingest zone` and `scry zone diff` of the two
/// snapshots, both under `/usr/bin/time -v`; `changes` is the number of
/// lines the diff printed.
pub(crate) fn zone_next_day(ingest: &TimeV, diff: &TimeV, changes: u64) -> Read {
    let mut r = Read::default();
    if changes == 0 {
        r.problems
            .push("the diff of the two days printed no change".to_owned());
    }
    r.notes.push(format!(
        "next day: {changes} changes (added + removed + changed); its ingest took {:.1} s CPU, the diff {:.1} s CPU",
        ingest.cpu_s, diff.cpu_s
    ));
    r.figures.push(Figure::new(
        "zone next-day ingest (only the changes written), wall",
        "s",
        ingest.wall_s,
        Better::Lower,
    ));
    r.figures.push(
        Figure::new(
            "zone diff of two stored snapshots, wall",
            "s",
            diff.wall_s,
            Better::Lower,
        )
        .target("< 10 s at 2 M delegations"),
    );
    r.figures.push(Figure::new(
        "zone diff peak RSS",
        "MiB",
        diff.max_rss_kib as f64 / MIB,
        Better::Lower,
    ));
    r
}

/// `bench/whois_peers.py --json --scry whois_bench`.
pub(crate) fn whois(v: &Value) -> Read {
    let mut r = Read::default();
    let p = &mut r.problems;
    let ours = need(v, &["scry", "records_per_cpu_s"], p);
    let peers = v.get("peers").and_then(Value::as_object);
    match peers {
        Some(m) if !m.is_empty() => {
            for (name, rate) in m {
                match rate.as_f64() {
                    Some(rate) => r.figures.push(
                        Figure::new(
                            "WHOIS parse, records/s per core",
                            "records/s",
                            ours,
                            Better::Higher,
                        )
                        .peer(name.clone(), rate)
                        .target("≥ 50x"),
                    ),
                    None => p.push(format!("{name}: no rate")),
                }
            }
        }
        _ => {
            p.push("no Python peer ran".to_owned());
            r.figures.push(Figure::new(
                "WHOIS parse, records/s per core",
                "records/s",
                ours,
                Better::Higher,
            ));
        }
    }
    r.notes.push(format!(
        "timed set: {} files ({} dropped: python-whois over 0.5 s on them); each parser's best pass counts: peers best of {} passes, scry best of {:?} runs of {} passes",
        v.get("timed_files").map_or(Value::Null, Clone::clone),
        v.get("dropped").map_or(Value::Null, Clone::clone),
        v.get("repeat").map_or(Value::Null, Clone::clone),
        v.get("scry")
            .and_then(|s| s.get("rounds"))
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
        v.get("scry")
            .and_then(|s| s.get("repeat"))
            .map_or(Value::Null, Clone::clone),
    ));
    r
}

/// `scry-lookalike`'s `bench --json`.
pub(crate) fn lookalike(v: &Value) -> Read {
    let mut r = Read::default();
    let p = &mut r.problems;
    let brands = need(v, &["brands"], p);
    let mut gen_fig = Figure::new(
        "look-alike generation, CPU per brand (all fuzzers)",
        "ms",
        need(v, &["generate", "ms_per_brand_cpu"], p),
        Better::Lower,
    );
    match v.get("dnstwist") {
        Some(d) if d.get("error").is_none() => match f64_at(d, &["ms_per_brand_cpu"]) {
            Some(ms) => {
                let version = d
                    .get("version")
                    .and_then(Value::as_str)
                    .unwrap_or("20250130");
                gen_fig = gen_fig.peer(format!("dnstwist {version} (Fuzzer)"), ms);
            }
            None => p.push("dnstwist: no time".to_owned()),
        },
        Some(d) => p.push(format!(
            "dnstwist: {}",
            d.get("error").and_then(Value::as_str).unwrap_or("failed")
        )),
        None => p.push("dnstwist did not run".to_owned()),
    }
    r.figures.push(gen_fig);
    if let Some(rec) = v.get("dnstwist_recall") {
        r.figures.push(
            Figure::new(
                "recall of dnstwist's permutations (any similarity)",
                "%",
                need(rec, &["any_pct"], p),
                Better::Higher,
            )
            .target("100%"),
        );
        r.figures.push(Figure::new(
            "recall of dnstwist's permutations (default threshold)",
            "%",
            need(rec, &["default_pct"], p),
            Better::Higher,
        ));
    }
    if let Some(rt) = v.get("roundtrip") {
        r.figures.push(Figure::new(
            "round trip of Scry's own candidates (any similarity)",
            "%",
            need(rt, &["matched_any_pct"], p),
            Better::Higher,
        ));
    }
    if let Some(fp) = v.get("fp") {
        r.figures.push(
            Figure::new(
                "false positives on opendns-random-10k (default threshold)",
                "%",
                need(fp, &["rate_pct"], p),
                Better::Lower,
            )
            .target("< 0.5%"),
        );
    }
    match v.get("match") {
        Some(m) => {
            let domains = need(m, &["domains"], p);
            r.figures.push(Figure::new(
                "look-alike match throughput",
                "domains/s",
                need(m, &["domains_per_s"], p),
                Better::Higher,
            ));
            r.figures.push(
                Figure::new(
                    format!(
                        "look-alike match, {} domains x {} brands, wall",
                        crate::report::fmt_value(domains, ""),
                        crate::report::fmt_value(brands, "")
                    ),
                    "s",
                    need(m, &["wall_s"], p),
                    Better::Lower,
                )
                .target("1 M x 1,000 in < 10 s on 2 cores"),
            );
        }
        None => p.push("no match figures".to_owned()),
    }
    let n = |path: &[&str]| f64_at(v, path).map_or_else(|| "?".to_owned(), |x| x.to_string());
    r.notes.push(format!(
        "{} brands; Scry {} candidates, dnstwist {} permutations; false positives {} of {} names",
        n(&["brands"]),
        n(&["generate", "candidates"]),
        n(&["dnstwist", "permutations"]),
        n(&["fp", "false_positives"]),
        n(&["fp", "names"])
    ));
    r
}

/// `scry-parse`'s `pdns_bench N THREADS --json`.
pub(crate) fn pdns(v: &Value) -> Read {
    let mut r = Read::default();
    let p = &mut r.problems;
    let threads = need(v, &["threads"], p);
    for (key, what) in [
        ("line_1t", "COF NDJSON line parser, 1 thread".to_owned()),
        ("reader_1t", "COF NDJSON PdnsReader, 1 thread".to_owned()),
        (
            "line_nt",
            format!("COF NDJSON line parser, {threads} threads"),
        ),
    ] {
        let mut f = Figure::new(
            what.clone(),
            "records/s",
            need(v, &[key, "records_per_s"], p),
            Better::Higher,
        );
        if key == "line_nt" {
            f = f.target("≥ 1 M records/s on 2 cores");
        }
        r.figures.push(f);
        if let Some(c) = f64_at(v, &[key, "records_per_cpu_s"]) {
            r.figures.push(Figure::new(
                format!("{what}, per CPU-second"),
                "records/s",
                c,
                Better::Higher,
            ));
        }
    }
    r.figures.push(Figure::new(
        "pcap DNS parse, 1 thread",
        "packets/s",
        need(v, &["pcap_1t", "packets_per_s"], p),
        Better::Higher,
    ));
    let errors = f64_at(v, &["pcap_1t", "errors"]).unwrap_or(0.0);
    r.notes.push(format!(
        "{} COF lines ({:.0} MB); pcap: {} packets, {errors} errors",
        f64_at(v, &["lines"]).unwrap_or(f64::NAN),
        f64_at(v, &["bytes"]).unwrap_or(f64::NAN) / 1e6,
        f64_at(v, &["pcap_1t", "packets"]).unwrap_or(f64::NAN)
    ));
    r
}

/// The generator under `/usr/bin/time -v`.
pub(crate) fn generator(t: &TimeV, domains: u64, days: u32) -> Read {
    let mut r = Read::default();
    r.figures.push(Figure::new(
        format!("generate {domains} domains x {days} days, wall"),
        "s",
        t.wall_s,
        Better::Lower,
    ));
    r.figures.push(
        Figure::new(
            "generator throughput",
            "domains/s",
            domains as f64 / t.wall_s,
            Better::Higher,
        )
        .target("≥ 11,111 domains/s (10 M in 15 min)"),
    );
    r.figures.push(
        Figure::new(
            "generator peak RSS",
            "MiB",
            t.max_rss_kib as f64 / MIB,
            Better::Lower,
        )
        .target("≤ 2 GiB at 10 M"),
    );
    r.notes.push(format!("CPU time {:.1} s", t.cpu_s));
    r
}

/// `scry-store`'s `engine_bench --clickhouse URL --json`: the embedded
/// engine beside the ClickHouse engine on the same data.
pub(crate) fn engine(v: &Value) -> Read {
    let mut r = Read::default();
    let p = &mut r.problems;
    let emb = v.get("embedded").filter(|x| x.is_object());
    let ch = v.get("clickhouse").filter(|x| x.is_object());
    let Some(emb) = emb else {
        p.push("the embedded engine did not run".to_owned());
        return r;
    };
    if ch.is_none() {
        p.push("ClickHouse did not run".to_owned());
    }
    let mut push = |measure: String, unit: &str, key: &str, better: Better, scale: f64| {
        let ours = need(emb, &[key], p) * scale;
        let mut f = Figure::new(measure, unit, ours, better);
        if let Some(c) = ch.and_then(|c| f64_at(c, &[key])) {
            f = f.peer("ClickHouse engine", c * scale);
        }
        r.figures.push(f);
    };
    push(
        "engine ingest (Store::write batches)".to_owned(),
        "facts/s",
        "facts_per_s",
        Better::Higher,
        1.0,
    );
    for (key, what) in [
        ("profile", "engine profile (holdings + value counts)"),
        ("pivot", "engine pivot, 100 domains"),
        ("reverse", "engine reverse by IP, 100"),
    ] {
        for q in ["p50", "p99"] {
            push(
                format!("{what}, {q}"),
                "ms",
                &format!("{key}_{q}_ms"),
                Better::Lower,
                1.0,
            );
        }
    }
    push(
        "engine on-disk size".to_owned(),
        "MiB",
        "disk_bytes",
        Better::Lower,
        1.0 / MIB / MIB,
    );
    r.notes.push(format!(
        "{} domains, {} facts, {} queries of each kind",
        f64_at(v, &["domains"]).unwrap_or(f64::NAN),
        f64_at(emb, &["facts"]).unwrap_or(f64::NAN),
        f64_at(v, &["queries"]).unwrap_or(f64::NAN)
    ));
    r
}

/// `scry-risk`'s `bench --json`: lexical scoring throughput.
pub(crate) fn risk(v: &Value) -> Read {
    let mut r = Read::default();
    let p = &mut r.problems;
    for (key, what) in [
        (
            "scores_1t_per_s",
            "lexical risk scores (no evidence), 1 thread",
        ),
        (
            "scores_2t_per_s",
            "lexical risk scores (no evidence), 2 threads",
        ),
        (
            "score_1t_per_s",
            "lexical risk score with evidence, 1 thread",
        ),
        (
            "score_2t_per_s",
            "lexical risk score with evidence, 2 threads",
        ),
    ] {
        r.figures.push(Figure::new(
            what,
            "domains/s",
            need(v, &[key], p),
            Better::Higher,
        ));
        // Per CPU-second: what a free core does on a shared machine.
        let cpu_key = key.replace("_per_s", "_per_cpu_s");
        if let Some(c) = f64_at(v, &[cpu_key.as_str()]).filter(|c| *c > 0.0) {
            r.figures.push(Figure::new(
                format!("{what}, per CPU-second"),
                "domains/s",
                c,
                Better::Higher,
            ));
        }
    }
    r.notes.push(format!(
        "{} names x {} rounds",
        f64_at(v, &["names"]).unwrap_or(f64::NAN),
        f64_at(v, &["rounds"]).unwrap_or(f64::NAN)
    ));
    r
}

/// `scry-notify`'s `deliver_bench N --json`: alert delivery to receivers
/// on 127.0.0.1.
pub(crate) fn deliver(v: &Value) -> Read {
    let mut r = Read::default();
    let p = &mut r.problems;
    for (key, what) in [
        ("webhook", "alert delivery, webhook (one signed POST each)"),
        ("hec", "alert delivery, Splunk HEC (batches of 100)"),
        (
            "syslog-tcp",
            "alert delivery, syslog over TCP (batches of 500)",
        ),
    ] {
        r.figures.push(Figure::new(
            what,
            "alerts/s",
            need(v, &[key, "alerts_per_s"], p),
            Better::Higher,
        ));
    }
    r.notes.push(format!(
        "{} alerts per destination, receivers in the process on 127.0.0.1",
        f64_at(v, &["alerts"]).unwrap_or(f64::NAN)
    ));
    r
}

/// Any benchmark's JSON line without a known shape: each numeric member
/// (one level of nesting) becomes a figure, unit guessed from its suffix.
pub(crate) fn generic(v: &Value) -> Read {
    let mut r = Read::default();
    let mut push = |name: String, x: &Value| {
        if let Some(n) = x.as_f64() {
            let (unit, better) = unit_of(&name);
            r.figures.push(Figure::new(name, unit, n, better));
        }
    };
    if let Some(m) = v.as_object() {
        for (k, x) in m {
            match x {
                Value::Object(inner) => {
                    for (k2, y) in inner {
                        push(format!("{k}.{k2}"), y);
                    }
                }
                _ => push(k.clone(), x),
            }
        }
    }
    if r.figures.is_empty() {
        r.problems
            .push("the JSON line has no numeric figure".to_owned());
    }
    r
}

fn unit_of(key: &str) -> (&'static str, Better) {
    for (suffix, unit, better) in [
        ("_per_s", "/s", Better::Higher),
        ("_ms", "ms", Better::Lower),
        ("_us", "µs", Better::Lower),
        ("_s", "s", Better::Lower),
        ("_pct", "%", Better::Higher),
        ("_kib", "KiB", Better::Lower),
        ("_bytes", "B", Better::Lower),
    ] {
        if key.ends_with(suffix) {
            return (unit, better);
        }
    }
    ("", Better::Higher)
}

#[cfg(test)]
mod tests;
