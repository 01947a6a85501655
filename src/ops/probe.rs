//! What servers actually serve (`certdesk probe`, `certdesk pool check`, the *Check a
//! server* page): the served chain judged against this store's and the system's roots, the
//! name asked for, the SANs the given usages need, expiry, and whether the certificate is
//! in this store and which usages it holds here. Several targets are probed at once, each
//! within one deadline ([`probe::TIME_LIMIT`]) that covers connecting, the handshake and
//! the revocation checks of what it serves.

use crate::deploy::topology::Topology;
use crate::deploy::usage::UsageType;
use crate::net::deadline::Deadline;
use crate::net::probe::{self, Target};
use crate::ops::revocation::{self, CertAndIssuer, Revocation};
use crate::pki::cert::Certificate;
use crate::pki::timefmt;
use crate::store::{Location, Logical, Store, StoreError};
use crate::verify::{path, sans};

/// The most targets probed by one command.
pub const MAX_TARGETS: usize = 256;

/// How many connections are open at once.
const PARALLEL: usize = 16;

/// Days before expiry that count as "expires soon".
const SOON_DAYS: i64 = 30;

/// What one server serves, and what is wrong with it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProbeReport {
    /// `host:port`.
    pub target: String,
    /// The name asked for (SNI) and checked.
    pub sni: String,
    /// The TLS version agreed.
    pub tls: Option<String>,
    /// The served chain's thumbprints, leaf first.
    pub chain: Vec<String>,
    /// The leaf's subject.
    pub subject: Option<String>,
    /// The leaf's issuer.
    pub issuer: Option<String>,
    /// The leaf's DNS names.
    pub sans: Vec<String>,
    /// Whether the chain validates to this store's or the system's roots.
    pub trusted: bool,
    /// Whether a DNS name of the leaf covers the name asked for.
    pub name_matches: bool,
    /// The names the given usages need that the leaf lacks.
    pub missing_sans: Vec<String>,
    /// When the leaf expires (RFC 3339).
    pub not_after: Option<String>,
    /// Days until then (negative once expired).
    pub days_left: Option<i64>,
    /// Revocation of the served certificate (OCSP, then CRL), when the server serves its
    /// issuer.
    pub revocation: Revocation,
    /// Whether the served certificate is in this store (Computer).
    pub in_store: bool,
    /// The usages it holds here.
    pub usages_here: Vec<UsageType>,
    /// The leaf's public key hash (to compare pool members).
    #[serde(skip)]
    pub public_key: Option<String>,
    /// Everything wrong, one sentence each; empty when all is well.
    pub problems: Vec<String>,
}

/// Where a served certificate stands in this store, one wording for the command line and
/// the window: "not in this store", "in this store, not assigned", or "in this store,
/// assigned to Default, Web services".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Here {
    /// Not in this store's Computer certificates.
    Absent,
    /// In the store, holding no usage.
    Unassigned,
    /// In the store, holding these usages (their titles).
    Assigned(Vec<&'static str>),
}

impl std::fmt::Display for Here {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Here::Absent => f.write_str("not in this store"),
            Here::Unassigned => f.write_str("in this store, not assigned"),
            Here::Assigned(usages) => write!(f, "in this store, assigned to {}", usages.join(", ")),
        }
    }
}

impl ProbeReport {
    /// Where the served certificate stands in this store.
    pub fn here(&self) -> Here {
        match (self.in_store, self.usages_here.as_slice()) {
            (false, _) => Here::Absent,
            (true, []) => Here::Unassigned,
            (true, usages) => Here::Assigned(usages.iter().map(|u| u.title()).collect()),
        }
    }

    pub(super) fn failed(target: &Target, problem: String) -> Self {
        Self {
            target: target.label(),
            sni: target.sni.clone(),
            tls: None,
            chain: Vec::new(),
            subject: None,
            issuer: None,
            sans: Vec::new(),
            trusted: false,
            name_matches: false,
            missing_sans: Vec::new(),
            not_after: None,
            days_left: None,
            revocation: Revocation::Unchecked,
            in_store: false,
            usages_here: Vec::new(),
            public_key: None,
            problems: vec![problem],
        }
    }
}

/// What the judgement needs from the store, read once for every target.
struct Context {
    anchors: Vec<Vec<u8>>,
    intermediates: Vec<Vec<u8>>,
    stored: Vec<String>,
    assigned: Vec<(UsageType, String)>,
    topology: Option<Topology>,
}

/// Probes `targets` (at most [`MAX_TARGETS`]) at once and judges what each serves for
/// `usages` (none: no SAN checklist).
pub fn probe(
    store: &Store,
    targets: &[Target],
    usages: &[UsageType],
    topology: Option<Topology>,
    now: i64,
) -> Result<Vec<ProbeReport>, StoreError> {
    let all = store.list(Some(Location::Computer), None)?;
    let der = |id| store.der(id);
    let context = Context {
        anchors: all
            .iter()
            .filter(|c| c.logical == Logical::Root)
            .map(|c| der(c.id))
            .collect::<Result<_, _>>()?,
        intermediates: all
            .iter()
            .filter(|c| c.logical == Logical::Ca)
            .map(|c| der(c.id))
            .collect::<Result<_, _>>()?,
        stored: all
            .iter()
            .filter(|c| c.logical == Logical::Personal)
            .map(|c| c.summary.thumbprint.clone())
            .collect(),
        assigned: store
            .assignments()?
            .into_iter()
            .map(|a| a.at(now))
            .map(|a| (a.usage, a.thumbprint))
            .collect(),
        topology,
    };
    let targets = &targets[..targets.len().min(MAX_TARGETS)];
    let mut reports = Vec::with_capacity(targets.len());
    for batch in targets.chunks(PARALLEL) {
        let done: Vec<ProbeReport> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|t| scope.spawn(|| judge(t, &context, usages, now)))
                .collect();
            handles
                .into_iter()
                .zip(batch)
                .map(|(h, t)| {
                    h.join().unwrap_or_else(|_| {
                        ProbeReport::failed(t, "the probe of this server failed".into())
                    })
                })
                .collect()
        });
        reports.extend(done);
    }
    Ok(reports)
}

fn judge(target: &Target, context: &Context, usages: &[UsageType], now: i64) -> ProbeReport {
    let deadline = Deadline::after(probe::TIME_LIMIT);
    let (chain, tls) = match probe::served_chain(target, deadline) {
        Ok(served) => served,
        Err(e) => return ProbeReport::failed(target, format!("{e}.")),
    };
    let Ok(leaf) = Certificate::from_der(&chain[0]) else {
        return ProbeReport::failed(
            target,
            format!(
                "{} serves a certificate that cannot be read.",
                target.label()
            ),
        );
    };
    let summary = leaf.summary();
    let dns: Vec<&str> = summary.dns_names().collect();
    let mut problems = Vec::new();
    let intermediates: Vec<&[u8]> = chain[1..]
        .iter()
        .chain(&context.intermediates)
        .map(Vec::as_slice)
        .collect();
    let anchors: Vec<&[u8]> = context.anchors.iter().map(Vec::as_slice).collect();
    let trusted = match path::server_auth(&chain[0], &intermediates, &anchors, now) {
        Ok(()) => true,
        Err(why) => {
            let why = if summary.self_signed {
                "it is self-signed and not a trusted root".to_owned()
            } else {
                why.to_string()
            };
            problems.push(format!(
                "The served certificate is not trusted by this store or the system: {why}."
            ));
            false
        }
    };
    let name_matches = dns.iter().any(|d| sans::covers(d, &target.sni));
    if !name_matches {
        problems.push(format!(
            "None of its names ({}) is {}.",
            if dns.is_empty() {
                "no DNS name".to_owned()
            } else {
                dns.join(", ")
            },
            target.sni
        ));
    }
    let mut missing_sans = Vec::new();
    if !usages.is_empty() {
        match &context.topology {
            Some(topology) => {
                let inspection = sans::inspect(&dns, usages, topology);
                missing_sans.extend(
                    inspection
                        .rows
                        .into_iter()
                        .filter(|r| r.state.is_problem())
                        .map(|r| r.name),
                );
                for gap in inspection.gaps {
                    problems.push(format!("Not all the usages' names are known: {gap}."));
                }
            }
            None => problems
                .push("No topology is set, so the names the usages need are not known.".to_owned()),
        }
    }
    if !missing_sans.is_empty() {
        problems.push(format!(
            "It lacks names the usages need: {}.",
            missing_sans.join(", ")
        ));
    }
    let days_left = (summary.not_after - now).div_euclid(86_400);
    if summary.not_after < now {
        problems.push(format!(
            "It expired on {}.",
            timefmt::date(summary.not_after)
        ));
    } else if summary.not_before > now {
        problems.push(format!(
            "It is not valid before {}.",
            timefmt::date(summary.not_before)
        ));
    } else if days_left < SOON_DAYS {
        let unit = if days_left == 1 { "day" } else { "days" };
        problems.push(format!("It expires in {days_left} {unit}."));
    }
    let revocation = match chain.get(1) {
        Some(issuer) => {
            let deadline = deadline.within(revocation::TIME_LIMIT);
            let ders = CertAndIssuer {
                cert: &chain[0],
                issuer,
            };
            revocation::check_ders(ders, None, deadline, now).unwrap_or(Revocation::Unchecked)
        }
        None => Revocation::Unchecked,
    };
    if let Revocation::Revoked { .. } = &revocation {
        problems.push(format!(
            "It {}.",
            revocation
                .sentence()
                .unwrap_or_default()
                .trim_start_matches("it ")
        ));
    }
    let thumbprint = summary.thumbprint.clone();
    let usages_here: Vec<UsageType> = context
        .assigned
        .iter()
        .filter(|(_, t)| *t == thumbprint)
        .map(|(u, _)| *u)
        .collect();
    // Compared with the store: a usage checked here whose certificate is another.
    for (usage, assigned) in &context.assigned {
        if usages.contains(usage) && *assigned != thumbprint {
            problems.push(format!(
                "This store assigns {}… to {}, but the server serves {}…: install the assigned certificate there, or assign the served one.",
                short(assigned),
                usage.title(),
                short(&thumbprint)
            ));
        }
    }
    ProbeReport {
        target: target.label(),
        sni: target.sni.clone(),
        tls: Some(tls),
        chain: chain
            .iter()
            .map(|d| crate::pki::cert::thumbprint(d))
            .collect(),
        subject: Some(summary.subject.clone()),
        issuer: Some(summary.issuer.clone()),
        sans: dns.iter().map(|d| (*d).to_owned()).collect(),
        trusted,
        name_matches,
        missing_sans,
        not_after: Some(timefmt::rfc3339(summary.not_after)),
        days_left: Some(days_left),
        revocation,
        in_store: context.stored.contains(&thumbprint),
        usages_here,
        public_key: Some(summary.public_key_hash.clone()),
        problems,
    }
}

/// The first eight characters of a thumbprint, as the sentences name it.
pub(super) fn short(thumbprint: &str) -> &str {
    &thumbprint[..thumbprint.len().min(8)]
}
