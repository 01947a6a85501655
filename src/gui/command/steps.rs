//! The commands whose one step in the window chains two model calls: the request wizard's
//! Finish (trust the root, then assign), a CA test that also reads an AD CS CA's root, a
//! deploy run of one target, and *Renew now* on the Renewals page. Each returns the
//! sentence the window shows, in the words of [`crate::ops::words`].

use super::{Applied, ApplyError};
use crate::deploy::usage::UsageType;
use crate::ops::adcs;
use crate::ops::assign::{self, AssignRequest};
use crate::ops::cas;
use crate::ops::deploy::{self, Which};
use crate::ops::enroll::OnlineOptions;
use crate::ops::online::{self, ChainRoot};
use crate::ops::renewal::run::{self, DueRun, Outcome};
use crate::ops::words;
use crate::store::{CaKind, Location, Store};

/// The request wizard's Finish: trusts the root CA the user agreed to trust, then assigns
/// the usages (when any).
pub(super) fn finish_request(
    store: &mut Store,
    location: Location,
    thumbprint: String,
    root: Option<ChainRoot>,
    usages: Vec<UsageType>,
    now: i64,
) -> Result<String, ApplyError> {
    let mut done = Vec::new();
    if let Some(root) = &root {
        online::trust_root(store, location, root, now)?;
        done.push(words::TrustedRoot(root).to_string());
    }
    if !usages.is_empty() {
        let request = AssignRequest {
            location: Location::Computer,
            thumbprint,
            usages,
            roll: None,
        };
        done.push(assign::assign(store, &request, now)?.to_string());
    }
    Ok(done.join("; "))
}

/// Reaches a CA; for an AD CS CA, also reads the root its own chain ends in, offered to be
/// trusted when the store does not trust it.
pub(super) fn test_ca(store: &mut Store, name: String) -> Result<(String, Applied), ApplyError> {
    let reached = cas::test(store, &name)?;
    let mut message = words::CaReached {
        name: &name,
        reached: &reached,
    }
    .to_string();
    let root = match store.ca(&name)?.kind {
        CaKind::Certsrv => match adcs::untrusted_ca_root(store, &name, Location::Computer) {
            Ok(root) => root,
            Err(e) => {
                message.push_str(&format!("; its CA chain was not read: {e}"));
                None
            }
        },
        _ => None,
    };
    if let Some(root) = &root {
        message.push_str(&format!("; its root CA {} is not trusted", root.subject));
    }
    Ok((message, Applied::CaTested(name, root)))
}

/// Deploys the target `name` now; a failed run (put back) is the error.
pub(super) fn deploy_now(store: &mut Store, name: &str, now: i64) -> Result<String, ApplyError> {
    match deploy::run_for(store, Which::Named(name), now)?.pop() {
        Some(report) if !report.ok => Err(ApplyError::DeployFailed(Box::new(report))),
        Some(report) => Ok(report.to_string()),
        None => Ok(format!("{name}: nothing to deploy")),
    }
}

/// *Renew now*: renews a tracked certificate of Computer through its CA, answering HTTP-01
/// on port 80, and rolls its usages; a failed follow-up deploy is the error.
pub(super) fn renew_now(
    store: &mut Store,
    thumbprint: &str,
    now: i64,
) -> Result<String, ApplyError> {
    let run = DueRun {
        location: Location::Computer,
        options: OnlineOptions::default(),
        dry_run: false,
    };
    let done = run::renew_now(store, &run, thumbprint, now)?;
    if let Some(failed) = done.follow_up.deploys.into_iter().find(|d| !d.ok) {
        return Err(ApplyError::DeployFailed(Box::new(failed)));
    }
    match done.certificate.outcome {
        Outcome::Renewed { new_thumbprint, .. } => Ok(format!(
            "{thumbprint} renewed as {new_thumbprint}; its usages rolled"
        )),
        Outcome::Pending { .. } => Ok(format!(
            "The CA holds the renewal of {thumbprint} for approval"
        )),
        Outcome::Failed { error } => Err(ApplyError::Renewal(error)),
        Outcome::NotDue | Outcome::WouldRenew => Ok(String::new()),
    }
}
