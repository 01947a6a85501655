//! ACME Renewal Information (RFC 9773): whether an ACME CA's directory offers
//! `renewalInfo`, a certificate's identifier there (the base64url of its authority key
//! identifier and of its serial number's DER content, joined by a dot), and the renewal
//! window the CA suggests for it with the time the CA asks to be left alone (`Retry-After`).
//! Plain GETs through the CA connection's TLS trust, each answer capped in size and time.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use x509_parser::extensions::ParsedExtension;

use super::OnlineError;
use crate::net::http::{Client, STEP};
use crate::pki::timefmt;
use crate::store::CaConnection;

/// The largest directory or renewal information answer read.
const MAX_ANSWER: usize = 64 * 1024;
/// How long to wait before asking again when the CA does not say (RFC 9773 §4.3.3).
pub const DEFAULT_RETRY: i64 = 6 * 3600;
/// The bounds put on the CA's `Retry-After`: never more often than a minute, never longer
/// than a week.
const RETRY_BOUNDS: (i64, i64) = (60, 7 * 24 * 3600);

/// A renewal window the CA suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Its start, Unix seconds.
    pub start: i64,
    /// Its end, Unix seconds.
    pub end: i64,
    /// Seconds before the CA wants to be asked again.
    pub retry_after: i64,
}

/// The certificate's ARI identifier, or `None` when it names no authority key identifier.
pub fn certificate_id(der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let aki = cert
        .iter_extensions()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(aki) => aki.key_identifier.as_ref(),
            _ => None,
        })?;
    Some(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(aki.0),
        URL_SAFE_NO_PAD.encode(cert.raw_serial())
    ))
}

/// The CA's `renewalInfo` URL, or `None` when its directory offers none.
pub fn renewal_info_url(ca: &CaConnection) -> Result<Option<String>, OnlineError> {
    let client = client(ca)?;
    let answer = client.get(&ca.url, &[("accept", "application/json")])?;
    let directory: serde_json::Value = match answer.status {
        200 => serde_json::from_slice(&answer.body).map_err(|e| protocol(ca, &e))?,
        status => {
            return Err(protocol(
                ca,
                &format!("its directory answered HTTP {status}"),
            ));
        }
    };
    Ok(directory
        .get("renewalInfo")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned))
}

/// The window the CA at `url` (its `renewalInfo`) suggests for the certificate `id`, at
/// `now`.
pub fn window(ca: &CaConnection, url: &str, id: &str, now: i64) -> Result<Window, OnlineError> {
    let client = client(ca)?;
    let answer = client.get(
        &format!("{}/{id}", url.trim_end_matches('/')),
        &[("accept", "application/json")],
    )?;
    if answer.status != 200 {
        return Err(protocol(
            ca,
            &format!(
                "its renewal information for {id} answered HTTP {}",
                answer.status
            ),
        ));
    }
    let info: serde_json::Value =
        serde_json::from_slice(&answer.body).map_err(|e| protocol(ca, &e))?;
    let bound = |name: &str| {
        info.get("suggestedWindow")
            .and_then(|w| w.get(name))
            .and_then(serde_json::Value::as_str)
            .and_then(timefmt::parse_rfc3339)
    };
    let (Some(start), Some(end)) = (bound("start"), bound("end")) else {
        return Err(protocol(
            ca,
            &"its renewal information has no suggestedWindow with RFC 3339 start and end",
        ));
    };
    if end <= start {
        return Err(protocol(
            ca,
            &"its suggested renewal window ends before it starts",
        ));
    }
    Ok(Window {
        start,
        end,
        retry_after: retry_after(answer.retry_after.as_deref(), now),
    })
}

/// Seconds to wait from a `Retry-After` header (delay-seconds or an HTTP-date), within
/// [`RETRY_BOUNDS`]; [`DEFAULT_RETRY`] when it is missing or unreadable.
pub fn retry_after(header: Option<&str>, now: i64) -> i64 {
    let Some(value) = header.map(str::trim) else {
        return DEFAULT_RETRY;
    };
    let seconds = value.parse::<i64>().ok().or_else(|| {
        let format = time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        );
        time::PrimitiveDateTime::parse(value, format)
            .ok()
            .map(|t| t.assume_utc().unix_timestamp() - now)
    });
    seconds.map_or(DEFAULT_RETRY, |s| s.clamp(RETRY_BOUNDS.0, RETRY_BOUNDS.1))
}

fn client(ca: &CaConnection) -> Result<Client, OnlineError> {
    Ok(Client::new(&ca.name, ca.ca_bundle.as_deref(), false)?.with_limits(STEP, MAX_ANSWER))
}

fn protocol(ca: &CaConnection, e: &dyn std::fmt::Display) -> OnlineError {
    OnlineError::Protocol {
        ca: ca.name.clone(),
        message: crate::text::message(&e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates_within_bounds() {
        assert_eq!(retry_after(Some("3600"), 0), 3600);
        assert_eq!(retry_after(Some("1"), 0), 60);
        assert_eq!(retry_after(None, 0), DEFAULT_RETRY);
        assert_eq!(retry_after(Some("soon"), 0), DEFAULT_RETRY);
        // Thu, 01 Jan 1970 02:00:00 GMT is 7200 s after the epoch.
        assert_eq!(retry_after(Some("Thu, 01 Jan 1970 02:00:00 GMT"), 0), 7200);
        assert_eq!(retry_after(Some("99999999"), 0), RETRY_BOUNDS.1);
    }
}
