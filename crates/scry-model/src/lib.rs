//! Scry's vocabulary: every name, address and fact that enters Scry is
//! normalised here and nowhere else.
//!
//! Architecture invariant: this crate does no IO, spawns no threads and knows
//! nothing about storage engines or the network.
#![warn(missing_docs)]

mod email;
mod entity;
mod error;
mod fact;
mod ip;
mod name;
mod predicate;
mod time_util;

pub use email::Email;
pub use entity::{Entity, EntityKind, MAX_TEXT, normalise_text, parse_asn};
pub use error::{ModelError, NameError, Result};
pub use fact::{Fact, Observation, SourceId, Window};
pub use ip::{Ip, IpNet};
pub use name::{DomainName, NameFlag, NameReport};
pub use predicate::{
    CurrentRule, Group, Predicate, PredicateInfo, RRTYPES, rrtype_from_mnemonic, rrtype_mnemonic,
};
pub use time_util::{MIN_TIME, Timestamp, format_time, parse_time};
