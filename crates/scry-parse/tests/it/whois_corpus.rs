//! The whole shared WHOIS corpus: nothing panics, not-found responses are
//! flagged, hostile input is refused.

use scry_parse::parse_whois_bytes;

#[test]
fn likexian_notfound_all_flagged() {
    let dir = super::data().join("whois/likexian/testdata/notfound");
    let files = super::walk(&dir);
    assert_eq!(
        files.len(),
        88,
        "expected the 88 likexian not-found responses"
    );
    let mut missed = Vec::new();
    for f in &files {
        let rec = parse_whois_bytes(&std::fs::read(f).unwrap());
        if !rec.not_found {
            missed.push(f.display().to_string());
        }
    }
    assert!(missed.is_empty(), "not flagged not_found: {missed:#?}");
}

#[test]
fn likexian_registered_are_not_flagged_not_found() {
    let dir = super::data().join("whois/likexian/testdata/noterror");
    for f in super::walk(&dir) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".json") || name.ends_with(".pre") || name.ends_with(".md") {
            continue;
        }
        let rec = parse_whois_bytes(&std::fs::read(&f).unwrap());
        assert!(!rec.not_found, "{name} flagged not_found");
        assert!(rec.has_data(), "{name} gave no data");
    }
}

#[test]
fn every_shared_whois_file_parses_without_panic() {
    let mut n = 0;
    for sub in [
        "whois/likexian",
        "whois/weppos",
        "whois/joepie91",
        "whois/whoisdomain",
    ] {
        for f in super::walk(&super::data().join(sub)) {
            let bytes = std::fs::read(&f).unwrap();
            let rec = parse_whois_bytes(&bytes);
            // Serialises and round-trips.
            let j = serde_json::to_string(&rec).unwrap();
            let back: scry_parse::RegistrationRecord = serde_json::from_str(&j).unwrap();
            assert_eq!(back, rec);
            n += 1;
        }
    }
    assert!(n > 1500, "only {n} files");
}

#[test]
fn weppos_available_responses_are_not_found() {
    // weppos names its not-registered fixtures `status_available.txt`.
    let mut total = 0;
    let mut flagged = 0;
    for f in super::walk(&super::data().join("whois/weppos/spec/fixtures/responses")) {
        if f.file_name().is_some_and(|n| n == "status_available.txt") {
            total += 1;
            if parse_whois_bytes(&std::fs::read(&f).unwrap()).not_found {
                flagged += 1;
            }
        }
    }
    println!("weppos status_available: {flagged}/{total} flagged not_found");
    assert!(total > 100);
    assert!(
        f64::from(flagged) / f64::from(total) >= 0.9,
        "{flagged}/{total}"
    );
}
