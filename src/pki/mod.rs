//! Pure PKI objects: bytes in, values out. Certificates parsed once into summaries
//! ([`cert`]), private keys ([`key`]) and the sealing of secrets at rest ([`seal`]), key generation and
//! signing ([`keygen`]), every certificate file format ([`formats`]: sniffing, PEM,
//! PKCS#7, PKCS#12), object identifiers ([`oids`]), time formatting ([`timefmt`]) and the
//! roots a TLS client trusts ([`trust`]).
//!
//! Nothing here touches the store, the network, the terminal or the clock; it imports no
//! other certdesk module.

pub mod cert;
pub mod formats;
pub mod key;
pub mod keygen;
pub mod oids;
pub mod pointers;
pub mod seal;
pub mod timefmt;
pub mod trust;
