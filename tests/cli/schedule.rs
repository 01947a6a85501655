//! `certdesk schedule`: the systemd timer and service are written where the user's units
//! live (`XDG_CONFIG_HOME` here, a temporary directory), pass `systemd-analyze verify`, say
//! in one sentence that the user's systemd cannot be reached (the test points the bus at
//! nothing, so the real user's systemd is never touched), and are removed again.

use crate::common;

use common::{TestStore, stderr, tool_output};

fn scheduled(t: &TestStore, args: &[&str]) -> std::process::Output {
    let config = t.dir.path().join("config");
    let runtime = t.dir.path().join("runtime");
    std::fs::create_dir_all(&runtime).expect("runtime dir");
    t.command()
        .args(args)
        .env("XDG_CONFIG_HOME", &config)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", runtime.join("no-bus").display()),
        )
        // Never the real crontab: a program that does not exist is no cron.
        .env("CERTDESK_CRONTAB", t.dir.path().join("no-crontab"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("certdesk runs")
}

#[test]
fn the_timer_is_written_verified_and_removed_without_touching_the_users_systemd() {
    let t = TestStore::new();
    let out = scheduled(&t, &["schedule", "install", "--user", "--systemd"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(said.contains("cannot be reached (no user bus"), "{said}");
    assert_eq!(said.trim_end().lines().count(), 1, "{said}");

    let dir = t.dir.path().join("config/systemd/user");
    let service = dir.join("certdesk-renew.service");
    let timer = dir.join("certdesk-renew.timer");
    let text = std::fs::read_to_string(&service).expect("service written");
    assert!(
        text.contains("\"renew\" \"--due\" \"--scheduled\""),
        "{text}"
    );
    assert!(text.contains(&t.path().display().to_string()), "{text}");
    let timer_text = std::fs::read_to_string(&timer).expect("timer written");
    assert!(timer_text.contains("RandomizedDelaySec="), "{timer_text}");
    assert!(
        timer_text.contains("OnCalendar=*-*-* 00,12:00:00"),
        "{timer_text}"
    );
    let verified = tool_output(
        "systemd-analyze",
        &[
            "verify",
            &timer.display().to_string(),
            &service.display().to_string(),
        ],
    );
    assert!(
        verified.status.success(),
        "systemd-analyze verify: {}",
        String::from_utf8_lossy(&verified.stderr)
    );

    let status = scheduled(&t, &["--json", "schedule", "status", "--user"]);
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).expect("JSON");
    assert_eq!(json["installed"]["kind"], "systemd", "{json}");

    let removed = scheduled(&t, &["schedule", "remove", "--user"]);
    assert!(removed.status.success(), "{}", stderr(&removed));
    assert!(!service.exists() && !timer.exists());
    let status = scheduled(&t, &["schedule", "status"]);
    assert!(String::from_utf8_lossy(&status.stdout).contains("no renewal schedule is installed"));
}

/// With `--keytab`, the runs get their Kerberos tickets from it (`KRB5_CLIENT_KTNAME` in
/// the service's environment, still verified by systemd); a keytab others can read is
/// refused before anything is written.
#[test]
fn a_keytab_goes_into_the_services_environment_and_a_readable_one_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let t = TestStore::new();
    let keytab = t.dir.path().join("svc 100%.keytab");
    std::fs::write(&keytab, b"\x05\x02").expect("keytab");
    std::fs::set_permissions(&keytab, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let k = keytab.display().to_string();
    let out = scheduled(
        &t,
        &["schedule", "install", "--user", "--systemd", "--keytab", &k],
    );
    common::fails(&out, 2, "can be read by others");
    let service = t
        .dir
        .path()
        .join("config/systemd/user/certdesk-renew.service");
    assert!(!service.exists(), "nothing written");

    std::fs::set_permissions(&keytab, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let out = scheduled(
        &t,
        &["schedule", "install", "--user", "--systemd", "--keytab", &k],
    );
    assert!(stderr(&out).contains("no user bus"), "{}", stderr(&out));
    let text = std::fs::read_to_string(&service).expect("service written");
    // systemd's quoting, with its % specifier doubled.
    let expected = format!(
        "Environment=\"KRB5_CLIENT_KTNAME={}\"",
        k.replace('%', "%%")
    );
    assert!(text.contains(&expected), "{text}");
    let verified = tool_output(
        "systemd-analyze",
        &["verify", &service.display().to_string()],
    );
    assert!(
        verified.status.success(),
        "systemd-analyze verify: {}",
        String::from_utf8_lossy(&verified.stderr)
    );
}
