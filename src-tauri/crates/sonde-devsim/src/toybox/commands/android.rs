//! Android tools: getprop, pm / cmd package, run-as, am.

use std::io::Write;

use crate::config::Package;
use crate::toybox::fs::Identity;
use crate::toybox::interp::Shell;
use crate::toybox::io::Io;

/// `getprop` (all as `[k]: [v]`), `getprop KEY [DEFAULT]`.
pub fn getprop(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let props = &sh.env.config.props;
    match args.get(1) {
        None => {
            for (k, v) in props {
                io.outln(&format!("[{k}]: [{v}]"));
            }
        }
        Some(key) => {
            let default = args.get(2).map(String::as_str).unwrap_or("");
            io.outln(props.get(key).map(String::as_str).unwrap_or(default));
        }
    }
    0
}

fn apk_path(pkg: &Package) -> String {
    if pkg.system {
        let short = pkg.name.rsplit('.').next().unwrap_or(&pkg.name);
        format!("/system/app/{short}/{short}.apk")
    } else {
        format!("/data/app/~~sonde/{}-1/base.apk", pkg.name)
    }
}

/// `pm list packages [-3] [-s] [-f] [-U] [-d] [-e] [-i] [-u] [--user N]
/// [FILTER]`, `pm path PKG`.
pub fn pm(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    package_command(sh, args.get(1..).unwrap_or(&[]), io, "pm")
}

/// `cmd package ...` is the same as `pm ...`.
pub fn cmd(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    match args.get(1).map(String::as_str) {
        Some("package") => package_command(sh, args.get(2..).unwrap_or(&[]), io, "cmd package"),
        Some(service) => {
            io.errln(&format!("cmd: Can't find service: {service}"));
            20
        }
        None => {
            io.errln("cmd: No service specified; use -l to list all running services.");
            20
        }
    }
}

fn package_command(sh: &mut Shell, args: &[String], io: &Io, name: &str) -> i32 {
    let config = sh.env.config.clone();
    match args.first().map(String::as_str) {
        Some("list") if args.get(1).map(String::as_str) == Some("packages") => {
            let (mut third, mut system, mut files, mut uids) = (false, false, false, false);
            let mut filter: Option<&str> = None;
            let mut i = 2;
            while let Some(a) = args.get(i) {
                i += 1;
                match a.as_str() {
                    "-3" => third = true,
                    "-s" => system = true,
                    "-f" => files = true,
                    "-U" => uids = true,
                    "-d" | "-e" | "-i" | "-u" | "-a" | "--show-versioncode" | "--apex-only" => {}
                    "--user" => i += 1,
                    flag if flag.starts_with('-') => {
                        io.errln(&format!("Error: Unknown option: {flag}"));
                        return 255;
                    }
                    f => filter = Some(f),
                }
            }
            for pkg in &config.packages {
                if (third && pkg.system) || (system && !pkg.system) {
                    continue;
                }
                if filter.is_some_and(|f| !pkg.name.contains(f)) {
                    continue;
                }
                let mut line = String::from("package:");
                if files {
                    line.push_str(&apk_path(pkg));
                    line.push('=');
                }
                line.push_str(&pkg.name);
                if uids {
                    line.push_str(&format!(" uid:{}", config.uid_of(&pkg.name).unwrap_or(0)));
                }
                io.outln(&line);
            }
            0
        }
        Some("path") => match args.get(1).and_then(|p| config.package(p)) {
            Some(pkg) => {
                io.outln(&format!("package:{}", apk_path(pkg)));
                0
            }
            None => 1,
        },
        Some(other) => {
            io.errln(&format!("{name}: Unknown command: {other}"));
            255
        }
        None => {
            io.errln(&format!("{name}: no command given"));
            255
        }
    }
}

/// `run-as PKG [--user N] [CMD ARGS...]`: runs CMD as the app, in its data
/// directory, with the app's permissions. Without CMD, reads a script from
/// stdin.
pub fn run_as(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    if sh.who != Identity::Shell {
        io.errln("run-as: only 'shell' or 'root' users can run this program");
        return 1;
    }
    let Some(pkg_name) = args.get(1) else {
        io.errln("run-as: usage: run-as <package-name> [--user <uid>] <command> [<args>]");
        return 1;
    };
    let mut rest = args.get(2..).unwrap_or(&[]);
    if rest.first().map(String::as_str) == Some("--user") {
        rest = rest.get(2..).unwrap_or(&[]);
    }
    let Some(pkg) = sh.env.config.package(pkg_name) else {
        io.errln(&format!("run-as: unknown package: {pkg_name}"));
        return 1;
    };
    if !pkg.debuggable {
        io.errln(&format!("run-as: package not debuggable: {pkg_name}"));
        return 1;
    }
    let data_dir = format!("/data/data/{pkg_name}");
    // Installed apps always have their data directory; create it if a test
    // configured the package without one.
    if let Err(e) = std::fs::create_dir_all(sh.env.fs_root().join("data/data").join(pkg_name)) {
        io.errln(&format!("run-as: couldn't stat {data_dir}: {e}"));
        return 1;
    }
    let who = Identity::App(pkg_name.clone());
    if rest.is_empty() {
        let src = String::from_utf8_lossy(&io.read_stdin()).into_owned();
        return sh.run_child_source(who, &data_dir, &src, Vec::new(), io);
    }
    match sh.subshell(who, &data_dir) {
        Some(mut app) => app.run_argv(rest, io),
        None => {
            io.errln("run-as: too many nested shells");
            1
        }
    }
}

/// `am force-stop PKG` / `am kill PKG`: prints nothing, appends
/// `force-stop PKG` (or `kill PKG`) to `DIR/am.log`.
pub fn am(sh: &mut Shell, args: &[String], io: &Io) -> i32 {
    let sub = args.get(1).map(String::as_str);
    match sub {
        Some(verb @ ("force-stop" | "kill")) => {
            let mut rest = args.get(2..).unwrap_or(&[]);
            if rest.first().map(String::as_str) == Some("--user") {
                rest = rest.get(2..).unwrap_or(&[]);
            }
            let Some(pkg) = rest.first() else {
                io.errln(&format!("Error: no package specified for {verb}"));
                return 255;
            };
            let logged = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(sh.env.am_log())
                .and_then(|mut f| writeln!(f, "{verb} {pkg}"));
            if let Err(e) = logged {
                tracing::warn!("cannot record am {verb}: {e}");
            }
            0
        }
        Some(other) => {
            io.errln(&format!("Error: Unknown command: {other}"));
            255
        }
        None => {
            io.errln("Activity manager (activity) commands: force-stop, kill");
            255
        }
    }
}
