//! The certificate store: an embedded store (a directory) or a team store (a PostgreSQL
//! database), with one interface.
//!
//! An embedded store's layout: `store.sqlite` (schema versioned by `PRAGMA user_version`,
//! migrated on open; each certificate row caches its parsed summary as postcard bytes
//! beside the DER) and `store.key` ([`keyfile`]: 32 random bytes, owner-only, optionally
//! wrapped by a passphrase) that seals every private key and CA secret at rest, each bound
//! to its row ([`sealing`]). The directory is created owner-only on first use, and a
//! directory or key file that others could read or change is refused. Every write is one SQLite transaction:
//! an operation happens whole or not at all. Any number of processes (windows and command
//! lines) may open and write one store at once: the database runs in WAL mode, every write
//! transaction is `BEGIN IMMEDIATE` (so a second writer waits for the first instead of
//! failing), the first open of a new store creates its secret and schema race-free, and
//! [`Store::data_version`] tells a window that another process changed something.
//!
//! A team store lives in PostgreSQL instead (`team`): the same tables, the same statements
//! through `db`, its store key wrapped by the team passphrase.
//!
//! Every SQL statement of certdesk lives in this module. It imports [`crate::pki`] (the
//! certificate summaries and keys it stores) and [`crate::deploy::usage`] (the usage names of
//! assignments), nothing above them.

pub(crate) mod assignments;
pub(crate) mod batch;
pub(crate) mod cas;
pub(crate) mod certs;
pub mod copy;
pub(crate) mod db;
pub(crate) mod deploys;
mod keyfile;
pub(crate) mod log;
pub(crate) mod notify;
pub(crate) mod renewals;
pub(crate) mod requests;
pub(crate) mod revocation;
mod rows;
mod run_lock;
pub(crate) mod schema;
mod sealing;
pub mod system;
mod team;

pub use assignments::Assignment;
pub use cas::{AuthChoice, CaConnection, CaKind, CaSecrets};
pub use deploys::{DeployFormat, DeploySource, DeployTarget, LastRun, TargetSettings};
pub use log::LogEntry;
pub use notify::{MailSettings, NotifySettings};
pub use requests::PendingRequest;
pub use rows::{KeyInfo, StoredCert, StoredProperty};
pub use team::BEGIN as TEAM_WRITE_BEGIN;
pub use team::is_url as is_team_address;

use std::cell::RefCell;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use zeroize::Zeroizing;

use crate::pki::key::KeyError;
use keyfile::KeyFile;

/// Where certificates live. Only the Computer location's certificates can be assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    /// The machine's store, used by services.
    Computer,
    /// A per-user store.
    User,
}

/// The logical stores inside a location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Logical {
    /// `My`: end-entity certificates, usually with a private key.
    Personal,
    /// `CA`: intermediate (non-self-signed) CA certificates.
    Ca,
    /// `Root`: trusted root CA certificates.
    Root,
    /// `REQUEST`: pending requests waiting for their CA's response.
    Requests,
}

impl Location {
    /// Every location, in display order.
    pub const ALL: [Location; 2] = [Location::Computer, Location::User];

    /// The CLI and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Computer => "computer",
            Location::User => "user",
        }
    }

    /// The display name.
    pub fn title(self) -> &'static str {
        match self {
            Location::Computer => "Computer",
            Location::User => "Current user",
        }
    }

    /// Parses a CLI or database name (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s))
    }
}

impl Logical {
    /// Every logical store, in display order.
    pub const ALL: [Logical; 4] = [
        Logical::Personal,
        Logical::Ca,
        Logical::Root,
        Logical::Requests,
    ];

    /// The CLI and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Logical::Personal => "personal",
            Logical::Ca => "ca",
            Logical::Root => "root",
            Logical::Requests => "requests",
        }
    }

    /// The display name, as the Windows console shows it.
    pub fn title(self) -> &'static str {
        match self {
            Logical::Personal => "Personal",
            Logical::Ca => "Intermediate Certification Authorities",
            Logical::Root => "Trusted Root Certification Authorities",
            Logical::Requests => "Certificate Enrollment Requests",
        }
    }

    /// Parses a CLI or database name (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s))
    }
}

/// What can go wrong with the store itself.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The directory or a file in it cannot be created or read.
    #[error("cannot use the store at {path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A new store was asked for in a directory that exists.
    #[error("{0} already exists: a new store needs a directory that does not exist yet")]
    Exists(PathBuf),
    /// No CA connection has that name.
    #[error("there is no CA named {0}: `certdesk ca list` shows them")]
    NoSuchCa(String),
    /// A CA connection with that name exists already.
    #[error("a CA named {0} exists already: remove it first, or choose another name")]
    CaExists(String),
    /// No deploy target has that name.
    #[error("there is no deploy target named {0}: `certdesk deploy list` shows them")]
    NoSuchTarget(String),
    /// A deploy target with that name exists already.
    #[error("a deploy target named {0} exists already: remove it first, or choose another name")]
    TargetExists(String),
    /// SQLite reported an error.
    #[error("the store database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The team database reported an error, or cannot be reached: the sentence.
    #[error("{0}")]
    Database(String),
    /// A copy was asked into a store that holds something.
    #[error("{0} is not empty: a store is copied into an empty one only")]
    NotEmpty(PathBuf),
    /// The team database asks for a password and none was found.
    #[error(
        "the team database asks for a password: set PGPASSWORD, add it to ~/.pgpass, or run in a terminal to be asked"
    )]
    NeedsPassword,
    /// The passphrase does not unwrap the store key.
    #[error("the store's passphrase is wrong: the store key cannot be unwrapped with it")]
    WrongPassphrase,
    /// The database was written by a newer certdesk.
    #[error("the store was written by a newer version of certdesk (schema {0}); upgrade certdesk")]
    NewerSchema(i64),
    /// The secret file is not what certdesk wrote.
    #[error("the store's key file {0} is damaged; private keys cannot be read without it")]
    BadSecret(PathBuf),
    /// The store directory or its key file could be read or changed by someone else.
    #[error("{} {problem}, so certdesk will not use it: run `{fix}`", path.display())]
    LoosePermissions {
        /// The directory or file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
        /// The command that fixes it.
        fix: String,
    },
    /// A new passphrase shorter than the minimum.
    #[error("a store passphrase needs at least {0} characters")]
    ShortPassphrase(usize),
    /// A team store's passphrase cannot be removed.
    #[error("a team store always has a passphrase: it can be changed, not removed")]
    TeamNeedsPassphrase,
    /// A passphrase was given for a store that has none.
    #[error("the store at {0} has no passphrase; set one with `certdesk store passwd`")]
    NoPassphrase(PathBuf),
    /// No certificate matches a thumbprint.
    #[error("no certificate with thumbprint {thumbprint} in the {location} location")]
    NotFound {
        /// The thumbprint or prefix asked for.
        thumbprint: String,
        /// Where it was looked for.
        location: &'static str,
    },
    /// A thumbprint prefix matches several certificates.
    #[error("the thumbprint prefix {0} matches more than one certificate; give more digits")]
    Ambiguous(String),
    /// A thumbprint argument that is not hex, or shorter than 8 digits.
    #[error("\"{0}\" is not a thumbprint: give the SHA-1 in hex (at least 8 digits)")]
    BadThumbprint(String),
    /// A stored key cannot be decrypted or encrypted.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A cached summary in the database cannot be read.
    #[error("the store database is damaged: {0}")]
    Corrupt(String),
    /// A row read a moment before is gone: another process removed it meanwhile.
    #[error(
        "the {0} this command was reading was removed meanwhile by another certdesk; run the command again"
    )]
    Vanished(&'static str),
    /// A write was asked of a root the operating system trusts.
    #[error(
        "{0} is a root the operating system trusts: certdesk shows it but cannot change, remove or export it with a key (turn system roots off with `certdesk store system-roots off`)"
    )]
    SystemRoot(String),
}

/// The database a store lives in.
enum Engine {
    /// `store.sqlite` in the store's directory.
    Sqlite(Connection),
    /// A team's PostgreSQL database.
    Postgres(Box<RefCell<db::postgres::Connection>>),
}

/// An open store.
pub struct Store {
    conn: Engine,
    dir: PathBuf,
    secret: Zeroizing<String>,
    /// Whether the operating system's roots count as Trusted Roots.
    system_roots: bool,
    /// `--no-system-roots` was given: the setting cannot turn them on in this session.
    session_without_system_roots: bool,
    /// Who the log names for this session's changes (a scheduled run), instead of the
    /// default (nobody on a local store, the database user on a team store).
    log_user: Option<String>,
}

const DB_FILE: &str = "store.sqlite";
/// How long a writer waits for another process's write to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);
const SECRET_FILE: &str = "store.key";
/// The meta key of the store setting: `off` when the system's roots are not trusted.
pub(crate) const SYSTEM_ROOTS: &str = "system_roots";

impl Store {
    /// Creates a new store in `dir`, which must not exist yet (File ▸ New store…).
    pub fn create_new(dir: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        // Owner-only whatever the umask (002 on Ubuntu would leave it group-writable, which
        // opening then refuses).
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.create(dir) {
            Ok(()) => Self::open(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(StoreError::Exists(dir.to_path_buf()))
            }
            Err(source) => Err(StoreError::Io {
                path: dir.to_path_buf(),
                source,
            }),
        }
    }

    /// Opens the store in `dir`, creating the directory, database and key on first use,
    /// and migrating an older schema. A store with a passphrase opens locked.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with(dir, None)
    }

    /// Opens the store in `dir` as [`Self::open`] does, unlocked with `passphrase` when it
    /// has one (a passphrase for a store without one is refused). The first unlocked open
    /// of a store written before keys were sealed to their rows converts its blobs.
    pub fn open_with(dir: &Path, passphrase: Option<&str>) -> Result<Self, StoreError> {
        let io = |source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let key_path = dir.join(SECRET_FILE);
        keyfile::check_permissions(dir, &key_path)?;
        create_private_dir(dir).map_err(io)?;
        let file = match KeyFile::read(&key_path)? {
            Some(file) => file,
            None => KeyFile::Plain(keyfile::new_key()?).create(&key_path)?,
        };
        let mut conn = connect(dir)?;
        restrict_file(&dir.join(DB_FILE)).map_err(io)?;
        schema::migrate(&mut conn)?;
        let secret = match (&file, passphrase) {
            (KeyFile::Wrapped(wrapped), Some(p)) => wrapped.unwrap(p)?,
            (KeyFile::Wrapped(_), None) => Zeroizing::new(String::new()),
            (_, Some(_)) => return Err(StoreError::NoPassphrase(dir.to_path_buf())),
            (KeyFile::Legacy(key) | KeyFile::Plain(key), None) => key.clone(),
        };
        let mut store = Self {
            conn: Engine::Sqlite(conn),
            dir: dir.to_path_buf(),
            secret,
            system_roots: true,
            session_without_system_roots: false,
            log_user: None,
        };
        if let KeyFile::Legacy(key) = &file {
            store.transaction(sealing::convert_legacy)?;
            KeyFile::Plain(key.clone()).replace(&key_path)?;
        }
        store.system_roots = store.meta(SYSTEM_ROOTS)?.as_deref() != Some("off");
        Ok(store)
    }

    /// Whether the store's keys are out of reach until its passphrase is given.
    pub fn is_locked(&self) -> bool {
        self.secret.is_empty()
    }

    /// Unlocks a store opened without its passphrase (the window's unlock dialog): its
    /// keys can be used from now on. A wrong passphrase leaves it locked.
    pub fn unlock(&mut self, passphrase: &str) -> Result<(), StoreError> {
        if !self.is_locked() {
            return Ok(());
        }
        let secret = match &self.conn {
            Engine::Sqlite(_) => match KeyFile::read(&self.dir.join(SECRET_FILE))? {
                Some(KeyFile::Wrapped(wrapped)) => wrapped.unwrap(passphrase)?,
                _ => return Err(StoreError::NoPassphrase(self.dir.clone())),
            },
            Engine::Postgres(_) => {
                self.transaction(|tx, _| team::store_key(tx, Some(passphrase)))?
            }
        };
        self.secret = secret;
        Ok(())
    }

    /// Whether the embedded store in `dir` has a passphrase (its key file is wrapped): a
    /// command then asks for it before opening the store.
    pub fn is_wrapped_at(dir: &Path) -> Result<bool, StoreError> {
        Ok(matches!(
            KeyFile::read(&dir.join(SECRET_FILE))?,
            Some(KeyFile::Wrapped(_))
        ))
    }

    /// Writes an embedded store's key file again with `secret` wrapped by `passphrase`,
    /// or in the clear (`None`): no private key is sealed again.
    pub(crate) fn write_key_file(
        dir: &Path,
        secret: &[u8],
        passphrase: Option<&str>,
    ) -> Result<(), StoreError> {
        let key = std::str::from_utf8(secret)
            .ok()
            .filter(|k| !k.is_empty())
            .ok_or(KeyError::Locked)?;
        let key = Zeroizing::new(key.to_owned());
        let file = match passphrase {
            Some(p) => KeyFile::Wrapped(keyfile::Wrapped::new(&key, p)?),
            None => KeyFile::Plain(key),
        };
        file.replace(&dir.join(SECRET_FILE))
    }

    /// Another connection to this store, with its key and its session's settings: for work
    /// that waits on the network while this connection goes on answering.
    pub fn reopen(&self) -> Result<Self, StoreError> {
        let conn = match &self.conn {
            Engine::Sqlite(_) => Engine::Sqlite(connect(&self.dir)?),
            Engine::Postgres(conn) => {
                Engine::Postgres(Box::new(RefCell::new(conn.borrow().another()?)))
            }
        };
        Ok(Self {
            conn,
            dir: self.dir.clone(),
            secret: self.secret.clone(),
            system_roots: self.system_roots,
            session_without_system_roots: self.session_without_system_roots,
            log_user: self.log_user.clone(),
        })
    }

    /// Whether the operating system's roots count as Trusted Roots here.
    pub fn trusts_system_roots(&self) -> bool {
        self.system_roots
    }

    /// Ignores the operating system's roots for this session (`--no-system-roots`),
    /// whatever the store setting says.
    pub fn ignore_system_roots(&mut self) {
        self.system_roots = false;
        self.session_without_system_roots = true;
    }

    /// Whether [`Self::ignore_system_roots`] was called: a window carries it to the next
    /// store it opens.
    pub fn ignores_system_roots_for_session(&self) -> bool {
        self.session_without_system_roots
    }

    /// Follows a change of the store setting made by this process.
    pub(crate) fn set_trusts_system_roots(&mut self, on: bool) {
        self.system_roots = on && !self.session_without_system_roots;
    }

    /// The store's directory, or a team store's address.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A metadata value (the built-in CA's thumbprints, ...).
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.sql()
            .query_one("SELECT value FROM meta WHERE key = ?1", db::values![key])?
            .map(|r| r.text(0))
            .transpose()
    }

    /// A handle on the connection, for reads outside a transaction.
    pub(crate) fn sql(&self) -> db::Sql<'_> {
        match &self.conn {
            Engine::Sqlite(conn) => db::Sql::Sqlite(conn),
            Engine::Postgres(conn) => db::Sql::Postgres(conn),
        }
    }

    /// Names `user` in the log entries this session writes from now on (a scheduled run:
    /// `certdesk renew --due --scheduled`).
    pub fn set_log_user(&mut self, user: &str) {
        self.log_user = Some(user.to_owned());
    }

    /// The secret that encrypts private keys at rest.
    pub(crate) fn secret(&self) -> &[u8] {
        self.secret.as_bytes()
    }

    /// Runs `f` in one write transaction: committed if it returns `Ok`, rolled back
    /// otherwise. Writers take turns: SQLite's transaction is `BEGIN IMMEDIATE` (it takes
    /// the write lock before reading, and a writer in another process makes it wait up to
    /// the busy timeout), PostgreSQL's takes the store's advisory lock first. Either way
    /// what `f` reads cannot change under it.
    pub(crate) fn transaction<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(db::Sql<'_>, &[u8]) -> Result<T, E>,
    ) -> Result<T, E> {
        match &mut self.conn {
            Engine::Sqlite(conn) => {
                let tx = conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    .map_err(StoreError::from)?;
                let sql = db::Sql::Sqlite(&tx);
                let user = self.log_user.as_deref();
                let since = log::last_id(sql, user)?;
                let out = f(sql, self.secret.as_bytes())?;
                log::name_user(sql, since, user)?;
                tx.commit().map_err(StoreError::from)?;
                Ok(out)
            }
            Engine::Postgres(conn) => {
                conn.get_mut().begin(team::BEGIN)?;
                let user = self.log_user.as_deref();
                let secret = self.secret.as_bytes();
                let result = (|| {
                    let since = log::last_id(db::Sql::Postgres(conn), user)?;
                    let out = f(db::Sql::Postgres(conn), secret)?;
                    log::name_user(db::Sql::Postgres(conn), since, user)?;
                    Ok(out)
                })();
                match result {
                    Ok(out) => {
                        conn.get_mut().end(true)?;
                        Ok(out)
                    }
                    Err(e) => {
                        // The error says what went wrong; a failed rollback adds nothing.
                        let _ = conn.get_mut().end(false);
                        Err(e)
                    }
                }
            }
        }
    }

    /// What is wrong with the database, one sentence each (empty when nothing is): SQLite's
    /// own integrity check, keys that no certificate or pending request holds, pending
    /// requests whose key is gone.
    pub fn integrity(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        if let Engine::Sqlite(conn) = &self.conn {
            let mut stmt = conn.prepare("PRAGMA integrity_check")?;
            for line in stmt.query_map([], |r| r.get::<_, String>(0))? {
                let line = line?;
                if line != "ok" {
                    problems.push(format!("SQLite: {line}"));
                }
            }
        }
        let count = |sql: &str| -> Result<i64, StoreError> {
            self.sql().query_one(sql, &[])?.map_or(Ok(0), |r| r.int(0))
        };
        let orphans = count(
            "SELECT COUNT(*) FROM keys WHERE id NOT IN
               (SELECT key_id FROM certificates WHERE key_id IS NOT NULL
                UNION SELECT key_id FROM requests)",
        )?;
        if orphans > 0 {
            problems.push(format!("{orphans} private key(s) belong to nothing"));
        }
        let keyless =
            count("SELECT COUNT(*) FROM requests WHERE key_id NOT IN (SELECT id FROM keys)")?;
        if keyless > 0 {
            problems.push(format!("{keyless} pending request(s) lost their key"));
        }
        Ok(problems)
    }

    /// A counter that changes whenever another connection (another process, or another
    /// window) commits a change to the database: the GUI polls it to refresh. SQLite counts
    /// commits; a team database's sessions LISTEN for the NOTIFY every change sends, and
    /// this counts what was heard without a round trip to the server.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        match &self.conn {
            Engine::Sqlite(conn) => {
                Ok(conn.pragma_query_value(None, "data_version", |r| r.get(0))?)
            }
            Engine::Postgres(conn) => conn.borrow_mut().changes(),
        }
    }
}

/// A connection to the embedded database in `dir`, set up as every connection is.
fn connect(dir: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(dir.join(DB_FILE))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // WAL: readers never block the writer and the writer never blocks readers. The
    // switch takes a lock of its own, so it waits for other processes like any write.
    with_busy_retry(|| conn.pragma_update(None, "journal_mode", "WAL"))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // A statement's rollback journal (a multi-row INSERT keeps one) in memory, not in a
    // temporary file written and read back for every statement.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(conn)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn restrict_file(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)?.permissions().mode() & 0o777;
        if mode != 0o600 {
            fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
        }
    }
    let _ = path;
    Ok(())
}

/// Retries an operation that SQLite refused with "busy" without calling the busy
/// handler (changing the journal mode), for as long as the busy timeout.
fn with_busy_retry<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let start = std::time::Instant::now();
    loop {
        match f() {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && start.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}
