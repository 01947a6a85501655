//! The model: certificates, keys, file formats, the store and the operations on it. It
//! knows nothing of egui, the terminal or the clock: callers pass `now` where it matters.

pub mod assign;
pub mod ca;
pub mod cert;
pub mod chain;
pub mod command_line;
pub mod enroll;
pub mod export;
pub mod files;
pub mod formats;
pub mod import;
pub mod key;
pub mod keygen;
pub mod names;
pub mod oids;
pub mod remove;
pub mod rename;
pub mod request;
pub mod rules;
pub mod sample;
pub mod store;
pub mod timefmt;
pub mod topology;
pub mod usage;
