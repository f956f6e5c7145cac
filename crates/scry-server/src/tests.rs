use super::*;

#[test]
fn the_document_lists_every_route_once() {
    let doc = openapi::document();
    let mut listed = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            listed.push((method.clone(), path.clone()));
        }
    }
    listed.sort();
    let mut routes: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _, _)| (m.to_string(), p.to_string()))
        .collect();
    routes.sort();
    assert_eq!(listed, routes);
}

#[test]
fn scopes_and_key_headers() {
    assert_eq!(scope_of("GET", "/api/v1/domains/example.com"), Scope::Read);
    assert!(Scope::Admin > Scope::Write && Scope::Write > Scope::Read);
    let mut h = HeaderMap::new();
    h.insert("authorization", HeaderValue::from_static("Bearer abc"));
    assert_eq!(key_of(&h).as_deref(), Some("abc"));
    h.insert("x-api-key", HeaderValue::from_static("k2"));
    assert_eq!(key_of(&h).as_deref(), Some("k2"));
    let mut h = HeaderMap::new();
    h.insert("authorization", HeaderValue::from_static("Basic abc"));
    assert_eq!(key_of(&h), None);
}

#[test]
fn keys_are_stored_hashed_and_revocable() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = scry_store::DataDir::open(&tmp.path().join("d"), true).unwrap();
    let state = StateStore::open(&dir).unwrap();
    let (secret, info) = keys::create_key(&state, Scope::Read, "soar", 1).unwrap();
    assert!(secret.starts_with("scry_") && secret.len() == 53);
    // The secret itself is nowhere in the state store.
    for (k, v) in state.scan("").unwrap() {
        assert!(!k.contains(&secret) && !String::from_utf8_lossy(&v).contains(&secret));
    }
    assert_eq!(
        keys::check_key(&state, &secret).unwrap().unwrap().id,
        info.id
    );
    assert!(keys::check_key(&state, "scry_wrong").unwrap().is_none());
    assert!(keys::revoke_key(&state, &info.id).unwrap());
    assert!(keys::check_key(&state, &secret).unwrap().is_none());
    assert_eq!(keys::list_keys(&state).unwrap().len(), 1);
}

#[test]
fn every_post_route_documents_its_body() {
    let doc = openapi::document();
    for (m, p, _, _) in ROUTES.iter().filter(|r| r.0 == "post") {
        assert!(
            doc["paths"][*p][*m]["requestBody"].is_object(),
            "{m} {p} has no documented body"
        );
    }
}
