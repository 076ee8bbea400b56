//! The process runner: the one place external tools are started.
//!
//! - argv only: tools are executed directly, never through a host shell;
//! - every call has a timeout that kills the child (adb hangs forever on a
//!   stalled device) and can be cancelled (the child is killed too; on
//!   Windows with its whole process tree, see [`tree_kill_command`]);
//! - captured output is bounded; binary output can go straight to a file;
//! - [`retry`] repeats retryable failures with exponential backoff and jitter.

use crate::error::{DeviceError, Result};
use crate::host::HostOs;
use rand::RngExt as _;
use std::ffi::OsString;
use std::future::Future;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;
pub use tokio_util::sync::CancellationToken;

/// Output captured beyond this is an error, not a memory blow-up.
const MAX_CAPTURE: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ToolCall {
    /// Tool name for messages (`adb`, `afcclient`...).
    pub tool: &'static str,
    /// Metric name (`tool.adb`...).
    pub metric: &'static str,
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub timeout: Duration,
    /// Send stdout to this file instead of capturing it (binary transfers).
    pub stdout_to: Option<PathBuf>,
    /// Extra environment for the child.
    pub env: Vec<(OsString, OsString)>,
    /// What the call is for, in the user's terms (timeouts say it).
    pub what: String,
}

impl ToolCall {
    pub fn new(
        tool: &'static str,
        metric: &'static str,
        program: impl Into<PathBuf>,
        timeout: Duration,
    ) -> Self {
        ToolCall {
            tool,
            metric,
            program: program.into(),
            args: Vec::new(),
            timeout,
            stdout_to: None,
            env: Vec::new(),
            what: String::new(),
        }
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn what(mut self, what: impl Into<String>) -> Self {
        self.what = what.into();
        self
    }

    pub fn stdout_to(mut self, path: impl Into<PathBuf>) -> Self {
        self.stdout_to = Some(path.into());
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct ToolOutput {
    /// Exit code; -1 when killed by a signal.
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl ToolOutput {
    pub fn success(&self) -> bool {
        self.code == 0
    }
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
    /// stderr, or stdout when stderr is empty (adb prints sync errors to stdout).
    pub fn message(&self) -> String {
        let err = self.stderr_text();
        let text = if err.trim().is_empty() { self.stdout_text() } else { err };
        text.trim().lines().take(3).collect::<Vec<_>>().join(" / ")
    }
}

/// Runs one tool call to completion, timeout or cancellation.
pub async fn run(call: &ToolCall, cancel: &CancellationToken) -> Result<ToolOutput> {
    let start = Instant::now();
    let result = run_inner(call, cancel).await;
    sonde_metrics::record(call.metric, start.elapsed(), result.is_ok());
    tracing::debug!(
        tool = call.tool,
        what = %call.what,
        ms = start.elapsed().as_millis() as u64,
        code = result.as_ref().map(|o| o.code).unwrap_or(i32::MIN),
        "tool call"
    );
    result
}

async fn run_inner(call: &ToolCall, cancel: &CancellationToken) -> Result<ToolOutput> {
    if cancel.is_cancelled() {
        return Err(DeviceError::Cancelled);
    }
    let mut cmd = Command::new(&call.program);
    cmd.args(&call.args).stdin(Stdio::null()).stderr(Stdio::piped()).kill_on_drop(true);
    for (k, v) in &call.env {
        cmd.env(k, v);
    }
    match &call.stdout_to {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| DeviceError::io(path, e))?;
            cmd.stdout(Stdio::from(file));
        }
        None => {
            cmd.stdout(Stdio::piped());
        }
    }
    let mut child = cmd.spawn().map_err(|e| spawn_error(call, e))?;
    #[cfg(windows)]
    let pid = child.id();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let collect = async {
        let (out, err) = tokio::join!(read_capped(stdout, call.tool), read_capped(stderr, call.tool));
        let status = child.wait().await;
        (out, err, status)
    };
    tokio::select! {
        (out, err, status) = collect => {
            let status = status.map_err(|e| DeviceError::io(&call.program, e))?;
            let (stdout, stderr) = (out?, err?);
            Ok(ToolOutput { code: status.code().unwrap_or(-1), stdout, stderr })
        }
        _ = tokio::time::sleep(call.timeout) => {
            // The child is dropped on return: kill_on_drop kills it (on
            // Windows its tree goes first, see `tree_kill_command`).
            #[cfg(windows)]
            kill_tree(pid).await;
            Err(DeviceError::Timeout { tool: call.tool, what: call.what.clone(), after: call.timeout })
        }
        _ = cancel.cancelled() => {
            #[cfg(windows)]
            kill_tree(pid).await;
            Err(DeviceError::Cancelled)
        }
    }
}

/// The argv that kills process `pid` with everything it started, where
/// killing the child alone is not enough: Windows' `TerminateProcess` (what
/// kill_on_drop does there) spares grandchildren, e.g. the server adb
/// starts or what a `.cmd` shim runs. `None` on Unix: children stay in
/// Sonde's process group, so a terminal's Ctrl-C reaches them too, and
/// kill_on_drop's SIGKILL ends the child itself.
pub fn tree_kill_command(os: HostOs, pid: u32) -> Option<Vec<String>> {
    match os {
        HostOs::Windows => Some(
            ["taskkill", "/T", "/F", "/PID"].into_iter().map(String::from).chain([pid.to_string()]).collect(),
        ),
        HostOs::Linux | HostOs::MacOs => None,
    }
}

/// Kills the tree of a child that timed out or was cancelled, before
/// kill_on_drop reaps the child itself.
#[cfg(windows)]
async fn kill_tree(pid: Option<u32>) {
    /// No console window flashes up for taskkill in the desktop app.
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;
    let Some(argv) = pid.and_then(|pid| tree_kill_command(HostOs::current(), pid)) else { return };
    let Some((program, args)) = argv.split_first() else { return };
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .creation_flags(CREATE_NO_WINDOW)
        .kill_on_drop(true);
    let status = tokio::time::timeout(Duration::from_secs(5), cmd.status()).await;
    if !matches!(status, Ok(Ok(s)) if s.success()) {
        tracing::debug!(?status, ?pid, "taskkill of a process tree failed");
    }
}

async fn read_capped<R: AsyncRead + Unpin>(pipe: Option<R>, tool: &'static str) -> Result<Vec<u8>> {
    let Some(mut pipe) = pipe else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = pipe.read(&mut buf).await.map_err(|e| DeviceError::io("<pipe>", e))?;
        if n == 0 {
            return Ok(out);
        }
        if out.len() + n > MAX_CAPTURE {
            return Err(DeviceError::OutputTooLarge { tool, limit_mib: MAX_CAPTURE / (1024 * 1024) });
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// A long-running helper process (Sonde's simulated device), started
/// through the runner like every tool: argv only, its first stdout line
/// (its "ready" line) awaited within `ready_within`, killed when dropped.
/// Its stdin stays open while the handle lives: a child that watches its
/// stdin exits however the parent dies.
pub struct Service {
    child: tokio::process::Child,
    _stdin: Option<tokio::process::ChildStdin>,
    /// The ready line, trimmed.
    pub ready_line: String,
}

impl Service {
    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// Starts `call` as a [`Service`]; `call.timeout` bounds the wait for the
/// ready line (a child that hangs, or exits first, is an error, never a
/// stuck caller).
pub async fn spawn_service(call: &ToolCall) -> Result<Service> {
    use tokio::io::AsyncBufReadExt;
    let mut cmd = Command::new(&call.program);
    cmd.args(&call.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    for (k, v) in &call.env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().map_err(|e| spawn_error(call, e))?;
    let stdin = child.stdin.take();
    let stdout = child.stdout.take().ok_or_else(|| DeviceError::Internal("no stdout pipe".into()))?;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let line = match tokio::time::timeout(call.timeout, lines.next_line()).await {
        Ok(Ok(Some(line))) => line,
        Ok(Ok(None)) | Ok(Err(_)) => {
            let code = child.wait().await.ok().and_then(|s| s.code()).unwrap_or(-1);
            return Err(DeviceError::ToolFailed {
                tool: call.tool,
                code,
                message: format!("{} exited before it was ready", call.what),
            });
        }
        Err(_) => {
            return Err(DeviceError::Timeout {
                tool: call.tool,
                what: call.what.clone(),
                after: call.timeout,
            })
        }
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(Service { child, _stdin: stdin, ready_line: line.trim().to_owned() })
}

/// Timeouts of a platform's tool calls (configurable for tests and slow
/// devices).
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Listing, stat, hashing, moving files.
    pub command: Duration,
    /// Transfers: this much plus `per_mib` for every MiB.
    pub transfer_base: Duration,
    pub per_mib: Duration,
}

impl Timeouts {
    pub const fn new(command_secs: u64, transfer_base_secs: u64, per_mib_ms: u64) -> Self {
        Timeouts {
            command: Duration::from_secs(command_secs),
            transfer_base: Duration::from_secs(transfer_base_secs),
            per_mib: Duration::from_millis(per_mib_ms),
        }
    }

    /// The budget for transferring `bytes`.
    pub fn transfer(&self, bytes: u64) -> Duration {
        self.transfer_base
            + self.per_mib.saturating_mul(u32::try_from(bytes / (1024 * 1024)).unwrap_or(u32::MAX))
    }
}

/// Exponential backoff with jitter for retryable failures.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry { attempts: 3, base: Duration::from_millis(200), max: Duration::from_secs(3) }
    }
}

impl Retry {
    /// Delay before attempt `n` (1-based retries): base·2ⁿ⁻¹ capped, with
    /// "equal jitter" (half fixed, half random) so devices are not hammered
    /// in lockstep.
    pub fn delay(&self, retry: u32) -> Duration {
        let exp = self.base.saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let capped = exp.min(self.max);
        let half = capped / 2;
        let jitter_ms = rand::rng().random_range(0..=half.as_millis().max(1) as u64);
        half + Duration::from_millis(jitter_ms)
    }
}

/// Runs `attempt` until it succeeds, fails with a non-retryable error, or
/// runs out of attempts.
pub async fn retry<T, F, Fut>(policy: Retry, cancel: &CancellationToken, mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut n = 0;
    loop {
        n += 1;
        match attempt().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_retryable() && n < policy.attempts => {
                let pause = policy.delay(n);
                tracing::debug!(error = %e, attempt = n, ?pause, "retrying");
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = cancel.cancelled() => return Err(DeviceError::Cancelled),
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// Why a tool did not start: missing (the path does not exist), or another I/O error.
fn spawn_error(call: &ToolCall, e: std::io::Error) -> DeviceError {
    match e.kind() {
        std::io::ErrorKind::NotFound => DeviceError::ToolMissing {
            tool: call.tool,
            hint: format!("{} does not exist", call.program.display()),
        },
        _ => DeviceError::io(&call.program, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout_ms: u64) -> ToolCall {
        ToolCall::new("sh", "tool.test", "/bin/sh", Duration::from_millis(timeout_ms)).arg("-c").arg(script)
    }

    #[tokio::test]
    async fn captures_output_and_exit_code() {
        let out = run(&sh("printf 'a\\0b'; echo err >&2; exit 3", 5000), &CancellationToken::new())
            .await
            .expect("run");
        assert_eq!(out.stdout, b"a\0b");
        assert_eq!(out.stderr_text().trim(), "err");
        assert_eq!(out.code, 3);
    }

    /// Whether process `pid` still runs (a zombie waiting to be reaped is dead).
    fn alive(pid: &str) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|stat| {
                stat.rsplit(')').next().map(|rest| !rest.trim_start().starts_with('Z')).unwrap_or(false)
            })
            .unwrap_or(false)
    }

    #[tokio::test]
    async fn timeout_kills_the_child() {
        let dir = tempfile::tempdir().expect("tmp");
        let pid_file = dir.path().join("pid");
        // The child announces its pid (renamed into place, so it is whole),
        // then hangs like a stalled adb.
        let script =
            format!("echo $$ > '{0}.tmp' && mv '{0}.tmp' '{0}' && exec sleep 600", pid_file.display());
        let (call, cancel) = (sh(&script, 1_000), CancellationToken::new());
        let (result, pid) = tokio::join!(run(&call, &cancel), async {
            while !pid_file.exists() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            std::fs::read_to_string(&pid_file).expect("pid").trim().to_owned()
        });
        let err = result.expect_err("timeout");
        assert!(matches!(err, DeviceError::Timeout { .. }), "{err}");
        // The kill is immediate (SIGKILL); wait for it to show, without a deadline.
        while alive(&pid) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    #[tokio::test]
    async fn cancellation_stops_the_call() {
        let cancel = CancellationToken::new();
        let c2 = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            c2.cancel();
        });
        let err = run(&sh("sleep 5", 10_000), &cancel).await.expect_err("cancelled");
        assert!(matches!(err, DeviceError::Cancelled));
    }

    #[tokio::test]
    async fn a_service_that_never_gets_ready_is_an_error_not_a_hang() {
        let ready = spawn_service(&sh("echo 'ready 1'; exec sleep 600", 5_000)).await.expect("ready");
        assert_eq!(ready.ready_line, "ready 1");
        let silent = spawn_service(&sh("exec sleep 600", 300)).await.err().expect("no ready line");
        assert!(matches!(silent, DeviceError::Timeout { .. }), "{silent}");
        let died = spawn_service(&sh("exit 3", 5_000)).await.err().expect("exited");
        assert!(matches!(died, DeviceError::ToolFailed { code: 3, .. }), "{died}");
    }

    #[tokio::test]
    async fn missing_tool_is_a_typed_error() {
        let call = ToolCall::new("adb", "tool.test", "/nonexistent/adb", Duration::from_secs(1));
        assert!(matches!(run(&call, &CancellationToken::new()).await, Err(DeviceError::ToolMissing { .. })));
    }

    #[tokio::test]
    async fn retries_only_retryable_errors() {
        let mut calls = 0;
        let policy = Retry { attempts: 4, base: Duration::from_millis(1), max: Duration::from_millis(5) };
        let r: Result<()> = retry(policy, &CancellationToken::new(), || {
            calls += 1;
            async { Err(DeviceError::Offline { device: "x".into() }) }
        })
        .await;
        assert!(r.is_err());
        assert_eq!(calls, 4);
        let mut calls = 0;
        let r: Result<()> = retry(policy, &CancellationToken::new(), || {
            calls += 1;
            async { Err(DeviceError::NotDebuggable { package: "p".into() }) }
        })
        .await;
        assert!(r.is_err());
        assert_eq!(calls, 1);
    }

    #[test]
    fn windows_kills_the_whole_tree_with_taskkill() {
        assert_eq!(
            tree_kill_command(HostOs::Windows, 4242).expect("windows argv"),
            ["taskkill", "/T", "/F", "/PID", "4242"]
        );
    }

    /// Linux and macOS: the child shares Sonde's process group, and
    /// kill_on_drop's SIGKILL is the kill (see `timeout_kills_the_child`).
    #[test]
    fn linux_and_macos_need_no_tree_kill_command() {
        assert_eq!(tree_kill_command(HostOs::Linux, 4242), None);
        assert_eq!(tree_kill_command(HostOs::MacOs, 4242), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = Retry { attempts: 10, base: Duration::from_millis(100), max: Duration::from_millis(800) };
        for n in 1..10 {
            let d = p.delay(n);
            let cap = Duration::from_millis((100u64 << (n - 1)).min(800));
            assert!(d >= cap / 2 && d <= cap, "retry {n}: {d:?}");
        }
    }
}
