//! The UTS #46 conformance vectors (a subset of Unicode's IdnaTestV2.txt,
//! `tests/data/idna-test-v2-subset.txt`, see its header) against Scry's
//! policy on top of UTS #46:
//!
//! - a source that UTS #46 converts without error is accepted, with the same
//!   A-labels and the same U-labels (a trailing root dot dropped);
//! - a source with errors is rejected, or accepted with a flag that says
//!   why (`idna2003_only`, `bad_punycode`, `hyphen_edge`,
//!   `underscore_label`), or accepted because of a documented leniency:
//!   one trailing root dot (A4_2), bidi rules applied label by label (B1-B6
//!   across labels), or code points that Unicode 17 (the idna crate's data)
//!   assigned after this file's Unicode 16 (V7: CJK Extension J from
//!   U+323B0, Small Seal script in plane 3).

use scry_model::{DomainName, NameFlag};

const FILE: &str = include_str!("../data/idna-test-v2-subset.txt");

/// Decodes the file's `\uXXXX` and `\x{XXXX}` escapes; `None` for escapes
/// that are no Unicode scalar value (lone surrogates).
fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        let (hex, after) = if let Some(t) = tail.strip_prefix("x{") {
            let end = t.find('}')?;
            (&t[..end], &t[end + 1..])
        } else if let Some(t) = tail.strip_prefix('u') {
            (t.get(..4)?, &t[4..])
        } else {
            out.push('\\');
            rest = tail;
            continue;
        };
        out.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

fn column(c: Option<&str>) -> Option<Option<String>> {
    let t = c.unwrap_or_default().trim();
    Some(match t {
        "" => None,
        "\"\"" => Some(String::new()),
        _ => Some(unescape(t)?),
    })
}

fn strip_root(s: &str) -> &str {
    s.strip_suffix('.').unwrap_or(s)
}

#[test]
fn idna_test_v2() {
    let (mut clean, mut with_errors, mut surrogates) = (0, 0, 0);
    for (i, line) in FILE.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default();
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("idna-test-v2-subset.txt:{}", i + 1);
        let mut cols = line.split(';');
        let (Some(source), Some(to_unicode), Some(status_u), Some(to_ascii), Some(status_a)) = (
            column(cols.next()),
            column(cols.next()),
            column(cols.next()),
            column(cols.next()),
            column(cols.next()),
        ) else {
            surrogates += 1;
            continue;
        };
        let source = source.unwrap_or_default();
        let to_unicode = to_unicode.unwrap_or_else(|| source.clone());
        let to_ascii = to_ascii.unwrap_or_else(|| to_unicode.clone());
        let status = status_a.or(status_u).unwrap_or_default();
        let parsed = DomainName::parse(&source);
        if status.is_empty() || status == "[]" {
            clean += 1;
            let n = parsed.unwrap_or_else(|e| panic!("{at}: {source:?}: {e}"));
            assert_eq!(n.ascii(), strip_root(&to_ascii), "{at}: {source:?}");
            assert_eq!(n.unicode(), strip_root(&to_unicode), "{at}: {source:?}");
            continue;
        }
        with_errors += 1;
        let Ok(n) = parsed else { continue };
        let flagged = [
            NameFlag::Idna2003Only,
            NameFlag::BadPunycode,
            NameFlag::HyphenEdge,
            NameFlag::UnderscoreLabel,
        ]
        .iter()
        .any(|f| n.has_flag(*f));
        if flagged {
            continue;
        }
        for code in status.trim_matches(['[', ']']).split(',').map(str::trim) {
            let excused = match code {
                "A4_2" => source.ends_with(['.', '。', '．', '｡']),
                c if c.starts_with('B') => n.label_count() > 1,
                "V7" => n
                    .unicode()
                    .chars()
                    .chain(source.chars())
                    .any(|c| c >= '\u{323B0}'),
                _ => false,
            };
            assert!(
                excused,
                "{at}: {source:?} accepted as {:?} {:?} despite {code}",
                n.ascii(),
                n.flags()
            );
        }
    }
    // Guards against a parser that silently skips lines.
    assert_eq!((clean, with_errors, surrogates), (546, 516, 0));
}
