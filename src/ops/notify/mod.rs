//! Word when it matters (`certdesk notify`): mail through an SMTP server and a JSON POST to
//! a webhook when a renewal, a deploy or its proof fails, or a certificate nears its
//! expiry with no renewal. [`set`] checks and stores where notifications go; [`send`]
//! sends one [`Event`] everywhere it is set.
//!
//! Everything a notification says that came from outside (a certificate's subject, a
//! server's error) is one line with its control characters escaped ([`crate::text`]), so
//! it can neither add a mail header nor a line to a log that reads it.

mod mail;
mod webhook;

use crate::store::log::{self, LogEntry};
use crate::store::notify::write;
use crate::store::{Location, MailSettings, NotifySettings, Store, StoreError};
use crate::text;

/// Days before expiry from which a certificate with no successful renewal is worth a
/// notification.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A renewal failed.
    RenewalFailed {
        /// The certificate that was being renewed.
        thumbprint: String,
        /// Its subject.
        subject: String,
        /// Why, one sentence.
        message: String,
    },
    /// A deploy or its proof failed (the previous files were put back).
    DeployFailed {
        /// The deploy target.
        target: String,
        /// The certificate it was deploying, when known.
        thumbprint: Option<String>,
        /// Why, one sentence.
        message: String,
    },
    /// A certificate expires within [`EXPIRY_WARNING_DAYS`] and nothing renewed it.
    ExpiringUnrenewed {
        /// The certificate.
        thumbprint: String,
        /// Its subject.
        subject: String,
        /// Days left.
        days_left: i64,
    },
    /// `certdesk notify test`.
    Test,
}

impl Event {
    /// The event's name in the webhook's JSON (`deploy_failed`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::RenewalFailed { .. } => "renewal_failed",
            Event::DeployFailed { .. } => "deploy_failed",
            Event::ExpiringUnrenewed { .. } => "expiring_unrenewed",
            Event::Test => "test",
        }
    }

    /// One line that says it: the mail's subject, the webhook's `summary`.
    pub fn summary(&self) -> String {
        let line = match self {
            Event::RenewalFailed { subject, .. } => {
                format!("certdesk: renewing {subject} failed")
            }
            Event::DeployFailed { target, .. } => format!("certdesk: deploying {target} failed"),
            Event::ExpiringUnrenewed {
                subject, days_left, ..
            } => format!("certdesk: {subject} expires in {days_left} days and was not renewed"),
            Event::Test => "certdesk: test notification".to_owned(),
        };
        text::message(&line)
    }

    /// The details, one `name: value` line each, every value one cleaned line.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let clean = |s: &str| text::message(s);
        match self {
            Event::RenewalFailed {
                thumbprint,
                subject,
                message,
            } => vec![
                ("certificate", clean(thumbprint)),
                ("subject", clean(subject)),
                ("message", clean(message)),
            ],
            Event::DeployFailed {
                target,
                thumbprint,
                message,
            } => vec![
                ("target", clean(target)),
                ("certificate", clean(thumbprint.as_deref().unwrap_or("-"))),
                ("message", clean(message)),
            ],
            Event::ExpiringUnrenewed {
                thumbprint,
                subject,
                days_left,
            } => vec![
                ("certificate", clean(thumbprint)),
                ("subject", clean(subject)),
                ("days_left", days_left.to_string()),
            ],
            Event::Test => vec![("message", "certdesk can reach you here.".to_owned())],
        }
    }
}

/// Why notifications cannot be set or sent.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A setting cannot be used.
    #[error("{0}")]
    Invalid(String),
    /// Nothing is set.
    #[error("no notification is set: give --smtp … or --webhook URL to `certdesk notify set`")]
    NothingSet,
    /// The mail was not sent.
    #[error("the mail was not sent: {0}")]
    Mail(String),
    /// The webhook did not take the POST.
    #[error("the webhook {url} did not take the notification: {message}")]
    Webhook {
        /// The URL.
        url: String,
        /// Why.
        message: String,
    },
    /// Both failed.
    #[error("{first}; and {second}")]
    Both {
        /// The first channel's failure (mail).
        first: Box<NotifyError>,
        /// The second's (the webhook).
        second: Box<NotifyError>,
    },
}

/// Where notifications should go, as `notify set` describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewSettings {
    /// Mail, when wanted.
    pub mail: Option<MailSettings>,
    /// The webhook URL, when wanted.
    pub webhook: Option<String>,
}

/// Checks and stores where notifications go (replacing what was set); `password` is the
/// SMTP user's (none given: the stored one is kept while the server and user stay).
pub fn set(
    store: &mut Store,
    new: &NewSettings,
    password: Option<&str>,
    now: i64,
) -> Result<NotifySettings, NotifyError> {
    if let Some(m) = &new.mail {
        mail::check(m, password.is_some())?;
    }
    if let Some(url) = &new.webhook {
        webhook::check(url)?;
    }
    let settings = NotifySettings {
        mail: new.mail.clone(),
        webhook: new.webhook.clone(),
    };
    let command = command(&settings, password.is_some());
    store.transaction(|tx, secret| {
        write::set(tx, secret, &settings, password)?;
        log::append(
            tx,
            &LogEntry::new(
                now,
                Location::Computer,
                "notify",
                describe(&settings),
                command,
            ),
        )?;
        Ok::<_, StoreError>(())
    })?;
    Ok(store.notify_settings()?)
}

/// Where notifications go, in a sentence.
pub fn describe(settings: &NotifySettings) -> String {
    let mut parts = Vec::new();
    if let Some(m) = &settings.mail {
        parts.push(format!("mail to {} through {}", m.to, m.smtp));
    }
    if let Some(url) = &settings.webhook {
        parts.push(format!("POST to {url}"));
    }
    if parts.is_empty() {
        "notifications off".to_owned()
    } else {
        format!("notifications: {}", parts.join(" and "))
    }
}

fn command(settings: &NotifySettings, password: bool) -> String {
    use crate::ops::command_line::quote;
    let mut cmd = "certdesk notify set".to_owned();
    if let Some(m) = &settings.mail {
        cmd.push_str(&format!(
            " --smtp {} --from {} --to {}",
            quote(&m.smtp),
            quote(&m.from),
            quote(&m.to)
        ));
        if m.starttls {
            cmd.push_str(" --starttls");
        }
        if let Some(user) = &m.user {
            cmd.push_str(&format!(" --user {}", quote(user)));
            if password {
                cmd.push_str(" --password-file '<password-file>'");
            }
        }
    }
    if let Some(url) = &settings.webhook {
        cmd.push_str(&format!(" --webhook {}", quote(url)));
    }
    cmd
}

/// Sends `event` by every channel that is set; the channels that took it (`mail`,
/// `webhook`; empty when none is set). Every channel is tried even when one fails.
pub fn send(store: &Store, event: &Event, now: i64) -> Result<Vec<&'static str>, NotifyError> {
    let settings = store.notify_settings()?;
    let mut sent = Vec::new();
    let mut failed: Option<NotifyError> = None;
    let mut fail = |e: NotifyError| {
        failed = Some(match failed.take() {
            None => e,
            Some(first) => NotifyError::Both {
                first: Box::new(first),
                second: Box::new(e),
            },
        });
    };
    if let Some(m) = &settings.mail {
        let password = store.smtp_password()?;
        match mail::send(m, password.as_deref().map(String::as_str), event) {
            Ok(()) => sent.push("mail"),
            Err(e) => fail(e),
        }
    }
    if let Some(url) = &settings.webhook {
        match webhook::send(url, event, now) {
            Ok(()) => sent.push("webhook"),
            Err(e) => fail(e),
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(sent),
    }
}

/// `certdesk notify test`: a test notification by every channel that is set.
pub fn test(store: &Store, now: i64) -> Result<Vec<&'static str>, NotifyError> {
    let sent = send(store, &Event::Test, now)?;
    if sent.is_empty() {
        return Err(NotifyError::NothingSet);
    }
    Ok(sent)
}

/// Whether `host` is this machine's loopback (where plain SMTP or HTTP never leaves it).
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::Event;

    #[test]
    fn outside_text_stays_one_line_in_the_subject_and_fields() {
        let event = Event::RenewalFailed {
            thumbprint: "AB".into(),
            subject: "CN=x\r\nBcc: spy@example.org\u{1b}[2J".into(),
            message: "line one\nline two".into(),
        };
        let summary = event.summary();
        assert!(!summary.contains(['\r', '\n', '\u{1b}']), "{summary}");
        for (_, value) in event.fields() {
            assert!(!value.contains(['\r', '\n', '\u{1b}']), "{value}");
        }
        assert_eq!(event.kind(), "renewal_failed");
    }
}
