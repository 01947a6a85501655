//! Private keys: PKCS#8 in memory (zeroised on drop), their public-key identity for
//! pairing with certificates, and encryption at rest.
//!
//! A key pairs with a certificate when the SHA-256 of its public key bits equals the
//! certificate's [`CertSummary::public_key_hash`](crate::pki::cert::CertSummary): pairing is by
//! public key, never by position in a file. At rest a key is sealed ([`crate::pki::seal`])
//! under the store's random secret, bound to its public key hash and exportable flag.
//! Stores written before that kept an encrypted PKCS#8 (PBES2: PBKDF2-HMAC-SHA256 +
//! AES-256-CBC) under the same secret; [`PrivateKey::open_legacy`] reads those once, when
//! the store converts them.

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING, ECDSA_P521_SHA512_ASN1_SIGNING,
    EcdsaKeyPair, Ed25519KeyPair, KeyPair,
};
use der::{Decode, Encode};
use pkcs8::{EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef};
use zeroize::Zeroizing;

use crate::pki::cert::sha256_hex;
use crate::pki::oids;
use crate::pki::seal::{self, Binding};

/// Why bytes are not a usable private key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// Not a PKCS#8 PrivateKeyInfo.
    #[error("the private key is not a valid PKCS#8 key ({0})")]
    Malformed(String),
    /// The private fields do not give the public key the file claims (a damaged key, or
    /// one forged from a certificate's public key).
    #[error(
        "the private key is not consistent with its own public key (damaged or forged), so it cannot be used"
    )]
    Mismatch,
    /// The key's algorithm is not one certdesk can pair with a certificate.
    #[error("the private key uses an unsupported algorithm ({0})")]
    Unsupported(String),
    /// Encryption or decryption at rest failed.
    #[error(
        "the stored private key could not be {0}; the store's key file may not belong to this store"
    )]
    AtRest(&'static str),
    /// A store opened without its passphrase: keys and secrets cannot be used.
    #[error(
        "the store is locked: give its passphrase with --store-password-file or --store-password-env"
    )]
    Locked,
    /// A sealed key or secret does not open with the row it is in: someone without the
    /// store key moved it from another row, changed its row's flags, or changed its bytes.
    #[error(
        "the record of this key was altered outside certdesk, so it cannot be used; restore the store from a backup or import the key again"
    )]
    Altered,
}

/// Refuses the empty secret of a locked team store.
fn unlocked(secret: &[u8]) -> Result<(), KeyError> {
    if secret.is_empty() {
        Err(KeyError::Locked)
    } else {
        Ok(())
    }
}

/// A private key held in memory as PKCS#8 DER, with its public identity.
pub struct PrivateKey {
    pkcs8: Zeroizing<Vec<u8>>,
    public_key_hash: String,
    description: String,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("description", &self.description)
            .field("public_key_hash", &self.public_key_hash)
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// Reads an unencrypted PKCS#8 key and derives its public identity.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info =
            PrivateKeyInfoRef::from_der(der).map_err(|e| KeyError::Malformed(e.to_string()))?;
        let alg = info.algorithm.oid.to_string();
        let (public, description) = match alg.as_str() {
            oids::RSA_ENCRYPTION => rsa_public(info.private_key.as_bytes())?,
            oids::EC_PUBLIC_KEY => ec_public(&info, der)?,
            oids::ED25519 => {
                // Checks an embedded public key against the one the seed gives.
                let pair = Ed25519KeyPair::from_pkcs8(der).map_err(|_| KeyError::Mismatch)?;
                (pair.public_key().as_ref().to_vec(), "Ed25519".to_owned())
            }
            other => return Err(KeyError::Unsupported(other.to_owned())),
        };
        Ok(Self {
            pkcs8: Zeroizing::new(der.to_vec()),
            public_key_hash: sha256_hex(&public),
            description,
        })
    }

    /// Opens a key sealed by [`Self::seal`] in the row that names `public_key_hash` and
    /// `exportable`. The key must also prove that it is the row's key: its private half
    /// must give that public key hash.
    pub fn open(
        sealed: &[u8],
        secret: &[u8],
        public_key_hash: &str,
        exportable: bool,
    ) -> Result<Self, KeyError> {
        let binding = Binding::Key {
            public_key_hash,
            exportable,
        };
        let key = Self::from_pkcs8_der(&seal::open(sealed, secret, binding)?)?;
        if !key.public_key_hash.eq_ignore_ascii_case(public_key_hash) {
            return Err(KeyError::Altered);
        }
        Ok(key)
    }

    /// Seals the key for the `keys` table under the store's secret, bound to its public
    /// key hash and `exportable`.
    pub fn seal(&self, secret: &[u8], exportable: bool) -> Result<Vec<u8>, KeyError> {
        let binding = Binding::Key {
            public_key_hash: &self.public_key_hash,
            exportable,
        };
        seal::seal(&self.pkcs8, secret, binding)
    }

    /// Opens a key that is not a certificate's (an ACME account key) sealed with
    /// [`Self::seal_as`] under `binding`.
    pub fn open_as(sealed: &[u8], secret: &[u8], binding: Binding<'_>) -> Result<Self, KeyError> {
        Self::from_pkcs8_der(&seal::open(sealed, secret, binding)?)
    }

    /// Seals a key that is not a certificate's (an ACME account key) under `binding`.
    pub fn seal_as(&self, secret: &[u8], binding: Binding<'_>) -> Result<Vec<u8>, KeyError> {
        seal::seal(&self.pkcs8, secret, binding)
    }

    /// Decrypts a key kept by an older certdesk: an encrypted PKCS#8 under the store's
    /// secret, bound to nothing. Only the conversion of an older store reads these.
    pub fn open_legacy(encrypted: &[u8], secret: &[u8]) -> Result<Self, KeyError> {
        unlocked(secret)?;
        let info = EncryptedPrivateKeyInfoRef::from_der(encrypted)
            .map_err(|_| KeyError::AtRest("read"))?;
        let doc = info
            .decrypt(secret)
            .map_err(|_| KeyError::AtRest("decrypted"))?;
        Self::from_pkcs8_der(doc.as_bytes())
    }

    /// A second copy of the key (both zeroised on drop).
    pub fn clone_key(&self) -> Result<Self, KeyError> {
        Self::from_pkcs8_der(&self.pkcs8)
    }

    /// The unencrypted PKCS#8 DER (only ever held in memory).
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// SHA-256 of the public key bits, upper-case hex: equals the paired certificate's.
    pub fn public_key_hash(&self) -> &str {
        &self.public_key_hash
    }

    /// Algorithm and size, e.g. `RSA 2048`.
    pub fn description(&self) -> &str {
        &self.description
    }
}

/// The largest RSA key whose consistency is checked (and so the largest accepted).
const MAX_RSA_BITS: usize = 16_384;

/// The public key and description of an RSA private key, after proving that the private
/// fields give the public ones (n = p·q, d·e ≡ 1 mod p−1 and q−1): the public key of a
/// PKCS#1 structure is only a claim, and pairing trusts it.
fn rsa_public(private_key: &[u8]) -> Result<(Vec<u8>, String), KeyError> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    let rsa = pkcs1::RsaPrivateKeyRef::from_der(private_key)
        .map_err(|e| KeyError::Malformed(e.to_string()))?;
    let bits = rsa.modulus.as_bytes().len() * 8
        - rsa
            .modulus
            .as_bytes()
            .first()
            .map_or(0, |b| b.leading_zeros() as usize);
    if bits > MAX_RSA_BITS {
        return Err(KeyError::Unsupported(format!("RSA key of {bits} bits")));
    }
    rsa::RsaPrivateKey::from_pkcs1_der(private_key).map_err(|_| KeyError::Mismatch)?;
    let public = rsa
        .public_key()
        .to_der()
        .map_err(|e| KeyError::Malformed(e.to_string()))?;
    Ok((public, format!("RSA {bits}")))
}

fn ec_public(info: &PrivateKeyInfoRef<'_>, der: &[u8]) -> Result<(Vec<u8>, String), KeyError> {
    let curve = info
        .algorithm
        .parameters
        .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
        .map(|o| o.to_string())
        .unwrap_or_default();
    let (name, _) = oids::curve_name(&curve);
    let alg = match name.as_str() {
        "P-256" => &ECDSA_P256_SHA256_ASN1_SIGNING,
        "P-384" => &ECDSA_P384_SHA384_ASN1_SIGNING,
        "P-521" => &ECDSA_P521_SHA512_ASN1_SIGNING,
        _ => return Err(KeyError::Unsupported(format!("EC key on curve {name}"))),
    };
    // aws-lc derives the public point from the private scalar and refuses a key whose
    // embedded public point differs.
    let pair = EcdsaKeyPair::from_pkcs8(alg, der).map_err(|_| KeyError::Mismatch)?;
    let public = pair.public_key().as_ref().to_vec();
    Ok((public, format!("ECDSA {name}")))
}

/// Decrypts a secret that is not a key (an ACME EAB HMAC key, a password, a wrapped store
/// key) as an older certdesk kept it: PBES2 (PBKDF2-SHA256, AES-256-CBC) in the
/// EncryptedPrivateKeyInfo structure, bound to nothing. Only the conversion of an older
/// store reads these.
pub fn unseal_legacy(sealed: &[u8], secret: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    unlocked(secret)?;
    let info =
        EncryptedPrivateKeyInfoRef::from_der(sealed).map_err(|_| KeyError::AtRest("read"))?;
    info.encryption_algorithm
        .decrypt(secret, info.encrypted_data.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| KeyError::AtRest("decrypted"))
}
