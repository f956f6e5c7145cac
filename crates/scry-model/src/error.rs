use thiserror::Error;

/// Result alias for the model crate.
pub type Result<T, E = ModelError> = std::result::Result<T, E>;

/// Why a domain name was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NameError {
    /// The input was empty (or only a dot).
    #[error("empty name")]
    Empty,
    /// A label between two dots was empty.
    #[error("empty label at position {0}")]
    EmptyLabel(usize),
    /// A label was longer than 63 octets in A-label form.
    #[error("label {label:?} is {len} octets long (max 63)")]
    LabelTooLong {
        /// The offending label.
        label: String,
        /// Its length in octets.
        len: usize,
    },
    /// The whole name was longer than 253 octets in A-label form.
    #[error("name is {0} octets long (max 253)")]
    NameTooLong(usize),
    /// A character that no DNS name may contain.
    #[error("invalid character {ch:?} in label {label:?}")]
    InvalidChar {
        /// The character.
        ch: char,
        /// The label it appeared in.
        label: String,
    },
    /// IDNA (UTS #46) processing failed.
    #[error("idna: {0}")]
    Idna(String),
    /// A label starts or ends with a hyphen.
    #[error("label {0:?} starts or ends with a hyphen")]
    Hyphen(String),
    /// The input is too long to be a name in any form, refused before any
    /// IDNA work (bytes after trimming white space).
    #[error("input is {0} bytes long, too long for a name")]
    InputTooLong(usize),
    /// The last label is all digits: no top-level domain is, and the input
    /// is most likely an IP address.
    #[error("top-level label {0:?} is all digits (an IP address is not a name)")]
    NumericTld(String),
    /// A `*` anywhere but as the whole leftmost label of a longer name.
    #[error("wildcard `*` is only allowed as the whole leftmost label of a longer name")]
    MisplacedWildcard,
}

/// Errors of the model crate: values that cannot be normalised.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A domain or host name that cannot be normalised.
    #[error("invalid name {input:?}: {reason}")]
    Name {
        /// What was given.
        input: String,
        /// Why it was rejected.
        reason: NameError,
    },
    /// An IP address that cannot be parsed.
    #[error("invalid ip address {0:?}")]
    Ip(String),
    /// A CIDR prefix that cannot be parsed.
    #[error("invalid ip prefix {0:?}")]
    IpNet(String),
    /// An e-mail address that cannot be normalised.
    #[error("invalid e-mail address {input:?}: {reason}")]
    Email {
        /// What was given.
        input: String,
        /// Why it was rejected.
        reason: String,
    },
    /// An AS number that cannot be parsed.
    #[error("invalid asn {0:?}")]
    Asn(String),
    /// A predicate name not in the vocabulary.
    #[error("unknown predicate {0:?}")]
    UnknownPredicate(String),
    /// A value that does not fit the predicate's object kind.
    #[error("invalid {kind} value {value:?}: {reason}")]
    Object {
        /// The expected kind.
        kind: &'static str,
        /// What was given.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A time that cannot be parsed or is impossible.
    #[error("invalid time {value:?}: {reason}")]
    Time {
        /// What was given.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
}
