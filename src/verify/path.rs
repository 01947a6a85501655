//! rustls-webpki's verdict on a server certificate: its path to one of the given trust
//! anchors, through the given intermediates, for server authentication at a time.

use rustls_pki_types::{CertificateDer, UnixTime};

/// Why rustls-webpki refused a path; its `Display` is a short sentence.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PathRefusal {
    /// There is no certificate at all.
    #[error("empty path")]
    Empty,
    /// A self-signed end-entity certificate has no CA above it.
    #[error("a self-signed end-entity certificate has no CA")]
    NoCa,
    /// rustls-webpki's own refusal.
    #[error("{}", webpki_text(.0))]
    Webpki(webpki::Error),
}

/// Whether `leaf` chains to one of `anchors` through `intermediates` for server
/// authentication at `now`; why not when it does not. Legacy signature algorithms (SHA-1)
/// are left to the caller's own walk.
pub fn server_auth(
    leaf: &[u8],
    intermediates: &[&[u8]],
    anchors: &[&[u8]],
    now: i64,
) -> Result<(), PathRefusal> {
    let anchor_ders: Vec<CertificateDer<'_>> =
        anchors.iter().map(|d| CertificateDer::from(*d)).collect();
    let anchors: Vec<_> = anchor_ders
        .iter()
        .filter_map(|d| webpki::anchor_from_trusted_cert(d).ok())
        .collect();
    let leaf_der = CertificateDer::from(leaf);
    let ee = webpki::EndEntityCert::try_from(&leaf_der).map_err(PathRefusal::Webpki)?;
    let intermediates: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|d| CertificateDer::from(*d))
        .collect();
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        u64::try_from(now).unwrap_or(0),
    ));
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        &intermediates,
        time,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )
    .map(|_| ())
    .or_else(|e| match e {
        // SHA-1 (a warning here) and other legacy algorithms: checked by the caller.
        webpki::Error::UnsupportedSignatureAlgorithmContext(_)
        | webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => Ok(()),
        other => Err(PathRefusal::Webpki(other)),
    })
}

/// A short sentence for a webpki error.
fn webpki_text(e: &webpki::Error) -> String {
    let text = match e {
        webpki::Error::UnknownIssuer => "no trusted issuer was found",
        webpki::Error::CaUsedAsEndEntity => "it is a CA certificate",
        webpki::Error::EndEntityUsedAsCa => "an end-entity certificate sits in its path as a CA",
        webpki::Error::RequiredEkuNotFoundContext(_) => {
            "the Server Authentication usage is missing"
        }
        webpki::Error::InvalidSignatureForPublicKey => "a signature does not verify",
        webpki::Error::NameConstraintViolation => "a CA's name constraints exclude its names",
        webpki::Error::PathLenConstraintViolated => "a CA's path length constraint is exceeded",
        webpki::Error::BadDer | webpki::Error::BadDerTime => {
            "a certificate in its path is not valid DER"
        }
        _ => return format!("{e:?}").chars().take(120).collect(),
    };
    text.to_owned()
}
