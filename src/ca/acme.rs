//! ACME (RFC 8555) through instant-acme on one HTTP/TLS stack (hyper with rustls): the
//! account (registered on first use, its key kept encrypted in the store), and an order for
//! a CSR's names answered by HTTP-01 from a listener of our own, then the full chain.
//!
//! TLS verification is always on: the system's roots, or the connection's own PEM bundle
//! (a private ACME server such as step-ca or a test server). Every network step has a
//! time-out and every answer a size limit ([`crate::net::http::AcmeHttp`]), so an unreachable
//! or endless CA is an error, not a hang.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use instant_acme::{
    Account, AuthorizationStatus, CertificateIdentifier, ChallengeType, ExternalAccountKey,
    HttpClient, Identifier, NewAccount, NewOrder, OrderStatus, RetryPolicy,
};
use rustls_pki_types::PrivatePkcs8KeyDer;
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::acme_http::AcmeHttp;
use crate::net::http::Failed;
use crate::pki::key::PrivateKey;
use crate::store::{CaConnection, CaSecrets};

/// How long one exchange with the CA may take.
const STEP: Duration = Duration::from_secs(30);

/// How long the CA may take to validate and issue.
const ISSUE: Duration = Duration::from_secs(120);

/// The longest HTTP request the challenge listener reads.
const MAX_REQUEST: usize = 8 * 1024;

/// Why an ACME exchange failed, as one sentence naming the CA.
#[derive(Debug, Error)]
pub enum AcmeError {
    /// The CA could not be reached or answered with an error.
    #[error("the ACME CA {ca} failed: {message}")]
    Protocol {
        /// The connection's name.
        ca: String,
        /// What went wrong.
        message: String,
    },
    /// The CA did not answer in time.
    #[error("the ACME CA {0} did not answer in time; check the URL and that it is reachable")]
    Timeout(String),
    /// The CA sent more than certdesk reads.
    #[error(
        "the ACME CA {ca} sent an answer larger than {}, so certdesk stopped reading it; check that its URL is the CA's directory",
        crate::net::http::size(*limit)
    )]
    TooLarge {
        /// The connection's name.
        ca: String,
        /// The most bytes read.
        limit: usize,
    },
    /// The CA could not be reached (no such host, refused, an untrusted certificate).
    #[error("the ACME CA {ca} cannot be reached: {message}; check its URL and that it is up")]
    Unreachable {
        /// The connection's name.
        ca: String,
        /// The innermost cause.
        message: String,
    },
    /// The CA's server answered with a TLS certificate that the connection does not trust.
    #[error(
        "the ACME CA {ca} answered, but its TLS certificate is not trusted here ({message}): give the certificate of the CA that issued it as the connection's TLS trust (--ca-bundle FILE, or the TLS trust field of the CA's dialog)"
    )]
    UntrustedTls {
        /// The connection's name.
        ca: String,
        /// The TLS library's words.
        message: String,
    },
    /// The connection's TLS bundle cannot be used.
    #[error("the TLS trust bundle of the CA {ca} cannot be used: {message}")]
    Bundle {
        /// The connection's name.
        ca: String,
        /// Why.
        message: String,
    },
    /// The CA refused the names (a failed challenge, a policy).
    #[error("the ACME CA {ca} refused the request: {message}")]
    Refused {
        /// The connection's name.
        ca: String,
        /// The CA's own reason.
        message: String,
    },
    /// A challenge file could not be written in the webroot.
    #[error(
        "cannot write the HTTP-01 answer in the webroot {dir}: {source}; check the path and its permissions"
    )]
    Webroot {
        /// The webroot.
        dir: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The HTTP-01 listener could not be started.
    #[error(
        "cannot listen on {address} for the HTTP-01 challenge: {source}; choose another --http-port, or run where port 80 may be used"
    )]
    Listener {
        /// The address asked for.
        address: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
}

/// A registered account to keep: its URL and its key.
pub struct Registered {
    /// The account URL.
    pub account_url: String,
    /// The account key.
    pub key: PrivateKey,
}

/// What the store keeps secret for a connection, decrypted for one exchange.
#[derive(Clone, Copy, Default)]
pub struct Secrets<'a> {
    /// The registered account's key.
    pub account_key: Option<&'a PrivateKey>,
    /// The external account binding's HMAC key (with the connection's `eab_kid`).
    pub eab_hmac: Option<&'a [u8]>,
}

impl<'a> From<&'a CaSecrets> for Secrets<'a> {
    fn from(stored: &'a CaSecrets) -> Self {
        Self {
            account_key: stored.account_key.as_ref(),
            eab_hmac: stored.eab_hmac.as_deref().map(Vec::as_slice),
        }
    }
}

/// Where the HTTP-01 answers are served.
#[derive(Debug, Clone, Copy)]
pub enum Http01<'a> {
    /// A listener of our own on this address and port (port 80 for a public CA).
    Listen(SocketAddr),
    /// Files in `DIR/.well-known/acme-challenge/` that the site's web server serves.
    Webroot(&'a Path),
}

/// The CA's error (its problem document's words) as one capped line.
fn protocol(ca: &CaConnection, e: impl std::fmt::Display) -> AcmeError {
    AcmeError::Protocol {
        ca: ca.name.clone(),
        message: crate::text::message(&e.to_string()),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, std::io::Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// The HTTP client for `ca`: its bundle's roots, or the system's.
fn http_client(ca: &CaConnection) -> Result<Box<dyn HttpClient>, AcmeError> {
    let config = crate::net::http::tls_config(&ca.name, ca.ca_bundle.as_deref()).map_err(|e| {
        AcmeError::Bundle {
            ca: ca.name.clone(),
            message: match e {
                crate::net::http::HttpError::Bundle { message, .. } => message,
                other => other.to_string(),
            },
        }
    })?;
    Ok(Box::new(AcmeHttp::new(config)))
}

async fn timed<T>(
    ca: &CaConnection,
    limit: Duration,
    work: impl std::future::Future<Output = Result<T, instant_acme::Error>>,
) -> Result<T, AcmeError> {
    match tokio::time::timeout(limit, work).await {
        Ok(result) => result.map_err(|e| failed(ca, &e)),
        Err(_) => Err(AcmeError::Timeout(ca.name.clone())),
    }
}

/// An error of the ACME client: the CA's own problem document as it says it, an answer
/// cut at its limit, or a connection that could not be made, named by its innermost cause
/// ("Connection refused", "failed to lookup address information", "invalid peer
/// certificate").
fn failed(ca: &CaConnection, e: &instant_acme::Error) -> AcmeError {
    let cut = match e {
        instant_acme::Error::Other(inner) => inner.downcast_ref::<Failed>(),
        _ => None,
    };
    match cut {
        Some(Failed::TooLarge(limit)) => {
            return AcmeError::TooLarge {
                ca: ca.name.clone(),
                limit: *limit,
            };
        }
        Some(Failed::TooSlow(_)) => return AcmeError::Timeout(ca.name.clone()),
        Some(Failed::Connect(inner)) if crate::net::http::untrusted_tls(inner.as_ref()) => {
            return AcmeError::UntrustedTls {
                ca: ca.name.clone(),
                message: crate::net::http::describe(inner.as_ref()),
            };
        }
        _ => {}
    }
    match e {
        instant_acme::Error::Hyper(_) if crate::net::http::untrusted_tls(e) => {
            AcmeError::UntrustedTls {
                ca: ca.name.clone(),
                message: crate::net::http::describe(e),
            }
        }
        instant_acme::Error::Hyper(_) | instant_acme::Error::Other(_) => AcmeError::Unreachable {
            ca: ca.name.clone(),
            message: crate::net::http::describe(e),
        },
        other => protocol(ca, other),
    }
}

/// The account of `ca`: the stored one, or a new registration (returned to be kept).
async fn account(
    ca: &CaConnection,
    secrets: Secrets<'_>,
) -> Result<(Account, Option<Registered>), AcmeError> {
    let http = http_client(ca)?;
    let builder = Account::builder_with_http(http);
    if let (Some(url), Some(key)) = (&ca.account_url, secrets.account_key) {
        let der = PrivatePkcs8KeyDer::from(key.pkcs8_der().to_vec());
        let account = timed(
            ca,
            STEP,
            builder.from_parts(url.clone(), der, ca.url.clone()),
        )
        .await?;
        return Ok((account, None));
    }
    let contact = ca.contact.as_ref().map(|c| format!("mailto:{c}"));
    let contacts: Vec<&str> = contact.iter().map(String::as_str).collect();
    let new = NewAccount {
        contact: &contacts,
        terms_of_service_agreed: true,
        only_return_existing: false,
    };
    let eab = match (&ca.eab_kid, secrets.eab_hmac) {
        (Some(kid), Some(hmac)) => Some(ExternalAccountKey::new(kid.clone(), hmac)),
        _ => None,
    };
    let (account, credentials) =
        timed(ca, STEP, builder.create(&new, ca.url.clone(), eab.as_ref())).await?;
    let account_key = PrivateKey::from_pkcs8_der(credentials.private_key().secret_pkcs8_der())
        .map_err(|e| protocol(ca, e))?;
    let registered = Registered {
        account_url: account.id().to_owned(),
        key: account_key,
    };
    Ok((account, Some(registered)))
}

/// Reaches the CA and its account (registering one on first use): the account URL, and
/// the registration to keep when it is new.
pub fn test(
    ca: &CaConnection,
    secrets: Secrets<'_>,
) -> Result<(String, Option<Registered>), AcmeError> {
    let rt = runtime().map_err(|e| protocol(ca, e))?;
    rt.block_on(async {
        let (account, registered) = account(ca, secrets).await?;
        Ok((account.id().to_owned(), registered))
    })
}

/// Reaches the CA's directory, without registering an account: a connection tried before
/// it is saved.
pub fn reach_directory(ca: &CaConnection) -> Result<(), crate::ca::OnlineError> {
    let client = crate::net::http::Client::new(&ca.name, ca.ca_bundle.as_deref(), false)?;
    let answer = client.get(&ca.url, &[("accept", "application/json")])?;
    let directory: Option<serde_json::Value> = serde_json::from_slice(&answer.body).ok();
    let is_directory = directory
        .as_ref()
        .is_some_and(|d| d.get("newNonce").is_some() && d.get("newAccount").is_some());
    if answer.status != 200 || !is_directory {
        return Err(crate::ca::OnlineError::Protocol {
            ca: ca.name.clone(),
            message: format!(
                "{} is not an ACME directory (HTTP {}); check the URL",
                ca.url, answer.status
            ),
        });
    }
    Ok(())
}

/// What an issued order gives: the chain (leaf first, PEM) and a new registration to keep.
pub struct Issued {
    /// The full chain the CA returned, PEM.
    pub chain_pem: String,
    /// The account, when it was registered by this request.
    pub registered: Option<Registered>,
}

/// Orders a certificate for `names` with `csr_der` (our key's CSR), answering HTTP-01 on
/// `http01`, and waits for the chain. `replaces` names the certificate it renews by its
/// ARI identifier ([`super::ari::certificate_id`]), for a CA that offers `renewalInfo`.
pub fn issue(
    ca: &CaConnection,
    secrets: Secrets<'_>,
    names: &[String],
    csr_der: &[u8],
    http01: Http01<'_>,
    replaces: Option<&str>,
) -> Result<Issued, AcmeError> {
    let rt = runtime().map_err(|e| protocol(ca, e))?;
    rt.block_on(async {
        let tokens: Arc<Mutex<HashMap<String, String>>> = Arc::default();
        let wanted = Wanted { names, replaces };
        match http01 {
            Http01::Listen(address) => {
                let listener = tokio::net::TcpListener::bind(address)
                    .await
                    .map_err(|source| AcmeError::Listener { address, source })?;
                let server = tokio::spawn(serve_challenges(listener, Arc::clone(&tokens)));
                let result = order(ca, secrets, wanted, csr_der, &|token, answer| {
                    if let Ok(mut map) = tokens.lock() {
                        map.insert(token.to_owned(), answer.to_owned());
                    }
                    Ok(())
                })
                .await;
                server.abort();
                result
            }
            Http01::Webroot(dir) => {
                let written = Mutex::new(Vec::new());
                let result = order(ca, secrets, wanted, csr_der, &|token, answer| {
                    let path = webroot_file(ca, dir, token)?;
                    if let Ok(mut files) = written.lock() {
                        files.push(path.clone());
                    }
                    write_answer(&path, answer).map_err(|source| AcmeError::Webroot {
                        dir: dir.to_path_buf(),
                        source,
                    })
                })
                .await;
                // The answers are removed whatever the outcome.
                for path in written.into_inner().unwrap_or_default() {
                    let _ = std::fs::remove_file(path);
                }
                result
            }
        }
    })
}

/// `DIR/.well-known/acme-challenge/TOKEN`, for a token that is a base64url word (a CA's
/// token never names another path).
fn webroot_file(ca: &CaConnection, dir: &Path, token: &str) -> Result<PathBuf, AcmeError> {
    let plain = !token.is_empty()
        && token.len() <= 256
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !plain {
        return Err(AcmeError::Refused {
            ca: ca.name.clone(),
            message: "it sent a challenge token that is not a plain base64url word".into(),
        });
    }
    Ok(dir.join(".well-known/acme-challenge").join(token))
}

fn write_answer(path: &Path, answer: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, answer)
}

/// What an order asks for.
#[derive(Debug, Clone, Copy)]
struct Wanted<'a> {
    /// The names (DNS identifiers).
    names: &'a [String],
    /// The ARI identifier of the certificate it replaces, when it renews one.
    replaces: Option<&'a str>,
}

/// A new order for `names` from the account (registered now if it is new), naming the
/// certificate it replaces.
async fn open_order(
    ca: &CaConnection,
    secrets: Secrets<'_>,
    wanted: Wanted<'_>,
) -> Result<(instant_acme::Order, Option<Registered>), AcmeError> {
    let Wanted { names, replaces } = wanted;
    let (account, registered) = account(ca, secrets).await?;
    let identifiers: Vec<Identifier> = names.iter().cloned().map(Identifier::Dns).collect();
    let plain = NewOrder::new(&identifiers);
    let Some((aki, serial)) = replaces.and_then(|id| id.split_once('.')) else {
        let order = timed(ca, STEP, account.new_order(&plain)).await?;
        return Ok((order, registered));
    };
    let naming = NewOrder::new(&identifiers).replaces(CertificateIdentifier {
        authority_key_identifier: aki.into(),
        serial: serial.into(),
    });
    let order = match tokio::time::timeout(STEP, account.new_order(&naming)).await {
        Err(_) => return Err(AcmeError::Timeout(ca.name.clone())),
        Ok(Ok(order)) => order,
        // A CA that does not take the replaced certificate (it was replaced already, or
        // the CA does not keep the field): the renewal goes on as an ordinary order.
        Ok(Err(e)) if replaces_refused(&e) => timed(ca, STEP, account.new_order(&plain)).await?,
        Ok(Err(e)) => return Err(failed(ca, &e)),
    };
    Ok((order, registered))
}

/// Whether a new order failed only on its `replaces` field: the CA answered
/// `alreadyReplaced`, or accepted the order without reflecting the field (RFC 9773 §5 says
/// it must; acme2certifier 0.46 does not), which instant-acme refuses.
fn replaces_refused(e: &instant_acme::Error) -> bool {
    match e {
        instant_acme::Error::Api(problem) => problem
            .r#type
            .as_deref()
            .is_some_and(|t| t.ends_with(":alreadyReplaced")),
        instant_acme::Error::Other(inner) => {
            inner.to_string().starts_with("replaces field mismatch")
        }
        _ => false,
    }
}

/// Publishes one HTTP-01 answer: (token, key authorization).
type Publish<'a> = &'a (dyn Fn(&str, &str) -> Result<(), AcmeError> + Sync);

async fn order(
    ca: &CaConnection,
    secrets: Secrets<'_>,
    wanted: Wanted<'_>,
    csr_der: &[u8],
    publish: Publish<'_>,
) -> Result<Issued, AcmeError> {
    let (mut order, registered) = open_order(ca, secrets, wanted).await?;
    for challenge in challenges(ca, &mut order, ChallengeType::Http01).await? {
        publish(&challenge.token, challenge.key_authorization.as_str())?;
    }
    ready(ca, &mut order, ChallengeType::Http01).await?;
    let retries = RetryPolicy::new().timeout(ISSUE);
    finalize(ca, &mut order, csr_der, &retries).await?;
    let chain_pem = timed(ca, ISSUE + STEP, order.poll_certificate(&retries)).await?;
    Ok(Issued {
        chain_pem,
        registered,
    })
}

/// Answers `GET /.well-known/acme-challenge/TOKEN` with the key authorization; anything
/// else is 404. One bounded request per connection.
async fn serve_challenges(
    listener: tokio::net::TcpListener,
    tokens: Arc<Mutex<HashMap<String, String>>>,
) {
    while let Ok((mut stream, _)) = listener.accept().await {
        let tokens = Arc::clone(&tokens);
        tokio::spawn(async move {
            let mut buf = vec![0u8; MAX_REQUEST];
            let mut read = 0;
            while read < buf.len() && !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf[read..]))
                    .await
                {
                    Ok(Ok(n)) if n > 0 => read += n,
                    _ => return,
                }
            }
            let head = String::from_utf8_lossy(&buf[..read]);
            let path = head.split_whitespace().nth(1).unwrap_or_default();
            let answer = path
                .strip_prefix("/.well-known/acme-challenge/")
                .and_then(|token| tokens.lock().ok()?.get(token).cloned());
            let response = match answer {
                Some(body) => format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                ),
                None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_owned(),
            };
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}

/// A TXT record that answers a DNS-01 challenge: create it in the zone, then continue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TxtRecord {
    /// `_acme-challenge.NAME.`
    pub name: String,
    /// The record's text.
    pub value: String,
}

/// An order waiting for its DNS-01 records.
pub struct Started {
    /// The order's URL (to resume it, from this process or another).
    pub order_url: String,
    /// The records to create.
    pub records: Vec<TxtRecord>,
    /// The account, when it was registered by this request.
    pub registered: Option<Registered>,
}

/// Orders a certificate for `names` to be answered by DNS-01: the TXT records to create.
/// Nothing is validated until [`finish_dns01`]. `replaces` as for [`issue`].
pub fn start_dns01(
    ca: &CaConnection,
    secrets: Secrets<'_>,
    names: &[String],
    replaces: Option<&str>,
) -> Result<Started, AcmeError> {
    let rt = runtime().map_err(|e| protocol(ca, e))?;
    rt.block_on(async {
        let (mut order, registered) = open_order(ca, secrets, Wanted { names, replaces }).await?;
        let order_url = order.url().to_owned();
        let records = challenges(ca, &mut order, ChallengeType::Dns01)
            .await?
            .into_iter()
            .map(|challenge| TxtRecord {
                name: format!("_acme-challenge.{}.", challenge.domain),
                value: challenge.key_authorization.dns_value(),
            })
            .collect();
        Ok(Started {
            order_url,
            records,
            registered,
        })
    })
}

/// Resumes a DNS-01 order once its records exist: tells the CA to validate, waits, and
/// finalizes with `csr_der`: the full chain, PEM. A failed validation is the CA's refusal.
pub fn finish_dns01(
    ca: &CaConnection,
    secrets: Secrets<'_>,
    order_url: &str,
    csr_der: &[u8],
) -> Result<String, AcmeError> {
    let rt = runtime().map_err(|e| protocol(ca, e))?;
    rt.block_on(async {
        let (account, _) = account(ca, secrets).await?;
        let mut order = timed(ca, STEP, account.order(order_url.to_owned())).await?;
        let retries = RetryPolicy::new().timeout(ISSUE);
        if order.state().status == OrderStatus::Pending {
            ready(ca, &mut order, ChallengeType::Dns01).await?;
        }
        if order.state().status != OrderStatus::Valid {
            finalize(ca, &mut order, csr_der, &retries).await?;
        }
        timed(ca, ISSUE + STEP, order.poll_certificate(&retries)).await
    })
}

/// A challenge of one of an order's authorizations that is not valid yet.
struct Challenge {
    /// The name it proves.
    domain: String,
    /// The HTTP-01 token.
    token: String,
    /// The answer (HTTP-01 serves it, DNS-01 publishes its digest).
    key_authorization: instant_acme::KeyAuthorization,
}

/// The `kind` challenge of each authorization of `order` that is not valid yet; the CA's
/// refusal when one offers no such challenge.
async fn challenges(
    ca: &CaConnection,
    order: &mut instant_acme::Order,
    kind: ChallengeType,
) -> Result<Vec<Challenge>, AcmeError> {
    let mut found = Vec::new();
    let mut authorizations = order.authorizations();
    while let Some(mut authz) =
        timed(ca, STEP, async { authorizations.next().await.transpose() }).await?
    {
        if authz.status == AuthorizationStatus::Valid {
            continue;
        }
        let refused = || AcmeError::Refused {
            ca: ca.name.clone(),
            message: format!(
                "it offers no {} challenge for these names",
                if kind == ChallengeType::Dns01 {
                    "DNS-01"
                } else {
                    "HTTP-01"
                }
            ),
        };
        let challenge = authz.challenge(kind.clone()).ok_or_else(refused)?;
        found.push(Challenge {
            domain: match challenge.identifier().identifier {
                Identifier::Dns(name) => name.clone(),
                other => format!("{other:?}"),
            },
            token: challenge.token.clone(),
            key_authorization: challenge.key_authorization(),
        });
    }
    Ok(found)
}

/// Tells the CA that the `kind` challenge of each pending authorization can be validated.
async fn ready(
    ca: &CaConnection,
    order: &mut instant_acme::Order,
    kind: ChallengeType,
) -> Result<(), AcmeError> {
    let mut authorizations = order.authorizations();
    while let Some(mut authz) =
        timed(ca, STEP, async { authorizations.next().await.transpose() }).await?
    {
        if authz.status != AuthorizationStatus::Pending {
            continue;
        }
        if let Some(mut challenge) = authz.challenge(kind.clone()) {
            timed(ca, STEP, challenge.set_ready()).await?;
        }
    }
    Ok(())
}

/// Waits for a ready order and finalizes it with the CSR (the CA's reason when it fails).
async fn finalize(
    ca: &CaConnection,
    order: &mut instant_acme::Order,
    csr_der: &[u8],
    retries: &RetryPolicy,
) -> Result<(), AcmeError> {
    let status = if order.state().status == OrderStatus::Processing {
        OrderStatus::Processing
    } else {
        timed(ca, ISSUE + STEP, order.poll_ready(retries)).await?
    };
    match status {
        OrderStatus::Ready => timed(ca, STEP, order.finalize_csr(csr_der)).await,
        OrderStatus::Processing | OrderStatus::Valid => Ok(()),
        _ => Err(AcmeError::Refused {
            ca: ca.name.clone(),
            message: order.state().error.as_ref().map_or_else(
                || format!("the order is {status:?}"),
                |e| crate::text::message(&e.to_string()),
            ),
        }),
    }
}
