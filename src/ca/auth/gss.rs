//! Kerberos and NTLM through the system's GSSAPI (MIT Kerberos, with the gss-ntlmssp
//! mechanism for NTLM): the credentials (the user's ticket cache, or a ticket or NTLM
//! credential got with a password, kept in memory only), the client contexts with the
//! channel bindings, and what each failure means as one sentence.

use libgssapi::context::{ClientCtx, CtxFlags, SecurityContext};
use libgssapi::credential::{Cred, CredUsage};
use libgssapi::error::{Error, MajorFlags};
use libgssapi::name::Name;
use libgssapi::oid::{
    GSS_MECH_KRB5, GSS_MECH_SPNEGO, GSS_NT_HOSTBASED_SERVICE, GSS_NT_KRB5_PRINCIPAL,
    GSS_NT_USER_NAME, Oid, OidSet,
};

use zeroize::Zeroizing;

use crate::ca::OnlineError;
use crate::text;

/// The NTLM security support provider's mechanism (1.3.6.1.4.1.311.2.2.10).
static GSS_MECH_NTLMSSP: Oid<'static> =
    Oid::from_slice(b"\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a");

/// The Debian and Fedora package that gives MIT Kerberos the NTLM mechanism.
pub const NTLM_PACKAGE: &str = "gss-ntlmssp";

/// How a context is spoken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mech {
    /// Kerberos tokens in the `Negotiate` scheme.
    Kerberos,
    /// NTLM inside SPNEGO, in the `Negotiate` scheme.
    NtlmInNegotiate,
    /// NTLM in the `NTLM` scheme.
    Ntlm,
}

/// A client's credential for one mechanism, and who it is.
pub struct Credential {
    cred: Cred,
    mech: Mech,
    /// The principal or user name.
    pub who: String,
}

fn set(mech: Oid<'static>) -> Result<OidSet, Error> {
    OidSet::singleton(mech)
}

/// The Kerberos credential in the user's ticket cache (kinit, SSSD, `KRB5CCNAME`).
pub fn ticket(ca: &str) -> Result<Credential, OnlineError> {
    let acquired = set(GSS_MECH_KRB5)
        .and_then(|mechs| Cred::acquire(None, None, CredUsage::Initiate, Some(&mechs)));
    let cred = acquired.map_err(|e| failure(ca, "", &e))?;
    let who = cred
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "the ticket's principal".into());
    match cred.lifetime() {
        Ok(left) if !left.is_zero() => Ok(Credential {
            cred,
            mech: Mech::Kerberos,
            who,
        }),
        _ => Err(OnlineError::TicketExpired {
            ca: ca.to_owned(),
            principal: who,
        }),
    }
}

/// A credential got with a password: a Kerberos ticket for `user@REALM`, or an NTLM
/// credential for `DOMAIN\user` (the NTLM hash is computed when the server's challenge
/// comes).
pub fn with_password(
    ca: &str,
    mech: Mech,
    user: &str,
    password: &str,
) -> Result<Credential, OnlineError> {
    let (kind, oid) = match mech {
        Mech::Kerberos => (GSS_NT_KRB5_PRINCIPAL, GSS_MECH_KRB5),
        Mech::Ntlm => (GSS_NT_USER_NAME, GSS_MECH_NTLMSSP),
        Mech::NtlmInNegotiate => (GSS_NT_USER_NAME, GSS_MECH_SPNEGO),
    };
    // gss-ntlmssp reads the password as a C string (to its NUL), MIT Kerberos by its length.
    let password = if mech == Mech::Kerberos {
        Zeroizing::new(password.to_owned())
    } else {
        Zeroizing::new(format!("{password}\0"))
    };
    let password = password.as_str();
    if mech != Mech::Kerberos {
        // Whether the NTLM mechanism is installed at all: SPNEGO would otherwise go on
        // without it.
        let probe = Name::new(user.as_bytes(), Some(kind)).and_then(|name| {
            Cred::acquire_with_password(
                Some(&name),
                password,
                None,
                CredUsage::Initiate,
                Some(&set(GSS_MECH_NTLMSSP)?),
            )
        });
        if let Err(e) = probe {
            if is(e.major, MajorFlags::GSS_S_BAD_MECH) {
                return Err(OnlineError::NoNtlm {
                    ca: ca.to_owned(),
                    package: NTLM_PACKAGE,
                });
            }
            return Err(failure(ca, user, &e));
        }
    }
    let cred = Name::new(user.as_bytes(), Some(kind))
        .and_then(|name| {
            Cred::acquire_with_password(
                Some(&name),
                password,
                None,
                CredUsage::Initiate,
                Some(&set(oid)?),
            )
        })
        .map_err(|e| failure(ca, user, &e))?;
    Ok(Credential {
        cred,
        mech,
        who: user.to_owned(),
    })
}

/// A context in progress with the server `HTTP@host`.
pub struct Context {
    ctx: ClientCtx,
    mech: Mech,
    ca: String,
    who: String,
}

impl Context {
    /// A new context for `credential` with the service `HTTP@host`, mutual
    /// authentication asked.
    pub fn new(ca: &str, credential: &Credential, host: &str) -> Result<Self, OnlineError> {
        let target = Name::new(
            format!("HTTP@{host}").as_bytes(),
            Some(GSS_NT_HOSTBASED_SERVICE),
        )
        .map_err(|e| failure(ca, &credential.who, &e))?;
        let mech = match credential.mech {
            Mech::Kerberos => GSS_MECH_KRB5,
            Mech::Ntlm => GSS_MECH_NTLMSSP,
            Mech::NtlmInNegotiate => GSS_MECH_SPNEGO,
        };
        let flags = CtxFlags::GSS_C_MUTUAL_FLAG | CtxFlags::GSS_C_SEQUENCE_FLAG;
        Ok(Self {
            ctx: ClientCtx::new(Some(credential.cred.clone()), target, flags, Some(mech)),
            mech: credential.mech,
            ca: ca.to_owned(),
            who: credential.who.clone(),
        })
    }

    /// The next token to send, given the server's last one (none at first) and the
    /// connection's channel bindings; `None` once the context is complete.
    pub fn step(
        &mut self,
        server: Option<&[u8]>,
        binding: &[u8],
    ) -> Result<Option<Vec<u8>>, OnlineError> {
        self.ctx
            .step(server, Some(binding))
            .map(|token| token.map(|t| t.to_vec()))
            .map_err(|e| failure(&self.ca, &self.who, &e))
    }

    /// Whether the context is complete with the server's identity proved (Kerberos'
    /// mutual authentication); NTLM has none to prove.
    pub fn proved(&self) -> bool {
        let open = self.ctx.is_complete();
        match self.mech {
            Mech::Kerberos => {
                open && self
                    .ctx
                    .flags()
                    .is_ok_and(|f| f.contains(CtxFlags::GSS_C_MUTUAL_FLAG))
            }
            Mech::Ntlm | Mech::NtlmInNegotiate => open,
        }
    }
}

/// Whether a major status is the routine error `error`: the routine errors are numbers in
/// one field of the status, not bits (GSS_S_FAILURE, 13, holds the bits of 4 and 1).
fn is(major: MajorFlags, error: MajorFlags) -> bool {
    const ROUTINE: u32 = 0x00ff_0000;
    major.bits() & ROUTINE == error.bits()
}

/// MIT Kerberos' error codes (the minor status of a failed call), from `krb5.h`.
mod krb5 {
    pub const C_PRINCIPAL_UNKNOWN: i32 = -1765328378;
    pub const S_PRINCIPAL_UNKNOWN: i32 = -1765328377;
    pub const CLIENT_REVOKED: i32 = -1765328366;
    pub const KEY_EXP: i32 = -1765328361;
    pub const PREAUTH_FAILED: i32 = -1765328360;
    pub const BAD_INTEGRITY: i32 = -1765328353;
    pub const TKT_EXPIRED: i32 = -1765328352;
    pub const TKT_NYV: i32 = -1765328351;
    pub const SKEW: i32 = -1765328347;
    pub const CC_NOTFOUND: i32 = -1765328243;
    pub const REALM_UNKNOWN: i32 = -1765328230;
    pub const KDC_UNREACH: i32 = -1765328228;
    pub const FCC_NOFILE: i32 = -1765328189;
    pub const REALM_CANT_RESOLVE: i32 = -1765328164;
}

/// The sentence of a failed GSSAPI call for `who` (a user, or empty for the ticket cache).
pub fn failure(ca: &str, who: &str, e: &Error) -> OnlineError {
    classify(ca, who, e.major, e.minor, || text::message(&e.to_string()))
}

fn classify(
    ca: &str,
    who: &str,
    major: MajorFlags,
    minor: u32,
    words: impl FnOnce() -> String,
) -> OnlineError {
    let ca = ca.to_owned();
    let who = who.to_owned();
    // The minor status is MIT's signed error code carried in an unsigned word.
    match minor as i32 {
        krb5::PREAUTH_FAILED | krb5::BAD_INTEGRITY => OnlineError::WrongPassword { ca, user: who },
        krb5::C_PRINCIPAL_UNKNOWN | krb5::CLIENT_REVOKED | krb5::KEY_EXP => {
            OnlineError::BadCredentials {
                ca,
                message: format!("the KDC does not accept the user {who}"),
            }
        }
        // A ticket not yet valid is a clock behind the KDC's.
        krb5::SKEW | krb5::TKT_NYV => OnlineError::ClockSkew { ca },
        krb5::KDC_UNREACH | krb5::REALM_UNKNOWN | krb5::REALM_CANT_RESOLVE => {
            OnlineError::KdcUnreachable { ca, message: words() }
        }
        krb5::TKT_EXPIRED => OnlineError::TicketExpired { ca, principal: who },
        krb5::FCC_NOFILE | krb5::CC_NOTFOUND => OnlineError::NoTicket { ca },
        krb5::S_PRINCIPAL_UNKNOWN => OnlineError::Kerberos {
            ca,
            message: "the KDC knows no service principal HTTP/ for the server's host name (reach the server by the name its SPN has)".into(),
        },
        _ if is(major, MajorFlags::GSS_S_CREDENTIALS_EXPIRED) => {
            OnlineError::TicketExpired { ca, principal: who }
        }
        _ if is(major, MajorFlags::GSS_S_NO_CRED) && who.is_empty() => {
            OnlineError::NoTicket { ca }
        }
        _ if is(major, MajorFlags::GSS_S_BAD_BINDINGS) => OnlineError::BindingRefused { ca },
        _ => OnlineError::Kerberos { ca, message: words() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(major: MajorFlags, minor: i32) -> String {
        classify("corp", "alice@EXAMPLE.TEST", major, minor as u32, || {
            "words".into()
        })
        .to_string()
    }

    #[test]
    fn kerberos_failures_are_told_apart() {
        let failure = MajorFlags::GSS_S_FAILURE;
        assert!(sentence(failure, krb5::SKEW).contains("clock"));
        assert!(sentence(failure, krb5::TKT_NYV).contains("clock"));
        assert!(sentence(failure, krb5::KDC_UNREACH).contains("KDC"));
        assert!(sentence(failure, krb5::PREAUTH_FAILED).contains("password"));
        assert!(sentence(failure, krb5::TKT_EXPIRED).contains("expired"));
        assert!(sentence(failure, krb5::FCC_NOFILE).contains("kinit"));
        assert!(sentence(MajorFlags::GSS_S_CREDENTIALS_EXPIRED, 0).contains("expired"));
        assert!(sentence(failure, 7).contains("words"));
        assert!(sentence(MajorFlags::GSS_S_BAD_BINDINGS, 0).contains("channel binding"));
    }
}
