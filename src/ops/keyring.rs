//! "Remember in the keyring": a local store's passphrase kept by the desktop's Secret
//! Service (GNOME Keyring, KWallet) through libsecret's `secret-tool`, as git's libsecret
//! credential helper keeps passwords. The passphrase travels on the tool's standard input,
//! never in its arguments; every call has a deadline and reads a bounded answer. The entry
//! is found by the store's directory, so each store has its own.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

/// The libsecret command-line client.
const TOOL: &str = "secret-tool";
/// How long one call may take (a keyring that asks the user to unlock it waits).
const DEADLINE: Duration = Duration::from_secs(10);
/// The longest answer read back.
const MAX_ANSWER: u64 = 4096;

/// Why the keyring could not keep or give the passphrase.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyringError {
    /// No Secret Service can be reached from here.
    #[error(
        "no keyring (Secret Service) can be reached from this session, so the passphrase was not remembered"
    )]
    Unavailable,
    /// The keyring refused or did not answer in time.
    #[error("the keyring did not keep the passphrase ({0}), so it was not remembered")]
    Failed(&'static str),
}

/// Whether a Secret Service may be reached: a session bus and `secret-tool` on `PATH`.
pub fn available() -> bool {
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|a| !a.is_empty());
    bus && std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(TOOL).is_file()))
}

/// The attributes that find a store's entry.
fn attributes(dir: &Path) -> Vec<String> {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    vec![
        "application".into(),
        "certdesk".into(),
        "store".into(),
        dir.display().to_string(),
    ]
}

/// Runs `secret-tool ARGS` with `input` on stdin: its standard output, or why not.
fn run(args: &[String], input: Option<&str>) -> Result<Zeroizing<Vec<u8>>, KeyringError> {
    if !available() {
        return Err(KeyringError::Unavailable);
    }
    let mut child = Command::new(TOOL)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|_| KeyringError::Unavailable)?;
    if let Some(mut stdin) = child.stdin.take() {
        let written = stdin.write_all(input.unwrap_or_default().as_bytes());
        drop(stdin);
        if written.is_err() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(KeyringError::Failed("it closed its input"));
        }
    }
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < DEADLINE => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(KeyringError::Failed("it did not answer in time"));
            }
        }
    };
    let mut out = Zeroizing::new(Vec::new());
    if let Some(stdout) = child.stdout.take() {
        let _ = stdout.take(MAX_ANSWER).read_to_end(&mut out);
    }
    if status.success() {
        Ok(out)
    } else {
        Err(KeyringError::Failed("it refused"))
    }
}

/// Keeps `passphrase` for the store in `dir`.
pub fn remember(dir: &Path, passphrase: &str) -> Result<(), KeyringError> {
    let mut args = vec![
        "store".to_owned(),
        format!("--label=certdesk store {}", dir.display()),
    ];
    args.extend(attributes(dir));
    run(&args, Some(passphrase)).map(drop)
}

/// The passphrase kept for the store in `dir`, if the keyring has one.
pub fn recall(dir: &Path) -> Option<Zeroizing<String>> {
    let mut args = vec!["lookup".to_owned()];
    args.extend(attributes(dir));
    let out = run(&args, None).ok()?;
    let text = std::str::from_utf8(&out).ok()?;
    (!text.is_empty()).then(|| Zeroizing::new(text.to_owned()))
}

/// Forgets what the keyring keeps for the store in `dir` (its passphrase changed).
pub fn forget(dir: &Path) {
    if !available() {
        return;
    }
    let mut args = vec!["clear".to_owned()];
    args.extend(attributes(dir));
    // Nothing kept is nothing to forget.
    let _ = run(&args, None);
}
