//! The assign flow: pick usages (Edge external with Advanced Certificate Usages), pick a
//! certificate among the eligible ones (the others listed below with their reasons),
//! optionally roll with an effective date, then a summary and the result.

use std::collections::BTreeMap;

use crate::deploy::usage::UsageType;
use crate::gui::command::{Applied, ApplyError, Command};
use crate::gui::dialogs::Flow;
use crate::gui::dialogs::contract::{DialogContext, DialogPage, keep};
use crate::gui::dialogs::frame::{self, Part};
use crate::gui::view_model::StoreView;
use crate::ops::assign::{AssignError, AssignRequest, Eligibility, UsageEligibility};
use crate::store::Location;

/// A certificate that cannot be assigned the ticked usages.
#[derive(Debug, Clone)]
pub struct Refused {
    /// Its thumbprint.
    pub thumbprint: String,
    /// Its name, with its location when it is not Computer's.
    pub name: String,
    /// Why, one sentence a usage and reason.
    pub reasons: Vec<String>,
}

/// What the dialog would assign now.
struct Decision {
    /// The ticked usages.
    ticked: Vec<UsageType>,
    /// The roll's effective date, when rolling.
    roll: Option<String>,
    /// Why Assign is disabled, if it is.
    blocker: Option<&'static str>,
}

/// The dialog's state.
pub struct AssignDialog {
    /// The usages offered (the role's) and whether each is ticked.
    pub usages: Vec<(UsageType, bool)>,
    /// Per usage: the eligible certificates and the others with reasons (computed once,
    /// on the store's thread); `None` until it arrives.
    eligibility: Option<Vec<UsageEligibility>>,
    /// The chosen certificate's thumbprint.
    pub chosen: Option<String>,
    roll: bool,
    effective: String,
    error: Option<String>,
    /// Assign was pressed and the store has not answered yet.
    sent: bool,
    /// The result sentence.
    pub done: Option<String>,
}

impl DialogPage for AssignDialog {
    fn title(&self) -> &'static str {
        "Certificate Assignment"
    }

    fn size(&self) -> [f32; 2] {
        [800.0, 600.0]
    }

    fn show(&mut self, ui: &mut egui::Ui, cx: &mut DialogContext<'_>) -> Flow {
        keep(self.ui(ui, cx.commands))
    }

    fn applied(&mut self, result: Result<&Applied, &ApplyError>) -> bool {
        self.on_applied(result);
        result.is_err()
    }
}

impl AssignDialog {
    /// The dialog for the role's usages; eligibility follows from the store's thread.
    pub fn new(view: &StoreView, thumbprint: Option<String>, usage: Option<UsageType>) -> Self {
        let usages = view
            .topology
            .as_ref()
            .map(|t| {
                t.role
                    .usages()
                    .iter()
                    .map(|u| (*u, Some(*u) == usage))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            usages,
            eligibility: None,
            chosen: thumbprint,
            roll: false,
            effective: String::new(),
            error: None,
            sent: false,
            done: None,
        }
    }

    fn ticked(&self) -> Vec<UsageType> {
        self.usages
            .iter()
            .filter(|(_, on)| *on)
            .map(|(u, _)| *u)
            .collect()
    }

    /// The certificates eligible for every ticked usage, and the others with reasons.
    pub fn candidates(&self) -> (Vec<&Eligibility>, Vec<Refused>) {
        let ticked = self.ticked();
        let mut ok: Vec<&Eligibility> = Vec::new();
        let mut refused: BTreeMap<String, Refused> = BTreeMap::new();
        for (i, u) in ticked.iter().enumerate() {
            let Some(row) = self
                .eligibility
                .iter()
                .flatten()
                .find(|row| row.usage == *u)
            else {
                continue;
            };
            let (good, bad) = (&row.eligible, &row.not_eligible);
            if i == 0 {
                ok = good.iter().collect();
            } else {
                ok.retain(|e| good.iter().any(|g| g.thumbprint == e.thumbprint));
            }
            for b in bad {
                let entry = refused.entry(b.thumbprint.clone()).or_insert_with(|| {
                    let place = if b.location == "user" {
                        " — Current user"
                    } else {
                        ""
                    };
                    Refused {
                        thumbprint: b.thumbprint.clone(),
                        name: format!("{}{place}", describe(b)),
                        reasons: Vec::new(),
                    }
                });
                for r in &b.reasons {
                    let text = format!("{}: {r}", u.title());
                    if !entry.reasons.contains(&text) {
                        entry.reasons.push(text);
                    }
                }
            }
        }
        let not: Vec<Refused> = refused.into_values().collect();
        (ok, not)
    }

    /// The assignment was applied.
    pub fn on_applied(&mut self, result: Result<&Applied, &ApplyError>) {
        if !self.sent {
            return;
        }
        match result {
            Ok(Applied::Done) => {
                self.done = Some(
                    "The certificate is assigned; the Certificate Wizard shows its status.".into(),
                )
            }
            // What another command (a probe the page started) produced is not this answer.
            Ok(_) => return,
            Err(e) => self.error = Some(e.to_string()),
        }
        self.sent = false;
    }

    /// Eligibility arrived from the store's thread.
    pub fn on_eligible(&mut self, table: Result<Vec<UsageEligibility>, AssignError>) {
        match table {
            Ok(table) => self.eligibility = Some(table),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// What the dialog would assign now.
    fn decision(&self) -> Decision {
        let ticked = self.ticked();
        let rollable = !ticked.is_empty() && ticked.iter().all(|u| u.roll_margin_hours().is_some());
        let roll = (rollable && self.roll).then(|| self.effective.trim().to_owned());
        let blocker = if self.eligibility.is_none() {
            Some("the certificates are still being checked")
        } else if ticked.is_empty() {
            Some("tick at least one usage")
        } else if self.chosen.is_none() {
            Some("choose a certificate")
        } else if roll.as_deref() == Some("") {
            Some("give the effective date, e.g. 2026-12-01T02:00:00Z")
        } else {
            None
        };
        Decision {
            ticked,
            roll,
            blocker,
        }
    }

    /// Draws the dialog; returns false when it closes.
    pub fn ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) -> bool {
        let mut keep = true;
        frame::parts_ui(ui, |ui, part| match part {
            Part::Footer => keep = self.footer_ui(ui, commands),
            Part::Body => self.body_ui(ui),
        });
        keep
    }

    fn footer_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) -> bool {
        if self.done.is_some() || self.usages.is_empty() {
            return !(frame::button(ui, "Close").clicked() || frame::enter_pressed(ui));
        }
        let Decision {
            ticked,
            roll,
            blocker,
        } = self.decision();
        if let Some(reason) = &blocker {
            ui.label(*reason);
        }
        let ready = blocker.is_none() && !self.sent;
        let assign = frame::button_enabled(ui, ready, "Assign");
        if (assign.clicked() || (ready && frame::enter_pressed(ui)))
            && let Some(thumbprint) = self.chosen.clone()
        {
            self.error = None;
            self.sent = true;
            commands.push(Command::Assign(AssignRequest {
                location: Location::Computer,
                thumbprint,
                usages: ticked,
                roll,
            }));
        }
        !frame::button(ui, "Cancel").clicked()
    }

    fn body_ui(&mut self, ui: &mut egui::Ui) {
        if let Some(done) = &self.done {
            ui.label(done);
            return;
        }
        if self.usages.is_empty() {
            ui.label("Describe the deployment on the Topology page first.");
            return;
        }
        if self.eligibility.is_none() {
            if let Some(error) = &self.error {
                frame::error_ui(ui, error);
            } else {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(
                        "Checking every certificate against the usage rules and its revocation…",
                    );
                });
            }
            return;
        }
        ui.label("Usages");
        for (u, on) in &mut self.usages {
            ui.checkbox(on, u.title());
        }
        let (ok, not) = self.candidates();
        ui.separator();
        ui.label("Certificates that can be assigned:");
        if ok.is_empty() {
            ui.label("  none");
        }
        let mut chosen = self.chosen.clone();
        for e in &ok {
            if ui
                .radio(
                    chosen.as_deref() == Some(e.thumbprint.as_str()),
                    describe(e),
                )
                .clicked()
            {
                chosen = Some(e.thumbprint.clone());
            }
            for w in &e.warnings {
                ui.label(format!("    ⚠ {w}"));
            }
        }
        egui::CollapsingHeader::new(format!(
            "Certificates that cannot be assigned ({})",
            not.len()
        ))
        .default_open(true)
        .show(ui, |ui| {
            for Refused { name, reasons, .. } in &not {
                ui.label(name);
                for r in reasons {
                    ui.label(format!("    {r}"));
                }
            }
        });
        let ok_thumbs: Vec<String> = ok.iter().map(|e| e.thumbprint.clone()).collect();
        // A certificate chosen before any usage is ticked (opened from a selected row)
        // stays chosen until a ticked usage refuses it.
        let nothing_ticked = self.usages.iter().all(|(_, on)| !on);
        self.chosen = chosen.filter(|t| nothing_ticked || ok_thumbs.contains(t));
        if nothing_ticked && let Some(thumb) = &self.chosen {
            ui.label(format!(
                "Tick the usages to assign {} to.",
                &thumb[..8.min(thumb.len())]
            ));
        }
        let ticked = self.ticked();
        let rollable = !ticked.is_empty() && ticked.iter().all(|u| u.roll_margin_hours().is_some());
        if rollable {
            ui.checkbox(
                &mut self.roll,
                "Roll: stage this certificate to take over at a date and time",
            );
            if self.roll {
                ui.horizontal(|ui| {
                    let label = ui.label("Effective date (RFC 3339)");
                    ui.text_edit_singleline(&mut self.effective)
                        .labelled_by(label.id);
                });
            }
        }
        if let Some(error) = &self.error {
            frame::error_ui(ui, error);
        }
        if let Some(thumb) = &self.chosen {
            let names: Vec<&str> = ticked.iter().map(|u| u.title()).collect();
            ui.label(format!("Summary: assign {thumb} to {}", names.join(", ")));
        }
    }
}

/// A certificate as the picker lists it: what it is issued to, its friendly name and a
/// short thumbprint, so two with the same subject are told apart.
fn describe(e: &Eligibility) -> String {
    let short = &e.thumbprint[..8.min(e.thumbprint.len())];
    if e.friendly_name.is_empty() {
        format!("{}  ({short}…)", e.issued_to)
    } else {
        format!("{}  \"{}\"  ({short}…)", e.issued_to, e.friendly_name)
    }
}
