//! Name computation against a table of topologies and usage sets (DOMAIN.md §3).

use crate::common;

use certdesk::deploy::names::{self, NameError, NameOptions};
use certdesk::deploy::topology::Topology;
use certdesk::deploy::usage::UsageType::{self, *};

const EDGE: &str = r#"
role = "edge"
server_fqdn = "edge01.contoso.net"
pool_fqdn = "edgepool.contoso.net"
sip_domains = ["contoso.com", "fabrikam.com"]
xmpp_domains = ["contoso.com"]
[edge]
access_fqdn = "sip.contoso.com"
webconf_fqdn = "webcon.contoso.com"
av_fqdn = "av.contoso.com"
internal_fqdn = "edgepool.contoso.net"
pool_members = ["edge01.contoso.net", "edge02.contoso.net"]
"#;

const STANDARD: &str = r#"
role = "standard"
server_fqdn = "se01.contoso.net"
sip_domains = ["contoso.com"]
[web]
internal_fqdn = "se01.contoso.net"
external_fqdn = "web.contoso.com"
meet_urls = ["meet.contoso.com"]
dialin_url = "dialin.contoso.com"
"#;

const ENTERPRISE: &str = common::FRONT_END;

const DIRECTOR: &str = r#"
role = "director"
server_fqdn = "dir01.contoso.net"
pool_fqdn = "dirpool.contoso.net"
sip_domains = ["contoso.com"]
[web]
internal_fqdn = "dirweb.contoso.net"
external_fqdn = "dirext.contoso.com"
"#;

fn compute(topology: &str, usages: &[UsageType], options: &NameOptions) -> (String, Vec<String>) {
    let t = Topology::from_toml(topology).expect("valid topology");
    let n = names::compute(usages, &t, options).expect("names");
    let mut sans = n.sans();
    sans.sort();
    (n.subject, sans)
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

/// What, topology, usages, options, expected SN, expected SANs.
type Case<'a> = (
    &'a str,
    &'a str,
    Vec<UsageType>,
    NameOptions,
    &'a str,
    Vec<&'a str>,
);

#[test]
fn the_table() {
    let none = NameOptions::default();
    let cases: Vec<Case<'_>> = vec![
        (
            "Edge external, two SIP domains and XMPP",
            EDGE,
            vec![
                AccessEdgeExternal,
                DataEdgeExternal,
                AudioVideoAuthentication,
            ],
            none.clone(),
            "sip.contoso.com",
            vec![
                "sip.contoso.com",
                "webcon.contoso.com",
                "sip.fabrikam.com",
                "contoso.com",
            ],
        ),
        (
            "Edge internal",
            EDGE,
            vec![Internal],
            none.clone(),
            "edgepool.contoso.net",
            vec!["edgepool.contoso.net"],
        ),
        (
            "A/V alone",
            EDGE,
            vec![AudioVideoAuthentication],
            none.clone(),
            "av.contoso.com",
            vec!["av.contoso.com"],
        ),
        (
            "Data edge alone",
            EDGE,
            vec![DataEdgeExternal],
            none.clone(),
            "sip.contoso.com",
            vec!["sip.contoso.com", "webcon.contoso.com"],
        ),
        (
            "Standard Edition, combined",
            STANDARD,
            vec![Default, WebServicesInternal, WebServicesExternal],
            none.clone(),
            "se01.contoso.net",
            vec![
                "se01.contoso.net",
                "meet.contoso.com",
                "dialin.contoso.com",
                "lyncdiscoverinternal.contoso.com",
                "web.contoso.com",
                "lyncdiscover.contoso.com",
            ],
        ),
        (
            "Enterprise Front End with simple URLs and auto-logon SIP names",
            ENTERPRISE,
            vec![Default, WebServicesInternal, WebServicesExternal],
            NameOptions {
                sip_domains: Some(vec!["contoso.com".into(), "fabrikam.com".into()]),
                extra: vec![],
            },
            "pool01.contoso.net",
            vec![
                "pool01.contoso.net",
                "fe01.contoso.net",
                "webint.contoso.net",
                "meet.contoso.com",
                "meet.fabrikam.com",
                "dialin.contoso.com",
                "admin.contoso.com",
                "lyncdiscoverinternal.contoso.com",
                "lyncdiscoverinternal.fabrikam.com",
                "webext.contoso.com",
                "lyncdiscover.contoso.com",
                "lyncdiscover.fabrikam.com",
                "sip.contoso.com",
                "sip.fabrikam.com",
            ],
        ),
        (
            "Enterprise Front End, default only",
            ENTERPRISE,
            vec![Default],
            none.clone(),
            "pool01.contoso.net",
            vec!["pool01.contoso.net", "fe01.contoso.net"],
        ),
        (
            "OAuth",
            ENTERPRISE,
            vec![OAuthTokenIssuer],
            none.clone(),
            "contoso.com",
            vec!["contoso.com"],
        ),
        (
            "Director",
            DIRECTOR,
            vec![Default, WebServicesInternal, WebServicesExternal],
            none.clone(),
            "dirpool.contoso.net",
            vec![
                "dirpool.contoso.net",
                "dir01.contoso.net",
                "dirweb.contoso.net",
                "lyncdiscoverinternal.contoso.com",
                "dirext.contoso.com",
                "lyncdiscover.contoso.com",
            ],
        ),
        (
            "Web services with a wildcard simple URL",
            ENTERPRISE,
            vec![WebServicesExternal],
            NameOptions {
                sip_domains: None,
                extra: vec!["*.contoso.com".into()],
            },
            "pool01.contoso.net",
            vec![
                "pool01.contoso.net",
                "webext.contoso.com",
                "meet.contoso.com",
                "meet.fabrikam.com",
                "dialin.contoso.com",
                "lyncdiscover.contoso.com",
                "lyncdiscover.fabrikam.com",
                "*.contoso.com",
            ],
        ),
    ];
    for (what, topology, usages, options, subject, sans) in cases {
        let (sn, computed) = compute(topology, &usages, &options);
        assert_eq!(sn, subject, "{what}: subject");
        assert_eq!(computed, sorted(&sans), "{what}: SANs");
    }
}

#[test]
fn refusals_name_their_reason() {
    let edge = Topology::from_toml(EDGE).expect("edge");
    let wildcard = NameOptions {
        sip_domains: None,
        extra: vec!["*.contoso.com".into()],
    };
    assert!(matches!(
        names::compute(&[AccessEdgeExternal], &edge, &wildcard),
        Err(NameError::Wildcard { .. })
    ));
    let underscore = NameOptions {
        sip_domains: None,
        extra: vec!["bad_name.contoso.com".into()],
    };
    let err = names::compute(&[Internal], &edge, &underscore)
        .unwrap_err()
        .to_string();
    assert!(err.contains("letters, digits and hyphens"), "{err}");
    assert!(names::compute(&[Default], &edge, &NameOptions::default()).is_ok());
    assert!(matches!(
        names::compute(&[WebServicesInternal], &edge, &NameOptions::default()),
        Err(NameError::MissingSection { .. })
    ));
    let other_domain = NameOptions {
        sip_domains: Some(vec!["example.org".into()]),
        extra: vec![],
    };
    assert!(matches!(
        names::compute(&[Default], &edge, &other_domain),
        Err(NameError::UnknownSipDomain(_))
    ));
    assert!(matches!(
        names::compute(&[], &edge, &NameOptions::default()),
        Err(NameError::NoUsage)
    ));
    let no_xmpp =
        Topology::from_toml(&EDGE.replace("xmpp_domains = [\"contoso.com\"]", "")).expect("edge");
    assert!(matches!(
        names::compute(&[XmppServer], &no_xmpp, &NameOptions::default()),
        Err(NameError::MissingSection { .. })
    ));
}

#[test]
fn sip_domain_ticks_change_the_edge_sans() {
    let edge = Topology::from_toml(EDGE).expect("edge");
    let with = |domains: Option<Vec<&str>>| {
        let options = NameOptions {
            sip_domains: domains.map(|d| d.into_iter().map(str::to_owned).collect()),
            extra: vec![],
        };
        names::compute(&UsageType::EDGE_EXTERNAL, &edge, &options)
            .expect("names")
            .sans()
    };
    // By default the Access Edge carries sip.<domain> for every SIP domain.
    assert!(with(None).contains(&"sip.fabrikam.com".to_owned()));
    // Unticking fabrikam.com removes it; the Access Edge's own FQDN stays.
    let only_contoso = with(Some(vec!["contoso.com"]));
    assert!(!only_contoso.contains(&"sip.fabrikam.com".to_owned()));
    assert!(only_contoso.contains(&"sip.contoso.com".to_owned()));
    assert!(only_contoso.contains(&"webcon.contoso.com".to_owned()));
    // And the usage rules then name what is missing.
    assert!(
        names::required_sans(UsageType::AccessEdgeExternal, &edge)
            .expect("required")
            .contains(&"sip.fabrikam.com".to_owned())
    );
}

#[test]
fn simple_urls_are_accepted_as_topology_builder_shows_them() {
    let text = r#"
role = "frontend"
server_fqdn = "fe01.contoso.net"
pool_fqdn = "pool.contoso.net"
sip_domains = ["contoso.com"]
[web]
internal_fqdn = "webint.contoso.net"
external_fqdn = "webext.contoso.com"
meet_urls = ["https://meet.contoso.com/"]
dialin_url = "https://dialin.contoso.com/"
admin_url = "https://admin.contoso.com/cscp"
"#;
    let t = Topology::from_toml(text).expect("topology");
    let web = t.web.expect("web");
    assert_eq!(web.meet_urls, vec!["meet.contoso.com".to_owned()]);
    assert_eq!(web.dialin_url.as_deref(), Some("dialin.contoso.com"));
    assert_eq!(web.admin_url.as_deref(), Some("admin.contoso.com"));
}

/// The SAN inspector's table: present, covered by a wildcard only where the usage allows
/// it, missing, refused wildcard, extra; every name once.
#[test]
fn the_san_inspector_tells_each_name_apart() {
    use certdesk::verify::sans::{NameState, inspect};
    let edge = Topology::from_toml(EDGE).expect("topology");
    let carried = [
        "sip.contoso.com",
        "SIP.contoso.com",
        "webcon.contoso.com",
        "*.contoso.com",
        "old.contoso.com",
    ];
    let rows = inspect(&carried, &[AccessEdgeExternal, DataEdgeExternal], &edge).rows;
    let state = |name: &str| {
        rows.iter()
            .filter(|r| r.name.eq_ignore_ascii_case(name))
            .map(|r| r.state.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(state("sip.contoso.com"), [NameState::Present]);
    assert_eq!(state("sip.fabrikam.com"), [NameState::Missing]);
    assert_eq!(state("*.contoso.com"), [NameState::WildcardNotAllowed]);
    assert_eq!(state("old.contoso.com"), [NameState::Extra]);
    let sip = rows
        .iter()
        .find(|r| r.name == "sip.contoso.com")
        .expect("row");
    assert_eq!(sip.usages, [AccessEdgeExternal]);

    // The web services accept a wildcard for the simple URLs, never for the pool's names.
    let standard = Topology::from_toml(STANDARD).expect("topology");
    let carried = ["web.contoso.com", "*.contoso.com"];
    let rows = inspect(&carried, &[WebServicesExternal], &standard).rows;
    let meet = rows
        .iter()
        .find(|r| r.name == "meet.contoso.com")
        .expect("meet");
    assert_eq!(meet.state, NameState::Covered("*.contoso.com".into()));
    assert!(
        rows.iter().all(|r| r.name != "*.contoso.com"),
        "a wildcard that covers a name is not extra: {rows:?}"
    );
    // Without the topology's section, the gap says which, and the other usages' rows stay.
    let inspection = inspect(
        &carried,
        &[AccessEdgeExternal, WebServicesExternal],
        &standard,
    );
    assert_eq!(
        inspection
            .gaps
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["the SIP Access Edge external certificate needs the topology's [edge] section"]
    );
    assert_eq!(inspection.rows, rows);
}
