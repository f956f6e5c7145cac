//! Sans-IO parsers for every input format Scry reads.
//!
//! Architecture invariant: nothing here opens a file or a socket. Parsers
//! take `&[u8]`/`impl BufRead` and yield records or [`ParseError`]s that name
//! the source, line, column and field. They never panic on input, never hang
//! and never allocate without bound: a bad record is reported and skipped and
//! the input continues.
#![warn(missing_docs)]

pub mod asn;
pub mod ct;
mod error;
pub mod facts;
pub mod feed;
pub mod pdns;
pub mod rdap;
pub mod registration;
pub mod whois;
pub mod zone;

pub use error::{ParseError, ParseErrorKind, Result};
pub use rdap::parse_rdap;
pub use registration::RegistrationRecord;
pub use whois::{parse_whois, parse_whois_bytes};
