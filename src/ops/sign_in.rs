//! Who an AD CS Web Enrollment connection will sign in as, said before anything is sent
//! (the request wizard's Certificate Authority Account page, `certdesk ca identity`): the
//! alternate user given for one request, the connection's user with its stored password,
//! or the Kerberos ticket in the user's cache, read without reaching any server.

use crate::ca::{OnlineError, auth};
use crate::store::{AuthChoice, CaConnection, CaKind};

/// Who a connection signs in as.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SignInIdentity {
    /// The user or Kerberos principal, when there is one.
    pub user: Option<String>,
    /// Whether it has what it needs to sign in (a password, or a valid ticket).
    pub ready: bool,
    /// One line: "as alice@EXAMPLE.TEST, Kerberos ticket found".
    pub words: String,
}

/// Who `ca` signs in as, with `alternate` the user given for one request (its password
/// given with it).
pub fn sign_in_identity(ca: &CaConnection, alternate: Option<&str>) -> SignInIdentity {
    let alternate = alternate.map(str::trim).filter(|u| !u.is_empty());
    if ca.kind != CaKind::Certsrv {
        return SignInIdentity {
            user: None,
            ready: true,
            words: "no user: this CA is not AD CS Web Enrollment".into(),
        };
    }
    if let Some(user) = alternate {
        return SignInIdentity {
            user: Some(user.to_owned()),
            ready: true,
            words: format!("as {user}, with the password given for this request"),
        };
    }
    if let Some(user) = &ca.username {
        return SignInIdentity {
            user: Some(user.clone()),
            ready: true,
            words: format!("as {user}, with the password kept encrypted in this store"),
        };
    }
    if matches!(ca.auth, AuthChoice::Basic | AuthChoice::Ntlm) {
        return SignInIdentity {
            user: None,
            ready: false,
            words: "no user: NTLM and Basic need a user and password".into(),
        };
    }
    match auth::ticket_principal(&ca.name) {
        Ok(principal) => SignInIdentity {
            words: format!("as {principal}, Kerberos ticket found"),
            user: Some(principal),
            ready: true,
        },
        Err(OnlineError::TicketExpired { principal, .. }) => SignInIdentity {
            words: format!(
                "the Kerberos ticket of {principal} has expired: run kinit again, or give a user and password"
            ),
            user: Some(principal),
            ready: false,
        },
        Err(OnlineError::NoTicket { .. }) => SignInIdentity {
            user: None,
            ready: false,
            words: "no ticket: give a user and password (or run kinit)".into(),
        },
        Err(other) => SignInIdentity {
            user: None,
            ready: false,
            words: other.to_string(),
        },
    }
}
