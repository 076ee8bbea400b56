//! Logs go to a daily-rotated file in the OS's log dir (7 kept; see
//! `sonde_core::paths`). Spans carry paths, counts and timings; cell values
//! are never logged.

use std::path::{Path, PathBuf};

pub fn init(log_dir: &Path) -> (PathBuf, Option<tracing_appender::non_blocking::WorkerGuard>) {
    let dir = log_dir.to_path_buf();
    let file = dir.join("sonde.log");
    if std::fs::create_dir_all(&dir).is_err() {
        return (file, None);
    }
    let appender = match tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("sonde")
        .filename_suffix("log")
        .max_log_files(7)
        .build(&dir)
    {
        Ok(a) => a,
        Err(_) => return (file, None),
    };
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("SONDE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sonde=debug"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(writer)
        .try_init();
    (file, Some(guard))
}
