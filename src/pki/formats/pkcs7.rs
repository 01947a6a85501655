//! PKCS#7 / CMS SignedData: read the certificate set of a certs-only `.p7b` (or of any
//! SignedData: the signature itself is not checked).

use super::tlv::{self, TlvError};

/// DER of the signedData OID, 1.2.840.113549.1.7.2.
const SIGNED_DATA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

/// Why a PKCS#7 file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Pkcs7Error {
    /// The ASN.1 structure is broken.
    #[error(transparent)]
    Encoding(#[from] TlvError),
    /// A ContentInfo of another type than SignedData.
    #[error("it is a PKCS#7 file of a type that holds no certificates (only SignedData does)")]
    NotSignedData,
    /// The SignedData does not have the fields it must have.
    #[error("the PKCS#7 SignedData is malformed ({0})")]
    Malformed(&'static str),
}

/// Returns the DER of every certificate in the SignedData's certificate set, in file order.
/// Attribute certificates and other choices are skipped.
pub fn certificates(der: &[u8]) -> Result<Vec<Vec<u8>>, Pkcs7Error> {
    let (content_info, rest) = tlv::read(der)?;
    if !rest.is_empty() {
        return Err(Pkcs7Error::Malformed(
            "unexpected bytes after the ContentInfo",
        ));
    }
    let parts = content_info.children()?;
    let [oid, explicit, ..] = parts.as_slice() else {
        return Err(Pkcs7Error::Malformed("ContentInfo without content"));
    };
    if oid.tag_byte() != 0x06 || oid.content != SIGNED_DATA_OID {
        return Err(Pkcs7Error::NotSignedData);
    }
    if explicit.tag_byte() != 0xa0 {
        return Err(Pkcs7Error::Malformed("content is not tagged [0]"));
    }
    let inner = explicit.children()?;
    let signed_data = inner
        .first()
        .filter(|s| s.tag_byte() == 0x30)
        .ok_or(Pkcs7Error::Malformed("content is not a SEQUENCE"))?;
    let fields = signed_data.children()?;
    // version, digestAlgorithms, encapContentInfo, then optional [0] certificates.
    let Some(certs) = fields.iter().skip(3).find(|f| f.tag_byte() == 0xa0) else {
        return Ok(Vec::new());
    };
    Ok(certs
        .children()?
        .into_iter()
        .filter(|c| c.tag_byte() == 0x30)
        .map(|c| c.raw.to_vec())
        .collect())
}
