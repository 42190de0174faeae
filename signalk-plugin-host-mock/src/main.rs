//! `signalk-plugin-host-mock`: run a plugin under the mock host from the command line.
//!
//! ```text
//! signalk-plugin-host-mock run <plugin.wasm | crate dir> [--config file.json] [--polls N]
//!                               [--delta file.json]... [--package-name NAME] [--capability CAP]...
//!                               [--replay deltas.log [--speed N]]
//! signalk-plugin-host-mock package <plugin.wasm | crate dir> --out DIR [--name NAME]
//! signalk-plugin-host-mock new <DIR> [--sdk-path CHECKOUT]
//! signalk-plugin-host-mock test-runner [--timeout SECS] <test.wasm> [libtest args]...
//! ```
//!
//! Everything the plugin does is printed as one JSON object per line on stdout.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::{Value, json};
use signalk_plugin_host_mock::replay::ReplayOptions;
use signalk_plugin_host_mock::scaffold::{SdkSource, new_plugin};
use signalk_plugin_host_mock::{
    Capabilities, Capability, HostCall, HostOptions, MockHost, Quirks, build_plugin,
    required_capabilities,
};

#[derive(Parser)]
#[command(
    version,
    about = "Run Signal K WebAssembly plugins under a mock signalk-server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load a plugin, start it, poll it, feed it deltas, stop it; print what it does.
    Run(RunArgs),
    /// Make the npm-installable folder signalk-server loads: package.json + plugin.wasm.
    Package(PackageArgs),
    /// Write a new plugin crate (plugin, native tests, mock-host tests, README) into DIR.
    New(NewArgs),
    /// Run a `cargo test --target wasm32-wasip1` binary under the mock host (the cargo
    /// runner for wasm32-wasip1), each test in a fresh instance.
    TestRunner(TestRunnerArgs),
}

#[derive(clap::Args)]
struct TestRunnerArgs {
    /// Time limit of one test, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = signalk_plugin_host_mock::DEFAULT_TEST_TIMEOUT.as_secs())]
    timeout: u64,
    /// The test binary cargo built.
    wasm: PathBuf,
    /// libtest's arguments, passed on as cargo gave them.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

#[derive(clap::Args)]
struct NewArgs {
    /// The directory to create; its name is the crate name.
    dir: PathBuf,
    /// Depend on a local checkout of the signalk-plugin workspace (its root) instead of
    /// crates.io.
    #[arg(long, value_name = "DIR")]
    sdk_path: Option<PathBuf>,
}

#[derive(clap::Args)]
struct PackageArgs {
    /// A plugin crate directory (built first) or a compiled `.wasm`.
    plugin: PathBuf,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// npm package name (default: the crate name; required for a `.wasm`).
    #[arg(long)]
    name: Option<String>,
    /// Package version (default: the crate's; 0.1.0 for a `.wasm`).
    #[arg(long)]
    version: Option<String>,
}

#[derive(clap::Args)]
struct RunArgs {
    /// A compiled `.wasm`, or a plugin crate directory (built for wasm32-wasip1 first).
    plugin: PathBuf,
    /// The plugin's configuration (the `configuration` object the Admin UI saves).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// npm package name (default: from package.json, else the crate or file name).
    #[arg(long)]
    package_name: Option<String>,
    /// package.json whose `wasmCapabilities` to grant (default: the one in the crate or
    /// next to the `.wasm`; for a crate without one, what `package` would write).
    #[arg(long, value_name = "FILE")]
    package_json: Option<PathBuf>,
    /// Grant a capability (repeatable): putHandlers, rawSockets, resourceProvider, ...
    #[arg(long = "capability", value_name = "NAME")]
    capabilities: Vec<String>,
    /// How many 1 s poll ticks to run after start.
    #[arg(long, default_value_t = 0)]
    polls: u32,
    /// A delta (JSON file) to deliver after start (repeatable).
    #[arg(long = "delta", value_name = "FILE")]
    deltas: Vec<PathBuf>,
    /// A Signal K delta log (one delta per line) to replay after the deltas: `poll`
    /// ticks follow the data's timestamps (a virtual clock), not the wall clock.
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
    /// Replay at N times real time (default: as fast as possible).
    #[arg(long, value_name = "N", requires = "replay")]
    speed: Option<f64>,
    /// Behave like the documented server rather than 2.32.0's defects.
    #[arg(long)]
    fixed_quirks: bool,
    /// Set enableDebug in the start config.
    #[arg(long)]
    debug: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::TestRunner(args) => {
            let timeout = std::time::Duration::from_secs(args.timeout);
            match signalk_plugin_host_mock::run_test_binary(&args.wasm, &args.args, timeout) {
                Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
                Err(err) => {
                    eprintln!("error: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Run(args) => match run(&args) {
            Ok(code) => code,
            Err(err) => {
                print(json!({"event": "fatal", "error": err.to_string()}));
                ExitCode::FAILURE
            }
        },
        Command::New(args) => {
            let sdk = args.sdk_path.map_or(SdkSource::Registry, SdkSource::Path);
            match new_plugin(&args.dir, &sdk) {
                Ok(files) => {
                    for file in files {
                        println!("{}", file.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("error: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Package(args) => match package(&args) {
            Ok(dir) => {
                println!("{}", dir.display());
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::FAILURE
            }
        },
    }
}

fn package(args: &PackageArgs) -> Result<PathBuf, Box<dyn std::error::Error>> {
    if args.plugin.is_dir() {
        let dir =
            signalk_plugin_host_mock::package_crate(&args.plugin, &args.out, args.name.as_deref())?;
        if let Some(version) = &args.version {
            let path = dir.join("package.json");
            let mut manifest = read_json(&path)?;
            manifest["version"] = Value::from(version.as_str());
            std::fs::write(&path, serde_json::to_string_pretty(&manifest)? + "\n")?;
        }
        return Ok(dir);
    }
    let name = args
        .name
        .clone()
        .ok_or("--name is required when packaging a .wasm file")?;
    let spec = signalk_plugin_host_mock::PackageSpec {
        name,
        version: args.version.clone().unwrap_or_else(|| "0.1.0".into()),
        description: String::new(),
    };
    Ok(signalk_plugin_host_mock::package_plugin(
        &args.plugin,
        &args.out,
        &spec,
    )?)
}

fn print(event: Value) {
    println!("{event}");
}

fn read_json(path: &Path) -> Result<Value, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?)
}

fn run(args: &RunArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let (wasm, crate_dir) = if args.plugin.is_dir() {
        print(json!({"event": "build", "crate": args.plugin}));
        (build_plugin(&args.plugin)?, Some(args.plugin.clone()))
    } else {
        (args.plugin.clone(), None)
    };
    // The package.json the server would read: given, in the crate, or next to the wasm
    // (where `package` puts it).
    let package_json = args.package_json.clone().or_else(|| {
        crate_dir
            .clone()
            .or_else(|| wasm.parent().map(Path::to_path_buf))
            .map(|d| d.join("package.json"))
            .filter(|p| p.is_file())
    });
    let package = package_json.as_deref().map(read_json).transpose()?;
    let name = args
        .package_name
        .clone()
        .or_else(|| {
            package
                .as_ref()
                .and_then(|p| p["name"].as_str().map(str::to_owned))
        })
        .or_else(|| {
            crate_dir.as_ref().and_then(|d| {
                d.canonicalize()
                    .ok()?
                    .file_name()?
                    .to_str()
                    .map(str::to_owned)
            })
        })
        .or_else(|| wasm.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .unwrap_or_else(|| "plugin".into());
    let mut caps = match (&package, &crate_dir) {
        (Some(p), _) => Capabilities::from_json(p.get("wasmCapabilities").unwrap_or(&Value::Null))?,
        // A crate without package.json: grant what `package` would write for it.
        (None, Some(_)) => required_capabilities(&std::fs::read(&wasm)?)?,
        (None, None) => Capabilities::default(),
    };
    for cap in &args.capabilities {
        caps = caps.with(cap.parse::<Capability>()?);
    }
    let granted = caps.to_json();
    let mut options = HostOptions::new(name)
        .capabilities(caps)
        .enable_debug(args.debug)
        .inherit_stdio(true);
    if args.fixed_quirks {
        options = options.quirks(Quirks::fixed());
    }
    if let Some(config) = &args.config {
        options = options.configuration(read_json(config)?);
    }

    let mut host = MockHost::load(&wasm, options)?;
    print(
        json!({"event": "loaded", "wasm": wasm, "package_json": package_json,
                 "capabilities": granted,
                 "name": host.name(), "schema": host.schema(),
                 "routes": host.routes().iter().map(|r| json!({"method": r.method, "path": r.path, "handler": r.handler})).collect::<Vec<_>>()}),
    );
    let mut seen = 0;
    let started = host.start();
    seen = flush(&host, seen);
    if let Err(err) = started {
        print(
            json!({"event": "start_failed", "error": err.to_string(), "state": format!("{:?}", host.state())}),
        );
        return Ok(ExitCode::FAILURE);
    }
    print(json!({"event": "started"}));
    for path in &args.deltas {
        host.deliver_delta(&read_json(path)?)?;
        seen = flush(&host, seen);
    }
    if let Some(log) = &args.replay {
        seen = replay(&mut host, log, args.speed, seen)?;
    }
    for tick in 1..=args.polls {
        let result = host.tick_poll();
        seen = flush(&host, seen);
        match result {
            Ok(r) => print(json!({"event": "poll", "tick": tick, "result": r})),
            Err(err) => print(json!({"event": "poll", "tick": tick, "error": err.to_string()})),
        }
    }
    let stopped = host.stop();
    flush(&host, seen);
    if let Err(err) = stopped {
        print(json!({"event": "stop_failed", "error": err.to_string()}));
        return Ok(ExitCode::FAILURE);
    }
    let leaks = &host.ledger().issues;
    print(
        json!({"event": "stopped", "allocations": host.ledger().allocations, "ledger_issues": leaks.len()}),
    );
    Ok(ExitCode::SUCCESS)
}

/// Replays a delta log, printing what the plugin does as it goes and a `replay` event
/// with the summary; returns the new `seen` count (see [`flush`]).
fn replay(
    host: &mut MockHost,
    log: &Path,
    speed: Option<f64>,
    mut seen: u64,
) -> Result<u64, Box<dyn std::error::Error>> {
    let mut options = ReplayOptions::new();
    if let Some(speed) = speed {
        options = options.speed(speed);
    }
    let summary = host.replay_with(log, &options, |host, _| seen = flush(host, seen))?;
    let time = |t: Option<std::time::SystemTime>| {
        t.map(|t| humantime::format_rfc3339_millis(t).to_string())
    };
    print(
        json!({"event": "replay", "log": log, "lines": summary.lines,
        "deltas": summary.deltas, "handled": summary.handled, "stamped": summary.stamped,
        "out_of_order": summary.out_of_order, "polls": summary.polls,
        "poll_errors": summary.poll_errors, "first_poll_error": summary.first_poll_error,
        "handler_faults": summary.handler_faults,
        "first_timestamp": time(summary.first_timestamp),
        "last_timestamp": time(summary.last_timestamp),
        "data_seconds": summary.data_time.as_secs_f64()}),
    );
    Ok(flush(host, seen))
}

/// Prints the calls made since `seen` (the count `Recorded::calls_seen` had); returns
/// the new count. Calls the bounded record already dropped are skipped.
fn flush(host: &MockHost, seen: u64) -> u64 {
    let recorded = host.recorded();
    let calls = recorded.calls();
    let first_kept = recorded.calls_seen() - calls.len() as u64;
    let skip = usize::try_from(seen.saturating_sub(first_kept)).unwrap_or(usize::MAX);
    for call in calls.iter().skip(skip) {
        print(event(call));
    }
    recorded.calls_seen()
}

fn event(call: &HostCall) -> Value {
    match call {
        HostCall::SetStatus(m) => json!({"event": "status", "message": m}),
        HostCall::SetError(m) => json!({"event": "error", "message": m}),
        HostCall::Debug(m) => json!({"event": "log", "message": m}),
        HostCall::HandleMessage { version, json } => {
            let delta =
                serde_json::from_str::<Value>(json).unwrap_or_else(|_| Value::from(json.as_str()));
            json!({"event": "delta", "version": if *version == 2 { 2 } else { 1 }, "delta": delta})
        }
        HostCall::PublishNotification { path, value } => {
            let value = serde_json::from_str::<Value>(value)
                .unwrap_or_else(|_| Value::from(value.as_str()));
            json!({"event": "notification", "path": path, "value": value})
        }
        HostCall::RegisterPutHandler { context, path } => {
            json!({"event": "put_handler", "context": context, "path": path})
        }
        other => json!({"event": "call", "call": format!("{other:?}")}),
    }
}
