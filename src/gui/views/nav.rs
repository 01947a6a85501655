//! The navigation tree, and the menu bar and toolbar derived from [`Verb`].

use std::path::PathBuf;

use egui::{Key, KeyboardShortcut, Modifiers};

use super::Page;
use crate::gui::settings::ThemeChoice;
use crate::gui::verbs::Verb;
use crate::gui::view_model::StoreView;
use crate::store::{Location, Logical};

/// What the menu bar asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum MenuChoice {
    /// A verb (File and Action menus, toolbar).
    Verb(Verb),
    /// Open a store from the recent list.
    OpenRecent(PathBuf),
    /// Show a page (View menu).
    Page(Page),
    /// Change the theme.
    Theme(ThemeChoice),
    /// Zoom by a factor (1.0 resets to 100 %).
    Zoom(f32),
    /// Count the operating system's roots as Trusted Roots of this store, or not.
    SystemRoots(bool),
    /// Close the window.
    Quit,
}

/// What the menus show besides the verbs.
pub struct MenuState<'a> {
    /// Whether a certificate is selected (Export, Remove, … need one).
    pub has_selection: bool,
    /// Whether an online CA holds a request (Retrieve needs one).
    pub held_requests: bool,
    /// The recent stores, most recent first.
    pub recent: &'a [PathBuf],
    /// The theme chosen.
    pub theme: ThemeChoice,
    /// The page shown.
    pub page: Page,
    /// Whether the store counts the operating system's roots as Trusted Roots.
    pub system_roots: bool,
    /// Whether the store is locked (Unlock needs it).
    pub locked: bool,
}

impl MenuState<'_> {
    /// Whether a verb can be chosen now.
    fn enabled(&self, verb: Verb) -> bool {
        match verb {
            Verb::Retrieve => self.held_requests,
            Verb::Unlock => self.locked,
            _ => self.has_selection || !verb.needs_selection(),
        }
    }
}

/// Zoom steps of the View menu and of Ctrl + / Ctrl − / Ctrl 0 alike (egui's own keyboard
/// zoom, a different step, is turned off).
const ZOOM_STEP: f32 = 1.25;

/// Ctrl+Plus (or Ctrl+=), Ctrl+Minus and Ctrl+0: the View menu's zoom, by the same step.
pub fn zoom_shortcut(ctx: &egui::Context) -> Option<MenuChoice> {
    use egui::gui_zoom::kb_shortcuts::{ZOOM_IN, ZOOM_IN_SECONDARY, ZOOM_OUT, ZOOM_RESET};
    ctx.input_mut(|i| {
        if i.consume_shortcut(&ZOOM_RESET) {
            Some(MenuChoice::Zoom(1.0))
        } else if i.consume_shortcut(&ZOOM_IN) || i.consume_shortcut(&ZOOM_IN_SECONDARY) {
            Some(MenuChoice::Zoom(ZOOM_STEP))
        } else if i.consume_shortcut(&ZOOM_OUT) {
            Some(MenuChoice::Zoom(1.0 / ZOOM_STEP))
        } else {
            None
        }
    })
}

/// The menu bar (File, Action, View, Help; Alt and the underlined letter opens each) and
/// the toolbar; returns what was chosen.
pub fn menu_and_toolbar_ui(ui: &mut egui::Ui, state: &MenuState<'_>) -> Option<MenuChoice> {
    let mut chosen = None;
    egui::MenuBar::new().ui(ui, |ui| {
        menu(ui, "File", Key::F, |ui, focus| {
            for verb in Verb::FILE {
                if verb_item(ui, verb, state.enabled(verb), focus) {
                    chosen = Some(MenuChoice::Verb(verb));
                }
            }
            if !state.recent.is_empty() {
                ui.separator();
                ui.label("Recent stores");
                for (i, dir) in state.recent.iter().enumerate() {
                    let text = format!("{} {}", i + 1, dir.display());
                    if item(ui, egui::Button::new(text), focus).clicked() {
                        chosen = Some(MenuChoice::OpenRecent(dir.clone()));
                    }
                }
            }
            ui.separator();
            let quit = egui::Button::new("Quit").shortcut_text(ui.ctx().format_shortcut(&QUIT));
            if item(ui, quit, focus).clicked() {
                chosen = Some(MenuChoice::Quit);
            }
        });
        menu(ui, "Action", Key::A, |ui, focus| {
            for verb in Verb::ALL {
                if verb_item(ui, verb, state.enabled(verb), focus) {
                    chosen = Some(MenuChoice::Verb(verb));
                }
            }
            ui.separator();
            let deploy = egui::Button::new("Deploy targets…");
            if item(ui, deploy, focus)
                .on_hover_text("Where certificates' files go, and Deploy now")
                .clicked()
            {
                chosen = Some(MenuChoice::Page(Page::Deploy));
            }
        });
        menu(ui, "View", Key::V, |ui, focus| {
            for (label, target) in PAGES {
                let button = egui::Button::selectable(state.page == target, label);
                if item(ui, button, focus).clicked() {
                    chosen = Some(MenuChoice::Page(target));
                }
            }
            ui.separator();
            let trust = egui::Button::selectable(
                state.system_roots,
                "Trust the operating system's roots",
            );
            if item(ui, trust, focus)
                .on_hover_text(
                    "Count the roots the operating system trusts as Trusted Roots of this store, as Windows does",
                )
                .clicked()
            {
                chosen = Some(MenuChoice::SystemRoots(!state.system_roots));
            }
            ui.separator();
            ui.label("Theme");
            for theme in ThemeChoice::ALL {
                let button = egui::Button::selectable(state.theme == theme, theme.label());
                if item(ui, button, focus).clicked() {
                    chosen = Some(MenuChoice::Theme(theme));
                }
            }
            ui.separator();
            for (label, factor, key) in [
                ("Zoom in", ZOOM_STEP, Key::Plus),
                ("Zoom out", 1.0 / ZOOM_STEP, Key::Minus),
                ("Actual size", 1.0, Key::Num0),
            ] {
                let shortcut = KeyboardShortcut::new(Modifiers::COMMAND, key);
                let button =
                    egui::Button::new(label).shortcut_text(ui.ctx().format_shortcut(&shortcut));
                if item(ui, button, focus).clicked() {
                    chosen = Some(MenuChoice::Zoom(factor));
                }
            }
        });
        menu(ui, "Help", Key::H, |ui, focus| {
            if verb_item(ui, Verb::About, true, focus) {
                chosen = Some(MenuChoice::Verb(Verb::About));
            }
        });
    });
    // The toolbar wraps onto a second row when the window is narrow or zoomed.
    ui.horizontal_wrapped(|ui| {
        for verb in Verb::ALL {
            if ui
                .add_enabled(state.enabled(verb), egui::Button::new(verb.label()))
                .on_hover_text(verb.tooltip())
                .on_disabled_hover_text(verb.why_disabled())
                .clicked()
            {
                chosen = Some(MenuChoice::Verb(verb));
            }
        }
    });
    chosen
}

/// Ctrl+Q closes the window.
pub const QUIT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Q);

/// Ctrl+F puts the focus in the store list's filter field.
pub const FIND: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);

/// The pages of the View menu and the tree's lower part.
const PAGES: [(&str, Page); 7] = [
    ("Certificate Wizard", Page::Wizard),
    ("Renewals", Page::Renewals),
    ("Deploy targets", Page::Deploy),
    ("Check a server", Page::Probe),
    ("Topology", Page::Topology),
    ("Certification Authorities", Page::Cas),
    ("Activity log", Page::Log),
];

/// A menu of the bar whose first letter is underlined and opens it with Alt; opened from
/// the keyboard, its first item takes the focus so arrows, Tab and Enter work at once.
fn menu(ui: &mut egui::Ui, title: &str, key: Key, content: impl FnOnce(&mut egui::Ui, &mut bool)) {
    let by_key = ui.input_mut(|i| i.consume_key(Modifiers::ALT, key));
    let focus_id = egui::Id::unique(("menu focus first", title));
    let mut job = egui::text::LayoutJob::default();
    let font = egui::TextStyle::Button.resolve(ui.style());
    let color = ui.visuals().text_color();
    let split = title.chars().next().map_or(0, char::len_utf8);
    job.append(
        &title[..split],
        0.0,
        egui::TextFormat {
            underline: egui::Stroke::new(1.0, color),
            ..egui::TextFormat::simple(font.clone(), color)
        },
    );
    job.append(&title[split..], 0.0, egui::TextFormat::simple(font, color));
    let response = ui
        .menu_button(job, |ui| {
            let mut focus = ui.data_mut(|d| d.remove_temp::<bool>(focus_id).unwrap_or(false));
            content(ui, &mut focus);
        })
        .response;
    if by_key {
        egui::Popup::open_id(ui.ctx(), egui::Popup::default_response_id(&response));
        ui.data_mut(|d| d.insert_temp(focus_id, true));
        ui.ctx().request_repaint();
    }
}

/// A menu item; the first one takes the focus when the menu was opened from the keyboard.
/// A click closes the menu.
fn item(ui: &mut egui::Ui, button: egui::Button<'_>, focus: &mut bool) -> egui::Response {
    let response = ui.add(button);
    if std::mem::take(focus) {
        response.request_focus();
    }
    if response.clicked() {
        ui.close();
    }
    response
}

/// A verb's menu item with its shortcut; whether it was chosen.
fn verb_item(ui: &mut egui::Ui, verb: Verb, enabled: bool, focus: &mut bool) -> bool {
    let shortcut = ui.ctx().format_shortcut(&verb.shortcut());
    let button = egui::Button::new(verb.label()).shortcut_text(shortcut);
    let response = ui
        .add_enabled(enabled, button)
        .on_hover_text(verb.tooltip())
        .on_disabled_hover_text(verb.why_disabled());
    if enabled && std::mem::take(focus) {
        response.request_focus();
    }
    if response.clicked() {
        ui.close();
    }
    response.clicked()
}

/// The navigation tree: locations with their stores (and counts), then the wizard pages.
pub fn nav_ui(ui: &mut egui::Ui, view: &StoreView, page: &mut Page) {
    ui.add_space(4.0);
    for location in Location::ALL {
        egui::CollapsingHeader::new(location.title())
            .default_open(true)
            .show(ui, |ui| {
                for logical in Logical::ALL {
                    let count = view.counts.get(&(location, logical)).copied().unwrap_or(0);
                    let label = format!("{} ({count})", short_title(logical));
                    let target = Page::Store(location, logical);
                    if ui.selectable_label(*page == target, label).clicked() {
                        *page = target;
                    }
                }
            });
    }
    ui.separator();
    for (label, target) in PAGES {
        if ui.selectable_label(*page == target, label).clicked() {
            *page = target;
        }
    }
}

fn short_title(logical: Logical) -> &'static str {
    match logical {
        Logical::Personal => "Personal",
        Logical::Ca => "Intermediate CAs",
        Logical::Root => "Trusted Roots",
        Logical::Requests => "Enrollment Requests",
    }
}
