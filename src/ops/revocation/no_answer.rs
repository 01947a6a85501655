//! Why a responder or a CRL gave no verdict on a certificate. Each reason is a clause of
//! the warning "its revocation status is unknown: …"; none of them is an error of the
//! operation that asked (revocation soft-fails unless an answer is required).

use crate::net::fetch::FetchError;
use crate::pki::formats::tlv::TlvError;

/// Why one responder or CRL gave no verdict.
#[derive(Debug, Clone, thiserror::Error)]
pub enum NoAnswer {
    /// The certificate or its issuer cannot be parsed.
    #[error("the certificate cannot be read")]
    Unreadable,
    /// The OCSP responder could not be reached or answered badly.
    #[error("the OCSP responder could not be asked ({0})")]
    ResponderUnreachable(FetchError),
    /// The responder answered with an OCSPResponseStatus other than successful.
    #[error("the responder answered status {0} (not successful)")]
    Unsuccessful(u8),
    /// The answer is not a well-formed OCSP response: what is wrong with it.
    #[error("{0}")]
    Malformed(&'static str),
    /// The answer's DER cannot be read.
    #[error("the answer cannot be read ({0})")]
    Der(#[from] TlvError),
    /// The answer is signed neither by the issuer nor by a responder it delegated.
    #[error("its answer is not signed by the issuer or a responder it delegated")]
    NotSigned,
    /// The answer's thisUpdate is in the future or its nextUpdate in the past.
    #[error("its answer is out of date")]
    OutOfDate,
    /// The responder answered "unknown" for the certificate.
    #[error("the responder does not know the certificate")]
    NotKnown,
    /// The answer speaks of other certificates only.
    #[error("the answer is not about this certificate")]
    NotAbout,
    /// The distribution point could not be fetched.
    #[error("the CRL could not be fetched ({0})")]
    CrlUnreachable(FetchError),
    /// What the distribution point served (its URL) is not a CRL.
    #[error("{0} is not a CRL")]
    NotCrl(String),
    /// The CRL at this URL is not signed by the certificate's issuer.
    #[error("the CRL at {0} is not signed by the certificate's issuer")]
    CrlNotSigned(String),
    /// The CRL at this URL is past its nextUpdate.
    #[error("the CRL at {0} is out of date")]
    CrlOutOfDate(String),
}
