//! The enrollment commands: `request`, `requests`, `topology show|set`.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::CliError;
use super::commands::{Context, print_json};
use super::password::PasswordArgs;
use super::terminal::{self, Stream, errln, outln};
use crate::ca::acme::{AcmeError, TxtRecord};
use crate::deploy::names::NameOptions;
use crate::deploy::request::{RequestInput, RequestSpec};
use crate::deploy::usage::UsageType;
use crate::ops::enroll::{
    self, AltCredentials, Continued, Delivery, EnrollError, Http01Answer, OnlineOptions,
    RequestOutcome,
};
use crate::ops::renew::{self, Renewal};
use crate::ops::retrieve;
use crate::ops::words;
use crate::pki::keygen::{HashAlgorithm, KeyAlgorithm};
use crate::store::Store;

/// `certdesk request` arguments (CLI.md).
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("delivery").required(true).args(["output", "ca"]))]
pub struct RequestArgs {
    /// Usage types, comma-separated (e.g. AccessEdgeExternal,DataEdgeExternal,AudioVideoAuthentication).
    #[arg(long = "type", value_name = "T[,T...]")]
    usages: String,
    /// Delayed request: save the CSR here and keep the key pending.
    #[arg(long, value_name = "CSR_FILE")]
    output: Option<PathBuf>,
    /// Immediate request: the CA that answers at once: `builtin`, or the name of an online CA
    /// (`certdesk ca list`). The store's first `--ca builtin` creates the built-in CA and
    /// puts its root in Computer's Trusted Roots.
    #[arg(long, value_name = "builtin|NAME")]
    ca: Option<String>,
    #[command(flatten)]
    online: OnlineArgs,
    /// Friendly name (generated when blank).
    #[arg(long, default_value = "")]
    friendly_name: String,
    /// RSA key size: 1024, 2048, 3072 or 4096.
    #[arg(long, default_value_t = 2048)]
    key_size: u32,
    /// Key algorithm: rsa, p256 or p384.
    #[arg(long, default_value = "rsa", value_parser = ["rsa", "p256", "p384"])]
    key_alg: String,
    /// Signature hash: sha256, sha384 or sha512 (ECDSA keys use their curve's hash).
    #[arg(long, value_parser = ["sha256", "sha384", "sha512"])]
    hash: Option<String>,
    /// Whether the private key may be exported later.
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set, value_name = "true|false")]
    exportable: bool,
    /// Organization (O).
    #[arg(long, default_value = "")]
    org: String,
    /// Organizational unit (OU).
    #[arg(long, default_value = "")]
    ou: String,
    /// Country (C), two letters.
    #[arg(long, default_value = "")]
    country: String,
    /// State or province (ST).
    #[arg(long, default_value = "")]
    state: String,
    /// City (L).
    #[arg(long, default_value = "")]
    city: String,
    /// Additional names, comma-separated.
    #[arg(long, value_name = "FQDN[,FQDN...]", default_value = "")]
    domain_name: String,
    /// Add sip.<domain> for every SIP domain of the topology.
    #[arg(long, conflicts_with = "sip_domain")]
    all_sip_domains: bool,
    /// Add sip.<domain> for exactly these SIP domains (default: every one for the Access
    /// Edge, none elsewhere).
    #[arg(long, value_name = "DOMAIN[,DOMAIN...]")]
    sip_domain: Option<String>,
    /// Add Client Authentication (public IM federation needs it).
    #[arg(long)]
    client_eku: bool,
    /// The CA template name.
    #[arg(long, default_value = "WebServer")]
    template: String,
}

/// How an online CA is reached (`request --ca NAME`, `renew`).
#[derive(Debug, clap::Args)]
pub struct OnlineArgs {
    /// ACME: the port that answers the HTTP-01 challenge (the CA connects to port 80 of
    /// each name; use another port behind a redirect or in tests).
    #[arg(long, default_value_t = 80)]
    http_port: u16,
    /// ACME: the address the HTTP-01 listener binds.
    #[arg(long, default_value = "0.0.0.0")]
    http_address: std::net::IpAddr,
    /// ACME: answer HTTP-01 with files in DIR/.well-known/acme-challenge/, which the site's
    /// own web server serves (instead of a listener of certdesk's).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["http_port", "http_address"])]
    webroot: Option<PathBuf>,
    /// ACME: answer DNS-01: the TXT records to create are printed and the request waits in
    /// Enrollment Requests; `requests --poll` continues once they exist.
    #[arg(long, conflicts_with = "webroot")]
    dns01: bool,
    /// ACME DNS-01: wait for a line on stdin (Enter, once the records exist) and continue
    /// at once instead of leaving the request for `requests --poll`.
    #[arg(long, requires = "dns01")]
    wait: bool,
    /// AD CS: sign in as this user instead of the connection's (password from
    /// --password-file, --password-env or a prompt).
    #[arg(long, value_name = "USER")]
    username: Option<String>,
    #[command(flatten)]
    password: PasswordArgs,
    /// When the issued chain ends in a root CA that is not in Trusted Roots, add it there
    /// (as `import --trust-root`); without it the certificate is stored, the root is
    /// named, and no usage can be assigned the certificate until the root is trusted.
    #[arg(long)]
    trust_root: bool,
}

impl OnlineArgs {
    /// The password of `--username`, from a file, the environment or a prompt.
    fn password(&self) -> Result<Option<Zeroizing<String>>, CliError> {
        let Some(user) = &self.username else {
            return Ok(None);
        };
        if let Some(p) = self.password.given()? {
            return Ok(Some(p));
        }
        self.password
            .prompt(&format!("Password of {user}: "))?
            .map(Some)
            .ok_or_else(|| {
                CliError::bad_input(
                    "give the password of --username with --password-file or --password-env (no terminal to ask on)",
                )
            })
    }

    /// The model's options, with the password of `--username` (read from a file, the
    /// environment or a prompt).
    fn options(&self) -> Result<OnlineOptions, CliError> {
        let password = self.password()?;
        Ok(OnlineOptions {
            http01: match &self.webroot {
                Some(dir) => Http01Answer::Webroot(dir.clone()),
                None => Http01Answer::Listen(std::net::SocketAddr::new(
                    self.http_address,
                    self.http_port,
                )),
            },
            dns01: self.dns01,
            credentials: self
                .username
                .clone()
                .zip(password)
                .map(|(username, password)| AltCredentials { username, password }),
            trust_root: self.trust_root,
            replaces: None,
        })
    }

    /// `--wait`: shows the DNS-01 records, waits for a line on stdin, and finishes the
    /// request (updating `outcome`).
    fn wait_for_records(
        &self,
        store: &mut Store,
        ctx: &Context,
        outcome: &mut RequestOutcome,
    ) -> Result<(), CliError> {
        if !self.wait || outcome.dns_records.is_empty() {
            return Ok(());
        }
        print_records(&outcome.dns_records, true);
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| CliError::bad_input(format!("cannot read stdin: {e}")))?;
        let id = outcome.request_id.unwrap_or_default();
        let polled = retrieve::poll(store, ctx.location, Some(id), now()).map_err(enroll_error)?;
        match outcome.continue_with(&polled) {
            Continued::Issued(_) | Continued::Waiting => Ok(()),
            Continued::Refused(message) => Err(CliError::refused(message)),
            Continued::Gone => Err(CliError::refused("the request is gone")),
        }
    }
}

/// `certdesk renew` arguments.
#[derive(Debug, clap::Args)]
pub struct RenewArgs {
    /// The certificate of Personal to renew (SHA-1 thumbprint or a unique prefix).
    #[arg(required_unless_present = "due", conflicts_with = "due")]
    thumbprint: Option<String>,
    /// The CA to send it to (default: the CA that issued it, `builtin` included).
    #[arg(long, value_name = "builtin|NAME", conflicts_with = "due")]
    ca: Option<String>,
    /// A new key (same algorithm and size) instead of the certificate's own.
    #[arg(long, conflicts_with = "due")]
    new_key: bool,
    /// Renew every tracked certificate that is due (in force, or added by `track`), each
    /// through the CA that issued it, and roll its usages; exit 1 when one failed.
    #[arg(long)]
    due: bool,
    /// With --due: say what is due and why, renewing nothing.
    #[arg(long, requires = "due")]
    dry_run: bool,
    /// With --due: a run started by the schedule; its log entries name it as the user.
    #[arg(long, requires = "due")]
    scheduled: bool,
    #[command(flatten)]
    online: OnlineArgs,
}

pub(super) fn enroll_error(e: EnrollError) -> CliError {
    match e {
        EnrollError::Store(e) => e.into(),
        EnrollError::Ca(_) | EnrollError::Generate(_) => CliError::refused(e.to_string()),
        EnrollError::Acme(AcmeError::Bundle { .. }) => CliError::bad_input(e.to_string()),
        EnrollError::Acme(_) => CliError::refused(e.to_string()),
        EnrollError::Online(e) => super::cas::online_error(e),
        other => CliError::bad_input(other.to_string()),
    }
}

fn input(args: &RequestArgs, sip_domains: &[String]) -> Result<RequestInput, CliError> {
    let usages =
        UsageType::parse_list(&args.usages).map_err(|e| CliError::bad_input(e.to_string()))?;
    let key = match args.key_alg.as_str() {
        "p256" => KeyAlgorithm::P256,
        "p384" => KeyAlgorithm::P384,
        _ => KeyAlgorithm::Rsa(args.key_size),
    };
    let hash = match args.hash.as_deref() {
        Some("sha384") => HashAlgorithm::Sha384,
        Some("sha512") => HashAlgorithm::Sha512,
        _ => HashAlgorithm::Sha256,
    };
    Ok(RequestInput {
        usages,
        names: NameOptions {
            sip_domains: match (&args.sip_domain, args.all_sip_domains) {
                (_, true) => Some(sip_domains.to_vec()),
                (Some(list), false) => Some(
                    list.split(',')
                        .map(str::trim)
                        .filter(|d| !d.is_empty())
                        .map(str::to_owned)
                        .collect(),
                ),
                (None, false) => None,
            },
            extra: args
                .domain_name
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        },
        friendly_name: args.friendly_name.clone(),
        key,
        hash,
        exportable: args.exportable,
        org: args.org.clone(),
        ou: args.ou.clone(),
        country: args.country.clone(),
        state: args.state.clone(),
        city: args.city.clone(),
        client_eku: args.client_eku,
        template: args.template.clone(),
    })
}

pub fn request(store: &mut Store, ctx: &Context, args: &RequestArgs) -> Result<(), CliError> {
    let topology = enroll::topology(store).map_err(enroll_error)?;
    let spec = RequestSpec::new(input(args, &topology.sip_domains)?, &topology)
        .map_err(|e| CliError::bad_input(e.to_string()))?;
    let generated =
        enroll::prepare(&spec, args.output.as_deref(), ctx.now).map_err(enroll_error)?;
    let options = args.online.options()?;
    let delivery = match (&args.output, args.ca.as_deref()) {
        (Some(path), _) => Delivery::Delayed(Some(path.clone())),
        // `--ca builtin` is the consent to create the CA and trust its root (see --help).
        (None, Some("builtin") | None) => Delivery::BuiltinCa {
            trust_new_root: true,
        },
        (None, Some(name)) => Delivery::Online {
            ca: name.to_owned(),
            options,
        },
    };
    let mut outcome = enroll::submit(store, &spec, generated, ctx.location, &delivery, ctx.now)
        .map_err(enroll_error)?;
    args.online.wait_for_records(store, ctx, &mut outcome)?;
    if ctx.json {
        return print_json(&outcome);
    }
    outln!("subject:  CN={}", spec.names.subject);
    outln!("SANs:     {}", spec.names.sans().join(", "));
    outln!(
        "key:      {} generated in {} ms",
        spec.input.key.label(),
        outcome.key_generation.as_millis()
    );
    print_outcome(&outcome);
    Ok(())
}

/// `certdesk renew`.
pub fn renew(store: &mut Store, ctx: &Context, args: &RenewArgs) -> Result<(), CliError> {
    let options = args.online.options()?;
    let Some(thumbprint) = &args.thumbprint else {
        if args.scheduled {
            store.set_log_user(super::renewal::SCHEDULED_USER);
        }
        return super::renewal::renew_due(store, ctx, options, args.dry_run);
    };
    let renewal = Renewal {
        thumbprint: thumbprint.clone(),
        ca: args.ca.clone(),
        new_key: args.new_key,
        options,
    };
    let mut outcome = renew::renew(store, ctx.location, &renewal, ctx.now).map_err(enroll_error)?;
    args.online
        .wait_for_records(store, ctx, &mut outcome.request)?;
    if ctx.json {
        return print_json(&outcome);
    }
    match next_step(&outcome.request) {
        Some(step) => outln!("{outcome}; {step}"),
        None => outln!("{outcome}"),
    }
    print_details(&outcome.request);
    if !outcome.usages.is_empty() && outcome.request.thumbprint.is_some() {
        let names: Vec<&str> = outcome.usages.iter().map(|u| u.as_str()).collect();
        outln!(
            "ready to roll onto: {} (`certdesk assign --type {} THUMBPRINT`)",
            names.join(", "),
            names.join(",")
        );
    }
    Ok(())
}

/// The issued certificate or where the request waits; warnings on stderr.
fn print_outcome(outcome: &RequestOutcome) {
    match next_step(outcome) {
        Some(step) => outln!("{outcome}; {step}"),
        None => outln!("{outcome}"),
    }
    print_details(outcome);
}

/// What the command line adds to a request's sentence: how to fetch what a CA holds.
fn next_step(outcome: &RequestOutcome) -> Option<&'static str> {
    let held = outcome.thumbprint.is_none()
        && outcome.ca_reference.is_some()
        && outcome.dns_records.is_empty();
    held.then_some("`certdesk requests --poll` retrieves it once issued")
}

/// Under a request's sentence: the DNS-01 records to create, the root trusted with it, and
/// the warnings (on stderr).
fn print_details(outcome: &RequestOutcome) {
    if outcome.thumbprint.is_none() && !outcome.dns_records.is_empty() {
        print_records(&outcome.dns_records, false);
    }
    if let Some(root) = &outcome.trusted_root {
        outln!("{}", words::TrustedRoot(root));
    }
    for w in &outcome.warnings {
        errln!("warning: {w}");
    }
}

/// The TXT records to create (on stderr when a prompt follows).
fn print_records(records: &[TxtRecord], prompt: bool) {
    let stream = if prompt { Stream::Err } else { Stream::Out };
    terminal::line(stream, "Create these DNS TXT records:");
    for r in records {
        terminal::line(stream, &format!("  {}  TXT  \"{}\"", r.name, r.value));
    }
    terminal::line(
        stream,
        if prompt {
            "then press Enter to continue."
        } else {
            "then run `certdesk requests --poll`."
        },
    );
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub fn requests(
    store: &mut Store,
    ctx: &Context,
    clear: Option<i64>,
    poll: Option<i64>,
) -> Result<(), CliError> {
    if let Some(id) = clear {
        let cleared =
            enroll::clear_request(store, ctx.location, id, ctx.now).map_err(enroll_error)?;
        if ctx.json {
            return print_json(&serde_json::json!({"cleared": cleared.id}));
        }
        outln!("cleared request {} ({})", cleared.id, cleared.subject);
        return Ok(());
    }
    if let Some(id) = poll {
        let only = (id != 0).then_some(id);
        let polled = retrieve::poll(store, ctx.location, only, ctx.now).map_err(enroll_error)?;
        let problems: Vec<String> = polled.iter().filter_map(|p| p.message.clone()).collect();
        if ctx.json {
            print_json(&polled)?;
        } else {
            if polled.is_empty() {
                outln!("{}", words::Retrieved(&polled));
            }
            for p in &polled {
                outln!(
                    "{:>4}  {:<8}  {:<28}  {}{}",
                    p.request_id,
                    p.status,
                    p.friendly_name,
                    p.ca,
                    p.thumbprint
                        .as_deref()
                        .map(|t| format!("  {t}"))
                        .unwrap_or_default()
                );
            }
        }
        return match problems.len() {
            0 => Ok(()),
            _ => Err(CliError::refused(problems.join("; "))),
        };
    }
    let pending = store.pending_requests(ctx.location)?;
    if ctx.json {
        return print_json(&pending);
    }
    for r in &pending {
        outln!(
            "{:>4}  {}  {:<28}  {}  [{}]  {}",
            r.id,
            super::output::rfc3339(r.created),
            r.friendly_name,
            r.subject,
            r.usages,
            match (&r.ca, &r.csr_file) {
                (Some(ca), _) => format!("held by {ca}"),
                (None, Some(file)) => file.clone(),
                (None, None) => "-".into(),
            }
        );
    }
    Ok(())
}

pub fn topology_show(store: &Store, ctx: &Context) -> Result<(), CliError> {
    let topology = enroll::topology(store).map_err(enroll_error)?;
    if ctx.json {
        return print_json(&topology);
    }
    terminal::lines(Stream::Out, &topology.to_toml());
    Ok(())
}

pub fn topology_set(store: &mut Store, ctx: &Context, file: &Path) -> Result<(), CliError> {
    let name = file.display().to_string();
    let text = enroll::read_topology_file(file).map_err(|e| CliError::bad_input(e.to_string()))?;
    let topology = enroll::set_topology(store, &text, &name, ctx.now)
        .map_err(|e| CliError::bad_input(format!("{name}: {e}")))?;
    if ctx.json {
        return print_json(&topology);
    }
    outln!(
        "topology set: {:?} server {}",
        topology.role,
        topology.server_fqdn
    );
    Ok(())
}
