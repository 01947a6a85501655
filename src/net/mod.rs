//! Looking at what servers actually serve: the TLS probe ([`probe`]) and HTTP fetches
//! ([`fetch`]: AIA, CRL, OCSP), with a time-out on every connection, a limit on what is
//! read, and one [`deadline`] shared by the steps of one piece of work. It imports
//! [`crate::pki`] and the HTTP stack of [`crate::ca::http`].

pub mod deadline;
pub mod fetch;
pub mod probe;
