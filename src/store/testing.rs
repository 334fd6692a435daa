//! A real, migrated SQLite store in a temporary folder, for the unit tests of domain
//! functions that take a narrow context instead of a running server.

use super::Store;
use crate::config::DatabaseConfig;

/// A migrated store on a fresh SQLite file; the folder lives as long as the returned guard.
pub async fn temp_sqlite() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let cfg = DatabaseConfig {
        url: format!("sqlite://{}", dir.path().join("sesame.db").display()),
        ..DatabaseConfig::default()
    };
    let store = Store::connect(&cfg).await.expect("the SQLite file opens");
    store.migrate().await.expect("the migrations apply");
    (store, dir)
}
