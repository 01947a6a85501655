//! The one frame every dialog and wizard is drawn in, as the Windows console and the Lync
//! Certificate Wizard draw theirs: modal (the window behind dimmed and inert, Tab stays
//! inside), centred, titled, one fixed size per dialog so the buttons never move, the body
//! scrolling inside when it does not fit, and the buttons in a row at the bottom right.
//! Esc cancels; Enter presses the default button ([`enter_pressed`]).

use egui::{Align, Layout, Vec2};

/// Which part of the dialog a draw call is for (see [`parts_ui`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The button row at the bottom (right to left).
    Footer,
    /// Everything above it (scrolls when it does not fit).
    Body,
}

/// A dialog's fixed size: at most what a 1024×768 screen leaves, at least what its pages need.
pub fn size_for(ctx: &egui::Context, wanted: Vec2) -> Vec2 {
    let screen = ctx.content_rect().size();
    Vec2::new(
        wanted.x.min(screen.x - 32.0).max(320.0),
        wanted.y.min(screen.y - 48.0).max(240.0),
    )
}

/// Shows a modal dialog titled `title` (and `subtitle`, one line under it) of `size`;
/// `content` draws it. Returns what `content` returned and whether Esc asked to cancel.
pub fn modal_ui<R>(
    ctx: &egui::Context,
    title: &str,
    subtitle: Option<&str>,
    size: Vec2,
    content: impl FnOnce(&mut egui::Ui) -> R,
) -> (R, bool) {
    let size = size_for(ctx, size);
    let modal = egui::Modal::new(egui::Id::unique(("dialog", title)));
    let opening = opening(ctx, modal.area.layer());
    let response = modal.show(ctx, |ui| {
        // An exact rectangle, so the layout inside never depends on the content.
        let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
        let mut inner = ui.new_child(
            egui::UiBuilder::new()
                .id_salt(opening)
                .max_rect(rect)
                .layout(Layout::top_down(Align::Min)),
        );
        inner.set_clip_rect(rect.intersect(ui.clip_rect()));
        inner.heading(title);
        if let Some(subtitle) = subtitle {
            inner.label(subtitle);
        }
        inner.separator();
        content(&mut inner)
    });
    let escape = response.is_top_modal
        && !response.any_popup_open
        && ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape));
    (response.inner, escape)
}

/// The number of this opening of the dialog on `layer`, counted each time it appears.
///
/// The widgets inside a dialog take their ids from it, so every opening starts afresh.
/// egui keeps a layer in its stacking order after it is gone: a list that a dialog opened
/// once stayed under the same dialog raised again on its next opening, open but hidden
/// (it did not seem to open, and Esc closed it first).
fn opening(ctx: &egui::Context, layer: egui::LayerId) -> u64 {
    let id = layer.id.with("opening");
    let shown = ctx.memory(|m| m.areas().visible_last_frame(&layer));
    ctx.data_mut(|d| {
        let count = d.get_temp_mut_or_default::<u64>(id);
        if !shown {
            *count += 1;
        }
        *count
    })
}

/// Scrolls the widget that has just taken the keyboard focus into view when it lies in this
/// scrolled content, so that Tab reaches what is below the fold (at 150 % a page or a
/// dialog is taller than the window). Called at the end of a scroll area's content.
pub fn focus_in_view(ui: &egui::Ui) {
    let focused = ui.memory(|m| m.focused());
    let key = ui.scope_id().with("focus in view");
    let moved = ui.data_mut(|d| {
        let before = d.get_temp::<Option<egui::Id>>(key);
        d.insert_temp(key, focused);
        before != Some(focused)
    });
    if let Some(r) = focused
        .filter(|_| moved)
        .and_then(|id| ui.ctx().read_response(id))
        .filter(|r| r.layer_id == ui.layer_id() && ui.min_rect().intersects(r.rect))
    {
        r.scroll_to_me(None);
    }
}

/// Lays out a dialog: `draw` is called for the body, which fills the space above the
/// footer and scrolls, and then for the footer, a row at the bottom right drawn left to
/// right, so that Tab meets its buttons in the order they are seen (Back, Next, Cancel).
pub fn parts_ui(ui: &mut egui::Ui, mut draw: impl FnMut(&mut egui::Ui, Part)) {
    let width = ui.available_width();
    let footer = ui.spacing().interact_size.y + 3.0 * ui.spacing().item_spacing.y + 6.0;
    let body = (ui.available_height() - footer).max(48.0);
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .max_height(body)
        .min_scrolled_height(body)
        .max_width(width)
        .show(ui, |ui| {
            ui.set_max_width(width - ui.spacing().scroll.bar_width - 4.0);
            draw(ui, Part::Body);
            focus_in_view(ui);
        });
    ui.separator();
    // The row has the dialog's own width, whatever the body's content asked for; it is
    // pushed to the right by what its content took last frame (a frame that finds another
    // width is drawn again at once).
    let used_id = ui.scope_id().with("footer width");
    let last = ui.data(|d| d.get_temp::<f32>(used_id));
    ui.allocate_ui_with_layout(
        egui::vec2(width, ui.spacing().interact_size.y),
        Layout::left_to_right(Align::Center),
        |ui| {
            ui.add_space((width - last.unwrap_or(width)).max(0.0));
            let start = ui.cursor().min.x;
            draw(ui, Part::Footer);
            let used = ui.min_rect().right() - start;
            if last.is_none_or(|last| (last - used).abs() > 0.5) {
                ui.data_mut(|d| d.insert_temp(used_id, used));
                ui.ctx()
                    .request_discard("the dialog's buttons changed width");
            }
        },
    );
}

fn default_id() -> egui::Id {
    egui::Id::unique("dialog default button")
}

fn buttons_id() -> egui::Id {
    egui::Id::unique("dialog buttons")
}

/// A dialog's push button. It is remembered as one, so that Enter on it when it has the
/// focus presses it, not the default button ([`route_enter`]).
pub fn button<'a>(ui: &mut egui::Ui, text: impl egui::IntoAtoms<'a>) -> egui::Response {
    button_enabled(ui, true, text)
}

/// [`button`], enabled or not.
pub fn button_enabled<'a>(
    ui: &mut egui::Ui,
    enabled: bool,
    text: impl egui::IntoAtoms<'a>,
) -> egui::Response {
    let response = ui.add_enabled(enabled, egui::Button::new(text));
    ui.data_mut(|d| {
        d.get_temp_mut_or_default::<Vec<egui::Id>>(buttons_id())
            .push(response.id)
    });
    response
}

/// Called at the start of every frame; with a dialog open: Enter on a focused push button
/// presses that button; otherwise, unless a text field has the focus, Enter is taken away
/// from the focused widget (a check box would toggle) and given to the dialog's default
/// button, as in a Windows dialog. Space still presses the focused widget.
pub fn route_enter(ctx: &egui::Context, dialog_open: bool) {
    // The buttons the dialogs drew last frame.
    let buttons = ctx
        .data_mut(|d| d.remove_temp::<Vec<egui::Id>>(buttons_id()))
        .unwrap_or_default();
    let on_button = ctx
        .memory(|m| m.focused())
        .is_some_and(|f| buttons.contains(&f));
    let to_default = dialog_open
        && !on_button
        && if ctx.text_edit_focused() {
            // The field sees it too (it gives up the focus).
            ctx.input(|i| i.key_pressed(egui::Key::Enter) && !i.modifiers.any())
        } else {
            ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter))
        };
    ctx.data_mut(|d| d.insert_temp(default_id(), to_default));
}

fn covered_id() -> egui::Id {
    egui::Id::unique("dialog covered")
}

/// Says whether the dialogs drawn next are covered by another one (the file browser above
/// the dialog that asked for it): a covered dialog's default button ignores Enter.
pub fn set_covered(ctx: &egui::Context, covered: bool) {
    ctx.data_mut(|d| d.insert_temp(covered_id(), covered));
}

/// Whether Enter was pressed this frame for the dialog's default button ([`route_enter`]):
/// in a text field (which then gives up the focus) or on anything but a push button; never
/// for a dialog another one covers ([`set_covered`]).
pub fn enter_pressed(ui: &egui::Ui) -> bool {
    let (routed, covered) = ui.data(|d| {
        (
            d.get_temp::<bool>(default_id()).unwrap_or(false),
            d.get_temp::<bool>(covered_id()).unwrap_or(false),
        )
    });
    routed && !covered
}

/// A labelled one-line text field (the label names it for screen readers and tests); the
/// field's response.
pub fn text_row(ui: &mut egui::Ui, label: &str, value: &mut String) -> egui::Response {
    ui.horizontal(|ui| {
        let l = ui.add_sized([160.0, 20.0], egui::Label::new(label));
        ui.add(egui::TextEdit::singleline(value).desired_width(300.0))
            .labelled_by(l.id)
    })
    .inner
}

/// A labelled one-line field of an editor dialog (add or edit a connection, a target): a
/// wide label column, a hint while empty, the text hidden when `secret`; the field's
/// response.
pub fn editor_field(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut String,
    hint: &str,
    secret: bool,
) -> egui::Response {
    ui.horizontal(|ui| {
        let l = ui.add_sized([170.0, 20.0], egui::Label::new(label));
        ui.add(
            egui::TextEdit::singleline(value)
                .password(secret)
                .hint_text(hint)
                .desired_width(400.0),
        )
        .labelled_by(l.id)
    })
    .inner
}

/// What is still to do before the default button works: body size, with an info sign, in
/// the normal text colour (nothing is wrong yet).
pub fn hint_ui(ui: &mut egui::Ui, text: &str) {
    ui.label(format!("ℹ {text}"));
}

/// A validation message beside its field: body size, with a warning sign.
pub fn error_ui(ui: &mut egui::Ui, text: &str) {
    ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {text}"));
}
