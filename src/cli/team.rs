//! Opening the store a command names: a directory (the embedded store) or a team database's
//! address, with the team passphrase from `--store-password-file` or
//! `--store-password-env` (never argv).

use std::path::PathBuf;

use zeroize::Zeroizing;

use super::CliError;
use super::password::PasswordArgs;
use crate::store::Store;

/// Where the team passphrase comes from.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PassphraseArgs {
    /// A team store's passphrase, from this file (its first line).
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        conflicts_with = "store_password_env"
    )]
    pub store_password_file: Option<PathBuf>,
    /// A team store's passphrase, from this environment variable.
    #[arg(long, global = true, value_name = "VAR")]
    pub store_password_env: Option<String>,
}

impl PassphraseArgs {
    fn given(&self) -> Result<Option<Zeroizing<String>>, CliError> {
        if let Some(var) = &self.store_password_env {
            return std::env::var(var).map(|v| Some(Zeroizing::new(v))).map_err(|_| {
                CliError::bad_input(format!(
                    "the environment variable {var} (given with --store-password-env) is not set or not UTF-8"
                ))
            });
        }
        PasswordArgs {
            password_file: self.store_password_file.clone(),
            password_env: None,
        }
        .given()
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
            Ok(Store::open_team(
                address,
                given.as_deref().map(String::as_str),
            )?)
        }
        None => Ok(Store::open(location)?),
    }
}
