//! The model called directly: the audit log, the names a role needs, and the usage rules.

#[path = "../common/mod.rs"]
mod common;

mod audit;
mod names;
mod usage_rules;
