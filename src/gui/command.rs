//! Commands: what views and dialogs ask the model to do. They are collected while a frame
//! is drawn and applied afterwards, here, in one place; draw code never writes the store.

mod steps;

use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::ca::certsrv::Template;
use crate::deploy::request::{Generated, RequestSpec};
use crate::deploy::usage::UsageType;
use crate::net::probe::Target;
use crate::ops::adcs;
use crate::ops::aia;
use crate::ops::assign::{self, AssignError, AssignRequest};
use crate::ops::cas::{self, CaOpError, NewCa};
use crate::ops::deploy::{self, DeployError, RunReport};
use crate::ops::enroll::{self, AltCredentials, Delivery, EnrollError, RequestOutcome};
use crate::ops::export::{self, ExportError, ExportOptions, ExportOutcome};
use crate::ops::import::{ImportPlan, ImportReport};
use crate::ops::online::{self, ChainRoot};
use crate::ops::pool::{self, PoolError, PoolQuery, PoolReport};
use crate::ops::probe::{self, ProbeReport};
use crate::ops::remove;
use crate::ops::rename::{self, RenameError};
use crate::ops::renew::{self, RenewOutcome, Renewal};
use crate::ops::renewal::run::{Failure, RunError};
use crate::ops::renewal::{self, TrackError};
use crate::ops::retrieve::{self, Polled};
use crate::ops::revocation::applied::{self, Link};
use crate::ops::trust;
use crate::ops::words;
use crate::store::{Location, Store, StoreError, TargetSettings};

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
    Rename {
        /// Where it lives.
        location: Location,
        /// Which.
        thumbprint: String,
        /// Its new friendly name.
        name: String,
    },
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
        to: Delivery,
    },
    /// Add a CA connection (ACME, SCEP or AD CS).
    AddCa(Box<NewCa>),
    /// Count the operating system's roots as Trusted Roots, or not.
    SetSystemRoots(bool),
    /// Look at what servers serve, checking the SANs these usages need.
    Probe(Vec<Target>, Vec<UsageType>),
    /// Compare what the pool's members serve.
    PoolCheck(PoolQuery),
    /// Check the revocation of each link of a certificate's path.
    CheckRevocation(Location, String),
    /// Change a CA connection (a secret left empty is kept).
    EditCa(Box<NewCa>),
    /// Ask the online CAs about the requests they hold (one, or all) and store what was
    /// issued.
    Retrieve(Location, Option<i64>),
    /// Renew a certificate of Personal through the CA that issued it (or another).
    Renew(Location, Box<Renewal>),
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
    Assign(AssignRequest),
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
    /// Add a deploy target, or change one.
    SaveTarget {
        /// The target.
        target: Box<TargetSettings>,
        /// Its PFX password, when given.
        password: Option<Zeroizing<String>>,
        /// It replaces the target of its name.
        replaced: bool,
    },
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
    #[error("{0}")]
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
            Command::Rename { .. } => "rename",
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
            Command::Renew(..) => "renew",
            Command::Assign(_) | Command::FinishRequest { .. } | Command::Unassign(..) => "assign",
            Command::SetTopology(_) => "topology",
            Command::SaveTarget { .. } | Command::RemoveTarget(_) | Command::DeployNow(_) => {
                "deploy"
            }
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
                to: Delivery::Online { .. },
                ..
            } | Command::Retrieve(..)
                | Command::Renew(..)
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
/// error sentence. The store is unchanged on error. Each command is one model call (or one
/// of the few steps in [`steps`] that chain two), its outcome said by [`crate::ops::words`].
pub fn apply(
    store: &mut Store,
    command: Command,
    now: i64,
) -> Result<(String, Applied), ApplyError> {
    let done = |message: String| Ok((message, Applied::Done));
    match command {
        Command::Import { plan, source } => {
            let report = aia::import(store, *plan, &source, now)?.report;
            Ok((report.to_string(), Applied::Imported(report)))
        }
        Command::Remove(location, thumbprint) => {
            done(words::Removed(&remove::remove(store, location, &thumbprint, now)?).to_string())
        }
        Command::Rename {
            location,
            thumbprint,
            name,
        } => {
            let name = rename::rename(store, location, &thumbprint, &name, now)?;
            done(format!("Renamed to \"{name}\""))
        }
        Command::Export {
            location,
            thumbprint,
            path,
            options,
            password,
        } => {
            let password = password.as_deref().map(String::as_str);
            let outcome =
                export::export(store, location, &thumbprint, &path, options, password, now)?;
            Ok((outcome.to_string(), Applied::Exported(outcome)))
        }
        Command::Submit {
            spec,
            generated,
            location,
            to,
        } => {
            let outcome = enroll::submit(store, &spec, *generated, location, &to, now)?;
            let message = with_next_step(outcome.to_string(), &outcome);
            Ok((message, Applied::Requested(outcome)))
        }
        Command::Assign(request) => done(assign::assign(store, &request, now)?.to_string()),
        Command::FinishRequest {
            location,
            thumbprint,
            root,
            usages,
        } => done(steps::finish_request(
            store, location, thumbprint, root, usages, now,
        )?),
        Command::Unassign(usage, previous) => {
            assign::unassign(store, usage, previous, now)?;
            done(words::Unassigned { usage, previous }.to_string())
        }
        Command::AddCa(new) => {
            cas::add(store, &new, now)?;
            done(format!("CA {} added", new.name))
        }
        Command::Probe(targets, usages) => {
            let topology = enroll::topology(store).ok();
            let reports = probe::probe(store, &targets, &usages, topology, now)?;
            Ok((
                words::Probed(&reports).to_string(),
                Applied::Probed(reports),
            ))
        }
        Command::CheckRevocation(location, thumbprint) => {
            let links = applied::path(store, &store.find(location, &thumbprint)?, now)?;
            let message = words::PathRevocation(&links).to_string();
            Ok((message, Applied::Revocation(links)))
        }
        Command::PoolCheck(query) => {
            let topology = enroll::topology(store)?;
            let report = pool::check(store, &topology, &query, now)?;
            Ok((report.to_string(), Applied::Pool(Box::new(report))))
        }
        Command::SetSystemRoots(on) => {
            trust::set_system_roots(store, on, now)?;
            done(words::SystemRoots(on).to_string())
        }
        Command::EditCa(new) => {
            cas::edit(store, &new, now)?;
            done(format!("CA {} changed", new.name))
        }
        Command::Retrieve(location, only) => {
            let polled = retrieve::poll(store, location, only, now)?;
            Ok((
                words::Retrieved(&polled).to_string(),
                Applied::Retrieved(polled),
            ))
        }
        Command::Renew(location, renewal) => {
            let outcome = renew::renew(store, location, &renewal, now)?;
            let message = with_next_step(outcome.to_string(), &outcome.request);
            Ok((message, Applied::Renewed(Box::new(outcome))))
        }
        Command::TestCa(name) => steps::test_ca(store, name),
        Command::TrustRoot(location, root) => {
            online::trust_root(store, location, &root, now)?;
            done(words::TrustedRoot(&root).to_string())
        }
        Command::ListTemplates { ca, credentials } => {
            let templates = adcs::templates(store, &ca, credentials.as_ref())?;
            let message = format!("The CA {ca} offers {} templates", templates.len());
            Ok((message, Applied::Templates(templates)))
        }
        Command::RemoveCa(name) => {
            cas::remove(store, &name, now)?;
            done(format!("CA {name} removed"))
        }
        Command::SetTopology(toml) => {
            enroll::set_topology(store, &toml, "topology.toml", now)?;
            done("Topology saved".to_owned())
        }
        Command::SaveTarget {
            target,
            password,
            replaced,
        } => {
            let password = password.as_deref().map(String::as_str);
            let target = &deploy::save(store, &target, password, replaced, now)?;
            done(words::TargetSaved { target, replaced }.to_string())
        }
        Command::RemoveTarget(name) => {
            deploy::remove(store, &name, now)?;
            done(words::TargetRemoved(&name).to_string())
        }
        Command::DeployNow(name) => done(steps::deploy_now(store, &name, now)?),
        Command::Track(thumbprint, same_key) => {
            let thumbprint =
                &renewal::track(store, Location::Computer, &thumbprint, same_key, now)?;
            done(
                words::Tracking {
                    thumbprint,
                    same_key,
                }
                .to_string(),
            )
        }
        Command::Untrack(thumbprint) => {
            let thumbprint = renewal::untrack(store, Location::Computer, &thumbprint, now)?;
            done(words::Untracked(&thumbprint).to_string())
        }
        Command::RenewNow(thumbprint) => done(steps::renew_now(store, &thumbprint, now)?),
    }
}

/// What the window adds to a request's sentence: the next step in the window.
fn with_next_step(sentence: String, outcome: &RequestOutcome) -> String {
    let step = match (&outcome.thumbprint, &outcome.ca_reference) {
        (Some(_), _) => return sentence,
        (None, Some(_)) if !outcome.dns_records.is_empty() => {
            "create the DNS records shown, then Continue"
        }
        (None, Some(_)) => "Retrieve it from Enrollment Requests once issued",
        (None, None) => "it waits in Enrollment Requests for the CA's answer",
    };
    format!("{sentence}; {step}")
}
