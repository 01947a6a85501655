//! Request benchmark: the median time of a 2048-bit RSA request (key generation + CSR) in
//! process and through the CLI (`certdesk request --output`, a whole process with its store),
//! against `openssl req -newkey rsa:2048 -nodes` on the same machine. RSA key generation
//! time varies a lot from key to key, so each figure is the median of many runs.
//!
//! Run: `cargo bench --bench request`.

mod common;

use common::{ms, run, time_runs};

use certdesk::deploy::request::{RequestInput, RequestSpec};
use certdesk::deploy::topology::Topology;
use certdesk::deploy::usage::UsageType;

const RUNS: usize = 31;

const TOPOLOGY: &str = r#"
role = "edge"
server_fqdn = "edge01.contoso.net"
sip_domains = ["contoso.com", "fabrikam.com"]
[edge]
access_fqdn = "sip.contoso.com"
webconf_fqdn = "webcon.contoso.com"
av_fqdn = "av.contoso.com"
internal_fqdn = "edgepool.contoso.net"
"#;

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let topology = Topology::from_toml(TOPOLOGY).expect("topology");
    let input = RequestInput {
        usages: UsageType::EDGE_EXTERNAL.to_vec(),
        ..RequestInput::default()
    };
    let spec = RequestSpec::new(input, &topology).expect("spec");
    let model = time_runs(RUNS, |_| {
        spec.generate(0).expect("generated");
    });

    let store = dir.join("store");
    let topo_file = dir.join("topology.toml");
    std::fs::write(&topo_file, TOPOLOGY).expect("write");
    let bin = env!("CARGO_BIN_EXE_certdesk");
    let s = store.to_str().expect("utf-8");
    run(
        bin,
        &[
            "--store",
            s,
            "topology",
            "set",
            topo_file.to_str().expect("utf-8"),
        ],
    );
    let csr = dir.join("edge.csr");
    let c = csr.to_str().expect("utf-8");
    let types = "AccessEdgeExternal,DataEdgeExternal,AudioVideoAuthentication";
    let cli = time_runs(RUNS, |_| {
        run(
            bin,
            &["--store", s, "request", "--type", types, "--output", c],
        )
    });

    let key = dir.join("openssl.key");
    let out = dir.join("openssl.csr");
    let (k, o) = (key.to_str().expect("utf-8"), out.to_str().expect("utf-8"));
    let openssl = time_runs(RUNS, |_| {
        run(
            "openssl",
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                k,
                "-out",
                o,
                "-subj",
                "/CN=sip.contoso.com",
            ],
        )
    });

    println!("median of {RUNS} runs, RSA 2048:");
    println!(
        "  certdesk key + CSR (model, in process):        {:8.1} ms",
        ms(model)
    );
    println!(
        "  certdesk request --output (whole process):     {:8.1} ms",
        ms(cli)
    );
    println!(
        "  openssl req -newkey rsa:2048 -nodes:           {:8.1} ms",
        ms(openssl)
    );
    println!(
        "  ratio certdesk request / openssl req:          {:8.2}",
        cli.as_secs_f64() / openssl.as_secs_f64()
    );
}
