//! The Signal K data model, as serde types.
//!
//! One model serves both directions: the SDK serializes it to emit deltas, decodes
//! the deltas the server delivers, and the mock host decodes what a plugin emitted
//! into the same types for assertions. Unknown members are ignored when decoding, so
//! newer servers do not break older plugins.

mod delta;
mod meta;
mod notification;
mod raw;

pub use delta::{Delta, PathValue, Source, Update};
pub use meta::{Meta, PathMeta, Zone};
pub use notification::{AlarmMethod, AlarmState, Notification};
pub use raw::RawJson;
