use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
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
///
/// # NaN and infinity
///
/// JSON has no NaN or infinity; serde_json writes them as `null`, which in Signal K means
/// "no value". A `RawJson` made from a non-finite number (directly, or anywhere inside a
/// value given to [`RawJson::serialize`]) reads as `null` but remembers the number, so
/// [`emit`](crate::emit) refuses to send it with [`Error::NonFinite`]:
///
/// ```
/// use signalk_plugin::RawJson;
/// let bad = RawJson::from(f64::INFINITY);
/// assert!(bad.is_null());
/// assert!(signalk_plugin::emit_value("navigation.speedOverGround", bad).is_err());
/// ```
#[derive(Clone)]
pub struct RawJson(Repr);

// Two words, like the `Box<RawValue>` it wraps: received values cost no more memory.
const _: () = assert!(std::mem::size_of::<RawJson>() == 2 * std::mem::size_of::<usize>());

#[derive(Clone)]
enum Repr {
    /// Valid JSON text.
    Text(Box<RawValue>),
    /// A value that held a NaN or an infinity: `null` as text, refused by `emit`.
    /// Boxed (it is rare) so a `RawJson` stays two words, as a `Box<RawValue>` is.
    NonFinite(Box<NonFinite>),
}

#[derive(Clone, Copy)]
struct NonFinite {
    value: f64,
    /// The struct member that held it, when there was one.
    member: Option<&'static str>,
}

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
    ///
    /// A NaN or infinity anywhere inside `value` does not fail here: the result reads as
    /// `null`, and [`emit`](crate::emit) refuses it (see [NaN and infinity](#nan-and-infinity)).
    pub fn serialize<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        if let Some((value, member)) = finite::first_non_finite(value) {
            return Ok(Self(Repr::NonFinite(Box::new(NonFinite { value, member }))));
        }
        Ok(Self(Repr::Text(serde_json::value::to_raw_value(value)?)))
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
        Ok(Self(Repr::Text(RawValue::from_string(text)?)))
    }

    /// The JSON text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Text(raw) => raw.get(),
            Repr::NonFinite(_) => "null",
        }
    }

    /// Parses the value into `T`, which may borrow from it (`&str`, `&RawValue`, a
    /// struct of those): reading a text needs no copy.
    ///
    /// ```
    /// let state = signalk_plugin::RawJson::from("moored");
    /// assert_eq!(state.parse::<&str>().unwrap(), "moored");
    /// assert_eq!(state.parse::<String>().unwrap(), "moored");
    /// // A borrowed text cannot hold escapes; `String` or `Cow<str>` can.
    /// assert!(signalk_plugin::RawJson::from("a\"b").parse::<&str>().is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::Json`] if the value does not match `T`.
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> Result<T, Error> {
        Ok(crate::objects::from_str(self.as_str())?)
    }

    /// Whether the value is JSON `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        self.as_str() == "null"
    }

    /// The NaN or infinity this value was made from (`NaN`, `inf` or `-inf`), and the
    /// struct member that held it.
    pub(crate) fn non_finite(&self) -> Option<(&'static str, Option<&'static str>)> {
        match &self.0 {
            Repr::Text(_) => None,
            Repr::NonFinite(n) => Some((non_finite_name(n.value), n.member)),
        }
    }

    /// Whether `value` holds a NaN or an infinity anywhere (one pass, no allocation).
    pub(crate) fn has_non_finite<T: Serialize + ?Sized>(value: &T) -> bool {
        finite::first_non_finite(value).is_some()
    }

    /// The first NaN or infinity in `value` (`NaN`, `inf` or `-inf`) and the struct
    /// member that held it, as [`Error::NonFinite`] reports them.
    pub(crate) fn non_finite_in<T: Serialize + ?Sized>(
        value: &T,
    ) -> Option<(&'static str, Option<&'static str>)> {
        finite::first_non_finite(value).map(|(v, member)| (non_finite_name(v), member))
    }

    fn of<T: Serialize + ?Sized>(value: &T) -> Self {
        // Serializing a number, bool, string or Value into JSON text cannot fail.
        Self::serialize(value).unwrap_or_else(|_| Self::null())
    }

    fn null() -> Self {
        Self(Repr::Text(RawValue::NULL.to_owned()))
    }
}

/// `NaN`, `inf` or `-inf`, as Rust writes them, without the float formatting code.
fn non_finite_name(value: f64) -> &'static str {
    if value.is_nan() {
        "NaN"
    } else if value > 0.0 {
        "inf"
    } else {
        "-inf"
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Text(raw) => raw.serialize(serializer),
            // serde_json writes `null`; the finite check in `serialize` finds it when a
            // RawJson is nested in another value.
            Repr::NonFinite(n) => serializer.serialize_f64(n.value),
        }
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(|raw| Self(Repr::Text(raw)))
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Text(raw) => f.write_str(raw.get()),
            Repr::NonFinite(n) => write!(f, "null ({})", non_finite_name(n.value)),
        }
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

/// Finding a NaN or infinity in a value about to be serialized: a serializer that writes
/// nothing and stops at the first non-finite float. One pass over the value, no
/// allocation; the value is then serialized for real only if it is clean.
mod finite {
    use std::fmt;

    use serde::ser::{self, Serialize};

    /// The first non-finite number in `value`, with the struct member that held it.
    pub(super) fn first_non_finite<T: Serialize + ?Sized>(
        value: &T,
    ) -> Option<(f64, Option<&'static str>)> {
        match value.serialize(Check { member: None }) {
            Err(Stop::NonFinite(value, member)) => Some((value, member)),
            // Anything else (a custom error of the value's own Serialize) is for the
            // real serialization to report.
            Ok(()) | Err(Stop::Other) => None,
        }
    }

    #[derive(Clone, Copy)]
    struct Check {
        member: Option<&'static str>,
    }

    #[derive(Debug)]
    enum Stop {
        NonFinite(f64, Option<&'static str>),
        Other,
    }

    impl fmt::Display for Stop {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("non-finite number")
        }
    }

    impl std::error::Error for Stop {}

    impl ser::Error for Stop {
        fn custom<T: fmt::Display>(_: T) -> Self {
            Self::Other
        }
    }

    type R = Result<(), Stop>;

    impl ser::Serializer for Check {
        type Ok = ();
        type Error = Stop;
        type SerializeSeq = Self;
        type SerializeTuple = Self;
        type SerializeTupleStruct = Self;
        type SerializeTupleVariant = Self;
        type SerializeMap = Self;
        type SerializeStruct = Self;
        type SerializeStructVariant = Self;

        fn serialize_f64(self, v: f64) -> R {
            if v.is_finite() {
                Ok(())
            } else {
                Err(Stop::NonFinite(v, self.member))
            }
        }
        fn serialize_f32(self, v: f32) -> R {
            self.serialize_f64(v.into())
        }
        fn serialize_bool(self, _: bool) -> R {
            Ok(())
        }
        fn serialize_i8(self, _: i8) -> R {
            Ok(())
        }
        fn serialize_i16(self, _: i16) -> R {
            Ok(())
        }
        fn serialize_i32(self, _: i32) -> R {
            Ok(())
        }
        fn serialize_i64(self, _: i64) -> R {
            Ok(())
        }
        fn serialize_u8(self, _: u8) -> R {
            Ok(())
        }
        fn serialize_u16(self, _: u16) -> R {
            Ok(())
        }
        fn serialize_u32(self, _: u32) -> R {
            Ok(())
        }
        fn serialize_u64(self, _: u64) -> R {
            Ok(())
        }
        fn serialize_char(self, _: char) -> R {
            Ok(())
        }
        fn serialize_str(self, _: &str) -> R {
            Ok(())
        }
        fn serialize_bytes(self, _: &[u8]) -> R {
            Ok(())
        }
        fn serialize_none(self) -> R {
            Ok(())
        }
        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> R {
            value.serialize(self)
        }
        fn serialize_unit(self) -> R {
            Ok(())
        }
        fn serialize_unit_struct(self, _: &'static str) -> R {
            Ok(())
        }
        fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> R {
            Ok(())
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> R {
            value.serialize(self)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            value: &T,
        ) -> R {
            value.serialize(self)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self, Stop> {
            Ok(self)
        }
        fn serialize_tuple(self, _: usize) -> Result<Self, Stop> {
            Ok(self)
        }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
            Ok(self)
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self, Stop> {
            Ok(self)
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self, Stop> {
            Ok(self)
        }
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
            Ok(self)
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self, Stop> {
            Ok(self)
        }
        fn collect_str<T: fmt::Display + ?Sized>(self, _: &T) -> R {
            Ok(())
        }
    }

    impl ser::SerializeSeq for Check {
        type Ok = ();
        type Error = Stop;
        fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
            value.serialize(*self)
        }
        fn end(self) -> R {
            Ok(())
        }
    }

    impl ser::SerializeTuple for Check {
        type Ok = ();
        type Error = Stop;
        fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
            value.serialize(*self)
        }
        fn end(self) -> R {
            Ok(())
        }
    }

    impl ser::SerializeTupleStruct for Check {
        type Ok = ();
        type Error = Stop;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
            value.serialize(*self)
        }
        fn end(self) -> R {
            Ok(())
        }
    }

    impl ser::SerializeTupleVariant for Check {
        type Ok = ();
        type Error = Stop;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
            value.serialize(*self)
        }
        fn end(self) -> R {
            Ok(())
        }
    }

    impl ser::SerializeMap for Check {
        type Ok = ();
        type Error = Stop;
        fn serialize_key<T: Serialize + ?Sized>(&mut self, _: &T) -> R {
            Ok(())
        }
        fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
            value.serialize(*self)
        }
        fn end(self) -> R {
            Ok(())
        }
    }

    impl ser::SerializeStruct for Check {
        type Ok = ();
        type Error = Stop;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> R {
            value.serialize(Check { member: Some(key) })
        }
        fn end(self) -> R {
            Ok(())
        }
    }

    impl ser::SerializeStructVariant for Check {
        type Ok = ();
        type Error = Stop;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> R {
            value.serialize(Check { member: Some(key) })
        }
        fn end(self) -> R {
            Ok(())
        }
    }
}
