//! Numbered schema migrations (`migrations/clickhouse/NNN_name.sql`),
//! recorded per server in `{db}.schema_migrations`.

use super::Conn;
use super::rowbinary::Dec;
use super::url::Node;
use crate::error::{Result, StoreError};

/// Every migration, in order: (version, name, SQL).
pub(crate) const MIGRATIONS: &[(u32, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/clickhouse/001_init.sql"),
    ),
    (
        2,
        "names",
        include_str!("../../migrations/clickhouse/002_names.sql"),
    ),
];

/// The schema version this build needs.
pub(crate) fn latest() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// Where a statement runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// On every shard, with `{local}` expanded.
    Shard,
    /// On the entry server only.
    Coordinator,
    /// A Distributed table `NAME` over `NAME_local` (cluster only).
    Distributed { table: String, key: Option<String> },
}

/// One statement of a migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Statement {
    pub(crate) scope: Scope,
    pub(crate) sql: String,
}

/// Splits a migration file into statements with their scopes.
pub(crate) fn parse(text: &str) -> std::result::Result<Vec<Statement>, String> {
    let mut out = Vec::new();
    let mut scope: Option<Scope> = None;
    let mut sql = String::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(d) = t.strip_prefix("-- scry:") {
            if !sql.trim().is_empty() {
                return Err(format!("line {}: directive inside a statement", n + 1));
            }
            let mut w = d.split_whitespace();
            match (w.next(), w.next(), w.next()) {
                (Some("shard"), None, _) => scope = Some(Scope::Shard),
                (Some("coordinator"), None, _) => scope = Some(Scope::Coordinator),
                (Some("distributed"), Some(table), key) => {
                    let rest: Vec<&str> = key.into_iter().chain(w).collect();
                    out.push(Statement {
                        scope: Scope::Distributed {
                            table: table.to_string(),
                            key: (!rest.is_empty()).then(|| rest.join(" ")),
                        },
                        sql: String::new(),
                    });
                }
                _ => return Err(format!("line {}: unknown directive {t:?}", n + 1)),
            }
            continue;
        }
        if t.starts_with("--") || (t.is_empty() && sql.is_empty()) {
            continue;
        }
        sql.push_str(line);
        sql.push('\n');
        if t.ends_with(';') {
            let s = scope
                .take()
                .ok_or_else(|| format!("line {}: statement without a scope directive", n + 1))?;
            let body = sql.trim().trim_end_matches(';').to_string();
            out.push(Statement {
                scope: s,
                sql: body,
            });
            sql.clear();
        }
    }
    if !sql.trim().is_empty() {
        return Err("statement without a closing ;".into());
    }
    Ok(out)
}

fn expand(sql: &str, db: &str, local: &str, cluster: &str) -> String {
    sql.replace("{db}", db)
        .replace("{local}", local)
        .replace("{cluster}", cluster)
}

/// The schema version on one server: `None` when the database or the
/// migrations table does not exist.
pub(crate) fn version_on(conn: &Conn, node: &Node) -> Result<Option<u32>> {
    let db = &conn.cfg.db;
    let sql = format!(
        "SELECT toUInt64(count()) FROM system.tables WHERE database = '{db}' AND name = 'schema_migrations' FORMAT RowBinary"
    );
    let b = conn.query_on(node, &sql)?;
    if Dec::new(&b).u64()? == 0 {
        return Ok(None);
    }
    let b = conn.query_on(
        node,
        &format!("SELECT toUInt32(max(version)) FROM {db}.schema_migrations FORMAT RowBinary"),
    )?;
    Ok(Some(Dec::new(&b).u32()?))
}

/// Applies the missing migrations on every node; returns the names applied
/// (with the node) in order.
pub(crate) fn run(conn: &Conn) -> Result<Vec<String>> {
    let cfg = &conn.cfg;
    let db = &cfg.db;
    let cluster = cfg.cluster.as_deref().unwrap_or("");
    let local = cfg.local_suffix();
    let mut applied = Vec::new();
    let nodes = cfg.nodes();
    for node in &nodes {
        conn.exec_on(node, &format!("CREATE DATABASE IF NOT EXISTS {db}"))?;
        conn.exec_on(
            node,
            &format!(
                "CREATE TABLE IF NOT EXISTS {db}.schema_migrations (version UInt32, name String, applied_at DateTime) ENGINE = MergeTree() ORDER BY version"
            ),
        )?;
        let have = version_on(conn, node)?.unwrap_or(0);
        if have > latest() {
            return Err(newer(node, db, have));
        }
    }
    for (version, name, text) in MIGRATIONS {
        let stmts = parse(text)
            .map_err(|e| StoreError::Invalid(format!("migration {version:03}_{name}: {e}")))?;
        for node in &nodes {
            if version_on(conn, node)?.unwrap_or(0) >= *version {
                continue;
            }
            let is_shard = cfg.cluster.is_none() || cfg.shards.contains(node);
            let is_entry = *node == cfg.entry;
            for st in &stmts {
                let sql = match &st.scope {
                    Scope::Shard if is_shard => expand(&st.sql, db, local, cluster),
                    Scope::Coordinator if is_entry => expand(&st.sql, db, local, cluster),
                    Scope::Distributed { table, key } if cfg.cluster.is_some() => {
                        let key = key.as_deref().map(|k| format!(", {k}")).unwrap_or_default();
                        format!(
                            "CREATE TABLE IF NOT EXISTS {db}.{table} AS {db}.{table}_local ENGINE = Distributed({cluster}, {db}, {table}_local{key})"
                        )
                    }
                    _ => continue,
                };
                conn.exec_on(node, &sql)?;
            }
            conn.exec_on(
                node,
                &format!(
                    "INSERT INTO {db}.schema_migrations (version, name, applied_at) VALUES ({version}, '{name}', now())"
                ),
            )?;
            applied.push(format!("{node}: {version:03}_{name}"));
        }
    }
    Ok(applied)
}

fn newer(node: &Node, db: &str, have: u32) -> StoreError {
    StoreError::Invalid(format!(
        "clickhouse database {db} on {node} has schema version {have}, newer than this scry supports ({}); upgrade scry",
        latest()
    ))
}

/// Refuses a database whose schema is missing, older or newer than this build's.
pub(crate) fn verify(conn: &Conn) -> Result<()> {
    let db = &conn.cfg.db;
    for node in conn.cfg.nodes() {
        match version_on(conn, &node)? {
            None => {
                return Err(StoreError::Invalid(format!(
                    "clickhouse database {db} on {node} has no scry schema; run `scry store migrate` first"
                )));
            }
            Some(v) if v < latest() => {
                return Err(StoreError::Invalid(format!(
                    "clickhouse database {db} on {node} has schema version {v}, this scry needs {}; run `scry store migrate`",
                    latest()
                )));
            }
            Some(v) if v > latest() => return Err(newer(&node, db, v)),
            Some(_) => {}
        }
    }
    Ok(())
}
