//! Behaviour tests of the emulated shell against a scratch device.

use std::sync::Arc;

use crate::config::DeviceConfig;
use crate::toybox::{run_script, DeviceEnv, ExecResult, Input};

struct Device {
    _dir: tempfile::TempDir,
    env: DeviceEnv,
}

fn device() -> Device {
    let dir = tempfile::tempdir().expect("tempdir");
    let config: DeviceConfig = serde_json::from_str(
        r#"{"props":{"ro.product.model":"Sim","ro.build.version.sdk":"34"},
            "packages":[{"name":"com.ok","debuggable":true},
                        {"name":"com.locked","debuggable":false},
                        {"name":"android","system":true}]}"#,
    )
    .expect("config");
    let fs = dir.path().join("fs");
    for d in
        ["sdcard/Download", "data/local/tmp", "data/data/com.ok/databases", "data/data/com.locked/databases"]
    {
        std::fs::create_dir_all(fs.join(d)).expect("mkdir");
    }
    std::fs::write(fs.join("sdcard/a.txt"), b"hello\nworld\n").expect("write");
    std::fs::write(fs.join("data/data/com.ok/databases/x.db"), b"SQLite format 3\0").expect("w");
    std::fs::write(fs.join("data/data/com.locked/databases/v.db"), b"secret").expect("w");
    let env = DeviceEnv::new(dir.path(), Arc::new(config));
    Device { _dir: dir, env }
}

fn run(d: &Device, script: &str) -> ExecResult {
    run_script(&d.env, script, Input::Empty, false)
}

fn out(r: &ExecResult) -> String {
    String::from_utf8_lossy(&r.stdout).into_owned()
}

fn err(r: &ExecResult) -> String {
    String::from_utf8_lossy(&r.stderr).into_owned()
}

#[test]
fn sequences_and_status() {
    let d = device();
    let r = run(&d, "false; echo $?; true && echo yes || echo no; false || echo alt");
    assert_eq!(out(&r), "1\nyes\nalt\n");
    assert_eq!(r.rc, 0);
    let r = run(&d, "exit 42; echo never");
    assert_eq!((r.rc, out(&r)), (42, String::new()));
    assert_eq!(run(&d, "false").rc, 1);
    assert_eq!(run(&d, "! false").rc, 0);
    let r = run(&d, "nosuchcmd arg");
    assert_eq!(r.rc, 127);
    assert_eq!(err(&r), "nosuchcmd: inaccessible or not found\n");
    let r = run(&d, "echo 'unterminated");
    assert_eq!(r.rc, 2);
    assert!(err(&r).contains("syntax error"));
}

#[test]
fn hostile_names_are_literal() {
    let d = device();
    // The '/' makes "x.db; rm -rf " a directory component.
    let r = run(&d, "mkdir '/sdcard/x.db; rm -rf ' && echo data > '/sdcard/x.db; rm -rf /sdcard' && cat '/sdcard/x.db; rm -rf /sdcard'");
    assert_eq!((r.rc, out(&r)), (0, "data\n".to_string()), "{}", err(&r));
    let r = run(&d, "cd /sdcard && echo d2 > \"x.db; rm -rf *\" && cat x.db\\;\\ rm\\ -rf\\ \\*");
    assert_eq!((r.rc, out(&r)), (0, "d2\n".to_string()), "{}", err(&r));
    assert!(d.env.fs_root().join("sdcard/a.txt").exists());
    let r = run(&d, r#"echo q > "/sdcard/it's \"quoted\" name.db" && ls /sdcard"#);
    assert!(out(&r).contains("it's \"quoted\" name.db\n"), "{}", out(&r));
    let r = run(&d, "echo n > '/sdcard/new\nline.db' && ls /sdcard");
    assert!(out(&r).contains("new\nline.db\n"));
}

#[test]
fn redirects() {
    let d = device();
    let r = run(&d, "cat /nope 2>/dev/null; echo rc=$?");
    assert_eq!((out(&r), err(&r)), ("rc=1\n".to_string(), String::new()));
    let r = run(&d, "cat /nope 2>&1");
    assert_eq!(out(&r), "cat: /nope: No such file or directory\n");
    let r = run(&d, "echo a > /sdcard/o; echo b >> /sdcard/o; cat /sdcard/o");
    assert_eq!(out(&r), "a\nb\n");
    let r = run(&d, "cat /nope > /sdcard/o2 2>&1; cat /sdcard/o2");
    assert_eq!(out(&r), "cat: /nope: No such file or directory\n");
    let r = run(&d, "echo x > /system/f");
    assert_eq!(r.rc, 1);
    assert!(err(&r).contains("Read-only file system"));
    let r = run(&d, "cat < /sdcard/a.txt | head -n 1");
    assert_eq!(out(&r), "hello\n");
}

#[test]
fn ls_and_stat() {
    let d = device();
    let r = run(&d, "ls /sdcard");
    assert_eq!(out(&r), "Download\na.txt\n");
    let r = run(&d, "ls /sdcard/missing");
    assert_eq!(err(&r), "ls: /sdcard/missing: No such file or directory\n");
    assert_eq!(r.rc, 1);
    let r = run(&d, "ls -a /sdcard");
    assert_eq!(out(&r), ".\n..\nDownload\na.txt\n");
    let r = run(&d, "ls -l /sdcard/a.txt");
    assert!(out(&r).contains(" 12 ") && out(&r).ends_with("/sdcard/a.txt\n"), "{}", out(&r));
    let r = run(&d, "stat -c '%s %n %F|%a' /sdcard/a.txt /sdcard/Download");
    let lines: Vec<String> = out(&r).lines().map(str::to_string).collect();
    assert_eq!(lines[0].split('|').next(), Some("12 /sdcard/a.txt regular file"));
    assert!(lines[1].contains(" /sdcard/Download directory|"), "{}", lines[1]);
    let r = run(&d, "stat -c %Y /sdcard/a.txt");
    assert!(out(&r).trim().parse::<i64>().is_ok());
    let r = run(&d, "ls /data/data");
    assert!(err(&r).contains("Permission denied"));
}

#[test]
fn run_as_model() {
    let d = device();
    let r = run(&d, "run-as com.ok ls databases");
    assert_eq!((r.rc, out(&r)), (0, "x.db\n".to_string()));
    let r = run(&d, "run-as com.ok pwd");
    assert_eq!(out(&r), "/data/data/com.ok\n");
    let r = run(&d, "run-as com.nope ls");
    assert_eq!((r.rc, err(&r)), (1, "run-as: unknown package: com.nope\n".to_string()));
    let r = run(&d, "run-as com.locked ls");
    assert_eq!((r.rc, err(&r)), (1, "run-as: package not debuggable: com.locked\n".to_string()));
    let r = run(&d, "cat /data/data/com.ok/databases/x.db");
    assert_eq!(r.rc, 1);
    assert!(err(&r).contains("Permission denied"));
    let r = run(&d, "run-as com.ok cat /data/data/com.locked/databases/v.db");
    assert!(err(&r).contains("Permission denied"));
    let r = run(&d, "run-as com.ok cat /sdcard/a.txt");
    assert_eq!(out(&r), "hello\nworld\n");
    let r = run(&d, "run-as com.ok cp databases/x.db /data/local/tmp/x.db");
    assert_eq!(r.rc, 1);
    let r = run(&d, "run-as com.ok sh -c 'cp databases/x.db databases/y.db && ls databases'");
    assert_eq!(out(&r), "x.db\ny.db\n");
    let r = run(&d, "run-as com.ok sh -c 'exit 3'");
    assert_eq!(r.rc, 3);
}

#[test]
fn android_tools() {
    let d = device();
    assert_eq!(out(&run(&d, "getprop ro.build.version.sdk")), "34\n");
    assert_eq!(out(&run(&d, "getprop no.such")), "\n");
    assert!(out(&run(&d, "getprop")).contains("[ro.product.model]: [Sim]\n"));
    assert_eq!(out(&run(&d, "pm list packages -3")), "package:com.ok\npackage:com.locked\n");
    assert_eq!(out(&run(&d, "pm list packages -s")), "package:android\n");
    assert!(out(&run(&d, "pm list packages -3 -U ok")).starts_with("package:com.ok uid:1"));
    let r = run(&d, "am force-stop com.ok");
    assert_eq!((r.rc, out(&r)), (0, String::new()));
    let log = std::fs::read_to_string(d.env.am_log()).expect("am.log");
    assert_eq!(log, "force-stop com.ok\n");
}

#[test]
fn file_commands() {
    let d = device();
    let r = run(&d, "cd /data/local/tmp && mkdir -p a/b && echo hi > a/b/f && cp a/b/f g && mv g h && ls -R a && cat h && sha256sum h");
    assert_eq!(r.rc, 0, "{}", err(&r));
    assert!(out(&r).contains("a/b:\nf\n"), "{}", out(&r));
    assert!(out(&r).contains("hi\n98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4  h\n"));
    let r = run(&d, "cp /nope /data/local/tmp/");
    assert_eq!(err(&r), "cp: bad '/nope': No such file or directory\n");
    let r = run(&d, "cd /data/local/tmp && rm a; echo $?; rm -r a && ls");
    assert_eq!(out(&r), "1\nh\n");
    let r = run(&d, "rm -rf /sdcard; ls /sdcard");
    assert!(out(&r).contains("a.txt"));
    let r = run(&d, "head -c 3 /sdcard/a.txt; tail -n 1 /sdcard/a.txt; wc -l /sdcard/a.txt");
    assert_eq!(out(&r), "helworld\n2 /sdcard/a.txt\n");
    let r = run(&d, "printf 'a\\nb' > /sdcard/nl; tail -n 0 /sdcard/nl; tail -n 1 /sdcard/nl; head -n 0 /sdcard/nl; tail -c 1 /sdcard/nl");
    assert_eq!(out(&r), "bb");
    let r = run(&d, "find /sdcard -type f -name '*.txt'");
    assert_eq!(out(&r), "/sdcard/a.txt\n");
    let r = run(&d, "find /sdcard -maxdepth 1 -type d");
    assert_eq!(out(&r), "/sdcard\n/sdcard/Download\n");
    let r = run(&d, "test -f /sdcard/a.txt && [ -d /sdcard ] && [ ! -e /nope ] && echo ok");
    assert_eq!(out(&r), "ok\n");
    let r = run(&d, "ls /sdcard/*.txt");
    assert_eq!(out(&r), "/sdcard/a.txt\n");
    let r = run(&d, "cd /sdcard && ls *.txt '*.txt'");
    assert_eq!(out(&r), "a.txt\n");
    assert!(err(&r).contains("*.txt: No such file"));
    let r = run(&d, "chmod 600 /sdcard/a.txt && stat -c %a /sdcard/a.txt");
    assert_eq!(out(&r), "600\n");
    let r = run(&d, "printf '%s=%d\\n' a 1 b 2");
    assert_eq!(out(&r), "a=1\nb=2\n");
}

#[test]
fn escape_attempts_fail() {
    let d = device();
    let outside = d.env.dir.join("secret");
    std::fs::write(&outside, b"host").expect("write");
    let r = run(&d, "cat ../../secret /../secret /sdcard/../../secret");
    assert!(!out(&r).contains("host"));
    assert_eq!(r.rc, 1);
    let r = run(&d, "echo pwned > /sdcard/../../../../escape.txt");
    assert_ne!(r.rc, 0);
    assert!(!d.env.dir.join("escape.txt").exists());
    let r = run(&d, "cd /sdcard && echo x > ../../../../../../tmp/escape.txt");
    assert_ne!(r.rc, 0);
    std::os::unix::fs::symlink("/", d.env.fs_root().join("sdcard/root")).expect("symlink");
    let r = run(&d, "cat /sdcard/root/../secret; ls /sdcard/root/");
    assert!(!out(&r).contains("host"));
    assert!(out(&r).contains("sdcard"));
}

#[test]
fn stdin_reading_commands() {
    let d = device();
    let r = run_script(
        &d.env,
        "cat > /sdcard/in.bin && sha256sum /sdcard/in.bin",
        Input::Bytes(b"abc".to_vec()),
        false,
    );
    assert!(out(&r).starts_with("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    let r = run_script(&d.env, "", Input::Bytes(b"echo from stdin".to_vec()), false);
    assert_eq!(out(&r), "from stdin\n");
    let r = run_script(&d.env, "echo a; cat /nope", Input::Empty, true);
    assert_eq!(out(&r), "a\ncat: /nope: No such file or directory\n");
}
