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

/// Writes the RFC 3339 text of a Unix time (as [`rfc3339`] gives it) without allocating;
/// an error for a time out of range.
pub fn write_rfc3339(out: &mut impl std::io::Write, ts: i64) -> std::io::Result<()> {
    let t = OffsetDateTime::from_unix_timestamp(ts)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    t.format_into(out, &Rfc3339)
        .map(|_| ())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_text_is_the_text() {
        for ts in [0, 1_700_000_000, -86_400, 253_402_300_799] {
            let mut out = Vec::new();
            write_rfc3339(&mut out, ts).expect("in range");
            assert_eq!(String::from_utf8(out).expect("utf-8"), rfc3339(ts));
        }
        assert!(write_rfc3339(&mut Vec::new(), i64::MAX).is_err());
    }
}
