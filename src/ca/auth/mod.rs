//! Signing in to AD CS Web Enrollment as enterprises run it: Negotiate (Kerberos from the
//! user's ticket cache or with a password; NTLM inside SPNEGO), the raw `NTLM` scheme IIS
//! offers too, and Basic over HTTPS. Which one is what the connection asks for, or by
//! default what the server offers in `WWW-Authenticate`, Negotiate first.
//!
//! Every Kerberos and NTLM token carries the connection's channel bindings
//! ([`binding`]), the server's final Kerberos token is checked (mutual authentication),
//! and an NTLM handshake runs with its request on one kept-alive connection ([`conn`]).
//! Nothing is stored here: a ticket got with a password lives in memory for one session.

pub mod binding;
mod conn;
mod gss;
mod offers;

use base64::Engine;
use bytes::Bytes;
use http_body_util::Full;
use zeroize::Zeroizing;

use self::conn::Connection;
use self::gss::{Context, Credential, Mech};
use self::offers::Offers;
use super::OnlineError;
use crate::net::http::Response;
use crate::store::{AuthChoice, CaConnection};

/// The most legs a handshake may take (NTLM takes two, Kerberos one).
const MAX_LEGS: usize = 4;

/// How the server accepted the sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mechanism {
    /// Kerberos in the `Negotiate` scheme.
    Kerberos,
    /// NTLM inside SPNEGO, in the `Negotiate` scheme.
    NtlmInNegotiate,
    /// NTLM in the `NTLM` scheme.
    Ntlm,
    /// Basic.
    Basic,
    /// The server asked for no sign-in.
    None,
}

impl Mechanism {
    /// The words `ca test` and the window show.
    pub fn words(self) -> &'static str {
        match self {
            Mechanism::Kerberos => "Kerberos (Negotiate)",
            Mechanism::NtlmInNegotiate => "NTLM inside Negotiate",
            Mechanism::Ntlm => "NTLM",
            Mechanism::Basic => "Basic",
            Mechanism::None => "no sign-in",
        }
    }

    fn scheme(self) -> &'static str {
        match self {
            Mechanism::Kerberos | Mechanism::NtlmInNegotiate => "Negotiate",
            Mechanism::Ntlm => "NTLM",
            Mechanism::Basic => "Basic",
            Mechanism::None => "",
        }
    }
}

/// Who signs in: the user's Kerberos ticket, or a user and password (`user@REALM` gets a
/// Kerberos ticket, `DOMAIN\user` signs in with NTLM where Negotiate is offered).
pub enum Identity {
    /// The ticket in the user's cache (kinit, SSSD, `KRB5CCNAME`).
    Ticket,
    /// A user name and password.
    Password {
        /// `user@REALM`, `DOMAIN\user` or a bare user.
        user: String,
        /// The password.
        password: Zeroizing<String>,
    },
}

/// What the server accepted: how, and as whom.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Accepted {
    /// The mechanism.
    pub mechanism: Mechanism,
    /// The principal or user signed in as.
    pub user: String,
}

/// The principal of the Kerberos ticket in the user's cache, without reaching any
/// server: the error says there is none, or that it has expired.
pub fn ticket_principal(ca: &str) -> Result<String, OnlineError> {
    gss::ticket(ca).map(|credential| credential.who)
}

/// A request to send (again, for each leg of a handshake).
pub struct Outgoing<'a> {
    /// GET or POST.
    pub method: http::Method,
    /// The path and query.
    pub path: &'a str,
    /// The body's Content-Type, when there is a body.
    pub content_type: Option<&'a str>,
    /// The body.
    pub body: Bytes,
}

/// A signed-in conversation with one AD CS server.
pub struct SignIn {
    ca: String,
    choice: AuthChoice,
    identity: Identity,
    conn: Connection,
    plan: Option<Mechanism>,
    credential: Option<Credential>,
    accepted: Option<Accepted>,
    /// The connection an NTLM sign-in holds for.
    signed_connection: Option<u64>,
}

impl SignIn {
    /// A conversation with `ca`'s server as `identity` (nothing is sent yet).
    pub fn new(ca: &CaConnection, identity: Identity) -> Result<Self, OnlineError> {
        let url = url::Url::parse(&ca.url).map_err(|e| OnlineError::Unreachable {
            ca: ca.name.clone(),
            message: format!("its URL cannot be used: {e}"),
        })?;
        Ok(Self {
            ca: ca.name.clone(),
            choice: ca.auth,
            conn: Connection::new(&ca.name, &url, ca.ca_bundle.as_deref())?,
            identity,
            plan: None,
            credential: None,
            accepted: None,
            signed_connection: None,
        })
    }

    /// How and as whom the server accepted the sign-in, once it has.
    pub fn accepted(&self) -> Option<&Accepted> {
        self.accepted.as_ref()
    }

    /// Sends `out`, signing in first when the server asks; a refused sign-in is an error.
    pub fn send(&mut self, out: &Outgoing<'_>) -> Result<Response, OnlineError> {
        let (serial, _) = self.conn.ensure()?;
        let plan = match self.plan {
            Some(plan) => plan,
            None if self.choice == AuthChoice::Basic => Mechanism::Basic,
            None => {
                let (response, headers) = self.conn.send(request(&self.ca, out, None)?)?;
                if response.status != 401 {
                    self.plan = Some(Mechanism::None);
                    self.accepted = Some(Accepted {
                        mechanism: Mechanism::None,
                        user: String::new(),
                    });
                    return Ok(response);
                }
                let offers = Offers::parse(&headers);
                choose(&self.ca, self.choice, &offers, &self.identity)?
            }
        };
        self.plan = Some(plan);
        match plan {
            Mechanism::None => Ok(self.conn.send(request(&self.ca, out, None)?)?.0),
            Mechanism::Basic => self.basic(out),
            Mechanism::Ntlm | Mechanism::NtlmInNegotiate
                if self.signed_connection == Some(serial) =>
            {
                // NTLM signs in a connection: it stays signed in until the server says.
                let (response, _) = self.conn.send(request(&self.ca, out, None)?)?;
                if response.status == 401 {
                    return self.handshake(out, plan);
                }
                Ok(response)
            }
            Mechanism::Kerberos | Mechanism::Ntlm | Mechanism::NtlmInNegotiate => {
                self.handshake(out, plan)
            }
        }
    }

    fn basic(&mut self, out: &Outgoing<'_>) -> Result<Response, OnlineError> {
        let Identity::Password { user, password } = &self.identity else {
            return Err(needs_password(&self.ca, "Basic"));
        };
        let pair = Zeroizing::new(format!("{user}:{}", password.as_str()));
        let header = Zeroizing::new(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair.as_bytes())
        ));
        let (response, headers) = self.conn.send(request(&self.ca, out, Some(&header))?)?;
        let offers = Offers::parse(&headers);
        if response.status == 401 && !offers.has("Basic") {
            return Err(OnlineError::NoMechanism {
                ca: self.ca.clone(),
                offered: format!("{} but not Basic", offers.describe()),
            });
        }
        if matches!(response.status, 401 | 403) {
            return Err(OnlineError::BadCredentials {
                ca: self.ca.clone(),
                message: format!("HTTP {} to Basic authentication as {user}", response.status),
            });
        }
        self.accepted = Some(Accepted {
            mechanism: Mechanism::Basic,
            user: user.clone(),
        });
        Ok(response)
    }

    fn credential(&mut self, plan: Mechanism) -> Result<&Credential, OnlineError> {
        if self.credential.is_none() {
            let mech = match plan {
                Mechanism::Ntlm => Mech::Ntlm,
                Mechanism::NtlmInNegotiate => Mech::NtlmInNegotiate,
                _ => Mech::Kerberos,
            };
            let credential = match &self.identity {
                Identity::Ticket if mech == Mech::Kerberos => gss::ticket(&self.ca)?,
                Identity::Ticket => return Err(needs_password(&self.ca, "NTLM")),
                Identity::Password { user, password } => {
                    gss::with_password(&self.ca, mech, user, password)?
                }
            };
            self.credential = Some(credential);
        }
        self.credential
            .as_ref()
            .ok_or_else(|| needs_password(&self.ca, "Negotiate"))
    }

    /// One Kerberos or NTLM handshake carrying `out`, on one connection.
    fn handshake(&mut self, out: &Outgoing<'_>, plan: Mechanism) -> Result<Response, OnlineError> {
        let host = self.conn.host().to_owned();
        let ca = self.ca.clone();
        let credential = self.credential(plan)?;
        let who = credential.who.clone();
        let mut context = Context::new(&ca, credential, &host)?;
        let (serial, binding) = self.conn.ensure()?;
        let mut token = context
            .step(None, &binding)?
            .ok_or_else(|| self.protocol("the GSSAPI gave no first token"))?;
        for _ in 0..MAX_LEGS {
            let header = format!(
                "{} {}",
                plan.scheme(),
                base64::engine::general_purpose::STANDARD.encode(&token)
            );
            let (response, headers) = self.conn.send(request(&self.ca, out, Some(&header))?)?;
            let offers = Offers::parse(&headers);
            let server = offers
                .token(plan.scheme())
                .map_err(|problem| self.protocol(&problem.to_string()))?;
            if response.status == 401 {
                let Some(server) = server.filter(|_| !context.proved()) else {
                    return Err(self.refused(plan, &who));
                };
                if self.conn.ensure()?.0 != serial {
                    return Err(self.protocol(
                        "it closed the connection in the middle of the sign-in (NTLM signs in one connection)",
                    ));
                }
                token = match context.step(Some(&server), &binding) {
                    Ok(Some(next)) => next,
                    Ok(None) => return Err(self.refused(plan, &who)),
                    // Kerberos' error token says why (a clock, a ticket); NTLM's says no.
                    Err(e) if plan == Mechanism::Kerberos => return Err(e),
                    Err(_) => return Err(self.refused(plan, &who)),
                };
                continue;
            }
            if let Some(server) = server.filter(|_| !context.proved()) {
                context
                    .step(Some(&server), &binding)
                    .map_err(|e| OnlineError::NotProved {
                        ca: ca.clone(),
                        message: e.to_string(),
                    })?;
            }
            if plan == Mechanism::Kerberos && !context.proved() {
                return Err(OnlineError::NotProved {
                    ca,
                    message: "its answer carried no final Negotiate token".into(),
                });
            }
            self.signed_connection = Some(serial);
            self.accepted = Some(Accepted {
                mechanism: plan,
                user: who,
            });
            return Ok(response);
        }
        Err(self.protocol("its sign-in did not end after four legs"))
    }

    fn refused(&self, plan: Mechanism, who: &str) -> OnlineError {
        match plan {
            // The KDC gave a ticket for this server, and the server refused it.
            Mechanism::Kerberos => OnlineError::BindingRefused {
                ca: self.ca.clone(),
            },
            _ => OnlineError::BadCredentials {
                ca: self.ca.clone(),
                message: format!("it refused {} as {who}", plan.words()),
            },
        }
    }

    fn protocol(&self, message: &str) -> OnlineError {
        OnlineError::Protocol {
            ca: self.ca.clone(),
            message: message.to_owned(),
        }
    }
}

fn needs_password(ca: &str, mechanism: &str) -> OnlineError {
    OnlineError::BadCredentials {
        ca: ca.to_owned(),
        message: format!("{mechanism} needs a user name and password, and none was given"),
    }
}

/// The mechanism for what the server offers, the connection's choice and who signs in.
fn choose(
    ca: &str,
    choice: AuthChoice,
    offers: &Offers,
    identity: &Identity,
) -> Result<Mechanism, OnlineError> {
    let (negotiate, ntlm, basic) = (
        offers.has("Negotiate"),
        offers.has("NTLM"),
        offers.has("Basic"),
    );
    let ntlm_user = matches!(identity, Identity::Password { user, .. } if user.contains('\\'));
    let password = matches!(identity, Identity::Password { .. });
    let in_negotiate = if ntlm_user {
        Mechanism::NtlmInNegotiate
    } else {
        Mechanism::Kerberos
    };
    let chosen = match choice {
        AuthChoice::Basic => basic.then_some(Mechanism::Basic),
        AuthChoice::Negotiate => negotiate.then_some(in_negotiate),
        AuthChoice::Ntlm if ntlm => Some(Mechanism::Ntlm),
        AuthChoice::Ntlm => negotiate.then_some(Mechanism::NtlmInNegotiate),
        AuthChoice::Automatic if negotiate => Some(in_negotiate),
        AuthChoice::Automatic if ntlm && password => Some(Mechanism::Ntlm),
        AuthChoice::Automatic if basic && password => Some(Mechanism::Basic),
        AuthChoice::Automatic if ntlm || basic => {
            return Err(needs_password(ca, if ntlm { "NTLM" } else { "Basic" }));
        }
        AuthChoice::Automatic => None,
    };
    chosen.ok_or_else(|| OnlineError::NoMechanism {
        ca: ca.to_owned(),
        offered: offers.describe(),
    })
}

/// The request for `out` to the CA `ca`, with `authorization` when given.
fn request(
    ca: &str,
    out: &Outgoing<'_>,
    authorization: Option<&str>,
) -> Result<hyper::Request<Full<Bytes>>, OnlineError> {
    let mut builder = hyper::Request::builder()
        .method(out.method.clone())
        .uri(out.path);
    if let Some(value) = authorization {
        builder = builder.header(http::header::AUTHORIZATION, value);
    }
    if let Some(content_type) = out.content_type {
        builder = builder.header(http::header::CONTENT_TYPE, content_type);
    }
    builder
        .body(Full::new(out.body.clone()))
        .map_err(|e| OnlineError::Protocol {
            ca: ca.to_owned(),
            message: format!("the request for {} cannot be made: {e}", out.path),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(schemes: &[&str]) -> Offers {
        let mut headers = hyper::HeaderMap::new();
        for scheme in schemes {
            headers.append(
                http::header::WWW_AUTHENTICATE,
                http::HeaderValue::from_str(scheme).expect("header"),
            );
        }
        Offers::parse(&headers)
    }

    fn password(user: &str) -> Identity {
        Identity::Password {
            user: user.into(),
            password: Zeroizing::new("pw".into()),
        }
    }

    #[test]
    fn negotiate_comes_first_and_the_user_name_picks_kerberos_or_ntlm() {
        let iis = offered(&["Negotiate", "NTLM"]);
        let auto = AuthChoice::Automatic;
        let chosen = |identity: &Identity| choose("ca", auto, &iis, identity).ok();
        assert_eq!(chosen(&Identity::Ticket), Some(Mechanism::Kerberos));
        assert_eq!(
            chosen(&password("alice@EXAMPLE.TEST")),
            Some(Mechanism::Kerberos)
        );
        assert_eq!(
            chosen(&password("EXAMPLE\\alice")),
            Some(Mechanism::NtlmInNegotiate)
        );
        let ntlm = choose("ca", AuthChoice::Ntlm, &iis, &password("EXAMPLE\\alice")).ok();
        assert_eq!(ntlm, Some(Mechanism::Ntlm));
        let basic_only = offered(&["Basic realm=\"x, y\""]);
        assert_eq!(
            choose("ca", auto, &basic_only, &password("u")).ok(),
            Some(Mechanism::Basic)
        );
    }

    #[test]
    fn nothing_certdesk_speaks_is_one_sentence() {
        let digest = offered(&["Digest realm=\"x\""]);
        let refused = choose("ca", AuthChoice::Automatic, &digest, &Identity::Ticket);
        assert!(matches!(refused, Err(OnlineError::NoMechanism { .. })));
        let basic_refused = choose(
            "ca",
            AuthChoice::Basic,
            &offered(&["Negotiate"]),
            &password("u"),
        );
        assert!(matches!(
            basic_refused,
            Err(OnlineError::NoMechanism { .. })
        ));
    }
}
