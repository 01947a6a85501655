//! What the views read: a snapshot of the store, rebuilt on the store's thread after a
//! command or another process changed it.
//! Rows carry their display strings and a lower-cased search haystack computed once, so a
//! frame's work depends on the rows visible, never on the size of the store.
//! A large store's first snapshot comes in two: the first page of the list (the rows a
//! window shows, in the list's order) as soon as the certificates are read, then the whole
//! view.

use std::collections::HashMap;

use crate::ca::BuiltinCa;
use crate::deploy::topology::Topology;
use crate::gui::list_order::{self, ListKey};
use crate::ops::assign::{self, UsageStatus};
use crate::ops::enroll;
use crate::ops::renewal::{self, Tracked};
use crate::pki::timefmt::date;
use crate::store::{
    Assignment, CaConnection, DeployTarget, Location, LogEntry, Logical, PendingRequest, Store,
    StoreError, StoredCert,
};

/// How soon an expiry is highlighted.
pub const EXPIRING_DAYS: i64 = 30;

/// One list row, ready to draw.
pub struct Row {
    /// The certificate.
    pub cert: StoredCert,
    /// "Issued To".
    pub issued_to: String,
    /// "Issued By".
    pub issued_by: String,
    /// Expiration date, `YYYY-MM-DD`.
    pub expires: String,
    /// "Intended Purposes".
    pub purposes: String,
    /// none / not exportable / exportable.
    pub key: &'static str,
    /// Assigned usages, comma-separated.
    pub usages: String,
    /// Expired (true) or expiring within [`EXPIRING_DAYS`].
    pub expired: bool,
    /// Expiring within [`EXPIRING_DAYS`].
    pub expiring: bool,
    /// Lower-cased subject, issuer, SANs, thumbprint and friendly name.
    pub haystack: String,
}

/// The store as the views see it.
pub struct StoreView {
    /// Every certificate row.
    pub rows: Vec<Row>,
    /// Certificates per (location, logical store).
    pub counts: HashMap<(Location, Logical), usize>,
    /// Assignments at `now`.
    pub assignments: Vec<Assignment>,
    /// Pending requests of both locations.
    pub pending: Vec<PendingRequest>,
    /// The topology, if one is set.
    pub topology: Option<Topology>,
    /// The activity log, newest last.
    pub log: Vec<LogEntry>,
    /// The status of every usage the topology's role needs.
    pub statuses: Vec<UsageStatus>,
    /// Whether the store has its built-in CA (so its root is trusted already).
    pub builtin_ca: bool,
    /// Whether the store counts the operating system's roots as Trusted Roots.
    pub system_roots: bool,
    /// How many of the rows are the operating system's roots.
    pub system_count: usize,
    /// Whether an online CA holds one of the pending requests (Retrieve has work).
    pub held_by_ca: bool,
    /// The store's online CA connections.
    pub cas: Vec<CaConnection>,
    /// The store's deploy targets, with their last runs.
    pub deploy_targets: Vec<DeployTarget>,
    /// The store's keys are out of reach until its passphrase is given.
    pub locked: bool,
    /// The certificates tracked for renewal (Computer), with their next renewal by the
    /// renewal windows kept (no CA is asked for a snapshot).
    pub renewals: Vec<Tracked>,
    /// Whether a renewal schedule (systemd timer) is installed for the user or the system.
    pub schedule_installed: bool,
    /// Set while the view holds only the first page of the list: the rest is loading.
    pub partial: Option<Partial>,
    /// Row index by certificate id.
    by_id: HashMap<i64, usize>,
}

/// What a first page leaves out: how many certificates the store holds, and the one list
/// page (location, logical store) whose first rows it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partial {
    /// The store's certificates, the operating system's roots not counted.
    pub total: usize,
    /// The list page the first rows are of.
    pub page: (Location, Logical),
}

/// The "Intended Purposes" of extended key usages.
pub fn purposes(eku: &[String]) -> String {
    if eku.is_empty() {
        return "<All>".to_owned();
    }
    eku.iter()
        .map(|e| match e.as_str() {
            "serverAuth" => "Server Authentication",
            "clientAuth" => "Client Authentication",
            "codeSigning" => "Code Signing",
            "emailProtection" => "Secure Email",
            "timeStamping" => "Time Stamping",
            "OCSPSigning" => "OCSP Signing",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl StoreView {
    /// The view before the store's first snapshot arrives.
    pub fn empty() -> Self {
        Self {
            rows: Vec::new(),
            counts: HashMap::new(),
            assignments: Vec::new(),
            pending: Vec::new(),
            topology: None,
            log: Vec::new(),
            statuses: Vec::new(),
            builtin_ca: false,
            system_roots: true,
            system_count: 0,
            held_by_ca: false,
            cas: Vec::new(),
            deploy_targets: Vec::new(),
            locked: false,
            renewals: Vec::new(),
            schedule_installed: false,
            partial: None,
            by_id: HashMap::new(),
        }
    }

    /// The first page of `key`'s list among `certs` (the whole store, as
    /// [`Store::list`] gives it): its first `n` rows in the order the whole view will
    /// show them, the counts of every page, and nothing else (no topology, log or
    /// statuses).
    pub fn first_page(
        store: &Store,
        certs: &[StoredCert],
        key: &ListKey,
        n: usize,
        now: i64,
    ) -> Result<(Self, Vec<usize>), StoreError> {
        let assignments = assignments_at(store, now)?;
        let usages = usages_by_thumbprint(&assignments);
        let first = list_order::first(certs, key, n, |c| usages_of(&usages, c));
        let rows: Vec<Row> = first
            .iter()
            .map(|i| row(certs[*i].clone(), usages_of(&usages, &certs[*i]), now))
            .collect();
        let system_count = certs.iter().filter(|c| c.system).count();
        let mut view = Self::empty();
        view.by_id = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.cert.id, i))
            .collect();
        view.rows = rows;
        view.counts = counts(certs);
        view.assignments = assignments;
        view.system_roots = store.trusts_system_roots();
        view.system_count = system_count;
        view.locked = store.is_locked();
        view.partial = Some(Partial {
            total: certs.len() - system_count,
            page: (key.location, key.logical),
        });
        Ok((view, (0..first.len()).collect()))
    }

    /// The whole store at `now`, over `certs` as [`Store::list`] gives them (on the
    /// store's thread, never in a frame).
    pub fn from_certs(store: &Store, certs: Vec<StoredCert>, now: i64) -> Result<Self, StoreError> {
        let assignments = assignments_at(store, now)?;
        let usages = usages_by_thumbprint(&assignments);
        let by_id = certs.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        let topology = enroll::topology(store).ok();
        let statuses = match &topology {
            Some(t) => assign::status_of(store, &certs, t, EXPIRING_DAYS, now)?,
            None => Vec::new(),
        };
        let counts = counts(&certs);
        let system_count = certs.iter().filter(|c| c.system).count();
        // The rows take the certificates: no copy of 100,000 summaries.
        let rows = certs
            .into_iter()
            .map(|c| {
                let usages = usages_of(&usages, &c);
                row(c, usages, now)
            })
            .collect();
        let mut pending = store.pending_requests(Location::Computer)?;
        pending.extend(store.pending_requests(Location::User)?);
        Ok(Self {
            held_by_ca: pending.iter().any(|r| r.ca.is_some()),
            rows,
            counts,
            assignments,
            pending,
            topology,
            log: store.log_entries(Some(500))?,
            statuses,
            builtin_ca: BuiltinCa::exists(store)?,
            system_roots: store.trusts_system_roots(),
            system_count,
            cas: store.cas()?,
            deploy_targets: store.deploy_targets()?,
            locked: store.is_locked(),
            renewals: renewal::tracked(store, Location::Computer, now)?,
            schedule_installed: crate::schedule::any_units(),
            partial: None,
            by_id,
        })
    }

    /// Whether this view shows `page` as the whole view will (a first page shows only
    /// its own list page; the other pages wait for the whole view).
    pub fn shows(&self, page: Option<(Location, Logical)>) -> bool {
        self.partial.is_none_or(|p| Some(p.page) == page)
    }

    /// Whether the store holds nothing yet (the welcome panel shows).
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.topology.is_none()
    }

    /// The row of a certificate id.
    pub fn row(&self, id: i64) -> Option<&Row> {
        self.by_id.get(&id).and_then(|i| self.rows.get(*i))
    }
}

/// The assignments at `now`.
fn assignments_at(store: &Store, now: i64) -> Result<Vec<Assignment>, StoreError> {
    Ok(store
        .assignments()?
        .into_iter()
        .map(|a| a.at(now))
        .collect())
}

/// The titles of the usages assigned to each thumbprint.
fn usages_by_thumbprint(assignments: &[Assignment]) -> HashMap<&str, Vec<&'static str>> {
    let mut by_thumb: HashMap<&str, Vec<&'static str>> = HashMap::new();
    for a in assignments {
        by_thumb
            .entry(a.thumbprint.as_str())
            .or_default()
            .push(a.usage.title());
    }
    by_thumb
}

/// A certificate's assigned usages, comma-separated (only Computer certificates are
/// assigned).
fn usages_of(by_thumb: &HashMap<&str, Vec<&'static str>>, c: &StoredCert) -> String {
    if c.location != Location::Computer {
        return String::new();
    }
    by_thumb
        .get(c.summary.thumbprint.as_str())
        .map(|u| u.join(", "))
        .unwrap_or_default()
}

/// Certificates per (location, logical store).
fn counts(certs: &[StoredCert]) -> HashMap<(Location, Logical), usize> {
    let mut counts = HashMap::new();
    for c in certs {
        *counts.entry((c.location, c.logical)).or_insert(0) += 1;
    }
    counts
}

/// What the Key column says of a certificate's private key.
pub fn key_text(c: &StoredCert) -> &'static str {
    match &c.key {
        None => "none",
        Some(k) if k.exportable => "exportable",
        Some(_) => "not exportable",
    }
}

/// The lower-cased text the filter searches: subject, issuer, SANs, thumbprint and
/// friendly name.
pub fn haystack(c: &StoredCert) -> String {
    let s = &c.summary;
    format!(
        "{}\n{}\n{}\n{}\n{}",
        s.subject,
        s.issuer,
        s.sans.join("\n"),
        s.thumbprint,
        c.friendly_name
    )
    .to_lowercase()
}

/// A certificate's row at `now`, with its assigned `usages`.
fn row(c: StoredCert, usages: String, now: i64) -> Row {
    let s = &c.summary;
    Row {
        issued_to: s.issued_to().to_owned(),
        issued_by: s.issued_by().to_owned(),
        expires: date(s.not_after),
        purposes: purposes(&s.eku),
        key: key_text(&c),
        usages,
        expired: s.not_after < now,
        expiring: s.not_after >= now && s.not_after < now + EXPIRING_DAYS * 86_400,
        haystack: haystack(&c),
        cert: c,
    }
}
