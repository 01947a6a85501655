//! The sample deployment a newcomer can open from the welcome panel: a separate store with
//! an Edge topology, the built-in CA, and certificates that show every status: assigned,
//! expiring, and one that no longer fits because the deployment gained a SIP domain.

use std::path::Path;

use super::assign;
use super::ca::BuiltinCa;
use super::enroll::{self, Delivery, EnrollError};
use super::request::{RequestInput, RequestSpec};
use super::rules::Checker;
use super::store::{Location, Store};
use super::usage::UsageType;

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
        Delivery::BuiltinCa,
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
    let topology = enroll::topology(store).map_err(err)?;
    let cert = store.find(Location::Computer, thumbprint).map_err(err)?;
    let all = store.list(None, None).map_err(err)?;
    let proofs = {
        let checker = Checker::new(store, &all, &topology, now);
        assign::check_all(&checker, &cert, usages).map_err(err)?
    };
    assign::assign(store, &cert, proofs, None, now).map_err(err)?;
    Ok(())
}

/// Creates (or re-creates) the sample store in `dir`.
pub fn create(dir: &Path, now: i64) -> Result<(), SampleError> {
    if dir.exists() {
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
        Delivery::Delayed(None),
        now,
    )
    .map_err(err)?;
    let ca = BuiltinCa::load_or_create(&store, now).map_err(err)?;
    let csr = pending.csr_pem.clone();
    let der = super::formats::pem::parse(csr.as_bytes())
        .map_err(err)?
        .into_iter()
        .next()
        .ok_or_else(|| SampleError("the sample CSR is empty".into()))?
        .der;
    let short = ca.sign_for(&der, now, 20).map_err(err)?;
    let answer = super::request::pem_block("CERTIFICATE", short.der());
    let contents = super::formats::read(answer.as_bytes(), None).map_err(err)?;
    let options = super::import::ImportOptions {
        location: Location::Computer,
        exportable: false,
        trust_root: false,
    };
    let plan = super::import::plan(contents, options).map_err(err)?;
    super::import::commit(&mut store, plan, "expiring.cer", now).map_err(err)?;
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
