//! The store through the CLI: permissions, keys encrypted at rest, the log and its
//! equivalent commands, show, remove, and the errors of thumbprint lookups.

use crate::common;

use std::process::Command;

use common::{TestStore, fx, openssl_thumbprint, s};

fn import_pfx(store: &TestStore) {
    store.json(&[
        "import",
        s(&fx("leaf-aes.pfx")),
        "--password-file",
        s(&fx("pw.txt")),
        "--trust-root",
    ]);
}

#[cfg(unix)]
#[test]
fn the_store_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let store = TestStore::new();
    import_pfx(&store);
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&store.path()), 0o700);
    assert_eq!(mode(&store.path().join("store.key")), 0o600);
    assert_eq!(mode(&store.path().join("store.sqlite")), 0o600);
}

#[test]
fn private_keys_are_sealed_at_rest() {
    let store = TestStore::new();
    import_pfx(&store);
    let db = std::fs::read(store.path().join("store.sqlite")).expect("db");
    // The unencrypted PKCS#8 of the leaf key must not be anywhere in the database.
    let plain = Command::new("openssl")
        .args(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in"])
        .arg(fx("leaf.key"))
        .output()
        .expect("openssl");
    let needle = &plain.stdout[plain.stdout.len() - 64..];
    assert!(
        !db.windows(needle.len()).any(|w| w == needle),
        "plaintext key bytes found in the store"
    );
    // ...and the password never is either.
    assert!(
        !db.windows(6).any(|w| w == b"secret"),
        "the PFX password is in the store"
    );

    // The blob is sealed (AES-256-GCM, bound to its row), and the store key that seals it
    // is not in the database.
    let conn = rusqlite::Connection::open(store.path().join("store.sqlite")).expect("open");
    let blob: Vec<u8> = conn
        .query_row("SELECT encrypted_pkcs8 FROM keys", [], |r| r.get(0))
        .expect("one key");
    assert!(blob.starts_with(b"CDS1"), "sealed layout");
    let key_file = std::fs::read_to_string(store.path().join("store.key")).expect("key");
    let store_key = key_file
        .lines()
        .last()
        .unwrap_or_default()
        .trim_start_matches("key ");
    assert_eq!(store_key.len(), 64, "{key_file}");
    assert!(!db.windows(64).any(|w| w == store_key.as_bytes()));
}

#[test]
fn the_log_shows_equivalent_commands_without_passwords() {
    let store = TestStore::new();
    import_pfx(&store);
    let leaf = openssl_thumbprint(&fx("leaf.pem"));
    store.json(&["remove", &leaf]);
    let log = store.json(&["log"]);
    let entries = log.as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    let import = &entries[0];
    assert_eq!(import["operation"], "import");
    let cmd = import["command"].as_str().unwrap_or_default();
    assert!(
        cmd.starts_with("certdesk --location computer import "),
        "{cmd}"
    );
    assert!(
        cmd.contains("--password-file '<password-file>'") && cmd.contains("--trust-root"),
        "{cmd}"
    );
    assert!(!cmd.contains("secret"), "{cmd}");
    assert_eq!(
        entries[1]["command"],
        format!("certdesk --location computer remove {leaf}")
    );
    let last = store.json(&["log", "--last", "1"]);
    assert_eq!(last.as_array().map(Vec::len), Some(1));
    assert_eq!(last[0]["operation"], "remove");
}

#[test]
fn remove_takes_the_key_along_and_keeps_the_rest() {
    let store = TestStore::new();
    import_pfx(&store);
    let leaf = openssl_thumbprint(&fx("leaf.pem"));
    let out = store.run(&["remove", &leaf.to_lowercase()[..10]]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(store.contents("computer").len(), 2);
    let conn = rusqlite::Connection::open(store.path().join("store.sqlite")).expect("open");
    let keys: i64 = conn
        .query_row("SELECT COUNT(*) FROM keys", [], |r| r.get(0))
        .expect("count");
    assert_eq!(keys, 0, "the key of a removed certificate is removed too");
}

#[test]
fn show_finds_by_prefix_and_refuses_bad_thumbprints() {
    let store = TestStore::new();
    import_pfx(&store);
    let leaf = openssl_thumbprint(&fx("leaf.pem"));
    let shown = store.json(&["show", &leaf[..8].to_lowercase()]);
    assert_eq!(shown["thumbprint"], leaf.as_str());
    assert!(
        shown["pem"]
            .as_str()
            .unwrap_or_default()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    let text = store.run(&["show", &leaf]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("sip.fabrikam.com"));
    for (arg, expected) in [
        ("1234", "not a thumbprint"),
        ("0000000000", "no certificate"),
        ("zzzzzzzzzz", "not a thumbprint"),
    ] {
        let out = store.run(&["show", arg]);
        assert_eq!(out.status.code(), Some(2), "{arg}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(expected),
            "{arg}"
        );
    }
    let other_location = store.run(&["--location", "user", "show", &leaf]);
    assert_eq!(other_location.status.code(), Some(2));
}

#[test]
fn list_filters_by_logical_store_and_reports_the_certificate_shape() {
    let store = TestStore::new();
    import_pfx(&store);
    let roots = store.json(&["list", "--logical", "root"]);
    assert_eq!(roots.as_array().map(Vec::len), Some(1));
    let personal = store.json(&["list", "--logical", "personal"]);
    let leaf = &personal[0];
    for field in [
        "thumbprint",
        "sha256",
        "subject",
        "issuer",
        "serial",
        "not_before",
        "not_after",
        "sans",
        "eku",
        "key",
        "signature",
        "location",
        "logical",
        "has_private_key",
        "exportable",
        "friendly_name",
        "self_signed",
        "chain",
        "usages",
    ] {
        assert!(leaf.get(field).is_some(), "missing {field}");
    }
    assert_eq!(leaf["key"], "RSA 2048");
    assert_eq!(leaf["signature"], "sha256WithRSAEncryption");
    assert_eq!(
        leaf["exportable"], false,
        "keys are not exportable unless asked, as on Windows"
    );
    let sans: Vec<&str> = leaf["sans"]
        .as_array()
        .expect("sans")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        sans,
        [
            "dns:sip.contoso.com",
            "dns:webcon.contoso.com",
            "dns:sip.fabrikam.com",
            "ip:10.0.0.1",
            "email:admin@contoso.com",
            "uri:https://contoso.com/"
        ]
    );
    assert_eq!(leaf["eku"], serde_json::json!(["serverAuth", "clientAuth"]));
    let bad = store.run(&["list", "--logical", "nope"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn exportable_is_recorded_when_asked() {
    let store = TestStore::new();
    let out = store.json(&[
        "import",
        s(&fx("ec.pfx")),
        "--password-file",
        s(&fx("pw.txt")),
        "--exportable",
        "true",
    ]);
    assert_eq!(out["imported"][0]["exportable"], true);
    assert_eq!(out["imported"][0]["key"], "ECDSA P-256");
}

#[test]
fn passwords_come_from_the_environment_too() {
    let store = TestStore::new();
    let out = Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .arg("--store")
        .arg(store.path())
        .args([
            "import",
            s(&fx("leaf-utf8.pfx")),
            "--password-env",
            "CERTDESK_TEST_PW",
        ])
        .env("CERTDESK_TEST_PW", "pässwörd€")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let missing = store.run(&[
        "import",
        s(&fx("leaf-aes.pfx")),
        "--password-env",
        "CERTDESK_NOT_SET",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("CERTDESK_NOT_SET"));
}

#[test]
fn no_command_opens_the_gui_and_says_so_without_a_display() {
    let store = TestStore::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .arg("--store")
        .arg(store.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("graphical display"), "{err}");
    let help = store.run(&["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage"));
}

#[test]
fn a_damaged_key_file_or_a_newer_store_is_refused_with_a_sentence() {
    let store = TestStore::new();
    import_pfx(&store);
    let key_file = store.path().join("store.key");
    let good = std::fs::read(&key_file).expect("key file");
    std::fs::write(&key_file, "not a key").expect("write");
    let out = store.run(&["list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is damaged"));
    std::fs::write(&key_file, &good).expect("restore");

    let conn = rusqlite::Connection::open(store.path().join("store.sqlite")).expect("db");
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    conn.pragma_update(None, "user_version", 99)
        .expect("version");
    drop(conn);
    let out = store.run(&["list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("newer version of certdesk"));
    let conn = rusqlite::Connection::open(store.path().join("store.sqlite")).expect("db");
    conn.pragma_update(None, "user_version", current)
        .expect("version");
    drop(conn);
    let out = store.run(&["assign", "--type", "Frontdoor", "--thumbprint", "00000000"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown usage type is bad input"
    );
}

#[test]
fn a_file_argument_opens_the_window_on_it_and_says_so_without_a_display() {
    let store = TestStore::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .arg("--store")
        .arg(store.path())
        .arg(fx("leaf.pem"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("graphical display"), "{err}");
    // The store exists but nothing was imported behind the user's back.
    assert_eq!(store.json(&["list"]).as_array().map(Vec::len), Some(0));
}

#[test]
fn an_unknown_word_is_neither_a_command_nor_a_file() {
    let store = TestStore::new();
    let out = store.run(&["lst"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("neither a certdesk command nor a file"));
}

#[test]
fn the_desktop_entry_opens_certificate_files_with_certdesk() {
    let store = TestStore::new();
    let data = store.dir.path().join("xdg-data");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args(["--json", "install-desktop"])
        .env("XDG_DATA_HOME", &data)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entry = std::fs::read_to_string(data.join("applications/certdesk.desktop")).expect("entry");
    assert!(entry.contains("\nExec="), "{entry}");
    assert!(entry.contains(" %f\n"), "the file is passed: {entry}");
    for mime in [
        "application/x-pkcs12",
        "application/pkix-cert",
        "application/x-pkcs7-certificates",
    ] {
        assert!(entry.contains(mime), "{mime}: {entry}");
    }
    let icon = std::fs::read_to_string(data.join("icons/hicolor/scalable/apps/certdesk.svg"))
        .expect("icon");
    assert!(icon.starts_with("<svg"));
}
