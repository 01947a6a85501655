//! Reading certificate files, sniffed by content, never by extension: DER or PEM
//! certificates (one or many), PKCS#7 certs-only in DER, BER or PEM, PKCS#12 with a
//! password, and PEM private keys. Pure bytes in, [`FileContents`] out.

pub mod pem;
pub mod pkcs12;
pub mod pkcs7;
pub mod pkcs7_write;
pub mod tlv;

use std::borrow::Cow;

use der::Decode;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::prelude::FromDer;
use zeroize::Zeroizing;

use super::cert::CertError;
use super::key::KeyError;
use pem::PemError;
use pkcs7::Pkcs7Error;
use tlv::TlvError;

/// The container a file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A single DER certificate.
    Der,
    /// PEM text: certificates, PKCS#7 blocks and/or private keys.
    Pem,
    /// PKCS#7 SignedData (`.p7b`) in DER or BER.
    Pkcs7,
    /// PKCS#12 (`.pfx`, `.p12`).
    Pkcs12,
}

impl FileKind {
    /// A short human name for the container.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Der => "DER certificate",
            FileKind::Pem => "PEM file",
            FileKind::Pkcs7 => "PKCS#7 (.p7b) file",
            FileKind::Pkcs12 => "PKCS#12 (.pfx) file",
        }
    }
}

/// PKCS#12 bag attributes carried by a certificate or key: the extended properties.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BagAttributes {
    /// PKCS#9 friendlyName, decoded as it is (a caller cleans it before keeping it).
    pub friendly_name: Option<String>,
    /// The friendlyName attribute's SET of values, DER, as in the file.
    pub friendly_name_der: Option<Vec<u8>>,
    /// PKCS#9 localKeyId.
    pub local_key_id: Option<Vec<u8>>,
    /// Every other attribute: dotted OID and the DER of its SET of values.
    pub other: Vec<(String, Vec<u8>)>,
}

/// A certificate found in a file, not yet parsed.
#[derive(Debug, Clone)]
pub struct CertEntry {
    /// The certificate's DER.
    pub der: Vec<u8>,
    /// Its bag attributes (PKCS#12 only).
    pub attributes: BagAttributes,
}

/// A private key found in a file, decrypted, as PKCS#8 DER.
pub struct KeyEntry {
    /// Unencrypted PKCS#8; zeroised on drop.
    pub pkcs8: Zeroizing<Vec<u8>>,
    /// Its bag attributes (PKCS#12 only).
    pub attributes: BagAttributes,
}

/// Everything a file holds.
pub struct FileContents {
    /// What the file was.
    pub kind: FileKind,
    /// Certificates, in file order.
    pub certs: Vec<CertEntry>,
    /// Private keys, in file order.
    pub keys: Vec<KeyEntry>,
    /// Things passed over (PEM blocks of other kinds), one sentence each.
    pub notes: Vec<String>,
    /// Whether reading it took a password.
    pub password_used: bool,
}

/// Why a file cannot be read. Each message completes "FILE: ...".
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// Zero bytes, or only white space.
    #[error("the file is empty")]
    Empty,
    /// Not PEM, and not an ASN.1 SEQUENCE.
    #[error("the file is not a certificate, PKCS#7 (.p7b) or PKCS#12 (.pfx) file")]
    Unrecognised,
    /// Broken DER/BER structure.
    #[error(transparent)]
    Encoding(#[from] TlvError),
    /// Broken PEM.
    #[error(transparent)]
    Pem(#[from] PemError),
    /// Broken PKCS#7.
    #[error(transparent)]
    Pkcs7(#[from] Pkcs7Error),
    /// PKCS#12 or encrypted-key content that cannot be read for a reason other than the password.
    #[error("the file cannot be read: {0}")]
    Pkcs12(String),
    /// The file is encrypted and no password was given.
    #[error("the file is protected by a password; give it and try again")]
    PasswordRequired,
    /// MAC or decryption failure.
    #[error(
        "the password is wrong, or the file was altered after it was written (its integrity check failed)"
    )]
    WrongPassword,
    /// A PKCS#10 request where a certificate was expected.
    #[error(
        "the file is a certificate request (CSR), not a certificate: send it to a CA and import the certificate it returns"
    )]
    CertificateRequest,
    /// More certificates and keys than [`MAX_ITEMS`].
    #[error(
        "the file holds more than 1,000,000 certificates and keys, more than certdesk imports from one file"
    )]
    TooManyItems,
    /// A readable file with nothing to import.
    #[error("the file holds no certificate or private key")]
    NothingToImport,
    /// A private key that cannot be used.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A certificate that cannot be parsed.
    #[error("certificate {index} in the file: {error}")]
    Certificate {
        /// 1-based position in the file.
        index: usize,
        /// What is wrong with it.
        error: CertError,
    },
    /// A certificate with a critical extension certdesk does not understand.
    #[error(
        "the certificate \"{subject}\" has a critical extension ({oid}) that certdesk does not understand, so it cannot be trusted or used"
    )]
    UnknownCriticalExtension {
        /// The certificate's subject.
        subject: String,
        /// The extension's dotted OID.
        oid: String,
    },
}

/// The most certificates and private keys one file may hold: a bound on the work a
/// hostile file can ask for, ten times the largest bundle anyone imports.
pub const MAX_ITEMS: usize = 1_000_000;

/// Reads a file's bytes. `password` is needed for PKCS#12 and encrypted PEM keys;
/// without it such files yield [`FormatError::PasswordRequired`].
pub fn read(bytes: &[u8], password: Option<&str>) -> Result<FileContents, FormatError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FormatError::Empty);
    }
    let contents = if pem::looks_like_pem(bytes) {
        read_pem(pem::Blocks::new(bytes), password, MAX_ITEMS)?
    } else if bytes[0] == 0x30 {
        read_der(bytes, password)?
    } else {
        return Err(FormatError::Unrecognised);
    };
    finish(contents)
}

/// Reads PEM text from `reader` a block at a time: what is held at once is the contents
/// read so far and one block, never the text of the whole file.
pub fn read_pem_stream(
    reader: impl std::io::BufRead,
    password: Option<&str>,
) -> Result<FileContents, FormatError> {
    finish(read_pem(
        pem::Blocks::new(pem::ReadLines::new(reader)),
        password,
        MAX_ITEMS,
    )?)
}

fn finish(contents: FileContents) -> Result<FileContents, FormatError> {
    if contents.certs.is_empty() && contents.keys.is_empty() {
        return Err(FormatError::NothingToImport);
    }
    Ok(contents)
}

fn empty(kind: FileKind) -> FileContents {
    FileContents {
        kind,
        certs: Vec::new(),
        keys: Vec::new(),
        notes: Vec::new(),
        password_used: false,
    }
}

fn cert_entry(der: Vec<u8>) -> CertEntry {
    CertEntry {
        der,
        attributes: BagAttributes::default(),
    }
}

/// Normalises BER to DER when the element starts with an indefinite length, and checks
/// that nothing but padding follows the element.
fn normalise(bytes: &[u8]) -> Result<Cow<'_, [u8]>, FormatError> {
    let (der, used) = if tlv::starts_indefinite(bytes) {
        let (der, used) = tlv::ber_to_der(bytes)?;
        (Cow::Owned(der), used)
    } else {
        let (element, _) = tlv::read(bytes)?;
        (Cow::Borrowed(element.raw), element.raw.len())
    };
    let trailing = &bytes[used..];
    if !trailing.iter().all(|b| *b == 0 || b.is_ascii_whitespace()) {
        return Err(TlvError::Malformed("unexpected bytes after the end of the structure").into());
    }
    Ok(der)
}

fn read_der(bytes: &[u8], password: Option<&str>) -> Result<FileContents, FormatError> {
    let der = normalise(bytes)?;
    let (outer, _) = tlv::read(&der)?;
    if outer.tag_byte() != 0x30 {
        return Err(FormatError::Unrecognised);
    }
    let first = outer.children()?.first().map(tlv::Tlv::tag_byte);
    match first {
        Some(0x02) => {
            let password = password.ok_or(FormatError::PasswordRequired)?;
            let (certs, keys) = pkcs12::read(&der, password)?;
            Ok(FileContents {
                certs,
                keys,
                password_used: true,
                ..empty(FileKind::Pkcs12)
            })
        }
        Some(0x06) => Ok(FileContents {
            certs: pkcs7::certificates(&der)?
                .into_iter()
                .map(cert_entry)
                .collect(),
            ..empty(FileKind::Pkcs7)
        }),
        Some(0x30) => {
            if X509CertificationRequest::from_der(&der).is_ok() {
                return Err(FormatError::CertificateRequest);
            }
            Ok(FileContents {
                certs: vec![cert_entry(der.into_owned())],
                ..empty(FileKind::Der)
            })
        }
        _ => Err(FormatError::Unrecognised),
    }
}

/// Reads PEM blocks; more than `max_items` certificates and keys refuse the file.
fn read_pem<L: pem::Lines>(
    blocks: pem::Blocks<L>,
    password: Option<&str>,
    max_items: usize,
) -> Result<FileContents, FormatError> {
    let mut contents = empty(FileKind::Pem);
    let password = password.map(pkcs12::Password::new);
    for (i, block) in blocks.enumerate() {
        let block = block?;
        match block.label.as_str() {
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                // OpenSSL's TRUSTED CERTIFICATE appends trust settings after the DER.
                let (element, _) = tlv::read(&block.der)?;
                let length = element.raw.len();
                let mut der = block.der;
                der.truncate(length);
                contents.certs.push(cert_entry(der));
            }
            "PKCS7" | "PKCS #7 SIGNED DATA" | "CMS" => {
                let der = normalise(&block.der)?;
                contents
                    .certs
                    .extend(pkcs7::certificates(&der)?.into_iter().map(cert_entry));
            }
            "PRIVATE KEY" => contents.keys.push(key_entry(block.der)),
            "ENCRYPTED PRIVATE KEY" => {
                let password = password.as_ref().ok_or(FormatError::PasswordRequired)?;
                let pkcs8 = pkcs12::decrypt_private_key(&block.der, password)?;
                contents.keys.push(KeyEntry {
                    pkcs8,
                    attributes: BagAttributes::default(),
                });
                contents.password_used = true;
            }
            "RSA PRIVATE KEY" => contents.keys.push(key_entry(wrap_rsa(&block.der))),
            "EC PRIVATE KEY" => contents.keys.push(key_entry(wrap_ec(&block.der)?)),
            "NEW CERTIFICATE REQUEST" | "CERTIFICATE REQUEST" => {
                return Err(FormatError::CertificateRequest);
            }
            other => contents.notes.push(format!(
                "PEM block {} ({other}) was passed over: certdesk imports certificates and private keys",
                i + 1
            )),
        }
        if contents.certs.len() + contents.keys.len() > max_items {
            return Err(FormatError::TooManyItems);
        }
    }
    Ok(contents)
}

fn key_entry(pkcs8: Vec<u8>) -> KeyEntry {
    KeyEntry {
        pkcs8: Zeroizing::new(pkcs8),
        attributes: BagAttributes::default(),
    }
}

/// Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo.
fn wrap_rsa(pkcs1: &[u8]) -> Vec<u8> {
    let mut alg = Vec::new();
    tlv::push_element(
        &mut alg,
        &[0x06],
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
    );
    tlv::push_element(&mut alg, &[0x05], &[]);
    wrap_pkcs8(&alg, pkcs1)
}

/// Wraps a SEC1 ECPrivateKey (with its named curve) in a PKCS#8 PrivateKeyInfo.
fn wrap_ec(sec1_der: &[u8]) -> Result<Vec<u8>, FormatError> {
    let key =
        sec1::EcPrivateKey::from_der(sec1_der).map_err(|e| KeyError::Malformed(e.to_string()))?;
    let curve = key
        .parameters
        .and_then(|p| p.named_curve())
        .ok_or_else(|| KeyError::Unsupported("EC key without a named curve".into()))?;
    let mut alg = Vec::new();
    tlv::push_element(
        &mut alg,
        &[0x06],
        &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01],
    );
    tlv::push_element(&mut alg, &[0x06], curve.as_bytes());
    Ok(wrap_pkcs8(&alg, sec1_der))
}

fn wrap_pkcs8(algorithm_content: &[u8], private_key: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    tlv::push_element(&mut body, &[0x02], &[0]);
    tlv::push_element(&mut body, &[0x30], algorithm_content);
    tlv::push_element(&mut body, &[0x04], private_key);
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x30], &body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` PEM blocks of an empty SEQUENCE (a certificate entry, not yet parsed).
    fn blocks(n: usize) -> Vec<u8> {
        "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"
            .repeat(n)
            .into_bytes()
    }

    #[test]
    fn more_items_than_the_bound_refuse_the_file() {
        let text = blocks(11);
        let read = |max| read_pem(pem::Blocks::new(&text[..]), None, max);
        assert_eq!(read(11).expect("within the bound").certs.len(), 11);
        assert!(matches!(read(10), Err(FormatError::TooManyItems)));
    }

    #[test]
    fn a_stream_reads_as_the_bytes_do() {
        let text = blocks(3);
        let whole = read(&text, None).expect("readable");
        let streamed = read_pem_stream(&text[..], None).expect("readable");
        assert_eq!(whole.certs.len(), 3);
        let ders = |c: &FileContents| c.certs.iter().map(|e| e.der.clone()).collect::<Vec<_>>();
        assert_eq!(ders(&whole), ders(&streamed));
        assert_eq!(ders(&whole)[0], vec![0x30, 0]);
    }
}
