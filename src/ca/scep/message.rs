//! SCEP's messages (RFC 8894 section 3): a pkiMessage is a CMS SignedData, signed by the
//! requester's key with the SCEP attributes, around an EnvelopedData encrypted for the CA
//! (or its RA) that holds the request; the CertRep comes back the same way, its
//! certificates encrypted for the requester's key.

use aes::{Aes128, Aes192, Aes256};
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::enveloped_data::{
    EncryptedContentInfo, EnvelopedData, KeyTransRecipientInfo, RecipientIdentifier, RecipientInfo,
    RecipientInfos,
};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, PrintableStringRef, SetOfVec};
use der::oid::ObjectIdentifier;
use der::{Any, Decode, Encode};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey, RsaPublicKey};
use sha2::Digest as _;
use x509_cert::attr::Attribute;
use x509_cert::certificate::Certificate as X509;
use x509_cert::spki::AlgorithmIdentifierOwned;

use crate::pki::formats::{pkcs7, tlv};
use crate::pki::key::PrivateKey;
use crate::pki::keygen::{HashAlgorithm, signer_from};

const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ENVELOPED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const AES128_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.2");
const AES192_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.22");
const AES256_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42");
const DES_EDE3_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.3.7");
/// Single DES: never sent, but some servers (micromdm's) answer with it.
const DES_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.7");
const CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const MESSAGE_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.113733.1.9.2");
const PKI_STATUS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.113733.1.9.3");
const FAIL_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.113733.1.9.4");
const SENDER_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.113733.1.9.5");
const RECIPIENT_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.113733.1.9.6");
const TRANSACTION_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.113733.1.9.7");

/// The messages a client sends.
#[derive(Debug, Clone, Copy)]
pub enum MessageType {
    /// A new certificate for a CSR.
    PkcsReq,
    /// Poll a pending request (IssuerAndSubject).
    CertPoll,
}

impl MessageType {
    fn code(self) -> &'static str {
        match self {
            MessageType::PkcsReq => "19",
            MessageType::CertPoll => "20",
        }
    }
}

/// The content cipher the CA's capabilities allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    /// AES-128-CBC (capability `AES` or `SCEPStandard`).
    Aes128,
    /// Triple DES (what every SCEP server reads).
    TripleDes,
}

/// What a CertRep said.
#[derive(Debug)]
pub enum CertRep {
    /// Issued: the certificates the CA returned (DER).
    Success(Vec<Vec<u8>>),
    /// Refused, with the failInfo's meaning.
    Failure(String),
    /// Held for approval.
    Pending,
}

/// Why a message cannot be built or read (one sentence, prefixed by the caller).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MessageError(String);

fn fail(what: &str, e: impl std::fmt::Display) -> MessageError {
    MessageError(format!("{what} ({e})"))
}

fn random<const N: usize>() -> Result<[u8; N], MessageError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| fail("no randomness", e))?;
    Ok(out)
}

fn algorithm(oid: ObjectIdentifier, parameters: Option<Any>) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid, parameters }
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, MessageError> {
    let values = SetOfVec::try_from(vec![value]).map_err(|e| fail("an attribute", e))?;
    Ok(Attribute { oid, values })
}

fn printable(text: &str) -> Result<Any, MessageError> {
    let value = PrintableStringRef::new(text).map_err(|e| fail("a printable string", e))?;
    Any::encode_from(&value).map_err(|e| fail("a printable string", e))
}

fn octets(bytes: &[u8]) -> Result<Any, MessageError> {
    let value = OctetString::new(bytes).map_err(|e| fail("an octet string", e))?;
    Any::encode_from(&value).map_err(|e| fail("an octet string", e))
}

fn issuer_and_serial(cert: &X509) -> IssuerAndSerialNumber {
    IssuerAndSerialNumber {
        issuer: cert.tbs_certificate().issuer().clone(),
        serial_number: cert.tbs_certificate().serial_number().clone(),
    }
}

/// The pkcsPKIEnvelope: `content` encrypted for `recipient` (its RSA key).
fn envelope(content: &[u8], recipient: &X509, cipher: Cipher) -> Result<Vec<u8>, MessageError> {
    let spki = recipient
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| fail("the CA certificate's key", e))?;
    let public = RsaPublicKey::from_public_key_der(&spki).map_err(|_| {
        MessageError("the CA's SCEP certificate has no RSA key to encrypt the request for".into())
    })?;
    let (oid, key, iv, encrypted) = match cipher {
        Cipher::Aes128 => {
            let key: [u8; 16] = random()?;
            let iv: [u8; 16] = random()?;
            let encrypted = cbc::Encryptor::<Aes128>::new_from_slices(&key, &iv)
                .map_err(|e| fail("AES", e))?
                .encrypt_padded_vec::<Pkcs7>(content);
            (AES128_CBC, key.to_vec(), iv.to_vec(), encrypted)
        }
        Cipher::TripleDes => {
            let key: [u8; 24] = random()?;
            let iv: [u8; 8] = random()?;
            let encrypted = cbc::Encryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                .map_err(|e| fail("3DES", e))?
                .encrypt_padded_vec::<Pkcs7>(content);
            (DES_EDE3_CBC, key.to_vec(), iv.to_vec(), encrypted)
        }
    };
    let key = zeroize::Zeroizing::new(key);
    let mut rng = getrandom::rand_core::UnwrapErr(getrandom::SysRng);
    let encrypted_key = public
        .encrypt(&mut rng, Pkcs1v15Encrypt, &key)
        .map_err(|e| fail("RSA encryption", e))?;
    let recipient_info = RecipientInfo::Ktri(KeyTransRecipientInfo {
        version: CmsVersion::V0,
        rid: RecipientIdentifier::IssuerAndSerialNumber(issuer_and_serial(recipient)),
        key_enc_alg: algorithm(RSA_ENCRYPTION, Some(Any::null())),
        enc_key: OctetString::new(encrypted_key).map_err(|e| fail("the key", e))?,
    });
    let enveloped = EnvelopedData {
        version: CmsVersion::V0,
        originator_info: None,
        recip_infos: RecipientInfos(
            SetOfVec::try_from(vec![recipient_info]).map_err(|e| fail("recipients", e))?,
        ),
        encrypted_content: EncryptedContentInfo {
            content_type: DATA,
            content_enc_alg: algorithm(oid, Some(octets(&iv)?)),
            encrypted_content: Some(
                OctetString::new(encrypted).map_err(|e| fail("the content", e))?,
            ),
        },
        unprotected_attrs: None,
    };
    ContentInfo {
        content_type: ENVELOPED_DATA,
        content: Any::encode_from(&enveloped).map_err(|e| fail("the envelope", e))?,
    }
    .to_der()
    .map_err(|e| fail("the envelope", e))
}

/// A pkiMessage: `content` (a CSR, or an IssuerAndSubject) encrypted for `recipient` and
/// signed by `signer_der`'s key `key` with the SCEP attributes; and its sender nonce,
/// which the CertRep must return.
pub fn pki_message(
    kind: MessageType,
    content: &[u8],
    recipient_der: &[u8],
    (signer_der, key): (&[u8], &PrivateKey),
    transaction_id: &str,
    cipher: Cipher,
) -> Result<(Vec<u8>, [u8; 16]), MessageError> {
    let recipient = X509::from_der(recipient_der).map_err(|e| fail("the CA certificate", e))?;
    let signer_cert = X509::from_der(signer_der).map_err(|e| fail("the signer", e))?;
    let enveloped = envelope(content, &recipient, cipher)?;
    let nonce: [u8; 16] = random()?;
    let digest = sha2::Sha256::digest(&enveloped);
    let attributes = SetOfVec::try_from(vec![
        attribute(
            CONTENT_TYPE,
            Any::encode_from(&DATA).map_err(|e| fail("contentType", e))?,
        )?,
        attribute(MESSAGE_DIGEST, octets(&digest)?)?,
        attribute(MESSAGE_TYPE, printable(kind.code())?)?,
        attribute(TRANSACTION_ID, printable(transaction_id)?)?,
        attribute(SENDER_NONCE, octets(&nonce)?)?,
    ])
    .map_err(|e| fail("the signed attributes", e))?;
    let to_sign = attributes
        .to_der()
        .map_err(|e| fail("the signed attributes", e))?;
    let signer = signer_from(key, HashAlgorithm::Sha256).map_err(|e| fail("the key", e))?;
    let signature = rcgen::SigningKey::sign(&signer, &to_sign).map_err(|e| fail("signing", e))?;
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(issuer_and_serial(&signer_cert)),
        digest_alg: algorithm(SHA256, None),
        signed_attrs: Some(attributes),
        signature_algorithm: algorithm(RSA_ENCRYPTION, Some(Any::null())),
        signature: OctetString::new(signature).map_err(|e| fail("the signature", e))?,
        unsigned_attrs: None,
    };
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![algorithm(SHA256, None)])
            .map_err(|e| fail("digests", e))?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: DATA,
            econtent: Some(octets(&enveloped)?),
        },
        certificates: Some(CertificateSet(
            SetOfVec::try_from(vec![CertificateChoices::Certificate(signer_cert)])
                .map_err(|e| fail("certificates", e))?,
        )),
        crls: None,
        signer_infos: SignerInfos(
            SetOfVec::try_from(vec![signer_info]).map_err(|e| fail("signers", e))?,
        ),
    };
    let der = ContentInfo {
        content_type: SIGNED_DATA,
        content: Any::encode_from(&signed).map_err(|e| fail("the message", e))?,
    }
    .to_der()
    .map_err(|e| fail("the message", e))?;
    Ok((der, nonce))
}

/// The IssuerAndSubject of a poll (GetCertInitial): the CA's name and the request's subject.
pub fn issuer_and_subject(ca_der: &[u8], placeholder_der: &[u8]) -> Result<Vec<u8>, MessageError> {
    let ca = X509::from_der(ca_der).map_err(|e| fail("the CA certificate", e))?;
    let mine = X509::from_der(placeholder_der).map_err(|e| fail("the request", e))?;
    let mut body = ca
        .tbs_certificate()
        .subject()
        .to_der()
        .map_err(|e| fail("the CA's name", e))?;
    body.extend(
        mine.tbs_certificate()
            .subject()
            .to_der()
            .map_err(|e| fail("the subject", e))?,
    );
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x30], &body);
    Ok(out)
}

/// Reads a CertRep: checks the signature (by one of `ca_certs`, what GetCACert gave), the
/// transaction and the nonce, and decrypts the issued certificates with `key`.
pub fn cert_rep(
    der: &[u8],
    ca_certs: &[Vec<u8>],
    key: &PrivateKey,
    (transaction_id, nonce): (&str, &[u8]),
) -> Result<CertRep, MessageError> {
    let der = if tlv::starts_indefinite(der) {
        tlv::ber_to_der(der).map_err(|e| fail("its BER", e))?.0
    } else {
        der.to_vec()
    };
    let info = ContentInfo::from_der(&der).map_err(|e| fail("it is not CMS", e))?;
    if info.content_type != SIGNED_DATA {
        return Err(MessageError("it is not a signed SCEP message".into()));
    }
    let signed: SignedData = info
        .content
        .decode_as()
        .map_err(|e| fail("its SignedData", e))?;
    let signer = signed
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| MessageError("it has no signature".into()))?;
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| MessageError("it has no SCEP attributes".into()))?;
    let value = |oid: ObjectIdentifier| attrs.iter().find(|a| a.oid == oid)?.values.get(0);
    let text = |oid: ObjectIdentifier| -> Option<String> {
        let any = value(oid)?;
        Some(String::from_utf8_lossy(any.value()).into_owned())
    };
    let content = signed
        .encap_content_info
        .econtent
        .as_ref()
        .map(|any| any.value().to_vec());
    verify(signer, attrs, content.as_deref(), ca_certs)?;
    if text(TRANSACTION_ID).as_deref() != Some(transaction_id) {
        return Err(MessageError(
            "its transaction ID is not the request's".into(),
        ));
    }
    if let Some(recipient_nonce) = value(RECIPIENT_NONCE)
        && recipient_nonce.value() != nonce
    {
        return Err(MessageError(
            "it answers another message (its recipient nonce is not ours)".into(),
        ));
    }
    match text(PKI_STATUS).as_deref() {
        Some("0") => {}
        Some("2") => {
            let why = match text(FAIL_INFO).as_deref() {
                Some("0") => "badAlg: it does not support the algorithms used",
                Some("1") => "badMessageCheck: the request's signature did not verify",
                Some("3") => "badTime: the request's time is wrong",
                Some("4") => "badCertId: it knows no such certificate",
                _ => {
                    "badRequest: it refused the request (a wrong challenge password, or a name its policy refuses)"
                }
            };
            return Ok(CertRep::Failure(why.into()));
        }
        Some("3") => return Ok(CertRep::Pending),
        _ => return Err(MessageError("it has no valid pkiStatus".into())),
    }
    let content = content.ok_or_else(|| MessageError("it holds no certificate".into()))?;
    let inner = decrypt(&content, key)?;
    let certs = pkcs7::certificates(&inner).map_err(|e| fail("its certificates", e))?;
    Ok(CertRep::Success(certs))
}

/// A digest function.
type Digest = fn(&[u8]) -> Vec<u8>;

/// An RSA PKCS#1 verification with one hash.
type Verification = &'static dyn aws_lc_rs::signature::VerificationAlgorithm;

/// Checks the message digest and the signature over the signed attributes.
fn verify(
    signer: &SignerInfo,
    attrs: &SetOfVec<Attribute>,
    content: Option<&[u8]>,
    ca_certs: &[Vec<u8>],
) -> Result<(), MessageError> {
    let SignerIdentifier::IssuerAndSerialNumber(sid) = &signer.sid else {
        return Err(MessageError(
            "its signer is named by a key identifier".into(),
        ));
    };
    let cert = ca_certs
        .iter()
        .filter_map(|der| X509::from_der(der).ok())
        .find(|c| issuer_and_serial(c) == *sid)
        .ok_or_else(|| {
            MessageError("it is not signed by the CA certificate GetCACert gave".into())
        })?;
    let (hash, algorithm): (Digest, Verification) = match signer.digest_alg.oid {
        SHA1 => (
            |d| sha1::Sha1::digest(d).to_vec(),
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        ),
        SHA256 => (
            |d| sha2::Sha256::digest(d).to_vec(),
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        ),
        SHA512 => (
            |d| sha2::Sha512::digest(d).to_vec(),
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA512,
        ),
        other => {
            return Err(MessageError(format!(
                "it is signed with the digest {other}"
            )));
        }
    };
    let digest = attrs
        .iter()
        .find(|a| a.oid == MESSAGE_DIGEST)
        .and_then(|a| a.values.get(0))
        .map(|v| v.value().to_vec());
    if digest != Some(hash(content.unwrap_or_default())) {
        return Err(MessageError("its message digest does not match".into()));
    }
    let signed_bytes = attrs.to_der().map_err(|e| fail("its attributes", e))?;
    let public = cert
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes();
    aws_lc_rs::signature::UnparsedPublicKey::new(algorithm, public)
        .verify(&signed_bytes, signer.signature.as_bytes())
        .map_err(|_| MessageError("its signature does not verify".into()))
}

/// The envelope with its encrypted content as the primitive `[0]` DER wants: many SCEP
/// servers (Go's pkcs7, Java) write it constructed, as BER allows, which the DER decoder
/// refuses.
fn primitive_encrypted_content(envelope: &[u8]) -> Result<Vec<u8>, tlv::TlvError> {
    let (info, _) = tlv::read(envelope)?;
    let info_parts = info.children()?;
    let (Some(oid), Some(explicit)) = (info_parts.first(), info_parts.get(1)) else {
        return Ok(envelope.to_vec());
    };
    let Some(enveloped) = explicit.children()?.into_iter().next() else {
        return Ok(envelope.to_vec());
    };
    let mut body = Vec::new();
    let mut seen_recipients = false;
    let mut changed = false;
    for part in enveloped.children()? {
        if part.tag_byte() == 0x31 {
            seen_recipients = true;
        }
        if seen_recipients && part.tag_byte() == 0x30 && !changed {
            let mut eci = Vec::new();
            for field in part.children()? {
                if field.tag_byte() == 0xa0 {
                    let mut octets = Vec::new();
                    for chunk in field.children()? {
                        octets.extend_from_slice(chunk.content);
                    }
                    tlv::push_element(&mut eci, &[0x80], &octets);
                    changed = true;
                } else {
                    eci.extend_from_slice(field.raw);
                }
            }
            tlv::push_element(&mut body, &[0x30], &eci);
        } else {
            body.extend_from_slice(part.raw);
        }
    }
    if !changed {
        return Ok(envelope.to_vec());
    }
    let mut sequence = Vec::new();
    tlv::push_element(&mut sequence, &[0x30], &body);
    let mut content = oid.raw.to_vec();
    tlv::push_element(&mut content, &[0xa0], &sequence);
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x30], &content);
    Ok(out)
}

/// Decrypts a pkcsPKIEnvelope meant for `key`.
fn decrypt(envelope: &[u8], key: &PrivateKey) -> Result<Vec<u8>, MessageError> {
    let envelope = if tlv::starts_indefinite(envelope) {
        tlv::ber_to_der(envelope)
            .map_err(|e| fail("its envelope's BER", e))?
            .0
    } else {
        envelope.to_vec()
    };
    let envelope = primitive_encrypted_content(&envelope).map_err(|e| fail("its envelope", e))?;
    let info = ContentInfo::from_der(&envelope).map_err(|e| fail("its envelope", e))?;
    let enveloped: EnvelopedData = info
        .content
        .decode_as()
        .map_err(|e| fail("its EnvelopedData", e))?;
    let private = RsaPrivateKey::from_pkcs8_der(key.pkcs8_der())
        .map_err(|_| MessageError("the request's key is not RSA".into()))?;
    let content_key = enveloped
        .recip_infos
        .0
        .iter()
        .find_map(|r| match r {
            RecipientInfo::Ktri(k) => private
                .decrypt(Pkcs1v15Encrypt, k.enc_key.as_bytes())
                .ok()
                .map(zeroize::Zeroizing::new),
            _ => None,
        })
        .ok_or_else(|| MessageError("it is not encrypted for the request's key".into()))?;
    let alg = &enveloped.encrypted_content.content_enc_alg;
    let iv: OctetString = alg
        .parameters
        .as_ref()
        .ok_or_else(|| MessageError("its cipher has no IV".into()))?
        .decode_as()
        .map_err(|e| fail("its IV", e))?;
    let data = enveloped
        .encrypted_content
        .encrypted_content
        .as_ref()
        .ok_or_else(|| MessageError("its envelope is empty".into()))?
        .as_bytes();
    let (key, iv) = (content_key.as_slice(), iv.as_bytes());
    let bad = |e: &dyn std::fmt::Display| fail("it cannot be decrypted", e);
    match alg.oid {
        AES128_CBC => cbc::Decryptor::<Aes128>::new_from_slices(key, iv)
            .map_err(|e| bad(&e))?
            .decrypt_padded_vec::<Pkcs7>(data)
            .map_err(|e| bad(&e)),
        AES192_CBC => cbc::Decryptor::<Aes192>::new_from_slices(key, iv)
            .map_err(|e| bad(&e))?
            .decrypt_padded_vec::<Pkcs7>(data)
            .map_err(|e| bad(&e)),
        AES256_CBC => cbc::Decryptor::<Aes256>::new_from_slices(key, iv)
            .map_err(|e| bad(&e))?
            .decrypt_padded_vec::<Pkcs7>(data)
            .map_err(|e| bad(&e)),
        DES_EDE3_CBC => cbc::Decryptor::<des::TdesEde3>::new_from_slices(key, iv)
            .map_err(|e| bad(&e))?
            .decrypt_padded_vec::<Pkcs7>(data)
            .map_err(|e| bad(&e)),
        DES_CBC => cbc::Decryptor::<des::Des>::new_from_slices(key, iv)
            .map_err(|e| bad(&e))?
            .decrypt_padded_vec::<Pkcs7>(data)
            .map_err(|e| bad(&e)),
        other => Err(MessageError(format!("it is encrypted with {other}"))),
    }
}
