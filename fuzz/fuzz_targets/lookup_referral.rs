//! Live look-up parsers on untrusted answers: WHOIS referrals and server
//! tables, the RDAP bootstrap file, URL host extraction and certificate
//! fields. Any bytes give a value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(r) = scry_lookup::whois::parse_referral(&text) {
        assert!(r.port != 0 && !r.host.is_empty());
    }
    let _ = scry_lookup::whois::parse_server(&text);
    let table = scry_lookup::ServerTable::parse(&text, &text);
    let _ = table.server_for("example.com");
    let _ = scry_lookup::rdap::host_port(&text);
    if let Ok(b) = scry_lookup::Bootstrap::parse(data) {
        let _ = b.urls_for("www.example.co.uk");
    }
    let _ = scry_lookup::tls::cert_info(data);
});
