//! Commands: what views and dialogs ask the model to do. They are collected while a frame
//! is drawn and applied afterwards, here, in one place; draw code never writes the store.

use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::ca::acme::Http01;
use crate::ca::certsrv::{Credentials, Template};
use crate::deploy::request::{Generated, RequestSpec};
use crate::deploy::usage::UsageType;
use crate::net::probe::Target;
use crate::ops::adcs;
use crate::ops::assign::{self, AssignError, AssignRequest};
use crate::ops::cas::{self, CaOpError, NewCa};
use crate::ops::deploy::{self, DeployError, NewTarget, RunReport, Which};
use crate::ops::enroll::{self, Delivery, EnrollError, RequestOutcome, RequestStatus};
use crate::ops::export::{self, ExportError, ExportOptions, ExportOutcome};
use crate::ops::import::{self, ImportPlan, ImportReport};
use crate::ops::online::{self, ChainRoot, OnlineOptions};
use crate::ops::pool::{self, PoolError, PoolReport};
use crate::ops::probe::{self, ProbeReport};
use crate::ops::remove;
use crate::ops::rename::{self, RenameError};
use crate::ops::renew::{self, RenewOutcome, Renewal};
use crate::ops::renewal::run::{self, DueRun, Failure, Outcome, RunError};
use crate::ops::renewal::{self, TrackError};
use crate::ops::retrieve::{self, Polled};
use crate::ops::revocation::Revocation;
use crate::ops::revocation::applied::{self, Link};
use crate::ops::trust;
use crate::store::{CaKind, Location, Store, StoreError};

/// Where a request goes (the owned form of [`Delivery`]).
#[derive(Debug, Clone)]
pub enum SubmitTo {
    /// Delayed: the CSR saved to this file.
    Delayed(PathBuf),
    /// The built-in CA (`trust_new_root`: the user agreed to create it and trust its root).
    Builtin {
        /// The consent.
        trust_new_root: bool,
    },
    /// An online CA connection of the store.
    Online {
        /// The connection's name.
        ca: String,
        /// ACME: how HTTP-01 is answered.
        http01: Answer,
        /// ACME: answer DNS-01 instead (the records are shown, then *Continue*).
        dns01: bool,
        /// AD CS: the "Certificate Authority Account" page's alternate credentials.
        credentials: Option<AltCredentials>,
    },
}

/// A user name and password given for one request (the password never printed).
#[derive(Clone)]
pub struct AltCredentials {
    /// The user.
    pub username: String,
    /// The password.
    pub password: Zeroizing<String>,
}

impl std::fmt::Debug for AltCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AltCredentials({})", self.username)
    }
}

/// How HTTP-01 is answered (the owned form of [`Http01`]).
#[derive(Debug, Clone)]
pub enum Answer {
    /// A listener of certdesk's on this address and port.
    Listen(std::net::SocketAddr),
    /// Files in this webroot, served by the site's web server.
    Webroot(PathBuf),
}

impl Default for Answer {
    /// certdesk's listener on port 80 of every address.
    fn default() -> Self {
        Answer::Listen(std::net::SocketAddr::from(([0, 0, 0, 0], 80)))
    }
}

impl Answer {
    /// The form the model takes.
    pub fn borrowed(&self) -> Http01<'_> {
        match self {
            Answer::Listen(address) => Http01::Listen(*address),
            Answer::Webroot(dir) => Http01::Webroot(dir),
        }
    }
}

/// A change to the store.
pub enum Command {
    /// Commit a previewed import.
    Import {
        /// The plan shown to the user.
        plan: Box<ImportPlan>,
        /// The file it came from (for the log).
        source: String,
    },
    /// Remove a certificate.
    Remove(Location, String),
    /// Rename a certificate.
    Rename(Location, String, String),
    /// Export a certificate.
    Export {
        /// Where it lives.
        location: Location,
        /// Which.
        thumbprint: String,
        /// Where to.
        path: PathBuf,
        /// The wizard's options.
        options: ExportOptions,
        /// The PFX password.
        password: Option<Zeroizing<String>>,
    },
    /// Store a generated request (delayed) or have the built-in CA sign it (immediate).
    Submit {
        /// The validated request.
        spec: Box<RequestSpec>,
        /// Its key and CSR.
        generated: Box<Generated>,
        /// The location.
        location: Location,
        /// Where it goes.
        to: SubmitTo,
    },
    /// Add a CA connection (ACME, SCEP or AD CS).
    AddCa(Box<NewCa>),
    /// Count the operating system's roots as Trusted Roots, or not.
    SetSystemRoots(bool),
    /// Look at what servers serve, checking the SANs these usages need.
    Probe(Vec<Target>, Vec<UsageType>),
    /// Compare what the pool's members serve on this port, reaching the members named
    /// here at these addresses (the others by their names).
    PoolCheck(u16, Vec<(String, std::net::SocketAddr)>),
    /// Check the revocation of each link of a certificate's path.
    CheckRevocation(Location, String),
    /// Change a CA connection (a secret left empty is kept).
    EditCa(Box<NewCa>),
    /// Ask the online CAs about the requests they hold (one, or all) and store what was
    /// issued.
    Retrieve(Location, Option<i64>),
    /// Renew a certificate of Personal through the CA that issued it (or another).
    Renew {
        /// The location.
        location: Location,
        /// The certificate.
        thumbprint: String,
        /// The CA (default: the issuing one).
        ca: Option<String>,
        /// A new key instead of the certificate's own.
        new_key: bool,
        /// ACME: how HTTP-01 is answered.
        http01: Answer,
        /// ACME: answer DNS-01 instead (the records are shown, then *Continue*).
        dns01: bool,
    },
    /// Reach a CA and its account (registering one the first time).
    TestCa(String),
    /// AD CS: read the templates the user may enroll (the request wizard's template list).
    ListTemplates {
        /// The connection's name.
        ca: String,
        /// The wizard's alternate credentials, when given.
        credentials: Option<AltCredentials>,
    },
    /// Remove a CA connection.
    RemoveCa(String),
    /// Put the root CA an AD CS CA's chain ends in into Trusted Roots, as the user agreed
    /// (the Certification Authorities page's "Trust this root CA").
    TrustRoot(Location, Box<ChainRoot>),
    /// Assign usages (or stage with an effective date).
    Assign {
        /// The certificate (Computer location).
        thumbprint: String,
        /// The usages.
        usages: Vec<UsageType>,
        /// Staged rolling: the effective date (RFC 3339).
        roll: Option<String>,
    },
    /// The request wizard's Finish on an issued certificate: trust the root CA that ends
    /// its chain (when the user ticked it), then assign the usages (when any).
    FinishRequest {
        /// The request's location.
        location: Location,
        /// The issued certificate.
        thumbprint: String,
        /// The untrusted root the user agreed to trust.
        root: Option<ChainRoot>,
        /// The usages to assign it (none: only the root).
        usages: Vec<UsageType>,
    },
    /// Remove a usage's assignment, or only its previous certificate.
    Unassign(UsageType, bool),
    /// Store a topology (TOML).
    SetTopology(String),
    /// Add a deploy target, or change one (`true`); its PFX password when given.
    SaveTarget(Box<NewTarget>, Option<Zeroizing<String>>, bool),
    /// Remove a deploy target.
    RemoveTarget(String),
    /// Deploy a target now: write, reload, prove (put back on failure).
    DeployNow(String),
    /// Track a certificate of Computer's Personal for renewal (with its own key when the
    /// flag is set).
    Track(String, bool),
    /// Stop tracking a certificate `Track` added.
    Untrack(String),
    /// Renew a tracked certificate now and roll its usages (the Renewals page).
    RenewNow(String),
}

/// Why a command was refused: the model's own error, kept typed up to the dialog.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The store failed, or the certificate is not there.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An export was refused.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A request or the topology was refused.
    #[error(transparent)]
    Enroll(#[from] EnrollError),
    /// An assignment was refused.
    #[error(transparent)]
    Assign(#[from] AssignError),
    /// A CA connection was refused, or its CA failed.
    #[error(transparent)]
    Ca(#[from] CaOpError),
    /// The pool cannot be checked.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// A rename was refused.
    #[error(transparent)]
    Rename(#[from] RenameError),
    /// A deploy target was refused, or cannot be run.
    #[error(transparent)]
    Deploy(#[from] DeployError),
    /// A deploy failed (and was put back): its report.
    #[error("{}: {}", .0.target, .0.message)]
    DeployFailed(Box<RunReport>),
    /// Tracking was refused.
    #[error(transparent)]
    Track(#[from] TrackError),
    /// A renewal run could not start.
    #[error(transparent)]
    Run(#[from] RunError),
    /// *Renew now* failed.
    #[error(transparent)]
    Renewal(#[from] Failure),
}

/// What applying a command produced, for the dialog that asked.
pub enum Applied {
    /// Nothing particular.
    Done,
    /// An import's report.
    Imported(ImportReport),
    /// A request's outcome.
    Requested(RequestOutcome),
    /// An export's outcome.
    Exported(ExportOutcome),
    /// What the online CAs said about the requests they hold.
    Retrieved(Vec<Polled>),
    /// A renewal's outcome.
    Renewed(Box<RenewOutcome>),
    /// What the probed servers serve.
    Probed(Vec<ProbeReport>),
    /// What the pool's members serve.
    Pool(Box<PoolReport>),
    /// The revocation of each link of a certificate's path, leaf first.
    Revocation(Vec<Link>),
    /// The templates an AD CS CA lets the user enroll.
    Templates(Vec<Template>),
    /// A CA was reached: (its name, the root CA its own chain ends in, when an AD CS CA's
    /// root is not trusted).
    CaTested(String, Option<ChainRoot>),
}

impl Command {
    /// The operation, as the Activity log names it.
    pub fn operation(&self) -> &'static str {
        match self {
            Command::Import { .. } => "import",
            Command::Remove(..) => "remove",
            Command::Rename(..) => "rename",
            Command::Export { .. } => "export",
            Command::Submit { .. } => "request",
            Command::AddCa(_)
            | Command::EditCa(_)
            | Command::TestCa(_)
            | Command::RemoveCa(_)
            | Command::ListTemplates { .. } => "ca",
            Command::SetSystemRoots(_) | Command::TrustRoot(..) => "trust",
            Command::Probe(..) => "probe",
            Command::PoolCheck(..) => "pool",
            Command::CheckRevocation(..) => "revocation",
            Command::Retrieve(..) => "retrieve",
            Command::Renew { .. } => "renew",
            Command::Assign { .. } | Command::FinishRequest { .. } | Command::Unassign(..) => {
                "assign"
            }
            Command::SetTopology(_) => "topology",
            Command::SaveTarget(..) | Command::RemoveTarget(_) | Command::DeployNow(_) => "deploy",
            Command::Track(..) => "track",
            Command::Untrack(_) => "untrack",
            Command::RenewNow(_) => "renew-due",
        }
    }

    /// Whether applying it waits on the network (a CA, a server, a revocation responder):
    /// it then runs beside the store's other work.
    pub fn waits_on_network(&self) -> bool {
        matches!(
            self,
            Command::Submit {
                to: SubmitTo::Online { .. },
                ..
            } | Command::Retrieve(..)
                | Command::Renew { .. }
                | Command::RenewNow(_)
                | Command::TestCa(_)
                | Command::ListTemplates { .. }
                | Command::Probe(..)
                | Command::PoolCheck(..)
                | Command::CheckRevocation(..)
                | Command::DeployNow(_)
        ) || matches!(self, Command::AddCa(new) | Command::EditCa(new) if new.try_first)
    }
}

/// Applies one command at `now`; returns a one-line message and what it produced, or the
/// error sentence. The store is unchanged on error.
pub fn apply(
    store: &mut Store,
    command: Command,
    now: i64,
) -> Result<(String, Applied), ApplyError> {
    match command {
        Command::Import { plan, source } => {
            let location = plan.options.location;
            let mut report = import::commit(store, *plan, &source, now)?;
            let aia = crate::ops::aia::complete_chains(store, location, &report.imported, now)?;
            report.warnings.extend(aia.warnings);
            let imported = report.imported.len() + report.keys_attached.len();
            let only_skipped = imported == 0
                && report.already_present.is_empty()
                && report.made_exportable.is_empty()
                && !report.skipped.is_empty();
            let message = if only_skipped {
                "Nothing imported: the root CA was not added to Trusted Roots".to_owned()
            } else {
                format!(
                    "Imported {imported} {}; {} already present",
                    if imported == 1 {
                        "certificate"
                    } else {
                        "certificates"
                    },
                    report.already_present.len()
                )
            };
            Ok((message, Applied::Imported(report)))
        }
        Command::Remove(location, thumbprint) => {
            let removed = remove::remove(store, location, &thumbprint, now)?;
            Ok((
                format!("Removed {}", removed.summary.issued_to()),
                Applied::Done,
            ))
        }
        Command::Rename(location, thumbprint, name) => {
            let name = rename::rename(store, location, &thumbprint, &name, now)?;
            Ok((format!("Renamed to \"{name}\""), Applied::Done))
        }
        Command::Export {
            location,
            thumbprint,
            path,
            options,
            password,
        } => {
            let outcome = export::export(
                store,
                location,
                &thumbprint,
                &path,
                options,
                password.as_deref().map(String::as_str),
                now,
            )?;
            Ok((
                format!("Exported to {}", outcome.file),
                Applied::Exported(outcome),
            ))
        }
        Command::Submit {
            spec,
            generated,
            location,
            to,
        } => {
            let delivery = match &to {
                SubmitTo::Delayed(path) => Delivery::Delayed(Some(path.as_path())),
                SubmitTo::Builtin { trust_new_root } => Delivery::BuiltinCa {
                    trust_new_root: *trust_new_root,
                },
                SubmitTo::Online {
                    ca,
                    http01,
                    dns01,
                    credentials,
                } => Delivery::Online {
                    ca,
                    options: OnlineOptions {
                        http01: http01.borrowed(),
                        dns01: *dns01,
                        credentials: credentials.as_ref().map(|c| Credentials {
                            username: &c.username,
                            password: &c.password,
                        }),
                        // The result page offers to trust an untrusted root (FinishRequest).
                        trust_root: false,
                        replaces: None,
                    },
                },
            };
            let outcome = enroll::submit(store, &spec, *generated, location, delivery, now)?;
            let message = match (&outcome.thumbprint, &outcome.ca_reference) {
                (Some(t), _) => format!("Certificate issued: {t}"),
                (None, Some(_)) if !outcome.dns_records.is_empty() => {
                    "Create the DNS records shown, then Continue".to_owned()
                }
                (None, Some(reference)) => format!(
                    "The CA holds the request for approval (its request {reference}); Retrieve it from Enrollment Requests once issued"
                ),
                (None, None) => {
                    "Request saved; it waits in Enrollment Requests for the CA's answer".to_owned()
                }
            };
            Ok((message, Applied::Requested(outcome)))
        }
        Command::Assign {
            thumbprint,
            usages,
            roll,
        } => {
            let request = AssignRequest {
                location: Location::Computer,
                thumbprint,
                usages,
                roll,
            };
            assign::assign(store, &request, now)?;
            let usages = request.usages;
            let names: Vec<&str> = usages.iter().map(|u| u.title()).collect();
            Ok((format!("Assigned to {}", names.join(", ")), Applied::Done))
        }
        Command::FinishRequest {
            location,
            thumbprint,
            root,
            usages,
        } => {
            let mut done = Vec::new();
            if let Some(root) = &root {
                online::trust_root(store, location, root, now)?;
                done.push(format!("Trusted the root CA {}", root.subject));
            }
            if !usages.is_empty() {
                let request = AssignRequest {
                    location: Location::Computer,
                    thumbprint,
                    usages,
                    roll: None,
                };
                assign::assign(store, &request, now)?;
                let names: Vec<&str> = request.usages.iter().map(|u| u.title()).collect();
                done.push(format!("Assigned to {}", names.join(", ")));
            }
            let message = done.join("; ");
            Ok((message, Applied::Done))
        }
        Command::Unassign(usage, previous) => {
            assign::unassign(store, usage, previous, now)?;
            let what = if previous {
                "previous certificate"
            } else {
                "assignment"
            };
            Ok((format!("{}: {what} removed", usage.title()), Applied::Done))
        }
        Command::AddCa(new) => {
            cas::add(store, &new, now)?;
            Ok((format!("CA {} added", new.name), Applied::Done))
        }
        Command::Probe(targets, usages) => {
            let topology = enroll::topology(store).ok();
            let reports = probe::probe(store, &targets, &usages, topology, now)?;
            let bad = reports.iter().filter(|r| !r.problems.is_empty()).count();
            let message = match bad {
                0 => "The server serves a certificate without problems".to_owned(),
                1 => "The server serves a certificate with problems".to_owned(),
                n => format!("{n} servers serve certificates with problems"),
            };
            Ok((message, Applied::Probed(reports)))
        }
        Command::CheckRevocation(location, thumbprint) => {
            let cert = store.find(location, &thumbprint)?;
            let links = applied::path(store, &cert, now)?;
            let verdicts = || links.iter().map(|l| &l.revocation);
            let message = if verdicts().any(|v| matches!(v, Revocation::Revoked { .. })) {
                "A certificate of the path is revoked"
            } else if verdicts().any(|v| matches!(v, Revocation::Unknown { .. })) {
                "The revocation of the path is not fully known"
            } else {
                "No certificate of the path is revoked"
            };
            Ok((message.to_owned(), Applied::Revocation(links)))
        }
        Command::PoolCheck(port, addresses) => {
            let topology = enroll::topology(store)?;
            let report = pool::check(store, &topology, port, &addresses, now)?;
            let message = format!("Pool {}: {}", report.pool, report.verdict);
            Ok((message, Applied::Pool(Box::new(report))))
        }
        Command::SetSystemRoots(on) => {
            trust::set_system_roots(store, on, now)?;
            let message = if on {
                "The operating system's roots are trusted in this store"
            } else {
                "The operating system's roots are no longer trusted in this store"
            };
            Ok((message.to_owned(), Applied::Done))
        }
        Command::EditCa(new) => {
            cas::edit(store, &new, now)?;
            Ok((format!("CA {} changed", new.name), Applied::Done))
        }
        Command::Retrieve(location, only) => {
            let polled = retrieve::poll(store, location, only, now)?;
            let count = |status| polled.iter().filter(|p| p.status == status).count();
            let message = match polled.len() {
                0 => "No request is held by an online CA".to_owned(),
                _ => format!(
                    "Retrieved: {} issued, {} still pending, {} denied or failed",
                    count(RequestStatus::Issued),
                    count(RequestStatus::Pending),
                    count(RequestStatus::Denied) + count(RequestStatus::Failed)
                ),
            };
            Ok((message, Applied::Retrieved(polled)))
        }
        Command::Renew {
            location,
            thumbprint,
            ca,
            new_key,
            http01,
            dns01,
        } => {
            let renewal = Renewal {
                thumbprint: &thumbprint,
                ca: ca.as_deref(),
                new_key,
                options: OnlineOptions {
                    http01: http01.borrowed(),
                    dns01,
                    credentials: None,
                    trust_root: false,
                    replaces: None,
                },
            };
            let outcome = renew::renew(store, location, &renewal, now)?;
            let message = match &outcome.request.thumbprint {
                Some(t) => format!("Renewed by {}: {t}", outcome.ca),
                None => format!(
                    "The CA {} holds the renewal for approval; Retrieve it once issued",
                    outcome.ca
                ),
            };
            Ok((message, Applied::Renewed(Box::new(outcome))))
        }
        Command::TestCa(name) => {
            let reached = cas::test(store, &name)?;
            let mut message = format!("{name} is reachable; {}", reached.detail);
            let root = match store.ca(&name)?.kind {
                CaKind::Certsrv => {
                    match adcs::untrusted_ca_root(store, &name, Location::Computer) {
                        Ok(root) => root,
                        Err(e) => {
                            message.push_str(&format!("; its CA chain was not read: {e}"));
                            None
                        }
                    }
                }
                _ => None,
            };
            if let Some(root) = &root {
                message.push_str(&format!("; its root CA {} is not trusted", root.subject));
            }
            Ok((message, Applied::CaTested(name, root)))
        }
        Command::TrustRoot(location, root) => {
            online::trust_root(store, location, &root, now)?;
            Ok((
                format!("Trusted the root CA {}", root.subject),
                Applied::Done,
            ))
        }
        Command::ListTemplates { ca, credentials } => {
            let given = credentials.as_ref().map(|c| Credentials {
                username: &c.username,
                password: &c.password,
            });
            let templates = adcs::templates(store, &ca, given)?;
            Ok((
                format!("The CA {ca} offers {} templates", templates.len()),
                Applied::Templates(templates),
            ))
        }
        Command::RemoveCa(name) => {
            cas::remove(store, &name, now)?;
            Ok((format!("CA {name} removed"), Applied::Done))
        }
        Command::SetTopology(toml) => {
            enroll::set_topology(store, &toml, "topology.toml", now)?;
            Ok(("Topology saved".to_owned(), Applied::Done))
        }
        Command::SaveTarget(new, password, replace) => {
            let password = password.as_deref().map(String::as_str);
            let saved = deploy::save(store, &new, password, replace, now)?;
            let verb = if replace { "changed" } else { "added" };
            Ok((
                format!("Deploy target {} {verb}", saved.name),
                Applied::Done,
            ))
        }
        Command::RemoveTarget(name) => {
            deploy::remove(store, &name, now)?;
            Ok((format!("Deploy target {name} removed"), Applied::Done))
        }
        Command::DeployNow(name) => {
            let mut reports = deploy::run_for(store, Which::Named(&name), now)?;
            match reports.pop() {
                Some(report) if !report.ok => Err(ApplyError::DeployFailed(Box::new(report))),
                Some(report) => Ok((format!("{name}: {}", report.message), Applied::Done)),
                None => Ok((format!("{name}: nothing to deploy"), Applied::Done)),
            }
        }
        Command::Track(thumbprint, same_key) => {
            let thumbprint = renewal::track(store, Location::Computer, &thumbprint, same_key, now)?;
            Ok((
                format!("{thumbprint} is tracked for renewal"),
                Applied::Done,
            ))
        }
        Command::Untrack(thumbprint) => {
            let thumbprint = renewal::untrack(store, Location::Computer, &thumbprint, now)?;
            Ok((format!("{thumbprint} is no longer tracked"), Applied::Done))
        }
        Command::RenewNow(thumbprint) => {
            let answer = Answer::default();
            let run = DueRun {
                location: Location::Computer,
                options: OnlineOptions {
                    http01: answer.borrowed(),
                    dns01: false,
                    credentials: None,
                    trust_root: false,
                    replaces: None,
                },
                dry_run: false,
            };
            let done = run::renew_now(store, &run, &thumbprint, now)?;
            if let Some(failed) = done.follow_up.deploys.into_iter().find(|d| !d.ok) {
                return Err(ApplyError::DeployFailed(Box::new(failed)));
            }
            match done.certificate.outcome {
                Outcome::Renewed { new_thumbprint, .. } => Ok((
                    format!("{thumbprint} renewed as {new_thumbprint}; its usages rolled"),
                    Applied::Done,
                )),
                Outcome::Pending { .. } => Ok((
                    format!("The CA holds the renewal of {thumbprint} for approval"),
                    Applied::Done,
                )),
                Outcome::Failed { error } => Err(ApplyError::Renewal(error)),
                Outcome::NotDue | Outcome::WouldRenew => Ok((String::new(), Applied::Done)),
            }
        }
    }
}
