//! The web UI: a static shell (HTML, CSS, dependency-free JS modules in
//! `crates/scry-server/ui/`, embedded in the binary, so the sources are the
//! assets and there is nothing to build or keep in sync) and browser
//! sessions.
//!
//! Signing in (`POST /ui/login` with an API key) gives an `HttpOnly`,
//! `SameSite=Strict` session cookie (a random id; the server keeps the key's
//! hash and a CSRF token for it, for at most [`SESSION_TTL`]) and answers
//! the CSRF token in JSON. The page keeps only the token, in memory, and
//! sends it as `X-CSRF-Token` on every state-changing request; the API
//! accepts the cookie as auth for `GET`/`HEAD` alone and for anything else
//! only with that header. The key itself never reaches the page.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get, routing::post};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::keys::{self, KeyInfo};
use crate::{ApiError, Shared, blocking};

/// How long a browser session lives without being used.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// Sessions kept at most (the oldest go first when a sign-in would pass it).
pub const MAX_SESSIONS: usize = 10_000;
/// The session cookie's name.
pub const SESSION_COOKIE: &str = "scry_session";
/// The header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The Content-Security-Policy of every UI answer: nothing but this origin
/// (images may also be `data:`/`blob:` URLs, for the PNG export).
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

/// One embedded file: URL path, content type, bytes.
struct Asset {
    path: &'static str,
    mime: &'static str,
    body: &'static str,
}

const ASSETS: &[Asset] = &[
    Asset {
        path: "index.html",
        mime: "text/html; charset=utf-8",
        body: include_str!("../ui/index.html"),
    },
    Asset {
        path: "style.css",
        mime: "text/css; charset=utf-8",
        body: include_str!("../ui/style.css"),
    },
    Asset {
        path: "app.js",
        mime: "text/javascript; charset=utf-8",
        body: include_str!("../ui/app.js"),
    },
    Asset {
        path: "graph.js",
        mime: "text/javascript; charset=utf-8",
        body: include_str!("../ui/graph.js"),
    },
    Asset {
        path: "favicon.svg",
        mime: "image/svg+xml",
        body: include_str!("../ui/favicon.svg"),
    },
];

fn etag(body: &str) -> String {
    let d = Sha256::digest(body.as_bytes());
    let hex: String = d.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Each asset's ETag, computed once (the assets are fixed in the binary).
fn etags() -> &'static [String] {
    static TAGS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TAGS.get_or_init(|| ASSETS.iter().map(|a| etag(a.body)).collect())
}

/// The security headers of every UI answer.
fn harden(h: &mut HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

fn asset(name: &str, headers: &HeaderMap) -> Response {
    let Some(i) = ASSETS.iter().position(|a| a.path == name) else {
        return ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such UI file")
            .into_response();
    };
    let (a, tag) = (&ASSETS[i], &etags()[i]);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag.as_str()));
    let mut r = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, a.mime)], a.body).into_response()
    };
    let h = r.headers_mut();
    harden(h);
    // Revalidate every time (the ETag makes that a 304): a new binary
    // never serves yesterday's script.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, v);
    }
    r
}

async fn shell(headers: HeaderMap) -> Response {
    asset("index.html", &headers)
}

async fn file(Path(name): Path<String>, headers: HeaderMap) -> Response {
    asset(&name, &headers)
}

/// A signed-in browser.
struct Session {
    key_hash: String,
    csrf: String,
    expires: Instant,
    created: Instant,
}

/// The server-side session map.
pub(crate) struct Sessions {
    map: Mutex<HashMap<String, Session>>,
    /// Whether cookies get `Secure` (served over TLS).
    secure: bool,
}

/// What a valid session cookie stands for.
pub(crate) struct SessionAuth {
    pub(crate) key_hash: String,
    pub(crate) csrf: String,
}

fn random_hex(n: usize) -> Result<String, ApiError> {
    let mut raw = vec![0u8; n];
    getrandom::fill(&mut raw).map_err(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "no randomness",
        )
    })?;
    Ok(raw.iter().map(|b| format!("{b:02x}")).collect())
}

/// Constant-time comparison of two tokens.
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The value of a cookie in the request.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

impl Sessions {
    pub(crate) fn new(secure: bool) -> Sessions {
        Sessions {
            map: Mutex::new(HashMap::new()),
            secure,
        }
    }

    /// Starts a session for a key; returns (session id, CSRF token).
    fn start(&self, key_hash: String) -> Result<(String, String), ApiError> {
        let id = random_hex(32)?;
        let csrf = random_hex(32)?;
        let now = Instant::now();
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        m.retain(|_, s| s.expires > now);
        while m.len() >= MAX_SESSIONS {
            let Some(oldest) = m
                .iter()
                .min_by_key(|(_, s)| s.created)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            m.remove(&oldest);
        }
        m.insert(
            id.clone(),
            Session {
                key_hash,
                csrf: csrf.clone(),
                expires: now + SESSION_TTL,
                created: now,
            },
        );
        Ok((id, csrf))
    }

    /// The live session of an id (its expiry slides forward).
    pub(crate) fn get(&self, id: &str) -> Option<SessionAuth> {
        if id.len() != 64 {
            return None;
        }
        let now = Instant::now();
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let s = m.get_mut(id)?;
        if s.expires <= now {
            m.remove(id);
            return None;
        }
        s.expires = now + SESSION_TTL;
        Some(SessionAuth {
            key_hash: s.key_hash.clone(),
            csrf: s.csrf.clone(),
        })
    }

    fn end(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }

    fn set_cookie(&self, id: &str, max_age: u64) -> Option<HeaderValue> {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
        ))
        .ok()
    }
}

#[derive(Deserialize)]
struct LoginBody {
    key: String,
}

fn no_store(r: &mut Response) {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// `POST /ui/login {"key": "..."}`: the session cookie, and the CSRF token
/// and the key's public info in the answer. A JSON body is required, which
/// a cross-site form cannot send.
async fn login(State(app): State<Shared>, b: crate::JsonBody<LoginBody>) -> Response {
    let b = match crate::body(b, "key") {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let st = app.state.clone();
    let secret = b.key.trim().to_string();
    let hashed = keys::hash(&secret);
    let checked = blocking(move || {
        keys::check_key(&st, &secret).map_err(|e| {
            tracing::error!(error = %e, "key check failed");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "key check failed",
            )
        })
    })
    .await;
    let key = match checked {
        Ok(Some(k)) => k,
        Ok(None) => {
            tracing::info!(route = "/ui/login", status = 401, "sign-in refused");
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "unknown or revoked API key",
            )
            .into_response();
        }
        Err(e) => return e.into_response(),
    };
    let (id, csrf) = match app.sessions.start(hashed) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    tracing::info!(key = %key.id, "browser signed in");
    let mut r = Json(serde_json::json!({"csrf": csrf, "key": key})).into_response();
    if let Some(c) = app.sessions.set_cookie(&id, SESSION_TTL.as_secs()) {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    no_store(&mut r);
    r
}

/// The session of a request's cookie, re-checked against the key store.
async fn current(app: &Shared, headers: &HeaderMap) -> Option<(String, SessionAuth, KeyInfo)> {
    let id = cookie(headers, SESSION_COOKIE)?;
    let s = app.sessions.get(&id)?;
    let st = app.state.clone();
    let h = s.key_hash.clone();
    let key = tokio::task::spawn_blocking(move || keys::check_hashed(&st, &h))
        .await
        .ok()?
        .ok()??;
    Some((id, s, key))
}

/// `GET /ui/session`: who is signed in and the CSRF token (for a reloaded
/// page); 401 without a live session.
async fn session(State(app): State<Shared>, headers: HeaderMap) -> Response {
    match current(&app, &headers).await {
        Some((_, s, key)) => {
            let mut r = Json(serde_json::json!({"csrf": s.csrf, "key": key})).into_response();
            no_store(&mut r);
            r
        }
        None => {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "not signed in").into_response()
        }
    }
}

/// `POST /ui/logout` (with the CSRF header): ends the session.
async fn logout(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let Some((id, s, _)) = current(&app, &headers).await else {
        return ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "not signed in")
            .into_response();
    };
    let sent = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !same_token(sent, &s.csrf) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "a valid X-CSRF-Token header is required",
        )
        .into_response();
    }
    app.sessions.end(&id);
    let mut r = StatusCode::NO_CONTENT.into_response();
    if let Some(c) = app.sessions.set_cookie("", 0) {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    r
}

/// The UI routes: the shell at `/`, its files under `/ui/`, and the session
/// endpoints. None of them serves data.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(shell))
        .route("/ui/login", post(login))
        .route("/ui/logout", post(logout))
        .route("/ui/session", get(session))
        .route("/ui/{file}", get(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_tokens_and_sessions() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; scry_session=abc ; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
        assert!(same_token("abcd", "abcd"));
        assert!(!same_token("abcd", "abce") && !same_token("abc", "abcd"));
        let s = Sessions::new(true);
        let (id, csrf) = s.start("h".into()).unwrap();
        assert_eq!(id.len(), 64);
        assert_eq!(s.get(&id).unwrap().csrf, csrf);
        assert!(s.get("0".repeat(64).as_str()).is_none());
        let c = s.set_cookie(&id, 10).unwrap();
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Secure"));
        s.end(&id);
        assert!(s.get(&id).is_none());
    }

    #[test]
    fn every_asset_is_embedded_and_tagged() {
        for a in ASSETS {
            assert!(!a.body.is_empty(), "{}", a.path);
            let r = asset(a.path, &HeaderMap::new());
            assert_eq!(r.status(), StatusCode::OK);
            assert!(r.headers().get(header::CONTENT_SECURITY_POLICY).is_some());
            let tag = r.headers().get(header::ETAG).unwrap().clone();
            let mut h = HeaderMap::new();
            h.insert(header::IF_NONE_MATCH, tag);
            assert_eq!(asset(a.path, &h).status(), StatusCode::NOT_MODIFIED);
        }
        assert_eq!(
            asset("../lib.rs", &HeaderMap::new()).status(),
            StatusCode::NOT_FOUND
        );
    }
}
