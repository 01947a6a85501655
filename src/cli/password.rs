//! Where a password comes from: a file, an environment variable, or a prompt when stdin is
//! a terminal. Never from argv, never echoed, never logged.

use std::io::IsTerminal;
use std::path::PathBuf;

use zeroize::Zeroizing;

use super::CliError;

/// The password options of a command.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PasswordArgs {
    /// Read the password from this file (its first line; an empty file is the empty password).
    #[arg(long, value_name = "FILE", conflicts_with = "password_env")]
    pub password_file: Option<PathBuf>,
    /// Read the password from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
}

impl PasswordArgs {
    /// The password given by file or environment, if any.
    pub fn given(&self) -> Result<Option<Zeroizing<String>>, CliError> {
        if let Some(path) = &self.password_file {
            let text = std::fs::read(path).map_err(|e| {
                CliError::bad_input(format!(
                    "cannot read the password file {}: {e}",
                    path.display()
                ))
            })?;
            let text = String::from_utf8(text).map_err(|_| {
                CliError::bad_input(format!(
                    "the password file {} is not UTF-8 text",
                    path.display()
                ))
            })?;
            let text = Zeroizing::new(text);
            let line = text.split('\n').next().unwrap_or_default();
            let line = line.strip_suffix('\r').unwrap_or(line);
            return Ok(Some(Zeroizing::new(line.to_owned())));
        }
        if let Some(var) = &self.password_env {
            return match std::env::var(var) {
                Ok(value) => Ok(Some(Zeroizing::new(value))),
                Err(_) => Err(CliError::bad_input(format!(
                    "the environment variable {var} is not set or not UTF-8"
                ))),
            };
        }
        Ok(None)
    }

    /// Asks twice on the terminal (a new password), when stdin is one and no other source
    /// was given; the two entries must match.
    pub fn prompt_new(&self, prompt: &str) -> Result<Option<Zeroizing<String>>, CliError> {
        let Some(first) = self.prompt(prompt)? else {
            return Ok(None);
        };
        let second = self.prompt("Confirm the password: ")?;
        if second.as_deref().map(String::as_str) != Some(first.as_str()) {
            return Err(CliError::bad_input("the two passwords do not match"));
        }
        Ok(Some(first))
    }

    /// Asks on the terminal when stdin is one and no other source was given.
    pub fn prompt(&self, prompt: &str) -> Result<Option<Zeroizing<String>>, CliError> {
        if self.password_file.is_some()
            || self.password_env.is_some()
            || !std::io::stdin().is_terminal()
        {
            return Ok(None);
        }
        // The prompt names a user, a URL or a file: shown escaped, as every printed text.
        rpassword::prompt_password(crate::text::escape(prompt))
            .map(|p| Some(Zeroizing::new(p)))
            .map_err(|e| CliError::bad_input(format!("cannot read the password: {e}")))
    }
}
