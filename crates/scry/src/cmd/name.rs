use std::io::BufRead;
use std::process::ExitCode;

use anyhow::Result;
use scry_model::DomainName;

use crate::cli::NameArgs;
use crate::out;

pub(crate) fn run(a: &NameArgs) -> Result<ExitCode> {
    let mut any_invalid = false;
    let mut rows = Vec::new();
    let mut one = |input: &str| -> Result<()> {
        let r = DomainName::report(input);
        any_invalid |= !r.valid;
        if a.json {
            out::json(&r)?;
        } else {
            rows.push(vec![
                r.input.clone(),
                r.ascii.clone().unwrap_or_default(),
                r.unicode.clone().unwrap_or_default(),
                r.registrable.clone().unwrap_or_default(),
                r.suffix.clone().unwrap_or_default(),
                r.subdomain.clone().unwrap_or_default(),
                match &r.error {
                    Some(e) => format!("invalid: {e}"),
                    None => r
                        .flags
                        .iter()
                        .map(|f| f.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                },
            ]);
        }
        Ok(())
    };
    for n in &a.names {
        one(n)?;
    }
    if a.stdin {
        let stdin = std::io::stdin();
        let mut lock = stdin.lock();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            if lock.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                buf.pop();
            }
            // Non-UTF-8 input is reported as an invalid name, not a crash.
            let s = String::from_utf8_lossy(&buf);
            one(&s)?;
        }
    }
    if !a.json {
        out::table(
            &[
                "input",
                "ascii",
                "unicode",
                "registrable",
                "suffix",
                "subdomain",
                "flags",
            ],
            &rows,
        )?;
    }
    Ok(if any_invalid {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
