//! API keys: random secrets shown once, stored as their SHA-256 in the
//! state store (`apikey/<sha256 hex>` → [`KeyInfo`]), with a scope.

use scry_model::Timestamp;
use scry_store::StateStore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Result, ServerError};

/// What a key may do. Each scope includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Queries.
    Read,
    /// Queries and changes (monitors, alert states).
    Write,
    /// Everything, key management included.
    Admin,
}

impl Scope {
    /// Parses `read`, `write`, `admin`.
    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }
}

/// A stored key (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// Public id (first 12 hex digits of the hash), used in logs and to revoke.
    pub id: String,
    /// A name for people.
    pub name: String,
    /// What it may do.
    pub scope: Scope,
    /// When it was made.
    pub created: Timestamp,
    /// Revoked keys are refused.
    pub revoked: bool,
}

const PREFIX: &str = "apikey/";

/// The SHA-256 of a secret, lower-case hex (what the store keeps).
pub(crate) fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Makes a key; returns the secret (shown once) and what is stored.
pub fn create_key(
    state: &StateStore,
    scope: Scope,
    name: &str,
    now: Timestamp,
) -> Result<(String, KeyInfo)> {
    let mut raw = [0u8; 24];
    getrandom::fill(&mut raw).map_err(|e| ServerError::Internal(format!("random: {e}")))?;
    let secret = format!(
        "scry_{}",
        raw.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let h = hash(&secret);
    let info = KeyInfo {
        id: h[..12].to_string(),
        name: name.to_string(),
        scope,
        created: now,
        revoked: false,
    };
    let json = serde_json::to_vec(&info).map_err(|e| ServerError::Internal(e.to_string()))?;
    state.put(&format!("{PREFIX}{h}"), &json)?;
    Ok((secret, info))
}

/// The key a secret stands for, if it is known and not revoked.
pub fn check_key(state: &StateStore, secret: &str) -> Result<Option<KeyInfo>> {
    if secret.len() > 256 {
        return Ok(None);
    }
    check_hashed(state, &hash(secret))
}

/// The key whose secret has this SHA-256 (hex), if it is known and not
/// revoked: how a browser session re-checks its key on every request, so a
/// revocation ends the session too.
pub(crate) fn check_hashed(state: &StateStore, hashed: &str) -> Result<Option<KeyInfo>> {
    Ok(state
        .get(&format!("{PREFIX}{hashed}"))?
        .and_then(|v| serde_json::from_slice::<KeyInfo>(&v).ok())
        .filter(|k| !k.revoked))
}

/// Every key, revoked ones included.
pub fn list_keys(state: &StateStore) -> Result<Vec<KeyInfo>> {
    Ok(state
        .scan(PREFIX)?
        .into_iter()
        .filter_map(|(_, v)| serde_json::from_slice(&v).ok())
        .collect())
}

/// Revokes the key with this id; false when there is none.
pub fn revoke_key(state: &StateStore, id: &str) -> Result<bool> {
    for (k, v) in state.scan(PREFIX)? {
        if let Ok(mut info) = serde_json::from_slice::<KeyInfo>(&v)
            && info.id == id
        {
            info.revoked = true;
            let json =
                serde_json::to_vec(&info).map_err(|e| ServerError::Internal(e.to_string()))?;
            state.put(&k, &json)?;
            return Ok(true);
        }
    }
    Ok(false)
}
