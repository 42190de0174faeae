//! Storage kept from deltas the plugin has finished with, for decoding the next ones.
//!
//! A received [`Delta`] owns its texts (`context`, `$source`, `timestamp`, the source's
//! members, every `path`) and its lists, so decoding one allocates each of them, and
//! dropping it frees them again: most of what receiving a delta costs beyond the JSON
//! parsing itself. Deltas from one server look alike, so the strings and vectors of
//! the delta just handed to `on_delta` are kept here, emptied, and the next decode
//! writes into them instead of allocating. The types, and what a plugin sees, are
//! unchanged.
//!
//! Bounded: at most [`MAX_STRINGS`] strings of at most [`MAX_STRING_CAPACITY`] bytes
//! and [`MAX_VECS`] vectors of each kind of at most [`MAX_VEC_CAPACITY`] elements are
//! kept (about 40 KiB on wasm32 at worst); anything beyond is freed as before.

use std::cell::RefCell;

use super::{Delta, PathValue, Source, Update};

/// Most spare strings kept.
const MAX_STRINGS: usize = 128;
/// Largest capacity of a string worth keeping, in bytes.
const MAX_STRING_CAPACITY: usize = 128;
/// Most spare vectors kept, of each kind.
const MAX_VECS: usize = 8;
/// Largest capacity of a vector worth keeping, in elements.
const MAX_VEC_CAPACITY: usize = 64;

#[derive(Default)]
struct Spares {
    strings: Vec<String>,
    values: Vec<Vec<PathValue>>,
    updates: Vec<Vec<Update>>,
}

thread_local! {
    static SPARES: RefCell<Spares> = RefCell::new(Spares::default());
}

/// `text` in a spare string if there is one, else in a new one.
pub(super) fn string(text: &str) -> String {
    let spare = SPARES.with(|s| s.borrow_mut().strings.pop());
    match spare {
        Some(mut string) => {
            string.clear();
            string.push_str(text);
            string
        }
        None => text.to_owned(),
    }
}

/// An empty vector for an update's values, spare if there is one.
pub(super) fn values() -> Vec<PathValue> {
    SPARES
        .with(|s| s.borrow_mut().values.pop())
        .unwrap_or_default()
}

/// An empty vector for a delta's updates, spare if there is one.
pub(super) fn updates() -> Vec<Update> {
    SPARES
        .with(|s| s.borrow_mut().updates.pop())
        .unwrap_or_default()
}

/// Keeps the storage of a delta the plugin is done with, within the bounds.
pub(crate) fn recycle(delta: Delta) {
    SPARES.with(|s| {
        let Ok(mut spares) = s.try_borrow_mut() else {
            return;
        };
        let spares = &mut *spares;
        let mut keep = |text: Option<String>| {
            if let Some(text) = text
                && spares.strings.len() < MAX_STRINGS
                && text.capacity() <= MAX_STRING_CAPACITY
            {
                spares.strings.push(text);
            }
        };
        keep(delta.context);
        let mut updates = delta.updates;
        for update in updates.drain(..) {
            keep(update.source_ref);
            keep(update.timestamp);
            keep(update.notification_id);
            if let Some(Source {
                label,
                kind,
                src,
                instance,
                sentence,
                talker,
                ..
            }) = update.source
            {
                keep(Some(label));
                for text in [kind, src, instance, sentence, talker] {
                    keep(text);
                }
            }
            for meta in update.meta {
                keep(Some(meta.path));
            }
            let mut values = update.values;
            for value in values.drain(..) {
                keep(Some(value.path));
            }
            if spares.values.len() < MAX_VECS && values.capacity() <= MAX_VEC_CAPACITY {
                spares.values.push(values);
            }
        }
        if spares.updates.len() < MAX_VECS && updates.capacity() <= MAX_VEC_CAPACITY {
            spares.updates.push(updates);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept() -> (usize, usize, usize) {
        SPARES.with(|s| {
            let s = s.borrow();
            (s.strings.len(), s.values.len(), s.updates.len())
        })
    }

    #[test]
    fn a_recycled_delta_is_decoded_again_the_same() {
        let json = br#"{"context":"vessels.urn:mrn:imo:mmsi:230099999","updates":[{"source":{"label":"n2k","type":"NMEA2000","pgn":130306,"src":115},"$source":"n2k.115","timestamp":"2026-11-25T20:00:00.000Z","values":[{"path":"a.b","value":1},{"path":"c","value":{"x":[1,2]}}],"meta":[{"path":"a.b","value":{"units":"m"}}]}]}"#;
        let (first, _) = Delta::decode_lenient(json).unwrap();
        let copy = first.clone();
        recycle(first);
        // context, $source, timestamp, label, type, src, two value paths, one meta path.
        assert_eq!(kept(), (9, 1, 1));
        let (second, skipped) = Delta::decode_lenient(json).unwrap();
        assert!(skipped.is_empty());
        assert_eq!(second, copy);
        assert_eq!(
            serde_json::to_string(&second).unwrap(),
            serde_json::to_string(&copy).unwrap()
        );
        // A different delta into the same storage: nothing of the first shows through.
        recycle(second);
        let (third, _) =
            Delta::decode_lenient(br#"{"updates":[{"values":[{"path":"z","value":true}]}]}"#)
                .unwrap();
        assert_eq!(third.context, None);
        assert_eq!(third.updates.len(), 1);
        assert_eq!(third.updates[0].source, None);
        assert_eq!(third.updates[0].timestamp, None);
        assert_eq!(third.updates[0].values.len(), 1);
        assert_eq!(third.updates[0].values[0].path, "z");
        assert_eq!(third.updates[0].values[0].value, true);
    }

    #[test]
    fn what_is_kept_is_bounded() {
        let values: Vec<String> = (0..MAX_STRINGS + 50)
            .map(|i| format!(r#"{{"path":"p{i}","value":{i}}}"#))
            .collect();
        let json = format!(
            r#"{{"updates":[{{"values":[{}]}},{{"values":[{{"path":"{}","value":1}}]}}]}}"#,
            values.join(","),
            "x".repeat(MAX_STRING_CAPACITY + 1)
        );
        for _ in 0..3 {
            let (delta, _) = Delta::decode_lenient(json.as_bytes()).unwrap();
            recycle(delta);
        }
        let (strings, vecs, updates) = kept();
        assert!(strings <= MAX_STRINGS);
        assert!(vecs <= MAX_VECS && updates <= MAX_VECS);
        SPARES.with(|s| {
            let s = s.borrow();
            assert!(
                s.strings
                    .iter()
                    .all(|t| t.capacity() <= MAX_STRING_CAPACITY)
            );
            assert!(
                s.values
                    .iter()
                    .all(|v| v.is_empty() && v.capacity() <= MAX_VEC_CAPACITY)
            );
        });
    }
}
