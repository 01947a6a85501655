//! The command line: clap arguments -> model calls -> text or JSON on stdout; errors as one
//! sentence on stderr with the exit codes of CLI.md (0 done, 1 refused, 2 bad input).
//! Everything printed goes through [`terminal`]: text escaped, a closed stdout quiet.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod assign;
mod cas;
mod commands;
mod deploy;
mod enroll;
mod export;
mod notify;
mod output;
mod password;
mod probe;
mod renewal;
mod schedule;
mod team;
mod terminal;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::ops::rename::RenameError;
use crate::ops::revocation::Policy;
use crate::store::{Location, Logical, StoreError};
use commands::ImportFlags;
use password::PasswordArgs;
use terminal::{errln, outln};

/// certdesk: request, import, export and assign TLS certificates for your servers.
#[derive(Debug, Parser)]
#[command(
    name = "certdesk",
    version,
    about,
    arg_required_else_help = false,
    allow_external_subcommands = true
)]
pub struct Cli {
    /// The store: a directory, or a team database's address
    /// (postgres://USER@HOST[:PORT]/DB; the password from PGPASSWORD or ~/.pgpass)
    /// (default: $CERTDESK_STORE, else the user's data directory).
    #[arg(long, global = true, value_name = "DIR|URL")]
    store: Option<PathBuf>,
    #[command(flatten)]
    passphrase: team::PassphraseArgs,
    /// Which store location to work on.
    #[arg(long, global = true, default_value = "computer", value_parser = parse_location)]
    location: Location,
    /// Print one JSON document on stdout.
    #[arg(long, global = true)]
    json: bool,
    /// Do not count the operating system's trusted roots (SSL_CERT_FILE / SSL_CERT_DIR,
    /// else the system bundle) as Trusted Roots for this command (or window).
    #[arg(long, global = true)]
    no_system_roots: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

/// `certdesk pool …`.
#[derive(Debug, Subcommand)]
enum PoolAction {
    /// Probe every member and compare.
    Check(probe::PoolArgs),
}

/// `certdesk store …`.
#[derive(Debug, Subcommand)]
enum StoreAction {
    /// Whether the operating system's trusted roots count as Trusted Roots of this store
    /// (on by default, as Windows' Trusted Root store).
    SystemRoots {
        /// on or off.
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// Copy a whole store into an empty one: a directory into a team database or back
    /// (keys encrypted again under the destination's key; a team store's passphrase from
    /// --store-password-file/-env).
    Copy {
        /// The store to copy: a directory or a postgres:// address.
        #[arg(long, value_name = "DIR|URL")]
        from: PathBuf,
        /// The empty store to copy into.
        #[arg(long, value_name = "DIR|URL")]
        to: PathBuf,
    },
    /// Set or change the store's passphrase (the store key is wrapped again with Argon2id;
    /// no key is sealed again). The current one comes from --store-password-file/-env or
    /// a prompt. A local store may also drop it with --remove.
    Passwd {
        #[command(flatten)]
        new: team::NewPassphraseArgs,
        /// Remove a local store's passphrase: its key file holds the key again.
        #[arg(long, conflicts_with_all = ["new_password_file", "new_password_env"])]
        remove: bool,
    },
}

impl Command {
    /// Whether the command may decrypt or encrypt a key or a CA secret: on a terminal, a
    /// team store's passphrase is then asked for when no file or variable gives it.
    fn uses_keys(&self) -> bool {
        matches!(
            self,
            Command::Import { .. }
                | Command::Request(_)
                | Command::Renew(_)
                | Command::Requests { .. }
                | Command::Export(_)
                | Command::Ca { .. }
                | Command::Deploy { .. }
                | Command::Notify { .. }
                | Command::Store {
                    action: StoreAction::Passwd { .. }
                }
        )
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List certificates.
    List {
        /// personal, ca, root, requests or all.
        #[arg(long, default_value = "all", value_parser = parse_logical)]
        logical: LogicalFilter,
    },
    /// Show one certificate in detail.
    Show {
        /// SHA-1 thumbprint (any case) or a unique prefix of 8+ hex digits.
        thumbprint: String,
    },
    /// Import a .cer/.crt/.pem, .p7b or .pfx/.p12 file (sniffed by content).
    Import {
        /// The file to import.
        file: PathBuf,
        #[command(flatten)]
        password: PasswordArgs,
        /// Whether imported private keys may later be exported (default false, as on Windows).
        #[arg(long, value_name = "true|false", action = clap::ArgAction::Set)]
        exportable: Option<bool>,
        /// Add self-signed CA certificates to Trusted Roots.
        #[arg(long)]
        trust_root: bool,
        /// List every certificate a warning counts (those that came without a private key).
        #[arg(long)]
        verbose: bool,
    },
    /// Request a certificate: a CSR to send to a CA (--output) or one issued at once (--ca builtin, or --ca NAME for an online CA: ACME, SCEP or AD CS).
    Request(Box<enroll::RequestArgs>),
    /// Renew a certificate of Personal: the same subject, SANs, template and friendly name,
    /// the same key unless --new-key, sent to the CA that issued it (or --ca).
    Renew(Box<enroll::RenewArgs>),
    /// Track a certificate of Personal for `renew --due` beside those in force (a reverse
    /// proxy's certificate); --same-key keeps its key when it is renewed.
    Track {
        /// SHA-1 thumbprint or a unique prefix.
        thumbprint: String,
        /// Renew it with its own key instead of a new one.
        #[arg(long)]
        same_key: bool,
    },
    /// Stop tracking a certificate `track` added (one in force is tracked while assigned).
    Untrack {
        /// SHA-1 thumbprint or a unique prefix.
        thumbprint: String,
    },
    /// List pending requests (the Enrollment Requests store), or clear one.
    Requests {
        /// Delete this pending request and its private key.
        #[arg(long, value_name = "ID", conflicts_with = "poll")]
        clear: Option<i64>,
        /// Ask the online CAs that hold requests (all, or request ID) what they have since
        /// issued, and store it; exit 1 when one was denied or could not be asked.
        #[arg(long, value_name = "ID", num_args = 0..=1, default_missing_value = "0")]
        poll: Option<i64>,
    },
    /// Assign usages to a certificate of the Computer location (or stage it with --roll).
    Assign {
        /// Usage types, comma-separated.
        #[arg(long = "type", value_name = "T[,T...]")]
        usages: String,
        /// SHA-1 thumbprint or a unique prefix.
        #[arg(long)]
        thumbprint: String,
        /// Stage the certificate (A/V, OAuth) to take over at --effective-date.
        #[arg(long)]
        roll: bool,
        /// When a staged certificate takes over (RFC 3339).
        #[arg(long, value_name = "RFC3339")]
        effective_date: Option<String>,
    },
    /// Remove a usage's assignment (or, with --previous, its previous certificate).
    Unassign {
        /// Usage types, comma-separated.
        #[arg(long = "type", value_name = "T[,T...]")]
        usages: String,
        /// Remove only the previous certificate left by a roll.
        #[arg(long)]
        previous: bool,
    },
    /// Every usage of this server: certificate, expiry, status.
    Status {
        /// Days before expiry that count as Expiring.
        #[arg(long, default_value_t = 30)]
        expiring_days: i64,
    },
    /// Check every assignment against its usage rules and its issuer's CRL; exit 1 on any
    /// problem (a revoked certificate is one).
    Test {
        /// `soft`: a CRL that cannot be had is a warning (as Windows by default);
        /// `require`: it is a failure.
        #[arg(long, default_value = "soft", value_parser = ["soft", "require"])]
        revocation: String,
    },
    /// The certificates a usage may be assigned, and why every other may not.
    Eligible {
        /// Usage types, comma-separated.
        #[arg(long = "type", value_name = "T[,T...]")]
        usages: String,
    },
    /// Show or set the deployment topology (TOML).
    Topology {
        #[command(subcommand)]
        action: TopologyAction,
    },
    /// Export a certificate: .pfx with its key and chain, or .cer (DER/Base64) or .p7b.
    Export(Box<export::ExportArgs>),
    /// Change a certificate's friendly name (made unique within its location).
    Rename {
        /// SHA-1 thumbprint or a unique prefix.
        thumbprint: String,
        /// The new friendly name.
        name: String,
    },
    /// Remove a certificate (and its private key when nothing else uses it).
    Remove {
        /// SHA-1 thumbprint or a unique prefix of 8+ hex digits.
        thumbprint: String,
    },
    /// Install the desktop entry, icon and certificate MIME types for the current user, so
    /// the file manager opens .pfx, .cer and .p7b files with certdesk.
    InstallDesktop,
    /// The renewal schedule: a systemd timer running `renew --due` twice a day (or, where
    /// systemd does not run, a crontab line).
    Schedule {
        #[command(subcommand)]
        action: schedule::ScheduleAction,
    },
    /// `certdesk FILE`: opens the window on the import wizard for a certificate file (what
    /// double-clicking a .pfx or .cer does).
    #[command(external_subcommand)]
    File(Vec<OsString>),
    /// Connect to servers with TLS and check what they serve: trust, name, the SANs the
    /// usages need, expiry, and whether it is in this store (exit 1 on any problem).
    Probe(Box<probe::ProbeArgs>),
    /// The topology's pool members: do they all serve the same certificate and key, the
    /// one assigned here (exit 1 on a mismatch)?
    Pool {
        #[command(subcommand)]
        action: PoolAction,
    },
    /// What expires within N days (Personal, both locations) with the usages it holds;
    /// exit 1 when an assigned certificate is among them.
    Expiring {
        /// How many days ahead.
        #[arg(long, default_value_t = 30)]
        days: i64,
        /// Also write an iCalendar file: one event per certificate listed, with reminders
        /// 30 and 7 days before (use a large --days to put every certificate in it).
        #[arg(long, value_name = "FILE")]
        ics: Option<PathBuf>,
    },
    /// The store's own settings.
    Store {
        #[command(subcommand)]
        action: StoreAction,
    },
    /// The store's online CAs: add, edit, list, remove, test.
    Ca {
        #[command(subcommand)]
        action: cas::CaAction,
    },
    /// Deploy targets: where certificates' files go (here or over SSH), how the server is
    /// reloaded, and the probe that proves it serves the new certificate.
    Deploy {
        #[command(subcommand)]
        action: deploy::DeployAction,
    },
    /// Where notifications go (mail, a webhook) when a renewal, a deploy or its proof
    /// fails, or a certificate nears expiry unrenewed.
    Notify {
        #[command(subcommand)]
        action: notify::NotifyAction,
    },
    /// Show the activity log with the equivalent command of each operation.
    Log {
        /// Only the last N entries.
        #[arg(long, value_name = "N")]
        last: Option<usize>,
    },
}

#[derive(Debug, Subcommand)]
enum TopologyAction {
    /// Print the stored topology.
    Show,
    /// Validate a TOML file and store it as the topology.
    Set {
        /// The topology file.
        file: PathBuf,
    },
}

/// `--logical`: one logical store or all of them.
#[derive(Debug, Clone, Copy)]
struct LogicalFilter(Option<Logical>);

fn parse_location(s: &str) -> Result<Location, String> {
    Location::parse(s).ok_or_else(|| format!("unknown location \"{s}\": use computer or user"))
}

fn parse_logical(s: &str) -> Result<LogicalFilter, String> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(LogicalFilter(None));
    }
    Logical::parse(s)
        .map(|l| LogicalFilter(Some(l)))
        .ok_or_else(|| {
            format!("unknown logical store \"{s}\": use personal, ca, root, requests or all")
        })
}

/// A failed command: its exit code and one sentence.
#[derive(Debug)]
pub struct CliError {
    code: u8,
    message: String,
}

impl CliError {
    /// Bad input: exit code 2.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }

    /// Refused or failed: exit code 1.
    pub fn refused(message: impl Into<String>) -> Self {
        Self {
            code: 1,
            message: message.into(),
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. }
            | StoreError::NoSuchCa(_)
            | StoreError::CaExists(_)
            | StoreError::NoSuchTarget(_)
            | StoreError::TargetExists(_)
            | StoreError::Ambiguous(_)
            | StoreError::BadThumbprint(_)
            | StoreError::WrongPassphrase
            | StoreError::LoosePermissions { .. }
            | StoreError::NoPassphrase(_)
            | StoreError::ShortPassphrase(_)
            | StoreError::TeamNeedsPassphrase
            | StoreError::Key(crate::pki::key::KeyError::Locked) => {
                CliError::bad_input(e.to_string())
            }
            other => CliError::refused(other.to_string()),
        }
    }
}

/// Runs the CLI on `args` (including the program name) and returns the exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = dispatch(cli).and_then(|()| match terminal::failure() {
        None => Ok(()),
        Some(e) => Err(CliError::refused(format!("cannot write the output: {e}"))),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("certdesk: {}", sentence(&e.message));
            ExitCode::from(e.code)
        }
    }
}

/// Ends a message with a full stop.
fn sentence(message: &str) -> String {
    let trimmed = message.trim_end();
    if trimmed.ends_with(['.', '!', '?']) {
        trimmed.to_owned()
    } else {
        format!("{trimmed}.")
    }
}

fn dispatch(cli: Cli) -> Result<(), CliError> {
    let command = match cli.command {
        None => {
            let store = team::open(&store_dir(cli.store)?, &cli.passphrase)?;
            return crate::gui::run(store, None, !cli.no_system_roots)
                .map_err(|e| CliError::refused(e.to_string()));
        }
        Some(Command::File(args)) => {
            let file = match args.as_slice() {
                [one] if std::path::Path::new(one).is_file() => PathBuf::from(one),
                _ => {
                    let given = args
                        .first()
                        .map(|a| a.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    return Err(CliError::bad_input(format!(
                        "\"{given}\" is neither a certdesk command nor a file; see certdesk --help"
                    )));
                }
            };
            let store = team::open(&store_dir(cli.store)?, &cli.passphrase)?;
            return crate::gui::run(store, Some(&file), !cli.no_system_roots)
                .map_err(|e| CliError::refused(e.to_string()));
        }
        Some(Command::Store {
            action: StoreAction::Copy { from, to },
        }) => {
            let mut passphrase = cli.passphrase.clone();
            passphrase.ask = true;
            return team::copy(&from, &to, &passphrase, cli.json, now());
        }
        Some(Command::Schedule { action }) => {
            return schedule::schedule(&action, cli.store, cli.json);
        }
        Some(Command::InstallDesktop) => {
            let exe = std::env::current_exe()
                .map_err(|e| CliError::refused(format!("cannot find certdesk's own path: {e}")))?;
            let installed =
                crate::desktop::install(&exe).map_err(|e| CliError::refused(e.to_string()))?;
            if cli.json {
                return commands::print_json(&installed);
            }
            outln!("installed {}", installed.entry.display());
            outln!("installed {}", installed.icon.display());
            if !installed.default_for_types {
                outln!(
                    "xdg-mime is not available: choose certdesk in the file manager's \"Open with\" once"
                );
            }
            return Ok(());
        }
        Some(command) => command,
    };
    let mut passphrase = cli.passphrase.clone();
    passphrase.ask = command.uses_keys();
    let mut store = team::open(&store_dir(cli.store)?, &passphrase)?;
    if cli.no_system_roots {
        store.ignore_system_roots();
    }
    let ctx = commands::Context {
        location: cli.location,
        json: cli.json,
        now: now(),
    };
    match command {
        Command::List { logical } => commands::list(&store, &ctx, logical.0),
        Command::Show { thumbprint } => commands::show(&mut store, &ctx, &thumbprint),
        Command::Import {
            file,
            password,
            exportable,
            trust_root,
            verbose,
        } => commands::import(
            &mut store,
            &ctx,
            &file,
            &password,
            ImportFlags {
                exportable: exportable.unwrap_or(false),
                trust_root,
                verbose,
            },
        ),
        Command::Remove { thumbprint } => commands::remove(&mut store, &ctx, &thumbprint),
        Command::Rename { thumbprint, name } => {
            let name =
                crate::ops::rename::rename(&mut store, ctx.location, &thumbprint, &name, ctx.now)
                    .map_err(|e| match e {
                    RenameError::Store(e) => CliError::from(e),
                    RenameError::Name(e) => CliError::bad_input(e.to_string()),
                })?;
            outln!("renamed to \"{name}\"");
            Ok(())
        }
        Command::Export(args) => export::export(&mut store, &ctx, &args),
        Command::Request(args) => enroll::request(&mut store, &ctx, &args),
        Command::Probe(args) => probe::probe(&store, &ctx, &args),
        Command::Expiring { days, ics } => commands::expiring(&store, &ctx, days, ics.as_deref()),
        Command::Pool {
            action: PoolAction::Check(args),
        } => probe::pool_check(&store, &ctx, &args),
        Command::Store {
            action: StoreAction::SystemRoots { state },
        } => {
            crate::ops::trust::set_system_roots(&mut store, state == "on", ctx.now)?;
            if ctx.json {
                return commands::print_json(&serde_json::json!({"system_roots": state}));
            }
            outln!("{}", crate::ops::words::SystemRoots(state == "on"));
            Ok(())
        }
        Command::Store {
            action: StoreAction::Passwd { new, remove },
        } => team::passwd(&mut store, &ctx, &new, remove),
        Command::Renew(args) => enroll::renew(&mut store, &ctx, &args),
        Command::Track {
            thumbprint,
            same_key,
        } => renewal::track(&mut store, &ctx, &thumbprint, same_key),
        Command::Untrack { thumbprint } => renewal::untrack(&mut store, &ctx, &thumbprint),
        Command::Requests { clear, poll } => enroll::requests(&mut store, &ctx, clear, poll),
        Command::Assign {
            usages,
            thumbprint,
            roll,
            effective_date,
        } => assign::assign(
            &mut store,
            &ctx,
            &usages,
            &thumbprint,
            roll,
            effective_date.as_deref(),
        ),
        Command::Unassign { usages, previous } => {
            assign::unassign(&mut store, &ctx, &usages, previous)
        }
        Command::Status { expiring_days } => {
            assign::status_checked(&mut store, &ctx, (false, expiring_days), Policy::Soft)
        }
        Command::Test { revocation } => {
            let policy = if revocation == "require" {
                Policy::Require
            } else {
                Policy::Soft
            };
            assign::status_checked(&mut store, &ctx, (true, 30), policy)
        }
        Command::Eligible { usages } => assign::eligible(&mut store, &ctx, &usages),
        Command::Topology { action } => match action {
            TopologyAction::Show => enroll::topology_show(&store, &ctx),
            TopologyAction::Set { file } => enroll::topology_set(&mut store, &ctx, &file),
        },
        Command::Log { last } => commands::log(&store, &ctx, last),
        Command::Ca { action } => cas::ca(&mut store, &ctx, &action),
        Command::Deploy { action } => deploy::deploy(&mut store, &ctx, &action),
        Command::Notify { action } => notify::notify(&mut store, &ctx, &action),
        // Handled before a store is opened.
        Command::File(_)
        | Command::InstallDesktop
        | Command::Schedule { .. }
        | Command::Store {
            action: StoreAction::Copy { .. },
        } => Ok(()),
    }
}

/// `--store`, else `$CERTDESK_STORE`, else the user's data directory.
pub fn store_dir(arg: Option<PathBuf>) -> Result<PathBuf, CliError> {
    if let Some(dir) = arg {
        return Ok(dir);
    }
    if let Some(dir) = std::env::var_os("CERTDESK_STORE").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "certdesk")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            CliError::refused("no home directory was found for the default store; give --store DIR")
        })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
