//! The `scry name --json` interface contract.

use crate::scry;

#[test]
fn name_json_one_object_per_input_in_order() {
    let out = scry()
        .args([
            "name",
            "--json",
            "WWW.Example.CO.UK.",
            "foo.blogspot.com",
            "_dmarc.example.com",
            "bücher.de",
            "a..b",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "an invalid name makes the exit status 1"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    let keys = [
        "input",
        "ascii",
        "unicode",
        "registrable",
        "registrable_unicode",
        "suffix",
        "subdomain",
        "valid",
        "error",
        "flags",
    ];
    for l in &lines {
        for k in keys {
            assert!(l.get(k).is_some(), "missing {k} in {l}");
        }
    }
    assert_eq!(lines[0]["ascii"], "www.example.co.uk");
    assert_eq!(lines[0]["registrable"], "example.co.uk");
    assert_eq!(lines[0]["suffix"], "co.uk");
    assert_eq!(lines[0]["subdomain"], "www");
    assert_eq!(lines[1]["registrable"], "foo.blogspot.com");
    assert!(
        lines[2]["flags"]
            .as_array()
            .unwrap()
            .contains(&"underscore_label".into())
    );
    assert_eq!(lines[2]["valid"], true);
    assert_eq!(lines[3]["ascii"], "xn--bcher-kva.de");
    assert_eq!(lines[3]["unicode"], "bücher.de");
    assert_eq!(lines[3]["registrable_unicode"], "bücher.de");
    assert_eq!(lines[4]["valid"], false);
    assert!(lines[4]["error"].as_str().unwrap().contains("empty label"));
}

#[test]
fn name_stdin_survives_non_utf8() {
    use std::io::Write;
    let mut child = scry()
        .args(["name", "--stdin", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"example.com\n\xff\xfe.com\nexample.org\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[1].contains("\"valid\":false"));
}
