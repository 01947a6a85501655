//! What an AD CS enterprise CA offers besides issuing: the templates the user may enroll
//! (`certdesk ca templates`, the wizard's template list, and the check of `--template`
//! before a request is sent), and its own chain, whose root is offered for trust as the
//! request's result page offers an issued chain's root (`ca test --trust-root`).

use super::cas::CaOpError;
use super::enroll::AltCredentials;
use super::enroll::error::EnrollError;
use super::online::{self, ChainRoot};
use crate::ca::OnlineError;
use crate::ca::certsrv::{self, Credentials, Template};
use crate::pki::cert::Certificate;
use crate::store::{CaConnection, CaKind, Location, Store};
use crate::text;

/// The most templates named in the sentence that refuses one.
const NAMED: usize = 12;

/// The AD CS connection `name`, refusing another kind of CA.
fn certsrv_ca(store: &Store, name: &str, what: &str) -> Result<CaConnection, CaOpError> {
    let ca = store.ca(name)?;
    if ca.kind != CaKind::Certsrv {
        return Err(CaOpError::Invalid(format!(
            "{name} is {} CA connection: only AD CS Web Enrollment has {what}",
            match ca.kind {
                CaKind::Acme => "an ACME",
                _ => "a SCEP",
            }
        )));
    }
    Ok(ca)
}

/// The templates the AD CS CA `name` lets the user enroll, as its Web Enrollment pages
/// list them, signed in with `given` credentials or the connection's.
pub fn templates(
    store: &Store,
    name: &str,
    given: Option<&AltCredentials>,
) -> Result<Vec<Template>, CaOpError> {
    let ca = certsrv_ca(store, name, "certificate templates")?;
    let secrets = store.ca_secrets(name)?;
    Ok(certsrv::templates(
        &ca,
        online::credentials(&ca, &secrets, given.map(AltCredentials::borrowed)),
    )?)
}

/// Checks, before a request is sent, that the CA lets the user enroll `template`: the
/// template's name as the CA spells it. A page that does not list templates (a standalone
/// CA, a page not AD CS's) cannot say: the request goes unchecked, with a warning; a CA
/// that cannot be reached fails here.
pub(super) fn check_template(
    ca: &CaConnection,
    credentials: Credentials<'_>,
    template: &str,
    warnings: &mut Vec<String>,
) -> Result<String, EnrollError> {
    let offered = match certsrv::templates(ca, credentials) {
        Ok(offered) => offered,
        Err(OnlineError::Protocol { message, .. }) => {
            warnings.push(format!(
                "the template {} was not checked before it was sent: {message}",
                text::escape(template)
            ));
            return Ok(template.to_owned());
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(found) = certsrv::find_template(&offered, template) {
        return Ok(found.name.clone());
    }
    Err(EnrollError::UnknownTemplate {
        ca: ca.name.clone(),
        template: text::escape(template).into_owned(),
        offered: offered_phrase(&offered),
    })
}

/// "the templates it offers: WebServer (Web Server), User", or that it offers none.
fn offered_phrase(offered: &[Template]) -> String {
    if offered.is_empty() {
        return "it offers this user none (its administrator gives Enroll permission on a \
                template)"
            .into();
    }
    let mut names: Vec<String> = offered
        .iter()
        .take(NAMED)
        .map(|t| {
            if t.display_name == t.name {
                t.name.clone()
            } else {
                format!("{} ({})", t.name, t.display_name)
            }
        })
        .collect();
    if offered.len() > NAMED {
        names.push(format!("and {} more", offered.len() - NAMED));
    }
    format!("the templates it offers: {}", names.join(", "))
}

/// The root CA that ends the AD CS CA `name`'s own chain (`certcarc.asp`,
/// `certnew.p7b`), when `location` does not trust it yet: what [`online::trust_root`] puts
/// in Trusted Roots when the user agrees.
pub fn untrusted_ca_root(
    store: &Store,
    name: &str,
    location: Location,
) -> Result<Option<ChainRoot>, CaOpError> {
    let ca = certsrv_ca(store, name, "an enterprise root to offer")?;
    let secrets = store.ca_secrets(name)?;
    let chain = certsrv::ca_chain(&ca, online::credentials(&ca, &secrets, None))?;
    let chain = chain
        .iter()
        .map(|der| Certificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| OnlineError::Protocol {
            ca: name.to_owned(),
            message: format!("its CA chain (certnew.p7b) cannot be read: {e}"),
        })?;
    Ok(online::untrusted_root(store, location, &chain)?.map(ChainRoot::of))
}
