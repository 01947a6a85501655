//! The expiry watch: what expires within N days, with the usages it holds, an iCalendar
//! file with one event per certificate and reminders at 30 and 7 days, and exit 1 when an
//! assigned certificate is among them.

use crate::common;

use common::{EDGE, TestStore, fails, s};

#[test]
fn expiring_lists_soon_expiring_certificates_and_writes_a_calendar() {
    let t = TestStore::with_topology(EDGE);
    let issued = t.json(&["request", "--type", "Internal", "--ca", "builtin"]);
    let thumbprint = issued["thumbprint"].as_str().expect("thumbprint");
    assert_eq!(t.json(&["expiring", "--days", "30"]), serde_json::json!([]));
    let listed = t.json(&["expiring", "--days", "1000"]);
    assert_eq!(listed[0]["thumbprint"], thumbprint, "{listed}");
    assert!(listed[0]["days_left"].as_i64().is_some_and(|d| d > 300));

    let ics = t.dir.path().join("expiry.ics");
    t.json(&["expiring", "--days", "1000", "--ics", s(&ics)]);
    let text = std::fs::read_to_string(&ics).expect("ics");
    assert!(
        text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
        "{text}"
    );
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
    assert!(text.contains(&format!("UID:{thumbprint}@certdesk")));
    assert!(text.contains("TRIGGER:-P30D") && text.contains("TRIGGER:-P7D"));
    assert!(text.lines().all(|l| l.len() <= 75), "folded lines");
    let expires = listed[0]["not_after"].as_str().expect("date")[..10].replace('-', "");
    assert!(
        text.contains(&format!("DTSTART;VALUE=DATE:{expires}")),
        "{text}"
    );

    // Assigned and among them: exit 1, for a monitoring script.
    t.json(&["assign", "--type", "Internal", "--thumbprint", thumbprint]);
    let out = t.run(&["--json", "expiring", "--days", "1000"]);
    fails(&out, 1, "an assigned certificate expires within 1000 days");
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(listed[0]["usages"], serde_json::json!(["Internal"]));
    fails(&t.run(&["expiring", "--days=-1"]), 2, "--days");
}
