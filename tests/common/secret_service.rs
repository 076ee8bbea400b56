//! A private Secret Service for a test: its own D-Bus session bus and an
//! unlocked gnome-keyring serving it, with a temp home, so the user's own
//! keyring is never touched. The real thing, not a mock: the same daemon a
//! GNOME desktop runs (Debian packages `dbus`, `gnome-keyring`).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct SecretService {
    bus: Child,
    /// `DBUS_SESSION_BUS_ADDRESS` of the private bus.
    pub address: String,
    home: tempfile::TempDir,
}

impl SecretService {
    pub fn start() -> SecretService {
        let home = tempfile::tempdir().expect("tmp home");
        let runtime = home.path().join("run");
        std::fs::create_dir_all(&runtime).expect("runtime dir");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        }
        // The bus prints its address once it listens: that line is the
        // "ready" event.
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (Debian package dbus): run scripts/setup.sh");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().expect("stdout")).read_line(&mut address).expect("bus address");
        let address = address.trim().to_owned();
        assert!(address.starts_with("unix:"), "dbus-daemon printed {address:?}");

        // `--unlock` reads the login keyring's password on stdin, creates the
        // keyring, and returns once its daemon serves the bus (it leaves with
        // the bus).
        let mut keyring = Self::command(home.path(), &address, "gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon (Debian package gnome-keyring): run scripts/setup.sh");
        keyring.stdin.take().expect("stdin").write_all(b"sonde-test-login").expect("password");
        assert!(
            keyring.wait().expect("gnome-keyring-daemon").success(),
            "gnome-keyring-daemon --unlock failed"
        );
        SecretService { bus, address, home }
    }

    /// `program` with this Secret Service's environment.
    pub fn command(home: &Path, address: &str, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", address)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_RUNTIME_DIR", home.join("run"));
        cmd
    }

    /// `secret-tool` (Debian package `libsecret-tools`), an independent
    /// client of the same service.
    pub fn secret_tool(&self) -> Command {
        Self::command(self.home.path(), &self.address, "secret-tool")
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}
