//! Certificate authorities that answer immediate requests. Today the built-in enterprise CA
//! ([`builtin`]), whose keys live encrypted in the store.
//!
//! It imports [`crate::store`] (to keep its keys and certificates), [`crate::deploy`] and
//! [`crate::pki`]; never [`crate::ops`] or a user interface.

pub mod acme;
pub mod builtin;

pub use builtin::{BuiltinCa, CaError};
