//! Text from outside certdesk (certificates, files, servers, the log) made safe to show and
//! to keep: which characters a terminal must never receive raw and how they are shown
//! instead ([`escape`]), a server's message as one capped line ([`message`]), and the rules
//! of a friendly name ([`check_name`], [`clean_name`]).
//!
//! Pure functions: nothing here touches the store, the network or the terminal.

use std::borrow::Cow;
use std::fmt::Write;

/// The longest friendly name, in characters.
pub const MAX_FRIENDLY_NAME: usize = 256;

/// The longest server message kept, in characters (before its control characters are
/// escaped).
pub const MAX_MESSAGE: usize = 500;

/// `n` with its digits grouped by thousands, as a sentence shows a count: `99,998`.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Whether a terminal must never receive `c` raw: the C0 controls (line breaks, tabs and
/// the escape that starts terminal sequences), DEL, the C1 controls, and the Unicode
/// format characters that reorder or break the text around them (bidirectional marks,
/// embeddings, overrides and isolates; the line and paragraph separators).
pub fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// `text` with every character of [`is_control`] written as an escape (`\n`, `\r`, `\t`,
/// `\x1b`, `\u{202e}`): it shows what was there and does nothing. Borrowed when clean.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if !is_control(c) => out.push(c),
        c if u32::from(c) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// A message from a server or a file as certdesk keeps and shows it: one line (white space,
/// line breaks included, collapsed to single spaces), its other control characters escaped,
/// and at most [`MAX_MESSAGE`] characters, the cut said at its end.
pub fn message(text: &str) -> String {
    let mut out = String::new();
    let mut kept = 0usize;
    let mut total = 0usize;
    for word in text.split_whitespace() {
        let words_before = total;
        total += word.chars().count() + usize::from(words_before > 0);
        if kept >= MAX_MESSAGE {
            continue;
        }
        if words_before > 0 {
            out.push(' ');
            kept += 1;
        }
        for c in word.chars().take(MAX_MESSAGE.saturating_sub(kept)) {
            push_escaped(&mut out, c);
            kept += 1;
        }
    }
    if total > MAX_MESSAGE {
        let _ = write!(
            out,
            "… (the message was cut to its first {MAX_MESSAGE} of {total} characters)"
        );
    }
    out
}

/// Why a friendly name cannot be given as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// It holds a line break, an escape or another control character.
    #[error(
        "a friendly name cannot hold control characters (a line break, a tab, an escape sequence)"
    )]
    Control,
    /// It is longer than [`MAX_FRIENDLY_NAME`] characters (how many it has).
    #[error("a friendly name has at most 256 characters, and this one has {0}")]
    TooLong(usize),
}

/// Every reason `name` cannot be a friendly name as it is: control characters, more than
/// [`MAX_FRIENDLY_NAME`] characters (none when it can).
pub fn name_problems(name: &str) -> Vec<NameError> {
    let mut problems = Vec::new();
    if name.chars().any(is_control) {
        problems.push(NameError::Control);
    }
    match name.chars().count() {
        n if n > MAX_FRIENDLY_NAME => problems.push(NameError::TooLong(n)),
        _ => {}
    }
    problems
}

/// Checks a friendly name typed by someone: its first problem, if any.
pub fn check_name(name: &str) -> Result<(), NameError> {
    name_problems(name).into_iter().next().map_or(Ok(()), Err)
}

/// A friendly name read from a file as certdesk keeps it: each control character replaced
/// by a space, trimmed, and cut to [`MAX_FRIENDLY_NAME`] characters.
pub fn clean_name(name: &str) -> String {
    let spaced: String = name
        .chars()
        .map(|c| if is_control(c) { ' ' } else { c })
        .collect();
    spaced
        .trim()
        .chars()
        .take(MAX_FRIENDLY_NAME)
        .collect::<String>()
        .trim_end()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(99_998), "99,998");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn escape_shows_every_control_and_keeps_the_rest() {
        assert!(matches!(escape("CN=Contoso, ü ⚠ \\"), Cow::Borrowed(_)));
        assert_eq!(
            escape("a\nb\rc\td\u{1b}[2J\u{7f}\u{9b}\u{202e}\u{2028}\0"),
            "a\\nb\\rc\\td\\x1b[2J\\x7f\\x9b\\u{202e}\\u{2028}\\x00"
        );
        assert!(!escape("x\u{1b}\u{85}\u{2066}y").chars().any(is_control));
    }

    #[test]
    fn a_message_is_one_capped_line() {
        assert_eq!(
            message("  Denied by\r\n  Policy\tModule "),
            "Denied by Policy Module"
        );
        assert_eq!(message("clear\u{1b}[2J"), "clear\\x1b[2J");
        let long = "x".repeat(2_000_000);
        let cut = message(&long);
        assert!(cut.starts_with(&"x".repeat(MAX_MESSAGE)));
        assert!(cut.ends_with("… (the message was cut to its first 500 of 2000000 characters)"));
        assert!(cut.chars().count() < MAX_MESSAGE + 100);
        let words = "ab ".repeat(1000);
        assert!(message(&words).contains("of 2999 characters"));
        assert!(!message(&words).contains('\n'));
    }

    #[test]
    fn names_are_checked_and_cleaned() {
        assert_eq!(check_name("Edge external 2025"), Ok(()));
        assert_eq!(check_name("a\nb"), Err(NameError::Control));
        assert_eq!(check_name("a\u{202e}b"), Err(NameError::Control));
        assert_eq!(check_name(&"n".repeat(256)), Ok(()));
        assert_eq!(check_name(&"é".repeat(257)), Err(NameError::TooLong(257)));
        let both = format!("\n{}", "n".repeat(300));
        assert_eq!(
            name_problems(&both),
            [NameError::Control, NameError::TooLong(301)]
        );
        assert_eq!(clean_name(" web\n\u{1b}[2Jsite\t"), "web  [2Jsite");
        assert_eq!(clean_name(&"n".repeat(1 << 20)).chars().count(), 256);
        assert_eq!(clean_name("plain"), "plain");
    }
}
