//! Unattended renewal on the command line: `track`, `untrack`, `renew --due [--dry-run]`.

use super::CliError;
use super::commands::{Context, print_json};
use super::terminal::{errln, outln};
use crate::ops::enroll::OnlineOptions;
use crate::ops::renewal::run::{self, DueRun, Outcome, RunError};
use crate::ops::renewal::{self, TrackError};
use crate::ops::words;
use crate::pki::timefmt;
use crate::store::Store;
use crate::text;

/// The user a scheduled run's log entries name.
pub const SCHEDULED_USER: &str = "scheduled run";

fn track_error(e: TrackError) -> CliError {
    match e {
        TrackError::Store(e) => e.into(),
        other => CliError::bad_input(other.to_string()),
    }
}

/// `certdesk track THUMBPRINT [--same-key]`.
pub fn track(
    store: &mut Store,
    ctx: &Context,
    thumbprint: &str,
    same_key: bool,
) -> Result<(), CliError> {
    let thumbprint =
        renewal::track(store, ctx.location, thumbprint, same_key, ctx.now).map_err(track_error)?;
    if ctx.json {
        return print_json(&serde_json::json!({"tracked": thumbprint, "same_key": same_key}));
    }
    outln!(
        "{}",
        words::Tracking {
            thumbprint: &thumbprint,
            same_key
        }
    );
    Ok(())
}

/// `certdesk untrack THUMBPRINT`.
pub fn untrack(store: &mut Store, ctx: &Context, thumbprint: &str) -> Result<(), CliError> {
    let thumbprint =
        renewal::untrack(store, ctx.location, thumbprint, ctx.now).map_err(track_error)?;
    if ctx.json {
        return print_json(&serde_json::json!({"untracked": thumbprint}));
    }
    outln!("{}", words::Untracked(&thumbprint));
    Ok(())
}

/// `certdesk renew --due [--dry-run]`: exit 1 when a renewal failed or another run holds
/// the lock.
pub fn renew_due(
    store: &mut Store,
    ctx: &Context,
    options: OnlineOptions,
    dry_run: bool,
) -> Result<(), CliError> {
    let run = DueRun {
        location: ctx.location,
        options,
        dry_run,
    };
    let outcome = match run::renew_due(store, &run, ctx.now) {
        Ok(outcome) => outcome,
        Err(RunError::Busy) => return Err(CliError::refused(RunError::Busy.to_string())),
        Err(RunError::Store(e)) => return Err(e.into()),
        Err(e @ RunError::Untracked(_)) => return Err(CliError::bad_input(e.to_string())),
    };
    if ctx.json {
        print_json(&outcome)?;
    } else {
        for c in &outcome.certificates {
            let t = &c.tracked;
            outln!(
                "{}  \"{}\"  due {} by {}: {}",
                t.thumbprint,
                text::escape(&t.friendly_name),
                timefmt::rfc3339(t.due_at),
                t.rule_text,
                describe(&c.outcome)
            );
            if let Some(note) = &t.note {
                outln!("    {}", text::message(note));
            }
        }
        if outcome.certificates.is_empty() {
            outln!("no certificate is tracked: assign one, or `certdesk track THUMBPRINT`");
        }
        for d in &outcome.follow_up.deploys {
            outln!(
                "deploy {}: {}",
                text::escape(&d.target),
                text::message(&d.message)
            );
        }
        for n in &outcome.follow_up.notifications {
            match &n.error {
                None => outln!(
                    "notified: {} of {} ({})",
                    n.event,
                    n.thumbprint,
                    n.sent.join(", ")
                ),
                Some(e) => outln!(
                    "notification {} of {} not sent: {}",
                    n.event,
                    n.thumbprint,
                    text::message(e)
                ),
            }
        }
    }
    let mut failed: Vec<String> = outcome
        .certificates
        .iter()
        .filter_map(|c| match &c.outcome {
            Outcome::Failed { error } => Some(format!(
                "{}: {}",
                c.tracked.thumbprint,
                text::message(&error.to_string())
            )),
            _ => None,
        })
        .collect();
    failed.extend(outcome.follow_up.deploys.iter().filter(|d| !d.ok).map(|d| {
        format!(
            "deploy {}: {}",
            text::escape(&d.target),
            text::message(&d.message)
        )
    }));
    if let Some(e) = &outcome.follow_up.deploy_error {
        failed.push(format!(
            "the deploy targets could not be run: {}",
            text::message(e)
        ));
    }
    match failed.as_slice() {
        [] => Ok(()),
        [one] => Err(CliError::refused(one.clone())),
        many => {
            for line in many {
                errln!("certdesk: {line}");
            }
            Err(CliError::refused(format!("{} renewals failed", many.len())))
        }
    }
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::NotDue => "not due".to_owned(),
        Outcome::WouldRenew => "due (dry run: not renewed)".to_owned(),
        Outcome::Renewed {
            new_thumbprint,
            rolled,
        } => {
            let rolled: Vec<String> = rolled
                .iter()
                .map(|r| {
                    if r.staged {
                        format!(
                            "{} (staged, effective {})",
                            r.usage.as_str(),
                            timefmt::rfc3339(r.effective)
                        )
                    } else {
                        r.usage.as_str().to_owned()
                    }
                })
                .collect();
            if rolled.is_empty() {
                format!("renewed as {new_thumbprint}")
            } else {
                format!(
                    "renewed as {new_thumbprint}; rolled onto {}",
                    rolled.join(", ")
                )
            }
        }
        Outcome::Pending { request_id } => format!(
            "pending: request {} waits for the CA's approval (`certdesk requests --poll`)",
            request_id.unwrap_or_default()
        ),
        Outcome::Failed { error } => format!("FAILED: {}", text::message(&error.to_string())),
    }
}
