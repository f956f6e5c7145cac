//! Every passive DNS line format (COF, DNSDB SAF, Zeek TSV and JSON,
//! passivedns) on arbitrary input, plus format detection. The first byte
//! picks the format; the reader must end and never panic.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use scry_parse::pdns::{PdnsFormat, PdnsReader, detect_format};

const LINES: [PdnsFormat; 5] = [
    PdnsFormat::Cof,
    PdnsFormat::Dnsdb,
    PdnsFormat::ZeekTsv,
    PdnsFormat::ZeekJson,
    PdnsFormat::PassiveDns,
];

fuzz_target!(|data: &[u8]| {
    let _ = detect_format(data);
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let format = LINES[usize::from(sel) % LINES.len()];
    let reader = PdnsReader::new(format, Cursor::new(rest)).with_max_line(4096);
    let mut n = 0usize;
    for item in reader {
        if let Ok(r) = item {
            assert!(r.time_first <= r.time_last);
            let _ = r.to_observation("fuzz", 2_000_000_000);
        }
        n += 1;
        // Each line yields at most its own records and one error.
        assert!(n <= rest.len() * 2 + 2);
    }
});
