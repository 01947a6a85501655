//! How the window words numbers and kinds, in one place for every view and dialog.

use crate::store::CaKind;

pub use crate::ops::words::count;

/// A sentence of the model (lower-case, without a full stop, as the command line prints it
/// after "warning: ") as a line of the window.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let first: String = chars
        .next()
        .map(char::to_uppercase)
        .into_iter()
        .flatten()
        .collect();
    let rest = chars.as_str();
    let stop = if rest.ends_with(['.', '!', '?']) {
        ""
    } else {
        "."
    };
    format!("{first}{rest}{stop}")
}

/// How the window names a CA's protocol.
pub fn kind_title(kind: CaKind) -> &'static str {
    match kind {
        CaKind::Acme => "ACME",
        CaKind::Scep => "SCEP",
        CaKind::Certsrv => "AD CS Web Enrollment",
    }
}
