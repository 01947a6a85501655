//! PEM: split text into labelled Base64 blocks (`-----BEGIN X-----` ... `-----END X-----`).
//! Text outside blocks (OpenSSL's "subject=" and "Bag Attributes" lines) is ignored.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// One decoded PEM block.
#[derive(Debug)]
pub struct Block {
    /// The label between `BEGIN ` and the dashes, e.g. `CERTIFICATE`.
    pub label: String,
    /// The decoded content.
    pub der: Vec<u8>,
}

/// Why a PEM file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PemError {
    /// A BEGIN line without its END line.
    #[error("PEM block {index} ({label}) has no END line")]
    Unterminated {
        /// 1-based position of the block in the file.
        index: usize,
        /// The block's label.
        label: String,
    },
    /// The Base64 body does not decode.
    #[error("PEM block {index} ({label}) is not valid Base64")]
    BadBase64 {
        /// 1-based position of the block in the file.
        index: usize,
        /// The block's label.
        label: String,
    },
    /// A block larger than [`MAX_BLOCK`].
    #[error(
        "PEM block {index} ({label}) is larger than 16 MiB, more than a certificate file's block ever holds"
    )]
    TooLarge {
        /// 1-based position of the block in the file.
        index: usize,
        /// The block's label.
        label: String,
    },
    /// The file could not be read to its end.
    #[error("the file could not be read to its end: {0}")]
    Io(String),
    /// Encrypted traditional OpenSSL keys (`Proc-Type: 4,ENCRYPTED`).
    #[error(
        "PEM block {index} ({label}) is a legacy encrypted key; convert it with `openssl pkcs8 -topk8` first"
    )]
    LegacyEncrypted {
        /// 1-based position of the block in the file.
        index: usize,
        /// The block's label.
        label: String,
    },
}

/// The most Base64 text one PEM block may hold: far more than any certificate, key or
/// PKCS#7 bundle in one block, and a bound on what a hostile block makes certdesk hold.
pub const MAX_BLOCK: usize = 16 << 20;

/// The longest line read: a line longer than this is no PEM line and is passed over in
/// pieces, never held whole.
const MAX_LINE: usize = 64 << 10;

/// Whether the bytes look like PEM text (contain a BEGIN line).
pub fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Decodes every block in the text, in order.
pub fn parse(bytes: &[u8]) -> Result<Vec<Block>, PemError> {
    Blocks::new(bytes).collect()
}

/// The lines of PEM text: bytes in memory, or a file read a piece at a time.
pub trait Lines {
    /// The next line without its end of line; `None` at the end of the text. A line
    /// longer than the limit comes in pieces.
    fn next_line(&mut self) -> Result<Option<&[u8]>, PemError>;
}

impl Lines for &[u8] {
    fn next_line(&mut self) -> Result<Option<&[u8]>, PemError> {
        if self.is_empty() {
            return Ok(None);
        }
        let text: &[u8] = self;
        let end = text
            .iter()
            .take(MAX_LINE)
            .position(|b| *b == b'\n')
            .map_or(text.len().min(MAX_LINE), |i| i + 1);
        let (line, rest) = text.split_at(end);
        *self = rest;
        Ok(Some(line))
    }
}

/// PEM text read from a file a piece at a time: what it holds at once is one line.
pub struct ReadLines<R> {
    reader: R,
    line: Vec<u8>,
}

impl<R: std::io::BufRead> ReadLines<R> {
    /// Lines read from `reader`.
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            line: Vec::new(),
        }
    }
}

impl<R: std::io::BufRead> Lines for ReadLines<R> {
    fn next_line(&mut self) -> Result<Option<&[u8]>, PemError> {
        use std::io::{BufRead, Read};
        self.line.clear();
        let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX);
        let n = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.line)
            .map_err(|e| PemError::Io(e.to_string()))?;
        Ok((n > 0).then_some(self.line.as_slice()))
    }
}

/// The blocks of PEM text, decoded one at a time, in order: memory holds one block.
pub struct Blocks<L> {
    lines: L,
    index: usize,
    failed: bool,
}

impl<L: Lines> Blocks<L> {
    /// The blocks of `lines`.
    pub fn new(lines: L) -> Self {
        Self {
            lines,
            index: 0,
            failed: false,
        }
    }

    fn next_block(&mut self) -> Result<Option<Block>, PemError> {
        let label = loop {
            let Some(line) = self.lines.next_line()? else {
                return Ok(None);
            };
            if let Some(label) = begin_label(line) {
                break label;
            }
        };
        self.index += 1;
        let index = self.index;
        let end = format!("-----END {label}-----");
        let mut body = Vec::new();
        loop {
            let Some(line) = self.lines.next_line()? else {
                return Err(PemError::Unterminated { index, label });
            };
            let inner = trim(line);
            if inner == end.as_bytes() {
                break;
            }
            if inner.starts_with(b"Proc-Type:") && contains(inner, b"ENCRYPTED") {
                return Err(PemError::LegacyEncrypted { index, label });
            }
            if inner.contains(&b':') {
                continue; // RFC 1421 headers
            }
            if body.len() + inner.len() > MAX_BLOCK {
                return Err(PemError::TooLarge { index, label });
            }
            body.extend_from_slice(inner);
        }
        let der = STANDARD.decode(&body).map_err(|_| PemError::BadBase64 {
            index,
            label: label.clone(),
        })?;
        Ok(Some(Block { label, der }))
    }
}

impl<L: Lines> Iterator for Blocks<L> {
    type Item = Result<Block, PemError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let next = self.next_block().transpose();
        self.failed = matches!(next, Some(Err(_)));
        next
    }
}

fn trim(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn begin_label(line: &[u8]) -> Option<String> {
    trim(line)
        .strip_prefix(b"-----BEGIN ")
        .and_then(|rest| rest.strip_suffix(b"-----"))
        .map(|label| String::from_utf8_lossy(label).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_blocks_and_skips_surrounding_text() {
        let text = b"subject=CN=x\n-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\nnoise\n-----BEGIN PKCS7-----\r\nAw==\r\n-----END PKCS7-----\r\n";
        let blocks = parse(text).expect("valid PEM");
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].label, "CERTIFICATE");
        assert_eq!(blocks[0].der, vec![0, 1, 2]);
        assert_eq!(blocks[1].label, "PKCS7");
        assert_eq!(blocks[1].der, vec![3]);
    }

    #[test]
    fn a_file_read_a_line_at_a_time_gives_the_same_blocks() {
        let text = b"junk\r\n-----BEGIN CERTIFICATE-----\r\nAAEC\r\nAw==\r\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nBAU=\n-----END PRIVATE KEY-----";
        let whole = parse(text).expect("valid PEM");
        let read: Vec<Block> = Blocks::new(ReadLines::new(std::io::BufReader::with_capacity(
            3,
            &text[..],
        )))
        .collect::<Result<_, _>>()
        .expect("valid PEM");
        assert_eq!(whole.len(), 2);
        assert_eq!(read.len(), 2);
        for (a, b) in whole.iter().zip(&read) {
            assert_eq!((&a.label, &a.der), (&b.label, &b.der));
        }
        assert_eq!(read[0].der, vec![0, 1, 2, 3]);
    }

    /// Base64 text without end, produced as it is read: a hostile file of any size.
    struct Endless {
        sent: usize,
        total: usize,
    }

    impl std::io::Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----\n";
            let n = buf.len().min(self.total - self.sent);
            for (i, b) in buf[..n].iter_mut().enumerate() {
                let at = self.sent + i;
                *b = match BEGIN.get(at) {
                    Some(c) => *c,
                    None if (at - BEGIN.len()) % 65 == 64 => b'\n',
                    None => b'A',
                };
            }
            self.sent += n;
            Ok(n)
        }
    }

    #[test]
    fn a_huge_block_is_refused_once_it_passes_the_bound() {
        let source = Endless {
            sent: 0,
            total: MAX_BLOCK * 2,
        };
        let mut blocks = Blocks::new(ReadLines::new(std::io::BufReader::new(source)));
        assert!(matches!(
            blocks.next(),
            Some(Err(PemError::TooLarge { index: 1, .. }))
        ));
        assert!(blocks.next().is_none(), "nothing after an error");
    }

    #[test]
    fn a_line_without_end_is_read_in_pieces() {
        let mut text = b"-----BEGIN CERTIFICATE-----\n".to_vec();
        text.extend(std::iter::repeat_n(b'A', MAX_LINE * 3));
        let mut lines = ReadLines::new(&text[..]);
        let mut longest = 0;
        while let Some(line) = lines.next_line().expect("read") {
            longest = longest.max(line.len());
        }
        assert_eq!(longest, MAX_LINE);
        assert!(matches!(
            parse(&text),
            Err(PemError::Unterminated { index: 1, .. })
        ));
    }

    #[test]
    fn garbage_and_missing_end_are_errors() {
        let bad = b"-----BEGIN CERTIFICATE-----\n!!!notbase64\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            parse(bad),
            Err(PemError::BadBase64 { index: 1, .. })
        ));
        let open = b"-----BEGIN CERTIFICATE-----\nAAEC\n";
        assert!(matches!(
            parse(open),
            Err(PemError::Unterminated { index: 1, .. })
        ));
    }
}
