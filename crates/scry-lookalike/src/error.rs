//! Errors of the look-alike library.

/// What can go wrong building a [`crate::Matcher`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LookalikeError {
    /// A brand's name is not a valid domain name.
    #[error("brand {name:?} is not a valid domain name: {source}")]
    BrandName {
        /// The name as given.
        name: String,
        /// Why it was rejected.
        source: scry_model::ModelError,
    },
    /// A brand's name is a public suffix, so it has no label to imitate.
    #[error("brand {name:?} is a public suffix, not a registrable domain")]
    BrandSuffix {
        /// The name as given.
        name: String,
    },
    /// The containment automaton could not be built.
    #[error("building the keyword automaton failed: {0}")]
    Automaton(String),
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, LookalikeError>;
