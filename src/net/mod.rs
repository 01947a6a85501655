//! Looking at what servers actually serve: the TLS probe ([`probe`]) and HTTP fetches
//! ([`fetch`]: AIA, CRL, OCSP), with a time-out on
//! every connection and a limit on what is read. It imports [`crate::pki`] and the HTTP
//! stack of [`crate::ca::http`].

pub mod fetch;
pub mod probe;
