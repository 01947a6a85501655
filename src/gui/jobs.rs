//! Named background jobs: slow work (key generation, PFX key derivation, native file
//! dialogs) runs on its own thread with owned inputs; the result comes back through a
//! channel and the UI thread commits it. Frames never wait for a job.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use zeroize::Zeroizing;

use crate::deploy::request::{Generated, RequestSpec};
use crate::ops::enroll::{self, EnrollError};
use crate::ops::files::{self, InputError, OutputError};
use crate::ops::import::{self, ImportOptions, ImportPlan, ReadError};
use crate::ops::sample::SampleError;

use super::list_order::{ListKey, ListOrder, order};
use super::view_model::StoreView;
use crate::ops::sign_in::{SignInIdentity, sign_in_identity};
use crate::store::CaConnection;

/// Which sign-in an identity answers: the connection's name and the alternate user.
pub type IdentityKey = (String, Option<String>);

/// Which file field a dialog result goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickTarget {
    /// The import dialog's file.
    ImportFile,
    /// The export dialog's output file.
    ExportFile,
    /// The request wizard's CSR file.
    CsrFile,
    /// The TLS trust bundle of a new CA connection.
    CaBundle,
    /// The Topology page's file.
    TopologyFile,
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
    /// A topology file's text was read (the Topology page's Load).
    TopologyRead(PathBuf, Result<String, InputError>),
    /// A file dialog answered (None: cancelled).
    Picked(PickTarget, Option<PathBuf>),
    /// No native file dialog is available: the built-in browser should ask instead.
    Browse(PickRequest),
    /// A directory that does not exist yet, proposed for a new store.
    Proposed(PathBuf),
    /// The list's order for a key (filter, sort, page) over the snapshot of that
    /// generation, computed off the UI thread.
    Ordered(u64, ListOrder),
    /// Who an AD CS connection signs in as (the key: the connection and the alternate
    /// user), found off the UI thread (it may read a Kerberos ticket cache).
    Identity(IdentityKey, SignInIdentity),
    /// A directory listed for the built-in browser (bounded), or why not.
    Listed(PathBuf, Result<Vec<DirEntry>, std::io::Error>),
}

/// What a Browse… asked for, kept until some dialog answers it.
#[derive(Debug, Clone)]
pub struct PickRequest {
    /// Which field the path goes to.
    pub target: PickTarget,
    /// A save dialog (the file may not exist yet).
    pub save: bool,
    /// Where to start.
    pub start: Option<PathBuf>,
    /// For Save as…: the bytes to write once a path is chosen.
    pub bytes: Option<Vec<u8>>,
}

/// One entry of a listed directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The file name.
    pub name: String,
    /// A directory (or a link to one).
    pub dir: bool,
    /// The size in bytes (files).
    pub size: u64,
}

/// The most entries a directory listing holds (a huge directory is cut, not read whole).
pub const MAX_ENTRIES: usize = 5_000;

/// How quickly a native dialog that answers "cancelled" must have answered for it to mean
/// that no dialog exists (no portal, no zenity): a person takes longer.
const NO_DIALOG: std::time::Duration = std::time::Duration::from_millis(300);

/// The folder a Browse… starts in: the one the typed path names or lies in (no I/O).
pub fn start_dir(typed: &str) -> Option<PathBuf> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    let path = PathBuf::from(typed);
    if typed.ends_with(std::path::MAIN_SEPARATOR) {
        return Some(path);
    }
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(std::path::Path::to_path_buf)
}

/// The folder a chosen file lies in.
fn folder_of(path: &Path) -> Option<PathBuf> {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
}

/// Lists `dir`: directories first, then files, each by name; hidden entries left out;
/// at most [`MAX_ENTRIES`].
pub fn list_dir(dir: &std::path::Path) -> Result<Vec<DirEntry>, std::io::Error> {
    let read = std::fs::read_dir(dir)?;
    let mut entries: Vec<DirEntry> = read
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .take(MAX_ENTRIES)
        .map(|e| {
            let meta = std::fs::metadata(e.path()).ok();
            DirEntry {
                name: e.file_name().to_string_lossy().into_owned(),
                dir: meta.as_ref().is_some_and(std::fs::Metadata::is_dir),
                size: meta.as_ref().map_or(0, std::fs::Metadata::len),
            }
        })
        .collect();
    entries.sort_by(|a, b| {
        b.dir
            .cmp(&a.dir)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(entries)
}

/// The running jobs and their results.
pub struct Jobs {
    tx: Sender<(&'static str, JobResult)>,
    rx: Receiver<(&'static str, JobResult)>,
    running: Vec<&'static str>,
    reads: u64,
    /// Whether to try the system's file dialog (false once it proved absent, or when the
    /// built-in browser was asked for).
    native: bool,
    /// The folder of the last file chosen: where a Browse… with nothing typed starts.
    last_folder: Option<PathBuf>,
}

impl Default for Jobs {
    fn default() -> Self {
        let (tx, rx) = channel();
        Self {
            tx,
            rx,
            running: Vec::new(),
            reads: 0,
            native: std::env::var_os("CERTDESK_FILE_DIALOG").is_none_or(|v| v != "builtin"),
            last_folder: None,
        }
    }
}

impl Jobs {
    /// The names of the jobs still running.
    pub fn running(&self) -> &[&'static str] {
        &self.running
    }

    /// Uses the system's file dialogs (true) or the built-in browser (false).
    pub fn set_native_dialogs(&mut self, native: bool) {
        self.native = native;
    }

    /// The folder of the last file chosen in a file dialog (remembered between sessions).
    pub fn last_folder(&self) -> Option<&Path> {
        self.last_folder.as_deref()
    }

    /// Sets where a Browse… with nothing typed starts (the remembered folder).
    pub fn set_last_folder(&mut self, folder: Option<PathBuf>) {
        self.last_folder = folder;
    }

    /// A file was chosen (in the system's dialog or the built-in browser): its folder is
    /// where the next Browse… starts.
    pub fn chosen(&mut self, path: &Path) {
        if let Some(folder) = folder_of(path) {
            self.last_folder = Some(folder);
        }
    }

    /// Whether no job is running.
    pub fn idle(&self) -> bool {
        self.running.is_empty()
    }

    /// Results that arrived since the last call.
    pub fn finished(&mut self) -> Vec<JobResult> {
        let mut results = Vec::new();
        for (name, r) in self.rx.try_iter() {
            match &r {
                // No system dialog: the built-in browser from now on, without waiting.
                JobResult::Browse(_) => self.native = false,
                JobResult::Picked(_, Some(path)) | JobResult::Saved(path, _) => {
                    if let Some(folder) = folder_of(path) {
                        self.last_folder = Some(folder);
                    }
                }
                _ => {}
            }
            if let Some(i) = self.running.iter().position(|n| *n == name) {
                self.running.remove(i);
            }
            results.push(r);
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
            let _ = tx.send((name, work()));
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

    /// Asks where to save `bytes` and writes them there (atomically), off the UI thread;
    /// cancelled, nothing happens.
    pub fn save_as(&mut self, ctx: &egui::Context, bytes: Vec<u8>) {
        self.pick_request(
            ctx,
            PickRequest {
                target: PickTarget::Nowhere,
                save: true,
                start: None,
                bytes: Some(bytes),
            },
        );
    }

    /// Asks for a file for `target` (`save`: one that may not exist yet), starting in
    /// `start` (else the folder of the last file chosen): the system's dialog off the UI thread, or, where there is none (no portal
    /// or zenity: SSH X forwarding, minimal desktops), the built-in browser
    /// ([`JobResult::Browse`]).
    pub fn pick(
        &mut self,
        ctx: &egui::Context,
        target: PickTarget,
        save: bool,
        start: Option<PathBuf>,
    ) {
        self.pick_request(
            ctx,
            PickRequest {
                target,
                save,
                start,
                bytes: None,
            },
        );
    }

    fn pick_request(&mut self, ctx: &egui::Context, mut request: PickRequest) {
        if request.start.is_none() {
            request.start.clone_from(&self.last_folder);
        }
        if !self.native {
            self.spawn(ctx, "file dialog", move || JobResult::Browse(request));
            return;
        }
        self.spawn(ctx, "file dialog", move || {
            let started = std::time::Instant::now();
            let mut dialog = rfd::FileDialog::new();
            if let Some(dir) = &request.start {
                dialog = dialog.set_directory(dir);
            }
            let path = if request.save {
                dialog.save_file()
            } else {
                dialog.pick_file()
            };
            match (path, &request.bytes) {
                (None, _) if started.elapsed() < NO_DIALOG => JobResult::Browse(request),
                (Some(path), Some(bytes)) => {
                    let result = files::write_atomic(&path, bytes, false);
                    JobResult::Saved(path, result)
                }
                (path, _) => JobResult::Picked(request.target, path),
            }
        });
    }

    /// Writes `bytes` to `path` (atomically) off the UI thread (the built-in browser's
    /// Save as…).
    pub fn write(&mut self, ctx: &egui::Context, path: PathBuf, bytes: Vec<u8>) {
        self.spawn(ctx, "saving the file", move || {
            let result = files::write_atomic(&path, &bytes, false);
            JobResult::Saved(path, result)
        });
    }

    /// Finds who `ca` signs in as, with `alternate` the user given for one request.
    pub fn identity(&mut self, ctx: &egui::Context, ca: CaConnection, alternate: Option<String>) {
        self.spawn(ctx, "looking for a Kerberos ticket", move || {
            let identity = sign_in_identity(&ca, alternate.as_deref());
            JobResult::Identity((ca.name, alternate), identity)
        });
    }

    /// Reads a topology file off the UI thread.
    pub fn read_topology(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.spawn(ctx, "reading the topology", move || {
            let text = enroll::read_topology_file(&path);
            JobResult::TopologyRead(path, text)
        });
    }

    /// Filters and sorts the list for `key` off the UI thread (100,000 rows take longer
    /// than a frame).
    pub fn order(
        &mut self,
        ctx: &egui::Context,
        (view, generation): (Arc<StoreView>, u64),
        key: ListKey,
    ) {
        self.spawn(ctx, "sorting the list", move || {
            let visible = order(&view, &key);
            JobResult::Ordered(generation, ListOrder { key, visible })
        });
    }

    /// Proposes a directory for a new store beside `current` off the UI thread.
    pub fn propose_store(&mut self, ctx: &egui::Context, current: PathBuf) {
        self.spawn(ctx, "finding a free directory", move || {
            JobResult::Proposed(free_beside(&current))
        });
    }

    /// Lists a directory for the built-in browser off the UI thread.
    pub fn list(&mut self, ctx: &egui::Context, dir: PathBuf) {
        self.spawn(ctx, "listing the folder", move || {
            let listed = list_dir(&dir);
            JobResult::Listed(dir, listed)
        });
    }
}

/// A directory beside `current` that does not exist yet, for a new store.
fn free_beside(current: &Path) -> PathBuf {
    let stem = current
        .file_name()
        .map_or_else(|| "certdesk".into(), |n| n.to_string_lossy().into_owned());
    (2..100)
        .map(|i| current.with_file_name(format!("{stem}-{i}")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| current.with_file_name(format!("{stem}-new")))
}
