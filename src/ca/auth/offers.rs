//! What a server offers in its `WWW-Authenticate` headers: the schemes, and the token a
//! `Negotiate` or `NTLM` answer carries (bounded: at most 16 headers, 64 KiB a token).

use base64::Engine;

/// The most `WWW-Authenticate` headers read.
const MAX_HEADERS: usize = 16;
/// The longest token accepted, in base64 characters.
const MAX_TOKEN: usize = 64 * 1024;

/// What is wrong with a token a server sent, one phrase about the server.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenProblem {
    /// Longer than any real token.
    #[error("its {0} token is longer than 64 KiB")]
    TooLong(String),
    /// Not base64.
    #[error("its {0} token is not base64")]
    NotBase64(String),
}

/// The schemes offered, each with the token after it (if any).
#[derive(Debug, Default)]
pub struct Offers(Vec<(String, Option<String>)>);

impl Offers {
    /// The offers of an answer's headers.
    pub fn parse(headers: &hyper::HeaderMap) -> Self {
        let mut offers = Vec::new();
        for value in headers
            .get_all(http::header::WWW_AUTHENTICATE)
            .iter()
            .take(MAX_HEADERS)
        {
            let Ok(value) = value.to_str() else { continue };
            for part in value.split(',') {
                let mut words = part.trim().splitn(2, ' ');
                let scheme = words.next().unwrap_or_default();
                // Parameters of the scheme before (`realm="a, b"`) are not schemes.
                if scheme.is_empty() || scheme.contains('=') || scheme.contains('"') {
                    continue;
                }
                let rest = words.next().map(str::trim).filter(|r| !r.is_empty());
                let token = rest
                    .filter(|r| !r.contains(' ') && !r.contains("=\""))
                    .map(str::to_owned);
                offers.push((scheme.to_owned(), token));
            }
        }
        Self(offers)
    }

    /// Whether `scheme` is offered.
    pub fn has(&self, scheme: &str) -> bool {
        self.0.iter().any(|(s, _)| s.eq_ignore_ascii_case(scheme))
    }

    /// The token sent with `scheme`, decoded; an error when it is not base64 or too long.
    pub fn token(&self, scheme: &str) -> Result<Option<Vec<u8>>, TokenProblem> {
        let Some(text) = self
            .0
            .iter()
            .find(|(s, t)| s.eq_ignore_ascii_case(scheme) && t.is_some())
            .and_then(|(_, t)| t.as_deref())
        else {
            return Ok(None);
        };
        if text.len() > MAX_TOKEN {
            return Err(TokenProblem::TooLong(scheme.to_owned()));
        }
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(Some)
            .map_err(|_| TokenProblem::NotBase64(scheme.to_owned()))
    }

    /// The schemes offered, as the server named them ("nothing" when none).
    pub fn describe(&self) -> String {
        let mut schemes: Vec<String> = Vec::new();
        for (scheme, _) in &self.0 {
            let scheme = crate::text::message(scheme)
                .chars()
                .take(40)
                .collect::<String>();
            if !schemes.contains(&scheme) {
                schemes.push(scheme);
            }
        }
        if schemes.is_empty() {
            "no sign-in scheme".into()
        } else {
            schemes.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_and_tokens_are_read_from_every_header() {
        let mut headers = hyper::HeaderMap::new();
        for value in [
            "Negotiate oRsw",
            "NTLM",
            "Basic realm=\"a, b\", Digest realm=\"c\"",
        ] {
            headers.append(
                http::header::WWW_AUTHENTICATE,
                http::HeaderValue::from_static(value),
            );
        }
        let offers = Offers::parse(&headers);
        assert!(offers.has("negotiate") && offers.has("NTLM") && offers.has("Basic"));
        assert_eq!(offers.token("Negotiate"), Ok(Some(vec![0xa1, 0x1b, 0x30])));
        assert_eq!(offers.token("NTLM"), Ok(None));
        assert_eq!(offers.describe(), "Negotiate, NTLM, Basic, Digest");
    }
}
