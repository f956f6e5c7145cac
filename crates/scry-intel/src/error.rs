use thiserror::Error;

/// Result alias for the intel crate.
pub type Result<T, E = IntelError> = std::result::Result<T, E>;

/// Errors of the intel crate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum IntelError {
    /// A field name that is not a pivot field.
    #[error("unknown field {0:?} (see `scry fields`)")]
    UnknownField(String),
    /// A value that cannot be normalised for its field.
    #[error("invalid value for {field}: {reason}")]
    InvalidValue {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// A search expression that does not parse or cannot be evaluated.
    #[error("search query, at character {pos}: {reason}")]
    Query {
        /// 1-based character position.
        pos: usize,
        /// What is wrong.
        reason: String,
    },
    /// A result set larger than the engine will materialise.
    #[error("{0}")]
    TooBroad(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] scry_store::StoreError),
}

/// What kind of failure, for callers that map errors (HTTP status, exit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntelErrorKind {
    /// The request was wrong.
    Invalid,
    /// The store failed.
    Store(scry_store::StoreErrorKind),
}

impl IntelError {
    /// The error's kind.
    pub fn kind(&self) -> IntelErrorKind {
        match self {
            IntelError::Store(e) => IntelErrorKind::Store(e.kind()),
            _ => IntelErrorKind::Invalid,
        }
    }
}
