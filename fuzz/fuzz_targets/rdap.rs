//! RDAP parser: any bytes give a record or an error (never a panic or a
//! stack overflow), and records serialise.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rec) = scry_parse::parse_rdap(data) {
        let _ = serde_json::to_string(&rec);
        let _ = rec.to_observations(1_700_000_000, "fuzz", 1_700_000_000);
    }
});
