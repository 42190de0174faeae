//! Reading one member of a JSON object without building a map of the rest (the HTTP
//! request's `params`, `query` and `headers`).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};

/// Finds one member of the JSON object `object` without building a map of the rest;
/// `None` if it is missing or not a `T`.
pub(crate) fn lookup<T: DeserializeOwned>(object: &str, key: &str) -> Option<T> {
    struct Find<'k, T>(&'k str, std::marker::PhantomData<T>);
    impl<'de, T: DeserializeOwned> Visitor<'de> for Find<'_, T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
            let mut found = None;
            while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if found.is_none() && k == self.0 {
                    found = map.next_value::<T>().ok();
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Find<'_, T> {
        type Value = Option<T>;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
            d.deserialize_map(self)
        }
    }
    let mut de = serde_json::Deserializer::from_str(object);
    Find(key, std::marker::PhantomData)
        .deserialize(&mut de)
        .ok()
        .flatten()
}

/// A string, or the first string of an array.
pub(crate) struct OneOrMany(pub(crate) Option<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(Some(v.to_owned())))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let first = seq.next_element::<String>()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(OneOrMany(first))
            }
        }
        d.deserialize_any(V)
    }
}
