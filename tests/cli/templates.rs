//! What an AD CS enterprise CA offers besides issuing, against the stand-in of
//! `common::certsrv`: the templates its `certrqxt.asp` lists (`ca templates`, text and
//! JSON), `request --template` checked against them before anything is sent, a hostile
//! template page (huge, thousands of options, control characters) answered with one
//! sentence or a cleaned list, and the CA's own root offered and trusted by `ca test`.

use crate::common;

use common::certsrv::{self, Certsrv};
use common::{EDGE, TestStore, fails, fx, openssl_thumbprint, stderr};

#[test]
fn ca_templates_lists_what_the_web_enrollment_pages_offer() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    server.add_to(&t, "corp");

    let json = t.json(&["ca", "templates", "corp"]);
    let listed: Vec<(String, String)> = json
        .as_array()
        .expect("an array")
        .iter()
        .map(|t| {
            (
                t["name"].as_str().expect("name").to_owned(),
                t["display_name"].as_str().expect("display_name").to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = certsrv::TEMPLATES
        .iter()
        .map(|(n, d)| ((*n).to_owned(), (*d).to_owned()))
        .collect();
    assert_eq!(listed, expected, "{json}");

    let out = t.run(&["ca", "templates", "corp"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), certsrv::TEMPLATES.len(), "{text}");
    assert!(
        lines[0].starts_with("WebServer ") && lines[0].ends_with("  Web Server"),
        "{text}"
    );
    assert!(
        text.contains("ManagerApproval  Web Server (Manager Approval)"),
        "{text}"
    );

    // Only AD CS has templates; a connection that is not there is one sentence.
    fails(&t.run(&["ca", "templates", "nosuch"]), 2, "nosuch");
}

#[test]
fn an_unknown_template_is_refused_before_anything_is_sent() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    server.add_to(&t, "corp");
    let before = t.contents("computer");

    let refused = t.run(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "corp",
        "--template",
        "Web Server",
    ]);
    fails(
        &refused,
        2,
        "does not let this user enroll a template named \"Web Server\", so nothing was sent",
    );
    let sentence = stderr(&refused);
    assert!(sentence.contains("WebServer (Web Server)"), "{sentence}");
    assert!(sentence.contains("ManagerApproval"), "{sentence}");
    assert_eq!(server.submissions(), 0, "nothing reached certfnsh.asp");
    assert_eq!(t.contents("computer"), before, "nothing stored");
    assert_eq!(t.json(&["requests"]).as_array().map(Vec::len), Some(0));

    // Template names are compared as Active Directory compares them: without case.
    let issued = t.json(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "corp",
        "--template",
        "webserver",
    ]);
    assert_eq!(issued["status"], "issued", "{issued}");
    assert_eq!(server.submissions(), 1);
}

/// Asserts that no byte a terminal acts on (but the line ends) is in `text`.
fn inert(text: &str) {
    assert!(
        !text
            .chars()
            .any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c)),
        "raw control characters: {text:?}"
    );
}

#[test]
fn a_hostile_template_page_gives_one_sentence_or_a_cleaned_list() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    server.add_to(&t, "corp");

    // Thousands of options: refused after the first 500, in one sentence.
    let option = "<Option Value=\"E;T;1;4;0;0;1;0;;;;;;T\">T</Option>";
    server.serve_templates_page(format!(
        "<Select Name=lbCertTemplate>{}</Select>",
        option.repeat(5000)
    ));
    fails(
        &t.run(&["ca", "templates", "corp"]),
        1,
        "more than 500 entries",
    );

    // Larger than certdesk reads: one sentence.
    server.serve_templates_page(format!(
        "<Select Name=lbCertTemplate>{}</Select>",
        "x".repeat(5 << 20)
    ));
    fails(&t.run(&["ca", "templates", "corp"]), 1, "larger than");

    // Control characters: names holding them are dropped, display names cleaned.
    server.serve_templates_page(
        "<Select Name=lbCertTemplate>\
         <Option Value=\"E;Evil\u{1b}[2J;1\">Evil</Option>\
         <Option Value=\"E;WebServer;1\">Web\u{1b}]0;owned\u{7}\r\nsubject: forged\u{202e} Server</Option>\
         <Option Value=\"X\">(No templates found!)</Option></Select>"
            .to_owned(),
    );
    let out = t.run(&["ca", "templates", "corp"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    inert(&text);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("WebServer  Web"), "{text}");
    assert!(!text.contains("Evil"), "{text}");
    let json = t.json(&["ca", "templates", "corp"]);
    assert_eq!(json.as_array().map(Vec::len), Some(1), "{json}");

    // A page with no template list at all: the request goes unchecked, and says so.
    server.serve_templates_page("<html>Service Unavailable</html>".to_owned());
    fails(
        &t.run(&["ca", "templates", "corp"]),
        1,
        "has no certificate template list",
    );
    let out = t.run(&["request", "--type", "Internal", "--ca", "corp"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("was not checked before it was sent"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server.submissions(), 1);
}

#[test]
fn the_enterprise_root_is_offered_by_ca_add_and_trusted_by_ca_test() {
    let t = TestStore::with_topology(EDGE);
    let server = Certsrv::start(t.dir.path());
    let root = openssl_thumbprint(&fx("root.pem"));
    let roots = |t: &TestStore| {
        t.contents("computer")
            .into_iter()
            .filter(|(_, logical, _)| logical == "root")
            .map(|(thumbprint, _, _)| thumbprint)
            .collect::<Vec<_>>()
    };

    let args = server.connection("add", "corp", &server.url);
    let out = t
        .command()
        .args(&args)
        .env("CERTDESK_TEST_PASSWORD", certsrv::PASSWORD)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("certdesk runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(said.contains("Contoso Test Root"), "{said}");
    assert!(
        said.contains(&root) && said.contains("not in Trusted Roots"),
        "{said}"
    );
    assert!(said.contains("ca test corp --trust-root"), "{said}");
    assert!(roots(&t).is_empty(), "named, not trusted");

    let tested = t.json(&["ca", "test", "corp"]);
    assert_eq!(
        tested["untrusted_root"]["thumbprint"],
        root.as_str(),
        "{tested}"
    );
    assert!(roots(&t).is_empty());

    let trusted = t.json(&["ca", "test", "corp", "--trust-root"]);
    assert_eq!(
        trusted["root_trusted"]["thumbprint"],
        root.as_str(),
        "{trusted}"
    );
    assert!(trusted["untrusted_root"].is_null(), "{trusted}");
    assert_eq!(roots(&t), vec![root]);
    let log = t.json(&["log"]).to_string();
    assert!(log.contains("--trust-root"), "the trust is logged: {log}");

    // Trusted now: nothing more is offered, and a request's chain ends in a trusted root.
    let again = t.json(&["ca", "test", "corp"]);
    assert!(again["untrusted_root"].is_null(), "{again}");
    let issued = t.json(&["request", "--type", "Internal", "--ca", "corp"]);
    assert!(issued["untrusted_root"].is_null(), "{issued}");
}
