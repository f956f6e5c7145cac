//! Prints the parsed record of each WHOIS (or, with `--rdap`, RDAP) file as
//! one JSON line: `cargo run -p scry-parse --example whois_dump -- FILE...`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

fn main() {
    let mut rdap = false;
    for arg in std::env::args().skip(1) {
        if arg == "--rdap" {
            rdap = true;
            continue;
        }
        let bytes = match std::fs::read(&arg) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{arg}: {e}");
                continue;
            }
        };
        let out = if rdap {
            match scry_parse::parse_rdap(&bytes) {
                Ok(r) => serde_json::to_string(&r),
                Err(e) => Ok(format!("{{\"error\":{:?}}}", e.to_string())),
            }
        } else {
            serde_json::to_string(&scry_parse::parse_whois_bytes(&bytes))
        };
        match out {
            Ok(s) => println!("{arg}\t{s}"),
            Err(e) => eprintln!("{arg}: {e}"),
        }
    }
}
