//! The equivalent command line of each operation, as the activity log shows it: what an
//! administrator would type to script what they just did. Passwords never appear; a
//! password source is shown as a placeholder.

use super::import::ImportPlan;
use super::store::Location;

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

fn base(location: Location) -> String {
    format!("certdesk --location {}", location.as_str())
}

/// `certdesk import ...` for a plan.
pub fn import(source: &str, plan: &ImportPlan) -> String {
    let mut cmd = format!("{} import {}", base(plan.options.location), quote(source));
    if plan.password_used {
        cmd.push_str(" --password-file <password-file>");
    }
    if !plan.keys.is_empty() {
        cmd.push_str(&format!(" --exportable {}", plan.options.exportable));
    }
    if plan.options.trust_root {
        cmd.push_str(" --trust-root");
    }
    cmd
}

/// `certdesk remove THUMBPRINT`.
pub fn remove(location: Location, thumbprint: &str) -> String {
    format!("{} remove {thumbprint}", base(location))
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
