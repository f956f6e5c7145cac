use std::path::PathBuf;

use thiserror::Error;

/// Result alias for the store crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What kind of failure, for callers that map errors (HTTP status, exit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreErrorKind {
    /// Something asked for does not exist.
    NotFound,
    /// The request was wrong.
    Invalid,
    /// The store is busy, locked or unreachable.
    Unavailable,
    /// Stored data is damaged.
    Corruption,
    /// Anything else.
    Internal,
}

/// Errors of the store crate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The data directory is held by another process.
    #[error(
        "data dir {path} is locked by another scry process ({holder}); stop it or use another --data-dir"
    )]
    Locked {
        /// The data dir.
        path: PathBuf,
        /// Who holds it, as recorded in the lock file.
        holder: String,
    },
    /// The directory exists but is not a Scry store.
    #[error("{path} is not a scry data dir: {reason}")]
    NotAStore {
        /// The directory.
        path: PathBuf,
        /// Why not.
        reason: String,
    },
    /// The store was written by a newer Scry.
    #[error(
        "{path} has store format {found}, newer than this scry supports ({supported}); upgrade scry"
    )]
    NewerFormat {
        /// The directory.
        path: PathBuf,
        /// Version on disk.
        found: u32,
        /// Newest supported version.
        supported: u32,
    },
    /// An IO error on a path.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The embedded key-value engine failed.
    #[error("embedded engine: {0}")]
    Engine(String),
    /// The state store failed.
    #[error("state store: {0}")]
    State(String),
    /// Stored bytes could not be decoded.
    #[error("data corruption in {what}: {detail}")]
    Corruption {
        /// Which keyspace or table.
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// A bad request (a cursor that does not decode, an unknown field).
    #[error("{0}")]
    Invalid(String),
    /// A remote engine failed (ClickHouse).
    #[error("remote store: {0}")]
    Remote(String),
    /// A remote engine could not be reached.
    #[error("remote store unavailable: {0}")]
    Unavailable(String),
    /// Compaction did not bring a keyspace's level 0 below the engine's
    /// write stall in the time a write waits for it.
    #[error(
        "embedded engine: keyspace {keyspace} still has {l0_runs} level-0 runs after {waited_secs} s of compaction; writes would halt (reopen the store to retry)"
    )]
    WriteStalled {
        /// The keyspace.
        keyspace: String,
        /// Its level-0 runs when the wait ended.
        l0_runs: usize,
        /// How long the write waited.
        waited_secs: u64,
    },
}

impl StoreError {
    /// The error's kind.
    pub fn kind(&self) -> StoreErrorKind {
        match self {
            StoreError::Locked { .. }
            | StoreError::Unavailable(_)
            | StoreError::WriteStalled { .. } => StoreErrorKind::Unavailable,
            StoreError::NotAStore { .. } | StoreError::NewerFormat { .. } => {
                StoreErrorKind::Invalid
            }
            StoreError::Invalid(_) => StoreErrorKind::Invalid,
            StoreError::Corruption { .. } => StoreErrorKind::Corruption,
            StoreError::Io { .. }
            | StoreError::Engine(_)
            | StoreError::State(_)
            | StoreError::Remote(_) => StoreErrorKind::Internal,
        }
    }
}

impl From<fjall::Error> for StoreError {
    fn from(e: fjall::Error) -> StoreError {
        StoreError::Engine(e.to_string())
    }
}
