//! Notification mail with lettre over rustls: STARTTLS when asked (`--starttls`), TLS from
//! the first byte on port 465, plain SMTP only to this machine's loopback (a local relay).
//! The server's certificate is checked against the system's roots. The addresses are
//! parsed as mailboxes and the subject and body are cleaned lines, so no header can be
//! added through them.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use super::{Event, NotifyError, is_loopback};
use crate::store::MailSettings;

/// How long talking to the SMTP server may take, per step.
const TIME_OUT: Duration = Duration::from_secs(30);

/// The port of SMTP over TLS from the first byte (RFC 8314).
const SUBMISSIONS: u16 = 465;

fn split(smtp: &str) -> Result<(String, u16), NotifyError> {
    let target = crate::net::probe::Target::parse(smtp, 25).map_err(|_| {
        NotifyError::Invalid(format!(
            "\"{}\" is not HOST:PORT",
            crate::text::escape(smtp)
        ))
    })?;
    Ok((target.host, target.port))
}

fn mailbox(address: &str, what: &str) -> Result<Mailbox, NotifyError> {
    if address.chars().any(crate::text::is_control) {
        return Err(NotifyError::Invalid(format!(
            "the {what} address cannot hold control characters"
        )));
    }
    address.parse::<Mailbox>().map_err(|e| {
        NotifyError::Invalid(format!(
            "\"{}\" is not a mail address ({what}): {e}",
            crate::text::escape(address)
        ))
    })
}

/// Checks the mail settings: addresses, server, and that a password or a plain
/// connection never leaves the machine unencrypted.
pub fn check(m: &MailSettings, password: bool) -> Result<(), NotifyError> {
    mailbox(&m.from, "sender")?;
    mailbox(&m.to, "recipient")?;
    let (host, port) = split(&m.smtp)?;
    if !m.starttls && port != SUBMISSIONS && !is_loopback(&host) {
        return Err(NotifyError::Invalid(format!(
            "mail to {host}:{port} would travel unencrypted: give --starttls (or use port 465)"
        )));
    }
    if password && m.user.is_none() {
        return Err(NotifyError::Invalid(
            "an SMTP password needs its user: give --user".into(),
        ));
    }
    Ok(())
}

/// Sends `event` as one plain-text mail.
pub fn send(m: &MailSettings, password: Option<&str>, event: &Event) -> Result<(), NotifyError> {
    let failed =
        |e: &dyn std::fmt::Display| NotifyError::Mail(crate::text::message(&e.to_string()));
    let (host, port) = split(&m.smtp)?;
    let mut body = String::new();
    for (name, value) in event.fields() {
        body.push_str(&format!("{name}: {value}\r\n"));
    }
    let message = Message::builder()
        .from(mailbox(&m.from, "sender")?)
        .to(mailbox(&m.to, "recipient")?)
        .subject(event.summary())
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| failed(&e))?;
    let tls = |host: &str| TlsParameters::new(host.to_owned()).map_err(|e| failed(&e));
    let mode = if m.starttls {
        Tls::Required(tls(&host)?)
    } else if port == SUBMISSIONS {
        Tls::Wrapper(tls(&host)?)
    } else {
        Tls::None
    };
    let mut builder = SmtpTransport::builder_dangerous(host.as_str())
        .port(port)
        .tls(mode)
        .timeout(Some(TIME_OUT));
    if let (Some(user), Some(password)) = (&m.user, password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.to_owned()));
    }
    builder.build().send(&message).map_err(|e| failed(&e))?;
    Ok(())
}
