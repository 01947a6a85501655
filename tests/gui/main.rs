//! The desktop GUI through egui_kittest: the window driven by role and label, its layouts at
//! 1024×768 and scaled, pixel snapshots, and the README's screenshots.

#[path = "../common/mod.rs"]
mod common;

mod app;
mod layout;
mod screenshots;
mod snapshots;
