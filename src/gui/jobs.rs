//! Named background jobs: slow work (key generation, PFX key derivation, native file
//! dialogs) runs on its own thread with owned inputs; the result comes back through a
//! channel and the UI thread commits it. Frames never wait for a job.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use zeroize::Zeroizing;

use crate::model::formats::{self, FormatError};
use crate::model::import::{self, ImportOptions, ImportPlan};
use crate::model::request::{Generated, RequestError, RequestSpec};

/// Which file field a dialog result goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickTarget {
    /// The import dialog's file.
    ImportFile,
    /// The export dialog's output file.
    ExportFile,
    /// The request wizard's CSR file.
    CsrFile,
    /// Saving a CSR shown at the end of the wizard.
    SaveCsr,
}

/// What a job produced.
pub enum JobResult {
    /// A file read (and decrypted) into an import plan, or the error sentence and whether
    /// it is about the password.
    Read(Result<ImportPlan, String>, bool),
    /// The sample deployment was created in this directory.
    Sample(Result<PathBuf, String>),
    /// A key and CSR generated.
    Generated(Box<RequestSpec>, Result<Generated, RequestError>),
    /// A native file dialog answered (None: cancelled, or no dialog is available).
    Picked(PickTarget, Option<PathBuf>, std::time::Duration),
}

/// The running jobs and their results.
pub struct Jobs {
    tx: Sender<JobResult>,
    rx: Receiver<JobResult>,
    running: Vec<&'static str>,
}

impl Default for Jobs {
    fn default() -> Self {
        let (tx, rx) = channel();
        Self {
            tx,
            rx,
            running: Vec::new(),
        }
    }
}

impl Jobs {
    /// The names of the jobs still running.
    pub fn running(&self) -> &[&'static str] {
        &self.running
    }

    /// Whether no job is running.
    pub fn idle(&self) -> bool {
        self.running.is_empty()
    }

    /// Results that arrived since the last call.
    pub fn finished(&mut self) -> Vec<JobResult> {
        let results: Vec<JobResult> = self.rx.try_iter().collect();
        for r in &results {
            let name = match r {
                JobResult::Read(..) => "reading the file",
                JobResult::Sample(_) => "creating the sample deployment",
                JobResult::Generated(..) => "generating the key",
                JobResult::Picked(..) => "file dialog",
            };
            if let Some(i) = self.running.iter().position(|n| *n == name) {
                self.running.remove(i);
            }
        }
        results
    }

    fn spawn(
        &mut self,
        ctx: &egui::Context,
        name: &'static str,
        work: impl FnOnce() -> JobResult + Send + 'static,
    ) {
        self.running.push(name);
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let _ = tx.send(work());
            ctx.request_repaint();
        });
    }

    /// Reads, decrypts and plans an import off the UI thread.
    pub fn read(
        &mut self,
        ctx: &egui::Context,
        path: PathBuf,
        password: Option<Zeroizing<String>>,
        options: ImportOptions,
    ) {
        self.spawn(ctx, "reading the file", move || {
            let result = match std::fs::read(&path) {
                Ok(bytes) => formats::read(&bytes, password.as_deref().map(String::as_str))
                    .and_then(|contents| import::plan(contents, options))
                    .map_err(|e| e.to_string()),
                Err(e) => Err(format!("cannot read {}: {e}", path.display())),
            };
            let wants_password =
                matches!(&result, Err(e) if e == &FormatError::PasswordRequired.to_string());
            let wrong_password =
                matches!(&result, Err(e) if e == &FormatError::WrongPassword.to_string());
            JobResult::Read(result, wants_password || wrong_password)
        });
    }

    /// Creates the sample deployment in `dir` off the UI thread.
    pub fn sample(&mut self, ctx: &egui::Context, dir: PathBuf, now: i64) {
        self.spawn(ctx, "creating the sample deployment", move || {
            JobResult::Sample(
                crate::model::sample::create(&dir, now)
                    .map(|()| dir)
                    .map_err(|e| e.to_string()),
            )
        });
    }

    /// Generates a request's key and CSR off the UI thread.
    pub fn generate(&mut self, ctx: &egui::Context, spec: RequestSpec, now: i64) {
        self.spawn(ctx, "generating the key", move || {
            let result = spec.generate(now);
            JobResult::Generated(Box::new(spec), result)
        });
    }

    /// Opens a native file dialog off the UI thread. Without a portal or zenity rfd
    /// answers `None` at once; the dialog then says so and the typed path still works.
    pub fn pick(&mut self, ctx: &egui::Context, target: PickTarget, save: bool) {
        self.spawn(ctx, "file dialog", move || {
            let started = std::time::Instant::now();
            let dialog = rfd::FileDialog::new();
            let path = if save {
                dialog.save_file()
            } else {
                dialog.pick_file()
            };
            JobResult::Picked(target, path, started.elapsed())
        });
    }
}
