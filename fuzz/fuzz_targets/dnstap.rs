//! Frame Streams + dnstap protobuf on arbitrary input: the file reader and
//! the sans-IO frame decoder must end and never panic.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use scry_parse::pdns::dnstap::{MessageType, decode_dnstap, decode_frame, dnstap_records};
use scry_parse::pdns::{PdnsFormat, PdnsReader};

fuzz_target!(|data: &[u8]| {
    for item in PdnsReader::new(PdnsFormat::Dnstap, Cursor::new(data)) {
        let _ = item;
    }
    let mut rest = data;
    while let Ok(Some((_, used))) = decode_frame(rest) {
        assert!(used > 0 && used <= rest.len());
        rest = &rest[used..];
    }
    let _ = decode_dnstap(data);
    let _ = dnstap_records(data, MessageType::is_default_taken);
    let _ = dnstap_records(data, |_| true);
});
