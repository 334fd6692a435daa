//! Rendering a code message: subject, plain text and HTML bodies (askama templates).

use askama::Template;

use super::{one_line, CodeMessage, DeliveryError};
use crate::i18n::Tr;

#[derive(Template)]
#[template(path = "email_code.txt", escape = "none")]
pub(super) struct CodeText<'a> {
    t: Tr<'a>,
    code: &'a str,
    link: Option<&'a str>,
    client_name: &'a str,
    issuer_host: &'a str,
    expires_minutes: i64,
}

#[derive(Template)]
#[template(path = "email_code.html")]
pub(super) struct CodeHtml<'a> {
    t: Tr<'a>,
    subject: &'a str,
    heading: &'a str,
    code: &'a str,
    link: Option<&'a str>,
    client_name: &'a str,
    issuer_host: &'a str,
    expires_minutes: i64,
}

/// The subject every deployment has until its operator writes another: it is then written
/// in the message's language instead.
pub const DEFAULT_SUBJECT: &str = "{code} is your {product} code";

/// The subject of a code message: the operator's template, or when it is the default, the
/// catalog's `email-subject` in the message's language.
pub(super) fn subject_for(template: &str, msg: &CodeMessage<'_>) -> String {
    if template == DEFAULT_SUBJECT {
        let s = msg.tr.t1("email-subject", "code", one_line(msg.code));
        render_subject(&s, msg.code, msg.product_name)
    } else {
        render_subject(template, msg.code, msg.product_name)
    }
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

/// Renders (text, html) bodies, in the message's language.
pub(super) fn render_bodies(msg: &CodeMessage<'_>) -> Result<(String, String), DeliveryError> {
    let code = one_line(msg.code);
    let client_name = one_line(msg.client_name);
    let issuer_host = one_line(msg.issuer_host);
    let expires_minutes = msg.expires_minutes.max(1);
    let link = msg.link.map(one_line);
    let text = CodeText {
        t: msg.tr,
        code: &code,
        link: link.as_deref(),
        client_name: &client_name,
        issuer_host: &issuer_host,
        expires_minutes,
    }
    .render()
    .map_err(|e| DeliveryError::Send(format!("could not render the message: {e}")))?;
    let subject = msg.tr.t1("email-subject", "code", code.as_str());
    let heading = msg.tr.t("email-heading");
    let html = CodeHtml {
        t: msg.tr,
        subject: &subject,
        heading: &heading,
        code: &code,
        link: link.as_deref(),
        client_name: &client_name,
        issuer_host: &issuer_host,
        expires_minutes,
    }
    .render()
    .map_err(|e| DeliveryError::Send(format!("could not render the message: {e}")))?;
    Ok((text, html))
}
