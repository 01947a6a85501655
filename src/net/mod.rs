//! Looking at what servers actually serve: the TLS probe ([`probe`]) and HTTP fetches
//! ([`fetch`]: AIA, CRL, OCSP), with a time-out on every connection, a limit on what is
//! read, and one [`deadline`] shared by the steps of one piece of work; and the one HTTP/TLS
//! stack every peer is reached through ([`http`]). It imports [`crate::pki`] only.

pub mod deadline;
pub mod fetch;
pub mod http;
pub mod probe;
