//! A real PostgreSQL server for the team-store tests: `initdb` and `postgres` from the
//! Debian package into a temporary directory, as an unprivileged user (`postgres` when the
//! tests run as root), listening on a free loopback port with password authentication.
//! One server per test binary; a watchdog stops and removes it when the test process
//! ends. Each test
//! gets a database of its own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The administrator's name and password of the test server.
pub const ADMIN: &str = "admin";
/// The administrator's password.
pub const ADMIN_PASSWORD: &str = "pg-test-secret";

/// The running server.
pub struct Pg {
    /// Its loopback port.
    pub port: u16,
    bin: PathBuf,
    dir: tempfile::TempDir,
    /// It serves TLS with `server.crt` and `server.key` of its directory.
    tls: bool,
}

/// A loopback port nobody listens on now.
pub fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn bin_dir() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (Debian package postgresql; .ci/run installs it)")
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").exists())
        .collect();
    found.sort();
    found.pop().expect("an initdb under /usr/lib/postgresql")
}

fn as_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id runs");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// `program args`, as the `postgres` user when the tests run as root.
fn unprivileged(program: &Path) -> Command {
    if as_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// A server of its own is stopped when it goes, before its directory is removed (after
/// that, `pg_ctl` could no longer find it; the watchdog stops it if the process dies).
impl Drop for Pg {
    fn drop(&mut self) {
        let _ = unprivileged(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "fast", "-w", "stop"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// The server the tests share, started on first use.
pub fn server() -> &'static Pg {
    static SERVER: OnceLock<Pg> = OnceLock::new();
    SERVER.get_or_init(Pg::start)
}

impl Pg {
    /// A server of its own (for a test that stops it).
    pub fn start() -> Pg {
        Self::start_with(None)
    }

    /// A server of its own that also serves TLS with this certificate and key (PEM).
    pub fn start_tls(cert: &Path, key: &Path) -> Pg {
        Self::start_with(Some((cert, key)))
    }

    fn start_with(tls: Option<(&Path, &Path)>) -> Pg {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("certdesk-pg")
            .tempdir_in("/tmp")
            .expect("temp dir");
        let data = dir.path().join("data");
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, ADMIN_PASSWORD).expect("pwfile");
        if let Some((cert, key)) = tls {
            std::fs::copy(cert, dir.path().join("server.crt")).expect("cert");
            std::fs::copy(key, dir.path().join("server.key")).expect("key");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let private = std::fs::Permissions::from_mode(0o600);
                std::fs::set_permissions(dir.path().join("server.key"), private).expect("mode");
            }
        }
        if as_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(status.success());
        }
        let out = unprivileged(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", ADMIN, "-A", "scram-sha-256", "--no-sync"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .expect("initdb runs");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_tcp_port();
        let pg = Pg {
            port,
            bin,
            dir,
            tls: tls.is_some(),
        };
        pg.pg_ctl("start");
        // The watchdog, as this process's user, stops the server once this process is gone.
        let runas = if as_root() {
            "runuser -u postgres -- "
        } else {
            ""
        };
        let watchdog = format!(
            "while kill -0 {parent} 2>/dev/null; do sleep 1; done; {runas}{pg_ctl} -D {data} -m fast stop; rm -rf {dir}",
            parent = std::process::id(),
            pg_ctl = pg.bin.join("pg_ctl").display(),
            data = data.display(),
            dir = pg.dir.path().display()
        );
        // The outer shell returns at once; the watchdog goes on in the background.
        let started = Command::new("/bin/sh")
            .args(["-c", &format!("({watchdog}) >/dev/null 2>&1 </dev/null &")])
            .status()
            .expect("the watchdog starts");
        assert!(started.success());
        pg
    }

    /// `pg_ctl start`, `stop` or `restart` on this server, waiting until it is done.
    pub fn pg_ctl(&self, action: &str) {
        let mut options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        if self.tls {
            let file = |name: &str| self.dir.path().join(name).display().to_string();
            options.push_str(&format!(
                " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                file("server.crt"),
                file("server.key")
            ));
        }
        let out = unprivileged(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-o", &options, "-m", "fast", "-l"])
            .arg(self.dir.path().join("log"))
            .args(["-w", action])
            .stdin(std::process::Stdio::null())
            .output()
            .expect("pg_ctl runs");
        assert!(
            out.status.success(),
            "pg_ctl {action}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs SQL as the administrator on `database`.
    pub fn psql(&self, database: &str, sql: &str) -> std::process::Output {
        Command::new("psql")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", ADMIN])
            .args(["-d", database, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])
            .env("PGPASSWORD", ADMIN_PASSWORD)
            .output()
            .expect("psql runs")
    }

    /// A new, empty database: its address for `--store`.
    pub fn database(&self) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("team{}", NEXT.fetch_add(1, Ordering::SeqCst));
        let out = self.psql("postgres", &format!("CREATE DATABASE {name}"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.address(ADMIN, &name)
    }

    /// The address of `database` for `user`, without TLS (the test server has none).
    pub fn address(&self, user: &str, database: &str) -> String {
        format!(
            "postgres://{user}@127.0.0.1:{}/{database}?sslmode=disable",
            self.port
        )
    }

    /// `pg_dump` of `database`, as text.
    pub fn dump(&self, database: &str) -> String {
        let out = Command::new(self.bin.join("pg_dump"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                ADMIN,
                database,
            ])
            .env("PGPASSWORD", ADMIN_PASSWORD)
            .output()
            .expect("pg_dump runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}
