//! `sonde-devsim` command line: `serve` a device directory, or write a
//! `demo` one. Logs go to stderr (`RUST_LOG`, default `warn`); stdout only
//! carries the ready line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    },
    /// Write a demo device into DIR.
    Demo {
        /// Target directory (created if missing).
        dir: PathBuf,
    },
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

async fn serve(root: PathBuf, port: u16) -> Result<(), sonde_devsim::ServerError> {
    let device = sonde_devsim::prepare(&root)?;
    let listener = sonde_devsim::bind(port).await?;
    let addr = listener.local_addr()?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "adb-device {addr}")?;
        stdout.flush()?;
    }
    sonde_devsim::serve(listener, device).await
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { root, port, exit_with_stdin } => {
            if exit_with_stdin {
                std::thread::spawn(|| {
                    let mut sink = [0u8; 256];
                    let mut stdin = std::io::stdin().lock();
                    while matches!(std::io::Read::read(&mut stdin, &mut sink), Ok(n) if n > 0) {}
                    std::process::exit(0);
                });
            }
            let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("sonde-devsim: cannot start runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(serve(root, port)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("sonde-devsim: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Demo { dir } => match sonde_devsim::demo::write_demo(&dir) {
            Ok(()) => {
                println!("demo device written to {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("sonde-devsim: {e}");
                ExitCode::FAILURE
            }
        },
    }
}
