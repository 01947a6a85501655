//! Unattended renewal as the procedure runs it: an Edge external certificate from an
//! ACME CA (pebble, certificates living 30 seconds), assigned here, with a deploy target
//! "nginx over SSH" (a real sshd and nginx on loopback) and mail notifications (aiosmtpd).
//! When it is due, `renew --due` renews it, rolls its usage, deploys the new certificate
//! and proves that nginx serves it; a second run right after does nothing; with the CA
//! down, the failed renewal is mailed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::common;

use common::acme::short_lived_pebble_in;
use common::{EDGE, TestStore, fails, nginx, s, smtp, sshd};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Sleeps until every tracked certificate is due (bounded: they live 30 seconds).
fn wait_until_due(t: &TestStore) {
    let plan = t.json(&["renew", "--due", "--dry-run"]);
    let due = plan["certificates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["due_at"].as_i64())
        .max()
        .unwrap_or_else(|| panic!("a tracked certificate: {plan}"));
    let wait = (due + 1 - now()).clamp(0, 40);
    std::thread::sleep(Duration::from_secs(wait as u64));
}

/// The leaf nginx serves, as `certdesk probe` sees it.
fn served(t: &TestStore, nginx: &nginx::Nginx) -> String {
    let out = t.run(&["--json", "probe", &format!("127.0.0.1:{}", nginx.port)]);
    let reports: Value = serde_json::from_slice(&out.stdout).expect("json");
    reports[0]["chain"][0]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn in_force(t: &TestStore, usage: &str) -> String {
    t.json(&["status"])
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["usage"] == usage))
        .and_then(|r| r["thumbprint"].as_str())
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn an_edge_external_certificate_renews_deploys_to_nginx_over_ssh_and_a_failure_is_mailed() {
    let t = TestStore::with_topology(EDGE);
    let (servers, _directory, http01) = short_lived_pebble_in(&t, 30);
    let port = http01.to_string();
    let http_args = ["--http-address", "127.0.0.1", "--http-port", port.as_str()];
    let mut request = vec![
        "request",
        "--type",
        "AccessEdgeExternal",
        "--ca",
        "pebble",
        "--exportable",
        "true",
    ];
    request.extend(http_args);
    let first = t.json(&request)["thumbprint"]
        .as_str()
        .expect("issued")
        .to_owned();
    let root = servers.root_pem(t.dir.path());
    t.json(&["import", s(&root), "--trust-root"]);
    t.json(&[
        "assign",
        "--type",
        "AccessEdgeExternal",
        "--thumbprint",
        &first,
    ]);

    // nginx serves what sshd's user receives; its first files are written locally.
    let sshd = sshd::start();
    let certs = sshd.dir.path().join("certs");
    t.json(&["deploy", "add", "seed", "--cert", &first, "--to", s(&certs)]);
    t.json(&["deploy", "run", "seed"]);
    t.json(&["deploy", "remove", "seed"]);
    let nginx = nginx::start(&certs);
    let probe = format!("127.0.0.1:{}", nginx.port);
    let to = sshd.destination("certs");
    t.json(&[
        "deploy",
        "add",
        "edge",
        "--usage",
        "AccessEdgeExternal",
        "--to",
        &to,
        "--reload",
        &nginx.reload,
        "--probe",
        &probe,
        "--identity",
        s(&sshd.identity),
        "--known-hosts",
        s(&sshd.known_hosts),
    ]);
    let sink = smtp::start();
    t.json(&[
        "notify",
        "set",
        "--smtp",
        &format!("127.0.0.1:{}", sink.port),
        "--from",
        "certdesk@contoso.com",
        "--to",
        "ops@contoso.com",
    ]);
    assert_eq!(served(&t, &nginx), first);

    // Due: renewed once, its usage rolled, deployed over SSH and proved on nginx.
    wait_until_due(&t);
    let mut args = vec!["renew", "--due", "--scheduled"];
    args.extend(http_args);
    let run = t.json(&args);
    let renewed: Vec<&Value> = run["certificates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["outcome"] == "renewed")
        .collect();
    assert_eq!(renewed.len(), 1, "{run}");
    let second = renewed[0]["new_thumbprint"]
        .as_str()
        .expect("new thumbprint")
        .to_owned();
    assert_ne!(second, first);
    assert_eq!(in_force(&t, "AccessEdgeExternal"), second, "rolled");
    let deploys = run["deploys"].as_array().expect("deploys");
    assert_eq!(deploys.len(), 1, "{run}");
    assert_eq!(deploys[0]["target"], "edge");
    assert_eq!(deploys[0]["ok"], true, "{run}");
    assert_eq!(deploys[0]["thumbprint"], second.as_str());
    assert_eq!(
        served(&t, &nginx),
        second,
        "nginx serves the renewed certificate"
    );
    assert_eq!(common::openssl_thumbprint(&certs.join("cert.pem")), second);

    // Right after: nothing is due, nothing deployed again.
    let again = t.json(&args);
    assert!(
        again["certificates"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|c| c["outcome"] == "not_due"),
        "{again}"
    );
    assert_eq!(again["deploys"], serde_json::json!([]), "{again}");

    // The CA down when the new certificate is due: exit 1, one sentence, and mail.
    drop(servers);
    wait_until_due(&t);
    let mut text_args = vec!["renew", "--due", "--scheduled"];
    text_args.extend(http_args);
    let out = t.run(&text_args);
    fails(&out, 1, &second);
    let mail = sink.wait_for("failed");
    assert!(mail.contains(&second), "{mail}");
    assert_eq!(
        in_force(&t, "AccessEdgeExternal"),
        second,
        "nothing changed"
    );
    assert_eq!(served(&t, &nginx), second);
}
