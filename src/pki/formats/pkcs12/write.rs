//! Writing PKCS#12: the end-entity certificate with its chain in one encrypted safe, the
//! key as a shrouded key bag in a plain safe, a MAC over both, and every bag attribute
//! under our control: friendlyName and localKeyId pairing key and certificate, the
//! Microsoft key-provider name and machine-keyset marker on the key bag, and whatever was
//! kept from an import.

use zeroize::Zeroizing;

use super::crypto::{self, Password, PfxEncryption};
use super::der;
use crate::pki::formats::FormatError;

/// Everything a PFX carries.
pub struct PfxContents<'a> {
    /// The end-entity certificate (DER).
    pub leaf: &'a [u8],
    /// The rest of the certification path, issuer first, with each one's friendly name.
    pub chain: Vec<(&'a [u8], Option<String>)>,
    /// The private key, PKCS#8 DER.
    pub key_pkcs8: &'a [u8],
    /// The key and certificate's friendly name (written on both bags), if any.
    pub friendly_name: Option<String>,
    /// The localKeyId pairing key and certificate.
    pub local_key_id: Vec<u8>,
    /// Other attributes of the key bag: dotted OID and DER of the value SET.
    pub key_attributes: Vec<(String, Vec<u8>)>,
    /// Other attributes of the end-entity certificate bag.
    pub cert_attributes: Vec<(String, Vec<u8>)>,
}

/// The extended properties certdesk writes by default: the key-provider name (1.3.6.1.4.1.311.17.1,
/// a BMPString) and, for a computer key, the machine-keyset marker (1.3.6.1.4.1.311.17.2).
pub fn microsoft_key_attributes(provider: &str, machine: bool) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![(
        crate::pki::oids::MS_KEY_PROVIDER.to_owned(),
        der::set_of_one(&der::bmp_string(provider)),
    )];
    if machine {
        out.push((
            crate::pki::oids::MS_MACHINE_KEYSET.to_owned(),
            der::set_of(Vec::new()),
        ));
    }
    out
}

fn attributes(
    name: Option<&str>,
    local_key_id: Option<&[u8]>,
    other: &[(String, Vec<u8>)],
) -> Vec<u8> {
    let mut attrs = Vec::new();
    if let Some(name) = name {
        attrs.push(der::attribute(
            &der::oid(&der::FRIENDLY_NAME),
            &der::set_of_one(&der::bmp_string(name)),
        ));
    }
    if let Some(id) = local_key_id {
        attrs.push(der::attribute(
            &der::oid(&der::LOCAL_KEY_ID),
            &der::set_of_one(&der::octets(id)),
        ));
    }
    for (oid, set) in other {
        if let Some(oid) = der::oid_text(oid) {
            attrs.push(der::attribute(&oid, set));
        }
    }
    if attrs.is_empty() {
        Vec::new()
    } else {
        der::set_of(attrs)
    }
}

fn safe_bag(bag_id: &::der::asn1::ObjectIdentifier, value: &[u8], attrs: Vec<u8>) -> Vec<u8> {
    der::sequence(&[&der::oid(bag_id), &der::explicit0(value), &attrs])
}

fn cert_bag(cert: &[u8], attrs: Vec<u8>) -> Vec<u8> {
    let value = der::sequence(&[
        &der::oid(&der::X509_CERTIFICATE),
        &der::explicit0(&der::octets(cert)),
    ]);
    safe_bag(&der::CERT_BAG, &value, attrs)
}

fn data_content_info(content: &[u8]) -> Vec<u8> {
    der::sequence(&[
        &der::oid(&der::DATA),
        &der::explicit0(&der::octets(content)),
    ])
}

/// Writes a PFX. `iterations` applies to the key derivations and the MAC.
pub fn write(
    contents: &PfxContents<'_>,
    password: &str,
    scheme: PfxEncryption,
    iterations: u32,
) -> Result<Vec<u8>, FormatError> {
    let password = Password::new(password);
    // Certificates: leaf first, then the chain, in one encrypted safe.
    let mut bags = vec![cert_bag(
        contents.leaf,
        attributes(
            contents.friendly_name.as_deref(),
            Some(&contents.local_key_id),
            &contents.cert_attributes,
        ),
    )];
    for (cert, name) in &contents.chain {
        bags.push(cert_bag(cert, attributes(name.as_deref(), None, &[])));
    }
    let cert_safe = der::sequence(&bags.iter().map(Vec::as_slice).collect::<Vec<_>>());
    let (alg, ciphertext) = crypto::encrypt(scheme, &cert_safe, &password, iterations)?;
    let mut implicit = Vec::new();
    super::super::tlv::push_element(&mut implicit, &[0x80], &ciphertext);
    let encrypted_content_info = der::sequence(&[&der::oid(&der::DATA), &alg, &implicit]);
    let encrypted_data = der::sequence(&[&der::integer(0), &encrypted_content_info]);
    let certs_ci = der::sequence(&[
        &der::oid(&der::ENCRYPTED_DATA),
        &der::explicit0(&encrypted_data),
    ]);

    // The key: a shrouded key bag in a plain safe.
    let (key_alg, key_ciphertext) =
        crypto::encrypt(scheme, contents.key_pkcs8, &password, iterations)?;
    let encrypted_key = Zeroizing::new(der::sequence(&[&key_alg, &der::octets(&key_ciphertext)]));
    let key_bag = safe_bag(
        &der::SHROUDED_KEY_BAG,
        &encrypted_key,
        attributes(
            contents.friendly_name.as_deref(),
            Some(&contents.local_key_id),
            &contents.key_attributes,
        ),
    );
    let key_ci = data_content_info(&der::sequence(&[&key_bag]));

    let auth_safe = der::sequence(&[&certs_ci, &key_ci]);
    let mac = crypto::mac_data(scheme, &auth_safe, &password, iterations)?;
    Ok(der::sequence(&[
        &der::integer(3),
        &data_content_info(&auth_safe),
        &mac,
    ]))
}
