//! Team store benchmark: the same work on a team store in PostgreSQL (a server started
//! here on loopback, as the tests start it) and on the embedded SQLite store, through the
//! CLI (median of 7 runs, the two engines alternating run by run, release build):
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
use std::time::{Duration, Instant};

use common::{median, ms};

const RUNS: usize = 7;

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

/// Times `work` on a local store and on a team store, alternating run by run so that
/// both see the machine in the same state (a shared 2-core machine's speed drifts by
/// half within minutes); the medians, SQLite first.
fn alternate(stores: &[[String; 2]], mut work: impl FnMut(&str)) -> [Duration; 2] {
    let mut times = [Vec::new(), Vec::new()];
    for pair in stores {
        for (engine, store) in pair.iter().enumerate() {
            let t = Instant::now();
            work(store);
            times[engine].push(t.elapsed());
        }
    }
    let [sqlite, postgres] = times;
    [median(sqlite), median(postgres)]
}

/// 8 `certdesk import` processes started together on `store`, one part each.
fn eight_importers(store: &str, parts: &[PathBuf]) {
    let children: Vec<_> = parts
        .iter()
        .map(|p| {
            Command::new(env!("CARGO_BIN_EXE_certdesk"))
                .args(["--store", store, "import", "--trust-root"])
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

    // Empty stores, made before the clock starts: creating a PostgreSQL database is the
    // server's work, not the import's.
    let mut n = 0;
    let mut pairs = || -> Vec<[String; 2]> {
        (0..RUNS)
            .map(|_| {
                n += 1;
                let local = dir.join(format!("sqlite-{n}")).display().to_string();
                [local, server.database()]
            })
            .collect()
    };
    let stores = pairs();
    let import = alternate(&stores, |s| certdesk(s, &["import", b, "--trust-root"]));
    let list = alternate(&stores, |s| certdesk(s, &["--json", "list"]));
    let eight = alternate(&pairs(), |s| eight_importers(s, &parts));

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
    let big_stores = vec![[local100k, team100k]; RUNS];
    let list_100k = alternate(&big_stores, |s| certdesk(s, &["--json", "list"]));

    println!("team store (PostgreSQL on loopback) against the embedded store (SQLite):");
    for (what, [s, p], target) in [
        ("import 10,000 certificates", import, "  [<= 1.50]"),
        ("--json list, 10,000 certificates", list, "  [<= 1.50]"),
        ("8 importers at once, 1,250 each", eight, ""),
        ("--json list, 100,000 certificates", list_100k, ""),
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
