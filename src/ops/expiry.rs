//! The expiry watch (`certdesk expiring`, the window's banner): the certificates of
//! Personal that expire within N days, with the usages they hold here, and an iCalendar
//! file with one event per certificate (reminders 30 and 7 days before) for the
//! administrator's calendar.

use std::path::Path;

use crate::deploy::usage::UsageType;
use crate::ops::files::{self, OutputError};
use crate::pki::timefmt;
use crate::store::{Logical, Store, StoreError};

/// One certificate that expires soon.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Expiring {
    /// Its thumbprint.
    pub thumbprint: String,
    /// Its friendly name.
    pub friendly_name: String,
    /// Computer or user.
    pub location: &'static str,
    /// What it is issued to.
    pub subject: String,
    /// When it expires (RFC 3339).
    pub not_after: String,
    /// Days left (negative once expired).
    pub days_left: i64,
    /// The usages it holds here (Computer).
    pub usages: Vec<UsageType>,
    #[serde(skip)]
    expires: i64,
}

/// Why the watch failed.
#[derive(Debug, thiserror::Error)]
pub enum ExpiryError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The calendar file cannot be written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// The certificates of Personal (both locations) expiring within `days` of `now`
/// (already expired ones included), soonest first.
pub fn expiring(store: &Store, days: i64, now: i64) -> Result<Vec<Expiring>, StoreError> {
    let assignments: Vec<(UsageType, String)> = store
        .assignments()?
        .into_iter()
        .map(|a| a.at(now))
        .map(|a| (a.usage, a.thumbprint))
        .collect();
    let limit = now.saturating_add(days.saturating_mul(86_400));
    let mut out: Vec<Expiring> = store
        .list(None, Some(Logical::Personal))?
        .into_iter()
        .filter(|c| c.summary.not_after <= limit)
        .map(|c| Expiring {
            usages: assignments
                .iter()
                .filter(|(_, t)| *t == c.summary.thumbprint)
                .map(|(u, _)| *u)
                .collect(),
            thumbprint: c.summary.thumbprint.clone(),
            friendly_name: c.friendly_name.clone(),
            location: c.location.as_str(),
            subject: c.summary.issued_to().to_owned(),
            not_after: timefmt::rfc3339(c.summary.not_after),
            days_left: (c.summary.not_after - now).div_euclid(86_400),
            expires: c.summary.not_after,
        })
        .collect();
    out.sort_by_key(|e| e.expires);
    Ok(out)
}

/// Writes `certs` as an iCalendar file: one all-day event on each expiry date, with
/// reminders 30 and 7 days before.
pub fn write_ics(path: &Path, certs: &[Expiring], now: i64) -> Result<(), ExpiryError> {
    files::check_output_path(path)?;
    let stamp = ics_time(now);
    let mut ics = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//certdesk//expiry watch//EN\r\nCALSCALE:GREGORIAN\r\n",
    );
    for cert in certs {
        let day = ics_time(cert.expires)[..8].to_owned();
        let usages: Vec<&str> = cert.usages.iter().map(|u| u.title()).collect();
        let what = if cert.friendly_name.is_empty() {
            cert.subject.clone()
        } else {
            cert.friendly_name.clone()
        };
        let description = format!(
            "{} ({}) expires {}. Thumbprint {}.{}",
            what,
            cert.subject,
            cert.not_after,
            cert.thumbprint,
            if usages.is_empty() {
                String::new()
            } else {
                format!(" Assigned to {}.", usages.join(", "))
            }
        );
        ics.push_str("BEGIN:VEVENT\r\n");
        ics.push_str(&format!("UID:{}@certdesk\r\n", cert.thumbprint));
        ics.push_str(&format!("DTSTAMP:{stamp}\r\n"));
        ics.push_str(&format!("DTSTART;VALUE=DATE:{day}\r\n"));
        ics.push_str(&fold(&format!(
            "SUMMARY:Certificate expires: {}",
            escape(&what)
        )));
        ics.push_str(&fold(&format!("DESCRIPTION:{}", escape(&description))));
        for before in ["-P30D", "-P7D"] {
            ics.push_str(&format!(
                "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:{}\r\nTRIGGER:{before}\r\nEND:VALARM\r\n",
                escape(&format!("{what} expires on {}", &cert.not_after[..10]))
            ));
        }
        ics.push_str("END:VEVENT\r\n");
    }
    ics.push_str("END:VCALENDAR\r\n");
    files::write_atomic(path, ics.as_bytes(), false)?;
    Ok(())
}

/// `YYYYMMDDTHHMMSSZ`.
fn ics_time(ts: i64) -> String {
    timefmt::rfc3339(ts)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// RFC 5545 text escaping.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// A content line folded at 75 octets (on character boundaries), CRLF-terminated.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}
