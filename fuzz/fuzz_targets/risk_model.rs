//! Risk model files: any bytes load as a model or give an error, never a
//! panic; the built-in model with one byte changed still loads or fails
//! cleanly, also with its checksum recomputed (so that the structural
//! checks, the trees' depths, counts, split inputs, thresholds and leaves
//! among them, are what must catch it), and a model that loads scores a
//! name.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// FNV-1a 64, the model file's checksum.
fn checksum(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn score(m: &scry_risk::Model) {
    for n in ["paypal-login.example.com", "xkrlmshkbhi.net", "a.github.io"] {
        if let Ok(n) = scry_model::DomainName::parse(n) {
            let _ = m.score(&n);
            let _ = m.scores(&n);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = scry_risk::Model::from_bytes(data);
    // Mutate the real file: the checksum protects the body, the header
    // checks run first.
    let orig = scry_risk::Model::builtin().to_bytes();
    let mut b = orig.clone();
    if let Some((&at, rest)) = data.split_first() {
        let pos = (usize::from(at) * 131 + rest.len()) % b.len();
        b[pos] ^= rest.first().copied().unwrap_or(1);
        b.truncate(b.len() - (rest.len() % 8));
        if let Ok(m) = scry_risk::Model::from_bytes(&b) {
            score(&m);
        }
    }
    // Overwrite up to 8 bytes anywhere in the trees and weights (the
    // first 3 bytes of `data` pick the place), then recompute the
    // checksum: whatever loads must score without panicking.
    if data.len() > 3 {
        let mut b = orig;
        let body = b.len() - 8;
        let pos = (usize::from(data[0]) << 16 | usize::from(data[1]) << 8 | usize::from(data[2]))
            * 7
            % body;
        for (k, &v) in data[3..].iter().take(8).enumerate() {
            if let Some(x) = b.get_mut(pos + k).filter(|_| pos + k < body) {
                *x = v;
            }
        }
        let sum = checksum(&b[..body]);
        b[body..].copy_from_slice(&sum.to_le_bytes());
        if let Ok(m) = scry_risk::Model::from_bytes(&b) {
            score(&m);
        }
    }
});
