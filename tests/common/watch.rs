//! A certdesk process watched as it runs: how long it took and the most memory it held
//! (its peak resident set, `VmHWM` in /proc), killed once it passes either limit so that
//! a test of a bound never waits for an unbounded process.

use std::io::Read;
use std::process::Child;
use std::time::{Duration, Instant};

/// How a watched process ended.
pub struct Watched {
    /// Its exit code; none when it was killed.
    pub code: Option<i32>,
    /// What it wrote to stdout.
    pub stdout: String,
    /// What it wrote to stderr.
    pub stderr: String,
    /// How long it ran.
    pub took: Duration,
    /// Its peak resident set, KiB (as last read before it ended).
    pub peak_kib: u64,
}

/// The peak resident set of process `pid`, KiB, while it runs.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Reads a pipe to its end on a thread of its own (so the child never blocks on it).
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

/// Waits for `child` (started with piped stdout and stderr), killing it once it has run
/// `time_limit` or its peak resident set passes `memory_limit_kib`.
pub fn watch(mut child: Child, time_limit: Duration, memory_limit_kib: u64) -> Watched {
    let started = Instant::now();
    let (stdout, stderr) = (drain(child.stdout.take()), drain(child.stderr.take()));
    let mut peak = 0;
    let code = loop {
        if let Some(kib) = peak_kib(child.id()) {
            peak = peak.max(kib);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status.code(),
            Ok(None) if started.elapsed() < time_limit && peak <= memory_limit_kib => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    Watched {
        code,
        took: started.elapsed(),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        peak_kib: peak,
    }
}
