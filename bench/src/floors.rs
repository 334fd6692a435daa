//! Cost floors measured on this machine: what one signature and one durable commit cost,
//! with the same libraries and settings the server uses.

use std::time::{Duration, Instant};

use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jwk::KeyPair;
use josekit::jws::{JwsHeader, JwsSigner, ES256, RS256};
use serde::Serialize;
use sqlx::Connection;

#[derive(Debug, Clone, Serialize, Default)]
pub struct Floors {
    /// Signatures per second on one core.
    pub es256_per_core: f64,
    pub rs256_per_core: f64,
    /// Durable single-row commits per second, one connection.
    pub sqlite_commits: f64,
    pub postgres_commits: Option<f64>,
}

const PAYLOAD: &str = r#"{"iss":"http://127.0.0.1:8080","sub":"bq2wVtgnrpOZ2tUPP8n5UA","aud":"http://127.0.0.1:8080","exp":1795751879,"iat":1795751279,"jti":"0123456789abcdef0123456789","client_id":"abcdefghijklmnopqrstuvwx","scope":"openid email","auth_time":1795751279,"gid":"0123456789abcdef0123"}"#;

fn sign_rate(signer: &dyn JwsSigner, dur: Duration) -> f64 {
    let mut header = JwsHeader::new();
    header.set_token_type("at+jwt");
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < dur {
        for _ in 0..20 {
            let _ = josekit::jws::serialize_compact(PAYLOAD.as_bytes(), &header, signer);
            n += 1;
        }
    }
    n as f64 / start.elapsed().as_secs_f64()
}

pub fn signatures(dur: Duration) -> Result<(f64, f64), String> {
    let ec = EcKeyPair::generate(EcCurve::P256).map_err(|e| e.to_string())?;
    let es = ES256
        .signer_from_der(ec.to_der_private_key())
        .map_err(|e| e.to_string())?;
    let rsa = RsaKeyPair::generate(2048).map_err(|e| e.to_string())?;
    let rs = RS256
        .signer_from_der(rsa.to_der_private_key())
        .map_err(|e| e.to_string())?;
    Ok((sign_rate(&es, dur), sign_rate(&rs, dur)))
}

pub async fn sqlite_commits(dir: &std::path::Path, dur: Duration) -> Result<f64, String> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    let opts = SqliteConnectOptions::new()
        .filename(dir.join("floor.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let mut conn = sqlx::SqliteConnection::connect_with(&opts)
        .await
        .map_err(|e| e.to_string())?;
    sqlx::query("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        .execute(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    commit_loop(&mut conn, dur).await
}

pub async fn postgres_commits(server_url: &str, db: &str, dur: Duration) -> Result<f64, String> {
    let mut conn = sqlx::PgConnection::connect(&format!("{server_url}/{db}"))
        .await
        .map_err(|e| e.to_string())?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS bench_floor (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)",
    )
    .execute(&mut conn)
    .await
    .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < dur {
        sqlx::query("INSERT INTO bench_floor (v) VALUES ($1)")
            .bind("0123456789abcdef0123456789abcdef")
            .execute(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

async fn commit_loop(conn: &mut sqlx::SqliteConnection, dur: Duration) -> Result<f64, String> {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < dur {
        sqlx::query("INSERT INTO t (v) VALUES ($1)")
            .bind("0123456789abcdef0123456789abcdef")
            .execute(&mut *conn)
            .await
            .map_err(|e| e.to_string())?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}
