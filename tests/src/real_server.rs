//! The real signalk-server 2.32.0, started by `conformance/realhost.sh` on 127.0.0.1 for
//! one test and stopped (only that one) when dropped; and what the differential tests
//! compare it with the mock host by.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;
use signalk_plugin_host_mock::package_crate;

use crate::raw_http::RawResponse;
use crate::repo_root;

/// `realhost.sh`'s exit status when npm is unreachable (`EX_TEMPFAIL`).
const NPM_UNREACHABLE: i32 = 75;

/// Runs `conformance/realhost.sh ARGS`; `None`, after saying the test is skipped, when
/// npm is unreachable. Any other failure fails the test with the script's output.
///
/// # Panics
///
/// If the script cannot be run or fails for another reason.
#[must_use]
pub fn realhost(args: &[&str]) -> Option<Output> {
    let out = Command::new(repo_root().join("conformance/realhost.sh"))
        .args(args)
        .output()
        .expect("run conformance/realhost.sh");
    if out.status.code() == Some(NPM_UNREACHABLE) {
        eprintln!(
            "SKIPPED: the real signalk-server needs npm and it is unreachable: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return None;
    }
    assert!(
        out.status.success(),
        "realhost.sh {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out)
}

/// A running signalk-server with plugins installed; stopped on drop.
pub struct RealServer {
    base: String,
    config_dir: String,
    log: PathBuf,
    agent: ureq::Agent,
}

impl RealServer {
    /// Starts the stock server with each `(plugin folder, configuration)`; `None` when
    /// npm is unreachable (the test is then skipped, with a message).
    ///
    /// # Panics
    ///
    /// If the server does not start.
    #[must_use]
    pub fn start(plugins: &[(&Path, Value)]) -> Option<RealServer> {
        Self::launch(false, plugins)
    }

    /// Like [`start`](Self::start), with the chunked channel's host half applied
    /// (`realhost.sh start --chunked`).
    ///
    /// # Panics
    ///
    /// If the server does not start.
    #[must_use]
    pub fn start_chunked(plugins: &[(&Path, Value)]) -> Option<RealServer> {
        Self::launch(true, plugins)
    }

    fn launch(chunked: bool, plugins: &[(&Path, Value)]) -> Option<RealServer> {
        realhost(&["install"])?;
        let mut args = vec!["start".to_owned()];
        if chunked {
            args.push("--chunked".to_owned());
        }
        for (dir, config) in plugins {
            args.push("--config".to_owned());
            args.push(config.to_string());
            args.push(dir.display().to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = realhost(&args)?;
        let vars: HashMap<String, String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
            .collect();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        Some(RealServer {
            base: vars["SK_BASE_URL"].clone(),
            config_dir: vars["SK_CONFIG_DIR"].clone(),
            log: PathBuf::from(&vars["SK_LOG"]),
            agent,
        })
    }

    /// `http://127.0.0.1:<port>`.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `127.0.0.1:<port>`, the address to connect to.
    #[must_use]
    pub fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// Sends a request exactly as given (request line, these headers in this order, the
    /// body bytes) and returns the reply as it came: see [`RawResponse`].
    ///
    /// ```no_run
    /// # let real: cross_crate_tests::RealServer = unimplemented!();
    /// let headers = vec![("host".to_owned(), real.addr().to_owned())];
    /// let reply = real.send("GET", "/signalk", &headers, b"").unwrap();
    /// assert_eq!(reply.status, 200);
    /// ```
    ///
    /// # Errors
    ///
    /// As [`raw_http::send`](crate::raw_http::send).
    pub fn send(
        &self,
        method: &str,
        target: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<RawResponse, String> {
        crate::raw_http::send(self.addr(), method, target, headers, body)
    }

    /// One PUT over the WebSocket stream: the messages received after the hello, in
    /// order (2.32.0 sends the plugin's reply, then a second, bogus 500).
    ///
    /// ```no_run
    /// # let real: cross_crate_tests::RealServer = unimplemented!();
    /// let replies = real.ws_put("vessels.self", "a.b", "1", "r1").unwrap();
    /// assert_eq!(replies[0]["requestId"], "r1");
    /// ```
    ///
    /// # Errors
    ///
    /// As [`ws_put::ws_put`](crate::ws_put::ws_put).
    pub fn ws_put(
        &self,
        context: &str,
        path: &str,
        value_json: &str,
        request_id: &str,
    ) -> Result<Vec<Value>, String> {
        crate::ws_put::ws_put(self.addr(), context, path, value_json, request_id)
    }

    fn answer(mut r: ureq::http::Response<ureq::Body>) -> (u16, Vec<u8>) {
        let status = r.status().as_u16();
        let body = r
            .body_mut()
            .with_config()
            .limit(256 << 20)
            .read_to_vec()
            .expect("read the reply");
        (status, body)
    }

    fn text((status, body): (u16, Vec<u8>)) -> (u16, String) {
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// `GET path`: status and body bytes.
    ///
    /// # Panics
    ///
    /// If the server does not answer.
    #[must_use]
    pub fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        Self::answer(
            self.agent
                .get(format!("{}{path}", self.base))
                .call()
                .unwrap_or_else(|e| panic!("GET {path}: {e}")),
        )
    }

    /// `GET path`: status and body text.
    #[must_use]
    pub fn get(&self, path: &str) -> (u16, String) {
        Self::text(self.get_bytes(path))
    }

    /// `GET path`, which must answer 200 with JSON.
    ///
    /// # Panics
    ///
    /// On another status or a body that is not JSON.
    #[must_use]
    pub fn get_json(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }

    /// `POST path` with a JSON body.
    ///
    /// # Panics
    ///
    /// If the server does not answer.
    pub fn post(&self, path: &str, body: &Value) -> (u16, String) {
        Self::text(Self::answer(
            self.agent
                .post(format!("{}{path}", self.base))
                .send_json(body)
                .unwrap_or_else(|e| panic!("POST {path}: {e}")),
        ))
    }

    /// `PUT path` with a JSON body.
    pub fn put(&self, path: &str, body: &Value) -> (u16, String) {
        self.put_text(path, &body.to_string())
    }

    /// `PUT path` with JSON text given as is.
    ///
    /// # Panics
    ///
    /// If the server does not answer.
    pub fn put_text(&self, path: &str, json: &str) -> (u16, String) {
        Self::text(Self::answer(
            self.agent
                .put(format!("{}{path}", self.base))
                .header("Content-Type", "application/json")
                .send(json)
                .unwrap_or_else(|e| panic!("PUT {path}: {e}")),
        ))
    }

    /// The plugin list entry of `id` (`/skServer/plugins`).
    ///
    /// # Panics
    ///
    /// If the plugin is not listed.
    #[must_use]
    pub fn plugin(&self, id: &str) -> Value {
        let list = self.get_json("/skServer/plugins");
        list.as_array()
            .and_then(|l| l.iter().find(|p| p["id"] == id).cloned())
            .unwrap_or_else(|| panic!("plugin {id} not listed: {list}"))
    }

    /// The own vessel's node at `path` as the REST API serves it (`value`, `$source`,
    /// `meta`, ...); `null` when absent.
    #[must_use]
    pub fn self_entry(&self, path: &str) -> Value {
        let (status, body) = self.get(&format!(
            "/signalk/v1/api/vessels/self/{}",
            path.replace('.', "/")
        ));
        if status == 200 {
            serde_json::from_str(&body).unwrap_or(Value::Null)
        } else {
            Value::Null
        }
    }

    /// The server's log so far (it runs with `DEBUG=signalk:wasm:*`, so every
    /// `sk_set_error` is there as `[<package>] Error: <message>`).
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The `sk_set_error` messages of `package`, oldest first.
    #[must_use]
    pub fn errors(&self, package: &str) -> Vec<String> {
        let marker = format!("[{package}] Error: ");
        self.log()
            .lines()
            .filter_map(|l| l.split_once(&marker).map(|(_, m)| m.to_owned()))
            .collect()
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        let _ = Command::new(repo_root().join("conformance/realhost.sh"))
            .arg("stop")
            .arg(&self.config_dir)
            .status();
    }
}

/// Packages a plugin crate for the real server as `work/name`.
///
/// # Panics
///
/// If the crate does not build or package.
#[must_use]
pub fn package(crate_dir: &Path, work: &Path, name: &str) -> PathBuf {
    package_crate(crate_dir, &work.join(name), None)
        .unwrap_or_else(|e| panic!("packaging {name}: {e}"))
}

/// Differences between the real server and the mock host, collected instead of
/// stopping at the first.
#[derive(Debug, Default)]
pub struct Diffs(pub Vec<String>);

impl Diffs {
    /// Records a difference when `real != mock`.
    pub fn same<R, M>(&mut self, what: &str, real: R, mock: M)
    where
        R: std::fmt::Debug + PartialEq<M>,
        M: std::fmt::Debug,
    {
        if real != mock {
            self.0
                .push(format!("{what}: real {real:?} != mock {mock:?}"));
        }
    }

    /// Fails the test listing every difference, if there is any.
    ///
    /// # Panics
    ///
    /// When there are differences.
    pub fn assert_none(&self) {
        assert!(
            self.0.is_empty(),
            "the mock host differs from signalk-server 2.32.0:\n  {}",
            self.0.join("\n  ")
        );
    }
}
