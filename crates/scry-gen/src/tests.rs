use crate::names::{DGA_FAMILIES, LOOK_FORMS, Lexicon, is_ldh};
use crate::rng::Rng;

#[test]
fn every_name_generator_gives_ldh_labels() {
    let lex = Lexicon::new(&[]);
    let mut r = Rng::new(9);
    let mut s = String::new();
    for _ in 0..5_000 {
        lex.benign(&mut r, &mut s);
        assert!(is_ldh(&s), "{s}");
        for form in LOOK_FORMS {
            lex.lookalike("paypal", form, &["login"], &mut r, &mut s);
            assert!(is_ldh(&s), "{s}");
        }
        for (_, style) in DGA_FAMILIES {
            lex.dga(*style, &mut r, &mut s);
            assert!(is_ldh(&s), "{s}");
        }
        lex.spam(&["cheap"], &mut r, &mut s);
        assert!(is_ldh(&s), "{s}");
    }
}
