//! The durable outbox: per destination, the alerts waiting to be
//! delivered, fed from the alert log with the destination's own cursor.
//!
//! State-store keys:
//! * `outbox:{dest}:{alert}`: a queued [`QueuedAlert`] (payload snapshot,
//!   attempts, next attempt time, last error);
//! * `dead:{dest}:{alert}`: alerts a receiver refused for good;
//! * `delivery:{alert}:{dest}:{attempt}`: the audit trail ([`Attempt`]);
//! * cursor `notify:{dest}`: the highest alert id taken into the outbox.
//!
//! Invariants: an alert enters a destination's outbox once (the enqueue
//! and the cursor move commit together); it leaves only in the same
//! transaction that records its delivery or rejection, so a crash at any
//! point loses nothing. A crash after a send but before that commit sends
//! it again: delivery is at least once, with a stable `delivery_id`.
//! The outbox is bounded by [`crate::Policy::max_queue`]: when full, the
//! cursor waits and the alert log itself holds the backlog.

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use scry_intel::monitor::Alert;
use scry_model::format_time;
use scry_store::StateStore;

use crate::channel::{self, Outcome};
use crate::destination::{Destination, Target, cursor_name, decode_value, destinations, encode};
use crate::error::Result;
use crate::payload::DeliveredAlert;
use crate::{smtp, syslog};

/// An alert waiting in an outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedAlert {
    /// What will be delivered.
    pub alert: DeliveredAlert,
    /// When it was queued (RFC 3339).
    pub enqueued: String,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Not before this time (Unix milliseconds).
    pub next_at_ms: u64,
    /// The last failure.
    pub last_error: Option<String>,
}

/// One delivery attempt (the audit trail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// Destination id.
    pub destination: u64,
    /// Destination name at the time.
    pub destination_name: String,
    /// `webhook`, `syslog`, `hec`, `smtp`.
    pub channel: String,
    /// Alert id.
    pub alert: u64,
    /// 1 for the first try.
    pub attempt: u32,
    /// When (RFC 3339).
    pub time: String,
    /// `delivered`, `retry` or `rejected`.
    pub status: String,
    /// The receiver's answer or the error.
    pub detail: String,
}

pub(crate) fn outbox_prefix(dest: u64) -> String {
    format!("outbox:{dest:06}:")
}

pub(crate) fn dead_prefix(dest: u64) -> String {
    format!("dead:{dest:06}:")
}

fn outbox_key(dest: u64, alert: u64) -> String {
    format!("outbox:{dest:06}:{alert:012}")
}

fn audit_key(alert: u64, dest: u64, attempt: u32) -> String {
    format!("delivery:{alert:012}:{dest:06}:{attempt:04}")
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Per-destination counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DestinationStatus {
    /// Destination id.
    pub id: u64,
    /// Alerts waiting.
    pub queued: u64,
    /// Alerts refused for good.
    pub rejected: u64,
    /// Highest alert id taken into the outbox.
    pub cursor: u64,
}

/// Queue counts of a destination.
pub fn status(state: &StateStore, dest: u64) -> Result<DestinationStatus> {
    Ok(DestinationStatus {
        id: dest,
        queued: state.count(&outbox_prefix(dest))?,
        rejected: state.count(&dead_prefix(dest))?,
        cursor: state.cursor(&cursor_name(dest))?,
    })
}

/// What [`enqueue`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EnqueueSummary {
    /// Alerts queued (summed over destinations).
    pub queued: u64,
    /// Destinations whose outbox is full (their cursor waits).
    pub full: Vec<u64>,
}

/// Moves the alerts raised since each destination's cursor into its
/// outbox, up to the outbox bound.
pub fn enqueue(state: &StateStore) -> Result<EnqueueSummary> {
    let mut sum = EnqueueSummary::default();
    let dests = destinations(state)?;
    if dests.is_empty() {
        return Ok(sum);
    }
    let names: BTreeMap<u64, String> = scry_intel::monitor::monitors(state)?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let now = now_ms();
    let when = format_time((now / 1000) as i64);
    for d in dests {
        let reader = cursor_name(d.id);
        loop {
            let queued = state.count(&outbox_prefix(d.id))?;
            let room = u64::from(d.policy.max_queue).saturating_sub(queued);
            let cursor = state.cursor(&reader)?;
            let after = format!("alert:{cursor:012}");
            let batch = state.scan_after("alert:", Some(&after), room.min(1_000) as usize)?;
            if batch.is_empty() {
                if room == 0 && state.scan_after("alert:", Some(&after), 1)?.len() == 1 {
                    tracing::warn!(
                        destination = d.id,
                        queued,
                        "outbox full, alerts wait in the alert log"
                    );
                    sum.full.push(d.id);
                }
                break;
            }
            let mut puts = Vec::with_capacity(batch.len());
            let mut last = cursor;
            for (k, v) in &batch {
                let raw: serde_json::Value = decode_value(k, v)?;
                let risk = raw.get("risk").cloned();
                let a: Alert = decode_value(k, v)?;
                last = last.max(a.id);
                let name = names.get(&a.monitor).map_or("", String::as_str);
                let q = QueuedAlert {
                    alert: DeliveredAlert::new(d.id, &a, name, risk),
                    enqueued: when.clone(),
                    attempts: 0,
                    next_at_ms: 0,
                    last_error: None,
                };
                puts.push((outbox_key(d.id, a.id), encode(&q)));
            }
            sum.queued += puts.len() as u64;
            state.commit(&puts, Some((&reader, last)))?;
        }
    }
    Ok(sum)
}

/// How [`deliver`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliverOptions {
    /// One pass over the due alerts, no waiting for retries.
    pub once: bool,
    /// Stop waiting for retries after this long (the current send finishes).
    pub max_time: Duration,
}

/// One destination's part of a [`DeliverSummary`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DestinationRun {
    /// Destination id.
    pub id: u64,
    /// Alerts delivered.
    pub delivered: u64,
    /// Failed attempts (each schedules a retry).
    pub retried: u64,
    /// Alerts refused for good.
    pub rejected: u64,
    /// Alerts still waiting at the end.
    pub queued: u64,
    /// The last failure, if any.
    pub last_error: Option<String>,
}

/// What [`deliver`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeliverSummary {
    /// Alerts newly queued.
    pub enqueued: u64,
    /// Per destination.
    pub destinations: Vec<DestinationRun>,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
}

/// Enqueues new alerts, then delivers every due alert to every
/// destination; unless `once`, keeps retrying (sleeping until the next
/// retry is due) until the outboxes are empty or `max_time` has passed.
pub fn deliver(state: &StateStore, opts: DeliverOptions) -> Result<DeliverSummary> {
    let start = Instant::now();
    let deadline = start + opts.max_time;
    let agent = channel::agent();
    let hostname = channel::local_hostname();
    let mut sum = DeliverSummary::default();
    let mut runs: BTreeMap<u64, DestinationRun> = BTreeMap::new();
    loop {
        let e = enqueue(state)?;
        sum.enqueued += e.queued;
        let done_before: u64 = runs.values().map(|r| r.delivered + r.rejected).sum();
        let mut next_due: Option<u64> = None;
        let mut pending = false;
        for d in destinations(state)? {
            let run = runs.entry(d.id).or_insert_with(|| DestinationRun {
                id: d.id,
                ..DestinationRun::default()
            });
            let due = drain(state, &d, &agent, &hostname, run, deadline)?;
            if let Some(t) = due {
                pending = true;
                next_due = Some(next_due.map_or(t, |n| n.min(t)));
            }
        }
        let done_after: u64 = runs.values().map(|r| r.delivered + r.rejected).sum();
        if !e.full.is_empty() && done_after > done_before {
            // Room was made in a full outbox: take the alerts waiting in
            // the alert log (also with `once`, which only skips waiting).
            continue;
        }
        if opts.once || !pending {
            break;
        }
        // More alerts may have been queued behind a full outbox: go round
        // again at once when something is due now.
        let wait = next_due.map_or(0, |t| t.saturating_sub(now_ms()));
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || Duration::from_millis(wait) > left {
            break;
        }
        std::thread::sleep(Duration::from_millis(wait));
    }
    for (id, mut r) in runs {
        r.queued = state.count(&outbox_prefix(id))?;
        sum.destinations.push(r);
    }
    sum.elapsed_ms = start.elapsed().as_millis() as u64;
    Ok(sum)
}

/// Delivers a destination's due alerts in order, batch by batch, until
/// one fails or none is due. Returns when its next alert is due (Unix ms),
/// `None` when its outbox is empty.
fn drain(
    state: &StateStore,
    d: &Destination,
    agent: &ureq::Agent,
    hostname: &str,
    run: &mut DestinationRun,
    deadline: Instant,
) -> Result<Option<u64>> {
    let prefix = outbox_prefix(d.id);
    let batch_size = d.policy.batch.max(1) as usize;
    let mut after: Option<String> = None;
    loop {
        let items = state.scan_after(&prefix, after.as_deref(), batch_size)?;
        if items.is_empty() {
            return Ok(None);
        }
        let now = now_ms();
        let mut due = Vec::new();
        let mut first_later: Option<u64> = None;
        for (k, v) in &items {
            let q: QueuedAlert = decode_value(k, v)?;
            if q.next_at_ms <= now {
                due.push((k.clone(), q));
            } else {
                first_later = Some(first_later.map_or(q.next_at_ms, |t: u64| t.min(q.next_at_ms)));
                break;
            }
        }
        if due.is_empty() {
            return Ok(first_later);
        }
        if Instant::now() >= deadline {
            return Ok(Some(now));
        }
        after = due.last().map(|(k, _)| k.clone());
        let failed = send_batch(state, d, agent, hostname, due, run)?;
        if failed {
            // The receiver is down or busy: leave the rest for later.
            let next = state
                .scan_after(&prefix, None, 1)?
                .first()
                .map(|(k, v)| decode_value::<QueuedAlert>(k, v).map(|q| q.next_at_ms))
                .transpose()?;
            return Ok(next);
        }
        if first_later.is_some() {
            return Ok(first_later);
        }
    }
}

/// Sends due alerts and commits the outcome; true when the receiver failed.
fn send_batch(
    state: &StateStore,
    d: &Destination,
    agent: &ureq::Agent,
    hostname: &str,
    due: Vec<(String, QueuedAlert)>,
    run: &mut DestinationRun,
) -> Result<bool> {
    let now_s = (now_ms() / 1000) as i64;
    // (item, outcome) pairs; a batch channel gives every item its outcome.
    let mut results: Vec<(String, QueuedAlert, Outcome)> = Vec::with_capacity(due.len());
    match &d.target {
        Target::Webhook { url, secret } => {
            for (k, q) in due {
                let ts = (now_ms() / 1000) as i64;
                let o = channel::webhook(agent, url, secret, &q.alert, ts);
                let stop = matches!(o, Outcome::Retry(..));
                results.push((k, q, o));
                if stop {
                    break;
                }
            }
        }
        Target::Hec {
            url,
            token,
            sourcetype,
            index,
        } => {
            let alerts: Vec<DeliveredAlert> = due.iter().map(|(_, q)| q.alert.clone()).collect();
            let body = channel::hec_body(&alerts, hostname, sourcetype, index.as_deref());
            let o = channel::hec(agent, url, token, &body);
            results.extend(due.into_iter().map(|(k, q)| (k, q, o.clone())));
        }
        Target::Syslog {
            address,
            transport,
            facility,
            hostname: h,
        } => {
            let host = h.as_deref().unwrap_or(hostname);
            let ts = format_time(now_s);
            let msgs: Vec<String> = due
                .iter()
                .map(|(_, q)| syslog::rfc5424(&q.alert, *facility, host, &ts, std::process::id()))
                .collect();
            let o = syslog::send(address, *transport, &msgs);
            results.extend(due.into_iter().map(|(k, q)| (k, q, o.clone())));
        }
        Target::Smtp { server, from, to } => {
            let alerts: Vec<DeliveredAlert> = due.iter().map(|(_, q)| q.alert.clone()).collect();
            let body = smtp::digest_text(&alerts);
            let subject = format!(
                "[scry] {} new alert{} ({})",
                alerts.len(),
                if alerts.len() == 1 { "" } else { "s" },
                format_time(now_s).get(..10).unwrap_or_default()
            );
            let first = alerts.first().map_or(0, |a| a.id);
            let last = alerts.last().map_or(0, |a| a.id);
            let msg = smtp::message(
                from,
                to,
                &subject,
                &body,
                now_s,
                &format!("digest-{}-{first}-{last}-{now_s}", d.id),
            );
            let o = smtp::send(server, from, to, &msg);
            results.extend(due.into_iter().map(|(k, q)| (k, q, o.clone())));
        }
    }
    let when = format_time(now_s);
    let mut puts = Vec::new();
    let mut deletes = Vec::new();
    let mut failed = false;
    let mut failed_logged = false;
    for (k, mut q, o) in results {
        let attempt = q.attempts + 1;
        let (status, detail) = match &o {
            Outcome::Delivered(t) => ("delivered", t.clone()),
            Outcome::Retry(t, _) => ("retry", t.clone()),
            Outcome::Reject(t) => ("rejected", t.clone()),
        };
        let audit = Attempt {
            destination: d.id,
            destination_name: d.name.clone(),
            channel: d.target.kind().to_string(),
            alert: q.alert.id,
            attempt,
            time: when.clone(),
            status: status.to_string(),
            detail: detail.clone(),
        };
        puts.push((audit_key(q.alert.id, d.id, attempt), encode(&audit)));
        match o {
            Outcome::Delivered(_) => {
                run.delivered += 1;
                deletes.push(k);
            }
            Outcome::Reject(t) => {
                tracing::warn!(destination = d.id, alert = q.alert.id, error = %t, "alert rejected by the receiver");
                run.rejected += 1;
                q.attempts = attempt;
                q.last_error = Some(t);
                puts.push((
                    format!("{}{:012}", dead_prefix(d.id), q.alert.id),
                    encode(&q),
                ));
                deletes.push(k);
            }
            Outcome::Retry(t, hint) => {
                failed = true;
                run.retried += 1;
                q.attempts = attempt;
                let delay = d
                    .policy
                    .delay_ms(attempt, q.alert.id)
                    .max(hint.unwrap_or(0));
                q.next_at_ms = now_ms().saturating_add(delay);
                if !failed_logged {
                    failed_logged = true;
                    tracing::warn!(destination = d.id, alert = q.alert.id, attempt, retry_in_ms = delay, error = %t, "delivery failed");
                }
                q.last_error = Some(t.clone());
                run.last_error = Some(t);
                puts.push((k, encode(&q)));
            }
        }
    }
    state.apply(&puts, &deletes, None)?;
    Ok(failed)
}

/// The delivery attempts of an alert, oldest first per destination.
pub fn attempts(state: &StateStore, alert: u64) -> Result<Vec<Attempt>> {
    state
        .scan(&format!("delivery:{alert:012}:"))?
        .into_iter()
        .map(|(k, v)| decode_value(&k, &v))
        .collect()
}

/// Alerts a destination's receiver refused for good, with the reason.
pub fn rejected(state: &StateStore, dest: u64) -> Result<Vec<QueuedAlert>> {
    state
        .scan(&dead_prefix(dest))?
        .into_iter()
        .map(|(k, v)| decode_value(&k, &v))
        .collect()
}

/// Puts the alerts a destination's receiver refused back into its outbox
/// (after the receiver was fixed); returns how many. Attempt numbers go on
/// from where they were, so the audit trail keeps every try.
pub fn requeue_rejected(state: &StateStore, dest: u64) -> Result<u64> {
    crate::destination::destination(state, dest)?;
    let dead = state.scan(&dead_prefix(dest))?;
    let mut puts = Vec::with_capacity(dead.len());
    let mut deletes = Vec::with_capacity(dead.len());
    for (k, v) in dead {
        let mut q: QueuedAlert = decode_value(&k, &v)?;
        q.next_at_ms = 0;
        puts.push((outbox_key(dest, q.alert.id), encode(&q)));
        deletes.push(k);
    }
    state.apply(&puts, &deletes, None)?;
    Ok(puts.len() as u64)
}
