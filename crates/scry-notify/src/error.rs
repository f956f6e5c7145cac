use thiserror::Error;

/// Result alias for the notify crate.
pub type Result<T, E = NotifyError> = std::result::Result<T, E>;

/// Errors of the notify crate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// A destination setting that is not acceptable.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The setting.
        field: String,
        /// Why.
        reason: String,
    },
    /// No destination with this id.
    #[error("no destination {0}")]
    NoDestination(u64),
    /// A stored record that does not decode.
    #[error("damaged delivery state at {key}: {reason}")]
    Corrupt {
        /// The state-store key.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// The state store failed.
    #[error(transparent)]
    Store(#[from] scry_store::StoreError),
    /// Reading alerts or monitors failed.
    #[error(transparent)]
    Intel(#[from] scry_intel::IntelError),
}

/// What kind of failure, for callers that map errors (HTTP status, exit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotifyErrorKind {
    /// The request was wrong.
    Invalid,
    /// The named thing does not exist.
    NotFound,
    /// Stored state is damaged.
    Corrupt,
    /// The store failed.
    Store,
}

impl NotifyError {
    /// The error's kind.
    pub fn kind(&self) -> NotifyErrorKind {
        match self {
            NotifyError::Invalid { .. } => NotifyErrorKind::Invalid,
            NotifyError::NoDestination(_) => NotifyErrorKind::NotFound,
            NotifyError::Corrupt { .. } => NotifyErrorKind::Corrupt,
            NotifyError::Store(_) | NotifyError::Intel(_) => NotifyErrorKind::Store,
        }
    }
}

pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> NotifyError {
    NotifyError::Invalid {
        field: field.to_string(),
        reason: reason.into(),
    }
}
