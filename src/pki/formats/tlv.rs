//! A minimal ASN.1 tag-length-value walker: reads definite-length DER elements, and turns
//! BER (indefinite lengths, constructed OCTET STRINGs, non-minimal lengths) into DER.
//!
//! It exists because PKCS#7 files written by `openssl cms -stream` and by Java and Windows
//! tools use BER, while the DER decoders refuse it; and because extracting the certificate
//! set of a PKCS#7 needs nothing more than walking elements.

/// Nesting deeper than this is refused (no real certificate file comes close).
const MAX_DEPTH: usize = 64;

/// Why bytes are not a well-formed ASN.1 element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    /// The input ends before the element does.
    #[error("the file is truncated: it ends in the middle of its ASN.1 structure")]
    Truncated,
    /// The encoding breaks an ASN.1 rule.
    #[error("the ASN.1 encoding is invalid ({0})")]
    Malformed(&'static str),
}

/// One element: its identifier octets, its content and the whole encoding.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    /// The identifier octets (one byte unless the tag number is 31 or more).
    pub tag: &'a [u8],
    /// The content octets.
    pub content: &'a [u8],
    /// Identifier, length and content together.
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// The first identifier octet (class, constructed bit, low tag number).
    pub fn tag_byte(&self) -> u8 {
        self.tag[0]
    }

    /// Splits the content of a constructed element into its children.
    pub fn children(&self) -> Result<Vec<Tlv<'a>>, TlvError> {
        let mut rest = self.content;
        let mut out = Vec::new();
        while !rest.is_empty() {
            let (child, tail) = read(rest)?;
            out.push(child);
            rest = tail;
        }
        Ok(out)
    }
}

/// Reads one definite-length element from the front of `input`, returning it and the rest.
pub fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let (tag_len, len, header) = header(input)?;
    let Some(len) = len else {
        return Err(TlvError::Malformed("indefinite length in DER"));
    };
    let end = header.checked_add(len).ok_or(TlvError::Truncated)?;
    if input.len() < end {
        return Err(TlvError::Truncated);
    }
    let tlv = Tlv {
        tag: &input[..tag_len],
        content: &input[header..end],
        raw: &input[..end],
    };
    Ok((tlv, &input[end..]))
}

/// Whether `input` starts with an element of indefinite length (so it is BER, not DER).
pub fn starts_indefinite(input: &[u8]) -> bool {
    matches!(header(input), Ok((_, None, _)))
}

/// Re-encodes one BER element (and everything inside it) as DER, returning the DER and the
/// number of input bytes consumed.
pub fn ber_to_der(input: &[u8]) -> Result<(Vec<u8>, usize), TlvError> {
    let mut out = Vec::with_capacity(input.len());
    let used = convert(input, &mut out, 0)?;
    Ok((out, used))
}

/// Parses identifier and length: (identifier length, content length or None when
/// indefinite, header length).
fn header(input: &[u8]) -> Result<(usize, Option<usize>, usize), TlvError> {
    let first = *input.first().ok_or(TlvError::Truncated)?;
    let mut pos = 1;
    if first & 0x1f == 0x1f {
        loop {
            let b = *input.get(pos).ok_or(TlvError::Truncated)?;
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
            if pos > 6 {
                return Err(TlvError::Malformed("tag number too large"));
            }
        }
    }
    let tag_len = pos;
    let l = *input.get(pos).ok_or(TlvError::Truncated)?;
    pos += 1;
    let len = match l {
        0x80 => None,
        l if l & 0x80 == 0 => Some(usize::from(l)),
        0xff => return Err(TlvError::Malformed("reserved length octet")),
        l => {
            let n = usize::from(l & 0x7f);
            if n > 4 {
                return Err(TlvError::Malformed("length too large"));
            }
            let bytes = input.get(pos..pos + n).ok_or(TlvError::Truncated)?;
            pos += n;
            Some(
                bytes
                    .iter()
                    .fold(0usize, |acc, b| (acc << 8) | usize::from(*b)),
            )
        }
    };
    Ok((tag_len, len, pos))
}

fn convert(input: &[u8], out: &mut Vec<u8>, depth: usize) -> Result<usize, TlvError> {
    if depth > MAX_DEPTH {
        return Err(TlvError::Malformed("nesting too deep"));
    }
    let (tag_len, len, header_len) = header(input)?;
    let tag = &input[..tag_len];
    let constructed = tag[0] & 0x20 != 0;
    if !constructed {
        let len = len.ok_or(TlvError::Malformed(
            "indefinite length on a primitive element",
        ))?;
        let end = header_len.checked_add(len).ok_or(TlvError::Truncated)?;
        let content = input.get(header_len..end).ok_or(TlvError::Truncated)?;
        push_element(out, tag, content);
        return Ok(end);
    }
    // Children of a constructed element, re-encoded.
    let mut body = Vec::new();
    let mut pos = header_len;
    match len {
        Some(len) => {
            let end = header_len.checked_add(len).ok_or(TlvError::Truncated)?;
            if input.len() < end {
                return Err(TlvError::Truncated);
            }
            while pos < end {
                pos += convert(&input[pos..end], &mut body, depth + 1)?;
            }
        }
        None => loop {
            match input.get(pos..pos + 2) {
                Some([0, 0]) => {
                    pos += 2;
                    break;
                }
                Some(_) => pos += convert(&input[pos..], &mut body, depth + 1)?,
                None => return Err(TlvError::Truncated),
            }
        },
    }
    if tag == [0x24] {
        // A constructed OCTET STRING: DER wants the concatenation of its segments.
        let mut joined = Vec::new();
        let mut rest = body.as_slice();
        while !rest.is_empty() {
            let (seg, tail) = read(rest)?;
            joined.extend_from_slice(seg.content);
            rest = tail;
        }
        push_element(out, &[0x04], &joined);
    } else {
        push_element(out, tag, &body);
    }
    Ok(pos)
}

/// Appends a DER element with a minimal length encoding.
pub fn push_element(out: &mut Vec<u8>, tag: &[u8], content: &[u8]) {
    out.extend_from_slice(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefinite_sequence_becomes_definite() {
        // SEQUENCE (indefinite) { INTEGER 5, OCTET STRING constructed { "ab", "c" } }
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c',
            0x00, 0x00, 0x00, 0x00,
        ];
        let (der, used) = ber_to_der(&ber).expect("valid BER");
        assert_eq!(used, ber.len());
        assert_eq!(
            der,
            [0x30, 0x08, 0x02, 0x01, 0x05, 0x04, 0x03, b'a', b'b', b'c']
        );
    }

    #[test]
    fn truncated_input_is_reported() {
        assert_eq!(read(&[0x30, 0x05, 0x02]).err(), Some(TlvError::Truncated));
        assert_eq!(
            ber_to_der(&[0x30, 0x80, 0x02, 0x01]).err(),
            Some(TlvError::Truncated)
        );
        assert_eq!(read(&[]).err(), Some(TlvError::Truncated));
    }

    #[test]
    fn long_form_lengths_round_trip() {
        let content = vec![7u8; 300];
        let mut der = Vec::new();
        push_element(&mut der, &[0x04], &content);
        assert_eq!(&der[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let (tlv, rest) = read(&der).expect("valid DER");
        assert!(rest.is_empty());
        assert_eq!(tlv.content, content.as_slice());
    }
}
