//! Export benchmark: export a PFX with a 3-certificate chain and import it again, against
//! `openssl pkcs12 -export` + `openssl pkcs12 -info -nodes` with the same iteration count
//! (2048 for the key derivations and the MAC, OpenSSL 3's default and ours). Both sides
//! run as processes (`certdesk export` + `certdesk import`); the model's own time is shown
//! too.
//!
//! Run: `cargo bench --bench export`.

mod common;

use common::{ms, run, time_runs};
use std::path::Path;

use certdesk::ops::export::{self, ExportOptions};
use certdesk::ops::import::{self, ImportOptions};
use certdesk::pki::formats;
use certdesk::store::{Location, Store};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, PKCS_RSA_SHA256, RsaKeySize,
};

const RUNS: usize = 21;

fn ca(cn: &str, issuer: Option<&Issuer<'_, KeyPair>>) -> (String, KeyPair, CertificateParams) {
    let key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).expect("key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = match issuer {
        Some(issuer) => params.signed_by(&key, issuer),
        None => params.self_signed(&key),
    }
    .expect("cert");
    (cert.pem(), key, params)
}

fn import_file(store: &mut Store, path: &Path, password: Option<&str>) {
    let bytes = std::fs::read(path).expect("read");
    let contents = formats::read(&bytes, password).expect("readable");
    let options = ImportOptions {
        location: Location::Computer,
        exportable: true,
        trust_root: true,
    };
    let plan = import::plan(contents, options).expect("plan");
    import::commit(store, plan, "bench", 0).expect("commit");
}

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let (root_pem, root_key, root_params) = ca("Bench Root", None);
    let root = Issuer::new(root_params, root_key);
    let (inter_pem, inter_key, inter_params) = ca("Bench Issuing CA", Some(&root));
    let inter = Issuer::new(inter_params, inter_key);
    let leaf_key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).expect("key");
    let mut params = CertificateParams::new(vec!["sip.contoso.com".to_owned()]).expect("params");
    params
        .distinguished_name
        .push(DnType::CommonName, "sip.contoso.com");
    let leaf = params.signed_by(&leaf_key, &inter).expect("leaf");
    let files = [
        ("leaf.pem", leaf.pem()),
        ("leaf.key", leaf_key.serialize_pem()),
        ("chain.pem", format!("{inter_pem}{root_pem}")),
        (
            "bundle.pem",
            format!(
                "{}{}{inter_pem}{root_pem}",
                leaf.pem(),
                leaf_key.serialize_pem()
            ),
        ),
        ("pw", "bench-password".to_owned()),
    ];
    for (name, text) in &files {
        std::fs::write(dir.join(name), text).expect("write");
    }
    let p = |name: &str| dir.join(name).to_str().expect("utf-8").to_owned();

    let store_dir = dir.join("store");
    let mut store = Store::open(&store_dir).expect("store");
    import_file(&mut store, &dir.join("bundle.pem"), None);
    let thumb = store
        .list(Some(Location::Computer), None)
        .expect("list")
        .into_iter()
        .find(|c| c.key.is_some())
        .expect("leaf with key")
        .summary
        .thumbprint;

    let model = time_runs(RUNS, |i| {
        let out = dir.join(format!("model-{i}.pfx"));
        export::export(
            &mut store,
            Location::Computer,
            &thumb,
            &out,
            ExportOptions::default(),
            Some("bench-password"),
            0,
        )
        .expect("export");
        let mut fresh = Store::open(&dir.join(format!("fresh-{i}"))).expect("store");
        import_file(&mut fresh, &out, Some("bench-password"));
    });
    drop(store);

    let bin = env!("CARGO_BIN_EXE_certdesk");
    let cli = time_runs(RUNS, |i| {
        let out = p(&format!("cli-{i}.pfx"));
        run(
            bin,
            &[
                "--store",
                &p("store"),
                "export",
                &thumb,
                "--output",
                &out,
                "--password-file",
                &p("pw"),
            ],
        );
        run(
            bin,
            &[
                "--store",
                &p(&format!("cli-store-{i}")),
                "import",
                &out,
                "--password-file",
                &p("pw"),
                "--trust-root",
            ],
        );
    });
    let pass_file = format!("file:{}", p("pw"));
    let openssl = time_runs(RUNS, |i| {
        let out = p(&format!("openssl-{i}.pfx"));
        run(
            "openssl",
            &[
                "pkcs12",
                "-export",
                "-in",
                &p("leaf.pem"),
                "-inkey",
                &p("leaf.key"),
                "-certfile",
                &p("chain.pem"),
                "-passout",
                &pass_file,
                "-iter",
                "2048",
                "-maciter",
                "-out",
                &out,
            ],
        );
        run(
            "openssl",
            &[
                "pkcs12",
                "-in",
                &out,
                "-info",
                "-nodes",
                "-passin",
                &pass_file,
                "-out",
                "/dev/null",
            ],
        );
    });

    println!("median of {RUNS} runs, PFX with a 3-certificate chain, 2048 iterations:");
    println!(
        "  certdesk export + import (model, in process):            {:8.1} ms",
        ms(model)
    );
    println!(
        "  certdesk export + certdesk import (two processes):       {:8.1} ms",
        ms(cli)
    );
    println!(
        "  openssl pkcs12 -export + openssl pkcs12 -info -nodes:    {:8.1} ms",
        ms(openssl)
    );
    println!(
        "  ratio certdesk / openssl:                                {:8.2}",
        cli.as_secs_f64() / openssl.as_secs_f64()
    );
}
