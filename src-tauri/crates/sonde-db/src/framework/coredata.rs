//! Core Data's (and SwiftData's) SQLite store: the entity list in
//! `Z_PRIMARYKEY` (`Z_ENT`, `Z_NAME`, `Z_SUPER`, `Z_MAX`), one table per root
//! entity (`Z` + its name in capitals) holding the rows of its whole
//! hierarchy (`Z_ENT` says each row's entity), `Z_PK` the row's key,
//! `Z_OPT` its optimistic-locking version, and to-many join tables
//! `Z_<ent><RELATIONSHIP>` with one `Z_<ent><INVERSE>` column per side.
//! `Z_METADATA` holds the store's UUID and a binary plist (model version
//! hashes); `Z_MODELCACHE` the compiled model.
//!
//! The bookkeeping an edit must keep (so the app's next save neither
//! reuses a key nor overwrites a change unseen): an insert takes
//! `Z_PK = Z_MAX + 1` of the hierarchy's root entity (the table's keys are
//! one space), sets `Z_ENT` and `Z_OPT = 1` and bumps `Z_MAX`; an update
//! bumps the row's `Z_OPT`.

use super::{Framework, TableRole};
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;

/// One row of `Z_PRIMARYKEY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub ent: i64,
    pub name: String,
    /// The parent entity's `Z_ENT`; 0 for a root.
    pub super_ent: i64,
    pub max: i64,
}

/// `Z_METADATA`'s row.
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    pub version: Option<i64>,
    pub uuid: Option<String>,
    /// The binary plist: model version hashes, store options.
    pub plist: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Default)]
pub struct Model {
    pub entities: Vec<Entity>,
    pub metadata: Metadata,
}

/// Core Data's bookkeeping columns, explained where they are shown.
pub const BOOKKEEPING_COLUMNS: &[(&str, &str)] = &[
    ("Z_PK", "Core Data's primary key of the row (with Z_ENT, its NSManagedObjectID)"),
    ("Z_ENT", "the row's entity (Z_PRIMARYKEY.Z_ENT): entities of one hierarchy share a table"),
    ("Z_OPT", "the row's version for optimistic locking: every save bumps it"),
];

/// Tables Core Data keeps for itself: the store's bookkeeping, persistent
/// history (`A*`) and CloudKit mirroring (`ANSCK*`).
fn is_internal(table: &str) -> bool {
    let upper = table.to_ascii_uppercase();
    matches!(upper.as_str(), "Z_PRIMARYKEY" | "Z_METADATA" | "Z_MODELCACHE")
        || matches!(upper.as_str(), "ATRANSACTION" | "ACHANGE" | "ATRANSACTIONSTRING")
        || upper.starts_with("ANSCK")
}

/// The model, when `Z_PRIMARYKEY` reads as Core Data writes it.
pub fn read(conn: &Connection, tables: &[String]) -> Option<Model> {
    let mut stmt =
        conn.prepare("SELECT Z_ENT, Z_NAME, Z_SUPER, Z_MAX FROM Z_PRIMARYKEY ORDER BY Z_ENT").ok()?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Entity {
                ent: r.get(0)?,
                name: r.get(1)?,
                super_ent: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                max: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
            })
        })
        .ok()?;
    let entities: Vec<Entity> = rows.collect::<rusqlite::Result<_>>().ok()?;
    let metadata = conn
        .query_row("SELECT Z_VERSION, Z_UUID, Z_PLIST FROM Z_METADATA LIMIT 1", [], |r| {
            Ok(Metadata { version: r.get(0).ok(), uuid: r.get(1).ok(), plist: r.get(2).ok() })
        })
        .optional()
        .ok()
        .flatten()
        .unwrap_or_default();
    let model = Model { entities, metadata };
    // Core Data, not a look-alike: at least one entity has its table.
    model.entities.iter().any(|e| model.table_of(e.ent, tables).is_some()).then_some(model)
}

impl Model {
    pub fn entity(&self, ent: i64) -> Option<&Entity> {
        self.entities.iter().find(|e| e.ent == ent)
    }

    /// The root of `ent`'s hierarchy (itself for a root); a cycle in a
    /// corrupt `Z_SUPER` chain stops after as many steps as there are entities.
    pub fn root_of(&self, ent: i64) -> Option<&Entity> {
        let mut e = self.entity(ent)?;
        for _ in 0..self.entities.len() {
            if e.super_ent == 0 {
                return Some(e);
            }
            e = self.entity(e.super_ent)?;
        }
        None
    }

    /// The table of `ent`'s rows, as it is spelled in the catalog.
    pub fn table_of<'t>(&self, ent: i64, tables: &'t [String]) -> Option<&'t String> {
        let wanted = format!("Z{}", self.root_of(ent)?.name.to_ascii_uppercase());
        tables.iter().find(|t| t.eq_ignore_ascii_case(&wanted))
    }

    /// The entities stored in `table`, by `Z_ENT`.
    pub fn entities_in(&self, table: &str, tables: &[String]) -> Vec<&Entity> {
        self.entities
            .iter()
            .filter(|e| self.table_of(e.ent, tables).is_some_and(|t| t.eq_ignore_ascii_case(table)))
            .collect()
    }

    /// What each table of the store is.
    pub fn roles(&self, tables: &[String]) -> HashMap<String, TableRole> {
        let mut out = HashMap::new();
        for table in tables {
            let role = if is_internal(table) {
                TableRole { framework: Some(Framework::Coredata), internal: true, ..TableRole::default() }
            } else if let Some(relationship) = self.join_of(table) {
                TableRole {
                    framework: Some(Framework::Coredata),
                    relationship: Some(relationship),
                    ..TableRole::default()
                }
            } else {
                let entities = self.entities_in(table, tables);
                let Some(root) = entities.iter().find(|e| e.super_ent == 0).or(entities.first()) else {
                    continue;
                };
                TableRole {
                    framework: Some(Framework::Coredata),
                    entity: Some(root.name.clone()),
                    entities: entities.iter().map(|e| (e.ent, e.name.clone())).collect(),
                    ..TableRole::default()
                }
            };
            out.insert(table.clone(), role);
        }
        out
    }

    /// `Z_6TAGS` → `Task.tags` when entity 6 is `Task`: a to-many join table
    /// named by its entity number and relationship (stored in capitals; the
    /// model's own spelling is only in the compiled model, so lower case).
    pub fn join_of(&self, table: &str) -> Option<String> {
        let rest = table.strip_prefix("Z_")?;
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (number, relation) = rest.split_at(digits);
        if number.is_empty()
            || relation.is_empty()
            || !relation.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return None;
        }
        let entity = self.entity(number.parse().ok()?)?;
        Some(format!("{}.{}", entity.name, relation.to_ascii_lowercase()))
    }
}

/// The bookkeeping of an insert into entity table `table`: the entity of
/// the new row (given as `Z_ENT`, else the table's root entity) and the
/// key it takes. Bumps the root's `Z_MAX` on `conn`,
/// which must be inside the edit's transaction.
pub fn allocate(
    conn: &Connection,
    model: &Model,
    tables: &[String],
    table: &str,
    ent: Option<i64>,
) -> rusqlite::Result<Option<(i64, i64)>> {
    let entities = model.entities_in(table, tables);
    let entity = match ent {
        Some(ent) => entities.iter().find(|e| e.ent == ent),
        None => entities.iter().find(|e| e.super_ent == 0),
    };
    let Some(entity) = entity else { return Ok(None) };
    let Some(root) = model.root_of(entity.ent) else { return Ok(None) };
    // Read now, inside the transaction: the model was read before it.
    let max: i64 =
        conn.query_row("SELECT coalesce(Z_MAX, 0) FROM Z_PRIMARYKEY WHERE Z_ENT = ?1", [root.ent], |r| {
            r.get(0)
        })?;
    let quoted = crate::ident::quote(table);
    let used: i64 =
        conn.query_row(&format!("SELECT coalesce(max(Z_PK), 0) FROM {quoted}"), [], |r| r.get(0))?;
    let pk = max.max(used) + 1;
    // Sub-entities' own Z_MAX stay as Core Data leaves them (0).
    conn.execute("UPDATE Z_PRIMARYKEY SET Z_MAX = ?1 WHERE Z_ENT = ?2", [pk, root.ent])?;
    Ok(Some((entity.ent, pk)))
}

/// Core Data's bookkeeping for one batch of edits (see the module doc),
/// read on the edit's transaction.
pub struct Bookkeeping {
    model: Model,
    tables: Vec<String>,
}

impl Bookkeeping {
    /// `None` for a database Core Data did not write.
    pub fn read(conn: &Connection) -> Option<Bookkeeping> {
        let tables = super::table_names(conn);
        if !tables.iter().any(|t| t.eq_ignore_ascii_case("Z_PRIMARYKEY")) {
            return None;
        }
        let model = read(conn, &tables)?;
        Some(Bookkeeping { model, tables })
    }

    fn is_entity_table(&self, table: &str) -> bool {
        !self.model.entities_in(table, &self.tables).is_empty()
    }

    /// An update of `table` that does not set `Z_OPT` itself bumps it.
    pub fn bumps_version(&self, table: &str, set: &[crate::mutation::Assignment]) -> bool {
        self.is_entity_table(table) && !set.iter().any(|a| a.column.eq_ignore_ascii_case("Z_OPT"))
    }

    /// The values of an insert into `table` with Core Data's bookkeeping
    /// added: a new `Z_PK` (unless given: then `Z_MAX` is kept above it),
    /// `Z_ENT` and `Z_OPT = 1` unless given.
    pub fn insert_values(
        &self,
        conn: &Connection,
        table: &str,
        values: &[crate::mutation::Assignment],
    ) -> rusqlite::Result<Vec<crate::mutation::Assignment>> {
        use crate::mutation::Assignment;
        use crate::value::Value;
        let mut out = values.to_vec();
        if !self.is_entity_table(table) {
            return Ok(out);
        }
        let given =
            |name: &str| values.iter().find(|a| a.column.eq_ignore_ascii_case(name)).map(|a| &a.value);
        let ent = match given("Z_ENT") {
            Some(Value::Integer(e)) => Some(*e),
            _ => None,
        };
        match given("Z_PK") {
            Some(Value::Integer(pk)) => {
                let root = ent.or_else(|| self.model.entities_in(table, &self.tables).first().map(|e| e.ent));
                if let Some(root) = root.and_then(|e| self.model.root_of(e)) {
                    conn.execute(
                        "UPDATE Z_PRIMARYKEY SET Z_MAX = max(coalesce(Z_MAX, 0), ?1) WHERE Z_ENT = ?2",
                        [*pk, root.ent],
                    )?;
                }
            }
            _ => {
                if let Some((ent, pk)) = allocate(conn, &self.model, &self.tables, table, ent)? {
                    out.retain(|a| !a.column.eq_ignore_ascii_case("Z_PK"));
                    out.push(Assignment { column: "Z_PK".into(), value: Value::Integer(pk) });
                    if given("Z_ENT").is_none() {
                        out.push(Assignment { column: "Z_ENT".into(), value: Value::Integer(ent) });
                    }
                }
            }
        }
        if given("Z_OPT").is_none() {
            out.push(Assignment { column: "Z_OPT".into(), value: Value::Integer(1) });
        }
        Ok(out)
    }
}
