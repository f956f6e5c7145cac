//! `scry serve`: the REST API for SOAR and SIEM playbooks.
//!
//! Every route under `/api/v1` needs an API key (`X-Api-Key: KEY` or
//! `Authorization: Bearer KEY`) or a browser session (see [`ui`]) with the
//! route's scope; `/health` and the static UI shell do not.
//! Each key has a token-bucket rate limit: a refused request gets `429`
//! with `Retry-After`, and every authenticated answer carries
//! `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`.
//! Errors have one shape, `{"error": {"code", "message", "field"?}}`; wrong
//! input is a `400` naming the field, never a `500`. Every request is logged
//! (key id, route, status, latency).
//!
//! Architecture invariants: handlers run the synchronous store and intel
//! calls on the blocking pool (never on the async workers); the answers are
//! the same output types the CLI prints with `--json`; [`ROUTES`] is the one
//! list the router and the OpenAPI document are built from.
#![warn(missing_docs)]

mod error;
pub mod keys;
mod openapi;
pub mod tls;
pub mod ui;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use scry_store::{Scope as PivotScope, StateStore, Store};
use serde::Deserialize;

pub use error::{ApiError, Result, ServerError};
pub use keys::{KeyInfo, Scope};

/// Every API route: (method, path, scope, summary). The router and the
/// OpenAPI document are both built from this list.
pub const ROUTES: &[(&str, &str, Scope, &str)] = &[
    (
        "get",
        "/api/v1/domains/{domain}",
        Scope::Read,
        "A domain's profile with pivot counts",
    ),
    (
        "post",
        "/api/v1/enrich",
        Scope::Read,
        "Profiles of up to 1,000 domains at once (SIEM enrichment)",
    ),
    (
        "get",
        "/api/v1/pivot",
        Scope::Read,
        "The domains sharing a value (field, value; cursor paging, total)",
    ),
    (
        "post",
        "/api/v1/search",
        Scope::Read,
        "Boolean search over pivots (the CLI grammar; cursor paging, total)",
    ),
    (
        "get",
        "/api/v1/pdns/rrset/{name}",
        Scope::Read,
        "Passive DNS by owner name (DNSDB semantics: wildcards, time fences, limits; COF records)",
    ),
    (
        "get",
        "/api/v1/pdns/rdata/{kind}/{value}",
        Scope::Read,
        "Passive DNS by answer: kind ip (address or CIDR), name or raw",
    ),
    (
        "get",
        "/api/v1/whois/{domain}",
        Scope::Read,
        "Registration history with diffs",
    ),
    (
        "get",
        "/api/v1/reverse-whois",
        Scope::Read,
        "Domains whose registration data contains every term",
    ),
    (
        "get",
        "/api/v1/risk",
        Scope::Read,
        "Risk 0-100 of a domain, IP or e-mail, with components and evidence",
    ),
    (
        "post",
        "/api/v1/risk",
        Scope::Read,
        "Risk of up to 1,000 indicators",
    ),
    (
        "get",
        "/api/v1/reputation",
        Scope::Read,
        "The single risk number of an indicator, for playbooks",
    ),
    ("get", "/api/v1/monitors", Scope::Read, "The monitors"),
    (
        "post",
        "/api/v1/monitors",
        Scope::Write,
        "Add a monitor (kind, name, terms, exclusions)",
    ),
    (
        "delete",
        "/api/v1/monitors/{id}",
        Scope::Write,
        "Remove a monitor (its alerts stay)",
    ),
    (
        "get",
        "/api/v1/alerts",
        Scope::Read,
        "Alerts, optionally in one state",
    ),
    (
        "post",
        "/api/v1/alerts/{id}/state",
        Scope::Write,
        "Move an alert to a new state (audited: the key's name and id)",
    ),
    (
        "get",
        "/api/v1/graph",
        Scope::Read,
        "The infrastructure graph around a seed (domain or field=value): nodes, edges with time windows",
    ),
    (
        "post",
        "/api/v1/export/{format}",
        Scope::Read,
        "A blocklist of the selected domains: format rpz (zone) or list",
    ),
    (
        "get",
        "/api/v1/keys",
        Scope::Admin,
        "The API keys (ids, names, scopes; never the secrets)",
    ),
    (
        "post",
        "/api/v1/keys",
        Scope::Admin,
        "Make a key; the answer holds its secret, shown once",
    ),
    ("delete", "/api/v1/keys/{id}", Scope::Admin, "Revoke a key"),
    ("get", "/api/v1/openapi.json", Scope::Read, "This document"),
];

/// Whether a request path matches a route pattern (`{x}` is one segment).
fn path_matches(pattern: &str, path: &str) -> bool {
    let mut p = pattern.split('/');
    let mut q = path.split('/');
    loop {
        match (p.next(), q.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a.starts_with('{') || a == b => {}
            _ => return false,
        }
    }
}

/// Bulk requests take at most this many indicators.
pub const MAX_BULK: usize = 1_000;

/// Server options.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Requests per minute per key.
    pub rate_per_minute: u32,
    /// TLS certificate chain and private key (PEM files); plain HTTP without.
    pub tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
}

/// One key's token bucket.
struct Bucket {
    tokens: f64,
    at: Instant,
}

pub(crate) struct App {
    store: Arc<dyn Store>,
    state: Arc<StateStore>,
    rate: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
    sessions: ui::Sessions,
}

pub(crate) type Shared = Arc<App>;

/// The authenticated key of a request (set by the auth layer).
#[derive(Clone)]
struct Caller(KeyInfo);

/// Runs a synchronous store/intel call on the blocking pool.
pub(crate) async fn blocking<T, F>(f: F) -> std::result::Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> std::result::Result<T, ApiError> + Send + 'static,
{
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "worker failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "worker failed",
        )
    })?
}

fn key_of(headers: &HeaderMap) -> Option<String> {
    if let Some(k) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(k.trim().to_string());
    }
    let auth = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = auth.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn scope_of(method: &str, path: &str) -> Scope {
    ROUTES
        .iter()
        .find(|(m, p, _, _)| m.eq_ignore_ascii_case(method) && path_matches(p, path))
        .map_or(Scope::Read, |r| r.2)
}

/// Authentication, scope, rate limit and the request log.
async fn guard(State(app): State<Shared>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req.uri().path().to_string();
    let method = req.method().as_str().to_string();
    let unauthorized = |msg: &'static str| {
        tracing::info!(key = "-", %method, %route, status = 401, "request");
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", msg).into_response()
    };
    let st = app.state.clone();
    let checked = if let Some(secret) = key_of(req.headers()) {
        tokio::task::spawn_blocking(move || keys::check_key(&st, &secret)).await
    } else if let Some(sid) = ui::cookie(req.headers(), ui::SESSION_COOKIE) {
        // A browser session: reads need the cookie, anything else the
        // session's CSRF token too.
        let Some(s) = app.sessions.get(&sid) else {
            return unauthorized("the session has expired; sign in again");
        };
        let safe = matches!(method.as_str(), "GET" | "HEAD");
        let sent = req
            .headers()
            .get(ui::CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !safe && !ui::same_token(sent, &s.csrf) {
            tracing::info!(key = "-", %method, %route, status = 403, "request without CSRF token");
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "a browser session needs a valid X-CSRF-Token header on this method",
            )
            .into_response();
        }
        tokio::task::spawn_blocking(move || keys::check_hashed(&st, &s.key_hash)).await
    } else {
        return unauthorized("an API key is required (X-Api-Key or Authorization: Bearer)");
    };
    let key = match checked {
        Ok(Ok(Some(k))) => k,
        Ok(Ok(None)) => return unauthorized("unknown or revoked API key"),
        _ => {
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "key check failed",
            )
            .into_response();
        }
    };
    let need = scope_of(&method, &route);
    if key.scope < need {
        tracing::info!(key = %key.id, %method, %route, status = 403, "request");
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "this route needs scope {}, the key has {}",
                need.as_str(),
                key.scope.as_str()
            ),
        )
        .into_response();
    }
    // Token bucket: `rate` tokens a minute, at most `rate` stored.
    let (allowed, remaining, reset) = {
        let mut b = app.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let bucket = b.entry(key.id.clone()).or_insert(Bucket {
            tokens: app.rate,
            at: now,
        });
        let per_sec = app.rate / 60.0;
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * per_sec).min(app.rate);
        bucket.at = now;
        let allowed = bucket.tokens >= 1.0;
        if allowed {
            bucket.tokens -= 1.0;
        }
        let missing = (1.0 - bucket.tokens).max(0.0);
        let reset = (missing / per_sec).ceil() as u64;
        (allowed, bucket.tokens.floor() as u64, reset)
    };
    let resp = if allowed {
        let mut req = req;
        req.extensions_mut().insert(Caller(key.clone()));
        next.run(req).await
    } else {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("more than {} requests a minute for this key", app.rate),
        );
        e.retry_after = Some(reset.max(1));
        e.into_response()
    };
    let mut resp = json_errors(resp).await;
    let h = resp.headers_mut();
    for (name, v) in [
        ("x-ratelimit-limit", app.rate as u64),
        ("x-ratelimit-remaining", remaining),
        ("x-ratelimit-reset", reset),
    ] {
        if let Ok(v) = HeaderValue::from_str(&v.to_string()) {
            h.insert(name, v);
        }
    }
    tracing::info!(
        key = %key.id,
        %method,
        %route,
        status = resp.status().as_u16(),
        latency_us = started.elapsed().as_micros() as u64,
        "request"
    );
    resp
}

/// Turns axum's plain-text rejections (a bad path or query parameter, a
/// wrong content type) into the API's JSON error shape.
async fn json_errors(resp: Response) -> Response {
    let is_json = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || resp.status().is_success() || resp.status().as_u16() < 400 {
        return resp;
    }
    let status = resp.status();
    let text = axum::body::to_bytes(resp.into_body(), 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let code = if status.is_client_error() {
        "invalid_request"
    } else {
        "internal"
    };
    ApiError::new(status, code, text).into_response()
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route (see /api/v1/openapi.json)",
    )
}

async fn domain(
    State(app): State<Shared>,
    Path(domain): Path<String>,
) -> std::result::Result<Response, ApiError> {
    blocking(move || {
        let p = scry_intel::profile::profile(
            app.store.as_ref(),
            &domain,
            &scry_intel::profile::ProfileOptions::default(),
        )?;
        Ok(Json(p).into_response())
    })
    .await
}

#[derive(Deserialize)]
struct PivotParams {
    field: Option<String>,
    value: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
    scope: Option<String>,
}

async fn pivot(
    State(app): State<Shared>,
    Query(q): Query<PivotParams>,
) -> std::result::Result<Response, ApiError> {
    let field = q
        .field
        .ok_or_else(|| ApiError::invalid("field", "field is required"))?;
    let value = q
        .value
        .ok_or_else(|| ApiError::invalid("value", "value is required"))?;
    let limit = q.limit.unwrap_or(1000);
    if limit == 0 || limit > 10_000 {
        return Err(ApiError::invalid("limit", "limit must be 1..=10000"));
    }
    let scope = match q.scope.as_deref() {
        None | Some("current") => PivotScope::Current,
        Some("historic") => PivotScope::Historic,
        Some("all") => PivotScope::All,
        Some(other) => {
            return Err(ApiError::invalid(
                "scope",
                format!("{other:?}: expected current, historic or all"),
            ));
        }
    };
    blocking(move || {
        let r = scry_intel::pivot::pivot(
            app.store.as_ref(),
            &field,
            &value,
            scope,
            q.cursor.as_deref(),
            limit,
        )?;
        Ok(Json(r).into_response())
    })
    .await
}

#[derive(Deserialize)]
struct RiskParams {
    domain: Option<String>,
    ip: Option<String>,
    email: Option<String>,
    indicator: Option<String>,
}

impl RiskParams {
    fn one(self) -> std::result::Result<(&'static str, String), ApiError> {
        let given: Vec<(&'static str, String)> = [
            ("domain", self.domain),
            ("ip", self.ip),
            ("email", self.email),
            ("indicator", self.indicator),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
        match given.len() {
            1 => Ok(given
                .into_iter()
                .next()
                .unwrap_or(("indicator", String::new()))),
            0 => Err(ApiError::invalid(
                "domain",
                "give one of domain, ip, email or indicator",
            )),
            _ => Err(ApiError::invalid(
                given[1].0,
                "give only one of domain, ip, email or indicator",
            )),
        }
    }
}

fn score(
    app: &App,
    field: &str,
    indicator: &str,
) -> std::result::Result<scry_intel::risk::RiskReport, ApiError> {
    let scorer = scry_intel::risk::builtin_scorer();
    let engine = scry_intel::risk::RiskEngine::new(app.store.as_ref(), &app.state, &scorer);
    let r = engine.score(indicator).map_err(ApiError::from)?;
    let kind_ok = match field {
        "domain" => r.kind == "domain",
        "ip" => r.kind == "ip",
        "email" => r.kind == "email",
        _ => true,
    };
    if !kind_ok {
        return Err(ApiError::invalid(
            field,
            format!("{indicator:?} is not a {field}"),
        ));
    }
    Ok(r)
}

async fn risk_one(
    State(app): State<Shared>,
    Query(q): Query<RiskParams>,
) -> std::result::Result<Response, ApiError> {
    let (field, v) = q.one()?;
    blocking(move || Ok(Json(score(&app, field, &v)?).into_response())).await
}

#[derive(Deserialize)]
struct Bulk {
    indicators: Vec<String>,
}

async fn risk_bulk(
    State(app): State<Shared>,
    body: std::result::Result<Json<Bulk>, axum::extract::rejection::JsonRejection>,
) -> std::result::Result<Response, ApiError> {
    let Json(b) = body.map_err(|e| ApiError::invalid("indicators", e.body_text()))?;
    if b.indicators.len() > MAX_BULK {
        return Err(ApiError::invalid(
            "indicators",
            format!(
                "{} indicators; at most {MAX_BULK} a request",
                b.indicators.len()
            ),
        ));
    }
    blocking(move || {
        // Bulk requests read the last rescore's proximity when it is fresh.
        let scorer = scry_intel::risk::builtin_scorer();
        let mut engine =
            scry_intel::risk::RiskEngine::new(app.store.as_ref(), &app.state, &scorer);
        engine.use_stored_proximity_if_fresh()?;
        let results: Vec<serde_json::Value> = b
            .indicators
            .iter()
            .map(|i| match engine.score(i).map_err(ApiError::from) {
                Ok(r) => serde_json::to_value(r).unwrap_or_default(),
                Err(e) => serde_json::json!({"indicator": i, "error": {"code": e.code, "message": e.message}}),
            })
            .collect();
        Ok(Json(serde_json::json!({ "results": results })).into_response())
    })
    .await
}

async fn reputation(
    State(app): State<Shared>,
    Query(q): Query<RiskParams>,
) -> std::result::Result<Response, ApiError> {
    let (field, v) = q.one()?;
    blocking(move || {
        let r = score(&app, field, &v)?;
        Ok(Json(serde_json::json!({
            "indicator": r.indicator,
            "type": r.kind,
            "risk": r.risk,
            "threats": r.threats,
        }))
        .into_response())
    })
    .await
}

pub(crate) type JsonBody<T> = std::result::Result<Json<T>, axum::extract::rejection::JsonRejection>;

pub(crate) fn body<T>(b: JsonBody<T>, field: &str) -> std::result::Result<T, ApiError> {
    b.map(|Json(v)| v)
        .map_err(|e| ApiError::invalid(field, e.body_text()))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[derive(Deserialize)]
struct EnrichBody {
    domains: Vec<String>,
}

async fn enrich(
    State(app): State<Shared>,
    b: JsonBody<EnrichBody>,
) -> std::result::Result<Response, ApiError> {
    let b = body(b, "domains")?;
    if b.domains.len() > MAX_BULK {
        return Err(ApiError::invalid(
            "domains",
            format!("{} domains; at most {MAX_BULK} a request", b.domains.len()),
        ));
    }
    blocking(move || {
        let opts = scry_intel::profile::ProfileOptions {
            fact_limit: 1_000,
            enrich_limit: 10,
            ..Default::default()
        };
        let results: Vec<serde_json::Value> = b
            .domains
            .iter()
            .map(|d| match scry_intel::profile::profile(app.store.as_ref(), d, &opts) {
                Ok(p) => serde_json::to_value(p).unwrap_or_default(),
                Err(e) => {
                    let e = ApiError::from(e);
                    serde_json::json!({"domain": d, "error": {"code": e.code, "message": e.message}})
                }
            })
            .collect();
        Ok(Json(serde_json::json!({ "results": results })).into_response())
    })
    .await
}

#[derive(Deserialize)]
struct SearchBody {
    query: String,
    cursor: Option<String>,
    limit: Option<usize>,
}

async fn search(
    State(app): State<Shared>,
    b: JsonBody<SearchBody>,
) -> std::result::Result<Response, ApiError> {
    let b = body(b, "query")?;
    blocking(move || {
        let r = scry_intel::search::search(
            app.store.as_ref(),
            &b.query,
            b.cursor.as_deref(),
            b.limit.unwrap_or(1000),
        )?;
        Ok(Json(r).into_response())
    })
    .await
}

#[derive(Deserialize)]
struct PdnsParams {
    rrtype: Option<String>,
    time_first_before: Option<String>,
    time_first_after: Option<String>,
    time_last_before: Option<String>,
    time_last_after: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

impl PdnsParams {
    fn options(&self) -> std::result::Result<scry_intel::pdns::PdnsOptions, ApiError> {
        let now = now();
        let bound =
            |v: &Option<String>, field: &str| -> std::result::Result<Option<i64>, ApiError> {
                v.as_deref()
                    .map(|s| scry_intel::pdns::parse_bound(s, now))
                    .transpose()
                    .map_err(|e| ApiError::invalid(field, e.to_string()))
            };
        let rrtype = match &self.rrtype {
            Some(t) => Some(
                scry_model::rrtype_from_mnemonic(t)
                    .ok_or_else(|| ApiError::invalid("rrtype", format!("unknown rrtype {t:?}")))?,
            ),
            None => None,
        };
        Ok(scry_intel::pdns::PdnsOptions {
            rrtype,
            fence: scry_store::TimeFence {
                first_before: bound(&self.time_first_before, "time_first_before")?,
                first_after: bound(&self.time_first_after, "time_first_after")?,
                last_before: bound(&self.time_last_before, "time_last_before")?,
                last_after: bound(&self.time_last_after, "time_last_after")?,
            },
            limit: self
                .limit
                .unwrap_or(10_000)
                .min(scry_intel::pdns::MAX_LIMIT),
            offset: self.offset.unwrap_or(0),
        })
    }
}

async fn pdns_rrset(
    State(app): State<Shared>,
    Path(name): Path<String>,
    Query(q): Query<PdnsParams>,
) -> std::result::Result<Response, ApiError> {
    let opts = q.options()?;
    blocking(move || {
        Ok(Json(scry_intel::pdns::rrset(app.store.as_ref(), &name, &opts)?).into_response())
    })
    .await
}

async fn pdns_rdata(
    State(app): State<Shared>,
    Path((kind, value)): Path<(String, String)>,
    Query(q): Query<PdnsParams>,
) -> std::result::Result<Response, ApiError> {
    use scry_intel::pdns::RdataKind;
    let kind = match kind.as_str() {
        "ip" => RdataKind::Ip,
        "name" => RdataKind::Name,
        "raw" => RdataKind::Raw,
        other => {
            return Err(ApiError::invalid(
                "kind",
                format!("{other:?}: expected ip, name or raw"),
            ));
        }
    };
    let opts = q.options()?;
    blocking(move || {
        Ok(Json(scry_intel::pdns::rdata(
            app.store.as_ref(),
            kind,
            &value,
            &opts,
        )?)
        .into_response())
    })
    .await
}

async fn whois(
    State(app): State<Shared>,
    Path(domain): Path<String>,
) -> std::result::Result<Response, ApiError> {
    blocking(move || {
        Ok(Json(scry_intel::whois::history(app.store.as_ref(), &domain)?).into_response())
    })
    .await
}

async fn reverse_whois(
    State(app): State<Shared>,
    Query(q): Query<Vec<(String, String)>>,
) -> std::result::Result<Response, ApiError> {
    let terms: Vec<String> = q
        .iter()
        .filter(|(k, _)| k == "term")
        .map(|(_, v)| v.clone())
        .collect();
    let exclude: Vec<String> = q
        .iter()
        .filter(|(k, _)| k == "exclude")
        .map(|(_, v)| v.clone())
        .collect();
    let historic = match q
        .iter()
        .find(|(k, _)| k == "scope")
        .map(|(_, v)| v.as_str())
    {
        None | Some("current") => false,
        Some("historic") => true,
        Some(other) => {
            return Err(ApiError::invalid(
                "scope",
                format!("{other:?}: expected current or historic"),
            ));
        }
    };
    if terms.is_empty() {
        return Err(ApiError::invalid("term", "give at least one term=..."));
    }
    blocking(move || {
        let r = scry_intel::whois::reverse_whois(
            app.store.as_ref(),
            &terms,
            &exclude,
            &[],
            historic,
            10_000,
        )?;
        Ok(Json(r).into_response())
    })
    .await
}

async fn monitors(State(app): State<Shared>) -> std::result::Result<Response, ApiError> {
    blocking(move || Ok(Json(scry_intel::monitor::monitors(&app.state)?).into_response())).await
}

#[derive(Deserialize)]
struct MonitorBody {
    kind: String,
    name: String,
    terms: Vec<String>,
    #[serde(default)]
    exclusions: Vec<String>,
    #[serde(default)]
    match_substring_variations: bool,
}

async fn monitor_add(
    State(app): State<Shared>,
    b: JsonBody<MonitorBody>,
) -> std::result::Result<Response, ApiError> {
    let b = body(b, "monitor")?;
    let kind = scry_intel::monitor::MonitorKind::parse(&b.kind).map_err(ApiError::from)?;
    blocking(move || {
        let m = scry_intel::monitor::add_monitor(
            &app.state,
            kind,
            &b.name,
            &b.terms,
            &b.exclusions,
            b.match_substring_variations,
            now(),
        )?;
        Ok((StatusCode::CREATED, Json(m)).into_response())
    })
    .await
}

async fn monitor_remove(
    State(app): State<Shared>,
    Path(id): Path<u64>,
) -> std::result::Result<Response, ApiError> {
    blocking(move || {
        if scry_intel::monitor::remove_monitor(&app.state, id)? {
            Ok(StatusCode::NO_CONTENT.into_response())
        } else {
            Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no monitor {id}"),
            ))
        }
    })
    .await
}

#[derive(Deserialize)]
struct AlertsParams {
    state: Option<String>,
}

async fn alerts(
    State(app): State<Shared>,
    Query(q): Query<AlertsParams>,
) -> std::result::Result<Response, ApiError> {
    blocking(move || {
        Ok(Json(scry_intel::monitor::alerts(&app.state, q.state.as_deref())?).into_response())
    })
    .await
}

#[derive(Deserialize)]
struct AlertStateBody {
    state: String,
    note: Option<String>,
}

async fn alert_state(
    State(app): State<Shared>,
    axum::Extension(Caller(key)): axum::Extension<Caller>,
    Path(id): Path<u64>,
    b: JsonBody<AlertStateBody>,
) -> std::result::Result<Response, ApiError> {
    let b = body(b, "state")?;
    blocking(move || {
        let who = format!("api:{}:{}", key.id, key.name);
        let a = scry_intel::monitor::set_state(
            &app.state,
            id,
            &b.state,
            &who,
            b.note.as_deref(),
            now(),
        )?;
        Ok(Json(a).into_response())
    })
    .await
}

#[derive(Deserialize)]
struct GraphParams {
    seed: Option<String>,
    depth: Option<usize>,
    max_nodes: Option<usize>,
    max_fanout: Option<u64>,
}

async fn graph(
    State(app): State<Shared>,
    Query(q): Query<GraphParams>,
) -> std::result::Result<Response, ApiError> {
    let seed = q
        .seed
        .ok_or_else(|| ApiError::invalid("seed", "seed is required (a domain or field=value)"))?;
    let d = scry_intel::graph::GraphOptions::default();
    let opts = scry_intel::graph::GraphOptions {
        depth: q.depth.unwrap_or(d.depth),
        max_nodes: q.max_nodes.unwrap_or(d.max_nodes),
        max_fanout: q.max_fanout.unwrap_or(d.max_fanout),
    };
    blocking(move || {
        let scorer = scry_intel::risk::builtin_scorer();
        let engine = scry_intel::risk::RiskEngine::new(app.store.as_ref(), &app.state, &scorer);
        let g = scry_intel::graph::graph(app.store.as_ref(), &engine, &seed, &opts)?;
        Ok(Json(g).into_response())
    })
    .await
}

#[derive(Deserialize)]
struct ExportBody {
    domains: Vec<String>,
    origin: Option<String>,
}

async fn export(
    Path(format): Path<String>,
    b: JsonBody<ExportBody>,
) -> std::result::Result<Response, ApiError> {
    let b = body(b, "domains")?;
    if b.domains.len() > 100_000 {
        return Err(ApiError::invalid(
            "domains",
            "at most 100,000 domains a request",
        ));
    }
    let text = match format.as_str() {
        "rpz" => scry_intel::export::rpz(
            &b.domains,
            b.origin.as_deref().unwrap_or("rpz.scry"),
            now().max(0) as u32,
        )?,
        "list" => scry_intel::export::plain_list(&b.domains)?,
        other => {
            return Err(ApiError::invalid(
                "format",
                format!("{other:?}: expected rpz or list"),
            ));
        }
    };
    Ok(([("content-type", "text/plain; charset=utf-8")], text).into_response())
}

async fn keys_list(State(app): State<Shared>) -> std::result::Result<Response, ApiError> {
    blocking(move || {
        let all = keys::list_keys(&app.state).map_err(internal)?;
        Ok(Json(all).into_response())
    })
    .await
}

#[derive(Deserialize)]
struct KeyBody {
    scope: String,
    #[serde(default)]
    name: String,
}

async fn keys_create(
    State(app): State<Shared>,
    axum::Extension(Caller(by)): axum::Extension<Caller>,
    b: JsonBody<KeyBody>,
) -> std::result::Result<Response, ApiError> {
    let b = body(b, "scope")?;
    let scope = Scope::parse(&b.scope).ok_or_else(|| {
        ApiError::invalid(
            "scope",
            format!("{:?}: expected read, write or admin", b.scope),
        )
    })?;
    blocking(move || {
        let (secret, info) =
            keys::create_key(&app.state, scope, &b.name, now()).map_err(internal)?;
        tracing::info!(key = %info.id, by = %by.id, scope = scope.as_str(), "key created");
        Ok((
            StatusCode::CREATED,
            Json(serde_json::json!({"key": secret, "info": info})),
        )
            .into_response())
    })
    .await
}

async fn keys_revoke(
    State(app): State<Shared>,
    axum::Extension(Caller(by)): axum::Extension<Caller>,
    Path(id): Path<String>,
) -> std::result::Result<Response, ApiError> {
    blocking(move || {
        if keys::revoke_key(&app.state, &id).map_err(internal)? {
            tracing::info!(key = %id, by = %by.id, "key revoked");
            Ok(StatusCode::NO_CONTENT.into_response())
        } else {
            Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no key {id}"),
            ))
        }
    })
    .await
}

fn internal(e: ServerError) -> ApiError {
    tracing::error!(error = %e, "request failed");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "see the server log",
    )
}

async fn openapi_doc() -> Json<serde_json::Value> {
    Json(openapi::document())
}

/// The application: routes, auth, limits.
/// `secure` marks the session cookie `Secure` (when served over TLS).
pub fn router(
    store: Arc<dyn Store>,
    state: Arc<StateStore>,
    rate_per_minute: u32,
    secure: bool,
) -> Router {
    let app: Shared = Arc::new(App {
        store,
        state,
        rate: f64::from(rate_per_minute.max(1)),
        buckets: Mutex::new(HashMap::new()),
        sessions: ui::Sessions::new(secure),
    });
    let api = Router::new()
        .route("/api/v1/domains/{domain}", get(domain))
        .route("/api/v1/enrich", post(enrich))
        .route("/api/v1/pivot", get(pivot))
        .route("/api/v1/search", post(search))
        .route("/api/v1/pdns/rrset/{name}", get(pdns_rrset))
        .route("/api/v1/pdns/rdata/{kind}/{value}", get(pdns_rdata))
        .route("/api/v1/whois/{domain}", get(whois))
        .route("/api/v1/reverse-whois", get(reverse_whois))
        .route("/api/v1/risk", get(risk_one).post(risk_bulk))
        .route("/api/v1/reputation", get(reputation))
        .route("/api/v1/monitors", get(monitors).post(monitor_add))
        .route("/api/v1/monitors/{id}", delete(monitor_remove))
        .route("/api/v1/alerts", get(alerts))
        .route("/api/v1/alerts/{id}/state", post(alert_state))
        .route("/api/v1/graph", get(graph))
        .route("/api/v1/export/{format}", post(export))
        .route("/api/v1/keys", get(keys_list).post(keys_create))
        .route("/api/v1/keys/{id}", delete(keys_revoke))
        .route("/api/v1/openapi.json", get(openapi_doc))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app.clone());
    Router::new()
        .route("/health", get(health))
        .merge(ui::routes().with_state(app))
        .merge(api)
}

/// Serves until SIGINT/SIGTERM; `on_ready` gets the bound address.
pub fn serve(
    store: Arc<dyn Store>,
    state: Arc<StateStore>,
    opts: &ServeOptions,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let tls = match &opts.tls {
        Some((cert, key)) => Some(tls::config(cert, key)?),
        None => None,
    };
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.listen).await?;
        let app = router(store, state, opts.rate_per_minute, tls.is_some());
        match tls {
            Some(cfg) => {
                let listener = tls::TlsListener::start(listener, cfg)?;
                on_ready(axum::serve::Listener::local_addr(&listener)?);
                axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown())
                    .await?;
            }
            None => {
                on_ready(listener.local_addr()?);
                axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown())
                    .await?;
            }
        }
        Ok(())
    })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    // Let in-flight requests finish briefly.
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[cfg(test)]
mod tests;
