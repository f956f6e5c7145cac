use super::*;

#[test]
fn what_parses() {
    assert_eq!(
        What::parse("dns,whois").unwrap(),
        What {
            dns: true,
            whois: true,
            rdap: false,
            tls: false
        }
    );
    assert_eq!(What::parse("all").unwrap(), What::ALL);
    assert!(What::parse("dns,ftp").is_err());
    assert!(What::parse("").is_err());
}

#[test]
fn an_invalid_name_is_reported_not_fatal() {
    let l = Lookup::new(LookupConfig::default()).unwrap();
    let r = l.lookup("not a name!", What::ALL, 1_700_000_000);
    assert_eq!(r.steps.len(), 1);
    assert_eq!(r.steps[0].step, Step::Name);
    assert!(!r.steps[0].ok);
}

#[test]
fn a_refused_tls_address_is_a_step_error() {
    // The name's own address is private: the TLS step refuses it (no
    // connection is made), and no other step is run or harmed.
    let l = Lookup::new(LookupConfig::default()).unwrap();
    let mut r = l.lookup(
        "www.example.com",
        What {
            dns: false,
            whois: false,
            rdap: false,
            tls: false,
        },
        1_700_000_000,
    );
    r.addresses = vec!["10.0.0.1".parse().unwrap()];
    let name = DomainName::parse("www.example.com").unwrap();
    let e = l.step_tls(&name, 1_700_000_000, &mut r).unwrap_err();
    assert!(
        matches!(
            e,
            LookupError::Refused {
                reason: "private",
                ..
            }
        ),
        "{e}"
    );
}
