//! Writing PKCS#7 certs-only SignedData (`.p7b`), DER, certificates in the given order
//! (end entity first).

use super::tlv;

const SIGNED_DATA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
const DATA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];

/// A certs-only SignedData: version 1, no digest algorithms, no content, no signers.
pub fn certs_only(certs: &[&[u8]]) -> Vec<u8> {
    let mut body = Vec::new();
    tlv::push_element(&mut body, &[0x02], &[1]);
    tlv::push_element(&mut body, &[0x31], &[]);
    let mut encap = Vec::new();
    tlv::push_element(&mut encap, &[0x06], DATA_OID);
    tlv::push_element(&mut body, &[0x30], &encap);
    tlv::push_element(&mut body, &[0xa0], &certs.concat());
    tlv::push_element(&mut body, &[0x31], &[]);
    let mut signed = Vec::new();
    tlv::push_element(&mut signed, &[0x30], &body);
    let mut ci = Vec::new();
    tlv::push_element(&mut ci, &[0x06], SIGNED_DATA_OID);
    tlv::push_element(&mut ci, &[0xa0], &signed);
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x30], &ci);
    out
}
