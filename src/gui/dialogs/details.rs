//! Certificate details: General (with the editable friendly name), Details (every field,
//! thumbprints with copy), Certification Path (link by link with each status) and the SAN
//! inspector (every name the server's usages need against the certificate's, as a table).

use crate::deploy::usage::UsageType;
use crate::gui::command::{Applied, ApplyError, Command};
use crate::gui::dialogs::Flow;
use crate::gui::dialogs::contract::{DialogContext, DialogPage, keep};
use crate::gui::dialogs::frame::{self, Part};
use crate::gui::view_model::StoreView;
use crate::gui::views::san_table_ui;
use crate::ops::revocation::Revocation;
use crate::ops::revocation::applied::Link;
use crate::pki::timefmt::rfc3339 as date;
use crate::store::{Logical, StoredCert};
use crate::verify::chain::ChainIndex;
use crate::verify::sans;

/// The tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Summary.
    General,
    /// Every field.
    Details,
    /// The chain.
    Path,
    /// Names against a usage.
    Sans,
}

/// The dialog's state.
pub struct DetailsDialog {
    /// The certificate.
    pub cert: StoredCert,
    /// The tab shown.
    pub tab: Tab,
    name: String,
    /// Each link of the path, leaf first; computed when opened.
    path: Vec<PathLink>,
    /// The usage checked in the SAN inspector.
    pub usage: Option<UsageType>,
    /// The revocation check asked for on the Certification Path tab, and its answer: each
    /// link's, leaf first.
    revocation: Option<Option<Vec<Link>>>,
}

/// One link of the Certification Path tab.
struct PathLink {
    /// Whom the certificate is issued to.
    name: String,
    /// The store it is in ("—" for a missing issuer).
    store: String,
    /// Its status in words.
    status: String,
}

impl DialogPage for DetailsDialog {
    fn title(&self) -> &'static str {
        "Certificate"
    }

    fn size(&self) -> [f32; 2] {
        [800.0, 600.0]
    }

    fn show(&mut self, ui: &mut egui::Ui, cx: &mut DialogContext<'_>) -> Flow {
        keep(self.ui(ui, cx.view, cx.commands))
    }

    fn applied(&mut self, result: Result<&Applied, &ApplyError>) -> bool {
        self.on_applied(result);
        false
    }
}

impl DetailsDialog {
    /// The answer of the revocation check. A failed check offers the button again; the
    /// window shows the error.
    pub fn on_applied(&mut self, result: Result<&Applied, &ApplyError>) {
        match result {
            Ok(Applied::Revocation(links)) => self.revocation = Some(Some(links.clone())),
            Err(_) if self.revocation == Some(None) => self.revocation = None,
            _ => {}
        }
    }

    /// Opens on a certificate; the path is computed once here.
    pub fn new(cert: StoredCert, view: &StoreView, now: i64) -> Self {
        let index = ChainIndex::from_refs(view.rows.iter().map(|r| &r.cert));
        let this = view.row(cert.id).map_or(&cert, |r| &r.cert);
        let chain = index.path(this);
        let path = chain
            .iter()
            .map(|c| {
                let status = if !c.summary.is_time_valid(now) {
                    "expired or not yet valid".to_owned()
                } else if c.logical == Logical::Root && c.summary.self_signed {
                    "trusted root".to_owned()
                } else if c.summary.self_signed {
                    "self-signed, not trusted".to_owned()
                } else {
                    "OK".to_owned()
                };
                PathLink {
                    name: c.summary.issued_to().to_owned(),
                    store: c.logical.title().to_owned(),
                    status,
                }
            })
            .collect::<Vec<_>>();
        let mut path = path;
        if let Some(top) = chain.last()
            && !top.summary.self_signed
            && top.logical != Logical::Root
        {
            path.push(PathLink {
                name: top.summary.issuer.clone(),
                store: "—".into(),
                status: "missing: import this CA certificate".into(),
            });
        }
        let usage = view
            .assignments
            .iter()
            .find(|a| a.thumbprint == cert.summary.thumbprint)
            .map(|a| a.usage);
        Self {
            name: cert.friendly_name.clone(),
            cert,
            tab: Tab::General,
            path,
            usage,
            revocation: None,
        }
    }

    /// Draws the dialog; returns false when it closes.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &StoreView, commands: &mut Vec<Command>) -> bool {
        let mut keep = true;
        frame::parts_ui(ui, |ui, part| match part {
            Part::Footer => {
                keep = !frame::button(ui, "Close").clicked();
            }
            Part::Body => self.body_ui(ui, view, commands),
        });
        keep
    }

    fn body_ui(&mut self, ui: &mut egui::Ui, view: &StoreView, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            for (tab, label) in [
                (Tab::General, "General"),
                (Tab::Details, "Details"),
                (Tab::Path, "Certification Path"),
                (Tab::Sans, "SAN inspector"),
            ] {
                ui.selectable_value(&mut self.tab, tab, label);
            }
        });
        ui.separator();
        let s = &self.cert.summary;
        match self.tab {
            Tab::General => {
                ui.label(format!("Issued to: {}", s.issued_to()));
                ui.label(format!("Issued by: {}", s.issued_by()));
                ui.label(format!(
                    "Valid from {} to {}",
                    date(s.not_before),
                    date(s.not_after)
                ));
                ui.label(match &self.cert.key {
                    None => "You do not have a private key for this certificate.".to_owned(),
                    Some(k) if k.exportable => {
                        format!("You have a private key ({}), exportable.", k.description)
                    }
                    Some(k) => format!(
                        "You have a private key ({}), not exportable.",
                        k.description
                    ),
                });
                if let Some(pending) = view
                    .pending
                    .iter()
                    .find(|p| p.cert_id == Some(self.cert.id))
                {
                    ui.label(format!(
                        "Pending request {} for {} ({})",
                        pending.id, pending.subject, pending.usages
                    ));
                    ui.add(
                        egui::TextEdit::multiline(&mut pending.csr_pem.as_str())
                            .code_editor()
                            .desired_rows(6),
                    );
                    if frame::button(ui, "Copy the request").clicked() {
                        ui.ctx().copy_text(pending.csr_pem.clone());
                    }
                }
                ui.horizontal(|ui| {
                    let label = ui.label("Friendly name");
                    ui.text_edit_singleline(&mut self.name)
                        .labelled_by(label.id);
                    if frame::button_enabled(
                        ui,
                        self.name.trim() != self.cert.friendly_name,
                        "Rename",
                    )
                    .clicked()
                    {
                        commands.push(Command::Rename {
                            location: self.cert.location,
                            thumbprint: s.thumbprint.clone(),
                            name: self.name.clone(),
                        });
                        self.cert.friendly_name = self.name.trim().to_owned();
                    }
                });
            }
            Tab::Details => {
                egui::Grid::new("fields").striped(true).show(ui, |ui| {
                    for (field, value) in [
                        ("Version", format!("V{}", s.version)),
                        ("Serial number", s.serial.clone()),
                        ("Signature algorithm", s.signature.clone()),
                        ("Issuer", s.issuer.clone()),
                        ("Valid from", date(s.not_before)),
                        ("Valid to", date(s.not_after)),
                        ("Subject", s.subject.clone()),
                        ("Public key", s.key.clone()),
                        ("Subject Alternative Name", s.sans.join(", ")),
                        ("Enhanced Key Usage", s.eku.join(", ")),
                        ("Key Usage", s.key_usage.join(", ")),
                        (
                            "Basic Constraints",
                            format!(
                                "CA: {}{}",
                                s.is_ca(),
                                s.path_len
                                    .map(|p| format!(", path length {p}"))
                                    .unwrap_or_default()
                            ),
                        ),
                        ("Subject Key Identifier", s.ski.clone().unwrap_or_default()),
                        (
                            "Authority Key Identifier",
                            s.aki.clone().unwrap_or_default(),
                        ),
                    ] {
                        ui.label(field);
                        ui.label(value);
                        ui.end_row();
                    }
                    for (field, value) in [
                        ("Thumbprint (SHA-1)", &s.thumbprint),
                        ("SHA-256", &s.sha256),
                    ] {
                        ui.label(field);
                        ui.horizontal(|ui| {
                            ui.monospace(value);
                            if ui.small_button("Copy").clicked() {
                                ui.ctx().copy_text(value.clone());
                            }
                        });
                        ui.end_row();
                    }
                });
            }
            Tab::Path => self.path_ui(ui, commands),
            Tab::Sans => self.sans_ui(ui, view),
        }
    }

    /// The path, root first, with each link's revocation once checked.
    fn path_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let links = self.revocation.as_ref().and_then(Option::as_ref);
        let depth_of = |leaf_index: usize| self.path.len() - 1 - leaf_index;
        for (leaf_index, link) in self.path.iter().enumerate().rev() {
            let PathLink {
                name,
                store,
                status,
            } = link;
            let indent = "    ".repeat(depth_of(leaf_index));
            ui.label(format!("{indent}{name}  [{store}]  — {status}"));
            if let Some(link) = links.and_then(|l| l.get(leaf_index)) {
                let text = match link.revocation {
                    Revocation::Unchecked if leaf_index + 1 == self.path.len() => {
                        "○ Not checked: a root is trusted by being in Trusted Roots".to_owned()
                    }
                    Revocation::Unchecked => {
                        "○ Not checked: it names no OCSP responder and no CRL".to_owned()
                    }
                    _ => verdict_text(&link.revocation),
                };
                ui.label(format!("{indent}    {text}"));
            }
        }
        ui.add_space(8.0);
        match &self.revocation {
            None => {
                if ui
                    .button("Check revocation")
                    .on_hover_text("Ask each certificate's OCSP responder, or fetch its issuer's CRL (kept until its next update), link by link")
                    .clicked()
                {
                    self.revocation = Some(None);
                    commands.push(Command::CheckRevocation(
                        self.cert.location,
                        self.cert.summary.thumbprint.clone(),
                    ));
                }
            }
            Some(None) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Checking revocation…");
                });
            }
            Some(Some(_)) => {}
        }
    }

    fn sans_ui(&mut self, ui: &mut egui::Ui, view: &StoreView) {
        let Some(topology) = &view.topology else {
            ui.horizontal_wrapped(|ui| {
                for san in &self.cert.summary.sans {
                    let (kind, value) = san.split_once(':').unwrap_or(("", san));
                    ui.label(format!("{} {value}", kind.to_uppercase()));
                }
            });
            ui.label(
                "Describe the deployment on the Topology page to check the names against what the server needs.",
            );
            return;
        };
        let all = topology.role.usages();
        egui::ComboBox::from_label("Check against")
            .selected_text(
                self.usage
                    .map_or("every usage of the server's role", |u| u.title()),
            )
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut self.usage, None, "every usage of the server's role");
                for u in all {
                    ui.selectable_value(&mut self.usage, Some(*u), u.title());
                }
            });
        let usages = self.usage.map_or_else(|| all.to_vec(), |u| vec![u]);
        let dns: Vec<&str> = self.cert.summary.dns_names().collect();
        san_table_ui(ui, "details", &sans::inspect(&dns, &usages, topology));
    }
}

/// One link's revocation as the path shows it, with its icon.
fn verdict_text(verdict: &Revocation) -> String {
    match verdict {
        Revocation::Good { source } => format!("✔ Not revoked ({source})"),
        Revocation::Unchecked => "○ Not checked".to_owned(),
        Revocation::Revoked { .. } => {
            format!("⛔ Revoked: {}", verdict.sentence().unwrap_or_default())
        }
        Revocation::Unknown { .. } => format!("⚠ {}", verdict.sentence().unwrap_or_default()),
    }
}
