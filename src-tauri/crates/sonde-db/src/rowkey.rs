//! Row keys: the opaque identity of a row for edits. A rowid table's key is
//! its rowid (written as a plain integer); a `WITHOUT ROWID` table's key is
//! its primary key values (`pk:` + base64url of their JSON form). A row is
//! never identified by "all columns equal".

use crate::error::{DbError, Result};
use crate::schema::{KeyStrategy, TableSchema};
use crate::value::Value;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKey {
    Rowid(i64),
    PrimaryKey(Vec<Value>),
}

impl RowKey {
    pub fn encode(&self) -> String {
        match self {
            RowKey::Rowid(id) => id.to_string(),
            RowKey::PrimaryKey(values) => {
                let json = serde_json::to_vec(values).unwrap_or_default();
                format!("pk:{}", B64URL.encode(json))
            }
        }
    }

    /// Parses an encoded key; also accepts a JSON array of primary key values
    /// (handy on the command line).
    pub fn decode(text: &str) -> Result<RowKey> {
        let bad = |reason: &str| DbError::BadRowKey { key: text.to_owned(), reason: reason.to_owned() };
        let trimmed = text.trim();
        if let Some(b64) = trimmed.strip_prefix("pk:") {
            let bytes = B64URL.decode(b64).map_err(|_| bad("not valid base64url"))?;
            let values: Vec<Value> =
                serde_json::from_slice(&bytes).map_err(|e| bad(&format!("not a key: {e}")))?;
            return Ok(RowKey::PrimaryKey(values));
        }
        if trimmed.starts_with('[') {
            let values: Vec<Value> = serde_json::from_str(trimmed)
                .map_err(|e| bad(&format!("not a JSON array of values: {e}")))?;
            return Ok(RowKey::PrimaryKey(values));
        }
        trimmed
            .parse::<i64>()
            .map(RowKey::Rowid)
            .map_err(|_| bad("expected a rowid, pk:..., or a JSON array of primary key values"))
    }

    /// Checks the key fits the table, adapting a bare integer to a
    /// one-column primary key.
    pub fn for_table(self, schema: &TableSchema, original: &str) -> Result<RowKey> {
        let bad = |reason: String| DbError::BadRowKey { key: original.to_owned(), reason };
        match (&schema.key, self) {
            (KeyStrategy::Rowid { .. }, key @ RowKey::Rowid(_)) => Ok(key),
            (KeyStrategy::Rowid { .. }, RowKey::PrimaryKey(_)) => {
                Err(bad(format!("{} is a rowid table: its keys are integers", schema.name)))
            }
            (KeyStrategy::PrimaryKey { columns }, RowKey::PrimaryKey(values)) => {
                if values.len() == columns.len() {
                    Ok(RowKey::PrimaryKey(values))
                } else {
                    Err(bad(format!(
                        "{} has {} primary key column(s), the key has {} value(s)",
                        schema.name,
                        columns.len(),
                        values.len()
                    )))
                }
            }
            (KeyStrategy::PrimaryKey { columns }, RowKey::Rowid(id)) if columns.len() == 1 => {
                Ok(RowKey::PrimaryKey(vec![Value::Integer(id)]))
            }
            (KeyStrategy::PrimaryKey { .. }, RowKey::Rowid(_)) => {
                Err(bad(format!("{} has a composite primary key: pass pk:... or a JSON array", schema.name)))
            }
            (KeyStrategy::None, _) => match schema.read_only_reason() {
                Some(reason) => Err(DbError::ReadOnly { table: schema.name.clone(), reason }),
                None => Err(DbError::NoRowKey(schema.name.clone())),
            },
        }
    }

    /// The values to bind for `WHERE <key> = ?`.
    pub fn values(&self) -> Vec<Value> {
        match self {
            RowKey::Rowid(id) => vec![Value::Integer(*id)],
            RowKey::PrimaryKey(values) => values.clone(),
        }
    }

    /// Builds the key of a row from its key values as read.
    pub fn from_values(strategy: &KeyStrategy, values: &[Value]) -> Option<RowKey> {
        match strategy {
            KeyStrategy::Rowid { .. } => match values.first() {
                Some(Value::Integer(id)) => Some(RowKey::Rowid(*id)),
                _ => None,
            },
            KeyStrategy::PrimaryKey { .. } => Some(RowKey::PrimaryKey(values.to_vec())),
            KeyStrategy::None => None,
        }
    }
}

impl std::fmt::Display for RowKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for key in [
            RowKey::Rowid(i64::MIN),
            RowKey::Rowid(42),
            RowKey::PrimaryKey(vec![
                Value::Text("a\"b".into()),
                Value::Blob(vec![0, 255]),
                Value::Real(-0.0),
            ]),
        ] {
            assert_eq!(RowKey::decode(&key.encode()).expect("decode"), key);
        }
        assert_eq!(
            RowKey::decode(r#"["x", 1]"#).expect("json"),
            RowKey::PrimaryKey(vec![Value::Text("x".into()), Value::Integer(1)])
        );
        assert!(RowKey::decode("abc").is_err());
        assert!(RowKey::decode("pk:!!!").is_err());
    }
}
