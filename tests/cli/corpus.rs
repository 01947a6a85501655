//! Runs the importer over every file of a large corpus of odd and malformed certificates,
//! PKCS#7 and PKCS#12 files and keys (the `cryptography_vectors` package, fetched by
//! `scripts/fetch-corpus.sh`; `.ci/run` does that). Every file must either import or be
//! refused with an error: a panic anywhere fails the test and names the file.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use certdesk::ops::import::{self, ImportOptions};
use certdesk::pki::formats::{self, FormatError};
use certdesk::store::{Location, Store};

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("CERTDESK_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/corpus"));
    dir.join("ready").exists().then_some(dir)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.file_name().is_some_and(|n| n != "ready") {
            out.push(path);
        }
    }
}

/// Reads, plans and commits one file; returns whether it imported.
fn import_one(store: &mut Store, bytes: &[u8]) -> bool {
    for password in [
        None,
        Some("cryptography"),
        Some("password"),
        Some("foobar"),
        Some(""),
    ] {
        let contents = match formats::read(bytes, password) {
            Ok(c) => c,
            Err(FormatError::PasswordRequired | FormatError::WrongPassword) => continue,
            Err(_) => return false,
        };
        let options = ImportOptions {
            location: Location::Computer,
            exportable: true,
            trust_root: true,
        };
        return match import::plan(contents, options) {
            Ok(plan) => import::commit(store, plan, "corpus", 0).is_ok(),
            Err(_) => false,
        };
    }
    false
}

#[test]
fn no_file_of_the_corpus_panics_the_importer() {
    let Some(dir) = corpus_dir() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the corpus is missing in CI: .ci/run must run scripts/fetch-corpus.sh"
        );
        eprintln!("corpus not fetched: run scripts/fetch-corpus.sh to include this check");
        return;
    };
    let mut all = Vec::new();
    files(&dir, &mut all);
    all.sort();
    assert!(
        all.len() > 1000,
        "the corpus looks incomplete: {} files",
        all.len()
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(tmp.path()).expect("store");
    let (mut imported, mut refused, mut panicked) = (0, 0, Vec::new());
    for path in &all {
        let bytes = std::fs::read(path).expect("readable");
        match catch_unwind(AssertUnwindSafe(|| import_one(&mut store, &bytes))) {
            Ok(true) => imported += 1,
            Ok(false) => refused += 1,
            Err(_) => panicked.push(path.display().to_string()),
        }
    }
    eprintln!(
        "corpus: {} files, {imported} imported, {refused} refused",
        all.len()
    );
    assert!(
        panicked.is_empty(),
        "the importer panicked on: {panicked:#?}"
    );
    assert!(
        imported > 500,
        "suspiciously few files imported: {imported}"
    );
    let listed = store.list(None, None).expect("list").len();
    assert!(listed > 500, "the store holds {listed} certificates");
}
