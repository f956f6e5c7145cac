//! The Public Suffix List project's official test vectors, run against
//! `DomainName::registrable()`.
//!
//! Read in place from `shared/data/psl/tests` (publicsuffix/list @ e8c9a2b2):
//! `test_psl.txt` holds `checkPublicSuffix(input, expected)` calls and
//! `tests.txt` the same vectors as `input expected` lines; `null` means "no
//! registrable domain" (for the input, a null input). Expected U-label
//! domains are compared in A-label form, since `registrable()` returns
//! A-labels; `registrable_unicode()` is checked against the U-label form.
//!
//! The `psl` crate embeds its own copy of the list (psl 2.1.247, newer than
//! the e8c9a2b2 file: about 190 rules added, 40 removed, all in the private
//! section's cloud-provider wildcards). None of the rules the vectors exercise
//! differs between the two copies, so no vector is excused.

use scry_model::DomainName;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/psl/tests"
);

/// One vector: input (`None` for the null input) and the expected
/// registrable domain as written in the file.
#[derive(Debug)]
struct Vector {
    line: usize,
    input: Option<String>,
    expected: Option<String>,
}

fn null_or(s: &str) -> Option<String> {
    (s != "null").then(|| s.to_string())
}

fn parse_test_psl(text: &str) -> Vec<Vector> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let Some(args) = line
            .strip_prefix("checkPublicSuffix(")
            .and_then(|l| l.strip_suffix(");"))
        else {
            assert!(
                line.is_empty() || line.starts_with("//"),
                "test_psl.txt:{}: unexpected line {line:?}",
                i + 1
            );
            continue;
        };
        let (a, b) = args
            .split_once(", ")
            .unwrap_or_else(|| panic!("test_psl.txt:{}: two arguments expected", i + 1));
        let unquote = |s: &str| -> Option<String> {
            let s = s.trim();
            if s == "null" {
                return None;
            }
            Some(
                s.strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .unwrap_or_else(|| panic!("test_psl.txt:{}: unquoted {s:?}", i + 1))
                    .to_string(),
            )
        };
        out.push(Vector {
            line: i + 1,
            input: unquote(a),
            expected: unquote(b),
        });
    }
    out
}

fn parse_tests_txt(text: &str) -> Vec<Vector> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
            panic!("tests.txt:{}: two fields expected in {line:?}", i + 1);
        };
        out.push(Vector {
            line: i + 1,
            input: null_or(a),
            expected: null_or(b),
        });
    }
    out
}

/// Runs the vectors and returns the failures as readable lines.
fn run(file: &str, vectors: &[Vector]) -> Vec<String> {
    let mut failures = Vec::new();
    for v in vectors {
        let Some(input) = &v.input else {
            // The null input: nothing to normalise, nothing registrable.
            assert_eq!(v.expected, None, "{file}:{}", v.line);
            continue;
        };
        let got = DomainName::parse(input).ok();
        let registrable = got.as_ref().and_then(|n| n.registrable());
        let want_ascii = v.expected.as_deref().map(|e| {
            DomainName::parse(e)
                .unwrap_or_else(|err| panic!("{file}:{}: expected value {e:?}: {err}", v.line))
                .ascii()
                .to_string()
        });
        if registrable != want_ascii.as_deref() {
            failures.push(format!(
                "{file}:{}: {input:?}: registrable {registrable:?}, expected {want_ascii:?}",
                v.line
            ));
            continue;
        }
        // Expected values given in Unicode are also what we display.
        if let (Some(e), Some(n)) = (&v.expected, &got)
            && !e.is_ascii()
            && n.registrable_unicode() != Some(e.as_str())
        {
            failures.push(format!(
                "{file}:{}: {input:?}: registrable_unicode {:?}, expected {e:?}",
                v.line,
                n.registrable_unicode()
            ));
        }
    }
    failures
}

fn read(name: &str) -> String {
    let path = format!("{DIR}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn test_psl_txt() {
    let vectors = parse_test_psl(&read("test_psl.txt"));
    // 78 live vectors (the null one included); a parser that silently
    // skipped lines would pass.
    assert_eq!(vectors.len(), 78);
    let failures = run("test_psl.txt", &vectors);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn tests_txt() {
    let vectors = parse_tests_txt(&read("tests.txt"));
    assert_eq!(vectors.len(), 78);
    let failures = run("tests.txt", &vectors);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_two_files_agree() {
    let a = parse_test_psl(&read("test_psl.txt"));
    let b = parse_tests_txt(&read("tests.txt"));
    let pairs = |v: &[Vector]| {
        v.iter()
            .map(|v| (v.input.clone(), v.expected.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(pairs(&a), pairs(&b));
}
