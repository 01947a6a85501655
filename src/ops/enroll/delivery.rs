//! Where a request goes and how an online CA is answered: the owned request types the CLI
//! (from its flags) and the window (from the wizard and the Renew dialog) both build. The
//! model lends the CA layer what it needs from them ([`Http01Answer::borrowed`],
//! [`AltCredentials::borrowed`]).

use std::net::SocketAddr;
use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::ca::acme::Http01;
use crate::ca::certsrv::Credentials;

/// Where the request goes.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// Save the CSR (to this file, if any) and keep the key pending.
    Delayed(Option<PathBuf>),
    /// Have the built-in CA sign it now. The store's first request creates the CA, whose
    /// root goes into Trusted Roots: only when `trust_new_root` says the user agreed.
    BuiltinCa {
        /// The user agreed to trust a newly created root.
        trust_new_root: bool,
    },
    /// Send it now to an online CA connection of the store (ACME, SCEP, AD CS).
    Online {
        /// The connection's name.
        ca: String,
        /// How (ACME's challenge, AD CS's alternate credentials).
        options: OnlineOptions,
    },
}

/// How a request goes to an online CA.
#[derive(Debug, Clone, Default)]
pub struct OnlineOptions {
    /// ACME: where the HTTP-01 answers are served.
    pub http01: Http01Answer,
    /// ACME: answer DNS-01 instead: the records are shown and the request waits.
    pub dns01: bool,
    /// AD CS: credentials to use instead of the connection's (the wizard's "Certificate
    /// Authority Account" page, `--username`).
    pub credentials: Option<AltCredentials>,
    /// The user agreed to put the root CA that ends the issued chain in Trusted Roots when
    /// it is not there yet (`--trust-root`, as `import --trust-root`).
    pub trust_root: bool,
    /// ACME with renewal information: the ARI identifier of the certificate this request
    /// replaces, named in the order.
    pub replaces: Option<String>,
}

/// How ACME's HTTP-01 challenges are answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Http01Answer {
    /// A listener of certdesk's on this address and port (port 80 for a public CA).
    Listen(SocketAddr),
    /// Files in `DIR/.well-known/acme-challenge/` that the site's web server serves.
    Webroot(PathBuf),
}

impl Default for Http01Answer {
    /// certdesk's listener on port 80 of every address (the CLI's and the window's default).
    fn default() -> Self {
        Http01Answer::Listen(SocketAddr::from(([0, 0, 0, 0], 80)))
    }
}

impl Http01Answer {
    /// The form the ACME client takes.
    pub fn borrowed(&self) -> Http01<'_> {
        match self {
            Http01Answer::Listen(address) => Http01::Listen(*address),
            Http01Answer::Webroot(dir) => Http01::Webroot(dir),
        }
    }
}

/// A user name and password given for one AD CS request instead of the connection's (the
/// password never printed, and wiped when dropped).
#[derive(Clone)]
pub struct AltCredentials {
    /// The user (`DOMAIN\user` or `user@domain`).
    pub username: String,
    /// The password.
    pub password: Zeroizing<String>,
}

impl std::fmt::Debug for AltCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AltCredentials({})", self.username)
    }
}

impl AltCredentials {
    /// The form the AD CS client takes.
    pub fn borrowed(&self) -> Credentials<'_> {
        Credentials {
            username: &self.username,
            password: &self.password,
        }
    }
}
