//! Unix times as people read them: RFC 3339 (logs, JSON) and the date alone (lists).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// RFC 3339 text of a Unix time (the number itself if out of range).
pub fn rfc3339(ts: i64) -> String {
    OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| ts.to_string())
}

/// `YYYY-MM-DD` of a Unix time (the number itself if out of range).
pub fn date(ts: i64) -> String {
    OffsetDateTime::from_unix_timestamp(ts)
        .map(|t| t.date().to_string())
        .unwrap_or_else(|_| ts.to_string())
}

/// The Unix time of an RFC 3339 date and time (`2026-12-01T02:00:00Z`), or `None`.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}
