//! Export through the CLI, proven against OpenSSL, NSS and GnuTLS: both encryptions with
//! ASCII and non-ASCII passwords (an empty one is refused); round trip into a second store; non-exportable
//! keys refused; --delete-key; .cer, Base64 and .p7b.

use crate::common;

use std::path::{Path, PathBuf};

use common::{TestStore, fx, openssl_thumbprint, s, tool, tool_output};

/// A store holding the fixture leaf (exportable key, friendly name "Contoso CSP", the
/// key-provider property) and its chain.
fn store_with_leaf(exportable: bool) -> (TestStore, String) {
    let store = TestStore::new();
    let flag = if exportable { "true" } else { "false" };
    store.json(&[
        "import",
        s(&fx("leaf-csp.pfx")),
        "--password-file",
        s(&fx("pw.txt")),
        "--exportable",
        flag,
    ]);
    store.json(&["import", s(&fx("chain.pem")), "--trust-root"]);
    (store, openssl_thumbprint(&fx("leaf.pem")))
}

fn password_file(dir: &Path, name: &str, password: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, password).expect("write");
    path
}

#[test]
fn pfx_files_open_in_openssl_nss_and_gnutls_with_every_password_kind() {
    let (store, thumb) = store_with_leaf(true);
    let dir = store.dir.path().to_path_buf();
    for encryption in ["aes256", "3des"] {
        for (kind, password) in [("ascii", "secret"), ("utf8", "pässwörd€")] {
            let pw = password_file(&dir, &format!("{kind}.pw"), password);
            let pfx = dir.join(format!("{encryption}-{kind}.pfx"));
            store.json(&[
                "export",
                &thumb,
                "--output",
                s(&pfx),
                "--password-file",
                s(&pw),
                "--encryption",
                encryption,
            ]);
            let what = format!("{encryption}/{kind}");
            let pass = format!("pass:{password}");

            // OpenSSL 3, without -legacy, for both encryptions.
            let info = tool(
                "openssl",
                &[
                    "pkcs12",
                    "-in",
                    s(&pfx),
                    "-info",
                    "-noout",
                    "-passin",
                    &pass,
                ],
            );
            let expected = if encryption == "aes256" {
                "AES-256-CBC"
            } else {
                "pbeWithSHA1And3-KeyTripleDES-CBC"
            };
            assert!(info.contains(expected), "{what}: {info}");
            let certs = tool(
                "openssl",
                &["pkcs12", "-in", s(&pfx), "-nokeys", "-passin", &pass],
            );
            assert_eq!(
                certs.matches("BEGIN CERTIFICATE").count(),
                3,
                "{what}: whole chain"
            );
            assert!(
                certs.contains("friendlyName: Contoso CSP") && certs.contains("localKeyID:"),
                "{what}: {certs}"
            );
            let key = tool(
                "openssl",
                &[
                    "pkcs12",
                    "-in",
                    s(&pfx),
                    "-nocerts",
                    "-nodes",
                    "-passin",
                    &pass,
                ],
            );
            assert!(
                key.contains("Microsoft CSP Name: Microsoft RSA SChannel Cryptographic Provider"),
                "{what}: {key}"
            );
            assert!(
                key.contains("Microsoft Local Key set"),
                "{what}: machine keyset marker"
            );
            assert!(
                key.contains("friendlyName: Contoso CSP") && key.contains("localKeyID:"),
                "{what}"
            );
            let wrong = tool_output(
                "openssl",
                &[
                    "pkcs12",
                    "-in",
                    s(&pfx),
                    "-info",
                    "-noout",
                    "-passin",
                    "pass:wrong",
                ],
            );
            assert!(
                !wrong.status.success(),
                "{what}: openssl accepted a wrong password"
            );

            // NSS: one key and the whole chain in a fresh database.
            let db = dir.join(format!("nss-{encryption}-{kind}"));
            std::fs::create_dir_all(&db).expect("db dir");
            let sql = format!("sql:{}", s(&db));
            tool("certutil", &["-N", "-d", &sql, "--empty-password"]);
            let bad = tool_output("pk12util", &["-i", s(&pfx), "-d", &sql, "-W", "wrong"]);
            assert!(
                !bad.status.success(),
                "{what}: pk12util accepted a wrong password"
            );
            tool("pk12util", &["-i", s(&pfx), "-d", &sql, "-W", password]);
            let keys = tool("certutil", &["-K", "-d", &sql]);
            assert_eq!(keys.matches("rsa").count(), 1, "{what}: {keys}");
            let listed = tool("certutil", &["-L", "-d", &sql]);
            assert!(
                listed.contains("Contoso CSP"),
                "{what}: friendly name as nickname: {listed}"
            );
            let rows = listed
                .lines()
                .skip(3)
                .filter(|l| !l.trim().is_empty())
                .count();
            assert_eq!(rows, 3, "{what}: the whole chain: {listed}");

            // GnuTLS.
            let gnutls = tool(
                "certtool",
                &[
                    "--p12-info",
                    "--inder",
                    "--infile",
                    s(&pfx),
                    "--password",
                    password,
                ],
            );
            assert!(
                gnutls.contains("Friendly name: Contoso CSP") && gnutls.contains("Key ID:"),
                "{what}: {gnutls}"
            );
            let bad = tool_output(
                "certtool",
                &[
                    "--p12-info",
                    "--inder",
                    "--infile",
                    s(&pfx),
                    "--password",
                    "wrong",
                ],
            );
            assert!(
                !bad.status.success(),
                "{what}: certtool accepted a wrong password"
            );
        }
    }
}

#[test]
fn export_then_import_elsewhere_loses_nothing() {
    let (store, thumb) = store_with_leaf(true);
    let dir = store.dir.path().to_path_buf();
    let pw = password_file(&dir, "pw", "move-it");
    let pfx = dir.join("move.pfx");
    store.json(&[
        "export",
        &thumb,
        "--output",
        s(&pfx),
        "--password-file",
        s(&pw),
    ]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&pfx)
            .expect("written")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "a PFX is owner-only");
    }
    let other = TestStore::new();
    other.json(&[
        "import",
        s(&pfx),
        "--password-file",
        s(&pw),
        "--trust-root",
        "--exportable",
        "true",
    ]);
    assert_eq!(
        other.contents("computer"),
        store.contents("computer"),
        "same certificates, same stores, key present"
    );
    let a = store.json(&["show", &thumb]);
    let b = other.json(&["show", &thumb]);
    assert_eq!(a["friendly_name"], b["friendly_name"]);
    let csp = |v: &serde_json::Value| {
        v["properties"]
            .as_array()
            .expect("properties")
            .iter()
            .find(|p| p["oid"] == "1.3.6.1.4.1.311.17.1")
            .map(|p| p["value"].clone())
    };
    assert!(csp(&a).is_some());
    assert_eq!(csp(&a), csp(&b), "the key-provider name survives");

    // Same key: re-export from the second store, sign with that key, verify with the
    // certificate of the first store.
    let again = dir.join("again.pfx");
    other.json(&[
        "export",
        &thumb,
        "--output",
        s(&again),
        "--password-file",
        s(&pw),
    ]);
    let key = dir.join("key.pem");
    tool(
        "openssl",
        &[
            "pkcs12",
            "-in",
            s(&again),
            "-nocerts",
            "-nodes",
            "-passin",
            "pass:move-it",
            "-out",
            s(&key),
        ],
    );
    let data = password_file(&dir, "data", "sign me");
    let sig = dir.join("sig");
    tool(
        "openssl",
        &[
            "dgst",
            "-sha256",
            "-sign",
            s(&key),
            "-out",
            s(&sig),
            s(&data),
        ],
    );
    let pubkey = dir.join("pub.pem");
    tool(
        "openssl",
        &[
            "x509",
            "-in",
            s(&fx("leaf.pem")),
            "-pubkey",
            "-noout",
            "-out",
            s(&pubkey),
        ],
    );
    let verified = tool(
        "openssl",
        &[
            "dgst",
            "-sha256",
            "-verify",
            s(&pubkey),
            "-signature",
            s(&sig),
            s(&data),
        ],
    );
    assert!(verified.contains("Verified OK"), "{verified}");
}

#[test]
fn a_non_exportable_key_cannot_leave_by_any_path() {
    let (store, thumb) = store_with_leaf(false);
    let dir = store.dir.path().to_path_buf();
    let pw = password_file(&dir, "pw", "x");
    let before = store.snapshot();
    for extra in [
        vec![],
        vec!["--encryption", "3des"],
        vec!["--delete-key"],
        vec!["--end-entity-only", "--no-properties"],
    ] {
        let out_file = dir.join("refused.pfx");
        let mut args = vec![
            "export",
            thumb.as_str(),
            "--output",
            s(&out_file),
            "--password-file",
            s(&pw),
        ];
        args.extend(extra.iter().copied());
        let out = store.run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("the private key of \"Contoso CSP\" was not marked exportable when it was requested or imported"),
            "{err}"
        );
        assert!(!out_file.exists());
        assert!(store.snapshot() == before);
    }
    // The certificate alone still exports.
    let cer = dir.join("leaf.cer");
    store.json(&["export", &thumb, "--output", s(&cer), "--format", "der"]);
    assert_eq!(openssl_thumbprint_der(&cer), thumb);
}

fn openssl_thumbprint_der(path: &Path) -> String {
    let text = tool(
        "openssl",
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            s(path),
            "-noout",
            "-fingerprint",
            "-sha1",
        ],
    );
    text.trim()
        .rsplit('=')
        .next()
        .unwrap_or_default()
        .replace(':', "")
}

#[test]
fn delete_key_leaves_the_certificate_and_a_file_that_imports_elsewhere() {
    let (store, thumb) = store_with_leaf(true);
    let dir = store.dir.path().to_path_buf();
    let pw = password_file(&dir, "pw", "bye");
    let pfx = dir.join("moved.pfx");
    let out = store.json(&[
        "export",
        &thumb,
        "--output",
        s(&pfx),
        "--password-file",
        s(&pw),
        "--delete-key",
    ]);
    assert_eq!(out["key_deleted"], true);
    let shown = store.json(&["show", &thumb]);
    assert_eq!(shown["has_private_key"], false);
    let conn = rusqlite::Connection::open(store.path().join("store.sqlite")).expect("db");
    let keys: i64 = conn
        .query_row("SELECT COUNT(*) FROM keys", [], |r| r.get(0))
        .expect("count");
    assert_eq!(keys, 0);
    let other = TestStore::new();
    let imported = other.json(&["import", s(&pfx), "--password-file", s(&pw)]);
    assert_eq!(imported["imported"][0]["has_private_key"], true);
}

#[test]
fn certificates_alone_as_der_base64_and_p7b() {
    let (store, thumb) = store_with_leaf(false);
    let dir = store.dir.path().to_path_buf();
    let der = dir.join("a.cer");
    let b64 = dir.join("b.cer");
    let p7b = dir.join("c.p7b");
    let leaf_only = dir.join("d.p7b");
    store.json(&["export", &thumb, "--output", s(&der), "--format", "der"]);
    store.json(&["export", &thumb, "--output", s(&b64), "--format", "base64"]);
    store.json(&["export", &thumb, "--output", s(&p7b), "--format", "p7b"]);
    store.json(&[
        "export",
        &thumb,
        "--output",
        s(&leaf_only),
        "--format",
        "p7b",
        "--end-entity-only",
    ]);
    assert_eq!(openssl_thumbprint_der(&der), thumb);
    assert!(
        std::fs::read_to_string(&b64)
            .expect("b64")
            .starts_with("-----BEGIN CERTIFICATE-----\n")
    );
    assert_eq!(openssl_thumbprint(&b64), thumb);
    let certs = tool(
        "openssl",
        &[
            "pkcs7",
            "-inform",
            "DER",
            "-in",
            s(&p7b),
            "-print_certs",
            "-noout",
        ],
    );
    let subjects: Vec<&str> = certs
        .lines()
        .filter(|l| l.starts_with("subject="))
        .collect();
    assert_eq!(subjects.len(), 3, "{certs}");
    assert!(
        subjects[0].contains("sip.contoso.com"),
        "leaf first: {certs}"
    );
    let one = tool(
        "openssl",
        &[
            "pkcs7",
            "-inform",
            "DER",
            "-in",
            s(&leaf_only),
            "-print_certs",
            "-noout",
        ],
    );
    assert_eq!(one.lines().filter(|l| l.starts_with("subject=")).count(), 1);
    // Our own importer reads what we wrote.
    let other = TestStore::new();
    other.json(&["import", s(&p7b), "--trust-root"]);
    assert_eq!(other.contents("computer").len(), 3);
    // An existing file is replaced by the complete new one.
    store.json(&["export", &thumb, "--output", s(&der), "--format", "base64"]);
    assert!(
        std::fs::read_to_string(&der)
            .expect("replaced")
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
}

#[test]
fn export_refusals_and_the_log() {
    let (store, thumb) = store_with_leaf(true);
    let dir = store.dir.path().to_path_buf();
    let pw = password_file(&dir, "pw", "top-secret-pw");
    let missing = dir.join("nope").join("x.pfx");
    let out = store.run(&[
        "export",
        &thumb,
        "--output",
        s(&missing),
        "--password-file",
        s(&pw),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
    let pfx = dir.join("x.pfx");
    let out = store.run(&["export", &thumb, "--output", s(&pfx)]);
    assert_eq!(out.status.code(), Some(2), "no password and no terminal");
    assert!(String::from_utf8_lossy(&out.stderr).contains("password"));
    assert!(!pfx.exists());
    // An empty password file is refused (as the window refuses an empty password): a
    // .pfx under an empty password hands the key to anyone with the file.
    let empty = password_file(&dir, "empty.pw", "");
    let before = store.snapshot();
    let out = store.run(&[
        "export",
        &thumb,
        "--output",
        s(&pfx),
        "--password-file",
        s(&empty),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the password is empty"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!pfx.exists());
    assert!(store.snapshot() == before);
    // Only the first line of a password file is the password.
    let two_lines = password_file(&dir, "two.pw", "first-line\nsecond-line\n");
    let first = dir.join("first.pfx");
    store.json(&[
        "export",
        &thumb,
        "--output",
        s(&first),
        "--password-file",
        s(&two_lines),
    ]);
    tool(
        "openssl",
        &[
            "pkcs12",
            "-in",
            s(&first),
            "-noout",
            "-passin",
            "pass:first-line",
        ],
    );
    let root = openssl_thumbprint(&fx("root.pem"));
    let out = store.run(&[
        "export",
        &root,
        "--output",
        s(&pfx),
        "--password-file",
        s(&pw),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no private key"));
    store.json(&[
        "export",
        &thumb,
        "--output",
        s(&pfx),
        "--password-file",
        s(&pw),
        "--encryption",
        "3des",
        "--end-entity-only",
    ]);
    let log = store.json(&["log", "--last", "1"]);
    let cmd = log[0]["command"].as_str().unwrap_or_default();
    assert!(
        cmd.contains(&format!("export {thumb} --output"))
            && cmd.contains("--encryption 3des")
            && cmd.contains("--end-entity-only"),
        "{cmd}"
    );
    assert!(cmd.contains("--password-file '<password-file>'"), "{cmd}");
    let db = std::fs::read(store.path().join("store.sqlite")).expect("db");
    assert!(
        !db.windows(13).any(|w| w == b"top-secret-pw"),
        "the password reached the store"
    );
    let certs = tool(
        "openssl",
        &[
            "pkcs12",
            "-in",
            s(&pfx),
            "-nokeys",
            "-passin",
            "pass:top-secret-pw",
        ],
    );
    assert_eq!(
        certs.matches("BEGIN CERTIFICATE").count(),
        1,
        "end entity only"
    );
}
