//! Device errors, each with what the user should do.

use std::path::PathBuf;
use std::time::Duration;

pub type Result<T, E = DeviceError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("{tool} not found: {hint}")]
    ToolMissing { tool: &'static str, hint: String },
    #[error("{tool} did not answer within {}s ({what}): the device may be stalled; reconnect it and retry", .after.as_secs_f32())]
    Timeout { tool: &'static str, what: String, after: Duration },
    #[error("cancelled")]
    Cancelled,
    #[error("device unauthorized: accept the USB debugging prompt on the phone (iOS: tap Trust) ({device})")]
    Unauthorized { device: String },
    #[error("device offline: reconnect the cable (or restart adb / usbmuxd) ({device})")]
    Offline { device: String },
    #[error("device not found: {device} (is it connected?)")]
    DeviceNotFound { device: String },
    #[error("unknown package: {package} is not installed on the device")]
    UnknownPackage { package: String },
    #[error("app is not debuggable: run-as is refused for {package} (use a debug build)")]
    NotDebuggable { package: String },
    #[error("no such file on the device: {path}")]
    NoSuchFile { path: String },
    #[error("permission denied on the device: {path}")]
    PermissionDenied { path: String },
    #[error("invalid {what} {name:?}: {reason}")]
    InvalidName { what: &'static str, name: String, reason: &'static str },
    #[error("invalid device URI {uri:?}: {reason}")]
    BadUri { uri: String, reason: String },
    #[error("transfer of {path} was incomplete or corrupted ({detail}); nothing was kept")]
    TransferIncomplete { path: String, detail: String },
    #[error("the database kept changing on the device while it was copied; stop the app (or retry) and pull again")]
    KeptChanging,
    #[error("push refused: the database on the device changed since it was pulled ({path}); pull it again and redo the edits")]
    ChangedOnDevice { path: String },
    #[error("push failed and was rolled back; the device still has its previous database ({detail})")]
    PushRolledBack { detail: String },
    #[error("another Sonde is already pulling or pushing {uri}: wait for it to finish, then retry")]
    Busy { uri: String },
    #[error("no snapshot of {uri}: pull it first")]
    NoSnapshot { uri: String },
    #[error("{tool} failed (exit {code}): {message}")]
    ToolFailed { tool: &'static str, code: i32, message: String },
    #[error("{tool} printed more than {limit_mib} MiB; refusing to buffer more")]
    OutputTooLarge { tool: &'static str, limit_mib: usize },
    #[error("iOS device {udid} is locked or does not trust this computer: unlock it, tap \"Trust\" (or run `idevicepair pair`) and retry")]
    Untrusted { udid: String },
    #[error("iOS device {udid} is locked: unlock it with its passcode and retry")]
    Locked { udid: String },
    #[error("usbmuxd is not reachable at {address} ({detail}): Linux: install usbmuxd (apt install usbmuxd) and reconnect the device; macOS/Windows: it comes with Apple's device support (Finder, iTunes or Apple Devices)")]
    MuxUnavailable { address: String, detail: String },
    #[error("the container of {bundle} is not accessible: the app is not installed, or it is not a development build (only apps signed for development, e.g. run from Xcode, expose their container over USB)")]
    NotDevelopmentBuild { bundle: String },
    #[error("simulator {udid} is shut down: boot it (`xcrun simctl boot {udid}` or open it in Simulator) and retry")]
    SimulatorShutDown { udid: String },
    #[error("no Android virtual devices or iOS simulators ({detail}): create an AVD in Android Studio (Device Manager) or with `avdmanager create avd`; simulators come with Xcode")]
    NoVirtualDevices { detail: String },
    #[error("no Android virtual device or iOS simulator is called {name:?} (there are: {known})")]
    NoSuchVirtualDevice { name: String, known: String },
    #[error("more than one virtual device is called {name:?}: boot one of {candidates}")]
    AmbiguousVirtualDevice { name: String, candidates: String },
    #[error("the emulator cannot run {name}: hardware acceleration is unavailable (Linux: enable KVM and join the kvm group; macOS: Hypervisor.framework; Windows: enable WHPX or install the Android Emulator hypervisor driver) ({detail})")]
    NoAcceleration { name: String, detail: String },
    #[error("the emulator for {name} exited (code {code}) before Android booted: {output}")]
    EmulatorExited { name: String, code: i32, output: String },
    #[error("{name} did not finish booting within {}s: it may still be starting (a cold boot can take minutes); run the boot again to keep waiting, or give more time", .after.as_secs())]
    BootTimedOut { name: String, after: Duration },
    #[error("{app} has no app group {group}")]
    NoAppGroup { app: String, group: String },
    #[error("{app} has no data container on this simulator")]
    NoDataContainer { app: String },
    #[error("simulator databases are opened in place: there is nothing to {action}")]
    InPlace { action: &'static str },
    #[error("the snapshot still has a -wal: checkpoint it before pushing")]
    NotCheckpointed,
    #[error("could not create a staging directory in {0}")]
    NoStagingDir(PathBuf),
    #[error("internal error ({0}); please report it")]
    Internal(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl DeviceError {
    /// Worth retrying after a pause: the device may come back. Never for
    /// answers that will not change (unknown package, not debuggable...) and
    /// never for timeouts (a call's budget is its timeout).
    pub fn is_retryable(&self) -> bool {
        match self {
            DeviceError::Offline { .. } | DeviceError::DeviceNotFound { .. } => true,
            DeviceError::ToolFailed { message, .. } => is_transient_message(message),
            _ => false,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DeviceError::Io { path: path.into(), source }
    }
}

/// adb's words for a connection that broke and may work on a retry.
pub fn is_transient_message(message: &str) -> bool {
    const TRANSIENT: &[&str] = &[
        "error: closed",
        "protocol fault",
        "connection reset",
        "Connection reset",
        "device still connecting",
        "cannot connect to daemon",
        "couldn't read from device",
        "error: device offline",
    ];
    TRANSIENT.iter().any(|t| message.contains(t))
}
