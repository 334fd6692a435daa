//! A sentence to show a person, named by its catalog key and carried until the page that
//! shows it knows the language (errors, flash notices, limits' refusals).

use serde::{Deserialize, Serialize};

/// A value given to a message: text, a number (plurals select on it), or another message
/// (formatted in the same language first, e.g. "2 minutes" inside a sentence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arg {
    Text(String),
    Number(i64),
    Msg(Box<Msg>),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(v.to_owned())
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(v)
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Number(v)
    }
}

impl From<i32> for Arg {
    fn from(v: i32) -> Arg {
        Arg::Number(i64::from(v))
    }
}

impl From<u32> for Arg {
    fn from(v: u32) -> Arg {
        Arg::Number(i64::from(v))
    }
}

/// Templates pass their values by reference, sometimes more than once.
impl<T: Clone + Into<Arg>> From<&T> for Arg {
    fn from(v: &T) -> Arg {
        v.clone().into()
    }
}

impl From<Msg> for Arg {
    fn from(v: Msg) -> Arg {
        Arg::Msg(Box::new(v))
    }
}

/// A message by key (and optionally one of its attributes), with its arguments; or a text
/// that is not translated (a value from elsewhere, shown as it is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Msg {
    Key {
        id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attr: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        args: Vec<(String, Arg)>,
    },
    Raw(String),
}

impl Msg {
    /// The message `id`.
    pub fn new(id: &str) -> Msg {
        Msg::Key {
            id: id.to_owned(),
            attr: None,
            args: Vec::new(),
        }
    }

    /// The attribute `attr` of the message `id`.
    pub fn attr(id: &str, attr: &str) -> Msg {
        Msg::Key {
            id: id.to_owned(),
            attr: Some(attr.to_owned()),
            args: Vec::new(),
        }
    }

    /// The same message with one more argument.
    pub fn arg(mut self, name: &str, value: impl Into<Arg>) -> Msg {
        if let Msg::Key { args, .. } = &mut self {
            args.push((name.to_owned(), value.into()));
        }
        self
    }

    /// How long to wait, in words: `90` seconds is "2 minutes", `7200` "2 hours".
    pub fn wait(seconds: i64) -> Msg {
        let minutes = (seconds.max(1) + 59) / 60;
        if minutes < 90 {
            Msg::new("wait-minutes").arg("n", minutes)
        } else {
            Msg::new("wait-hours").arg("n", (minutes + 59) / 60)
        }
    }

    /// The key, for tests and logs.
    pub fn id(&self) -> Option<&str> {
        match self {
            Msg::Key { id, .. } => Some(id),
            Msg::Raw(_) => None,
        }
    }
}

impl From<&str> for Msg {
    fn from(v: &str) -> Msg {
        Msg::Raw(v.to_owned())
    }
}

impl From<String> for Msg {
    fn from(v: String) -> Msg {
        Msg::Raw(v)
    }
}
