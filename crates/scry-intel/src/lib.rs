//! Investigations: everything an analyst asks of the fact store.
//!
//! Architecture invariants: reads only through [`scry_store::Store`] (never
//! an engine directly), does no network IO, and returns the output types of
//! [`output`], which the CLI's `--json` and the REST API share.
#![warn(missing_docs)]

mod error;
pub mod export;
pub mod field;
pub mod graph;
pub mod monitor;
pub mod output;
pub mod pdns;
pub mod pivot;
pub mod profile;
pub mod risk;
pub mod search;
pub mod whois;

pub use error::{IntelError, Result};
