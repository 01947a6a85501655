//! One function per subcommand: call the model, print the result.

use std::io::{BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use super::CliError;
use super::output::{self, CertJson, LogJson};
use super::password::PasswordArgs;
use super::terminal::{Sink, Stream, errln, outln};
use crate::ops::import::{self, ImportOptions, MadeExportable, ReadError, Skipped};
use crate::ops::remove;
use crate::ops::revocation::Revocation;
use crate::ops::revocation::applied;
use crate::pki::formats::FormatError;
use crate::store::{Location, Logical, Store};
use crate::verify::chain::ChainIndex;

/// What every command needs besides the store.
pub struct Context {
    pub location: Location,
    pub json: bool,
    pub now: i64,
}

/// How much JSON is gathered before one write to stdout: a list of 100,000 certificates
/// (tens of megabytes) goes out in few writes.
const JSON_BUFFER: usize = 256 << 10;

/// Prints `value` as one JSON document on stdout (as serde_json writes it: JSON escapes
/// control characters itself), streamed through a buffer: a long list is never held whole
/// as text.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let mut out = BufWriter::with_capacity(JSON_BUFFER, Sink(Stream::Out));
    serde_json::to_writer(&mut out, value)
        .map_err(|e| CliError::refused(format!("cannot write the output: {e}")))?;
    let _ = writeln!(out).and_then(|()| out.flush());
    Ok(())
}

pub fn list(store: &Store, ctx: &Context, logical: Option<Logical>) -> Result<(), CliError> {
    let all = store.list(None, None)?;
    let shown = all
        .iter()
        .filter(|c| c.location == ctx.location && logical.is_none_or(|l| c.logical == l));
    if ctx.json {
        let index = ChainIndex::new(&all);
        let usages = output::usages(store, ctx.now)?;
        // Each row's JSON shape is made as it is written, not gathered first.
        let rows = output::JsonSeq::new(shown.map(|c| CertJson::new(c, &index, ctx.now, &usages)));
        return print_json(&rows);
    }
    for c in shown {
        outln!("{}", output::list_line(c));
    }
    Ok(())
}

pub fn show(store: &mut Store, ctx: &Context, thumbprint: &str) -> Result<(), CliError> {
    let cert = store.find(ctx.location, thumbprint)?;
    let all = store.list(None, None)?;
    let links = applied::path(store, &cert, ctx.now)?;
    let unchecked = Revocation::Unchecked;
    let revocation = links.first().map_or(&unchecked, |l| &l.revocation);
    let index = ChainIndex::new(&all);
    let usages = output::usages(store, ctx.now)?;
    let this = all.iter().find(|c| c.id == cert.id).unwrap_or(&cert);
    let properties = store.properties(cert.id)?;
    let path = index.path(this);
    let status = index.status(this, ctx.now).as_str();
    if ctx.json {
        #[derive(Serialize)]
        struct Show<'a> {
            #[serde(flatten)]
            cert: CertJson<'a>,
            path: Vec<&'a str>,
            revocation: &'a Revocation,
            path_revocation: &'a [applied::Link],
            properties: Vec<serde_json::Value>,
            pem: String,
        }
        let der = store.der(cert.id)?;
        return print_json(&Show {
            cert: CertJson::new(this, &index, ctx.now, &usages),
            path: path.iter().map(|c| c.summary.thumbprint.as_str()).collect(),
            revocation,
            path_revocation: &links,
            properties: properties
                .iter()
                .map(|p| {
                    serde_json::json!({"bag": p.bag, "oid": p.oid, "value": hex::encode_upper(&p.value)})
                })
                .collect(),
            pem: pem_certificate(&der),
        });
    }
    for line in output::details(this, status, &path, &properties) {
        outln!("{line}");
    }
    for (i, link) in links.iter().enumerate() {
        let verdict = match &link.revocation {
            Revocation::Good { source } => format!("not revoked ({source})"),
            Revocation::Unchecked => "not checked (a root, or no OCSP responder or CRL)".to_owned(),
            other => other.sentence().unwrap_or_default(),
        };
        match i {
            0 => outln!("Revocation:  {verdict}"),
            _ => outln!("  {}: {verdict}", link.issued_to),
        }
    }
    Ok(())
}

fn pem_certificate(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// `certdesk import`'s switches.
pub struct ImportFlags {
    /// `--exportable true`.
    pub exportable: bool,
    /// `--trust-root`.
    pub trust_root: bool,
    /// `--verbose`: list what a warning counts.
    pub verbose: bool,
}

pub fn import(
    store: &mut Store,
    ctx: &Context,
    file: &Path,
    password: &PasswordArgs,
    flags: ImportFlags,
) -> Result<(), CliError> {
    let ImportFlags {
        exportable,
        trust_root,
        verbose,
    } = flags;
    let name = file.display().to_string();
    let bad = |e: ReadError| match e {
        ReadError::Io { .. } => CliError::bad_input(e.to_string()),
        ReadError::Format(FormatError::PasswordRequired) => CliError::bad_input(format!(
            "{name}: {e} (use --password-file or --password-env)"
        )),
        ReadError::Format(e) => CliError::bad_input(format!("{name}: {e}")),
    };
    let options = ImportOptions {
        location: ctx.location,
        exportable,
        trust_root,
    };
    let given = password.given()?;
    let plan = match import::read_file(file, given.as_deref().map(String::as_str), options.clone())
    {
        Err(ReadError::Format(FormatError::PasswordRequired)) if given.is_none() => {
            match password.prompt(&format!("Password for {name}: "))? {
                Some(p) => import::read_file(file, Some(&p), options).map_err(bad)?,
                None => return Err(bad(ReadError::Format(FormatError::PasswordRequired))),
            }
        }
        other => other.map_err(bad)?,
    };
    let crate::ops::aia::Completed {
        report,
        fetched: mut aia,
    } = crate::ops::aia::import(store, plan, &name, ctx.now)?;

    let all = std::mem::take(&mut aia.certs);
    let index = ChainIndex::new(&all);
    let usages = output::usages(store, ctx.now)?;
    let ids: std::collections::HashSet<i64> = report.imported.iter().copied().collect();
    let imported: Vec<_> = all.iter().filter(|c| ids.contains(&c.id)).collect();
    let skipped: Vec<serde_json::Value> = report
        .skipped
        .iter()
        .map(|s| serde_json::json!({"thumbprint": s.thumbprint, "reason": s.reason.text()}))
        .collect();
    if ctx.json {
        return print_json(&serde_json::json!({
            "imported": imported.iter().map(|c| CertJson::new(c, &index, ctx.now, &usages)).collect::<Vec<_>>(),
            "already_present": report.already_present,
            "keys_attached": report.keys_attached,
            "made_exportable": report.made_exportable.iter().map(|m| &m.thumbprint).collect::<Vec<_>>(),
            "skipped": skipped,
            "fetched_issuers": aia.added,
            "warnings": report.warnings,
            "without_key": report.without_key,
        }));
    }
    for c in &imported {
        outln!(
            "imported     {}  {}  {}{}",
            c.summary.thumbprint,
            c.logical.title(),
            c.summary.issued_to(),
            if c.key.is_some() {
                "  (with private key)"
            } else {
                ""
            }
        );
    }
    for t in &report.already_present {
        outln!("already here {t}");
    }
    for t in &report.keys_attached {
        outln!("key attached {t}");
    }
    for MadeExportable { thumbprint, name } in &report.made_exportable {
        outln!("exportable   {thumbprint}  {name}  (its private key is now exportable, as asked)");
    }
    for t in &aia.added {
        outln!("fetched      {t}  Intermediate CAs (the missing issuer, from AIA)");
    }
    for Skipped { thumbprint, reason } in &report.skipped {
        outln!(
            "skipped      {thumbprint}: {}; run again with --trust-root to trust it",
            reason.text()
        );
    }
    for w in &report.warnings {
        errln!("warning: {w}");
    }
    if verbose && report.without_key.len() > 1 {
        for name in &report.without_key {
            errln!("without a private key: {name}");
        }
    }
    Ok(())
}

pub fn remove(store: &mut Store, ctx: &Context, thumbprint: &str) -> Result<(), CliError> {
    let removed = remove::remove(store, ctx.location, thumbprint, ctx.now)?;
    if ctx.json {
        return print_json(&serde_json::json!({"removed": removed.summary.thumbprint}));
    }
    outln!("{}", crate::ops::words::Removed(&removed));
    Ok(())
}

pub fn log(store: &Store, ctx: &Context, last: Option<usize>) -> Result<(), CliError> {
    let entries = store.log_entries(last)?;
    if ctx.json {
        return print_json(&entries.iter().map(LogJson::new).collect::<Vec<_>>());
    }
    for e in &entries {
        let user = e
            .user
            .as_deref()
            .map(|u| format!("{u}  "))
            .unwrap_or_default();
        outln!(
            "{}  {user}{:<8} {:<8} {}",
            output::rfc3339(e.time),
            e.operation,
            e.outcome,
            e.command
        );
        for line in e.details.lines() {
            outln!("    {line}");
        }
    }
    Ok(())
}

/// `certdesk expiring`.
pub fn expiring(
    store: &Store,
    ctx: &Context,
    days: i64,
    ics: Option<&std::path::Path>,
) -> Result<(), CliError> {
    if !(0..=36_500).contains(&days) {
        return Err(CliError::bad_input("--days must be between 0 and 36500"));
    }
    let listed = crate::ops::expiry::expiring(store, days, ctx.now)?;
    if let Some(path) = ics {
        crate::ops::expiry::write_ics(path, &listed, ctx.now)
            .map_err(|e| CliError::bad_input(e.to_string()))?;
    }
    if ctx.json {
        print_json(&listed)?;
    } else {
        if listed.is_empty() {
            outln!("nothing expires within {days} days");
        }
        for e in &listed {
            let usages: Vec<&str> = e.usages.iter().map(|u| u.title()).collect();
            outln!(
                "{}  {:>5} days  {}  {:<28}  {}{}",
                &e.not_after[..10],
                e.days_left,
                e.thumbprint,
                e.friendly_name,
                e.subject,
                if usages.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", usages.join(", "))
                }
            );
        }
    }
    let assigned = listed.iter().filter(|e| !e.usages.is_empty()).count();
    match assigned {
        0 => Ok(()),
        1 => Err(CliError::refused(format!(
            "an assigned certificate expires within {days} days: renew it (`certdesk renew THUMBPRINT`)"
        ))),
        n => Err(CliError::refused(format!(
            "{n} assigned certificates expire within {days} days: renew them (`certdesk renew THUMBPRINT`)"
        ))),
    }
}
