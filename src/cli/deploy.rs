//! `certdesk deploy add|edit|list|remove|run`: where certificates' files go, and the runs
//! that put them there and prove it.

use std::path::PathBuf;

use super::CliError;
use super::commands::{Context, print_json};
use super::password::PasswordArgs;
use super::terminal::{errln, outln};
use crate::deploy::usage::UsageType;
use crate::ops::deploy::{self, DEFAULT_PROOF_SECONDS, DeployError, RunReport, Which};
use crate::ops::export::ExportError;
use crate::ops::words;
use crate::pki::timefmt::rfc3339;
use crate::store::{DeployFormat, DeploySource, Store, TargetSettings};

#[derive(Debug, clap::Subcommand)]
pub enum DeployAction {
    /// Add a deploy target: a usage's certificate (or one certificate) written to a
    /// directory here or over SSH (USER@HOST[:PORT]:DIR), the server reloaded and probed.
    Add(Box<TargetArgs>),
    /// Change a target, described again as for `add` (a PFX password not given is kept
    /// while the destination and format stay).
    Edit(Box<TargetArgs>),
    /// List the targets with their last run.
    List,
    /// Remove a target (the files it deployed stay).
    Remove {
        /// The target's name.
        name: String,
    },
    /// Deploy now: one target, or every one; exit 1 when one failed (it was put back and
    /// a notification sent).
    Run {
        /// The target's name (default: every target).
        name: Option<String>,
    },
}

/// `certdesk deploy add|edit` arguments.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["usage", "cert"]))]
pub struct TargetArgs {
    /// The target's name.
    name: String,
    /// Deploy whatever certificate this usage holds at the time of the run.
    #[arg(long, value_name = "USAGE")]
    usage: Option<String>,
    /// Deploy this certificate (SHA-1 thumbprint or a unique prefix).
    #[arg(long, value_name = "THUMBPRINT")]
    cert: Option<String>,
    /// Where: a local directory, or USER@HOST[:PORT]:DIR over SSH.
    #[arg(long, value_name = "[USER@HOST[:PORT]:]DIR")]
    to: String,
    /// pem: cert.pem, chain.pem, fullchain.pem, privkey.pem; pfx: NAME.pfx (3DES).
    #[arg(long, default_value = "pem", value_parser = ["pem", "pfx"])]
    format: String,
    /// The command that makes the server load the new files (run there, in DIR).
    #[arg(long, value_name = "CMD")]
    reload: Option<String>,
    /// HOST:PORT probed after the deploy until it serves the new certificate.
    #[arg(long, value_name = "HOST:PORT")]
    probe: Option<String>,
    /// How long the probe may take to see the new certificate (seconds, default 30).
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_PROOF_SECONDS)]
    proof_within: i64,
    /// The SSH private key (ssh -i).
    #[arg(long, value_name = "KEYFILE")]
    identity: Option<PathBuf>,
    /// The known_hosts file that holds the host's key (instead of ~/.ssh/known_hosts).
    #[arg(long, value_name = "FILE")]
    known_hosts: Option<PathBuf>,
    /// pfx: the file's password (file or environment variable; stored sealed).
    #[command(flatten)]
    password: PasswordArgs,
}

fn path(p: Option<&PathBuf>) -> Option<String> {
    p.map(|p| p.display().to_string())
}

fn new_target(args: &TargetArgs) -> Result<TargetSettings, CliError> {
    let source = match (&args.usage, &args.cert) {
        (Some(usage), _) => DeploySource::Usage(
            UsageType::parse(usage).map_err(|e| CliError::bad_input(e.to_string()))?,
        ),
        (None, Some(cert)) => DeploySource::Certificate(cert.clone()),
        (None, None) => return Err(CliError::bad_input("give --usage or --cert")),
    };
    Ok(TargetSettings {
        name: args.name.clone(),
        source,
        destination: args.to.clone(),
        format: DeployFormat::parse(&args.format).unwrap_or(DeployFormat::Pem),
        reload: args.reload.clone(),
        probe: args.probe.clone(),
        identity: path(args.identity.as_ref()),
        known_hosts: path(args.known_hosts.as_ref()),
        proof_seconds: args.proof_within,
    })
}

/// Settings that cannot be used are bad input (exit 2); the rest is a refusal (exit 1).
pub fn deploy_error(e: DeployError) -> CliError {
    match e {
        DeployError::Store(e) => e.into(),
        DeployError::Invalid(_)
        | DeployError::Destination(_)
        | DeployError::NoPassword
        | DeployError::Export(ExportError::NotExportable(_) | ExportError::NoKey(_)) => {
            CliError::bad_input(e.to_string())
        }
        other => CliError::refused(other.to_string()),
    }
}

pub fn deploy(store: &mut Store, ctx: &Context, action: &DeployAction) -> Result<(), CliError> {
    match action {
        DeployAction::Add(args) | DeployAction::Edit(args) => {
            let edit = matches!(action, DeployAction::Edit(_));
            let password = args.password.given()?;
            let saved = deploy::save(
                store,
                &new_target(args)?,
                password.as_deref().map(String::as_str),
                edit,
                ctx.now,
            )
            .map_err(deploy_error)?;
            if ctx.json {
                return print_json(&saved);
            }
            outln!(
                "{}",
                words::TargetSaved {
                    target: &saved,
                    replaced: edit
                }
            );
            Ok(())
        }
        DeployAction::List => {
            let targets = store.deploy_targets()?;
            if ctx.json {
                return print_json(&targets);
            }
            for t in targets {
                let what = match &t.settings.source {
                    DeploySource::Usage(u) => u.as_str().to_owned(),
                    DeploySource::Certificate(c) => c.clone(),
                };
                outln!(
                    "{:<16} {:<24} {} {}",
                    t.settings.name,
                    what,
                    t.settings.format.as_str(),
                    t.settings.destination
                );
                if let Some(last) = &t.last {
                    outln!("    last run {}: {}", rfc3339(last.time), last.message);
                }
            }
            Ok(())
        }
        DeployAction::Remove { name } => {
            deploy::remove(store, name, ctx.now).map_err(deploy_error)?;
            if ctx.json {
                return print_json(&serde_json::json!({"name": name, "removed": true}));
            }
            outln!("{}", words::TargetRemoved(name));
            Ok(())
        }
        DeployAction::Run { name } => {
            let which = name.as_deref().map_or(Which::All, Which::Named);
            let reports = deploy::run_for(store, which, ctx.now).map_err(deploy_error)?;
            if ctx.json {
                print_json(&reports)?;
            } else {
                for r in reports.iter().filter(|r| r.ok) {
                    outln!("{r}");
                }
            }
            let failed: Vec<&RunReport> = reports.iter().filter(|r| !r.ok).collect();
            match failed.as_slice() {
                [] => Ok(()),
                [one] => Err(CliError::refused(one.to_string())),
                many => {
                    for r in many {
                        errln!("certdesk: {}", super::sentence(&r.to_string()));
                    }
                    Err(CliError::refused(format!(
                        "{} of {} deploys failed",
                        many.len(),
                        reports.len()
                    )))
                }
            }
        }
    }
}
