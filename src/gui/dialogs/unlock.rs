//! Unlock store: the passphrase of a store whose key is wrapped by one (a local store after
//! `certdesk store passwd`, or a team store opened without it). The store lists and shows
//! while locked; this gives its keys back. The dialog stays open until the store thread
//! says the store is unlocked, or why not.

use zeroize::Zeroizing;

use super::Flow;
use super::contract::{DialogContext, DialogPage};
use super::frame::{self, Part};

/// The unlock dialog's state.
pub struct UnlockDialog {
    /// The passphrase typed (zeroised on drop).
    passphrase: Zeroizing<String>,
    /// Whether a keyring (Secret Service) can be reached: "Remember in the keyring" shows.
    keyring: bool,
    /// Remember the passphrase in the keyring.
    remember: bool,
    /// Sent, waiting for the store thread.
    pub unlocking: bool,
    /// Why the last attempt failed.
    error: Option<String>,
}

impl DialogPage for UnlockDialog {
    fn title(&self) -> &'static str {
        "Unlock store"
    }

    fn size(&self) -> [f32; 2] {
        [560.0, 240.0]
    }

    fn show(&mut self, ui: &mut egui::Ui, _cx: &mut DialogContext<'_>) -> Flow {
        self.ui(ui)
    }
}

impl UnlockDialog {
    /// A new dialog; `keyring`: whether to offer to remember the passphrase there.
    pub fn new(keyring: bool) -> Self {
        Self {
            passphrase: Zeroizing::default(),
            keyring,
            remember: false,
            unlocking: false,
            error: None,
        }
    }

    /// The store could not be unlocked: why (the field is cleared, as a login form does).
    pub fn failed(&mut self, why: String) {
        self.unlocking = false;
        self.passphrase = Zeroizing::default();
        self.error = Some(why);
    }

    /// Draws the dialog; Enter unlocks.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Flow {
        let mut flow = Flow::Stay;
        frame::parts_ui(ui, |ui, part| match part {
            Part::Body => {
                ui.label(
                    "This store's keys are sealed under a passphrase. Until it is given, the \
                     store lists and shows its certificates but cannot export, request or renew.",
                );
                ui.add_space(4.0);
                ui.horizontal(|ui| {
                    let label = ui.label("Store passphrase");
                    let field = ui
                        .add(
                            egui::TextEdit::singleline(&mut *self.passphrase)
                                .password(true)
                                .desired_width(300.0),
                        )
                        .labelled_by(label.id);
                    if !self.unlocking && ui.memory(|m| m.focused().is_none()) {
                        field.request_focus();
                    }
                });
                if self.keyring {
                    ui.checkbox(&mut self.remember, "Remember in the keyring")
                        .on_hover_text(
                            "Keep the passphrase in your desktop's keyring (GNOME Keyring, KWallet): the store then opens unlocked for you",
                        );
                }
                if self.unlocking {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Unlocking…");
                    });
                } else if let Some(error) = &self.error {
                    frame::error_ui(ui, error);
                }
            }
            Part::Footer => {
                let ready = !self.passphrase.is_empty() && !self.unlocking;
                let unlock = frame::button_enabled(ui, ready, "Unlock");
                if unlock.clicked() || (ready && frame::enter_pressed(ui)) {
                    self.unlocking = true;
                    self.error = None;
                    flow = Flow::Unlock(self.passphrase.clone(), self.remember);
                }
                if frame::button(ui, "Cancel").clicked() {
                    flow = Flow::Close;
                }
            }
        });
        flow
    }
}
