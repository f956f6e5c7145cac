use super::*;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/rdap/openrdap/test/testdata"
);

#[test]
fn the_real_bootstrap_file() {
    let b =
        Bootstrap::parse(&std::fs::read(format!("{DATA}/bootstrap/dns.json")).unwrap()).unwrap();
    assert_eq!(b.publication.as_deref(), Some("2017-03-15T21:26:24Z"));
    assert_eq!(
        b.urls_for("example.cz"),
        Some(vec!["https://rdap.nic.cz".to_string()])
    );
    assert_eq!(
        b.urls_for("www.example.com.br"),
        Some(vec!["https://rdap.registro.br/".to_string()])
    );
    assert_eq!(b.urls_for("google.com"), None);
    assert_eq!(
        domain_url("https://rdap.registro.br/", "x.br"),
        "https://rdap.registro.br/domain/x.br"
    );
}

#[test]
fn malformed_bootstrap_files_are_errors() {
    for f in std::fs::read_dir(format!("{DATA}/bootstrap_malformed")).unwrap() {
        let path = f.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        // Either refused, or parsed without panicking.
        let _ = Bootstrap::parse(&bytes);
    }
    assert!(Bootstrap::parse(b"{").is_err());
    assert!(Bootstrap::parse(b"{\"services\": 3}").is_err());
}

#[test]
fn longest_suffix_wins() {
    let b = Bootstrap::parse(
        br#"{"services":[[["uk"],["http://a/"]],[["co.uk"],["http://b/","https://c/"]]]}"#,
    )
    .unwrap();
    assert_eq!(
        b.urls_for("x.co.uk").unwrap(),
        vec!["https://c/", "http://b/"]
    );
    assert_eq!(b.urls_for("x.org.uk").unwrap(), vec!["http://a/"]);
}

#[test]
fn urls() {
    assert_eq!(
        host_port("https://rdap.nic.cz/domain/x").unwrap(),
        ("rdap.nic.cz".into(), 443)
    );
    assert_eq!(
        host_port("http://127.0.0.1:8080/x").unwrap(),
        ("127.0.0.1".into(), 8080)
    );
    assert_eq!(host_port("http://[::1]:81/").unwrap(), ("::1".into(), 81));
    assert_eq!(
        host_port("http://user@Host.Example/").unwrap(),
        ("host.example".into(), 80)
    );
    assert!(host_port("ftp://x/").is_err());
    assert!(host_port("http:///x").is_err());
    assert!(host_port("http://x:notaport/").is_err());
    assert_eq!(
        join("http://a:1/rdap/domain/x", "/other/y"),
        "http://a:1/other/y"
    );
    assert_eq!(
        join("http://a:1/rdap/domain/x", "z"),
        "http://a:1/rdap/domain/z"
    );
    assert_eq!(join("http://a/x", "https://b/c"), "https://b/c");
}

#[test]
fn bootstrap_cache_keeps_the_fetch_date() {
    let dir = tempfile::tempdir().unwrap();
    let src = BootstrapSource {
        url: format!("{DATA}/bootstrap/dns.json"),
        cache_dir: Some(dir.path().to_path_buf()),
        max_age: Duration::from_secs(86_400),
    };
    let http = Http::new(Duration::from_secs(2));
    let guard = Guard {
        allow_private: false,
        resolve_timeout: Duration::from_secs(1),
    };
    let (b, at) = load_bootstrap(&src, &http, &guard, 1_700_000_000).unwrap();
    assert_eq!(at, 1_700_000_000);
    assert_eq!(b.len(), 3);
    // A day later the cache still answers, with its original date...
    let (_, at) = load_bootstrap(&src, &http, &guard, 1_700_000_000 + 3_600).unwrap();
    assert_eq!(at, 1_700_000_000);
    // ...and past max_age the file is read again.
    let (_, at) = load_bootstrap(&src, &http, &guard, 1_700_000_000 + 90_000).unwrap();
    assert_eq!(at, 1_700_090_000);
}
