//! OCSP (RFC 6960): one request for a certificate (CertID by SHA-1, as every responder
//! reads), POSTed to the responder its AIA names; the answer's signature checked against
//! the issuer or a responder certificate the issuer delegated (OCSP Signing).

use sha1::{Digest, Sha1};
use x509_parser::der_parser::asn1_rs::BitString;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::AlgorithmIdentifier;

use super::{CertAndIssuer, NoAnswer, Revocation};
use crate::pki::formats::tlv::{self, Tlv};
use crate::pki::timefmt;

/// SHA-1, 1.3.14.3.2.26, with NULL parameters.
const SHA1_ALGORITHM: &[u8] = &[
    0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00,
];

/// id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1.
const BASIC: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];

/// The CertID of `cert` issued by `issuer`, DER.
fn cert_id(cert: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> Vec<u8> {
    let name_hash = Sha1::digest(issuer.subject().as_raw());
    let key_hash = Sha1::digest(issuer.public_key().subject_public_key.data.as_ref());
    let mut body = SHA1_ALGORITHM.to_vec();
    tlv::push_element(&mut body, &[0x04], &name_hash);
    tlv::push_element(&mut body, &[0x04], &key_hash);
    tlv::push_element(&mut body, &[0x02], cert.raw_serial());
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x30], &body);
    out
}

/// The OCSPRequest for one certificate, DER.
pub fn request(ders: CertAndIssuer<'_>) -> Option<Vec<u8>> {
    let (_, cert) = X509Certificate::from_der(ders.cert).ok()?;
    let (_, issuer) = X509Certificate::from_der(ders.issuer).ok()?;
    let mut request = Vec::new();
    tlv::push_element(&mut request, &[0x30], &cert_id(&cert, &issuer));
    let mut list = Vec::new();
    tlv::push_element(&mut list, &[0x30], &request);
    let mut tbs = Vec::new();
    tlv::push_element(&mut tbs, &[0x30], &list);
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x30], &tbs);
    Some(out)
}

fn children<'a>(t: &Tlv<'a>) -> Result<Vec<Tlv<'a>>, NoAnswer> {
    Ok(t.children()?)
}

fn generalized_time(t: &Tlv<'_>) -> Option<i64> {
    let text = std::str::from_utf8(t.content).ok()?;
    let digits = text.trim_end_matches('Z');
    let digits = digits.split('.').next()?;
    if digits.len() != 14 {
        return None;
    }
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &digits[0..4],
        &digits[4..6],
        &digits[6..8],
        &digits[8..10],
        &digits[10..12],
        &digits[12..14]
    );
    timefmt::parse_rfc3339(&iso)
}

/// Whether `signer` (DER) signed `data` with `algorithm` / `signature` (raw TLVs).
fn signed_by(
    signer: &X509Certificate<'_>,
    (algorithm, signature, data): (&[u8], &[u8], &[u8]),
) -> bool {
    let (Ok((_, algorithm)), Ok((_, signature))) = (
        AlgorithmIdentifier::from_der(algorithm),
        BitString::from_der(signature),
    ) else {
        return false;
    };
    x509_parser::verify::verify_signature(signer.public_key(), &algorithm, &signature, data).is_ok()
}

/// Reads an OCSPResponse for `cert` (issued by `issuer`): good or revoked with the
/// answer's nextUpdate (when it gives one, until when it may be kept), or why not.
pub fn verdict(
    response: &[u8],
    ders: CertAndIssuer<'_>,
    url: &str,
    now: i64,
) -> Result<(Revocation, Option<i64>), NoAnswer> {
    let (_, cert) = X509Certificate::from_der(ders.cert).map_err(|_| NoAnswer::Unreadable)?;
    let (_, issuer) = X509Certificate::from_der(ders.issuer).map_err(|_| NoAnswer::Unreadable)?;
    let (outer, _) = tlv::read(response)?;
    let parts = children(&outer)?;
    let status = parts
        .first()
        .map(|s| s.content.to_vec())
        .unwrap_or_default();
    match status.as_slice() {
        [0] => {}
        [code] => {
            return Err(NoAnswer::Unsuccessful(*code));
        }
        // An answer's own bytes are never spelt out: they may be megabytes.
        _ => {
            return Err(NoAnswer::Malformed(
                "the responder's status is not an OCSP status",
            ));
        }
    }
    const NO_RESPONSE: NoAnswer = NoAnswer::Malformed("the answer has no response");
    let bytes = parts.get(1).ok_or(NO_RESPONSE)?;
    let bytes = children(bytes)?;
    let bytes = children(bytes.first().ok_or(NO_RESPONSE)?)?;
    if bytes.first().map(|t| t.content) != Some(BASIC) {
        return Err(NoAnswer::Malformed(
            "the answer is not a basic OCSP response",
        ));
    }
    let octets = bytes
        .get(1)
        .ok_or(NoAnswer::Malformed("the answer is empty"))?;
    let (basic, _) = tlv::read(octets.content)?;
    let basic = children(&basic)?;
    let [tbs, algorithm, signature, rest @ ..] = basic.as_slice() else {
        return Err(NoAnswer::Malformed("the basic response is malformed"));
    };
    let signed = (algorithm.raw, signature.raw, tbs.raw);
    let mut trusted = signed_by(&issuer, signed);
    if !trusted && let Some(certs) = rest.iter().find(|t| t.tag_byte() == 0xa0) {
        for list in children(certs)? {
            for der in children(&list)? {
                let Ok((_, responder)) = X509Certificate::from_der(der.raw) else {
                    continue;
                };
                let delegated = responder
                    .extended_key_usage()
                    .ok()
                    .flatten()
                    .is_some_and(|eku| eku.value.ocsp_signing);
                if delegated
                    && responder
                        .verify_signature(Some(issuer.public_key()))
                        .is_ok()
                    && signed_by(&responder, signed)
                {
                    trusted = true;
                }
            }
        }
    }
    if !trusted {
        return Err(NoAnswer::NotSigned);
    }
    let data = children(tbs)?;
    let responses = data
        .iter()
        .find(|t| t.tag_byte() == 0x30)
        .ok_or(NoAnswer::Malformed("the answer lists no certificate"))?;
    let wanted = cert_id(&cert, &issuer);
    for single in children(responses)? {
        let fields = children(&single)?;
        let [id, status, this_update, more @ ..] = fields.as_slice() else {
            continue;
        };
        if id.raw != wanted.as_slice() {
            continue;
        }
        let next = more
            .iter()
            .find(|t| t.tag_byte() == 0xa0)
            .and_then(|t| children(t).ok())
            .and_then(|c| c.first().and_then(generalized_time));
        if generalized_time(this_update).is_some_and(|t| t > now + 300)
            || next.is_some_and(|t| t < now)
        {
            return Err(NoAnswer::OutOfDate);
        }
        let verdict = match status.tag_byte() {
            0x80 => Revocation::Good {
                source: url.to_owned(),
            },
            0xa1 => {
                let info = children(status)?;
                let date = info.first().and_then(generalized_time).unwrap_or(0);
                let reason = info
                    .iter()
                    .find(|t| t.tag_byte() == 0xa0)
                    .and_then(|t| children(t).ok())
                    .and_then(|c| c.first().and_then(|e| e.content.first().copied()));
                Revocation::Revoked {
                    date: timefmt::rfc3339(date),
                    reason: reason.map_or_else(|| "no reason given".to_owned(), reason_name),
                    source: url.to_owned(),
                }
            }
            _ => return Err(NoAnswer::NotKnown),
        };
        return Ok((verdict, next));
    }
    Err(NoAnswer::NotAbout)
}

/// CRLReason's name.
fn reason_name(code: u8) -> String {
    match code {
        0 => "Unspecified",
        1 => "KeyCompromise",
        2 => "CACompromise",
        3 => "AffiliationChanged",
        4 => "Superseded",
        5 => "CessationOfOperation",
        6 => "CertificateHold",
        8 => "RemoveFromCRL",
        9 => "PrivilegeWithdrawn",
        10 => "AACompromise",
        _ => "an unknown reason",
    }
    .to_owned()
}
