//! The request wizard's pages, one per step.

use crate::deploy::names;
use crate::deploy::request::RequestInput;
use crate::deploy::topology::Role;
use crate::deploy::usage::UsageType;
use crate::gui::dialogs::frame;
use crate::gui::jobs::{Jobs, PickTarget, start_dir};
use crate::gui::views::san_table_ui;
use crate::pki::keygen::{HashAlgorithm, KeyAlgorithm};
use crate::verify::sans;

use super::{RequestWizard, Step};
use crate::gui::command::Command;
use crate::gui::dialogs::acme_answer::Challenge;
use crate::store::CaKind;

impl RequestWizard {
    /// "Choose a Certificate Authority": the built-in CA and the store's connections, and
    /// for ACME how its challenges are answered.
    fn authority_ui(&mut self, ui: &mut egui::Ui, jobs: &mut Jobs, commands: &mut Vec<Command>) {
        ui.label("Select a CA from the list:");
        ui.radio_value(
            &mut self.online_ca,
            None,
            "certdesk built-in CA (a local enterprise CA kept in this store)",
        );
        for ca in self.online.clone() {
            ui.radio_value(
                &mut self.online_ca,
                Some(ca.name.clone()),
                format!(
                    "{}: {}, {}",
                    ca.name,
                    crate::gui::words::kind_title(ca.kind),
                    ca.url
                ),
            );
        }
        self.another_ui(ui, jobs, commands);
        ui.add_space(6.0);
        if self.to_acme() {
            self.acme.ui(ui, "after Finish, the wizard");
        }
        if self.online_ca.is_none() && !self.builtin_exists {
            ui.add_space(6.0);
            ui.label(
                "This store has no built-in CA yet. Creating it makes a new root CA, and \
                 for the certificates it issues to be trusted here, its root goes into \
                 Computer \\ Trusted Roots. Anything that root signs is then trusted \
                 by this store.",
            );
            ui.checkbox(
                &mut self.trust_builtin,
                "Create the built-in CA and trust its root in this store",
            );
        }
    }

    /// "Specify another certification authority": a new connection entered here is kept in
    /// the store (as on the Certification Authorities page) and chosen.
    fn another_ui(&mut self, ui: &mut egui::Ui, jobs: &mut Jobs, commands: &mut Vec<Command>) {
        let Some(another) = &mut self.another else {
            if ui
                .button("Specify another certification authority…")
                .clicked()
            {
                self.another = Some(Box::default());
            }
            return;
        };
        let mut cancel = false;
        ui.group(|ui| {
            ui.strong("Specify another certification authority");
            another.body_ui(ui, jobs);
            ui.horizontal(|ui| {
                let ready = another.missing().is_none() && !another.sent();
                if ui
                    .add_enabled(ready, egui::Button::new("Add this CA"))
                    .clicked()
                {
                    commands.push(another.command(true));
                }
                another.trying_ui(ui, commands);
                cancel = ui.button("Cancel adding").clicked();
            });
        });
        if cancel {
            self.another = None;
        }
    }

    /// "Certificate Authority Account": what the chosen CA signs in with.
    fn account_ui(&mut self, ui: &mut egui::Ui, jobs: &mut Jobs) -> Option<egui::Response> {
        let Some(ca) = self.chosen_ca().filter(|_| !self.delayed).cloned() else {
            ui.label(if self.delayed {
                "A request saved to a file needs no CA account."
            } else {
                "The built-in CA needs no account credentials."
            });
            return None;
        };
        match ca.kind {
            CaKind::Acme => {
                ui.label(format!(
                    "The ACME account of {} signs the order; it is registered on first use and \
                     its key is kept encrypted in this store.",
                    ca.name
                ));
            }
            CaKind::Scep => {
                ui.label(format!(
                    "The challenge password kept with {} is sent in the request; the CA \
                     encrypts its answer for the request's own key.",
                    ca.name
                ));
            }
            CaKind::Certsrv => {
                let alternate = self.alternate.then(|| self.alt_user.clone());
                let identity = self.identity(ui.ctx(), jobs, &ca, alternate.as_deref());
                ui.label(format!("certdesk signs in to {}", ca.url));
                match identity {
                    Some(identity) if identity.ready => {
                        ui.label(&identity.words);
                    }
                    Some(identity) => frame::hint_ui(ui, &identity.words),
                    None => {
                        ui.weak("Looking for a Kerberos ticket…");
                    }
                }
                ui.checkbox(&mut self.alternate, "Use alternate credentials");
                if self.alternate {
                    let user = frame::text_row(ui, "User name", &mut self.alt_user);
                    ui.horizontal(|ui| {
                        let label = ui.label("Password");
                        ui.add(
                            egui::TextEdit::singleline(&mut *self.alt_password)
                                .password(true)
                                .desired_width(260.0),
                        )
                        .labelled_by(label.id);
                    });
                    ui.label("Used for this request only; nothing is saved.");
                    return Some(user);
                }
            }
        }
        None
    }

    fn usages_ui(&mut self, ui: &mut egui::Ui) {
        let role = self.topology.as_ref().map(|t| t.role);
        ui.label("Which certificate do you need?");
        let toggle =
            |ui: &mut egui::Ui, label: &str, usages: &[UsageType], input: &mut RequestInput| {
                let mut on = usages.iter().all(|u| input.usages.contains(u));
                if ui.checkbox(&mut on, label).changed() {
                    input.usages.retain(|u| !usages.contains(u));
                    if on {
                        input.usages.extend_from_slice(usages);
                        input.usages.sort();
                        // Every Edge of the pool needs the same A/V key: it must be exportable.
                        if usages.contains(&UsageType::AudioVideoAuthentication) {
                            input.exportable = true;
                        }
                    }
                }
            };
        match role {
            Some(Role::Edge) => {
                toggle(ui, "Edge internal", &[UsageType::Internal], &mut self.input);
                if self.advanced {
                    for u in UsageType::EDGE_EXTERNAL {
                        toggle(ui, u.title(), &[u], &mut self.input);
                    }
                } else {
                    toggle(
                        ui,
                        "External Edge certificate (public Internet)",
                        &UsageType::EDGE_EXTERNAL,
                        &mut self.input,
                    );
                }
                ui.checkbox(&mut self.advanced, "Advanced Certificate Usages");
                toggle(
                    ui,
                    UsageType::XmppServer.title(),
                    &[UsageType::XmppServer],
                    &mut self.input,
                );
            }
            _ => {
                for u in [
                    UsageType::Default,
                    UsageType::WebServicesInternal,
                    UsageType::WebServicesExternal,
                    UsageType::OAuthTokenIssuer,
                    UsageType::ReverseProxy,
                ] {
                    toggle(ui, u.title(), &[u], &mut self.input);
                }
            }
        }
    }

    /// Draws the page; arriving on it gives its first field the focus, so what is typed
    /// right after Enter (Next) lands there.
    pub(super) fn page_ui(
        &mut self,
        ui: &mut egui::Ui,
        jobs: &mut Jobs,
        commands: &mut Vec<Command>,
    ) {
        let shown = ui.scope_id().with("page shown");
        let arrived = ui.data_mut(|d| {
            let before = d.get_temp::<Step>(shown);
            d.insert_temp(shown, self.step);
            before != Some(self.step)
        });
        if let Some(first) = self.fields_ui(ui, jobs, commands)
            && arrived
        {
            first.request_focus();
        }
    }

    /// The page's widgets; the response of its first text field, if it has one.
    fn fields_ui(
        &mut self,
        ui: &mut egui::Ui,
        jobs: &mut Jobs,
        commands: &mut Vec<Command>,
    ) -> Option<egui::Response> {
        let mut first = None;
        match self.step {
            Step::Usages => self.usages_ui(ui),
            Step::Delivery => {
                ui.radio_value(
                    &mut self.delayed,
                    true,
                    "Prepare the request now, but send it later (offline certificate request)",
                );
                ui.radio_value(
                    &mut self.delayed,
                    false,
                    "Send the request immediately to an online certification authority",
                );
            }
            Step::Target if self.delayed => {
                ui.horizontal(|ui| {
                    let label = ui.label("Certificate request file");
                    first = Some(
                        ui.add(egui::TextEdit::singleline(&mut self.csr_path).desired_width(340.0))
                            .labelled_by(label.id),
                    );
                    if frame::button_enabled(ui, jobs.idle(), "Browse…").clicked() {
                        jobs.pick(
                            ui.ctx(),
                            PickTarget::CsrFile,
                            true,
                            start_dir(&self.csr_path),
                        );
                    }
                });
            }
            Step::Target => self.authority_ui(ui, jobs, commands),
            Step::Account => first = self.account_ui(ui, jobs),
            Step::Template => first = self.template_ui(ui, commands),
            Step::NameSecurity => {
                first = Some(frame::text_row(
                    ui,
                    "Friendly name",
                    &mut self.input.friendly_name,
                ));
                ui.label("Left blank, a name is made from the certificate type and the date.");
                ui.horizontal(|ui| {
                    ui.label("Key");
                    ui.radio_value(&mut self.input.key, KeyAlgorithm::Rsa(2048), "RSA 2048");
                    ui.radio_value(&mut self.input.key, KeyAlgorithm::Rsa(3072), "RSA 3072");
                    ui.radio_value(&mut self.input.key, KeyAlgorithm::Rsa(4096), "RSA 4096");
                    ui.radio_value(&mut self.input.key, KeyAlgorithm::Rsa(1024), "RSA 1024");
                    ui.radio_value(&mut self.input.key, KeyAlgorithm::P256, "ECDSA P-256");
                    ui.radio_value(&mut self.input.key, KeyAlgorithm::P384, "ECDSA P-384");
                });
                ui.horizontal(|ui| {
                    ui.label("Signature hash");
                    ui.radio_value(&mut self.input.hash, HashAlgorithm::Sha256, "SHA-256");
                    ui.radio_value(&mut self.input.hash, HashAlgorithm::Sha384, "SHA-384");
                    ui.radio_value(&mut self.input.hash, HashAlgorithm::Sha512, "SHA-512");
                });
                ui.checkbox(
                    &mut self.input.exportable,
                    "Mark the private key as exportable",
                );
                ui.checkbox(
                    &mut self.input.client_eku,
                    "Add Client Authentication (public IM federation)",
                );
            }
            Step::Organization => {
                first = Some(frame::text_row(ui, "Organization", &mut self.input.org));
                frame::text_row(ui, "Organizational unit", &mut self.input.ou);
            }
            Step::Geography => {
                first = Some(frame::text_row(
                    ui,
                    "Country/Region",
                    &mut self.input.country,
                ));
                frame::text_row(ui, "State/Province", &mut self.input.state);
                frame::text_row(ui, "City/Locality", &mut self.input.city);
            }
            Step::Preview => match self.spec() {
                Some(Ok(spec)) => {
                    ui.label(format!("Subject name: {}", spec.names.subject));
                    ui.label("Subject alternative names:");
                    for name in &spec.names.required {
                        ui.label(format!("  {name}"));
                    }
                }
                Some(Err(e)) => {
                    ui.label(e.to_string());
                }
                None => {}
            },
            Step::SipDomains => {
                ui.label("Add sip.<domain> for these SIP domains:");
                let (all, mut chosen) =
                    match &self.topology {
                        Some(t) => (
                            t.sip_domains.clone(),
                            self.input.names.sip_domains.clone().unwrap_or_else(|| {
                                names::default_sip_domains(&self.input.usages, t)
                            }),
                        ),
                        None => (Vec::new(), Vec::new()),
                    };
                let mut changed = false;
                for d in all {
                    let mut on = chosen.contains(&d);
                    if ui.checkbox(&mut on, format!("sip.{d}")).changed() {
                        changed = true;
                        chosen.retain(|x| x != &d);
                        if on {
                            chosen.push(d);
                        }
                    }
                }
                if changed {
                    self.input.names.sip_domains = Some(chosen);
                }
                if let Some(Ok(spec)) = self.spec() {
                    ui.add_space(6.0);
                    ui.label(format!("SANs: {}", spec.names.sans().join(", ")));
                }
            }
            Step::Additional => {
                // A name just added takes the focus when it is first drawn.
                let added = ui.scope_id().with("name added");
                let focus = ui.data_mut(|d| d.remove_temp::<usize>(added));
                let mut remove = None;
                for (i, name) in self.extra.iter_mut().enumerate() {
                    ui.horizontal(|ui| {
                        let label = ui.label(format!("Additional name {}", i + 1));
                        let field = ui.text_edit_singleline(name).labelled_by(label.id);
                        if focus == Some(i) {
                            field.request_focus();
                        }
                        first.get_or_insert(field);
                        if ui.small_button("Remove").clicked() {
                            remove = Some(i);
                        }
                    });
                }
                if let Some(i) = remove {
                    self.extra.remove(i);
                }
                if frame::button(ui, "Add a name").clicked() {
                    self.extra.push(String::new());
                    ui.data_mut(|d| d.insert_temp(added, self.extra.len() - 1));
                }
            }
            Step::Summary => {
                if let Some(Ok(spec)) = self.spec() {
                    let usages: Vec<&str> = spec.input.usages.iter().map(|u| u.title()).collect();
                    let or_none = |v: &str| {
                        if v.is_empty() {
                            "(none)".to_owned()
                        } else {
                            v.to_owned()
                        }
                    };
                    let friendly = if spec.input.friendly_name.is_empty() {
                        "(made from the certificate type and the date)".to_owned()
                    } else {
                        spec.input.friendly_name.clone()
                    };
                    for line in [
                        format!("Certificate type: {}", usages.join(", ")),
                        format!("Friendly name: {friendly}"),
                        format!(
                            "Organization: {}; unit: {}",
                            or_none(&spec.input.org),
                            or_none(&spec.input.ou)
                        ),
                        format!(
                            "Country: {}; state: {}; city: {}",
                            or_none(&spec.input.country),
                            or_none(&spec.input.state),
                            or_none(&spec.input.city)
                        ),
                        match self.chosen_ca() {
                            _ if self.delayed => {
                                format!("Delayed: the request is saved to {}", self.csr_path.trim())
                            }
                            Some(ca) => format!(
                                "Immediate: the {} CA {}{}",
                                crate::gui::words::kind_title(ca.kind),
                                ca.name,
                                match (ca.kind, self.acme.challenge) {
                                    (CaKind::Acme, Challenge::Dns) => ", answered by DNS-01",
                                    (CaKind::Certsrv, _) if self.alternate => {
                                        ", with alternate credentials"
                                    }
                                    _ => "",
                                }
                            ),
                            None => "Immediate: the certdesk built-in CA".into(),
                        },
                        format!("Template: {}", spec.input.template),
                        format!(
                            "Key: {}, signature {}, exportable: {}",
                            spec.input.key.label(),
                            spec.input.hash.cli_name(),
                            spec.input.exportable
                        ),
                        format!("Subject: {}", spec.names.subject),
                        format!("SANs: {}", spec.names.sans().join(", ")),
                    ] {
                        ui.label(line);
                    }
                    for w in spec.warnings() {
                        ui.colored_label(ui.visuals().warn_fg_color, w);
                    }
                    // The SAN inspector before the CA is paid: every name the usages need
                    // against what this request carries.
                    if let Some(topology) = &self.topology {
                        ui.add_space(6.0);
                        ui.strong("SAN inspector");
                        let sans = spec.names.sans();
                        let carried: Vec<&str> = sans.iter().map(String::as_str).collect();
                        let inspection = sans::inspect(&carried, &spec.input.usages, topology);
                        san_table_ui(ui, "request", &inspection);
                    }
                }
            }
            Step::Executing => {
                if !jobs.idle() {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Generating the key…");
                    });
                }
                for line in &self.log {
                    ui.label(line);
                }
            }
            Step::Done => {}
        }
        first
    }
}
