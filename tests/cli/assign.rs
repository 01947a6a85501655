//! Assignment end to end through the CLI (and the model where time must move): request
//! from the built-in CA -> assign -> status -> test; a missing SAN refused by name; a
//! rolled A/V certificate staged, then current, then the previous one removed.

use crate::common;

use certdesk::deploy::usage::UsageType;
use certdesk::ops::assign::{self, Status};
use certdesk::store::Store;
use common::{TestStore, s};

const EDGE_ONE_DOMAIN: &str = r#"
role = "edge"
server_fqdn = "edge01.contoso.net"
pool_fqdn = "edgepool.contoso.net"
sip_domains = ["contoso.com"]
[edge]
access_fqdn = "sip.contoso.com"
webconf_fqdn = "webcon.contoso.com"
av_fqdn = "av.contoso.com"
internal_fqdn = "edgepool.contoso.net"
"#;

fn set_topology(store: &TestStore, text: &str) {
    let file = store.dir.path().join("topology.toml");
    std::fs::write(&file, text).expect("write");
    store.json(&["topology", "set", s(&file)]);
}

fn two_domains() -> String {
    EDGE_ONE_DOMAIN.replace("[\"contoso.com\"]", "[\"contoso.com\", \"fabrikam.com\"]")
}

fn issue(store: &TestStore, types: &str) -> String {
    let out = store.json(&[
        "request",
        "--type",
        types,
        "--ca",
        "builtin",
        "--exportable",
        "true",
    ]);
    out["thumbprint"].as_str().expect("issued").to_owned()
}

fn statuses(store: &TestStore) -> Vec<(String, String)> {
    store
        .json(&["status"])
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["usage"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn request_assign_status_and_test() {
    let store = TestStore::new();
    set_topology(&store, &two_domains());
    let external = issue(
        &store,
        "AccessEdgeExternal,DataEdgeExternal,AudioVideoAuthentication",
    );
    let internal = issue(&store, "Internal");
    let before = statuses(&store);
    assert!(
        before.iter().all(|(_, st)| st == "NotAssigned"),
        "{before:?}"
    );
    store.json(&[
        "assign",
        "--type",
        "AccessEdgeExternal,DataEdgeExternal,AudioVideoAuthentication",
        "--thumbprint",
        &external,
    ]);
    store.json(&[
        "assign",
        "--type",
        "Internal",
        "--thumbprint",
        &internal[..10],
    ]);
    let after = statuses(&store);
    assert_eq!(after.len(), 4, "no XMPP in this topology: {after:?}");
    assert!(after.iter().all(|(_, st)| st == "Assigned"), "{after:?}");
    let out = store.run(&["test"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = store.json(&["show", &external]);
    assert_eq!(
        listed["usages"],
        serde_json::json!([
            "AccessEdgeExternal",
            "DataEdgeExternal",
            "AudioVideoAuthentication"
        ])
    );
    let log = store.json(&["log"]);
    assert!(log.as_array().expect("log").iter().any(|e| e["command"]
        == format!("certdesk assign --type AccessEdgeExternal,DataEdgeExternal,AudioVideoAuthentication --thumbprint {external}")));
}

#[test]
fn a_missing_sip_domain_is_named_and_test_fails() {
    let store = TestStore::new();
    set_topology(&store, EDGE_ONE_DOMAIN);
    let external = issue(
        &store,
        "AccessEdgeExternal,DataEdgeExternal,AudioVideoAuthentication",
    );
    store.json(&[
        "assign",
        "--type",
        "AccessEdgeExternal",
        "--thumbprint",
        &external,
    ]);
    // The deployment gains a SIP domain: the certificate no longer fits.
    set_topology(&store, &two_domains());
    let refused = store.run(&[
        "assign",
        "--type",
        "AccessEdgeExternal",
        "--thumbprint",
        &external,
    ]);
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("the SAN sip.fabrikam.com is missing"), "{err}");
    let rows = store.json(&["status"]);
    let access = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["usage"] == "AccessEdgeExternal")
        .expect("row");
    assert_eq!(access["status"], "Invalid");
    assert!(access["problems"].to_string().contains("sip.fabrikam.com"));
    let test = store.run(&["test"]);
    assert_eq!(test.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&test.stdout).contains("sip.fabrikam.com"));
    // Eligible lists it with the reason.
    let eligible = store.json(&["eligible", "--type", "AccessEdgeExternal"]);
    let not = eligible[0]["not_eligible"].as_array().expect("list");
    assert!(not.iter().any(|e| e["thumbprint"] == external.as_str()
        && e["reasons"].to_string().contains("sip.fabrikam.com")));
    // A certificate in the Current user location is refused with that reason.
    let user = store.json(&[
        "--location",
        "user",
        "request",
        "--type",
        "Internal",
        "--ca",
        "builtin",
    ]);
    let out = store.run(&[
        "--location",
        "user",
        "assign",
        "--type",
        "Internal",
        "--thumbprint",
        user["thumbprint"].as_str().unwrap_or_default(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Current user location"));
}

#[test]
fn a_rolled_av_certificate_is_staged_then_current() {
    let store = TestStore::new();
    set_topology(&store, &two_domains());
    let old = issue(
        &store,
        "AccessEdgeExternal,DataEdgeExternal,AudioVideoAuthentication",
    );
    let new = issue(&store, "AudioVideoAuthentication");
    store.json(&[
        "assign",
        "--type",
        "AudioVideoAuthentication",
        "--thumbprint",
        &old,
    ]);

    // Too late: less than 8 hours before the old certificate expires.
    let old_cert = store.json(&["show", &old]);
    let not_after = time::OffsetDateTime::parse(
        old_cert["not_after"].as_str().unwrap_or_default(),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("date");
    let late = (not_after - time::Duration::hours(7))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("fmt");
    let out = store.run(&[
        "assign",
        "--type",
        "AudioVideoAuthentication",
        "--thumbprint",
        &new,
        "--roll",
        "--effective-date",
        &late,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8 hours"));
    // Rolling is only for A/V and OAuth.
    let out = store.run(&[
        "assign",
        "--type",
        "Internal",
        "--thumbprint",
        &new,
        "--roll",
        "--effective-date",
        "2030-01-01T00:00:00Z",
    ]);
    assert_eq!(out.status.code(), Some(1));

    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("fmt");
    store.json(&[
        "assign",
        "--type",
        "AudioVideoAuthentication",
        "--thumbprint",
        &new,
        "--roll",
        "--effective-date",
        &tomorrow,
    ]);
    let rows = store.json(&["status"]);
    let av = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["usage"] == "AudioVideoAuthentication")
        .expect("row")
        .clone();
    assert_eq!(av["status"], "Staged");
    assert_eq!(
        av["thumbprint"],
        old.as_str(),
        "the current one stays in force"
    );
    assert_eq!(av["staged_thumbprint"], new.as_str());

    // Move time past the effective date (the model takes `now`).
    let dir = store.path();
    let later = time::OffsetDateTime::now_utc().unix_timestamp() + 2 * 86_400;
    {
        let db = Store::open(&dir).expect("store");
        let rows = assign::status(&db, 30, later).expect("status");
        let av = rows
            .iter()
            .find(|r| r.usage == UsageType::AudioVideoAuthentication)
            .expect("row");
        assert_eq!(
            av.thumbprint.as_deref(),
            Some(new.as_str()),
            "the new one is current"
        );
        assert_eq!(
            av.previous_thumbprint.as_deref(),
            Some(old.as_str()),
            "the old one is previous"
        );
        assert_eq!(av.status, Status::Assigned);
        let mut db = db;
        assign::unassign(&mut db, UsageType::AudioVideoAuthentication, true, later)
            .expect("remove previous");
        let again = db.assignments().expect("rows");
        let av = again
            .iter()
            .find(|a| a.usage == UsageType::AudioVideoAuthentication)
            .expect("row");
        assert_eq!(av.previous_thumbprint, None);
        assert_eq!(av.thumbprint, new);
    }
    let out = store.run(&["unassign", "--type", "AudioVideoAuthentication"]);
    assert!(out.status.success());
    let out = store.run(&["unassign", "--type", "AudioVideoAuthentication"]);
    assert_eq!(out.status.code(), Some(1), "nothing left to remove");
}
