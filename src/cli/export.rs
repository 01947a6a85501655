//! The `export` command.

use std::path::PathBuf;

use super::CliError;
use super::commands::{Context, print_json};
use super::password::PasswordArgs;
use super::terminal::outln;
use crate::ops::export::{self, ExportError, ExportFormat, ExportOptions};
use crate::pki::formats::pkcs12::PfxEncryption;
use crate::store::Store;

/// `certdesk export` arguments (CLI.md).
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// SHA-1 thumbprint or a unique prefix of 8+ hex digits.
    thumbprint: String,
    /// The file to write (replaced only once the new one is complete).
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// pfx (with the private key), der, base64 or p7b.
    #[arg(long, default_value = "pfx", value_parser = ["pfx", "der", "base64", "p7b"])]
    format: String,
    #[command(flatten)]
    password: PasswordArgs,
    /// Only the end-entity certificate, not the whole certification path.
    #[arg(long)]
    end_entity_only: bool,
    /// Leave out the extended properties (friendly name, key-provider name).
    #[arg(long)]
    no_properties: bool,
    /// PFX encryption: aes256 (AES256-SHA256, the default) or 3des (TripleDES-SHA1, for
    /// Windows Server 2016 and older, which read AES files as "wrong password").
    #[arg(long, default_value = "aes256", value_parser = ["aes256", "3des"])]
    encryption: String,
    /// Delete the private key from the store once the file is written and verified: the
    /// server then no longer has its key.
    #[arg(long)]
    delete_key: bool,
}

pub fn export(store: &mut Store, ctx: &Context, args: &ExportArgs) -> Result<(), CliError> {
    let format = match args.format.as_str() {
        "der" => ExportFormat::Der,
        "base64" => ExportFormat::Base64,
        "p7b" => ExportFormat::P7b,
        _ => ExportFormat::Pfx,
    };
    let options = ExportOptions {
        format,
        include_chain: !args.end_entity_only,
        properties: !args.no_properties,
        encryption: if args.encryption == "3des" {
            PfxEncryption::TripleDesSha1
        } else {
            PfxEncryption::Aes256Sha256
        },
        delete_key: args.delete_key,
    };
    let password = if format == ExportFormat::Pfx {
        // Refuse a non-exportable key before asking for a password.
        let cert = store.find(ctx.location, &args.thumbprint)?;
        if let Some(refusal) = export::pfx_refusal(&cert) {
            return Err(CliError::refused(refusal.to_string()));
        }
        match args.password.given()? {
            Some(p) => Some(p),
            None => args.password.prompt_new("Password for the .pfx file: ")?,
        }
    } else {
        None
    };
    let outcome = export::export(
        store,
        ctx.location,
        &args.thumbprint,
        &args.output,
        options,
        password.as_deref().map(String::as_str),
        ctx.now,
    )
    .map_err(|e| match e {
        ExportError::Store(e) => e.into(),
        ExportError::NotExportable(_) | ExportError::NoKey(_) | ExportError::Verify(_) => {
            CliError::refused(e.to_string())
        }
        ExportError::PasswordRequired => {
            CliError::bad_input(format!("{e} (use --password-file or --password-env)"))
        }
        other => CliError::bad_input(other.to_string()),
    })?;
    if ctx.json {
        return print_json(&outcome);
    }
    outln!("{outcome}");
    Ok(())
}
