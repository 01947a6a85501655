//! The defects an audit found, each a test that failed before its fix: a forged key that
//! widened a non-exportable key (only the real key, imported again as asked, may), a PFX nested deep enough to overflow the stack, a PFX that
//! asks for minutes of key derivation, quadratic friendly-name uniquing, and the model's own
//! request rules (A/V needs an exportable key) that only the wizard used to enforce.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use certdesk::pki::formats::pkcs12::PfxEncryption;
use certdesk::pki::formats::pkcs12::write::{self as pfx, PfxContents};
use common::{EDGE, TestStore, fx, s, tool};

/// DER of a tag and its content.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A positive INTEGER from big-endian magnitude bytes.
fn int(magnitude: &[u8]) -> Vec<u8> {
    let mut m: Vec<u8> = magnitude.iter().copied().skip_while(|b| *b == 0).collect();
    if m.first().is_none_or(|b| b & 0x80 != 0) {
        m.insert(0, 0);
    }
    tlv(0x02, &m)
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// A PKCS#1 "private key" forged from a public key: the real modulus and exponent, junk
/// private fields, as PEM.
fn forged_rsa_key(modulus: &[u8]) -> String {
    let junk = vec![0x5a; modulus.len() / 2];
    let mut fields = vec![int(&[0]), int(modulus), int(&[1, 0, 1])];
    fields.extend(std::iter::repeat_n(int(&junk), 6));
    pem("RSA PRIVATE KEY", &seq(&fields))
}

/// The modulus of the fixture leaf's public key, as `openssl x509 -modulus` prints it.
fn leaf_modulus() -> Vec<u8> {
    let out = tool(
        "openssl",
        &["x509", "-noout", "-modulus", "-in", s(&fx("leaf.pem"))],
    );
    let hex = out.trim().trim_start_matches("Modulus=");
    hex::decode(hex).expect("hex modulus")
}

#[test]
fn a_forged_key_cannot_make_a_non_exportable_key_exportable() {
    let t = TestStore::new();
    let pw = fx("pw.txt");
    t.json(&[
        "import",
        s(&fx("leaf-csp.pfx")),
        "--password-file",
        s(&pw),
        "--exportable",
        "false",
        "--trust-root",
    ]);
    let thumb = common::openssl_thumbprint(&fx("leaf.pem"));
    // A "private key" forged from the certificate: the real modulus and exponent, junk
    // private fields.
    let forged_file = t.dir.path().join("forged.key");
    std::fs::write(&forged_file, forged_rsa_key(&leaf_modulus())).expect("write");
    let before = t.snapshot();
    let out = t.run(&["import", s(&forged_file), "--exportable", "true"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("not consistent with its own public key"),
        "{err}"
    );
    assert!(t.snapshot() == before, "the store is untouched");

    // A real key, but not the certificate's: it pairs with nothing and widens nothing.
    let out = t.run(&["import", s(&fx("ec.key")), "--exportable", "true"]);
    assert!(out.status.success());
    assert_eq!(t.json(&["show", &thumb])["exportable"], false);
    let out_file = t.dir.path().join("out.pfx");
    let out = t.run(&[
        "export",
        &thumb,
        "--output",
        s(&out_file),
        "--password-file",
        s(&pw),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!out_file.exists());
}

#[test]
fn the_builtin_roots_key_cannot_be_widened_either() {
    let t = TestStore::with_topology(EDGE);
    t.json(&["request", "--type", "Internal", "--ca", "builtin"]);
    let roots = t.json(&["list", "--logical", "root"]);
    let root = roots[0]["thumbprint"].as_str().expect("root").to_owned();
    let cer = t.dir.path().join("root.cer");
    t.json(&["export", &root, "--output", s(&cer), "--format", "base64"]);
    let modulus = tool("openssl", &["x509", "-noout", "-modulus", "-in", s(&cer)]);
    let n = hex::decode(modulus.trim().trim_start_matches("Modulus=")).expect("hex");
    let file = t.dir.path().join("root-forged.key");
    std::fs::write(&file, forged_rsa_key(&n)).expect("write");
    let out = t.run(&["import", s(&file), "--exportable", "true"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(t.json(&["show", &root])["exportable"], false);
}

#[test]
fn a_pfx_nested_forty_thousand_deep_is_refused_without_a_crash() {
    let t = TestStore::new();
    let mut inner = tlv(0x04, &[0]);
    for _ in 0..40_000 {
        inner = tlv(0x24, &inner);
    }
    let data_oid = tlv(
        0x06,
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01],
    );
    let pfx = seq(&[int(&[3]), seq(&[data_oid, tlv(0xa0, &inner)])]);
    let file = t.dir.path().join("deep.pfx");
    std::fs::write(&file, &pfx).expect("write");
    let pw = t.dir.path().join("pw");
    std::fs::write(&pw, "x").expect("write");
    let out = t.run(&["import", s(&file), "--password-file", s(&pw)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("nested too deeply"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
}

/// A PFX without a MAC whose one safe holds `bags` copies of one shrouded key bag that
/// derives its key with `iterations` PBKDF2 rounds (empty password).
fn costly_pfx(bags: usize, iterations: u32) -> Vec<u8> {
    use der::Encode;
    let key = rcgen::KeyPair::generate().expect("key");
    let params =
        pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(iterations, &[7; 16], [9; 16])
            .expect("params");
    let encrypted = params.encrypt(b"", &key.serialize_der()).expect("encrypt");
    let alg = pkcs5::EncryptionScheme::from(params)
        .to_der()
        .expect("alg der");
    let info = seq(&[alg, tlv(0x04, &encrypted)]);
    let bag_oid = tlv(
        0x06,
        &[
            0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02,
        ],
    );
    let bag = seq(&[bag_oid, tlv(0xa0, &info)]);
    let safe_contents = seq(&vec![bag; bags]);
    let data_oid = tlv(
        0x06,
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01],
    );
    let safe = seq(&[data_oid.clone(), tlv(0xa0, &tlv(0x04, &safe_contents))]);
    let auth_safe = seq(&[safe]);
    seq(&[
        int(&[3]),
        seq(&[data_oid, tlv(0xa0, &tlv(0x04, &auth_safe))]),
    ])
}

#[test]
fn a_pfx_asking_for_minutes_of_key_derivation_is_refused_in_seconds() {
    let t = TestStore::new();
    let file = t.dir.path().join("costly.pfx");
    std::fs::write(&file, costly_pfx(64, 10_000_000)).expect("write");
    let empty = fx("empty.txt");
    let started = Instant::now();
    let out = t.run(&["import", s(&file), "--password-file", s(&empty)]);
    let took = started.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("more key-derivation work"), "{err}");
    // Without one budget per file this took 60-80 s in a release build (minutes in a
    // debug one); with it, at most one file's budget of work is done.
    assert!(
        took < Duration::from_secs(60),
        "64 bags at 10M iterations took {took:?}"
    );
    assert_eq!(t.json(&["list"]).as_array().map(Vec::len), Some(0));
}

#[test]
fn two_thousand_certificates_sharing_a_friendly_name_import_in_linear_time() {
    let t = TestStore::new();
    let bundle = common::big_bundle(2_001);
    let contents = certdesk::pki::formats::read(&bundle, None).expect("bundle");
    let ders: Vec<&[u8]> = contents.certs.iter().map(|c| c.der.as_slice()).collect();
    let key = rcgen::KeyPair::generate().expect("key");
    // The leaf with a key of its own; the 2,000 others are "chain" entries sharing its name.
    let mut params =
        rcgen::CertificateParams::new(vec!["named.contoso.com".into()]).expect("params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "named.contoso.com");
    let leaf = params.self_signed(&key).expect("leaf");
    let pkcs8 = key.serialize_der();
    let file_bytes = pfx::write(
        &PfxContents {
            leaf: leaf.der(),
            chain: ders[1..]
                .iter()
                .map(|d| (*d, Some("Shared name".to_owned())))
                .collect(),
            key_pkcs8: &pkcs8,
            friendly_name: Some("Shared name".into()),
            local_key_id: vec![1],
            key_attributes: Vec::new(),
            cert_attributes: Vec::new(),
        },
        "pw",
        PfxEncryption::Aes256Sha256,
        2048,
    )
    .expect("pfx");
    let file = t.dir.path().join("shared.pfx");
    std::fs::write(&file, file_bytes).expect("write");
    let pw = t.dir.path().join("pw");
    std::fs::write(&pw, "pw").expect("write");
    let started = Instant::now();
    t.json(&["import", s(&file), "--password-file", s(&pw)]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "took {took:?}");
    let list = t.json(&["list"]);
    let mut names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["friendly_name"].as_str())
        .filter(|n| n.starts_with("Shared name"))
        .collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 2_001, "every certificate got its own name");
    assert!(names.contains(&"Shared name (2001)"));
}

/// A valid Edge internal request with `key`, in the model.
fn internal_spec(
    key: certdesk::pki::keygen::KeyAlgorithm,
) -> certdesk::deploy::request::RequestSpec {
    certdesk::deploy::request::RequestSpec::new(
        certdesk::deploy::request::RequestInput {
            usages: vec![certdesk::deploy::usage::UsageType::Internal],
            key,
            ..Default::default()
        },
        &certdesk::deploy::topology::Topology::from_toml(EDGE).expect("topology"),
    )
    .expect("spec")
}

#[test]
fn an_av_request_with_a_non_exportable_key_is_refused_by_the_model() {
    let t = TestStore::with_topology(EDGE);
    let before = t.snapshot();
    let csr = t.dir.path().join("av.csr");
    let out = t.run(&[
        "request",
        "--type",
        "AudioVideoAuthentication",
        "--exportable",
        "false",
        "--output",
        s(&csr),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("must be exportable"), "{err}");
    assert!(!csr.exists());
    assert!(t.snapshot() == before);
    // ECDSA P-384 signs with SHA-384 without being told, in the model.
    let spec = internal_spec(certdesk::pki::keygen::KeyAlgorithm::P384);
    assert_eq!(
        spec.input.hash,
        certdesk::pki::keygen::HashAlgorithm::Sha384
    );
}

#[test]
fn the_builtin_ca_issues_only_names_of_the_deployment() {
    let t = TestStore::with_topology(EDGE);
    let before = t.json(&["list"]).as_array().map_or(0, Vec::len);
    let out = t.run(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "builtin",
        "--domain-name",
        "www.example.org",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("www.example.org is not in the deployment's domains"),
        "{err}"
    );
    let after = t.json(&["list"]).as_array().map_or(0, Vec::len);
    assert_eq!(before, after, "nothing issued");
    // A name in the deployment's domains is issued.
    t.json(&[
        "request",
        "--type",
        "Internal",
        "--ca",
        "builtin",
        "--domain-name",
        "extra.contoso.com",
    ]);
}

#[test]
fn the_sample_never_deletes_a_directory_that_is_not_a_store() {
    let tmp = tempfile::tempdir().expect("temp");
    let dir = tmp.path().join("precious");
    std::fs::create_dir(&dir).expect("dir");
    std::fs::write(dir.join("notes.txt"), "mine").expect("write");
    let err = certdesk::ops::sample::create(&dir, 1_700_000_000).expect_err("refused");
    assert!(err.to_string().contains("is not a certdesk store"), "{err}");
    assert!(Path::new(&dir.join("notes.txt")).exists());
}

/// The built-in CA's root goes into Trusted Roots only with the user's consent: without it,
/// the first immediate request is refused with a sentence and the store is untouched.
#[test]
fn the_builtin_root_is_trusted_only_when_the_user_agrees() {
    use certdesk::ops::enroll::{self, Delivery, EnrollError};
    use certdesk::store::{Location, Store};
    let t = TestStore::with_topology(EDGE);
    let before = t.snapshot();
    let spec = internal_spec(certdesk::pki::keygen::KeyAlgorithm::P256);
    let now = certdesk::gui::app::system_now();
    let submit = |trust_new_root: bool| {
        let mut store = Store::open(&t.path()).expect("store");
        let generated = enroll::prepare(&spec, None, now).expect("key");
        let delivery = Delivery::BuiltinCa { trust_new_root };
        enroll::submit(
            &mut store,
            &spec,
            generated,
            Location::Computer,
            &delivery,
            now,
        )
    };
    let err = submit(false).expect_err("refused");
    assert!(matches!(err, EnrollError::RootNotAgreed), "{err}");
    assert!(err.to_string().contains("agree to that first"), "{err}");
    assert!(t.snapshot() == before, "nothing stored");
    assert!(submit(true).expect("issued").thumbprint.is_some());
    // Once the CA exists, later requests need no new consent.
    submit(false).expect("issued by the existing CA");
}
