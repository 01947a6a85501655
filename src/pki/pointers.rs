//! Where a certificate says its issuer and its revocation status can be found: Authority
//! Information Access (caIssuers, OCSP) and CRL Distribution Points, URIs only.

use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};

/// The most URIs kept of each kind.
const MAX_URIS: usize = 8;

/// The URIs a certificate points to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pointers {
    /// AIA caIssuers: the issuer's certificate (DER or PKCS#7).
    pub ca_issuers: Vec<String>,
    /// AIA OCSP responders.
    pub ocsp: Vec<String>,
    /// CRL distribution points.
    pub crl: Vec<String>,
}

/// Reads the pointers of a DER certificate (none when it cannot be parsed).
pub fn pointers(der: &[u8]) -> Pointers {
    let mut out = Pointers::default();
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return out;
    };
    let uri = |name: &GeneralName<'_>| match name {
        GeneralName::URI(uri) => Some((*uri).to_owned()),
        _ => None,
    };
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for desc in &aia.accessdescs {
                    let Some(location) = uri(&desc.access_location) else {
                        continue;
                    };
                    match desc.access_method.to_id_string().as_str() {
                        "1.3.6.1.5.5.7.48.2" => out.ca_issuers.push(location),
                        "1.3.6.1.5.5.7.48.1" => out.ocsp.push(location),
                        _ => {}
                    }
                }
            }
            ParsedExtension::CRLDistributionPoints(points) => {
                for point in points.iter() {
                    if let Some(DistributionPointName::FullName(names)) = &point.distribution_point
                    {
                        out.crl.extend(names.iter().filter_map(uri));
                    }
                }
            }
            _ => {}
        }
    }
    out.ca_issuers.truncate(MAX_URIS);
    out.ocsp.truncate(MAX_URIS);
    out.crl.truncate(MAX_URIS);
    out
}
