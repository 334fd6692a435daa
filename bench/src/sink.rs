//! A minimal SMTP sink for the benchmark: accepts every message, reads the code from the
//! subject line and hands it to whoever registered for that recipient.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

type Waiters = Arc<Mutex<HashMap<String, oneshot::Sender<String>>>>;

#[derive(Clone)]
pub struct Sink {
    pub port: u16,
    waiters: Waiters,
}

impl Sink {
    pub async fn start() -> std::io::Result<Sink> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let waiters: Waiters = Arc::default();
        let w = waiters.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let w = w.clone();
                tokio::spawn(async move {
                    let _ = session(sock, w).await;
                });
            }
        });
        Ok(Sink { port, waiters })
    }

    /// Registers interest in the next code sent to `rcpt` (call before triggering the send).
    pub fn expect(&self, rcpt: &str) -> oneshot::Receiver<String> {
        let (tx, rx) = oneshot::channel();
        if let Ok(mut m) = self.waiters.lock() {
            m.insert(rcpt.to_ascii_lowercase(), tx);
        }
        rx
    }
}

async fn session(sock: tokio::net::TcpStream, waiters: Waiters) -> std::io::Result<()> {
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 bench-sink ESMTP\r\n").await?;
    let mut line = String::new();
    let mut rcpts: Vec<String> = Vec::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            w.write_all(b"250-bench-sink\r\n250 8BITMIME\r\n").await?;
        } else if upper.starts_with("MAIL FROM") {
            rcpts.clear();
            w.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO") {
            let addr = line
                .split('<')
                .nth(1)
                .and_then(|s| s.split('>').next())
                .unwrap_or("")
                .to_ascii_lowercase();
            rcpts.push(addr);
            w.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("DATA") {
            w.write_all(b"354 go ahead\r\n").await?;
            let mut code = None;
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                if code.is_none() && line.to_ascii_lowercase().starts_with("subject:") {
                    code = line
                        .split(|c: char| !c.is_ascii_digit())
                        .find(|t| t.len() == 6)
                        .map(str::to_string);
                }
            }
            if let (Some(code), Ok(mut m)) = (code, waiters.lock()) {
                for rc in &rcpts {
                    if let Some(tx) = m.remove(rc) {
                        let _ = tx.send(code.clone());
                    }
                }
            }
            w.write_all(b"250 OK queued\r\n").await?;
        } else if upper.starts_with("QUIT") {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            w.write_all(b"250 OK\r\n").await?;
        }
    }
}
