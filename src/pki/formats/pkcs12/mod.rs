//! PKCS#12 (`.pfx`/`.p12`) reading, RFC 7292, walked with the TLV reader so that BER at
//! any depth (NSS `pk12util` and Java write indefinite lengths inside the authenticated
//! safe and inside encrypted content) is read as well as DER.
//!
//! The MAC is verified over the authenticated safe's bytes exactly as they are in the file;
//! each inner layer is then normalised to DER before it is walked. Every bag attribute is
//! kept: friendlyName and localKeyId as such, all others (the Microsoft key-provider name,
//! the machine-keyset marker, ...) as (OID, DER of the value set) so import loses nothing.

mod crypto;
mod der;
pub mod write;

pub use crypto::PfxEncryption;

use ::der::asn1::ObjectIdentifier;
use zeroize::Zeroizing;

use super::tlv::{self, Tlv};
use super::{BagAttributes, CertEntry, FormatError, KeyEntry};
use crate::pki::oids;
pub use crypto::Password;

const DATA: &str = "1.2.840.113549.1.7.1";
const ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
const KEY_BAG: &str = "1.2.840.113549.1.12.10.1.1";
const SHROUDED_KEY_BAG: &str = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG: &str = "1.2.840.113549.1.12.10.1.3";
const SAFE_CONTENTS_BAG: &str = "1.2.840.113549.1.12.10.1.6";
const X509_CERTIFICATE: &str = "1.2.840.113549.1.9.22.1";

/// Nested SafeContents bags deeper than this are refused.
const MAX_NESTING: usize = 4;
/// How deep constructed OCTET STRING segments may nest.
const MAX_OCTET_DEPTH: usize = 16;

fn malformed(what: &str) -> FormatError {
    FormatError::Pkcs12(format!("its structure is invalid ({what})"))
}

/// The dotted text of an OBJECT IDENTIFIER element.
pub(super) fn oid_of(t: &Tlv<'_>) -> Result<String, FormatError> {
    if t.tag_byte() != 0x06 {
        return Err(malformed("an object identifier was expected"));
    }
    ObjectIdentifier::from_bytes(t.content)
        .map(|o| o.to_string())
        .map_err(|_| malformed("an object identifier is invalid"))
}

/// The value of a non-negative INTEGER element that fits in 64 bits.
pub(super) fn integer(t: &Tlv<'_>) -> Result<u64, FormatError> {
    if t.tag_byte() != 0x02
        || t.content.is_empty()
        || t.content.len() > 8
        || t.content[0] & 0x80 != 0
    {
        return Err(malformed("an integer is invalid"));
    }
    Ok(t.content
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

/// The bytes of an OCTET STRING, primitive or (in BER, or [0] IMPLICIT) constructed.
pub(super) fn octets(t: &Tlv<'_>) -> Result<Vec<u8>, FormatError> {
    let mut out = Vec::new();
    octets_into(t, &mut out, 0)?;
    Ok(out)
}

/// Segments nest only a level or two in real files; a hostile file may nest thousands
/// deep, which must not exhaust the stack.
fn octets_into(t: &Tlv<'_>, out: &mut Vec<u8>, depth: usize) -> Result<(), FormatError> {
    if t.tag_byte() & 0x20 == 0 {
        out.extend_from_slice(t.content);
        return Ok(());
    }
    if depth >= MAX_OCTET_DEPTH {
        return Err(malformed("an OCTET STRING is nested too deeply"));
    }
    for segment in t.children()? {
        octets_into(&segment, out, depth + 1)?;
    }
    Ok(())
}

/// Re-encodes a whole BER buffer as DER; refuses trailing bytes.
fn normalise(bytes: &[u8]) -> Result<Vec<u8>, FormatError> {
    let (der, used) = tlv::ber_to_der(bytes)?;
    if used != bytes.len() {
        return Err(malformed("unexpected bytes after a structure"));
    }
    Ok(der)
}

/// A ContentInfo's type and its `[0] EXPLICIT` content.
fn content_info<'a>(t: &Tlv<'a>) -> Result<(String, Option<Tlv<'a>>), FormatError> {
    let parts = t.children()?;
    let kind = oid_of(
        parts
            .first()
            .ok_or_else(|| malformed("empty ContentInfo"))?,
    )?;
    let content = match parts.get(1) {
        Some(explicit) if explicit.tag_byte() == 0xa0 => explicit.children()?.into_iter().next(),
        Some(_) => return Err(malformed("ContentInfo content is not tagged [0]")),
        None => None,
    };
    Ok((kind, content))
}

/// What a PKCS#12 file holds.
type Contents = (Vec<CertEntry>, Vec<KeyEntry>);

/// Verifies and decrypts a PKCS#12 file (DER at its outer level) with `password`.
pub fn read(der: &[u8], password: &str) -> Result<Contents, FormatError> {
    let (pfx, _) = tlv::read(der)?;
    let parts = pfx.children()?;
    let [version, auth_safe, rest @ ..] = parts.as_slice() else {
        return Err(malformed("the PFX has no authenticated safe"));
    };
    if integer(version)? != 3 {
        return Err(FormatError::Pkcs12(
            "it is not a version 3 PKCS#12 file".into(),
        ));
    }
    let (kind, content) = content_info(auth_safe)?;
    if kind != DATA {
        return Err(FormatError::Pkcs12(
            "its contents are protected by a public-key signature, which certdesk does not support"
                .into(),
        ));
    }
    let safe_bytes = octets(&content.ok_or_else(|| malformed("the authenticated safe is empty"))?)?;
    let password = Password::new(password);
    let password = match rest.first() {
        Some(mac) => crypto::verify_mac(mac, &safe_bytes, password)?,
        None => password,
    };
    let safes = normalise(&safe_bytes)?;
    let (safes, _) = tlv::read(&safes)?;
    let mut out = (Vec::new(), Vec::new());
    for safe in safes.children()? {
        let (kind, content) = content_info(&safe)?;
        let content = content.ok_or_else(|| malformed("a safe is empty"))?;
        let plain = match kind.as_str() {
            DATA => Zeroizing::new(octets(&content)?),
            ENCRYPTED_DATA => decrypt_encrypted_data(&content, &password)?,
            other => {
                return Err(FormatError::Pkcs12(format!(
                    "part of it is protected with {other} (public-key encryption), which certdesk does not support"
                )));
            }
        };
        read_safe_contents(&plain, &password, &mut out, 0)?;
    }
    Ok(out)
}

fn decrypt_encrypted_data(
    content: &Tlv<'_>,
    password: &Password<'_>,
) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    // EncryptedData ::= SEQUENCE { version, EncryptedContentInfo }
    let parts = content.children()?;
    let info = parts
        .get(1)
        .ok_or_else(|| malformed("EncryptedData without content"))?;
    // EncryptedContentInfo ::= SEQUENCE { contentType, algorithm, [0] IMPLICIT encrypted }
    let fields = info.children()?;
    let [_, algorithm, rest @ ..] = fields.as_slice() else {
        return Err(malformed("EncryptedContentInfo is incomplete"));
    };
    let Some(encrypted) = rest
        .first()
        .filter(|e| e.tag_byte() & 0x1f == 0 && e.tag_byte() & 0xc0 == 0x80)
    else {
        return Ok(Zeroizing::new(Vec::new()));
    };
    crypto::decrypt(algorithm, &octets(encrypted)?, password)
}

fn read_safe_contents(
    ber: &[u8],
    password: &Password<'_>,
    out: &mut Contents,
    depth: usize,
) -> Result<(), FormatError> {
    if ber.is_empty() {
        return Ok(());
    }
    if depth > MAX_NESTING {
        return Err(malformed("safe contents nested too deeply"));
    }
    let der = Zeroizing::new(normalise(ber)?);
    let (bags, _) = tlv::read(&der)?;
    for bag in bags.children()? {
        let parts = bag.children()?;
        let [id, value, rest @ ..] = parts.as_slice() else {
            return Err(malformed("a bag is incomplete"));
        };
        if value.tag_byte() != 0xa0 {
            return Err(malformed("a bag value is not tagged [0]"));
        }
        let inner = value
            .children()?
            .into_iter()
            .next()
            .ok_or_else(|| malformed("an empty bag"))?;
        let attributes = match rest.first() {
            Some(set) => bag_attributes(set)?,
            None => BagAttributes::default(),
        };
        match oid_of(id)?.as_str() {
            KEY_BAG => out.1.push(KeyEntry {
                pkcs8: Zeroizing::new(inner.raw.to_vec()),
                attributes,
            }),
            SHROUDED_KEY_BAG => out.1.push(KeyEntry {
                pkcs8: decrypt_key_info(&inner, password)?,
                attributes,
            }),
            CERT_BAG => {
                let fields = inner.children()?;
                let [kind, explicit] = fields.as_slice() else {
                    return Err(malformed("a certificate bag is incomplete"));
                };
                if oid_of(kind)? != X509_CERTIFICATE {
                    continue; // SDSI certificates: nothing certdesk can use
                }
                let octet = explicit.children()?.into_iter().next();
                let der = octets(&octet.ok_or_else(|| malformed("an empty certificate bag"))?)?;
                out.0.push(CertEntry { der, attributes });
            }
            SAFE_CONTENTS_BAG => read_safe_contents(inner.raw, password, out, depth + 1)?,
            _ => {} // CRL and secret bags: not certificates or private keys
        }
    }
    Ok(())
}

/// Decrypts a PKCS#8 EncryptedPrivateKeyInfo (PEM `ENCRYPTED PRIVATE KEY`) with
/// `password`, whose work budget covers every key of the file.
pub fn decrypt_private_key(
    der: &[u8],
    password: &Password<'_>,
) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let normalised = normalise(der)?;
    let (info, _) = tlv::read(&normalised)?;
    decrypt_key_info(&info, password)
}

/// EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData OCTET STRING }
fn decrypt_key_info(
    info: &Tlv<'_>,
    password: &Password<'_>,
) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let fields = info.children()?;
    let [algorithm, data] = fields.as_slice() else {
        return Err(malformed("an encrypted key is incomplete"));
    };
    let plain = crypto::decrypt(algorithm, &octets(data)?, password)?;
    Ok(Zeroizing::new(normalise(&plain)?))
}

fn bag_attributes(set: &Tlv<'_>) -> Result<BagAttributes, FormatError> {
    let mut attrs = BagAttributes::default();
    for attr in set.children()? {
        let parts = attr.children()?;
        let [oid, values] = parts.as_slice() else {
            return Err(malformed("a bag attribute is incomplete"));
        };
        let oid = oid_of(oid)?;
        let first = values.children()?.into_iter().next();
        match (oid.as_str(), first) {
            (oids::FRIENDLY_NAME, Some(v)) if v.tag_byte() == 0x1e => {
                attrs.friendly_name = Some(bmp_to_string(v.content));
                attrs.friendly_name_der = Some(values.raw.to_vec());
            }
            (oids::LOCAL_KEY_ID, Some(v)) if v.tag_byte() == 0x04 => {
                attrs.local_key_id = Some(v.content.to_vec());
            }
            _ => attrs.other.push((oid, values.raw.to_vec())),
        }
    }
    Ok(attrs)
}

/// Decodes a BMPString (UTF-16 big-endian), replacing what does not decode.
fn bmp_to_string(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
        .collect();
    String::from_utf16_lossy(&units)
        .trim_end_matches('\0')
        .to_owned()
}
