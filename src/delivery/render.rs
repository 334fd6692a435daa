//! Rendering a code message: subject, plain text and HTML bodies (askama templates).

use askama::Template;

use super::{one_line, CodeMessage, DeliveryError};

#[derive(Template)]
#[template(path = "email_code.txt", escape = "none")]
pub(super) struct CodeText<'a> {
    code: &'a str,
    product_name: &'a str,
    client_name: &'a str,
    issuer_host: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "email_code.html")]
pub(super) struct CodeHtml<'a> {
    code: &'a str,
    product_name: &'a str,
    client_name: &'a str,
    issuer_host: &'a str,
    expires: &'a str,
}

/// Renders the subject: `{code}` and `{product}` are replaced, then control
/// characters (CR/LF in particular) are removed so nothing can be smuggled
/// into the header block.
pub(super) fn render_subject(template: &str, code: &str, product: &str) -> String {
    let s = template
        .replace("{code}", code)
        .replace("{product}", product);
    let s = one_line(&s);
    s.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn expires_text(minutes: i64) -> String {
    if minutes <= 1 {
        "1 minute".to_owned()
    } else {
        format!("{minutes} minutes")
    }
}

/// Renders (text, html) bodies.
pub(super) fn render_bodies(msg: &CodeMessage<'_>) -> Result<(String, String), DeliveryError> {
    let code = one_line(msg.code);
    let product_name = one_line(msg.product_name);
    let client_name = one_line(msg.client_name);
    let issuer_host = one_line(msg.issuer_host);
    let expires = expires_text(msg.expires_minutes);
    let text = CodeText {
        code: &code,
        product_name: &product_name,
        client_name: &client_name,
        issuer_host: &issuer_host,
        expires: &expires,
    }
    .render()
    .map_err(|e| DeliveryError::Send(format!("could not render the message: {e}")))?;
    let html = CodeHtml {
        code: &code,
        product_name: &product_name,
        client_name: &client_name,
        issuer_host: &issuer_host,
        expires: &expires,
    }
    .render()
    .map_err(|e| DeliveryError::Send(format!("could not render the message: {e}")))?;
    Ok((text, html))
}
