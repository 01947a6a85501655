//! The deployment description: role, server and pool FQDNs, SIP and XMPP domains, Edge
//! service FQDNs and web FQDNs with simple URLs (TOML, schema in CLI.md). Validated on load
//! with errors that name the field; stored with the store.

use serde::{Deserialize, Serialize};

use crate::deploy::usage::UsageType;

/// The server's role in the deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Edge Server (pool).
    Edge,
    /// Enterprise Edition Front End (pool).
    Frontend,
    /// Standard Edition server (pool FQDN = server FQDN).
    Standard,
    /// Director (pool).
    Director,
}

impl Role {
    /// The usages this role needs certificates for (DOMAIN.md §2).
    pub fn usages(self) -> &'static [UsageType] {
        match self {
            Role::Edge => &[
                UsageType::Internal,
                UsageType::AccessEdgeExternal,
                UsageType::DataEdgeExternal,
                UsageType::AudioVideoAuthentication,
                UsageType::XmppServer,
            ],
            Role::Frontend | Role::Standard | Role::Director => &[
                UsageType::Default,
                UsageType::WebServicesInternal,
                UsageType::WebServicesExternal,
                UsageType::OAuthTokenIssuer,
            ],
        }
    }
}

/// The Edge pool's service FQDNs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeTopology {
    /// SIP Access Edge external FQDN (e.g. `sip.contoso.com`).
    pub access_fqdn: String,
    /// Web Conferencing Edge external FQDN.
    pub webconf_fqdn: String,
    /// A/V Edge external FQDN.
    pub av_fqdn: String,
    /// Edge internal FQDN (or the internal pool VIP name).
    pub internal_fqdn: String,
    /// Every Edge server of the pool.
    #[serde(default)]
    pub pool_members: Vec<String>,
}

/// The web services' FQDNs and simple URLs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebTopology {
    /// Internal web services FQDN.
    pub internal_fqdn: String,
    /// External web services FQDN (published by the reverse proxy).
    pub external_fqdn: String,
    /// Meeting simple URLs' host names, one per SIP domain usually.
    #[serde(default)]
    pub meet_urls: Vec<String>,
    /// Dial-in simple URL's host name.
    #[serde(default)]
    pub dialin_url: Option<String>,
    /// Administrative simple URL's host name (internal only).
    #[serde(default)]
    pub admin_url: Option<String>,
}

/// The deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// This server's role.
    pub role: Role,
    /// This server's FQDN.
    pub server_fqdn: String,
    /// The pool FQDN (defaults to the server FQDN, as on Standard Edition).
    #[serde(default)]
    pub pool_fqdn: Option<String>,
    /// SIP domains; the first is the primary.
    pub sip_domains: Vec<String>,
    /// XMPP federation domains (empty when XMPP is not deployed).
    #[serde(default)]
    pub xmpp_domains: Vec<String>,
    /// The servers of a Front End, Director or Standard Edition pool (an Edge pool lists
    /// its own in `[edge]`); the pool check probes each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pool_members: Vec<String>,
    /// Whether the deployment federates with public IM providers (needs Client
    /// Authentication on the Access Edge certificate).
    #[serde(default)]
    pub public_im_federation: bool,
    /// Edge service FQDNs (role = edge).
    #[serde(default)]
    pub edge: Option<EdgeTopology>,
    /// Web FQDNs and simple URLs (Front End, Standard, Director).
    #[serde(default)]
    pub web: Option<WebTopology>,
}

/// The largest topology file read, in bytes (a real one is a few hundred).
pub const MAX_TOPOLOGY: usize = 1024 * 1024;

/// One field's problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field, as written in the file (`edge.access_fqdn`, `sip_domains[1]`).
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

impl std::fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

/// Why a topology is not valid; each message names its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopologyError {
    /// The text is larger than [`MAX_TOPOLOGY`].
    #[error("the topology file is larger than 1 MiB, which no deployment needs")]
    TooLarge,
    /// Not TOML of the expected shape.
    #[error("the topology file is not valid: {0}")]
    Syntax(String),
    /// Fields' values are wrong: every one of them, in the file's order.
    #[error("{}", join(.0))]
    Fields(Vec<FieldProblem>),
    /// No topology has been described yet.
    #[error("no topology is set: describe the deployment first (certdesk topology set FILE)")]
    Missing,
}

fn join(problems: &[FieldProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a name or simple URL of the topology is refused; its `Display` is one sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameProblem {
    /// Not an FQDN: the name, and which rule it breaks.
    #[error("\"{name}\" is not a valid FQDN ({why})")]
    Fqdn {
        /// The name as given.
        name: String,
        /// The rule it breaks.
        why: &'static str,
    },
    /// A simple URL with another scheme than https.
    #[error(
        "\"{text}\" is not a simple URL: it starts with {scheme}://, and Lync serves simple URLs over https://"
    )]
    Scheme {
        /// The URL as given.
        text: String,
        /// Its scheme.
        scheme: String,
    },
    /// A simple URL with a user or a port.
    #[error("\"{0}\" is not a simple URL: give the host name alone, with no user or port")]
    UserOrPort(String),
    /// A simple URL with a space in its path.
    #[error("\"{0}\" is not a simple URL: it contains a space")]
    Space(String),
    /// The topology names no SIP domain.
    #[error("at least one SIP domain is needed")]
    NoSipDomain,
    /// An Edge server's topology has no `[edge]` section.
    #[error("an Edge server needs an [edge] section")]
    NoEdgeSection,
}

/// The host of a simple URL as Topology Builder shows it (`https://meet.contoso.com/`, or
/// `https://contoso.com/meet`), or the text itself when it is already a host name; or why
/// it is neither. A simple URL is served over HTTPS on the default port.
pub fn simple_url_host(text: &str) -> Result<String, NameProblem> {
    let t = text.trim();
    let rest = match t.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => rest,
        Some((scheme, _)) => {
            return Err(NameProblem::Scheme {
                text: t.to_owned(),
                scheme: scheme.to_owned(),
            });
        }
        None => t,
    };
    let (host, path) = rest
        .find(['/', '?', '#'])
        .map_or((rest, ""), |i| rest.split_at(i));
    if host.contains('@') || host.contains(':') {
        return Err(NameProblem::UserOrPort(t.to_owned()));
    }
    if path.chars().any(char::is_whitespace) {
        return Err(NameProblem::Space(t.to_owned()));
    }
    check_fqdn(host)?;
    Ok(host.to_owned())
}

/// Checks an FQDN: two or more labels of letters, digits and hyphens, no label starting or
/// ending with a hyphen, labels up to 63 and names up to 253 characters.
pub fn check_fqdn(name: &str) -> Result<(), NameProblem> {
    let bad = |why: &'static str| {
        Err(NameProblem::Fqdn {
            name: name.to_owned(),
            why,
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.len() > 253 {
        return bad("longer than 253 characters");
    }
    let labels: Vec<&str> = name.trim_end_matches('.').split('.').collect();
    if labels.len() < 2 {
        return bad("a single label: give the full domain name");
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return bad("a label is empty or longer than 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return bad("only letters, digits and hyphens are allowed");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return bad("a label starts or ends with a hyphen");
        }
    }
    Ok(())
}

impl Topology {
    /// Parses and validates TOML; simple URLs keep their host.
    pub fn from_toml(text: &str) -> Result<Self, TopologyError> {
        let mut topology = Self::parse(text)?;
        topology.validate()?;
        if let Some(web) = &mut topology.web {
            for url in web
                .meet_urls
                .iter_mut()
                .chain(web.dialin_url.iter_mut())
                .chain(web.admin_url.iter_mut())
            {
                if let Ok(host) = simple_url_host(url) {
                    *url = host;
                }
            }
        }
        Ok(topology)
    }

    /// Reads TOML of the right shape without checking the fields (a form shows their
    /// problems beside them).
    pub fn parse(text: &str) -> Result<Self, TopologyError> {
        if text.len() > MAX_TOPOLOGY {
            return Err(TopologyError::TooLarge);
        }
        toml::from_str(text).map_err(|e| TopologyError::Syntax(e.message().to_owned()))
    }

    /// Serialises as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// The pool FQDN, or the server FQDN when none is given.
    pub fn pool(&self) -> &str {
        self.pool_fqdn.as_deref().unwrap_or(&self.server_fqdn)
    }

    /// The DNS domains the deployment owns: its SIP and XMPP domains and the parent domain
    /// of every FQDN it names. The built-in CA signs names in these domains only.
    pub fn domains(&self) -> Vec<String> {
        let mut fqdns: Vec<&str> = vec![self.server_fqdn.as_str(), self.pool()];
        fqdns.extend(self.pool_members.iter().map(String::as_str));
        if let Some(edge) = &self.edge {
            fqdns.extend([
                edge.access_fqdn.as_str(),
                edge.webconf_fqdn.as_str(),
                edge.av_fqdn.as_str(),
                edge.internal_fqdn.as_str(),
            ]);
            fqdns.extend(edge.pool_members.iter().map(String::as_str));
        }
        if let Some(web) = &self.web {
            fqdns.extend([web.internal_fqdn.as_str(), web.external_fqdn.as_str()]);
            fqdns.extend(web.meet_urls.iter().map(String::as_str));
            fqdns.extend(web.dialin_url.iter().map(String::as_str));
            fqdns.extend(web.admin_url.iter().map(String::as_str));
        }
        let mut out: Vec<String> = self
            .sip_domains
            .iter()
            .chain(&self.xmpp_domains)
            .map(|d| d.to_ascii_lowercase())
            .collect();
        for fqdn in fqdns {
            let fqdn = fqdn.trim_end_matches('.').to_ascii_lowercase();
            match fqdn.split_once('.') {
                Some((_, parent)) if parent.contains('.') => out.push(parent.to_owned()),
                _ => out.push(fqdn),
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The primary SIP domain.
    pub fn primary_sip_domain(&self) -> Option<&str> {
        self.sip_domains.first().map(String::as_str)
    }

    /// Every server of the pool: an Edge pool's members and the others'.
    pub fn pool_members(&self) -> Vec<String> {
        let mut members: Vec<String> = self
            .edge
            .iter()
            .flat_map(|e| e.pool_members.iter())
            .chain(&self.pool_members)
            .cloned()
            .collect();
        members.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        members
    }

    /// Checks every field: Err with every problem, each naming its field.
    pub fn validate(&self) -> Result<(), TopologyError> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(TopologyError::Fields(problems))
        }
    }

    /// Every field's problem, in the file's order.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        let mut check = |field: &str, result: Result<(), NameProblem>| {
            if let Err(problem) = result {
                problems.push(FieldProblem {
                    field: field.to_owned(),
                    problem: problem.to_string(),
                });
            }
        };
        let fqdns = |check: &mut dyn FnMut(&str, Result<(), NameProblem>),
                     name: &str,
                     values: &[String]| {
            for (i, v) in values.iter().enumerate() {
                check(&format!("{name}[{i}]"), check_fqdn(v));
            }
        };
        check("server_fqdn", check_fqdn(&self.server_fqdn));
        if let Some(pool) = &self.pool_fqdn {
            check("pool_fqdn", check_fqdn(pool));
        }
        if self.sip_domains.is_empty() {
            check("sip_domains", Err(NameProblem::NoSipDomain));
        }
        fqdns(&mut check, "sip_domains", &self.sip_domains);
        fqdns(&mut check, "xmpp_domains", &self.xmpp_domains);
        fqdns(&mut check, "pool_members", &self.pool_members);
        if let Some(edge) = &self.edge {
            check("edge.access_fqdn", check_fqdn(&edge.access_fqdn));
            check("edge.webconf_fqdn", check_fqdn(&edge.webconf_fqdn));
            check("edge.av_fqdn", check_fqdn(&edge.av_fqdn));
            check("edge.internal_fqdn", check_fqdn(&edge.internal_fqdn));
            fqdns(&mut check, "edge.pool_members", &edge.pool_members);
        } else if self.role == Role::Edge {
            check("edge", Err(NameProblem::NoEdgeSection));
        }
        if let Some(web) = &self.web {
            let url = |text: &str| simple_url_host(text).map(drop);
            check("web.internal_fqdn", check_fqdn(&web.internal_fqdn));
            check("web.external_fqdn", check_fqdn(&web.external_fqdn));
            for (i, m) in web.meet_urls.iter().enumerate() {
                check(&format!("web.meet_urls[{i}]"), url(m));
            }
            if let Some(d) = &web.dialin_url {
                check("web.dialin_url", url(d));
            }
            if let Some(a) = &web.admin_url {
                check("web.admin_url", url(a));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fqdn_rules() {
        assert!(check_fqdn("sip.contoso.com").is_ok());
        assert!(check_fqdn("edge-01.contoso.net").is_ok());
        let why = |name: &str| check_fqdn(name).unwrap_err().to_string();
        assert!(why("sip_x.contoso.com").contains("letters, digits and hyphens"));
        assert!(why("contoso").contains("single label"));
        assert!(why("-a.contoso.com").contains("hyphen"));
        assert!(check_fqdn("*.contoso.com").is_err());
    }

    #[test]
    fn simple_urls_are_https_urls_or_host_names() {
        for (text, host) in [
            ("https://meet.contoso.com/", "meet.contoso.com"),
            ("https://contoso.com/meet", "contoso.com"),
            ("HTTPS://dialin.contoso.com/?lang=en", "dialin.contoso.com"),
            ("admin.contoso.com", "admin.contoso.com"),
        ] {
            assert_eq!(simple_url_host(text).as_deref(), Ok(host), "{text}");
        }
        for (text, why) in [
            ("http://meet.contoso.com/", "https://"),
            ("ftp://meet.contoso.com", "https://"),
            ("https://meet.contoso.com:8443/", "no user or port"),
            ("https://meet.contoso.com/a b", "space"),
            ("https://", "empty"),
            ("https://meet/", "single label"),
        ] {
            let err = simple_url_host(text).unwrap_err().to_string();
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn errors_name_the_field() {
        let text = "role = \"edge\"\nserver_fqdn = \"edge01.contoso.net\"\nsip_domains = [\"contoso.com\", \"fab_rikam.com\"]\n[edge]\naccess_fqdn = \"sip.contoso.com\"\nwebconf_fqdn = \"webcon.contoso.com\"\nav_fqdn = \"av.contoso.com\"\ninternal_fqdn = \"edgepool.contoso.net\"\n";
        let err = Topology::from_toml(text).unwrap_err().to_string();
        assert!(err.starts_with("sip_domains[1]:"), "{err}");
        let missing = "role = \"edge\"\nserver_fqdn = \"edge01.contoso.net\"\nsip_domains = [\"contoso.com\"]\n";
        assert!(
            Topology::from_toml(missing)
                .unwrap_err()
                .to_string()
                .starts_with("edge:")
        );
        // Every problem at once, each naming its field.
        let two = text.replace("sip.contoso.com", "sip contoso");
        match Topology::from_toml(&two) {
            Err(TopologyError::Fields(problems)) => {
                let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
                assert_eq!(fields, ["sip_domains[1]", "edge.access_fqdn"]);
            }
            other => panic!("{other:?}"),
        }
        let typo = "role = \"edge\"\nserver_fqdn = \"a.b.c\"\nsip_domain = [\"x.com\"]\n";
        assert!(matches!(
            Topology::from_toml(typo),
            Err(TopologyError::Syntax(_))
        ));
    }
}
