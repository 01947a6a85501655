//! The use cases: one file per verb family, each verb one function that takes the store, a
//! typed request and `now`, and returns a typed outcome or a typed error. The CLI and the
//! GUI call these and nothing else that writes: import (read, plan, commit), export,
//! enroll (delayed and immediate requests, topology), assign (assign, roll, unassign,
//! status, test, eligible), remove, rename, deploy targets and their runs, notifications,
//! and the sample deployment. Every operation
//! commits its change and its log entry, with the equivalent command line
//! ([`command_line`]), in one store transaction.
//!
//! It may import every model folder ([`crate::ca`], [`crate::verify`], [`crate::store`],
//! [`crate::deploy`], [`crate::pki`]); nothing below imports it.

pub mod adcs;
pub mod aia;
pub mod assign;
pub mod cas;
pub mod command_line;
pub mod deploy;
mod dns01;
pub mod enroll;
pub mod expiry;
pub mod export;
pub mod files;
pub mod import;
pub mod keyring;
pub mod notify;
pub mod online;
pub mod pool;
pub mod probe;
pub mod remove;
pub mod rename;
pub mod renew;
pub mod renewal;
pub mod retrieve;
pub mod revocation;
pub mod sample;
pub mod sign_in;
pub mod team;
pub mod trust;
pub mod words;
