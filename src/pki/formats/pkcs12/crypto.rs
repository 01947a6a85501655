//! The cryptography of PKCS#12 reading (RFC 7292): MAC verification with the PKCS#12 key
//! derivation, PBES2 (PBKDF2 + AES/3DES, as OpenSSL 3 and Windows' AES export write) and
//! the legacy PKCS#12 PBE schemes (3DES and RC2 with the SHA-1 PKCS#12 KDF).

use cbc::cipher::{BlockCipherDecrypt, BlockModeDecrypt, KeyInit, KeyIvInit, block_padding::Pkcs7};
use der::Decode;
use hmac::{Hmac, Mac};
use pkcs12::kdf::{self, Pkcs12KeyType};
use sha1::Sha1;
use sha2::{Sha224, Sha256, Sha384, Sha512};
use std::cell::Cell;
use std::rc::Rc;

use zeroize::Zeroizing;

use super::super::FormatError;
use super::super::tlv::{self, Tlv};
use super::{integer, octets, oid_of};

/// More iterations than this are refused: no real file uses them, and a hostile file
/// could otherwise keep the program busy for minutes.
const MAX_ITERATIONS: u64 = 10_000_000;

/// The key-derivation work one file may ask for in all (iterations summed over every
/// derivation: the MAC, each encrypted safe and each shrouded key). Real files need a few
/// thousand to a few hundred thousand; without a sum, a small hostile file with many bags
/// at the per-derivation maximum and no MAC would keep the program busy for minutes.
const FILE_BUDGET: u64 = 10_000_000;

/// The forms of the password that PKCS#12 uses, and the key-derivation work left for the
/// file being read.
pub struct Password<'a> {
    /// UTF-8, for PBES2 (what OpenSSL, Windows and NSS do).
    utf8: &'a str,
    /// BMPString with two terminating zero bytes, for the PKCS#12 KDF. An empty password
    /// may instead be an empty byte string (some writers), found when verifying the MAC.
    bmp: Zeroizing<Vec<u8>>,
    /// Iterations left for this file (shared by the password's forms).
    budget: Rc<Cell<u64>>,
}

impl<'a> Password<'a> {
    /// Prepares both forms of `password`, with a fresh work budget for one file.
    pub fn new(password: &'a str) -> Self {
        let mut bmp = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
        for unit in password.encode_utf16() {
            bmp.extend_from_slice(&unit.to_be_bytes());
        }
        bmp.extend_from_slice(&[0, 0]);
        Self {
            utf8: password,
            bmp,
            budget: Rc::new(Cell::new(FILE_BUDGET)),
        }
    }

    fn empty_raw(&self) -> Option<Self> {
        self.utf8.is_empty().then(|| Self {
            utf8: self.utf8,
            bmp: Zeroizing::new(Vec::new()),
            budget: Rc::clone(&self.budget),
        })
    }

    /// Takes `derivations` derivations of `iterations` each from the file's budget.
    fn spend(&self, iterations: u64, derivations: u64) -> Result<i32, FormatError> {
        let rounds = too_many(iterations)?;
        let cost = iterations.saturating_mul(derivations);
        let left = self.budget.get();
        if cost > left {
            return Err(FormatError::Pkcs12(format!(
                "it asks for more key-derivation work in all than certdesk does for one file ({FILE_BUDGET} iterations); no real tool writes such a file"
            )));
        }
        self.budget.set(left - cost);
        Ok(rounds)
    }
}

fn too_many(iterations: u64) -> Result<i32, FormatError> {
    if iterations == 0 || iterations > MAX_ITERATIONS {
        return Err(FormatError::Pkcs12(format!(
            "it asks for {iterations} key-derivation iterations, outside the range certdesk accepts (1 to {MAX_ITERATIONS})"
        )));
    }
    i32::try_from(iterations)
        .map_err(|_| FormatError::Pkcs12("its iteration count is invalid".into()))
}

/// HMAC with the PKCS#12 MAC key derivation (RFC 7292 appendix B) over `data`.
macro_rules! pkcs12_hmac {
    ($digest:ty, $pass:expr, $salt:expr, $rounds:expr, $data:expr) => {{
        let key = Zeroizing::new(kdf::derive_key::<$digest>(
            $pass,
            $salt,
            Pkcs12KeyType::Mac,
            $rounds,
            <$digest as sha2::digest::OutputSizeUser>::output_size(),
        ));
        let mut mac = Hmac::<$digest>::new_from_slice(&key)
            .map_err(|_| FormatError::Pkcs12("the MAC key is invalid".into()))?;
        mac.update($data);
        mac.finalize().into_bytes().to_vec()
    }};
}

/// The PKCS#12 HMAC for the hash with this dotted OID.
fn mac_for(
    hash_oid: &str,
    pass: &[u8],
    salt: &[u8],
    rounds: i32,
    data: &[u8],
) -> Result<Vec<u8>, FormatError> {
    Ok(match hash_oid {
        "1.3.14.3.2.26" => pkcs12_hmac!(Sha1, pass, salt, rounds, data),
        "2.16.840.1.101.3.4.2.4" => pkcs12_hmac!(Sha224, pass, salt, rounds, data),
        "2.16.840.1.101.3.4.2.1" => pkcs12_hmac!(Sha256, pass, salt, rounds, data),
        "2.16.840.1.101.3.4.2.2" => pkcs12_hmac!(Sha384, pass, salt, rounds, data),
        "2.16.840.1.101.3.4.2.3" => pkcs12_hmac!(Sha512, pass, salt, rounds, data),
        other => {
            return Err(FormatError::Pkcs12(format!(
                "its integrity check uses the algorithm {other}, which certdesk cannot verify"
            )));
        }
    })
}

/// Constant-time equality of two MACs.
fn same_mac(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Verifies the MacData over the authenticated safe's bytes and returns the password form
/// that matched.
pub fn verify_mac<'a>(
    mac_data: &Tlv<'_>,
    data: &[u8],
    password: Password<'a>,
) -> Result<Password<'a>, FormatError> {
    let malformed = || FormatError::Pkcs12("its integrity check (MacData) is malformed".into());
    let parts = mac_data.children()?;
    let [digest_info, salt, rest @ ..] = parts.as_slice() else {
        return Err(malformed());
    };
    let iterations = match rest.first() {
        Some(i) => integer(i)?,
        None => 1,
    };
    too_many(iterations)?;
    let di = digest_info.children()?;
    let [alg, digest] = di.as_slice() else {
        return Err(malformed());
    };
    let alg_oid = oid_of(&alg.children()?.first().copied().ok_or_else(malformed)?)?;
    let expected = octets(digest)?;
    let salt = octets(salt)?;
    let check = |p: &Password<'_>| -> Result<bool, FormatError> {
        let rounds = p.spend(iterations, 1)?;
        Ok(same_mac(
            &mac_for(&alg_oid, p.bmp.as_slice(), &salt, rounds, data)?,
            &expected,
        ))
    };
    if check(&password)? {
        return Ok(password);
    }
    if let Some(raw) = password.empty_raw()
        && check(&raw)?
    {
        return Ok(raw);
    }
    Err(FormatError::WrongPassword)
}

/// Decrypts `data` encrypted with the scheme of `algorithm` (an AlgorithmIdentifier).
pub fn decrypt(
    algorithm: &Tlv<'_>,
    data: &[u8],
    password: &Password<'_>,
) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let parts = algorithm.children()?;
    let oid = oid_of(parts.first().ok_or(FormatError::Pkcs12(
        "an encryption algorithm is missing".into(),
    ))?)?;
    let params = parts.get(1);
    match oid.as_str() {
        "1.2.840.113549.1.5.13" => {
            let params =
                params.ok_or(FormatError::Pkcs12("PBES2 parameters are missing".into()))?;
            let parsed = pkcs5::pbes2::Parameters::from_der(params.raw).map_err(|e| {
                FormatError::Pkcs12(format!("its PBES2 parameters are invalid ({e})"))
            })?;
            if let pkcs5::pbes2::Kdf::Pbkdf2(p) = &parsed.kdf {
                password.spend(u64::from(p.iteration_count), 1)?;
            } else {
                return Err(FormatError::Pkcs12(
                    "it uses the scrypt key derivation, which certdesk does not read".into(),
                ));
            }
            parsed
                .decrypt(password.utf8.as_bytes(), data)
                .map(Zeroizing::new)
                .map_err(|e| match e {
                    pkcs5::Error::DecryptFailed => FormatError::WrongPassword,
                    other => FormatError::Pkcs12(format!(
                        "it uses a PBES2 scheme certdesk cannot read ({other})"
                    )),
                })
        }
        "1.2.840.113549.1.12.1.3" => legacy::<des::TdesEde3>(params, data, password, 24),
        "1.2.840.113549.1.12.1.4" => legacy::<des::TdesEde2>(params, data, password, 16),
        "1.2.840.113549.1.12.1.5" => legacy::<rc2::Rc2>(params, data, password, 16),
        "1.2.840.113549.1.12.1.6" => legacy::<rc2::Rc2>(params, data, password, 5),
        other => Err(FormatError::Pkcs12(format!(
            "it is encrypted with {other}, which certdesk cannot read"
        ))),
    }
}

/// The key and IV of the PKCS#12 PBE schemes: the SHA-1 PKCS#12 KDF (RFC 7292 appendix B).
fn legacy_key_iv(
    password: &Password<'_>,
    salt: &[u8],
    rounds: i32,
    key_len: usize,
) -> (Zeroizing<Vec<u8>>, Vec<u8>) {
    let pass = password.bmp.as_slice();
    let key = Zeroizing::new(kdf::derive_key::<Sha1>(
        pass,
        salt,
        Pkcs12KeyType::EncryptionKey,
        rounds,
        key_len,
    ));
    let iv = kdf::derive_key::<Sha1>(pass, salt, Pkcs12KeyType::Iv, rounds, 8);
    (key, iv)
}

/// pbeWithSHAAnd...-CBC: key and IV from the SHA-1 PKCS#12 KDF, CBC with PKCS#7 padding.
fn legacy<C>(
    params: Option<&Tlv<'_>>,
    data: &[u8],
    password: &Password<'_>,
    key_len: usize,
) -> Result<Zeroizing<Vec<u8>>, FormatError>
where
    C: BlockCipherDecrypt + KeyInit,
    cbc::Decryptor<C>: KeyIvInit,
{
    let malformed = || FormatError::Pkcs12("its PKCS#12 PBE parameters are malformed".into());
    let fields = params.ok_or_else(malformed)?.children()?;
    let [salt, iterations] = fields.as_slice() else {
        return Err(malformed());
    };
    let salt = octets(salt)?;
    let rounds = password.spend(integer(iterations)?, 2)?;
    let (key, iv) = legacy_key_iv(password, &salt, rounds, key_len);
    let cipher = cbc::Decryptor::<C>::new_from_slices(&key, &iv).map_err(|_| malformed())?;
    cipher
        .decrypt_padded_vec::<Pkcs7>(data)
        .map(Zeroizing::new)
        .map_err(|_| FormatError::WrongPassword)
}

/// How a PKCS#12 file is encrypted, as in the Windows export wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PfxEncryption {
    /// PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) with an HMAC-SHA256 MAC: the default.
    Aes256Sha256,
    /// pbeWithSHAAnd3-KeyTripleDES-CBC with a SHA-1 MAC, for Windows Server 2016 and older.
    TripleDesSha1,
}

fn random<const N: usize>() -> Result<[u8; N], FormatError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|_| FormatError::Pkcs12("the system random generator failed".into()))?;
    Ok(bytes)
}

/// Encrypts `data` with the scheme, returning the AlgorithmIdentifier DER and ciphertext.
pub fn encrypt(
    scheme: PfxEncryption,
    data: &[u8],
    password: &Password<'_>,
    iterations: u32,
) -> Result<(Vec<u8>, Vec<u8>), FormatError> {
    let failed =
        |e: &dyn std::fmt::Display| FormatError::Pkcs12(format!("encryption failed ({e})"));
    match scheme {
        PfxEncryption::Aes256Sha256 => {
            let salt: [u8; 16] = random()?;
            let iv: [u8; 16] = random()?;
            let params =
                pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(iterations, &salt, iv)
                    .map_err(|e| failed(&e))?;
            let ciphertext = params
                .encrypt(password.utf8.as_bytes(), data)
                .map_err(|e| failed(&e))?;
            let params_der = der::Encode::to_der(&params).map_err(|e| failed(&e))?;
            Ok((
                super::der::algorithm(&super::der::PBES2, &params_der),
                ciphertext,
            ))
        }
        PfxEncryption::TripleDesSha1 => {
            let salt: [u8; 8] = random()?;
            let rounds = too_many(u64::from(iterations))?;
            let (key, iv) = legacy_key_iv(password, &salt, rounds, 24);
            use cbc::cipher::BlockModeEncrypt;
            let cipher = cbc::Encryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                .map_err(|e| failed(&e))?;
            let ciphertext = cipher.encrypt_padded_vec::<Pkcs7>(data);
            let mut params = Vec::new();
            tlv::push_element(&mut params, &[0x04], &salt);
            params.extend(super::der::integer(u64::from(iterations)));
            let mut seq = Vec::new();
            tlv::push_element(&mut seq, &[0x30], &params);
            Ok((
                super::der::algorithm(&super::der::PBE_SHA1_3DES, &seq),
                ciphertext,
            ))
        }
    }
}

/// The MacData over `data`: HMAC-SHA256 for AES files, HMAC-SHA1 for 3DES files.
pub fn mac_data(
    scheme: PfxEncryption,
    data: &[u8],
    password: &Password<'_>,
    iterations: u32,
) -> Result<Vec<u8>, FormatError> {
    let salt: [u8; 16] = random()?;
    let rounds = too_many(u64::from(iterations))?;
    let pass = password.bmp.as_slice();
    let oid = match scheme {
        PfxEncryption::Aes256Sha256 => &super::der::SHA256,
        PfxEncryption::TripleDesSha1 => &super::der::SHA1,
    };
    let digest = mac_for(&oid.to_string(), pass, &salt, rounds, data)?;
    let mut null = Vec::new();
    tlv::push_element(&mut null, &[0x05], &[]);
    let mut digest_info = super::der::algorithm(oid, &null);
    tlv::push_element(&mut digest_info, &[0x04], &digest);
    let mut body = Vec::new();
    tlv::push_element(&mut body, &[0x30], &digest_info);
    tlv::push_element(&mut body, &[0x04], &salt);
    body.extend(super::der::integer(u64::from(iterations)));
    let mut out = Vec::new();
    tlv::push_element(&mut out, &[0x30], &body);
    Ok(out)
}
