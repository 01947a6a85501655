//! How the window words numbers and kinds, in one place for every view and dialog.

use crate::store::CaKind;

/// "1 certificate", "2 certificates".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How the window names a CA's protocol.
pub fn kind_title(kind: CaKind) -> &'static str {
    match kind {
        CaKind::Acme => "ACME",
        CaKind::Scep => "SCEP",
        CaKind::Certsrv => "AD CS Web Enrollment",
    }
}
