//! Integration tests of scry-parse against real data.

mod zone;
