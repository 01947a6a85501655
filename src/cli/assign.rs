//! The assignment commands: `assign`, `unassign`, `status`, `test`, `eligible`.

use super::CliError;
use super::commands::{Context, print_json};
use super::output::rfc3339;
use super::terminal::{errln, outln};
use crate::deploy::usage::UsageType;
use crate::ops::assign::{self, AssignError, AssignRequest};
use crate::ops::revocation::Policy;
use crate::ops::revocation::applied;
use crate::ops::words;
use crate::store::Store;
use crate::verify::problem::Problem;

fn usage_list(text: &str) -> Result<Vec<UsageType>, CliError> {
    UsageType::parse_list(text).map_err(|e| CliError::bad_input(e.to_string()))
}

fn assign_error(e: AssignError) -> CliError {
    match e {
        AssignError::Store(e) => e.into(),
        AssignError::Topology(_)
        | AssignError::BadDate(_)
        | AssignError::RollWithoutDate
        | AssignError::NoUsage => CliError::bad_input(e.to_string()),
        other => CliError::refused(other.to_string()),
    }
}

pub fn assign(
    store: &mut Store,
    ctx: &Context,
    types: &str,
    thumbprint: &str,
    roll: bool,
    effective: Option<&str>,
) -> Result<(), CliError> {
    let request = AssignRequest {
        location: ctx.location,
        thumbprint: thumbprint.to_owned(),
        usages: usage_list(types)?,
        roll: match (roll, effective) {
            (true, Some(text)) => Some(text.to_owned()),
            (false, None) => None,
            _ => return Err(assign_error(AssignError::RollWithoutDate)),
        },
    };
    let outcome = assign::assign(store, &request, ctx.now).map_err(assign_error)?;
    if ctx.json {
        let rows: Vec<_> = outcome
            .rows
            .iter()
            .map(|a| serde_json::json!({"usage": a.usage, "thumbprint": a.thumbprint, "staged_thumbprint": a.staged_thumbprint, "effective_date": a.effective_date.map(rfc3339)}))
            .collect();
        return print_json(&serde_json::json!({"assigned": rows, "warnings": outcome.warnings}));
    }
    for a in &outcome.rows {
        outln!("{}", words::Bound(a));
    }
    for w in &outcome.warnings {
        errln!("warning: {w}");
    }
    Ok(())
}

pub fn unassign(
    store: &mut Store,
    ctx: &Context,
    types: &str,
    previous: bool,
) -> Result<(), CliError> {
    for usage in usage_list(types)? {
        assign::unassign(store, usage, previous, ctx.now).map_err(assign_error)?;
        if !ctx.json {
            outln!("{}", words::Unassigned { usage, previous });
        }
    }
    if ctx.json {
        return print_json(&serde_json::json!({"removed": types}));
    }
    Ok(())
}

/// `certdesk status` (`test` false) and `certdesk test`: the usage rules, then each
/// assigned certificate's revocation; `test` fails on any problem (a revoked certificate
/// is one, an unknown revocation status only when `require`d).
pub fn status_checked(
    store: &mut Store,
    ctx: &Context,
    (test, expiring_days): (bool, i64),
    policy: Policy,
) -> Result<(), CliError> {
    let (rows, failed) =
        applied::status(store, (test, expiring_days), ctx.now, policy).map_err(assign_error)?;
    print_rows(ctx, &rows)?;
    for row in &rows {
        let unknown = row.problems.iter();
        for note in unknown.filter(|p| matches!(p, Problem::RevocationUnknown(_))) {
            errln!("warning: {}: {note}", row.usage.as_str());
        }
    }
    if test && failed {
        return Err(CliError::refused(
            "the configuration test found problems (see above)",
        ));
    }
    Ok(())
}

/// The status rows, as JSON or as text.
fn print_rows(ctx: &Context, rows: &[assign::UsageStatus]) -> Result<(), CliError> {
    if ctx.json {
        let json: Vec<_> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "usage": r.usage, "thumbprint": r.thumbprint, "friendly_name": r.friendly_name,
                    "not_after": r.not_after.map(rfc3339), "location": r.location, "status": r.status,
                    "effective_date": r.effective_date.map(rfc3339), "staged_thumbprint": r.staged_thumbprint,
                    "previous_thumbprint": r.previous_thumbprint, "problems": r.problems,
                })
            })
            .collect();
        print_json(&json)?;
    } else {
        for r in rows {
            outln!(
                "{:<26} {:<12} {:<40} {:<10} {:<6} {}",
                r.usage.as_str(),
                format!("{:?}", r.status),
                r.thumbprint.as_deref().unwrap_or("-"),
                r.not_after
                    .map(crate::pki::timefmt::date)
                    .unwrap_or_default(),
                r.location,
                r.friendly_name.as_deref().unwrap_or("")
            );
            if let Some(staged) = &r.staged_thumbprint {
                outln!(
                    "    staged {staged}, effective {}",
                    r.effective_date.map(rfc3339).unwrap_or_default()
                );
            }
            if let Some(previous) = &r.previous_thumbprint {
                outln!("    previous {previous}");
            }
            for p in &r.problems {
                outln!("    - {p}");
            }
        }
    }
    Ok(())
}

pub fn eligible(store: &mut Store, ctx: &Context, types: &str) -> Result<(), CliError> {
    let table = applied::eligible(store, &usage_list(types)?, ctx.now, Policy::Soft)
        .map_err(assign_error)?;
    if ctx.json {
        return print_json(&table);
    }
    for row in &table {
        outln!("{}:", row.usage);
        for e in &row.eligible {
            outln!(
                "  eligible     {}  {}  {}",
                e.thumbprint,
                e.issued_to,
                e.friendly_name
            );
            for w in &e.warnings {
                outln!("      ! {w}");
            }
        }
        for e in &row.not_eligible {
            outln!(
                "  not eligible {}  {} ({})  {}",
                e.thumbprint,
                e.issued_to,
                e.location,
                e.friendly_name
            );
            for r in &e.reasons {
                outln!("      - {r}");
            }
        }
    }
    Ok(())
}
