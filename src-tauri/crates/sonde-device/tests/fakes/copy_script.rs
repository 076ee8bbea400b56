// Included (`include!`) by harness.rs here and by the suite's
// tests/common/mod.rs: one way to install a fake tool.

/// Copies a test script (a fake tool) into a test's `bin/`, executable.
/// `/usr/bin/env python3` becomes `/usr/bin/python3` where that exists: a
/// version manager's shim (pyenv) costs ~0.1 s per start, and the fault
/// matrices start the fakes thousands of times.
pub fn copy_script(from: &std::path::Path, to: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let text = std::fs::read(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    let direct = std::path::Path::new("/usr/bin/python3").exists();
    let text = match text.strip_prefix(b"#!/usr/bin/env python3".as_slice()) {
        Some(rest) if direct => [b"#!/usr/bin/python3".as_slice(), rest].concat(),
        _ => text,
    };
    std::fs::write(to, text).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}
