//! certdesk: a desktop certificate manager for server administrators.
//!
//! The architecture in one screen:
//!
//! - [`model`] owns everything: certificates parsed once ([`model::cert`]), private keys
//!   and their encryption at rest ([`model::key`]), reading every certificate file format
//!   ([`model::formats`]), the SQLite store with its locations and logical stores
//!   ([`model::store`]), and the operations that change it ([`model::import`],
//!   [`model::remove`]), each one transaction with a log entry carrying the equivalent
//!   command line ([`model::command_line`]). It takes `now` as an argument and never
//!   touches the terminal.
//! - [`cli`] is a thin translator: arguments to model calls, results to text or JSON,
//!   errors to one sentence and an exit code.
//! - [`gui`] is the other: egui views read a snapshot of the store and emit commands that
//!   the app applies in one place; slow work (key generation, PFX decryption, file
//!   dialogs) runs in background jobs.

pub mod cli;
pub mod gui;
pub mod model;
