//! The wizard's template page for an AD CS CA: the templates the CA lets the user enroll,
//! read from its Web Enrollment pages on the network thread when the page is first shown
//! (a frame never waits for it), and chosen from a list. While the list is read, and when
//! it cannot be (the reason is said), the template is typed as for any other CA.

use crate::ca::certsrv::{self, Template};
use crate::gui::command::{Applied, ApplyError, Command};
use crate::gui::dialogs::frame;
use crate::store::CaKind;

use super::RequestWizard;

/// The chosen CA's templates, and how many answers to the list's commands are awaited
/// (the network thread answers in the order asked: the last answer is the latest list).
#[derive(Default)]
pub(super) struct Templates {
    list: TemplateList,
    waiting: usize,
}

/// What is known of the chosen CA's templates.
#[derive(Default)]
enum TemplateList {
    /// Not asked (the CA is not AD CS, or the page was not shown yet).
    #[default]
    NotAsked,
    /// Asked for `for_whom`; the answer is awaited.
    Reading(Asked),
    /// The CA's list, for `for_whom`.
    Read(Asked, Vec<Template>),
    /// Why it could not be read, for `for_whom`.
    Failed(Asked, String),
}

/// Whom a list was read for: the CA and the alternate user, if any.
type Asked = (String, Option<String>);

impl TemplateList {
    fn asked(&self) -> Option<&Asked> {
        match self {
            TemplateList::NotAsked => None,
            TemplateList::Reading(a) | TemplateList::Read(a, _) | TemplateList::Failed(a, _) => {
                Some(a)
            }
        }
    }
}

impl RequestWizard {
    /// The CA and user whose templates the page shows: None unless the request goes at
    /// once to an AD CS CA.
    fn templates_for(&self) -> Option<Asked> {
        let ca = self
            .chosen_ca()
            .filter(|c| !self.delayed && c.kind == CaKind::Certsrv)?;
        Some((ca.name.clone(), self.alt_credentials().map(|c| c.username)))
    }

    /// The CA's templates, when they were read for the CA and user now chosen.
    pub(super) fn offered_templates(&self) -> Option<&[Template]> {
        match &self.templates.list {
            TemplateList::Read(asked, list) if Some(asked) == self.templates_for().as_ref() => {
                Some(list)
            }
            _ => None,
        }
    }

    /// "Specify Alternate Certificate Template": the CA's list when it has one, else the
    /// template's name typed; the response of the field that takes the focus.
    pub(super) fn template_ui(
        &mut self,
        ui: &mut egui::Ui,
        commands: &mut Vec<Command>,
    ) -> Option<egui::Response> {
        let Some(asked) = self.templates_for() else {
            return Some(frame::text_row(ui, "Template", &mut self.input.template));
        };
        // A connection being added from the CA page answers first (one answer at a time).
        let adding = self.another.as_ref().is_some_and(|a| a.sent());
        if self.templates.list.asked() != Some(&asked) && !adding {
            commands.push(Command::ListTemplates {
                ca: asked.0.clone(),
                credentials: self.alt_credentials(),
            });
            self.templates.waiting += 1;
            self.templates.list = TemplateList::Reading(asked.clone());
        }
        let ca = &asked.0;
        let shown = match &self.templates.list {
            list if list.asked() == Some(&asked) => list,
            _ => &TemplateList::NotAsked,
        };
        match shown {
            TemplateList::Read(_, list) if !list.is_empty() => {
                ui.label(format!("The templates the CA {ca} lets you enroll:"));
                let mut first = None;
                egui::ScrollArea::vertical()
                    .max_height(260.0)
                    .show(ui, |ui| {
                        for t in list {
                            let label = if t.display_name == t.name {
                                t.name.clone()
                            } else {
                                format!("{} ({})", t.display_name, t.name)
                            };
                            let chosen = certsrv::find_template(
                                std::slice::from_ref(t),
                                &self.input.template,
                            )
                            .is_some();
                            let radio = ui.radio(chosen, label);
                            if radio.clicked() {
                                self.input.template.clone_from(&t.name);
                            }
                            first.get_or_insert(radio);
                        }
                    });
                return first;
            }
            TemplateList::Read(..) => {
                ui.label(format!(
                    "The CA {ca} lets this user enroll no template: its administrator gives \
                     Enroll permission on one. The template can still be typed:"
                ));
            }
            TemplateList::Failed(_, reason) => {
                frame::hint_ui(
                    ui,
                    &format!(
                        "The template list could not be read from {ca} ({reason}); type the \
                         template's name."
                    ),
                );
            }
            TemplateList::Reading(_) | TemplateList::NotAsked => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("Reading the templates {ca} lets you enroll…"));
                });
            }
        }
        Some(frame::text_row(ui, "Template", &mut self.input.template))
    }

    /// An answer to the list's commands, while one is awaited: the last one is kept (the
    /// template typed so far is then spelled as the CA spells it); whether it was such an
    /// answer.
    pub(super) fn on_templates(&mut self, result: Result<&Applied, &ApplyError>) -> bool {
        let ours = matches!(result, Ok(Applied::Templates(_)) | Err(_));
        if self.templates.waiting == 0 || !ours {
            return false;
        }
        self.templates.waiting -= 1;
        let TemplateList::Reading(asked) = &self.templates.list else {
            return true;
        };
        if self.templates.waiting > 0 {
            return true;
        }
        let asked = asked.clone();
        self.templates.list = match result {
            Ok(Applied::Templates(list)) => {
                if let Some(found) = certsrv::find_template(list, &self.input.template) {
                    self.input.template.clone_from(&found.name);
                }
                TemplateList::Read(asked, list.clone())
            }
            Err(e) => TemplateList::Failed(asked, e.to_string()),
            Ok(_) => TemplateList::Reading(asked),
        };
        true
    }

    /// Why Next waits on the template page: a list was read and none of it is chosen.
    pub(super) fn template_blocker(&self) -> Option<&'static str> {
        let list = self.offered_templates()?;
        (!list.is_empty() && certsrv::find_template(list, &self.input.template).is_none())
            .then_some("choose one of the templates the CA offers")
    }
}
