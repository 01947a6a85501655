//! The command line driven as a user drives it: the built `certdesk` binary on temporary
//! stores, against real tools and real servers on loopback. One test binary, one module per
//! subject, so the suite links once.

#[path = "../common/mod.rs"]
mod common;

mod acme;
mod assign;
mod command_lines;
mod concurrency;
mod corpus;
mod deploy;
mod expiry;
mod export;
mod import;
mod kerberos;
mod notify;
mod online;
mod probe;
mod renewal;
mod request;
mod schedule;
mod store;
mod team;
mod templates;
mod topology;
mod trust;
mod unattended;
mod untrusted;
mod vault;
