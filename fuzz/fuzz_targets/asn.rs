//! ip2asn TSV lines: any bytes give a range, nothing or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(r)) = scry_parse::asn::parse_ip2asn_line(data) {
        let _ = scry_model::IpNet::cover(&r.start, &r.end);
    }
});
