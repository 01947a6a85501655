//! A certificate parsed once: the DER bytes plus a [`CertSummary`] of everything the store,
//! the list views and the usage rules read. Parsing happens when a certificate enters the
//! store; the summary is cached beside the DER so listing never parses again.

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use sha2::Sha256;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

use crate::pki::oids;

/// The version of [`CertSummary`]'s stored form. Change it whenever the struct changes:
/// the store then rebuilds every cached summary from its DER on open.
pub const SUMMARY_FORMAT: &str = "1";

/// Why a byte string is not a usable X.509 certificate.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CertError {
    /// The bytes are not a DER-encoded X.509 certificate (the parser's reason is attached).
    #[error("it is not a valid X.509 certificate ({0})")]
    Malformed(String),
    /// The DER certificate is followed by extra bytes.
    #[error("the certificate is followed by {0} unexpected bytes")]
    TrailingData(usize),
}

/// A parsed certificate: its DER and the summary derived from it.
#[derive(Debug, Clone)]
pub struct Certificate {
    der: Vec<u8>,
    summary: CertSummary,
}

/// Everything certdesk displays or checks about a certificate, computed once from the DER.
///
/// Times are Unix seconds; names are displayed the way the Windows console does
/// (`CN=..., O=...`). The summary is serialised (postcard) into the store so that listing a
/// store of 100,000 certificates never re-parses DER.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertSummary {
    /// SHA-1 of the DER, upper-case hex: the Windows thumbprint.
    pub thumbprint: String,
    /// SHA-256 of the DER, upper-case hex.
    pub sha256: String,
    /// X.509 version (1, 2 or 3).
    pub version: u32,
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// The subject's common name, if any.
    pub subject_cn: Option<String>,
    /// The issuer's common name, if any.
    pub issuer_cn: Option<String>,
    /// Serial number, upper-case hex.
    pub serial: String,
    /// Start of validity, Unix seconds.
    pub not_before: i64,
    /// End of validity, Unix seconds.
    pub not_after: i64,
    /// Subject alternative names as `kind:value` (`dns:`, `ip:`, `email:`, `uri:`, `dirname:`, `other:`).
    pub sans: Vec<String>,
    /// Extended key usages by short name (`serverAuth`, `clientAuth`, ...) or dotted OID.
    pub eku: Vec<String>,
    /// Key usage bits by name (`digitalSignature`, `keyEncipherment`, ...).
    pub key_usage: Vec<String>,
    /// `Some(true)` for a CA, `Some(false)` for an explicit end entity, `None` without basic constraints.
    pub ca: Option<bool>,
    /// Basic constraints path length, if any.
    pub path_len: Option<u32>,
    /// Key algorithm and size, e.g. `RSA 2048`, `ECDSA P-256`, `Ed25519`.
    pub key: String,
    /// Key size in bits (RSA modulus size, curve size).
    pub key_bits: u32,
    /// Signature algorithm name, e.g. `sha256WithRSAEncryption`.
    pub signature: String,
    /// Subject key identifier, upper-case hex.
    pub ski: Option<String>,
    /// Authority key identifier, upper-case hex.
    pub aki: Option<String>,
    /// Issuer and subject are the same name and the signature verifies with the certificate's own key.
    pub self_signed: bool,
    /// SHA-256 of the subject public key bits: pairs the certificate with its private key.
    pub public_key_hash: String,
    /// Critical extensions that certdesk does not understand (dotted OIDs).
    pub unknown_critical: Vec<String>,
}

impl Certificate {
    /// Parses a DER certificate. Trailing bytes are refused: a certificate is one DER object.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let (rest, x509) =
            X509Certificate::from_der(der).map_err(|e| CertError::Malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(CertError::TrailingData(rest.len()));
        }
        let summary = summarise(der, &x509);
        Ok(Self {
            der: der.to_vec(),
            summary,
        })
    }

    /// Parses a DER certificate it takes (see [`Certificate::from_der`]), keeping the
    /// bytes without a copy.
    pub fn from_der_vec(der: Vec<u8>) -> Result<Self, CertError> {
        let summary = {
            let (rest, x509) =
                X509Certificate::from_der(&der).map_err(|e| CertError::Malformed(e.to_string()))?;
            if !rest.is_empty() {
                return Err(CertError::TrailingData(rest.len()));
            }
            summarise(&der, &x509)
        };
        Ok(Self { der, summary })
    }

    /// Rebuilds a certificate from its DER and a summary cached by the store.
    pub fn from_cached(der: Vec<u8>, summary: CertSummary) -> Self {
        Self { der, summary }
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The cached summary.
    pub fn summary(&self) -> &CertSummary {
        &self.summary
    }

    /// Consumes the certificate, returning its DER and summary.
    pub fn into_parts(self) -> (Vec<u8>, CertSummary) {
        (self.der, self.summary)
    }
}

impl CertSummary {
    /// What the console shows as "Issued To": the common name, else the first SAN, else the subject.
    pub fn issued_to(&self) -> &str {
        self.subject_cn
            .as_deref()
            .or_else(|| {
                self.sans
                    .first()
                    .map(|s| s.split_once(':').map_or(s.as_str(), |p| p.1))
            })
            .unwrap_or(&self.subject)
    }

    /// What the console shows as "Issued By": the issuer's common name, else the issuer.
    pub fn issued_by(&self) -> &str {
        self.issuer_cn.as_deref().unwrap_or(&self.issuer)
    }

    /// True for a certificate authority: basic constraints say so, or a self-signed
    /// version 1 certificate (old roots predate extensions).
    pub fn is_ca(&self) -> bool {
        self.ca.unwrap_or(self.self_signed && self.version == 1)
    }

    /// The DNS names among the SANs.
    pub fn dns_names(&self) -> impl Iterator<Item = &str> {
        self.sans.iter().filter_map(|s| s.strip_prefix("dns:"))
    }

    /// Whether the certificate is valid at `now` (Unix seconds).
    pub fn is_time_valid(&self, now: i64) -> bool {
        self.not_before <= now && now <= self.not_after
    }
}

/// Upper-case hex SHA-1 of `der`: the Windows thumbprint.
pub fn thumbprint(der: &[u8]) -> String {
    hex::encode_upper(Sha1::digest(der))
}

/// Upper-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode_upper(Sha256::digest(data))
}

fn summarise(der: &[u8], x509: &X509Certificate<'_>) -> CertSummary {
    let mut summary = CertSummary {
        thumbprint: thumbprint(der),
        sha256: sha256_hex(der),
        version: x509.version().0.saturating_add(1),
        subject: x509.subject().to_string(),
        issuer: x509.issuer().to_string(),
        subject_cn: common_name(x509.subject()),
        issuer_cn: common_name(x509.issuer()),
        serial: hex::encode_upper(x509.raw_serial()),
        not_before: x509.validity().not_before.timestamp(),
        not_after: x509.validity().not_after.timestamp(),
        sans: Vec::new(),
        eku: Vec::new(),
        key_usage: Vec::new(),
        ca: None,
        path_len: None,
        key: String::new(),
        key_bits: 0,
        signature: oids::signature_name(&x509.signature_algorithm.algorithm.to_id_string()),
        ski: None,
        aki: None,
        self_signed: false,
        public_key_hash: sha256_hex(&x509.public_key().subject_public_key.data),
        unknown_critical: Vec::new(),
    };
    (summary.key, summary.key_bits) = describe_public_key(x509);
    for ext in x509.extensions() {
        read_extension(&mut summary, ext.parsed_extension());
        if !ext.critical {
            continue;
        }
        let oid = ext.oid.to_id_string();
        if !oids::is_understood_critical(&oid) {
            summary.unknown_critical.push(oid);
        }
    }
    summary.self_signed = x509.subject().as_raw() == x509.issuer().as_raw()
        && summary
            .aki
            .as_ref()
            .is_none_or(|aki| Some(aki) == summary.ski.as_ref())
        && x509.verify_signature(None).is_ok();
    summary
}

fn read_extension(summary: &mut CertSummary, parsed: &ParsedExtension<'_>) {
    match parsed {
        ParsedExtension::SubjectAlternativeName(san) => {
            summary.sans = san.general_names.iter().map(general_name).collect();
        }
        ParsedExtension::ExtendedKeyUsage(eku) => summary.eku = eku_names(eku),
        ParsedExtension::KeyUsage(ku) => summary.key_usage = key_usage_names(ku),
        ParsedExtension::BasicConstraints(bc) => {
            summary.ca = Some(bc.ca);
            summary.path_len = bc.path_len_constraint;
        }
        ParsedExtension::SubjectKeyIdentifier(ki) => summary.ski = Some(hex::encode_upper(ki.0)),
        ParsedExtension::AuthorityKeyIdentifier(aki) => {
            summary.aki = aki.key_identifier.as_ref().map(|k| hex::encode_upper(k.0));
        }
        _ => {}
    }
}

fn common_name(name: &x509_parser::x509::X509Name<'_>) -> Option<String> {
    name.iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok().map(str::to_owned))
}

fn general_name(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::DNSName(d) => format!("dns:{d}"),
        GeneralName::RFC822Name(e) => format!("email:{e}"),
        GeneralName::URI(u) => format!("uri:{u}"),
        GeneralName::IPAddress(ip) => format!("ip:{}", ip_text(ip)),
        GeneralName::DirectoryName(n) => format!("dirname:{n}"),
        GeneralName::RegisteredID(oid) => format!("rid:{}", oid.to_id_string()),
        GeneralName::OtherName(oid, _) => format!("other:{}", oid.to_id_string()),
        other => format!("other:{other:?}"),
    }
}

fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => {
            let a: [u8; 4] = [bytes[0], bytes[1], bytes[2], bytes[3]];
            std::net::Ipv4Addr::from(a).to_string()
        }
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(bytes);
            std::net::Ipv6Addr::from(a).to_string()
        }
        _ => hex::encode_upper(bytes),
    }
}

fn eku_names(eku: &x509_parser::extensions::ExtendedKeyUsage<'_>) -> Vec<String> {
    let flags = [
        (eku.any, "anyExtendedKeyUsage"),
        (eku.server_auth, "serverAuth"),
        (eku.client_auth, "clientAuth"),
        (eku.code_signing, "codeSigning"),
        (eku.email_protection, "emailProtection"),
        (eku.time_stamping, "timeStamping"),
        (eku.ocsp_signing, "OCSPSigning"),
    ];
    let mut names: Vec<String> = flags
        .iter()
        .filter(|(set, _)| *set)
        .map(|(_, n)| (*n).to_owned())
        .collect();
    names.extend(eku.other.iter().map(|o| o.to_id_string()));
    names
}

fn key_usage_names(ku: &x509_parser::extensions::KeyUsage) -> Vec<String> {
    let bits = [
        (ku.digital_signature(), "digitalSignature"),
        (ku.non_repudiation(), "nonRepudiation"),
        (ku.key_encipherment(), "keyEncipherment"),
        (ku.data_encipherment(), "dataEncipherment"),
        (ku.key_agreement(), "keyAgreement"),
        (ku.key_cert_sign(), "keyCertSign"),
        (ku.crl_sign(), "cRLSign"),
        (ku.encipher_only(), "encipherOnly"),
        (ku.decipher_only(), "decipherOnly"),
    ];
    bits.iter()
        .filter(|(set, _)| *set)
        .map(|(_, n)| (*n).to_owned())
        .collect()
}

fn describe_public_key(x509: &X509Certificate<'_>) -> (String, u32) {
    let spki = x509.public_key();
    let alg = spki.algorithm.algorithm.to_id_string();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => {
            let bits = u32::try_from(rsa.key_size()).unwrap_or(0);
            (format!("RSA {bits}"), bits)
        }
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            let (name, bits) = oids::curve_name(&curve);
            (format!("ECDSA {name}"), bits)
        }
        _ if alg == oids::ED25519 => ("Ed25519".to_owned(), 256),
        _ if alg == oids::ED448 => ("Ed448".to_owned(), 456),
        _ => (format!("unknown ({alg})"), 0),
    }
}
