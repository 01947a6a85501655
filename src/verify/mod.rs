//! Verification of stored certificates: certification paths over the store's cached
//! summaries ([`chain`]) and the usage rules ([`rules`]) that give an assignment proof or
//! every [`problem::Problem`] with its evidence.
//!
//! It reads the store ([`crate::store`]) and imports [`crate::deploy`] and [`crate::pki`];
//! it never writes.

pub mod chain;
pub mod path;
pub mod problem;
pub mod rules;
pub mod sans;
