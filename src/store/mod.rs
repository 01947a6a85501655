//! The certificate store: one SQLite database and one secret file in a directory.
//!
//! Layout: `store.sqlite` (schema versioned by `PRAGMA user_version`, migrated on open;
//! each certificate row caches its parsed summary as postcard bytes beside the DER) and
//! `store.key` (32 random bytes in hex, owner-only) that encrypts every private key at rest.
//! The directory is created owner-only on first use. Every write is one SQLite transaction:
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
pub(crate) mod cas;
pub(crate) mod certs;
pub mod copy;
pub(crate) mod db;
pub(crate) mod log;
pub(crate) mod requests;
pub(crate) mod revocation;
mod rows;
pub(crate) mod schema;
pub mod system;
mod team;

pub use assignments::Assignment;
pub use cas::{CaConnection, CaKind, CaSecrets};
pub use log::LogEntry;
pub use requests::PendingRequest;
pub use rows::{KeyInfo, StoredCert};
pub use team::is_url as is_team_address;

use std::cell::RefCell;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use zeroize::Zeroizing;

use crate::pki::key::KeyError;

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
    /// SQLite reported an error.
    #[error("the store database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The team database reported an error, or cannot be reached: the sentence.
    #[error("{0}")]
    Database(String),
    /// A copy was asked into a store that holds something.
    #[error("{0} is not empty: a store is copied into an empty one only")]
    NotEmpty(PathBuf),
    /// A team store's operation asked of an embedded store.
    #[error("{0} is not a team store: its key file protects its keys, and it has no passphrase")]
    NotTeam(PathBuf),
    /// The team database asks for a password and none was found.
    #[error(
        "the team database asks for a password: set PGPASSWORD, add it to ~/.pgpass, or run in a terminal to be asked"
    )]
    NeedsPassword,
    /// The team passphrase does not unwrap the store key.
    #[error("the team passphrase is wrong: the store key cannot be unwrapped with it")]
    WrongPassphrase,
    /// The database was written by a newer certdesk.
    #[error("the store was written by a newer version of certdesk (schema {0}); upgrade certdesk")]
    NewerSchema(i64),
    /// The secret file is not what certdesk wrote.
    #[error("the store's key file {0} is damaged; private keys cannot be read without it")]
    BadSecret(PathBuf),
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
        match std::fs::create_dir(dir) {
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

    /// Opens the store in `dir`, creating the directory, database and secret on first use,
    /// and migrating an older schema.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let io = |source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        };
        create_private_dir(dir).map_err(io)?;
        let secret = load_or_create_secret(&dir.join(SECRET_FILE))?;
        let mut conn = connect(dir)?;
        restrict_file(&dir.join(DB_FILE)).map_err(io)?;
        schema::migrate(&mut conn)?;
        let mut store = Self {
            conn: Engine::Sqlite(conn),
            dir: dir.to_path_buf(),
            secret,
            system_roots: true,
            session_without_system_roots: false,
        };
        store.system_roots = store.meta(SYSTEM_ROOTS)?.as_deref() != Some("off");
        Ok(store)
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
                let out = f(db::Sql::Sqlite(&tx), self.secret.as_bytes())?;
                tx.commit().map_err(StoreError::from)?;
                Ok(out)
            }
            Engine::Postgres(conn) => {
                conn.get_mut().begin(team::BEGIN)?;
                match f(db::Sql::Postgres(conn), self.secret.as_bytes()) {
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

fn load_or_create_secret(path: &Path) -> Result<Zeroizing<String>, StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    match fs::read_to_string(path) {
        Ok(text) => {
            let secret = Zeroizing::new(text.trim().to_owned());
            if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(StoreError::BadSecret(path.to_path_buf()));
            }
            Ok(secret)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_secret(path),
        Err(e) => Err(io(e)),
    }
}

/// Writes a new secret to a temporary file, then links it into place: the link fails if
/// another process created the secret first, and then that one is used. A reader never
/// sees a half-written secret.
fn create_secret(path: &Path) -> Result<Zeroizing<String>, StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut raw = Zeroizing::new([0u8; 32]);
    getrandom::fill(raw.as_mut()).map_err(|e| io(std::io::Error::other(e.to_string())))?;
    let secret = Zeroizing::new(hex::encode(raw.as_ref()));
    let temp = path.with_extension(format!("key.{}.tmp", std::process::id()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temp).and_then(|mut file| {
        file.write_all(secret.as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()
    });
    let linked = written.and_then(|()| fs::hard_link(&temp, path));
    let _ = fs::remove_file(&temp);
    match linked {
        Ok(()) => Ok(secret),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create_secret(path),
        Err(e) => Err(io(e)),
    }
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
