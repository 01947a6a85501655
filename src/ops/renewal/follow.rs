//! What follows a renewal run, under its lock: the deploy targets whose certificate changed
//! (a renewal, a staged roll come due) or whose last deploy failed are deployed again
//! ([`crate::ops::deploy`], which notifies its own failures), and the notifications the
//! run itself owes are sent ([`crate::ops::notify`]): each failed renewal, and each tracked
//! certificate within [`notify::EXPIRY_WARNING_DAYS`] days of expiry that nothing renewed.
//! A dry run does neither.

use super::run::{CertRun, Outcome};
use crate::ops::deploy::{self, RunReport, Which};
use crate::ops::notify::{self, Event};
use crate::store::Store;

/// A notification a run sent (or tried to).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Notice {
    /// The event (`renewal_failed`, `expiring_unrenewed`).
    pub event: &'static str,
    /// The certificate it was about.
    pub thumbprint: String,
    /// The channels it went out on (`mail`, `webhook`).
    pub sent: Vec<&'static str>,
    /// Why it could not be sent, one sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What followed a run.
#[derive(Debug, Default, serde::Serialize)]
pub struct FollowUp {
    /// Each deploy target run, in name order.
    pub deploys: Vec<RunReport>,
    /// Why the deploy targets could not be read, when they could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deploy_error: Option<String>,
    /// The notifications sent for the run's certificates (none when none is configured).
    pub notifications: Vec<Notice>,
}

impl FollowUp {
    /// Whether a deploy failed.
    pub fn failed(&self) -> bool {
        self.deploy_error.is_some() || self.deploys.iter().any(|d| !d.ok)
    }
}

/// Deploys what changed and sends what the run owes (see the module's text).
pub fn after_run(store: &mut Store, certificates: &[CertRun], now: i64) -> FollowUp {
    let mut follow = FollowUp::default();
    match deploy::run_for(store, Which::Stale, now) {
        Ok(reports) => follow.deploys = reports,
        Err(e) => follow.deploy_error = Some(e.to_string()),
    }
    for c in certificates {
        let t = &c.tracked;
        let event = match &c.outcome {
            Outcome::Failed { error } => Event::RenewalFailed {
                thumbprint: t.thumbprint.clone(),
                subject: t.issued_to.clone(),
                message: error.to_string(),
            },
            Outcome::Renewed { .. } | Outcome::WouldRenew => continue,
            Outcome::NotDue | Outcome::Pending { .. } => {
                let days_left = (t.not_after - now).div_euclid(86_400);
                if days_left > notify::EXPIRY_WARNING_DAYS {
                    continue;
                }
                Event::ExpiringUnrenewed {
                    thumbprint: t.thumbprint.clone(),
                    subject: t.issued_to.clone(),
                    days_left,
                }
            }
        };
        let (sent, error) = match notify::send(store, &event, now) {
            Ok(sent) if sent.is_empty() => continue,
            Ok(sent) => (sent, None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        follow.notifications.push(Notice {
            event: event.kind(),
            thumbprint: t.thumbprint.clone(),
            sent,
            error,
        });
    }
    follow
}
