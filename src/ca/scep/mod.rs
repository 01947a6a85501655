//! SCEP (RFC 8894): GetCACaps, GetCACert, PKCSReq with the challenge password in the CSR,
//! PENDING and polling with GetCertInitial (CertPoll), and the CertRep decrypted with the
//! request's own key.
//!
//! SCEP servers are usually plain HTTP: the messages are signed and encrypted themselves,
//! and the CertRep's signature is checked against the certificate GetCACert gave.

mod message;

use base64::Engine;

use self::message::{CertRep, Cipher, MessageType};
use super::OnlineError;
use crate::net::http::Client;
use crate::pki::cert::Certificate;
use crate::pki::formats::pkcs7;
use crate::pki::key::PrivateKey;
use crate::store::CaConnection;

/// The certificates a SCEP CA can return at most.
const MAX_CA_CERTS: usize = 16;

/// A request to a SCEP CA.
pub struct ScepRequest<'a> {
    /// The CSR, DER, with the challengePassword attribute when the CA wants one.
    pub csr_der: &'a [u8],
    /// The self-signed certificate of the request's key that signs the messages.
    pub signer_der: &'a [u8],
    /// The request's key (RSA: the CA encrypts its answer for it).
    pub key: &'a PrivateKey,
}

impl ScepRequest<'_> {
    /// The transaction ID: the request key's hash, as RFC 8894 suggests.
    pub fn transaction_id(&self) -> String {
        self.key.public_key_hash().to_owned()
    }
}

/// What the CA did.
pub enum Enrolled {
    /// Issued: the certificate first, then the CA's certificates.
    Issued(Vec<Vec<u8>>),
    /// Held for approval: poll later with the same key.
    Pending,
}

struct Session<'a> {
    ca: &'a CaConnection,
    client: Client,
}

impl<'a> Session<'a> {
    fn new(ca: &'a CaConnection) -> Result<Self, OnlineError> {
        Ok(Self {
            ca,
            client: Client::new(&ca.name, ca.ca_bundle.as_deref(), true)?,
        })
    }

    fn protocol(&self, message: impl Into<String>) -> OnlineError {
        OnlineError::Protocol {
            ca: self.ca.name.clone(),
            message: message.into(),
        }
    }

    fn operation_url(&self, operation: &str, message: Option<&str>) -> Result<String, OnlineError> {
        let mut url = url::Url::parse(&self.ca.url)
            .map_err(|e| self.protocol(format!("its URL {} is invalid ({e})", self.ca.url)))?;
        url.query_pairs_mut().append_pair("operation", operation);
        if let Some(message) = message {
            url.query_pairs_mut().append_pair("message", message);
        }
        Ok(url.into())
    }

    fn get(&self, operation: &str) -> Result<crate::net::http::Response, OnlineError> {
        let response = self
            .client
            .get(&self.operation_url(operation, None)?, &[])?;
        if response.status != 200 {
            return Err(self.protocol(format!("{operation} answered HTTP {}", response.status)));
        }
        Ok(response)
    }

    /// GetCACaps: whether PKIOperation may be POSTed, and the best cipher.
    fn caps(&self) -> Result<(bool, Cipher), OnlineError> {
        let text = self.get("GetCACaps")?.text();
        let caps: Vec<&str> = text.lines().map(str::trim).take(64).collect();
        let has = |cap: &str| caps.iter().any(|c| c.eq_ignore_ascii_case(cap));
        let cipher = if has("AES") || has("SCEPStandard") {
            Cipher::Aes128
        } else {
            Cipher::TripleDes
        };
        Ok((has("POSTPKIOperation") || has("SCEPStandard"), cipher))
    }

    /// GetCACert: the CA's certificate, or the CA's and its RA's (a PKCS#7).
    fn ca_certs(&self) -> Result<Vec<Vec<u8>>, OnlineError> {
        let response = self.get("GetCACert")?;
        let certs = if response.content_type == "application/x-x509-ca-ra-cert" {
            pkcs7::certificates(&response.body)
                .map_err(|e| self.protocol(format!("its GetCACert answer cannot be read: {e}")))?
        } else {
            vec![response.body]
        };
        let certs: Vec<Vec<u8>> = certs.into_iter().take(MAX_CA_CERTS).collect();
        if certs.is_empty() || certs.iter().any(|c| Certificate::from_der(c).is_err()) {
            return Err(self.protocol("its GetCACert answer is not a certificate"));
        }
        Ok(certs)
    }

    /// The certificate requests are encrypted for: the RA's (a certificate that is not a
    /// CA) when there is one, else the CA's.
    fn recipient<'c>(&self, certs: &'c [Vec<u8>]) -> &'c [u8] {
        certs
            .iter()
            .find(|c| Certificate::from_der(c).is_ok_and(|c| !c.summary().is_ca()))
            .unwrap_or(&certs[0])
    }

    fn exchange(
        &self,
        kind: MessageType,
        content: &[u8],
        request: &ScepRequest<'_>,
    ) -> Result<Enrolled, OnlineError> {
        let (post, cipher) = self.caps()?;
        let ca_certs = self.ca_certs()?;
        let transaction = request.transaction_id();
        let content = match kind {
            MessageType::PkcsReq => content.to_vec(),
            MessageType::CertPoll => message::issuer_and_subject(&ca_certs[0], request.signer_der)
                .map_err(|e| self.protocol(e.to_string()))?,
        };
        let (pki_message, nonce) = message::pki_message(
            kind,
            &content,
            self.recipient(&ca_certs),
            (request.signer_der, request.key),
            &transaction,
            cipher,
        )
        .map_err(|e| self.protocol(format!("the request cannot be built: {e}")))?;
        let response = if post {
            self.client.post(
                &self.operation_url("PKIOperation", None)?,
                &[("content-type", "application/x-pki-message")],
                pki_message,
            )?
        } else {
            let encoded = base64::engine::general_purpose::STANDARD.encode(&pki_message);
            self.client
                .get(&self.operation_url("PKIOperation", Some(&encoded))?, &[])?
        };
        if response.status != 200 {
            return Err(self.protocol(format!(
                "PKIOperation answered HTTP {}: {}",
                response.status,
                crate::text::message(&response.text())
            )));
        }
        let rep = message::cert_rep(
            &response.body,
            &ca_certs,
            request.key,
            (&transaction, &nonce),
        )
        .map_err(|e| self.protocol(format!("its CertRep cannot be used: {e}")))?;
        match rep {
            CertRep::Pending => Ok(Enrolled::Pending),
            CertRep::Failure(why) => Err(OnlineError::Denied {
                ca: self.ca.name.clone(),
                message: format!("FAILURE, {why}"),
            }),
            CertRep::Success(certs) => {
                let leaf = certs
                    .iter()
                    .find(|c| {
                        Certificate::from_der(c).is_ok_and(|c| {
                            c.summary().public_key_hash == request.key.public_key_hash()
                        })
                    })
                    .cloned()
                    .ok_or_else(|| {
                        self.protocol("it returned no certificate for the request's key")
                    })?;
                let cas: Vec<Vec<u8>> = ca_certs
                    .into_iter()
                    .filter(|c| {
                        *c != leaf && Certificate::from_der(c).is_ok_and(|c| c.summary().is_ca())
                    })
                    .collect();
                let mut chain = vec![leaf];
                chain.extend(cas);
                Ok(Enrolled::Issued(chain))
            }
        }
    }
}

/// Reaches the CA: its capabilities and its certificate (the CA's subject).
pub fn test(ca: &CaConnection) -> Result<String, OnlineError> {
    let session = Session::new(ca)?;
    session.caps()?;
    let certs = session.ca_certs()?;
    Certificate::from_der(&certs[0])
        .map(|c| c.summary().issued_to().to_owned())
        .map_err(|e| session.protocol(e.to_string()))
}

/// Sends a PKCSReq: issued, or pending (poll with [`poll`]).
pub fn enroll(ca: &CaConnection, request: &ScepRequest<'_>) -> Result<Enrolled, OnlineError> {
    rsa_only(ca, request)?;
    Session::new(ca)?.exchange(MessageType::PkcsReq, request.csr_der, request)
}

/// Asks about a pending request (GetCertInitial): issued, or still pending.
pub fn poll(ca: &CaConnection, request: &ScepRequest<'_>) -> Result<Enrolled, OnlineError> {
    rsa_only(ca, request)?;
    Session::new(ca)?.exchange(MessageType::CertPoll, &[], request)
}

fn rsa_only(ca: &CaConnection, request: &ScepRequest<'_>) -> Result<(), OnlineError> {
    if request.key.description().starts_with("RSA") {
        return Ok(());
    }
    Err(OnlineError::Protocol {
        ca: ca.name.clone(),
        message:
            "SCEP encrypts its answer for the request's key, which must be RSA: choose an RSA key"
                .into(),
    })
}
