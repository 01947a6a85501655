//! Team store benchmark: the same work on a team store in PostgreSQL (a server started
//! here on loopback, as the tests start it) and on the embedded SQLite store, through the
//! CLI (median of several runs, release build):
//!
//! - `certdesk import` of a 10,000-certificate PEM bundle into an empty store;
//! - `certdesk --json list` on it, and on a 100,000-certificate store;
//! - 8 `certdesk import` processes started together on one new store, 1,250 certificates
//!   each.
//!
//! The ratios issue 22 sets are printed beside their target. Run: `cargo bench --bench team`.

mod common;
#[path = "../tests/common/pg.rs"]
#[allow(dead_code)]
mod pg;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::{ms, time_runs};

const RUNS: usize = 5;

/// `certdesk --store STORE ARGS`, quietly; it must succeed.
fn certdesk(store: &str, args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args(["--store", store, "--no-system-roots"])
        .args(args)
        .env("PGPASSWORD", pg::ADMIN_PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("runs");
    assert!(status.success(), "certdesk {args:?} on {store} failed");
}

fn write_bundle(dir: &Path, name: &str, n: usize) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, common::bundle::big_bundle(n)).expect("write");
    path
}

/// The medians for one kind of store: import 10k, list 10k, 8 importers; `new` makes an
/// empty store and gives its `--store` (made before the clock starts: creating a
/// PostgreSQL database is the server's work, not the import's).
fn measure(
    new: &mut dyn FnMut() -> String,
    bundle: &str,
    parts: &[PathBuf],
) -> [std::time::Duration; 3] {
    let stores: Vec<String> = (0..RUNS).map(|_| new()).collect();
    let import = time_runs(RUNS, |i| {
        certdesk(&stores[i], &["import", bundle, "--trust-root"]);
    });
    let list = time_runs(RUNS, |i| certdesk(&stores[i], &["--json", "list"]));
    let shared: Vec<String> = (0..RUNS).map(|_| new()).collect();
    let eight = time_runs(RUNS, |i| {
        let children: Vec<_> = parts
            .iter()
            .map(|p| {
                Command::new(env!("CARGO_BIN_EXE_certdesk"))
                    .args(["--store", &shared[i], "import", "--trust-root"])
                    .arg(p)
                    .env("PGPASSWORD", pg::ADMIN_PASSWORD)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for mut c in children {
            assert!(c.wait().expect("wait").success(), "an importer failed");
        }
    });
    [import, list, eight]
}

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let bundle = write_bundle(dir, "bundle-10k.pem", 10_000);
    let big = write_bundle(dir, "bundle-100k.pem", 100_000);
    let parts: Vec<PathBuf> = (0..8)
        .map(|i| write_bundle(dir, &format!("part-{i}.pem"), 1_250))
        .collect();
    let server = pg::Pg::start();
    let b = bundle.to_str().expect("utf-8");

    let mut n = 0;
    let mut new_dir = || {
        n += 1;
        dir.join(format!("sqlite-{n}")).display().to_string()
    };
    let sqlite = measure(&mut new_dir, b, &parts);
    let mut new_db = || server.database();
    let postgres = measure(&mut new_db, b, &parts);

    let team100k = server.database();
    let t = Instant::now();
    certdesk(
        &team100k,
        &["import", big.to_str().expect("utf-8"), "--trust-root"],
    );
    let import_100k = t.elapsed();
    let local100k = dir.join("sqlite-100k").display().to_string();
    certdesk(
        &local100k,
        &["import", big.to_str().expect("utf-8"), "--trust-root"],
    );
    let pg_list = time_runs(RUNS, |_| certdesk(&team100k, &["--json", "list"]));
    let sqlite_list = time_runs(RUNS, |_| certdesk(&local100k, &["--json", "list"]));

    println!("team store (PostgreSQL on loopback) against the embedded store (SQLite):");
    for (what, [s, p], target) in [
        (
            "import 10,000 certificates",
            [sqlite[0], postgres[0]],
            "  [<= 1.50]",
        ),
        (
            "--json list, 10,000 certificates",
            [sqlite[1], postgres[1]],
            "  [<= 1.50]",
        ),
        (
            "8 importers at once, 1,250 each",
            [sqlite[2], postgres[2]],
            "",
        ),
        (
            "--json list, 100,000 certificates",
            [sqlite_list, pg_list],
            "",
        ),
    ] {
        println!(
            "  {what:<36} SQLite {:8.1} ms   PostgreSQL {:8.1} ms   ratio {:5.2}{target}",
            ms(s),
            ms(p),
            ms(p) / ms(s)
        );
    }
    println!(
        "  (importing 100,000 certificates into PostgreSQL took {:.1} s once)",
        import_100k.as_secs_f64()
    );
}
