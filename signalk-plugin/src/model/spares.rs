//! Storage kept from the delta the plugin has finished with, for decoding the next one.
//!
//! A received [`Delta`] owns its texts (`context`, `$source`, `timestamp`, the source's
//! members, every `path`) and its lists, so decoding one allocates each of them, and
//! dropping it frees them again: most of what receiving a delta costs beyond the JSON
//! parsing itself. Deltas from one server look alike, so the delta just handed to
//! `on_delta` is kept whole, and the next one is decoded over it: each text is written
//! into the string that held the text at the same place (the context into the
//! context, the second value's path into the second value's path), each list into the
//! same list. The types, and what a plugin sees, are unchanged: nothing of the old
//! content shows through.
//!
//! Bounded: one delta is kept, the last one delivered; its lists are kept only up to
//! [`MAX_VEC_CAPACITY`] elements and its strings reused only up to
//! [`MAX_STRING_CAPACITY`] bytes (a larger one is freed when the next delta is decoded).

use std::cell::Cell;

use super::{Delta, Update};

/// Largest capacity of a string worth reusing, in bytes.
const MAX_STRING_CAPACITY: usize = 128;
/// Largest capacity of a list worth keeping, in elements.
const MAX_VEC_CAPACITY: usize = 64;

thread_local! {
    static SPARE: Cell<Option<Delta>> = const { Cell::new(None) };
}

/// The kept delta's storage to decode into, or an empty delta.
pub(super) fn take() -> Delta {
    SPARE.with(Cell::take).unwrap_or_default()
}

/// `text` in `spare`'s storage when it is small enough to keep, else in a new string.
pub(super) fn reuse(spare: Option<String>, text: &str) -> String {
    match spare {
        Some(mut string) if string.capacity() <= MAX_STRING_CAPACITY => {
            string.clear();
            string.push_str(text);
            string
        }
        _ => text.to_owned(),
    }
}

/// Drops a list grown beyond what is worth keeping, before it is decoded into.
pub(super) fn bound<T>(list: &mut Vec<T>) {
    if list.capacity() > MAX_VEC_CAPACITY {
        *list = Vec::new();
    }
}

/// Keeps the storage of a delta the plugin is done with, within the bounds.
pub(crate) fn recycle(mut delta: Delta) {
    if delta.updates.capacity() > MAX_VEC_CAPACITY {
        return;
    }
    for Update { values, meta, .. } in &mut delta.updates {
        bound(values);
        // Metadata is decoded into a list of its own and then converted, never into
        // this one: kept, it would only hold memory (and could exceed the bound).
        *meta = Vec::new();
    }
    SPARE.with(|spare| spare.set(Some(delta)));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kept delta's shape: updates, and the capacity of each update's values.
    fn kept() -> Option<(usize, Vec<usize>)> {
        let delta = SPARE.with(Cell::take)?;
        let shape = (
            delta.updates.capacity(),
            delta.updates.iter().map(|u| u.values.capacity()).collect(),
        );
        SPARE.with(|s| s.set(Some(delta)));
        Some(shape)
    }

    #[test]
    fn a_recycled_delta_is_decoded_again_the_same() {
        SPARE.with(Cell::take);
        let json = br#"{"context":"vessels.urn:mrn:imo:mmsi:230099999","updates":[{"source":{"label":"n2k","type":"NMEA2000","pgn":130306,"src":115},"$source":"n2k.115","timestamp":"2026-11-25T20:00:00.000Z","values":[{"path":"a.b","value":1},{"path":"c","value":{"x":[1,2]}}],"meta":[{"path":"a.b","value":{"units":"m"}}]}],"extra":1}"#;
        let (first, _) = Delta::decode_lenient(json).unwrap();
        let copy = first.clone();
        let path_storage = first.updates[0].values[1].path.as_ptr();
        recycle(first);
        assert!(kept().is_some());
        let (second, skipped) = Delta::decode_lenient(json).unwrap();
        assert!(kept().is_none(), "the kept delta was decoded into");
        assert!(skipped.is_empty());
        assert_eq!(second, copy);
        assert_eq!(
            serde_json::to_string(&second).unwrap(),
            serde_json::to_string(&copy).unwrap()
        );
        // The second value's path was written into the string that held it before.
        assert_eq!(second.updates[0].values[1].path.as_ptr(), path_storage);
        // A different delta into the same storage: nothing of the first shows through.
        recycle(second);
        let (third, _) =
            Delta::decode_lenient(br#"{"updates":[{"values":[{"path":"z","value":true}]}]}"#)
                .unwrap();
        assert_eq!(
            third,
            Delta::new().with_update(crate::Update::new().with_value("z", true))
        );
        // Fewer values, no source, no updates: each part left over is gone.
        recycle(third);
        let (fourth, _) = Delta::decode_lenient(
            br#"{"context":"vessels.a","updates":[{"source":{"label":"x"},"values":[]},{"timestamp":"t"}]}"#,
        )
        .unwrap();
        let mut expected = Delta::for_context("vessels.a")
            .with_update(crate::Update::new().with_source(crate::Source::labelled("x")));
        expected
            .updates
            .push(crate::Update::new().with_timestamp("t"));
        assert_eq!(fourth, expected);
        // A source of the wrong kind over a decoded one: skipped, and none shows through.
        recycle(fourth);
        let (fifth, skipped) =
            Delta::decode_lenient(br#"{"updates":[{"source":5,"values":"x"}]}"#).unwrap();
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert_eq!(fifth, Delta::new().with_update(crate::Update::new()));
        recycle(fifth);
        let (sixth, _) = Delta::decode_lenient(br#"{"context":"vessels.b"}"#).unwrap();
        assert_eq!(sixth, Delta::for_context("vessels.b"));
    }

    #[test]
    fn what_is_kept_is_bounded() {
        SPARE.with(Cell::take);
        let values: Vec<String> = (0..MAX_VEC_CAPACITY + 50)
            .map(|i| format!(r#"{{"path":"p{i}","value":{i}}}"#))
            .collect();
        let long = "x".repeat(MAX_STRING_CAPACITY + 1);
        let json = format!(
            r#"{{"updates":[{{"values":[{}]}},{{"values":[{{"path":"{long}","value":1}}]}}]}}"#,
            values.join(","),
        );
        let (delta, _) = Delta::decode_lenient(json.as_bytes()).unwrap();
        let long_storage = delta.updates[1].values[0].path.as_ptr();
        recycle(delta);
        // The long list of values is not kept; the short one is.
        let (updates, values) = kept().unwrap();
        assert!(updates <= MAX_VEC_CAPACITY);
        assert_eq!(values[0], 0);
        assert!(values[1] >= 1 && values[1] <= MAX_VEC_CAPACITY);
        // The long string is not reused: decoding over it allocates a new one.
        let (again, _) = Delta::decode_lenient(json.as_bytes()).unwrap();
        assert_ne!(again.updates[1].values[0].path.as_ptr(), long_storage);
        assert_eq!(again.updates[1].values[0].path, long);
        assert_eq!(again.updates[0].values.len(), MAX_VEC_CAPACITY + 50);
        // A long metadata list is not kept either (metadata is never decoded into it).
        let meta: Vec<String> = (0..MAX_VEC_CAPACITY + 50)
            .map(|i| format!(r#"{{"path":"p{i}","value":{{"units":"m"}}}}"#))
            .collect();
        let json = format!(r#"{{"updates":[{{"meta":[{}]}}]}}"#, meta.join(","));
        let (delta, _) = Delta::decode_lenient(json.as_bytes()).unwrap();
        assert_eq!(delta.updates[0].meta.len(), MAX_VEC_CAPACITY + 50);
        recycle(delta);
        let kept_meta = SPARE.with(|s| {
            let delta = s.take().expect("kept");
            let capacity = delta.updates[0].meta.capacity();
            s.set(Some(delta));
            capacity
        });
        assert_eq!(kept_meta, 0);
        let (again, _) = Delta::decode_lenient(json.as_bytes()).unwrap();
        assert_eq!(again.updates[0].meta.len(), MAX_VEC_CAPACITY + 50);
        // More updates than are worth keeping: nothing is kept.
        let many = format!(
            r#"{{"updates":[{}]}}"#,
            vec![r#"{"values":[]}"#; MAX_VEC_CAPACITY + 1].join(",")
        );
        let (many, _) = Delta::decode_lenient(many.as_bytes()).unwrap();
        recycle(many);
        assert!(kept().is_none());
    }
}
