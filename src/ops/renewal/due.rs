//! When a tracked certificate is due (DOMAIN.md, "Unattended renewal"): the renewal window
//! of an ACME CA that offers renewal information decides, at a random time inside it that
//! is kept so that every run agrees, the CA asked again only once its `Retry-After` has
//! passed; otherwise the certificate's lifetime does: two thirds of it for certificates of
//! 100 days or less, 30 days before expiry for longer ones.

use crate::ca::OnlineError;
use crate::ca::ari::{self, Window};
use crate::pki::timefmt;
use crate::store::renewals::AriChoice;
use crate::store::{CaConnection, CaKind};

const DAY: i64 = 86_400;
/// Lifetimes up to this renew at two thirds; longer ones [`MARGIN`] before expiry.
pub const SHORT_LIFETIME: i64 = 100 * DAY;
/// How long before expiry a long-lived certificate renews.
pub const MARGIN: i64 = 30 * DAY;

/// The rule that decided when a certificate renews.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// The ACME CA's renewal information: a time chosen inside its suggested window.
    RenewalInfo {
        /// The window's start, Unix seconds.
        window_start: i64,
        /// The window's end, Unix seconds.
        window_end: i64,
    },
    /// Two thirds of a lifetime of 100 days or less.
    TwoThirds {
        /// The lifetime, whole days.
        lifetime_days: i64,
    },
    /// 30 days before the expiry of a longer-lived certificate.
    ThirtyDaysBefore {
        /// The lifetime, whole days.
        lifetime_days: i64,
    },
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rule::RenewalInfo {
                window_start,
                window_end,
            } => write!(
                f,
                "the CA's renewal window {} to {}",
                timefmt::rfc3339(*window_start),
                timefmt::rfc3339(*window_end)
            ),
            Rule::TwoThirds { lifetime_days } => {
                write!(f, "two thirds of its {lifetime_days}-day lifetime")
            }
            Rule::ThirtyDaysBefore { lifetime_days } => {
                write!(f, "30 days before expiry ({lifetime_days}-day lifetime)")
            }
        }
    }
}

/// When a certificate renews by its lifetime alone, and the rule.
pub fn by_lifetime(not_before: i64, not_after: i64) -> (i64, Rule) {
    let lifetime = (not_after - not_before).max(0);
    let lifetime_days = lifetime / DAY;
    if lifetime <= SHORT_LIFETIME {
        (
            not_before + lifetime * 2 / 3,
            Rule::TwoThirds { lifetime_days },
        )
    } else {
        (not_after - MARGIN, Rule::ThirtyDaysBefore { lifetime_days })
    }
}

/// When a certificate renews under a renewal window, and the rule.
pub fn by_window(choice: AriChoice) -> (i64, Rule) {
    (
        choice.at,
        Rule::RenewalInfo {
            window_start: choice.start,
            window_end: choice.end,
        },
    )
}

/// The time chosen in `window`: the one kept when the window is the same, else a random
/// time inside it (the middle if the system has no randomness to give; now, when the
/// window has passed).
pub fn choose(window: &Window, kept: Option<AriChoice>, now: i64) -> AriChoice {
    if let Some(kept) = kept.filter(|k| k.start == window.start && k.end == window.end) {
        return kept;
    }
    let span = (window.end - window.start).max(1);
    let at = if window.end <= now {
        now
    } else {
        let mut bytes = [0u8; 8];
        let offset = match getrandom::fill(&mut bytes) {
            Ok(()) => (u64::from_le_bytes(bytes) % span.unsigned_abs()) as i64,
            Err(_) => span / 2,
        };
        window.start + offset
    };
    AriChoice {
        start: window.start,
        end: window.end,
        at,
    }
}

/// What asking the CA for renewal information gave.
#[derive(Debug)]
pub enum Asked {
    /// The CA is not an ACME CA, or offers no renewal information, or the certificate has
    /// no identifier there.
    NotOffered,
    /// The CA's window, and the certificate's identifier.
    Window(Window, String),
}

/// Asks `ca` (the certificate's issuing connection) for its window for `der`.
pub fn ask(ca: &CaConnection, der: &[u8], now: i64) -> Result<Asked, OnlineError> {
    if ca.kind != CaKind::Acme {
        return Ok(Asked::NotOffered);
    }
    let Some(id) = ari::certificate_id(der) else {
        return Ok(Asked::NotOffered);
    };
    let Some(url) = ari::renewal_info_url(ca)? else {
        return Ok(Asked::NotOffered);
    };
    Ok(Asked::Window(ari::window(ca, &url, &id, now)?, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lifetimes_renew_at_two_thirds_and_long_ones_thirty_days_before() {
        assert_eq!(
            by_lifetime(0, 90 * DAY),
            (60 * DAY, Rule::TwoThirds { lifetime_days: 90 })
        );
        assert_eq!(
            by_lifetime(0, 60),
            (40, Rule::TwoThirds { lifetime_days: 0 })
        );
        assert_eq!(
            by_lifetime(0, 100 * DAY).1,
            Rule::TwoThirds { lifetime_days: 100 }
        );
        assert_eq!(
            by_lifetime(0, 365 * DAY),
            (335 * DAY, Rule::ThirtyDaysBefore { lifetime_days: 365 })
        );
    }

    #[test]
    fn a_window_keeps_its_choice_and_a_new_one_is_chosen_inside() {
        let window = Window {
            start: 1000,
            end: 2000,
            retry_after: 60,
        };
        for _ in 0..50 {
            let c = choose(&window, None, 0);
            assert!((1000..2000).contains(&c.at), "{c:?}");
        }
        let kept = AriChoice {
            start: 1000,
            end: 2000,
            at: 1234,
        };
        assert_eq!(choose(&window, Some(kept), 0).at, 1234);
        let moved = Window {
            end: 3000,
            ..window
        };
        let again = choose(&moved, Some(kept), 0);
        assert_eq!((again.start, again.end), (1000, 3000));
        assert_eq!(choose(&window, None, 5000).at, 5000);
    }
}
