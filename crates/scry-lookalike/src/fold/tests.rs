use super::*;

#[test]
fn fold_maps_lookalikes_to_one_key() {
    let cases = [
        ("paypal", "paypal"),
        ("PayPal", "paypal"),
        ("paypa1", "paypal"),
        ("g00gle", "google"),
        ("rnicrosoft", "microsoft"),
        ("microsoft", "microsoft"),
        ("pąypal", "paypal"),
        ("раураӏ", "paypal"),
        ("аррӏе", "apple"),
        ("ɡооɡӏе", "google"),
        ("æther", "aether"),
        ("ʙank", "bank"),
        ("tᶌitter", "tvitter"),
        ("facebooⱪ", "facebook"),
    ];
    for (input, want) in cases {
        assert_eq!(fold(input), want, "fold({input})");
    }
}

#[test]
fn glyph_tables_are_registrable_and_fold_back() {
    let g = glyphs();
    for b in (b'a'..=b'z').chain(b'0'..=b'9') {
        for &c in g.of(b) {
            assert!(char_registrable(c), "{c} for {}", b as char);
            assert_eq!(fold(&c.to_string()), (b as char).to_string());
        }
    }
    assert!(g.of(b'a').contains(&'á'));
    assert!(g.of(b'a').contains(&'а'), "cyrillic a");
    assert_eq!(g.cyrillic(b'p'), Some('р'));
    assert_eq!(g.cyrillic(b'f'), None);
}

#[test]
fn restriction_levels_drop_mixed_scripts() {
    let cases = [
        ("paypal", IdnPolicy::Any, true),
        ("pаypal", IdnPolicy::Any, false), // Latin + Cyrillic а
        ("раураӏ", IdnPolicy::Any, true),  // all Cyrillic
        ("раураӏ", IdnPolicy::LatinOnly, false),
        ("páypal", IdnPolicy::LatinOnly, true),
        ("páypal", IdnPolicy::AsciiOnly, false),
        ("pay-pál", IdnPolicy::Any, true),
        ("pȧypal", IdnPolicy::Any, false), // not allowed by the TR39 profile
    ];
    for (label, policy, want) in cases {
        assert_eq!(label_registrable(label, policy), want, "{label} {policy:?}");
    }
}
