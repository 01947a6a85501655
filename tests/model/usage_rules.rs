//! The usage rules, one table: for each usage the right certificate passes, and each
//! defect yields its own sentence. Certificates are issued by openssl from the fixture CA
//! and imported through the model; `now` moves for the validity cases.

use crate::common;

use std::path::Path;

use certdesk::deploy::topology::Topology;
use certdesk::deploy::usage::UsageType::{self, *};
use certdesk::ops::import::{self, ImportOptions};
use certdesk::pki::formats;
use certdesk::store::{Location, Store};
use certdesk::verify::rules::{Checker, Severity};
use common::{EDGE, fx, s, sign_with_fixture_ca, tool};

const FRONTEND: &str = r#"
role = "frontend"
server_fqdn = "fe01.contoso.net"
pool_fqdn = "pool.contoso.net"
sip_domains = ["contoso.com"]
[web]
internal_fqdn = "webint.contoso.net"
external_fqdn = "webext.contoso.com"
meet_urls = ["meet.contoso.com"]
dialin_url = "dialin.contoso.com"
"#;

const EDGE_SANS: &[&str] = &["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"];

/// How to make the certificate of one case.
struct Leaf {
    cn: &'static str,
    sans: &'static [&'static str],
    eku: &'static str,
    digest: &'static str,
    key: &'static str,
    with_key: bool,
    exportable: bool,
    location: Location,
}

const GOOD_EDGE: Leaf = Leaf {
    cn: "sip.contoso.com",
    sans: EDGE_SANS,
    eku: "serverAuth,clientAuth",
    digest: "sha256",
    key: "ec",
    with_key: true,
    exportable: true,
    location: Location::Computer,
};

/// Issues the leaf from the fixture intermediate and returns (certificate PEM, key PEM).
fn issue(dir: &Path, n: usize, leaf: &Leaf) -> (String, String) {
    let key = dir.join(format!("{n}.key"));
    let csr = dir.join(format!("{n}.csr"));
    let crt = dir.join(format!("{n}.pem"));
    let ext = dir.join(format!("{n}.ext"));
    let subj = format!("/CN={}", leaf.cn);
    let newkey: &[&str] = if leaf.key == "ec" {
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    } else {
        &["-newkey", leaf.key]
    };
    let mut args = vec![
        "req",
        "-nodes",
        "-keyout",
        s(&key),
        "-out",
        s(&csr),
        "-subj",
        &subj,
    ];
    args.extend_from_slice(newkey);
    tool("openssl", &args);
    let mut text = String::new();
    if !leaf.sans.is_empty() {
        let sans: Vec<String> = leaf.sans.iter().map(|n| format!("DNS:{n}")).collect();
        text.push_str(&format!("subjectAltName={}\n", sans.join(",")));
    }
    text.push_str(&format!("extendedKeyUsage={}\n", leaf.eku));
    std::fs::write(&ext, text).expect("ext");
    let digest = format!("-{}", leaf.digest);
    sign_with_fixture_ca(&csr, &crt, &[&digest, "-extfile", s(&ext)]);
    (
        std::fs::read_to_string(&crt).expect("cert"),
        std::fs::read_to_string(&key).expect("key"),
    )
}

fn import_text(store: &mut Store, text: &str, location: Location, exportable: bool) {
    let contents = formats::read(text.as_bytes(), None).expect("readable");
    let options = ImportOptions {
        location,
        exportable,
        trust_root: true,
    };
    let plan = import::plan(contents, options).expect("plan");
    import::commit(store, plan, "test", 0).expect("commit");
}

/// What a case expects.
enum Expect {
    Pass,
    Warn(&'static str),
    Refuse(&'static str),
}

struct Case {
    what: &'static str,
    topology: &'static str,
    usage: UsageType,
    leaf: Leaf,
    /// Seconds added to the certificate's notBefore (negative) or notAfter (positive) as `now`.
    shift: Shift,
    expect: Expect,
}

enum Shift {
    Today,
    BeforeStart,
    AfterEnd,
}

fn cases() -> Vec<Case> {
    let edge = |what, usage, leaf, expect| Case {
        what,
        topology: EDGE,
        usage,
        leaf,
        shift: Shift::Today,
        expect,
    };
    let fe = |what, usage, leaf, expect| Case {
        what,
        topology: FRONTEND,
        usage,
        leaf,
        shift: Shift::Today,
        expect,
    };
    let fe_leaf = |sans: &'static [&'static str]| Leaf {
        cn: "pool.contoso.net",
        sans,
        ..GOOD_EDGE
    };
    vec![
        edge(
            "access edge: the right one",
            AccessEdgeExternal,
            GOOD_EDGE,
            Expect::Pass,
        ),
        edge(
            "data edge: the right one",
            DataEdgeExternal,
            GOOD_EDGE,
            Expect::Pass,
        ),
        edge(
            "A/V: the right one",
            AudioVideoAuthentication,
            GOOD_EDGE,
            Expect::Pass,
        ),
        edge(
            "edge internal: the right one",
            Internal,
            Leaf {
                cn: "edgepool.contoso.net",
                sans: &[],
                ..GOOD_EDGE
            },
            Expect::Pass,
        ),
        edge(
            "missing sip.fabrikam.com",
            AccessEdgeExternal,
            Leaf {
                sans: &["sip.contoso.com", "webcon.contoso.com"],
                ..GOOD_EDGE
            },
            Expect::Refuse("the SAN sip.fabrikam.com is missing"),
        ),
        edge(
            "wildcard SAN on the access edge",
            AccessEdgeExternal,
            Leaf {
                sans: &[
                    "sip.contoso.com",
                    "webcon.contoso.com",
                    "sip.fabrikam.com",
                    "*.contoso.com",
                ],
                ..GOOD_EDGE
            },
            Expect::Refuse("the wildcard SAN *.contoso.com is not allowed"),
        ),
        edge(
            "wildcard SN on the access edge",
            AccessEdgeExternal,
            Leaf {
                cn: "*.contoso.com",
                ..GOOD_EDGE
            },
            Expect::Refuse("subject name is a wildcard"),
        ),
        edge(
            "edge internal: a wildcard certificate that covers the internal FQDN",
            Internal,
            Leaf {
                cn: "*.contoso.net",
                sans: &[],
                ..GOOD_EDGE
            },
            Expect::Pass,
        ),
        edge(
            "edge internal: a wildcard for another domain",
            Internal,
            Leaf {
                cn: "*.fabrikam.com",
                sans: &[],
                ..GOOD_EDGE
            },
            Expect::Refuse("edgepool.contoso.net"),
        ),
        edge(
            "no private key",
            AccessEdgeExternal,
            Leaf {
                with_key: false,
                ..GOOD_EDGE
            },
            Expect::Refuse("no private key"),
        ),
        edge(
            "A/V key not exportable",
            AudioVideoAuthentication,
            Leaf {
                exportable: false,
                ..GOOD_EDGE
            },
            Expect::Refuse("not exportable"),
        ),
        edge(
            "no server authentication",
            AccessEdgeExternal,
            Leaf {
                eku: "clientAuth",
                ..GOOD_EDGE
            },
            Expect::Refuse("Server Authentication"),
        ),
        Case {
            what: "public IM federation without client authentication",
            topology: "public_im_federation = true\n",
            usage: AccessEdgeExternal,
            leaf: Leaf {
                eku: "serverAuth",
                ..GOOD_EDGE
            },
            shift: Shift::Today,
            expect: Expect::Refuse("Client Authentication"),
        },
        Case {
            what: "not yet valid",
            topology: EDGE,
            usage: AccessEdgeExternal,
            leaf: GOOD_EDGE,
            shift: Shift::BeforeStart,
            expect: Expect::Refuse("not valid before"),
        },
        Case {
            what: "expired",
            topology: EDGE,
            usage: AccessEdgeExternal,
            leaf: GOOD_EDGE,
            shift: Shift::AfterEnd,
            expect: Expect::Refuse("expired on"),
        },
        edge(
            "current user location",
            AccessEdgeExternal,
            Leaf {
                location: Location::User,
                ..GOOD_EDGE
            },
            Expect::Refuse("Current user location"),
        ),
        edge(
            "SHA-1 signature",
            AccessEdgeExternal,
            Leaf {
                key: "rsa:2048",
                digest: "sha1",
                ..GOOD_EDGE
            },
            Expect::Warn("SHA-1"),
        ),
        edge(
            "MD5 signature",
            AccessEdgeExternal,
            Leaf {
                key: "rsa:2048",
                digest: "md5",
                ..GOOD_EDGE
            },
            Expect::Refuse("md5WithRSAEncryption"),
        ),
        fe(
            "default: the right one",
            Default,
            fe_leaf(&["pool.contoso.net", "fe01.contoso.net"]),
            Expect::Pass,
        ),
        fe(
            "default: server FQDN missing",
            Default,
            fe_leaf(&["pool.contoso.net"]),
            Expect::Refuse("the SAN fe01.contoso.net is missing"),
        ),
        fe(
            "default: SN is not the pool",
            Default,
            Leaf {
                cn: "fe01.contoso.net",
                sans: &["pool.contoso.net", "fe01.contoso.net"],
                ..GOOD_EDGE
            },
            Expect::Refuse("must be the pool FQDN"),
        ),
        fe(
            "web external: wildcard for simple URLs and lyncdiscover",
            WebServicesExternal,
            fe_leaf(&["pool.contoso.net", "webext.contoso.com", "*.contoso.com"]),
            Expect::Pass,
        ),
        fe(
            "web external: a wildcard cannot stand for the external web FQDN",
            WebServicesExternal,
            fe_leaf(&["pool.contoso.net", "*.contoso.com"]),
            Expect::Refuse("the SAN webext.contoso.com is missing"),
        ),
        fe(
            "OAuth: 1024-bit key",
            OAuthTokenIssuer,
            Leaf {
                cn: "contoso.com",
                sans: &["contoso.com"],
                key: "rsa:1024",
                ..GOOD_EDGE
            },
            Expect::Refuse("at least 2048"),
        ),
        fe(
            "default: 1024-bit key warns",
            Default,
            Leaf {
                key: "rsa:1024",
                ..fe_leaf(&["pool.contoso.net", "fe01.contoso.net"])
            },
            Expect::Warn("only 1024 bits"),
        ),
        fe(
            "OAuth: the right one",
            OAuthTokenIssuer,
            Leaf {
                cn: "contoso.com",
                sans: &["contoso.com"],
                ..GOOD_EDGE
            },
            Expect::Pass,
        ),
    ]
}

#[test]
fn each_usage_accepts_the_right_certificate_and_names_each_defect() {
    let dir = tempfile::tempdir().expect("temp");
    for (n, case) in cases().into_iter().enumerate() {
        let mut store = Store::open(&dir.path().join(format!("store-{n}"))).expect("store");
        let chain = format!(
            "{}{}",
            std::fs::read_to_string(fx("root.pem")).expect("root"),
            std::fs::read_to_string(fx("inter.pem")).expect("inter")
        );
        import_text(&mut store, &chain, Location::Computer, false);
        let (cert, key) = issue(dir.path(), n, &case.leaf);
        let text = if case.leaf.with_key {
            format!("{cert}{key}")
        } else {
            cert
        };
        import_text(&mut store, &text, case.leaf.location, case.leaf.exportable);
        let topology_text = if case.topology.starts_with("public_im") {
            format!("{}{}", case.topology, EDGE)
        } else {
            case.topology.to_owned()
        };
        let topology = Topology::from_toml(&topology_text).expect("topology");
        let all = store.list(None, None).expect("list");
        let leaf = all.iter().find(|c| !c.summary.is_ca()).expect("the leaf");
        let now = match case.shift {
            Shift::Today => leaf.summary.not_before + 86_400,
            Shift::BeforeStart => leaf.summary.not_before - 3600,
            Shift::AfterEnd => leaf.summary.not_after + 3600,
        };
        let checker = Checker::new(&store, &all, &topology, now);
        let result = checker.validate(leaf, case.usage);
        match (&case.expect, result) {
            (Expect::Pass, Ok(proof)) => assert!(
                proof.warnings().is_empty(),
                "{}: {:?}",
                case.what,
                proof.warnings()
            ),
            (Expect::Warn(text), Ok(proof)) => {
                assert!(
                    proof
                        .warnings()
                        .iter()
                        .any(|w| w.to_string().contains(text)),
                    "{}: {:?}",
                    case.what,
                    proof.warnings()
                )
            }
            (Expect::Refuse(text), Err(problems)) => {
                let errors: Vec<String> = problems
                    .iter()
                    .filter(|p| p.severity() == Severity::Error)
                    .map(ToString::to_string)
                    .collect();
                assert!(
                    errors.iter().any(|e| e.contains(text)),
                    "{}: {errors:?}",
                    case.what
                );
            }
            (_, Ok(_)) => panic!("{}: accepted", case.what),
            (_, Err(problems)) => panic!("{}: refused: {problems:?}", case.what),
        }
    }
}

/// Imports a CA file and the leaf into a new store (optionally moving the intermediate into
/// Trusted Roots, as a careless administrator might) and returns the leaf's problems.
fn chain_problems(
    dir: &Path,
    name: &str,
    ca_file: &str,
    leaf_text: &str,
    misplace: bool,
) -> Vec<String> {
    let path = dir.join(name);
    let mut store = Store::open(&path).expect("store");
    import_text(
        &mut store,
        &std::fs::read_to_string(fx(ca_file)).expect("CA file"),
        Location::Computer,
        false,
    );
    import_text(&mut store, leaf_text, Location::Computer, true);
    if misplace {
        drop(store);
        let conn = rusqlite::Connection::open(path.join("store.sqlite")).expect("db");
        conn.execute(
            "UPDATE certificates SET logical = 'root' WHERE logical = 'ca'",
            [],
        )
        .expect("misplace");
        drop(conn);
        store = Store::open(&path).expect("store");
    }
    let topology = Topology::from_toml(EDGE).expect("topology");
    let all = store.list(None, None).expect("list");
    let leaf = all.iter().find(|c| !c.summary.is_ca()).expect("leaf");
    Checker::new(&store, &all, &topology, leaf.summary.not_before + 60)
        .validate(leaf, AccessEdgeExternal)
        .expect_err("refused")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn broken_chains_are_shown_where_they_break() {
    let dir = tempfile::tempdir().expect("temp");
    let (cert, key) = issue(dir.path(), 0, &GOOD_EDGE);
    let leaf_text = format!("{cert}{key}");

    // Without the intermediate: the missing link is named.
    let problems = chain_problems(dir.path(), "a", "root.pem", &leaf_text, false);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("Contoso Issuing CA") && p.contains("not in the store")),
        "{problems:?}"
    );
    // Without the root: the untrusted root is named.
    let problems = chain_problems(dir.path(), "b", "inter.pem", &leaf_text, false);
    assert!(
        problems.iter().any(|p| p.contains("Contoso Issuing CA")),
        "{problems:?}"
    );
    // An intermediate misplaced in Trusted Roots.
    let problems = chain_problems(dir.path(), "c", "chain.pem", &leaf_text, true);
    assert!(
        problems.iter().any(|p| p.contains("sits in Trusted Roots")),
        "{problems:?}"
    );
}
