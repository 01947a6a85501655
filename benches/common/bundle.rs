//! A generated PEM bundle for benchmarks and scale tests (shared with tests/common).

/// A PEM bundle of one root and `n - 1` end entities with distinct names and SANs
/// (`host000001.bench.contoso.com`, SAN `sip1.contoso.com`, ...), one shared key.
pub fn big_bundle(n: usize) -> Vec<u8> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.distinguished_name
        .push(DnType::CommonName, "Bench Root CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let root = ca.self_signed(&ca_key).expect("root");
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().expect("leaf key");
    let mut out = root.pem().into_bytes();
    for i in 1..n {
        let name = format!("host{i:06}.bench.contoso.com");
        let mut params = CertificateParams::new(vec![name.clone()]).expect("params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.subject_alt_names.push(SanType::DnsName(
            format!("sip{i}.contoso.com").try_into().expect("dns"),
        ));
        params.serial_number = Some((i as u64 + 1).into());
        out.extend_from_slice(
            params
                .signed_by(&leaf_key, &issuer)
                .expect("sign")
                .pem()
                .as_bytes(),
        );
    }
    out
}
