//! The operating system's trust anchors (rustls-native-certs, which honours
//! `SSL_CERT_FILE` and `SSL_CERT_DIR`), read once per process. They count as Trusted Roots
//! of the Computer location for every chain check, the way Windows' Trusted Root store does,
//! and appear there marked as coming from the system: read-only, never stored, never
//! exported with a key. A store can turn them off (`certdesk store system-roots off`,
//! or `--no-system-roots` for one command).

use std::sync::OnceLock;

use super::rows::StoredCert;
use super::{Location, Logical};
use crate::pki::cert::Certificate;

/// The most system roots read (a real bundle holds a few hundred).
const MAX_ROOTS: usize = 4096;

/// The friendly name system roots show.
pub const SYSTEM_NAME: &str = "(trusted by the operating system)";

/// The system's roots: as rows (negative ids) and their DER.
pub struct SystemRoots {
    /// The rows, Computer \ Trusted Roots, `system` set.
    pub certs: Vec<StoredCert>,
    ders: Vec<Vec<u8>>,
}

impl SystemRoots {
    /// The DER of the system root with row id `id` (negative).
    pub fn der(&self, id: i64) -> Option<&[u8]> {
        let index = usize::try_from(-id - 1).ok()?;
        self.ders.get(index).map(Vec::as_slice)
    }

    /// The system root with this thumbprint or unique prefix (upper-case hex).
    pub fn find(&self, prefix: &str) -> Vec<&StoredCert> {
        self.certs
            .iter()
            .filter(|c| c.summary.thumbprint.starts_with(prefix))
            .take(2)
            .collect()
    }
}

/// The roots, read on first use.
pub fn roots() -> &'static SystemRoots {
    static ROOTS: OnceLock<SystemRoots> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        let mut certs = Vec::new();
        let mut ders = Vec::new();
        for der in found.certs.into_iter().take(MAX_ROOTS) {
            let Ok(cert) = Certificate::from_der(&der) else {
                continue;
            };
            if certs
                .iter()
                .any(|c: &StoredCert| c.summary.thumbprint == cert.summary().thumbprint)
            {
                continue;
            }
            let (der, summary) = cert.into_parts();
            let id = -(i64::try_from(certs.len()).unwrap_or(i64::MAX - 1) + 1);
            certs.push(StoredCert {
                id,
                location: Location::Computer,
                logical: Logical::Root,
                summary,
                friendly_name: SYSTEM_NAME.to_owned(),
                added: 0,
                key: None,
                issuing_ca: None,
                system: true,
            });
            ders.push(der);
        }
        SystemRoots { certs, ders }
    })
}
