//! The cargo runner for `wasm32-wasip1` tests: `cargo test --target wasm32-wasip1` hands
//! it each test binary, which it runs under the mock host's `env` imports plus a test
//! import module through which `signalk_plugin::testing` reads back what was recorded
//! (see `signalk_plugin::testing::wire`).
//!
//! On `wasm32-wasip1` a panic aborts the whole module, and libtest runs every test on
//! one thread, so a plain run would stop at the first failing test and let tests see
//! each other's host calls. The runner therefore lists the tests (libtest's `--list`)
//! and runs each in a fresh instance with a fresh host, like native tests each get a
//! fresh thread-local recorder, then reports in libtest's format. Arguments this does
//! not model (`--list`, `--format`, `--bench`, `-h`, ...) get one plain run instead.

mod imports;
mod instance;

use std::path::Path;
use std::time::{Duration, Instant};

use instance::{Binary, Ending, Run};

use crate::Error;

/// The default time limit of one test.
pub const DEFAULT_TEST_TIMEOUT: Duration = Duration::from_secs(120);

/// libtest's exit code for failed tests.
const FAILED: i32 = 101;

/// Runs the `cargo test` binary `wasm` with libtest's `args` (filters, `--exact`,
/// `--skip`, `--ignored`, `--include-ignored`, `--nocapture`, `--show-output`), each test
/// in a fresh instance limited to `timeout`, printing libtest's report on stdout.
/// Answers the exit code for the process: 0, or 101 if a test failed.
///
/// A trap (a panic aborts with one on `wasm32-wasip1`) or the time limit fails that
/// test with the trap's text; the next test runs as usual.
///
/// ```no_run
/// use signalk_plugin_host_mock::{DEFAULT_TEST_TIMEOUT, run_test_binary};
///
/// let wasm = "target/wasm32-wasip1/debug/deps/signalk_plugin-0123456789abcdef.wasm";
/// let code = run_test_binary(wasm, &["testing::".to_owned()], DEFAULT_TEST_TIMEOUT)?;
/// std::process::exit(code);
/// # Ok::<(), signalk_plugin_host_mock::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Io`] if `wasm` cannot be read; [`Error::Compile`] if it is not a WASI command
/// module; [`Error::Link`] for an import the mock host does not provide;
/// [`Error::Protocol`] if the binary does not answer `--list` like libtest.
pub fn run_test_binary(
    wasm: impl AsRef<Path>,
    args: &[String],
    timeout: Duration,
) -> Result<i32, Error> {
    let binary = Binary::load(wasm.as_ref(), timeout)?;
    let Some(args) = Args::parse(args) else {
        return plain(&binary, args);
    };
    let started = Instant::now();
    let selected = list(&binary, &args.list_args(&args.ignored_flag()))?;
    let ignored = if args.run_ignored() {
        Vec::new()
    } else {
        list(&binary, &args.list_args(&["--ignored"]))?
    };
    // `--list` alone names every test, ignored ones included.
    let filtered_out = list(&binary, &[])?.len().saturating_sub(selected.len());

    println!(
        "\nrunning {} test{}",
        selected.len(),
        plural(selected.len())
    );
    let mut report = Report::default();
    for name in &selected {
        if ignored.contains(name) {
            println!("test {name} ... ignored");
            report.ignored += 1;
            continue;
        }
        let mut test_args = vec![name.clone(), "--exact".into(), "--nocapture".into()];
        test_args.extend(args.ignored_flag());
        let run = binary.run(&test_args, true)?;
        let passed = matches!(run.ending, Ending::Exit(0));
        println!("test {name} ... {}", if passed { "ok" } else { "FAILED" });
        if args.nocapture || (args.show_output && passed) {
            print_output(name, &run);
        }
        if passed {
            report.passed += 1;
        } else {
            report.failures.push((name.clone(), run));
        }
    }
    Ok(report.print(filtered_out, started.elapsed()))
}

/// One run with the arguments as given and the process's own stdout and stderr.
fn plain(binary: &Binary, args: &[String]) -> Result<i32, Error> {
    let run = binary.run(args, false)?;
    Ok(match run.ending {
        Ending::Exit(code) => code,
        Ending::Trap(text) => {
            eprintln!("error: the test binary trapped: {text}");
            FAILED
        }
    })
}

/// The names libtest lists for `args` (`--list --format terse` prints `name: test`).
fn list(binary: &Binary, args: &[String]) -> Result<Vec<String>, Error> {
    let mut list_args = vec!["--list".to_owned(), "--format".into(), "terse".into()];
    list_args.extend_from_slice(args);
    let run = binary.run(&list_args, true)?;
    let stdout = String::from_utf8_lossy(&run.stdout);
    if !matches!(run.ending, Ending::Exit(0)) {
        return Err(Error::Protocol {
            export: "_start".into(),
            message: format!(
                "`{}` did not list its tests ({:?}): {}{}",
                list_args.join(" "),
                run.ending,
                stdout,
                String::from_utf8_lossy(&run.stderr)
            ),
        });
    }
    Ok(stdout
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect())
}

/// The libtest arguments the runner understands; `None` for any other.
#[derive(Debug, Default)]
struct Args {
    filters: Vec<String>,
    skips: Vec<String>,
    exact: bool,
    ignored: bool,
    include_ignored: bool,
    nocapture: bool,
    show_output: bool,
}

impl Args {
    fn parse(args: &[String]) -> Option<Args> {
        let mut parsed = Args::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--exact" => parsed.exact = true,
                "--ignored" => parsed.ignored = true,
                "--include-ignored" => parsed.include_ignored = true,
                "--nocapture" => parsed.nocapture = true,
                "--show-output" => parsed.show_output = true,
                "--skip" => parsed.skips.push(args.next()?.clone()),
                // Every test runs alone in its own instance anyway.
                "--test-threads" => {
                    args.next()?;
                }
                "-q" | "--quiet" => {}
                other if other.starts_with("--test-threads=") => {}
                other if !other.starts_with('-') => parsed.filters.push(other.to_owned()),
                _ => return None,
            }
        }
        Some(parsed)
    }

    fn run_ignored(&self) -> bool {
        self.ignored || self.include_ignored
    }

    /// `--ignored` or `--include-ignored` as given, for listing and for each test.
    fn ignored_flag(&self) -> Vec<String> {
        if self.ignored {
            vec!["--ignored".into()]
        } else if self.include_ignored {
            vec!["--include-ignored".into()]
        } else {
            Vec::new()
        }
    }

    fn list_args(&self, extra: &[impl AsRef<str>]) -> Vec<String> {
        let mut out = self.filters.clone();
        for skip in &self.skips {
            out.extend(["--skip".to_owned(), skip.clone()]);
        }
        if self.exact {
            out.push("--exact".into());
        }
        out.extend(extra.iter().map(|e| e.as_ref().to_owned()));
        out
    }
}

#[derive(Default)]
struct Report {
    passed: usize,
    ignored: usize,
    failures: Vec<(String, Run)>,
}

impl Report {
    /// Prints libtest's failure section and summary; answers the exit code.
    fn print(&self, filtered_out: usize, elapsed: Duration) -> i32 {
        if !self.failures.is_empty() {
            println!("\nfailures:\n");
            for (name, run) in &self.failures {
                print_output(name, run);
                if let Ending::Trap(text) = &run.ending {
                    println!("---- {name} trap ----\n{text}\n");
                } else if let Ending::Exit(code) = run.ending {
                    println!("---- {name} exit ----\nexit code {code}\n");
                }
            }
            println!("\nfailures:");
            for (name, _) in &self.failures {
                println!("    {name}");
            }
        }
        let outcome = if self.failures.is_empty() {
            "ok"
        } else {
            "FAILED"
        };
        println!(
            "\ntest result: {outcome}. {} passed; {} failed; {} ignored; 0 measured; {filtered_out} filtered out; finished in {:.2}s\n",
            self.passed,
            self.failures.len(),
            self.ignored,
            elapsed.as_secs_f64()
        );
        if self.failures.is_empty() { 0 } else { FAILED }
    }
}

/// The test's own stdout and stderr, without libtest's framing of the one-test run.
fn print_output(name: &str, run: &Run) {
    let framing = format!("test {name} ... ");
    for (stream, bytes) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        let own: Vec<&str> = text
            .lines()
            .map(|line| line.strip_prefix(framing.as_str()).unwrap_or(line))
            .filter(|line| {
                !(line.is_empty()
                    || *line == "running 1 test"
                    || *line == "ok"
                    || line.starts_with("test result: "))
            })
            .collect();
        if !own.is_empty() {
            println!("---- {name} {stream} ----\n{}\n", own.join("\n"));
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|&a| a.to_owned()).collect()
    }

    #[test]
    fn understood_arguments_are_parsed_and_others_refused() {
        let args = Args::parse(&strings(&[
            "emit::",
            "--skip",
            "slow",
            "--exact",
            "--nocapture",
            "--test-threads",
            "4",
        ]))
        .unwrap();
        assert_eq!(args.filters, ["emit::"]);
        assert_eq!(args.skips, ["slow"]);
        assert!(args.exact && args.nocapture && !args.show_output);
        assert_eq!(
            args.list_args(&["--ignored"]),
            ["emit::", "--skip", "slow", "--exact", "--ignored"]
        );
        assert!(Args::parse(&strings(&["--list"])).is_none());
        assert!(Args::parse(&strings(&["--format", "json"])).is_none());
        assert!(Args::parse(&strings(&["--skip"])).is_none());
    }
}
