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

/// Whether the bytes look like PEM text (contain a BEGIN line).
pub fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Decodes every block in the text, in order.
pub fn parse(bytes: &[u8]) -> Result<Vec<Block>, PemError> {
    let text = String::from_utf8_lossy(bytes);
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(label) = begin_label(line) else {
            continue;
        };
        let index = blocks.len() + 1;
        let label = label.to_owned();
        let end = format!("-----END {label}-----");
        let mut body = String::new();
        let mut terminated = false;
        for inner in lines.by_ref() {
            let inner = inner.trim();
            if inner == end {
                terminated = true;
                break;
            }
            if inner.starts_with("Proc-Type:") && inner.contains("ENCRYPTED") {
                return Err(PemError::LegacyEncrypted { index, label });
            }
            if inner.contains(':') {
                continue; // RFC 1421 headers
            }
            body.push_str(inner);
        }
        if !terminated {
            return Err(PemError::Unterminated { index, label });
        }
        let der = STANDARD
            .decode(body.as_bytes())
            .map_err(|_| PemError::BadBase64 {
                index,
                label: label.clone(),
            })?;
        blocks.push(Block { label, der });
    }
    Ok(blocks)
}

fn begin_label(line: &str) -> Option<&str> {
    line.trim()
        .strip_prefix("-----BEGIN ")
        .and_then(|rest| rest.strip_suffix("-----"))
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
