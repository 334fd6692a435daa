//! A stand-in SMS provider: a real HTTP server on 127.0.0.1:0 that records every request
//! byte for byte and answers as told (success, an error body, or silence past a timeout).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Captured {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    /// Form fields in order (Twilio).
    pub fn form(&self) -> Vec<(String, String)> {
        serde_urlencoded::from_bytes(&self.body).unwrap()
    }

    pub fn form_field(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The JSON body (webhook).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// The text of the message, whichever provider carried it.
    pub fn sms_body(&self) -> String {
        match self.form_field("Body") {
            Some(b) if self.header("content-type").as_deref() != Some("application/json") => b,
            _ => self.json()["body"].as_str().unwrap().to_owned(),
        }
    }

    /// The recipient, whichever provider carried it.
    pub fn sms_to(&self) -> String {
        if self.header("content-type").as_deref() == Some("application/json") {
            self.json()["to"].as_str().unwrap().to_owned()
        } else {
            self.form_field("To").unwrap()
        }
    }

    /// The 6-digit code: the first word of the message.
    pub fn code(&self) -> String {
        let body = self.sms_body();
        let code: String = body.chars().take_while(|c| c.is_ascii_digit()).collect();
        assert_eq!(code.len(), 6, "the message starts with the code: {body:?}");
        code
    }
}

/// How the provider answers.
#[derive(Debug, Clone)]
pub enum Reply {
    /// This status and JSON body.
    Json(u16, serde_json::Value),
    /// No answer for this long (then 200).
    Hang(Duration),
}

#[derive(Clone)]
struct Shared {
    requests: Arc<Mutex<Vec<Captured>>>,
    reply: Arc<Mutex<Reply>>,
}

pub struct FakeProvider {
    pub base: String,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(
    State(s): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.requests.lock().unwrap().push(Captured {
        method,
        path: uri.path().to_owned(),
        headers,
        body: body.to_vec(),
    });
    let reply = s.reply.lock().unwrap().clone();
    match reply {
        Reply::Json(status, body) => (
            StatusCode::from_u16(status).unwrap(),
            [("content-type", "application/json")],
            body.to_string(),
        )
            .into_response(),
        Reply::Hang(d) => {
            tokio::time::sleep(d).await;
            StatusCode::OK.into_response()
        }
    }
}

impl FakeProvider {
    pub async fn start(reply: Reply) -> FakeProvider {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Shared {
            requests: Arc::default(),
            reply: Arc::new(Mutex::new(reply)),
        };
        let app = Router::new().fallback(record).with_state(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeProvider {
            base: format!("http://127.0.0.1:{port}"),
            shared,
            task,
        }
    }

    /// A provider that accepts everything (Twilio's 201 shape).
    pub async fn accepting() -> FakeProvider {
        Self::start(Reply::Json(
            201,
            serde_json::json!({"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"}),
        ))
        .await
    }

    pub fn set_reply(&self, reply: Reply) {
        *self.shared.reply.lock().unwrap() = reply;
    }

    pub fn requests(&self) -> Vec<Captured> {
        self.shared.requests.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.shared.requests.lock().unwrap().len()
    }

    pub fn last(&self) -> Captured {
        self.requests().pop().expect("the provider got a request")
    }
}
