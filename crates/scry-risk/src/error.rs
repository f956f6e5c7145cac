//! Errors of the risk-model library.

use std::path::PathBuf;

/// What can go wrong loading, training or evaluating a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A model file is not a valid model (wrong magic, version, sizes or
    /// values); `offset` is the byte where the problem was found.
    #[error("invalid model file at byte {offset}: {message}")]
    Model {
        /// Byte offset into the file.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// Reading a data file failed (the cause is the error's source).
    #[error("{}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A data file has a malformed record.
    #[error("{}:{line}: {message}", path.display())]
    Data {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The training data is unusable (a class is empty).
    #[error("training data: {0}")]
    Training(String),
    /// Generating the synthetic world failed (the cause is the source).
    #[error("generating the synthetic world")]
    Synthetic(#[from] scry_gen::GenError),
    /// The look-alike matcher could not be built (the cause is the source).
    #[error("building the look-alike matcher")]
    Lookalike(#[from] scry_lookalike::LookalikeError),
}

impl Error {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn model(offset: usize, message: impl Into<String>) -> Error {
        Error::Model {
            offset,
            message: message.into(),
        }
    }
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;
