//! A real SMTP server with TLS and AUTH for the delivery tests: implicit TLS (`smtps://`)
//! or STARTTLS, `AUTH PLAIN` required before `MAIL`, and a certificate issued by a test
//! certificate authority written to a PEM file (hand it to the `sesame` binary as
//! `SSL_CERT_FILE`; the system store stays untouched).
//!
//! It runs on plain threads with OpenSSL, so it works whatever runtime the test uses.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::ssl::{SslAcceptor, SslMethod, SslStream};
use openssl::x509::extension::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName, SubjectKeyIdentifier,
};
use openssl::x509::{X509Builder, X509Name, X509NameBuilder, X509NameRef, X509};

use super::smtp::{parse_mail, ReceivedMail};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// TLS from the first byte (`smtps://`).
    Implicit,
    /// Plain greeting, then `STARTTLS` (`smtp://…?tls=required`).
    StartTls,
}

/// What the server saw, beyond the messages.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    pub messages: Vec<ReceivedMail>,
    /// Every `AUTH` attempt as `user:password`, in order.
    pub logins: Vec<String>,
    /// Commands refused because TLS or AUTH had not happened yet.
    pub refused: Vec<String>,
}

pub struct TlsSmtpSink {
    pub port: u16,
    pub mode: TlsMode,
    /// PEM of the certificate authority that issued the server certificate.
    pub ca_file: PathBuf,
    seen: Arc<Mutex<Seen>>,
    stop: Arc<AtomicBool>,
    _dir: tempfile::TempDir,
}

struct Setup {
    acceptor: SslAcceptor,
    mode: TlsMode,
    user: String,
    password: String,
}

impl TlsSmtpSink {
    /// Starts on 127.0.0.1 (any port), accepting only `user` / `password`.
    pub fn start(mode: TlsMode, user: &str, password: &str) -> TlsSmtpSink {
        let dir = tempfile::tempdir().unwrap();
        let (ca, ca_key) = ca_certificate();
        let (cert, key) = server_certificate(&ca, &ca_key);
        let ca_file = dir.path().join("test-ca.pem");
        std::fs::write(&ca_file, ca.to_pem().unwrap()).unwrap();
        let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
        acceptor.set_private_key(&key).unwrap();
        acceptor.set_certificate(&cert).unwrap();
        acceptor.add_extra_chain_cert(ca).unwrap();
        acceptor.check_private_key().unwrap();
        let setup = Arc::new(Setup {
            acceptor: acceptor.build(),
            mode,
            user: user.into(),
            password: password.into(),
        });
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop2.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (setup, seen) = (setup.clone(), seen2.clone());
                        std::thread::spawn(move || {
                            let _ = stream.set_nonblocking(false);
                            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                            let _ = serve(stream, &setup, &seen);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        TlsSmtpSink {
            port,
            mode,
            ca_file,
            seen,
            stop,
            _dir: dir,
        }
    }

    /// The URL the server should be configured with (user and password percent-encoded).
    pub fn url(&self, user: &str, password: &str) -> String {
        let enc = |s: &str| {
            s.bytes()
                .map(|b| match b {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        };
        let creds = format!("{}:{}", enc(user), enc(password));
        match self.mode {
            TlsMode::Implicit => format!("smtps://{creds}@localhost:{}", self.port),
            TlsMode::StartTls => {
                format!("smtp://{creds}@localhost:{}?tls=required", self.port)
            }
        }
    }

    pub fn seen(&self) -> Seen {
        self.seen.lock().unwrap().clone()
    }

    /// Waits for a message to `rcpt`; panics after `timeout`.
    pub async fn wait_for_message_to(&self, rcpt: &str, timeout: Duration) -> ReceivedMail {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(m) = self
                .seen()
                .messages
                .into_iter()
                .find(|m| m.rcpt_to.iter().any(|r| r.eq_ignore_ascii_case(rcpt)))
            {
                return m;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("TLS SMTP sink: no message to {rcpt}; saw {:?}", self.seen());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for TlsSmtpSink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn new_key() -> PKey<Private> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
}

fn name(cn: &str) -> X509Name {
    let mut b = X509NameBuilder::new().unwrap();
    b.append_entry_by_nid(Nid::COMMONNAME, cn).unwrap();
    b.build()
}

fn builder(subject: &X509NameRef, issuer: &X509NameRef, key: &PKey<Private>) -> X509Builder {
    let mut b = X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    let mut serial = BigNum::new().unwrap();
    serial.rand(64, MsbOption::MAYBE_ZERO, false).unwrap();
    b.set_serial_number(&serial.to_asn1_integer().unwrap())
        .unwrap();
    b.set_subject_name(subject).unwrap();
    b.set_issuer_name(issuer).unwrap();
    b.set_pubkey(key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::days_from_now(2).unwrap())
        .unwrap();
    b
}

fn ca_certificate() -> (X509, PKey<Private>) {
    let key = new_key();
    let n = name("Sesame test CA");
    let mut b = builder(&n, &n, &key);
    b.append_extension(BasicConstraints::new().critical().ca().build().unwrap())
        .unwrap();
    b.append_extension(
        KeyUsage::new()
            .critical()
            .key_cert_sign()
            .crl_sign()
            .build()
            .unwrap(),
    )
    .unwrap();
    let ski = SubjectKeyIdentifier::new()
        .build(&b.x509v3_context(None, None))
        .unwrap();
    b.append_extension(ski).unwrap();
    b.sign(&key, MessageDigest::sha256()).unwrap();
    (b.build(), key)
}

fn server_certificate(ca: &X509, ca_key: &PKey<Private>) -> (X509, PKey<Private>) {
    let key = new_key();
    let mut b = builder(&name("localhost"), ca.subject_name(), &key);
    b.append_extension(BasicConstraints::new().build().unwrap())
        .unwrap();
    b.append_extension(
        KeyUsage::new()
            .critical()
            .digital_signature()
            .key_encipherment()
            .build()
            .unwrap(),
    )
    .unwrap();
    b.append_extension(ExtendedKeyUsage::new().server_auth().build().unwrap())
        .unwrap();
    let san = SubjectAlternativeName::new()
        .dns("localhost")
        .ip("127.0.0.1")
        .build(&b.x509v3_context(Some(ca), None))
        .unwrap();
    b.append_extension(san).unwrap();
    b.sign(ca_key, MessageDigest::sha256()).unwrap();
    (b.build(), key)
}

enum Conn {
    Plain(TcpStream),
    Tls(Box<SslStream<TcpStream>>),
    Gone,
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
            Conn::Gone => Ok(0),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
            Conn::Gone => Err(std::io::ErrorKind::BrokenPipe.into()),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
            Conn::Gone => Ok(()),
        }
    }
}

/// One line without its CRLF, or None at the end of the stream.
fn read_line(conn: &mut Conn) -> std::io::Result<Option<String>> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        if conn.read(&mut byte)? == 0 {
            return Ok(None);
        }
        if byte[0] == b'\n' {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(Some(String::from_utf8_lossy(&line).into_owned()));
        }
        line.push(byte[0]);
    }
}

fn upgrade(conn: Conn, acceptor: &SslAcceptor) -> std::io::Result<Conn> {
    match conn {
        Conn::Plain(tcp) => acceptor
            .accept(tcp)
            .map(|s| Conn::Tls(Box::new(s)))
            .map_err(|e| std::io::Error::other(e.to_string())),
        other => Ok(other),
    }
}

fn serve(stream: TcpStream, setup: &Setup, seen: &Mutex<Seen>) -> std::io::Result<()> {
    let mut conn = Conn::Plain(stream);
    if setup.mode == TlsMode::Implicit {
        conn = upgrade(conn, &setup.acceptor)?;
    }
    conn.write_all(b"220 sesame-tls-smtp ESMTP ready\r\n")?;
    let mut authed = false;
    let mut mail_from: Option<String> = None;
    let mut rcpt_to: Vec<String> = Vec::new();
    while let Some(line) = read_line(&mut conn)? {
        let (verb, arg) = match line.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.trim().to_string()),
            None => (line.to_ascii_uppercase(), String::new()),
        };
        let tls = matches!(conn, Conn::Tls(_));
        let refuse = |what: &str| seen.lock().unwrap().refused.push(what.to_string());
        match verb.as_str() {
            "EHLO" => {
                let ext = if tls {
                    "250 AUTH PLAIN"
                } else {
                    "250 STARTTLS"
                };
                conn.write_all(format!("250-sesame-tls-smtp\r\n{ext}\r\n").as_bytes())?;
            }
            "STARTTLS" if !tls => {
                conn.write_all(b"220 2.0.0 ready to start TLS\r\n")?;
                conn = upgrade(std::mem::replace(&mut conn, Conn::Gone), &setup.acceptor)?;
                authed = false;
            }
            "AUTH" if !tls => {
                refuse("AUTH before TLS");
                conn.write_all(b"538 5.7.11 encryption required\r\n")?;
            }
            "AUTH" => {
                let mut parts = arg.splitn(2, ' ');
                let mech = parts.next().unwrap_or("").to_ascii_uppercase();
                let mut payload = parts.next().unwrap_or("").to_string();
                if mech != "PLAIN" {
                    conn.write_all(b"504 5.5.4 mechanism not supported\r\n")?;
                    continue;
                }
                if payload.is_empty() {
                    conn.write_all(b"334 \r\n")?;
                    payload = read_line(&mut conn)?.unwrap_or_default();
                }
                let decoded = STANDARD.decode(payload.trim()).unwrap_or_default();
                let fields: Vec<String> = decoded
                    .split(|b| *b == 0)
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect();
                let (user, pass) = match fields.as_slice() {
                    [_, u, p] => (u.clone(), p.clone()),
                    _ => (String::new(), String::new()),
                };
                seen.lock().unwrap().logins.push(format!("{user}:{pass}"));
                if user == setup.user && pass == setup.password {
                    authed = true;
                    conn.write_all(b"235 2.7.0 authentication successful\r\n")?;
                } else {
                    conn.write_all(b"535 5.7.8 authentication credentials invalid\r\n")?;
                }
            }
            "MAIL" | "RCPT" | "DATA" if !tls || !authed => {
                refuse(&format!("{verb} without TLS and AUTH"));
                conn.write_all(b"530 5.7.0 authentication required\r\n")?;
            }
            "MAIL" => {
                mail_from = Some(address(&arg));
                rcpt_to.clear();
                conn.write_all(b"250 2.1.0 OK\r\n")?;
            }
            "RCPT" => {
                rcpt_to.push(address(&arg));
                conn.write_all(b"250 2.1.5 OK\r\n")?;
            }
            "DATA" => {
                conn.write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")?;
                let mut raw = String::new();
                while let Some(l) = read_line(&mut conn)? {
                    if l == "." {
                        break;
                    }
                    raw.push_str(l.strip_prefix('.').unwrap_or(&l));
                    raw.push_str("\r\n");
                }
                let mail = parse_mail(
                    mail_from.take().unwrap_or_default(),
                    std::mem::take(&mut rcpt_to),
                    raw,
                );
                seen.lock().unwrap().messages.push(mail);
                conn.write_all(b"250 2.0.0 OK queued\r\n")?;
            }
            "RSET" | "NOOP" => conn.write_all(b"250 2.0.0 OK\r\n")?,
            "QUIT" => {
                conn.write_all(b"221 2.0.0 bye\r\n")?;
                return Ok(());
            }
            _ => conn.write_all(b"502 5.5.1 command not implemented\r\n")?,
        }
    }
    Ok(())
}

/// The address in `FROM:<a>` / `TO:<a>`.
fn address(arg: &str) -> String {
    let start = arg.find('<').map(|i| i + 1).unwrap_or(0);
    let end = arg[start..]
        .find('>')
        .map(|i| i + start)
        .unwrap_or(arg.len());
    arg[start..end].to_string()
}
