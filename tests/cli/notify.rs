//! Notifications end to end: mail to a real SMTP sink (aiosmtpd) and a JSON POST to a
//! local webhook receiver, from `notify test` and from a failed deploy; settings that would
//! send in the clear, or could add a mail header, refused; the SMTP password sealed.

use crate::common;

use common::{EDGE, TestStore, fails, http, s, smtp};

#[test]
fn mail_reaches_the_smtp_sink_on_test_and_on_a_failed_deploy() {
    let sink = smtp::start();
    let t = TestStore::with_topology(EDGE);
    let smtp = format!("127.0.0.1:{}", sink.port);
    let pw = t.dir.path().join("smtp.pw");
    std::fs::write(&pw, "Smtp-secret 9").expect("pw");
    // Plain SMTP to another host, and an address that would add a header: refused.
    fails(
        &t.run(&[
            "notify",
            "set",
            "--smtp",
            "mail.example.org:25",
            "--from",
            "certdesk@example.org",
            "--to",
            "ops@example.org",
        ]),
        2,
        "would travel unencrypted",
    );
    fails(
        &t.run(&[
            "notify",
            "set",
            "--smtp",
            &smtp,
            "--from",
            "certdesk@example.org",
            "--to",
            "ops@example.org\r\nBcc: spy@example.org",
        ]),
        2,
        "control characters",
    );
    assert_eq!(t.json(&["notify", "show"])["mail"], serde_json::Value::Null);
    let set = t.json(&[
        "notify",
        "set",
        "--smtp",
        &smtp,
        "--from",
        "certdesk@example.org",
        "--to",
        "ops@example.org",
    ]);
    assert_eq!(set["mail"]["to"], "ops@example.org", "{set}");
    let sent = t.json(&["notify", "test"]);
    assert_eq!(sent["sent"], serde_json::json!(["mail"]));
    let printed = sink.wait_for("test notification");
    assert!(
        printed.contains("Subject: certdesk: test notification"),
        "{printed}"
    );
    assert!(printed.contains("To: ops@example.org"), "{printed}");

    // A deploy whose reload fails sends mail naming the target.
    let issued = t.json(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "builtin",
        "--exportable",
        "true",
    ]);
    let thumbprint = issued["thumbprint"].as_str().expect("issued");
    let out = t.dir.path().join("www");
    std::fs::create_dir(&out).expect("dir");
    t.json(&[
        "deploy",
        "add",
        "local-web",
        "--cert",
        thumbprint,
        "--to",
        s(&out),
        "--reload",
        "exit 4",
    ]);
    let run = t.run(&["deploy", "run", "local-web"]);
    fails(&run, 1, "failed with exit code 4");
    assert!(common::stderr(&run).contains("notification sent by mail"));
    let printed = sink.wait_for("deploying local-web failed");
    assert!(
        printed.contains("Subject: certdesk: deploying local-web failed"),
        "{printed}"
    );
    assert!(printed.contains(thumbprint), "{printed}");
    // Nothing half-deployed: the first deploy had no previous files, so none stay.
    assert_eq!(std::fs::read_dir(&out).expect("dir").count(), 0);

    // A user's password is sealed, never in the log.
    t.json(&[
        "notify",
        "set",
        "--smtp",
        &smtp,
        "--from",
        "certdesk@example.org",
        "--to",
        "ops@example.org",
        "--user",
        "certdesk",
        "--password-file",
        s(&pw),
    ]);
    assert_eq!(t.json(&["notify", "show"])["mail"]["has_password"], true);
    let log = t.json(&["log"]).to_string();
    assert!(
        !log.contains("Smtp-secret") && log.contains("--password-file"),
        "{log}"
    );
    let db = std::fs::read(t.path().join("store.sqlite")).expect("db");
    assert!(!db.windows(13).any(|w| w == b"Smtp-secret 9"));
}

#[test]
fn the_webhook_gets_a_json_post_and_plain_http_elsewhere_is_refused() {
    let t = TestStore::new();
    fails(
        &t.run(&["notify", "set", "--webhook", "http://hooks.example.org/x"]),
        2,
        "must be https://",
    );
    fails(&t.run(&["notify", "test"]), 2, "no notification is set");
    let (hook, bodies) = http::record();
    t.json(&[
        "notify",
        "set",
        "--webhook",
        &format!("http://127.0.0.1:{}/hook", hook.port),
    ]);
    let sent = t.json(&["notify", "test"]);
    assert_eq!(sent["sent"], serde_json::json!(["webhook"]));
    let body = bodies
        .lock()
        .expect("bodies")
        .first()
        .cloned()
        .expect("a POST");
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(json["event"], "test", "{json}");
    assert_eq!(json["summary"], "certdesk: test notification");
    // A receiver that is gone: one sentence, exit 1.
    drop(hook);
    std::thread::sleep(std::time::Duration::from_millis(100));
    let out = t.run(&["notify", "test"]);
    fails(&out, 1, "did not take the notification");
}
