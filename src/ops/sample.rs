//! The sample deployment a newcomer can open from the welcome panel: a separate store with
//! an Edge topology, the built-in CA, and certificates that show every status: assigned,
//! expiring, and one that no longer fits because the deployment gained a SIP domain.

use std::path::Path;

use crate::ca::BuiltinCa;
use crate::deploy::request::{RequestInput, RequestSpec};
use crate::deploy::usage::UsageType;
use crate::ops::assign;
use crate::ops::enroll::{self, Delivery, EnrollError};
use crate::store::{Location, Store};

const ONE_DOMAIN: &str = r#"role = "edge"
server_fqdn = "edge01.contoso.net"
pool_fqdn = "edgepool.contoso.net"
sip_domains = ["contoso.com"]

[edge]
access_fqdn = "sip.contoso.com"
webconf_fqdn = "webcon.contoso.com"
av_fqdn = "av.contoso.com"
internal_fqdn = "edgepool.contoso.net"
pool_members = ["edge01.contoso.net", "edge02.contoso.net"]
"#;

/// Why the sample could not be made.
#[derive(Debug, thiserror::Error)]
#[error("the sample deployment could not be created: {0}")]
pub struct SampleError(String);

fn err(e: impl std::fmt::Display) -> SampleError {
    SampleError(e.to_string())
}

fn request(
    store: &mut Store,
    usages: &[UsageType],
    name: &str,
    now: i64,
) -> Result<String, EnrollError> {
    let topology = enroll::topology(store)?;
    let input = RequestInput {
        usages: usages.to_vec(),
        friendly_name: name.to_owned(),
        exportable: true,
        ..RequestInput::default()
    };
    let spec = RequestSpec::new(input, &topology)?;
    let generated = spec.generate(now)?;
    let outcome = enroll::submit(
        store,
        &spec,
        generated,
        Location::Computer,
        &Delivery::BuiltinCa {
            trust_new_root: true,
        },
        now,
    )?;
    Ok(outcome.thumbprint.unwrap_or_default())
}

fn assign_now(
    store: &mut Store,
    thumbprint: &str,
    usages: &[UsageType],
    now: i64,
) -> Result<(), SampleError> {
    let request = assign::AssignRequest {
        location: Location::Computer,
        thumbprint: thumbprint.to_owned(),
        usages: usages.to_vec(),
        roll: None,
    };
    assign::assign(store, &request, now).map_err(err)?;
    Ok(())
}

/// Whether `dir` holds a certdesk store and nothing else (what re-creating the sample may
/// delete).
fn is_store_dir(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut has_db = false;
    for entry in entries {
        let Ok(entry) = entry else { return false };
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = matches!(
            name.as_str(),
            "store.sqlite" | "store.sqlite-wal" | "store.sqlite-shm" | "store.key"
        );
        if !ours || !entry.file_type().is_ok_and(|t| t.is_file()) {
            return false;
        }
        has_db |= name == "store.sqlite";
    }
    has_db
}

/// Creates (or re-creates) the sample store in `dir`; refuses to replace a directory that
/// is not a certdesk store.
pub fn create(dir: &Path, now: i64) -> Result<(), SampleError> {
    if dir.exists() {
        if !is_store_dir(dir) {
            return Err(SampleError(format!(
                "{} exists and is not a certdesk store, so the sample was not created there; move it away first",
                dir.display()
            )));
        }
        std::fs::remove_dir_all(dir).map_err(err)?;
    }
    let mut store = Store::open(dir).map_err(err)?;
    enroll::set_topology(&mut store, ONE_DOMAIN, "sample-topology.toml", now).map_err(err)?;
    let old = request(
        &mut store,
        &UsageType::EDGE_EXTERNAL,
        "Edge external (before fabrikam.com)",
        now,
    )
    .map_err(err)?;
    assign_now(&mut store, &old, &[UsageType::AccessEdgeExternal], now)?;
    let internal =
        request(&mut store, &[UsageType::Internal], "Edge internal", now).map_err(err)?;
    let _ = internal;
    // An expiring certificate: the built-in CA signs it for 20 days.
    let topology = enroll::topology(&store).map_err(err)?;
    let spec = RequestSpec::new(
        RequestInput {
            usages: vec![UsageType::Internal],
            friendly_name: "Edge internal (expiring)".into(),
            ..RequestInput::default()
        },
        &topology,
    )
    .map_err(err)?;
    let generated = spec.generate(now).map_err(err)?;
    let pending = enroll::submit(
        &mut store,
        &spec,
        generated,
        Location::Computer,
        &Delivery::Delayed(None),
        now,
    )
    .map_err(err)?;
    let ca = BuiltinCa::load_or_create(&store, now).map_err(err)?;
    let csr = pending.csr_pem.clone();
    let der = crate::pki::formats::pem::parse(csr.as_bytes())
        .map_err(err)?
        .into_iter()
        .next()
        .ok_or_else(|| SampleError("the sample CSR is empty".into()))?
        .der;
    let short = ca
        .sign_for(&der, &topology.domains(), now, 20)
        .map_err(err)?;
    let answer = crate::deploy::request::pem_block("CERTIFICATE", short.der());
    let contents = crate::pki::formats::read(answer.as_bytes(), None).map_err(err)?;
    let options = crate::ops::import::ImportOptions {
        location: Location::Computer,
        exportable: false,
        trust_root: false,
    };
    let plan = crate::ops::import::plan(contents, options).map_err(err)?;
    crate::ops::import::commit(&mut store, plan, "expiring.cer", now).map_err(err)?;
    assign_now(
        &mut store,
        &short.summary().thumbprint,
        &[UsageType::Internal],
        now,
    )?;
    // The deployment gains fabrikam.com: the first certificate no longer covers it.
    let two = ONE_DOMAIN.replace("[\"contoso.com\"]", "[\"contoso.com\", \"fabrikam.com\"]");
    enroll::set_topology(&mut store, &two, "sample-topology.toml", now).map_err(err)?;
    let new = request(&mut store, &UsageType::EDGE_EXTERNAL, "Edge external", now).map_err(err)?;
    assign_now(
        &mut store,
        &new,
        &[
            UsageType::DataEdgeExternal,
            UsageType::AudioVideoAuthentication,
        ],
        now,
    )?;
    Ok(())
}
