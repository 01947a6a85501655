//! Running a program (`ssh`, a reload command) with bytes on its standard input, within a
//! deadline: past it the program is killed. What it prints is kept up to a limit, so a
//! program that never stops printing costs nothing more.

use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The most of each output stream kept.
const MAX_OUTPUT: u64 = 64 * 1024;

/// How a program ended.
#[derive(Debug)]
pub struct Finished {
    /// Its exit status.
    pub status: ExitStatus,
    /// What it wrote on stderr (at most [`MAX_OUTPUT`] bytes), as it wrote it: only for
    /// looking into, never shown.
    pub raw_stderr: String,
}

impl Finished {
    /// Its exit code (`-1` when a signal ended it).
    pub fn code(&self) -> i32 {
        self.status.code().unwrap_or(-1)
    }

    /// What it wrote on stderr as certdesk shows it: one line, cleaned and capped.
    pub fn message(&self) -> String {
        crate::text::message(&self.raw_stderr)
    }
}

/// Why a program gave no exit status.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// It cannot be started (not installed).
    #[error("{program} cannot be started: {why}")]
    Start {
        /// What was run, as the user knows it.
        program: String,
        /// The system's reason.
        why: String,
    },
    /// It ran past its deadline and was stopped.
    #[error("{0} did not finish within {1} s and was stopped")]
    TooSlow(String, u64),
}

/// How long the output is waited for once the program has exited (a daemon it started may
/// hold the pipe open for ever).
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

fn drain(mut stream: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let _ = (&mut stream).take(MAX_OUTPUT).read_to_end(&mut kept);
        let _ = send.send(kept);
        // The rest is read and dropped, so the program never blocks on a full pipe.
        let _ = std::io::copy(&mut stream, &mut std::io::sink());
    });
    receive
}

fn wait(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => return None,
        }
    }
}

/// Runs `command` with `input` on its standard input (then closed) and its standard output
/// dropped, within `limit`; `what` names it in sentences.
pub fn run(
    mut command: Command,
    input: &[u8],
    limit: Duration,
    what: &str,
) -> Result<Finished, ProcessError> {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|e| ProcessError::Start {
        program: what.to_owned(),
        why: e.to_string(),
    })?;
    let deadline = Instant::now() + limit;
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    if let Some(mut stdin) = child.stdin.take() {
        let input = zeroize::Zeroizing::new(input.to_vec());
        std::thread::spawn(move || {
            // A program that exits without reading its input closes the pipe: not an error.
            let _ = stdin.write_all(&input);
        });
    }
    let Some(status) = wait(&mut child, deadline) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(ProcessError::TooSlow(what.to_owned(), limit.as_secs()));
    };
    drop(stdout);
    let raw_stderr = stderr
        .and_then(|r| r.recv_timeout(OUTPUT_GRACE).ok())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    Ok(Finished { status, raw_stderr })
}
