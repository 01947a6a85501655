//! The *Check a server* page (`certdesk probe`, `certdesk pool check`): a host, port, SNI
//! and the usages to check; the served chain and its checklist beside what this store
//! holds; and the pool's members compared.

use crate::deploy::usage::UsageType;
use crate::gui::command::Command;
use crate::gui::view_model::StoreView;
use crate::net::probe::Target;
use crate::ops::pool::{self, MemberAddress, PoolQuery, PoolReport};
use crate::ops::probe::{Here, ProbeReport};
use crate::ops::revocation::Revocation;

/// The page's form and its last results.
pub struct ProbeForm {
    /// `HOST[:PORT]`.
    pub target: String,
    /// The name to ask for, when the host is an address.
    pub sni: String,
    /// The usages whose SANs the served certificate must carry.
    pub usages: Vec<UsageType>,
    /// The pool check's port.
    pub pool_port: String,
    /// Where pool members are reached, as typed.
    pub addresses: Vec<TypedAddress>,
    /// A check is running.
    pub running: bool,
    /// What the last probe found.
    pub reports: Vec<ProbeReport>,
    /// What the last pool check found.
    pub pool: Option<PoolReport>,
    /// The last input error.
    pub error: Option<String>,
}

/// Where one pool member is reached, as typed: `IP[:PORT]` (blank: its name resolves).
#[derive(Debug, Clone, Default)]
pub struct TypedAddress {
    /// The member's FQDN.
    pub member: String,
    /// The text typed.
    pub text: String,
}

impl Default for ProbeForm {
    fn default() -> Self {
        Self {
            target: String::new(),
            sni: String::new(),
            usages: Vec::new(),
            pool_port: "5061".into(),
            addresses: Vec::new(),
            running: false,
            reports: Vec::new(),
            pool: None,
            error: None,
        }
    }
}

impl ProbeForm {
    /// The pool check the form asks for, marked running; or None, with the form's error
    /// saying what is wrong (a port, an address).
    pub fn pool_command(&mut self) -> Option<Command> {
        let Ok(port) = self.pool_port.trim().parse::<u16>() else {
            self.error = Some(format!("\"{}\" is not a port", self.pool_port.trim()));
            return None;
        };
        let mut addresses = Vec::new();
        for TypedAddress { member, text } in &self.addresses {
            if text.trim().is_empty() {
                continue;
            }
            match pool::parse_address(text, port) {
                Ok(address) => addresses.push(MemberAddress {
                    member: member.clone(),
                    address,
                }),
                Err(e) => {
                    self.error = Some(format!("{member}: {e}"));
                    return None;
                }
            }
        }
        self.error = None;
        self.running = true;
        Some(Command::PoolCheck(PoolQuery { port, addresses }))
    }
}

fn mark(ok: bool) -> &'static str {
    if ok { "✔" } else { "⛔" }
}

fn report_ui(ui: &mut egui::Ui, report: &ProbeReport) {
    ui.strong(format!("{}  (SNI {})", report.target, report.sni));
    if let Some(subject) = &report.subject {
        egui::Grid::new(("probe", &report.target))
            .num_columns(2)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                let mut row = |label: &str, value: String| {
                    ui.label(label);
                    ui.add(egui::Label::new(value).wrap());
                    ui.end_row();
                };
                row("Subject", subject.clone());
                row("Issuer", report.issuer.clone().unwrap_or_default());
                row("Names", report.sans.join(", "));
                row("Served chain", report.chain.join("\n"));
                row(
                    "Trusted",
                    format!("{} by this store or the system", mark(report.trusted)),
                );
                row(
                    "Name",
                    format!("{} {} is covered", mark(report.name_matches), report.sni),
                );
                row(
                    "Usages' names",
                    if report.missing_sans.is_empty() {
                        "✔ none missing".to_owned()
                    } else {
                        format!("⛔ missing {}", report.missing_sans.join(", "))
                    },
                );
                let days = report.days_left.unwrap_or_default();
                row(
                    "Expires",
                    format!(
                        "{} ({days} {})",
                        report.not_after.as_deref().unwrap_or(""),
                        if days == 1 { "day" } else { "days" }
                    ),
                );
                row(
                    "Revocation",
                    match &report.revocation {
                        Revocation::Good { source } => format!("✔ not revoked ({source})"),
                        Revocation::Unchecked => {
                            "○ not checked (no OCSP or CRL, or no issuer served)".to_owned()
                        }
                        other => format!("⛔ {}", other.sentence().unwrap_or_default()),
                    },
                );
                let here = report.here();
                let mark = if here == Here::Absent { "○" } else { "✔" };
                row("Here", format!("{mark} {here}"));
            });
    }
    for problem in &report.problems {
        ui.label(format!("⚠ {problem}"));
    }
    ui.separator();
}

/// Draws the page; the checks are commands (they run on the store's thread).
pub fn probe_page_ui(
    ui: &mut egui::Ui,
    view: &StoreView,
    form: &mut ProbeForm,
    commands: &mut Vec<Command>,
) {
    ui.heading("Check a server");
    ui.label(
        "Connects with TLS and checks what the server serves: the chain against this \
         store's and the system's roots, the name, the names the usages need, expiry, and \
         whether it is the certificate this store holds.",
    );
    ui.horizontal(|ui| {
        let label = ui.label("Server (HOST[:PORT])");
        ui.add(
            egui::TextEdit::singleline(&mut form.target)
                .hint_text("sip.contoso.com:5061")
                .desired_width(260.0),
        )
        .labelled_by(label.id);
        let label = ui.label("SNI");
        ui.add(
            egui::TextEdit::singleline(&mut form.sni)
                .hint_text("the host")
                .desired_width(200.0),
        )
        .labelled_by(label.id);
    });
    if let Some(topology) = &view.topology {
        ui.horizontal_wrapped(|ui| {
            ui.label("Usages:");
            for usage in topology.role.usages().iter().copied() {
                let mut on = form.usages.contains(&usage);
                if ui.checkbox(&mut on, usage.title()).changed() {
                    form.usages.retain(|u| *u != usage);
                    if on {
                        form.usages.push(usage);
                    }
                }
            }
        });
    }
    ui.horizontal(|ui| {
        let enabled = !form.running && !form.target.trim().is_empty();
        if ui
            .add_enabled(enabled, egui::Button::new("Check"))
            .clicked()
        {
            match Target::parse(form.target.trim(), 443) {
                Ok(mut target) => {
                    if !form.sni.trim().is_empty() {
                        target.sni = form.sni.trim().to_owned();
                    }
                    form.error = None;
                    form.running = true;
                    commands.push(Command::Probe(vec![target], form.usages.clone()));
                }
                Err(e) => form.error = Some(e.to_string()),
            }
        }
        ui.separator();
        let label = ui.label("Pool port");
        ui.add(egui::TextEdit::singleline(&mut form.pool_port).desired_width(60.0))
            .labelled_by(label.id);
        let pool = ui.add_enabled(
            !form.running && view.topology.is_some(),
            egui::Button::new("Check the pool's members"),
        );
        if pool.clicked()
            && let Some(command) = form.pool_command()
        {
            commands.push(command);
        }
        if form.running {
            ui.spinner();
        }
    });
    if let Some(topology) = &view.topology {
        members_ui(ui, &topology.pool_members(), &mut form.addresses);
    }
    if let Some(error) = &form.error {
        ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {error}"));
    }
    egui::ScrollArea::vertical().show(ui, |ui| {
        if let Some(pool) = &form.pool {
            let mark = match (pool.consistent, pool.unreached.is_empty()) {
                (true, _) => "✔",
                (false, false) if !pool.verdict.contains("differ") => "⚠",
                _ => "⛔",
            };
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!("Pool {}: {mark} {}", pool.pool, pool.verdict))
                        .strong(),
                )
                .wrap(),
            );
            for problem in &pool.problems {
                ui.label(format!("⚠ {problem}"));
            }
            for member in &pool.members {
                ui.label(format!("{}:", member.member));
                report_ui(ui, &member.probe);
            }
        }
        for report in &form.reports {
            report_ui(ui, report);
        }
        crate::gui::dialogs::frame::focus_in_view(ui);
    });
}

/// The pool's members, each with where to reach it (as `pool check --address`); or what to
/// do when the topology lists none.
fn members_ui(ui: &mut egui::Ui, members: &[String], addresses: &mut Vec<TypedAddress>) {
    addresses.retain(|a| members.contains(&a.member));
    for member in members {
        if !addresses.iter().any(|a| a.member == *member) {
            addresses.push(TypedAddress {
                member: member.clone(),
                text: String::new(),
            });
        }
    }
    if members.is_empty() {
        ui.label(
            "ℹ The topology lists no pool members: add the pool's servers on the Topology page to compare them.",
        );
        return;
    }
    ui.label("Pool members (an address reaches a member whose name does not resolve here):");
    egui::Grid::new("pool members")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for TypedAddress { member, text } in addresses.iter_mut() {
                let label = ui.label(format!("Address of {member}"));
                ui.add(
                    egui::TextEdit::singleline(text)
                        .hint_text("IP[:PORT] (blank: resolve the name)")
                        .desired_width(240.0),
                )
                .labelled_by(label.id);
                ui.end_row();
            }
        });
}
