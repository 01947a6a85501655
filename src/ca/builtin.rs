//! The built-in online CA that answers "immediate" requests: a local enterprise CA (a root
//! and an issuing CA), created on first use with keys encrypted in the store, its root in
//! the Computer location's Trusted Roots and its issuing CA in Intermediate CAs.
//!
//! It signs a CSR's public key and keeps the extensions a server certificate request carries
//! (SANs, EKUs, key usage, the certificate-template name and information), leaving out those
//! a CA sets itself (basic constraints and key identifiers). Like an enterprise CA's
//! template, it refuses anything else: a subject or SAN outside the deployment's domains
//! (from the topology), an IP address or other name kind, an EKU other than server and
//! client authentication, or any other extension. The CSR's signature is checked first.

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue, IsCa,
    Issuer, KeyUsagePurpose, SerialNumber,
};
use time::OffsetDateTime;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::cri_attributes::ParsedCriAttribute;
use x509_parser::prelude::FromDer;

use crate::pki::cert::Certificate;
use crate::pki::key::PrivateKey;
use crate::pki::keygen::{self, HashAlgorithm, KeyAlgorithm};
use crate::store::certs::write::{self as cert_write, NewCert};
use crate::store::db::Sql;
use crate::store::{Location, Logical, Store, StoreError};

const META_ROOT: &str = "builtin_ca_root";
const META_ISSUING: &str = "builtin_ca_issuing";
/// Validity of issued certificates (the WebServer template's two years).
const ISSUED_DAYS: i64 = 730;

/// What can go wrong with the built-in CA.
#[derive(Debug, thiserror::Error)]
pub enum CaError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The CSR cannot be read or its signature does not verify.
    #[error("the certificate request is not valid: {0}")]
    BadRequest(String),
    /// Signing failed.
    #[error("the built-in CA could not sign: {0}")]
    Signing(String),
    /// The request asks for something the CA does not issue.
    #[error("the built-in CA refuses the request: {0}")]
    Policy(String),
}

/// The built-in CA, loaded from the store or newly created (and not yet stored).
pub struct BuiltinCa {
    /// The root certificate.
    pub root: Certificate,
    /// The issuing CA certificate.
    pub issuing: Certificate,
    issuing_key: PrivateKey,
    /// The keys of a CA created now, to be stored with the first certificate it issues.
    new_keys: Option<(PrivateKey, PrivateKey)>,
}

fn signing(e: impl std::fmt::Display) -> CaError {
    CaError::Signing(e.to_string())
}

fn time_at(ts: i64) -> Result<OffsetDateTime, CaError> {
    OffsetDateTime::from_unix_timestamp(ts).map_err(signing)
}

fn random_serial() -> Result<SerialNumber, CaError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(signing)?;
    bytes[0] &= 0x7f;
    bytes[0] |= 0x40;
    Ok(SerialNumber::from_slice(&bytes))
}

fn ca_params(
    cn: String,
    constraint: BasicConstraints,
    now: i64,
    days: i64,
) -> Result<CertificateParams, CaError> {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "certdesk built-in CA");
    dn.push(DnType::CommonName, cn);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(constraint);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.use_authority_key_identifier_extension = true;
    params.not_before = time_at(now - 300)?;
    params.not_after = time_at(now + days * 86_400)?;
    params.serial_number = Some(random_serial()?);
    Ok(params)
}

impl BuiltinCa {
    /// Loads the store's CA, or creates a new one (RSA 3072 root, RSA 2048 issuing CA; a
    /// second or so) that `BuiltinCa::persist_if_new` stores.
    pub fn load_or_create(store: &Store, now: i64) -> Result<Self, CaError> {
        if let (Some(root), Some(issuing)) = (store.meta(META_ROOT)?, store.meta(META_ISSUING)?) {
            let root = store.find(Location::Computer, &root)?;
            let issuing = store.find(Location::Computer, &issuing)?;
            let issuing_key = store.cert_key(&issuing)?.ok_or_else(|| {
                CaError::Signing("the issuing CA's key is missing from the store".into())
            })?;
            return Ok(Self {
                root: Certificate::from_cached(store.der(root.id)?, root.summary),
                issuing: Certificate::from_cached(store.der(issuing.id)?, issuing.summary),
                issuing_key,
                new_keys: None,
            });
        }
        let mut tag = [0u8; 2];
        getrandom::fill(&mut tag).map_err(signing)?;
        let tag = hex::encode_upper(tag);
        let (root_signer, root_key) =
            keygen::generate(KeyAlgorithm::Rsa(3072), HashAlgorithm::Sha256)?;
        let root_params = ca_params(
            format!("certdesk Root CA {tag}"),
            BasicConstraints::Unconstrained,
            now,
            3650,
        )?;
        let root_cert = root_params.self_signed(&root_signer).map_err(signing)?;
        let (issuing_signer, issuing_key) =
            keygen::generate(KeyAlgorithm::Rsa(2048), HashAlgorithm::Sha256)?;
        let issuing_params = ca_params(
            format!("certdesk Issuing CA {tag}"),
            BasicConstraints::Constrained(0),
            now,
            1825,
        )?;
        let root_issuer = Issuer::new(root_params, root_signer);
        let issuing_cert = issuing_params
            .signed_by(&issuing_signer, &root_issuer)
            .map_err(signing)?;
        let parse = |der: &[u8]| Certificate::from_der(der).map_err(signing);
        Ok(Self {
            root: parse(root_cert.der())?,
            issuing: parse(issuing_cert.der())?,
            issuing_key: issuing_key.clone_key().map_err(signing)?,
            new_keys: Some((root_key, issuing_key)),
        })
    }

    /// Signs a CSR (DER) at `now` for the usual two years, for names in `domains` only
    /// ([`Topology::domains`](crate::deploy::topology::Topology::domains)).
    pub fn sign(
        &self,
        csr_der: &[u8],
        domains: &[String],
        now: i64,
    ) -> Result<Certificate, CaError> {
        self.sign_for(csr_der, domains, now, ISSUED_DAYS)
    }

    /// Signs a CSR valid for `days` from `now`, for names in `domains` only.
    pub fn sign_for(
        &self,
        csr_der: &[u8],
        domains: &[String],
        now: i64,
        days: i64,
    ) -> Result<Certificate, CaError> {
        let bad = |e: &dyn std::fmt::Display| CaError::BadRequest(e.to_string());
        let (_, csr) = X509CertificationRequest::from_der(csr_der).map_err(|e| bad(&e))?;
        csr.verify_signature()
            .map_err(|_| CaError::BadRequest("its signature does not verify".into()))?;
        let info = &csr.certification_request_info;
        for cn in info.subject.iter_common_name() {
            let cn = cn.as_str().map_err(|e| bad(&e))?;
            check_name(cn, domains)?;
        }
        let mut params = CertificateParams::default();
        params.distinguished_name = distinguished_name(&info.subject);
        for attr in info.iter_attributes() {
            if let ParsedCriAttribute::ExtensionRequest(req) = attr.parsed_attribute() {
                for ext in &req.extensions {
                    let oid = ext.oid.to_id_string();
                    if matches!(oid.as_str(), "2.5.29.19" | "2.5.29.14" | "2.5.29.35") {
                        continue;
                    }
                    check_extension(ext, domains)?;
                    let arcs: Vec<u64> = oid.split('.').filter_map(|a| a.parse().ok()).collect();
                    let mut custom = CustomExtension::from_oid_content(&arcs, ext.value.to_vec());
                    custom.set_criticality(ext.critical);
                    params.custom_extensions.push(custom);
                }
            }
        }
        params.is_ca = IsCa::ExplicitNoCa;
        params.use_authority_key_identifier_extension = true;
        params.not_before = time_at(now - 300)?;
        params.not_after = time_at((now + days * 86_400).min(self.issuing.summary().not_after))?;
        params.serial_number = Some(random_serial()?);
        let spki =
            rcgen::SubjectPublicKeyInfo::from_der(info.subject_pki.raw).map_err(|e| bad(&e))?;
        let signer = keygen::signer_from(&self.issuing_key, HashAlgorithm::Sha256)?;
        let issuer = Issuer::from_ca_cert_der(&self.issuing.der().to_vec().into(), signer)
            .map_err(signing)?;
        let cert = params.signed_by(&spki, &issuer).map_err(signing)?;
        Certificate::from_der(cert.der()).map_err(signing)
    }

    /// Whether the store holds a built-in CA already (its root is then trusted there).
    pub fn exists(store: &Store) -> Result<bool, StoreError> {
        Ok(store.meta(META_ROOT)?.is_some())
    }

    /// Whether this CA was just created and is not in the store yet.
    pub fn is_new(&self) -> bool {
        self.new_keys.is_some()
    }

    /// Stores a CA created by [`BuiltinCa::load_or_create`] (root in Trusted Roots, issuing
    /// CA in Intermediate CAs, keys not exportable) inside the caller's write transaction.
    /// Returns `false` when another process stored a CA first: the caller then loads that
    /// one and signs again, so a store never has two built-in CAs.
    pub(crate) fn persist_if_new(
        &self,
        tx: Sql<'_>,
        secret: &[u8],
        now: i64,
    ) -> Result<bool, StoreError> {
        let Some((root_key, issuing_key)) = &self.new_keys else {
            return Ok(true);
        };
        if cert_write::meta(tx, META_ROOT)?.is_some() {
            return Ok(false);
        }
        for (cert, key, logical) in [
            (&self.root, root_key, Logical::Root),
            (&self.issuing, issuing_key, Logical::Ca),
        ] {
            let (key_id, _) = cert_write::upsert_key(tx, secret, key, false, now)?;
            cert_write::insert_cert(
                tx,
                &NewCert {
                    location: Location::Computer,
                    logical,
                    cert,
                    friendly_name: "",
                    key_id: Some(key_id),
                    now,
                },
            )?;
        }
        cert_write::set_meta(tx, META_ROOT, &self.root.summary().thumbprint)?;
        cert_write::set_meta(tx, META_ISSUING, &self.issuing.summary().thumbprint)?;
        Ok(true)
    }
}

impl From<keygen::KeygenError> for CaError {
    fn from(e: keygen::KeygenError) -> Self {
        CaError::Signing(e.to_string())
    }
}

/// Whether `name` (maybe `*.x`) lies in one of the deployment's domains.
fn check_name(name: &str, domains: &[String]) -> Result<(), CaError> {
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    let base = lower.strip_prefix("*.").unwrap_or(&lower);
    let inside = domains
        .iter()
        .any(|d| base == d || base.ends_with(&format!(".{d}")));
    if inside {
        Ok(())
    } else {
        Err(CaError::Policy(format!(
            "{name} is not in the deployment's domains ({})",
            domains.join(", ")
        )))
    }
}

/// The built-in CA's template: which requested extensions it issues, and with what.
fn check_extension(
    ext: &x509_parser::extensions::X509Extension<'_>,
    domains: &[String],
) -> Result<(), CaError> {
    use x509_parser::extensions::{GeneralName, ParsedExtension};
    match ext.parsed_extension() {
        ParsedExtension::SubjectAlternativeName(san) => {
            for name in &san.general_names {
                match name {
                    GeneralName::DNSName(dns) => check_name(dns, domains)?,
                    other => {
                        return Err(CaError::Policy(format!(
                            "it asks for the alternative name {other}, and only DNS names are issued"
                        )));
                    }
                }
            }
            Ok(())
        }
        ParsedExtension::ExtendedKeyUsage(eku) => {
            if eku.any
                || eku.code_signing
                || eku.email_protection
                || eku.time_stamping
                || eku.ocsp_signing
                || !eku.other.is_empty()
            {
                return Err(CaError::Policy(
                    "it asks for a purpose other than server and client authentication".into(),
                ));
            }
            Ok(())
        }
        ParsedExtension::KeyUsage(_) => Ok(()),
        _ => match ext.oid.to_id_string().as_str() {
            // The certificate template's name and information (Microsoft).
            "1.3.6.1.4.1.311.20.2" | "1.3.6.1.4.1.311.21.7" => Ok(()),
            other => Err(CaError::Policy(format!(
                "it asks for the extension {other}, which this CA's template does not issue"
            ))),
        },
    }
}

/// The CSR's subject as rcgen wants it, attribute by attribute, in order.
fn distinguished_name(name: &x509_parser::x509::X509Name<'_>) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    for attr in name.iter_attributes() {
        let Ok(value) = attr.as_str() else { continue };
        let oid = attr.attr_type().to_id_string();
        let kind = match oid.as_str() {
            "2.5.4.3" => DnType::CommonName,
            "2.5.4.10" => DnType::OrganizationName,
            "2.5.4.11" => DnType::OrganizationalUnitName,
            "2.5.4.7" => DnType::LocalityName,
            "2.5.4.8" => DnType::StateOrProvinceName,
            "2.5.4.6" => {
                if let Ok(printable) = value.to_owned().try_into() {
                    dn.push(DnType::CountryName, DnValue::PrintableString(printable));
                }
                continue;
            }
            other => {
                DnType::CustomDnType(other.split('.').filter_map(|a| a.parse().ok()).collect())
            }
        };
        dn.push(kind, value.to_owned());
    }
    dn
}
