//! `sonde-devsim` command line: `serve` a device directory, or write a
//! `demo` one. Logs go to stderr (`RUST_LOG`, default `warn`); stdout only
//! carries the ready line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sonde_devsim::demo;

#[derive(Parser)]
#[command(name = "sonde-devsim", version, about = "Simulated Android device for adb")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the device in DIR on 127.0.0.1 until killed.
    Serve {
        /// Device directory (device.json + fs/).
        #[arg(long)]
        root: PathBuf,
        /// TCP port; 0 picks a free one.
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Exit when stdin reaches end of file: a parent that holds our
        /// stdin open takes us down with it, however it dies.
        #[arg(long)]
        exit_with_stdin: bool,
        /// The demo chat app receives a message every MS milliseconds
        /// (so a watch has something to show); off when absent.
        #[arg(long, value_name = "MS")]
        live: Option<u64>,
    },
    /// Write a demo device into DIR.
    Demo {
        /// Target directory (created if missing).
        dir: PathBuf,
        /// A small events table (1,000 rows instead of 1,000,000), for tests.
        #[arg(long)]
        small: bool,
        /// Keep a demo of this version that is already there (the user's
        /// changes on the simulated device survive restarts).
        #[arg(long)]
        keep: bool,
    },
    /// The demo chat app receives N messages now (what `serve --live` does
    /// on a timer), then exits: deterministic app writes for tests.
    Chat {
        /// Device directory written by `demo`.
        #[arg(long)]
        root: PathBuf,
        #[arg(long, default_value_t = 1)]
        messages: usize,
    },
    /// Serve the simulated iPhone in DIR as a usbmuxd on the Unix socket
    /// PATH until killed; prints `usbmuxd PATH UDID` when ready.
    #[cfg(target_os = "linux")]
    Ios {
        /// Phone directory (info.json, apps.json, containers/, pairing/...).
        #[arg(long)]
        root: PathBuf,
        /// The Unix socket to listen on (USBMUXD_SOCKET_ADDRESS=UNIX:PATH).
        #[arg(long)]
        socket: PathBuf,
        /// Exit when stdin reaches end of file.
        #[arg(long)]
        exit_with_stdin: bool,
    },
    /// Write the demo iPhone into DIR.
    #[cfg(target_os = "linux")]
    IosDemo {
        /// Target directory (created if missing).
        dir: PathBuf,
    },
    /// Write one of the generated sample databases to OUT.
    Fixture {
        #[arg(value_enum)]
        kind: FixtureKind,
        out: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FixtureKind {
    /// The music catalog (Artist, Album, Track, ...), as in the demo's music app.
    Catalog,
    /// A Core Data-style store (the demo's planner app).
    Coredata,
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

async fn serve(root: PathBuf, port: u16, live: Option<u64>) -> Result<(), sonde_devsim::ServerError> {
    let device = sonde_devsim::prepare(&root)?;
    if let Some(ms) = live {
        sonde_devsim::live::spawn_chat(&root, std::time::Duration::from_millis(ms.max(100)));
    }
    let listener = sonde_devsim::bind(port).await?;
    let addr = listener.local_addr()?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "adb-device {addr}")?;
        stdout.flush()?;
    }
    sonde_devsim::serve(listener, device).await
}

#[cfg(target_os = "linux")]
async fn serve_ios(root: PathBuf, socket: PathBuf) -> Result<(), sonde_devsim::ios::IosError> {
    let (sim, listener) = sonde_devsim::ios::prepare(&root, &socket)?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "usbmuxd {} {}", socket.display(), sim.phone.udid())?;
        stdout.flush()?;
    }
    sonde_devsim::ios::serve(listener, sim).await
}

fn exit_with_stdin() {
    std::thread::spawn(|| {
        let mut sink = [0u8; 256];
        let mut stdin = std::io::stdin().lock();
        while matches!(std::io::Read::read(&mut stdin, &mut sink), Ok(n) if n > 0) {}
        std::process::exit(0);
    });
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("sonde-devsim: cannot start runtime: {e}");
            None
        }
    }
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match cli.command {
        #[cfg(target_os = "linux")]
        Command::Ios { root, socket, exit_with_stdin: exit } => {
            if exit {
                exit_with_stdin();
            }
            let Some(runtime) = runtime() else {
                return ExitCode::FAILURE;
            };
            match runtime.block_on(serve_ios(root, socket)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("sonde-devsim: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        #[cfg(target_os = "linux")]
        Command::IosDemo { dir } => match sonde_devsim::ios::demo::write_demo(&dir) {
            Ok(()) => {
                println!("demo iPhone written to {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("sonde-devsim: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Serve { root, port, exit_with_stdin: exit, live } => {
            if exit {
                exit_with_stdin();
            }
            let Some(runtime) = runtime() else {
                return ExitCode::FAILURE;
            };
            match runtime.block_on(serve(root, port, live)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("sonde-devsim: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Demo { dir, small, keep } => {
            let size = if small { demo::DemoSize::Small } else { demo::DemoSize::Full };
            let written = if keep {
                demo::ensure_demo(&dir, size)
            } else {
                demo::write_demo_sized(&dir, size).map(|()| true)
            };
            let what = if written.as_ref().is_ok_and(|w| *w) {
                "demo device written to"
            } else {
                "demo device kept in"
            };
            done(written.map(drop), &format!("{what} {}", dir.display()))
        }
        Command::Chat { root, messages } => {
            match demo::append_messages(&root.join("fs").join(demo::CHAT_DB), messages, 0) {
                Ok(ids) => {
                    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                    println!("{}", ids.join(" "));
                    ExitCode::SUCCESS
                }
                Err(e) => done(Err(e), ""),
            }
        }
        Command::Fixture { kind, out } => {
            let made = match kind {
                FixtureKind::Catalog => demo::catalog::create(&out),
                FixtureKind::Coredata => demo::coredata::create(&out),
            };
            done(made, &out.display().to_string())
        }
    }
}

fn done(result: Result<(), demo::DemoError>, message: &str) -> ExitCode {
    match result {
        Ok(()) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sonde-devsim: {e}");
            ExitCode::FAILURE
        }
    }
}
