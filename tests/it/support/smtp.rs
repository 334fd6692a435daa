//! A tiny but real SMTP server (RFC 5321 subset) for the integration tests.
//!
//! It listens on 127.0.0.1 (random port), accepts any sender and recipient
//! and stores every message it receives. Supported commands: EHLO, HELO,
//! MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT; anything else gets 502.
#![allow(dead_code)]

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Notify;
use tokio::task::{AbortHandle, JoinHandle};

pub use super::mime::{code_from, parse_mail};

const MAX_LINE: usize = 64 * 1024;
const MAX_MESSAGE: usize = 10 * 1024 * 1024;

/// One message as received by the sink.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// Envelope sender (without angle brackets).
    pub mail_from: String,
    /// Envelope recipients (without angle brackets).
    pub rcpt_to: Vec<String>,
    /// The message as transmitted after DATA (dot-stuffing undone, CRLF kept).
    pub raw: String,
    /// The decoded Subject header.
    pub subject: String,
    /// The decoded text/plain part (line endings normalised to `\n`).
    pub text_body: String,
}

/// Handle to a running SMTP sink. Cheap to clone.
#[derive(Clone)]
pub struct SmtpSink {
    inner: Arc<Inner>,
}

struct Inner {
    port: u16,
    fail_next: AtomicUsize,
    /// While true, a new conversation waits before its greeting (`hold`/`release`).
    held: tokio::sync::watch::Sender<bool>,
    notify: Notify,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    messages: Vec<ReceivedMail>,
    /// Indexes of messages already returned by `wait_for_message_to`.
    taken: HashSet<usize>,
    accept_task: Option<JoinHandle<()>>,
    /// Set by `stop()`, cleared by `restart()`.
    stopped: bool,
    connections: Vec<AbortHandle>,
}

impl SmtpSink {
    /// Binds 127.0.0.1:0 and starts serving.
    pub async fn start() -> SmtpSink {
        let listener = bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .expect("SMTP sink: cannot bind 127.0.0.1:0");
        let port = listener.local_addr().expect("SMTP sink: local_addr").port();
        let sink = SmtpSink {
            inner: Arc::new(Inner {
                port,
                fail_next: AtomicUsize::new(0),
                held: tokio::sync::watch::Sender::new(false),
                notify: Notify::new(),
                state: Mutex::new(State::default()),
            }),
        };
        sink.spawn_accept(listener);
        sink
    }

    pub fn port(&self) -> u16 {
        self.inner.port
    }

    /// `smtp://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.inner.port)
    }

    /// All messages received so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.inner.state.lock().unwrap().messages.clone()
    }

    /// Waits for a message to `rcpt` (case-insensitive) that has not been
    /// returned by an earlier call, and returns it (oldest such message
    /// first). Panics after `timeout`.
    pub async fn wait_for_message_to(&self, rcpt: &str, timeout: Duration) -> ReceivedMail {
        let want = rcpt
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_ascii_lowercase();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut state = self.inner.state.lock().unwrap();
                let index = (0..state.messages.len()).find(|i| {
                    !state.taken.contains(i)
                        && state.messages[*i]
                            .rcpt_to
                            .iter()
                            .any(|r| r.to_ascii_lowercase() == want)
                });
                if let Some(i) = index {
                    state.taken.insert(i);
                    return state.messages[i].clone();
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let seen: Vec<Vec<String>> =
                    self.messages().into_iter().map(|m| m.rcpt_to).collect();
                panic!(
                    "SMTP sink: no new message to {rcpt} within {timeout:?} \
                     (recipients of all received messages: {seen:?})"
                );
            }
        }
    }

    /// Stops accepting, closes the listening socket and drops every open
    /// connection. `restart()` re-binds the same port.
    pub fn stop(&self) {
        let mut state = self.inner.state.lock().unwrap();
        state.stopped = true;
        if let Some(task) = &state.accept_task {
            task.abort();
        }
        for conn in state.connections.drain(..) {
            conn.abort();
        }
    }

    /// Re-binds the same port after `stop()` (no-op if running).
    pub async fn restart(&self) {
        let old = {
            let mut state = self.inner.state.lock().unwrap();
            if !state.stopped {
                return;
            }
            state.accept_task.take()
        };
        if let Some(task) = old {
            task.abort();
            // Wait until the aborted task has dropped the listener.
            let _ = task.await;
        }
        let addr = SocketAddr::from(([127, 0, 0, 1], self.inner.port));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match bind(addr) {
                Ok(l) => break l,
                Err(e) if tokio::time::Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("SMTP sink: cannot re-bind {addr}: {e}"),
            }
        };
        self.spawn_accept(listener);
    }

    /// Stalls every conversation before its greeting until [`Self::release`]: an SMTP
    /// server that accepts the connection and then keeps the client waiting.
    pub fn hold(&self) {
        self.inner.held.send_replace(true);
    }

    /// Lets held conversations (and new ones) go on.
    pub fn release(&self) {
        self.inner.held.send_replace(false);
    }

    /// The next `n` DATA commands are answered `451 4.3.0 temporary failure`.
    pub fn set_fail_next(&self, n: usize) {
        self.inner.fail_next.store(n, Ordering::SeqCst);
    }

    fn spawn_accept(&self, listener: TcpListener) {
        let inner = Arc::clone(&self.inner);
        let task = tokio::spawn(async move {
            loop {
                let (stream, _) = match listener.accept().await {
                    Ok(x) => x,
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let conn_inner = Arc::clone(&inner);
                let handle = tokio::spawn(async move {
                    let _ = serve(stream, &conn_inner).await;
                });
                let mut state = inner.state.lock().unwrap();
                if state.stopped {
                    // `stop()` raced with this accept.
                    handle.abort();
                    continue;
                }
                state.connections.retain(|h| !h.is_finished());
                state.connections.push(handle.abort_handle());
            }
        });
        let mut state = self.inner.state.lock().unwrap();
        state.accept_task = Some(task);
        state.stopped = false;
    }
}

fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(128)
}

/// Reads one line (terminated by LF). Returns None on EOF.
async fn read_line(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<()>> {
    buf.clear();
    let n = reader.read_until(b'\n', buf).await?;
    if n == 0 {
        return Ok(None);
    }
    if buf.len() > MAX_MESSAGE {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "line too long",
        ));
    }
    Ok(Some(()))
}

async fn serve(stream: TcpStream, inner: &Inner) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut held = inner.held.subscribe();
    if held.wait_for(|h| !*h).await.is_err() {
        return Ok(());
    }
    write
        .write_all(b"220 sesame-test-smtp ESMTP ready\r\n")
        .await?;
    let mut mail_from: Option<String> = None;
    let mut rcpt_to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        if read_line(&mut reader, &mut line).await?.is_none() {
            return Ok(());
        }
        if line.len() > MAX_LINE {
            write.write_all(b"500 5.5.2 line too long\r\n").await?;
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let (verb, arg) = match text.find(' ') {
            Some(i) => (&text[..i], text[i + 1..].trim()),
            None => (text, ""),
        };
        let verb = verb.to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                mail_from = None;
                rcpt_to.clear();
                let reply = format!(
                    "250-sesame-test-smtp greets {}\r\n250-8BITMIME\r\n250 SIZE {MAX_MESSAGE}\r\n",
                    if arg.is_empty() { "you" } else { arg }
                );
                write.write_all(reply.as_bytes()).await?;
            }
            "HELO" => {
                mail_from = None;
                rcpt_to.clear();
                write.write_all(b"250 sesame-test-smtp\r\n").await?;
            }
            "MAIL" => match path_arg(arg, "FROM:") {
                Some(addr) => {
                    mail_from = Some(addr);
                    rcpt_to.clear();
                    write.write_all(b"250 2.1.0 OK\r\n").await?;
                }
                None => {
                    write
                        .write_all(b"501 5.5.4 syntax: MAIL FROM:<address>\r\n")
                        .await?
                }
            },
            "RCPT" => {
                if mail_from.is_none() {
                    write.write_all(b"503 5.5.1 need MAIL first\r\n").await?;
                    continue;
                }
                match path_arg(arg, "TO:") {
                    Some(addr) if !addr.is_empty() => {
                        rcpt_to.push(addr);
                        write.write_all(b"250 2.1.5 OK\r\n").await?;
                    }
                    _ => {
                        write
                            .write_all(b"501 5.5.4 syntax: RCPT TO:<address>\r\n")
                            .await?
                    }
                }
            }
            "DATA" => {
                if mail_from.is_none() || rcpt_to.is_empty() {
                    write
                        .write_all(b"503 5.5.1 need MAIL and RCPT first\r\n")
                        .await?;
                    continue;
                }
                let fail = inner
                    .fail_next
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if fail {
                    write.write_all(b"451 4.3.0 temporary failure\r\n").await?;
                    continue;
                }
                write
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut raw: Vec<u8> = Vec::new();
                let mut too_big = false;
                loop {
                    if read_line(&mut reader, &mut line).await?.is_none() {
                        return Ok(());
                    }
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                    let content = if line.first() == Some(&b'.') {
                        &line[1..]
                    } else {
                        &line[..]
                    };
                    if raw.len() + content.len() > MAX_MESSAGE {
                        too_big = true;
                    } else {
                        raw.extend_from_slice(content);
                    }
                }
                if too_big {
                    write.write_all(b"552 5.3.4 message too big\r\n").await?;
                } else {
                    let raw = String::from_utf8_lossy(&raw).into_owned();
                    let mail = parse_mail(
                        mail_from.take().unwrap_or_default(),
                        std::mem::take(&mut rcpt_to),
                        raw,
                    );
                    {
                        let mut state = inner.state.lock().unwrap();
                        state.messages.push(mail);
                    }
                    inner.notify.notify_waiters();
                    write.write_all(b"250 2.0.0 OK queued\r\n").await?;
                }
                mail_from = None;
                rcpt_to.clear();
            }
            "RSET" => {
                mail_from = None;
                rcpt_to.clear();
                write.write_all(b"250 2.0.0 OK\r\n").await?;
            }
            "NOOP" => write.write_all(b"250 2.0.0 OK\r\n").await?,
            "QUIT" => {
                write.write_all(b"221 2.0.0 bye\r\n").await?;
                let _ = write.shutdown().await;
                return Ok(());
            }
            _ => {
                write
                    .write_all(b"502 5.5.1 command not implemented\r\n")
                    .await?
            }
        }
    }
}

/// Parses `FROM:<addr> PARAMS` / `TO:<addr>`; returns the address.
fn path_arg(arg: &str, prefix: &str) -> Option<String> {
    if arg.len() < prefix.len() || !arg[..prefix.len()].eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = arg[prefix.len()..].trim_start();
    if let Some(stripped) = rest.strip_prefix('<') {
        let end = stripped.find('>')?;
        Some(stripped[..end].to_owned())
    } else {
        Some(rest.split_whitespace().next().unwrap_or("").to_owned())
    }
}
