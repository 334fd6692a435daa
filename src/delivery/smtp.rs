//! One SMTP conversation per message, on a socket we open ourselves.
//!
//! lettre's transport opens its own sockets and leaves Nagle's algorithm on. lettre writes
//! the message body and the closing `<CRLF>.<CRLF>` as two writes; with Nagle on, the
//! second, small write waits until the server has acknowledged the body, and a server that
//! has nothing to say before the end of the data delays that acknowledgement (40 ms on
//! Linux). Every code message paid those 40 ms, which the load benchmark showed as most of
//! a sign-in's latency. Here the socket is opened with `TCP_NODELAY`, and lettre's
//! connection type speaks the protocol over it: greeting and EHLO, STARTTLS or implicit
//! TLS, AUTH, MAIL/RCPT/DATA, QUIT.
//!
//! A connection is never reused: a send cancelled by the overall timeout would leave a
//! connection in an unknown protocol state.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::config::smtp_url::{Security, SmtpSettings};

/// The mechanisms lettre's transport uses by default, in the same order.
const MECHANISMS: &[Mechanism] = &[Mechanism::Plain, Mechanism::Login];

/// Sends one message: connect, (TLS), EHLO, (AUTH), MAIL/RCPT/DATA, QUIT. The caller bounds
/// the whole call with its timeout; `connect_timeout` bounds the TCP connect alone.
pub(super) async fn send(
    settings: &SmtpSettings,
    connect_timeout: Duration,
    envelope: &Envelope,
    body: &[u8],
) -> Result<(), String> {
    let tcp = tokio::time::timeout(
        connect_timeout,
        TcpStream::connect((settings.host.as_str(), settings.port)),
    )
    .await
    .map_err(|_| "connection timed out".to_string())?
    .map_err(|e| format!("connection error: {e}"))?;
    tcp.set_nodelay(true)
        .map_err(|e| format!("connection error: {e}"))?;
    let hello = ClientId::default();
    let stream: Box<dyn AsyncTokioStream> = match settings.security {
        Security::Plain | Security::StartTls => Box::new(tcp),
        Security::Implicit => Box::new(implicit_tls(&settings.host, tcp).await?),
    };
    let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &hello)
        .await
        .map_err(|e| e.to_string())?;
    converse(&mut conn, settings, &hello, envelope, body).await?;
    // The message is accepted; a failed QUIT changes nothing. On an error the connection
    // is dropped instead: lettre has already answered a refused command with QUIT, and
    // after a failed TLS handshake there is no stream left to speak on.
    let _ = conn.quit().await;
    Ok(())
}

async fn converse(
    conn: &mut AsyncSmtpConnection,
    settings: &SmtpSettings,
    hello: &ClientId,
    envelope: &Envelope,
    body: &[u8],
) -> Result<(), String> {
    if settings.security == Security::StartTls {
        // Fails when the server does not offer STARTTLS: TLS is required.
        let params = TlsParameters::new(settings.host.clone()).map_err(|e| e.to_string())?;
        conn.starttls(params, hello)
            .await
            .map_err(|e| e.to_string())?;
    }
    if let Some((user, password)) = &settings.credentials {
        let creds = Credentials::new(user.clone(), password.expose_secret().to_owned());
        conn.auth(MECHANISMS, &creds)
            .await
            .map_err(|e| e.to_string())?;
    }
    conn.send(envelope, body).await.map_err(|e| e.to_string())?;
    Ok(())
}

/// Wraps the socket in TLS before the SMTP greeting (`smtps://`), verifying the server's
/// certificate against the system's roots for `host`, TLS 1.2 at least (as lettre's
/// `TlsParameters::new` does for STARTTLS).
async fn implicit_tls(host: &str, tcp: TcpStream) -> Result<TlsTcp, String> {
    let connector = native_tls::TlsConnector::builder()
        .min_protocol_version(Some(native_tls::Protocol::Tlsv12))
        .build()
        .map_err(|e| format!("TLS setup failed: {e}"))?;
    let tls = tokio_native_tls::TlsConnector::from(connector)
        .connect(host, tcp)
        .await
        .map_err(|e| format!("TLS error: {e}"))?;
    Ok(TlsTcp(tls))
}

/// A TLS stream over our own socket, in the shape lettre's connection accepts.
#[derive(Debug)]
struct TlsTcp(tokio_native_tls::TlsStream<TcpStream>);

impl AsyncRead for TlsTcp {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsTcp {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for TlsTcp {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().get_ref().get_ref().peer_addr()
    }
}
