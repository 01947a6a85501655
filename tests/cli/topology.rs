//! `topology set`: simple URLs as Lync writes them, every problem of a file at once, and a
//! Front End pool's members.

use crate::common;

use common::{FRONT_END, TestStore, fails, s};

fn set(t: &TestStore, text: &str) -> std::process::Output {
    let file = t.dir.path().join("topology.toml");
    std::fs::write(&file, text).expect("write");
    t.run(&["topology", "set", s(&file)])
}

#[test]
fn simple_urls_are_taken_as_lync_writes_them() {
    let t = TestStore::new();
    let text = FRONT_END
        .replace("\"meet.contoso.com\"", "\"https://meet.contoso.com/\"")
        .replace("\"meet.fabrikam.com\"", "\"https://fabrikam.com/meet\"")
        .replace("\"dialin.contoso.com\"", "\"https://dialin.contoso.com/\"")
        .replace(
            "\"admin.contoso.com\"",
            "\"https://admin.contoso.com/cscp\"",
        );
    let out = set(&t, &text);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let shown = t.json(&["topology", "show"]);
    assert_eq!(
        shown["web"]["meet_urls"],
        serde_json::json!(["meet.contoso.com", "fabrikam.com"])
    );
    assert_eq!(shown["web"]["admin_url"], "admin.contoso.com");
    // Not https, or with a port: refused, naming the field.
    let out = set(&t, &text.replace("https://dialin", "http://dialin"));
    fails(
        &out,
        2,
        "web.dialin_url: \"http://dialin.contoso.com/\" is not a simple URL",
    );
}

#[test]
fn every_problem_of_a_file_is_said_at_once() {
    let t = TestStore::new();
    let text = FRONT_END
        .replace("fe01.contoso.net", "fe01")
        .replace("\"webext.contoso.com\"", "\"web ext.contoso.com\"");
    let out = set(&t, &text);
    fails(&out, 2, "server_fqdn: \"fe01\" is not a valid FQDN");
    assert!(
        common::stderr(&out)
            .contains("web.external_fqdn: \"web ext.contoso.com\" is not a valid FQDN"),
        "{}",
        common::stderr(&out)
    );
}

#[test]
fn a_front_end_pool_has_members_and_the_pool_check_says_when_none_are_listed() {
    let t = TestStore::with_topology(FRONT_END);
    fails(
        &t.run(&["pool", "check"]),
        2,
        "the topology lists no members of the pool pool01.contoso.net",
    );
    let out = set(
        &t,
        &FRONT_END.replace(
            "[web]",
            "pool_members = [\"fe01.contoso.net\", \"fe02.contoso.net\"]\n[web]",
        ),
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(
        t.json(&["topology", "show"])["pool_members"],
        serde_json::json!(["fe01.contoso.net", "fe02.contoso.net"])
    );
    fails(
        &t.run(&["pool", "check", "--address", "fe09.contoso.net=127.0.0.1"]),
        2,
        "fe09.contoso.net is not a member of the pool (the topology's members are fe01.contoso.net, fe02.contoso.net)",
    );
}
