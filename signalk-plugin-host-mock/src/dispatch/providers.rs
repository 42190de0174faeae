//! §10 — resource, weather and radar provider calls, with the server's defaults for
//! missing, unready, trapping or empty handlers.

use serde_json::{Value, json};

use signalk_plugin_abi::names::{RADAR_GET_RADARS, resources, weather};
use signalk_plugin_abi::radar::{RadarMethod, RadarReply};

use crate::chunked::Channel;
use crate::guest::{Guest, Shape};
use crate::js::within_depth;
use crate::{Error, memory};

/// Size of the host's response buffer for every provider handler.
pub const RESPONSE_BUFFER: u32 = signalk_plugin_abi::buffers::PROVIDER_REPLY as u32;

/// The server's provider APIs (resources, weather, radar) as they call into the plugin,
/// from [`MockHost::providers`](crate::MockHost::providers).
///
/// Every method refuses a JSON argument nested deeper than
/// [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) levels with [`Error::TooDeep`].
///
/// ```no_run
/// # let mut host: signalk_plugin_host_mock::MockHost = unimplemented!();
/// let notes = host.providers().list_resources("notes", serde_json::json!({}))?;
/// # Ok::<(), signalk_plugin_host_mock::Error>(())
/// ```
pub struct Providers<'h> {
    pub(crate) guest: &'h mut Guest,
    pub(crate) channel: &'h mut Channel,
}

impl std::fmt::Debug for Providers<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Providers").finish_non_exhaustive()
    }
}

impl Providers<'_> {
    /// Calls a provider export the way the wrappers do. `None` stands for the wrapper's
    /// `null`: missing export, trap, protocol error, or empty output.
    fn provider_call(
        &mut self,
        export: &str,
        request: Option<&Value>,
    ) -> Result<Option<String>, Error> {
        if !self.guest.has_export(export) {
            return Ok(None);
        }
        let text = request.map(Value::to_string);
        let shape = Shape {
            input: text.as_deref().map(str::as_bytes),
            output: Some(RESPONSE_BUFFER),
            free_on_trap: false,
        };
        let out = self.guest.invoke(export, shape).and_then(|out| {
            self.channel
                .resolve(self.guest, out.output.unwrap_or_default())
        });
        match out {
            Ok(bytes) => {
                let text = memory::decode(&bytes);
                Ok((!text.is_empty()).then_some(text))
            }
            Err(err @ (Error::Timeout { .. } | Error::Channel(_))) => Err(err),
            Err(err) => {
                self.guest.state_mut().log(format!("{export}: {err}"));
                Ok(None)
            }
        }
    }

    fn resource_ready(&self, kind: &str) -> Result<bool, Error> {
        self.guest
            .state()
            .resource_providers
            .get(kind)
            .map(|p| p.ready)
            .ok_or_else(|| Error::NoProvider(format!("`{kind}` resource")))
    }

    /// `listResources`: the plugin's map `id → resource` (`{}` when it answers nothing).
    ///
    /// # Errors
    ///
    /// [`Error::NoProvider`] if no provider registered `kind`; [`Error::Provider`] if the
    /// answer is not JSON (a cut-off list, for example).
    pub fn list_resources(&mut self, kind: &str, query: Value) -> Result<Value, Error> {
        let query = within_depth(query, "the list query")?;
        if !self.resource_ready(kind)? {
            return Ok(json!({}));
        }
        let mut request = match query {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        request.insert("resourceType".into(), kind.into());
        let out = self.provider_call(resources::LIST, Some(&Value::Object(request)))?;
        parse_or(out, json!({}))
    }

    /// `getResource`.
    ///
    /// # Errors
    ///
    /// As [`list_resources`](Self::list_resources).
    pub fn get_resource(
        &mut self,
        kind: &str,
        id: &str,
        property: Option<&str>,
    ) -> Result<Value, Error> {
        if !self.resource_ready(kind)? {
            return Ok(json!({}));
        }
        let mut request = json!({"id": id, "resourceType": kind});
        if let Some(property) = property {
            request["property"] = property.into();
        }
        let out = self.provider_call(resources::GET, Some(&request))?;
        parse_or(out, json!({}))
    }

    /// `setResource`. The server ignores the answer, so a failure cannot be reported;
    /// the raw answer is returned for the test to inspect.
    ///
    /// # Errors
    ///
    /// [`Error::NoProvider`], [`Error::Timeout`].
    pub fn set_resource(
        &mut self,
        kind: &str,
        id: &str,
        value: Value,
    ) -> Result<Option<String>, Error> {
        let value = within_depth(value, "the resource")?;
        if !self.resource_ready(kind)? {
            return Ok(None);
        }
        let request = json!({"id": id, "value": value, "resourceType": kind});
        self.provider_call(resources::SET, Some(&request))
    }

    /// `deleteResource`; the answer is ignored by the server.
    ///
    /// # Errors
    ///
    /// [`Error::NoProvider`], [`Error::Timeout`].
    pub fn delete_resource(&mut self, kind: &str, id: &str) -> Result<Option<String>, Error> {
        if !self.resource_ready(kind)? {
            return Ok(None);
        }
        let request = json!({"id": id, "resourceType": kind});
        self.provider_call(resources::DELETE, Some(&request))
    }

    fn weather(&mut self, export: &str, request: Value) -> Result<Value, Error> {
        let ready = self
            .guest
            .state()
            .weather_provider
            .as_ref()
            .map(|p| p.ready)
            .ok_or_else(|| Error::NoProvider("weather".into()))?;
        if !ready {
            return Ok(json!([]));
        }
        let out = self.provider_call(export, Some(&request))?;
        // Weather wrappers catch parse errors and answer the default.
        Ok(out
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_else(|| json!([])))
    }

    /// `getObservations(position, options)`.
    ///
    /// # Errors
    ///
    /// [`Error::NoProvider`], [`Error::Timeout`].
    pub fn weather_observations(
        &mut self,
        position: Value,
        options: Value,
    ) -> Result<Value, Error> {
        let position = within_depth(position, "the position")?;
        let options = within_depth(options, "the options")?;
        self.weather(
            weather::OBSERVATIONS,
            json!({"position": position, "options": options}),
        )
    }

    /// `getForecasts(position, type, options)`; `kind` is `daily` or `point`.
    ///
    /// # Errors
    ///
    /// [`Error::NoProvider`], [`Error::Timeout`].
    pub fn weather_forecasts(
        &mut self,
        position: Value,
        kind: &str,
        options: Value,
    ) -> Result<Value, Error> {
        let position = within_depth(position, "the position")?;
        let options = within_depth(options, "the options")?;
        self.weather(
            weather::FORECASTS,
            json!({"position": position, "type": kind, "options": options}),
        )
    }

    /// `getWarnings(position)`.
    ///
    /// # Errors
    ///
    /// [`Error::NoProvider`], [`Error::Timeout`].
    pub fn weather_warnings(&mut self, position: Value) -> Result<Value, Error> {
        let position = within_depth(position, "the position")?;
        self.weather(weather::WARNINGS, json!({"position": position}))
    }

    /// A radar API call: `method` is the export name (`radar_get_radars`,
    /// `radar_set_power`, ...) and `request` its JSON (ignored for `radar_get_radars`,
    /// which takes no input). The result follows the server's per-method rules (§10.3).
    ///
    /// # Errors
    ///
    /// [`Error::NoProvider`], [`Error::Timeout`].
    pub fn radar(&mut self, method: &str, request: Value) -> Result<Value, Error> {
        let request = within_depth(request, "the radar request")?;
        let ready = self
            .guest
            .state()
            .radar_provider
            .as_ref()
            .map(|p| p.ready)
            .ok_or_else(|| Error::NoProvider("radar".into()))?;
        let rule = radar_rule(method);
        let out = if ready {
            let input = (method != RADAR_GET_RADARS).then_some(&request);
            self.provider_call(method, input)?
        } else {
            None
        };
        let parsed = out
            .as_deref()
            .map(|t| serde_json::from_str::<Value>(t).map(crate::js::round_trip));
        Ok(match (rule, parsed) {
            (RadarRule::Bool, Some(Ok(v))) => Value::Bool(v == Value::Bool(true)),
            (RadarRule::Bool, _) => Value::Bool(false),
            (RadarRule::NullOnError, Some(Ok(v))) if v.get("error").is_none() => v,
            (RadarRule::NullOnError, _) => Value::Null,
            (RadarRule::Parsed(_), Some(Ok(v))) => v,
            (RadarRule::Parsed(default), _) => default,
            (RadarRule::Outcome, Some(Ok(v))) => v,
            (RadarRule::Outcome, Some(Err(_))) => {
                json!({"success": false, "error": "Invalid response"})
            }
            (RadarRule::Outcome, None) if !ready => {
                json!({"success": false, "error": "Provider not ready"})
            }
            (RadarRule::Outcome, None) => json!({"success": false, "error": "No response"}),
        })
    }
}

enum RadarRule {
    /// `JSON.parse(r) === true`, else false.
    Bool,
    /// Parsed, but `null` if it has an `error` member; default `null`.
    NullOnError,
    /// Parsed, or the default.
    Parsed(Value),
    /// Parsed, or `{success:false, error}`.
    Outcome,
}

fn radar_rule(method: &str) -> RadarRule {
    if method == RADAR_GET_RADARS {
        return RadarRule::Parsed(json!([]));
    }
    match RadarMethod::from_export_name(method).map(RadarMethod::reply) {
        Some(RadarReply::Flag) => RadarRule::Bool,
        Some(RadarReply::NullOnError) => RadarRule::NullOnError,
        Some(RadarReply::Outcome) => RadarRule::Outcome,
        Some(RadarReply::Value) | None => RadarRule::Parsed(Value::Null),
    }
}

fn parse_or(out: Option<String>, default: Value) -> Result<Value, Error> {
    match out {
        None => Ok(default),
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| Error::Provider(format!("answer is not JSON: {e}"))),
    }
}
