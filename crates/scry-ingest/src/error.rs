use std::path::PathBuf;

use thiserror::Error;

/// Result alias for the ingest crate.
pub type Result<T, E = IngestError> = std::result::Result<T, E>;

/// Errors of the ingest crate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum IngestError {
    /// Reading an input failed.
    #[error("{path}: {source}")]
    Io {
        /// The input.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A record was bad and `--strict` was given.
    #[error("{0}")]
    Strict(scry_parse::ParseError),
    /// The store failed; everything before the failed batch is stored.
    #[error("store: {0}")]
    Store(#[from] scry_store::StoreError),
    /// The options or the input as a whole are not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// A worker thread died.
    #[error("internal: {0}")]
    Internal(String),
}
