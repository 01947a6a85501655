//! Import: turn a file's contents into a plan (what goes where, which key pairs with which
//! certificate), show it, then commit it in one transaction.
//!
//! Placement follows the Windows import wizard's automatic choice: a certificate with its
//! private key, or any end entity, goes to Personal; a CA certificate signed by another CA
//! to Intermediate CAs; a self-signed CA to Trusted Roots only when the user confirmed
//! trusting roots, otherwise it is skipped with that reason. Keys pair with certificates by
//! public key. A certificate already in the location is not duplicated; a key arriving for
//! a key-less certificate attaches to it.
//!
//! A key's exportable flag is set when it enters the store. Only an import that holds the
//! key and asks for it (the wizard's tick, `--exportable true`) makes a stored key
//! exportable, sealing it again under the new flag; an import never makes an exportable
//! key non-exportable (a copy may have left the store already), and says so.

use crate::deploy::topology::Topology;
use crate::deploy::usage::UsageType;
use crate::ops::command_line;
use crate::pki::cert::Certificate;
use crate::pki::formats::{BagAttributes, FileContents, FileKind, FormatError, tlv};
use crate::pki::key::PrivateKey;
use crate::pki::oids;
use crate::store::batch;
use crate::store::certs::write::{self, NewCert};
use crate::store::db::Sql;
use crate::store::log::{self, LogEntry};
use crate::store::requests;
use crate::store::{Location, Logical, Store, StoreError};
use crate::text::{self, MAX_FRIENDLY_NAME, NameError};

/// The user's choices for an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// The location to import into.
    pub location: Location,
    /// Whether imported private keys may later be exported.
    pub exportable: bool,
    /// Whether self-signed CA certificates are added to Trusted Roots.
    pub trust_root: bool,
}

/// Why a certificate of the file will not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A self-signed CA, and the user has not confirmed trusting roots.
    UntrustedRoot,
}

impl SkipReason {
    /// The reason as a sentence fragment.
    pub fn text(&self) -> &'static str {
        match self {
            SkipReason::UntrustedRoot => {
                "it is a self-signed root CA, and roots are added to Trusted Roots only when you confirm that you trust them"
            }
        }
    }
}

/// One certificate of the file and what the import will do with it.
#[derive(Debug)]
pub struct PlannedCert {
    /// The parsed certificate.
    pub cert: Certificate,
    /// The logical store it goes to, or why it is skipped.
    pub destination: Result<Logical, SkipReason>,
    /// The friendly name from the file (made unique at commit).
    pub friendly_name: String,
    /// Index into [`ImportPlan::keys`] of the key that pairs with it.
    pub key: Option<usize>,
    /// Extended properties to keep: (bag, dotted OID, DER of the value set).
    pub properties: Vec<(&'static str, String, Vec<u8>)>,
}

/// What an import will do, computed from the file alone.
#[derive(Debug)]
pub struct ImportPlan {
    /// The file's container.
    pub kind: FileKind,
    /// The file's certificates.
    pub certs: Vec<PlannedCert>,
    /// The file's private keys.
    pub keys: Vec<PrivateKey>,
    /// Things passed over while reading the file.
    pub notes: Vec<String>,
    /// The choices it was planned with.
    pub options: ImportOptions,
    /// Whether the file needed a password.
    pub password_used: bool,
}

impl ImportPlan {
    /// Changes the choices after the preview: exportable keys and trusting roots (which
    /// decides whether self-signed CAs go to Trusted Roots or are skipped).
    pub fn set_options(&mut self, exportable: bool, trust_root: bool) {
        self.options.exportable = exportable;
        self.options.trust_root = trust_root;
        for planned in &mut self.certs {
            let s = planned.cert.summary();
            if planned.key.is_none() && s.is_ca() && s.self_signed {
                planned.destination = if trust_root {
                    Ok(Logical::Root)
                } else {
                    Err(SkipReason::UntrustedRoot)
                };
            }
        }
    }
}

/// The usages of the server's role (the topology's) that need an exportable private key,
/// when the plan brings a certificate with its key into the Computer location: the import
/// preview names them and proposes the exportable tick. Empty without a topology.
pub fn exportable_usages(plan: &ImportPlan, topology: Option<&Topology>) -> Vec<UsageType> {
    let brings_a_key = plan
        .certs
        .iter()
        .any(|c| c.key.is_some() && c.destination == Ok(Logical::Personal));
    match topology {
        Some(t) if brings_a_key && plan.options.location == Location::Computer => t
            .role
            .usages()
            .iter()
            .copied()
            .filter(|u| u.needs_exportable_key())
            .collect(),
        _ => Vec::new(),
    }
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Row ids of the certificates added.
    pub imported: Vec<i64>,
    /// Thumbprints of certificates already in the location (unchanged).
    pub already_present: Vec<String>,
    /// Thumbprints of present certificates that received their private key.
    pub keys_attached: Vec<String>,
    /// Thumbprints of the certificates imported with their private key (from the file, a
    /// pending request or the store).
    pub paired: Vec<String>,
    /// The certificates whose stored key this import made exportable, as asked: the file
    /// held the key.
    pub made_exportable: Vec<MadeExportable>,
    /// The certificates joined with their pending request.
    pub joined: Vec<Joined>,
    /// The certificates not imported.
    pub skipped: Vec<Skipped>,
    /// Everything the user should know, one sentence each; warnings of one kind are one
    /// sentence (the certificates without a key are counted, and listed in `without_key`).
    pub warnings: Vec<String>,
    /// Who the end-entity certificates imported without a private key are issued to (no
    /// pending request or stored key held theirs: normal for a bundle of public
    /// certificates).
    pub without_key: Vec<String>,
}

/// A certificate whose stored key an import made exportable.
#[derive(Debug, Clone)]
pub struct MadeExportable {
    /// The certificate's thumbprint.
    pub thumbprint: String,
    /// Who it is issued to.
    pub name: String,
}

/// A certificate an import joined with its pending request.
#[derive(Debug, Clone)]
pub struct Joined {
    /// The certificate's thumbprint.
    pub thumbprint: String,
    /// The request's id.
    pub request_id: i64,
}

/// A certificate an import did not add.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// The certificate's thumbprint.
    pub thumbprint: String,
    /// Why.
    pub reason: SkipReason,
}

impl ImportReport {
    /// How many certificates this import linked to a private key: the new ones imported
    /// with it and the present ones that received it.
    pub fn keys_linked(&self) -> usize {
        self.paired.len() + self.keys_attached.len()
    }

    /// One sentence per certificate whose stored key was made exportable.
    pub fn exportable_sentences(&self) -> impl Iterator<Item = String> + '_ {
        self.made_exportable.iter().map(|MadeExportable { name, .. }| {
            format!(
                "the private key of \"{name}\" is now exportable, as asked: the file holds it, and its private half gives the certificate's public key"
            )
        })
    }
}

/// Why a file could not be read into an import plan.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file cannot be opened.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// Its contents are not what certdesk reads, or the password is wrong or missing.
    #[error(transparent)]
    Format(#[from] FormatError),
}

impl ReadError {
    /// Whether the file needs a (different) password.
    pub fn about_password(&self) -> bool {
        matches!(
            self,
            ReadError::Format(FormatError::PasswordRequired | FormatError::WrongPassword)
        )
    }
}

/// Reads a file (sniffed by content, decrypted with `password`) and plans its import: the
/// first step of `certdesk import` and of the import wizard. PEM text is read a block at a
/// time, never held whole; other files are read whole.
pub fn read_file(
    path: &std::path::Path,
    password: Option<&str>,
    options: ImportOptions,
) -> Result<ImportPlan, ReadError> {
    use std::io::Read;
    /// Enough of a file to see whether it is PEM text (the BEGIN line is in its head).
    const HEAD: u64 = 64 << 10;
    let io = |source| ReadError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut file = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
    let mut bytes = Vec::new();
    (&mut file).take(HEAD).read_to_end(&mut bytes).map_err(io)?;
    let contents = if crate::pki::formats::pem::looks_like_pem(&bytes) {
        let rest = std::io::Cursor::new(bytes).chain(file);
        crate::pki::formats::read_pem_stream(std::io::BufReader::new(rest), password)?
    } else {
        file.read_to_end(&mut bytes).map_err(io)?;
        crate::pki::formats::read(&bytes, password)?
    };
    Ok(plan(contents, options)?)
}

/// Builds the plan: parses every certificate and key, refuses the whole file on any bad
/// one, pairs keys by public key and chooses each certificate's logical store.
pub fn plan(contents: FileContents, options: ImportOptions) -> Result<ImportPlan, FormatError> {
    let mut keys = Vec::with_capacity(contents.keys.len());
    let mut key_attrs = Vec::with_capacity(contents.keys.len());
    for entry in contents.keys {
        keys.push(PrivateKey::from_pkcs8_der(&entry.pkcs8)?);
        key_attrs.push(entry.attributes);
    }
    let (ders, attributes): (Vec<Vec<u8>>, Vec<BagAttributes>) = contents
        .certs
        .into_iter()
        .map(|e| (e.der, e.attributes))
        .unzip();
    let parsed = parse_all(ders)?;
    let mut notes = contents.notes;
    let mut certs = Vec::with_capacity(parsed.len());
    for (attributes, cert) in attributes.into_iter().zip(parsed) {
        let s = cert.summary();
        if let Some(oid) = s.unknown_critical.first() {
            return Err(FormatError::UnknownCriticalExtension {
                subject: s.subject.clone(),
                oid: oid.clone(),
            });
        }
        let key = keys
            .iter()
            .position(|k| k.public_key_hash() == s.public_key_hash);
        let destination = if key.is_some() || !s.is_ca() {
            Ok(Logical::Personal)
        } else if s.self_signed {
            if options.trust_root {
                Ok(Logical::Root)
            } else {
                Err(SkipReason::UntrustedRoot)
            }
        } else {
            Ok(Logical::Ca)
        };
        let key_bag = key.map(|k| &key_attrs[k]);
        let in_file = attributes
            .friendly_name
            .as_deref()
            .or_else(|| key_bag.and_then(|a| a.friendly_name.as_deref()))
            .unwrap_or_default();
        notes.extend(name_notes(s.issued_to(), in_file));
        let friendly_name = text::clean_name(in_file);
        let mut properties = bag_properties("cert", &attributes);
        if let Some(attrs) = key_bag {
            properties.extend(bag_properties("key", attrs));
        }
        certs.push(PlannedCert {
            cert,
            destination,
            friendly_name,
            key,
            properties,
        });
    }
    Ok(ImportPlan {
        kind: contents.kind,
        certs,
        keys,
        notes,
        options,
        password_used: contents.password_used,
    })
}

/// Parses every certificate (keeping its bytes, not copying them), on all cores for large
/// bundles; the first bad one (in file order) refuses the file.
fn parse_all(mut ders: Vec<Vec<u8>>) -> Result<Vec<Certificate>, FormatError> {
    let parse = |offset: usize, chunk: Vec<Vec<u8>>| {
        chunk
            .into_iter()
            .enumerate()
            .map(|(i, der)| {
                Certificate::from_der_vec(der).map_err(|error| FormatError::Certificate {
                    index: offset + i + 1,
                    error,
                })
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if ders.len() < 512 || threads < 2 {
        return parse(0, ders);
    }
    let size = ders.len().div_ceil(threads);
    let mut chunks = Vec::with_capacity(threads);
    while ders.len() > size {
        let tail = ders.split_off(ders.len() - (ders.len() - 1) % size - 1);
        chunks.push(tail);
    }
    chunks.push(ders);
    chunks.reverse();
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .enumerate()
            .map(|(n, chunk)| scope.spawn(move || parse(n * size, chunk)))
            .collect();
        let mut all = Vec::new();
        for handle in handles {
            let part = handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            all.extend(part);
        }
        Ok(all)
    })
}

/// What was changed in a friendly name from a file to keep it, one sentence each.
fn name_notes(who: &str, in_file: &str) -> Vec<String> {
    let kept = "the file's attribute is kept as it was, as an extended property";
    text::name_problems(in_file)
        .into_iter()
        .map(|problem| match problem {
            NameError::Control => format!(
                "the friendly name in the file for \"{who}\" holds control characters (a line break, a tab, an escape sequence), so they were replaced with spaces; {kept}"
            ),
            NameError::TooLong(n) => format!(
                "the friendly name in the file for \"{who}\" has {n} characters, so only its first {MAX_FRIENDLY_NAME} were kept (a friendly name has at most {MAX_FRIENDLY_NAME} characters); {kept}"
            ),
        })
        .collect()
}

/// The bag's attributes kept as extended properties: its localKeyId, every attribute
/// certdesk does not read, and a friendlyName that had to be changed to be kept (its bytes
/// as in the file).
fn bag_properties(
    bag: &'static str,
    attrs: &BagAttributes,
) -> Vec<(&'static str, String, Vec<u8>)> {
    let mut out = Vec::new();
    if let (Some(name), Some(der)) = (&attrs.friendly_name, &attrs.friendly_name_der)
        && !text::name_problems(name).is_empty()
    {
        out.push((bag, oids::FRIENDLY_NAME.to_owned(), der.clone()));
    }
    if let Some(id) = &attrs.local_key_id {
        let mut octets = Vec::new();
        tlv::push_element(&mut octets, &[0x04], id);
        let mut set = Vec::new();
        tlv::push_element(&mut set, &[0x31], &octets);
        out.push((bag, oids::LOCAL_KEY_ID.to_owned(), set));
    }
    out.extend(
        attrs
            .other
            .iter()
            .map(|(oid, v)| (bag, oid.clone(), v.clone())),
    );
    out
}

/// Commits a plan in one transaction and logs it. `source` names the file in the log and
/// the equivalent command; `now` is Unix seconds.
pub fn commit(
    store: &mut Store,
    plan: ImportPlan,
    source: &str,
    now: i64,
) -> Result<ImportReport, StoreError> {
    let location = plan.options.location;
    // A root the operating system trusts is trusted here already: no confirmation needed.
    let system_trusted = |thumb: &str| {
        store.trusts_system_roots()
            && location == Location::Computer
            && !crate::store::system::roots().find(thumb).is_empty()
    };
    let system: Vec<bool> = plan
        .certs
        .iter()
        .map(|c| system_trusted(&c.cert.summary().thumbprint))
        .collect();
    let topology = crate::ops::enroll::topology(store).ok();
    let needs_exportable = exportable_usages(&plan, topology.as_ref());
    store.transaction(|tx, secret| {
        let mut report = ImportReport {
            warnings: plan.notes.clone(),
            ..ImportReport::default()
        };
        // Per key of the file: its row, and whether this import made it exportable.
        let mut key_ids: Vec<Option<(i64, bool)>> = vec![None; plan.keys.len()];
        let mut kept_exportable = Vec::new();
        let mut not_exportable = Vec::new();
        let mut key_id = |k: usize| -> Result<(i64, bool), StoreError> {
            if let Some(known) = key_ids[k] {
                return Ok(known);
            }
            let key = &plan.keys[k];
            let (id, stored) = write::upsert_key(tx, secret, key, plan.options.exportable, now)?;
            // The file holds the key, and the key proved itself when it was read (its
            // private half gives its public key, the stored row's): the user asked.
            let made = stored == Some(false) && plan.options.exportable;
            if made {
                write::make_exportable(tx, secret, id, key)?;
            }
            if stored == Some(true) && !plan.options.exportable {
                kept_exportable.push(format!(
                    "the private key ({}) was already in the store as exportable, and an import never takes that away: it stays exportable (to make it not exportable, remove the certificate and import it again without marking the key exportable)",
                    key.description()
                ));
            }
            if !(made || stored.unwrap_or(plan.options.exportable)) {
                not_exportable.push(key.description().to_owned());
            }
            key_ids[k] = Some((id, made));
            Ok((id, made))
        };
        if plan.certs.len() > Queue::SIZE {
            tx.expect_many_rows()?;
        }
        // What the store holds already, read up front a thousand certificates a query.
        let thumbs: Vec<&str> = plan
            .certs
            .iter()
            .map(|c| c.cert.summary().thumbprint.as_str())
            .collect();
        let mut present = batch::existing(tx, location, &thumbs)?;
        let stored_keys = batch::keys_by_public(tx, &stored_key_hashes(&plan))?;
        let mut names = write::NameCache::default();
        let wanted: Vec<&str> = plan.certs.iter().map(|c| c.friendly_name.as_str()).collect();
        names.preload(tx, location, &wanted)?;
        let mut queue = Queue::default();
        let mut used = vec![false; plan.keys.len()];
        for (planned, system_trusted) in plan.certs.iter().zip(&system) {
            let thumb = planned.cert.summary().thumbprint.clone();
            if queue.holds(&thumb) {
                // The file repeats a certificate: the first is stored before the second is
                // looked at, as if one by one.
                queue.flush(tx, location, now, &mut present, &mut report)?;
            }
            let logical = match &planned.destination {
                Ok(logical) => *logical,
                // Trusted already (by the system, or in this location): nothing to confirm.
                Err(SkipReason::UntrustedRoot)
                    if *system_trusted || present.contains_key(&thumb) =>
                {
                    report.already_present.push(thumb);
                    continue;
                }
                Err(reason) => {
                    report.skipped.push(Skipped {
                        thumbprint: thumb,
                        reason: reason.clone(),
                    });
                    continue;
                }
            };
            if let Some(k) = planned.key {
                used[k] = true;
            }
            let file_key = match planned.key.map(&mut key_id).transpose()? {
                Some((id, made)) => {
                    if made {
                        let name = planned.cert.summary().issued_to().to_owned();
                        report.made_exportable.push(MadeExportable {
                            thumbprint: thumb.clone(),
                            name,
                        });
                    }
                    Some(id)
                }
                None => None,
            };
            let is_end_entity = logical == Logical::Personal;
            // A CA's response: its key may already be in the store, pending or not.
            let (key, pending) = match file_key {
                Some(id) => (Some(id), None),
                None if is_end_entity => {
                    match stored_keys.get(&planned.cert.summary().public_key_hash) {
                        Some(&id) => (Some(id), requests::write::by_key(tx, location, id)?),
                        None => (None, None),
                    }
                }
                None => (None, None),
            };
            if let Some(&(id, existing_key)) = present.get(&thumb) {
                match (key, existing_key) {
                    (Some(key), None) => {
                        write::attach_key(tx, id, key)?;
                        present.insert(thumb.clone(), (id, Some(key)));
                        report.keys_attached.push(thumb);
                    }
                    (_, Some(stored))
                        if file_key.is_none()
                            && plan.options.exportable
                            && !write::key_exportable(tx, stored)? =>
                    {
                        report.warnings.push(format!(
                            "the file does not hold the private key of \"{}\", so its key in the store stays not exportable: import a file that holds the key (a PFX) to make it exportable",
                            planned.cert.summary().issued_to()
                        ));
                        report.already_present.push(thumb);
                    }
                    _ => report.already_present.push(thumb),
                }
                continue;
            }
            let mut wanted = planned.friendly_name.clone();
            if let Some(request) = &pending {
                requests::write::delete(tx, request)?;
                if wanted.is_empty() {
                    wanted.clone_from(&request.friendly_name);
                }
                report.joined.push(Joined {
                    thumbprint: thumb.clone(),
                    request_id: request.id,
                });
            } else if key.is_none() && is_end_entity {
                report
                    .without_key
                    .push(planned.cert.summary().issued_to().to_owned());
            }
            let (friendly_name, note) =
                write::unique_friendly_name(tx, &mut names, location, &wanted)?;
            report.warnings.extend(note);
            if key.is_some() {
                report.paired.push(thumb);
            }
            queue.push(Queued {
                planned,
                logical,
                friendly_name,
                key_id: key,
            });
            if queue.is_full() {
                queue.flush(tx, location, now, &mut present, &mut report)?;
            }
        }
        queue.flush(tx, location, now, &mut present, &mut report)?;
        for (k, key) in plan.keys.iter().enumerate().filter(|(k, _)| !used[*k]) {
            let owners = write::keyless_with_public(tx, location, key.public_key_hash())?;
            if owners.is_empty() {
                report.warnings.push(format!(
                    "a private key in the file ({}) matches no certificate in the file or the store, so it was not imported",
                    key.description()
                ));
                continue;
            }
            let (id, made) = key_id(k)?;
            for (cert_id, thumb) in owners {
                write::attach_key(tx, cert_id, id)?;
                if made {
                    report.made_exportable.push(MadeExportable {
                        thumbprint: thumb.clone(),
                        name: thumb.clone(),
                    });
                }
                report.keys_attached.push(thumb);
            }
        }
        report.warnings.extend(without_key_warning(&report.without_key));
        report.warnings.extend(kept_exportable);
        if !needs_exportable.is_empty() && !not_exportable.is_empty() {
            let titles: Vec<&str> = needs_exportable.iter().map(|u| u.title()).collect();
            report.warnings.push(format!(
                "{} needs an exportable private key on this server, as every Edge server of the pool holds the same certificate and key, and the private key ({}) is not exportable: import the file again with the key marked exportable to assign it there",
                titles.join(" and "),
                not_exportable.join(", ")
            ));
        }
        let with_key = plan.certs.iter().filter(|c| c.key.is_some()).count();
        let details = describe(&plan, &report, source, with_key);
        let warned = !report.warnings.is_empty() || !report.skipped.is_empty();
        log::append(
            tx,
            &LogEntry::new(
                now,
                location,
                "import",
                details,
                command(source, &plan),
            )
            .warned(warned),
        )?;
        Ok(report)
    })
}

/// The public keys whose stored private key the plan's certificates may take: those of
/// the end entities that come without a key in the file.
fn stored_key_hashes(plan: &ImportPlan) -> Vec<&str> {
    let hashes: std::collections::HashSet<&str> = plan
        .certs
        .iter()
        .filter(|c| c.key.is_none() && c.destination == Ok(Logical::Personal))
        .map(|c| c.cert.summary().public_key_hash.as_str())
        .collect();
    hashes.into_iter().collect()
}

/// A certificate of the plan on its way into the store.
struct Queued<'p> {
    planned: &'p PlannedCert,
    logical: Logical,
    friendly_name: String,
    key_id: Option<i64>,
}

/// The certificates waiting to be inserted, written a thousand at a time (a few
/// statements, not one per certificate).
#[derive(Default)]
struct Queue<'p> {
    certs: Vec<Queued<'p>>,
    thumbprints: std::collections::HashSet<&'p str>,
}

impl<'p> Queue<'p> {
    const SIZE: usize = 1_000;

    fn holds(&self, thumbprint: &str) -> bool {
        self.thumbprints.contains(thumbprint)
    }

    fn is_full(&self) -> bool {
        self.certs.len() >= Self::SIZE
    }

    fn push(&mut self, queued: Queued<'p>) {
        self.thumbprints
            .insert(queued.planned.cert.summary().thumbprint.as_str());
        self.certs.push(queued);
    }

    /// Inserts the waiting certificates and their extended properties; their ids go to the
    /// report (in file order) and to `present`.
    fn flush(
        &mut self,
        tx: Sql<'_>,
        location: Location,
        now: i64,
        present: &mut std::collections::HashMap<String, (i64, Option<i64>)>,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let new: Vec<NewCert<'_>> = self
            .certs
            .iter()
            .map(|q| NewCert {
                location,
                logical: q.logical,
                cert: &q.planned.cert,
                friendly_name: &q.friendly_name,
                key_id: q.key_id,
                now,
            })
            .collect();
        let ids = batch::insert_certs(tx, &new)?;
        let mut properties = Vec::new();
        for (q, &id) in self.certs.iter().zip(&ids) {
            present.insert(q.planned.cert.summary().thumbprint.clone(), (id, q.key_id));
            properties.extend(
                q.planned
                    .properties
                    .iter()
                    .map(|(bag, oid, value)| (id, *bag, oid.as_str(), value.as_slice())),
            );
        }
        batch::insert_properties(tx, &properties)?;
        report.imported.extend(ids);
        self.certs.clear();
        self.thumbprints.clear();
        Ok(())
    }
}

/// One sentence for the end-entity certificates imported without a private key.
fn without_key_warning(names: &[String]) -> Option<String> {
    match names {
        [] => None,
        [one] => Some(format!(
            "no pending request or stored key holds the private key of \"{one}\", so it was imported without a private key"
        )),
        many => Some(format!(
            "{} certificates came without a private key, and no pending request or stored key holds theirs (normal for a bundle of CA or public certificates); --verbose lists them",
            crate::text::grouped(many.len())
        )),
    }
}

fn describe(plan: &ImportPlan, report: &ImportReport, source: &str, with_key: usize) -> String {
    let mut lines = vec![format!(
        "{source} ({}): {} imported, {} already present, {} key(s) attached to present certificates, {} skipped; {} certificate(s) in the file came with a private key",
        plan.kind.label(),
        report.imported.len(),
        report.already_present.len(),
        report.keys_attached.len(),
        report.skipped.len(),
        with_key,
    )];
    lines.extend(report.exportable_sentences());
    lines.extend(report.warnings.iter().cloned());
    lines.join("\n")
}

/// `certdesk import ...` for a plan.
fn command(source: &str, plan: &ImportPlan) -> String {
    let mut cmd = format!(
        "{} import {}",
        command_line::base(plan.options.location),
        command_line::quote(source)
    );
    if plan.password_used {
        cmd.push_str(" --password-file '<password-file>'");
    }
    if !plan.keys.is_empty() {
        cmd.push_str(&format!(" --exportable {}", plan.options.exportable));
    }
    if plan.options.trust_root {
        cmd.push_str(" --trust-root");
    }
    cmd
}
