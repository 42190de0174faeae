//! The Signal K data model, as serde types.
//!
//! One model serves both directions: the SDK serializes it to emit deltas, decodes
//! the deltas the server delivers, and the mock host decodes what a plugin emitted
//! into the same types for assertions. Unknown members are kept (in `extra`), so newer
//! servers do not break older plugins and nothing received is lost; received deltas are
//! decoded leniently ([`Delta::decode_lenient`]).

mod decode;
mod delta;
mod members;
mod meta;
mod notification;
mod raw;
mod spares;

pub(crate) use decode::decode_or_log;
pub(crate) use decode::reset_reports;
pub use decode::{MAX_REPORTED_PATHS, Skipped};
pub use delta::{Delta, PathValue, Source, Update};
pub use members::Members;
pub use meta::{Meta, PathMeta, Zone};
pub use notification::{AlarmMethod, AlarmState, Notification};
pub use raw::RawJson;
pub(crate) use spares::recycle;
