//! Deploying to another host with the system's OpenSSH client, as git does: `~/.ssh/config`
//! and the agent are honoured, but key authentication only (`BatchMode=yes`) and the host
//! key always checked (`StrictHostKeyChecking=yes`, against `--known-hosts` when given).
//! Each file goes over the standard input of `cat` into a temporary name in the target
//! directory (never in argv); one more call keeps the current files as `NAME.previous`,
//! another renames the new ones over them; the reload command runs there. Every call has a
//! deadline.

use std::process::Command;

use super::destination::Remote;
use super::files::DeployFile;
use super::process::{self, Finished};
use super::{DeployError, PREVIOUS, RELOAD_LIMIT, SSH_LIMIT, temporary};
use crate::ops::command_line::quote;

/// How long connecting may take.
const CONNECT_TIMEOUT: u32 = 10;

/// The SSH side of a target: where, and with which files.
pub struct Ssh<'a> {
    /// The host and directory.
    pub remote: &'a Remote,
    /// `ssh -i`.
    pub identity: Option<&'a str>,
    /// `UserKnownHostsFile`.
    pub known_hosts: Option<&'a str>,
}

impl Ssh<'_> {
    fn command(&self, remote_command: &str) -> Command {
        let mut ssh = Command::new("ssh");
        ssh.args(["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"])
            .arg("-o")
            .arg(format!("ConnectTimeout={CONNECT_TIMEOUT}"))
            .args([
                "-o",
                "ServerAliveInterval=10",
                "-o",
                "ServerAliveCountMax=2",
            ]);
        if let Some(file) = self.known_hosts {
            ssh.arg("-o").arg(format!("UserKnownHostsFile={file}"));
        }
        if let Some(key) = self.identity {
            ssh.arg("-i").arg(key).args(["-o", "IdentitiesOnly=yes"]);
        }
        ssh.arg("-p")
            .arg(self.remote.port.to_string())
            .arg("--")
            .arg(self.remote.login())
            .arg(remote_command);
        ssh
    }

    /// Runs `script` there (in the target directory) with `input` on its standard input.
    fn run(
        &self,
        script: &str,
        input: &[u8],
        limit: std::time::Duration,
    ) -> Result<Finished, DeployError> {
        let script = format!("cd {} && {script}", quote(&self.remote.dir));
        let done = process::run(self.command(&script), input, limit, "ssh")?;
        if done.code() != 255 {
            return Ok(done);
        }
        let host = self.remote.label();
        let raw = &done.raw_stderr;
        if raw.contains("IDENTIFICATION HAS CHANGED") {
            Err(DeployError::HostKeyChanged(host))
        } else if raw.contains("Host key verification failed") || raw.contains("host key is known")
        {
            Err(DeployError::HostKeyUnknown(host))
        } else {
            Err(DeployError::Ssh {
                host,
                message: done.message(),
            })
        }
    }

    /// Runs `script` and requires it to succeed (`what` says what it did).
    fn must(&self, script: &str, input: &[u8], what: &str) -> Result<(), DeployError> {
        let done = self.run(script, input, SSH_LIMIT)?;
        if done.status.success() {
            return Ok(());
        }
        Err(DeployError::Remote {
            host: self.remote.label(),
            what: what.to_owned(),
            message: done.message(),
        })
    }

    /// Writes every file to its temporary name there.
    pub fn stage(&self, files: &[DeployFile]) -> Result<(), DeployError> {
        for file in files {
            let tmp = quote(&temporary(&file.name));
            let mode = if file.private { "600" } else { "644" };
            self.must(
                &format!("umask 077 && rm -f {tmp} && cat > {tmp} && chmod {mode} {tmp}"),
                &file.bytes,
                &format!("writing {}", file.name),
            )?;
        }
        Ok(())
    }

    /// Removes the temporary files of a stage that did not go through (as far as it can).
    pub fn discard(&self, names: &[String]) {
        let files: Vec<String> = names.iter().map(|n| quote(&temporary(n))).collect();
        let _ = self.run(&format!("rm -f {}", files.join(" ")), &[], SSH_LIMIT);
    }

    /// Keeps the current files as `NAME.previous` (a file that has none: an old
    /// `.previous` is removed). Nothing is replaced yet.
    pub fn keep_previous(&self, names: &[String]) -> Result<(), DeployError> {
        let list = names.iter().map(|n| quote(n)).collect::<Vec<_>>().join(" ");
        let script = format!(
            "for f in {list}; do \
               if [ -e \"$f\" ]; then ln -f \"$f\" \"$f{PREVIOUS}\" 2>/dev/null || cp -p \"$f\" \"$f{PREVIOUS}\" || exit 1; \
               else rm -f \"$f{PREVIOUS}\"; fi; \
             done"
        );
        self.must(&script, &[], "keeping the current files")
    }

    /// Renames the staged files over the current ones.
    pub fn swap(&self, names: &[String]) -> Result<(), DeployError> {
        let list = names.iter().map(|n| quote(n)).collect::<Vec<_>>().join(" ");
        let script =
            format!("for f in {list}; do mv -f \".$f.certdesk-tmp\" \"$f\" || exit 1; done");
        self.must(&script, &[], "putting the new files in place")
    }

    /// Puts the previous files back (a file that had none is removed).
    pub fn rollback(&self, names: &[String]) -> Result<(), DeployError> {
        let list = names.iter().map(|n| quote(n)).collect::<Vec<_>>().join(" ");
        let script = format!(
            "for f in {list}; do \
               if [ -e \"$f{PREVIOUS}\" ]; then mv -f \"$f{PREVIOUS}\" \"$f\" || exit 1; \
               else rm -f \"$f\"; fi; \
             done"
        );
        self.must(&script, &[], "putting the previous files back")
    }

    /// Runs the reload command there.
    pub fn reload(&self, command: &str) -> Result<(), DeployError> {
        let done = self.run(command, &[], RELOAD_LIMIT)?;
        if done.status.success() {
            return Ok(());
        }
        Err(DeployError::Reload {
            command: command.to_owned(),
            code: done.code(),
            message: done.message(),
        })
    }
}
