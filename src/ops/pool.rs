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
    /// Whether every member serves the same certificate and key.
    pub consistent: bool,
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

/// Why the pool cannot be checked.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An `--address` names no member.
    #[error("{0} is not a member of the pool (the topology's members are {1})")]
    NotAMember(String, String),
}

/// Probes every pool member on `port` (connecting to `addresses`' entry where one is
/// given) and compares what they serve with each other and with the assignment here.
pub fn check(
    store: &Store,
    topology: &Topology,
    port: u16,
    addresses: &[(String, SocketAddr)],
    now: i64,
) -> Result<PoolReport, PoolError> {
    let (members, usage) = match (&topology.role, &topology.edge) {
        (Role::Edge, Some(edge)) if !edge.pool_members.is_empty() => {
            (edge.pool_members.clone(), UsageType::Internal)
        }
        _ => (vec![topology.server_fqdn.clone()], UsageType::Default),
    };
    let pool = match (&topology.role, &topology.edge) {
        (Role::Edge, Some(edge)) => edge.internal_fqdn.clone(),
        _ => topology
            .pool_fqdn
            .clone()
            .unwrap_or_else(|| topology.server_fqdn.clone()),
    };
    for (name, _) in addresses {
        if !members.iter().any(|m| m.eq_ignore_ascii_case(name)) {
            return Err(PoolError::NotAMember(name.clone(), members.join(", ")));
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
                .find(|(name, _)| name.eq_ignore_ascii_case(member))
                .map(|(_, a)| *a),
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
    let first = probes
        .iter()
        .zip(&members)
        .find(|(p, _)| !p.chain.is_empty());
    for (probe, member) in probes.iter().zip(&members) {
        if probe.chain.is_empty() {
            problems.push(format!(
                "{member}: {}",
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
    let consistent = probes.iter().all(|p| {
        first.is_some_and(|(reference, _)| {
            p.chain.first() == reference.chain.first() && p.public_key == reference.public_key
        })
    });
    Ok(PoolReport {
        pool,
        members: members
            .into_iter()
            .zip(probes)
            .map(|(member, probe)| PoolMember { member, probe })
            .collect(),
        consistent,
        usage,
        assigned_here,
        problems,
    })
}
