//! Sealing secrets at rest: AES-256-GCM under a key derived from the store key, with
//! associated data that binds each sealed blob to the row it belongs to.
//!
//! Whoever can write the database but holds no store key (a team database's owner, anyone
//! who can write `store.sqlite`) can still move blobs between rows and change the columns
//! beside them. The binding makes that useless: a private key is sealed together with its
//! public key hash and its exportable flag, a CA connection's secret with the connection's
//! name, the field it fills and where the secret is sent (its kind, URL, TLS trust and
//! user name), a deploy target's or the mail's secret with where it goes, a wrapped store
//! key with what it is. A blob moved to
//! another row, or a flag changed, no longer opens, and the caller says the record was
//! altered outside certdesk. The layout is `CDS1 ‖ nonce (12) ‖ ciphertext ‖ tag (16)`.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::key::KeyError;

/// The first bytes of every sealed blob (a legacy PKCS#8 blob starts with a DER SEQUENCE).
const MAGIC: &[u8; 4] = b"CDS1";

/// What a sealed blob belongs to: the associated data it is sealed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding<'a> {
    /// A private key of the `keys` table.
    Key {
        /// The SHA-256 of its public key, as the row and its certificates name it.
        public_key_hash: &'a str,
        /// Whether it may leave the store.
        exportable: bool,
    },
    /// A secret of a CA connection.
    CaSecret {
        /// The connection's name.
        ca: &'a str,
        /// The field it fills (`account_key`, `eab_hmac`, `password`).
        field: &'a str,
        /// Where the secret is sent: a digest of the connection's kind, URL, TLS trust and
        /// user name. A connection pointed elsewhere outside certdesk no longer opens its
        /// secrets, so they cannot be sent to a server the owner never chose.
        endpoint: &'a str,
    },
    /// The store key itself, wrapped by a passphrase.
    StoreKey,
    /// A secret of a setting that sends it somewhere: a deploy target's PFX password, the
    /// notification mail's SMTP password.
    Setting {
        /// What holds it (`deploy NAME`, `notify`).
        owner: &'a str,
        /// The field it fills (`pfx_password`, `smtp_password`).
        field: &'a str,
        /// Where it is sent or written: a digest of the destination (a target's
        /// destination and format, the SMTP server and user), so a setting pointed
        /// elsewhere outside certdesk no longer opens it.
        endpoint: &'a str,
    },
}

impl Binding<'_> {
    fn associated_data(&self) -> Vec<u8> {
        match self {
            Binding::Key {
                public_key_hash,
                exportable,
            } => format!(
                "certdesk key\0{}\0{}",
                public_key_hash.to_ascii_uppercase(),
                u8::from(*exportable)
            ),
            Binding::CaSecret {
                ca,
                field,
                endpoint,
            } => format!("certdesk ca secret\0{ca}\0{field}\0{endpoint}"),
            Binding::StoreKey => "certdesk store key".to_owned(),
            Binding::Setting {
                owner,
                field,
                endpoint,
            } => format!("certdesk setting secret\0{owner}\0{field}\0{endpoint}"),
        }
        .into_bytes()
    }
}

/// The AES-256-GCM key for a store key (or a passphrase-derived key).
fn aead_key(secret: &[u8]) -> Result<LessSafeKey, KeyError> {
    if secret.is_empty() {
        return Err(KeyError::Locked);
    }
    let mut hasher = Sha256::new();
    hasher.update(b"certdesk seal v1\0");
    hasher.update(secret);
    let derived = Zeroizing::new(<[u8; 32]>::from(hasher.finalize()));
    let unbound =
        UnboundKey::new(&AES_256_GCM, derived.as_ref()).map_err(|_| KeyError::AtRest("sealed"))?;
    Ok(LessSafeKey::new(unbound))
}

/// Whether `blob` is in the sealed layout (rather than a legacy encrypted PKCS#8).
pub fn is_sealed(blob: &[u8]) -> bool {
    blob.starts_with(MAGIC)
}

/// Seals `plaintext` under `secret`, bound to `binding`.
pub fn seal(plaintext: &[u8], secret: &[u8], binding: Binding<'_>) -> Result<Vec<u8>, KeyError> {
    let key = aead_key(secret)?;
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| KeyError::AtRest("sealed"))?;
    let mut out = Vec::with_capacity(MAGIC.len() + NONCE_LEN + plaintext.len() + 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&nonce);
    let mut body = Zeroizing::new(plaintext.to_vec());
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(binding.associated_data()),
        &mut *body,
    )
    .map_err(|_| KeyError::AtRest("sealed"))?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// Opens what [`seal`] sealed with the same secret and binding. A blob sealed for another
/// binding (moved from another row, or its row's flag changed) or changed in any byte is
/// [`KeyError::Altered`]; one in another layout too.
pub fn open(
    blob: &[u8],
    secret: &[u8],
    binding: Binding<'_>,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let key = aead_key(secret)?;
    let rest = blob.strip_prefix(MAGIC).ok_or(KeyError::Altered)?;
    if rest.len() < NONCE_LEN + 16 {
        return Err(KeyError::Altered);
    }
    let (nonce, sealed) = rest.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| KeyError::Altered)?;
    let mut body = Zeroizing::new(sealed.to_vec());
    let plain_len = key
        .open_in_place(nonce, Aad::from(binding.associated_data()), &mut body)
        .map_err(|_| KeyError::Altered)?
        .len();
    body.truncate(plain_len);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn key(hash: &str, exportable: bool) -> Binding<'_> {
        Binding::Key {
            public_key_hash: hash,
            exportable,
        }
    }

    #[test]
    fn opens_with_the_same_secret_and_binding_only() {
        let sealed = seal(b"pkcs8 bytes", SECRET, key("AB", false)).expect("sealed");
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(11).any(|w| w == b"pkcs8 bytes"));
        let opened = open(&sealed, SECRET, key("AB", false)).expect("opened");
        assert_eq!(opened.as_slice(), b"pkcs8 bytes");
        // The flag flipped, the row's key changed, another secret, another kind of row.
        assert_eq!(
            open(&sealed, SECRET, key("AB", true)),
            Err(KeyError::Altered)
        );
        assert_eq!(
            open(&sealed, SECRET, key("CD", false)),
            Err(KeyError::Altered)
        );
        assert_eq!(
            open(&sealed, &SECRET[1..], key("AB", false)),
            Err(KeyError::Altered)
        );
        assert_eq!(
            open(
                &sealed,
                SECRET,
                Binding::CaSecret {
                    ca: "AB",
                    field: "password",
                    endpoint: "E",
                }
            ),
            Err(KeyError::Altered)
        );
    }

    #[test]
    fn any_changed_byte_or_short_blob_is_altered() {
        let sealed = seal(b"secret", SECRET, Binding::StoreKey).expect("sealed");
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert_eq!(
                open(&bad, SECRET, Binding::StoreKey),
                Err(KeyError::Altered),
                "byte {i}"
            );
        }
        for len in 0..sealed.len() {
            assert!(open(&sealed[..len], SECRET, Binding::StoreKey).is_err());
        }
    }

    #[test]
    fn a_locked_store_seals_nothing() {
        assert_eq!(seal(b"x", b"", Binding::StoreKey), Err(KeyError::Locked));
    }
}
