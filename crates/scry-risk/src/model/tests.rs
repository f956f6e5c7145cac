use proptest::prelude::*;

use super::*;

fn name(s: &str) -> DomainName {
    DomainName::parse(s).unwrap()
}

#[test]
fn builtin_loads_and_round_trips() {
    let m = Model::builtin();
    let bytes = m.to_bytes();
    assert_eq!(bytes.as_slice(), BUILTIN, "to_bytes reproduces the file");
    let again = Model::from_bytes(&bytes).unwrap();
    assert_eq!(&again, m);
    // The 4-gram model's tables are most of it (v1 was 270 kB).
    assert!(bytes.len() < 1_500_000, "{} bytes", bytes.len());
}

#[test]
fn truncated_files_are_rejected() {
    let bytes = Model::builtin().to_bytes();
    let mut cut = 0;
    while cut < bytes.len() {
        let e = Model::from_bytes(&bytes[..cut]).unwrap_err();
        assert!(matches!(e, Error::Model { .. }), "{e}");
        cut += 4099;
    }
    assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut longer = bytes.clone();
    longer.push(0);
    let e = Model::from_bytes(&longer).unwrap_err();
    assert!(e.to_string().contains("trailing"), "{e}");
}

#[test]
fn corrupt_headers_and_bodies_are_rejected() {
    let bytes = Model::builtin().to_bytes();
    let check = |at: usize, v: u8, want: &str| {
        let mut b = bytes.clone();
        b[at] = v;
        let e = Model::from_bytes(&b).unwrap_err().to_string();
        assert!(e.contains(want), "byte {at}: {e}");
    };
    check(0, b'X', "magic");
    check(8, 1, "version");
    check(13, 0, "weight buckets");
    check(28, 0, "unigram slots");
    check(33, 0, "suffix buckets");
    check(37, 0, "order-2 buckets");
    check(48, 0, "threats");
    check(52, 0, "tree inputs");
    // A scale of 0 / NaN.
    for (i, v) in [0u8, 0, 0xc0, 0x7f].iter().enumerate() {
        let mut b = bytes.clone();
        b[56 + i] = *v;
        assert!(Model::from_bytes(&b).is_err());
    }
    // A flipped weight byte: only the checksum can tell.
    check(1000, bytes[1000] ^ 1, "checksum");
    assert!(Model::from_bytes(b"").is_err());
}

/// Byte offset of each threat's shift, tree depth and count (the trees
/// follow), in a model's bytes.
fn booster_offsets(m: &Model) -> [usize; THREATS] {
    let mut at = 56 + THREATS * (4 + DIM * 2);
    std::array::from_fn(|t| {
        let here = at;
        let b = &m.boosters[t];
        let splits = if b.trees.is_empty() {
            0
        } else {
            (1 << b.depth) - 1
        };
        at += 12 + b.trees.len() * (5 * splits + 4);
        here
    })
}

#[test]
fn corrupt_trees_are_rejected() {
    let m = Model::builtin();
    let bytes = m.to_bytes();
    let t = (0..THREATS)
        .find(|&t| !m.boosters[t].trees.is_empty())
        .expect("the built-in model has trees");
    let at = booster_offsets(m)[t];
    let depth = m.boosters[t].depth;
    let splits = (1usize << depth) - 1;
    let put = |b: &mut Vec<u8>, off: usize, v: [u8; 4]| b[off..off + 4].copy_from_slice(&v);
    let fails = |b: &[u8], want: &str| {
        let e = Model::from_bytes(b).unwrap_err().to_string();
        assert!(e.contains(want), "{want}: {e}");
    };
    // A NaN or huge shift.
    for v in [f32::NAN, 1e9] {
        let mut b = bytes.clone();
        put(&mut b, at, v.to_le_bytes());
        fails(&b, "shift");
    }
    // Too deep, depth 0 with trees, too many trees.
    for (off, v, want) in [
        (4, 7u32, "trees of depth"),
        (4, 0, "trees of depth"),
        (8, u32::MAX, "trees of depth"),
    ] {
        let mut b = bytes.clone();
        put(&mut b, at + off, v.to_le_bytes());
        fails(&b, want);
    }
    // One more tree than there are bytes for.
    let mut b = bytes.clone();
    let n = m.boosters[t].trees.len() as u32;
    put(&mut b, at + 8, (n + 1).to_le_bytes());
    assert!(Model::from_bytes(&b).is_err());
    // The first tree: a split on an input that does not exist, a NaN
    // threshold, an infinite leaf.
    let first = at + 12;
    let mut b = bytes.clone();
    b[first] = INPUTS as u8;
    fails(&b, "unknown input");
    let mut b = bytes.clone();
    put(&mut b, first + splits, f32::NAN.to_le_bytes());
    fails(&b, "threshold");
    let mut b = bytes.clone();
    put(&mut b, first + 5 * splits, f32::INFINITY.to_le_bytes());
    fails(&b, "leaf");
    // A changed leaf value that is in range: only the checksum tells.
    let mut b = bytes.clone();
    put(&mut b, first + 5 * splits, 0.5f32.to_le_bytes());
    fails(&b, "checksum");
}

#[test]
fn trees_add_to_the_linear_margin_and_none_is_the_linear_model() {
    let m = Model::builtin();
    let mut linear = m.clone();
    linear.boosters = Default::default();
    let n = name("xkrlmshkbhi.net");
    let f = m.features(&n);
    let margin = |t: usize| -> f32 { f.iter().map(|(i, v, _)| m.weights[i][t] * v).sum::<f32>() };
    for t in 0..THREATS {
        let want_linear = margin(t) - m.shifts[t];
        let got = linear.logits(&f)[t];
        assert!(
            (got - want_linear).abs() < 1e-4,
            "{t}: {got} vs {want_linear}"
        );
        let x = boost::inputs(&f, margin(t));
        let want = margin(t) + m.boosters[t].eval(&x) - m.shifts[t];
        let got = m.logits(&f)[t];
        assert!((got - want).abs() < 1e-4, "{t}: {got} vs {want}");
    }
    // A model without trees writes depth 0 and 0 trees, and loads back.
    let b = linear.to_bytes();
    assert_eq!(Model::from_bytes(&b).unwrap(), linear);
}

#[test]
fn corrupt_word_lists_are_rejected() {
    let m = Model::builtin();
    let bytes = m.to_bytes();
    let words: usize = m.lm.words.list.iter().map(|w| 1 + w.len()).sum();
    assert!(!m.lm.words.list.is_empty());
    let first = bytes.len() - 8 - words;
    // The first word's first letter made uppercase, then made to sort
    // after the second word, then a length past the end.
    let mut b = bytes.clone();
    b[first + 1] = b'A';
    let e = Model::from_bytes(&b).unwrap_err().to_string();
    assert!(e.contains("invalid word"), "{e}");
    let mut b = bytes.clone();
    b[first + 1] = b'z';
    b[first + 2] = b'z';
    let e = Model::from_bytes(&b).unwrap_err().to_string();
    assert!(e.contains("sorted"), "{e}");
    let mut b = bytes.clone();
    b[first] = 255;
    assert!(Model::from_bytes(&b).is_err());
    // The word count.
    let mut b = bytes.clone();
    b[first - 4..first].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = Model::from_bytes(&b).unwrap_err().to_string();
    assert!(e.contains("words, at most"), "{e}");
}

#[test]
fn scores_move_the_right_way() {
    let m = Model::builtin();
    // Real PhishTank 2021 domains vs. OpenDNS top names.
    for bad in [
        "hs-bc-onlinebanking-account.com",
        "www.lloyduk-added-payee.com",
        "accounts.paxful.com.paxful-security.com",
    ] {
        for good in ["google.com", "wikipedia.org", "bbc.co.uk"] {
            assert!(
                m.score(&name(bad)).phishing > m.score(&name(good)).phishing + 30,
                "{bad} vs {good}"
            );
        }
    }
    // A DGA name of a held-out family (new_goz) vs. the same benign names.
    let dga = m.score(&name("71sz271y6jw0m1nmkgq11owix1f.com")).malware;
    assert!(dga >= 90, "{dga}");
    for good in ["google.com", "wikipedia.org", "bbc.co.uk"] {
        assert!(m.score(&name(good)).malware < 20, "{good}");
    }
}

#[test]
fn a_brand_never_phishes_for_itself() {
    let m = Model::builtin();
    for own in [
        "paypal.com",
        "www.paypal.com",
        "login.microsoftonline.microsoft.com",
        "chase.com",
    ] {
        assert!(m.score(&name(own)).phishing <= 1, "{own}");
    }
    // The brand as a subdomain of someone else's domain is not its own.
    assert!(m.score(&name("paypal.com.verify-account.info")).phishing >= 50);
}

#[test]
fn popular_names_stay_below_50() {
    // Calibration: score 50 sits at the 99.5th percentile of benign
    // training names, so the most popular names are well below it.
    let m = Model::builtin();
    for good in [
        "google.com",
        "facebook.com",
        "youtube.com",
        "wikipedia.org",
        "amazon.co.uk",
        "bbc.co.uk",
        "github.io",
        "cloudflare.net",
    ] {
        let p = m.score(&name(good));
        assert!(
            p.phishing < 50 && p.malware < 50 && p.spam < 50,
            "{good}: {p:?}"
        );
    }
}

#[test]
fn evidence_names_the_features() {
    let p = Model::builtin().score(&name("paypal-secure-login.com"));
    assert!(p.phishing >= 50);
    let ev: Vec<_> = p
        .evidence
        .iter()
        .filter(|e| e.threat == Threat::Phishing)
        .collect();
    assert!(!ev.is_empty() && ev.len() <= 4);
    assert!(ev.windows(2).all(|w| w[0].weight >= w[1].weight));
    assert!(
        ev.iter()
            .any(|e| e.feature == "keyword" && e.detail == "contains keyword 'secure'"),
        "{ev:?}"
    );
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["evidence"][0]["threat"], "phishing");
    let back: ThreatProfile = serde_json::from_value(json).unwrap();
    assert_eq!(back, p);
    // A plainly benign name has little to explain.
    let g = Model::builtin().score(&name("wikipedia.org"));
    assert!(
        g.evidence
            .iter()
            .all(|e| e.threat != Threat::Phishing || g.phishing >= 10)
    );
}

#[test]
fn fast_scores_match_full_scores() {
    let m = Model::builtin();
    for s in [
        "google.com",
        "paypa1-login.xyz",
        "x7kq2zz9.ru",
        "a.b.c.github.io",
    ] {
        let p = m.score(&name(s));
        assert_eq!(m.scores(&name(s)), [p.phishing, p.malware, p.spam]);
    }
}

proptest! {
    #[test]
    fn any_name_scores_with_bounded_features(label in "[a-z0-9][a-z0-9-]{0,61}[a-z0-9]", tld in "(com|ws|co\\.uk|github\\.io|xn--p1ai|zz)") {
        // The built-in model's word automaton, 4-gram and suffix tables on
        // any label.
        let Ok(n) = DomainName::parse(&format!("{label}.{tld}")) else { return Ok(()); };
        let m = Model::builtin();
        let f = m.features(&n);
        for (i, v, _) in f.iter() {
            prop_assert!(i < DIM);
            prop_assert!(v.is_finite() && v.abs() <= 2.0, "{i} {v}");
        }
        prop_assert!(f.info.covered <= f.info.len);
        let p = m.score(&n);
        prop_assert!(p.phishing <= 99 && p.malware <= 99 && p.spam <= 99);
    }

    #[test]
    fn hostile_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(Model::from_bytes(&b).is_err());
    }

    #[test]
    fn header_prefix_with_garbage_never_panics(tail in proptest::collection::vec(any::<u8>(), 0..256)) {
        let mut b = Model::builtin().to_bytes()[..40].to_vec();
        b.extend(tail);
        prop_assert!(Model::from_bytes(&b).is_err());
    }

    #[test]
    fn hostile_tree_bytes_with_a_valid_checksum_load_or_fail_cleanly(
        at in 0usize..1 << 20,
        patch in proptest::collection::vec(any::<u8>(), 1..9),
    ) {
        // Past the checksum: the structural checks alone stand between
        // these bytes and the scorer.
        let m = Model::builtin();
        let mut b = m.to_bytes();
        let start = booster_offsets(m)[0];
        let end = b.len() - 8;
        let pos = start + at % (end - start);
        for (k, v) in patch.iter().enumerate() {
            if pos + k < end {
                b[pos + k] = *v;
            }
        }
        let sum = checksum(&b[..end]);
        b[end..].copy_from_slice(&sum.to_le_bytes());
        if let Ok(m) = Model::from_bytes(&b) {
            let p = m.score(&name("paypal-login.example.com"));
            prop_assert!(p.phishing <= 99 && p.malware <= 99 && p.spam <= 99);
            let _ = m.scores(&name("xkrlmshkbhi.net"));
        }
    }
}

/// Every host of the mini fixture (benign lists, PhishTank URLs' hosts,
/// DGA names) and hand-picked look-alikes, IDNs and hosted names.
fn fixture_hosts() -> Vec<DomainName> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mini");
    let mut hosts: Vec<String> = [
        "paypa1.com",
        "paypal.com",
        "www.paypal.co.uk",
        "amazon.co.uk",
        "secure-paypal-login.com",
        "xn--pypal-4ve.com",
        "pаypal.com",
        "micros0ft-support.net",
        "g00gle.com",
        "login.microsoftonline.com.evil.xyz",
        "appleid.apple.com-verify.top",
        "faceb00k.github.io",
        "netflix.netlify.app",
        "wellsfargo.com.secure.ru.com",
        "t.bg",
        "xn--80ak6aa92e.com",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    for f in ["opendns-top-10k.txt", "opendns-random-10k.txt"] {
        let text = std::fs::read_to_string(dir.join("benign").join(f)).unwrap();
        hosts.extend(text.lines().map(str::to_string));
    }
    let csv =
        std::fs::read_to_string(dir.join("phishing/phishtank-verified-online-2021.csv")).unwrap();
    for line in csv.lines().skip(1) {
        let fields = crate::data::csv_fields(line);
        if let Some(h) = fields.get(1).and_then(|u| crate::data::url_host(u)) {
            hosts.push(h.to_string());
        }
    }
    let gz = std::fs::File::open(dir.join("dga/dga-labeled.csv.gz")).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gz), &mut text).unwrap();
    hosts.extend(
        text.lines()
            .skip(1)
            .filter_map(|l| l.split(',').next().map(str::to_string)),
    );
    let names: Vec<DomainName> = hosts
        .iter()
        .filter_map(|h| DomainName::parse(h).ok())
        .collect();
    assert!(names.len() > 800, "{} fixture hosts", names.len());
    names
}

#[test]
fn one_pass_report_equals_the_profile_and_the_lookalike_apart() {
    // The report's path scores a name and matches it against the brands
    // once; what it gets must be what `score` and `lookalike_of` (the
    // matcher on the re-parsed A-label text) give separately.
    let m = Model::builtin();
    let mut imitations = 0;
    for n in fixture_hosts() {
        let (p, l) = m.score_and_lookalike(&n);
        assert_eq!(p, m.score(&n), "{n}");
        let apart = crate::lookalike_of(&n).map(|(similarity, brand, t)| Lookalike {
            similarity,
            brand,
            techniques: t.join(", "),
        });
        assert_eq!(l, apart, "{n}");
        imitations += usize::from(l.is_some());
    }
    assert!(imitations >= 10, "{imitations} look-alikes");
}
