//! The equivalent command line of each operation, as the activity log shows it: what an
//! administrator would type to script what they just did. Passwords never appear; a
//! password source is shown as a placeholder.

use super::enroll::Delivery;
use super::export::{ExportFormat, ExportOptions};
use super::formats::pkcs12::PfxEncryption;
use super::import::ImportPlan;
use super::keygen::KeyAlgorithm;
use super::request::RequestSpec;
use super::rules::ValidAssignment;
use super::store::Location;
use super::usage::UsageType;

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

/// `certdesk rename THUMBPRINT NAME`.
pub fn rename(location: Location, thumbprint: &str, name: &str) -> String {
    format!("{} rename {thumbprint} {}", base(location), quote(name))
}

/// `certdesk remove THUMBPRINT`.
pub fn remove(location: Location, thumbprint: &str) -> String {
    format!("{} remove {thumbprint}", base(location))
}

/// `certdesk export ...` (the password as a placeholder).
pub fn export(location: Location, thumbprint: &str, file: &str, options: &ExportOptions) -> String {
    let mut cmd = format!(
        "{} export {thumbprint} --output {} --format {}",
        base(location),
        quote(file),
        options.format.as_str()
    );
    if options.format == ExportFormat::Pfx {
        cmd.push_str(" --password-file <password-file>");
        if !options.properties {
            cmd.push_str(" --no-properties");
        }
        if options.encryption == PfxEncryption::TripleDesSha1 {
            cmd.push_str(" --encryption 3des");
        }
        if options.delete_key {
            cmd.push_str(" --delete-key");
        }
    }
    if !options.include_chain && matches!(options.format, ExportFormat::Pfx | ExportFormat::P7b) {
        cmd.push_str(" --end-entity-only");
    }
    cmd
}

/// `certdesk assign --type ... --thumbprint ...` (assignments are of the Computer location).
pub fn assign(proofs: &[ValidAssignment], thumbprint: &str, roll: Option<i64>) -> String {
    let usages: Vec<&str> = proofs.iter().map(|p| p.usage().as_str()).collect();
    let mut cmd = format!(
        "certdesk assign --type {} --thumbprint {thumbprint}",
        usages.join(",")
    );
    if let Some(when) = roll {
        let date = super::timefmt::rfc3339(when);
        cmd.push_str(&format!(" --roll --effective-date {date}"));
    }
    cmd
}

/// `certdesk unassign --type T [--previous]`.
pub fn unassign(usage: UsageType, previous: bool) -> String {
    let mut cmd = format!("certdesk unassign --type {}", usage.as_str());
    if previous {
        cmd.push_str(" --previous");
    }
    cmd
}

/// `certdesk topology set FILE`.
pub fn topology_set(source: &str) -> String {
    format!("certdesk topology set {}", quote(source))
}

/// `certdesk requests --clear ID`.
pub fn clear_request(location: Location, id: i64) -> String {
    format!("{} requests --clear {id}", base(location))
}

/// `certdesk request ...` reproducing a request's choices. Individually ticked SIP
/// domains become `--domain-name sip.<domain>`, which yields the same names.
pub fn request(spec: &RequestSpec, location: Location, delivery: Delivery<'_>) -> String {
    let input = &spec.input;
    let usages: Vec<&str> = input.usages.iter().map(|u| u.as_str()).collect();
    let mut cmd = format!("{} request --type {}", base(location), usages.join(","));
    match delivery {
        Delivery::Delayed(Some(path)) => {
            cmd.push_str(&format!(" --output {}", quote(&path.display().to_string())));
        }
        Delivery::Delayed(None) => cmd.push_str(" --output <csr-file>"),
        Delivery::BuiltinCa => cmd.push_str(" --ca builtin"),
    }
    if !input.friendly_name.is_empty() {
        cmd.push_str(&format!(" --friendly-name {}", quote(&input.friendly_name)));
    }
    if let KeyAlgorithm::Rsa(bits) = input.key {
        cmd.push_str(&format!(" --key-size {bits}"));
    }
    cmd.push_str(&format!(
        " --key-alg {} --hash {} --exportable {}",
        input.key.cli_name(),
        input.hash.cli_name(),
        input.exportable
    ));
    for (flag, value) in [
        ("--org", &input.org),
        ("--ou", &input.ou),
        ("--country", &input.country),
        ("--state", &input.state),
        ("--city", &input.city),
    ] {
        if !value.is_empty() {
            cmd.push_str(&format!(" {flag} {}", quote(value)));
        }
    }
    let mut extra = input.names.extra.clone();
    if !input.names.sip_domains.is_empty() {
        extra.extend(input.names.sip_domains.iter().map(|d| format!("sip.{d}")));
    }
    if !extra.is_empty() {
        cmd.push_str(&format!(" --domain-name {}", quote(&extra.join(","))));
    }
    if input.client_eku {
        cmd.push_str(" --client-eku");
    }
    if input.template != "WebServer" {
        cmd.push_str(&format!(" --template {}", quote(&input.template)));
    }
    cmd
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
