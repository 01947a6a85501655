//! The one shape of a dialog: a title and a size for its modal frame, whether Esc may
//! cancel it now, how it draws itself (saying what should happen next, [`Flow`]), and how
//! it takes the answers that come back to it: a background job's, and the store's to a
//! command it sent. A new dialog is one file implementing [`DialogPage`] and one line in
//! the list of [`super::Dialog`].

use super::Flow;
use crate::gui::command::{Applied, ApplyError, Command};
use crate::gui::jobs::{JobResult, Jobs};
use crate::gui::view_model::StoreView;

/// What a dialog may use while it draws.
pub struct DialogContext<'a> {
    /// The store as the window last saw it.
    pub view: &'a StoreView,
    /// Background work (file reads, key generation, dialogs of the system).
    pub jobs: &'a mut Jobs,
    /// Commands for the store's thread, applied after this frame.
    pub commands: &'a mut Vec<Command>,
    /// Now, in Unix seconds.
    pub now: i64,
}

/// What every dialog implements.
pub trait DialogPage {
    /// The title bar's text.
    fn title(&self) -> &'static str;

    /// The dialog's one size, width and height in points (clamped to the screen): its
    /// buttons never move.
    fn size(&self) -> [f32; 2];

    /// Whether Esc may cancel it now (not while a request is being made, say).
    fn cancellable(&self) -> bool {
        true
    }

    /// Draws the dialog's content inside its modal frame.
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut DialogContext<'_>) -> Flow;

    /// A background job finished.
    fn job_done(&mut self, _result: JobResult, _commands: &mut Vec<Command>) {}

    /// A command from this dialog was applied; whether the dialog shows its error itself
    /// (then the notification area does not repeat it).
    fn applied(&mut self, _result: Result<&Applied, &ApplyError>) -> bool {
        false
    }
}

/// The [`Flow`] of a dialog that only says whether it stays open.
pub fn keep(open: bool) -> Flow {
    if open { Flow::Stay } else { Flow::Close }
}
