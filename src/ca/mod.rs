//! Certificate authorities that answer immediate requests: the built-in enterprise CA
//! ([`builtin`]), whose keys live encrypted in the store, and online CAs reached over the
//! network: ACME ([`acme`]), SCEP ([`scep`]) and AD CS Web Enrollment ([`certsrv`]), all
//! through one HTTP/TLS stack ([`http`]).
//!
//! It imports [`crate::store`] (to keep its keys and certificates), [`crate::deploy`] and
//! [`crate::pki`]; never [`crate::ops`] or a user interface.

pub mod acme;
pub mod ari;
pub mod builtin;
pub mod certsrv;
pub mod http;
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
        http::size(*limit)
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
