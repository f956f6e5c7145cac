//! Fuzzes the name, e-mail and IP normalisers of `scry-model`: none may
//! panic, and whatever they accept must be a fixed point of normalisation.
//!
//! `cargo fuzz run name` (from the repository root).
#![no_main]

use libfuzzer_sys::fuzz_target;
use scry_model::{DomainName, Email, Ip, IpNet, NameFlag};

fuzz_target!(|data: &[u8]| {
    // The CLI decodes bytes before normalising; invalid UTF-8 never gets here.
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };

    let report = DomainName::report(s);
    match DomainName::parse(s) {
        Ok(n) => {
            assert!(report.valid);
            let ascii = n.ascii();
            assert!(ascii.len() <= 253 && ascii.split('.').all(|l| (1..=63).contains(&l.len())));
            let again = DomainName::parse(ascii).expect("the A-label form re-parses");
            assert_eq!(again.ascii(), ascii);
            assert_eq!(again.unicode(), n.unicode());
            assert_eq!(again.registrable(), n.registrable());
            assert_eq!(again.suffix(), n.suffix());
            assert!(!again.has_flag(NameFlag::Rewritten));
            let shown = DomainName::parse(n.unicode()).expect("the display form re-parses");
            assert_eq!(shown.ascii(), ascii);
            if let Some(r) = n.registrable() {
                match n.subdomain() {
                    Some(sub) => assert_eq!(format!("{sub}.{r}"), ascii),
                    None => assert_eq!(r, ascii),
                }
                assert!(r.ends_with(n.suffix()));
            }
            let rev = n.reversed();
            assert_eq!(rev.split('.').rev().collect::<Vec<_>>().join("."), ascii);
        }
        Err(_) => assert!(!report.valid && report.error.is_some()),
    }

    if let Ok(e) = Email::parse(s) {
        assert_eq!(Email::parse(&e.to_string()).as_ref(), Ok(&e));
    }
    if let Ok(ip) = Ip::parse(s) {
        assert_eq!(Ip::parse(&ip.to_string()), Ok(ip));
        assert_eq!(Ip::from_key(ip.key()), ip);
    }
    if let Ok(net) = IpNet::parse(s) {
        assert_eq!(IpNet::parse(&net.to_string()), Ok(net));
        assert!(net.contains(&net.addr));
    }
});
