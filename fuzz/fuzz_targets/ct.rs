//! Certstream CT lines: any bytes give an entry, nothing or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(e)) = scry_parse::ct::parse_line(data) {
        let _ = e.to_observations("fuzz", 1_800_000_000);
    }
});
