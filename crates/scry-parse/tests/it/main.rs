//! Integration tests of scry-parse against real data.
#![allow(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

mod zone;
