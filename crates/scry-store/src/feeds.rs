//! The threat-feed index: which indicators each feed lists *now*.
//!
//! Listings are facts in the fact store (predicate `listed`, object the feed
//! name, windowed like every fact), so their history is kept. Whether a
//! listing is current is a property of the feed, not of the indicator: an
//! indicator is listed while the feed's newest version contains it. This
//! index, in the state store, keeps each feed's versions and its current
//! members in both directions, updated in one transaction per version:
//!
//! * `feed/meta/<feed>` — [`FeedMeta`] (JSON): kind and versions;
//! * `feed/in/<feed>/<indicator>` — since when (big-endian seconds) the
//!   indicator has been listed without a gap;
//! * `feed/by/<indicator>/<feed>` — the same, keyed by indicator, so "which
//!   feeds list X now" is one prefix scan.
//!
//! Invariant: the two member keyspaces always hold the same pairs (written
//! together), and a version is in `meta` only once its members are.

use std::collections::BTreeMap;

use scry_model::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError};
use crate::state::StateStore;

/// How many versions a feed's metadata remembers.
const VERSIONS_KEPT: usize = 100;

/// What a feed lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum FeedKind {
    /// Phishing sites.
    Phishing,
    /// Malware distribution and infrastructure.
    Malware,
    /// Spam senders and spamvertised domains.
    Spam,
    /// Command-and-control servers.
    C2,
}

impl FeedKind {
    /// Parses `phishing`, `malware`, `spam`, `c2`.
    pub fn parse(s: &str) -> Option<FeedKind> {
        match s {
            "phishing" => Some(FeedKind::Phishing),
            "malware" => Some(FeedKind::Malware),
            "spam" => Some(FeedKind::Spam),
            "c2" => Some(FeedKind::C2),
            _ => None,
        }
    }

    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::Phishing => "phishing",
            FeedKind::Malware => "malware",
            FeedKind::Spam => "spam",
            FeedKind::C2 => "c2",
        }
    }
}

/// One ingested version of a feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedVersion {
    /// The version's time (`--as-of`, or the ingest time).
    pub time: Timestamp,
    /// The ingest-ledger key of the file it came from.
    pub ledger_key: String,
    /// The file's name.
    pub input: String,
    /// Distinct indicators listed.
    pub entries: u64,
    /// Newly listed since the previous version.
    pub added: u64,
    /// Delisted since the previous version.
    pub removed: u64,
}

/// A feed and its versions (newest last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedMeta {
    /// The feed's name.
    pub name: String,
    /// What it lists.
    pub kind: FeedKind,
    /// The newest versions, oldest first.
    pub versions: Vec<FeedVersion>,
}

impl FeedMeta {
    /// The newest version.
    pub fn latest(&self) -> Option<&FeedVersion> {
        self.versions.last()
    }
}

/// A current listing of an indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listing {
    /// The feed.
    pub feed: String,
    /// Listed without a gap since.
    pub since: Timestamp,
}

/// Whether a feed name is acceptable: 1–64 of `[a-z0-9._-]`, starting with
/// a letter or digit.
pub fn valid_feed_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

/// The feed index over a state store.
#[derive(Debug, Clone, Copy)]
pub struct FeedIndex<'a> {
    state: &'a StateStore,
}

fn meta_key(feed: &str) -> String {
    format!("feed/meta/{feed}")
}

fn in_prefix(feed: &str) -> String {
    format!("feed/in/{feed}/")
}

fn by_key(indicator: &str, feed: &str) -> String {
    format!("feed/by/{indicator}/{feed}")
}

fn decode_time(v: &[u8]) -> Timestamp {
    v.try_into().map_or(0, i64::from_be_bytes)
}

impl<'a> FeedIndex<'a> {
    /// The index in `state`.
    pub fn new(state: &'a StateStore) -> FeedIndex<'a> {
        FeedIndex { state }
    }

    /// Every feed, by name.
    pub fn feeds(&self) -> Result<Vec<FeedMeta>> {
        self.state
            .scan("feed/meta/")?
            .into_iter()
            .map(|(k, v)| {
                serde_json::from_slice(&v)
                    .map_err(|e| StoreError::State(format!("{k}: corrupt feed metadata: {e}")))
            })
            .collect()
    }

    /// One feed.
    pub fn feed(&self, name: &str) -> Result<Option<FeedMeta>> {
        match self.state.get(&meta_key(name))? {
            None => Ok(None),
            Some(v) => serde_json::from_slice(&v)
                .map(Some)
                .map_err(|e| StoreError::State(format!("feed {name}: corrupt metadata: {e}"))),
        }
    }

    /// The feeds listing `indicator` now (its canonical text).
    pub fn listings(&self, indicator: &str) -> Result<Vec<Listing>> {
        let prefix = format!("feed/by/{indicator}/");
        Ok(self
            .state
            .scan(&prefix)?
            .into_iter()
            .map(|(k, v)| Listing {
                feed: k[prefix.len()..].to_string(),
                since: decode_time(&v),
            })
            .collect())
    }

    /// Whether any feed lists `indicator` now.
    pub fn is_listed(&self, indicator: &str) -> Result<bool> {
        self.state.has_prefix(&format!("feed/by/{indicator}/"))
    }

    /// A feed's current members with the time each has been listed since.
    pub fn members(&self, feed: &str) -> Result<BTreeMap<String, Timestamp>> {
        let prefix = in_prefix(feed);
        Ok(self
            .state
            .scan(&prefix)?
            .into_iter()
            .map(|(k, v)| (k[prefix.len()..].to_string(), decode_time(&v)))
            .collect())
    }

    /// Records a new version: `added` become members since `version.time`,
    /// `removed` stop being members, the version is appended to the meta.
    /// One transaction.
    pub fn apply_version(
        &self,
        feed: &str,
        kind: FeedKind,
        version: FeedVersion,
        added: &[String],
        removed: &[String],
    ) -> Result<FeedMeta> {
        if !valid_feed_name(feed) {
            return Err(StoreError::State(format!(
                "feed name {feed:?}: use 1-64 of a-z 0-9 . _ -"
            )));
        }
        let mut meta = self.feed(feed)?.unwrap_or(FeedMeta {
            name: feed.to_string(),
            kind,
            versions: Vec::new(),
        });
        meta.kind = kind;
        let since = version.time.to_be_bytes().to_vec();
        meta.versions.push(version);
        if meta.versions.len() > VERSIONS_KEPT {
            let cut = meta.versions.len() - VERSIONS_KEPT;
            meta.versions.drain(..cut);
        }
        let mut puts = Vec::with_capacity(2 * added.len() + 1);
        for a in added {
            puts.push((format!("{}{a}", in_prefix(feed)), since.clone()));
            puts.push((by_key(a, feed), since.clone()));
        }
        let json = serde_json::to_vec(&meta).map_err(|e| StoreError::State(e.to_string()))?;
        puts.push((meta_key(feed), json));
        let mut deletes = Vec::with_capacity(2 * removed.len());
        for r in removed {
            deletes.push(format!("{}{r}", in_prefix(feed)));
            deletes.push(by_key(r, feed));
        }
        self.state.apply(&puts, &deletes, None)?;
        Ok(meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::DataDir;

    #[test]
    fn versions_list_and_delist() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(tmp.path(), true).unwrap();
        let state = StateStore::open(&dir).unwrap();
        let idx = FeedIndex::new(&state);
        let v = |t, n| FeedVersion {
            time: t,
            ledger_key: format!("k{t}"),
            input: "f".into(),
            entries: n,
            added: 0,
            removed: 0,
        };
        idx.apply_version(
            "pt",
            FeedKind::Phishing,
            v(10, 2),
            &["a.com".into(), "b.com".into()],
            &[],
        )
        .unwrap();
        idx.apply_version("mw", FeedKind::Malware, v(15, 1), &["a.com".into()], &[])
            .unwrap();
        assert_eq!(idx.listings("a.com").unwrap().len(), 2);
        idx.apply_version(
            "pt",
            FeedKind::Phishing,
            v(20, 2),
            &["c.com".into()],
            &["a.com".into()],
        )
        .unwrap();
        assert_eq!(
            idx.listings("a.com").unwrap(),
            vec![Listing {
                feed: "mw".into(),
                since: 15
            }]
        );
        assert!(idx.is_listed("b.com").unwrap());
        assert!(!idx.is_listed("b.co").unwrap());
        let m = idx.members("pt").unwrap();
        assert_eq!(
            m.into_iter().collect::<Vec<_>>(),
            vec![("b.com".into(), 10), ("c.com".into(), 20)]
        );
        let meta = idx.feed("pt").unwrap().unwrap();
        assert_eq!(meta.versions.len(), 2);
        assert_eq!(meta.latest().unwrap().time, 20);
        assert_eq!(idx.feeds().unwrap().len(), 2);
        assert!(
            idx.apply_version("Bad Name", FeedKind::Spam, v(1, 0), &[], &[])
                .is_err()
        );
    }
}
