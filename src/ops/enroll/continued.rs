//! A request that waited (ACME DNS-01 records, a CA manager's approval) continued: what
//! polling said of it brought into its [`RequestOutcome`], one rule for the command line's
//! `--wait` and the window's Continue.

use super::{RequestOutcome, RequestStatus};
use crate::ops::retrieve::Polled;

/// What became of a continued request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Continued {
    /// Issued: the certificate's thumbprint (now in Personal).
    Issued(String),
    /// The CA still holds it.
    Waiting,
    /// Denied or failed: the CA's words or what went wrong, one sentence.
    Refused(String),
    /// Polling did not mention it: the request is gone (cleared, or held by no CA).
    Gone,
}

impl RequestOutcome {
    /// Brings what [`crate::ops::retrieve::poll`] said of this request into the outcome:
    /// issued (status and thumbprint set, the DNS records done with), still waiting, or
    /// refused; the outcome is unchanged unless it was issued.
    pub fn continue_with(&mut self, polled: &[Polled]) -> Continued {
        let Some(mine) = polled
            .iter()
            .find(|p| Some(p.request_id) == self.request_id)
        else {
            return Continued::Gone;
        };
        match (&mine.thumbprint, &mine.message) {
            (Some(thumbprint), _) => {
                self.thumbprint = Some(thumbprint.clone());
                self.status = RequestStatus::Issued;
                self.dns_records.clear();
                Continued::Issued(thumbprint.clone())
            }
            (None, Some(message)) => Continued::Refused(message.clone()),
            (None, None) => Continued::Waiting,
        }
    }
}
