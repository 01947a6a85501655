//! The notification area: one strip above the status bar where results and errors arrive.
//! It takes its own room at the bottom of the window (a panel), so it never covers a
//! control, the expiry banner's included. A result gives way to the next one or goes after
//! a few seconds; an error stays until it is dismissed (the Activity log keeps it too).

/// How long a result stays, in seconds (egui time).
const RESULT_SECONDS: f64 = 6.0;

/// The most errors shown at once; the older ones are counted.
const SHOWN_ERRORS: usize = 3;

/// One message.
struct Notice {
    text: String,
    /// When a result goes (None: an error, kept until dismissed).
    until: Option<f64>,
}

/// The messages shown: the latest result, and every error not dismissed yet.
#[derive(Default)]
pub struct Notices {
    items: Vec<Notice>,
}

impl Notices {
    /// A result: it replaces the previous one and goes after a few seconds.
    pub fn result(&mut self, text: String, now: f64) {
        self.items.retain(|n| n.until.is_none());
        self.items.push(Notice {
            text,
            until: Some(now + RESULT_SECONDS),
        });
    }

    /// An error: it stays until dismissed.
    pub fn error(&mut self, text: String) {
        self.items.push(Notice { text, until: None });
    }

    /// Lets the results whose time is over go.
    pub fn expire(&mut self, now: f64) {
        self.items
            .retain(|n| n.until.is_none_or(|until| until > now));
    }

    /// Whether a result is waiting to go (the window then repaints to let it).
    pub fn expiring(&self) -> bool {
        self.items.iter().any(|n| n.until.is_some())
    }

    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The strip: the newest errors, each with Dismiss, a count of older ones with Dismiss
/// all, and the latest result.
pub fn notices_ui(ui: &mut egui::Ui, notices: &mut Notices) {
    let errors: Vec<usize> = (0..notices.items.len())
        .filter(|i| notices.items[*i].until.is_none())
        .collect();
    let mut dismiss = None;
    let mut dismiss_all = false;
    for &i in errors.iter().rev().take(SHOWN_ERRORS) {
        ui.horizontal(|ui| {
            if ui.small_button("Dismiss").clicked() {
                dismiss = Some(i);
            }
            let color = ui.visuals().error_fg_color;
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!("⚠ {}", notices.items[i].text)).color(color),
                )
                .wrap(),
            );
        });
    }
    if errors.len() > SHOWN_ERRORS {
        ui.horizontal(|ui| {
            dismiss_all = ui.small_button("Dismiss all").clicked();
            ui.label(format!(
                "and {} earlier errors (the Activity log has every one)",
                errors.len() - SHOWN_ERRORS
            ));
        });
    }
    if let Some(result) = notices.items.iter().find(|n| n.until.is_some()) {
        ui.add(egui::Label::new(format!("✔ {}", result.text)).wrap());
    }
    if let Some(i) = dismiss {
        notices.items.remove(i);
    }
    if dismiss_all {
        notices.items.retain(|n| n.until.is_some());
    }
}
