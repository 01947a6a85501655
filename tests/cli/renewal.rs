//! Unattended renewal against real CAs: pebble issuing certificates that live 30 seconds
//! (so they are due within the test) and the built-in CA. `renew --due` renews a due
//! certificate once and rolls its usage; a second run does nothing; two overlapping runs
//! never both renew; with the CA down, exit 1 with one sentence and nothing changed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::common;

use common::a2c;
use common::acme::short_lived_pebble_in;
use common::{EDGE, TestStore, stderr};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The certificates of a `renew --due --json` run.
fn certificates(run: &Value) -> Vec<Value> {
    run["certificates"].as_array().cloned().unwrap_or_default()
}

fn renewed(run: &Value) -> Vec<Value> {
    certificates(run)
        .into_iter()
        .filter(|c| c["outcome"] == "renewed")
        .collect()
}

/// Sleeps until the tracked certificate `thumbprint` is due (bounded by its lifetime).
fn wait_until_due(t: &TestStore, thumbprint: &str) {
    let plan = t.json(&["renew", "--due", "--dry-run"]);
    let entry = certificates(&plan)
        .into_iter()
        .find(|c| c["thumbprint"] == thumbprint)
        .unwrap_or_else(|| panic!("{thumbprint} is tracked: {plan}"));
    assert_eq!(entry["rule"], "two_thirds", "{entry}");
    let due = entry["due_at"].as_i64().expect("due_at");
    let wait = (due + 1 - now()).clamp(0, 40);
    std::thread::sleep(Duration::from_secs(wait as u64));
}

fn usage_thumbprint(t: &TestStore, usage: &str) -> String {
    let rows = t.json(&["status"]);
    rows.as_array()
        .and_then(|a| a.iter().find(|r| r["usage"] == usage))
        .and_then(|r| r["thumbprint"].as_str())
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_due_certificate_renews_once_rolls_its_usage_and_a_ca_down_changes_nothing() {
    let t = TestStore::with_topology(EDGE);
    let (servers, _directory, http01) = short_lived_pebble_in(&t, 30);
    let port = http01.to_string();
    let issued = t.json(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "pebble",
        "--http-address",
        "127.0.0.1",
        "--http-port",
        &port,
    ]);
    let first = issued["thumbprint"].as_str().expect("issued").to_owned();
    let root = servers.root_pem(t.dir.path());
    t.json(&["import", common::s(&root), "--trust-root"]);
    t.json(&["assign", "--type", "Internal", "--thumbprint", &first]);

    // Not due yet: the dry run says when and why, and renews nothing.
    let plan = t.json(&["renew", "--due", "--dry-run"]);
    let entry = &certificates(&plan)[0];
    assert_eq!(entry["thumbprint"], first.as_str(), "{plan}");
    assert_eq!(entry["outcome"], "not_due", "{plan}");
    assert_eq!(entry["reason"], "in_force", "{plan}");
    assert!(
        entry["rule_text"]
            .as_str()
            .is_some_and(|r| r.contains("two thirds")),
        "{plan}"
    );
    let text = t.run(&["renew", "--due", "--dry-run"]);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("two thirds of its 0-day lifetime"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );

    wait_until_due(&t, &first);
    // Two overlapping scheduled runs: exactly one renews (the other finds the lock taken,
    // or nothing due once the first is done).
    let http_args = ["--http-address", "127.0.0.1", "--http-port", &port];
    let mut args = vec!["--json", "renew", "--due", "--scheduled"];
    args.extend(http_args);
    let runs: Vec<_> = (0..2).map(|_| t.spawn(&args)).collect();
    let mut renewals = Vec::new();
    let mut busy = 0;
    for run in runs {
        let out = run.wait_with_output().expect("wait");
        if out.status.success() {
            let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
            renewals.extend(renewed(&json));
        } else {
            assert!(
                stderr(&out).contains("another renewal run is under way"),
                "{}",
                stderr(&out)
            );
            busy += 1;
        }
    }
    assert_eq!(renewals.len(), 1, "one renewal in all: {renewals:?}");
    assert!(busy <= 1);
    let second = renewals[0]["new_thumbprint"]
        .as_str()
        .expect("new")
        .to_owned();
    assert_ne!(second, first);
    assert_eq!(
        renewals[0]["rolled"][0]["usage"], "Internal",
        "{renewals:?}"
    );
    assert_eq!(usage_thumbprint(&t, "Internal"), second);

    // A second run right after does nothing.
    let mut again = vec!["renew", "--due"];
    again.extend(http_args);
    let run = t.json(&again);
    assert!(renewed(&run).is_empty(), "{run}");
    assert_eq!(
        certificates(&run).len(),
        1,
        "only the new one is tracked: {run}"
    );
    assert_eq!(certificates(&run)[0]["thumbprint"], second.as_str());

    // The scheduled run's entry names it as the user.
    let log = t.json(&["log"]);
    let entry = log
        .as_array()
        .and_then(|a| a.iter().find(|e| e["operation"] == "renew-due"))
        .unwrap_or_else(|| panic!("a renew-due entry: {log}"));
    assert_eq!(entry["user"], "scheduled run", "{entry}");

    // The CA goes away: once the new one is due, the run fails in one sentence and
    // nothing changes but the attempt.
    drop(servers);
    wait_until_due(&t, &second);
    let before = (t.json(&["list"]), t.json(&["status"]));
    let out = t.run(&again);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(said.contains("CA pebble cannot be reached"), "{said}");
    assert_eq!(said.trim_end().lines().count(), 1, "one sentence: {said}");
    assert_eq!((t.json(&["list"]), t.json(&["status"])), before);
    let plan = t.json(&["renew", "--due", "--dry-run"]);
    let entry = &certificates(&plan)[0];
    assert_eq!(entry["last_failed"], true, "{plan}");
    assert_eq!(entry["outcome"], "would_renew", "{plan}");
}

#[test]
fn track_adds_a_certificate_of_the_builtin_ca_and_untrack_removes_it() {
    let t = TestStore::with_topology(EDGE);
    let issued = t.json(&["request", "--type", "Internal", "--ca", "builtin"]);
    let thumbprint = issued["thumbprint"].as_str().expect("issued").to_owned();
    let plan = t.json(&["renew", "--due", "--dry-run"]);
    assert!(certificates(&plan).is_empty(), "not tracked yet: {plan}");

    let tracked = t.json(&["track", &thumbprint, "--same-key"]);
    assert_eq!(tracked["same_key"], true);
    let run = t.json(&["renew", "--due"]);
    let entry = &certificates(&run)[0];
    assert_eq!(entry["reason"], "tracked", "{run}");
    assert_eq!(entry["ca"], "builtin", "{run}");
    assert_eq!(entry["outcome"], "not_due", "{run}");
    assert_eq!(entry["rule"], "thirty_days_before", "{run}");

    t.json(&["untrack", &thumbprint]);
    assert!(certificates(&t.json(&["renew", "--due"])).is_empty());
    let out = t.run(&["untrack", &thumbprint]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not tracked"), "{}", stderr(&out));
}

/// The ACME renewal information of acme2certifier decides: its window (not the lifetime)
/// makes the certificate due, the renewal goes through (the order names the replaced
/// certificate; this CA does not keep the field, and the order goes on without it), and a
/// second run finds the new certificate's window in the future; the window is not asked
/// for again before the CA's Retry-After, even with the CA gone.
#[test]
fn the_cas_renewal_window_decides_and_its_retry_after_is_honoured() {
    let t = TestStore::with_topology(EDGE);
    let dir = t.dir.path().join("a2c");
    std::fs::create_dir_all(&dir).expect("dir");
    let server = a2c::start(&dir, true, None);
    t.json(&[
        "ca",
        "add",
        "a2c",
        "--acme",
        &server.directory,
        "--ca-bundle",
        common::s(&dir.join("tls-ca.pem")),
        "--contact",
        "admin@contoso.com",
    ]);
    let port = common::acme::free_tcp_port().to_string();
    let http = ["--http-address", "127.0.0.1", "--http-port", &port];
    let mut request = vec!["request", "--type", "Internal", "--ca", "a2c"];
    request.extend(http);
    let first = t.json(&request)["thumbprint"]
        .as_str()
        .expect("issued")
        .to_owned();
    t.json(&["track", &first]);

    // Its one-day lifetime would make it due in 16 hours; the CA's window says now.
    let plan = t.json(&["renew", "--due", "--dry-run"]);
    let entry = &certificates(&plan)[0];
    assert_eq!(entry["rule"], "renewal_info", "{plan}");
    assert_eq!(entry["outcome"], "would_renew", "{plan}");
    assert!(entry["due_at"].as_i64() <= Some(now()), "{plan}");

    let mut due = vec!["renew", "--due"];
    due.extend(http);
    let run = t.json(&due);
    let done = renewed(&run);
    assert_eq!(done.len(), 1, "{run}");
    assert_eq!(done[0]["rule"], "renewal_info", "{run}");
    let second = done[0]["new_thumbprint"].as_str().expect("new").to_owned();

    // The CA's default window: 85 % into the new certificate's day.
    let port = server.port;
    drop(server);
    let server = a2c::start(&dir, false, Some(port));
    let run = t.json(&due);
    assert!(renewed(&run).is_empty(), "{run}");
    assert_eq!(
        certificates(&run).len(),
        1,
        "the renewed one is no longer tracked: {run}"
    );
    let entry = &certificates(&run)[0];
    assert_eq!(entry["thumbprint"], second.as_str(), "{run}");
    assert_eq!(
        entry["reason"], "tracked",
        "the successor is tracked in its place: {run}"
    );
    assert_eq!(entry["rule"], "renewal_info", "{run}");
    let (start, end, at) = (
        entry["window_start"].as_i64().expect("start"),
        entry["window_end"].as_i64().expect("end"),
        entry["due_at"].as_i64().expect("due"),
    );
    assert!(start > now() && start <= at && at <= end, "{run}");

    // Retry-After (a day here): the window is kept, and the CA is not asked, even gone.
    drop(server);
    let run = t.json(&["renew", "--due", "--dry-run"]);
    let entry = &certificates(&run)[0];
    assert_eq!(entry["due_at"].as_i64(), Some(at), "the same time: {run}");
    assert!(entry.get("note").is_none(), "the CA was not asked: {run}");
}
