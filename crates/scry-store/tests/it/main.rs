#![allow(clippy::unwrap_used)]
//! Integration tests of the store crate: the conformance suite on the
//! embedded engine, the data-dir lock and format checks.

mod backpressure;
mod bulk;
mod bulk_load;
mod clickhouse;
mod datadir;

use scry_store::DataDir;
use scry_store::embedded::EmbeddedStore;

scry_store::store_test_suite!(embedded, {
    let dir = tempfile::tempdir().unwrap();
    let dd = DataDir::open(dir.path(), true).unwrap();
    let s = EmbeddedStore::open(&dd).unwrap();
    (s, (dd, dir))
});
