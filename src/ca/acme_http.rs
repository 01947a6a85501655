//! The HTTP client instant-acme is given: the one stack of [`crate::net::http`], with its
//! time-out on each exchange and its size limit on each answer (instant-acme's own client
//! reads whatever it is sent).

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use instant_acme::{BodyWrapper, BytesResponse};

use crate::net::http::{Failed, MAX_BODY, STEP, answer, connector};

/// instant-acme's HTTP client: [`STEP`] on each exchange, [`MAX_BODY`] on each answer.
pub struct AcmeHttp(HyperClient<HttpsConnector<HttpConnector>, BodyWrapper<Bytes>>);

impl AcmeHttp {
    /// A client trusting `config`'s roots, https only.
    pub fn new(config: rustls::ClientConfig) -> Self {
        Self(HyperClient::builder(TokioExecutor::new()).build(connector(config, false)))
    }
}

impl instant_acme::HttpClient for AcmeHttp {
    fn request(
        &self,
        req: http::Request<BodyWrapper<Bytes>>,
    ) -> Pin<Box<dyn Future<Output = Result<BytesResponse, instant_acme::Error>> + Send>> {
        let sent = self.0.request(req);
        Box::pin(async move {
            match answer(sent, (STEP, MAX_BODY)).await {
                Ok((parts, body)) => Ok(BytesResponse {
                    parts,
                    body: Box::new(body),
                }),
                // The innermost cause stays reachable, as instant-acme's own client gives it.
                Err(Failed::Connect(e)) => Err(instant_acme::Error::Other(e)),
                Err(other) => Err(instant_acme::Error::Other(Box::new(other))),
            }
        })
    }
}
