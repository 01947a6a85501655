//! Looking at what servers actually serve: the TLS probe ([`probe`]), with a time-out on
//! every connection and a limit on what is read. It imports only [`crate::pki`].

pub mod probe;
