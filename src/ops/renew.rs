//! Renewal (`certdesk renew`, the GUI's *Renew…*): a new certificate with the same
//! subject, SANs, template and friendly name, with the same key unless a new one is asked
//! for (Windows' "Renew with the same key"), sent to the CA that issued the old one. The
//! result is ready to roll onto the usages the old one holds.

use super::enroll::{Delivery, EnrollError, OnlineOptions, RequestOutcome, submit_as};
use crate::deploy::request::{RequestInput, RequestSpec};
use crate::deploy::usage::UsageType;
use crate::ops::command_line;
use crate::pki::keygen::{HashAlgorithm, KeyAlgorithm};
use crate::store::{Location, Logical, Store};

/// What to renew, and how.
#[derive(Debug, Clone)]
pub struct Renewal {
    /// The certificate (SHA-1 thumbprint or a unique prefix).
    pub thumbprint: String,
    /// The CA to send it to (default: the one that issued it).
    pub ca: Option<String>,
    /// A new key instead of the certificate's own.
    pub new_key: bool,
    /// How an online CA is reached.
    pub options: OnlineOptions,
}

/// What a renewal gave.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RenewOutcome {
    /// The request's outcome (issued, or pending with the CA).
    #[serde(flatten)]
    pub request: RequestOutcome,
    /// The renewed certificate.
    pub renews: String,
    /// The CA it went to.
    pub ca: String,
    /// The usages the old certificate holds, which the new one is ready to take over.
    pub usages: Vec<UsageType>,
}

/// The key algorithm of a stored key's description (`RSA 2048`, `ECDSA P-384`).
fn algorithm(description: &str) -> KeyAlgorithm {
    if description.ends_with("P-256") {
        KeyAlgorithm::P256
    } else if description.ends_with("P-384") {
        KeyAlgorithm::P384
    } else {
        let bits = description
            .strip_prefix("RSA ")
            .and_then(|b| b.parse().ok())
            .unwrap_or(2048);
        KeyAlgorithm::Rsa(bits)
    }
}

/// Renews a certificate of Personal.
pub fn renew(
    store: &mut Store,
    location: Location,
    renewal: &Renewal,
    now: i64,
) -> Result<RenewOutcome, EnrollError> {
    let cert = store.find(location, &renewal.thumbprint)?;
    let thumbprint = cert.summary.thumbprint.clone();
    if cert.logical != Logical::Personal {
        return Err(EnrollError::NotRenewable(
            thumbprint,
            "only a certificate of Personal can be renewed",
        ));
    }
    let ca = match &renewal.ca {
        Some(ca) => ca.clone(),
        None => cert.issuing_ca.clone().ok_or(EnrollError::NotRenewable(
            thumbprint.clone(),
            "certdesk did not request it, so it does not know its CA: give --ca NAME",
        ))?,
    };
    let usages: Vec<_> = store
        .assignments()?
        .into_iter()
        .map(|a| a.at(now))
        .filter(|a| a.thumbprint == thumbprint)
        .map(|a| a.usage)
        .collect();
    let der = store.der(cert.id)?;
    let (mut input, names) = RequestInput::renewing(&der, usages.clone()).ok_or(
        EnrollError::NotRenewable(thumbprint.clone(), "it names no host"),
    )?;
    let key = match (&cert.key, renewal.new_key) {
        (Some(info), false) => {
            input.key = algorithm(&info.description);
            input.exportable = info.exportable;
            store.cert_key(&cert)?
        }
        (Some(info), true) => {
            input.key = algorithm(&info.description);
            input.exportable = info.exportable;
            None
        }
        (None, false) => {
            return Err(EnrollError::NotRenewable(
                thumbprint,
                "the store holds no private key for it: renew with a new key (--new-key)",
            ));
        }
        (None, true) => None,
    };
    if input.key == KeyAlgorithm::P384 {
        input.hash = HashAlgorithm::Sha384;
    }
    input.friendly_name.clone_from(&cert.friendly_name);
    let spec = RequestSpec::with_names(input, names)?;
    let generated = spec
        .generate_with(key, now)
        .map_err(EnrollError::Generate)?;
    let delivery = match ca.as_str() {
        "builtin" => Delivery::BuiltinCa {
            trust_new_root: false,
        },
        name => Delivery::Online {
            ca: name.to_owned(),
            options: renewal.options.clone(),
        },
    };
    let command = format!(
        "{} renew {thumbprint} --ca {}{}",
        command_line::base(location),
        command_line::quote(&ca),
        if renewal.new_key { " --new-key" } else { "" }
    );
    let request = submit_as(
        store,
        &spec,
        generated,
        location,
        &delivery,
        Some(command),
        now,
    )?;
    Ok(RenewOutcome {
        request,
        renews: thumbprint,
        ca,
        usages,
    })
}
