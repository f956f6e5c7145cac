//! A keyed fast hash for the zone load's bounded name caches.
//!
//! The zone form's producer looks names up in small caches (name servers
//! by their text) millions of times per snapshot; with std's SipHash the
//! hashing was about 2 % of a first snapshot's CPU. Zone files are hostile
//! input, so the hash stays keyed: XXH3 with a per-process random seed
//! (taken from std's randomly keyed `RandomState`), in caches that are
//! bounded and cleared when full.

use std::hash::{BuildHasher, Hasher};

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Builds [`NameHasher`]s with one random seed per instance.
#[derive(Clone, Copy, Debug)]
pub struct NameHash {
    seed: u64,
}

impl Default for NameHash {
    fn default() -> NameHash {
        let seed = std::collections::hash_map::RandomState::new().hash_one(0x7a6f_6e65_u64);
        NameHash { seed }
    }
}

impl BuildHasher for NameHash {
    type Hasher = NameHasher;

    fn build_hasher(&self) -> NameHasher {
        NameHasher {
            seed: self.seed,
            h: 0,
        }
    }
}

/// XXH3 of each written slice, seeded with the key mixed with what was
/// written before (a `str` is one slice and a `0xff` byte).
pub struct NameHasher {
    seed: u64,
    h: u64,
}

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.h = xxh3_64_with_seed(bytes, self.seed ^ self.h);
    }

    fn write_u8(&mut self, b: u8) {
        // A bijection of the state for each byte: collisions are XXH3's.
        self.h = (self.h ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn finish(&self) -> u64 {
        self.h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn equal_names_hash_equal_and_distinct_names_apart() {
        let s = NameHash::default();
        assert_eq!(s.hash_one("ns1.example.com"), s.hash_one("ns1.example.com"));
        assert_ne!(s.hash_one("ns1.example.com"), s.hash_one("ns2.example.com"));
        // Two instances are keyed differently.
        let t = NameHash::default();
        assert_ne!(s.hash_one("ns1.example.com"), t.hash_one("ns1.example.com"));
        let mut m: HashMap<String, usize, NameHash> = HashMap::default();
        for i in 0..10_000 {
            m.insert(format!("ns{i}.host.net"), i);
        }
        assert!((0..10_000).all(|i| m.get(format!("ns{i}.host.net").as_str()) == Some(&i)));
    }
}
