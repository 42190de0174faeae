//! The process-wide wasmtime engine, its epoch ticker and the compiled-module cache.
//!
//! Compiling a plugin takes far longer than instantiating it, and a test suite loads the
//! same few plugins hundreds of times, so compiled modules are cached by content. Every
//! host shares one [`Engine`]: modules are engine-specific, and one engine needs one
//! epoch ticker thread.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use wasmtime::{Config, Engine, Module, OptLevel};

use crate::Error;

/// How often the epoch advances. Call timeouts are rounded up to this.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The shared engine. Epoch interruption is on so that a looping guest can be stopped
/// (the real host would hang forever, §1.5; a test must not).
pub(crate) fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.epoch_interruption(true);
        // Cranelift's own optimisations are off. Plugins arrive optimised by LLVM, so
        // they buy little: measured on the SDK benchmark plugin (`--bench guest`), they
        // took a third of the compile time (128 ms against 90 ms per cold start) for
        // 4–20 % of guest time (0.3 µs on a 1.5 µs delta, against the mock host's own
        // 20–40 µs per delta). A test host loads plugins far more often than it runs
        // any one of them long, and this keeps a cold start within 1.1x of a bare
        // wasmtime that does not compile in the epoch checks above.
        config.cranelift_opt_level(OptLevel::None);
        // The host's JS numbers make i64 and friends unusable anyway; keep the features
        // rustc's wasm32-wasip1 output uses.
        config.wasm_bulk_memory(true);
        config.wasm_multi_value(true);
        let engine = Engine::new(&config).unwrap_or_else(|err| {
            // Only a broken build of wasmtime fails here; nothing a caller could fix.
            panic!("wasmtime engine configuration rejected: {err}")
        });
        let ticker = engine.weak();
        std::thread::Builder::new()
            .name("signalk-host-mock-epoch".into())
            .spawn(move || {
                while let Some(engine) = ticker.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(EPOCH_TICK);
                }
            })
            .ok();
        engine
    })
}

/// Compiles `bytes`, or returns the module compiled earlier from the same bytes.
pub(crate) fn compile(bytes: &[u8]) -> Result<Module, Error> {
    /// Key: (hash of the bytes, their length).
    type Cache = Mutex<HashMap<(u64, usize), Arc<Module>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    let key = (hasher.finish(), bytes.len());
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(module) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(Module::clone(module));
    }
    check_format(bytes)?;
    let module = Module::new(engine(), bytes).map_err(|err| Error::Compile(format!("{err:#}")))?;
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, Arc::new(module.clone()));
    Ok(module)
}

/// The host's own format check (§2.1): at least 8 bytes, the wasm magic, version 1.
/// A component-model binary (version byte `0x0d`) is refused like the real host does.
fn check_format(bytes: &[u8]) -> Result<(), Error> {
    if bytes.len() < 8 || bytes[..4] != *b"\0asm" || bytes[4] != 1 {
        return Err(Error::Compile(
            "Unsupported WASM format: only WASI P1 core modules (version 1) load in signalk-server"
                .into(),
        ));
    }
    Ok(())
}
