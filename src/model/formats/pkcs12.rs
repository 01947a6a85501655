//! PKCS#12 (`.pfx`/`.p12`) reading: p12-keystore verifies the MAC and decrypts the bags
//! (PBES2/AES and the legacy 3DES/RC2 schemes); a second, plaintext pass over the outer
//! structure collects the key-bag attributes p12-keystore does not expose (the Microsoft
//! key-provider name, the machine-keyset marker, ...), so that nothing is lost on import.

use der::{Decode, Encode, asn1::OctetString};
use p12_keystore::Pkcs12Archive;
use p12_keystore::error::Error as P12Error;
use pkcs12::{AuthenticatedSafe, pfx::Pfx, safe_bag::SafeContents};
use zeroize::Zeroizing;

use super::{BagAttributes, CertEntry, FormatError, KeyEntry};
use crate::model::oids;

const DATA_OID: &str = "1.2.840.113549.1.7.1";
const KEY_BAG: &str = "1.2.840.113549.1.12.10.1.1";
const SHROUDED_KEY_BAG: &str = "1.2.840.113549.1.12.10.1.2";

/// Decrypts a PKCS#12 file with `password` and returns its certificates and keys with
/// their bag attributes.
pub fn read(der: &[u8], password: &str) -> Result<(Vec<CertEntry>, Vec<KeyEntry>), FormatError> {
    let archive = Pkcs12Archive::from_pkcs12(der, password).map_err(map_error)?;
    let extra = plaintext_key_attributes(der);
    let key_count = archive.keys.len();
    let certs = archive
        .certs
        .into_iter()
        .map(|bag| CertEntry {
            der: bag.cert.as_der().to_vec(),
            attributes: BagAttributes {
                friendly_name: bag.friendly_name,
                local_key_id: bag.local_key_id,
                other: Vec::new(),
            },
        })
        .collect();
    let keys = archive
        .keys
        .into_iter()
        .enumerate()
        .map(|(index, bag)| {
            let local_key_id = bag.local_key_id.map(|id| id.as_ref().to_vec());
            let other = extra
                .iter()
                .find(|(id, _)| id.is_some() && *id == local_key_id)
                .or_else(|| (extra.len() == key_count).then(|| &extra[index]))
                .map(|(_, attrs)| attrs.clone())
                .unwrap_or_default();
            KeyEntry {
                pkcs8: Zeroizing::new(bag.key.as_der().to_vec()),
                attributes: BagAttributes {
                    friendly_name: bag.friendly_name,
                    local_key_id,
                    other,
                },
            }
        })
        .collect();
    Ok((certs, keys))
}

fn map_error(e: P12Error) -> FormatError {
    match e {
        P12Error::MacError(_) | P12Error::Pkcs5Error(_) | P12Error::UnpadError => {
            FormatError::WrongPassword
        }
        P12Error::UnsupportedEncryptionScheme | P12Error::UnsupportedMacAlgorithm => {
            FormatError::Pkcs12(
                "it uses an encryption or integrity scheme certdesk cannot read".into(),
            )
        }
        P12Error::InvalidParameters => FormatError::Pkcs12(
            "its encryption parameters are invalid or ask for an unreasonable amount of work"
                .into(),
        ),
        P12Error::InvalidVersion => {
            FormatError::Pkcs12("it is not a version 3 PKCS#12 file".into())
        }
        P12Error::UnsupportedCertificateType => {
            FormatError::Pkcs12("it holds a certificate that is not X.509".into())
        }
        P12Error::X509Error(e) => {
            FormatError::Pkcs12(format!("a certificate in it is invalid ({e})"))
        }
        P12Error::InvalidPrivateKey => FormatError::Pkcs12("a private key in it is invalid".into()),
        other => FormatError::Pkcs12(format!("its structure is invalid ({other})")),
    }
}

/// A key bag's localKeyId and its other attributes (dotted OID, DER of the value set).
type KeyBagAttributes = (Option<Vec<u8>>, Vec<(String, Vec<u8>)>);

/// Attributes (other than friendlyName and localKeyId) of the key bags that sit in
/// unencrypted safes, in file order, each with its localKeyId. Best effort: any parse
/// failure yields fewer entries, never an error (the archive reader already succeeded).
fn plaintext_key_attributes(der: &[u8]) -> Vec<KeyBagAttributes> {
    let mut out = Vec::new();
    let Ok(pfx) = Pfx::from_der(der) else {
        return out;
    };
    let Some(safes) = inner_octets(&pfx.auth_safe.content)
        .and_then(|bytes| AuthenticatedSafe::from_der(&bytes).ok())
    else {
        return out;
    };
    for safe in safes {
        if safe.content_type.to_string() != DATA_OID {
            continue;
        }
        let Some(bags) = inner_octets(&safe.content).and_then(|b| SafeContents::from_der(&b).ok())
        else {
            continue;
        };
        for bag in bags {
            let id = bag.bag_id.to_string();
            if id != KEY_BAG && id != SHROUDED_KEY_BAG {
                continue;
            }
            let mut local_key_id = None;
            let mut other = Vec::new();
            for attr in bag.bag_attributes.iter().flat_map(|a| a.iter()) {
                let oid = attr.oid.to_string();
                if oid == oids::LOCAL_KEY_ID {
                    local_key_id = attr
                        .values
                        .iter()
                        .next()
                        .and_then(|v| v.decode_as::<OctetString>().ok())
                        .map(|o| o.as_bytes().to_vec());
                } else if oid != oids::FRIENDLY_NAME
                    && let Ok(values) = attr.values.to_der()
                {
                    other.push((oid, values));
                }
            }
            out.push((local_key_id, other));
        }
    }
    out
}

fn inner_octets(content: &der::Any) -> Option<Vec<u8>> {
    let der = content.to_der().ok()?;
    OctetString::from_der(&der)
        .ok()
        .map(|o| o.as_bytes().to_vec())
}
