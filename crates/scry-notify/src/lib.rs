//! Delivery of new alerts to where analysts and their tools look.
//!
//! Destinations ([`Destination`]) live in the state store with their
//! secrets. Each has a durable, bounded outbox fed from the alert log with
//! its own cursor ([`enqueue`]); [`deliver`] drains the outboxes with
//! retries and exponential back-off, and records every attempt
//! ([`attempts`]). Channels:
//! * **webhook**: one JSON POST per alert ([`DeliveredAlert`]), with
//!   `X-Scry-Timestamp: <unix seconds>` and
//!   `X-Scry-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`
//!   ([`sign`]) and `X-Scry-Delivery: <delivery id>`;
//! * **syslog**: RFC 5424 with a CEF payload over UDP, or TCP with
//!   octet-counting framing ([`syslog`]);
//! * **hec**: Splunk HTTP Event Collector, `Authorization: Splunk <token>`,
//!   one POST of concatenated `{"time","host","source","sourcetype","event"}`
//!   envelopes per batch ([`hec_body`]);
//! * **smtp**: one e-mail digest per batch ([`smtp`]).
//!
//! Delivery is at least once: an alert leaves the outbox in the transaction
//! that records its delivery, so a crash between send and commit sends it
//! again; receivers de-duplicate on `delivery_id`. Only plain HTTP and SMTP
//! without TLS are built in (no TLS stack in the dependency graph).
#![warn(missing_docs)]

mod channel;
mod destination;
mod error;
mod outbox;
mod payload;
pub mod smtp;
pub mod syslog;

pub use channel::{hec_body, sign};
pub use destination::{
    Destination, Policy, Target, Transport, add_destination, destination, destinations,
    remove_destination, validate,
};
pub use error::{NotifyError, NotifyErrorKind, Result};
pub use outbox::{
    Attempt, DeliverOptions, DeliverSummary, DestinationRun, DestinationStatus, EnqueueSummary,
    QueuedAlert, attempts, deliver, enqueue, rejected, requeue_rejected, status,
};
pub use payload::{DeliveredAlert, SCHEMA};

#[cfg(test)]
mod tests;
