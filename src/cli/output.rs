//! What the CLI prints: the JSON shapes CLI.md fixes (fields may be added, never renamed)
//! and their plain-text counterparts (printed through [`super::terminal`]).

use serde::{Serialize, Serializer};

use std::cell::RefCell;
use std::collections::HashMap;

pub use crate::pki::timefmt::rfc3339;
use crate::store::{Location, LogEntry, Store, StoreError, StoredCert, StoredProperty};
use crate::verify::chain::ChainIndex;

/// Thumbprint -> the usages it is assigned to (Computer location).
pub type Usages = HashMap<String, Vec<String>>;

/// The usages each certificate is assigned to at `now`.
pub fn usages(store: &Store, now: i64) -> Result<Usages, StoreError> {
    let mut map: Usages = HashMap::new();
    for a in store.assignments()? {
        let a = a.at(now);
        map.entry(a.thumbprint)
            .or_default()
            .push(a.usage.as_str().to_owned());
    }
    Ok(map)
}

/// The JSON shape of a certificate.
#[derive(Serialize)]
pub struct CertJson<'a> {
    thumbprint: &'a str,
    sha256: &'a str,
    subject: &'a str,
    issuer: &'a str,
    serial: &'a str,
    not_before: Rfc3339,
    not_after: Rfc3339,
    sans: &'a [String],
    eku: &'a [String],
    key_usage: &'a [String],
    key: &'a str,
    signature: &'a str,
    location: &'static str,
    logical: &'static str,
    has_private_key: bool,
    exportable: bool,
    friendly_name: &'a str,
    self_signed: bool,
    ca: bool,
    chain: &'static str,
    usages: &'a [String],
}

impl<'a> CertJson<'a> {
    /// Builds the shape for `c`, with its chain status from `index` at `now` and the
    /// usages assigned to it (`usages`: thumbprint -> usage names).
    pub fn new(c: &'a StoredCert, index: &ChainIndex<'a>, now: i64, usages: &'a Usages) -> Self {
        let s = &c.summary;
        Self {
            thumbprint: &s.thumbprint,
            sha256: &s.sha256,
            subject: &s.subject,
            issuer: &s.issuer,
            serial: &s.serial,
            not_before: Rfc3339(s.not_before),
            not_after: Rfc3339(s.not_after),
            sans: &s.sans,
            eku: &s.eku,
            key_usage: &s.key_usage,
            key: &s.key,
            signature: &s.signature,
            location: c.location.as_str(),
            logical: c.logical.as_str(),
            has_private_key: c.key.is_some(),
            exportable: c.key.as_ref().is_some_and(|k| k.exportable),
            friendly_name: &c.friendly_name,
            self_signed: s.self_signed,
            ca: s.is_ca(),
            chain: index.status(c, now).as_str(),
            usages: match c.location {
                Location::Computer => usages.get(&s.thumbprint).map_or(&[][..], Vec::as_slice),
                Location::User => &[],
            },
        }
    }
}

/// A Unix time written as RFC 3339 text in JSON, without a string of its own per value.
struct Rfc3339(i64);

impl Serialize for Rfc3339 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = [0u8; 64];
        let mut cursor = std::io::Cursor::new(&mut text[..]);
        match crate::pki::timefmt::write_rfc3339(&mut cursor, self.0) {
            Ok(()) => {
                let n = usize::try_from(cursor.position()).unwrap_or(0);
                serializer.serialize_str(std::str::from_utf8(&text[..n]).unwrap_or_default())
            }
            Err(_) => serializer.serialize_str(&rfc3339(self.0)),
        }
    }
}

/// A JSON array of the items an iterator gives, each made as it is written (a list of
/// 100,000 certificates is not gathered first). Serialized once.
pub struct JsonSeq<I>(RefCell<Option<I>>);

impl<I> JsonSeq<I> {
    /// Wraps the iterator.
    pub fn new(items: I) -> Self {
        Self(RefCell::new(Some(items)))
    }
}

impl<I: Iterator<Item: Serialize>> Serialize for JsonSeq<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let items = self.0.borrow_mut().take();
        serializer.collect_seq(items.into_iter().flatten())
    }
}

/// The key column of the text list.
fn key_text(c: &StoredCert) -> &'static str {
    match &c.key {
        None => "-",
        Some(k) if k.exportable => "exportable",
        Some(_) => "present",
    }
}

/// One line of the text list.
pub fn list_line(c: &StoredCert) -> String {
    let s = &c.summary;
    format!(
        "{}  {:<8}  {:<10}  {}  {:<30}  {:<30}  {}",
        s.thumbprint,
        c.logical.as_str(),
        key_text(c),
        rfc3339(s.not_after).get(..10).unwrap_or(""),
        s.issued_to(),
        s.issued_by(),
        c.friendly_name
    )
}

/// The most bytes of an extended property shown in the text details (JSON gives them all).
const PROPERTY_SHOWN: usize = 64;

/// The text details of one certificate, line by line.
pub fn details(
    c: &StoredCert,
    chain: &str,
    path: &[&StoredCert],
    properties: &[StoredProperty],
) -> Vec<String> {
    let s = &c.summary;
    let mut out = vec![
        format!("Thumbprint:     {}", s.thumbprint),
        format!("SHA-256:        {}", s.sha256),
        format!("Subject:        {}", s.subject),
        format!("Issuer:         {}", s.issuer),
        format!("Serial:         {}", s.serial),
        format!("Valid from:     {}", rfc3339(s.not_before)),
        format!("Valid to:       {}", rfc3339(s.not_after)),
        format!(
            "Store:          {} \\ {}",
            c.location.title(),
            c.logical.title()
        ),
        format!("Friendly name:  {}", c.friendly_name),
        format!("Public key:     {}", s.key),
        format!("Signature:      {}", s.signature),
        format!(
            "Private key:    {}",
            match &c.key {
                None => "none".to_owned(),
                Some(k) if k.exportable => format!("{} (exportable)", k.description),
                Some(k) => format!("{} (not exportable)", k.description),
            }
        ),
        format!("SANs:           {}", s.sans.join(", ")),
        format!("EKU:            {}", s.eku.join(", ")),
        format!("Key usage:      {}", s.key_usage.join(", ")),
        format!(
            "CA:             {}{}",
            s.is_ca(),
            s.path_len
                .map(|p| format!(" (path length {p})"))
                .unwrap_or_default()
        ),
        format!("Self-signed:    {}", s.self_signed),
        format!("SKI:            {}", s.ski.as_deref().unwrap_or("-")),
        format!("AKI:            {}", s.aki.as_deref().unwrap_or("-")),
        format!("Chain:          {chain}"),
    ];
    for (depth, link) in path.iter().enumerate() {
        out.push(format!(
            "  {}{} [{}]",
            "  ".repeat(depth),
            link.summary.issued_to(),
            link.logical.title()
        ));
    }
    for StoredProperty { bag, oid, value } in properties {
        let shown = hex::encode_upper(&value[..value.len().min(PROPERTY_SHOWN)]);
        out.push(match value.len() {
            n if n > PROPERTY_SHOWN => format!(
                "Property:       {bag} bag {oid} = {shown}… ({n} bytes; the first {PROPERTY_SHOWN} are shown, --json gives them all)"
            ),
            _ => format!("Property:       {bag} bag {oid} = {shown}"),
        });
    }
    out
}

/// The JSON shape of a log entry.
#[derive(Serialize)]
pub struct LogJson<'a> {
    #[serde(flatten)]
    entry: &'a LogEntry,
    time_rfc3339: String,
}

impl<'a> LogJson<'a> {
    /// Wraps an entry.
    pub fn new(entry: &'a LogEntry) -> Self {
        Self {
            entry,
            time_rfc3339: rfc3339(entry.time),
        }
    }
}
