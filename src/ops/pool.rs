//! Pool consistency (`certdesk pool check`, the Certificate Wizard page's pool check):
//! every member of the topology's pool must serve the same certificate with the same key
//! ("the same certificate, same private key on every Edge Server in the pool"), and it
//! should be the one assigned here.

use std::net::SocketAddr;

use super::probe::{self, ProbeReport, short};
use crate::deploy::topology::{Role, Topology};
use crate::deploy::usage::UsageType;
use crate::net::probe::Target;
use crate::store::{Store, StoreError};

/// What the pool serves.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PoolReport {
    /// The name clients ask the pool for (SNI).
    pub pool: String,
    /// Each member's probe.
    pub members: Vec<PoolMember>,
    /// Whether every member was reached and serves the same certificate and key.
    pub consistent: bool,
    /// The answer in one sentence ("the members differ", "edge02.contoso.net could not be
    /// reached; …").
    pub verdict: String,
    /// The members that could not be looked at (their name does not resolve, nothing
    /// answers, no TLS handshake): their problem says which.
    pub unreached: Vec<String>,
    /// The usage compared with the assignment here.
    pub usage: UsageType,
    /// The certificate assigned to it here.
    pub assigned_here: Option<String>,
    /// Everything wrong, one sentence each, naming the member.
    pub problems: Vec<String>,
}

/// One member.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PoolMember {
    /// The member's FQDN.
    pub member: String,
    /// What it serves.
    pub probe: ProbeReport,
}

/// What a pool check is asked: the port the members serve on, and where to reach those
/// members that are not to be reached by their names.
#[derive(Debug, Clone)]
pub struct PoolQuery {
    /// The port every member is probed on.
    pub port: u16,
    /// The members reached at an address of their own (`--address MEMBER=IP[:PORT]`).
    pub addresses: Vec<MemberAddress>,
}

/// Where one member of the pool is reached instead of by its name.
#[derive(Debug, Clone)]
pub struct MemberAddress {
    /// The member's FQDN, as the topology names it.
    pub member: String,
    /// Its address.
    pub address: SocketAddr,
}

/// Why the pool cannot be checked.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An `--address` names no member.
    #[error("{given} is not a member of the pool (the topology's members are {members})")]
    NotAMember {
        /// The name given.
        given: String,
        /// The topology's members, comma-separated.
        members: String,
    },
    /// The topology lists no member to compare.
    #[error(
        "the topology lists no members of the pool {0}: add its servers (pool_members) to the topology"
    )]
    NoMembers(String),
}

/// A member's address that is neither an IP address nor `IP:PORT` (the text given).
#[derive(Debug, Clone, thiserror::Error)]
#[error("\"{0}\" is not an IP address, nor IP:PORT")]
pub struct BadAddress(pub String);

/// Where a member is reached: `IP` (on `port`) or `IP:PORT`, as `pool check --address`
/// takes it after `MEMBER=`.
pub fn parse_address(text: &str, port: u16) -> Result<SocketAddr, BadAddress> {
    let text = text.trim();
    text.parse::<SocketAddr>()
        .or_else(|_| text.parse().map(|ip| SocketAddr::new(ip, port)))
        .map_err(|_| BadAddress(text.to_owned()))
}

/// The check's answer in one sentence: the same everywhere, some members out of reach, or
/// the members differ.
fn verdict(members: &[String], unreached: &[String], differ: bool) -> String {
    match unreached {
        _ if differ => "the members differ".to_owned(),
        [] => "every member serves the same certificate and key".to_owned(),
        _ if unreached.len() == members.len() => {
            format!("no member could be reached ({})", unreached.join(", "))
        }
        [one] if members.len() == 2 => {
            format!("{one} could not be reached; the other member serves the certificate and key")
        }
        _ => format!(
            "{} could not be reached; the others serve the same certificate and key",
            unreached.join(", ")
        ),
    }
}

/// Probes every pool member on the query's port (connecting to its address where the
/// query gives one) and compares what they serve with each other and with the assignment
/// here.
pub fn check(
    store: &Store,
    topology: &Topology,
    query: &PoolQuery,
    now: i64,
) -> Result<PoolReport, PoolError> {
    let PoolQuery { port, addresses } = query;
    let port = *port;
    let usage = match topology.role {
        Role::Edge => UsageType::Internal,
        _ => UsageType::Default,
    };
    let pool = match (&topology.role, &topology.edge) {
        (Role::Edge, Some(edge)) => edge.internal_fqdn.clone(),
        _ => topology.pool().to_owned(),
    };
    let members = topology.pool_members();
    if members.is_empty() {
        return Err(PoolError::NoMembers(pool));
    }
    for MemberAddress { member, .. } in addresses {
        if !members.iter().any(|m| m.eq_ignore_ascii_case(member)) {
            return Err(PoolError::NotAMember {
                given: member.clone(),
                members: members.join(", "),
            });
        }
    }
    let targets: Vec<Target> = members
        .iter()
        .map(|member| Target {
            host: member.clone(),
            port,
            sni: pool.clone(),
            address: addresses
                .iter()
                .find(|given| given.member.eq_ignore_ascii_case(member))
                .map(|given| given.address),
        })
        .collect();
    let probes = probe::probe(store, &targets, &[usage], Some(topology.clone()), now)?;
    let assigned_here = store
        .assignments()?
        .into_iter()
        .map(|a| a.at(now))
        .find(|a| a.usage == usage)
        .map(|a| a.thumbprint);
    let mut problems = Vec::new();
    let mut unreached = Vec::new();
    let first = probes
        .iter()
        .zip(&members)
        .find(|(p, _)| !p.chain.is_empty());
    for (probe, member) in probes.iter().zip(&members) {
        if probe.chain.is_empty() {
            unreached.push(member.clone());
            problems.push(format!(
                "{member} could not be reached: {}",
                probe.problems.first().cloned().unwrap_or_default()
            ));
            continue;
        }
        if let Some((reference, reference_member)) = first
            && reference_member != member
        {
            if probe.public_key != reference.public_key {
                problems.push(format!(
                    "{member} serves a certificate with another private key than {reference_member} ({} instead of {})",
                    short(&probe.chain[0]),
                    short(&reference.chain[0])
                ));
            } else if probe.chain[0] != reference.chain[0] {
                problems.push(format!(
                    "{member} serves another certificate than {reference_member} ({} instead of {}), with the same key",
                    short(&probe.chain[0]),
                    short(&reference.chain[0])
                ));
            }
        }
        if let Some(assigned) = &assigned_here
            && probe.chain[0] != *assigned
        {
            problems.push(format!(
                "{member} serves {}, not the certificate assigned here to {} ({})",
                short(&probe.chain[0]),
                usage.title(),
                short(assigned)
            ));
        }
    }
    let differ = first.is_some_and(|(reference, _)| {
        probes.iter().any(|p| {
            !p.chain.is_empty()
                && (p.chain.first() != reference.chain.first()
                    || p.public_key != reference.public_key)
        })
    });
    let consistent = unreached.is_empty() && !differ;
    let verdict = verdict(&members, &unreached, differ);
    Ok(PoolReport {
        pool,
        members: members
            .into_iter()
            .zip(probes)
            .map(|(member, probe)| PoolMember { member, probe })
            .collect(),
        consistent,
        verdict,
        unreached,
        usage,
        assigned_here,
        problems,
    })
}
