//! One deadline shared by the steps of one piece of network work (a probe's connect,
//! handshake and revocation checks; one certificate's OCSP and CRL fetches): each step
//! gets what is left of it, and never more than its own limit, so that many slow steps
//! together cost no more than the whole was given.

use std::time::{Duration, Instant};

/// When a piece of network work must be over.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Instant,
    budget: Duration,
}

impl Deadline {
    /// The deadline `budget` from now.
    pub fn after(budget: Duration) -> Self {
        Self {
            at: Instant::now() + budget,
            budget,
        }
    }

    /// This deadline, or the one `budget` from now when that comes sooner.
    #[must_use]
    pub fn within(self, budget: Duration) -> Self {
        self.min(Self::after(budget))
    }

    fn min(self, other: Self) -> Self {
        if other.at < self.at { other } else { self }
    }

    /// How long the next step may take: what is left, at most `limit`; none once the
    /// deadline has passed.
    pub fn step(&self, limit: Duration) -> Option<Duration> {
        let left = self.at.saturating_duration_since(Instant::now());
        (!left.is_zero()).then(|| left.min(limit))
    }

    /// The whole time the work was given, in seconds (for the sentence that says it ran
    /// out).
    pub fn seconds(&self) -> u64 {
        self.budget.as_secs()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Deadline;

    #[test]
    fn a_step_gets_what_is_left_at_most_its_limit() {
        let deadline = Deadline::after(Duration::from_secs(20));
        let step = deadline.step(Duration::from_secs(5)).expect("time left");
        assert_eq!(step, Duration::from_secs(5));
        let long = deadline.step(Duration::from_secs(60)).expect("time left");
        assert!(long <= Duration::from_secs(20) && long > Duration::from_secs(19));
        let sooner = deadline.within(Duration::from_secs(2));
        assert_eq!(sooner.seconds(), 2);
        assert!(sooner.step(Duration::from_secs(5)).expect("left") <= Duration::from_secs(2));
        assert_eq!(deadline.within(Duration::from_secs(90)).seconds(), 20);
        let passed = Deadline::after(Duration::ZERO);
        assert_eq!(passed.step(Duration::from_secs(5)), None);
    }
}
