//! The user's verbs: one enum, each knowing its label, tooltip and shortcut. The menu,
//! the toolbar, the row context menu and the keyboard shortcuts all derive from it.

use egui::{Key, KeyboardShortcut, Modifiers};

/// Something the user can ask for from the menu, the toolbar, a row or the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// Open the request wizard.
    Request,
    /// Open the import dialog.
    Import,
    /// Export the selected certificate.
    Export,
    /// Assign the selected certificate (or open the Certificate Wizard).
    Assign,
    /// Remove the selected certificate.
    Remove,
    /// Show the selected certificate's details.
    ViewDetails,
    /// Copy the selected certificate's thumbprint.
    CopyThumbprint,
    /// Renew the selected certificate.
    Renew,
    /// Ask the online CAs for what they have issued of the requests they hold.
    Retrieve,
    /// Open another store, or create one (File menu).
    OpenStore,
    /// Create a new store (File menu).
    NewStore,
    /// Give a locked store's passphrase (File menu).
    Unlock,
    /// What certdesk is, and its keyboard shortcuts (Help menu).
    About,
}

impl Verb {
    /// The File menu's verbs.
    pub const FILE: [Verb; 3] = [Verb::OpenStore, Verb::NewStore, Verb::Unlock];

    /// The verbs of the window rather than of certificates (shortcuts only).
    pub const WINDOW: [Verb; 4] = [Verb::OpenStore, Verb::NewStore, Verb::Unlock, Verb::About];

    /// Every verb of the Action menu and the toolbar, in menu order.
    pub const ALL: [Verb; 9] = [
        Verb::Request,
        Verb::Import,
        Verb::Export,
        Verb::Assign,
        Verb::Renew,
        Verb::Retrieve,
        Verb::Remove,
        Verb::ViewDetails,
        Verb::CopyThumbprint,
    ];

    /// The button and menu label.
    pub fn label(self) -> &'static str {
        match self {
            Verb::Request => "Request…",
            Verb::Import => "Import…",
            Verb::Export => "Export…",
            Verb::Assign => "Assign…",
            Verb::Remove => "Remove",
            Verb::ViewDetails => "View details",
            Verb::CopyThumbprint => "Copy thumbprint",
            Verb::Renew => "Renew…",
            Verb::Retrieve => "Retrieve",
            Verb::OpenStore => "Open store…",
            Verb::NewStore => "New store…",
            Verb::Unlock => "Unlock store…",
            Verb::About => "About certdesk",
        }
    }

    /// The tooltip.
    pub fn tooltip(self) -> &'static str {
        match self {
            Verb::Request => {
                "Request a certificate: a CSR for your CA, or one issued at once by the built-in CA"
            }
            Verb::Import => "Import a .cer, .p7b or .pfx file",
            Verb::Export => "Export the selected certificate as .pfx (with its key), .cer or .p7b",
            Verb::Assign => "Assign the selected certificate to a usage",
            Verb::Remove => "Remove the selected certificate and its private key",
            Verb::ViewDetails => "Show every field, the certification path and the SAN inspector",
            Verb::CopyThumbprint => "Copy the SHA-1 thumbprint",
            Verb::Renew => {
                "Renew the selected certificate: same names and template, the same key unless you ask for a new one"
            }
            Verb::Retrieve => {
                "Fetch what the online CAs have issued of the requests they hold for approval"
            }
            Verb::OpenStore => {
                "Work on another store: a directory (created if it does not exist) or a team database"
            }
            Verb::NewStore => "Create an empty store in a new directory and work on it",
            Verb::Unlock => "Give the store's passphrase so that its keys can be used",
            Verb::About => "The version, where the store is, and the keyboard shortcuts",
        }
    }

    /// The keyboard shortcut.
    pub fn shortcut(self) -> KeyboardShortcut {
        let (modifiers, key) = match self {
            Verb::Request => (Modifiers::COMMAND, Key::N),
            Verb::Import => (Modifiers::COMMAND, Key::O),
            Verb::Export => (Modifiers::COMMAND, Key::E),
            Verb::Assign => (Modifiers::COMMAND | Modifiers::SHIFT, Key::A),
            Verb::Remove => (Modifiers::NONE, Key::Delete),
            Verb::ViewDetails => (Modifiers::NONE, Key::Enter),
            Verb::CopyThumbprint => (Modifiers::COMMAND | Modifiers::SHIFT, Key::C),
            Verb::Renew => (Modifiers::COMMAND, Key::R),
            Verb::Retrieve => (Modifiers::COMMAND | Modifiers::SHIFT, Key::R),
            Verb::OpenStore => (Modifiers::COMMAND | Modifiers::SHIFT, Key::O),
            Verb::NewStore => (Modifiers::COMMAND | Modifiers::SHIFT, Key::N),
            Verb::Unlock => (Modifiers::COMMAND | Modifiers::SHIFT, Key::L),
            Verb::About => (Modifiers::NONE, Key::F1),
        };
        KeyboardShortcut::new(modifiers, key)
    }

    /// Why the verb cannot be chosen, when it is disabled.
    pub fn why_disabled(self) -> &'static str {
        match self {
            Verb::Retrieve => "No request is waiting at an online CA",
            Verb::Unlock => "The store is not locked",
            _ => "Select a certificate first",
        }
    }

    /// Whether the verb needs a selected certificate.
    pub fn needs_selection(self) -> bool {
        !matches!(
            self,
            Verb::Request
                | Verb::Import
                | Verb::Assign
                | Verb::Retrieve
                | Verb::OpenStore
                | Verb::NewStore
                | Verb::Unlock
                | Verb::About
        )
    }
}
