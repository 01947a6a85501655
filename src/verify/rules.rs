//! The usage rules (DOMAIN.md §3): whether a certificate may be assigned to a usage, as a
//! proof ([`ValidAssignment`]) or the full list of [`Problem`]s, each with its evidence.
//!
//! Cheap checks come first (location, store, key, validity, EKU, key size, signature,
//! names), then the certification path: our own walk, link by link with signature checks,
//! so a broken chain can be shown where it breaks, and rustls-webpki's verdict for server
//! authentication as the final word.

use x509_parser::prelude::{FromDer, X509Certificate};

use crate::deploy::names;
use crate::deploy::topology::Topology;
use crate::deploy::usage::UsageType;
use crate::store::{Location, Logical, Store, StoredCert};
use crate::verify::chain::ChainIndex;
use crate::verify::path;
pub use crate::verify::problem::{Problem, Severity};
use crate::verify::sans::{self, NameState};

/// Proof that a certificate satisfies a usage: the store only binds these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAssignment {
    usage: UsageType,
    thumbprint: String,
    warnings: Vec<Problem>,
}

impl ValidAssignment {
    /// The usage.
    pub fn usage(&self) -> UsageType {
        self.usage
    }
    /// The certificate's thumbprint.
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }
    /// Warnings that did not block.
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }
}

/// What validation needs: the store (for DERs), every certificate, the topology, `now`.
pub struct Checker<'a> {
    store: &'a Store,
    index: ChainIndex<'a>,
    all: &'a [StoredCert],
    topology: &'a Topology,
    now: i64,
}

impl<'a> Checker<'a> {
    /// A checker over `all` (the whole store, as listed).
    pub fn new(store: &'a Store, all: &'a [StoredCert], topology: &'a Topology, now: i64) -> Self {
        Self {
            store,
            index: ChainIndex::new(all),
            all,
            topology,
            now,
        }
    }

    /// Every certificate the checker knows.
    pub fn certificates(&self) -> &'a [StoredCert] {
        self.all
    }

    /// Checks `cert` for `usage`: the proof, or every problem found (errors and warnings).
    pub fn validate(
        &self,
        cert: &StoredCert,
        usage: UsageType,
    ) -> Result<ValidAssignment, Vec<Problem>> {
        let mut problems = Vec::new();
        let s = &cert.summary;
        if cert.location == Location::User {
            problems.push(Problem::UserLocation);
        }
        if cert.logical != Logical::Personal {
            problems.push(Problem::NotPersonal(cert.logical));
        }
        match &cert.key {
            None => problems.push(Problem::NoPrivateKey),
            Some(k) if usage.needs_exportable_key() && !k.exportable => {
                problems.push(Problem::KeyNotExportable)
            }
            Some(_) => {}
        }
        if s.not_before > self.now {
            problems.push(Problem::NotYetValid(s.not_before));
        }
        if s.not_after < self.now {
            problems.push(Problem::Expired(s.not_after));
        }
        if !s
            .eku
            .iter()
            .any(|e| e == "serverAuth" || e == "anyExtendedKeyUsage")
        {
            problems.push(Problem::NoServerAuth);
        }
        if usage == UsageType::AccessEdgeExternal
            && self.topology.public_im_federation
            && !s.eku.iter().any(|e| e == "clientAuth")
        {
            problems.push(Problem::NoClientAuth);
        }
        let weak_rsa = s.key.starts_with("RSA") && s.key_bits < 2048;
        if weak_rsa && usage == UsageType::OAuthTokenIssuer {
            problems.push(Problem::KeyTooSmall {
                bits: s.key_bits,
                minimum: 2048,
            });
        }
        match s.signature.as_str() {
            "md5WithRSAEncryption" | "md2WithRSAEncryption" => {
                problems.push(Problem::BrokenSignature(s.signature.clone()))
            }
            "rsassaPss" => problems.push(Problem::RsaPss),
            _ => {}
        }
        // The Edge internal interface may use a wildcard certificate (DOMAIN.md §3).
        if usage != UsageType::Internal
            && s.subject_cn.as_deref().is_some_and(|cn| cn.contains('*'))
        {
            problems.push(Problem::WildcardSubject);
        }
        self.check_names(cert, usage, &mut problems);
        self.check_chain(cert, &mut problems);
        let mut warnings = Vec::new();
        if weak_rsa && usage != UsageType::OAuthTokenIssuer {
            warnings.push(Problem::WeakKey(s.key_bits));
        }
        if s.signature.starts_with("sha1") || s.signature == "ecdsa-with-SHA1" {
            warnings.push(Problem::Sha1Signature);
        }
        if s.not_after < self.now + 30 * 86_400 && s.not_after >= self.now {
            warnings.push(Problem::ExpiresSoon(s.not_after));
        }
        if problems.is_empty() {
            return Ok(ValidAssignment {
                usage,
                thumbprint: s.thumbprint.clone(),
                warnings,
            });
        }
        problems.extend(warnings);
        Err(problems)
    }

    fn check_names(&self, cert: &StoredCert, usage: UsageType, problems: &mut Vec<Problem>) {
        let s = &cert.summary;
        let dns: Vec<&str> = s.dns_names().collect();
        let inspection = sans::inspect(&dns, &[usage], self.topology);
        if let Some(gap) = inspection.gaps.first() {
            problems.push(Problem::Topology(gap.to_string()));
            return;
        }
        let rows = inspection.rows;
        // The refused wildcards first, then the missing names, as the inspector lists them.
        for row in rows
            .iter()
            .filter(|r| r.state == NameState::WildcardNotAllowed)
        {
            problems.push(Problem::WildcardSan {
                name: row.name.clone(),
                usage,
            });
        }
        for row in rows.iter().filter(|r| r.state == NameState::Missing) {
            problems.push(Problem::MissingSan(row.name.clone()));
        }
        if usage == UsageType::Internal
            && let Ok(expected) = names::subject_for(usage, self.topology)
        {
            // Named exactly, or by a wildcard that covers the name.
            let named = s
                .subject_cn
                .as_deref()
                .is_some_and(|cn| sans::covers(cn, &expected))
                || dns.iter().any(|d| sans::covers(d, &expected));
            if !named {
                problems.push(Problem::InternalNotNamed(expected));
            }
        }
        if matches!(
            usage,
            UsageType::Default | UsageType::WebServicesInternal | UsageType::WebServicesExternal
        ) && !s
            .subject_cn
            .as_deref()
            .is_some_and(|cn| cn.eq_ignore_ascii_case(self.topology.pool()))
        {
            problems.push(Problem::SubjectNotPool(self.topology.pool().to_owned()));
        }
    }

    fn check_chain(&self, cert: &StoredCert, problems: &mut Vec<Problem>) {
        let mut errors: Vec<Problem> = Vec::new();
        let path = self.index.path(cert);
        let Some(top) = path.last() else { return };
        let mut ders = Vec::with_capacity(path.len());
        for link in &path {
            match self.store.der(link.id) {
                Ok(der) => ders.push(der),
                Err(e) => {
                    problems.push(Problem::Store(e.to_string()));
                    return;
                }
            }
        }
        // Link by link, with signatures.
        for (i, pair) in path.windows(2).enumerate() {
            let (child, issuer) = (pair[0], pair[1]);
            if !signature_verifies(&ders[i], &ders[i + 1]) {
                errors.push(Problem::BadSignature {
                    child: child.summary.issued_to().to_owned(),
                    issuer: issuer.summary.issued_to().to_owned(),
                });
            }
            if !issuer.summary.is_time_valid(self.now) {
                errors.push(Problem::CaNotTimeValid(
                    issuer.summary.issued_to().to_owned(),
                ));
            }
        }
        let name = top.summary.issued_to().to_owned();
        if top.logical == Logical::Root {
            if !top.summary.self_signed {
                errors.push(Problem::IntermediateInRoot(name));
            }
        } else if top.summary.self_signed {
            errors.push(Problem::RootNotTrusted(name));
        } else {
            errors.push(Problem::ChainIncomplete {
                issuer: top.summary.issuer.clone(),
                of: name,
            });
        }
        if errors.is_empty()
            && let Err(e) = webpki_verdict(&ders, self.now)
        {
            // rustls-webpki's verdict for server authentication.
            errors.push(Problem::PathRefused(e.to_string()));
        }
        problems.extend(errors);
    }
}

fn signature_verifies(child: &[u8], issuer: &[u8]) -> bool {
    let (Ok((_, child)), Ok((_, issuer))) = (
        X509Certificate::from_der(child),
        X509Certificate::from_der(issuer),
    ) else {
        return false;
    };
    child.verify_signature(Some(issuer.public_key())).is_ok()
}

/// Verifies the path (leaf first, the trusted root last) with rustls-webpki.
fn webpki_verdict(ders: &[Vec<u8>], now: i64) -> Result<(), path::PathRefusal> {
    let Some((leaf, rest)) = ders.split_first() else {
        return Err(path::PathRefusal::Empty);
    };
    let Some((root, intermediates)) = rest.split_last() else {
        return Err(path::PathRefusal::NoCa);
    };
    let intermediates: Vec<&[u8]> = intermediates.iter().map(Vec::as_slice).collect();
    path::server_auth(leaf, &intermediates, &[root.as_slice()], now)
}
