//! What can go wrong while enrolling, requesting online, retrieving and renewing.

use crate::ca::CaError;
use crate::ca::OnlineError;
use crate::ca::acme::AcmeError;
use crate::deploy::request::RequestError;
use crate::deploy::topology::TopologyError;
use crate::ops::files::OutputError;
use crate::store::StoreError;

/// What can go wrong while enrolling.
#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The topology is missing or invalid.
    #[error(transparent)]
    Topology(#[from] TopologyError),
    /// The request is invalid.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The CSR file cannot be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The built-in CA failed.
    #[error(transparent)]
    Ca(#[from] CaError),
    /// Key generation or CSR signing failed.
    #[error("the key or the request could not be generated: {0}")]
    Generate(RequestError),
    /// The built-in CA would be created, and its root trusted, without the user's consent.
    #[error(
        "the built-in CA does not exist in this store yet, and creating it puts its root certificate in Trusted Roots: agree to that first"
    )]
    RootNotAgreed,
    /// What was to be trusted as an issued chain's root is not a self-signed CA.
    #[error("{0} is not a self-signed root CA certificate, so it is not put in Trusted Roots")]
    NotARoot(String),
    /// The AD CS CA does not let the user enroll the template asked for: nothing was sent.
    #[error(
        "the CA {ca} does not let this user enroll a template named \"{template}\", so nothing was sent to it; {offered}"
    )]
    UnknownTemplate {
        /// The connection's name.
        ca: String,
        /// The template asked for (escaped).
        template: String,
        /// The templates it offers, as a phrase.
        offered: String,
    },
    /// No pending request has that id.
    #[error("there is no pending request {0} in this location")]
    NoSuchRequest(i64),
    /// An ACME CA failed or refused.
    #[error(transparent)]
    Acme(#[from] AcmeError),
    /// A SCEP or AD CS CA failed, refused the credentials, or denied the request.
    #[error(transparent)]
    Online(#[from] OnlineError),
    /// The request was not sent to an online CA, so there is nothing to retrieve.
    #[error(
        "request {0} was not sent to an online CA: import the CA's response with `certdesk import`"
    )]
    NotOnline(i64),
    /// A certificate that cannot be renewed, and why.
    #[error("{0} cannot be renewed: {1}")]
    NotRenewable(String, &'static str),
    /// The CA connection that holds a request was removed.
    #[error(
        "the CA connection {0} that holds this request no longer exists: add it again with `certdesk ca add`"
    )]
    CaGone(String),
}
