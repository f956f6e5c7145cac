//! Integration tests of the public normalisers: the Public Suffix List's own
//! test vectors and property tests.

mod props;
mod psl_vectors;
mod real_data;
mod uts46;
