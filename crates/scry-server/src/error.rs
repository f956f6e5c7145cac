use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use thiserror::Error;

/// Result alias for the server crate.
pub type Result<T, E = ServerError> = std::result::Result<T, E>;

/// Errors of the server crate (start-up, key management).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ServerError {
    /// Binding or serving failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The state store failed.
    #[error("state store: {0}")]
    Store(#[from] scry_store::StoreError),
    /// The TLS certificate or key could not be used.
    #[error("TLS: {0}")]
    Tls(String),
    /// Anything else.
    #[error("internal: {0}")]
    Internal(String),
}

/// The one error shape of the API: `{"error": {"code", "message", "field"?}}`
/// with a stable `code`.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code (`unauthorized`, `invalid_value`, `rate_limited`...).
    pub code: &'static str,
    /// For people.
    pub message: String,
    /// The request field at fault, when one is.
    pub field: Option<String>,
    /// Seconds to wait (429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// A 400 naming the field.
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_value",
            message: message.into(),
            field: Some(field.to_string()),
            retry_after: None,
        }
    }

    /// Any status and code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }
}

impl From<scry_intel::IntelError> for ApiError {
    fn from(e: scry_intel::IntelError) -> ApiError {
        use scry_intel::IntelError as E;
        match &e {
            E::UnknownField(_) => ApiError::invalid("field", e.to_string()),
            E::InvalidValue { field, .. } => ApiError::invalid(&field.clone(), e.to_string()),
            E::Query { .. } => ApiError::invalid("query", e.to_string()),
            E::TooBroad(_) => ApiError::new(StatusCode::BAD_REQUEST, "too_broad", e.to_string()),
            _ => {
                tracing::error!(error = %e, "request failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "store",
                    "the store failed; see the server log",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({"code": self.code, "message": self.message});
        if let Some(f) = &self.field {
            body["field"] = f.clone().into();
        }
        let mut r = (self.status, Json(serde_json::json!({ "error": body }))).into_response();
        if let Some(s) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            r.headers_mut().insert("retry-after", v);
        }
        r
    }
}
