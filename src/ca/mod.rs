//! Certificate authorities that answer immediate requests: the built-in enterprise CA
//! ([`builtin`]), whose keys live encrypted in the store, and online CAs reached over the
//! network: ACME ([`acme`]), SCEP ([`scep`]) and AD CS Web Enrollment ([`certsrv`]), all
//! through the one HTTP/TLS stack of [`crate::net::http`].
//!
//! It imports [`crate::store`] (to keep its keys and certificates), [`crate::deploy`],
//! [`crate::pki`] and [`crate::net`]; never [`crate::ops`] or a user interface.

pub mod acme;
pub mod acme_http;
pub mod ari;
pub mod auth;
pub mod builtin;
pub mod certsrv;
pub mod scep;

pub use builtin::{BuiltinCa, CaError};

/// Why an exchange with a SCEP or AD CS CA failed, as one sentence naming the CA.
#[derive(Debug, thiserror::Error)]
pub enum OnlineError {
    /// The CA could not be reached.
    #[error("the CA {ca} cannot be reached: {message}; check its URL and that it is up")]
    Unreachable {
        /// The connection's name.
        ca: String,
        /// What went wrong.
        message: String,
    },
    /// The CA's server answered with a TLS certificate that the connection does not trust.
    #[error(
        "the CA {ca} answered, but its TLS certificate is not trusted here ({message}): give the certificate of the CA that issued it as the connection's TLS trust (--ca-bundle FILE, or the TLS trust field of the CA's dialog)"
    )]
    UntrustedTls {
        /// The connection's name.
        ca: String,
        /// The TLS library's words.
        message: String,
    },
    /// The CA did not answer in time.
    #[error("the CA {0} did not answer in time; check its URL and that it is reachable")]
    Timeout(String),
    /// The CA sent more than certdesk reads.
    #[error(
        "the CA {ca} sent an answer larger than {}, so certdesk stopped reading it; check that its URL is the CA's",
        crate::net::http::size(*limit)
    )]
    TooLarge {
        /// The connection's name (or the URL fetched).
        ca: String,
        /// The most bytes read.
        limit: usize,
    },
    /// The connection's TLS trust cannot be used.
    #[error("the TLS trust of the CA {ca} cannot be used: {message}")]
    Bundle {
        /// The connection's name.
        ca: String,
        /// Why.
        message: String,
    },
    /// The CA refused the user name and password (or the SCEP challenge).
    #[error(
        "the CA {ca} refused the credentials: {message}; check the user name and password of the connection (`certdesk ca add` again)"
    )]
    BadCredentials {
        /// The connection's name.
        ca: String,
        /// The CA's words.
        message: String,
    },
    /// Kerberos was to be used and the user has no ticket.
    #[error(
        "the CA {ca} signs in with Kerberos and no Kerberos ticket was found: run kinit, or give a user and password"
    )]
    NoTicket {
        /// The connection's name.
        ca: String,
    },
    /// The user's Kerberos ticket has expired.
    #[error(
        "the Kerberos ticket of {principal} has expired, so the CA {ca} cannot be signed in to: run kinit again, or give a user and password"
    )]
    TicketExpired {
        /// The connection's name.
        ca: String,
        /// The ticket's principal.
        principal: String,
    },
    /// This computer's clock and the KDC's differ by more than Kerberos allows.
    #[error(
        "this computer's clock differs from the Kerberos KDC's by more than Kerberos allows (5 minutes by default), so the CA {ca} cannot be signed in to: set the clock right (NTP) and try again"
    )]
    ClockSkew {
        /// The connection's name.
        ca: String,
    },
    /// No Kerberos KDC of the realm answered.
    #[error(
        "no Kerberos KDC could be reached to sign in to the CA {ca} ({message}); check the realm's KDC in krb5.conf and that it is up"
    )]
    KdcUnreachable {
        /// The connection's name.
        ca: String,
        /// Kerberos' words.
        message: String,
    },
    /// The KDC refused the password.
    #[error(
        "the Kerberos KDC refused the password of {user}, so the CA {ca} was not signed in to; check the password (`certdesk ca edit`, or the wizard's alternate credentials)"
    )]
    WrongPassword {
        /// The connection's name.
        ca: String,
        /// The user.
        user: String,
    },
    /// The server refused a token whose credentials were good: it requires channel
    /// binding (Extended Protection) that this connection's binding does not satisfy.
    #[error(
        "the CA {ca} refused the sign-in although the credentials are good: it requires channel binding (Extended Protection for Authentication), which fails when a TLS-inspecting proxy sits between certdesk and the server; reach the server without the proxy"
    )]
    BindingRefused {
        /// The connection's name.
        ca: String,
    },
    /// The server offers no sign-in that certdesk speaks (or that the connection allows).
    #[error(
        "the CA {ca} offers {offered} and certdesk signs in with Negotiate (Kerberos, NTLM), NTLM or Basic; choose the connection's authentication (--auth) among what the server offers"
    )]
    NoMechanism {
        /// The connection's name.
        ca: String,
        /// What the server offered, in its words.
        offered: String,
    },
    /// NTLM is needed and the gss-ntlmssp mechanism is not installed.
    #[error(
        "signing in to the CA {ca} with NTLM needs the {package} package, which is not installed on this computer"
    )]
    NoNtlm {
        /// The connection's name.
        ca: String,
        /// The package to install.
        package: &'static str,
    },
    /// The server did not prove its identity (Kerberos mutual authentication).
    #[error(
        "the CA {ca} did not prove it is the server its Kerberos ticket was for ({message}), so certdesk stopped"
    )]
    NotProved {
        /// The connection's name.
        ca: String,
        /// What was missing or wrong.
        message: String,
    },
    /// Kerberos or NTLM failed otherwise.
    #[error("signing in to the CA {ca} failed: {message}")]
    Kerberos {
        /// The connection's name.
        ca: String,
        /// The GSSAPI's words.
        message: String,
    },
    /// The CA denied the request.
    #[error("the CA {ca} denied the request: {message}")]
    Denied {
        /// The connection's name.
        ca: String,
        /// The CA's own disposition message.
        message: String,
    },
    /// The CA answered something that is not what the protocol says.
    #[error("the CA {ca} answered something certdesk cannot use: {message}")]
    Protocol {
        /// The connection's name.
        ca: String,
        /// What was wrong.
        message: String,
    },
}

impl From<crate::net::http::HttpError> for OnlineError {
    /// A CA's exchange that failed, said as the CA's error (the peer is the connection).
    fn from(e: crate::net::http::HttpError) -> Self {
        use crate::net::http::HttpError;
        match e {
            HttpError::Unreachable { peer, message } => {
                OnlineError::Unreachable { ca: peer, message }
            }
            HttpError::UntrustedTls { peer, message } => {
                OnlineError::UntrustedTls { ca: peer, message }
            }
            HttpError::Timeout(peer) => OnlineError::Timeout(peer),
            HttpError::TooLarge { peer, limit } => OnlineError::TooLarge { ca: peer, limit },
            HttpError::Bundle { peer, message } => OnlineError::Bundle { ca: peer, message },
        }
    }
}
