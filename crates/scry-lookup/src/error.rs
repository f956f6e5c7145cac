//! Errors of a look-up step.

use std::net::IpAddr;

/// Why a look-up step (or a part of it) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// The SSRF guard refused an address that came from untrusted data.
    #[error("refused to connect to {addr} ({host}): {reason} address (allow with --allow-private)")]
    Refused {
        /// Host name the address belongs to.
        host: String,
        /// The refused address.
        addr: IpAddr,
        /// Which range it is in (`loopback`, `private`...).
        reason: &'static str,
    },
    /// A name did not resolve to any address.
    #[error("{host}: does not resolve: {message}")]
    Resolve {
        /// The host.
        host: String,
        /// Resolver message.
        message: String,
    },
    /// Connecting, reading or writing failed (timeouts included).
    #[error("{server}: {source}")]
    Io {
        /// The server (`host:port`).
        server: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A response was larger than its cap.
    #[error("{server}: response larger than {limit} bytes")]
    TooLarge {
        /// The server.
        server: String,
        /// The cap in bytes.
        limit: usize,
    },
    /// A WHOIS server answered with a quota / rate-limit message.
    #[error("{server}: query quota exceeded: {line}")]
    Quota {
        /// The server.
        server: String,
        /// The line that says so.
        line: String,
    },
    /// The referral chain was longer than allowed.
    #[error("referral chain longer than {0} hops")]
    TooManyReferrals(usize),
    /// An HTTP request failed.
    #[error("{url}: {message}")]
    Http {
        /// The URL.
        url: String,
        /// What went wrong (status or transport error).
        message: String,
    },
    /// The RDAP bootstrap file is unusable.
    #[error("rdap bootstrap: {0}")]
    Bootstrap(String),
    /// No RDAP service is registered for the TLD (the caller falls back to WHOIS).
    #[error("no RDAP service for .{0} in the bootstrap file")]
    NoRdapService(String),
    /// No WHOIS server is known for the name.
    #[error("no WHOIS server for {0}")]
    NoWhoisServer(String),
    /// A DNS query failed.
    #[error("dns: {0}")]
    Dns(String),
    /// The TLS handshake or certificate decoding failed.
    #[error("tls {server}: {message}")]
    Tls {
        /// The server (`name@addr:port`).
        server: String,
        /// What went wrong.
        message: String,
    },
    /// A response could not be parsed.
    #[error("parse: {0}")]
    Parse(#[from] scry_parse::ParseError),
    /// A configuration value is invalid.
    #[error("config: {0}")]
    Config(String),
}

/// Result with [`LookupError`].
pub type Result<T> = std::result::Result<T, LookupError>;
