//! The topology page: a form for the deployment, validated as it is typed, with each
//! message next to its field; Save stores it.

use crate::deploy::topology::{EdgeTopology, Role, Topology, TopologyError, WebTopology};
use crate::gui::command::Command;

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
    /// Edge pool members.
    pub pool_members: Vec<String>,
    /// Web FQDNs: internal, external.
    pub web: [String; 2],
    /// Meeting simple URLs.
    pub meet_urls: Vec<String>,
    /// Dial-in and admin simple URLs.
    pub dialin_admin: [String; 2],
}

impl From<Option<&Topology>> for TopologyForm {
    fn from(t: Option<&Topology>) -> Self {
        let Some(t) = t else {
            return Self {
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
            };
        };
        let edge = t.edge.clone().unwrap_or_default();
        let web = t.web.clone().unwrap_or_default();
        Self {
            role: t.role,
            server_fqdn: t.server_fqdn.clone(),
            pool_fqdn: t.pool_fqdn.clone().unwrap_or_default(),
            sip_domains: t.sip_domains.clone(),
            xmpp_domains: t.xmpp_domains.clone(),
            public_im: t.public_im_federation,
            edge: [
                edge.access_fqdn,
                edge.webconf_fqdn,
                edge.av_fqdn,
                edge.internal_fqdn,
            ],
            pool_members: edge.pool_members,
            web: [web.internal_fqdn, web.external_fqdn],
            meet_urls: web.meet_urls,
            dialin_admin: [
                web.dialin_url.unwrap_or_default(),
                web.admin_url.unwrap_or_default(),
            ],
        }
    }
}

fn some(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_owned())
}

fn list(v: &[String]) -> Vec<String> {
    v.iter().filter_map(|s| some(s)).collect()
}

impl TopologyForm {
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
            public_im_federation: self.public_im,
            edge,
            web,
        }
    }
}

fn field_ui(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut String,
    field: &str,
    error: &Option<(String, String)>,
) {
    ui.horizontal(|ui| {
        let l = ui.add_sized([190.0, 20.0], egui::Label::new(label));
        ui.add(egui::TextEdit::singleline(value).desired_width(280.0))
            .labelled_by(l.id);
        if let Some((f, problem)) = error
            && f == field
        {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
    });
}

fn list_ui(
    ui: &mut egui::Ui,
    label: &str,
    values: &mut Vec<String>,
    field: &str,
    error: &Option<(String, String)>,
) {
    ui.label(label);
    let mut remove = None;
    for (i, value) in values.iter_mut().enumerate() {
        field_ui(
            ui,
            &format!("  {label} {}", i + 1),
            value,
            &format!("{field}[{i}]"),
            error,
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
    }
}

/// The topology page.
pub fn topology_ui(ui: &mut egui::Ui, form: &mut TopologyForm, commands: &mut Vec<Command>) {
    ui.heading("Topology");
    let topology = form.topology();
    let error = match topology.validate() {
        Ok(()) => None,
        Err(TopologyError::Field { field, problem }) => Some((field, problem)),
        Err(other) => Some((String::new(), other.to_string())),
    };
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
            &error,
        );
        field_ui(ui, "Pool FQDN", &mut form.pool_fqdn, "pool_fqdn", &error);
        list_ui(
            ui,
            "SIP domain",
            &mut form.sip_domains,
            "sip_domains",
            &error,
        );
        list_ui(
            ui,
            "XMPP domain",
            &mut form.xmpp_domains,
            "xmpp_domains",
            &error,
        );
        ui.checkbox(&mut form.public_im, "Federates with public IM providers");
        if form.role == Role::Edge {
            for (i, (label, field)) in [
                ("Access Edge FQDN", "edge.access_fqdn"),
                ("Web Conferencing Edge FQDN", "edge.webconf_fqdn"),
                ("A/V Edge FQDN", "edge.av_fqdn"),
                ("Edge internal FQDN", "edge.internal_fqdn"),
            ]
            .into_iter()
            .enumerate()
            {
                field_ui(ui, label, &mut form.edge[i], field, &error);
            }
            list_ui(
                ui,
                "Edge pool member",
                &mut form.pool_members,
                "edge.pool_members",
                &error,
            );
        } else {
            field_ui(
                ui,
                "Internal web FQDN",
                &mut form.web[0],
                "web.internal_fqdn",
                &error,
            );
            field_ui(
                ui,
                "External web FQDN",
                &mut form.web[1],
                "web.external_fqdn",
                &error,
            );
            list_ui(
                ui,
                "Meeting URL",
                &mut form.meet_urls,
                "web.meet_urls",
                &error,
            );
            field_ui(
                ui,
                "Dial-in URL",
                &mut form.dialin_admin[0],
                "web.dialin_url",
                &error,
            );
            field_ui(
                ui,
                "Admin URL",
                &mut form.dialin_admin[1],
                "web.admin_url",
                &error,
            );
        }
        ui.separator();
        if let Some((field, problem)) = &error
            && field.is_empty()
        {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        let save = ui.add_enabled(error.is_none(), egui::Button::new("Save topology"));
        let save = match &error {
            Some((field, problem)) => save.on_disabled_hover_text(format!("{field}: {problem}")),
            None => save,
        };
        if save.clicked() {
            commands.push(Command::SetTopology(topology.to_toml()));
        }
    });
}
