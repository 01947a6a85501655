//! certdesk: a desktop certificate manager for server administrators.
//!
//! The architecture in one screen. Imports point down this list, never up:
//!
//! - [`gui`] and [`cli`]: two thin callers. The CLI turns arguments into model requests
//!   and outcomes into text or JSON; the GUI's views read a snapshot of the store and send
//!   intents that the app applies in one place, with slow work in background jobs.
//! - [`ops`]: the use cases, one function per verb (import, export, request, renew,
//!   retrieve, assign, remove, rename, topology, status, test, probe, pool check, expiring),
//!   each one store transaction with a log entry carrying the equivalent command line. They
//!   take `now` as an argument.
//! - [`ca`]: certificate authorities that answer immediate requests: the built-in CA, and
//!   ACME, SCEP and AD CS Web Enrollment over one HTTP/TLS stack ([`net::http`]).
//! - [`net`]: what servers actually serve (the TLS probe) and HTTP fetches of what
//!   certificates point to (AIA), with time-outs and size limits.
//! - [`verify`]: certification paths and the usage rules, as proofs or problems.
//! - [`store`]: every SQL statement; locations, logical stores, keys at rest, the log, CA
//!   connections; and the operating system's trusted roots, shown beside the stored ones.
//! - [`deploy`]: the Lync/Skype domain: topology, usage types, names, request specs.
//! - [`pki`]: pure PKI objects: certificates, keys, key generation, file formats.
//! - [`text`]: text from outside made safe to show and keep: control characters escaped,
//!   server messages on one capped line, friendly names checked and cleaned.
//!
//! Beside them, [`desktop`] installs the `.desktop` entry that lets a file manager open
//! certificate files with certdesk, and [`schedule`] the timer (or crontab line) that runs
//! `certdesk renew --due` twice a day.

pub mod ca;
pub mod cli;
pub mod deploy;
pub mod desktop;
pub mod gui;
pub mod net;
pub mod ops;
pub mod pki;
pub mod schedule;
pub mod store;
pub mod text;
pub mod verify;

#[cfg(test)]
mod proptests;
