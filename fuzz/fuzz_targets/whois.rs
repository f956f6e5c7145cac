//! WHOIS parser: any bytes give a record (never a panic or a hang), and the
//! record serialises.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let rec = scry_parse::parse_whois_bytes(data);
    let _ = serde_json::to_string(&rec);
    let _ = rec.to_observations(1_700_000_000, "fuzz", 1_700_000_000);
});
