//! The data directory (format marker, single-writer lock) and the state
//! store: a small transactional embedded database (redb) for everything that
//! is state rather than facts: event-log cursors, monitors, alerts and their
//! audit trail, API keys, feed versions, the delivery queue. It lives next to
//! the data whatever the fact engine.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use redb::{ReadableDatabase, ReadableTable, TableDefinition};

use crate::FORMAT_VERSION;
use crate::error::{Result, StoreError};

const FORMAT_FILE: &str = "SCRY_FORMAT";
const LOCK_FILE: &str = "LOCK";

/// An opened, locked Scry data directory.
///
/// Invariant: while a `DataDir` is alive, this process holds an exclusive
/// lock on `LOCK`; a second process gets [`StoreError::Locked`] naming the
/// holder (pid and command line, as written in the lock file).
#[derive(Debug)]
pub struct DataDir {
    path: PathBuf,
    _lock: File,
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

impl DataDir {
    /// Opens (creating when `create` and absent) and locks a data dir.
    pub fn open(path: &Path, create: bool) -> Result<DataDir> {
        match fs::metadata(path) {
            Ok(m) if !m.is_dir() => {
                return Err(StoreError::NotAStore {
                    path: path.to_path_buf(),
                    reason: "not a directory".into(),
                });
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !create {
                    return Err(StoreError::NotAStore {
                        path: path.to_path_buf(),
                        reason: "no such directory (ingest something first)".into(),
                    });
                }
                fs::create_dir_all(path).map_err(|e| io(path, e))?;
            }
            Err(e) => return Err(io(path, e)),
        }
        let fmt_path = path.join(FORMAT_FILE);
        match fs::read_to_string(&fmt_path) {
            Ok(s) => check_format(path, &s)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let empty = fs::read_dir(path)
                    .map_err(|e| io(path, e))?
                    .next()
                    .is_none();
                if !empty {
                    return Err(StoreError::NotAStore {
                        path: path.to_path_buf(),
                        reason: format!("it has files but no {FORMAT_FILE}"),
                    });
                }
                if !create {
                    return Err(StoreError::NotAStore {
                        path: path.to_path_buf(),
                        reason: "empty directory".into(),
                    });
                }
            }
            Err(e) => return Err(io(&fmt_path, e)),
        }
        let lock_path = path.join(LOCK_FILE);
        let mut lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| io(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = lock.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(StoreError::Locked {
                    path: path.to_path_buf(),
                    holder: if holder.is_empty() {
                        "unknown holder".into()
                    } else {
                        holder.to_string()
                    },
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&lock_path, e)),
        }
        let me = format!(
            "pid {} ({})",
            std::process::id(),
            std::env::args().collect::<Vec<_>>().join(" ")
        );
        lock.set_len(0).map_err(|e| io(&lock_path, e))?;
        lock.seek(SeekFrom::Start(0))
            .map_err(|e| io(&lock_path, e))?;
        lock.write_all(me.as_bytes())
            .map_err(|e| io(&lock_path, e))?;
        lock.sync_all().map_err(|e| io(&lock_path, e))?;
        if fs::metadata(&fmt_path).is_err() {
            write_format(path)?;
        }
        Ok(DataDir {
            path: path.to_path_buf(),
            _lock: lock,
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The format version `SCRY_FORMAT` records.
    pub fn format_version(&self) -> Result<u32> {
        let p = self.path.join(FORMAT_FILE);
        let s = fs::read_to_string(&p).map_err(|e| io(&p, e))?;
        let v: serde_json::Value = serde_json::from_str(&s).map_err(|e| StoreError::NotAStore {
            path: self.path.clone(),
            reason: format!("{FORMAT_FILE} is not json: {e}"),
        })?;
        Ok(v.get("version").and_then(|x| x.as_u64()).unwrap_or(0) as u32)
    }

    /// Records this build's format version (after an upgrade), atomically.
    pub fn record_format_version(&self) -> Result<()> {
        write_format(&self.path)
    }
}

fn write_format(path: &Path) -> Result<()> {
    let fmt_path = path.join(FORMAT_FILE);
    let tmp = path.join(format!("{FORMAT_FILE}.tmp"));
    let body = format!("{{\"format\":\"scry\",\"version\":{FORMAT_VERSION}}}\n");
    let mut f = File::create(&tmp).map_err(|e| io(&tmp, e))?;
    f.write_all(body.as_bytes()).map_err(|e| io(&tmp, e))?;
    f.sync_all().map_err(|e| io(&tmp, e))?;
    fs::rename(&tmp, &fmt_path).map_err(|e| io(&fmt_path, e))
}

fn check_format(path: &Path, s: &str) -> Result<()> {
    let bad = |reason: String| StoreError::NotAStore {
        path: path.to_path_buf(),
        reason,
    };
    let v: serde_json::Value =
        serde_json::from_str(s).map_err(|e| bad(format!("{FORMAT_FILE} is not json: {e}")))?;
    if v.get("format").and_then(|f| f.as_str()) != Some("scry") {
        return Err(bad(format!("{FORMAT_FILE} does not say format \"scry\"")));
    }
    let found = v
        .get("version")
        .and_then(|x| x.as_u64())
        .ok_or_else(|| bad(format!("{FORMAT_FILE} has no version")))? as u32;
    if found > FORMAT_VERSION {
        return Err(StoreError::NewerFormat {
            path: path.to_path_buf(),
            found,
            supported: FORMAT_VERSION,
        });
    }
    Ok(())
}

const CURSORS: TableDefinition<&str, u64> = TableDefinition::new("cursors");
const KV: TableDefinition<&str, &[u8]> = TableDefinition::new("kv");

/// The transactional state store (redb), one file in the data dir.
pub struct StateStore {
    db: redb::Database,
}

impl std::fmt::Debug for StateStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateStore")
    }
}

fn st<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::State(e.to_string())
}

impl StateStore {
    /// Opens or creates `state.redb` in a locked data dir.
    pub fn open(dir: &DataDir) -> Result<StateStore> {
        let db = redb::Database::create(dir.path().join("state.redb")).map_err(st)?;
        let tx = db.begin_write().map_err(st)?;
        tx.open_table(CURSORS).map_err(st)?;
        tx.open_table(KV).map_err(st)?;
        tx.commit().map_err(st)?;
        Ok(StateStore { db })
    }

    /// A reader's cursor into the event log (0 when it never read).
    pub fn cursor(&self, reader: &str) -> Result<u64> {
        let tx = self.db.begin_read().map_err(st)?;
        let t = tx.open_table(CURSORS).map_err(st)?;
        Ok(t.get(reader).map_err(st)?.map_or(0, |v| v.value()))
    }

    /// Moves a reader's cursor (only forward).
    pub fn set_cursor(&self, reader: &str, seq: u64) -> Result<()> {
        let tx = self.db.begin_write().map_err(st)?;
        {
            let mut t = tx.open_table(CURSORS).map_err(st)?;
            let old = t.get(reader).map_err(st)?.map_or(0, |v| v.value());
            if seq > old {
                t.insert(reader, seq).map_err(st)?;
            }
        }
        tx.commit().map_err(st)
    }

    /// Reads a state value.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let tx = self.db.begin_read().map_err(st)?;
        let t = tx.open_table(KV).map_err(st)?;
        Ok(t.get(key).map_err(st)?.map(|v| v.value().to_vec()))
    }

    /// Writes a state value.
    pub fn put(&self, key: &str, value: &[u8]) -> Result<()> {
        let tx = self.db.begin_write().map_err(st)?;
        {
            let mut t = tx.open_table(KV).map_err(st)?;
            t.insert(key, value).map_err(st)?;
        }
        tx.commit().map_err(st)
    }

    /// Writes several values and moves a reader's cursor in one transaction:
    /// a crash leaves all of it or none.
    pub fn commit(&self, puts: &[(String, Vec<u8>)], cursor: Option<(&str, u64)>) -> Result<()> {
        self.apply(puts, &[], cursor)
    }

    /// Writes and deletes values and moves a reader's cursor in one
    /// transaction (deletes apply after the puts).
    pub fn apply(
        &self,
        puts: &[(String, Vec<u8>)],
        deletes: &[String],
        cursor: Option<(&str, u64)>,
    ) -> Result<()> {
        let tx = self.db.begin_write().map_err(st)?;
        {
            let mut t = tx.open_table(KV).map_err(st)?;
            for (k, v) in puts {
                t.insert(k.as_str(), v.as_slice()).map_err(st)?;
            }
            for k in deletes {
                t.remove(k.as_str()).map_err(st)?;
            }
        }
        if let Some((reader, seq)) = cursor {
            let mut t = tx.open_table(CURSORS).map_err(st)?;
            let old = t.get(reader).map_err(st)?.map_or(0, |v| v.value());
            if seq > old {
                t.insert(reader, seq).map_err(st)?;
            }
        }
        tx.commit().map_err(st)
    }

    /// Whether any key starts with `prefix`.
    pub fn has_prefix(&self, prefix: &str) -> Result<bool> {
        let tx = self.db.begin_read().map_err(st)?;
        let t = tx.open_table(KV).map_err(st)?;
        let mut it = t.range(prefix..).map_err(st)?;
        match it.next() {
            Some(item) => Ok(item.map_err(st)?.0.value().starts_with(prefix)),
            None => Ok(false),
        }
    }

    /// At most `limit` values whose key starts with `prefix` and sorts
    /// after `after` (exclusive; `None`: from the first), in key order.
    pub fn scan_after(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>> {
        let tx = self.db.begin_read().map_err(st)?;
        let t = tx.open_table(KV).map_err(st)?;
        let mut out = Vec::new();
        let start = after.filter(|a| *a >= prefix).unwrap_or(prefix);
        for item in t.range(start..).map_err(st)? {
            if out.len() >= limit {
                break;
            }
            let (k, v) = item.map_err(st)?;
            let k = k.value();
            if !k.starts_with(prefix) {
                break;
            }
            if after.is_some_and(|a| k <= a) {
                continue;
            }
            out.push((k.to_string(), v.value().to_vec()));
        }
        Ok(out)
    }

    /// How many values have a key starting with `prefix`.
    pub fn count(&self, prefix: &str) -> Result<u64> {
        let tx = self.db.begin_read().map_err(st)?;
        let t = tx.open_table(KV).map_err(st)?;
        let mut n = 0;
        for item in t.range(prefix..).map_err(st)? {
            let (k, _) = item.map_err(st)?;
            if !k.value().starts_with(prefix) {
                break;
            }
            n += 1;
        }
        Ok(n)
    }

    /// Deletes a state value.
    pub fn delete(&self, key: &str) -> Result<()> {
        let tx = self.db.begin_write().map_err(st)?;
        {
            let mut t = tx.open_table(KV).map_err(st)?;
            t.remove(key).map_err(st)?;
        }
        tx.commit().map_err(st)
    }

    /// Every state value whose key starts with `prefix`, in key order.
    pub fn scan(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>> {
        let tx = self.db.begin_read().map_err(st)?;
        let t = tx.open_table(KV).map_err(st)?;
        let mut out = Vec::new();
        for item in t.range(prefix..).map_err(st)? {
            let (k, v) = item.map_err(st)?;
            if !k.value().starts_with(prefix) {
                break;
            }
            out.push((k.value().to_string(), v.value().to_vec()));
        }
        Ok(out)
    }
}
