//! The CLI's one way to stdout and stderr. Every line of text goes through [`line`] (the
//! [`outln!`] and [`errln!`] macros), which escapes its control characters with
//! [`crate::text::escape`]: a certificate's subject, a friendly name, a server's message or
//! a log entry cannot move the cursor, clear the screen or forge a line of its own. JSON
//! goes out as serde_json wrote it (it escapes control characters itself), through
//! [`Sink`].
//!
//! Writing never panics and never fails a command: a stream that was closed (`certdesk log
//! | head`) is written no more and the command ends quietly; any other failure to write
//! stdout (a full disk) is kept and reported once the command is done ([`failure`]).

use std::io::{self, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Where output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// stdout: the command's answer.
    Out,
    /// stderr: warnings and the error sentence.
    Err,
}

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);
static FAILURE: Mutex<Option<String>> = Mutex::new(None);

impl Stream {
    fn closed(self) -> &'static AtomicBool {
        match self {
            Stream::Out => &STDOUT_CLOSED,
            Stream::Err => &STDERR_CLOSED,
        }
    }

    /// Runs one write on the real stream, unless it was closed; a failure closes it.
    fn attempt(self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) {
        let closed = self.closed();
        if closed.load(Ordering::Relaxed) {
            return;
        }
        let result = match self {
            Stream::Out => write(&mut io::stdout().lock()),
            Stream::Err => write(&mut io::stderr().lock()),
        };
        if let Err(e) = result {
            closed.store(true, Ordering::Relaxed);
            if self == Stream::Out && e.kind() != io::ErrorKind::BrokenPipe {
                let mut failure = FAILURE.lock().unwrap_or_else(|p| p.into_inner());
                failure.get_or_insert_with(|| e.to_string());
            }
        }
    }
}

/// A writer on stdout or stderr that always succeeds: what cannot be written is dropped
/// (see the module's documentation).
pub struct Sink(pub Stream);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.attempt(|w| w.write_all(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.attempt(|w| w.flush());
        Ok(())
    }
}

/// Writes `text` as one line: every control character in it, a line break included, is
/// escaped, so it can only ever be one line.
pub fn line(stream: Stream, text: &str) {
    let mut escaped = crate::text::escape(text).into_owned();
    escaped.push('\n');
    stream.attempt(|w| w.write_all(escaped.as_bytes()));
}

/// Writes several lines (a block of text of certdesk's own, such as TOML), each through
/// [`line`].
pub fn lines(stream: Stream, text: &str) {
    for l in text.lines() {
        line(stream, l);
    }
}

/// Why stdout could not be written, other than being closed by its reader; once the
/// command is done.
pub fn failure() -> Option<String> {
    Stream::Out.attempt(|w| w.flush());
    FAILURE.lock().unwrap_or_else(|p| p.into_inner()).take()
}

/// Prints one line on stdout (`format!` arguments), its control characters escaped.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::terminal::line($crate::cli::terminal::Stream::Out, &format!($($arg)*))
    };
}

/// Prints one line on stderr (`format!` arguments), its control characters escaped.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::terminal::line($crate::cli::terminal::Stream::Err, &format!($($arg)*))
    };
}

pub(crate) use {errln, outln};
