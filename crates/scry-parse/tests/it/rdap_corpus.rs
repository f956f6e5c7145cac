//! Every RDAP document in the shared corpus: domain responses parse, the rest
//! give errors, nothing panics.

use serde_json::Value;

use scry_parse::parse_rdap;

#[test]
fn every_shared_rdap_domain_response_parses() {
    let mut domains = 0;
    let mut others = 0;
    for sub in ["rdap/icann-rdap", "rdap/openrdap", "rdap/ipwhois"] {
        for f in super::walk(&super::data().join(sub)) {
            let bytes = std::fs::read(&f).unwrap();
            let res = parse_rdap(&bytes);
            let is_domain = serde_json::from_slice::<Value>(&bytes)
                .ok()
                .is_some_and(|v| {
                    v.get("objectClassName").and_then(Value::as_str) == Some("domain")
                        || v.get("domainSearchResults").is_some()
                });
            if is_domain {
                let rec = res.unwrap_or_else(|e| panic!("{}: {e}", f.display()));
                assert!(rec.domain.is_some(), "{}: no domain", f.display());
                domains += 1;
            } else {
                assert!(
                    res.is_err(),
                    "{}: non-domain document accepted",
                    f.display()
                );
                others += 1;
            }
        }
    }
    println!("rdap corpus: {domains} domain responses parsed, {others} other documents refused");
    assert!(domains >= 8, "only {domains} domain responses");
}
