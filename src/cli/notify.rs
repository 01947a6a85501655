//! `certdesk notify set|show|test`: where word goes when a renewal, a deploy or its proof
//! fails, or a certificate nears expiry unrenewed.

use super::CliError;
use super::commands::{Context, print_json};
use super::password::PasswordArgs;
use super::terminal::outln;
use crate::ops::notify::{self, NewSettings, NotifyError};
use crate::store::{MailSettings, Store};

#[derive(Debug, clap::Subcommand)]
pub enum NotifyAction {
    /// Set where notifications go (replacing what was set): mail through an SMTP server,
    /// a webhook (a JSON POST), or both; with neither, notifications are off.
    Set(Box<SetArgs>),
    /// Show where notifications go (never the password).
    Show,
    /// Send a test notification everywhere it is set; exit 1 when one is not taken.
    Test,
}

/// `certdesk notify set` arguments.
#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// The SMTP server, HOST:PORT (587 with --starttls, 465 for TLS from the start; plain
    /// SMTP only to this machine's loopback).
    #[arg(long, value_name = "HOST:PORT", requires_all = ["from", "to"])]
    smtp: Option<String>,
    /// The sender's address.
    #[arg(long, value_name = "ADDR", requires = "smtp")]
    from: Option<String>,
    /// The recipient's address.
    #[arg(long, value_name = "ADDR", requires = "smtp")]
    to: Option<String>,
    /// Require STARTTLS (the server's certificate checked against the system's roots).
    #[arg(long, requires = "smtp")]
    starttls: bool,
    /// The SMTP user.
    #[arg(long, value_name = "USER", requires = "smtp")]
    user: Option<String>,
    /// The SMTP password (file or environment variable; stored sealed).
    #[command(flatten)]
    password: PasswordArgs,
    /// The webhook URL (https://; http:// only to this machine's loopback).
    #[arg(long, value_name = "URL")]
    webhook: Option<String>,
}

/// Settings that cannot be used are bad input (exit 2); the rest is a refusal (exit 1).
fn notify_error(e: NotifyError) -> CliError {
    match e {
        NotifyError::Store(e) => e.into(),
        NotifyError::Invalid(_) | NotifyError::NothingSet => CliError::bad_input(e.to_string()),
        other => CliError::refused(other.to_string()),
    }
}

pub fn notify(store: &mut Store, ctx: &Context, action: &NotifyAction) -> Result<(), CliError> {
    match action {
        NotifyAction::Set(args) => {
            let mail = match (&args.smtp, &args.from, &args.to) {
                (Some(smtp), Some(from), Some(to)) => Some(MailSettings {
                    smtp: smtp.clone(),
                    from: from.clone(),
                    to: to.clone(),
                    starttls: args.starttls,
                    user: args.user.clone(),
                    has_password: false,
                }),
                _ => None,
            };
            let new = NewSettings {
                mail,
                webhook: args.webhook.clone(),
            };
            let password = args.password.given()?;
            let set = notify::set(
                store,
                &new,
                password.as_deref().map(String::as_str),
                ctx.now,
            )
            .map_err(notify_error)?;
            if ctx.json {
                return print_json(&set);
            }
            outln!("{}", notify::describe(&set));
            Ok(())
        }
        NotifyAction::Show => {
            let set = store.notify_settings()?;
            if ctx.json {
                return print_json(&set);
            }
            outln!("{}", notify::describe(&set));
            Ok(())
        }
        NotifyAction::Test => {
            let sent = notify::test(store, ctx.now).map_err(notify_error)?;
            if ctx.json {
                return print_json(&serde_json::json!({"sent": sent}));
            }
            outln!("test notification sent by {}", sent.join(" and "));
            Ok(())
        }
    }
}
