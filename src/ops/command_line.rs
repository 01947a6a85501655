//! The pieces of the equivalent command line every operation logs: what an administrator
//! would type to script what they just did. Each verb's file builds its own command from
//! these (passwords never appear; a password source is a placeholder), so this file
//! imports no verb.

use crate::store::Location;

/// Quotes an argument for a POSIX shell when it needs quoting.
pub fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=,@+%".contains(&b));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// `certdesk --location L`, the start of a command that works on one location.
pub fn base(location: Location) -> String {
    format!("certdesk --location {}", location.as_str())
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(quote("/tmp/a.pfx"), "/tmp/a.pfx");
        assert_eq!(quote("my cert.pfx"), "'my cert.pfx'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }
}
