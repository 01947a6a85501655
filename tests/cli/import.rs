//! Import through the CLI: every format lands in the right stores with its key; every bad
//! input gets one sentence, exit code 2 and an unchanged store.

use crate::common;

use common::{TestStore, fx, openssl_thumbprint, s};

fn thumb(name: &str) -> String {
    openssl_thumbprint(&fx(name))
}

fn row(cert: &str, logical: &str, key: bool) -> Row {
    (thumb(cert), logical.to_owned(), key)
}

fn sorted(mut v: Vec<Row>) -> Vec<Row> {
    v.sort();
    v
}

type Row = (String, String, bool);

/// A file to import: its password file, extra arguments, and the expected contents of
/// the Computer location afterwards.
type Case = (
    &'static str,
    Option<&'static str>,
    Vec<&'static str>,
    Vec<Row>,
);

fn cases() -> Vec<Case> {
    let full_chain_with_key = vec![
        row("leaf.pem", "personal", true),
        row("inter.pem", "ca", false),
        row("root.pem", "root", false),
    ];
    let leaf_key_only = vec![row("leaf.pem", "personal", true)];
    vec![
        (
            "leaf.der",
            None,
            vec![],
            vec![row("leaf.pem", "personal", false)],
        ),
        (
            "leaf.pem",
            None,
            vec![],
            vec![row("leaf.pem", "personal", false)],
        ),
        (
            "bundle.pem",
            None,
            vec!["--trust-root"],
            vec![
                row("leaf.pem", "personal", false),
                row("inter.pem", "ca", false),
                row("root.pem", "root", false),
            ],
        ),
        (
            "chain.p7b",
            None,
            vec!["--trust-root"],
            vec![
                row("leaf.pem", "personal", false),
                row("inter.pem", "ca", false),
                row("root.pem", "root", false),
            ],
        ),
        (
            "chain-pem.p7b",
            None,
            vec![],
            vec![
                row("leaf.pem", "personal", false),
                row("inter.pem", "ca", false),
            ],
        ),
        (
            "signed-ber.p7b",
            None,
            vec!["--trust-root"],
            vec![
                row("leaf.pem", "personal", false),
                row("inter.pem", "ca", false),
                row("root.pem", "root", false),
            ],
        ),
        (
            "leaf-aes.pfx",
            Some("pw.txt"),
            vec!["--trust-root"],
            full_chain_with_key.clone(),
        ),
        (
            "leaf-legacy.pfx",
            Some("pw.txt"),
            vec!["--trust-root"],
            full_chain_with_key.clone(),
        ),
        (
            "leaf-empty.pfx",
            Some("empty.txt"),
            vec!["--trust-root"],
            full_chain_with_key.clone(),
        ),
        (
            "leaf-empty-legacy.pfx",
            Some("empty.txt"),
            vec![],
            leaf_key_only.clone(),
        ),
        (
            "leaf-utf8.pfx",
            Some("utf8.txt"),
            vec![],
            leaf_key_only.clone(),
        ),
        (
            "leaf-utf8-legacy.pfx",
            Some("utf8.txt"),
            vec![],
            leaf_key_only.clone(),
        ),
        (
            "nomac.pfx",
            Some("pw.txt"),
            vec!["--trust-root"],
            full_chain_with_key.clone(),
        ),
        (
            "gnutls.p12",
            Some("pw.txt"),
            vec![],
            vec![
                row("leaf.pem", "personal", true),
                row("inter.pem", "ca", false),
            ],
        ),
        (
            "nss.p12",
            Some("pw.txt"),
            vec!["--trust-root"],
            full_chain_with_key,
        ),
        (
            "ec.pfx",
            Some("pw.txt"),
            vec![],
            vec![row("ec.pem", "personal", true)],
        ),
        (
            "certs-only.pfx",
            Some("pw.txt"),
            vec!["--trust-root"],
            vec![
                row("inter.pem", "ca", false),
                row("root.pem", "root", false),
            ],
        ),
    ]
}

#[test]
fn every_format_lands_in_the_right_stores_with_its_key() {
    for (file, password, extra, expected) in cases() {
        let store = TestStore::new();
        let path = fx(file);
        let pw = password.map(fx);
        let mut args = vec!["import", s(&path)];
        if let Some(pw) = &pw {
            args.extend(["--password-file", s(pw)]);
        }
        args.extend(extra.iter().copied());
        let out = store.run(&args);
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(store.contents("computer"), sorted(expected), "{file}");
        assert!(
            store.contents("user").is_empty(),
            "{file} leaked into the user location"
        );
    }
}

#[test]
fn a_pem_file_with_an_encrypted_pkcs8_key_pairs_it() {
    let store = TestStore::new();
    std::fs::write(store.dir.path().join("kp"), "keypass").expect("write");
    let kp = store.dir.path().join("kp");
    let out = store.run(&[
        "import",
        s(&fx("ec-with-encrypted-key.pem")),
        "--password-file",
        s(&kp),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        store.contents("computer"),
        vec![row("ec.pem", "personal", true)]
    );
}

#[test]
fn a_self_signed_root_needs_trust_root_and_says_how() {
    let store = TestStore::new();
    let out = store.json(&["import", s(&fx("bundle.pem"))]);
    assert_eq!(out["skipped"][0]["thumbprint"], thumb("root.pem"));
    assert!(
        out["skipped"][0]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("self-signed root")
    );
    let text = store.run(&["import", s(&fx("root.pem"))]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("--trust-root"));
    assert!(!store.contents("computer").iter().any(|r| r.1 == "root"));
}

#[test]
fn a_present_certificate_is_not_duplicated_and_receives_its_key() {
    let store = TestStore::new();
    store.json(&["import", s(&fx("leaf.pem"))]);
    let again = store.json(&["import", s(&fx("leaf.der"))]);
    assert_eq!(again["already_present"][0], thumb("leaf.pem"));
    assert_eq!(again["imported"].as_array().map(Vec::len), Some(0));
    let with_key = store.json(&[
        "import",
        s(&fx("leaf-aes.pfx")),
        "--password-file",
        s(&fx("pw.txt")),
    ]);
    assert_eq!(with_key["keys_attached"][0], thumb("leaf.pem"));
    assert_eq!(
        store.contents("computer")[..]
            .iter()
            .filter(|r| r.2)
            .count(),
        1
    );
    assert_eq!(
        store.contents("computer").len(),
        2,
        "leaf and intermediate, no duplicates"
    );
}

/// The second Edge server: a PFX imported without `--exportable` keeps its key not
/// exportable. Importing it again with `--exportable true` makes the stored key exportable,
/// as the file holds the key (which gives the certificate's public key), and the activity
/// log says so; a file without the key changes nothing and says why; `--exportable false`
/// never takes exportability away, and says so too.
#[test]
fn a_pfx_imported_again_with_exportable_true_makes_its_stored_key_exportable() {
    let store = TestStore::new();
    let pfx = fx("leaf-aes.pfx");
    let pw = fx("pw.txt");
    let leaf = thumb("leaf.pem");
    let exportable = |store: &TestStore| store.json(&["show", &leaf])["exportable"].clone();
    let import = |extra: &[&str]| {
        let mut args = vec!["import", s(&pfx), "--password-file", s(&pw)];
        args.extend_from_slice(extra);
        store.run(&args)
    };
    assert!(import(&["--trust-root"]).status.success());
    assert_eq!(exportable(&store), false);

    // The certificate alone: nothing to prove the key with, so nothing changes.
    let out = store.run(&["import", s(&fx("leaf.pem")), "--exportable", "true"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "the file does not hold the private key of \"sip.contoso.com\", so its key in the store stays not exportable"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(exportable(&store), false);
    // The PFX again without asking: nothing changes.
    assert!(import(&[]).status.success());
    assert_eq!(exportable(&store), false);

    // The PFX again, asking: the key becomes exportable, and the log says so.
    let out = import(&["--exportable", "true"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.contains(&format!("exportable   {leaf}  sip.contoso.com")),
        "{stdout}"
    );
    assert_eq!(exportable(&store), true);
    let log = store.json(&["log"]);
    let last = &log.as_array().expect("entries")[log.as_array().map_or(0, Vec::len) - 1];
    assert_eq!(last["operation"], "import");
    assert!(
        last["details"]
            .as_str()
            .unwrap_or_default()
            .contains("the private key of \"sip.contoso.com\" is now exportable, as asked"),
        "{last}"
    );
    // The key was sealed again under its new flag: it opens, and leaves as a PFX.
    let out_file = store.dir.path().join("second-edge.pfx");
    let out = store.run(&[
        "export",
        &leaf,
        "--output",
        s(&out_file),
        "--password-file",
        s(&pw),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // `--exportable false` does not take it away, and says so.
    let out = import(&["--exportable", "false"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("it stays exportable"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(exportable(&store), true);
    let again = store.json(&[
        "import",
        s(&pfx),
        "--password-file",
        s(&pw),
        "--exportable",
        "true",
    ]);
    assert_eq!(again["made_exportable"], serde_json::json!([]));
}

/// On an Edge server the CLI, which has no preview, says after the import that A/V Edge
/// external needs the key exportable, and how to make it so.
#[test]
fn on_an_edge_server_a_key_left_not_exportable_is_told_how_to_fix() {
    let store = TestStore::with_topology(common::EDGE);
    let (pfx, pw) = (fx("leaf-aes.pfx"), fx("pw.txt"));
    let import = |extra: &[&str]| {
        let mut args = vec!["import", s(&pfx), "--password-file", s(&pw), "--trust-root"];
        args.extend_from_slice(extra);
        store.run(&args)
    };
    let said = "A/V Edge external needs an exportable private key on this server";
    let out = import(&[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success());
    assert!(err.contains(said), "{err}");
    assert!(err.contains("import the file again with the key marked exportable"));
    let out = import(&["--exportable", "true"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains(said), "{err}");
    assert_eq!(
        store.json(&["show", &thumb("leaf.pem")])["exportable"],
        true
    );
}

#[test]
fn the_user_location_is_separate() {
    let store = TestStore::new();
    store.json(&["--location", "user", "import", s(&fx("leaf.pem"))]);
    assert_eq!(
        store.contents("user"),
        vec![row("leaf.pem", "personal", false)]
    );
    assert!(store.contents("computer").is_empty());
}

#[test]
fn bag_attributes_are_kept_as_extended_properties() {
    let store = TestStore::new();
    let out = store.json(&[
        "import",
        s(&fx("leaf-csp.pfx")),
        "--password-file",
        s(&fx("pw.txt")),
    ]);
    assert_eq!(out["imported"][0]["friendly_name"], "Contoso CSP");
    let shown = store.json(&["show", &thumb("leaf.pem")]);
    let props = shown["properties"].as_array().expect("properties");
    let csp = props
        .iter()
        .find(|p| p["oid"] == "1.3.6.1.4.1.311.17.1")
        .expect("key-provider name kept");
    assert_eq!(csp["bag"], "key");
    // BMPString of "Microsoft RSA SChannel Cryptographic Provider" inside a SET
    let hex = csp["value"].as_str().unwrap_or_default();
    assert!(
        hex.contains("004D006900630072006F0073006F0066007400"),
        "{hex}"
    );
    assert!(
        props.iter().any(|p| p["oid"] == "1.2.840.113549.1.9.21"),
        "localKeyId kept"
    );
}

#[test]
fn friendly_names_stay_unique_per_location() {
    let store = TestStore::new();
    let pw = fx("pw.txt");
    store.json(&["import", s(&fx("leaf-aes.pfx")), "--password-file", s(&pw)]);
    let out = store.json(&[
        "import",
        s(&fx("ec-same-name.pfx")),
        "--password-file",
        s(&pw),
    ]);
    assert_eq!(out["imported"][0]["friendly_name"], "Contoso SIP (2)");
    assert!(
        out["warnings"][0]
            .as_str()
            .unwrap_or_default()
            .contains("already used")
    );
    // another location may reuse the name
    let user = store.json(&[
        "--location",
        "user",
        "import",
        s(&fx("ec-same-name.pfx")),
        "--password-file",
        s(&pw),
    ]);
    assert_eq!(user["imported"][0]["friendly_name"], "Contoso SIP");
}

#[test]
fn chain_status_follows_trust() {
    let store = TestStore::new();
    store.json(&["import", s(&fx("bundle.pem"))]);
    let leaf = store.json(&["show", &thumb("leaf.pem")]);
    assert_eq!(leaf["chain"], "incomplete", "no root yet");
    store.json(&["import", s(&fx("root.pem")), "--trust-root"]);
    let leaf = store.json(&["show", &thumb("leaf.pem")]);
    assert_eq!(leaf["chain"], "valid");
    assert_eq!(leaf["path"].as_array().map(Vec::len), Some(3));
}

#[test]
fn bad_input_gets_one_sentence_exit_2_and_changes_nothing() {
    let store = TestStore::new();
    store.json(&[
        "import",
        s(&fx("leaf-aes.pfx")),
        "--password-file",
        s(&fx("pw.txt")),
        "--trust-root",
    ]);
    let before = store.snapshot();
    let wrong = store.dir.path().join("wrong.txt");
    std::fs::write(&wrong, "not the password").expect("write");
    let mixed = store.dir.path().join("mixed.pem");
    let mut bundle = std::fs::read(fx("ec.pem")).expect("read");
    bundle.extend(std::fs::read(fx("unknown-critical.pem")).expect("read"));
    std::fs::write(&mixed, bundle).expect("write");
    let pw = fx("pw.txt");
    let cases: Vec<(std::path::PathBuf, Option<&std::path::Path>, &str)> = vec![
        (fx("leaf-aes.pfx"), Some(&wrong), "password is wrong"),
        (fx("leaf-legacy.pfx"), Some(&wrong), "password is wrong"),
        (fx("nss.p12"), Some(&wrong), "password is wrong"),
        (fx("tampered.pfx"), Some(&pw), "integrity check failed"),
        (fx("leaf-aes.pfx"), None, "protected by a password"),
        (fx("truncated.pfx"), Some(&pw), "truncated"),
        (fx("truncated.der"), None, "truncated"),
        (fx("empty.cer"), None, "empty"),
        (fx("random.bin"), None, "not a certificate"),
        (fx("garbage.pem"), None, "not valid Base64"),
        (
            fx("unknown-critical.pem"),
            None,
            "critical extension (1.2.3.4.5.6)",
        ),
        (mixed, None, "critical extension"),
        (fx("request.csr"), None, "certificate request"),
        (fx("does-not-exist.cer"), None, "cannot read"),
    ];
    for (file, password, expected) in cases {
        let mut args = vec!["import", s(&file), "--trust-root"];
        if let Some(pw) = password {
            args.extend(["--password-file", s(pw)]);
        }
        let out = store.run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", file.display());
        assert!(err.contains(expected), "{}: {err}", file.display());
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        assert!(err.contains(name), "the message names the file: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            store.snapshot() == before,
            "{} changed the store",
            file.display()
        );
    }
}

/// A bundle of certificates without their keys gives one warning that counts them, not one
/// per certificate; `--verbose` lists them, and the JSON names them.
#[test]
fn certificates_without_a_key_are_one_counted_warning() {
    let t = TestStore::new();
    let bundle = t.dir.path().join("bundle.pem");
    std::fs::write(&bundle, common::big_bundle(5)).expect("bundle");
    let out = t.run(&["import", s(&bundle), "--trust-root"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let err = common::stderr(&out);
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].contains("4 certificates came without a private key"),
        "{err}"
    );

    let again = TestStore::new();
    let out = again.run(&["import", s(&bundle), "--trust-root", "--verbose"]);
    let err = common::stderr(&out);
    assert_eq!(
        err.lines()
            .filter(|l| l.starts_with("without a private key: host"))
            .count(),
        4,
        "{err}"
    );
    let json = TestStore::new().json(&["import", s(&bundle), "--trust-root"]);
    assert_eq!(
        json["without_key"].as_array().map(Vec::len),
        Some(4),
        "{json}"
    );
}

#[test]
fn a_hostile_pem_block_is_refused_with_memory_bounded_by_the_block_not_the_file() {
    use common::watch::watch;
    use std::io::Write;
    let t = TestStore::new();
    t.json(&["list"]);
    // 96 MiB of Base64 in one block that never ends: read whole, it took 200 MB.
    let file = t.dir.path().join("hostile.pem");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).expect("create"));
    out.write_all(b"-----BEGIN CERTIFICATE-----\n")
        .expect("write");
    let line = [b"A".repeat(64), b"\n".to_vec()].concat();
    for _ in 0..(96 << 20) / line.len() {
        out.write_all(&line).expect("write");
    }
    out.flush().expect("flush");
    let limit_kib = 100 * 1024;
    let run = watch(
        t.spawn(&["import", s(&file)]),
        std::time::Duration::from_secs(120),
        limit_kib,
    );
    assert!(
        run.code.is_some(),
        "killed after {:?} at {} KiB",
        run.took,
        run.peak_kib
    );
    assert!(run.peak_kib < limit_kib, "{} KiB", run.peak_kib);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("PEM block 1 (CERTIFICATE) is larger than 16 MiB"),
        "{}",
        run.stderr
    );
    assert_eq!(t.json(&["list"]).as_array().map(Vec::len), Some(0));
}
