//! The topology page: a form for the deployment, validated as it is typed, with every
//! problem under its field (a field left blank is still to do, not an error); Save stores
//! it. A topology file can be loaded into the form, and the form saved to a file or copied
//! (for the pool's other servers).

use std::path::Path;

use crate::deploy::topology::{EdgeTopology, FieldProblem, Role, Topology, WebTopology};
use crate::gui::command::Command;
use crate::gui::jobs::{Jobs, PickTarget, start_dir};
use crate::ops::files::{InputError, OutputError};

/// The form's fields (lists as one entry per line).
#[derive(Debug, Clone)]
pub struct TopologyForm {
    /// The role.
    pub role: Role,
    /// Server FQDN.
    pub server_fqdn: String,
    /// Pool FQDN (blank: the server's).
    pub pool_fqdn: String,
    /// SIP domains, one per entry.
    pub sip_domains: Vec<String>,
    /// XMPP domains.
    pub xmpp_domains: Vec<String>,
    /// Public IM federation.
    pub public_im: bool,
    /// Edge FQDNs: access, web conferencing, A/V, internal.
    pub edge: [String; 4],
    /// The pool's servers.
    pub pool_members: Vec<String>,
    /// Web FQDNs: internal, external.
    pub web: [String; 2],
    /// Meeting simple URLs.
    pub meet_urls: Vec<String>,
    /// Dial-in and admin simple URLs.
    pub dialin_admin: [String; 2],
    /// The topology file to load or save.
    pub file: String,
    /// What the last load or save did (or why it could not).
    pub file_result: Option<FileNote>,
    /// The field to give the focus to when it is next drawn (one just added).
    focus: Option<String>,
}

impl From<Option<&Topology>> for TopologyForm {
    fn from(t: Option<&Topology>) -> Self {
        let mut form = Self::empty();
        form.reset(t);
        form
    }
}

fn some(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_owned())
}

fn list(v: &[String]) -> Vec<String> {
    v.iter().filter_map(|s| some(s)).collect()
}

impl TopologyForm {
    /// Shows `t` (None: an empty form); the file and its last result stay.
    pub fn reset(&mut self, t: Option<&Topology>) {
        let Some(t) = t else {
            *self = Self {
                file: std::mem::take(&mut self.file),
                file_result: self.file_result.take(),
                ..Self::empty()
            };
            return;
        };
        let edge = t.edge.clone().unwrap_or_default();
        let web = t.web.clone().unwrap_or_default();
        self.role = t.role;
        self.server_fqdn.clone_from(&t.server_fqdn);
        self.pool_fqdn = t.pool_fqdn.clone().unwrap_or_default();
        self.sip_domains.clone_from(&t.sip_domains);
        self.xmpp_domains.clone_from(&t.xmpp_domains);
        self.public_im = t.public_im_federation;
        self.edge = [
            edge.access_fqdn,
            edge.webconf_fqdn,
            edge.av_fqdn,
            edge.internal_fqdn,
        ];
        self.pool_members = t.pool_members();
        self.web = [web.internal_fqdn, web.external_fqdn];
        self.meet_urls = web.meet_urls;
        self.dialin_admin = [
            web.dialin_url.unwrap_or_default(),
            web.admin_url.unwrap_or_default(),
        ];
    }

    /// The empty form, no file.
    fn empty() -> Self {
        Self {
            role: Role::Edge,
            server_fqdn: String::new(),
            pool_fqdn: String::new(),
            sip_domains: vec![String::new()],
            xmpp_domains: Vec::new(),
            public_im: false,
            edge: Default::default(),
            pool_members: Vec::new(),
            web: Default::default(),
            meet_urls: Vec::new(),
            dialin_admin: Default::default(),
            file: String::new(),
            file_result: None,
            focus: None,
        }
    }

    /// The topology the form describes.
    pub fn topology(&self) -> Topology {
        let edge = (self.role == Role::Edge).then(|| EdgeTopology {
            access_fqdn: self.edge[0].trim().to_owned(),
            webconf_fqdn: self.edge[1].trim().to_owned(),
            av_fqdn: self.edge[2].trim().to_owned(),
            internal_fqdn: self.edge[3].trim().to_owned(),
            pool_members: list(&self.pool_members),
        });
        let web = (self.role != Role::Edge).then(|| WebTopology {
            internal_fqdn: self.web[0].trim().to_owned(),
            external_fqdn: self.web[1].trim().to_owned(),
            meet_urls: list(&self.meet_urls),
            dialin_url: some(&self.dialin_admin[0]),
            admin_url: some(&self.dialin_admin[1]),
        });
        Topology {
            role: self.role,
            server_fqdn: self.server_fqdn.trim().to_owned(),
            pool_fqdn: some(&self.pool_fqdn),
            sip_domains: list(&self.sip_domains),
            xmpp_domains: list(&self.xmpp_domains),
            // An Edge pool keeps its members in [edge], as the files always had them.
            pool_members: if self.role == Role::Edge {
                Vec::new()
            } else {
                list(&self.pool_members)
            },
            public_im_federation: self.public_im,
            edge,
            web,
        }
    }

    /// A topology file was read: the form shows it (its problems beside the fields), or
    /// says why it cannot.
    pub fn on_read(&mut self, path: &Path, text: Result<String, InputError>) {
        let parsed = text
            .map_err(|e| e.to_string())
            .and_then(|text| Topology::parse(&text).map_err(|e| e.to_string()));
        self.file_result = Some(match parsed {
            Ok(topology) => {
                self.reset(Some(&topology));
                FileNote::Done(format!(
                    "Loaded {}: check it, change what differs on this server, then Save topology.",
                    path.display()
                ))
            }
            Err(e) => FileNote::Failed(format!("{}: {e}", path.display())),
        });
    }

    /// The form was written to a file (or could not be).
    pub fn on_saved(&mut self, path: &Path, written: Result<(), OutputError>) {
        self.file_result = Some(match written {
            Ok(()) => FileNote::Done(format!("Saved to {}", path.display())),
            Err(e) => FileNote::Failed(e.to_string()),
        });
    }
}

/// What the last Load or Save of a topology file did, shown under the buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileNote {
    /// Done: what, one sentence.
    Done(String),
    /// Not done: why, one sentence.
    Failed(String),
}

/// The red sentence under a field (wrapped, never cut at the window's edge).
fn problem_ui(ui: &mut egui::Ui, problem: &str) {
    ui.horizontal(|ui| {
        ui.add_space(194.0);
        ui.vertical(|ui| {
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!("⚠ {problem}")).color(ui.visuals().error_fg_color),
                )
                .wrap(),
            );
        });
    });
}

/// A labelled field and, once something is typed in it, its problem.
fn field_ui(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut String,
    field: &str,
    problems: &[FieldProblem],
    focus: &mut Option<String>,
) {
    ui.horizontal(|ui| {
        let l = ui.add_sized([190.0, 20.0], egui::Label::new(label));
        let edit = ui
            .add(egui::TextEdit::singleline(value).desired_width(280.0))
            .labelled_by(l.id);
        if focus.as_deref() == Some(field) {
            edit.request_focus();
            *focus = None;
        }
    });
    if value.trim().is_empty() {
        return;
    }
    for p in problems.iter().filter(|p| p.field == field) {
        problem_ui(ui, &p.problem);
    }
}

/// A list of fields with Add and Remove; an added field gets the focus.
fn list_ui(
    ui: &mut egui::Ui,
    label: &str,
    values: &mut Vec<String>,
    field: &str,
    problems: &[FieldProblem],
    focus: &mut Option<String>,
) {
    ui.label(label);
    let mut remove = None;
    for (i, value) in values.iter_mut().enumerate() {
        field_ui(
            ui,
            &format!("  {label} {}", i + 1),
            value,
            &format!("{field}[{i}]"),
            problems,
            focus,
        );
        if ui
            .small_button(format!("Remove {label} {}", i + 1))
            .clicked()
        {
            remove = Some(i);
        }
    }
    if let Some(i) = remove {
        values.remove(i);
    }
    if ui.small_button(format!("Add {label}")).clicked() {
        values.push(String::new());
        *focus = Some(format!("{field}[{}]", values.len() - 1));
    }
}

/// The file row: load a topology file into the form, save the form to one, or copy it.
fn file_ui(ui: &mut egui::Ui, form: &mut TopologyForm, jobs: &mut Jobs) {
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Topology file");
        // A stable id: the focus stays in the field whatever is shown above it.
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut form.file)
                    .id_salt("topology file")
                    .desired_width(300.0),
            )
            .labelled_by(label.id);
        let idle = jobs.idle();
        // Enter in the field loads the file named, as Load does.
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui
            .add_enabled(idle, egui::Button::new("Browse…"))
            .on_hover_text("Choose a topology file and load it")
            .clicked()
        {
            jobs.pick(
                ui.ctx(),
                PickTarget::TopologyFile,
                false,
                start_dir(&form.file),
            );
        }
        let named = idle && !form.file.trim().is_empty();
        if ui
            .add_enabled(named, egui::Button::new("Load"))
            .on_hover_text("Fill the form from this file, as certdesk topology set FILE reads it")
            .clicked()
            || (named && entered)
        {
            jobs.read_topology(ui.ctx(), form.file.trim().into());
        }
        if ui
            .add_enabled(named, egui::Button::new("Save to file"))
            .on_hover_text("Write the form to this file, for another server of the pool")
            .clicked()
        {
            jobs.write(
                ui.ctx(),
                form.file.trim().into(),
                form.topology().to_toml().into_bytes(),
            );
        }
        if ui
            .button("Copy")
            .on_hover_text("Copy the form as a topology file's text")
            .clicked()
        {
            ui.ctx().copy_text(form.topology().to_toml());
        }
    });
    match &form.file_result {
        Some(FileNote::Done(done)) => {
            ui.add(egui::Label::new(format!("✔ {done}")).wrap());
        }
        Some(FileNote::Failed(e)) => {
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!("⚠ {e}")).color(ui.visuals().error_fg_color),
                )
                .wrap(),
            );
        }
        None => {}
    }
}

/// The topology page.
pub fn topology_ui(
    ui: &mut egui::Ui,
    form: &mut TopologyForm,
    jobs: &mut Jobs,
    commands: &mut Vec<Command>,
) {
    ui.heading("Topology");
    file_ui(ui, form, jobs);
    ui.separator();
    let topology = form.topology();
    let problems = topology.problems();
    let focus = &mut form.focus;
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label("Role");
            for (role, name) in [
                (Role::Edge, "Edge"),
                (Role::Frontend, "Front End"),
                (Role::Standard, "Standard Edition"),
                (Role::Director, "Director"),
            ] {
                ui.radio_value(&mut form.role, role, name);
            }
        });
        field_ui(
            ui,
            "Server FQDN",
            &mut form.server_fqdn,
            "server_fqdn",
            &problems,
            focus,
        );
        field_ui(
            ui,
            "Pool FQDN",
            &mut form.pool_fqdn,
            "pool_fqdn",
            &problems,
            focus,
        );
        list_ui(
            ui,
            "SIP domain",
            &mut form.sip_domains,
            "sip_domains",
            &problems,
            focus,
        );
        list_ui(
            ui,
            "XMPP domain",
            &mut form.xmpp_domains,
            "xmpp_domains",
            &problems,
            focus,
        );
        ui.checkbox(&mut form.public_im, "Federates with public IM providers");
        let members = if form.role == Role::Edge {
            for (i, (label, field)) in [
                ("Access Edge FQDN", "edge.access_fqdn"),
                ("Web Conferencing Edge FQDN", "edge.webconf_fqdn"),
                ("A/V Edge FQDN", "edge.av_fqdn"),
                ("Edge internal FQDN", "edge.internal_fqdn"),
            ]
            .into_iter()
            .enumerate()
            {
                field_ui(ui, label, &mut form.edge[i], field, &problems, focus);
            }
            "edge.pool_members"
        } else {
            for (i, (label, field)) in [
                ("Internal web FQDN", "web.internal_fqdn"),
                ("External web FQDN", "web.external_fqdn"),
            ]
            .into_iter()
            .enumerate()
            {
                field_ui(ui, label, &mut form.web[i], field, &problems, focus);
            }
            list_ui(
                ui,
                "Meeting URL",
                &mut form.meet_urls,
                "web.meet_urls",
                &problems,
                focus,
            );
            for (i, (label, field)) in [
                ("Dial-in URL", "web.dialin_url"),
                ("Admin URL", "web.admin_url"),
            ]
            .into_iter()
            .enumerate()
            {
                field_ui(
                    ui,
                    label,
                    &mut form.dialin_admin[i],
                    field,
                    &problems,
                    focus,
                );
            }
            "pool_members"
        };
        list_ui(
            ui,
            "Pool member",
            &mut form.pool_members,
            members,
            &problems,
            focus,
        );
        ui.separator();
        let blank = problems
            .iter()
            .filter(|p| p.problem.contains("it is empty"))
            .count()
            + usize::from(topology.sip_domains.is_empty());
        let save = ui.add_enabled(problems.is_empty(), egui::Button::new("Save topology"));
        let save = if problems.is_empty() {
            save
        } else {
            let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
            save.on_disabled_hover_text(all.join("\n"))
        };
        if save.clicked() {
            commands.push(Command::SetTopology(topology.to_toml()));
        }
        if !problems.is_empty() {
            let wrong = problems.len().saturating_sub(blank);
            ui.label(match (blank, wrong) {
                (_, 0) => "ℹ Fill in the fields still blank to save.".to_owned(),
                (0, n) => format!("ℹ {} to correct (each says why under it).", fields(n)),
                (b, n) => format!(
                    "ℹ {} to correct (each says why under it) and {} to fill in.",
                    fields(n),
                    fields(b)
                ),
            });
        }
        crate::gui::dialogs::frame::focus_in_view(ui);
    });
}

fn fields(n: usize) -> String {
    crate::gui::words::count(n, "field", "fields")
}
