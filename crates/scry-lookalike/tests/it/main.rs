//! Integration tests of the public API against real data in `shared/data`.

mod benign;
