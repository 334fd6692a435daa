//! A one-shot message carried in the session across a 303 redirect (post/redirect/get),
//! so that reloading the page never submits the form again.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::error::PageError;
use crate::i18n::Msg;

const KEY: &str = "flash";

/// A notice or error for the next page of one sign-in.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    pub tx: String,
    pub notice: Option<Msg>,
    pub error: Option<Msg>,
}

pub async fn set(session: &Session, flash: &Flash) -> Result<(), PageError> {
    session.insert(KEY, flash).await?;
    Ok(())
}

/// Takes the message for sign-in `tx`, if there is one (a message for another sign-in
/// stays).
pub async fn take(session: &Session, tx: &str) -> Result<Option<Flash>, PageError> {
    let Some(value) = session.get_value(KEY).await? else {
        return Ok(None);
    };
    // A note written by an older version (plain English text) is dropped, not an error.
    let Ok(f) = serde_json::from_value::<Flash>(value) else {
        session.remove_value(KEY).await?;
        return Ok(None);
    };
    if f.tx != tx {
        return Ok(None);
    }
    session.remove::<Flash>(KEY).await?;
    Ok(Some(f))
}
