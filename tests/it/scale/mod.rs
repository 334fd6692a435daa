//! Scale-out: migrations, the outbox under load, reliability, replicas and the store's pool.

mod migrations;
mod outbox;
mod reliability;
mod replicas;
mod store_pool;
pub(crate) mod support;
