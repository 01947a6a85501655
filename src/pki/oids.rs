//! Object identifiers certdesk reads or writes, and their display names.

/// Ed25519 public key algorithm.
pub const ED25519: &str = "1.3.101.112";
/// Ed448 public key algorithm.
pub const ED448: &str = "1.3.101.113";
/// rsaEncryption.
pub const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
/// id-ecPublicKey.
pub const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
/// PKCS#9 friendlyName, a PKCS#12 bag attribute.
pub const FRIENDLY_NAME: &str = "1.2.840.113549.1.9.20";
/// PKCS#9 localKeyId, a PKCS#12 bag attribute pairing a key and its certificate.
pub const LOCAL_KEY_ID: &str = "1.2.840.113549.1.9.21";
/// Microsoft key-provider (CSP) name, a PKCS#12 key bag attribute.
pub const MS_KEY_PROVIDER: &str = "1.3.6.1.4.1.311.17.1";
/// Microsoft machine-keyset marker, a PKCS#12 key bag attribute.
pub const MS_MACHINE_KEYSET: &str = "1.3.6.1.4.1.311.17.2";
/// PKCS#7 signedData content type.
pub const PKCS7_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";

/// Critical extensions whose meaning certdesk (and path validation) understands. A
/// certificate with any other critical extension must be refused (RFC 5280 §4.2).
const UNDERSTOOD_CRITICAL: &[&str] = &[
    "2.5.29.15", // keyUsage
    "2.5.29.17", // subjectAltName
    "2.5.29.18", // issuerAltName
    "2.5.29.19", // basicConstraints
    "2.5.29.30", // nameConstraints
    "2.5.29.32", // certificatePolicies
    "2.5.29.33", // policyMappings
    "2.5.29.36", // policyConstraints
    "2.5.29.37", // extKeyUsage
    "2.5.29.54", // inhibitAnyPolicy
    "2.5.29.14", // subjectKeyIdentifier (must not be critical, but harmless)
    "2.5.29.35", // authorityKeyIdentifier (idem)
];

/// Whether a critical extension with this dotted OID is understood.
pub fn is_understood_critical(oid: &str) -> bool {
    UNDERSTOOD_CRITICAL.contains(&oid)
}

/// The display name of a signature algorithm OID; the dotted OID when unknown.
pub fn signature_name(oid: &str) -> String {
    let name = match oid {
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.2" => "md2WithRSAEncryption",
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.2.840.10040.4.3" => "dsa-with-SHA1",
        "2.16.840.1.101.3.4.3.2" => "dsa-with-SHA256",
        ED25519 => "ED25519",
        ED448 => "ED448",
        other => return other.to_owned(),
    };
    name.to_owned()
}

/// The name and size in bits of a named elliptic curve OID.
pub fn curve_name(oid: &str) -> (String, u32) {
    let (name, bits) = match oid {
        "1.2.840.10045.3.1.7" => ("P-256", 256),
        "1.3.132.0.34" => ("P-384", 384),
        "1.3.132.0.35" => ("P-521", 521),
        "1.3.132.0.10" => ("secp256k1", 256),
        "1.2.840.10045.3.1.1" => ("P-192", 192),
        "1.3.132.0.33" => ("P-224", 224),
        other => return (other.to_owned(), 0),
    };
    (name.to_owned(), bits)
}
