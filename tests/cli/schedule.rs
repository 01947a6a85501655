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
