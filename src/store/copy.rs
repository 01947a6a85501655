//! Copying a whole store into an empty one (`certdesk store copy`): between a directory and
//! a team database, either way. Rows keep their ids; private keys, CA secrets and the
//! deploy and notification passwords are decrypted with the source's key and encrypted
//! again with the destination's, in memory only; caches are not copied. The copy is one transaction of the destination.

use super::db::{Sql, Value};
use super::sealing;
use super::{Store, StoreError};

/// What was copied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Copied {
    /// Certificates (with pending requests' placeholders).
    pub certificates: usize,
    /// Private keys, encrypted again.
    pub keys: usize,
    /// Pending requests.
    pub requests: usize,
    /// CA connections, their secrets encrypted again.
    pub cas: usize,
    /// Usage assignments.
    pub assignments: usize,
    /// Log entries.
    pub log_entries: usize,
}

/// A table, its columns, and the columns encrypted under the store's key.
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    sealed: &'static [&'static str],
    /// The id column whose sequence follows the copied ids (PostgreSQL).
    identity: bool,
}

/// In the order foreign keys need.
const TABLES: &[Table] = &[
    Table {
        name: "keys",
        columns: &[
            "id",
            "public_key_hash",
            "description",
            "encrypted_pkcs8",
            "exportable",
            "added",
        ],
        sealed: &["encrypted_pkcs8"],
        identity: true,
    },
    Table {
        name: "certificates",
        columns: &[
            "id",
            "location",
            "logical",
            "thumbprint",
            "public_key_hash",
            "summary",
            "friendly_name",
            "added",
            "key_id",
            "issuing_ca",
        ],
        sealed: &[],
        identity: true,
    },
    Table {
        name: "certificate_der",
        columns: &["cert_id", "der"],
        sealed: &[],
        identity: false,
    },
    Table {
        name: "properties",
        columns: &["cert_id", "bag", "oid", "value"],
        sealed: &[],
        identity: false,
    },
    Table {
        name: "topology",
        columns: &["id", "toml"],
        sealed: &[],
        identity: false,
    },
    Table {
        name: "requests",
        columns: &[
            "id",
            "location",
            "key_id",
            "cert_id",
            "friendly_name",
            "usages",
            "subject",
            "sans",
            "csr_pem",
            "csr_file",
            "created",
            "ca",
            "ca_reference",
        ],
        sealed: &[],
        identity: true,
    },
    Table {
        name: "assignments",
        columns: &[
            "usage",
            "thumbprint",
            "assigned",
            "staged_thumbprint",
            "effective_date",
            "previous_thumbprint",
        ],
        sealed: &[],
        identity: false,
    },
    Table {
        name: "cas",
        columns: &[
            "name",
            "kind",
            "url",
            "contact",
            "ca_bundle",
            "account_url",
            "encrypted_account_key",
            "added",
            "eab_kid",
            "encrypted_eab_hmac",
            "username",
            "encrypted_password",
            "auth",
            "accepted",
        ],
        sealed: &[
            "encrypted_account_key",
            "encrypted_eab_hmac",
            "encrypted_password",
        ],
        identity: false,
    },
    Table {
        name: "deploy_targets",
        columns: &[
            "name",
            "usage",
            "thumbprint",
            "destination",
            "format",
            "reload",
            "probe",
            "identity",
            "known_hosts",
            "proof_seconds",
            "encrypted_pfx_password",
            "added",
            "last_run",
            "last_thumbprint",
            "last_ok",
            "last_message",
        ],
        sealed: &["encrypted_pfx_password"],
        identity: false,
    },
    Table {
        name: "notify",
        columns: &[
            "id",
            "smtp",
            "mail_from",
            "mail_to",
            "starttls",
            "smtp_user",
            "encrypted_smtp_password",
            "webhook",
        ],
        sealed: &["encrypted_smtp_password"],
        identity: false,
    },
    Table {
        name: "renewals",
        columns: &[
            "location",
            "thumbprint",
            "tracked",
            "same_key",
            "renewed_by",
            "ari_start",
            "ari_end",
            "ari_at",
            "ari_fetch_after",
            "last_attempt",
            "last_outcome",
            "last_failed",
            "pending_request",
            "pending_key",
        ],
        sealed: &[],
        identity: false,
    },
    Table {
        name: "log",
        columns: &[
            "id",
            "time",
            "location",
            "operation",
            "outcome",
            "details",
            "command",
            "db_user",
        ],
        sealed: &[],
        identity: true,
    },
];

/// Where `column` is in `table`'s list.
fn position(table: &Table, column: &str) -> usize {
    table
        .columns
        .iter()
        .position(|c| *c == column)
        .unwrap_or_default()
}

fn count(sql: Sql<'_>, table: &str) -> Result<i64, StoreError> {
    sql.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])?
        .map_or(Ok(0), |r| r.int(0))
}

impl Store {
    /// Copies this store into `to`, which must hold no certificate, key, request or CA
    /// connection; both must be unlocked when there are keys or secrets.
    pub fn copy_into(&self, to: &mut Store) -> Result<Copied, StoreError> {
        for table in ["certificates", "keys", "requests", "cas"] {
            if count(to.sql(), table)? > 0 {
                return Err(StoreError::NotEmpty(to.dir().to_path_buf()));
            }
        }
        let from_sql = self.sql();
        let from_secret = self.secret();
        let mut copied = Copied::default();
        to.transaction(|tx, to_secret| {
            for table in TABLES {
                let columns = table.columns.join(", ");
                let rows = from_sql.query(&format!("SELECT {columns} FROM {}", table.name), &[])?;
                let marks: Vec<String> =
                    (1..=table.columns.len()).map(|i| format!("?{i}")).collect();
                let insert = format!(
                    "INSERT INTO {} ({columns}) VALUES ({})",
                    table.name,
                    marks.join(", ")
                );
                for row in &rows {
                    let mut values: Vec<Value> = (0..table.columns.len())
                        .map(|i| match row.value(i) {
                            Value::Null if table.columns[i] == "db_user" => {
                                Value::Text("(local store)".into())
                            }
                            v => v,
                        })
                        .collect();
                    for column in table.sealed {
                        let i = position(table, column);
                        let Value::Blob(blob) = &values[i] else {
                            continue;
                        };
                        let mut scratch = [String::new(), String::new()];
                        let binding = sealing::binding(
                            column,
                            |name| {
                                table
                                    .columns
                                    .iter()
                                    .position(|c| *c == name)
                                    .map(|j| &values[j])
                            },
                            &mut scratch,
                        )
                        .ok_or_else(|| StoreError::Corrupt(format!("a row of {}", table.name)))?;
                        let resealed = sealing::reseal(blob, binding, from_secret, to_secret)?;
                        values[i] = Value::Blob(resealed);
                    }
                    tx.execute(&insert, &values)?;
                }
                if table.identity {
                    tx.follow_ids(table.name)?;
                }
                let n = rows.len();
                match table.name {
                    "keys" => copied.keys = n,
                    "certificates" => copied.certificates = n,
                    "requests" => copied.requests = n,
                    "cas" => copied.cas = n,
                    "assignments" => copied.assignments = n,
                    "log" => copied.log_entries = n,
                    _ => {}
                }
            }
            for row in from_sql.query("SELECT key, value FROM meta", &[])? {
                super::certs::write::set_meta(tx, &row.text(0)?, &row.text(1)?)?;
            }
            Ok::<_, StoreError>(())
        })?;
        Ok(copied)
    }
}
