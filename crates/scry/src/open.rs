//! Opening the configured fact engine and the data dir.

use anyhow::{Context, Result};
use scry_store::embedded::EmbeddedStore;
use scry_store::{DataDir, Store};

use crate::cli::Cli;

/// An open store and the data-dir lock that guards it.
pub(crate) struct Opened {
    pub(crate) store: Box<dyn Store>,
    pub(crate) _dir: DataDir,
}

/// Opens the store; `create` makes a missing data dir.
pub(crate) fn open(cli: &Cli, create: bool) -> Result<Opened> {
    let dir = DataDir::open(&cli.data_dir, create)?;
    if let Some(url) = &cli.store {
        anyhow::bail!(
            "fact engine {url:?} is not available in this build (only the embedded engine is)"
        );
    }
    let store = EmbeddedStore::open(&dir)
        .with_context(|| format!("opening the embedded store in {}", cli.data_dir.display()))?;
    Ok(Opened {
        store: Box::new(store),
        _dir: dir,
    })
}
