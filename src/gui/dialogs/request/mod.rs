//! The request wizard (DOMAIN.md §4): usages → delayed or immediate → CSR file or CA →
//! template → name and security → organization → geography → SN/SAN preview → SIP domains
//! → additional SANs → summary → executing (the key is generated in the background) →
//! result. Next is disabled with the reason while a page is invalid; validation is the
//! model's [`RequestSpec::new`], exactly what the CLI runs. The pages are drawn in
//! [`pages`], the result in [`done`].

mod done;
mod pages;
mod templates;

use std::path::PathBuf;

use super::Flow;
use crate::deploy::request::{Generated, RequestError, RequestField, RequestInput, RequestSpec};
use crate::deploy::topology::Topology;
use crate::gui::command::{Applied, ApplyError, Command};
use crate::gui::dialogs::AddCaDialog;
use crate::gui::dialogs::acme_answer::AcmeAnswer;
use crate::gui::dialogs::contract::{DialogContext, DialogPage};
use crate::gui::dialogs::frame::{self, Part};
use crate::gui::jobs::IdentityKey;
use crate::gui::jobs::{JobResult, Jobs, PickTarget};
use crate::gui::words::kind_title;
use crate::ops::enroll::{AltCredentials, Delivery, EnrollError, OnlineOptions, RequestOutcome};
use crate::ops::sign_in::SignInIdentity;
use crate::store::{CaConnection, CaKind, Location};

/// The wizard's pages, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Certificate type.
    Usages,
    /// Delayed or immediate.
    Delivery,
    /// Delayed: where to save the CSR; immediate: the CA.
    Target,
    /// The CA account: alternate credentials (AD CS), what the others use.
    Account,
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
    /// `sip.<domain>` ticks.
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
            Step::Account => "Certificate Authority Account",
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
            Step::Account => "The credentials the CA is reached with.",
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
pub const STEPS: [Step; 12] = [
    Step::Usages,
    Step::Delivery,
    Step::Target,
    Step::Account,
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
    /// "Assign the certificate to certificate usages" (issued at once).
    pub assign_now: bool,
    /// The store has its built-in CA already (its root is trusted there).
    builtin_exists: bool,
    /// The user agreed to create the built-in CA and trust its root.
    pub trust_builtin: bool,
    /// The store's online CAs.
    online: Vec<CaConnection>,
    /// Immediate: the online CA chosen (None: the built-in CA).
    pub online_ca: Option<String>,
    /// How an ACME CA's challenges are answered.
    pub acme: AcmeAnswer,
    /// AD CS: sign in with other credentials than the connection's.
    pub alternate: bool,
    /// The alternate user name.
    pub alt_user: String,
    /// The alternate password.
    alt_password: zeroize::Zeroizing<String>,
    /// Who the chosen AD CS CA signs in as, for (its name, the alternate user): read once
    /// when either changes, not every frame.
    identity: Option<(IdentityKey, SignInIdentity)>,
    /// The sign-in being looked up off the UI thread.
    identity_asked: Option<IdentityKey>,
    /// Continue (DNS-01) was pressed and the CA is being asked.
    continuing: bool,
    /// "Trust this root CA" (the issued chain's root is not trusted).
    pub trust_root: bool,
    /// Finish sent the root's trust and the assignment; the answer is awaited.
    finishing: bool,
    /// What Finish could not do.
    finish_error: Option<String>,
    /// Finish did everything: the wizard closes.
    finished: bool,
    /// "Specify another certification authority": a new connection being entered.
    pub another: Option<Box<AddCaDialog>>,
    /// The AD CS CA's templates, read when the template page is shown.
    templates: templates::Templates,
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

impl DialogPage for RequestWizard {
    fn title(&self) -> &'static str {
        "Certificate Request"
    }

    fn size(&self) -> [f32; 2] {
        [940.0, 640.0]
    }

    fn cancellable(&self) -> bool {
        self.step != Step::Executing
    }

    fn show(&mut self, ui: &mut egui::Ui, cx: &mut DialogContext<'_>) -> Flow {
        self.sync_cas(&cx.view.cas);
        self.ui(ui, cx)
    }

    fn job_done(&mut self, result: JobResult, commands: &mut Vec<Command>) {
        self.on_job(result, commands);
    }

    fn applied(&mut self, result: Result<&Applied, &ApplyError>) -> bool {
        self.on_applied(result);
        result.is_err()
    }
}

impl RequestWizard {
    /// A new wizard for a location and the current topology; `builtin_exists` says whether
    /// the store has its built-in CA (if not, the wizard asks before creating it); `online`
    /// lists the store's online CAs (name, URL).
    pub fn new(
        location: Location,
        topology: Option<Topology>,
        builtin_exists: bool,
        online: Vec<CaConnection>,
    ) -> Self {
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
            // A configured CA is the one meant (the enterprise CA first), not the built-in.
            online_ca: online
                .iter()
                .find(|c| c.kind == CaKind::Certsrv)
                .or(online.first())
                .map(|c| c.name.clone()),
            online,
            acme: AcmeAnswer::default(),
            alternate: false,
            alt_user: String::new(),
            alt_password: zeroize::Zeroizing::default(),
            identity: None,
            identity_asked: None,
            continuing: false,
            trust_root: false,
            finishing: false,
            finish_error: None,
            finished: false,
            another: None,
            templates: templates::Templates::default(),
        }
    }

    /// Follows the store's CA connections (one added from the wizard appears at once).
    pub fn sync_cas(&mut self, cas: &[CaConnection]) {
        if self.online != cas {
            self.online = cas.to_vec();
        }
    }

    /// The chosen online CA's connection.
    fn chosen_ca(&self) -> Option<&CaConnection> {
        let name = self.online_ca.as_ref()?;
        self.online.iter().find(|c| &c.name == name)
    }

    /// Whether the request goes to an ACME CA.
    fn to_acme(&self) -> bool {
        !self.delayed && self.chosen_ca().is_some_and(|c| c.kind == CaKind::Acme)
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
        if self.step == Step::Target
            && self.to_acme()
            && let Err(e) = self.acme.http01()
        {
            return Some((e.to_string(), true));
        }
        if self.step == Step::Template
            && let Some(reason) = self.template_blocker()
        {
            return to_do(reason);
        }
        if self.step == Step::Account && self.alternate && self.alt_credentials().is_none() {
            return to_do("give the user name and the password to sign in with");
        }
        if self.step == Step::Target
            && !self.delayed
            && self.online_ca.is_none()
            && !self.builtin_exists
            && !self.trust_builtin
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
            picked @ JobResult::Picked(PickTarget::CaBundle, _) => {
                if let Some(another) = &mut self.another {
                    another.job_done(picked, commands);
                }
            }
            JobResult::Identity(key, identity) => {
                if self.identity_asked.as_ref() == Some(&key) {
                    self.identity_asked = None;
                }
                self.identity = Some((key, identity));
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
        self.log.push(format!("{}…", self.destination()));
        let to = match (&self.online_ca, self.acme.http01()) {
            _ if self.delayed => Delivery::Delayed(Some(PathBuf::from(self.csr_path.trim()))),
            (Some(ca), http01) => Delivery::Online {
                ca: ca.clone(),
                options: OnlineOptions {
                    http01: http01.unwrap_or_default(),
                    dns01: self.to_acme() && self.acme.dns01(),
                    credentials: self.alt_credentials(),
                    ..OnlineOptions::default()
                },
            },
            _ => Delivery::BuiltinCa {
                trust_new_root: self.trust_builtin,
            },
        };
        commands.push(Command::Submit {
            spec,
            generated: Box::new(generated),
            location: self.location,
            to,
        });
    }

    /// Who `ca` signs in as with the `alternate` user
    /// ([`crate::ops::sign_in::sign_in_identity`]), kept until the CA or the user changes;
    /// None while it is looked up off the UI thread (a ticket cache may be slow to read).
    fn identity(
        &mut self,
        ctx: &egui::Context,
        jobs: &mut Jobs,
        ca: &CaConnection,
        alternate: Option<&str>,
    ) -> Option<SignInIdentity> {
        let key = (ca.name.clone(), alternate.map(str::to_owned));
        match &self.identity {
            Some((cached, identity)) if *cached == key => Some(identity.clone()),
            _ => {
                if self.identity_asked.as_ref() != Some(&key) {
                    self.identity_asked = Some(key.clone());
                    jobs.identity(ctx, ca.clone(), key.1);
                }
                None
            }
        }
    }

    /// The alternate credentials, when chosen for an AD CS CA and complete.
    fn alt_credentials(&self) -> Option<AltCredentials> {
        let certsrv = self.chosen_ca().is_some_and(|c| c.kind == CaKind::Certsrv);
        (certsrv
            && self.alternate
            && !self.alt_user.trim().is_empty()
            && !self.alt_password.is_empty())
        .then(|| AltCredentials {
            username: self.alt_user.trim().to_owned(),
            password: self.alt_password.clone(),
        })
    }

    /// Where the request goes, as the summary and the log say it.
    fn destination(&self) -> String {
        match self.chosen_ca() {
            _ if self.delayed => format!("Saving the request to {}", self.csr_path.trim()),
            Some(ca) => format!(
                "Sending the request to the {} CA {}",
                kind_title(ca.kind),
                ca.name
            ),
            None => "Sending the request to the certdesk built-in CA".into(),
        }
    }

    /// A command this wizard sent was applied.
    pub fn on_applied(&mut self, result: Result<&Applied, &ApplyError>) {
        if self.on_templates(result) {
            return;
        }
        if let Some(another) = &mut self.another
            && another.sent()
        {
            another.applied(result);
            if another.done() {
                self.online_ca = Some(another.name.trim().to_owned());
                self.another = None;
            }
            return;
        }
        if self.finishing {
            return self.on_finished(result.map(drop));
        }
        match result {
            Ok(Applied::Requested(outcome)) => {
                self.log.push(outcome.to_string());
                self.outcome = Some(outcome.clone());
                self.step = Step::Done;
            }
            Ok(Applied::Retrieved(polled)) => self.on_retrieved(polled),
            Ok(_) => {}
            Err(e) => {
                self.log.push(format!("Failed: {e}"));
                self.error = Some(e.to_string());
                // A request the CA refused ends the wizard on its status page; nothing
                // was stored.
                if self.step == Step::Executing {
                    self.step = Step::Done;
                }
            }
        }
    }

    /// Draws the wizard: the step list on the left, the page's title and description, the
    /// page, and Back / Next (Finish on the summary) / Cancel in the same place on every
    /// page. Enter presses Next.
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut DialogContext<'_>) -> Flow {
        let mut flow = Flow::Stay;
        let shown = self.step;
        frame::parts_ui(ui, |ui, part| match part {
            Part::Footer => flow = self.footer_ui(ui, cx),
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
                        self.page_ui(ui, cx.jobs, cx.commands);
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
        // The new page is drawn at once (its first field takes the focus), before the next
        // key arrives: a window draws only when asked, and the page changes in the footer,
        // after the body was drawn.
        if self.step != shown {
            ui.ctx().request_discard("the wizard's page changed");
            ui.ctx().request_repaint();
        }
        flow
    }

    fn footer_ui(&mut self, ui: &mut egui::Ui, cx: &mut DialogContext<'_>) -> Flow {
        let (jobs, commands, now) = (&mut *cx.jobs, &mut *cx.commands, cx.now);
        if self.step == Step::Done {
            return self.done_footer_ui(ui, jobs, commands);
        }
        let mut flow = Flow::Stay;
        let blocker = self.blocker();
        let enter = frame::enter_pressed(ui);
        let position = STEPS.iter().position(|s| *s == self.step);
        if frame::button_enabled(ui, position.is_some_and(|p| p > 0), "Back").clicked()
            && let Some(p) = position
        {
            self.step = STEPS[p - 1];
            return flow;
        }
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
        if frame::button_enabled(ui, jobs.idle(), "Cancel").clicked() {
            flow = Flow::Close;
        }
        flow
    }
}
