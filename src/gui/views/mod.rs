//! The main window's views. Each reads the [`StoreView`] and returns what the user asked
//! for (an [`Intent`]) or pushes [`Command`]s for the store; none writes the store, opens a
//! dialog or starts a job, and none imports the app.

mod cas_page;
mod deploy_page;
mod expiry_banner;
mod log;
mod nav;
mod notices;
mod probe_page;
mod renewals_page;
mod san_table;
mod store_list;
mod topology;
mod welcome;
mod wizard_page;

pub use expiry_banner::{BannerChoice, expiry_banner_ui};
pub use nav::{FIND, MenuChoice, MenuState, QUIT, menu_and_toolbar_ui, nav_ui, zoom_shortcut};
pub use notices::{Notices, notices_ui};
pub use probe_page::ProbeForm;
pub use renewals_page::RenewalsForm;
pub use san_table::san_table_ui;
pub use store_list::{ListState, filter_id};
pub use topology::TopologyForm;

use super::command::Command;
use super::jobs::Jobs;
use super::verbs::Verb;
use super::view_model::StoreView;
use super::words::count;
use crate::deploy::usage::UsageType;
use crate::ops::online::ChainRoot;
use crate::store::{Location, LogEntry, Logical};

/// What the central area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The first-run panel.
    Welcome,
    /// A logical store of a location.
    Store(Location, Logical),
    /// The Certificate Wizard: usage status and assignment.
    Wizard,
    /// The deployment topology form.
    Topology,
    /// The activity log.
    Log,
    /// The certification authorities.
    Cas,
    /// Check what a server serves, and the pool.
    Probe,
    /// The deploy targets.
    Deploy,
    /// The certificates tracked for renewal.
    Renewals,
}

/// What a page asks the app to do (the app opens dialogs and starts jobs, never a view).
pub enum Intent {
    /// Start a verb, as from the menu.
    Start(Verb),
    /// Open the assign dialog for a usage.
    Assign(UsageType),
    /// Show a certificate's SAN inspector against a usage.
    Inspect(String, UsageType),
    /// Create and open the sample deployment.
    OpenSample,
    /// Open the Add an ACME CA dialog.
    AddCa,
    /// Open the edit dialog on this CA connection.
    EditCa(String),
    /// Open the target editor on a new deploy target.
    AddTarget,
    /// Open the target editor on this deploy target.
    EditTarget(String),
    /// Check the pool's members (on the Check a server page).
    CheckPool,
}

/// What the pages read and may change: the page shown, the store's snapshot, the list's
/// and the topology form's own state, and where to put commands for the store.
pub struct Pages<'a> {
    /// The page shown.
    pub page: &'a mut Page,
    /// Whether the store's first snapshot has arrived.
    pub loaded: bool,
    /// The snapshot.
    pub view: &'a StoreView,
    /// The store list's filter, sort and selection.
    pub list: &'a mut ListState,
    /// The topology form.
    pub topology_form: &'a mut TopologyForm,
    /// The Check a server page.
    pub probe_form: &'a mut ProbeForm,
    /// The Certification Authorities page's offer of an AD CS CA's untrusted root.
    pub ca_root: &'a mut Option<(String, ChainRoot)>,
    /// The Renewals page's track field.
    pub renewals_form: &'a mut RenewalsForm,
    /// The Activity log: the store's entries with this window's failures among them.
    pub log: &'a [LogEntry],
    /// Commands for the store.
    pub commands: &'a mut Vec<Command>,
    /// The background jobs (the topology file's).
    pub jobs: &'a mut Jobs,
}

/// Draws the current page.
pub fn page_ui(ui: &mut egui::Ui, pages: Pages<'_>) -> Option<Intent> {
    let list = match *pages.page {
        Page::Store(location, logical) => Some((location, logical)),
        _ => None,
    };
    // A first page is only its own list's: the other pages wait for the whole store.
    if !pages.loaded || !pages.view.shows(list) {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Loading the store…");
        });
        return None;
    }
    match *pages.page {
        Page::Welcome => welcome::welcome_ui(ui, pages.page),
        Page::Store(location, logical) => {
            store_list::store_list_ui(ui, pages.view, pages.list, location, logical)
                .map(Intent::Start)
        }
        Page::Wizard => wizard_page::wizard_page_ui(ui, pages.view, pages.commands),
        Page::Topology => {
            topology::topology_ui(ui, pages.topology_form, pages.jobs, pages.commands);
            None
        }
        Page::Log => {
            log::log_ui(ui, pages.log);
            None
        }
        Page::Cas => cas_page::cas_page_ui(ui, pages.view, pages.ca_root, pages.commands),
        Page::Deploy => deploy_page::deploy_page_ui(ui, pages.view, pages.commands),
        Page::Probe => {
            probe_page::probe_page_ui(ui, pages.view, pages.probe_form, pages.commands);
            None
        }
        Page::Renewals => {
            renewals_page::renewals_page_ui(ui, pages.view, pages.renewals_form, pages.commands);
            None
        }
    }
}

/// The status bar: the connection when it is lost, running jobs and the store's size.
pub fn status_bar_ui(ui: &mut egui::Ui, view: &StoreView, jobs: &Jobs, offline: Option<&str>) {
    ui.horizontal(|ui| {
        if let Some(why) = offline {
            ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ Reconnecting: {why}"));
            ui.separator();
        }
        if view.locked {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "🔒 Locked: keys cannot be used until you unlock the store (File menu, Unlock store…)",
            );
            ui.separator();
        }
        if !jobs.idle() {
            ui.spinner();
            ui.label(format!("Working: {}", jobs.running().join(", ")));
            ui.separator();
        }
        if let Some(partial) = view.partial {
            ui.spinner();
            ui.label(format!(
                "Loading {} certificates…",
                crate::text::grouped(partial.total)
            ));
            return;
        }
        // Counted once per snapshot, never per frame.
        let system = view.system_count;
        ui.label(count(
            view.rows.len() - system,
            "certificate",
            "certificates",
        ));
        if system > 0 {
            ui.label(format!(
                "· {}",
                count(system, "root from the system", "roots from the system")
            ));
        }
        if !view.pending.is_empty() {
            ui.label(format!(
                "· {}",
                count(view.pending.len(), "pending request", "pending requests")
            ));
        }
        if !view.renewals.is_empty() && !view.schedule_installed {
            ui.separator();
            // Cut to the bar's width at any zoom; the whole sentence on hover.
            let text = egui::RichText::new(format!(
                "⚠ {} tracked for renewal, but no renewal schedule is installed",
                count(view.renewals.len(), "certificate", "certificates")
            ))
            .color(ui.visuals().warn_fg_color);
            ui.add(egui::Label::new(text).truncate()).on_hover_text(
                "They renew only when asked: `certdesk schedule install` runs `certdesk renew --due` twice a day",
            );
        }
    });
}
