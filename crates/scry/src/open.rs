//! Opening the configured fact engine and the data dir.

use anyhow::{Context, Result};
use scry_store::embedded::EmbeddedStore;
use std::sync::Arc;

use scry_store::{DataDir, StateStore, Store};

use crate::cli::Cli;

/// An open store and the data-dir lock that guards it.
pub(crate) struct Opened {
    pub(crate) store: Box<dyn Store>,
    /// The data dir's state store (monitors, alerts, cursors, the
    /// ClickHouse engine's ledger).
    pub(crate) state: Arc<StateStore>,
    pub(crate) _dir: DataDir,
}

/// Opens the store; `create` makes a missing data dir. The data dir is
/// always opened (and locked): with `--store` it holds the state store,
/// where the ClickHouse engine keeps its ingest ledger.
pub(crate) fn open(cli: &Cli, create: bool) -> Result<Opened> {
    let dir = DataDir::open(&cli.data_dir, create || cli.store.is_some())?;
    let state = Arc::new(StateStore::open(&dir)?);
    let store: Box<dyn Store> = match &cli.store {
        Some(url) => remote(url, state.clone())?,
        None => Box::new(EmbeddedStore::open(&dir).with_context(|| {
            format!("opening the embedded store in {}", cli.data_dir.display())
        })?),
    };
    Ok(Opened {
        store,
        state,
        _dir: dir,
    })
}

#[cfg(feature = "clickhouse")]
fn remote(url: &str, state: Arc<StateStore>) -> Result<Box<dyn Store>> {
    if url.starts_with("clickhouse://") {
        let s = scry_store::clickhouse::open_with_state(url, state)
            .with_context(|| format!("opening {}", redact(url)))?;
        return Ok(Box::new(s));
    }
    anyhow::bail!("unknown fact engine in --store (expected clickhouse://HOST:PORT/DB)")
}

#[cfg(not(feature = "clickhouse"))]
fn remote(_url: &str, _state: Arc<StateStore>) -> Result<Box<dyn Store>> {
    anyhow::bail!("this scry was built without the clickhouse feature")
}

/// The URL without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    match url.find("password=") {
        Some(i) => {
            let end = url[i..].find('&').map_or(url.len(), |j| i + j);
            format!("{}password=***{}", &url[..i], &url[end..])
        }
        None => url.to_string(),
    }
}
