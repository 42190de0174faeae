//! Lifecycle as the server drives it (§4.5-§4.8, §6.6): start with the configuration,
//! stop, the poll timer, and deltas from other sources.

use serde::Serialize;
use serde_json::{Map, Value};
use signalk_plugin_abi::names;

use super::{MockHost, TEST_SOURCE};
use crate::guest::Shape;
use crate::state::PluginState;
use crate::{Error, pipeline};

impl MockHost {
    /// Starts the plugin with the in-memory configuration, as the server does:
    /// `{...configuration, enableDebug}` (§7.1). The plugin counts as enabled from now
    /// on (the plugin list and `GET /plugins/<id>/config` show it).
    ///
    /// # Errors
    ///
    /// [`Error::StartFailed`] if `plugin_start` returned anything but 0, or a trap,
    /// timeout or protocol error. The [`state`](Self::state) is then
    /// [`PluginState::Error`] with the message the Admin UI would show
    /// (`Plugin start() returned error code: 1`, `unreachable`, ...).
    pub fn start(&mut self) -> Result<(), Error> {
        let text = self.start_config().to_string();
        self.start_raw(&text)
    }

    /// The JSON text `plugin_start` receives.
    #[must_use]
    pub fn start_config(&self) -> Value {
        // `{...plugin.configuration, enableDebug}` (`startWasmPluginInternal`): an
        // array's or string's elements spread as members, other values add nothing.
        let options = &self.guest.state().options;
        let mut config = match &options.configuration {
            Some(configuration) => crate::server::spread(configuration),
            None => Map::new(),
        };
        config.insert("enableDebug".into(), Value::Bool(options.enable_debug));
        Value::Object(config)
    }

    /// Starts the plugin with exactly `config` as the start text (to test malformed input).
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    pub fn start_raw(&mut self, config: &str) -> Result<(), Error> {
        if !self.guest.has_export(names::PLUGIN_START) {
            let msg = "rawExports.plugin_start is not a function".to_owned();
            self.guest.state_mut().state = PluginState::Error(msg);
            return Err(Error::MissingExport(names::PLUGIN_START.into()));
        }
        let state = self.guest.state_mut();
        // The server starts only enabled plugins, and its delta subscription is made
        // again after each successful start.
        state.enabled = true;
        state.delta_subscribed = false;
        state.in_start = true;
        let shape = Shape {
            input: Some(config.as_bytes()),
            output: None,
            free_on_trap: true,
        };
        let outcome = self.guest.invoke(names::PLUGIN_START, shape);
        let state = self.guest.state_mut();
        state.in_start = false;
        match outcome {
            Ok(ret) if ret.result == Some(0) => {
                state.state = PluginState::Running;
                state.delta_subscribed = true;
                // The provider records get their instance only now (§3.7).
                for p in state.resource_providers.values_mut() {
                    p.ready = true;
                }
                for p in state
                    .weather_provider
                    .iter_mut()
                    .chain(state.radar_provider.iter_mut())
                {
                    p.ready = true;
                }
                Ok(())
            }
            Ok(ret) => {
                let code = ret.result.map_or("undefined".to_owned(), |c| c.to_string());
                state.state =
                    PluginState::Error(format!("Plugin start() returned error code: {code}"));
                Err(Error::StartFailed { code: ret.result })
            }
            Err(err) => {
                state.state = PluginState::Error(crate::server::js_message(&err));
                Err(err)
            }
        }
    }

    /// Calls `plugin_stop` (the server does so on disable and before a restart), after
    /// unsubscribing the plugin from deltas as `stopWasmPlugin` does: deltas it emits
    /// while stopping reach the data model, not its own `delta_handler`.
    ///
    /// # Errors
    ///
    /// [`Error::MissingExport`] or a trap; the state is then [`PluginState::Error`].
    /// A non-zero result is only logged, as the server does.
    pub fn stop(&mut self) -> Result<(), Error> {
        if !self.guest.has_export(names::PLUGIN_STOP) {
            self.guest.state_mut().state =
                PluginState::Error("rawExports.plugin_stop is not a function".into());
            return Err(Error::MissingExport(names::PLUGIN_STOP.into()));
        }
        // `stopWasmPlugin` unsubscribes the plugin from deltas before it calls
        // `plugin_stop`: what the plugin emits while stopping does not come back.
        self.guest.state_mut().delta_subscribed = false;
        match self.guest.call(names::PLUGIN_STOP, &[]) {
            Ok(code) => {
                let state = self.guest.state_mut();
                if code != Some(0) {
                    state.log(format!("plugin_stop returned {code:?}"));
                }
                state.state = PluginState::Stopped;
                // UDP sockets are closed by owner pluginId, but recorded under the
                // package name: only unscoped packages get theirs closed (§3.10).
                if !(state.options.scoped() && state.options.quirks.scoped_udp_survives_stop) {
                    state.sockets.udp.clear();
                }
                Ok(())
            }
            Err(err) => {
                self.guest.state_mut().state = PluginState::Error(crate::server::js_message(&err));
                Err(err)
            }
        }
    }

    /// Disable from the Admin UI: the plugin is no longer enabled, and `plugin_stop`
    /// runs only if it was running (§6.6).
    ///
    /// # Errors
    ///
    /// As [`stop`](Self::stop).
    pub fn disable(&mut self) -> Result<(), Error> {
        self.guest.state_mut().enabled = false;
        if self.guest.state().state == PluginState::Running {
            self.stop()?;
        }
        Ok(())
    }

    /// Saves a new configuration from the Admin UI: the file and the in-memory copy
    /// change, and a running plugin is stopped and started again on the same instance.
    ///
    /// # Errors
    ///
    /// As [`stop`](Self::stop) and [`start`](Self::start); [`Error::TooDeep`] (nothing
    /// saved) for a configuration nested deeper than
    /// [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) levels.
    pub fn save_configuration(&mut self, configuration: Value) -> Result<(), Error> {
        let configuration = crate::js::within_depth(configuration, "the configuration")?;
        let state = self.guest.state_mut();
        state.options.configuration = Some(configuration.clone());
        state.config_file = Some(configuration);
        if state.state == PluginState::Running {
            self.stop()?;
            self.start()?;
        }
        Ok(())
    }

    /// One tick of the 1 s poll timer: calls `poll` if the plugin is running and has it.
    /// Returns the result, or `None` when the server would not have called it.
    ///
    /// # Errors
    ///
    /// A trap or timeout (the server only debug-logs these and keeps polling).
    pub fn tick_poll(&mut self) -> Result<Option<i32>, Error> {
        if self.guest.state().state != PluginState::Running {
            return Ok(None);
        }
        if !self.guest.has_export(names::POLL) {
            return Ok(None);
        }
        self.guest.call(names::POLL, &[])
    }

    /// Sends a delta through the server pipeline as if another source emitted it: the
    /// context is resolved, `$source` and `timestamp` are filled in, and the running
    /// plugin's `delta_handler` gets it.
    ///
    /// # Errors
    ///
    /// [`Error::Protocol`] if `delta` is not a JSON object; [`Error::Input`] if it does
    /// not serialise, [`Error::TooDeep`] if it nests deeper than
    /// [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH) levels (serialisation stops there).
    pub fn deliver_delta(&mut self, delta: &impl Serialize) -> Result<(), Error> {
        crate::js::check_serializes(delta, "the delta")?;
        // Within the depth limit: serde_json's own recursion is safe from here on.
        let value = serde_json::to_value(delta)
            .map_err(|e| Error::Input(format!("the delta does not serialise: {e}")))?;
        if !value.is_object() {
            return Err(Error::Protocol {
                export: names::DELTA_HANDLER.into(),
                message: "a delta must be a JSON object".into(),
            });
        }
        self.guest.arm();
        pipeline::handle_message(self.guest.store_mut(), TEST_SOURCE, value, false);
        Ok(())
    }

    /// Hands `text` to `delta_handler` byte for byte, bypassing the pipeline (to feed a
    /// plugin malformed input).
    ///
    /// # Errors
    ///
    /// [`Error::MissingExport`], or the call's trap.
    pub fn deliver_raw_delta(&mut self, text: &str) -> Result<(), Error> {
        let shape = Shape {
            input: Some(text.as_bytes()),
            output: None,
            free_on_trap: true,
        };
        self.guest.invoke(names::DELTA_HANDLER, shape).map(|_| ())
    }
}
