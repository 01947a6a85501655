//! Certificate requests: the user's choices, validated on construction into a
//! [`RequestSpec`], then a key and a PKCS#10 CSR (DOMAIN.md §4).
//!
//! The CSR carries the subject (CN from the topology, O, OU, L, ST and C as a
//! PrintableString), the SANs in an extensionRequest, Server Authentication (and Client
//! Authentication on request), key usage, and the Microsoft certificate-template-name
//! extension (1.3.6.1.4.1.311.20.2, a BMPString, not critical). GUI and CLI build the same
//! [`RequestInput`], so both reject bad input with the same sentence.

use std::time::{Duration, Instant};

use rcgen::{
    CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, KeyUsagePurpose, SanType,
};

use crate::deploy::names::{self, NameError, NameOptions, Names};
use crate::deploy::topology::Topology;
use crate::deploy::usage::UsageType;
use crate::pki::formats::tlv;
use crate::pki::key::PrivateKey;
use crate::pki::keygen::{self, HashAlgorithm, KeyAlgorithm, KeygenError};

/// PKCS#9 challengePassword, the CSR attribute a SCEP CA checks.
const CHALLENGE_PASSWORD_OID: &[u64] = &[1, 2, 840, 113549, 1, 9, 7];

/// The Microsoft certificate-template-name extension.
pub const TEMPLATE_NAME_OID: &[u64] = &[1, 3, 6, 1, 4, 1, 311, 20, 2];

/// What the user chose, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInput {
    /// The usages the certificate is for.
    pub usages: Vec<UsageType>,
    /// Ticked SIP domains and additional names.
    pub names: NameOptions,
    /// Friendly name; generated when blank.
    pub friendly_name: String,
    /// Key algorithm and size.
    pub key: KeyAlgorithm,
    /// Signature hash.
    pub hash: HashAlgorithm,
    /// Whether the private key may be exported later.
    pub exportable: bool,
    /// Organization (O).
    pub org: String,
    /// Organizational unit (OU).
    pub ou: String,
    /// Country (C), two letters.
    pub country: String,
    /// State or province (ST).
    pub state: String,
    /// City or locality (L).
    pub city: String,
    /// Add Client Authentication (public IM federation needs it).
    pub client_eku: bool,
    /// The CA template name.
    pub template: String,
}

impl Default for RequestInput {
    fn default() -> Self {
        Self {
            usages: Vec::new(),
            names: NameOptions::default(),
            friendly_name: String::new(),
            key: KeyAlgorithm::Rsa(2048),
            hash: HashAlgorithm::Sha256,
            exportable: false,
            org: String::new(),
            ou: String::new(),
            country: String::new(),
            state: String::new(),
            city: String::new(),
            client_eku: false,
            template: "WebServer".to_owned(),
        }
    }
}

/// Why a request cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The names cannot be computed.
    #[error(transparent)]
    Names(#[from] NameError),
    /// Key size or key/hash combination.
    #[error(transparent)]
    Key(#[from] KeygenError),
    /// A field of the request is wrong.
    #[error("{}: {problem}", field.as_str())]
    Field {
        /// The field.
        field: RequestField,
        /// What is wrong.
        problem: String,
    },
    /// The CSR could not be built.
    #[error("the request could not be built: {0}")]
    Csr(String),
}

/// The fields of a request that can be wrong on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestField {
    /// Organization (O).
    Org,
    /// Organizational unit (OU).
    Ou,
    /// Country (C).
    Country,
    /// State or province (ST).
    State,
    /// City (L).
    City,
    /// The friendly name.
    FriendlyName,
    /// The CA template name.
    Template,
    /// "Mark the private key as exportable".
    Exportable,
}

impl RequestField {
    /// The field's name as the CLI spells its option.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestField::Org => "org",
            RequestField::Ou => "ou",
            RequestField::Country => "country",
            RequestField::State => "state",
            RequestField::City => "city",
            RequestField::FriendlyName => "friendly_name",
            RequestField::Template => "template",
            RequestField::Exportable => "exportable",
        }
    }
}

/// A validated request: the input and the names computed from the topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSpec {
    /// The validated choices.
    pub input: RequestInput,
    /// The subject and SANs.
    pub names: Names,
}

/// A generated key and CSR.
pub struct Generated {
    /// The new private key.
    pub key: PrivateKey,
    /// The CSR, DER.
    pub csr_der: Vec<u8>,
    /// The CSR, PEM (`NEW CERTIFICATE REQUEST`, as Windows writes it).
    pub csr_pem: String,
    /// A self-signed placeholder holding the key in Enrollment Requests until the CA
    /// answers (what Windows keeps in its REQUEST store), DER.
    pub placeholder_der: Vec<u8>,
    /// How long key generation and signing took.
    pub took: Duration,
}

fn field(field: RequestField, problem: impl Into<String>) -> RequestError {
    RequestError::Field {
        field,
        problem: problem.into(),
    }
}

fn check_text(name: RequestField, value: &str) -> Result<(), RequestError> {
    if value.len() > 64 {
        return Err(field(name, "at most 64 characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(field(name, "control characters are not allowed"));
    }
    Ok(())
}

impl RequestSpec {
    /// Validates the input against the topology and computes the names.
    pub fn new(input: RequestInput, topology: &Topology) -> Result<Self, RequestError> {
        let input = Self::validated(input)?;
        let names = names::compute(&input.usages, topology, &input.names)?;
        Ok(Self { input, names })
    }

    /// Validates the input and takes `names` as they are (a renewal keeps the names of
    /// the certificate it renews).
    pub fn with_names(input: RequestInput, names: Names) -> Result<Self, RequestError> {
        Ok(Self {
            input: Self::validated(input)?,
            names,
        })
    }

    fn validated(input: RequestInput) -> Result<RequestInput, RequestError> {
        let mut input = input;
        for (name, value) in [
            (RequestField::Org, &mut input.org),
            (RequestField::Ou, &mut input.ou),
            (RequestField::State, &mut input.state),
            (RequestField::City, &mut input.city),
            (RequestField::FriendlyName, &mut input.friendly_name),
            (RequestField::Template, &mut input.template),
        ] {
            *value = value.trim().to_owned();
            check_text(name, value)?;
        }
        input.country = input.country.trim().to_ascii_uppercase();
        if !input.country.is_empty()
            && (input.country.len() != 2 || !input.country.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(field(
                RequestField::Country,
                format!(
                    "\"{}\" is not a two-letter country code (e.g. US, GB, FR)",
                    input.country
                ),
            ));
        }
        if input.template.is_empty() {
            return Err(field(
                RequestField::Template,
                "give a template name (WebServer is the default)",
            ));
        }
        // ECDSA signs with its curve's hash: SHA-256 (the default) on P-384 means SHA-384.
        if input.key == KeyAlgorithm::P384 && input.hash == HashAlgorithm::Sha256 {
            input.hash = HashAlgorithm::Sha384;
        }
        keygen::check(input.key, input.hash)?;
        if input.usages.iter().any(|u| u.needs_exportable_key()) && !input.exportable {
            return Err(field(
                RequestField::Exportable,
                "the A/V Authentication certificate's private key must be exportable: every Edge server of the pool needs the same certificate and key",
            ));
        }
        Ok(input)
    }

    /// Things the user should know before going on (they do not block).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let KeyAlgorithm::Rsa(bits) = self.input.key
            && bits < 2048
        {
            out.push(format!(
                "an RSA key of {bits} bits is below the recommended 2048 bits; many CAs and clients refuse it"
            ));
        }
        out
    }

    /// Generates the key, the CSR and the placeholder (valid for a year from `now`). Runs
    /// once per request (hundreds of milliseconds for RSA 2048, seconds for 4096): call it
    /// off the UI thread.
    pub fn generate(&self, now: i64) -> Result<Generated, RequestError> {
        self.generate_with(None, now)
    }

    /// [`Self::generate`], signing with `key` instead of a new one when given (Windows'
    /// "Renew with the same key").
    pub fn generate_with(
        &self,
        key: Option<PrivateKey>,
        now: i64,
    ) -> Result<Generated, RequestError> {
        let start = Instant::now();
        let (signer, key) = match key {
            Some(key) => (keygen::signer_from(&key, self.input.hash)?, key),
            None => keygen::generate(self.input.key, self.input.hash)?,
        };
        let mut params = self.params()?;
        let csr = params
            .serialize_request(&signer)
            .map_err(|e| RequestError::Csr(e.to_string()))?;
        let took = start.elapsed();
        let csr_der = csr.der().to_vec();
        let csr_pem = pem_block("NEW CERTIFICATE REQUEST", &csr_der);
        let at = |ts: i64| {
            time::OffsetDateTime::from_unix_timestamp(ts)
                .map_err(|e| RequestError::Csr(e.to_string()))
        };
        params.not_before = at(now)?;
        params.not_after = at(now + 365 * 86_400)?;
        let placeholder = params
            .self_signed(&signer)
            .map_err(|e| RequestError::Csr(e.to_string()))?;
        Ok(Generated {
            key,
            csr_der,
            csr_pem,
            placeholder_der: placeholder.der().to_vec(),
            took,
        })
    }

    /// The request's CSR signed again by its key with a PKCS#9 challengePassword
    /// attribute, which a SCEP CA checks.
    pub fn csr_with_challenge(
        &self,
        key: &PrivateKey,
        challenge: &str,
    ) -> Result<Vec<u8>, RequestError> {
        let signer = keygen::signer_from(key, self.input.hash)?;
        let printable = challenge
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c));
        let mut value = Vec::new();
        tlv::push_element(
            &mut value,
            &[if printable { 0x13 } else { 0x0c }],
            challenge.as_bytes(),
        );
        let mut values = Vec::new();
        tlv::push_element(&mut values, &[0x31], &value);
        let attribute = rcgen::Attribute {
            oid: CHALLENGE_PASSWORD_OID,
            values,
        };
        self.params()?
            .serialize_request_with_attributes(&signer, vec![attribute])
            .map(|csr| csr.der().to_vec())
            .map_err(|e| RequestError::Csr(e.to_string()))
    }

    fn params(&self) -> Result<CertificateParams, RequestError> {
        let input = &self.input;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, self.names.subject.clone());
        for (kind, value) in [
            (DnType::OrganizationName, &input.org),
            (DnType::OrganizationalUnitName, &input.ou),
            (DnType::LocalityName, &input.city),
            (DnType::StateOrProvinceName, &input.state),
        ] {
            if !value.is_empty() {
                dn.push(kind, value.clone());
            }
        }
        if !input.country.is_empty() {
            let printable = input
                .country
                .clone()
                .try_into()
                .map_err(|_| field(RequestField::Country, "not printable"))?;
            dn.push(DnType::CountryName, DnValue::PrintableString(printable));
        }
        params.distinguished_name = dn;
        for name in self.names.sans() {
            let ia5 = name
                .clone()
                .try_into()
                .map_err(|_| RequestError::Csr(format!("\"{name}\" is not an ASCII name")))?;
            params.subject_alt_names.push(SanType::DnsName(ia5));
        }
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        if input.client_eku {
            params
                .extended_key_usages
                .push(ExtendedKeyUsagePurpose::ClientAuth);
        }
        params.key_usages = match input.key {
            KeyAlgorithm::Rsa(_) => vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyEncipherment,
            ],
            _ => vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyAgreement,
            ],
        };
        params
            .custom_extensions
            .push(template_extension(&input.template));
        Ok(params)
    }
}

/// The certificate-template-name extension: a BMPString of the name, not critical.
pub fn template_extension(template: &str) -> CustomExtension {
    let bmp: Vec<u8> = template.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let mut value = Vec::new();
    tlv::push_element(&mut value, &[0x1e], &bmp);
    CustomExtension::from_oid_content(TEMPLATE_NAME_OID, value)
}

impl RequestInput {
    /// What renewing the certificate `der` asks for: its subject (CN, O, OU, L, ST, C), its
    /// DNS SANs as they are, Client Authentication if it has it, and its template; key and
    /// friendly name are the caller's. None when it names no host.
    pub fn renewing(der: &[u8], usages: Vec<UsageType>) -> Option<(Self, Names)> {
        use x509_parser::prelude::FromDer;
        let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der).ok()?;
        let subject = cert.subject();
        let first =
            |iter: &mut dyn Iterator<Item = &x509_parser::x509::AttributeTypeAndValue<'_>>| {
                iter.next()
                    .and_then(|a| a.as_str().ok())
                    .map(str::to_owned)
                    .unwrap_or_default()
            };
        let mut sans = Vec::new();
        let mut client_eku = false;
        for ext in cert.extensions() {
            match ext.parsed_extension() {
                x509_parser::extensions::ParsedExtension::SubjectAlternativeName(san) => {
                    for name in &san.general_names {
                        if let x509_parser::extensions::GeneralName::DNSName(dns) = name {
                            sans.push((*dns).to_owned());
                        }
                    }
                }
                x509_parser::extensions::ParsedExtension::ExtendedKeyUsage(eku) => {
                    client_eku = eku.client_auth;
                }
                _ => {}
            }
        }
        let cn = first(&mut subject.iter_common_name());
        let cn = if cn.is_empty() {
            sans.first()?.clone()
        } else {
            cn
        };
        let input = RequestInput {
            usages,
            org: first(&mut subject.iter_organization()),
            ou: first(&mut subject.iter_organizational_unit()),
            city: first(&mut subject.iter_locality()),
            state: first(&mut subject.iter_state_or_province()),
            country: first(&mut subject.iter_country()),
            client_eku,
            template: template_of(der).unwrap_or_else(|| "WebServer".to_owned()),
            ..RequestInput::default()
        };
        let names = Names {
            subject: cn,
            required: sans,
            ticked: Vec::new(),
            extra: Vec::new(),
        };
        Some((input, names))
    }
}

/// The template name a certificate was requested with (its certificate-template-name
/// extension), if it has one.
pub fn template_of(der: &[u8]) -> Option<String> {
    use x509_parser::prelude::FromDer;
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der).ok()?;
    let oid = cert.extensions().iter().find(|e| {
        e.oid
            .iter()
            .is_some_and(|arcs| arcs.eq(TEMPLATE_NAME_OID.iter().copied()))
    })?;
    let (value, _) = tlv::read(oid.value).ok()?;
    if value.tag_byte() != 0x1e || value.content.len() % 2 != 0 {
        return None;
    }
    let units: Vec<u16> = value
        .content
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).ok().filter(|t| !t.is_empty())
}

/// A PEM block with 64-character lines.
pub fn pem_block(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
