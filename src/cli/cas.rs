//! `certdesk ca add|list|remove|test`: the store's connections to online CAs.

use std::path::PathBuf;

use zeroize::Zeroizing;

use super::CliError;
use super::commands::{Context, print_json};
use crate::ops::cas::{self, CaOpError, NewAcme};
use crate::store::Store;

#[derive(Debug, clap::Subcommand)]
pub enum CaAction {
    /// Add an ACME CA (RFC 8555): its directory URL; the account is registered on first use.
    Add {
        /// The name requests use (`request --ca NAME`).
        name: String,
        /// The ACME directory URL (https://…/directory).
        #[arg(long, value_name = "DIRECTORY_URL")]
        acme: String,
        /// The account's contact e-mail.
        #[arg(long, value_name = "EMAIL")]
        contact: Option<String>,
        /// PEM certificates to trust for this server's TLS instead of the system's roots.
        #[arg(long, value_name = "PEM")]
        ca_bundle: Option<PathBuf>,
        /// External account binding: the key id the CA gave.
        #[arg(long, value_name = "KID", requires = "eab_hmac_file")]
        eab_kid: Option<String>,
        /// External account binding: a file holding the HMAC key (base64url) the CA gave.
        #[arg(long, value_name = "FILE", requires = "eab_kid")]
        eab_hmac_file: Option<PathBuf>,
    },
    /// List the CAs: `builtin`, then every connection (no secret is shown).
    List,
    /// Remove a connection and its account key.
    Remove {
        /// The connection's name.
        name: String,
    },
    /// Reach the CA and its account (registering one the first time).
    Test {
        /// The connection's name.
        name: String,
    },
}

/// The first line of a small secret file (never echoed).
fn read_secret_file(file: &std::path::Path) -> Result<Zeroizing<String>, CliError> {
    let unreadable = |why: String| {
        CliError::bad_input(format!(
            "cannot read the EAB HMAC key from {}: {why}",
            file.display()
        ))
    };
    let size = std::fs::metadata(file)
        .map_err(|e| unreadable(e.to_string()))?
        .len();
    if size > 64 * 1024 {
        return Err(unreadable("it is larger than 64 KiB".into()));
    }
    let text =
        Zeroizing::new(std::fs::read_to_string(file).map_err(|e| unreadable(e.to_string()))?);
    Ok(Zeroizing::new(
        text.lines().next().unwrap_or_default().trim().to_owned(),
    ))
}

fn ca_error(e: CaOpError) -> CliError {
    match e {
        CaOpError::Store(e) => e.into(),
        CaOpError::Invalid(m) => CliError::bad_input(m),
        CaOpError::Acme(e) => CliError::refused(e.to_string()),
    }
}

pub fn ca(store: &mut Store, ctx: &Context, action: &CaAction) -> Result<(), CliError> {
    match action {
        CaAction::Add {
            name,
            acme,
            contact,
            ca_bundle,
            eab_kid,
            eab_hmac_file,
        } => {
            let hmac = match eab_hmac_file {
                Some(file) => Some(read_secret_file(file)?),
                None => None,
            };
            let new = NewAcme {
                name,
                directory: acme,
                contact: contact.as_deref(),
                ca_bundle: ca_bundle.as_deref(),
                eab: eab_kid.as_deref().zip(hmac.as_deref().map(String::as_str)),
            };
            cas::add_acme(store, &new, ctx.now).map_err(ca_error)?;
            if ctx.json {
                return print_json(&serde_json::json!({"name": name, "added": true}));
            }
            println!("{name}: ACME CA added; `certdesk ca test {name}` registers the account");
            Ok(())
        }
        CaAction::List => {
            let entries = cas::list(store).map_err(ca_error)?;
            if ctx.json {
                return print_json(&entries);
            }
            for e in entries {
                println!(
                    "{:<16} {:<8} {}{}{}",
                    e.name,
                    e.kind,
                    e.url.as_deref().unwrap_or("(in this store)"),
                    if e.custom_trust {
                        "  [own TLS trust]"
                    } else {
                        ""
                    },
                    if e.kind != "builtin" && !e.registered {
                        "  [no account yet]"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
        CaAction::Remove { name } => {
            cas::remove(store, name, ctx.now).map_err(ca_error)?;
            if ctx.json {
                return print_json(&serde_json::json!({"name": name, "removed": true}));
            }
            println!("{name}: removed");
            Ok(())
        }
        CaAction::Test { name } => {
            let account = cas::test(store, name).map_err(ca_error)?;
            if ctx.json {
                return print_json(&serde_json::json!({"name": name, "account": account}));
            }
            println!("{name}: reachable; account {account}");
            Ok(())
        }
    }
}
