//! Subject name and subject alternative names for a set of usages, computed from the
//! topology (DOMAIN.md §3). The one function the request wizard, the CLI and the usage
//! checks share, so they can never disagree.
//!
//! The SN is always repeated among the SANs: TLS clients read only SANs. SAN order never
//! matters; names are lower-cased and deduplicated.

use crate::deploy::topology::{EdgeTopology, Topology, WebTopology, check_fqdn};
use crate::deploy::usage::UsageType;

/// What the user adds to the computed names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameOptions {
    /// SIP domains whose `sip.<domain>` the request carries: `Some` as ticked, `None` for
    /// the role's default ([`default_sip_domains`]).
    pub sip_domains: Option<Vec<String>>,
    /// Additional names (`--domain-name`), FQDNs or, where allowed, `*.` wildcards.
    pub extra: Vec<String>,
}

/// The names a request will carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The subject's common name.
    pub subject: String,
    /// SANs the usages require, the SN first.
    pub required: Vec<String>,
    /// `sip.<domain>` names the user ticked (beyond the required ones).
    pub ticked: Vec<String>,
    /// Additional names the user typed.
    pub extra: Vec<String>,
}

impl Names {
    /// Every SAN, deduplicated: required, then ticked, then extra.
    pub fn sans(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for name in self.required.iter().chain(&self.ticked).chain(&self.extra) {
            if !out.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                out.push(name.clone());
            }
        }
        out
    }
}

/// Why names cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// No usage was chosen.
    #[error("choose at least one usage type")]
    NoUsage,
    /// The topology lacks a section a usage needs.
    #[error("the {usage} certificate needs the topology's {section}")]
    MissingSection {
        /// The usage.
        usage: &'static str,
        /// What is missing, e.g. `[edge] section`.
        section: &'static str,
    },
    /// An additional name is not an FQDN.
    #[error("the additional name {0}")]
    BadName(crate::deploy::topology::NameProblem),
    /// A wildcard where a usage forbids it.
    #[error("the wildcard name \"{name}\" is not allowed in a {usage} certificate")]
    Wildcard {
        /// The wildcard name.
        name: String,
        /// The usage that forbids it.
        usage: &'static str,
    },
    /// A ticked SIP domain that is not in the topology.
    #[error("\"{0}\" is not one of the topology's SIP domains")]
    UnknownSipDomain(String),
}

fn edge(t: &Topology, usage: UsageType) -> Result<&EdgeTopology, NameError> {
    t.edge.as_ref().ok_or(NameError::MissingSection {
        usage: usage.title(),
        section: "[edge] section",
    })
}

fn web(t: &Topology, usage: UsageType) -> Result<&WebTopology, NameError> {
    t.web.as_ref().ok_or(NameError::MissingSection {
        usage: usage.title(),
        section: "[web] section",
    })
}

/// The subject name a usage would have on its own.
pub fn subject_for(usage: UsageType, t: &Topology) -> Result<String, NameError> {
    Ok(match usage {
        UsageType::Default | UsageType::WebServicesInternal | UsageType::WebServicesExternal => {
            t.pool().to_owned()
        }
        UsageType::OAuthTokenIssuer => t.primary_sip_domain().unwrap_or(t.pool()).to_owned(),
        UsageType::ReverseProxy => web(t, usage)?.external_fqdn.clone(),
        UsageType::Internal => edge(t, usage)?.internal_fqdn.clone(),
        UsageType::AccessEdgeExternal | UsageType::DataEdgeExternal | UsageType::XmppServer => {
            edge(t, usage)?.access_fqdn.clone()
        }
        UsageType::AudioVideoAuthentication => edge(t, usage)?.av_fqdn.clone(),
    })
}

/// The SANs a usage requires (DOMAIN.md §3), without the SN.
pub fn required_sans(usage: UsageType, t: &Topology) -> Result<Vec<String>, NameError> {
    let per_domain =
        |prefix: &'static str| t.sip_domains.iter().map(move |d| format!("{prefix}.{d}"));
    Ok(match usage {
        UsageType::Default => vec![t.pool().to_owned(), t.server_fqdn.clone()],
        UsageType::WebServicesInternal => {
            let w = web(t, usage)?;
            let mut v = vec![
                w.internal_fqdn.clone(),
                t.server_fqdn.clone(),
                t.pool().to_owned(),
            ];
            v.extend(w.meet_urls.iter().cloned());
            v.extend(w.dialin_url.iter().cloned());
            v.extend(w.admin_url.iter().cloned());
            v.extend(per_domain("lyncdiscoverinternal"));
            v
        }
        // The reverse proxy publishes what the external web site serves.
        UsageType::WebServicesExternal | UsageType::ReverseProxy => {
            let w = web(t, usage)?;
            let mut v = vec![w.external_fqdn.clone()];
            v.extend(w.meet_urls.iter().cloned());
            v.extend(w.dialin_url.iter().cloned());
            v.extend(per_domain("lyncdiscover"));
            v
        }
        UsageType::OAuthTokenIssuer | UsageType::AudioVideoAuthentication => Vec::new(),
        UsageType::Internal => {
            edge(t, usage)?;
            Vec::new()
        }
        UsageType::AccessEdgeExternal => {
            let e = edge(t, usage)?;
            let mut v = vec![e.access_fqdn.clone(), e.webconf_fqdn.clone()];
            v.extend(per_domain("sip"));
            v.extend(t.xmpp_domains.iter().cloned());
            v
        }
        UsageType::DataEdgeExternal => vec![edge(t, usage)?.webconf_fqdn.clone()],
        UsageType::XmppServer => {
            if t.xmpp_domains.is_empty() {
                return Err(NameError::MissingSection {
                    usage: usage.title(),
                    section: "xmpp_domains",
                });
            }
            t.xmpp_domains.clone()
        }
    })
}

/// The SIP domains whose `sip.<domain>` a request carries unless the user chooses: every
/// one for the Access Edge (clients sign in through it), none elsewhere (automatic sign-in
/// through a Front End or Director is the administrator's choice).
pub fn default_sip_domains(usages: &[UsageType], t: &Topology) -> Vec<String> {
    if usages.contains(&UsageType::AccessEdgeExternal) {
        t.sip_domains.clone()
    } else {
        Vec::new()
    }
}

/// The SN and SANs of a request for `usages`. The `sip.<domain>` names come from the SIP
/// domains chosen (or the role's default); when a usage requires one that is not chosen,
/// the request leaves it out and the usage rules report it missing.
pub fn compute(
    usages: &[UsageType],
    t: &Topology,
    options: &NameOptions,
) -> Result<Names, NameError> {
    let mut sorted = usages.to_vec();
    sorted.sort();
    sorted.dedup();
    let Some(first) = sorted
        .iter()
        .copied()
        .find(|u| {
            !matches!(
                u,
                UsageType::AudioVideoAuthentication | UsageType::OAuthTokenIssuer
            )
        })
        .or_else(|| sorted.first().copied())
    else {
        return Err(NameError::NoUsage);
    };
    let subject = subject_for(first, t)?.to_ascii_lowercase();
    let chosen = match &options.sip_domains {
        Some(list) => list.clone(),
        None => default_sip_domains(&sorted, t),
    };
    let mut ticked = Vec::new();
    for domain in &chosen {
        if !t.sip_domains.iter().any(|d| d.eq_ignore_ascii_case(domain)) {
            return Err(NameError::UnknownSipDomain(domain.clone()));
        }
        ticked.push(format!("sip.{}", domain.to_ascii_lowercase()));
    }
    // sip.<domain> names follow the choice; the Edge's own FQDNs stay whatever they are.
    let own: Vec<String> = t
        .edge
        .iter()
        .flat_map(|e| {
            [
                e.access_fqdn.to_ascii_lowercase(),
                e.webconf_fqdn.to_ascii_lowercase(),
            ]
        })
        .chain([subject.clone()])
        .collect();
    let per_domain: Vec<String> = t
        .sip_domains
        .iter()
        .map(|d| format!("sip.{}", d.to_ascii_lowercase()))
        .collect();
    let mut required = vec![subject.clone()];
    for usage in &sorted {
        required.extend(
            required_sans(*usage, t)?
                .into_iter()
                .map(|n| n.to_ascii_lowercase())
                .filter(|n| own.contains(n) || !per_domain.contains(n)),
        );
    }
    let mut extra = Vec::new();
    for name in &options.extra {
        let name = name.trim().to_ascii_lowercase();
        let base = name.strip_prefix("*.").unwrap_or(&name);
        check_fqdn(base).map_err(NameError::BadName)?;
        if name.starts_with("*.")
            && let Some(usage) = sorted.iter().find(|u| !u.allows_wildcard_sans())
        {
            return Err(NameError::Wildcard {
                name,
                usage: usage.title(),
            });
        }
        extra.push(name);
    }
    let mut names = Names {
        subject,
        required,
        ticked,
        extra,
    };
    names.required = dedup(names.required);
    Ok(names)
}

fn dedup(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}
