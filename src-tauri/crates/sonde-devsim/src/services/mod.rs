//! The services a host can OPEN: `shell:`, `shell,v2,...:`, `exec:`,
//! `sync:`. Anything else is refused with CLSE, like adbd does.

pub mod shell;
pub mod sync;

use std::path::PathBuf;

use crate::stream::StreamIo;
use crate::toybox::DeviceEnv;

/// A parsed OPEN service string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Service {
    /// `shell:<cmd>` or `shell,<args>:<cmd>` without `v2`: raw output,
    /// stderr merged, exit code lost.
    ShellV1(String),
    /// `shell,v2,...:<cmd>`: shell protocol packets.
    ShellV2(String),
    /// `exec:<cmd>`: raw stdout only, binary-safe.
    Exec(String),
    Sync,
}

impl Service {
    pub fn parse(name: &str) -> Option<Self> {
        if let Some(cmd) = name.strip_prefix("exec:") {
            return Some(Service::Exec(cmd.to_string()));
        }
        if name == "sync:" {
            return Some(Service::Sync);
        }
        if let Some(cmd) = name.strip_prefix("shell:") {
            return Some(Service::ShellV1(cmd.to_string()));
        }
        let rest = name.strip_prefix("shell,")?;
        let (args, cmd) = rest.split_once(':')?;
        if args.split(',').any(|a| a == "v2") {
            Some(Service::ShellV2(cmd.to_string()))
        } else {
            Some(Service::ShellV1(cmd.to_string()))
        }
    }
}

/// Runs a service on its stream until it finishes.
pub async fn run(service: Service, mut io: StreamIo, env: DeviceEnv, tmp_dir: PathBuf) {
    // A `when: start` fault fires before the service does anything.
    io.at_start().await;
    match service {
        Service::ShellV1(cmd) => shell::run_raw(io, env, cmd, true).await,
        Service::Exec(cmd) => shell::run_raw(io, env, cmd, false).await,
        Service::ShellV2(cmd) => shell::run_v2(io, env, cmd).await,
        Service::Sync => sync::run(io, env, tmp_dir).await,
    }
}

#[cfg(test)]
mod tests {
    use super::Service;

    #[test]
    fn parses_services() {
        assert_eq!(
            Service::parse("shell,v2,TERM=xterm,raw:ls -l /a:b"),
            Some(Service::ShellV2("ls -l /a:b".into()))
        );
        assert_eq!(Service::parse("shell:echo hi"), Some(Service::ShellV1("echo hi".into())));
        assert_eq!(Service::parse("shell,raw:echo"), Some(Service::ShellV1("echo".into())));
        assert_eq!(Service::parse("exec:cat '/sdcard/x'"), Some(Service::Exec("cat '/sdcard/x'".into())));
        assert_eq!(Service::parse("sync:"), Some(Service::Sync));
        assert_eq!(Service::parse("reboot:"), None);
        assert_eq!(Service::parse("framebuffer:"), None);
    }
}
