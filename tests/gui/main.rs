//! The desktop GUI through egui_kittest: the window driven by role and label, its layouts at
//! 1024×768 and scaled, pixel snapshots, the README's screenshots, and network work
//! running beside the store's.

#[path = "../common/mod.rs"]
mod common;

mod app;
mod deploy;
mod files;
mod finish;
mod first_page;
mod friction;
mod import;
mod kerberos;
mod layout;
mod messages;
mod network;
mod renewals;
mod request;
mod screenshots;
mod snapshots;
mod store_view;
mod stores;
mod templates;
mod unlock;
