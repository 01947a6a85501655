//! Opening the store a command names: a directory (the embedded store) or a team database's
//! address, with its passphrase (a team store's, or a local store's that has one) from
//! `--store-password-file` or `--store-password-env` (never argv), or a prompt.

use std::path::PathBuf;

use zeroize::Zeroizing;

use super::CliError;
use super::password::PasswordArgs;
use super::terminal::outln;
use crate::store::{Store, StoreError};

/// Where the store's passphrase comes from.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PassphraseArgs {
    /// The store's passphrase (a team store's, or a local store's), from this file (its
    /// first line).
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        conflicts_with = "store_password_env"
    )]
    pub store_password_file: Option<PathBuf>,
    /// The store's passphrase, from this environment variable.
    #[arg(long, global = true, value_name = "VAR")]
    pub store_password_env: Option<String>,
    /// Ask on the terminal when neither gives it (the command uses keys).
    #[arg(skip)]
    pub ask: bool,
}

impl PassphraseArgs {
    fn given(&self) -> Result<Option<Zeroizing<String>>, CliError> {
        let args = PasswordArgs {
            password_file: self.store_password_file.clone(),
            password_env: self.store_password_env.clone(),
        };
        match args.given()? {
            Some(given) => Ok(Some(given)),
            None if self.ask => args.prompt("Store passphrase: "),
            None => Ok(None),
        }
    }
}

/// Opens the store at `location`: a team database when it is a `postgres://` address.
pub fn open(location: &std::path::Path, passphrase: &PassphraseArgs) -> Result<Store, CliError> {
    match location
        .to_str()
        .filter(|l| crate::store::is_team_address(l))
    {
        Some(address) => {
            let given = passphrase.given()?;
            let passphrase = given.as_deref().map(String::as_str);
            match Store::open_team(address, None, passphrase) {
                // Asked on the terminal, as psql asks, when libpq's sources have none.
                Err(StoreError::NeedsPassword) => {
                    let asked = PasswordArgs::default()
                        .prompt("Database password: ")?
                        .ok_or(StoreError::NeedsPassword)?;
                    Ok(Store::open_team(address, Some(&asked), passphrase)?)
                }
                other => Ok(other?),
            }
        }
        None => {
            // A passphrase meant for a team store (`store copy` names two stores) is not
            // this store's when its key is not wrapped.
            let given = if Store::is_wrapped_at(location)? {
                passphrase.given()?
            } else {
                None
            };
            Ok(Store::open_with(
                location,
                given.as_deref().map(String::as_str),
            )?)
        }
    }
}

/// Where the new team passphrase comes from (`store passwd`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct NewPassphraseArgs {
    /// The new passphrase, from this file (its first line).
    #[arg(long, value_name = "FILE", conflicts_with = "new_password_env")]
    pub new_password_file: Option<PathBuf>,
    /// The new passphrase, from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub new_password_env: Option<String>,
}

/// `certdesk store passwd`.
pub fn passwd(
    store: &mut Store,
    ctx: &super::commands::Context,
    new: &NewPassphraseArgs,
    remove: bool,
) -> Result<(), CliError> {
    let passphrase = if remove {
        None
    } else {
        let args = PasswordArgs {
            password_file: new.new_password_file.clone(),
            password_env: new.new_password_env.clone(),
        };
        Some(match args.given()? {
            Some(p) => p,
            None => args.prompt_new("New store passphrase: ")?.ok_or_else(|| {
                CliError::bad_input(
                    "give the new passphrase with --new-password-file or --new-password-env",
                )
            })?,
        })
    };
    let passphrase = passphrase.as_deref().map(String::as_str);
    crate::ops::team::change_passphrase(store, passphrase, ctx.now)?;
    let state = if passphrase.is_some() {
        "changed"
    } else {
        "removed"
    };
    if ctx.json {
        return super::commands::print_json(&serde_json::json!({ "passphrase": state }));
    }
    outln!("the store's passphrase was {state}");
    Ok(())
}

/// `certdesk store copy --from LOCATION --to LOCATION`.
pub fn copy(
    from: &std::path::Path,
    to: &std::path::Path,
    passphrase: &PassphraseArgs,
    json: bool,
    now: i64,
) -> Result<(), CliError> {
    let team_source = from.to_str().is_some_and(crate::store::is_team_address);
    if !team_source && !from.is_dir() {
        // Opening would make an empty store there, and the copy would copy nothing.
        return Err(CliError::bad_input(format!(
            "there is no store at {}",
            from.display()
        )));
    }
    let source = open(from, passphrase)?;
    let mut target = open(to, passphrase)?;
    let copied = crate::ops::team::copy(&source, &mut target, now)?;
    if json {
        return super::commands::print_json(&copied);
    }
    outln!(
        "copied {} certificates, {} keys, {} requests, {} CA connections, {} assignments and {} log entries to {}",
        copied.certificates,
        copied.keys,
        copied.requests,
        copied.cas,
        copied.assignments,
        copied.log_entries,
        to.display()
    );
    Ok(())
}
