//! DNS wire decoding of arbitrary messages: never panics, never loops, and
//! every record it yields is in normal form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scry_parse::pdns::wire::{WireContext, decode_name, decode_response};

fuzz_target!(|data: &[u8]| {
    let ctx = WireContext {
        time: 1_700_000_000,
        sensor_id: Some("fuzz"),
        bailiwick: None,
    };
    let d = decode_response(data, &ctx);
    for r in &d.records {
        assert!(!r.rrname.is_empty());
        assert!(!r.rdata.is_empty());
        assert!(r.rrname == "." || !r.rrname.ends_with('.') || r.rrname.ends_with("\\."));
        assert!(!r.rrname.bytes().any(|b| b.is_ascii_uppercase()));
    }
    let _ = decode_name(data);
});
