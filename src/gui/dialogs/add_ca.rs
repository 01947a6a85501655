//! Add or edit a CA connection: ACME (directory URL, contact, external account binding),
//! SCEP (URL, challenge password) or AD CS Web Enrollment (URL, how it signs in, user and
//! password, or none for the user's Kerberos ticket), each with
//! the certificates to trust for its TLS. The model checks them (`certdesk ca add|edit`).
//! Editing, a secret left empty keeps the stored one.

use std::path::PathBuf;

use zeroize::Zeroizing;

use super::contract::DialogContext;
use super::editor::{EditState, Editor};
use super::frame;
use crate::gui::command::{ApplyError, Command};
use crate::gui::jobs::{JobResult, Jobs, PickTarget, start_dir};
use crate::ops::cas::{NewCa, Protocol};
use crate::store::{AuthChoice, CaConnection, CaKind};

/// The dialog's state.
pub struct AddCaDialog {
    /// The protocol.
    pub kind: CaKind,
    /// The connection's name.
    pub name: String,
    /// The ACME directory URL, the SCEP URL or the Web Enrollment URL.
    pub url: String,
    /// The ACME account's contact e-mail.
    pub contact: String,
    /// The TLS trust bundle's path.
    pub bundle: String,
    /// External account binding's key id.
    pub eab_kid: String,
    /// External account binding's HMAC key (base64url).
    eab_hmac: Zeroizing<String>,
    /// How an AD CS connection signs in.
    pub auth: AuthChoice,
    /// The AD CS user name (empty: the user's Kerberos ticket).
    pub username: String,
    /// The SCEP challenge or the AD CS password.
    secret: Zeroizing<String>,
    /// Adding or editing (its name fixed), and the store's answer.
    pub edit: EditState,
    /// The last try did not reach the CA: the user may save the connection untried.
    untried: bool,
}

impl Default for AddCaDialog {
    fn default() -> Self {
        Self {
            kind: CaKind::Acme,
            name: String::new(),
            url: String::new(),
            contact: String::new(),
            bundle: String::new(),
            eab_kid: String::new(),
            eab_hmac: Zeroizing::default(),
            auth: AuthChoice::Automatic,
            username: String::new(),
            secret: Zeroizing::default(),
            edit: EditState::default(),
            untried: false,
        }
    }
}

impl Editor for AddCaDialog {
    const TITLES: [&'static str; 2] = ["Add a CA connection", "Edit a CA connection"];
    const SIZE: [f32; 2] = [720.0, 470.0];
    const SAVE_HOVER: Option<&'static str> =
        Some("Reach the CA, and save the connection if it answers");

    fn state(&self) -> &EditState {
        &self.edit
    }

    fn state_mut(&mut self) -> &mut EditState {
        &mut self.edit
    }

    fn fields_ui(&mut self, ui: &mut egui::Ui, cx: &mut DialogContext<'_>) {
        self.body_ui(ui, cx.jobs);
    }

    fn missing(&self) -> Option<&'static str> {
        AddCaDialog::missing(self)
    }

    fn extra_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        self.trying_ui(ui, commands);
    }

    fn save(&mut self) -> Command {
        self.command(true)
    }

    fn on_job(&mut self, result: JobResult) {
        if let JobResult::Picked(PickTarget::CaBundle, Some(path)) = result {
            self.bundle = path.display().to_string();
        }
    }

    fn refused(&mut self, error: &ApplyError) {
        self.untried = matches!(error, ApplyError::Ca(e) if e.not_saved());
    }
}

/// The Authentication choice of an AD CS connection.
fn auth_ui(ui: &mut egui::Ui, auth: &mut AuthChoice) {
    ui.horizontal(|ui| {
        let l = ui.add_sized([170.0, 20.0], egui::Label::new("Authentication"));
        egui::ComboBox::from_id_salt("ca-auth")
            .selected_text(auth_words(*auth))
            .show_ui(ui, |ui| {
                for choice in AuthChoice::ALL {
                    ui.selectable_value(auth, choice, auth_words(choice));
                }
            })
            .response
            .labelled_by(l.id);
    });
}

/// A choice as the window names it.
fn auth_words(auth: AuthChoice) -> &'static str {
    match auth {
        AuthChoice::Automatic => "Automatic",
        AuthChoice::Negotiate => "Negotiate (Kerberos)",
        AuthChoice::Ntlm => "NTLM",
        AuthChoice::Basic => "Basic",
    }
}

impl AddCaDialog {
    /// The dialog on an existing connection (its secrets blank: kept unless retyped).
    pub fn edit(ca: &CaConnection) -> Self {
        Self {
            kind: ca.kind,
            name: ca.name.clone(),
            url: ca.url.clone(),
            contact: ca.contact.clone().unwrap_or_default(),
            eab_kid: ca.eab_kid.clone().unwrap_or_default(),
            username: ca.username.clone().unwrap_or_default(),
            auth: ca.auth,
            edit: EditState::editing(),
            ..Self::default()
        }
    }

    fn protocol(&self) -> Protocol {
        let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let url = self.url.trim().to_owned();
        match self.kind {
            CaKind::Acme => Protocol::Acme {
                directory: url,
                contact: optional(&self.contact),
                eab: optional(&self.eab_kid).zip(optional(&self.eab_hmac).map(Zeroizing::new)),
            },
            CaKind::Scep => Protocol::Scep {
                url,
                challenge: Some(self.secret.clone()).filter(|s| !s.is_empty()),
            },
            CaKind::Certsrv => Protocol::Certsrv {
                url,
                auth: self.auth,
                username: self.username.trim().to_owned(),
                password: self.secret.clone(),
            },
        }
    }

    /// What is still missing before the connection can be saved.
    pub fn missing(&self) -> Option<&'static str> {
        if self.name.trim().is_empty() || self.url.trim().is_empty() {
            return Some("give a name and the CA's URL");
        }
        let user = !self.username.trim().is_empty();
        if self.kind == CaKind::Certsrv && !self.edit.editing && user == self.secret.is_empty() {
            return Some(
                "give the user name with its password, or neither for your Kerberos ticket",
            );
        }
        if self.kind == CaKind::Certsrv
            && !user
            && matches!(self.auth, AuthChoice::Basic | AuthChoice::Ntlm)
        {
            return Some("NTLM and Basic need a user name and password");
        }
        None
    }

    /// Whether the connection was sent and its answer is awaited.
    pub fn sent(&self) -> bool {
        self.edit.sent
    }

    /// Whether the store took the connection.
    pub fn done(&self) -> bool {
        self.edit.done
    }

    /// The command that adds (or changes) the connection as entered, tried first unless
    /// `try_first` is false (the user's "Save anyway"); the dialog then waits for the
    /// answer.
    pub fn command(&mut self, try_first: bool) -> Command {
        self.edit.send();
        self.untried = false;
        let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let new = Box::new(NewCa {
            name: self.name.trim().to_owned(),
            protocol: self.protocol(),
            ca_bundle: optional(&self.bundle).map(PathBuf::from),
            try_first,
        });
        if self.edit.editing {
            Command::EditCa(new)
        } else {
            Command::AddCa(new)
        }
    }

    /// While the CA is tried, says so; after a try that did not reach it, offers "Save
    /// anyway" (a CA not reachable from here yet is saved untried only when asked).
    pub fn trying_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        if self.edit.sent {
            ui.spinner();
            ui.label("Trying the CA…");
        } else if self.untried
            && self.missing().is_none()
            && ui
                .button("Save anyway")
                .on_hover_text("Save the connection without reaching the CA")
                .clicked()
        {
            commands.push(self.command(false));
        }
    }

    /// The form: protocol, name, URL, credentials, TLS trust.
    pub fn body_ui(&mut self, ui: &mut egui::Ui, jobs: &mut Jobs) {
        ui.horizontal(|ui| {
            ui.add_sized([170.0, 20.0], egui::Label::new("Protocol"));
            ui.add_enabled_ui(!self.edit.editing, |ui| {
                ui.radio_value(&mut self.kind, CaKind::Acme, "ACME");
                ui.radio_value(&mut self.kind, CaKind::Scep, "SCEP");
                ui.radio_value(&mut self.kind, CaKind::Certsrv, "AD CS Web Enrollment");
            });
        });
        ui.add_enabled_ui(!self.edit.editing, |ui| {
            let name = frame::editor_field(
                ui,
                "CA name",
                &mut self.name,
                "e.g. letsencrypt or corp-ca",
                false,
            );
            if !self.edit.editing && ui.memory(|m| m.focused().is_none()) && self.name.is_empty() {
                name.request_focus();
            }
        });
        let keep = if self.edit.editing {
            "leave empty to keep the stored one"
        } else {
            "optional"
        };
        match self.kind {
            CaKind::Acme => {
                frame::editor_field(
                    ui,
                    "Directory URL",
                    &mut self.url,
                    "https://acme.example.com/directory",
                    false,
                );
                frame::editor_field(ui, "Contact e-mail", &mut self.contact, "optional", false);
            }
            CaKind::Scep => {
                frame::editor_field(
                    ui,
                    "SCEP URL",
                    &mut self.url,
                    "http://ca.example.com/scep",
                    false,
                );
                frame::editor_field(ui, "Challenge password", &mut self.secret, keep, true);
            }
            CaKind::Certsrv => {
                frame::editor_field(
                    ui,
                    "Web Enrollment URL",
                    &mut self.url,
                    "https://ca.example.com/certsrv",
                    false,
                );
                auth_ui(ui, &mut self.auth);
                frame::editor_field(
                    ui,
                    "User name",
                    &mut self.username,
                    "empty: your Kerberos ticket; alice@REALM or CONTOSO\\user",
                    false,
                );
                let hint = if self.edit.editing {
                    "leave empty to keep the stored one"
                } else {
                    ""
                };
                frame::editor_field(ui, "Password", &mut self.secret, hint, true);
            }
        }
        ui.horizontal(|ui| {
            frame::editor_field(ui, "TLS trust (PEM file)", &mut self.bundle, keep, false);
            if frame::button_enabled(ui, jobs.idle(), "Browse…").clicked() {
                jobs.pick(
                    ui.ctx(),
                    PickTarget::CaBundle,
                    false,
                    start_dir(&self.bundle),
                );
            }
        });
        match self.kind {
            CaKind::Acme => {
                frame::editor_field(
                    ui,
                    "EAB key ID",
                    &mut self.eab_kid,
                    "only if the CA gave one",
                    false,
                );
                frame::editor_field(
                    ui,
                    "EAB HMAC key",
                    &mut self.eab_hmac,
                    "only if the CA gave one",
                    true,
                );
                ui.label(
                    "Leave the TLS trust empty for a CA whose server the system already \
                     trusts (every public CA). The account is registered when the CA is \
                     first tested or used.",
                );
            }
            CaKind::Scep => {
                ui.label(
                    "SCEP messages are signed and encrypted themselves, so plain http:// is \
                     usual. The CA encrypts its answer for the request's key: requests to it \
                     need an RSA key.",
                );
            }
            CaKind::Certsrv => {
                ui.label(
                    "Automatic signs in as the server offers, Negotiate first: with no user \
                     name, your Kerberos ticket (kinit, SSSD) and nothing is stored; \
                     alice@REALM gets a Kerberos ticket with the password; CONTOSO\\user \
                     signs in with NTLM. The password is kept encrypted in the store.",
                );
            }
        }
        if let Some(error) = &self.edit.error {
            frame::error_ui(ui, error);
        }
    }
}
