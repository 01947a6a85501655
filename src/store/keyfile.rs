//! The store key of an embedded store: the file `store.key` beside the database, its
//! owner and mode checked as ssh's StrictModes checks `~/.ssh`, and optionally wrapped by
//! a passphrase (Argon2id, as a team store's keyring is).
//!
//! The file holds one of three forms:
//! - `64 hex digits`: the key of a store written before keys were sealed to their rows; the
//!   store converts its blobs once ([`super::sealing`]) and the file is written again as:
//! - `certdesk-store-key 2` / `key HEX`: the key, in the clear (the directory's owner-only
//!   mode protects it);
//! - `certdesk-store-key 2` / `argon2id SALT WRAPPED`: the key sealed under the passphrase.
//!
//! Whoever can write the database cannot write this file: the form says whether the
//! database may still hold blobs of the old layout, so a database rolled back to an old
//! copy cannot make certdesk convert planted blobs again.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use super::StoreError;
use crate::pki::key::{KeyError, unseal_legacy};
use crate::pki::seal::{self, Binding};

/// The first line of the current forms.
const HEADER: &str = "certdesk-store-key 2";

/// What `store.key` holds.
pub(crate) enum KeyFile {
    /// An older store's key: the database may hold blobs of the old layout.
    Legacy(Zeroizing<String>),
    /// The key, in the clear.
    Plain(Zeroizing<String>),
    /// The key wrapped by a passphrase.
    Wrapped(Wrapped),
}

/// A store key wrapped by a passphrase: Argon2id of the passphrase with `salt` seals it.
#[derive(Clone)]
pub(crate) struct Wrapped {
    /// The Argon2id salt.
    pub salt: Vec<u8>,
    /// The sealed store key (or, in an older team keyring, its PBES2 encryption).
    pub sealed: Vec<u8>,
}

impl Wrapped {
    /// Wraps `key` with `passphrase` under a new random salt.
    pub fn new(key: &str, passphrase: &str) -> Result<Self, StoreError> {
        let salt = random::<16>()?.to_vec();
        let kek = wrapping_key(passphrase, &salt)?;
        let sealed = seal::seal(key.as_bytes(), kek.as_bytes(), Binding::StoreKey)?;
        Ok(Self { salt, sealed })
    }

    /// The store key, or [`StoreError::WrongPassphrase`].
    pub fn unwrap(&self, passphrase: &str) -> Result<Zeroizing<String>, StoreError> {
        let kek = wrapping_key(passphrase, &self.salt)?;
        let key = if seal::is_sealed(&self.sealed) {
            seal::open(&self.sealed, kek.as_bytes(), Binding::StoreKey)
        } else {
            unseal_legacy(&self.sealed, kek.as_bytes())
        }
        .map_err(|e| match e {
            KeyError::AtRest(_) | KeyError::Altered => StoreError::WrongPassphrase,
            other => other.into(),
        })?;
        let key = Zeroizing::new(String::from_utf8_lossy(&key).into_owned());
        if !is_key(&key) {
            return Err(StoreError::WrongPassphrase);
        }
        Ok(key)
    }
}

/// The key that wraps the store key: Argon2id of the passphrase (64 MiB, 3 passes), hex.
fn wrapping_key(passphrase: &str, salt: &[u8]) -> Result<Zeroizing<String>, StoreError> {
    let params = Params::new(64 * 1024, 3, 1, Some(32))
        .map_err(|e| StoreError::Corrupt(format!("the key derivation: {e}")))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|e| StoreError::Corrupt(format!("the key derivation: {e}")))?;
    Ok(Zeroizing::new(hex::encode(out.as_ref())))
}

/// `N` random bytes.
pub(crate) fn random<const N: usize>() -> Result<Zeroizing<[u8; N]>, StoreError> {
    let mut bytes = Zeroizing::new([0u8; N]);
    getrandom::fill(bytes.as_mut())
        .map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))?;
    Ok(bytes)
}

/// A new random store key (64 hex digits).
pub(crate) fn new_key() -> Result<Zeroizing<String>, StoreError> {
    Ok(Zeroizing::new(hex::encode(random::<32>()?.as_ref())))
}

fn is_key(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

impl KeyFile {
    /// Reads `path`: `None` when it does not exist.
    pub fn read(path: &Path) -> Result<Option<Self>, StoreError> {
        let text = match fs::read_to_string(path) {
            Ok(text) => Zeroizing::new(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StoreError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let bad = || StoreError::BadSecret(path.to_path_buf());
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default().trim();
        if is_key(first) {
            return Ok(Some(Self::Legacy(Zeroizing::new(first.to_owned()))));
        }
        if first != HEADER {
            return Err(bad());
        }
        let fields: Vec<&str> = lines.next().unwrap_or_default().split(' ').collect();
        match fields.as_slice() {
            ["key", key] if is_key(key) => Ok(Some(Self::Plain(Zeroizing::new((*key).into())))),
            ["argon2id", salt, sealed] => Ok(Some(Self::Wrapped(Wrapped {
                salt: hex::decode(salt).map_err(|_| bad())?,
                sealed: hex::decode(sealed).map_err(|_| bad())?,
            }))),
            _ => Err(bad()),
        }
    }

    fn text(&self) -> Zeroizing<String> {
        Zeroizing::new(match self {
            Self::Legacy(key) => format!("{}\n", key.as_str()),
            Self::Plain(key) => format!("{HEADER}\nkey {}\n", key.as_str()),
            Self::Wrapped(w) => format!(
                "{HEADER}\nargon2id {} {}\n",
                hex::encode(&w.salt),
                hex::encode(&w.sealed)
            ),
        })
    }

    /// Writes the file in place of the old one (a temporary file renamed over it, so a
    /// reader sees the old or the new whole), owner-only.
    pub fn replace(&self, path: &Path) -> Result<(), StoreError> {
        let temp = temp_path(path);
        let written = write_private(&temp, &self.text())
            .and_then(|()| fs::rename(&temp, path))
            .map_err(|source| StoreError::Io {
                path: path.to_path_buf(),
                source,
            });
        let _ = fs::remove_file(&temp);
        written
    }

    /// Writes the file where none exists. When another process created one first, that
    /// one is read and returned instead: a reader never sees a half-written key.
    pub fn create(self, path: &Path) -> Result<Self, StoreError> {
        let io = |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        let temp = temp_path(path);
        let linked = write_private(&temp, &self.text()).and_then(|()| fs::hard_link(&temp, path));
        let _ = fs::remove_file(&temp);
        match linked {
            Ok(()) => Ok(self),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Self::read(path)?.ok_or_else(|| io(e))
            }
            Err(e) => Err(io(e)),
        }
    }
}

fn temp_path(path: &Path) -> PathBuf {
    path.with_extension(format!("key.{}.tmp", std::process::id()))
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// Refuses what ssh's StrictModes refuses: a store directory or key file that another
/// user owns, a directory that group or others may write, a key file that group or others
/// may read. One sentence names the path and the command that fixes it.
pub(crate) fn check_permissions(dir: &Path, key: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = fs::metadata("/proc/self").ok().map(|m| m.uid());
        let loose = |path: &Path, problem: String, fix: String| StoreError::LoosePermissions {
            path: path.to_path_buf(),
            problem,
            fix,
        };
        for (path, is_dir) in [(dir, true), (key, false)] {
            let meta = match fs::metadata(path) {
                Ok(meta) => meta,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => {
                    return Err(StoreError::Io {
                        path: path.to_path_buf(),
                        source,
                    });
                }
            };
            let shown = path.display();
            if let Some(me) = me.filter(|me| meta.uid() != *me) {
                return Err(loose(
                    path,
                    format!("is owned by another user (uid {})", meta.uid()),
                    format!("chown {me} {shown}, or use a store of your own"),
                ));
            }
            let mode = meta.mode() & 0o777;
            if is_dir && mode & 0o022 != 0 {
                return Err(loose(
                    path,
                    format!("may be written by group or others (mode {mode:o})"),
                    format!("chmod go-w {shown}"),
                ));
            }
            if !is_dir && mode & 0o077 != 0 {
                return Err(loose(
                    path,
                    format!("may be read by group or others (mode {mode:o})"),
                    format!("chmod 600 {shown}"),
                ));
            }
        }
    }
    let _ = (dir, key);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_opens_with_its_passphrase_only() {
        let key = new_key().expect("key");
        let wrapped = Wrapped::new(&key, "correct horse").expect("wrapped");
        assert_eq!(
            wrapped.unwrap("correct horse").expect("unwrapped").as_str(),
            key.as_str()
        );
        assert!(matches!(
            wrapped.unwrap("wrong horse"),
            Err(StoreError::WrongPassphrase)
        ));
    }

    #[test]
    fn every_form_reads_back() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("store.key");
        let key = new_key().expect("key");
        for file in [
            KeyFile::Legacy(key.clone()),
            KeyFile::Plain(key.clone()),
            KeyFile::Wrapped(Wrapped::new(&key, "passphrase").expect("wrapped")),
        ] {
            file.replace(&path).expect("written");
            let back = KeyFile::read(&path).expect("read").expect("there");
            assert_eq!(back.text().as_str(), file.text().as_str());
        }
        std::fs::write(&path, "certdesk-store-key 2\nkey nothex\n").expect("write");
        assert!(matches!(
            KeyFile::read(&path),
            Err(StoreError::BadSecret(_))
        ));
    }
}
