//! Work that waits on the network (online CAs, probes, revocation), on a thread and a
//! store connection of its own, so that the store's thread goes on answering the window
//! meanwhile: a slow CA no longer holds up an import or a refresh. Jobs run one at a time
//! in the order sent; each result goes back to the store's thread, which sends it to the
//! window with a fresh view, as for any command.

use std::sync::mpsc::{Sender, channel};

use super::command::{self, Applied, ApplyError, Command};
use crate::deploy::usage::UsageType;
use crate::ops::assign::{AssignError, UsageEligibility};
use crate::ops::revocation::{Policy, applied};
use crate::store::Store;

/// A command on its way to be applied.
pub struct Ticketed {
    /// The ticket its reply carries.
    pub ticket: u64,
    /// The command.
    pub command: Box<Command>,
    /// When it was sent, in Unix seconds.
    pub now: i64,
}

/// Work for the network thread.
pub enum Job {
    /// Apply a command.
    Apply(Ticketed),
    /// Compute who may be assigned each usage at `now` (it checks revocation).
    Eligible(Vec<UsageType>, i64),
}

/// What a job gave.
pub enum Done {
    /// A command was applied (or refused).
    Applied {
        /// The command's ticket.
        ticket: u64,
        /// What applying it gave.
        result: Result<(String, Applied), ApplyError>,
        /// When it was sent, in Unix seconds.
        now: i64,
    },
    /// Eligibility for the assign dialog.
    Eligible(Result<Vec<UsageEligibility>, AssignError>),
}

/// Where results go: false once nobody listens.
pub type Report = Box<dyn Fn(Done) -> bool + Send>;

/// The network thread, started on first use with a second connection to the store.
#[derive(Default)]
pub struct Network {
    jobs: Option<Sender<Job>>,
}

impl Network {
    /// Sends a job to the thread (None), or, when no second connection can be had, runs
    /// it on `store` here: what it gave. `report` makes the reporting end for a new thread.
    pub fn dispatch(
        &mut self,
        store: &mut Store,
        job: Job,
        report: impl FnOnce() -> Report,
    ) -> Option<Done> {
        match self.send(store, job, report) {
            Ok(()) => None,
            Err(job) => Some(run(store, job)),
        }
    }

    /// Sends a job to the thread, starting it (with a new connection to `store`) first if
    /// needed; the job back when that cannot be done.
    fn send(
        &mut self,
        store: &Store,
        job: Job,
        report: impl FnOnce() -> Report,
    ) -> Result<(), Job> {
        let jobs = match &self.jobs {
            Some(jobs) => jobs,
            None => {
                let Ok(own) = store.reopen() else {
                    return Err(job);
                };
                let (tx, rx) = channel::<Job>();
                let report = report();
                std::thread::Builder::new()
                    .name("certdesk network".into())
                    .spawn(move || {
                        let mut store = own;
                        for job in rx {
                            if !report(run(&mut store, job)) {
                                return;
                            }
                        }
                    })
                    .ok();
                self.jobs.insert(tx)
            }
        };
        jobs.send(job).map_err(|e| {
            self.jobs = None;
            e.0
        })
    }

    /// Forgets the thread (after the window switched stores): it ends once its work is done,
    /// and the next job starts one on the new store.
    pub fn reset(&mut self) {
        self.jobs = None;
    }
}

/// Runs one job.
fn run(store: &mut Store, job: Job) -> Done {
    match job {
        Job::Apply(Ticketed {
            ticket,
            command,
            now,
        }) => Done::Applied {
            ticket,
            result: command::apply(store, *command, now),
            now,
        },
        Job::Eligible(usages, now) => {
            Done::Eligible(applied::eligible(store, &usages, now, Policy::Soft))
        }
    }
}
