//! HTTP endpoints under `/plugins/<id>/…` (§8): typed request in, response out.
//!
//! Declare an endpoint with `#[http(GET, "/api/status")]` on a method inside the
//! `#[plugin]` impl. The method takes `&mut self` and an [`HttpRequest`], and returns
//! anything that implements [`IntoResponse`] — including `Result<T, E>` where both do:
//!
//! ```
//! use serde::Deserialize;
//! use signalk_plugin::http::{HttpError, HttpRequest, Json};
//! use signalk_plugin::{json, plugin, NoConfig, Plugin, PluginResult, Value};
//!
//! #[derive(Default)]
//! struct Counter { count: u64 }
//!
//! #[derive(Deserialize)]
//! struct Add { by: u64 }
//!
//! #[plugin(id = "counter", name = "Counter")]
//! impl Plugin for Counter {
//!     type Config = NoConfig;
//!     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
//!
//!     #[http(GET, "/count")]
//!     fn get(&mut self, _req: HttpRequest) -> Json<Value> {
//!         Json(json!({ "count": self.count }))
//!     }
//!
//!     #[http(POST, "/add")]
//!     fn add(&mut self, req: HttpRequest) -> Result<Json<Value>, HttpError> {
//!         let add: Add = req.json()?; // a body that does not match is a 400 with the reason
//!         self.count += add.by;
//!         Ok(Json(json!({ "count": self.count })))
//!     }
//! }
//!
//! let mut c = Counter::default();
//! let req = HttpRequest::new("POST", "/add").with_body(json!({"by": "two"}));
//! let resp = signalk_plugin::http::IntoResponse::into_response(c.add(req));
//! assert_eq!(resp.status_code, 400);
//! ```
//!
//! Routes are read once, before `plugin_start`, and never change; only GET, POST, PUT and
//! DELETE exist; `GET /` and `/config` belong to the server. When the server runs with
//! security on, these routes are admin-only. Handlers run even while the plugin is stopped.
//!
//! [`BodyWriter`] builds a large body with `std::io::Write` (for example
//! `serde_json::to_writer`) and turns it into a response; a response larger than the
//! host's buffer is carried by the chunked channel ([`crate::chunked`]) where the host
//! speaks it.

mod body_writer;
mod request;
mod response;

pub use body_writer::BodyWriter;
pub use request::HttpRequest;
pub use response::{Body, HttpError, HttpResponse, IntoResponse, Json};

/// The host's buffer for an HTTP response envelope, in bytes (§8.4).
///
/// ```
/// assert_eq!(
///     signalk_plugin::http::RESPONSE_BUFFER,
///     signalk_plugin_abi::buffers::HTTP_RESPONSE
/// );
/// ```
pub const RESPONSE_BUFFER: usize = signalk_plugin_abi::buffers::HTTP_RESPONSE;
