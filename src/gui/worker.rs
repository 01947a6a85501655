//! The store's own thread. The window never touches the store: it sends requests here
//! (apply a command, reload, compute eligibility, open another store) and polls for the
//! replies each frame. Commands are applied one at a time in the order sent; after each one
//! the worker loads a fresh [`StoreView`] (a second at 100,000 certificates) and sends it.
//! Commands that wait on the network go to the [`super::network`] thread, in their own
//! order, and come back here for their view.
//! Between requests it looks at the database's change counter every [`POLL`] (SQLite's
//! commit counter; what a team database's LISTEN has heard) and sends a fresh view when
//! another process (a script, another window) has changed the store. Frames never
//! wait for any of it.
//! A large store's first view (as the window opens, or another store is opened) comes in
//! two: the list's first page as soon as the certificates are read, then the whole view;
//! the window takes at most one view a frame, so the first page is drawn.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

use super::command::{self, Applied, ApplyError, Command};
use super::list_order::{self, ListKey, ListOrder};
use super::network::{self, Done, Job, Network, Ticketed};
use super::view_model::StoreView;
use crate::deploy::usage::UsageType;
use crate::ops::assign::{AssignError, UsageEligibility};
use crate::ops::keyring;
use crate::store::{Store, StoreError};

/// How often the worker looks for changes made by other processes.
pub const POLL: Duration = Duration::from_millis(500);

/// The rows of a first page: more than a window shows at 1024x768 (about 30), so that
/// scrolling a page or two meets rows.
pub const FIRST_PAGE: usize = 100;

/// From how many certificates a store's first view comes in two (a smaller one is read
/// whole in a moment).
pub const LARGE: usize = 2_000;

/// What the window asks of the store.
enum Request {
    /// Repaint this context when a reply is ready.
    Attach(egui::Context),
    /// Apply a command, then send a fresh view.
    Apply(Ticketed),
    /// Send the store's first view at `now` (a large store's in two).
    Reload(i64),
    /// Compute who may be assigned each usage, at `now`.
    Eligible(Vec<UsageType>, i64),
    /// Switch to the store in a directory.
    Open {
        /// The directory.
        dir: PathBuf,
        /// A new store: the directory must not exist yet.
        new: bool,
        /// Now, in Unix seconds.
        now: i64,
    },
    /// Switch to a team store.
    OpenTeam {
        /// Its `postgres://` address.
        address: String,
        /// How to sign in and unlock it.
        login: TeamLogin,
        /// Now, in Unix seconds.
        now: i64,
    },
    /// Unlock the store.
    Unlock {
        /// Its passphrase.
        passphrase: zeroize::Zeroizing<String>,
        /// Remember the passphrase in the keyring.
        remember: bool,
        /// Now, in Unix seconds.
        now: i64,
    },
    /// The list page the window shows (its order is computed with each snapshot).
    List(Option<ListKey>),
    /// The network thread finished a job.
    Done(Done),
}

/// What the store answers.
pub enum Reply {
    /// A command was applied (or refused): its ticket, and what it gave.
    Applied(u64, Result<(String, Applied), ApplyError>),
    /// A fresh view of the store.
    View {
        /// The view.
        view: Box<StoreView>,
        /// The order of the list page the window showed (so a refresh costs the window
        /// no sorting).
        order: Option<ListOrder>,
        /// False when it answers no request: another process changed the store, or it is
        /// a first page (the whole view follows).
        answers: bool,
    },
    /// The view could not be loaded (`answers` as for a view).
    ViewFailed(StoreError, bool),
    /// Eligibility for the assign dialog.
    Eligible(Result<Vec<UsageEligibility>, AssignError>),
    /// Another store was opened (its directory), or why not.
    Opened(Result<PathBuf, StoreError>),
    /// The store was unlocked (with a note when the keyring did not keep the passphrase),
    /// or why not.
    Unlocked(Result<Option<String>, StoreError>),
    /// The store's database stopped answering (why), or answers again (`None`); a team
    /// store reconnects by itself.
    Connection(Option<String>),
}

/// What opens a team store beyond its address: the database password (else PGPASSWORD or
/// ~/.pgpass) and the team passphrase (else read only). Held in memory only, zeroised.
#[derive(Default)]
pub struct TeamLogin {
    /// The database password.
    pub password: Option<zeroize::Zeroizing<String>>,
    /// The team passphrase.
    pub passphrase: Option<zeroize::Zeroizing<String>>,
}

/// The window's handle on the store thread.
pub struct StoreWorker {
    tx: Sender<Request>,
    rx: Receiver<Reply>,
    /// The ticket of the next command.
    ticket: u64,
    pending: usize,
    attached: bool,
    list: Option<ListKey>,
}

impl StoreWorker {
    /// Moves an open store to its own thread (ask for the first view with
    /// [`StoreWorker::reload`]). `clock` dates the views loaded after changes by other
    /// processes.
    pub fn spawn(store: Store, clock: fn() -> i64) -> Self {
        let (tx, requests) = channel();
        let (replies, rx) = channel();
        let own = tx.clone();
        std::thread::Builder::new()
            .name("certdesk store".into())
            .spawn(move || run(store, (&requests, own), &replies, clock))
            .ok();
        Self {
            tx,
            rx,
            ticket: 0,
            pending: 0,
            attached: false,
            list: None,
        }
    }

    fn send(&mut self, request: Request, counts: bool) {
        if self.tx.send(request).is_ok() && counts {
            self.pending += 1;
        }
    }

    /// Lets the worker wake the window when a reply arrives (once, on the first frame).
    pub fn attach(&mut self, ctx: &egui::Context) {
        if !self.attached {
            self.attached = true;
            self.send(Request::Attach(ctx.clone()), false);
        }
    }

    /// Applies a command, in order after those already sent (those that wait on the
    /// network, in order among themselves): its ticket, which its reply carries.
    pub fn apply(&mut self, command: Command, now: i64) -> u64 {
        self.ticket += 1;
        let ticketed = Ticketed {
            ticket: self.ticket,
            command: Box::new(command),
            now,
        };
        self.send(Request::Apply(ticketed), true);
        self.ticket
    }

    /// Asks for the store's first view (a large store's first page comes first).
    pub fn reload(&mut self, now: i64) {
        self.send(Request::Reload(now), true);
    }

    /// Asks which certificates each usage may be assigned.
    pub fn eligible(&mut self, usages: Vec<UsageType>, now: i64) {
        self.send(Request::Eligible(usages, now), true);
    }

    /// Switches to another store (`new`: creates it, refusing a directory that exists).
    pub fn open(&mut self, dir: PathBuf, new: bool, now: i64) {
        self.send(Request::Open { dir, new, now }, true);
    }

    /// Switches to the team store at `address`.
    pub fn open_team(&mut self, address: String, login: TeamLogin, now: i64) {
        self.send(
            Request::OpenTeam {
                address,
                login,
                now,
            },
            true,
        );
    }

    /// Unlocks the store with its passphrase.
    pub fn unlock(&mut self, passphrase: zeroize::Zeroizing<String>, remember: bool, now: i64) {
        self.send(
            Request::Unlock {
                passphrase,
                remember,
                now,
            },
            true,
        );
    }

    /// Tells the store's thread which list page the window shows, when it changes.
    pub fn list(&mut self, key: Option<ListKey>) {
        if self.list != key {
            self.list.clone_from(&key);
            self.send(Request::List(key), false);
        }
    }

    /// How many requests have not been answered yet.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// The replies that arrived since the last call, up to the first view: a view that
    /// follows waits for the next frame (so a first page is drawn before the whole view
    /// replaces it).
    pub fn replies(&mut self) -> Vec<Reply> {
        let mut replies = Vec::new();
        while let Ok(reply) = self.rx.try_recv() {
            let view = matches!(reply, Reply::View { .. });
            replies.push(reply);
            if view {
                break;
            }
        }
        for reply in &replies {
            // Every request ends with exactly one of these.
            let last = match reply {
                Reply::View { answers, .. } | Reply::ViewFailed(_, answers) => *answers,
                Reply::Eligible(_) | Reply::Opened(Err(_)) | Reply::Unlocked(Err(_)) => true,
                Reply::Applied(..)
                | Reply::Opened(Ok(_))
                | Reply::Unlocked(Ok(_))
                | Reply::Connection(_) => false,
            };
            if last {
                self.pending = self.pending.saturating_sub(1);
            }
        }
        replies
    }
}

/// The worker's loop: one request at a time, and a look for outside changes when idle.
fn run(
    mut store: Store,
    (requests, own): (&Receiver<Request>, Sender<Request>),
    replies: &Sender<Reply>,
    clock: fn() -> i64,
) {
    let mut net = Network::default();
    unlock_from_keyring(&mut store);
    // The network thread's results come back through this thread's own requests.
    let report = || -> network::Report {
        let own = own.clone();
        Box::new(move |done| own.send(Request::Done(done)).is_ok())
    };
    let mut ctx: Option<egui::Context> = None;
    let mut list: Option<ListKey> = None;
    let mut seen = store.data_version().ok();
    let mut offline = false;
    let send = |reply: Reply, ctx: &Option<egui::Context>| {
        let sent = replies.send(reply).is_ok();
        if let Some(ctx) = ctx {
            ctx.request_repaint();
        }
        sent
    };
    loop {
        let reply = match requests.recv_timeout(POLL) {
            Ok(Request::Attach(c)) => {
                ctx = Some(c);
                continue;
            }
            Ok(Request::List(key)) => {
                list = key;
                continue;
            }
            Ok(Request::Apply(ticketed)) if ticketed.command.waits_on_network() => {
                let Some(done) = net.dispatch(&mut store, Job::Apply(ticketed), report) else {
                    continue;
                };
                match finished(&store, done, list.as_ref(), &ctx, &send) {
                    Some(reply) => reply,
                    None => return,
                }
            }
            Ok(Request::Apply(Ticketed {
                ticket,
                command,
                now,
            })) => {
                let result = command::apply(&mut store, *command, now);
                if !send(Reply::Applied(ticket, result), &ctx) {
                    return;
                }
                view(&store, now, list.as_ref(), true, None)
            }
            Ok(Request::Reload(now)) => {
                let early = |reply| send(reply, &ctx);
                view(&store, now, list.as_ref(), true, Some(&early))
            }
            Ok(Request::Eligible(usages, now)) => {
                let Some(done) = net.dispatch(&mut store, Job::Eligible(usages, now), report)
                else {
                    continue;
                };
                match finished(&store, done, list.as_ref(), &ctx, &send) {
                    Some(reply) => reply,
                    None => return,
                }
            }
            Ok(Request::Done(done)) => match finished(&store, done, list.as_ref(), &ctx, &send) {
                Some(reply) => reply,
                None => return,
            },
            Ok(Request::Open { dir, new, now }) => {
                let opened = if new {
                    Store::create_new(&dir)
                } else {
                    Store::open(&dir)
                };
                match switch(&mut store, opened, dir, &ctx, &send) {
                    Ok(true) => {
                        unlock_from_keyring(&mut store);
                        net.reset();
                        let early = |reply| send(reply, &ctx);
                        view(&store, now, list.as_ref(), true, Some(&early))
                    }
                    Ok(false) => return,
                    Err(e) => Reply::Opened(Err(e)),
                }
            }
            Ok(Request::OpenTeam {
                address,
                login,
                now,
            }) => {
                let opened = Store::open_team(
                    &address,
                    login.password.as_deref().map(String::as_str),
                    login.passphrase.as_deref().map(String::as_str),
                );
                match switch(&mut store, opened, PathBuf::from(address), &ctx, &send) {
                    Ok(true) => {
                        net.reset();
                        let early = |reply| send(reply, &ctx);
                        view(&store, now, list.as_ref(), true, Some(&early))
                    }
                    Ok(false) => return,
                    Err(e) => Reply::Opened(Err(e)),
                }
            }
            Ok(Request::Unlock {
                passphrase,
                remember,
                now,
            }) => match store.unlock(&passphrase) {
                Ok(()) => {
                    // The network thread's connection was opened locked: a new one.
                    net.reset();
                    let note = (remember && !store.is_team())
                        .then(|| keyring::remember(store.dir(), &passphrase).err())
                        .flatten()
                        .map(|e| e.to_string());
                    if !send(Reply::Unlocked(Ok(note)), &ctx) {
                        return;
                    }
                    view(&store, now, list.as_ref(), true, None)
                }
                Err(e) => Reply::Unlocked(Err(e)),
            },
            Err(RecvTimeoutError::Timeout) => {
                let version = match store.data_version() {
                    Ok(version) => Some(version),
                    Err(e) => {
                        // Said once; the next look tries again.
                        if !offline && !send(Reply::Connection(Some(e.to_string())), &ctx) {
                            return;
                        }
                        offline = true;
                        continue;
                    }
                };
                if offline {
                    offline = false;
                    if !send(Reply::Connection(None), &ctx) {
                        return;
                    }
                }
                if version == seen {
                    continue;
                }
                view(&store, clock(), list.as_ref(), false, None)
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        seen = store.data_version().ok();
        if !send(reply, &ctx) {
            return;
        }
    }
}

/// What the window gets for a finished network job: the command's result (sent here)
/// followed by a fresh view, or the eligibility; None when the window is gone.
fn finished(
    store: &Store,
    done: Done,
    list: Option<&ListKey>,
    ctx: &Option<egui::Context>,
    send: &dyn Fn(Reply, &Option<egui::Context>) -> bool,
) -> Option<Reply> {
    match done {
        Done::Applied {
            ticket,
            result,
            now,
        } => send(Reply::Applied(ticket, result), ctx).then(|| view(store, now, list, true, None)),
        Done::Eligible(table) => Some(Reply::Eligible(table)),
    }
}

/// Replaces the store with `opened` (keeping `--no-system-roots`) and says so: whether the
/// window is still there; or why it could not be opened.
fn switch(
    store: &mut Store,
    opened: Result<Store, StoreError>,
    location: PathBuf,
    ctx: &Option<egui::Context>,
    send: &dyn Fn(Reply, &Option<egui::Context>) -> bool,
) -> Result<bool, StoreError> {
    let mut opened = opened?;
    if store.ignores_system_roots_for_session() {
        opened.ignore_system_roots();
    }
    *store = opened;
    Ok(send(Reply::Opened(Ok(location)), ctx))
}

/// Unlocks a locked local store with the passphrase its user asked the keyring to keep.
fn unlock_from_keyring(store: &mut Store) {
    if store.is_locked()
        && !store.is_team()
        && let Some(passphrase) = keyring::recall(store.dir())
    {
        // A passphrase kept before it was changed leaves the store locked: the unlock
        // dialog then asks.
        let _ = store.unlock(&passphrase);
    }
}

/// A fresh view with the order of the list page shown. With `early` (the store's first
/// view), a large store's first page is sent there as soon as the certificates are read.
fn view(
    store: &Store,
    now: i64,
    list: Option<&ListKey>,
    answers: bool,
    early: Option<&dyn Fn(Reply) -> bool>,
) -> Reply {
    let certs = match store.list(None, None) {
        Ok(certs) => certs,
        Err(e) => return Reply::ViewFailed(e, answers),
    };
    if let (Some(early), Some(key)) = (early, list)
        && certs.len() >= LARGE
    {
        match StoreView::first_page(store, &certs, key, FIRST_PAGE, now) {
            // The whole view follows whether or not the window took this.
            Ok((page, order)) => {
                early(Reply::View {
                    view: Box::new(page),
                    order: Some(ListOrder {
                        key: key.clone(),
                        visible: order,
                    }),
                    answers: false,
                });
            }
            Err(e) => return Reply::ViewFailed(e, answers),
        }
    }
    match StoreView::from_certs(store, certs, now) {
        Ok(view) => {
            let order = list.map(|key| ListOrder {
                key: key.clone(),
                visible: list_order::order(&view, key),
            });
            Reply::View {
                view: Box::new(view),
                order,
                answers,
            }
        }
        Err(e) => Reply::ViewFailed(e, answers),
    }
}
