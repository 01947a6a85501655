//! The trust a TLS client puts in servers: the roots of a PEM bundle when one is given
//! (a CA connection's `--ca-bundle`, a team database's `sslrootcert`), else the operating
//! system's; rustls on aws-lc with its safe protocol versions. CA connections and the team
//! database both build their client from here.

use std::sync::Arc;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// Why a PEM bundle of roots cannot be trusted; its `Display` is a sentence fragment about
/// the bundle ("it holds no certificate").
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The PEM cannot be read.
    #[error("it is not PEM ({0})")]
    Pem(#[from] rustls_pki_types::pem::Error),
    /// A certificate in it cannot be a trust anchor.
    #[error("{0}")]
    Refused(#[from] rustls::Error),
    /// It holds no certificate.
    #[error("it holds no certificate")]
    Empty,
}

/// A client configuration trusting `bundle`'s roots (PEM), or the system's when `None`;
/// with no system roots (an empty `SSL_CERT_FILE`), no server is trusted and the handshake
/// says so.
pub fn client_config(bundle: Option<&[u8]>) -> Result<rustls::ClientConfig, BundleError> {
    let mut roots = rustls::RootCertStore::empty();
    match bundle {
        Some(pem) => {
            for cert in CertificateDer::pem_slice_iter(pem) {
                roots.add(cert?)?;
            }
            if roots.is_empty() {
                return Err(BundleError::Empty);
            }
        }
        None => {
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
