//! Enums stored as text columns. A row's text is decoded into the enum when the row is
//! read, so the code above the store never compares status or channel strings; a value
//! the enum does not know is a decoding error, not a silent default.

use sqlx::error::BoxDynError;

/// An enum written as one of a fixed set of words.
pub trait TextEnum: Sized {
    /// What the column holds for this value.
    fn as_text(&self) -> &'static str;
    /// The value a column's text names, if any.
    fn from_text(s: &str) -> Option<Self>;
}

/// Decodes a text column into `T`, failing loudly on an unknown word.
pub fn decode_text<T: TextEnum>(s: &str) -> Result<T, BoxDynError> {
    T::from_text(s).ok_or_else(|| {
        format!(
            "unknown value {s:?} for {}",
            std::any::type_name::<T>()
                .rsplit("::")
                .next()
                .unwrap_or("an enum")
        )
        .into()
    })
}

/// Implements sqlx's `Type` and `Decode` for a [`TextEnum`], on every backend, through
/// `String`. Values are written with `.bind(value.as_text())`.
#[macro_export]
macro_rules! text_column {
    ($t:ty) => {
        impl<DB: sqlx::Database> sqlx::Type<DB> for $t
        where
            String: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $t
        where
            String: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let s = <String as sqlx::Decode<'r, DB>>::decode(value)?;
                $crate::store::text_enum::decode_text(&s)
            }
        }
    };
}

impl TextEnum for crate::channel::Channel {
    fn as_text(&self) -> &'static str {
        self.as_str()
    }
    fn from_text(s: &str) -> Option<Self> {
        crate::channel::Channel::parse(s)
    }
}

crate::text_column!(crate::channel::Channel);

impl TextEnum for crate::jose::SigningAlg {
    fn as_text(&self) -> &'static str {
        self.as_str()
    }
    fn from_text(s: &str) -> Option<Self> {
        crate::jose::SigningAlg::parse(s)
    }
}

crate::text_column!(crate::jose::SigningAlg);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::Channel;

    #[test]
    fn an_unknown_word_is_a_decoding_error_naming_the_type() {
        assert_eq!(decode_text::<Channel>("sms").ok(), Some(Channel::Sms));
        let e = decode_text::<Channel>("fax").err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("unknown value \"fax\" for Channel"));
    }
}
