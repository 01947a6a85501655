//! Property tests of the pure parsers and rules, the fast tier's widest net: the ASN.1
//! walker and its BER-to-DER conversion, PEM, the SAN wildcard rule and the text made safe
//! for a terminal. Arbitrary input must give an answer or an error, never a panic, and what
//! certdesk writes must read back as it was.

use proptest::prelude::*;

use crate::pki::formats::{pem, tlv};
use crate::text;
use crate::verify::sans::covers;

/// A DNS label of letters and digits.
fn label() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(b"abcdefghijklmnopqrstuvwxyz0123456789".to_vec()),
        1..12,
    )
    .prop_map(|b| String::from_utf8(b).unwrap_or_default())
}

/// A DNS name of one to four labels.
fn dns_name() -> impl Strategy<Value = String> {
    proptest::collection::vec(label(), 1..5).prop_map(|labels| labels.join("."))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_read_as_an_element_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok((element, rest)) = tlv::read(&bytes) {
            prop_assert_eq!(element.raw.len() + rest.len(), bytes.len());
            prop_assert!(element.raw.ends_with(element.content));
        }
        let _ = tlv::ber_to_der(&bytes);
    }

    #[test]
    fn a_written_element_reads_back(tag in 0u8..0x1f, content in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut out = Vec::new();
        tlv::push_element(&mut out, &[tag], &content);
        let (element, rest) = tlv::read(&out).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(rest.is_empty());
        prop_assert_eq!(element.tag, &[tag][..]);
        prop_assert_eq!(element.content, content.as_slice());
        // DER is already DER: converting it changes nothing.
        let (der, used) = tlv::ber_to_der(&out).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(used, out.len());
        prop_assert_eq!(der, out);
    }

    #[test]
    fn nested_elements_read_back(depth in 1usize..40, content in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut out = Vec::new();
        tlv::push_element(&mut out, &[0x04], &content);
        for _ in 0..depth {
            let inner = std::mem::take(&mut out);
            tlv::push_element(&mut out, &[0x30], &inner);
        }
        let (der, used) = tlv::ber_to_der(&out).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(used, out.len());
        prop_assert_eq!(der, out);
    }

    #[test]
    fn any_bytes_parse_as_pem_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let _ = pem::parse(&bytes);
    }

    #[test]
    fn a_written_pem_block_reads_back(der in proptest::collection::vec(any::<u8>(), 1..3000)) {
        let text = crate::deploy::request::pem_block("CERTIFICATE", &der);
        let blocks = pem::parse(text.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(blocks.len(), 1);
        prop_assert_eq!(&blocks[0].label, "CERTIFICATE");
        prop_assert_eq!(&blocks[0].der, &der);
    }

    #[test]
    fn a_name_covers_itself_in_any_case(name in dns_name()) {
        prop_assert!(covers(&name, &name));
        prop_assert!(covers(&name.to_uppercase(), &name));
    }

    #[test]
    fn a_wildcard_covers_one_label_exactly(base in dns_name(), first in label(), second in label()) {
        let pattern = format!("*.{base}");
        let one = format!("{first}.{base}");
        let two = format!("{second}.{one}");
        prop_assert!(covers(&pattern, &one));
        prop_assert!(!covers(&pattern, &base), "not the apex");
        prop_assert!(!covers(&pattern, &two), "not two labels");
    }

    #[test]
    fn escaped_text_holds_no_control_character(s in any::<String>()) {
        let escaped = text::escape(&s);
        prop_assert!(!escaped.chars().any(text::is_control));
        if !s.chars().any(text::is_control) {
            prop_assert_eq!(escaped.as_ref(), s.as_str());
        }
    }

    #[test]
    fn a_message_is_one_capped_line(s in any::<String>(), repeat in 1usize..400) {
        let long = s.repeat(repeat);
        let line = text::message(&long);
        prop_assert!(!line.chars().any(text::is_control));
        // The cap, its escapes (each control character at most 10 characters) and the
        // sentence that says where it was cut.
        prop_assert!(line.chars().count() <= text::MAX_MESSAGE * 10 + 100);
    }
}
