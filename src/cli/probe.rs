//! `certdesk probe` and `certdesk pool check`: what servers actually serve.

use super::CliError;
use super::commands::{Context, print_json};
use super::terminal::outln;
use crate::deploy::usage::UsageType;
use crate::net::probe::Target;
use crate::ops::enroll;
use crate::ops::pool::{self, MemberAddress, PoolError, PoolQuery};
use crate::ops::probe::{self, MAX_TARGETS, ProbeReport};
use crate::store::Store;

/// `certdesk probe` arguments.
#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// HOST[:PORT] (443 unless given; Lync/Skype also serves 5061), several at once.
    #[arg(required = true, value_name = "HOST[:PORT]")]
    targets: Vec<String>,
    /// The name to ask for and check (SNI), for a target given by its address.
    #[arg(long, value_name = "NAME")]
    sni: Option<String>,
    /// Usage types whose SANs the served certificate must carry, comma-separated.
    #[arg(long = "type", value_name = "T[,T...]")]
    usages: Option<String>,
}

/// `certdesk pool check` arguments.
#[derive(Debug, clap::Args)]
pub struct PoolArgs {
    /// The port every member serves the pool's certificate on.
    #[arg(long, default_value_t = 5061)]
    port: u16,
    /// Where a member is reached: MEMBER=IP[:PORT] (else its name is resolved).
    #[arg(long = "address", value_name = "MEMBER=IP[:PORT]")]
    addresses: Vec<String>,
}

fn print_report(report: &ProbeReport) {
    outln!("{}  (SNI {})", report.target, report.sni);
    if let Some(subject) = &report.subject {
        outln!("  subject:   {subject}");
        outln!("  issuer:    {}", report.issuer.as_deref().unwrap_or(""));
        outln!("  names:     {}", report.sans.join(", "));
        outln!(
            "  chain:     {}",
            report
                .chain
                .iter()
                .map(|t| &t[..8])
                .collect::<Vec<_>>()
                .join(" > ")
        );
        outln!(
            "  trusted:   {}   name matches: {}   expires: {}",
            yes(report.trusted),
            yes(report.name_matches),
            report.not_after.as_deref().unwrap_or("")
        );
        if let Some(sentence) = report.revocation.sentence() {
            outln!("  revocation: {sentence}");
        }
        outln!("  here:      {}", report.here());
    }
    for problem in &report.problems {
        outln!("  ⚠ {problem}");
    }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "NO" }
}

/// `certdesk probe`: exit 1 when any target has a problem.
pub fn probe(store: &Store, ctx: &Context, args: &ProbeArgs) -> Result<(), CliError> {
    if args.targets.len() > MAX_TARGETS {
        return Err(CliError::bad_input(format!(
            "at most {MAX_TARGETS} targets at once"
        )));
    }
    let mut targets = Vec::new();
    for text in &args.targets {
        let mut target =
            Target::parse(text, 443).map_err(|e| CliError::bad_input(e.to_string()))?;
        if let Some(sni) = &args.sni {
            target.sni.clone_from(sni);
        }
        targets.push(target);
    }
    let usages = match &args.usages {
        Some(list) => {
            UsageType::parse_list(list).map_err(|e| CliError::bad_input(e.to_string()))?
        }
        None => Vec::new(),
    };
    let topology = enroll::topology(store).ok();
    let reports = probe::probe(store, &targets, &usages, topology, ctx.now)?;
    let failed = reports.iter().filter(|r| !r.problems.is_empty()).count();
    if ctx.json {
        print_json(&reports)?;
    } else {
        for report in &reports {
            print_report(report);
        }
    }
    match failed {
        0 => Ok(()),
        n => Err(CliError::refused(format!(
            "{n} of {} servers have problems",
            reports.len()
        ))),
    }
}

/// `certdesk pool check`: exit 1 on a mismatch, naming the member.
pub fn pool_check(store: &Store, ctx: &Context, args: &PoolArgs) -> Result<(), CliError> {
    let topology = enroll::topology(store).map_err(|e| CliError::bad_input(e.to_string()))?;
    let mut addresses = Vec::new();
    for text in &args.addresses {
        let bad = || CliError::bad_input(format!("\"{text}\" is not MEMBER=IP[:PORT]"));
        let (member, address) = text.split_once('=').ok_or_else(bad)?;
        let address = pool::parse_address(address, args.port).map_err(|_| bad())?;
        addresses.push(MemberAddress {
            member: member.to_owned(),
            address,
        });
    }
    let query = PoolQuery {
        port: args.port,
        addresses,
    };
    let report = pool::check(store, &topology, &query, ctx.now).map_err(|e| match e {
        PoolError::Store(e) => CliError::from(e),
        other => CliError::bad_input(other.to_string()),
    })?;
    if ctx.json {
        print_json(&report)?;
    } else {
        outln!("{report}");
        for member in &report.members {
            outln!(
                "  {:<28} {}",
                member.member,
                member.probe.chain.first().map_or("-", String::as_str)
            );
        }
        for problem in &report.problems {
            outln!("  ⚠ {problem}");
        }
    }
    match report.problems.first() {
        None => Ok(()),
        Some(_) => Err(CliError::refused(report.problems.join("; "))),
    }
}
