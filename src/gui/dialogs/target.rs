//! The target editor: add or change a deploy target — which certificate (a usage's, or a
//! thumbprint), where (`[USER@HOST[:PORT]:]DIR`), the format, the reload command, the
//! probe, the SSH key and known_hosts files, and a PFX's password. The model checks them
//! (`certdesk deploy add|edit`). Editing, an empty password keeps the stored one.

use zeroize::Zeroizing;

use super::contract::DialogContext;
use super::editor::{EditState, Editor};
use super::frame;
use crate::deploy::usage::UsageType;
use crate::gui::command::Command;
use crate::gui::view_model::StoreView;
use crate::ops::deploy::DEFAULT_PROOF_SECONDS;
use crate::store::{DeployFormat, DeploySource, DeployTarget, TargetSettings};

/// The dialog's state.
pub struct TargetDialog {
    /// The target's name.
    pub name: String,
    /// The usage whose certificate goes (none: the thumbprint below).
    pub usage: Option<UsageType>,
    /// The certificate, when no usage is chosen.
    pub thumbprint: String,
    /// `[USER@HOST[:PORT]:]DIR`.
    pub destination: String,
    /// The files written.
    pub format: DeployFormat,
    /// The reload command.
    pub reload: String,
    /// `HOST:PORT` probed.
    pub probe: String,
    /// The SSH key file.
    pub identity: String,
    /// The known_hosts file.
    pub known_hosts: String,
    /// The proof's bound, seconds: the stored one while editing (the editor does not show
    /// it; `deploy edit --proof-within` changes it).
    proof_seconds: i64,
    /// The PFX password.
    password: Zeroizing<String>,
    /// Adding or changing (its name fixed), and the store's answer.
    pub edit: EditState,
}

impl Editor for TargetDialog {
    const TITLES: [&'static str; 2] = ["Add a deploy target", "Edit a deploy target"];
    const SIZE: [f32; 2] = [720.0, 500.0];

    fn state(&self) -> &EditState {
        &self.edit
    }

    fn state_mut(&mut self) -> &mut EditState {
        &mut self.edit
    }

    fn fields_ui(&mut self, ui: &mut egui::Ui, _cx: &mut DialogContext<'_>) {
        self.body_ui(ui);
    }

    fn missing(&self) -> Option<&'static str> {
        TargetDialog::missing(self)
    }

    fn save(&mut self) -> Command {
        self.command()
    }
}

impl Default for TargetDialog {
    fn default() -> Self {
        Self {
            name: String::new(),
            usage: None,
            thumbprint: String::new(),
            destination: String::new(),
            format: DeployFormat::Pem,
            reload: String::new(),
            probe: String::new(),
            identity: String::new(),
            known_hosts: String::new(),
            proof_seconds: DEFAULT_PROOF_SECONDS,
            password: Zeroizing::default(),
            edit: EditState::default(),
        }
    }
}

impl TargetDialog {
    /// The editor on a new target, on the first usage that holds a certificate (none: a
    /// thumbprint).
    pub fn new(view: &StoreView) -> Self {
        Self {
            usage: view.assignments.first().map(|a| a.usage),
            ..Self::default()
        }
    }

    /// The editor on an existing target (its password blank: kept unless retyped).
    pub fn edit(target: &DeployTarget) -> Self {
        let (usage, thumbprint) = match &target.settings.source {
            DeploySource::Usage(u) => (Some(*u), String::new()),
            DeploySource::Certificate(t) => (None, t.clone()),
        };
        Self {
            name: target.settings.name.clone(),
            usage,
            thumbprint,
            destination: target.settings.destination.clone(),
            format: target.settings.format,
            reload: target.settings.reload.clone().unwrap_or_default(),
            probe: target.settings.probe.clone().unwrap_or_default(),
            identity: target.settings.identity.clone().unwrap_or_default(),
            known_hosts: target.settings.known_hosts.clone().unwrap_or_default(),
            proof_seconds: target.settings.proof_seconds,
            edit: EditState::editing(),
            ..Self::default()
        }
    }

    /// What is still missing before the target can be saved.
    pub fn missing(&self) -> Option<&'static str> {
        if self.name.trim().is_empty() || self.destination.trim().is_empty() {
            return Some("give a name and the destination");
        }
        if self.usage.is_none() && self.thumbprint.trim().is_empty() {
            return Some("choose a usage, or give the certificate's thumbprint");
        }
        None
    }

    /// The command that saves the target as entered; the dialog then waits for the answer.
    pub fn command(&mut self) -> Command {
        self.edit.send();
        let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let source = match self.usage {
            Some(u) => DeploySource::Usage(u),
            None => DeploySource::Certificate(self.thumbprint.trim().to_owned()),
        };
        let new = TargetSettings {
            name: self.name.trim().to_owned(),
            source,
            destination: self.destination.trim().to_owned(),
            format: self.format,
            reload: optional(&self.reload),
            probe: optional(&self.probe),
            identity: optional(&self.identity),
            known_hosts: optional(&self.known_hosts),
            proof_seconds: self.proof_seconds,
        };
        let password = Some(self.password.clone()).filter(|p| !p.is_empty());
        Command::SaveTarget {
            target: Box::new(new),
            password,
            replaced: self.edit.editing,
        }
    }

    fn body_ui(&mut self, ui: &mut egui::Ui) {
        ui.add_enabled_ui(!self.edit.editing, |ui| {
            let name =
                frame::editor_field(ui, "Target name", &mut self.name, "e.g. nginx-edge", false);
            if !self.edit.editing && ui.memory(|m| m.focused().is_none()) && self.name.is_empty() {
                name.request_focus();
            }
        });
        ui.horizontal(|ui| {
            let l = ui.add_sized([170.0, 20.0], egui::Label::new("Certificate of"));
            let shown = self
                .usage
                .map_or("one certificate (thumbprint)", UsageType::title);
            egui::ComboBox::from_id_salt("target usage")
                .selected_text(shown)
                .width(300.0)
                .show_ui(ui, |ui| {
                    for usage in UsageType::ALL {
                        ui.selectable_value(&mut self.usage, Some(usage), usage.title());
                    }
                    ui.selectable_value(&mut self.usage, None, "one certificate (thumbprint)");
                })
                .response
                .labelled_by(l.id);
        });
        if self.usage.is_none() {
            frame::editor_field(
                ui,
                "Thumbprint",
                &mut self.thumbprint,
                "SHA-1, or 8+ hex digits",
                false,
            );
        }
        frame::editor_field(
            ui,
            "Destination",
            &mut self.destination,
            "/etc/ssl/site or deploy@web1:/etc/ssl/site",
            false,
        );
        ui.horizontal(|ui| {
            ui.add_sized([170.0, 20.0], egui::Label::new("Format"));
            ui.radio_value(
                &mut self.format,
                DeployFormat::Pem,
                "PEM files (certbot's layout)",
            );
            ui.radio_value(
                &mut self.format,
                DeployFormat::Pfx,
                "PFX (3DES, for Windows)",
            );
        });
        if self.format == DeployFormat::Pfx {
            let hint = if self.edit.editing {
                "leave empty to keep the stored one"
            } else {
                "protects the file's key"
            };
            frame::editor_field(ui, "PFX password", &mut self.password, hint, true);
        }
        frame::editor_field(
            ui,
            "Reload command",
            &mut self.reload,
            "systemctl reload nginx",
            false,
        );
        frame::editor_field(
            ui,
            "Probe (HOST:PORT)",
            &mut self.probe,
            "web1.example.net:443",
            false,
        );
        frame::editor_field(
            ui,
            "SSH key file",
            &mut self.identity,
            "optional: ssh -i",
            false,
        );
        frame::editor_field(
            ui,
            "known_hosts file",
            &mut self.known_hosts,
            "optional: ~/.ssh/known_hosts",
            false,
        );
        ui.label(
            "Over SSH, the key is used without a passphrase prompt and the host's key must be \
             in known_hosts. After the reload the probe must see the new certificate within \
             30 s, or the previous files are put back.",
        );
        if let Some(error) = &self.edit.error {
            frame::error_ui(ui, error);
        }
    }
}
