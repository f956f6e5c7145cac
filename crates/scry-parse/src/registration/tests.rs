use super::*;

const NOW: i64 = 1_800_000_000;
const SEEN: i64 = 1_700_000_000;

fn sample() -> RegistrationRecord {
    let mut r = RegistrationRecord {
        domain: Some("example.com".into()),
        created: Some("1995-08-14T04:00:00Z".into()),
        expires: Some("2030-08-13T04:00:00Z".into()),
        statuses: vec!["clientTransferProhibited".into()],
        name_servers: vec!["a.iana-servers.net".into(), "b.iana-servers.net".into()],
        dnssec: Some("unsigned".into()),
        privacy_service: Some("Domains By Proxy, LLC".into()),
        ..RegistrationRecord::default()
    };
    r.registrar.name = Some("Example Registrar, Inc.".into());
    r.registrar.iana_id = Some("376".into());
    r.registrar.abuse_email = Some("abuse@registrar.example".into());
    r.contacts.registrant.org = Some("Domains By Proxy, LLC".into());
    r.contacts.registrant.country = Some("US".into());
    r.contacts.registrant.street = vec!["100 S. Mill Ave".into(), "Suite 1600".into()];
    r.contacts.admin.email = Some("hostmaster@example.org".into());
    r.redacted.add("registrant.name");
    r
}

#[test]
fn observations_use_the_vocabulary() {
    let obs = sample().to_observations(SEEN, "whois", NOW);
    let has = |p: Predicate, v: &str| {
        obs.iter()
            .any(|o| o.predicate == p && o.object.to_string() == v)
    };
    assert!(has(Predicate::REGISTRAR, "Example Registrar, Inc."));
    assert!(has(Predicate::REGISTRAR_IANA_ID, "376"));
    assert!(has(
        Predicate::REGISTRAR_ABUSE_EMAIL,
        "abuse@registrar.example"
    ));
    assert!(has(Predicate::CREATED, "1995-08-14T04:00:00Z"));
    assert!(has(Predicate::EXPIRES, "2030-08-13T04:00:00Z"));
    assert!(has(Predicate::STATUS, "clientTransferProhibited"));
    assert!(has(Predicate::NAMESERVER_HOST, "a.iana-servers.net"));
    assert!(has(Predicate::NAMESERVER_HOST, "b.iana-servers.net"));
    assert!(has(Predicate::DNSSEC, "unsigned"));
    assert!(has(Predicate::PRIVACY_SERVICE, "Domains By Proxy, LLC"));
    assert!(has(Predicate::REGISTRANT_ORG, "Domains By Proxy, LLC"));
    assert!(has(Predicate::REGISTRANT_COUNTRY, "US"));
    assert!(has(
        Predicate::REGISTRANT_STREET,
        "100 S. Mill Ave, Suite 1600"
    ));
    assert!(has(Predicate::ADMIN_EMAIL, "hostmaster@example.org"));
    assert!(has(Predicate::EMAIL_DOMAIN, "example.org"));
    // Redacted fields were dropped at parse time: no registrant name fact.
    assert!(
        !obs.iter()
            .any(|o| o.predicate == Predicate::REGISTRANT_NAME)
    );
    for o in &obs {
        assert_eq!(o.subject.to_string(), "example.com");
        assert_eq!(o.window.first_seen, SEEN);
        assert_eq!(o.window.last_seen, SEEN);
        assert_eq!(o.source, "whois");
    }
}

#[test]
fn no_observations_without_a_registration() {
    let mut r = sample();
    r.not_found = true;
    assert!(r.to_observations(SEEN, "whois", NOW).is_empty());
    let mut r = sample();
    r.domain = None;
    assert!(r.to_observations(SEEN, "whois", NOW).is_empty());
    let mut r = sample();
    r.domain = Some("not a domain".into());
    assert!(r.to_observations(SEEN, "whois", NOW).is_empty());
}

#[test]
fn bad_values_are_skipped_not_fatal() {
    let mut r = sample();
    r.contacts.tech.email = Some("not-an-email".into());
    r.created = Some("garbage".into());
    r.name_servers.push("bad..host".into());
    let obs = r.to_observations(SEEN, "whois", NOW);
    assert!(!obs.iter().any(|o| o.predicate == Predicate::TECH_EMAIL));
    assert!(!obs.iter().any(|o| o.predicate == Predicate::CREATED));
    assert_eq!(
        obs.iter()
            .filter(|o| o.predicate == Predicate::NAMESERVER_HOST)
            .count(),
        2
    );
}

#[test]
fn serde_round_trip_and_shape() {
    let r = sample();
    let j = serde_json::to_value(&r).unwrap();
    assert_eq!(j["registrar"]["name"], "Example Registrar, Inc.");
    assert_eq!(j["contacts"]["registrant"]["country"], "US");
    assert_eq!(j["redacted"]["fields"][0], "registrant.name");
    assert!(
        j["contacts"].get("tech").is_none(),
        "empty contacts are omitted"
    );
    let back: RegistrationRecord = serde_json::from_value(j).unwrap();
    assert_eq!(back, r);
    // Older or partial JSON fills in defaults.
    let min: RegistrationRecord = serde_json::from_str("{\"domain\":\"a.example\"}").unwrap();
    assert_eq!(min.domain.as_deref(), Some("a.example"));
}

#[test]
fn redaction_list_is_sorted_and_unique() {
    let mut red = Redaction::default();
    red.add("tech.email");
    red.add("registrant.name");
    red.add("tech.email");
    assert!(red.any);
    assert_eq!(red.fields, ["registrant.name", "tech.email"]);
}
