//! The model called directly: the audit log, the names a role needs, the usage rules, and rows removed by another process.

#[path = "../common/mod.rs"]
mod common;

mod audit;
mod bulk;
mod der_rows;
mod names;
mod pending_renewal;
mod run_lock;
mod umask;
mod usage_rules;
mod vanished;
