//! Key generation and signing for requests and the built-in CA. RSA 2048/3072/4096 and
//! ECDSA P-256/P-384 use aws-lc through rcgen; RSA 1024 (accepted, with a warning) uses
//! the RustCrypto `rsa` crate, since aws-lc no longer signs with keys that small.

use rcgen::{KeyPair, PublicKeyData, RsaKeySize, SignatureAlgorithm, SigningKey};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
use rsa::signature::{SignatureEncoding, Signer as _};

use crate::pki::key::{KeyError, PrivateKey};

/// The key algorithm of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum KeyAlgorithm {
    /// RSA with this modulus size: 1024, 2048, 3072 or 4096.
    Rsa(u32),
    /// ECDSA on NIST P-256.
    P256,
    /// ECDSA on NIST P-384.
    P384,
}

/// The signature hash of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum HashAlgorithm {
    /// SHA-256 (the default).
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl KeyAlgorithm {
    /// `RSA 2048`, `ECDSA P-256`, ...
    pub fn label(self) -> String {
        match self {
            KeyAlgorithm::Rsa(bits) => format!("RSA {bits}"),
            KeyAlgorithm::P256 => "ECDSA P-256".to_owned(),
            KeyAlgorithm::P384 => "ECDSA P-384".to_owned(),
        }
    }

    /// The CLI name (`rsa`, `p256`, `p384`).
    pub fn cli_name(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa(_) => "rsa",
            KeyAlgorithm::P256 => "p256",
            KeyAlgorithm::P384 => "p384",
        }
    }
}

impl HashAlgorithm {
    /// The CLI name (`sha256`, ...).
    pub fn cli_name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }
}

/// Why a key cannot be generated or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeygenError {
    /// An RSA size other than 1024/2048/3072/4096.
    #[error("an RSA key of {0} bits is not offered: choose 1024, 2048, 3072 or 4096")]
    RsaSize(u32),
    /// ECDSA keys sign with the hash that matches their curve.
    #[error("an ECDSA {curve} key signs with {expected}; choose that hash or an RSA key")]
    CurveHash {
        /// The curve.
        curve: &'static str,
        /// The matching hash.
        expected: &'static str,
    },
    /// The cryptographic library failed.
    #[error("the key could not be generated or used: {0}")]
    Crypto(String),
}

/// A signing key: rcgen's aws-lc key pair, or a RustCrypto RSA key for 1024 bits.
pub enum Signer {
    /// aws-lc (RSA 2048+ and ECDSA).
    AwsLc(KeyPair),
    /// RustCrypto RSA, for sizes aws-lc refuses.
    SmallRsa {
        /// The key.
        key: Box<rsa::RsaPrivateKey>,
        /// The DER of the RSAPublicKey.
        public: Vec<u8>,
        /// The signature algorithm (PKCS#1 v1.5 with the chosen hash).
        alg: &'static SignatureAlgorithm,
    },
}

impl PublicKeyData for Signer {
    fn der_bytes(&self) -> &[u8] {
        match self {
            Signer::AwsLc(k) => k.der_bytes(),
            Signer::SmallRsa { public, .. } => public,
        }
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        match self {
            Signer::AwsLc(k) => k.algorithm(),
            Signer::SmallRsa { alg, .. } => alg,
        }
    }
}

impl SigningKey for Signer {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        match self {
            Signer::AwsLc(k) => k.sign(msg),
            Signer::SmallRsa { key, alg, .. } => {
                let key = key.as_ref().clone();
                let sig = if *alg == &rcgen::PKCS_RSA_SHA512 {
                    rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(key).try_sign(msg)
                } else if *alg == &rcgen::PKCS_RSA_SHA384 {
                    rsa::pkcs1v15::SigningKey::<sha2::Sha384>::new(key).try_sign(msg)
                } else {
                    rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key).try_sign(msg)
                };
                sig.map(|s| s.to_vec())
                    .map_err(|_| rcgen::Error::RemoteKeyError)
            }
        }
    }
}

/// The rcgen signature algorithm for a key and hash.
pub fn signature_algorithm(
    key: KeyAlgorithm,
    hash: HashAlgorithm,
) -> Result<&'static SignatureAlgorithm, KeygenError> {
    Ok(match (key, hash) {
        (KeyAlgorithm::Rsa(_), HashAlgorithm::Sha256) => &rcgen::PKCS_RSA_SHA256,
        (KeyAlgorithm::Rsa(_), HashAlgorithm::Sha384) => &rcgen::PKCS_RSA_SHA384,
        (KeyAlgorithm::Rsa(_), HashAlgorithm::Sha512) => &rcgen::PKCS_RSA_SHA512,
        (KeyAlgorithm::P256, HashAlgorithm::Sha256) => &rcgen::PKCS_ECDSA_P256_SHA256,
        (KeyAlgorithm::P384, HashAlgorithm::Sha384) => &rcgen::PKCS_ECDSA_P384_SHA384,
        (KeyAlgorithm::P256, _) => {
            return Err(KeygenError::CurveHash {
                curve: "P-256",
                expected: "SHA-256",
            });
        }
        (KeyAlgorithm::P384, _) => {
            return Err(KeygenError::CurveHash {
                curve: "P-384",
                expected: "SHA-384",
            });
        }
    })
}

/// Checks a key/hash choice without generating anything.
pub fn check(key: KeyAlgorithm, hash: HashAlgorithm) -> Result<(), KeygenError> {
    if let KeyAlgorithm::Rsa(bits) = key
        && !matches!(bits, 1024 | 2048 | 3072 | 4096)
    {
        return Err(KeygenError::RsaSize(bits));
    }
    signature_algorithm(key, hash).map(|_| ())
}

/// Generates a new key: the signer and the same key as PKCS#8 for the store.
pub fn generate(
    key: KeyAlgorithm,
    hash: HashAlgorithm,
) -> Result<(Signer, PrivateKey), KeygenError> {
    check(key, hash)?;
    let alg = signature_algorithm(key, hash)?;
    let crypto = |e: &dyn std::fmt::Display| KeygenError::Crypto(e.to_string());
    let signer = match key {
        KeyAlgorithm::Rsa(1024) => {
            let mut rng = getrandom::rand_core::UnwrapErr(getrandom::SysRng);
            let private = rsa::RsaPrivateKey::new(&mut rng, 1024).map_err(|e| crypto(&e))?;
            let spki = private
                .to_public_key()
                .to_public_key_der()
                .map_err(|e| crypto(&e))?;
            let public = spki_key_bits(spki.as_bytes())?;
            Signer::SmallRsa {
                key: Box::new(private),
                public,
                alg,
            }
        }
        KeyAlgorithm::Rsa(bits) => {
            let size = match bits {
                2048 => RsaKeySize::_2048,
                3072 => RsaKeySize::_3072,
                _ => RsaKeySize::_4096,
            };
            Signer::AwsLc(KeyPair::generate_rsa_for(alg, size).map_err(|e| crypto(&e))?)
        }
        KeyAlgorithm::P256 | KeyAlgorithm::P384 => {
            Signer::AwsLc(KeyPair::generate_for(alg).map_err(|e| crypto(&e))?)
        }
    };
    let private = to_private_key(&signer)?;
    Ok((signer, private))
}

/// Loads a stored key as a signer with the given hash (RSA 2048+ or ECDSA).
pub fn signer_from(key: &PrivateKey, hash: HashAlgorithm) -> Result<Signer, KeygenError> {
    let alg = if key.description().starts_with("RSA") {
        signature_algorithm(KeyAlgorithm::Rsa(2048), hash)?
    } else if key.description().ends_with("P-384") {
        &rcgen::PKCS_ECDSA_P384_SHA384
    } else {
        &rcgen::PKCS_ECDSA_P256_SHA256
    };
    let der = rustls_pki_types::PrivatePkcs8KeyDer::from(key.pkcs8_der());
    KeyPair::from_pkcs8_der_and_sign_algo(&der, alg)
        .map(Signer::AwsLc)
        .map_err(|e| KeygenError::Crypto(e.to_string()))
}

fn to_private_key(signer: &Signer) -> Result<PrivateKey, KeygenError> {
    let der = match signer {
        Signer::AwsLc(k) => zeroize::Zeroizing::new(k.serialize_der()),
        Signer::SmallRsa { key, .. } => zeroize::Zeroizing::new(
            key.to_pkcs8_der()
                .map_err(|e| KeygenError::Crypto(e.to_string()))?
                .as_bytes()
                .to_vec(),
        ),
    };
    PrivateKey::from_pkcs8_der(&der).map_err(|e: KeyError| KeygenError::Crypto(e.to_string()))
}

/// The subjectPublicKey bits of an SPKI (what rcgen calls the key's DER bytes).
fn spki_key_bits(spki: &[u8]) -> Result<Vec<u8>, KeygenError> {
    use x509_parser::prelude::FromDer;
    let (_, parsed) = x509_parser::x509::SubjectPublicKeyInfo::from_der(spki)
        .map_err(|e| KeygenError::Crypto(e.to_string()))?;
    Ok(parsed.subject_public_key.data.to_vec())
}
