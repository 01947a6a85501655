//! Microsoft AD CS Web Enrollment (`https://HOST/certsrv`), the pages non-Windows machines
//! reach an enterprise CA through: submit to `certfnsh.asp` (`Mode=newreq`, the CSR, the
//! template as `CertificateTemplate:NAME`), read the issued request ID, "Certificate
//! Pending" with its request ID, or the denial's disposition message; fetch
//! `certnew.cer?ReqID=N&Enc=b64`, and the CA chain through `certcarc.asp` (its `nRenewals`)
//! and `certnew.p7b?ReqID=CACert&Renewal=N&Enc=b64` ([`chain`]); the templates the user may
//! enroll from `certrqxt.asp` ([`templates`]).
//!
//! Over HTTPS only, signed in as the connection says ([`super::auth`]): Kerberos (the
//! user's ticket, or a ticket got with a password), NTLM, or Basic; the password never
//! crosses the network in clear.

use std::cell::RefCell;

mod chain;
mod templates;

use base64::Engine;
use zeroize::Zeroizing;

pub use chain::ca_chain;
pub use templates::{Template, find as find_template, templates};

use super::OnlineError;
use super::auth::{Accepted, Identity, Outgoing, SignIn};
use crate::net::http::Response;
use crate::store::CaConnection;
use crate::text;

/// The longest request ID accepted from a page.
const MAX_ID_DIGITS: usize = 12;

/// A user name and password for the CA; an empty password signs in with the user's
/// Kerberos ticket.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    /// The user (`DOMAIN\user` or `user@domain`).
    pub username: &'a str,
    /// The password.
    pub password: &'a str,
}

impl Credentials<'_> {
    /// Who signs in with these credentials.
    pub fn identity(&self) -> Identity {
        if self.password.is_empty() {
            Identity::Ticket
        } else {
            Identity::Password {
                user: self.username.to_owned(),
                password: Zeroizing::new(self.password.to_owned()),
            }
        }
    }
}

/// What the CA did with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Issued, with this request ID.
    Issued(String),
    /// Held for a CA manager's approval, with this request ID.
    Pending(String),
}

/// What retrieving a request gave.
pub enum Retrieved {
    /// Issued: the chain, leaf first, DER.
    Issued(Vec<Vec<u8>>),
    /// Still waiting for approval.
    Pending,
}

struct Session<'a> {
    ca: &'a CaConnection,
    sign_in: RefCell<SignIn>,
}

impl<'a> Session<'a> {
    fn new(ca: &'a CaConnection, credentials: Credentials<'_>) -> Result<Self, OnlineError> {
        Ok(Self {
            ca,
            sign_in: RefCell::new(SignIn::new(ca, credentials.identity())?),
        })
    }

    fn path(&self, page: &str) -> String {
        let base = url::Url::parse(&self.ca.url)
            .map(|u| u.path().trim_end_matches('/').to_owned())
            .unwrap_or_default();
        format!("{base}/{page}")
    }

    fn checked(&self, response: Response) -> Result<Response, OnlineError> {
        match response.status {
            200 => Ok(response),
            401 | 403 => Err(OnlineError::BadCredentials {
                ca: self.ca.name.clone(),
                message: format!("HTTP {}", response.status),
            }),
            status => Err(self.protocol(format!("HTTP {status} from {}", self.ca.url))),
        }
    }

    /// GET a page under the Web Enrollment URL, signed in.
    fn get(&self, page: &str) -> Result<Response, OnlineError> {
        let path = self.path(page);
        let response = self.sign_in.borrow_mut().send(&Outgoing {
            method: http::Method::GET,
            path: &path,
            content_type: None,
            body: bytes::Bytes::new(),
        })?;
        self.checked(response)
    }

    /// POST a form to a page under the Web Enrollment URL, signed in.
    fn post(&self, page: &str, form: String) -> Result<Response, OnlineError> {
        let path = self.path(page);
        let response = self.sign_in.borrow_mut().send(&Outgoing {
            method: http::Method::POST,
            path: &path,
            content_type: Some("application/x-www-form-urlencoded"),
            body: bytes::Bytes::from(form),
        })?;
        self.checked(response)
    }

    /// How and as whom the server accepted the sign-in.
    fn accepted(&self) -> Option<Accepted> {
        self.sign_in.borrow().accepted().cloned()
    }

    fn protocol(&self, message: String) -> OnlineError {
        OnlineError::Protocol {
            ca: self.ca.name.clone(),
            message,
        }
    }
}

/// Reaches the Web Enrollment pages signed in: how and as whom the server accepted it.
pub fn test(ca: &CaConnection, credentials: Credentials<'_>) -> Result<Accepted, OnlineError> {
    let session = Session::new(ca, credentials)?;
    let page = session.get("")?.text();
    if !page.to_ascii_lowercase().contains("certsrv")
        && !page.contains("Certificate Services")
        && !page.contains("certrqus.asp")
    {
        return Err(session.protocol(
            "its start page is not the AD CS Web Enrollment page (check that the URL ends in /certsrv)"
                .into(),
        ));
    }
    session.accepted().ok_or_else(|| {
        session.protocol("its start page answered without a sign-in being settled".into())
    })
}

/// Submits a PEM CSR with the template: issued or pending (with the CA's request ID), or
/// the denial with the CA's disposition message.
pub fn submit(
    ca: &CaConnection,
    credentials: Credentials<'_>,
    csr_pem: &str,
    template: &str,
) -> Result<Disposition, OnlineError> {
    let session = Session::new(ca, credentials)?;
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("Mode", "newreq")
        .append_pair("CertRequest", csr_pem)
        .append_pair("CertAttrib", &format!("CertificateTemplate:{template}\r\n"))
        .append_pair("TargetStoreFlags", "0")
        .append_pair("SaveCert", "yes")
        .append_pair("ThumbPrint", "")
        .finish();
    let page = session.post("certfnsh.asp", form)?.text();
    if let Some(id) = number_after(&page, "certnew.cer?ReqID=") {
        return Ok(Disposition::Issued(id));
    }
    if page.contains("Certificate Pending") {
        return number_after(&page, "Your Request Id is ")
            .map(Disposition::Pending)
            .ok_or_else(|| session.protocol("a pending page without a request ID".into()));
    }
    Err(refusal(&session, &page))
}

/// Fetches request `id`: the issued certificate with the CA's chain, or "still pending".
pub fn retrieve(
    ca: &CaConnection,
    credentials: Credentials<'_>,
    id: &str,
) -> Result<Retrieved, OnlineError> {
    let session = Session::new(ca, credentials)?;
    if id.is_empty() || id.len() > MAX_ID_DIGITS || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(session.protocol(format!("\"{id}\" is not an AD CS request ID")));
    }
    let answer = session.get(&format!("certnew.cer?ReqID={id}&Enc=b64"))?;
    let text = answer.text();
    let Some(leaf) = base64_body(&text) else {
        if text.contains("Pending") || text.contains("Taken Under Submission") {
            return Ok(Retrieved::Pending);
        }
        return Err(refusal(&session, &text));
    };
    let cas: Vec<Vec<u8>> = chain::ca_certificates(&session)?
        .into_iter()
        .filter(|c| *c != leaf)
        .collect();
    let mut chain = vec![leaf];
    chain.extend(cas);
    Ok(Retrieved::Issued(chain))
}

/// The denial's disposition message (or the page's words), one capped line.
fn refusal(session: &Session<'_>, page: &str) -> OnlineError {
    let message = between(page, "The disposition message is \"", "\"")
        .or_else(|| between(page, "The disposition message is &quot;", "&quot;"))
        .map(|m| text::message(&plain_text(&m)));
    match message {
        Some(message) if page.contains("denied") || page.contains("Denied") => {
            OnlineError::Denied {
                ca: session.ca.name.clone(),
                message,
            }
        }
        Some(message) => session.protocol(message),
        None if page.contains("denied") || page.contains("Denied") => OnlineError::Denied {
            ca: session.ca.name.clone(),
            message: "no disposition message was given".into(),
        },
        None => session.protocol("a page that is neither issued, pending nor denied".into()),
    }
}

/// The digits that follow `marker` in `page`.
fn number_after(page: &str, marker: &str) -> Option<String> {
    let start = page.find(marker)? + marker.len();
    let digits: String = page[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .take(MAX_ID_DIGITS + 1)
        .collect();
    (!digits.is_empty() && digits.len() <= MAX_ID_DIGITS).then_some(digits)
}

/// The text between `open` and the next `close` (at most 1,000 characters).
fn between(page: &str, open: &str, close: &str) -> Option<String> {
    let start = page.find(open)? + open.len();
    let end = page[start..].find(close)?;
    let text = &page[start..start + end];
    Some(text.chars().take(1000).collect())
}

/// Tags removed, entities decoded, white space collapsed.
fn plain_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The DER inside a base64 answer (with or without `-----BEGIN` lines; AD CS wraps its
/// PKCS#7 in `CERTIFICATE` lines too), or None when it is not base64 (an HTML page).
fn base64_body(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') || trimmed.is_empty() {
        return None;
    }
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .ok()
        .filter(|der| der.first() == Some(&0x30))
}
