//! Printing: JSON for machines, aligned tables for people.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

/// Prints a value as one line of JSON.
pub(crate) fn json<T: Serialize>(v: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, v)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Prints rows as an aligned table with a header.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count().min(60));
            }
        }
    }
    let mut out = std::io::stdout().lock();
    let line = |out: &mut dyn Write, cells: &[String]| -> std::io::Result<()> {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            let w = widths.get(i).copied().unwrap_or(0);
            s.push_str(c);
            if i + 1 < cells.len() {
                for _ in c.chars().count()..w {
                    s.push(' ');
                }
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(
        &mut out,
        &header.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    )?;
    for r in rows {
        line(&mut out, r)?;
    }
    Ok(())
}
