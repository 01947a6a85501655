//! How an ACME CA's challenges are answered, asked the same way by the request wizard and
//! the Renew dialog: certdesk's own HTTP-01 listener (port and address), files in a web
//! server's folder, or DNS-01 (the TXT records are shown, the user creates them and
//! continues); and the table of those records.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use super::frame;
use crate::ca::acme::TxtRecord;
use crate::ops::enroll::Http01Answer;

/// Why the HTTP-01 answer typed cannot be used; its `Display` is one sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerProblem {
    /// Webroot is chosen and no folder is given.
    #[error("choose the web server's folder (its webroot)")]
    NoWebroot,
    /// The listener's port is not a port.
    #[error("\"{0}\" is not a port (1 to 65535)")]
    BadPort(String),
    /// The listener's address is not an IP address.
    #[error("\"{0}\" is not an IP address")]
    BadAddress(String),
}

/// How an ACME CA's challenges are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    /// HTTP-01 by certdesk's own listener.
    Listener,
    /// HTTP-01 by files in a webroot.
    Webroot,
    /// DNS-01: the records are shown; the user creates them and continues.
    Dns,
}

/// The choice, as typed.
pub struct AcmeAnswer {
    /// Which challenge.
    pub challenge: Challenge,
    /// The HTTP-01 listener's port.
    pub http_port: String,
    /// The HTTP-01 listener's address.
    pub http_address: String,
    /// The web server's folder, for HTTP-01 by files.
    pub webroot: String,
}

impl Default for AcmeAnswer {
    fn default() -> Self {
        Self {
            challenge: Challenge::Listener,
            http_port: "80".into(),
            http_address: "0.0.0.0".into(),
            webroot: String::new(),
        }
    }
}

impl AcmeAnswer {
    /// Whether DNS-01 is chosen.
    pub fn dns01(&self) -> bool {
        self.challenge == Challenge::Dns
    }

    /// How HTTP-01 is answered, as typed, or why it cannot be.
    pub fn http01(&self) -> Result<Http01Answer, AnswerProblem> {
        match self.challenge {
            Challenge::Dns => Ok(Http01Answer::default()),
            Challenge::Webroot => match self.webroot.trim() {
                "" => Err(AnswerProblem::NoWebroot),
                dir => Ok(Http01Answer::Webroot(PathBuf::from(dir))),
            },
            Challenge::Listener => {
                let port = self.http_port.trim();
                let port: u16 = port
                    .parse()
                    .map_err(|_| AnswerProblem::BadPort(port.to_owned()))?;
                let address = self.http_address.trim();
                let address: IpAddr = address
                    .parse()
                    .map_err(|_| AnswerProblem::BadAddress(address.to_owned()))?;
                Ok(Http01Answer::Listen(SocketAddr::new(address, port)))
            }
        }
    }

    /// The three choices and their fields; `after` says when DNS-01's records are shown
    /// ("after Finish, the wizard").
    pub fn ui(&mut self, ui: &mut egui::Ui, after: &str) {
        ui.label("The CA checks that you control every name in the request:");
        ui.radio_value(
            &mut self.challenge,
            Challenge::Listener,
            "HTTP-01: certdesk answers on this machine while the request runs",
        );
        ui.radio_value(
            &mut self.challenge,
            Challenge::Webroot,
            "HTTP-01: write the answers in a web server's folder (webroot)",
        );
        ui.radio_value(
            &mut self.challenge,
            Challenge::Dns,
            "DNS-01: show the TXT records to create, then continue",
        );
        match self.challenge {
            Challenge::Webroot => {
                frame::text_row(ui, "Webroot", &mut self.webroot);
                ui.label(
                    "The folder the site's web server serves for these names; the \
                     answers go in its .well-known/acme-challenge/ and are removed after.",
                );
            }
            Challenge::Listener => {
                ui.label(
                    "The CA fetches http://NAME/.well-known/acme-challenge/… from port 80 of \
                     every name; listen on another port only behind a redirect from port 80.",
                );
                frame::text_row(ui, "HTTP-01 port", &mut self.http_port);
                frame::text_row(ui, "Listen address", &mut self.http_address);
            }
            Challenge::Dns => {
                ui.label(format!(
                    "For public names whose web servers the CA cannot reach: {after} shows a \
                     TXT record per name for your DNS zone."
                ));
            }
        }
    }
}

/// The TXT records to create, selectable, with what to do with them.
pub fn records_ui(ui: &mut egui::Ui, records: &[TxtRecord]) {
    ui.label(
        "Create these TXT records in your DNS zone, wait until they are published, \
         then press Continue: the CA checks them and issues the certificate.",
    );
    egui::Grid::new("dns-records").striped(true).show(ui, |ui| {
        ui.strong("Name");
        ui.strong("Text");
        ui.end_row();
        for record in records {
            ui.add(egui::Label::new(&record.name).selectable(true));
            ui.add(egui::Label::new(&record.value).selectable(true));
            ui.end_row();
        }
    });
    ui.label(
        "The request waits in Enrollment Requests meanwhile: Retrieve (Action menu) \
         continues it later too.",
    );
}

/// The records as zone-file lines, for the clipboard.
pub fn records_text(records: &[TxtRecord]) -> String {
    records
        .iter()
        .map(|r| format!("{} TXT \"{}\"", r.name, r.value))
        .collect::<Vec<_>>()
        .join("\n")
}
