//! Missing intermediates fetched from the certificate's Authority Information Access
//! (caIssuers, DER or PKCS#7), as Windows does, and kept in Intermediate CAs: after an
//! import, for every certificate it brought whose chain is incomplete. A root found this
//! way is not trusted for it; a fetch that fails is a warning. One import's fetches share
//! one deadline ([`fetch::SHARED_TIME_LIMIT`]).

use super::command_line;
use super::online::insert_chain_cas;
use crate::net::deadline::Deadline;
use crate::net::fetch;
use crate::pki::cert::Certificate;
use crate::pki::formats::{pem, pkcs7};
use crate::pki::pointers;
use crate::store::log::{self, LogEntry};
use crate::store::{Location, Store, StoreError, StoredCert};
use crate::verify::chain::{ChainIndex, ChainStatus};

/// The most issuers fetched for one import.
const MAX_FETCHES: usize = 8;

/// What was fetched.
#[derive(Debug, Default)]
pub struct Fetched {
    /// Thumbprints of the CA certificates added to Intermediate CAs.
    pub added: Vec<String>,
    /// Fetches that failed, one sentence each.
    pub warnings: Vec<String>,
    /// Every certificate of the store after the fetches, as [`Store::list`] gives them
    /// (the caller need not list a large store again).
    pub certs: Vec<StoredCert>,
}

/// The certificates a caIssuers answer holds: DER, PKCS#7 (DER or PEM), or PEM.
fn certificates(bytes: &[u8]) -> Vec<Certificate> {
    if let Ok(cert) = Certificate::from_der(bytes) {
        return vec![cert];
    }
    if let Ok(ders) = pkcs7::certificates(bytes) {
        return ders
            .iter()
            .filter_map(|d| Certificate::from_der(d).ok())
            .collect();
    }
    pem::parse(bytes)
        .unwrap_or_default()
        .into_iter()
        .flat_map(|block| match block.label.as_str() {
            "PKCS7" => pkcs7::certificates(&block.der).unwrap_or_default(),
            _ => vec![block.der],
        })
        .filter_map(|d| Certificate::from_der(&d).ok())
        .collect()
}

/// Completes the chains of the certificates `ids` (in `location`) from their issuers'
/// AIA caIssuers URLs, climbing until a chain completes or nothing more can be fetched.
pub fn complete_chains(
    store: &mut Store,
    location: Location,
    ids: &[i64],
    now: i64,
) -> Result<Fetched, StoreError> {
    let mut fetched = Fetched::default();
    let mut tried: Vec<String> = Vec::new();
    let deadline = Deadline::after(fetch::SHARED_TIME_LIMIT);
    let ids: std::collections::HashSet<i64> = ids.iter().copied().collect();
    let mut current = None;
    while tried.len() < MAX_FETCHES {
        let all = store.list(None, None)?;
        let Some(url) = next_fetch(store, &all, &ids, &tried, now)? else {
            current = Some(all);
            break;
        };
        tried.push(url.clone());
        let bytes = match fetch::get(&url, deadline) {
            Ok(bytes) => bytes,
            Err(e) => {
                fetched.warnings.push(format!(
                    "the missing issuer could not be fetched from {url}: {e}"
                ));
                continue;
            }
        };
        let cas: Vec<Certificate> = certificates(&bytes)
            .into_iter()
            .filter(|c| c.summary().is_ca() && !c.summary().self_signed)
            .take(4)
            .collect();
        if cas.is_empty() {
            fetched
                .warnings
                .push(format!("{url} holds no intermediate CA certificate"));
            continue;
        }
        let added = store.transaction(|tx, _| {
            let added = insert_chain_cas(tx, location, &cas, now)?;
            if !added.is_empty() {
                let names: Vec<&str> = cas.iter().map(|c| c.summary().issued_to()).collect();
                log::append(
                    tx,
                    &LogEntry::new(
                        now,
                        location,
                        "aia",
                        format!(
                            "the missing issuer {} was fetched from {url} (Authority Information Access) into Intermediate CAs",
                            names.join(", ")
                        ),
                        format!(
                            "curl -s -o issuer.cer -- {} && certdesk import issuer.cer",
                            command_line::quote(&url)
                        ),
                    ),
                )?;
            }
            Ok::<_, StoreError>(added)
        })?;
        fetched.added.extend(added);
    }
    fetched.certs = match current {
        Some(all) => all,
        None => store.list(None, None)?,
    };
    Ok(fetched)
}

/// The first caIssuers URL not tried yet of the top of an incomplete chain among `ids`.
fn next_fetch(
    store: &Store,
    all: &[StoredCert],
    ids: &std::collections::HashSet<i64>,
    tried: &[String],
    now: i64,
) -> Result<Option<String>, StoreError> {
    let index = ChainIndex::new(all);
    for cert in all.iter().filter(|c| ids.contains(&c.id)) {
        if index.status(cert, now) != ChainStatus::Incomplete {
            continue;
        }
        let Some(top) = index.path(cert).last().copied() else {
            continue;
        };
        let urls = pointers::pointers(&store.der(top.id)?).ca_issuers;
        if let Some(url) = urls.into_iter().find(|u| !tried.contains(u)) {
            return Ok(Some(url));
        }
    }
    Ok(None)
}

/// An import committed and its chains completed.
pub struct Completed {
    /// The import's report, with the fetches' warnings.
    pub report: crate::ops::import::ImportReport,
    /// What the fetches added, and the store's certificates after them.
    pub fetched: Fetched,
}

/// Commits an import plan ([`crate::ops::import::commit`]), then completes the chains of
/// the certificates it added from their issuers' AIA URLs ([`complete_chains`]): the
/// import of the command line and of the window alike.
pub fn import(
    store: &mut Store,
    plan: crate::ops::import::ImportPlan,
    source: &str,
    now: i64,
) -> Result<Completed, StoreError> {
    let location = plan.options.location;
    let mut report = crate::ops::import::commit(store, plan, source, now)?;
    let mut fetched = complete_chains(store, location, &report.imported, now)?;
    report.warnings.append(&mut fetched.warnings);
    Ok(Completed { report, fetched })
}
