//! The SAN inspector: every name the server's usages need (from the topology) against the
//! DNS names a certificate or a request carries, as one table: present, covered by a
//! wildcard where the usage allows one, missing, a wildcard the usage does not allow, or
//! extra. The usage rules ([`crate::verify::rules`]) read their name problems from here, so
//! the table and an assignment's refusal never disagree.

use serde::Serialize;

use crate::deploy::names::{self, NameError};
use crate::deploy::topology::Topology;
use crate::deploy::usage::UsageType;

/// What became of one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameState {
    /// Needed, and carried as it is.
    Present,
    /// Needed, and carried by this wildcard (which the usage allows for this name).
    Covered(String),
    /// Needed, and not carried.
    Missing,
    /// Carried, a wildcard, and one of the usages does not allow wildcards.
    WildcardNotAllowed,
    /// Carried, and no usage needs it (harmless; it may serve another purpose).
    Extra,
}

impl NameState {
    /// Whether the name stops the certificate from serving its usages.
    pub fn is_problem(&self) -> bool {
        matches!(self, NameState::Missing | NameState::WildcardNotAllowed)
    }

    /// The table's word for it.
    pub fn label(&self) -> String {
        match self {
            NameState::Present => "present".into(),
            NameState::Covered(wildcard) => format!("covered by {wildcard}"),
            NameState::Missing => "missing".into(),
            NameState::WildcardNotAllowed => "wildcard not allowed".into(),
            NameState::Extra => "extra".into(),
        }
    }
}

/// One row of the inspector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameRow {
    /// The DNS name (as needed, or as carried for wildcards and extras).
    pub name: String,
    /// Present, covered, missing, wildcard not allowed, extra.
    pub state: NameState,
    /// The usages that need the name (for a refused wildcard: that refuse it).
    pub usages: Vec<UsageType>,
}

/// Whether `pattern` (a SAN, maybe `*.x`) covers `name` (one label for the wildcard).
pub fn covers(pattern: &str, name: &str) -> bool {
    if pattern.eq_ignore_ascii_case(name) {
        return true;
    }
    match (pattern.strip_prefix("*."), name.split_once('.')) {
        (Some(base), Some((_, rest))) => base.eq_ignore_ascii_case(rest),
        _ => false,
    }
}

/// Whether `usage` accepts a wildcard for `name`: the web services' simple URLs and
/// lyncdiscover names may be covered by one; the SIP and Edge names may not.
fn wildcard_may_cover(usage: UsageType, name: &str, topology: &Topology) -> bool {
    matches!(
        usage,
        UsageType::WebServicesInternal | UsageType::WebServicesExternal
    ) && (name.starts_with("lyncdiscover")
        || topology.web.as_ref().is_some_and(|w| {
            w.meet_urls.iter().any(|m| m.eq_ignore_ascii_case(name))
                || w.dialin_url
                    .as_deref()
                    .is_some_and(|d| d.eq_ignore_ascii_case(name))
                || w.admin_url
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(name))
        }))
}

/// The inspector's answer: the table, and the usages whose names could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inspection {
    /// The needed names first, in order, then the carried names no usage needs.
    pub rows: Vec<NameRow>,
    /// Why a usage's names are not in the table (the topology lacks what it needs); the
    /// other usages' rows are there all the same.
    #[serde(serialize_with = "sentences")]
    pub gaps: Vec<NameError>,
}

fn sentences<S: serde::Serializer>(gaps: &[NameError], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(gaps.iter().map(ToString::to_string))
}

/// The table for `carried` (the DNS names of a certificate or request) against what
/// `usages` need in `topology`: the needed names first, in order, then the carried names
/// no usage needs. A usage whose names cannot be computed (the topology lacks its
/// section) is a gap, and leaves the other usages' rows in place.
pub fn inspect(carried: &[&str], usages: &[UsageType], topology: &Topology) -> Inspection {
    let mut unique: Vec<&str> = Vec::new();
    for name in carried {
        if !unique.iter().any(|u| u.eq_ignore_ascii_case(name)) {
            unique.push(name);
        }
    }
    let carried = unique;
    let mut rows: Vec<NameRow> = Vec::new();
    let mut used_wildcards: Vec<&str> = Vec::new();
    let mut gaps = Vec::new();
    let mut checked = Vec::new();
    for usage in usages {
        let mut required = match names::required_sans(*usage, topology) {
            Ok(required) => required,
            Err(gap) => {
                gaps.push(gap);
                continue;
            }
        };
        checked.push(*usage);
        required.sort_by_key(|n| n.to_ascii_lowercase());
        required.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        for name in required {
            let state = if carried.iter().any(|c| c.eq_ignore_ascii_case(&name)) {
                NameState::Present
            } else if let Some(w) = carried
                .iter()
                .find(|c| c.starts_with("*.") && covers(c, &name))
                .filter(|_| wildcard_may_cover(*usage, &name, topology))
            {
                used_wildcards.push(w);
                NameState::Covered((*w).to_owned())
            } else {
                NameState::Missing
            };
            match rows
                .iter_mut()
                .find(|r| r.name.eq_ignore_ascii_case(&name) && r.state == state)
            {
                Some(row) => row.usages.push(*usage),
                None => rows.push(NameRow {
                    name,
                    state,
                    usages: vec![*usage],
                }),
            }
        }
    }
    for name in &carried {
        let refusing: Vec<UsageType> = checked
            .iter()
            .copied()
            .filter(|u| !u.allows_wildcard_sans())
            .collect();
        if name.contains('*') && !refusing.is_empty() {
            rows.push(NameRow {
                name: (*name).to_owned(),
                state: NameState::WildcardNotAllowed,
                usages: refusing,
            });
        } else if !rows.iter().any(|r| r.name.eq_ignore_ascii_case(name))
            && !used_wildcards.contains(name)
        {
            rows.push(NameRow {
                name: (*name).to_owned(),
                state: NameState::Extra,
                usages: Vec::new(),
            });
        }
    }
    Inspection { rows, gaps }
}
