use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::Error;

/// A JSON value kept as its text, parsed only when asked.
///
/// Deltas carry arbitrary JSON values. Building a `serde_json::Value` tree for each of
/// them would cost time on every delta and tens of kilobytes of code in every plugin;
/// keeping the text costs neither. Parse into your own type with [`RawJson::parse`].
///
/// ```
/// use signalk_plugin::RawJson;
/// let speed = RawJson::from(3.5);
/// assert_eq!(speed.as_str(), "3.5");
/// assert_eq!(speed.parse::<f64>().unwrap(), 3.5);
/// assert_eq!(RawJson::from("say \"hi\"").as_str(), r#""say \"hi\"""#);
/// ```
///
/// Equality compares the text, which is exact for values the SDK produced and for the
/// compact JSON the server sends; comparing with a [`serde_json::Value`], a number, a
/// string or a bool parses first.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// Serializes any value.
    ///
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct Position { latitude: f64, longitude: f64 }
    /// let raw = signalk_plugin::RawJson::serialize(&Position { latitude: 1.0, longitude: 2.0 }).unwrap();
    /// assert_eq!(raw.as_str(), r#"{"latitude":1.0,"longitude":2.0}"#);
    /// ```
    ///
    /// # Errors
    /// [`Error::Json`] if `value` cannot be represented as JSON (a map with non-string keys).
    pub fn serialize<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        Ok(Self(serde_json::value::to_raw_value(value)?))
    }

    /// Takes JSON text as is, after checking that it is one valid JSON value.
    ///
    /// ```
    /// assert!(signalk_plugin::RawJson::from_text("[1,2]".into()).is_ok());
    /// assert!(signalk_plugin::RawJson::from_text("[1,".into()).is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::Json`] if the text is not valid JSON.
    pub fn from_text(text: String) -> Result<Self, Error> {
        Ok(Self(RawValue::from_string(text)?))
    }

    /// The JSON text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// Parses the value into `T`.
    ///
    /// # Errors
    /// [`Error::Json`] if the value does not match `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Error> {
        Ok(serde_json::from_str(self.0.get())?)
    }

    /// Whether the value is JSON `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        self.0.get() == "null"
    }

    fn of<T: Serialize + ?Sized>(value: &T) -> Self {
        // Serializing a number, bool, string or Value into JSON text cannot fail.
        Self::serialize(value).unwrap_or_else(|_| Self::null())
    }

    fn null() -> Self {
        Self(RawValue::NULL.to_owned())
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<serde_json::Value> for RawJson {
    fn eq(&self, other: &serde_json::Value) -> bool {
        self.parse::<serde_json::Value>().is_ok_and(|v| v == *other)
    }
}

impl PartialEq<serde_json::Value> for &RawJson {
    fn eq(&self, other: &serde_json::Value) -> bool {
        **self == *other
    }
}

macro_rules! raw_json_scalars {
    ($($ty:ty),*) => {$(
        impl From<$ty> for RawJson {
            fn from(value: $ty) -> Self {
                Self::of(&value)
            }
        }

        impl PartialEq<$ty> for RawJson {
            fn eq(&self, other: &$ty) -> bool {
                *self == serde_json::json!(*other)
            }
        }

        impl PartialEq<$ty> for &RawJson {
            fn eq(&self, other: &$ty) -> bool {
                **self == serde_json::json!(*other)
            }
        }
    )*};
}

raw_json_scalars!(f64, f32, i64, i32, u64, u32, bool, &str);

impl From<String> for RawJson {
    fn from(value: String) -> Self {
        Self::of(&value)
    }
}

impl From<&String> for RawJson {
    fn from(value: &String) -> Self {
        Self::of(value)
    }
}

impl From<serde_json::Value> for RawJson {
    fn from(value: serde_json::Value) -> Self {
        Self::of(&value)
    }
}

impl From<&serde_json::Value> for RawJson {
    fn from(value: &serde_json::Value) -> Self {
        Self::of(value)
    }
}

impl<T: Serialize> From<Option<T>> for RawJson {
    fn from(value: Option<T>) -> Self {
        Self::of(&value)
    }
}

impl Default for RawJson {
    /// JSON `null`.
    fn default() -> Self {
        Self::null()
    }
}
