//! Team stores on a real PostgreSQL server (started by the tests): the CLI's core verbs
//! with the same JSON as the embedded store, the passphrase that guards the keys, two
//! writers at once, and a database dump that holds no key in clear.

use certdesk::ops::import::{self, ImportOptions};
use certdesk::pki::formats;
use certdesk::store::{Location, Store};

use crate::common;

use common::{EDGE, TestStore, fails, fx, s, tool};

/// The database name of a team store's address.
fn database(t: &TestStore) -> String {
    let address = t.team.as_deref().expect("a team store");
    let path = address.rsplit('/').next().unwrap_or_default();
    path.split('?').next().unwrap_or_default().to_owned()
}

/// `certdesk --store ADDRESS ARGS` as another database user (`None`: the owner), with no
/// passphrase unless `args` give one.
fn as_user(t: &TestStore, user: Option<(&str, &str)>, args: &[&str]) -> std::process::Output {
    let address = t.team.as_deref().expect("a team store");
    let (address, password) = match user {
        Some((name, password)) => (address.replacen("admin@", &format!("{name}@"), 1), password),
        None => (address.to_owned(), common::pg::ADMIN_PASSWORD),
    };
    std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args(["--store", &address])
        .env("PGPASSWORD", password)
        .env("SSL_CERT_FILE", t.dir.path().join("os-roots.pem"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("certdesk runs")
}

/// Imports the fixture leaf with its key (`leaf-aes.pfx`, password `pw.txt`).
fn import_leaf(t: &TestStore, exportable: bool) -> serde_json::Value {
    t.json(&[
        "import",
        s(&fx("leaf-aes.pfx")),
        "--password-file",
        s(&fx("pw.txt")),
        "--exportable",
        if exportable { "true" } else { "false" },
    ])
}

/// Exports the fixture leaf with its key and chain (password `pw.txt`) and reads the file
/// back with openssl: openssl's text of it.
fn export_leaf(t: &TestStore) -> String {
    let leaf = common::openssl_thumbprint(&fx("leaf.pem"));
    let pfx = t.dir.path().join("exported.pfx");
    t.json(&[
        "export",
        &leaf,
        "--output",
        s(&pfx),
        "--password-file",
        s(&fx("pw.txt")),
    ]);
    tool(
        "openssl",
        &[
            "pkcs12",
            "-in",
            s(&pfx),
            "-passin",
            "pass:secret",
            "-nodes",
            "-info",
        ],
    )
}

fn set_topology(t: &TestStore) {
    let file = t.dir.path().join("topology.toml");
    std::fs::write(&file, EDGE).expect("topology");
    t.json(&["topology", "set", s(&file)]);
}

#[test]
fn the_core_verbs_work_on_a_team_store() {
    let t = TestStore::team();
    let roots = t.json(&["import", s(&fx("root.pem")), "--trust-root"]);
    assert_eq!(
        roots["imported"].as_array().map(Vec::len),
        Some(1),
        "{roots}"
    );
    // A .pfx with its key, exportable; a .p7b; a DER certificate.
    let imported = import_leaf(&t, true);
    assert!(
        imported["imported"].to_string().contains("personal"),
        "{imported}"
    );
    t.json(&["import", s(&fx("chain.p7b"))]);
    t.json(&["import", s(&fx("ec.pem"))]);
    let leaf = common::openssl_thumbprint(&fx("leaf.pem"));
    let shown = t.json(&["show", &leaf]);
    assert_eq!(shown["chain"], "valid", "{shown}");
    assert_eq!(shown["exportable"], true, "{shown}");
    let listed = t.json(&["--no-system-roots", "list"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(4), "{listed}");

    // Exported with its key and chain, and read back by openssl.
    let text = export_leaf(&t);
    assert!(text.contains("BEGIN PRIVATE KEY") && text.contains("Contoso Test Root"));

    // A request through the built-in CA, assigned, and the configuration tested.
    set_topology(&t);
    let issued = t.json(&["request", "--type", "Internal", "--ca", "builtin"]);
    let thumbprint = issued["thumbprint"].as_str().expect("issued").to_owned();
    t.json(&["assign", "--type", "Internal", "--thumbprint", &thumbprint]);
    let status = t.json(&["status"]);
    assert!(status.to_string().contains(&thumbprint), "{status}");
    t.json(&["test"]);
    let log = t.json(&["log"]).to_string();
    assert!(log.contains("certdesk") && log.contains("assign"), "{log}");
}

#[test]
fn the_passphrase_guards_the_keys_and_only_the_keys() {
    let t = TestStore::team();
    let pw = fx("pw.txt");
    import_leaf(&t, false);
    let leaf = common::openssl_thumbprint(&fx("leaf.pem"));
    // Without the passphrase: listing and showing work, a key cannot be used.
    let locked = |args: &[&str]| as_user(&t, None, args);
    let shown = locked(&["--json", "show", &leaf]);
    assert!(shown.status.success(), "{}", common::stderr(&shown));
    let ec = locked(&["import", s(&fx("ec.pfx")), "--password-file", s(&pw)]);
    fails(&ec, 2, "the store is locked");
    // A wrong passphrase is one sentence, exit 2, and changes nothing.
    let wrong = t.dir.path().join("wrong");
    std::fs::write(&wrong, "not the passphrase").expect("wrong");
    let out = locked(&["--store-password-file", s(&wrong), "list"]);
    fails(&out, 2, "the store's passphrase is wrong");
    let listed = t.json(&["--no-system-roots", "list"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
}

/// Two processes import at once: both imports are whole (the .p7b's leaf and
/// intermediate, the EC certificate; the .p7b's root waits for --trust-root).
#[test]
fn two_writers_at_once_lose_nothing() {
    let t = TestStore::team();
    t.json(&["--no-system-roots", "list"]);
    let children = vec![
        t.spawn(&["import", s(&fx("chain.p7b"))]),
        t.spawn(&["import", s(&fx("ec.pem"))]),
    ];
    common::wait_all_ok(children);
    let listed = t.json(&["--no-system-roots", "list"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(3), "{listed}");
}

/// `pg_dump` of a team store holds no private key in clear: neither PEM nor the key's
/// PKCS#8 bytes (which the dump would show as hex).
#[test]
fn the_database_never_sees_a_key_in_clear() {
    let t = TestStore::team();
    import_leaf(&t, false);
    let der = t.dir.path().join("leaf.p8");
    tool(
        "openssl",
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            s(&fx("leaf.key")),
            "-outform",
            "DER",
            "-out",
            s(&der),
        ],
    );
    let key = std::fs::read(&der).expect("key");
    let dump = common::pg::server().dump(&database(&t));
    assert!(
        dump.contains("encrypted_pkcs8"),
        "the dump holds the keys table"
    );
    assert!(!dump.contains("PRIVATE KEY"));
    // The private part: the last 64 bytes of the PKCS#8 structure, as hex.
    let tail = hex_of(&key[key.len() - 64..]);
    assert!(
        !dump.to_lowercase().contains(&tail),
        "key bytes in the dump"
    );
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `store passwd` wraps the store key again: the keys' bytes in the database do not change,
/// the old passphrase no longer opens the store and the new one does.
#[test]
fn the_passphrase_changes_without_encrypting_a_key_again() {
    let t = TestStore::team();
    let pw = fx("pw.txt");
    import_leaf(&t, true);
    let server = common::pg::server();
    let keys = || {
        let out = server.psql(
            &database(&t),
            "SELECT encode(encrypted_pkcs8, 'hex') FROM keys",
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let before = keys();
    let new = t.dir.path().join("new");
    std::fs::write(&new, "a new team passphrase").expect("new");
    let short = t.dir.path().join("short");
    std::fs::write(&short, "short").expect("short");
    fails(
        &t.run(&["store", "passwd", "--new-password-file", s(&short)]),
        2,
        "at least 8 characters",
    );
    t.json(&["store", "passwd", "--new-password-file", s(&new)]);
    assert_eq!(keys(), before, "no key was encrypted again");
    fails(&t.run(&["list"]), 2, "the store's passphrase is wrong");
    let leaf = common::openssl_thumbprint(&fx("leaf.pem"));
    let pfx = t.dir.path().join("out.pfx");
    let out = as_user(
        &t,
        None,
        &[
            "--store-password-file",
            s(&new),
            "export",
            &leaf,
            "--output",
            s(&pfx),
            "--password-file",
            s(&pw),
        ],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    // A team store's passphrase can be changed, never removed.
    let other = TestStore::team();
    fails(
        &other.run(&["store", "passwd", "--remove"]),
        2,
        "a team store always has a passphrase",
    );
}

/// The README's roles: the team role works; the auditors' role lists, shows, reads the
/// status and the log, and is refused a write with one sentence.
#[test]
fn the_readme_roles_give_least_privilege() {
    let t = TestStore::team();
    import_leaf(&t, false);
    set_topology(&t);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let sql = readme
        .split("```sql\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README's SQL");
    let server = common::pg::server();
    let db = database(&t);
    // Roles are global to the server: each test's names are its database's.
    let sql = sql
        .replace("certdesk_team", &format!("{db}_team"))
        .replace("certdesk_audit", &format!("{db}_audit"));
    let out = server.psql(&db, &sql);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for role in ["team", "audit"] {
        let out = server.psql(&db, &format!("ALTER ROLE {db}_{role} PASSWORD 'pw-{role}'"));
        assert!(out.status.success());
    }
    let team_role = format!("{db}_team");
    let audit_role = format!("{db}_audit");
    let team = |args: &[&str]| as_user(&t, Some((&team_role, "pw-team")), args);
    let audit = |args: &[&str]| as_user(&t, Some((&audit_role, "pw-audit")), args);
    let out = team(&["import", s(&fx("ec.pem"))]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let leaf = common::openssl_thumbprint(&fx("leaf.pem"));
    for args in [
        &["--json", "--no-system-roots", "list"][..],
        &["--json", "show", &leaf],
        &["--json", "status"],
        &["--json", "log"],
    ] {
        let out = audit(args);
        assert!(out.status.success(), "{args:?}: {}", common::stderr(&out));
    }
    let log = String::from_utf8_lossy(&audit(&["--json", "log"]).stdout).into_owned();
    assert!(log.contains(&format!("\"user\":\"{team_role}\"")), "{log}");
    fails(
        &audit(&["import", s(&fx("chain.p7b"))]),
        1,
        "the database user may not do this",
    );
}

/// The server restarts under an open store: the store opens its connection again by
/// itself and nothing is lost; while the server is down a read says so in one sentence.
#[test]
fn a_restarted_server_is_reconnected_and_nothing_is_lost() {
    let pg = common::pg::Pg::start();
    let address = pg.database();
    let password = Some(common::pg::ADMIN_PASSWORD);
    let passphrase = Some(common::TEAM_PASSPHRASE);
    let mut store = Store::open_team(&address, password, passphrase).expect("open");
    let bytes = std::fs::read(fx("chain.p7b")).expect("fixture");
    let options = ImportOptions {
        location: Location::Computer,
        exportable: false,
        trust_root: true,
    };
    let contents = formats::read(&bytes, None).expect("readable");
    let plan = import::plan(contents, options).expect("plan");
    import::commit(&mut store, plan, "test", 0).expect("commit");
    let before = store.list(None, None).expect("list").len();
    pg.pg_ctl("restart");
    assert_eq!(store.list(None, None).expect("reconnected").len(), before);
    pg.pg_ctl("stop");
    let down = store.list(None, None).expect_err("the server is down");
    assert!(down.to_string().contains("cannot be reached"), "{down}");
    pg.pg_ctl("start");
    assert_eq!(store.list(None, None).expect("reconnected").len(), before);
}

/// A directory's store copied into a team database and back: the same certificates,
/// keys that still decrypt (openssl reads the exported .pfx), the pending request, the CA
/// connection and the assignment; a copy into a store that is not empty is refused.
#[test]
fn a_store_is_copied_into_a_database_and_back() {
    let local = TestStore::with_topology(EDGE);
    import_leaf(&local, true);
    let issued = local.json(&["request", "--type", "Internal", "--ca", "builtin"]);
    let internal = issued["thumbprint"].as_str().expect("issued").to_owned();
    local.json(&["assign", "--type", "Internal", "--thumbprint", &internal]);
    local.json(&[
        "request",
        "--type",
        "AccessEdgeExternal",
        "--output",
        s(&local.dir.path().join("web.csr")),
    ]);
    let challenge = local.dir.path().join("challenge");
    std::fs::write(&challenge, "s3cret-challenge\n").expect("challenge");
    local.json(&[
        "ca",
        "add",
        "corp-scep",
        "--no-test",
        "--scep",
        "http://127.0.0.1:9/scep",
        "--challenge-file",
        s(&challenge),
    ]);
    // A PFX deploy target and the mail's SMTP password: sealed secrets of their own.
    let leaf = common::openssl_thumbprint(&fx("leaf.pem"));
    let www = local.dir.path().join("www");
    std::fs::create_dir(&www).expect("www");
    local.json(&[
        "deploy",
        "add",
        "win",
        "--cert",
        &leaf,
        "--to",
        s(&www),
        "--format",
        "pfx",
        "--password-file",
        s(&fx("pw.txt")),
    ]);
    local.json(&[
        "notify",
        "set",
        "--smtp",
        "127.0.0.1:9",
        "--from",
        "a@example.org",
        "--to",
        "b@example.org",
        "--user",
        "mailer",
        "--password-file",
        s(&fx("pw.txt")),
    ]);
    let team = TestStore::team();
    let address = team.team.clone().expect("address");
    let local_dir = local.path();
    let copy = ["store", "copy", "--from", s(&local_dir), "--to", &address];
    let copied = team.json(&copy);
    assert_eq!(copied["requests"], 1, "{copied}");
    assert_eq!(copied["cas"], 1, "{copied}");
    assert!(team.json(&["ca", "list"]).to_string().contains("corp-scep"));
    assert_eq!(copied["assignments"], 1, "{copied}");
    let thumbprints = |t: &TestStore| -> Vec<String> {
        let mut all: Vec<String> = t
            .json(&["--no-system-roots", "list"])
            .as_array()
            .expect("list")
            .iter()
            .map(|c| {
                format!(
                    "{} {} {}",
                    c["logical"], c["thumbprint"], c["has_private_key"]
                )
            })
            .collect();
        all.sort();
        all
    };
    assert_eq!(thumbprints(&team), thumbprints(&local));
    assert!(team.json(&["status"]).to_string().contains(&internal));
    assert_eq!(team.json(&["requests"]).as_array().map(Vec::len), Some(1));
    assert!(export_leaf(&team).contains("BEGIN PRIVATE KEY"));
    // Into a store that holds something: refused, nothing written.
    fails(&team.run(&copy), 1, "is not empty");
    // From a directory that is no store: one sentence, and nothing is made there.
    let typo = local.dir.path().join("no-such-store");
    fails(
        &team.run(&["store", "copy", "--from", s(&typo), "--to", &address]),
        2,
        "there is no store at",
    );
    assert!(!typo.exists());
    // And back into a new directory.
    let back = TestStore::new();
    team.json(&["store", "copy", "--from", &address, "--to", s(&back.path())]);
    assert_eq!(thumbprints(&back), thumbprints(&local));
    assert!(export_leaf(&back).contains("BEGIN PRIVATE KEY"));
    let log = back.json(&["log"]).to_string();
    assert!(log.contains("certdesk store copy"), "{log}");
    // The deploy target's password opens under the new store key: the PFX it writes
    // opens with it.
    assert_eq!(back.json(&["notify", "show"])["mail"]["has_password"], true);
    std::fs::remove_file(www.join("win.pfx")).ok();
    back.json(&["deploy", "run", "win"]);
    let info = tool(
        "openssl",
        &[
            "pkcs12",
            "-in",
            s(&www.join("win.pfx")),
            "-passin",
            "pass:secret",
            "-noout",
        ],
    );
    assert!(!info.contains("error"), "{info}");
}

/// The database password comes from PGPASSWORD or a private ~/.pgpass (PGPASSFILE), never
/// the address; with none, and no terminal to ask on, one sentence says where to put it. A
/// server that is not there is one sentence too.
#[test]
fn the_database_password_follows_libpq() {
    let t = TestStore::team();
    let address = t.team.clone().expect("address");
    let home = t.dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let run = |pgpass: Option<&std::path::Path>, store: &str| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"));
        command
            .args(["--store", store, "--no-system-roots", "--json", "list"])
            .env_remove("PGPASSWORD")
            .env("HOME", &home)
            .env("SSL_CERT_FILE", t.dir.path().join("os-roots.pem"))
            .stdin(std::process::Stdio::null());
        match pgpass {
            Some(file) => command.env("PGPASSFILE", file),
            None => command.env_remove("PGPASSFILE"),
        };
        command.output().expect("certdesk runs")
    };
    fails(&run(None, &address), 1, "asks for a password");
    let nobody = format!(
        "postgres://admin@127.0.0.1:{}/x",
        common::acme::free_tcp_port()
    );
    fails(&run(None, &nobody), 1, "cannot be reached");
    let with_password = address.replacen("admin@", "admin:secret@", 1);
    fails(
        &run(None, &with_password),
        1,
        "must not hold the database password",
    );
    let port = common::pg::server().port;
    let pgpass = t.dir.path().join("pgpass");
    std::fs::write(
        &pgpass,
        format!("127.0.0.1:{port}:*:admin:{}\n", common::pg::ADMIN_PASSWORD),
    )
    .expect("pgpass");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).expect("mode");
        fails(&run(Some(&pgpass), &address), 1, "asks for a password");
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).expect("mode");
    }
    let out = run(Some(&pgpass), &address);
    assert!(out.status.success(), "{}", common::stderr(&out));
}

/// TLS to the database is verified: with `sslrootcert` naming the CA that signed the
/// server's certificate the store opens; against roots that do not hold that CA it is
/// refused in one sentence.
#[test]
fn tls_to_the_database_is_verified() {
    let dir = tempfile::tempdir().expect("dir");
    let (cert, key) = common::issue_with_fixture_ca(
        dir.path(),
        "pg-server",
        "localhost",
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        None,
    );
    // The server sends its certificate with the intermediate, as a server should.
    let chain = dir.path().join("pg-chain.pem");
    let pem = |p: &std::path::Path| std::fs::read_to_string(p).expect("pem");
    std::fs::write(&chain, pem(&cert) + &pem(&fx("inter.pem"))).expect("chain");
    let pg = common::pg::Pg::start_tls(&chain, &key);
    let address = pg.database();
    let no_roots = dir.path().join("no-roots.pem");
    std::fs::write(&no_roots, "").expect("roots");
    let run = |query: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
            .args(["--store", &address.replace("?sslmode=disable", query)])
            .args(["--json", "--no-system-roots", "list"])
            .env("PGPASSWORD", common::pg::ADMIN_PASSWORD)
            .env("SSL_CERT_FILE", &no_roots)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("certdesk runs")
    };
    let trusted = run(&format!(
        "?sslmode=require&sslrootcert={}",
        s(&fx("root.pem"))
    ));
    assert!(trusted.status.success(), "{}", common::stderr(&trusted));
    fails(&run("?sslmode=require"), 1, "cannot be reached");
    // A root file that cannot be read, or holds no certificate: one sentence each.
    let missing = dir.path().join("missing.pem");
    fails(
        &run(&format!("?sslmode=require&sslrootcert={}", s(&missing))),
        1,
        "cannot be read",
    );
    fails(
        &run(&format!("?sslmode=require&sslrootcert={}", s(&no_roots))),
        1,
        "holds no certificate",
    );
}

/// A team database written by an older certdesk (schema 8, before the log named its user)
/// is upgraded on open, under the store's lock, and keeps its entries.
#[test]
fn an_older_team_database_is_upgraded() {
    let t = TestStore::team();
    t.json(&["import", s(&fx("ec.pem"))]);
    let server = common::pg::server();
    let db = database(&t);
    let out = server.psql(
        &db,
        "ALTER TABLE log DROP COLUMN db_user; DROP TABLE deploy_targets; DROP TABLE notify;
         ALTER TABLE cas DROP COLUMN auth; ALTER TABLE cas DROP COLUMN accepted;
         DROP TABLE renewals;
         ALTER TABLE certificates ADD COLUMN der BYTEA;
         UPDATE certificates c SET der = d.der FROM certificate_der d WHERE d.cert_id = c.id;
         ALTER TABLE certificates ALTER COLUMN der SET NOT NULL;
         DROP TABLE certificate_der;
         UPDATE certdesk_schema SET version = 8",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = t.json(&["log"]);
    assert!(log.to_string().contains("import"), "{log}");
    let version = server.psql(&db, "SELECT version FROM certdesk_schema");
    // Version 10 added the deploy targets, 11 how an AD CS connection signs in, 12 the
    // renewals, 13 the DER's own table.
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), "14");
    let renewals = server.psql(&db, "SELECT count(*) FROM renewals");
    assert!(renewals.status.success(), "the renewals table is back");
    t.json(&["import", s(&fx("leaf.pem"))]);
    // The upgrade made the deploy targets' table.
    assert_eq!(t.json(&["deploy", "list"]), serde_json::json!([]));
    assert!(t.json(&["log"]).to_string().contains("\"user\":\"admin\""));
}

/// Every import format gives the team store the same answers, JSON for JSON, as the
/// embedded store, and the two end with the same list.
#[test]
fn every_import_format_answers_as_on_a_local_store() {
    let team = TestStore::team();
    let local = TestStore::new();
    let keypass = local.dir.path().join("keypass");
    std::fs::write(&keypass, "keypass").expect("keypass");
    let (pw, utf8) = (fx("pw.txt"), fx("utf8.txt"));
    let imports: Vec<(&str, Option<&std::path::Path>)> = vec![
        ("root.pem", None),
        ("leaf.der", None),
        ("chain.pem", None),
        ("chain.p7b", None),
        ("chain-pem.p7b", None),
        ("signed-ber.p7b", None),
        ("leaf-aes.pfx", Some(&pw)),
        ("leaf-legacy.pfx", Some(&pw)),
        ("leaf-utf8.pfx", Some(&utf8)),
        ("gnutls.p12", Some(&pw)),
        ("nss.p12", Some(&pw)),
        ("certs-only.pfx", Some(&pw)),
        ("ec-with-encrypted-key.pem", Some(&keypass)),
        ("ec.pfx", Some(&pw)),
    ];
    for (file, password) in imports {
        let path = fx(file);
        let mut args = vec!["import", s(&path), "--trust-root"];
        if let Some(password) = password {
            args.extend(["--password-file", s(password)]);
        }
        let (a, b) = (local.json(&args), team.json(&args));
        assert_eq!(a, b, "{file}");
    }
    let list = |t: &TestStore| t.json(&["--no-system-roots", "list"]);
    assert_eq!(list(&local), list(&team));
}

/// On a terminal, a command that uses keys asks for the team passphrase when no file or
/// variable gives it; one that only reads does not ask.
#[test]
fn the_passphrase_is_asked_on_a_terminal_only_when_keys_are_used() {
    let t = TestStore::team();
    t.json(&["--no-system-roots", "list"]);
    let address = t.team.clone().expect("address");
    let on_terminal = |command: &str, typed: &str| {
        let line = format!(
            "{} --store '{address}' --no-system-roots {command}",
            env!("CARGO_BIN_EXE_certdesk")
        );
        let mut child = std::process::Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env("PGPASSWORD", common::pg::ADMIN_PASSWORD)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("script runs");
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(typed.as_bytes()).expect("typed");
        drop(stdin);
        let out = child.wait_with_output().expect("waits");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok, text) = on_terminal(
        &format!(
            "import {} --password-file {}",
            s(&fx("ec.pfx")),
            s(&fx("pw.txt"))
        ),
        &format!("{}\n", common::TEAM_PASSPHRASE),
    );
    assert!(ok && text.contains("Store passphrase:"), "{text}");
    assert!(text.contains("with private key"), "{text}");
    let (ok, text) = on_terminal("list", "");
    assert!(ok && !text.contains("Store passphrase"), "{text}");
    assert!(text.contains("ec.contoso.com"), "{text}");
}

/// Administrators assign certificates while others remove them, three pairs at once so
/// that removals land before, during and after the assignments' checks: each command
/// happens whole or is refused with a sentence naming the certificate, and the store stays
/// whole.
#[test]
fn assigning_while_another_removes_happens_whole() {
    let t = TestStore::team();
    set_topology(&t);
    let thumbprints: Vec<String> = (0..3)
        .map(|_| {
            let issued = t.json(&["request", "--type", "Internal", "--ca", "builtin"]);
            issued["thumbprint"].as_str().expect("issued").to_owned()
        })
        .collect();
    let children: Vec<_> = thumbprints
        .iter()
        .flat_map(|thumbprint| {
            [
                t.spawn(&["assign", "--type", "Internal", "--thumbprint", thumbprint]),
                t.spawn(&["remove", thumbprint]),
            ]
        })
        .collect();
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("waits"))
        .collect();
    let mut any_assigned = false;
    for (pair, thumbprint) in outs.chunks(2).zip(&thumbprints) {
        let (assigned, removed) = (&pair[0], &pair[1]);
        assert!(removed.status.success(), "{}", common::stderr(removed));
        if assigned.status.success() {
            any_assigned = true;
        } else {
            // Removed first, or during the checks: the refusal names the certificate gone.
            fails(assigned, 2, thumbprint);
        }
    }
    let listed = t.json(&["--no-system-roots", "list"]).to_string();
    for thumbprint in &thumbprints {
        assert!(!listed.contains(thumbprint.as_str()), "{listed}");
    }
    let status = t.json(&["status"]);
    let internal = status
        .as_array()
        .and_then(|a| a.iter().find(|r| r["usage"] == "Internal"))
        .expect("Internal");
    // Assigned first: the assignment remains and says its certificate is gone.
    if any_assigned {
        assert_eq!(internal["status"], "Invalid", "{internal}");
    }
}

/// A database server that accepts the connection and never answers: opening the store
/// gives up within its time limit, in one sentence.
#[test]
fn a_silent_database_server_is_one_sentence_in_time() {
    let dir = tempfile::tempdir().expect("dir");
    let silent = common::hostile::silent();
    let address = format!("postgres://admin@127.0.0.1:{}/x", silent.port);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args(["--store", &address, "--no-system-roots", "--json", "list"])
        .env("PGPASSWORD", "unused")
        .env("HOME", dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("certdesk starts");
    let run = common::watch::watch(child, std::time::Duration::from_secs(40), u64::MAX);
    assert!(
        run.code.is_some() && run.took < std::time::Duration::from_secs(25),
        "ended after {:?} (killed: {})",
        run.took,
        run.code.is_none()
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot be reached") && run.stderr.contains("within 20 s"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
}

/// The SQLite migrations and the PostgreSQL schema are kept by hand, one beside the other:
/// every table of the embedded store has the same columns, in the same order, in a team
/// database (which adds its own version and keyring tables).
#[test]
fn the_team_schema_has_every_column_of_the_embedded_one() {
    let local = TestStore::new();
    local.json(&["list"]);
    let conn = rusqlite::Connection::open(local.path().join("store.sqlite")).expect("db");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("tables")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .map(|t| t.expect("name"))
        .collect();
    assert!(tables.len() >= 10, "{tables:?}");
    let t = TestStore::team();
    t.json(&["list"]);
    let server = common::pg::server();
    for table in &tables {
        let embedded: Vec<String> = conn
            .prepare(&format!("PRAGMA table_info({table})"))
            .expect("columns")
            .query_map([], |r| r.get::<_, String>(1))
            .expect("rows")
            .map(|c| c.expect("column"))
            .collect();
        let out = server.psql(
            &database(&t),
            &format!(
                "SELECT column_name FROM information_schema.columns
                 WHERE table_schema = 'public' AND table_name = '{table}'
                 ORDER BY ordinal_position"
            ),
        );
        let team: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(team, embedded, "the columns of {table}");
    }
}

/// Opening a current team store to read takes no lock: a list answers at once while
/// another session holds the store's lock (a long import), instead of waiting for it.
#[test]
fn a_read_does_not_wait_for_another_sessions_write() {
    let t = TestStore::team();
    import_leaf(&t, false);
    let db = database(&t);
    let holder = std::thread::spawn(move || {
        let hold = format!(
            "{}; SELECT pg_sleep(6); COMMIT;",
            certdesk::store::TEAM_WRITE_BEGIN
        );
        common::pg::server().psql(&db, &hold)
    });
    // The other session has the lock before the list starts.
    std::thread::sleep(std::time::Duration::from_secs(1));
    let started = std::time::Instant::now();
    let listed = t.json(&["--no-system-roots", "list"]);
    let took = started.elapsed();
    assert!(listed.as_array().is_some_and(|a| !a.is_empty()), "{listed}");
    assert!(
        took < std::time::Duration::from_secs(3),
        "the list waited {took:?}"
    );
    assert!(holder.join().expect("psql").status.success());
}
