//! DER building blocks for writing PKCS#12: object identifiers (checked at compile time),
//! integers, AlgorithmIdentifiers, attributes and SET OF ordering.

use der::asn1::ObjectIdentifier;

use super::super::tlv;

pub const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
pub const ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
pub const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
pub const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
pub const X509_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
pub const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
pub const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
pub const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
pub const PBE_SHA1_3DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
pub const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
pub const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// The TLV of an OID.
pub fn oid(oid: &ObjectIdentifier) -> Vec<u8> {
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x06], oid.as_bytes());
    out
}

/// The TLV of a dotted OID given as text (stored properties); `None` when it is invalid.
pub fn oid_text(dotted: &str) -> Option<Vec<u8>> {
    ObjectIdentifier::new(dotted).ok().map(|o| oid(&o))
}

/// The TLV of a non-negative INTEGER.
pub fn integer(value: u64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
    let mut content = bytes[skip..].to_vec();
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x02], &content);
    out
}

/// AlgorithmIdentifier ::= SEQUENCE { algorithm, parameters }.
pub fn algorithm(algorithm: &ObjectIdentifier, params_tlv: &[u8]) -> Vec<u8> {
    let mut body = oid(algorithm);
    body.extend_from_slice(params_tlv);
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x30], &body);
    out
}

/// A BMPString TLV.
pub fn bmp_string(text: &str) -> Vec<u8> {
    let units: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x1e], &units);
    out
}

/// Attribute ::= SEQUENCE { type, values SET OF } from an OID TLV and a ready SET TLV.
pub fn attribute(oid_tlv: &[u8], values_set: &[u8]) -> Vec<u8> {
    let mut body = oid_tlv.to_vec();
    body.extend_from_slice(values_set);
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x30], &body);
    out
}

/// A SET OF holding one value TLV.
pub fn set_of_one(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x31], value);
    out
}

/// A SET OF the given element TLVs, in DER order (sorted by encoding).
pub fn set_of(mut elements: Vec<Vec<u8>>) -> Vec<u8> {
    elements.sort();
    let body: Vec<u8> = elements.concat();
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x31], &body);
    out
}

/// `[0] EXPLICIT` around a TLV.
pub fn explicit0(inner: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0xa0], inner);
    out
}

/// An OCTET STRING TLV.
pub fn octets(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x04], content);
    out
}

/// A SEQUENCE of the given TLVs.
pub fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x30], &parts.concat());
    out
}
