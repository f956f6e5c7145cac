use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use scry_lookalike::{Brand, GenerateOptions, Matcher, MatcherOptions, Technique, parse_word_list};
use scry_model::DomainName;

use crate::cli::{LookalikeCmd, LookalikeGenerateArgs, LookalikeMatchArgs};
use crate::out;

/// Longest list file read.
const MAX_LIST: u64 = 64 << 20;

fn read_list(path: &std::path::Path) -> Result<String> {
    let len = std::fs::metadata(path)
        .with_context(|| path.display().to_string())?
        .len();
    if len > MAX_LIST {
        bail!("{}: larger than {MAX_LIST} bytes", path.display());
    }
    std::fs::read_to_string(path).with_context(|| path.display().to_string())
}

pub(crate) fn run(c: &LookalikeCmd) -> Result<ExitCode> {
    match c {
        LookalikeCmd::Generate(a) => generate(a),
        LookalikeCmd::Match(a) => match_stdin(a),
    }
}

fn generate(a: &LookalikeGenerateArgs) -> Result<ExitCode> {
    let domain = DomainName::parse(&a.domain)?;
    let mut opts = GenerateOptions::default();
    if !a.fuzzers.is_empty() {
        opts.techniques = a
            .fuzzers
            .iter()
            .map(|f| Technique::parse(f).ok_or_else(|| anyhow::anyhow!("unknown fuzzer {f:?}")))
            .collect::<Result<_>>()?;
    }
    if let Some(p) = &a.dictionary {
        opts.words = parse_word_list(&read_list(p)?);
    }
    if let Some(p) = &a.tld_dictionary {
        opts.tlds = parse_word_list(&read_list(p)?);
    }
    let candidates = scry_lookalike::generate(&domain, &opts);
    if a.json {
        let mut stdout = std::io::stdout().lock();
        for c in &candidates {
            serde_json::to_writer(&mut stdout, c)?;
            stdout.write_all(b"\n")?;
        }
    } else {
        let rows: Vec<Vec<String>> = candidates
            .iter()
            .map(|c| {
                vec![
                    c.domain.clone(),
                    if c.unicode != c.domain {
                        c.unicode.clone()
                    } else {
                        String::new()
                    },
                    c.techniques
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                ]
            })
            .collect();
        out::table(&["domain", "unicode", "techniques"], &rows)?;
        eprintln!("{} candidates", candidates.len());
    }
    Ok(ExitCode::SUCCESS)
}

fn match_stdin(a: &LookalikeMatchArgs) -> Result<ExitCode> {
    let mut names: Vec<String> = a.brand.clone();
    if let Some(p) = &a.brands {
        names.extend(parse_word_list(&read_list(p)?));
    }
    if names.is_empty() {
        bail!("give at least one --brand DOMAIN or --brands FILE");
    }
    let brands: Vec<Brand> = names.into_iter().map(Brand::new).collect();
    let matcher = Matcher::new(
        &brands,
        &MatcherOptions {
            threshold: a.threshold,
            exclusions: a.exclude.clone(),
            ..MatcherOptions::default()
        },
    )?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut buf = Vec::new();
    loop {
        // Bounded line reads: a line over 4 KiB cannot be a domain name.
        match scry_ingest::read_line_bounded(&mut input, &mut buf, 4096)? {
            scry_ingest::Line::Eof => break,
            scry_ingest::Line::TooLong(_) => continue,
            scry_ingest::Line::Text => {}
        }
        let line = String::from_utf8_lossy(&buf);
        let host = line.trim();
        if host.is_empty() || host.starts_with('#') {
            continue;
        }
        for m in matcher.match_domain(host) {
            serde_json::to_writer(&mut stdout, &m)?;
            stdout.write_all(b"\n")?;
        }
    }
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}
