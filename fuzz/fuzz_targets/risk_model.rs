//! Risk model files: any bytes load as a model or give an error, never a
//! panic; the built-in model with one byte changed still loads or fails
//! cleanly, and a model that loads scores a name.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = scry_risk::Model::from_bytes(data);
    // Mutate the real file: the checksum protects the body, the header
    // checks run first.
    let mut b = scry_risk::Model::builtin().to_bytes();
    if let Some((&at, rest)) = data.split_first() {
        let pos = (usize::from(at) * 131 + rest.len()) % b.len();
        b[pos] ^= rest.first().copied().unwrap_or(1);
        b.truncate(b.len() - (rest.len() % 8));
        if let Ok(m) = scry_risk::Model::from_bytes(&b) {
            if let Ok(n) = scry_model::DomainName::parse("paypal-login.example.com") {
                let _ = m.score(&n);
            }
        }
    }
});
