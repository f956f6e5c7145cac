//! pcap/pcapng captures on arbitrary input (DNS on ports 53, 5300, 5301):
//! the reader must end and never panic.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use scry_parse::pdns::{PdnsFormat, PdnsReader};

fuzz_target!(|data: &[u8]| {
    let reader = PdnsReader::new(PdnsFormat::Pcap, Cursor::new(data)).with_dns_ports(&[53, 5300, 5301]);
    for item in reader.take(1_000_000) {
        let _ = item;
    }
});
