//! Writes a deterministic `.com`-style zone for benchmarks.
//!
//! ```text
//! cargo run --release -p scry-parse --example gen_com_zone -- [--domains N] [--seed S] [--day D --churn PERMILLE] OUT
//! ```
//!
//! The default, 2,000,000 delegations, gives about 4.4 M records and 150 MB,
//! shaped like the Verisign `.com` file: `$ORIGIN COM.`, `$TTL`, an SOA in
//! parentheses, upper-case relative owners, two NS per domain (mostly at
//! out-of-zone hosting providers, some in-zone with A/AAAA glue), DS for
//! about 5 % of domains. The same seed always writes the same bytes.
//!
//! `--day D` (D ≥ 1) writes the same zone D days later: each day, `--churn`
//! per mille of the domains (10 by default) are deleted, as many change
//! their name servers and as many new ones are registered, so two days of
//! the same seed differ the way consecutive daily zone files do (real
//! `.com` churn is well under 1 % a day) and `scry zone diff` has
//! something realistic to find. Day 0 is the plain zone.
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
    eprintln!("usage: gen_com_zone [--domains N] [--seed S] [--day D --churn PERMILLE] OUT");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut domains: u64 = 2_000_000;
    let mut seed: u64 = 0x5c7e_2026;
    let mut churn = Churn {
        day: 0,
        permille: 10,
    };
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
            "--day" => match args.next().and_then(|v| v.parse().ok()) {
                Some(v) => churn.day = v,
                None => return usage(),
            },
            "--churn" => match args.next().and_then(|v| v.parse().ok()) {
                Some(v) if v <= 300 => churn.permille = v,
                _ => return usage(),
            },
            _ if out.is_none() && !a.starts_with('-') => out = Some(a),
            _ => return usage(),
        }
    }
    let Some(out) = out else { return usage() };
    match generate(&out, domains, seed, churn) {
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

/// Which day of the zone to write, and how much changes per day.
#[derive(Clone, Copy)]
struct Churn {
    day: u64,
    permille: u64,
}

/// What happens to domain `i` by `day`: its fate is drawn once per day
/// from a hash of (seed, i, day), so day D+1 keeps day D's changes.
#[derive(Clone, Copy, PartialEq)]
enum Fate {
    Kept,
    /// Name servers changed on the given day (the latest change wins).
    Moved(u64),
    Deleted,
}

fn mix(mut x: u64) -> u64 {
    // splitmix64's finaliser.
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn fate(seed: u64, i: u64, churn: Churn) -> Fate {
    let mut f = Fate::Kept;
    for d in 1..=churn.day {
        let r = mix(seed ^ mix(i ^ mix(d))) % 1000;
        if r < churn.permille {
            return Fate::Deleted;
        }
        if r < 2 * churn.permille {
            f = Fate::Moved(d);
        }
    }
    f
}

fn generate(path: &str, domains: u64, seed: u64, churn: Churn) -> std::io::Result<u64> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut rng = Rng(seed | 1);
    // Domains registered on days 1..=D come after the first `domains`.
    let registered = domains * churn.permille / 1000 * churn.day;
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
    let mut sink = Vec::new();
    for i in 0..domains + registered {
        // Every domain draws the same random numbers whatever the day, so
        // names and name servers stay put; a deleted one is written to a
        // sink, a moved one gets a provider from its own stream.
        let fate = if i < domains {
            fate(seed, i, churn)
        } else {
            Fate::Kept
        };
        sink.clear();
        let w: &mut dyn Write = if fate == Fate::Deleted {
            &mut sink
        } else {
            &mut w
        };
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
            let mut p = rng.below(3000);
            if let Fate::Moved(d) = fate {
                p = mix(seed ^ mix(i ^ mix(d) ^ 0x4d6f_7665)) % 3000;
            }
            writeln!(w, "{name} NS NS{}.DNS{p}", 1 + rng.below(2))?;
            writeln!(w, "{name} NS NS{}.DNS{p}", 3 + rng.below(2))?;
            records += 2;
        } else {
            let mut p = rng.below(20_000);
            if let Fate::Moved(d) = fate {
                p = mix(seed ^ mix(i ^ mix(d) ^ 0x4d6f_7665)) % 20_000;
            }
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
        if fate == Fate::Deleted {
            records -= sink.iter().filter(|b| **b == b'\n').count() as u64;
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
