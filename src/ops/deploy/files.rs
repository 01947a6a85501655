//! The files a target receives for one certificate. `pem` is certbot's layout, which
//! nginx, Apache and HAProxy configurations name: `cert.pem` (the certificate), `chain.pem`
//! (the intermediate CAs up to, not including, the root), `fullchain.pem` (both, what a
//! server sends) and `privkey.pem` (the PKCS#8 private key, owner-only). `pfx` is one
//! `NAME.pfx` with the key and the chain, 3DES-SHA1 as Windows hosts read it. A key that
//! was not marked exportable is never written (the vault rule).

use zeroize::Zeroizing;

use super::DeployError;
use crate::deploy::request::pem_block;
use crate::ops::export::{self, pfx_refusal};
use crate::pki::formats::pkcs12::PfxEncryption;
use crate::store::{DeployFormat, Store, StoredCert};
use crate::verify::chain::ChainIndex;

/// One file to write.
pub struct DeployFile {
    /// Its name in the target's directory.
    pub name: String,
    /// Its contents (zeroised on drop: it may hold the key).
    pub bytes: Zeroizing<Vec<u8>>,
    /// Whether only the owner may read it.
    pub private: bool,
}

/// The names a format writes for the target `target`.
pub fn names(format: DeployFormat, target: &str) -> Vec<String> {
    match format {
        DeployFormat::Pem => ["cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"]
            .map(str::to_owned)
            .to_vec(),
        DeployFormat::Pfx => vec![format!("{target}.pfx")],
    }
}

/// The files of `cert` in `format`; `password` protects a PFX.
pub fn build(
    store: &Store,
    cert: &StoredCert,
    format: DeployFormat,
    target: &str,
    password: Option<&str>,
) -> Result<Vec<DeployFile>, DeployError> {
    if let Some(refusal) = pfx_refusal(cert) {
        return Err(DeployError::Export(refusal));
    }
    let all = store.list(None, None)?;
    let index = ChainIndex::new(&all);
    let this = all.iter().find(|c| c.id == cert.id).unwrap_or(cert);
    let path: Vec<&StoredCert> = index
        .path(this)
        .into_iter()
        .enumerate()
        .filter(|(i, c)| *i == 0 || !c.summary.self_signed)
        .map(|(_, c)| c)
        .collect();
    let ders = path
        .iter()
        .map(|c| store.der(c.id))
        .collect::<Result<Vec<_>, _>>()?;
    let public = |name: &str, text: String| DeployFile {
        name: name.to_owned(),
        bytes: Zeroizing::new(text.into_bytes()),
        private: false,
    };
    Ok(match format {
        DeployFormat::Pem => {
            let key = store.cert_key(cert)?.ok_or_else(|| {
                DeployError::Export(export::ExportError::NoKey(export::display_name(cert)))
            })?;
            let leaf = pem_block("CERTIFICATE", &ders[0]);
            let chain: String = ders[1..]
                .iter()
                .map(|d| pem_block("CERTIFICATE", d))
                .collect();
            let full = format!("{leaf}{chain}");
            let key_pem = Zeroizing::new(pem_block("PRIVATE KEY", key.pkcs8_der()));
            vec![
                public("cert.pem", leaf),
                public("chain.pem", chain),
                public("fullchain.pem", full),
                DeployFile {
                    name: "privkey.pem".into(),
                    bytes: Zeroizing::new(key_pem.as_bytes().to_vec()),
                    private: true,
                },
            ]
        }
        DeployFormat::Pfx => {
            let password = password
                .filter(|p| !p.is_empty())
                .ok_or(DeployError::NoPassword)?;
            let bytes = export::pfx_bytes(
                store,
                (&path, &ders),
                false,
                PfxEncryption::TripleDesSha1,
                password,
            )?;
            vec![DeployFile {
                name: format!("{target}.pfx"),
                bytes: Zeroizing::new(bytes),
                private: true,
            }]
        }
    })
}
