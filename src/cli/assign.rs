//! The assignment commands: `assign`, `unassign`, `status`, `test`, `eligible`.

use super::CliError;
use super::commands::{Context, print_json};
use super::output::rfc3339;
use crate::model::assign::{self, AssignError, Status};
use crate::model::enroll;
use crate::model::rules::Checker;
use crate::model::store::Store;
use crate::model::topology::Topology;
use crate::model::usage::UsageType;

fn usage_list(text: &str) -> Result<Vec<UsageType>, CliError> {
    UsageType::parse_list(text).map_err(|e| CliError::bad_input(e.to_string()))
}

fn topology(store: &Store) -> Result<Topology, CliError> {
    enroll::topology(store).map_err(|e| CliError::bad_input(e.to_string()))
}

fn assign_error(e: AssignError) -> CliError {
    match e {
        AssignError::Store(e) => e.into(),
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
    let usages = usage_list(types)?;
    let when = match (roll, effective) {
        (true, Some(text)) => Some(
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .map_err(|_| {
                    CliError::bad_input(format!(
                        "\"{text}\" is not an RFC 3339 date (e.g. 2026-12-01T02:00:00Z)"
                    ))
                })?
                .unix_timestamp(),
        ),
        (true, None) => return Err(CliError::bad_input("--roll needs --effective-date")),
        (false, Some(_)) => return Err(CliError::bad_input("--effective-date goes with --roll")),
        (false, None) => None,
    };
    let topology = topology(store)?;
    let cert = store.find(ctx.location, thumbprint)?;
    let all = store.list(None, None)?;
    let checker = Checker::new(store, &all, &topology, ctx.now);
    let proofs = assign::check_all(&checker, &cert, &usages).map_err(assign_error)?;
    let warnings: Vec<String> = proofs.iter().flat_map(|p| p.warnings().to_vec()).collect();
    let rows = assign::assign(store, &cert, proofs, when, ctx.now).map_err(assign_error)?;
    if ctx.json {
        let rows: Vec<_> = rows
            .iter()
            .map(|a| serde_json::json!({"usage": a.usage, "thumbprint": a.thumbprint, "staged_thumbprint": a.staged_thumbprint, "effective_date": a.effective_date.map(rfc3339)}))
            .collect();
        return print_json(&serde_json::json!({"assigned": rows, "warnings": warnings}));
    }
    for a in &rows {
        match &a.staged_thumbprint {
            Some(staged) => println!(
                "{}: {staged} staged, effective {}",
                a.usage,
                a.effective_date.map(rfc3339).unwrap_or_default()
            ),
            None => println!("{}: {} assigned", a.usage, a.thumbprint),
        }
    }
    for w in &warnings {
        eprintln!("warning: {w}");
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
            println!(
                "{usage}: {} removed",
                if previous {
                    "previous certificate"
                } else {
                    "assignment"
                }
            );
        }
    }
    if ctx.json {
        return print_json(&serde_json::json!({"removed": types}));
    }
    Ok(())
}

pub fn status(
    store: &Store,
    ctx: &Context,
    expiring_days: i64,
    test: bool,
) -> Result<(), CliError> {
    let topology = topology(store)?;
    let all = store.list(None, None)?;
    let checker = Checker::new(store, &all, &topology, ctx.now);
    let rows = assign::status(&checker, store, &topology, expiring_days, ctx.now)?;
    let rows: Vec<_> = if test {
        rows.into_iter()
            .filter(|r| r.thumbprint.is_some())
            .collect()
    } else {
        rows
    };
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
        for r in &rows {
            println!(
                "{:<26} {:<12} {:<40} {:<10} {:<6} {}",
                r.usage.as_str(),
                format!("{:?}", r.status),
                r.thumbprint.as_deref().unwrap_or("-"),
                r.not_after
                    .map(crate::model::timefmt::date)
                    .unwrap_or_default(),
                r.location,
                r.friendly_name.as_deref().unwrap_or("")
            );
            if let Some(staged) = &r.staged_thumbprint {
                println!(
                    "    staged {staged}, effective {}",
                    r.effective_date.map(rfc3339).unwrap_or_default()
                );
            }
            if let Some(previous) = &r.previous_thumbprint {
                println!("    previous {previous}");
            }
            for p in &r.problems {
                println!("    - {p}");
            }
        }
    }
    if test && rows.iter().any(|r| r.status == Status::Invalid) {
        return Err(CliError::refused(
            "the configuration test found problems (see above)",
        ));
    }
    Ok(())
}

pub fn eligible(store: &Store, ctx: &Context, types: &str) -> Result<(), CliError> {
    let topology = topology(store)?;
    let all = store.list(None, None)?;
    let checker = Checker::new(store, &all, &topology, ctx.now);
    let mut out = Vec::new();
    for usage in usage_list(types)? {
        let (ok, not) = assign::eligible(&checker, usage);
        if !ctx.json {
            println!("{usage}:");
            for e in &ok {
                println!(
                    "  eligible     {}  {}  {}",
                    e.thumbprint, e.issued_to, e.friendly_name
                );
            }
            for e in &not {
                println!(
                    "  not eligible {}  {} ({})  {}",
                    e.thumbprint, e.issued_to, e.location, e.friendly_name
                );
                for r in &e.reasons {
                    println!("      - {r}");
                }
            }
        }
        out.push(serde_json::json!({"usage": usage, "eligible": ok, "not_eligible": not}));
    }
    if ctx.json {
        return print_json(&out);
    }
    Ok(())
}
