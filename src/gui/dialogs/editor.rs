//! The editor dialogs (add or change a CA connection, a deploy target) share one shape: a
//! title for adding and one for editing, the fields, a footer with what is still missing,
//! Add (Save when editing) and Cancel, and the store's answer to the command sent.
//! [`Editor`] says what differs; every editor is a [`DialogPage`] through it.

use super::Flow;
use super::contract::{DialogContext, DialogPage};
use super::frame::{self, Part};
use crate::gui::command::{Applied, ApplyError, Command};
use crate::gui::jobs::JobResult;

/// Where an editor is.
#[derive(Debug, Default)]
pub struct EditState {
    /// Editing a thing the store keeps (its name fixed), else adding one.
    pub editing: bool,
    /// The command was sent and its answer is awaited.
    pub sent: bool,
    /// The store took it: the dialog closes.
    pub done: bool,
    /// The store's refusal of the last command.
    pub error: Option<String>,
}

impl EditState {
    /// The state of an editor on a thing the store keeps.
    pub fn editing() -> Self {
        Self {
            editing: true,
            ..Self::default()
        }
    }

    /// A command is sent: the last refusal goes, and the answer is awaited.
    pub fn send(&mut self) {
        self.error = None;
        self.sent = true;
    }
}

/// What an editor dialog says for itself.
pub trait Editor {
    /// The titles, `[adding, editing]`.
    const TITLES: [&'static str; 2];
    /// The dialog's size.
    const SIZE: [f32; 2];
    /// What the default button says on hover, if anything.
    const SAVE_HOVER: Option<&'static str> = None;

    /// Its state.
    fn state(&self) -> &EditState;

    /// Its state, to change.
    fn state_mut(&mut self) -> &mut EditState;

    /// Draws the fields, and the store's refusal under them.
    fn fields_ui(&mut self, ui: &mut egui::Ui, cx: &mut DialogContext<'_>);

    /// What is still missing before it can be saved.
    fn missing(&self) -> Option<&'static str>;

    /// Footer controls drawn before Add (a try of the connection, say).
    fn extra_ui(&mut self, _ui: &mut egui::Ui, _commands: &mut Vec<Command>) {}

    /// The command Add / Save sends (the state already says it was sent).
    fn save(&mut self) -> Command;

    /// A background job finished.
    fn on_job(&mut self, _result: JobResult) {}

    /// The store refused the command (its sentence is kept and shown already).
    fn refused(&mut self, _error: &ApplyError) {}
}

impl<T: Editor> DialogPage for T {
    fn title(&self) -> &'static str {
        Self::TITLES[usize::from(self.state().editing)]
    }

    fn size(&self) -> [f32; 2] {
        Self::SIZE
    }

    fn show(&mut self, ui: &mut egui::Ui, cx: &mut DialogContext<'_>) -> Flow {
        if self.state().done {
            return Flow::Close;
        }
        let mut flow = Flow::Stay;
        frame::parts_ui(ui, |ui, part| match part {
            Part::Body => self.fields_ui(ui, cx),
            Part::Footer => {
                // Left to right, as Tab meets them: what is missing, the extras, Add, Cancel.
                let missing = self.missing();
                if let Some(missing) = missing {
                    frame::hint_ui(ui, missing);
                }
                self.extra_ui(ui, cx.commands);
                let ready = missing.is_none() && !self.state().sent;
                let label = if self.state().editing { "Save" } else { "Add" };
                let mut add = frame::button_enabled(ui, ready, label);
                if let Some(hover) = Self::SAVE_HOVER {
                    add = add.on_hover_text(hover);
                }
                if add.clicked() || (ready && frame::enter_pressed(ui)) {
                    self.state_mut().send();
                    let command = self.save();
                    cx.commands.push(command);
                }
                if frame::button(ui, "Cancel").clicked() {
                    flow = Flow::Close;
                }
            }
        });
        flow
    }

    fn job_done(&mut self, result: JobResult, _commands: &mut Vec<Command>) {
        self.on_job(result);
    }

    fn applied(&mut self, result: Result<&Applied, &ApplyError>) -> bool {
        if !self.state().sent {
            return result.is_err();
        }
        match result {
            Ok(Applied::Done) => self.state_mut().done = true,
            // What another command produced meanwhile is not this answer.
            Ok(_) => return false,
            Err(e) => {
                self.state_mut().error = Some(e.to_string());
                self.refused(e);
            }
        }
        self.state_mut().sent = false;
        result.is_err()
    }
}
