//! The trust a TLS client puts in servers: the roots of a PEM bundle when one is given
//! (a CA connection's `--ca-bundle`, a team database's `sslrootcert`), else the operating
//! system's; rustls on aws-lc with its safe protocol versions. CA connections and the team
//! database both build their client from here.

use std::sync::Arc;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// A client configuration trusting `bundle`'s roots (PEM), or the system's when `None`;
/// with no system roots (an empty `SSL_CERT_FILE`), no server is trusted and the handshake
/// says so. The error is a sentence fragment about the bundle.
pub fn client_config(bundle: Option<&[u8]>) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    match bundle {
        Some(pem) => {
            for cert in CertificateDer::pem_slice_iter(pem) {
                roots
                    .add(cert.map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
            }
            if roots.is_empty() {
                return Err("it holds no certificate".into());
            }
        }
        None => {
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
