//! The Lync / Skype for Business domain: the deployment topology ([`topology`]), the usage
//! types a certificate is assigned to ([`usage`]), the subject name and SANs each usage
//! needs ([`names`]), and a certificate request's validated choices with its CSR
//! ([`request`]).
//!
//! Pure like [`crate::pki`], which is the only certdesk module it imports.

pub mod names;
pub mod request;
pub mod topology;
pub mod usage;
