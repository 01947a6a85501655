//! Store benchmark: generates a 10,000-certificate PEM bundle and a 100,000-certificate
//! store, then measures (median of several runs, release build):
//!
//! - import of the 10,000-certificate bundle into an empty store and listing it back, in
//!   process (the model) and through the CLI (`certdesk import` + `certdesk list`);
//! - `openssl storeutl -noout` on the same bundle, for the ratio (alternating with the
//!   CLI's runs);
//! - `certdesk import` of the 100,000-certificate bundle through the CLI, with its peak
//!   resident set against the bundle's size;
//! - `certdesk --json list` on the 100,000-certificate store;
//! - 8 `certdesk import` processes started together on one new store, 1,250 certificates
//!   each, against one process importing the same 10,000.
//!
//! Each figure is printed beside its target (issue 22). Run: `cargo bench --bench store`.

mod common;
#[path = "../tests/common/watch.rs"]
#[allow(dead_code)]
mod watch;

use common::{median, ms, run, time_runs};
use std::path::Path;
use std::time::{Duration, Instant};

use certdesk::ops::import::{self, ImportOptions};
use certdesk::pki::formats;
use certdesk::store::{Location, Store};

const RUNS: usize = 5;

/// Imports the bundle into a new store and lists it back; returns the count listed and
/// the time of each phase (read, plan, commit, list).
fn import_in_process(store_dir: &Path, bundle: &Path) -> (usize, [Duration; 4]) {
    let mut store = Store::open(store_dir).expect("store");
    // The machine's roots are not the bundle's: count only what was imported.
    store.ignore_system_roots();
    let t = Instant::now();
    let bytes = std::fs::read(bundle).expect("bundle");
    let contents = formats::read(&bytes, None).expect("readable");
    let read = t.elapsed();
    let options = ImportOptions {
        location: Location::Computer,
        exportable: false,
        trust_root: true,
    };
    let t = Instant::now();
    let plan = import::plan(contents, options).expect("plan");
    let planned = t.elapsed();
    let t = Instant::now();
    import::commit(&mut store, plan, "bench", 0).expect("commit");
    let committed = t.elapsed();
    let t = Instant::now();
    let n = store.list(None, None).expect("list").len();
    (n, [read, planned, committed, t.elapsed()])
}

/// `certdesk --no-system-roots ARGS` (the machine's roots are not part of the work).
fn certdesk(args: &[&str]) {
    let mut all = vec!["--no-system-roots"];
    all.extend_from_slice(args);
    run(env!("CARGO_BIN_EXE_certdesk"), &all);
}

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let t = Instant::now();
    let bundle = dir.join("bundle-10k.pem");
    std::fs::write(&bundle, common::bundle::big_bundle(10_000)).expect("write");
    let big = dir.join("bundle-100k.pem");
    std::fs::write(&big, common::bundle::big_bundle(100_000)).expect("write");
    println!(
        "generated the bundles in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let mut phases = Vec::new();
    let in_process = time_runs(RUNS, |i| {
        let (n, p) = import_in_process(&dir.join(format!("model-{i}")), &bundle);
        assert_eq!(n, 10_000);
        phases.push(p);
    });
    let b = bundle.to_str().expect("utf-8");
    // certdesk and openssl alternate run by run, so that both see the machine in the same
    // state (a shared 2-core machine's speed drifts by half within minutes).
    let (mut cli, mut openssl) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        let store = dir.join(format!("cli-{i}"));
        let s = store.to_str().expect("utf-8");
        let t = Instant::now();
        certdesk(&["--store", s, "import", b, "--trust-root"]);
        certdesk(&["--store", s, "list"]);
        cli.push(t.elapsed());
        let t = Instant::now();
        run("openssl", &["storeutl", "-noout", b]);
        openssl.push(t.elapsed());
    }
    let (cli, openssl) = (median(cli), median(openssl));

    let store100k = dir.join("store-100k");
    let t = Instant::now();
    assert_eq!(import_in_process(&store100k, &big).0, 100_000);
    let import100k = t.elapsed();
    let s = store100k.to_str().expect("utf-8");
    let bundle_mb = std::fs::metadata(&big).expect("bundle").len() as f64 / 1e6;
    let cli100k = dir.join("cli-100k");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .arg("--no-system-roots")
        .arg("--store")
        .arg(&cli100k)
        .args(["import", "--trust-root"])
        .arg(&big)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let watched = watch::watch(child, Duration::from_secs(600), u64::MAX);
    assert_eq!(watched.code, Some(0), "{}", watched.stderr);
    let list_json = time_runs(RUNS, |_| certdesk(&["--store", s, "--json", "list"]));
    let list_text = time_runs(RUNS, |_| certdesk(&["--store", s, "list"]));
    let load_only = time_runs(RUNS, |_| {
        certdesk(&["--store", s, "list", "--logical", "requests"])
    });

    // Eight writers at once on one new store against one writer.
    let parts: Vec<std::path::PathBuf> = (0..8)
        .map(|i| {
            let part = dir.join(format!("part-{i}.pem"));
            std::fs::write(&part, common::bundle::big_bundle(1_250)).expect("write");
            part
        })
        .collect();
    let one_part = dir.join("one-of-10k.pem");
    std::fs::write(&one_part, common::bundle::big_bundle(10_000)).expect("write");
    let eight = time_runs(RUNS, |i| {
        let store = dir.join(format!("eight-{i}"));
        let children: Vec<_> = parts
            .iter()
            .map(|p| {
                std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
                    .arg("--store")
                    .arg(&store)
                    .args(["import", "--trust-root"])
                    .arg(p)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for mut c in children {
            assert!(c.wait().expect("wait").success(), "an importer failed");
        }
    });
    let single = time_runs(RUNS, |i| {
        let store = dir.join(format!("single-{i}"));
        certdesk(&[
            "--store",
            store.to_str().expect("utf-8"),
            "import",
            "--trust-root",
            one_part.to_str().expect("utf-8"),
        ]);
    });

    println!("median of {RUNS} runs (target in brackets):");
    println!(
        "  import 10,000-cert PEM bundle + list back (model):  {:8.1} ms",
        ms(in_process)
    );
    let phase = |i: usize| ms(median(phases.iter().map(|p| p[i]).collect()));
    println!(
        "    phases: read {:.1} ms, parse+plan {:.1} ms, commit {:.1} ms, list {:.1} ms",
        phase(0),
        phase(1),
        phase(2),
        phase(3)
    );
    println!(
        "  certdesk import + certdesk list (two processes):    {:8.1} ms",
        ms(cli)
    );
    println!(
        "  openssl storeutl -noout on the same bundle:         {:8.1} ms",
        ms(openssl)
    );
    println!(
        "  ratio certdesk import+list / openssl storeutl:      {:8.2}    [<= 0.20]",
        cli.as_secs_f64() / openssl.as_secs_f64()
    );
    println!(
        "  import 100,000-cert bundle + list back (model, once):{:7.1} ms [<= 1500 ms]",
        ms(import100k)
    );
    println!(
        "    against the 10,000 figure:                        {:8.1} x  [<= 11 x]",
        import100k.as_secs_f64() / in_process.as_secs_f64()
    );
    println!(
        "  certdesk import of the 100,000 bundle (CLI, once):  {:8.1} ms",
        ms(watched.took)
    );
    println!(
        "    peak resident set: {:.0} MB for a {:.0} MB bundle:  {:8.2} x  [<= 2 x]",
        watched.peak_kib as f64 * 1.024 / 1e3,
        bundle_mb,
        watched.peak_kib as f64 * 1.024 / 1e3 / bundle_mb
    );
    println!(
        "  certdesk --json list on 100,000 certificates:       {:8.1} ms [<= 300 ms]",
        ms(list_json)
    );
    println!(
        "  certdesk list (text) on 100,000 certificates:       {:8.1} ms",
        ms(list_text)
    );
    println!(
        "  of which opening and loading the store (no output): {:8.1} ms",
        ms(load_only)
    );
    println!(
        "  8 concurrent importers x 1,250 certificates:        {:8.1} ms ({:.0} certificates/s)",
        ms(eight),
        10_000.0 / eight.as_secs_f64()
    );
    println!(
        "  1 importer x 10,000 certificates:                   {:8.1} ms ({:.0} certificates/s)",
        ms(single),
        10_000.0 / single.as_secs_f64()
    );
}
