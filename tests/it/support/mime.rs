//! Just enough MIME for the tests: headers, the text/plain part, quoted-printable, base64
//! and RFC 2047 encoded words, to read the codes and links out of real messages.

use super::smtp::ReceivedMail;

/// Extracts the first run of exactly 6 digits from the subject.
pub fn code_from(mail: &ReceivedMail) -> String {
    let mut run = String::new();
    for c in mail.subject.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            if run.len() == 6 {
                return run;
            }
            run.clear();
        }
    }
    panic!("no 6-digit code in subject {:?}", mail.subject)
}

pub fn parse_mail(mail_from: String, rcpt_to: Vec<String>, raw: String) -> ReceivedMail {
    let (headers, body) = split_headers(&raw);
    let subject = header(&headers, "subject")
        .map(|s| decode_encoded_words(&s))
        .unwrap_or_default();
    let text_body = find_text_plain(&headers, body)
        .unwrap_or_default()
        .replace("\r\n", "\n");
    ReceivedMail {
        mail_from,
        rcpt_to,
        raw,
        subject,
        text_body,
    }
}

/// Splits an entity into unfolded headers and body.
fn split_headers(entity: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = match entity.find("\r\n\r\n") {
        Some(i) => (&entity[..i], &entity[i + 4..]),
        None => match entity.find("\n\n") {
            Some(i) => (&entity[..i], &entity[i + 2..]),
            None => (entity, ""),
        },
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    (headers, body)
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// Returns (lower-cased mime type, parameter value of `param`).
fn content_type(headers: &[(String, String)]) -> (String, Vec<(String, String)>) {
    let value = header(headers, "content-type").unwrap_or_else(|| "text/plain".to_owned());
    let mut parts = value.split(';');
    let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let params = parts
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches('"').to_owned(),
            )
        })
        .collect();
    (mime, params)
}

fn find_text_plain(headers: &[(String, String)], body: &str) -> Option<String> {
    let (mime, params) = content_type(headers);
    if mime.starts_with("multipart/") {
        let boundary = params.iter().find(|(k, _)| k == "boundary")?.1.clone();
        let delimiter = format!("--{boundary}");
        for chunk in body.split(delimiter.as_str()).skip(1) {
            if chunk.starts_with("--") {
                break; // closing delimiter
            }
            let chunk = chunk
                .strip_prefix("\r\n")
                .or_else(|| chunk.strip_prefix('\n'))
                .unwrap_or(chunk);
            let chunk = chunk
                .strip_suffix("\r\n")
                .or_else(|| chunk.strip_suffix('\n'))
                .unwrap_or(chunk);
            let (part_headers, part_body) = split_headers(chunk);
            if let Some(text) = find_text_plain(&part_headers, part_body) {
                return Some(text);
            }
        }
        None
    } else if mime == "text/plain" {
        let encoding = header(headers, "content-transfer-encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let bytes = match encoding.trim() {
            "quoted-printable" => decode_quoted_printable(body),
            "base64" => decode_base64(body),
            _ => body.as_bytes().to_vec(),
        };
        Some(String::from_utf8_lossy(&bytes).into_owned())
    } else {
        None
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// RFC 2045 quoted-printable (soft line breaks, =XX escapes).
pub fn decode_quoted_printable(input: &str) -> Vec<u8> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') {
                i += 3;
                continue;
            }
            if bytes.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex_value),
                bytes.get(i + 2).copied().and_then(hex_value),
            ) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Standard base64, ignoring whitespace and stopping at padding.
pub fn decode_base64(input: &str) -> Vec<u8> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some((c - b'A') as u32),
            b'a'..=b'z' => Some((c - b'a') as u32 + 26),
            b'0'..=b'9' => Some((c - b'0') as u32 + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        }
    }
    let mut out = Vec::new();
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in input.as_bytes() {
        if c == b'=' {
            break;
        }
        let Some(v) = value(c) else { continue };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=` / `=?utf-8?q?...?=`).
fn decode_encoded_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        let after = &rest[start + 2..];
        // charset ? encoding ? text ?=
        let decoded = (|| {
            let q1 = after.find('?')?;
            let enc = after.get(q1 + 1..q1 + 2)?;
            if after.get(q1 + 2..q1 + 3)? != "?" {
                return None;
            }
            let text_start = q1 + 3;
            let end = after[text_start..].find("?=")? + text_start;
            let text = &after[text_start..end];
            let bytes = match enc {
                "b" | "B" => decode_base64(text),
                "q" | "Q" => decode_quoted_printable(&text.replace('_', " ")),
                _ => return None,
            };
            Some((String::from_utf8_lossy(&bytes).into_owned(), end + 2))
        })();
        match decoded {
            Some((text, consumed)) => {
                // Whitespace between adjacent encoded words is dropped.
                if !(last_was_word && before.trim().is_empty()) {
                    out.push_str(before);
                }
                out.push_str(&text);
                rest = &after[consumed..];
                last_was_word = true;
            }
            None => {
                out.push_str(before);
                out.push_str("=?");
                rest = after;
                last_was_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoders() {
        assert_eq!(
            decode_quoted_printable("caf=C3=A9 =\r\nsoft"),
            "café soft".as_bytes()
        );
        assert_eq!(decode_base64("aGVsbG8g\r\nd29ybGQ="), b"hello world");
        assert_eq!(decode_encoded_words("=?utf-8?b?Y2Fmw6k=?= ok"), "café ok");
        assert_eq!(
            decode_encoded_words("=?UTF-8?Q?caf=C3=A9_x?= =?utf-8?q?y?="),
            "café xy"
        );
        assert_eq!(decode_encoded_words("plain = ? text"), "plain = ? text");
    }
}
