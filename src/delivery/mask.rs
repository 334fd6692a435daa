//! Masking an email address for logs and pages.

use super::one_line;

/// Masks an email address for logs and pages: `alice@example.com` ->
/// `a***@example.com`. Local parts of one character are fully masked; a value
/// without `@` becomes `***`.
pub fn mask_email(addr: &str) -> String {
    let addr = addr.trim();
    match addr.rsplit_once('@') {
        None => "***".to_owned(),
        Some((local, domain)) => {
            let mut chars = local.chars();
            match (chars.next(), chars.next()) {
                (Some(first), Some(_)) if !first.is_control() => {
                    format!("{first}***@{}", one_line(domain))
                }
                _ => format!("***@{}", one_line(domain)),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Rendering
