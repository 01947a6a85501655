//! RFC 5929 `tls-server-end-point` channel bindings: what ties a Kerberos or NTLM token to
//! the TLS connection it is sent on, so a server with Extended Protection for
//! Authentication accepts it only there (a relayed token names another server's
//! certificate). The hash of the server's leaf certificate is SHA-256 when the
//! certificate's signature hash is MD5, SHA-1 or SHA-256 (or not a hash certdesk can tell),
//! else that hash (SHA-384, SHA-512).

use sha2::Digest;
use x509_parser::signature_algorithm::SignatureAlgorithm;

/// The channel bindings' application data for a connection whose server sent `leaf_der`:
/// `tls-server-end-point:` followed by the certificate's hash.
pub fn tls_server_end_point(leaf_der: &[u8]) -> Vec<u8> {
    let mut data = b"tls-server-end-point:".to_vec();
    match signature_hash(leaf_der) {
        Hash::Sha384 => data.extend_from_slice(&sha2::Sha384::digest(leaf_der)),
        Hash::Sha512 => data.extend_from_slice(&sha2::Sha512::digest(leaf_der)),
        Hash::Sha256 => data.extend_from_slice(&sha2::Sha256::digest(leaf_der)),
    }
    data
}

#[derive(Debug, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

/// The hash RFC 5929 says to use for this certificate.
fn signature_hash(der: &[u8]) -> Hash {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return Hash::Sha256;
    };
    let algorithm = &cert.signature_algorithm;
    let oid = match SignatureAlgorithm::try_from(algorithm) {
        Ok(SignatureAlgorithm::RSASSA_PSS(params)) => params.hash_algorithm_oid().to_id_string(),
        _ => algorithm.algorithm.to_id_string(),
    };
    match oid.as_str() {
        // sha384WithRSAEncryption, ecdsa-with-SHA384, id-sha384
        "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" | "2.16.840.1.101.3.4.2.2" => Hash::Sha384,
        // sha512WithRSAEncryption, ecdsa-with-SHA512, id-sha512
        "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" | "2.16.840.1.101.3.4.2.3" => Hash::Sha512,
        _ => Hash::Sha256,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(alg: &'static rcgen::SignatureAlgorithm) -> Vec<u8> {
        let key = rcgen::KeyPair::generate_for(alg).expect("key");
        let params = rcgen::CertificateParams::new(vec!["localhost".into()]).expect("params");
        params.self_signed(&key).expect("cert").der().to_vec()
    }

    #[test]
    fn sha256_signed_certificates_are_hashed_with_sha256() {
        let der = cert(&rcgen::PKCS_ECDSA_P256_SHA256);
        let data = tls_server_end_point(&der);
        let (prefix, hash) = data.split_at(21);
        assert_eq!(prefix, b"tls-server-end-point:");
        assert_eq!(hash, sha2::Sha256::digest(&der).as_slice());
    }

    #[test]
    fn sha384_signed_certificates_are_hashed_with_sha384() {
        let der = cert(&rcgen::PKCS_ECDSA_P384_SHA384);
        let data = tls_server_end_point(&der);
        assert_eq!(&data[21..], sha2::Sha384::digest(&der).as_slice());
    }

    #[test]
    fn what_is_not_a_certificate_is_hashed_with_sha256() {
        assert_eq!(signature_hash(b"not DER"), Hash::Sha256);
    }
}
