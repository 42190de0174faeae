use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::{Delta, Deltas};

/// Any error a plugin method may return; `?` converts every `std::error::Error`,
/// `String` and `&str` (and `anyhow::Error`) into it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What plugin methods return.
pub type PluginResult<T = ()> = Result<T, BoxError>;

/// A Signal K server plugin.
///
/// Implement it on a `Default` type and annotate the impl with
/// [`#[plugin]`](macro@crate::plugin), which generates the WebAssembly exports.
///
/// The server keeps **one instance for the life of the process**: `start` and `stop` can
/// be called many times on it (config saves, disable/enable), so `start` must
/// re-initialise whatever it relies on. The instance is created with `Default` the first
/// time the host calls into the plugin.
///
/// ```
/// use signalk_plugin::{plugin, NoConfig, Plugin, PluginResult};
///
/// #[derive(Default)]
/// struct Counter { starts: u32 }
///
/// #[plugin(id = "counter", name = "Counter")]
/// impl Plugin for Counter {
///     type Config = NoConfig;
///     fn start(&mut self, _: NoConfig) -> PluginResult {
///         self.starts += 1;
///         signalk_plugin::set_status(&format!("started {} times", self.starts));
///         Ok(())
///     }
/// }
///
/// let mut c = Counter::default();
/// c.start(NoConfig {}).unwrap();
/// c.start(NoConfig {}).unwrap();
/// assert_eq!(signalk_plugin::testing::statuses().last().unwrap(), "started 2 times");
/// ```
///
/// # Errors and panics
///
/// Every method returns a [`PluginResult`]; `?` converts any error. What an `Err` does
/// depends on the method: from `start` it is the server's `error` state, from `poll`,
/// handlers and providers a report with `sk_set_error` (and an error reply where there
/// is one), from [`on_delta`](Plugin::on_delta) a counted error log; none of them
/// stops the plugin.
///
/// A **panic** is different: on `wasm32` it aborts the call (the instance traps) and
/// the plugin's state is gone with the instance that was running. The SDK supervises
/// the plugin like an init system would. The panic is reported at once with
/// `sk_set_error`; at the next call (usually the next `poll` or delta, within a second),
/// if the plugin was running, a fresh `Default` instance is started with the
/// configuration of the last `start`, and the restart is reported with `sk_set_error`
/// too. At most 3 restarts happen within 60 seconds. One more panic, or a restart
/// whose `start` fails or panics, and the plugin is **failed**: it reports so and
/// refuses every call until the server starts it again (disable and enable it, or save
/// its configuration): `poll` and deltas are not delivered, PUT and HTTP requests get
/// a 503 reply naming the panic, providers answer empty (the server's default). A
/// panic in `start` or `stop` is not restarted: the server already puts the plugin in
/// its `error` state, and the next start begins with a fresh instance.
///
/// State that must survive a panic belongs in the configuration (or a file): the
/// restart sees only what `start` receives. Panic messages quoted in replies are cut to
/// 300 bytes.
///
/// A trap also keeps the stack its frames held (nothing in the instance can give it
/// back), a few hundred bytes each: once traps have taken half of it (about a thousand
/// panics with the default 1 MiB stack) the plugin fails for good, says so, and refuses
/// even a start until signalk-server restarts, rather than trapping on every call.
pub trait Plugin: Default + 'static {
    /// The plugin's configuration, parsed from what the Admin UI saved.
    ///
    /// Members the server adds (`enableDebug`) are removed before parsing, so
    /// `#[serde(deny_unknown_fields)]` works. Use [`NoConfig`] for none.
    type Config: DeserializeOwned;

    /// Which deltas [`on_delta`](Plugin::on_delta) receives: [`Deltas::All`] (the
    /// default) or only those about the own vessel, [`Deltas::OwnVessel`], held while
    /// the SDK is still learning which vessel that is (see [`crate::vessel`]).
    ///
    /// ```
    /// use signalk_plugin::{Deltas, NoConfig, Plugin, PluginResult};
    /// #[derive(Default)]
    /// struct P;
    /// impl Plugin for P {
    ///     type Config = NoConfig;
    ///     const DELTAS: Deltas = Deltas::OwnVessel;
    ///     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
    /// }
    /// assert_eq!(P::DELTAS, Deltas::OwnVessel);
    /// ```
    const DELTAS: Deltas = Deltas::All;

    /// Starts the plugin with its configuration. An `Err` puts the plugin in the
    /// server's `error` state and reports the message with `sk_set_error`.
    fn start(&mut self, config: Self::Config) -> PluginResult;

    /// Stops the plugin. The server does **not** call this on SIGTERM or an Admin-UI
    /// restart, so do not rely on it to persist data.
    fn stop(&mut self) -> PluginResult {
        Ok(())
    }

    /// Called every second while the plugin is running, if the impl defines it (the macro
    /// exports `poll` only then). Read sockets here: nothing else calls into the plugin
    /// periodically. An `Err` is reported with `sk_set_error`; polling goes on.
    fn poll(&mut self) -> PluginResult {
        Ok(())
    }

    /// Called for the deltas the server handles while the plugin is running, if the
    /// impl defines it (the macro exports `delta_handler` only then).
    ///
    /// With [`DELTAS`](Plugin::DELTAS) left at [`Deltas::All`] there is no filter: this
    /// includes the plugin's own deltas (`$source` is its package name), other vessels'
    /// (AIS), meta-only deltas and deltas with no updates. The context is resolved
    /// (`vessels.urn:…`), never `vessels.self`: [`Delta::is_self`] tells the own
    /// vessel's apart. With [`Deltas::OwnVessel`] only the own vessel's arrive.
    ///
    /// A delta the server delivers while the plugin is busy (from inside its own `emit`)
    /// is queued and handed over as soon as the current call returns, in order, so there
    /// is no re-entrancy to handle here. A delta that does not parse is dropped with a
    /// warning log.
    ///
    /// An `Err` is not fatal: it is counted and logged at error level through the `log`
    /// facade, for the 1st, 2nd, 4th, 8th, … error (with the count), so a plugin failing
    /// on every delta cannot flood the log; the next delta is delivered as usual.
    ///
    /// ```
    /// use signalk_plugin::{Delta, NoConfig, Plugin, PluginResult};
    /// #[derive(Default)]
    /// struct Depth { metres: f64 }
    /// impl Plugin for Depth {
    ///     type Config = NoConfig;
    ///     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
    ///     fn on_delta(&mut self, delta: &Delta) -> PluginResult {
    ///         if let Some(depth) = delta.value_of("environment.depth.belowKeel") {
    ///             self.metres = depth.parse()?;
    ///         }
    ///         Ok(())
    ///     }
    /// }
    /// let mut d = Depth::default();
    /// let delta = Delta::new().with_update(
    ///     signalk_plugin::Update::new().with_value("environment.depth.belowKeel", 4.5),
    /// );
    /// d.on_delta(&delta)?;
    /// assert_eq!(d.metres, 4.5);
    /// # Ok::<(), signalk_plugin::BoxError>(())
    /// ```
    fn on_delta(&mut self, delta: &Delta) -> PluginResult {
        let _ = delta;
        Ok(())
    }
}

/// Compile-time facts about a plugin, generated by [`#[plugin]`](macro@crate::plugin).
///
/// ```
/// use signalk_plugin::{plugin, NoConfig, Plugin, PluginMetadata, PluginResult};
/// #[derive(Default)]
/// struct P;
/// #[plugin(id = "p", name = "P", schema = r#"{"type":"object"}"#)]
/// impl Plugin for P {
///     type Config = NoConfig;
///     fn start(&mut self, _: NoConfig) -> PluginResult { Ok(()) }
/// }
/// assert_eq!(P::NAME, "P");
/// assert_eq!(P::SCHEMA, r#"{"type":"object"}"#);
/// ```
pub trait PluginMetadata {
    /// The value `plugin_id` returns. The server derives the real id from the npm
    /// package name instead; keep them equal.
    const ID: &'static str;
    /// Display name (`plugin_name`).
    const NAME: &'static str;
    /// JSON Schema of the configuration (`plugin_schema`), minified.
    const SCHEMA: &'static str;
}

/// A configuration type for plugins that take none: accepts any object.
///
/// ```
/// let _: signalk_plugin::NoConfig = serde_json::from_str(r#"{"enableDebug":true}"#).unwrap();
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct NoConfig {}
