//! The look-alike benchmark (issue 9):
//!
//! `cargo run --release -p scry-lookalike --example bench`
//!
//! * brands: the registrable domains of the first 1,000 names of
//!   `shared/data/benign/opendns-top-10k.txt`;
//! * generation time per brand, and beside it dnstwist 20250130's `Fuzzer`
//!   (all fuzzers) for the same brands, run from `bench/dnstwist_fuzz.py`
//!   with the Python in `$DNSTWIST_PYTHON` (default
//!   `/tmp/dnstwist-venv/bin/python`, made by
//!   `python3 -m venv /tmp/dnstwist-venv && /tmp/dnstwist-venv/bin/pip install dnstwist==20250130`);
//! * recall of dnstwist's permutations matched back to their brand, and of
//!   our own candidates (round trip);
//! * 1 M generated new domains (deterministic: random names and look-alikes)
//!   matched against the brands on all cores;
//! * false-positive rate on `shared/data/benign/opendns-random-10k.txt`
//!   (names whose registrable label is a brand's own label excluded).
//!
//! Options: `--brands N` keeps the first N brands (default all), `--domains N`
//! sets the match set's size (default 1,000,000), `--json` ends with one
//! line, a JSON object with every figure (for `cargo xtask bench all`).
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use scry_lookalike::{Brand, GenerateOptions, Matcher, MatcherOptions, generate, parse_word_list};
use scry_model::DomainName;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn data(rel: &str) -> PathBuf {
    Path::new(DATA).join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(data(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn brands() -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for line in read("benign/opendns-top-10k.txt").lines().take(1000) {
        let Ok(n) = DomainName::parse(line) else {
            continue;
        };
        let Some(reg) = n.registrable() else { continue };
        if seen.insert(reg.to_string()) {
            out.push(reg.to_string());
        }
    }
    out
}

fn random_name(rng: &mut Rng) -> String {
    const SYL: &[&str] = &[
        "ka", "lo", "mi", "ne", "ra", "to", "su", "vi", "den", "mar", "tel", "com", "net", "ber",
        "shop", "land", "ia", "on", "ex", "tra", "pro", "go", "bit", "zen", "cor", "al", "is",
        "web", "ly", "nova", "sky", "blue", "star", "max", "data", "home", "pet", "car", "art",
    ];
    const TLDS: &[&str] = &[
        "com", "com", "com", "net", "org", "info", "xyz", "top", "de", "ru", "co.uk", "online",
        "site", "shop", "io", "fr", "nl", "br", "pl", "store",
    ];
    let parts = 2 + rng.below(3);
    let mut label = String::new();
    for i in 0..parts {
        if i > 0 && rng.below(8) == 0 {
            label.push('-');
        }
        label.push_str(SYL[rng.below(SYL.len())]);
    }
    if rng.below(6) == 0 {
        label.push_str(&rng.below(100).to_string());
    }
    let tld = TLDS[rng.below(TLDS.len())];
    if rng.below(5) == 0 {
        format!("www.{label}.{tld}")
    } else {
        format!("{label}.{tld}")
    }
}

fn main() {
    // `--dnstwist-tsv FILE`: reuse a permutation file written by an earlier
    // run of bench/dnstwist_fuzz.py instead of running dnstwist again.
    // `--only SECTION[,SECTION]`: gen, dnstwist, roundtrip, fp, match.
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let reuse = arg("--dnstwist-tsv");
    let only = arg("--only");
    let json = args.iter().any(|a| a == "--json");
    let brand_limit: usize = arg("--brands")
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    let match_domains: usize = arg("--domains")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let mut report = serde_json::Map::new();
    report.insert("bench".into(), "lookalike".into());
    let run = |section: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|s| s == section))
    };
    let mut brand_names = brands();
    brand_names.truncate(brand_limit);
    println!("brands: {}", brand_names.len());
    report.insert("brands".into(), brand_names.len().into());
    let words = parse_word_list(&read("dictionaries/dnstwist/english.dict"));
    let tlds = parse_word_list(&read("dictionaries/dnstwist/common_tlds.dict"));
    let gen_opts = GenerateOptions {
        words: words.clone(),
        tlds: tlds.clone(),
        ..GenerateOptions::default()
    };
    let m_opts = MatcherOptions {
        words: words.clone(),
        tlds: tlds.clone(),
        ..MatcherOptions::default()
    };
    let t = Instant::now();
    let brand_list: Vec<Brand> = brand_names.iter().map(Brand::new).collect();
    let matcher = Matcher::new(&brand_list, &m_opts).unwrap();
    println!("matcher built in {:.2} s", t.elapsed().as_secs_f64());
    // Recall is also measured at any similarity: short brands' variants are
    // found but scored below the default threshold on purpose.
    let any = Matcher::new(
        &brand_list,
        &MatcherOptions {
            threshold: 0,
            ..m_opts.clone()
        },
    )
    .unwrap();

    // Generation.
    let t = Instant::now();
    let c0 = cpu_seconds();
    let mut generated: Vec<Vec<String>> = Vec::new();
    let mut total = 0usize;
    let need_gen = run("gen") || run("roundtrip") || run("match");
    for b in brand_names.iter().filter(|_| need_gen) {
        let d = DomainName::parse(b).unwrap();
        let c: Vec<String> = generate(&d, &gen_opts)
            .into_iter()
            .map(|c| c.domain)
            .collect();
        total += c.len();
        generated.push(c);
    }
    let gen_secs = t.elapsed().as_secs_f64();
    let gen_cpu = cpu_seconds() - c0;
    println!(
        "scry generate: {} candidates in {:.2} s wall / {:.2} s CPU, {:.2} ms per brand (CPU)",
        total,
        gen_secs,
        gen_cpu,
        gen_cpu * 1000.0 / brand_names.len() as f64
    );
    if need_gen {
        report.insert(
            "generate".into(),
            serde_json::json!({"candidates": total, "wall_s": gen_secs, "cpu_s": gen_cpu,
                "ms_per_brand_cpu": gen_cpu * 1000.0 / brand_names.len().max(1) as f64}),
        );
    }

    // dnstwist beside it.
    if let Some(file) = &reuse {
        report.insert(
            "dnstwist_recall".into(),
            recall_dnstwist(&matcher, &any, Path::new(file)),
        );
    }
    if reuse.is_none() && run("dnstwist") {
        let python = std::env::var("DNSTWIST_PYTHON")
            .unwrap_or_else(|_| "/tmp/dnstwist-venv/bin/python".into());
        let tmp = std::env::temp_dir().join(format!("scry-lookalike-bench-{}", std::process::id()));
        std::fs::create_dir_all(&tmp).unwrap();
        let brands_file = tmp.join("brands.txt");
        std::fs::write(&brands_file, brand_names.join("\n")).unwrap();
        // Kept after the run, for `--dnstwist-tsv`.
        let out_file = std::env::temp_dir().join("scry-lookalike-dnstwist.tsv");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/dnstwist_fuzz.py");
        let status = Command::new(&python)
            .arg(&script)
            .arg(&brands_file)
            .arg(data("dictionaries/dnstwist/english.dict"))
            .arg(data("dictionaries/dnstwist/common_tlds.dict"))
            .arg(&out_file)
            .output();
        match status {
            Ok(o) if o.status.success() => {
                let line = String::from_utf8_lossy(&o.stdout);
                println!("dnstwist 20250130 Fuzzer: {}", line.trim());
                let parsed: Option<serde_json::Value> = serde_json::from_str(line.trim()).ok();
                if let Some(secs) = parsed
                    .as_ref()
                    .and_then(|v| v.get("seconds"))
                    .and_then(serde_json::Value::as_f64)
                {
                    println!(
                        "dnstwist: {:.2} ms per brand (process time); scry is {:.1}x faster",
                        secs * 1000.0 / brand_names.len() as f64,
                        secs / gen_cpu.max(1e-9)
                    );
                    report.insert(
                        "dnstwist".into(),
                        serde_json::json!({"version": "20250130", "cpu_s": secs,
                            "permutations": parsed.as_ref().and_then(|v| v.get("permutations")).cloned(),
                            "ms_per_brand_cpu": secs * 1000.0 / brand_names.len().max(1) as f64}),
                    );
                }
                println!("dnstwist permutations kept in {}", out_file.display());
                report.insert(
                    "dnstwist_recall".into(),
                    recall_dnstwist(&matcher, &any, &out_file),
                );
            }
            Ok(o) => {
                let err = String::from_utf8_lossy(&o.stderr).to_string();
                println!("dnstwist failed: {err}");
                report.insert("dnstwist".into(), serde_json::json!({"error": err}));
            }
            Err(e) => {
                println!("dnstwist not run ({python}): {e}");
                report.insert(
                    "dnstwist".into(),
                    serde_json::json!({"error": format!("not run ({python}): {e}")}),
                );
            }
        }
        let _ = std::fs::remove_dir_all(&tmp);
    }

    // Round trip of our own candidates, at any similarity and at the
    // default threshold.
    if run("roundtrip") {
        let t = Instant::now();
        let (mut missed, mut missed_default) = (0usize, 0usize);
        let mut examples = Vec::new();
        for (b, cands) in brand_names.iter().zip(&generated) {
            for c in cands {
                if matcher.match_domain(c).iter().any(|m| &m.brand == b) {
                    continue;
                }
                missed_default += 1;
                if !any.match_domain(c).iter().any(|m| &m.brand == b) {
                    missed += 1;
                    if examples.len() < 20 {
                        examples.push(format!("{c} ({b})"));
                    }
                }
            }
        }
        let pct = |m: usize| 100.0 * (total - m) as f64 / total.max(1) as f64;
        println!(
            "round trip: {}/{} matched back at any similarity ({:.4}%), {}/{} at threshold {} ({:.4}%), in {:.2} s; missed e.g. {:?}",
            total - missed,
            total,
            pct(missed),
            total - missed_default,
            total,
            matcher.threshold(),
            pct(missed_default),
            t.elapsed().as_secs_f64(),
            examples
        );
        report.insert(
            "roundtrip".into(),
            serde_json::json!({"candidates": total, "matched_any_pct": pct(missed),
                "matched_default_pct": pct(missed_default), "threshold": matcher.threshold()}),
        );
    }

    // False positives on random benign names.
    if run("fp") {
        report.insert("fp".into(), fp(&matcher, &brand_names));
    }
    if !run("match") {
        if json {
            println!("{}", serde_json::Value::Object(report));
        }
        return;
    }

    // 1 M new domains.
    let mut rng = Rng(0x5c_4e_11_a1_c0_ff_ee_01);
    let mut domains = Vec::with_capacity(match_domains);
    for _ in 0..match_domains {
        if rng.below(10) < 2 {
            let b = rng.below(generated.len());
            if let Some(c) = generated[b].get(rng.below(generated[b].len().max(1))) {
                domains.push(c.clone());
                continue;
            }
        }
        domains.push(random_name(&mut rng));
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let t = Instant::now();
    let c0 = cpu_seconds();
    let chunk = domains.len().div_ceil(threads);
    let matched: usize = std::thread::scope(|s| {
        let handles: Vec<_> = domains
            .chunks(chunk)
            .map(|part| {
                let matcher = &matcher;
                s.spawn(move || {
                    part.iter()
                        .filter(|d| !matcher.match_domain(d).is_empty())
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - c0;
    println!(
        "match: {} domains x {} brands on {} threads in {:.2} s wall ({:.0} domains/s), {:.2} s CPU ({:.2} s per core of {}), {} matched",
        domains.len(),
        brand_names.len(),
        threads,
        secs,
        domains.len() as f64 / secs,
        cpu,
        cpu / threads as f64,
        threads,
        matched
    );
    report.insert(
        "match".into(),
        serde_json::json!({"domains": domains.len(), "brands": brand_names.len(), "threads": threads,
            "wall_s": secs, "cpu_s": cpu, "domains_per_s": domains.len() as f64 / secs,
            "matched": matched}),
    );
    if json {
        println!("{}", serde_json::Value::Object(report));
    }
}

fn recall_dnstwist(matcher: &Matcher, any: &Matcher, file: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(file).unwrap();
    // fuzzer -> (permutations, matched at default threshold, at any)
    let mut per: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut misses: Vec<String> = Vec::new();
    let mut misses_any: Vec<String> = Vec::new();
    let (mut total, mut hit, mut hit_any) = (0usize, 0usize, 0usize);
    for line in text.lines() {
        let mut f = line.split('\t');
        let (Some(brand), Some(fuzzer), Some(domain)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let ok = matcher
            .match_domain(domain)
            .iter()
            .any(|m| m.brand == brand);
        let ok_any = ok || any.match_domain(domain).iter().any(|m| m.brand == brand);
        let e = per.entry(fuzzer.to_string()).or_default();
        e.0 += 1;
        total += 1;
        if ok {
            e.1 += 1;
            hit += 1;
        } else if misses.len() < 15 {
            misses.push(format!("{domain} ({brand}, {fuzzer})"));
        }
        if ok_any {
            e.2 += 1;
            hit_any += 1;
        } else if misses_any.len() < 30 {
            misses_any.push(format!("{domain} ({brand}, {fuzzer})"));
        }
    }
    let pct = |a: usize| 100.0 * a as f64 / total.max(1) as f64;
    println!(
        "recall of dnstwist permutations: at any similarity {}/{} = {:.4}%; at threshold {} {}/{} = {:.4}%",
        hit_any,
        total,
        pct(hit_any),
        matcher.threshold(),
        hit,
        total,
        pct(hit)
    );
    println!(
        "  {:14} {:>9} {:>9} {:>9}",
        "fuzzer", "perms", "any", "default"
    );
    for (k, (n, h, a)) in &per {
        println!("  {k:14} {n:>9} {a:>9} {h:>9}");
    }
    if !misses_any.is_empty() {
        println!("  missed at any similarity, e.g. {misses_any:?}");
    }
    if !misses.is_empty() {
        println!("  missed at the default threshold, e.g. {misses:?}");
    }
    serde_json::json!({"permutations": total, "any_pct": pct(hit_any), "default_pct": pct(hit),
        "threshold": matcher.threshold()})
}

fn fp(matcher: &Matcher, brands: &[String]) -> serde_json::Value {
    let labels: HashSet<&str> = brands.iter().filter_map(|b| b.split('.').next()).collect();
    let mut n = 0;
    let mut fps = Vec::new();
    let mut excluded = 0;
    for line in read("benign/opendns-random-10k.txt").lines() {
        let Ok(d) = DomainName::parse(line) else {
            continue;
        };
        let label = d
            .registrable()
            .and_then(|r| r.split('.').next())
            .unwrap_or_default();
        if labels.contains(label) {
            excluded += 1;
            continue;
        }
        n += 1;
        let m = matcher.match_domain(line);
        if let Some(first) = m.first() {
            fps.push(format!(
                "{line}->{} {:?} {}",
                first.brand,
                first
                    .techniques
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>(),
                first.similarity
            ));
        }
    }
    println!(
        "false positives on opendns-random-10k: {}/{} = {:.2}% at threshold {} ({} own-label names excluded)",
        fps.len(),
        n,
        100.0 * fps.len() as f64 / n.max(1) as f64,
        matcher.threshold(),
        excluded
    );
    for f in fps.iter().take(200) {
        println!("  fp {f}");
    }
    serde_json::json!({"names": n, "false_positives": fps.len(),
        "rate_pct": 100.0 * fps.len() as f64 / n.max(1) as f64, "threshold": matcher.threshold(),
        "excluded": excluded})
}

/// CPU time (user + system) this process has used so far, in seconds, from
/// `/proc/self/stat` (Linux; 0 elsewhere). On a shared machine wall time
/// overstates the work, so both are reported.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields overall, in clock ticks (100 per second).
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}
