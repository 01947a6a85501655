//! Deploy targets as stored rows: which certificate (a usage's, or one thumbprint), where
//! its files go (`[USER@HOST[:PORT]:]DIR` as given), in which format, how the server is
//! reloaded and proved, the SSH files to use, the PFX password sealed to the target's
//! destination, and the outcome of its last run.

use zeroize::Zeroizing;

use super::db::{Row, values};
use super::{Store, StoreError};
use crate::deploy::usage::UsageType;
use crate::pki::seal::{Binding, open};

/// The field a target's PFX password is sealed as.
pub(crate) const PFX_PASSWORD: &str = "pfx_password";

/// What a target deploys.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeploySource {
    /// Whatever certificate the usage holds at the time of the run.
    Usage(UsageType),
    /// This certificate (SHA-1 thumbprint, upper-case hex).
    Certificate(String),
}

/// The files a target receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeployFormat {
    /// certbot's layout: `cert.pem`, `chain.pem`, `fullchain.pem`, `privkey.pem`.
    Pem,
    /// `NAME.pfx`, 3DES-SHA1, with the chain.
    Pfx,
}

impl DeployFormat {
    /// The CLI and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeployFormat::Pem => "pem",
            DeployFormat::Pfx => "pfx",
        }
    }

    /// Parses a CLI or database name.
    pub fn parse(s: &str) -> Option<Self> {
        [DeployFormat::Pem, DeployFormat::Pfx]
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
    }
}

/// How a target's last run ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LastRun {
    /// When, Unix seconds.
    pub time: i64,
    /// The certificate deployed (or tried).
    pub thumbprint: Option<String>,
    /// Whether it was deployed (and proved, when the target has a probe).
    pub ok: bool,
    /// What happened, one sentence: the proof, or why it failed.
    pub message: String,
}

/// What a deploy target does: as the user describes it (`deploy add`, the target editor),
/// and as it is stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TargetSettings {
    /// Its name (`deploy run NAME`).
    pub name: String,
    /// What it deploys: a usage, or a certificate (a thumbprint; as the user gives it, a
    /// unique prefix).
    pub source: DeploySource,
    /// `[USER@HOST[:PORT]:]DIR` (stored with a local directory absolute).
    pub destination: String,
    /// The files written.
    pub format: DeployFormat,
    /// The command that makes the server load the new files (run where the files are).
    pub reload: Option<String>,
    /// `HOST:PORT` probed until it serves the new certificate.
    pub probe: Option<String>,
    /// The SSH private key file (`ssh -i`).
    pub identity: Option<String>,
    /// The known_hosts file (`UserKnownHostsFile`).
    pub known_hosts: Option<String>,
    /// How long the probe may take to see the new certificate, seconds.
    pub proof_seconds: i64,
}

/// A stored deploy target (without its PFX password).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeployTarget {
    /// What it does.
    #[serde(flatten)]
    pub settings: TargetSettings,
    /// Whether a PFX password is stored.
    pub has_password: bool,
    /// When it was added, Unix seconds.
    pub added: i64,
    /// Its last run, if any.
    pub last: Option<LastRun>,
}

impl DeployTarget {
    /// What the PFX password is bound to: the target's destination and format.
    pub(crate) fn endpoint(&self) -> String {
        endpoint(&self.settings.destination, self.settings.format.as_str())
    }
}

pub(crate) fn endpoint(destination: &str, format: &str) -> String {
    super::cas::endpoint("deploy", destination, Some(format), None)
}

const SELECT: &str = "SELECT name, usage, thumbprint, destination, format, reload, probe,
    identity, known_hosts, proof_seconds, encrypted_pfx_password IS NOT NULL, added,
    last_run, last_thumbprint, last_ok, last_message FROM deploy_targets";

fn from_row(r: &Row) -> Result<DeployTarget, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("a deploy target's {what}"));
    let source = match (r.opt_text(1)?, r.opt_text(2)?) {
        (Some(usage), _) => {
            DeploySource::Usage(UsageType::parse(&usage).map_err(|_| corrupt("usage"))?)
        }
        (None, Some(thumbprint)) => DeploySource::Certificate(thumbprint),
        (None, None) => return Err(corrupt("certificate")),
    };
    let last = match r.opt_int(12)? {
        Some(time) => Some(LastRun {
            time,
            thumbprint: r.opt_text(13)?,
            ok: r.opt_int(14)? == Some(1),
            message: r.opt_text(15)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(DeployTarget {
        settings: TargetSettings {
            name: r.text(0)?,
            source,
            destination: r.text(3)?,
            format: DeployFormat::parse(&r.text(4)?).ok_or_else(|| corrupt("format"))?,
            reload: r.opt_text(5)?,
            probe: r.opt_text(6)?,
            identity: r.opt_text(7)?,
            known_hosts: r.opt_text(8)?,
            proof_seconds: r.int(9)?,
        },
        has_password: r.bool(10)?,
        added: r.int(11)?,
        last,
    })
}

impl Store {
    /// Every deploy target, by name.
    pub fn deploy_targets(&self) -> Result<Vec<DeployTarget>, StoreError> {
        self.sql()
            .query(&format!("{SELECT} ORDER BY name"), &[])?
            .iter()
            .map(from_row)
            .collect()
    }

    /// One deploy target.
    pub fn deploy_target(&self, name: &str) -> Result<DeployTarget, StoreError> {
        self.sql()
            .query_one(&format!("{SELECT} WHERE name = ?1"), values![name])?
            .as_ref()
            .map(from_row)
            .transpose()?
            .ok_or_else(|| StoreError::NoSuchTarget(name.to_owned()))
    }

    /// A target's PFX password, decrypted (none stored: `None`).
    pub fn deploy_password(&self, name: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        let row = self
            .sql()
            .query_one(
                "SELECT encrypted_pfx_password, destination, format FROM deploy_targets
                 WHERE name = ?1",
                values![name],
            )?
            .ok_or_else(|| StoreError::NoSuchTarget(name.to_owned()))?;
        let endpoint = endpoint(&row.text(1)?, &row.text(2)?);
        let owner = format!("deploy {name}");
        row.opt_blob(0)?
            .map(|blob| {
                open(
                    blob,
                    self.secret(),
                    Binding::Setting {
                        owner: &owner,
                        field: PFX_PASSWORD,
                        endpoint: &endpoint,
                    },
                )
                .map(|bytes| Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned()))
                .map_err(StoreError::from)
            })
            .transpose()
    }
}

/// The writes, inside the caller's transaction (with its log entry).
pub(crate) mod write {
    use super::{DeploySource, DeployTarget, LastRun, PFX_PASSWORD};
    use crate::pki::seal::{Binding, seal};
    use crate::store::StoreError;
    use crate::store::db::{Sql, values};

    /// Adds a target, or replaces the one of that name when `replace`; its PFX password
    /// sealed under `secret` (none given on a replace: the stored one is kept when the
    /// destination and format are the same).
    pub fn put(
        tx: Sql<'_>,
        secret: &[u8],
        target: &DeployTarget,
        password: Option<&str>,
        replace: bool,
    ) -> Result<(), StoreError> {
        let owner = format!("deploy {}", target.settings.name);
        let endpoint = target.endpoint();
        let binding = Binding::Setting {
            owner: &owner,
            field: PFX_PASSWORD,
            endpoint: &endpoint,
        };
        let existing = tx.query_one(
            "SELECT encrypted_pfx_password, destination, format FROM deploy_targets
             WHERE name = ?1",
            values![&target.settings.name],
        )?;
        let kept = match (&existing, replace) {
            (Some(_), false) => return Err(StoreError::TargetExists(target.settings.name.clone())),
            (None, true) => return Err(StoreError::NoSuchTarget(target.settings.name.clone())),
            (Some(row), true) => match row.opt_blob(0)? {
                Some(blob)
                    if row.text(1)? == target.settings.destination
                        && row.text(2)? == target.settings.format.as_str() =>
                {
                    Some(blob.to_vec())
                }
                _ => None,
            },
            (None, false) => None,
        };
        let sealed = match password {
            Some(p) => Some(seal(p.as_bytes(), secret, binding)?),
            None => kept,
        };
        let (usage, thumbprint) = match &target.settings.source {
            DeploySource::Usage(u) => (Some(u.as_str()), None),
            DeploySource::Certificate(t) => (None, Some(t.as_str())),
        };
        tx.execute(
            "DELETE FROM deploy_targets WHERE name = ?1",
            values![&target.settings.name],
        )?;
        tx.execute(
            "INSERT INTO deploy_targets (name, usage, thumbprint, destination, format, reload,
                probe, identity, known_hosts, proof_seconds, encrypted_pfx_password, added)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            values![
                &target.settings.name,
                usage,
                thumbprint,
                &target.settings.destination,
                target.settings.format.as_str(),
                target.settings.reload.as_deref(),
                target.settings.probe.as_deref(),
                target.settings.identity.as_deref(),
                target.settings.known_hosts.as_deref(),
                target.settings.proof_seconds,
                sealed,
                target.added
            ],
        )?;
        Ok(())
    }

    /// Removes a target.
    pub fn delete(tx: Sql<'_>, name: &str) -> Result<(), StoreError> {
        if tx.execute("DELETE FROM deploy_targets WHERE name = ?1", values![name])? == 0 {
            return Err(StoreError::NoSuchTarget(name.to_owned()));
        }
        Ok(())
    }

    /// Records how a target's run ended (a target removed meanwhile: nothing).
    pub fn record_run(tx: Sql<'_>, name: &str, run: &LastRun) -> Result<(), StoreError> {
        tx.execute(
            "UPDATE deploy_targets SET last_run = ?2, last_thumbprint = ?3, last_ok = ?4,
                last_message = ?5 WHERE name = ?1",
            values![
                name,
                run.time,
                run.thumbprint.as_deref(),
                run.ok,
                &run.message
            ],
        )?;
        Ok(())
    }
}
