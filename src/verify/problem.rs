//! Why a certificate does not satisfy a usage (or what is doubtful about it), with the
//! evidence: the missing name, the expiry date, the CA that breaks the chain. Each renders
//! as one sentence fragment ("the SAN sip.fabrikam.com is missing"); the status view, the
//! assignment picker and the CLI all show that text, and code that needs the evidence (the
//! SAN inspector) matches on the variant.

use std::fmt;

use crate::deploy::usage::UsageType;
use crate::pki::timefmt::date;
use crate::store::Logical;

/// Whether a problem blocks the assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Severity {
    /// The certificate cannot be assigned.
    Error,
    /// It can, but the user should know.
    Warning,
}

/// One problem of a certificate for a usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Revoked by its issuer, or (when an answer is required) of unknown status: the
    /// sentence.
    Revoked(String),
    /// Warning: no revocation answer could be had (soft-fail): the sentence.
    RevocationUnknown(String),
    /// It is in the Current user location.
    UserLocation,
    /// It is not in Personal.
    NotPersonal(Logical),
    /// The store holds no private key for it.
    NoPrivateKey,
    /// A/V Authentication needs an exportable key.
    KeyNotExportable,
    /// Its validity starts later (Unix seconds).
    NotYetValid(i64),
    /// It expired (Unix seconds).
    Expired(i64),
    /// It lacks the Server Authentication EKU.
    NoServerAuth,
    /// Public IM federation needs Client Authentication.
    NoClientAuth,
    /// The usage needs a bigger RSA key.
    KeyTooSmall {
        /// The key's size.
        bits: u32,
        /// The usage's minimum.
        minimum: u32,
    },
    /// Signed with a broken hash (MD5, MD2).
    BrokenSignature(String),
    /// Signed with RSA-PSS, which Lync and Skype do not support.
    RsaPss,
    /// The subject name is a wildcard.
    WildcardSubject,
    /// A wildcard SAN where the usage allows none.
    WildcardSan {
        /// The SAN.
        name: String,
        /// The usage.
        usage: UsageType,
    },
    /// The topology cannot give the names to check.
    Topology(String),
    /// A name the usage needs is not among the SANs.
    MissingSan(String),
    /// Neither the subject nor a SAN names the Edge internal FQDN.
    InternalNotNamed(String),
    /// The subject must be the pool FQDN.
    SubjectNotPool(String),
    /// The store could not be read while checking.
    Store(String),
    /// A signature in the path does not verify.
    BadSignature {
        /// The certificate whose signature fails.
        child: String,
        /// The CA whose key it was checked with.
        issuer: String,
    },
    /// A CA in the path is expired or not yet valid.
    CaNotTimeValid(String),
    /// An intermediate CA sits in Trusted Roots.
    IntermediateInRoot(String),
    /// The path ends at a self-signed root that is not trusted.
    RootNotTrusted(String),
    /// The path stops at a certificate whose issuer is not in the store.
    ChainIncomplete {
        /// The missing issuer's name.
        issuer: String,
        /// The certificate it issued.
        of: String,
    },
    /// rustls-webpki refused the path for server authentication.
    PathRefused(String),
    /// The assigned certificate is no longer in the Computer location.
    Gone,
    /// Warning: RSA below 2048 bits.
    WeakKey(u32),
    /// Warning: signed with SHA-1.
    Sha1Signature,
    /// Warning: expires within 30 days (Unix seconds).
    ExpiresSoon(i64),
}

impl Problem {
    /// Whether it blocks the assignment.
    pub fn severity(&self) -> Severity {
        match self {
            Problem::WeakKey(_)
            | Problem::Sha1Signature
            | Problem::ExpiresSoon(_)
            | Problem::RevocationUnknown(_) => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// Whether it blocks the assignment.
    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Revoked(sentence) | Problem::RevocationUnknown(sentence) => {
                f.write_str(sentence)
            }
            Problem::UserLocation => f.write_str(
                "it is in the Current user location; only certificates of the Computer location can be assigned, so import it there",
            ),
            Problem::NotPersonal(logical) => write!(f, "it is in {}, not in Personal", logical.title()),
            Problem::NoPrivateKey => f.write_str("it has no private key in this store"),
            Problem::KeyNotExportable => f.write_str(
                "its private key is not exportable, but every Edge server of the pool must hold the same A/V certificate and key",
            ),
            Problem::NotYetValid(from) => write!(f, "it is not valid before {}", date(*from)),
            Problem::Expired(on) => write!(f, "it expired on {}", date(*on)),
            Problem::NoServerAuth => {
                f.write_str("it does not have the Server Authentication enhanced key usage")
            }
            Problem::NoClientAuth => {
                f.write_str("it lacks Client Authentication, which public IM federation needs")
            }
            Problem::KeyTooSmall { bits, minimum } => write!(
                f,
                "its key has {bits} bits; OAuthTokenIssuer needs at least {minimum}"
            ),
            Problem::BrokenSignature(alg) => write!(f, "it is signed with {alg}, which is broken"),
            Problem::RsaPss => f.write_str(
                "it is signed with RSA-PSS, which Lync Server and Skype for Business do not support",
            ),
            Problem::WildcardSubject => {
                f.write_str(
                    "its subject name is a wildcard, which only the Edge internal interface allows",
                )
            }
            Problem::WildcardSan { name, usage } => write!(
                f,
                "the wildcard SAN {name} is not allowed for {}",
                usage.title()
            ),
            Problem::Topology(e) => write!(f, "the topology does not allow this check: {e}"),
            Problem::MissingSan(name) => write!(f, "the SAN {name} is missing"),
            Problem::InternalNotNamed(fqdn) => write!(
                f,
                "neither its subject nor its SANs name the Edge internal FQDN {fqdn}"
            ),
            Problem::SubjectNotPool(pool) => {
                write!(f, "its subject name must be the pool FQDN {pool}")
            }
            Problem::Store(e) => write!(f, "the store could not be read: {e}"),
            Problem::BadSignature { child, issuer } => write!(
                f,
                "the signature of \"{child}\" does not verify with the key of \"{issuer}\""
            ),
            Problem::CaNotTimeValid(ca) => write!(
                f,
                "the CA certificate \"{ca}\" in its path is expired or not yet valid"
            ),
            Problem::IntermediateInRoot(ca) => write!(
                f,
                "the intermediate CA \"{ca}\" sits in Trusted Roots; move it to Intermediate CAs and trust its root instead"
            ),
            Problem::RootNotTrusted(root) => write!(f, "its root \"{root}\" is not in Trusted Roots"),
            Problem::ChainIncomplete { issuer, of } => write!(
                f,
                "its chain is incomplete: the issuer \"{issuer}\" of \"{of}\" is not in the store; import that CA certificate"
            ),
            Problem::PathRefused(e) => {
                write!(f, "path validation for server authentication failed: {e}")
            }
            Problem::Gone => f.write_str(
                "the assigned certificate is no longer in the Computer location's store",
            ),
            Problem::WeakKey(bits) => write!(f, "its key has only {bits} bits; 2048 is recommended"),
            Problem::Sha1Signature => {
                f.write_str("it is signed with SHA-1, which many clients no longer accept")
            }
            Problem::ExpiresSoon(on) => write!(f, "it expires on {}", date(*on)),
        }
    }
}

impl serde::Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The problems' sentences joined with `separator`.
pub fn join(problems: &[Problem], separator: &str) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(separator)
}
