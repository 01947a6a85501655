//! Export (DOMAIN.md §6): PKCS#12 with the key, the whole certification path and the
//! extended properties; or the certificate alone as DER, Base64 or PKCS#7 with the chain.
//!
//! A key leaves the store only when it was marked exportable. The file is written
//! atomically (owner-only for a PFX). `delete_key` removes the key from the store only
//! after the written file has been read back with the password and found to hold it.

use std::path::Path;

use crate::deploy::request::pem_block;
use crate::ops::command_line;
use crate::ops::files::{self, OutputError};
use crate::pki::formats::pkcs12::write::{self, PfxContents};
use crate::pki::formats::pkcs12::{self, PfxEncryption};
use crate::pki::formats::{FormatError, pkcs7_write};
use crate::pki::key::PrivateKey;
use crate::pki::oids;
use crate::store::certs::write as cert_write;
use crate::store::log::{self, LogEntry};
use crate::store::{Location, Store, StoreError, StoredCert};
use crate::verify::chain::ChainIndex;

/// Iterations for the PFX key derivations and MAC (OpenSSL's default; Windows uses 2000).
pub const PFX_ITERATIONS: u32 = 2048;

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// PKCS#12 with the private key.
    Pfx,
    /// The certificate, DER.
    Der,
    /// The certificate, Base64 (`-----BEGIN CERTIFICATE-----`).
    Base64,
    /// PKCS#7 certs-only, DER.
    P7b,
}

impl ExportFormat {
    /// The CLI name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Pfx => "pfx",
            ExportFormat::Der => "der",
            ExportFormat::Base64 => "base64",
            ExportFormat::P7b => "p7b",
        }
    }
}

/// The export wizard's choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions {
    /// The format.
    pub format: ExportFormat,
    /// Include all certificates in the certification path (PFX and P7B).
    pub include_chain: bool,
    /// Export all extended properties (PFX).
    pub properties: bool,
    /// PFX encryption.
    pub encryption: PfxEncryption,
    /// Delete the private key after a successful export (PFX).
    pub delete_key: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            format: ExportFormat::Pfx,
            include_chain: true,
            properties: true,
            encryption: PfxEncryption::Aes256Sha256,
            delete_key: false,
        }
    }
}

/// Why an export is refused.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The store failed, or the certificate is not there.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The key was not marked exportable.
    #[error(
        "the private key of {0} was not marked exportable when it was requested or imported, so it cannot leave the store"
    )]
    NotExportable(String),
    /// A PFX was asked for a certificate without a key.
    #[error("{0} has no private key in this store; export it as .cer or .p7b instead")]
    NoKey(String),
    /// A PFX needs a password.
    #[error("a .pfx file needs a password to protect the private key")]
    PasswordRequired,
    /// An empty PFX password would leave the key readable by anyone with the file.
    #[error(
        "the password is empty: a .pfx file protected by an empty password gives the private key to anyone who has the file; choose a password"
    )]
    EmptyPassword,
    /// The file cannot be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Encoding failed, or the written file did not read back.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The written file did not hold the key (the key is kept).
    #[error("the written file could not be verified ({0}); the private key was kept in the store")]
    Verify(String),
}

/// What an export did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportOutcome {
    /// The file written.
    pub file: String,
    /// The format.
    pub format: &'static str,
    /// Thumbprints written, end entity first.
    pub certificates: Vec<String>,
    /// Whether the key was written.
    pub with_key: bool,
    /// Whether the key was then deleted from the store.
    pub key_deleted: bool,
}

pub(crate) fn display_name(cert: &StoredCert) -> String {
    if cert.friendly_name.is_empty() {
        format!("\"{}\"", cert.summary.issued_to())
    } else {
        format!("\"{}\"", cert.friendly_name)
    }
}

/// Why the certificate's key may not be written to a PFX, if it may not.
pub fn pfx_refusal(cert: &StoredCert) -> Option<ExportError> {
    match &cert.key {
        None => Some(ExportError::NoKey(display_name(cert))),
        Some(k) if !k.exportable => Some(ExportError::NotExportable(display_name(cert))),
        Some(_) => None,
    }
}

/// Exports the certificate with this thumbprint from `location` to `path`.
pub fn export(
    store: &mut Store,
    location: Location,
    thumbprint: &str,
    path: &Path,
    options: ExportOptions,
    password: Option<&str>,
    now: i64,
) -> Result<ExportOutcome, ExportError> {
    let cert = store.find(location, thumbprint)?;
    let with_key = options.format == ExportFormat::Pfx;
    if with_key {
        if let Some(refusal) = pfx_refusal(&cert) {
            return Err(refusal);
        }
        match password {
            None => return Err(ExportError::PasswordRequired),
            Some("") => return Err(ExportError::EmptyPassword),
            Some(_) => {}
        }
    }
    files::check_output_path(path)?;
    let all = store.list(None, None)?;
    let index = ChainIndex::new(&all);
    let this = all.iter().find(|c| c.id == cert.id).unwrap_or(&cert);
    let path_certs: Vec<&StoredCert> = if options.include_chain
        && options.format != ExportFormat::Der
        && options.format != ExportFormat::Base64
    {
        index.path(this)
    } else {
        vec![this]
    };
    let ders = path_certs
        .iter()
        .map(|c| store.der(c.id))
        .collect::<Result<Vec<_>, _>>()?;
    let bytes = match options.format {
        ExportFormat::Der => ders[0].clone(),
        ExportFormat::Base64 => pem_block("CERTIFICATE", &ders[0]).into_bytes(),
        ExportFormat::P7b => {
            pkcs7_write::certs_only(&ders.iter().map(Vec::as_slice).collect::<Vec<_>>())
        }
        ExportFormat::Pfx => pfx_bytes(
            store,
            (&path_certs, &ders),
            options.properties,
            options.encryption,
            password.unwrap_or_default(),
        )?,
    };
    files::write_atomic(path, &bytes, with_key)?;
    let key_deleted = if with_key && options.delete_key {
        verify_pfx(&bytes, password.unwrap_or_default(), &cert)?;
        true
    } else {
        false
    };
    let certificates: Vec<String> = path_certs
        .iter()
        .map(|c| c.summary.thumbprint.clone())
        .collect();
    let file = path.display().to_string();
    let command = command(location, &cert.summary.thumbprint, &file, &options);
    store.transaction(|tx, _| {
        if key_deleted && let Some(k) = &cert.key {
            cert_write::delete_key(tx, k.id)?;
        }
        log::append(
            tx,
            &LogEntry::new(
                now,
                location,
                "export",
                format!(
                    "{} exported to {file} as {} with {} certificate(s){}{}",
                    display_name(&cert),
                    options.format.as_str(),
                    certificates.len(),
                    if with_key { " and its private key" } else { "" },
                    if key_deleted {
                        "; the private key was then deleted from the store"
                    } else {
                        ""
                    }
                ),
                command,
            ),
        )?;
        Ok::<_, StoreError>(())
    })?;
    Ok(ExportOutcome {
        file,
        format: options.format.as_str(),
        certificates,
        with_key,
        key_deleted,
    })
}

/// A PFX of the certificate `path[0]` with its private key and the rest of `path` (their
/// DER in `ders`), protected by `password`.
pub(crate) fn pfx_bytes(
    store: &Store,
    (path, ders): (&[&StoredCert], &[Vec<u8>]),
    properties: bool,
    encryption: PfxEncryption,
    password: &str,
) -> Result<Vec<u8>, ExportError> {
    let cert = path[0];
    let key = store
        .cert_key(cert)?
        .ok_or_else(|| ExportError::NoKey(display_name(cert)))?;
    let contents = pfx_contents(store, cert, &key, path, ders, properties)?;
    Ok(write::write(
        &contents,
        password,
        encryption,
        PFX_ITERATIONS,
    )?)
}

fn pfx_contents<'a>(
    store: &Store,
    cert: &StoredCert,
    key: &'a PrivateKey,
    path: &[&StoredCert],
    ders: &'a [Vec<u8>],
    properties: bool,
) -> Result<PfxContents<'a>, ExportError> {
    let stored = store.properties(cert.id)?;
    let local_key_id = stored
        .iter()
        .find(|p| p.bag == "cert" && p.oid == oids::LOCAL_KEY_ID)
        .and_then(|p| local_key_id_value(&p.value))
        .unwrap_or_else(|| hex::decode(&cert.summary.thumbprint).unwrap_or_default());
    // The friendlyName written is the stored one: a file's own attribute, kept because it
    // had to be cleaned (control characters, its length), never goes out again.
    let kept = |bag: &str| -> Vec<(String, Vec<u8>)> {
        stored
            .iter()
            .filter(|p| p.bag == bag && p.oid != oids::LOCAL_KEY_ID && p.oid != oids::FRIENDLY_NAME)
            .map(|p| (p.oid.clone(), p.value.clone()))
            .collect()
    };
    let (mut key_attributes, cert_attributes) = if properties {
        (kept("key"), kept("cert"))
    } else {
        (Vec::new(), Vec::new())
    };
    if properties {
        let provider = if key.description().starts_with("RSA") {
            "Microsoft RSA SChannel Cryptographic Provider"
        } else {
            "Microsoft Software Key Storage Provider"
        };
        for (oid, value) in
            write::microsoft_key_attributes(provider, cert.location == Location::Computer)
        {
            if !key_attributes.iter().any(|(o, _)| *o == oid) {
                key_attributes.push((oid, value));
            }
        }
    }
    let chain = path
        .iter()
        .zip(ders)
        .skip(1)
        .map(|(c, der)| {
            let name = (properties && !c.friendly_name.is_empty()).then(|| c.friendly_name.clone());
            (der.as_slice(), name)
        })
        .collect();
    Ok(PfxContents {
        leaf: &ders[0],
        chain,
        key_pkcs8: key.pkcs8_der(),
        friendly_name: (properties && !cert.friendly_name.is_empty())
            .then(|| cert.friendly_name.clone()),
        local_key_id,
        key_attributes,
        cert_attributes,
    })
}

/// The octets inside a stored localKeyId value (`SET { OCTET STRING }`).
fn local_key_id_value(set: &[u8]) -> Option<Vec<u8>> {
    let (outer, _) = crate::pki::formats::tlv::read(set).ok()?;
    let first = outer.children().ok()?.into_iter().next()?;
    (first.tag_byte() == 0x04).then(|| first.content.to_vec())
}

/// Reads a written PFX back and checks it holds the certificate and its key.
fn verify_pfx(bytes: &[u8], password: &str, cert: &StoredCert) -> Result<(), ExportError> {
    let (certs, keys) =
        pkcs12::read(bytes, password).map_err(|e| ExportError::Verify(e.to_string()))?;
    let has_cert = certs
        .iter()
        .any(|c| crate::pki::cert::thumbprint(&c.der) == cert.summary.thumbprint);
    let has_key = keys.iter().any(|k| {
        PrivateKey::from_pkcs8_der(&k.pkcs8)
            .is_ok_and(|k| k.public_key_hash() == cert.summary.public_key_hash)
    });
    if has_cert && has_key {
        Ok(())
    } else {
        Err(ExportError::Verify(
            "the certificate or its key is missing from it".into(),
        ))
    }
}

/// `certdesk export ...` (the password as a placeholder).
fn command(location: Location, thumbprint: &str, file: &str, options: &ExportOptions) -> String {
    let mut cmd = format!(
        "{} export {thumbprint} --output {} --format {}",
        command_line::base(location),
        command_line::quote(file),
        options.format.as_str()
    );
    if options.format == ExportFormat::Pfx {
        cmd.push_str(" --password-file '<password-file>'");
        if !options.properties {
            cmd.push_str(" --no-properties");
        }
        if options.encryption == PfxEncryption::TripleDesSha1 {
            cmd.push_str(" --encryption 3des");
        }
        if options.delete_key {
            cmd.push_str(" --delete-key");
        }
    }
    if !options.include_chain && matches!(options.format, ExportFormat::Pfx | ExportFormat::P7b) {
        cmd.push_str(" --end-entity-only");
    }
    cmd
}
