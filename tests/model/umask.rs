//! A new store is owner-only whatever the umask: with Ubuntu's 002 a plain `mkdir` would be
//! group-writable, and opening refuses such a directory. The test runs the check in a child
//! of this test binary started under `umask 002` (the umask is the process's own).

use certdesk::store::Store;

#[test]
fn a_new_store_is_owner_only_under_a_permissive_umask() {
    let mut shell = std::process::Command::new("sh");
    shell.args(["-c", "umask 002 && exec \"$0\" \"$@\""]);
    crate::common::run_inner_test(shell, "umask::inside_a_permissive_umask");
}

/// Run by [`a_new_store_is_owner_only_under_a_permissive_umask`] under `umask 002`.
#[test]
#[ignore = "runs under the umask its caller sets"]
fn inside_a_permissive_umask() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("temp");
    let dir = tmp.path().join("new store");
    let store = Store::create_new(&dir).expect("a new store opens");
    drop(store);
    let mode = std::fs::metadata(&dir).expect("dir").permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    Store::open(&dir).expect("and opens again");
}
