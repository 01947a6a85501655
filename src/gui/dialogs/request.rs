//! The request wizard (DOMAIN.md §4): usages → delayed or immediate → CSR file or CA →
//! template → name and security → organization → geography → SN/SAN preview → SIP domains
//! → additional SANs → summary → executing (the key is generated in the background) →
//! result. Next is disabled with the reason while a page is invalid; validation is the
//! model's [`RequestSpec::new`], exactly what the CLI runs.

use std::path::PathBuf;

use super::Flow;
use crate::deploy::names;
use crate::deploy::request::{Generated, RequestError, RequestField, RequestInput, RequestSpec};
use crate::deploy::topology::{Role, Topology};
use crate::deploy::usage::UsageType;
use crate::gui::command::{Applied, ApplyError, Command};
use crate::gui::dialogs::frame::{self, Part};
use crate::gui::jobs::{JobResult, Jobs, PickTarget, start_dir};
use crate::gui::views::san_table_ui;
use crate::ops::enroll::EnrollError;
use crate::ops::enroll::RequestOutcome;
use crate::pki::keygen::{HashAlgorithm, KeyAlgorithm};
use crate::store::Location;
use crate::verify::sans;

/// The wizard's pages, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Certificate type.
    Usages,
    /// Delayed or immediate.
    Delivery,
    /// Delayed: where to save the CSR; immediate: the CA.
    Target,
    /// Alternate template.
    Template,
    /// Friendly name, key, exportable.
    NameSecurity,
    /// O and OU.
    Organization,
    /// C, ST, L.
    Geography,
    /// SN and SANs from the topology.
    Preview,
    /// sip.<domain> ticks.
    SipDomains,
    /// Additional SANs.
    Additional,
    /// Summary.
    Summary,
    /// Executing commands.
    Executing,
    /// The result.
    Done,
}

impl Step {
    /// The page's title, as the Lync Certificate Wizard names it.
    pub fn title(self) -> &'static str {
        match self {
            Step::Usages => "Certificate Type",
            Step::Delivery => "Delayed or Immediate Request",
            Step::Target => "Certificate Request File or Authority",
            Step::Template => "Specify Alternate Certificate Template",
            Step::NameSecurity => "Name and Security Settings",
            Step::Organization => "Organization Information",
            Step::Geography => "Geographical Information",
            Step::Preview => "Subject Name / Subject Alternative Names",
            Step::SipDomains => "SIP Domain Setting on Subject Alternative Names",
            Step::Additional => "Configure Additional Subject Alternative Names",
            Step::Summary => "Certificate Request Summary",
            Step::Executing => "Executing Commands",
            Step::Done => "Online Certificate Request Status",
        }
    }

    /// One line saying what the page is for.
    pub fn description(self) -> &'static str {
        match self {
            Step::Usages => "Choose the certificates to request for this server's role.",
            Step::Delivery => "Send the request to a CA now, or save it to send it later.",
            Step::Target => "Where the request goes: a file for your CA, or an online CA.",
            Step::Template => {
                "The CA's certificate template (WebServer unless your CA says otherwise)."
            }
            Step::NameSecurity => {
                "A friendly name for the certificate, the key's size and whether it may be exported."
            }
            Step::Organization => "The organization and unit named in the certificate (optional).",
            Step::Geography => {
                "Country, state and city named in the certificate (optional; the country is two letters)."
            }
            Step::Preview => "The names computed from the topology. They cannot be edited here.",
            Step::SipDomains => {
                "Add sip.<domain> for the SIP domains whose clients sign in through this server."
            }
            Step::Additional => "Other names the certificate must carry.",
            Step::Summary => "Check the request before it is made; Finish generates the key.",
            Step::Executing => "The key and the request are being made.",
            Step::Done => "The result of the request.",
        }
    }
}

/// The wizard's pages before it runs, in order.
pub const STEPS: [Step; 11] = [
    Step::Usages,
    Step::Delivery,
    Step::Target,
    Step::Template,
    Step::NameSecurity,
    Step::Organization,
    Step::Geography,
    Step::Preview,
    Step::SipDomains,
    Step::Additional,
    Step::Summary,
];

/// The wizard's state.
pub struct RequestWizard {
    location: Location,
    topology: Option<Topology>,
    /// The page shown.
    pub step: Step,
    /// The choices.
    pub input: RequestInput,
    advanced: bool,
    /// Delayed (true) or immediate from the built-in CA.
    pub delayed: bool,
    /// The CSR file (delayed).
    pub csr_path: String,
    extra: Vec<String>,
    log: Vec<String>,
    error: Option<String>,
    /// The outcome once done.
    pub outcome: Option<RequestOutcome>,
    /// "Assign this certificate now" (immediate).
    pub assign_now: bool,
    /// The store has its built-in CA already (its root is trusted there).
    builtin_exists: bool,
    /// The user agreed to create the built-in CA and trust its root.
    pub trust_builtin: bool,
}

fn page_of(e: &RequestError) -> Step {
    match e {
        RequestError::Field { field, .. } => match field {
            RequestField::Org | RequestField::Ou => Step::Organization,
            RequestField::Country | RequestField::State | RequestField::City => Step::Geography,
            RequestField::Template => Step::Template,
            RequestField::FriendlyName | RequestField::Exportable => Step::NameSecurity,
        },
        RequestError::Key(_) => Step::NameSecurity,
        RequestError::Names(
            crate::deploy::names::NameError::BadName(_)
            | crate::deploy::names::NameError::Wildcard { .. },
        ) => Step::Additional,
        RequestError::Names(_) => Step::Usages,
        RequestError::Csr(_) => Step::Summary,
    }
}

impl RequestWizard {
    /// A new wizard for a location and the current topology; `builtin_exists` says whether
    /// the store has its built-in CA (if not, the wizard asks before creating it).
    pub fn new(location: Location, topology: Option<Topology>, builtin_exists: bool) -> Self {
        Self {
            location,
            topology,
            step: Step::Usages,
            input: RequestInput::default(),
            advanced: false,
            delayed: false,
            csr_path: String::new(),
            extra: Vec::new(),
            log: Vec::new(),
            error: None,
            outcome: None,
            assign_now: true,
            builtin_exists,
            trust_builtin: false,
        }
    }

    fn spec(&self) -> Option<Result<RequestSpec, RequestError>> {
        let topology = self.topology.as_ref()?;
        let mut input = self.input.clone();
        input.names.extra = self
            .extra
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        Some(RequestSpec::new(input, topology))
    }

    /// Why Next is disabled on the current page, if it is: something still to do (`false`)
    /// or something entered wrong (`true`, shown as an error).
    pub fn blocker(&self) -> Option<(String, bool)> {
        let to_do = |s: &str| Some((s.to_owned(), false));
        let Some(spec) = self.spec() else {
            return to_do("describe the deployment on the Topology page first");
        };
        if self.step == Step::Usages && self.input.usages.is_empty() {
            return to_do("choose at least one certificate type");
        }
        if self.step == Step::Target && self.delayed && self.csr_path.trim().is_empty() {
            return to_do("choose where to save the request");
        }
        if self.step == Step::Target && !self.delayed && !self.builtin_exists && !self.trust_builtin
        {
            return to_do(
                "agree to create the built-in CA and trust its root, or save the request for another CA",
            );
        }
        match spec {
            Err(e) if page_of(&e) <= self.step => Some((e.to_string(), true)),
            _ => None,
        }
    }

    /// A job finished.
    pub fn on_job(&mut self, result: JobResult, commands: &mut Vec<Command>) {
        match result {
            JobResult::Generated(spec, Ok(generated)) => {
                self.log.push(format!(
                    "Generated the {} key and the request in {} ms",
                    spec.input.key.label(),
                    generated.took.as_millis()
                ));
                self.submit(spec, generated, commands);
            }
            JobResult::Generated(_, Err(e)) => {
                if matches!(e, EnrollError::Output(_)) {
                    // The CSR file cannot be written: back to the summary, nothing made.
                    self.step = Step::Summary;
                    self.log.clear();
                } else {
                    self.log.push(format!("Failed: {e}"));
                }
                self.error = Some(e.to_string());
            }
            JobResult::Picked(PickTarget::CsrFile, Some(p)) => {
                self.csr_path = p.display().to_string()
            }
            JobResult::Saved(p, written) => self.log.push(match written {
                Ok(()) => format!("Saved the request to {}", p.display()),
                Err(e) => e.to_string(),
            }),
            _ => {}
        }
    }

    fn submit(
        &mut self,
        spec: Box<RequestSpec>,
        generated: Generated,
        commands: &mut Vec<Command>,
    ) {
        self.log.push(if self.delayed {
            format!("Saving the request to {}", self.csr_path.trim())
        } else {
            "Sending the request to the certdesk built-in CA".into()
        });
        commands.push(Command::Submit {
            spec,
            generated: Box::new(generated),
            location: self.location,
            csr_path: self.delayed.then(|| PathBuf::from(self.csr_path.trim())),
            trust_new_root: self.trust_builtin,
        });
    }

    /// A command this wizard sent was applied.
    pub fn on_applied(&mut self, result: Result<&Applied, &ApplyError>) {
        match result {
            Ok(Applied::Requested(outcome)) => {
                self.log.push(match &outcome.thumbprint {
                    Some(t) => format!("Issued: thumbprint {t}"),
                    None => format!(
                        "Pending request {} saved",
                        outcome.request_id.unwrap_or_default()
                    ),
                });
                self.outcome = Some(outcome.clone());
                self.step = Step::Done;
            }
            Ok(_) => {}
            Err(e) => {
                self.log.push(format!("Failed: {e}"));
                self.error = Some(e.to_string());
            }
        }
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
                ] {
                    toggle(ui, u.title(), &[u], &mut self.input);
                }
            }
        }
    }

    fn page_ui(&mut self, ui: &mut egui::Ui, jobs: &mut Jobs) {
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
                    ui.add(egui::TextEdit::singleline(&mut self.csr_path).desired_width(340.0))
                        .labelled_by(label.id);
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
            Step::Target => {
                let _ = ui.radio(
                    true,
                    "certdesk built-in CA (a local enterprise CA kept in this store)",
                );
                ui.label("The built-in CA needs no account credentials.");
                if !self.builtin_exists {
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
            Step::Template => text_ui(ui, "Template", &mut self.input.template),
            Step::NameSecurity => {
                text_ui(ui, "Friendly name", &mut self.input.friendly_name);
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
                text_ui(ui, "Organization", &mut self.input.org);
                text_ui(ui, "Organizational unit", &mut self.input.ou);
            }
            Step::Geography => {
                text_ui(ui, "Country/Region", &mut self.input.country);
                text_ui(ui, "State/Province", &mut self.input.state);
                text_ui(ui, "City/Locality", &mut self.input.city);
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
                let mut remove = None;
                for (i, name) in self.extra.iter_mut().enumerate() {
                    ui.horizontal(|ui| {
                        let label = ui.label(format!("Additional name {}", i + 1));
                        ui.text_edit_singleline(name).labelled_by(label.id);
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
                        if self.delayed {
                            format!("Delayed: the request is saved to {}", self.csr_path.trim())
                        } else {
                            "Immediate: the certdesk built-in CA".into()
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
                        match sans::inspect(&carried, &spec.input.usages, topology) {
                            Ok(rows) => san_table_ui(ui, "request", &rows),
                            Err(e) => frame::error_ui(ui, &e.to_string()),
                        }
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
    }

    /// Draws the wizard: the step list on the left, the page's title and description, the
    /// page, and Back / Next (Finish on the summary) / Cancel in the same place on every
    /// page. Enter presses Next.
    pub fn ui(&mut self, ui: &mut egui::Ui, jobs: &mut Jobs, now: i64) -> Flow {
        let mut flow = Flow::Stay;
        frame::parts_ui(ui, |ui, part| match part {
            Part::Footer => flow = self.footer_ui(ui, jobs, now),
            Part::Body => {
                if self.step == Step::Done {
                    self.done_body_ui(ui);
                    return;
                }
                ui.horizontal_top(|ui| {
                    ui.vertical(|ui| {
                        ui.set_width(170.0);
                        for (i, step) in STEPS.iter().enumerate() {
                            let text = format!("{}. {}", i + 1, step.title());
                            if *step == self.step {
                                ui.strong(format!("▶ {text}"));
                            } else {
                                ui.weak(text);
                            }
                        }
                    });
                    ui.separator();
                    ui.vertical(|ui| {
                        ui.heading(self.step.title());
                        ui.label(self.step.description());
                        ui.add_space(8.0);
                        self.page_ui(ui, jobs);
                        if let Some(error) = &self.error {
                            frame::error_ui(ui, error);
                        }
                        match self.blocker() {
                            Some((reason, true)) => {
                                ui.add_space(6.0);
                                frame::error_ui(ui, &reason);
                            }
                            Some((reason, false)) => {
                                ui.add_space(6.0);
                                frame::hint_ui(ui, &reason);
                            }
                            None => {}
                        }
                    });
                });
            }
        });
        flow
    }

    fn footer_ui(&mut self, ui: &mut egui::Ui, jobs: &mut Jobs, now: i64) -> Flow {
        if self.step == Step::Done {
            return self.done_footer_ui(ui, jobs);
        }
        let mut flow = Flow::Stay;
        if frame::button_enabled(ui, jobs.idle(), "Cancel").clicked() {
            flow = Flow::Close;
        }
        let blocker = self.blocker();
        let enter = frame::enter_pressed(ui);
        let position = STEPS.iter().position(|s| *s == self.step);
        if self.step == Step::Summary {
            let finish = frame::button_enabled(ui, blocker.is_none() && jobs.idle(), "Finish");
            if (finish.clicked() || (enter && blocker.is_none() && jobs.idle()))
                && let Some(Ok(spec)) = self.spec()
            {
                self.error = None;
                self.step = Step::Executing;
                self.log.push("Generating the private key…".into());
                let csr_path = self.delayed.then(|| PathBuf::from(self.csr_path.trim()));
                jobs.generate(ui.ctx(), spec, csr_path, now);
            }
        } else {
            let can_next = blocker.is_none() && self.step != Step::Executing;
            let next = frame::button_enabled(ui, can_next, "Next");
            let next = match &blocker {
                Some((reason, _)) => next.on_disabled_hover_text(reason),
                None => next,
            };
            if (next.clicked() || (enter && can_next))
                && let Some(p) = position
            {
                self.step = STEPS[(p + 1).min(STEPS.len() - 1)];
            }
        }
        if frame::button_enabled(ui, position.is_some_and(|p| p > 0), "Back").clicked()
            && let Some(p) = position
        {
            self.step = STEPS[p - 1];
        }
        flow
    }

    fn done_body_ui(&mut self, ui: &mut egui::Ui) {
        ui.heading("Online Certificate Request Status");
        let Some(outcome) = self.outcome.clone() else {
            return;
        };
        egui::CollapsingHeader::new("View Log").show(ui, |ui| {
            for line in &self.log {
                ui.label(line);
            }
        });
        match &outcome.thumbprint {
            Some(thumb) => {
                ui.label("The certificate was issued and stored in Personal with its private key.");
                ui.label(format!("Thumbprint: {thumb}"));
                ui.checkbox(&mut self.assign_now, "Assign this certificate now");
            }
            None => {
                ui.label("The request is saved. Send it to your CA, then import the certificate it returns.");
                ui.add(
                    egui::TextEdit::multiline(&mut outcome.csr_pem.as_str())
                        .code_editor()
                        .desired_width(f32::INFINITY)
                        .desired_rows(12),
                );
            }
        }
    }

    fn done_footer_ui(&mut self, ui: &mut egui::Ui, jobs: &mut Jobs) -> Flow {
        let Some(outcome) = self.outcome.clone() else {
            return if frame::button(ui, "Close").clicked() {
                Flow::Close
            } else {
                Flow::Stay
            };
        };
        let mut flow = Flow::Stay;
        let finish = frame::button(ui, "Finish").clicked() || frame::enter_pressed(ui);
        match &outcome.thumbprint {
            Some(thumb) => {
                if finish {
                    flow = if self.assign_now {
                        Flow::Assign(thumb.clone(), self.input.usages.clone())
                    } else {
                        Flow::Close
                    };
                }
                if frame::button(ui, "View Certificate Details").clicked() {
                    flow = Flow::Details(thumb.clone());
                }
            }
            None => {
                if finish {
                    flow = Flow::Close;
                }
                if frame::button_enabled(ui, jobs.idle(), "Save as…").clicked() {
                    jobs.save_as(ui.ctx(), outcome.csr_pem.clone().into_bytes());
                }
                if frame::button(ui, "Copy").clicked() {
                    ui.ctx().copy_text(outcome.csr_pem.clone());
                }
            }
        }
        flow
    }
}

fn text_ui(ui: &mut egui::Ui, label: &str, value: &mut String) {
    ui.horizontal(|ui| {
        let l = ui.add_sized([160.0, 20.0], egui::Label::new(label));
        ui.add(egui::TextEdit::singleline(value).desired_width(300.0))
            .labelled_by(l.id);
    });
}
