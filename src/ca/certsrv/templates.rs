//! The certificate templates a user may enroll, as AD CS Web Enrollment lists them on its
//! advanced request page (`certrqxt.asp`): the options of the `lbCertTemplate` list. Each
//! option's value is the template's fields separated by `;`, the first a letter (`E` for a
//! template kept in Active Directory, `O` for an offline one), the second the template's
//! name (what `CertificateTemplate:NAME` names), then its key and enrollment flags; the
//! option's text is the template's display name. A value of `X` stands for "no templates"
//! or an error of the page.
//!
//! The page is a server's: it is read with a bound on the options and on each name, names
//! with control characters are not templates, display names are cleaned for a terminal.

use super::{Credentials, OnlineError, Session, plain_text};
use crate::store::CaConnection;
use crate::text;

/// The most options read from the list; a page with more is refused.
pub const MAX_TEMPLATES: usize = 500;

/// The longest template name (Active Directory's common names have at most 64
/// characters).
const MAX_NAME: usize = 64;

/// The longest display name kept, in characters.
const MAX_DISPLAY: usize = 128;

/// A template the CA lets the user enroll.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Template {
    /// Its name, as a request names it (`WebServer`).
    pub name: String,
    /// Its display name (`Web Server`).
    pub display_name: String,
}

/// Reads the templates `credentials` may enroll from the CA's `certrqxt.asp`.
pub fn templates(
    ca: &CaConnection,
    credentials: Credentials<'_>,
) -> Result<Vec<Template>, OnlineError> {
    let session = Session::new(ca, credentials)?;
    let page = session.get("certrqxt.asp")?.text();
    parse(&page).map_err(|problem| session.protocol(problem.to_string()))
}

/// What is wrong with a `certrqxt.asp` page, one phrase about the CA.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PageProblem {
    /// The page has no `lbCertTemplate` list.
    #[error(
        "its advanced request page (certrqxt.asp) has no certificate template list: this is \
         not an enterprise CA's Web Enrollment, or not the page AD CS serves"
    )]
    NoList,
    /// The list is longer than any CA's.
    #[error(
        "its template list (certrqxt.asp) has more than {MAX_TEMPLATES} entries, more than a \
         CA offers, so certdesk stopped reading it"
    )]
    TooMany,
}

/// The templates of a `certrqxt.asp` page, in its order, each name once; what is wrong with
/// the page when it has no template list or too long a one.
pub fn parse(page: &str) -> Result<Vec<Template>, PageProblem> {
    // ASCII lower case keeps every byte where it was: positions found in it hold in `page`.
    let lower = page.to_ascii_lowercase();
    let list = template_list(&lower).ok_or(PageProblem::NoList)?;
    let mut templates: Vec<Template> = Vec::new();
    let mut at = list.start;
    let mut options = 0usize;
    while let Some(found) = lower[at..list.end].find("<option") {
        options += 1;
        if options > MAX_TEMPLATES {
            return Err(PageProblem::TooMany);
        }
        let open = at + found;
        let Some(tag_end) = tag_end(page, open, list.end) else {
            break;
        };
        let text_end = lower[tag_end..list.end]
            .find('<')
            .map_or(list.end, |i| tag_end + i);
        at = text_end.max(tag_end);
        let value = attribute(&page[open..tag_end], &lower[open..tag_end], "value");
        if let Some(template) = value.and_then(|v| template(&v, &page[tag_end..text_end]))
            && !templates
                .iter()
                .any(|t| t.name.eq_ignore_ascii_case(&template.name))
        {
            templates.push(template);
        }
    }
    Ok(templates)
}

/// Where the options of the `lbCertTemplate` select are (in `lower`).
fn template_list(lower: &str) -> Option<std::ops::Range<usize>> {
    let mut at = 0;
    while let Some(found) = lower[at..].find("<select") {
        let open = at + found;
        let end = tag_end(lower, open, lower.len())?;
        if lower[open..end].contains("lbcerttemplate") {
            let close = lower[end..]
                .find("</select")
                .map_or(lower.len(), |i| end + i);
            return Some(end..close);
        }
        at = end;
    }
    None
}

/// The position after the `>` that closes the tag opened at `open` (quoted values may
/// hold `>`), before `limit`.
fn tag_end(page: &str, open: usize, limit: usize) -> Option<usize> {
    let mut quote = None;
    for (i, b) in page.as_bytes()[open..limit].iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(*b),
            (Some(q), b) if q == *b => quote = None,
            (None, b'>') => return Some(open + i + 1),
            _ => {}
        }
    }
    None
}

/// The value of attribute `name` in a tag (`lower` is the tag in lower case), entities
/// decoded and white space collapsed.
fn attribute(tag: &str, lower: &str, name: &str) -> Option<String> {
    let mut at = 0;
    while let Some(found) = lower[at..].find(name) {
        let start = at + found;
        at = start + name.len();
        let before = lower[..start].chars().next_back();
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let rest = lower[at..].trim_start();
        let Some(after_equals) = rest.strip_prefix('=') else {
            continue;
        };
        let value_at = lower.len() - after_equals.trim_start().len();
        let raw = &tag[value_at..];
        let value = match raw.chars().next() {
            Some(q @ ('"' | '\'')) => raw[1..].split(q).next().unwrap_or_default(),
            _ => raw
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or_default(),
        };
        return Some(plain_text(value));
    }
    None
}

/// The template of an option (its value and its text), or None for the page's `X`
/// placeholder and anything that cannot name a template.
fn template(value: &str, option_text: &str) -> Option<Template> {
    let mut fields = value.split(';');
    let kind = fields.next()?.trim();
    if !kind.eq_ignore_ascii_case("E") && !kind.eq_ignore_ascii_case("O") {
        return None;
    }
    let name = fields.next()?.trim();
    let usable =
        !name.is_empty() && name.chars().count() <= MAX_NAME && !name.chars().any(text::is_control);
    if !usable {
        return None;
    }
    let shown = plain_text(option_text);
    let shown = if shown.is_empty() {
        value.rsplit(';').next().unwrap_or_default().to_owned()
    } else {
        shown
    };
    let display: String = text::clean_name(&shown).chars().take(MAX_DISPLAY).collect();
    Some(Template {
        name: name.to_owned(),
        display_name: if display.is_empty() {
            name.to_owned()
        } else {
            display
        },
    })
}

/// The template of `templates` that `wanted` names (names are compared without regard to
/// case, as Active Directory compares them).
pub fn find<'t>(templates: &'t [Template], wanted: &str) -> Option<&'t Template> {
    templates
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(wanted.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<HTML><Script>document.UIForm.lbCertTemplate.selectedIndex=0;</Script>
<Select Name=lbCertTemplate ID=lbCertTemplateID OnChange="handleTemplateChange();">
	<Option Value="E;WebServer;1;4;0;0;1;0;Microsoft RSA SChannel Cryptographic Provider;1.3.6.1.4.1.311.21.8.1.2;100;0;4;Web Server">Web Server</Option>
	<Option Value="E;User;1;4;41;16;0;0;;;;;;User">User</Option>
	<Option Value='O;Lab &amp; Test;2;0;0;0;0;0;;;;;;Lab &amp; Test'>Lab &amp; Test &gt; 1</Option>
	<Option Value="E;webserver;1;4;0;0;1;0;;;;;;Again">Again</Option>
	<Option Value="X">(No templates found!)</Option>
</Select></HTML>"#;

    #[test]
    fn reads_the_options_of_the_template_list() {
        let templates = parse(PAGE).expect("templates");
        let names: Vec<(&str, &str)> = templates
            .iter()
            .map(|t| (t.name.as_str(), t.display_name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("WebServer", "Web Server"),
                ("User", "User"),
                ("Lab & Test", "Lab & Test > 1"),
            ]
        );
        assert_eq!(
            find(&templates, "webserver").map(|t| t.name.as_str()),
            Some("WebServer")
        );
        assert!(find(&templates, "Web Server").is_none());
    }

    #[test]
    fn a_page_without_the_list_or_with_too_many_options_is_refused() {
        assert!(
            parse("<html><select name=other><option value=\"E;A\">A</option></select>").is_err()
        );
        let many = format!(
            "<select name=lbCertTemplate>{}</select>",
            "<option value=\"E;T;1\">T</option>".repeat(MAX_TEMPLATES + 1)
        );
        assert!(
            parse(&many)
                .unwrap_err()
                .to_string()
                .contains("more than 500")
        );
        assert_eq!(
            parse("<select name=lbCertTemplate></select>"),
            Ok(Vec::new())
        );
    }

    #[test]
    fn hostile_names_are_dropped_or_cleaned_and_nothing_panics() {
        let page = "<select name=lbCertTemplate>\
            <option value=\"E;Evil\u{1b}[2J;1\">x</option>\
            <option value=\"E;Fine;1\">Fine\u{1b}]0;owned\u{7}\r\nsubject: forged</option>\
            <option value=\"E;é;1\">é\u{202e}</option>\
            <option value=\"E;Unclosed";
        let templates = parse(page).expect("templates");
        assert_eq!(templates.len(), 2, "{templates:?}");
        assert!(
            templates
                .iter()
                .all(|t| !t.display_name.chars().any(text::is_control))
        );
        for cut in 0..page.len() {
            if page.is_char_boundary(cut) {
                let _ = parse(&page[..cut]);
            }
        }
    }
}
