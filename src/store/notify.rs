//! Where notifications go, as the store keeps it: mail through an SMTP server (its address,
//! sender, recipient, STARTTLS, a user and the password sealed to that server and user)
//! and a webhook URL. One row; none until `certdesk notify set`.

use zeroize::Zeroizing;

use super::{Store, StoreError};
use crate::pki::seal::{Binding, open};

/// The field the SMTP password is sealed as.
pub(crate) const SMTP_PASSWORD: &str = "smtp_password";

/// Mail settings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MailSettings {
    /// `HOST:PORT` of the SMTP server.
    pub smtp: String,
    /// The sender address.
    pub from: String,
    /// The recipient address.
    pub to: String,
    /// Whether STARTTLS is required.
    pub starttls: bool,
    /// The SMTP user, when the server asks for authentication.
    pub user: Option<String>,
    /// Whether a password is stored.
    pub has_password: bool,
}

/// Where notifications go (nothing set: no notification is sent).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct NotifySettings {
    /// Mail, when set.
    pub mail: Option<MailSettings>,
    /// The webhook URL, when set.
    pub webhook: Option<String>,
}

/// What the SMTP password is bound to: the server and the user.
pub(crate) fn endpoint(smtp: &str, user: Option<&str>) -> String {
    super::cas::endpoint("smtp", smtp, None, user)
}

impl Store {
    /// The notification settings (the default when never set).
    pub fn notify_settings(&self) -> Result<NotifySettings, StoreError> {
        let Some(r) = self.sql().query_one(
            "SELECT smtp, mail_from, mail_to, starttls, smtp_user,
                encrypted_smtp_password IS NOT NULL, webhook FROM notify WHERE id = 1",
            &[],
        )?
        else {
            return Ok(NotifySettings::default());
        };
        let mail = match (r.opt_text(0)?, r.opt_text(1)?, r.opt_text(2)?) {
            (Some(smtp), Some(from), Some(to)) => Some(MailSettings {
                smtp,
                from,
                to,
                starttls: r.bool(3)?,
                user: r.opt_text(4)?,
                has_password: r.bool(5)?,
            }),
            _ => None,
        };
        Ok(NotifySettings {
            mail,
            webhook: r.opt_text(6)?,
        })
    }

    /// The SMTP password, decrypted (none stored: `None`).
    pub fn smtp_password(&self) -> Result<Option<Zeroizing<String>>, StoreError> {
        let Some(r) = self.sql().query_one(
            "SELECT encrypted_smtp_password, smtp, smtp_user FROM notify WHERE id = 1",
            &[],
        )?
        else {
            return Ok(None);
        };
        let endpoint = endpoint(
            &r.opt_text(1)?.unwrap_or_default(),
            r.opt_text(2)?.as_deref(),
        );
        r.opt_blob(0)?
            .map(|blob| {
                open(
                    blob,
                    self.secret(),
                    Binding::Setting {
                        owner: "notify",
                        field: SMTP_PASSWORD,
                        endpoint: &endpoint,
                    },
                )
                .map(|bytes| Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned()))
                .map_err(StoreError::from)
            })
            .transpose()
    }
}

/// The write, inside the caller's transaction (with its log entry).
pub(crate) mod write {
    use super::{NotifySettings, SMTP_PASSWORD, endpoint};
    use crate::pki::seal::{Binding, seal};
    use crate::store::StoreError;
    use crate::store::db::{Sql, values};

    /// Replaces the settings; the SMTP password sealed under `secret` (none given: the
    /// stored one is kept while the server and user are the same).
    pub fn set(
        tx: Sql<'_>,
        secret: &[u8],
        settings: &NotifySettings,
        password: Option<&str>,
    ) -> Result<(), StoreError> {
        let mail = settings.mail.as_ref();
        let smtp = mail.map(|m| m.smtp.as_str());
        let user = mail.and_then(|m| m.user.as_deref());
        let kept = match tx.query_one(
            "SELECT encrypted_smtp_password, smtp, smtp_user FROM notify WHERE id = 1",
            &[],
        )? {
            Some(r) if r.opt_text(1)?.as_deref() == smtp && r.opt_text(2)?.as_deref() == user => {
                r.opt_blob(0)?.map(<[u8]>::to_vec)
            }
            _ => None,
        };
        let endpoint = endpoint(smtp.unwrap_or_default(), user);
        let sealed = match (password, user) {
            (Some(p), Some(_)) => Some(seal(
                p.as_bytes(),
                secret,
                Binding::Setting {
                    owner: "notify",
                    field: SMTP_PASSWORD,
                    endpoint: &endpoint,
                },
            )?),
            (_, None) => None,
            (None, Some(_)) => kept,
        };
        tx.execute("DELETE FROM notify", &[])?;
        tx.execute(
            "INSERT INTO notify (id, smtp, mail_from, mail_to, starttls, smtp_user,
                encrypted_smtp_password, webhook) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            values![
                smtp,
                mail.map(|m| m.from.as_str()),
                mail.map(|m| m.to.as_str()),
                mail.is_some_and(|m| m.starttls),
                user,
                sealed,
                settings.webhook.as_deref()
            ],
        )?;
        Ok(())
    }
}
