//! Reaching the team database: the store's address (`postgres://USER@HOST[:PORT]/DB`, with
//! libpq's `sslmode` and `sslrootcert`), the database password as libpq finds it
//! (`PGPASSWORD`, then `~/.pgpass`; never in the address, which may be seen in argv), and
//! TLS through rustls with the system's roots or `sslrootcert`'s. Connecting ends within
//! [`STARTUP_TIME_LIMIT`], however slowly the server answers.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::store::StoreError;
use crate::store::db::postgres::error;

/// How long connecting (TCP) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the whole start of a connection may take: TCP, TLS and the sign-in.
pub const STARTUP_TIME_LIMIT: Duration = Duration::from_secs(20);

fn bad(message: String) -> StoreError {
    StoreError::Database(message)
}

/// Whether a store location is a team database's address.
pub fn is_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// The TLS configuration: the PEM roots of `sslrootcert`, else the system's.
fn tls(root_file: Option<&Path>) -> Result<rustls::ClientConfig, StoreError> {
    let pem = root_file
        .map(|path| {
            std::fs::read(path).map_err(|e| {
                bad(format!(
                    "sslrootcert {} cannot be read: {e}",
                    path.display()
                ))
            })
        })
        .transpose()?;
    crate::pki::trust::client_config(pem.as_deref()).map_err(|e| bad(format!("sslrootcert: {e}")))
}

/// One `~/.pgpass` field matches: `*`, or the same text (`\:` and `\\` unescaped).
fn field_matches(pattern: &str, value: &str) -> bool {
    pattern == "*" || pattern.replace("\\:", ":").replace("\\\\", "\\") == value
}

/// Splits a `~/.pgpass` line at its unescaped colons.
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(last)) = (chars.next(), out.last_mut()) {
                    last.push('\\');
                    last.push(next);
                }
            }
            ':' if out.len() < 5 => out.push(String::new()),
            _ => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

/// The password `~/.pgpass` (or `$PGPASSFILE`) gives for this server, database and user;
/// none from a file that others may read, as libpq.
fn pgpass(host: &str, port: u16, database: &str, user: &str) -> Option<String> {
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pgpass")))?;
    // As libpq: a file others may read is not used.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(&file).ok()?.permissions().mode() & 0o077 != 0 {
            return None;
        }
    }
    let text = std::fs::read_to_string(file).ok()?;
    let port = port.to_string();
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(fields)
        .find(|f| {
            f.len() == 5
                && field_matches(&f[0], host)
                && field_matches(&f[1], &port)
                && field_matches(&f[2], database)
                && field_matches(&f[3], user)
        })
        .map(|f| f[4].replace("\\:", ":").replace("\\\\", "\\"))
}

/// Connects to the database at `address`, with `password` or the one libpq would use.
pub fn client(address: &str, password: Option<&str>) -> Result<postgres::Client, StoreError> {
    let mut url = url::Url::parse(address)
        .map_err(|e| bad(format!("{address} is not a database address ({e})")))?;
    if url.password().is_some() {
        return Err(bad(
            "the store's address must not hold the database password: put it in PGPASSWORD or ~/.pgpass".into(),
        ));
    }
    let root_file = url
        .query_pairs()
        .find(|(k, _)| k == "sslrootcert")
        .map(|(_, v)| PathBuf::from(v.into_owned()));
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "sslrootcert")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.set_query(None);
    if !kept.is_empty() {
        url.query_pairs_mut().extend_pairs(kept);
    }
    let mut config: postgres::Config = url
        .as_str()
        .parse()
        .map_err(|e| bad(format!("{address} is not a database address ({e})")))?;
    if config.get_user().is_none() {
        let user = std::env::var("PGUSER")
            .or_else(|_| std::env::var("USER"))
            .unwrap_or_else(|_| "postgres".into());
        config.user(&user);
    }
    let user = config.get_user().unwrap_or_default().to_owned();
    let database = config.get_dbname().unwrap_or(&user).to_owned();
    let host = url.host_str().unwrap_or("localhost").to_owned();
    let port = url.port().unwrap_or(5432);
    if let Some(password) = password
        .map(str::to_owned)
        .or_else(|| std::env::var("PGPASSWORD").ok())
        .or_else(|| pgpass(&host, port, &database, &user))
    {
        config.password(password);
    }
    config.connect_timeout(CONNECT_TIMEOUT);
    let server = format!("{host}:{port}");
    // `sslmode=disable` asks for no TLS: the system's roots are not even read.
    if config.get_ssl_mode() == postgres::config::SslMode::Disable {
        return connect_within_limit(config, postgres::NoTls, &server);
    }
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls(root_file.as_deref())?);
    connect_within_limit(config, tls, &server)
}

/// Connects with `config`, giving up after [`STARTUP_TIME_LIMIT`]. The postgres client's
/// own time-out covers only the TCP connect, and its blocking connect cannot be cut
/// short: it runs on a thread of its own, which a server that never answers holds until
/// it closes the connection (or the process ends); the caller has its answer in time.
fn connect_within_limit<T>(
    config: postgres::Config,
    tls: T,
    server: &str,
) -> Result<postgres::Client, StoreError>
where
    T: postgres::tls::MakeTlsConnect<postgres::Socket> + Send + 'static,
    T::TlsConnect: Send,
    T::Stream: Send,
    <T::TlsConnect as postgres::tls::TlsConnect<postgres::Socket>>::Future: Send,
{
    let (sender, answer) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("team-store-connect".into())
        .spawn(move || {
            let _ = sender.send(config.connect(tls));
        })
        .map_err(|e| bad(format!("the team database cannot be reached: {e}")))?;
    match answer.recv_timeout(STARTUP_TIME_LIMIT) {
        Ok(connected) => connected.map_err(|e| error(&e)),
        Err(_) => Err(bad(format!(
            "the team database cannot be reached: {server} accepted the connection but did not complete it within {} s; check that PostgreSQL answers at this address",
            STARTUP_TIME_LIMIT.as_secs()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::{field_matches, fields};

    #[test]
    fn pgpass_lines_split_at_unescaped_colons() {
        let f = fields(r"db.example:5432:*:admin:pa\:ss");
        assert_eq!(f, ["db.example", "5432", "*", "admin", r"pa\:ss"]);
        assert!(field_matches("*", "anything"));
        assert!(field_matches(r"a\:b", "a:b"));
        assert!(!field_matches("x", "y"));
    }
}
