//! The banner the window shows when a certificate in force for a usage expires within
//! [`EXPIRING_DAYS`] (or already has): which usages, when, and a way to the Certificate
//! Wizard page; the user can dismiss it for the session.

use crate::gui::view_model::{EXPIRING_DAYS, StoreView};
use crate::ops::assign::Status;
use crate::pki::timefmt;

/// What the banner asks for.
pub enum BannerChoice {
    /// Show the Certificate Wizard page.
    Open,
    /// Hide the banner for this session.
    Dismiss,
}

/// Draws the banner when an assigned certificate expires soon; nothing otherwise.
pub fn expiry_banner_ui(ui: &mut egui::Ui, view: &StoreView, now: i64) -> Option<BannerChoice> {
    let soon: Vec<String> = view
        .statuses
        .iter()
        .filter_map(|s| {
            let not_after = s.not_after?;
            let expired = not_after < now;
            (s.status == Status::Expiring || (expired && s.thumbprint.is_some())).then(|| {
                format!(
                    "{} ({} {})",
                    s.usage.title(),
                    if expired { "expired" } else { "expires" },
                    timefmt::date(not_after)
                )
            })
        })
        .collect();
    if soon.is_empty() {
        return None;
    }
    let mut choice = None;
    egui::Frame::group(ui.style())
        .fill(ui.visuals().warn_fg_color.gamma_multiply(0.15))
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!(
                    "⏳ Certificates in force expire within {EXPIRING_DAYS} days: {}.",
                    soon.join(", ")
                ));
                if ui.button("Open the Certificate Wizard").clicked() {
                    choice = Some(BannerChoice::Open);
                }
                if ui.button("Dismiss").clicked() {
                    choice = Some(BannerChoice::Dismiss);
                }
            });
        });
    choice
}
