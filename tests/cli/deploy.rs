//! Deploy targets end to end: certbot's PEM layout and a 3DES PFX written locally (read
//! back by OpenSSL), a non-exportable key refused; over SSH to a real sshd with nginx on
//! loopback reloaded and probed until it serves the new certificate; and the failures (a
//! changed host key, a failing reload, a server that keeps the old certificate), each one
//! sentence, a webhook notification, and the previous files in place.

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::common;

use common::{EDGE, TestStore, fails, http, nginx, s, sshd, tool};

/// A store with two exportable certificates for Edge internal; the first assigned.
fn store_with_two() -> (TestStore, String, String) {
    let t = TestStore::with_topology(EDGE);
    let issue = || {
        t.json(&[
            "request",
            "--type",
            "Internal",
            "--ca",
            "builtin",
            "--exportable",
            "true",
        ])["thumbprint"]
            .as_str()
            .expect("issued")
            .to_owned()
    };
    let (a, b) = (issue(), issue());
    t.json(&["assign", "--type", "Internal", "--thumbprint", &a]);
    (t, a, b)
}

/// The thumbprint of the certificate a PEM file starts with.
fn pem_thumbprint(file: &Path) -> String {
    common::openssl_thumbprint(file)
}

/// The names in `dir` that a half-done deploy would leave.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".certdesk-tmp"))
        .collect()
}

#[test]
fn pem_layout_and_pfx_are_written_locally_and_read_back() {
    let (t, a, _) = store_with_two();
    let out = t.dir.path().join("www");
    std::fs::create_dir(&out).expect("dir");
    t.json(&[
        "deploy",
        "add",
        "web",
        "--usage",
        "Internal",
        "--to",
        s(&out),
    ]);
    let run = t.json(&["deploy", "run", "web"]);
    assert_eq!(run[0]["ok"], true, "{run}");
    assert_eq!(run[0]["thumbprint"], a.as_str());
    assert_eq!(pem_thumbprint(&out.join("cert.pem")), a);
    assert_eq!(pem_thumbprint(&out.join("fullchain.pem")), a);
    let chain = std::fs::read_to_string(out.join("chain.pem")).expect("chain");
    assert_eq!(
        chain.matches("BEGIN CERTIFICATE").count(),
        1,
        "the intermediate only"
    );
    let full = std::fs::read_to_string(out.join("fullchain.pem")).expect("fullchain");
    let leaf = std::fs::read_to_string(out.join("cert.pem")).expect("cert");
    assert_eq!(full, format!("{leaf}{chain}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |n: &str| {
            std::fs::metadata(out.join(n))
                .expect("file")
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("privkey.pem"), 0o600);
        assert_eq!(mode("cert.pem"), 0o644);
    }
    // The key is the certificate's.
    let key_pub = tool(
        "openssl",
        &["pkey", "-in", s(&out.join("privkey.pem")), "-pubout"],
    );
    let cert_pub = tool(
        "openssl",
        &["x509", "-in", s(&out.join("cert.pem")), "-pubkey", "-noout"],
    );
    assert_eq!(key_pub, cert_pub);
    // Chain verifies to the built-in root.
    let verified = tool(
        "openssl",
        &[
            "verify",
            "-partial_chain",
            "-CAfile",
            s(&out.join("chain.pem")),
            s(&out.join("cert.pem")),
        ],
    );
    assert!(verified.contains(": OK"), "{verified}");

    // A second run keeps the first files as .previous.
    t.json(&["deploy", "run", "web"]);
    assert_eq!(pem_thumbprint(&out.join("cert.pem.previous")), a);
    assert!(leftovers(&out).is_empty());

    // PFX: 3DES-SHA1 with the chain, its password sealed in the store.
    let pw = t.dir.path().join("pfx.pw");
    std::fs::write(&pw, "Pfx-pass 1").expect("pw");
    t.json(&[
        "deploy",
        "add",
        "win",
        "--usage",
        "Internal",
        "--to",
        s(&out),
        "--format",
        "pfx",
        "--password-file",
        s(&pw),
    ]);
    let run = t.json(&["deploy", "run", "win"]);
    assert_eq!(run[0]["ok"], true, "{run}");
    let pfx = out.join("win.pfx");
    let passin = format!("file:{}", s(&pw));
    let info = tool(
        "openssl",
        &[
            "pkcs12",
            "-in",
            s(&pfx),
            "-info",
            "-noout",
            "-passin",
            &passin,
        ],
    );
    assert!(info.contains("pbeWithSHA1And3-KeyTripleDES-CBC"), "{info}");
    let certs = tool(
        "openssl",
        &["pkcs12", "-in", s(&pfx), "-nokeys", "-passin", &passin],
    );
    assert_eq!(certs.matches("BEGIN CERTIFICATE").count(), 2, "{certs}");
    let key = tool(
        "openssl",
        &[
            "pkcs12",
            "-in",
            s(&pfx),
            "-nocerts",
            "-nodes",
            "-passin",
            &passin,
        ],
    );
    assert!(key.contains("BEGIN PRIVATE KEY"));
    // The password is nowhere in the store's files or the log.
    let log = t.json(&["log"]).to_string();
    assert!(
        !log.contains("Pfx-pass 1") && log.contains("--password-file"),
        "{log}"
    );
    let db = std::fs::read(t.path().join("store.sqlite")).expect("db");
    assert!(!db.windows(10).any(|w| w == b"Pfx-pass 1"));
    // A PFX target without a password is refused.
    let out_dir = s(&out).to_owned();
    fails(
        &t.run(&[
            "deploy", "add", "nopw", "--usage", "Internal", "--to", &out_dir, "--format", "pfx",
        ]),
        2,
        "needs a password",
    );
}

#[test]
fn a_key_that_is_not_exportable_is_never_deployed() {
    let t = TestStore::with_topology(EDGE);
    let issued = t.json(&["request", "--type", "Internal", "--ca", "builtin"]);
    let thumbprint = issued["thumbprint"].as_str().expect("issued");
    let out = t.dir.path().join("www");
    std::fs::create_dir(&out).expect("dir");
    fails(
        &t.run(&[
            "deploy",
            "add",
            "web",
            "--cert",
            thumbprint,
            "--to",
            s(&out),
        ]),
        2,
        "was not marked exportable",
    );
    assert_eq!(t.json(&["deploy", "list"]), serde_json::json!([]));
    // Assigned later to a usage target's usage: the run refuses, and writes nothing.
    t.json(&[
        "deploy",
        "add",
        "web",
        "--usage",
        "Internal",
        "--to",
        s(&out),
    ]);
    t.json(&["assign", "--type", "Internal", "--thumbprint", thumbprint]);
    fails(
        &t.run(&["deploy", "run", "web"]),
        1,
        "was not marked exportable",
    );
    assert_eq!(std::fs::read_dir(&out).expect("dir").count(), 0);
}

/// Everything the SSH tests need: certificates A (assigned, served by nginx) and B, sshd,
/// nginx serving the folder sshd's user deploys into, and a webhook that records.
struct Rig {
    t: TestStore,
    a: String,
    b: String,
    sshd: sshd::Sshd,
    nginx: nginx::Nginx,
    _hook: http::Files,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl Rig {
    fn new() -> Self {
        let (t, a, b) = store_with_two();
        let sshd = sshd::start();
        let certs = sshd.dir.path().join("certs");
        // The first files, written locally, so that nginx can start.
        t.json(&["deploy", "add", "seed", "--cert", &a, "--to", s(&certs)]);
        t.json(&["deploy", "run", "seed"]);
        let nginx = nginx::start(&certs);
        let (hook, bodies) = http::record();
        t.json(&[
            "notify",
            "set",
            "--webhook",
            &format!("http://127.0.0.1:{}/hook", hook.port),
        ]);
        Self {
            t,
            a,
            b,
            sshd,
            nginx,
            _hook: hook,
            bodies,
        }
    }

    fn certs(&self) -> std::path::PathBuf {
        self.sshd.dir.path().join("certs")
    }

    /// `deploy add edge` over SSH for Internal, with these extra arguments.
    fn add_edge(&self, reload: &str, known_hosts: &Path, extra: &[&str]) {
        let probe = format!("127.0.0.1:{}", self.nginx.port);
        let to = self.sshd.destination("certs");
        let mut args = vec![
            "deploy",
            "add",
            "edge",
            "--usage",
            "Internal",
            "--to",
            &to,
            "--reload",
            reload,
            "--probe",
            &probe,
            "--identity",
            s(&self.sshd.identity),
            "--known-hosts",
            s(known_hosts),
        ];
        args.extend_from_slice(extra);
        self.t.json(&args);
    }

    /// The leaf nginx serves, as `certdesk probe` sees it.
    fn served(&self) -> String {
        let out = self
            .t
            .run(&["--json", "probe", &format!("127.0.0.1:{}", self.nginx.port)]);
        let reports: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        reports[0]["chain"][0]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Asserts a failed run: exit 1 with `text`, B was not left in place (the files and
    /// what nginx serves are A's), and the webhook heard of it.
    fn assert_failed_and_put_back(&self, text: &str, put_back: &str) {
        self.t
            .json(&["assign", "--type", "Internal", "--thumbprint", &self.b]);
        let out = self.t.run(&["deploy", "run", "edge"]);
        fails(&out, 1, text);
        let err = common::stderr(&out);
        assert!(err.contains(put_back), "{err}");
        assert!(err.contains("notification sent by webhook"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
        let certs = self.certs();
        assert_eq!(pem_thumbprint(&certs.join("cert.pem")), self.a);
        assert_eq!(pem_thumbprint(&certs.join("fullchain.pem")), self.a);
        assert!(leftovers(&certs).is_empty(), "{:?}", leftovers(&certs));
        assert_eq!(self.served(), self.a);
        let bodies = self.bodies.lock().expect("bodies").clone();
        let hook: serde_json::Value =
            serde_json::from_str(bodies.last().expect("a notification")).expect("json");
        assert_eq!(hook["event"], "deploy_failed", "{hook}");
        assert_eq!(hook["target"], "edge");
        assert_eq!(hook["certificate"], self.b.as_str());
        let listed = self.t.json(&["deploy", "list"]);
        let edge = listed
            .as_array()
            .and_then(|l| l.iter().find(|t| t["name"] == "edge"))
            .expect("edge");
        assert_eq!(edge["last"]["ok"], false, "{edge}");
    }
}

#[test]
fn deploys_over_ssh_reloads_nginx_and_proves_the_new_certificate() {
    let rig = Rig::new();
    assert_eq!(rig.served(), rig.a);
    rig.add_edge(&rig.nginx.reload, &rig.sshd.known_hosts, &[]);
    rig.t
        .json(&["assign", "--type", "Internal", "--thumbprint", &rig.b]);
    let run = rig.t.json(&["deploy", "run", "edge"]);
    assert_eq!(run[0]["ok"], true, "{run}");
    assert_eq!(run[0]["thumbprint"], rig.b.as_str());
    let proof = run[0]["proof"].as_str().expect("proof");
    assert!(proof.contains(&rig.b), "{proof}");
    assert_eq!(rig.served(), rig.b, "nginx serves the new certificate");
    let certs = rig.certs();
    assert_eq!(pem_thumbprint(&certs.join("cert.pem")), rig.b);
    assert_eq!(pem_thumbprint(&certs.join("cert.pem.previous")), rig.a);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(certs.join("privkey.pem"))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(leftovers(&certs).is_empty());
    assert!(
        rig.bodies.lock().expect("bodies").is_empty(),
        "no failure, no notification"
    );
    let listed = rig.t.json(&["deploy", "list"]);
    let edge = &listed[0];
    assert_eq!(edge["name"], "edge");
    assert_eq!(edge["last"]["ok"], true, "{edge}");
    // The log's command recreates the target, naming no secret.
    let log = rig.t.json(&["log"]).to_string();
    assert!(
        log.contains("certdesk deploy add edge --usage Internal"),
        "{log}"
    );
    assert!(log.contains("certdesk deploy run edge"), "{log}");
}

#[test]
fn a_changed_ssh_host_key_sends_nothing_and_notifies() {
    let rig = Rig::new();
    rig.add_edge(&rig.nginx.reload, &rig.sshd.wrong_known_hosts, &[]);
    rig.assert_failed_and_put_back(
        "is not the one known_hosts holds",
        "nothing was changed there",
    );
}

#[test]
fn a_failing_reload_puts_the_previous_files_back_and_notifies() {
    let rig = Rig::new();
    rig.add_edge(
        "echo reload refused >&2; exit 3",
        &rig.sshd.known_hosts,
        &[],
    );
    rig.assert_failed_and_put_back(
        "failed with exit code 3: reload refused",
        "the previous files were put back",
    );
}

#[test]
fn a_server_that_keeps_the_old_certificate_fails_the_proof_and_rolls_back() {
    let rig = Rig::new();
    rig.add_edge("true", &rig.sshd.known_hosts, &["--proof-within", "3"]);
    rig.assert_failed_and_put_back(
        "did not serve the new certificate",
        "the previous files were put back",
    );
}

/// What `renew --due` deploys after its renewals: a target never run is deployed, one
/// already up to date is not deployed again, and a target whose usage no longer holds a
/// certificate has nothing to deploy, which is not a failure of the run.
#[test]
fn renew_due_deploys_only_stale_targets_and_an_empty_usage_is_no_failure() {
    let (t, a, _) = store_with_two();
    let out = t.dir.path().join("www");
    std::fs::create_dir(&out).expect("dir");
    t.json(&[
        "deploy",
        "add",
        "web",
        "--usage",
        "Internal",
        "--to",
        s(&out),
    ]);
    let run = t.json(&["renew", "--due"]);
    assert_eq!(run["deploys"][0]["target"], "web", "{run}");
    assert_eq!(run["deploys"][0]["ok"], true, "{run}");
    assert_eq!(pem_thumbprint(&out.join("cert.pem")), a);
    let again = t.json(&["renew", "--due"]);
    assert_eq!(again["deploys"], serde_json::json!([]), "{again}");
    t.json(&["unassign", "--type", "Internal"]);
    let empty = t.run(&["--json", "renew", "--due"]);
    assert!(empty.status.success(), "{}", common::stderr(&empty));
    let empty: serde_json::Value = serde_json::from_slice(&empty.stdout).expect("json");
    assert_eq!(empty["deploys"], serde_json::json!([]), "{empty}");
}
