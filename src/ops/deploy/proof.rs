//! The proof of a deploy: the target's `HOST:PORT` probed (the handshake of
//! [`crate::net::probe`]) until the certificate it serves is the one deployed, within the
//! target's bound. A server that serves another one, or none, at the end fails the proof.

use std::time::Duration;

use crate::net::deadline::Deadline;
use crate::net::probe::{self, Target};
use crate::pki::cert::thumbprint;

/// How long to wait between two probes.
const PAUSE: Duration = Duration::from_millis(500);

/// What the last probe saw when the proof failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// Another certificate (its thumbprint).
    Other(String),
    /// No certificate: the sentence of the probe's failure.
    Nothing(String),
}

/// Probes `target` until it serves the certificate `wanted` (a thumbprint), at most
/// `within`; what it served last when it never did.
pub fn prove(target: &Target, wanted: &str, within: Duration) -> Result<(), Seen> {
    let deadline = Deadline::after(within);
    loop {
        let attempt = deadline.within(probe::TIME_OUT);
        let seen = match probe::served_chain(target, attempt) {
            Ok((chain, _)) => match chain.first().map(|leaf| thumbprint(leaf)) {
                Some(served) if served.eq_ignore_ascii_case(wanted) => return Ok(()),
                Some(served) => Seen::Other(served),
                None => Seen::Nothing("it served no certificate".into()),
            },
            Err(e) => Seen::Nothing(e.to_string()),
        };
        match deadline.step(PAUSE) {
            Some(pause) if pause == PAUSE => std::thread::sleep(pause),
            _ => return Err(seen),
        }
    }
}
