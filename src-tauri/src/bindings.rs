//! TypeScript bindings for the UI, generated from the Rust types with
//! ts-rs: `cargo test -p sonde-desktop bindings` rewrites `ui/src/bindings/`,
//! and the same test fails when the committed files are stale.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use ts_rs::{Config, TS};

    fn export_all(dir: &Path) {
        let cfg = Config::new().with_out_dir(dir).with_large_int("number");
        macro_rules! export {
            ($($t:ty),* $(,)?) => {
                $( <$t as TS>::export_all(&cfg).unwrap_or_else(|e| panic!("exporting {}: {e}", stringify!($t))); )*
            };
        }
        export!(
            crate::dto::AppInfo,
            crate::dto::OpenedDb,
            crate::dto::PageQuery,
            crate::dto::Diagnostics,
            crate::dto::LoadedFile,
            sonde_core::UiError,
            sonde_core::ErrorKind,
            sonde_core::PendingChange,
            sonde_core::DbStatus,
            sonde_core::PushOutcome,
            sonde_core::Pushed,
            sonde_core::ExportProgress,
            sonde_core::ExportSource,
            sonde_core::ExportReport,
            sonde_core::RunScope,
            sonde_core::SqlRun,
            sonde_core::StatementResult,
            sonde_core::SqlResult,
            sonde_core::Value,
            sonde_core::Page,
            sonde_core::TableListing,
            sonde_core::TableSchema,
            sonde_core::Edit,
            sonde_core::Change,
            sonde_core::RecentDatabase,
            sonde_core::HistoryEntry,
            sonde_core::Format,
            sonde_core::device::layer::DeviceListing,
            sonde_core::device::virtual_devices::VirtualListing,
            sonde_core::device::virtual_devices::BootStep,
            sonde_core::device::virtual_devices::BootReport,
            sonde_core::device::App,
            sonde_core::device::DbFile,
            sonde_core::device::model::PushReport,
            sonde_core::device::model::PushProgress,
            sonde_core::WatchEvent,
            sonde_core::VersionInfo,
            sonde_core::Conflict,
            sonde_core::DbDiff,
        );
    }

    fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| (PathBuf::from(e.file_name()), std::fs::read(e.path()).unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }

    /// Regenerates `ui/src/bindings` and fails if that changed anything
    /// (run again after committing the new files).
    #[test]
    fn bindings_are_current() {
        let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
        let fresh = tempfile::tempdir().expect("tmp");
        export_all(fresh.path());
        let generated = files(fresh.path());
        assert!(generated.len() > 20, "expected many bindings, got {}", generated.len());
        let current = files(&target);
        if current != generated {
            let _ = std::fs::remove_dir_all(&target);
            std::fs::create_dir_all(&target).expect("mkdir bindings");
            for (name, bytes) in &generated {
                std::fs::write(target.join(name), bytes).expect("write binding");
            }
            panic!("ui/src/bindings was stale and has been regenerated: commit the new files");
        }
    }
}
