//! The store as a vault, tried as an attacker would: someone who can write the database
//! but has no store key (moving sealed keys between rows, flipping the exportable flag, in
//! SQLite and in a team database), someone who planted or loosened the store's files, and
//! a store key wrapped by a passphrase.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::{TestStore, fails, leaf_with_key, pg, s, stderr};

/// Imports a fresh certificate with its key; returns its thumbprint.
fn import(store: &TestStore, i: usize, exportable: bool) -> String {
    let file = leaf_with_key(store.dir.path(), i);
    let flag = exportable.to_string();
    let out = store.json(&["import", s(&file), "--exportable", &flag]);
    out["imported"][0]["thumbprint"]
        .as_str()
        .expect("imported")
        .to_owned()
}

/// `export THUMBPRINT` to a PFX in the test directory: the command's output and the file.
fn export(store: &TestStore, thumbprint: &str) -> (std::process::Output, std::path::PathBuf) {
    let out_file = store.dir.path().join(format!("{thumbprint}.pfx"));
    let _ = std::fs::remove_file(&out_file);
    let out = store
        .command()
        .args(["export", thumbprint, "--output", s(&out_file)])
        .args(["--password-env", "CERTDESK_TEST_PASSWORD"])
        .env("CERTDESK_TEST_PASSWORD", "export-pw")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("certdesk runs");
    (out, out_file)
}

fn sqlite(store: &TestStore) -> rusqlite::Connection {
    rusqlite::Connection::open(store.path().join("store.sqlite")).expect("database")
}

/// The key row id of a certificate.
fn key_id(conn: &rusqlite::Connection, thumbprint: &str) -> i64 {
    conn.query_row(
        "SELECT key_id FROM certificates WHERE thumbprint = ?1",
        [thumbprint],
        |r| r.get(0),
    )
    .expect("a key")
}

fn refused_as_altered(store: &TestStore, thumbprint: &str) {
    let (out, file) = export(store, thumbprint);
    fails(
        &out,
        1,
        "the record of this key was altered outside certdesk",
    );
    assert!(!file.exists(), "nothing may be exported");
}

#[test]
fn a_sealed_key_moved_to_another_row_exports_nothing() {
    let store = TestStore::new();
    let victim = import(&store, 1, false);
    let other = import(&store, 2, true);
    let conn = sqlite(&store);
    let (victim_key, other_key) = (key_id(&conn, &victim), key_id(&conn, &other));
    conn.execute(
        "UPDATE keys SET encrypted_pkcs8 = (SELECT encrypted_pkcs8 FROM keys WHERE id = ?1)
         WHERE id = ?2",
        [victim_key, other_key],
    )
    .expect("swap");
    refused_as_altered(&store, &other);

    // The whole row copied (hash and blob): the certificate's own key no longer matches.
    conn.execute(
        "UPDATE keys SET public_key_hash = 'X' || public_key_hash WHERE id = ?1",
        [victim_key],
    )
    .expect("rename");
    conn.execute(
        "UPDATE keys SET (public_key_hash, encrypted_pkcs8, exportable) =
            (SELECT substr(public_key_hash, 2), encrypted_pkcs8, exportable FROM keys WHERE id = ?1)
         WHERE id = ?2",
        [victim_key, other_key],
    )
    .expect("copy the row");
    let (out, file) = export(&store, &other);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!file.exists(), "nothing may be exported");
}

#[test]
fn a_flipped_exportable_flag_exports_nothing() {
    let store = TestStore::new();
    let victim = import(&store, 1, false);
    let (out, file) = export(&store, &victim);
    fails(&out, 1, "not marked exportable");
    assert!(!file.exists());
    sqlite(&store)
        .execute("UPDATE keys SET exportable = 1", [])
        .expect("flip");
    refused_as_altered(&store, &victim);
}

#[test]
fn a_team_database_owner_cannot_swap_or_flip_keys() {
    let store = TestStore::team();
    let victim = import(&store, 1, false);
    let other = import(&store, 2, true);
    let address = store.team.as_deref().expect("team");
    let database = address
        .rsplit('/')
        .next()
        .and_then(|d| d.split('?').next())
        .expect("database");
    let psql = |sql: &str| {
        let out = pg::server().psql(database, sql);
        assert!(out.status.success(), "{}", stderr(&out));
    };
    psql(&format!(
        "UPDATE keys SET encrypted_pkcs8 = (SELECT k.encrypted_pkcs8 FROM keys k
           JOIN certificates c ON c.key_id = k.id WHERE c.thumbprint = '{victim}')
         WHERE id = (SELECT key_id FROM certificates WHERE thumbprint = '{other}')"
    ));
    refused_as_altered(&store, &other);
    psql("UPDATE keys SET exportable = 1");
    refused_as_altered(&store, &victim);
}

/// A copy of the fixture store, written before keys were sealed to their rows.
fn older_store() -> TestStore {
    let store = TestStore::new();
    let dir = store.path();
    std::fs::create_dir(&dir).expect("dir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sample-store");
    for name in ["store.sqlite", "store.key"] {
        std::fs::copy(fixture.join(name), dir.join(name)).expect("copy");
    }
    std::fs::set_permissions(dir.join("store.key"), PermissionsExt::from_mode(0o600))
        .expect("chmod");
    store
}

#[test]
fn a_store_written_before_sealing_is_converted_and_still_exports() {
    let store = older_store();
    let dir = store.path();
    let blobs = |conn: &rusqlite::Connection| -> Vec<Vec<u8>> {
        let mut stmt = conn
            .prepare("SELECT encrypted_pkcs8 FROM keys ORDER BY id")
            .expect("query");
        stmt.query_map([], |r| r.get(0))
            .expect("rows")
            .map(|b| b.expect("blob"))
            .collect()
    };
    let before = blobs(&sqlite(&store));
    assert!(!before.is_empty(), "the fixture holds keys");
    assert!(
        before.iter().all(|b| b.first() == Some(&0x30)),
        "the fixture was written in the old layout"
    );
    let old_key = std::fs::read_to_string(dir.join("store.key")).expect("key");

    // A certificate with an exportable key exports after the conversion.
    let list = store.json(&["list"]);
    let with_key = list
        .as_array()
        .expect("array")
        .iter()
        .find(|c| c["exportable"].as_bool() == Some(true))
        .and_then(|c| c["thumbprint"].as_str())
        .expect("an exportable key in the fixture")
        .to_owned();
    let after = blobs(&sqlite(&store));
    assert_eq!(after.len(), before.len());
    assert!(
        after.iter().all(|b| b.starts_with(b"CDS1")),
        "every blob sealed"
    );
    let new_key = std::fs::read_to_string(dir.join("store.key")).expect("key");
    assert!(new_key.starts_with("certdesk-store-key 2\n"), "{new_key}");
    assert!(new_key.contains(old_key.trim()), "the same store key");
    let (out, file) = export(&store, &with_key);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(file.exists());

    // A blob of the old layout planted afterwards is refused, not converted again.
    let conn = sqlite(&store);
    let id = key_id(&conn, &with_key);
    conn.execute(
        "UPDATE keys SET encrypted_pkcs8 = ?1 WHERE id = ?2",
        rusqlite::params![before[0], id],
    )
    .expect("plant");
    store.json(&["list"]);
    refused_as_altered(&store, &with_key);
}

#[test]
fn a_store_others_could_read_or_change_is_refused_with_the_fix() {
    let store = TestStore::new();
    import(&store, 1, true);
    let dir = store.path();
    let snapshot = store.snapshot();
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, PermissionsExt::from_mode(mode)).expect("chmod");
    };

    mode(&dir.join("store.key"), 0o644);
    let out = store.run(&["list"]);
    fails(&out, 2, "chmod 600");
    assert!(stderr(&out).contains("store.key"), "{}", stderr(&out));
    mode(&dir.join("store.key"), 0o600);

    mode(&dir, 0o777);
    let out = store.run(&["list"]);
    fails(&out, 2, "chmod go-w");
    mode(&dir, 0o700);
    assert_eq!(store.snapshot(), snapshot, "nothing read or written");

    // A key file planted by another user (root can make one here).
    if std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
    {
        std::os::unix::fs::chown(dir.join("store.key"), Some(4242), None).expect("chown");
        let out = store.run(&["list"]);
        fails(&out, 2, "owned by another user");
    }
    store.run(&["list"]);
}

#[test]
fn a_local_store_with_a_passphrase_lists_locked_and_exports_unlocked() {
    let store = TestStore::new();
    let thumbprint = import(&store, 1, true);
    let key_file = store.path().join("store.key");
    let plain_key = std::fs::read_to_string(&key_file).expect("key");

    let set = |args: &[&str]| {
        store
            .command()
            .args(["store", "passwd"])
            .args(args)
            .env("NEW_PASSPHRASE", "a long store passphrase")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("certdesk runs")
    };
    let short = store
        .command()
        .args(["store", "passwd", "--new-password-env", "SHORT"])
        .env("SHORT", "short")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs");
    fails(&short, 2, "at least 8 characters");
    let out = set(&["--new-password-env", "NEW_PASSPHRASE"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let wrapped = std::fs::read_to_string(&key_file).expect("key");
    let hex_key = plain_key.lines().last().unwrap_or_default();
    let hex_key = hex_key.trim_start_matches("key ");
    assert!(!wrapped.contains(hex_key), "the store key is wrapped");

    // Locked: lists and shows, refuses what needs a key.
    assert_eq!(store.json(&["list"]).as_array().map(Vec::len), Some(1));
    store.json(&["show", &thumbprint]);
    let (out, file) = export(&store, &thumbprint);
    fails(&out, 2, "the store is locked");
    assert!(!file.exists());

    let unlocked = |passphrase: &str| {
        let out_file = store.dir.path().join("unlocked.pfx");
        let _ = std::fs::remove_file(&out_file);
        let out = store
            .command()
            .args(["--store-password-env", "STORE_PASSPHRASE"])
            .args(["export", &thumbprint, "--output", s(&out_file)])
            .args(["--password-env", "CERTDESK_TEST_PASSWORD"])
            .env("STORE_PASSPHRASE", passphrase)
            .env("CERTDESK_TEST_PASSWORD", "export-pw")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("runs");
        (out, out_file.exists())
    };
    let (out, written) = unlocked("the wrong passphrase");
    fails(&out, 2, "passphrase is wrong");
    assert!(!written);
    let (out, written) = unlocked("a long store passphrase");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(written);

    // Removed: the key file holds the key again and no passphrase is asked.
    let out = store
        .command()
        .args([
            "--store-password-env",
            "STORE_PASSPHRASE",
            "store",
            "passwd",
        ])
        .arg("--remove")
        .env("STORE_PASSPHRASE", "a long store passphrase")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let (out, file) = export(&store, &thumbprint);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(file.exists());
    let log = store.json(&["log"]);
    let commands: Vec<&str> = log
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|e| e["command"].as_str())
        .collect();
    assert!(
        commands.contains(&"certdesk store passwd --remove"),
        "{commands:?}"
    );
}

/// A CA connection pointed elsewhere by someone who can write the database no longer opens
/// its secrets: the AD CS password is never sent to a server its owner did not choose.
#[test]
fn a_ca_pointed_elsewhere_outside_certdesk_keeps_its_password() {
    let store = TestStore::new();
    let pw = store.dir.path().join("pw.txt");
    std::fs::write(&pw, "ca-password\n").expect("pw");
    let port = crate::common::silent_server();
    let url = format!("https://127.0.0.1:{port}/certsrv");
    store.json(&[
        "ca",
        "add",
        "corp",
        "--no-test",
        "--certsrv",
        &url,
        "--username",
        "CONTOSO\\admin",
        "--password-file",
        s(&pw),
    ]);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let evil = listener.local_addr().expect("address").port();
    sqlite(&store)
        .execute(
            "UPDATE cas SET url = ?1 WHERE name = 'corp'",
            [format!("https://127.0.0.1:{evil}/certsrv")],
        )
        .expect("redirect");
    let out = store.run(&["ca", "test", "corp"]);
    fails(&out, 1, "altered outside certdesk");
    listener.set_nonblocking(true).expect("nonblocking");
    assert!(
        listener.accept().is_err(),
        "nothing was sent to the other server"
    );
}

/// The conversion of an older store is one transaction: a certdesk killed (SIGKILL) at any
/// moment of it leaves every blob in the old form or every blob in the new, never a mix,
/// and the next run finishes it.
#[test]
fn a_conversion_killed_midway_leaves_the_old_form_or_the_new() {
    use pkcs8::pkcs5::pbes2;
    let store = older_store();
    let dir = store.path();
    let secret = std::fs::read_to_string(dir.join("store.key")).expect("key");
    let secret = secret.trim().as_bytes().to_vec();
    // Enough keys in the old form that the conversion takes a while.
    let conn = sqlite(&store);
    for i in 0..1500 {
        let pair = rcgen::KeyPair::generate().expect("key");
        let der = pair.serialize_der();
        let hash = certdesk::pki::key::PrivateKey::from_pkcs8_der(&der)
            .expect("key")
            .public_key_hash()
            .to_owned();
        let params =
            pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(2048, &[i as u8; 16], [7u8; 16])
                .expect("params");
        let legacy = <pkcs8::PrivateKeyInfoRef as der::Decode>::from_der(&der)
            .expect("pkcs8")
            .encrypt_with_params(params, &secret)
            .expect("encrypted");
        conn.execute(
            "INSERT INTO keys (public_key_hash, description, encrypted_pkcs8, exportable, added)
             VALUES (?1, 'ECDSA P-256', ?2, 1, 0)",
            rusqlite::params![hash, legacy.as_bytes()],
        )
        .expect("insert");
    }
    drop(conn);
    let forms = || -> (usize, usize) {
        let conn = sqlite(&store);
        let mut stmt = conn
            .prepare("SELECT encrypted_pkcs8 FROM keys")
            .expect("query");
        let blobs: Vec<Vec<u8>> = stmt
            .query_map([], |r| r.get(0))
            .expect("rows")
            .map(|b| b.expect("blob"))
            .collect();
        let sealed = blobs.iter().filter(|b| b.starts_with(b"CDS1")).count();
        (sealed, blobs.len() - sealed)
    };
    let total = forms().1;
    let mut interrupted = 0;
    for delay in [50, 150, 300, 600, 1000] {
        let mut child = store.spawn(&["list"]);
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let (sealed, old) = forms();
        interrupted += usize::from(old == total);
        assert!(
            (sealed, old) == (0, total) || (sealed, old) == (total, 0),
            "killed after {delay} ms: {sealed} sealed beside {old} in the old form"
        );
    }
    assert!(interrupted > 0, "no kill landed during the conversion");
    store.json(&["list"]);
    assert_eq!(forms(), (total, 0), "the next run converts every key");
}

/// A team database written before keys were sealed (its keyring and its keys in the old
/// PBES2 form) is converted the first time its passphrase opens it: keys and keyring
/// sealed, in one transaction, and the key still exports.
#[test]
fn a_team_store_written_before_sealing_is_converted_on_unlock() {
    use certdesk::pki::seal::{self, Binding};
    use pkcs8::pkcs5::pbes2;
    let t = TestStore::team();
    let thumbprint = import(&t, 1, true);
    let address = t.team.as_deref().expect("team");
    let database = address
        .rsplit('/')
        .next()
        .and_then(|d| d.split('?').next())
        .expect("database");
    let psql = |sql: &str| -> String {
        let out = pg::server().psql(database, sql);
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let bytes = |sql: &str| hex::decode(psql(sql)).expect("hex");
    // The store key, unwrapped as certdesk does.
    let salt = bytes("SELECT encode(salt, 'hex') FROM keyring");
    let wrapped = bytes("SELECT encode(wrapped, 'hex') FROM keyring");
    let mut kek = [0u8; 32];
    argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(64 * 1024, 3, 1, Some(32)).expect("params"),
    )
    .hash_password_into(crate::common::TEAM_PASSPHRASE.as_bytes(), &salt, &mut kek)
    .expect("kek");
    let kek = hex::encode(kek);
    let store_key = seal::open(&wrapped, kek.as_bytes(), Binding::StoreKey).expect("the store key");
    // The old forms: PBES2 under the store key (keys) and under the wrapping key (keyring).
    let legacy = |plain: &[u8], password: &[u8]| -> Vec<u8> {
        let params = pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(2048, &[3; 16], [5; 16])
            .expect("params");
        let scheme = pkcs8::pkcs5::EncryptionScheme::from(params);
        let data = scheme.encrypt(password, plain).expect("encrypted");
        let info = pkcs8::EncryptedPrivateKeyInfoOwned {
            encryption_algorithm: scheme,
            encrypted_data: der::asn1::OctetString::new(data).expect("octets"),
        };
        der::Encode::to_der(&info).expect("der")
    };
    let hash = psql("SELECT public_key_hash FROM keys");
    let sealed_key = bytes("SELECT encode(encrypted_pkcs8, 'hex') FROM keys");
    let binding = Binding::Key {
        public_key_hash: &hash,
        exportable: true,
    };
    let pkcs8 = seal::open(&sealed_key, &store_key, binding).expect("the key");
    let old_key = legacy(&pkcs8, &store_key);
    let old_keyring = legacy(&store_key, kek.as_bytes());
    psql(&format!(
        "UPDATE keys SET encrypted_pkcs8 = decode('{}', 'hex'); UPDATE keyring SET wrapped = decode('{}', 'hex')",
        hex::encode(&old_key),
        hex::encode(&old_keyring)
    ));
    assert!(!psql("SELECT encode(encrypted_pkcs8, 'hex') FROM keys").starts_with("43445331"));

    // Opened with its passphrase: converted, and the key exports.
    let (out, file) = export(&t, &thumbprint);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(file.exists());
    let sealed = "43445331"; // "CDS1"
    assert!(psql("SELECT encode(encrypted_pkcs8, 'hex') FROM keys").starts_with(sealed));
    assert!(psql("SELECT encode(wrapped, 'hex') FROM keyring").starts_with(sealed));
}
