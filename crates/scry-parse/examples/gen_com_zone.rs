//! Writes a deterministic `.com`-style zone for benchmarks.
//!
//! ```text
//! cargo run --release -p scry-parse --example gen_com_zone -- [--domains N] [--seed S] OUT
//! ```
//!
//! The default, 2,000,000 delegations, gives about 4.4 M records and 150 MB,
//! shaped like the Verisign `.com` file: `$ORIGIN COM.`, `$TTL`, an SOA in
//! parentheses, upper-case relative owners, two NS per domain (mostly at
//! out-of-zone hosting providers, some in-zone with A/AAAA glue), DS for
//! about 5 % of domains. The same seed always writes the same bytes.
#![allow(
    clippy::print_stderr,
    reason = "a command-line example reports on stderr"
)]

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

/// xorshift64*: small, deterministic, good enough for synthetic names.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const HEX: &[u8] = b"0123456789ABCDEF";

fn usage() -> ExitCode {
    eprintln!("usage: gen_com_zone [--domains N] [--seed S] OUT");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut domains: u64 = 2_000_000;
    let mut seed: u64 = 0x5c7e_2026;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--domains" => match args.next().and_then(|v| v.parse().ok()) {
                Some(v) => domains = v,
                None => return usage(),
            },
            "--seed" => match args.next().and_then(|v| v.parse().ok()) {
                Some(v) => seed = v,
                None => return usage(),
            },
            _ if out.is_none() && !a.starts_with('-') => out = Some(a),
            _ => return usage(),
        }
    }
    let Some(out) = out else { return usage() };
    match generate(&out, domains, seed) {
        Ok(records) => {
            eprintln!("wrote {out}: {domains} delegations, {records} records");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_com_zone: {out}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn generate(path: &str, domains: u64, seed: u64) -> std::io::Result<u64> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut rng = Rng(seed | 1);
    writeln!(
        w,
        "; synthetic .com-style zone for benchmarks (seed {seed})"
    )?;
    writeln!(w, "$ORIGIN COM.\n$TTL 900")?;
    writeln!(
        w,
        "@ IN SOA A.GTLD-SERVERS.NET. NSTLD.VERISIGN-GRS.COM. (\n\t1700000000 ; serial\n\t1800 900 604800 86400 )"
    )?;
    let mut records = 1u64;
    for c in b'A'..=b'M' {
        writeln!(w, "@ 172800 IN NS {}.GTLD-SERVERS.NET.", char::from(c))?;
        records += 1;
    }
    // Hosting providers: out-of-zone (`NS1.HOSTnnn.NET.`) and in-zone ones
    // (`NS1.DNSnnn`, relative, glue written at the provider's own domain).
    let tlds = ["NET.", "ORG.", "CO.UK.", "DE.", "INFO."];
    let mut label = Vec::with_capacity(64);
    let mut name = String::with_capacity(64);
    for i in 0..domains {
        label.clear();
        let len = 4 + rng.below(12) as usize;
        for _ in 0..len {
            let set = if rng.below(8) == 0 { ALNUM } else { LETTERS };
            label.push(set[rng.below(set.len() as u64) as usize]);
        }
        if rng.below(20) == 0 {
            label.push(b'-');
        }
        // A unique suffix keeps every name distinct.
        let mut n = i;
        loop {
            label.push(ALNUM[(n % 36) as usize]);
            n /= 36;
            if n == 0 {
                break;
            }
        }
        name.clear();
        name.push_str(std::str::from_utf8(&label).unwrap_or("X"));
        let kind = rng.below(100);
        if kind < 5 {
            // Own name servers, with glue.
            for ns in ["NS1", "NS2"] {
                writeln!(w, "{name} NS {ns}.{name}")?;
            }
            writeln!(
                w,
                "NS1.{name} A {}.{}.{}.{}",
                1 + rng.below(222),
                rng.below(256),
                rng.below(256),
                1 + rng.below(254)
            )?;
            writeln!(
                w,
                "NS2.{name} A {}.{}.{}.{}",
                1 + rng.below(222),
                rng.below(256),
                rng.below(256),
                1 + rng.below(254)
            )?;
            records += 4;
            if kind < 2 {
                writeln!(
                    w,
                    "NS1.{name} AAAA 2001:db8:{:x}:{:x}::53",
                    rng.below(65536),
                    rng.below(65536)
                )?;
                records += 1;
            }
        } else if kind < 35 {
            let p = rng.below(3000);
            writeln!(w, "{name} NS NS{}.DNS{p}", 1 + rng.below(2))?;
            writeln!(w, "{name} NS NS{}.DNS{p}", 3 + rng.below(2))?;
            records += 2;
        } else {
            let p = rng.below(20_000);
            let tld = tlds[(p % tlds.len() as u64) as usize];
            writeln!(w, "{name} NS NS1.HOST{p}.{tld}")?;
            writeln!(w, "{name} NS NS2.HOST{p}.{tld}")?;
            records += 2;
        }
        if rng.below(100) < 5 {
            let mut digest = [0u8; 64];
            for d in &mut digest {
                *d = HEX[rng.below(16) as usize];
            }
            let digest = std::str::from_utf8(&digest).unwrap_or("00");
            writeln!(w, "{name} DS {} 13 2 {digest}", rng.below(65536))?;
            records += 1;
        }
    }
    // The in-zone providers' own delegations and glue.
    for p in 0..3000 {
        for k in 1..=4 {
            writeln!(w, "DNS{p} NS NS{k}.DNS{p}")?;
        }
        for k in 1..=4 {
            writeln!(w, "NS{k}.DNS{p} A 198.51.{}.{}", p % 256, k)?;
        }
        records += 8;
    }
    w.flush()?;
    Ok(records)
}
