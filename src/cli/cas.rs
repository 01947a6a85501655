//! `certdesk ca add|edit|list|remove|test|templates`: the store's connections to online
//! CAs, the templates an AD CS CA offers, and its enterprise root offered for trust.

use std::path::PathBuf;

use zeroize::Zeroizing;

use super::CliError;
use super::commands::{Context, print_json};
use super::password::PasswordArgs;
use super::terminal::outln;
use crate::ca::OnlineError;
use crate::ops::adcs;
use crate::ops::cas::{self, CaOpError, NewCa, Protocol};
use crate::ops::online::{self, ChainRoot};
use crate::ops::words;
use crate::store::{AuthChoice, CaKind, Store};

#[derive(Debug, clap::Subcommand)]
pub enum CaAction {
    /// Add a CA connection: ACME (`--acme`), SCEP (`--scep`) or AD CS Web Enrollment
    /// (`--certsrv`). Secrets are read from files, the environment or a prompt, never argv.
    Add(Box<AddArgs>),
    /// Change a connection, described again as for `add`; a secret or a TLS bundle not
    /// given keeps the stored one (an ACME account is kept while the directory is the same).
    Edit(Box<AddArgs>),
    /// List the CAs: `builtin`, then every connection (no secret is shown).
    List,
    /// Remove a connection and its secrets.
    Remove {
        /// The connection's name.
        name: String,
    },
    /// Reach the CA: ACME registers the account the first time; SCEP reads the CA's
    /// certificate; AD CS signs in and says how and as whom (exit 2 when the credentials
    /// are refused).
    Test {
        /// The connection's name.
        name: String,
        /// AD CS: when the CA's own chain ends in a root CA that is not in Trusted Roots,
        /// add it there (as `request --trust-root`); without it the root is named.
        #[arg(long)]
        trust_root: bool,
    },
    /// AD CS: list the certificate templates the connection's user may enroll, as the CA's
    /// Web Enrollment pages list them (`request --template NAME` takes one).
    Templates {
        /// The connection's name.
        name: String,
    },
    /// AD CS: who the connection will sign in as (its user, or your Kerberos ticket),
    /// without reaching the server; exit 2 when it has no credentials to sign in with.
    Identity {
        /// The connection's name.
        name: String,
    },
}

/// `certdesk ca add` arguments.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("protocol").required(true).args(["acme", "scep", "certsrv"]))]
pub struct AddArgs {
    /// The name requests use (`request --ca NAME`).
    name: String,
    /// ACME (RFC 8555): the directory URL (https://…/directory); the account is
    /// registered on first use.
    #[arg(long, value_name = "DIRECTORY_URL")]
    acme: Option<String>,
    /// SCEP (RFC 8894): the server's URL (http:// or https://).
    #[arg(long, value_name = "URL")]
    scep: Option<String>,
    /// AD CS Web Enrollment: https://HOST/certsrv. Without --username it signs in with
    /// your Kerberos ticket (kinit, SSSD, KRB5CCNAME); no password is stored.
    #[arg(long, value_name = "URL")]
    certsrv: Option<String>,
    /// AD CS: how to sign in (default: what the server offers, Negotiate first).
    #[arg(long, value_enum, requires = "certsrv", default_value = "automatic")]
    auth: Auth,
    /// ACME: the account's contact e-mail.
    #[arg(long, value_name = "EMAIL", requires = "acme")]
    contact: Option<String>,
    /// PEM certificates to trust for this server's TLS instead of the system's roots.
    #[arg(long, value_name = "PEM")]
    ca_bundle: Option<PathBuf>,
    /// ACME external account binding: the key id the CA gave.
    #[arg(long, value_name = "KID", requires_all = ["eab_hmac_file", "acme"])]
    eab_kid: Option<String>,
    /// ACME external account binding: a file holding the HMAC key (base64url).
    #[arg(long, value_name = "FILE", requires = "eab_kid")]
    eab_hmac_file: Option<PathBuf>,
    /// SCEP: a file holding the challenge password.
    #[arg(long, value_name = "FILE", requires = "scep")]
    challenge_file: Option<PathBuf>,
    /// AD CS: the user name: user@REALM gets a Kerberos ticket with the password,
    /// DOMAIN\\user signs in with NTLM.
    #[arg(long, value_name = "USER", requires = "certsrv")]
    username: Option<String>,
    /// AD CS: the password (file, environment variable, or a prompt).
    #[command(flatten)]
    password: PasswordArgs,
    /// AD CS: when the CA's own chain ends in a root CA that is not in Trusted Roots, add
    /// it there (as `request --trust-root`); without it the root is named.
    #[arg(long, requires = "certsrv", conflicts_with = "no_test")]
    trust_root: bool,
    /// Save the connection without trying it first (a CA not reachable from here yet).
    /// Without it the CA is reached (ACME's directory, SCEP's CA certificate, the AD CS
    /// sign-in) and nothing is saved unless it answers.
    #[arg(long)]
    no_test: bool,
}

/// `--auth`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Auth {
    /// What the server offers in WWW-Authenticate, Negotiate first.
    Automatic,
    /// Negotiate: Kerberos, or NTLM inside it for DOMAIN\\user.
    Negotiate,
    /// NTLM (NTLMv2), raw or inside Negotiate as the server offers.
    Ntlm,
    /// Basic, over HTTPS.
    Basic,
}

impl From<Auth> for AuthChoice {
    fn from(auth: Auth) -> Self {
        match auth {
            Auth::Automatic => AuthChoice::Automatic,
            Auth::Negotiate => AuthChoice::Negotiate,
            Auth::Ntlm => AuthChoice::Ntlm,
            Auth::Basic => AuthChoice::Basic,
        }
    }
}

/// The first line of a small secret file (never echoed).
fn read_secret_file(file: &std::path::Path, what: &str) -> Result<Zeroizing<String>, CliError> {
    let unreadable = |why: String| {
        CliError::bad_input(format!(
            "cannot read the {what} from {}: {why}",
            file.display()
        ))
    };
    let size = std::fs::metadata(file)
        .map_err(|e| unreadable(e.to_string()))?
        .len();
    if size > 64 * 1024 {
        return Err(unreadable("it is larger than 64 KiB".into()));
    }
    let text =
        Zeroizing::new(std::fs::read_to_string(file).map_err(|e| unreadable(e.to_string()))?);
    Ok(Zeroizing::new(
        text.lines().next().unwrap_or_default().trim().to_owned(),
    ))
}

fn ca_error(e: CaOpError) -> CliError {
    let message = e.to_string();
    match e {
        CaOpError::Store(e) => e.into(),
        CaOpError::Invalid(m) => CliError::bad_input(m),
        CaOpError::Acme(e) => CliError::refused(e.to_string()),
        CaOpError::Online(e) => online_error(e),
        // Exits as what the CA answered would, saying that nothing was saved.
        CaOpError::NotSaved(inner) => CliError {
            code: ca_error(*inner).code,
            message,
        },
    }
}

/// Refused or missing credentials and an unusable TLS bundle are bad input (exit 2); the
/// rest (an unreachable server or KDC, a clock, a refusal) exits 1.
pub fn online_error(e: OnlineError) -> CliError {
    match e {
        OnlineError::BadCredentials { .. }
        | OnlineError::WrongPassword { .. }
        | OnlineError::NoTicket { .. }
        | OnlineError::TicketExpired { .. }
        | OnlineError::Bundle { .. } => CliError::bad_input(e.to_string()),
        other => CliError::refused(other.to_string()),
    }
}

fn protocol(args: &AddArgs, editing: bool) -> Result<Protocol, CliError> {
    let AddArgs {
        acme,
        scep,
        certsrv,
        contact,
        eab_kid,
        eab_hmac_file,
        challenge_file,
        username,
        password,
        ..
    } = args;
    if let Some(directory) = acme {
        let hmac = match eab_hmac_file {
            Some(file) => Some(read_secret_file(file, "EAB HMAC key")?),
            None => None,
        };
        return Ok(Protocol::Acme {
            directory: directory.clone(),
            contact: contact.clone(),
            eab: eab_kid.clone().zip(hmac),
        });
    }
    if let Some(url) = scep {
        let challenge = match challenge_file {
            Some(file) => Some(read_secret_file(file, "SCEP challenge")?),
            None => None,
        };
        return Ok(Protocol::Scep {
            url: url.clone(),
            challenge,
        });
    }
    let url = certsrv.clone().unwrap_or_default();
    let username = username.clone().unwrap_or_default();
    let password = match password.given()? {
        Some(p) => p,
        None if editing || username.is_empty() => Zeroizing::default(),
        None => password
            .prompt(&format!("Password of {username} at {url}: "))?
            .ok_or_else(|| {
                CliError::bad_input(
                    "give the AD CS password with --password-file or --password-env (no terminal to ask on)",
                )
            })?,
    };
    Ok(Protocol::Certsrv {
        url,
        auth: args.auth.into(),
        username,
        password,
    })
}

pub fn ca(store: &mut Store, ctx: &Context, action: &CaAction) -> Result<(), CliError> {
    match action {
        CaAction::Add(args) => {
            let name = &args.name;
            let new = NewCa {
                name: name.clone(),
                protocol: protocol(args, false)?,
                ca_bundle: args.ca_bundle.clone(),
                try_first: !args.no_test,
            };
            let kind = match new.protocol {
                Protocol::Acme { .. } => "ACME",
                Protocol::Scep { .. } => "SCEP",
                Protocol::Certsrv { .. } => "AD CS Web Enrollment",
            };
            cas::add(store, &new, ctx.now).map_err(ca_error)?;
            let certsrv = matches!(new.protocol, Protocol::Certsrv { .. });
            let root = if certsrv && !args.no_test {
                ca_root(store, ctx, name, args.trust_root)?
            } else {
                RootOffer::default()
            };
            if ctx.json {
                let mut answer = serde_json::json!({"name": name, "added": true});
                root.add_to(&mut answer);
                return print_json(&answer);
            }
            if args.no_test {
                outln!("{name}: {kind} CA added untried; `certdesk ca test {name}` reaches it");
            } else {
                outln!("{name}: {kind} CA reached and added");
            }
            root.print(name);
            Ok(())
        }
        CaAction::Edit(args) => {
            let new = NewCa {
                name: args.name.clone(),
                protocol: protocol(args, true)?,
                ca_bundle: args.ca_bundle.clone(),
                try_first: !args.no_test,
            };
            cas::edit(store, &new, ctx.now).map_err(ca_error)?;
            if ctx.json {
                return print_json(&serde_json::json!({"name": args.name, "changed": true}));
            }
            outln!("{}: changed", args.name);
            Ok(())
        }
        CaAction::List => {
            let entries = cas::list(store).map_err(ca_error)?;
            if ctx.json {
                return print_json(&entries);
            }
            for e in entries {
                let accepted = e
                    .accepted
                    .as_deref()
                    .map(|a| format!("  [{}]", crate::text::message(a)))
                    .unwrap_or_default();
                outln!(
                    "{:<16} {:<8} {}{}{}{accepted}",
                    e.name,
                    e.kind,
                    e.url.as_deref().unwrap_or("(in this store)"),
                    if e.custom_trust {
                        "  [own TLS trust]"
                    } else {
                        ""
                    },
                    if e.kind != "builtin" && !e.registered {
                        "  [no account yet]"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
        CaAction::Remove { name } => {
            cas::remove(store, name, ctx.now).map_err(ca_error)?;
            if ctx.json {
                return print_json(&serde_json::json!({"name": name, "removed": true}));
            }
            outln!("{name}: removed");
            Ok(())
        }
        CaAction::Identity { name } => {
            let ca = store.ca(name)?;
            let identity = crate::ops::sign_in::sign_in_identity(&ca, None);
            if ctx.json {
                print_json(&identity)?;
            } else if identity.ready {
                outln!("{name}: {}", crate::text::message(&identity.words));
            }
            if identity.ready {
                Ok(())
            } else {
                Err(CliError::bad_input(format!(
                    "{name} has nothing to sign in with: {}",
                    identity.words
                )))
            }
        }
        CaAction::Test { name, trust_root } => {
            let reached = cas::test(store, name).map_err(ca_error)?;
            let root = match store.ca(name)?.kind {
                CaKind::Certsrv => ca_root(store, ctx, name, *trust_root)?,
                _ => RootOffer::default(),
            };
            if ctx.json {
                let mut answer = serde_json::json!({
                    "name": name,
                    "reachable": true,
                    "account": reached.account,
                    "mechanism": reached.signed_in.as_ref().map(|a| a.mechanism),
                    "signed_in_as": reached.signed_in.as_ref().map(|a| &a.user),
                    "detail": reached.detail,
                });
                root.add_to(&mut answer);
                return print_json(&answer);
            }
            outln!(
                "{}",
                words::CaReached {
                    name,
                    reached: &reached
                }
            );
            root.print(name);
            Ok(())
        }
        CaAction::Templates { name } => {
            let templates = adcs::templates(store, name, None).map_err(ca_error)?;
            if ctx.json {
                return print_json(&templates);
            }
            if templates.is_empty() {
                outln!("{name}: the CA offers this user no template");
            }
            let width = templates.iter().map(|t| t.name.chars().count()).max();
            for t in &templates {
                outln!(
                    "{:<width$}  {}",
                    t.name,
                    t.display_name,
                    width = width.unwrap_or_default()
                );
            }
            Ok(())
        }
    }
}

/// What became of an AD CS CA's own root: trusted already, named, or trusted now.
#[derive(Default)]
struct RootOffer {
    /// The root, when it was not trusted.
    root: Option<ChainRoot>,
    /// `--trust-root` put it in Trusted Roots.
    trusted: bool,
    /// Why the CA's chain could not be read (the connection works without it).
    unread: Option<String>,
}

impl RootOffer {
    /// Adds `untrusted_root` (subject and thumbprint, or null), `root_trusted` and, when
    /// the chain could not be read, `chain_error` to a JSON answer.
    fn add_to(&self, answer: &mut serde_json::Value) {
        answer["untrusted_root"] = serde_json::json!(self.root.as_ref().filter(|_| !self.trusted));
        answer["root_trusted"] = serde_json::json!(self.trusted.then_some(&self.root));
        if let Some(why) = &self.unread {
            answer["chain_error"] = serde_json::json!(why);
        }
    }

    fn print(&self, name: &str) {
        match (&self.root, self.trusted) {
            (Some(root), true) => outln!(
                "{name}: its root CA {} (thumbprint {}) is now in Trusted Roots",
                root.subject,
                root.thumbprint
            ),
            (Some(root), false) => outln!(
                "{name}: its root CA {} (thumbprint {}) is not in Trusted Roots, so what it \
                 issues cannot be assigned until it is: `certdesk ca test {name} --trust-root` \
                 puts it there",
                root.subject,
                root.thumbprint
            ),
            (None, _) => {}
        }
        if let Some(why) = &self.unread {
            outln!("{name}: its CA chain was not read: {why}");
        }
    }
}

/// Fetches the AD CS CA's own chain once and, when its root is not trusted in the
/// command's location, trusts it if the user said so (the same choice as the online
/// request's "Trust this root CA").
fn ca_root(
    store: &mut Store,
    ctx: &Context,
    name: &str,
    trust: bool,
) -> Result<RootOffer, CliError> {
    let root = match adcs::untrusted_ca_root(store, name, ctx.location) {
        Ok(root) => root,
        Err(CaOpError::Online(e)) if !trust => {
            return Ok(RootOffer {
                unread: Some(e.to_string()),
                ..RootOffer::default()
            });
        }
        Err(e) => return Err(ca_error(e)),
    };
    if let (Some(root), true) = (&root, trust) {
        online::trust_root(store, ctx.location, root, ctx.now)
            .map_err(super::enroll::enroll_error)?;
    }
    Ok(RootOffer {
        trusted: trust && root.is_some(),
        root,
        unread: None,
    })
}
