//! The rows a store lists: its certificates, with a summary of their keys, and the system's
//! roots shown among them.

use super::{Location, Logical};
use crate::pki::cert::CertSummary;

/// A private key as the list shows it (never the key material).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// Row id of the key.
    pub id: i64,
    /// Whether the key may leave the store.
    pub exportable: bool,
    /// Algorithm and size, e.g. `RSA 2048`.
    pub description: String,
}

/// An extended property a certificate was imported with (a PKCS#12 bag attribute).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProperty {
    /// The bag it came in (`cert` or `key`).
    pub bag: String,
    /// The attribute's dotted OID.
    pub oid: String,
    /// The DER of its value set.
    pub value: Vec<u8>,
}

/// A certificate in the store, with its cached summary (the DER is fetched on demand).
#[derive(Debug, Clone)]
pub struct StoredCert {
    /// Row id.
    pub id: i64,
    /// Its location.
    pub location: Location,
    /// Its logical store.
    pub logical: Logical,
    /// The parsed summary cached when it entered the store.
    pub summary: CertSummary,
    /// Friendly name, unique within the location; empty when none.
    pub friendly_name: String,
    /// When it was added, Unix seconds.
    pub added: i64,
    /// Its private key, if the store holds one.
    pub key: Option<KeyInfo>,
    /// The CA connection that issued it (`builtin` for the built-in CA), when certdesk
    /// requested it: where renewal goes.
    pub issuing_ca: Option<String>,
    /// A root the operating system trusts, shown read-only; not in the database.
    pub system: bool,
}
