//! Named background jobs: slow work (key generation, PFX key derivation, native file
//! dialogs) runs on its own thread with owned inputs; the result comes back through a
//! channel and the UI thread commits it. Frames never wait for a job.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use zeroize::Zeroizing;

use crate::deploy::request::{Generated, RequestSpec};
use crate::ops::enroll::{self, EnrollError};
use crate::ops::files::{self, OutputError};
use crate::ops::import::{self, ImportOptions, ImportPlan, ReadError};
use crate::ops::sample::SampleError;

/// Which file field a dialog result goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickTarget {
    /// The import dialog's file.
    ImportFile,
    /// The export dialog's output file.
    ExportFile,
    /// The request wizard's CSR file.
    CsrFile,
    /// A save dialog that was cancelled (or is not available).
    Nowhere,
}

/// What a job produced.
pub enum JobResult {
    /// A file read (and decrypted) into an import plan, or why not; the number is the one
    /// [`Jobs::read`] returned, so a dialog ignores the answer to a read it abandoned.
    Read(u64, Result<ImportPlan, ReadError>),
    /// The sample deployment was created in this directory.
    Sample(Result<PathBuf, SampleError>),
    /// A key and CSR generated (or the CSR path refused, or generation failed).
    Generated(Box<RequestSpec>, Result<Generated, EnrollError>),
    /// A file was saved (the CSR shown at the end of the wizard).
    Saved(PathBuf, Result<(), OutputError>),
    /// A native file dialog answered (None: cancelled, or no dialog is available).
    Picked(PickTarget, Option<PathBuf>, std::time::Duration),
}

/// The running jobs and their results.
pub struct Jobs {
    tx: Sender<JobResult>,
    rx: Receiver<JobResult>,
    running: Vec<&'static str>,
    reads: u64,
}

impl Default for Jobs {
    fn default() -> Self {
        let (tx, rx) = channel();
        Self {
            tx,
            rx,
            running: Vec::new(),
            reads: 0,
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
                JobResult::Saved(..) => "saving the file",
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

    /// Reads, decrypts and plans an import off the UI thread; returns the read's number.
    /// The work is bounded (the PKCS#12 reader's key-derivation budget), and a dialog that
    /// is cancelled meanwhile simply ignores the answer.
    pub fn read(
        &mut self,
        ctx: &egui::Context,
        path: PathBuf,
        password: Option<Zeroizing<String>>,
        options: ImportOptions,
    ) -> u64 {
        self.reads += 1;
        let id = self.reads;
        self.spawn(ctx, "reading the file", move || {
            JobResult::Read(
                id,
                import::read_file(&path, password.as_deref().map(String::as_str), options),
            )
        });
        id
    }

    /// Creates the sample deployment in `dir` off the UI thread.
    pub fn sample(&mut self, ctx: &egui::Context, dir: PathBuf, now: i64) {
        self.spawn(ctx, "creating the sample deployment", move || {
            JobResult::Sample(crate::ops::sample::create(&dir, now).map(|()| dir))
        });
    }

    /// Checks the CSR path and generates a request's key and CSR off the UI thread.
    pub fn generate(
        &mut self,
        ctx: &egui::Context,
        spec: RequestSpec,
        csr_path: Option<PathBuf>,
        now: i64,
    ) {
        self.spawn(ctx, "generating the key", move || {
            let result = enroll::prepare(&spec, csr_path.as_deref(), now);
            JobResult::Generated(Box::new(spec), result)
        });
    }

    /// Asks where to save `bytes` (a native save dialog) and writes them there
    /// (atomically), off the UI thread; cancelled or without a dialog, nothing happens.
    pub fn save_as(&mut self, ctx: &egui::Context, bytes: Vec<u8>) {
        self.spawn(ctx, "saving the file", move || {
            let started = std::time::Instant::now();
            match rfd::FileDialog::new().save_file() {
                Some(path) => {
                    let result = files::write_atomic(&path, &bytes, false);
                    JobResult::Saved(path, result)
                }
                None => JobResult::Picked(PickTarget::Nowhere, None, started.elapsed()),
            }
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
