//! Boolean search over pivots.
//!
//! Grammar (keywords are case-insensitive):
//!
//! ```text
//! query := or
//! or    := and ( "OR" and )*
//! and   := unary ( "AND" unary )*
//! unary := "NOT" unary | "(" or ")" | term
//! term  := FIELD "=" VALUE
//! VALUE := a run of characters without space, "(" or ")"
//!        | a double-quoted string with \" and \\ escapes
//! ```
//!
//! Evaluation reads the smallest posting list first: in an AND, the
//! positive operand with the smallest stored count is listed, and every
//! other operand is checked per candidate domain by point reads of its
//! holdings, so a broad term never has to be listed. A query must have a
//! positive term to start from (`NOT x` alone would list every domain).
//! Terms match values the domain holds now.

use std::collections::{BTreeSet, HashMap};

use scry_model::{DomainName, Entity, Predicate};
use scry_store::{PivotQuery, Scope, Store};

use crate::error::{IntelError, Result};
use crate::field::{resolve_field, resolve_value};
use crate::output::SearchResult;

/// Most domains one operand may list.
pub const MAX_MATERIALISE: u64 = 5_000_000;

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// `field = value`.
    Term {
        /// Predicate.
        predicate: Predicate,
        /// Normalised value.
        value: Entity,
    },
    /// All must hold.
    And(Vec<Query>),
    /// Any must hold.
    Or(Vec<Query>),
    /// Must not hold.
    Not(Box<Query>),
}

impl std::fmt::Display for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Query::Term { predicate, value } => {
                let v = value.to_string();
                if v.chars()
                    .any(|c| c.is_whitespace() || c == '(' || c == ')' || c == '"')
                {
                    write!(
                        f,
                        "{predicate}=\"{}\"",
                        v.replace('\\', "\\\\").replace('"', "\\\"")
                    )
                } else {
                    write!(f, "{predicate}={v}")
                }
            }
            Query::And(qs) | Query::Or(qs) => {
                let op = if matches!(self, Query::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                f.write_str("(")?;
                for (i, q) in qs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(op)?;
                    }
                    write!(f, "{q}")?;
                }
                f.write_str(")")
            }
            Query::Not(q) => write!(f, "NOT {q}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Quoted(String),
    Eq,
    Open,
    Close,
}

fn lex(s: &str) -> Result<Vec<(usize, Tok)>> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push((pos, Tok::Open));
                i += 1;
            }
            ')' => {
                out.push((pos, Tok::Close));
                i += 1;
            }
            '=' => {
                out.push((pos, Tok::Eq));
                i += 1;
            }
            '"' => {
                let mut v = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(IntelError::Query {
                                pos,
                                reason: "unterminated quoted value".into(),
                            });
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => {
                            match chars.get(i + 1) {
                                Some(n) => v.push(*n),
                                None => {
                                    return Err(IntelError::Query {
                                        pos: i + 1,
                                        reason: "dangling backslash".into(),
                                    });
                                }
                            }
                            i += 2;
                        }
                        Some(c) => {
                            v.push(*c);
                            i += 1;
                        }
                    }
                }
                out.push((pos, Tok::Quoted(v)));
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '=' | '"')
                {
                    i += 1;
                }
                out.push((pos, Tok::Word(chars[start..i].iter().collect())));
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    at: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(_, t)| t)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.at).map_or(self.end, |(p, _)| *p)
    }

    fn err(&self, reason: impl Into<String>) -> IntelError {
        IntelError::Query {
            pos: self.pos(),
            reason: reason.into(),
        }
    }

    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn or(&mut self, depth: usize) -> Result<Query> {
        if depth > 64 {
            return Err(self.err("nested too deeply"));
        }
        let mut parts = vec![self.and(depth)?];
        while self.keyword("OR") {
            self.at += 1;
            parts.push(self.and(depth)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::Or(parts)
        })
    }

    fn and(&mut self, depth: usize) -> Result<Query> {
        let mut parts = vec![self.unary(depth)?];
        while self.keyword("AND") {
            self.at += 1;
            parts.push(self.unary(depth)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::And(parts)
        })
    }

    fn unary(&mut self, depth: usize) -> Result<Query> {
        if self.keyword("NOT") {
            self.at += 1;
            return Ok(Query::Not(Box::new(self.unary(depth + 1)?)));
        }
        match self.peek() {
            Some(Tok::Open) => {
                self.at += 1;
                let q = self.or(depth + 1)?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(self.err("expected )"));
                }
                self.at += 1;
                Ok(q)
            }
            Some(Tok::Word(_)) => self.term(),
            Some(_) => Err(self.err("expected FIELD=VALUE, NOT or (")),
            None => Err(self.err("unexpected end of query")),
        }
    }

    fn term(&mut self) -> Result<Query> {
        let field_pos = self.pos();
        let Some(Tok::Word(field)) = self.peek().cloned() else {
            return Err(self.err("expected a field name"));
        };
        self.at += 1;
        if self.peek() != Some(&Tok::Eq) {
            return Err(self.err(format!("expected = after {field}")));
        }
        self.at += 1;
        let value_pos = self.pos();
        let value = match self.peek().cloned() {
            Some(Tok::Word(v)) | Some(Tok::Quoted(v)) => v,
            _ => return Err(self.err("expected a value")),
        };
        self.at += 1;
        let predicate = resolve_field(&field).map_err(|e| IntelError::Query {
            pos: field_pos,
            reason: e.to_string(),
        })?;
        let value = resolve_value(predicate, &value).map_err(|e| IntelError::Query {
            pos: value_pos,
            reason: e.to_string(),
        })?;
        Ok(Query::Term { predicate, value })
    }
}

/// Parses a query string.
pub fn parse(query: &str) -> Result<Query> {
    if query.len() > 64 * 1024 {
        return Err(IntelError::Query {
            pos: 1,
            reason: "query longer than 64 KiB".into(),
        });
    }
    let toks = lex(query)?;
    let end = query.chars().count() + 1;
    let mut p = Parser { toks, at: 0, end };
    let q = p.or(0)?;
    if p.at != p.toks.len() {
        return Err(p.err("expected AND, OR or end of query"));
    }
    Ok(q)
}

struct Eval<'a> {
    store: &'a dyn Store,
    holdings: HashMap<String, BTreeSet<(Predicate, String)>>,
}

impl Eval<'_> {
    /// Upper bound of the domains a query can match, from stored counts.
    fn estimate(&self, q: &Query) -> Result<Option<u64>> {
        Ok(match q {
            Query::Term { predicate, value } => Some(
                self.store
                    .value_counts(&[(*predicate, value.clone())])?
                    .first()
                    .map_or(0, |c| c.current),
            ),
            Query::And(qs) => {
                let mut best: Option<u64> = None;
                for q in qs {
                    if let Some(e) = self.estimate(q)? {
                        best = Some(best.map_or(e, |b| b.min(e)));
                    }
                }
                best
            }
            Query::Or(qs) => {
                let mut sum = 0u64;
                for q in qs {
                    match self.estimate(q)? {
                        Some(e) => sum = sum.saturating_add(e),
                        None => return Ok(None),
                    }
                }
                Some(sum)
            }
            Query::Not(_) => None,
        })
    }

    fn list(&mut self, q: &Query) -> Result<BTreeSet<String>> {
        match q {
            Query::Term { predicate, value } => {
                let mut out = BTreeSet::new();
                let mut after = None;
                loop {
                    let page = self.store.pivot(&PivotQuery {
                        predicate: *predicate,
                        object: value.clone(),
                        scope: Scope::Current,
                        after: after.take(),
                        limit: 10_000,
                    })?;
                    if page.count.current > MAX_MATERIALISE {
                        return Err(IntelError::TooBroad(format!(
                            "{predicate}={value} is held by {} domains; combine it with a narrower term",
                            page.count.current
                        )));
                    }
                    out.extend(page.domains.into_iter().map(|(d, _)| d.ascii().to_string()));
                    match page.next_cursor {
                        Some(c) => after = Some(c),
                        None => break,
                    }
                }
                Ok(out)
            }
            Query::Or(qs) => {
                let mut out = BTreeSet::new();
                for q in qs {
                    out.extend(self.list(q)?);
                }
                Ok(out)
            }
            Query::And(qs) => {
                let mut best: Option<(usize, u64)> = None;
                for (i, q) in qs.iter().enumerate() {
                    if let Some(e) = self.estimate(q)?
                        && best.is_none_or(|(_, b)| e < b)
                    {
                        best = Some((i, e));
                    }
                }
                let Some((first, _)) = best else {
                    return Err(IntelError::Query {
                        pos: 1,
                        reason: "an AND needs at least one positive term".into(),
                    });
                };
                let candidates = self.list(&qs[first])?;
                let mut out = BTreeSet::new();
                'cand: for d in candidates {
                    for (i, q) in qs.iter().enumerate() {
                        if i != first && !self.matches(&d, q)? {
                            continue 'cand;
                        }
                    }
                    out.insert(d);
                }
                Ok(out)
            }
            Query::Not(_) => Err(IntelError::Query {
                pos: 1,
                reason: "NOT needs a positive term beside it (NOT alone would list every domain)"
                    .into(),
            }),
        }
    }

    fn matches(&mut self, domain: &str, q: &Query) -> Result<bool> {
        Ok(match q {
            Query::Term { predicate, value } => {
                if !self.holdings.contains_key(domain) {
                    let d = DomainName::parse(domain).map_err(|e| IntelError::InvalidValue {
                        field: "domain".into(),
                        reason: e.to_string(),
                    })?;
                    let set = self
                        .store
                        .holdings(&Entity::Domain(d))?
                        .into_iter()
                        .filter(|h| h.current)
                        .map(|h| (h.predicate, h.object.key_text()))
                        .collect();
                    self.holdings.insert(domain.to_string(), set);
                }
                self.holdings
                    .get(domain)
                    .is_some_and(|s| s.contains(&(*predicate, value.key_text())))
            }
            Query::And(qs) => {
                for q in qs {
                    if !self.matches(domain, q)? {
                        return Ok(false);
                    }
                }
                true
            }
            Query::Or(qs) => {
                for q in qs {
                    if self.matches(domain, q)? {
                        return Ok(true);
                    }
                }
                false
            }
            Query::Not(q) => !self.matches(domain, q)?,
        })
    }
}

/// Evaluates a query and returns one page of matching domains, sorted.
pub fn search(
    store: &dyn Store,
    query: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<SearchResult> {
    let q = parse(query)?;
    let mut ev = Eval {
        store,
        holdings: HashMap::new(),
    };
    let all = ev.list(&q)?;
    let total = all.len() as u64;
    let limit = limit.clamp(1, crate::pivot::MAX_PAGE);
    let iter: Box<dyn Iterator<Item = &String>> = match cursor {
        Some(c) => Box::new(
            all.range::<str, _>((std::ops::Bound::Excluded(c), std::ops::Bound::Unbounded)),
        ),
        None => Box::new(all.iter()),
    };
    let mut domains: Vec<String> = iter.take(limit + 1).cloned().collect();
    let next_cursor = if domains.len() > limit {
        domains.pop();
        domains.last().cloned()
    } else {
        None
    };
    Ok(SearchResult {
        query: q.to_string(),
        total,
        domains,
        next_cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_grammar() {
        let q = parse(r#"ns=ns1.x.net AND (ip=192.0.2.1 OR registrant_org="Acme \"Q\" Inc") AND NOT registrar=foo"#).unwrap();
        let s = q.to_string();
        assert!(s.contains("nameserver_host=ns1.x.net"), "{s}");
        assert!(s.contains(r#"registrant_org="Acme \"Q\" Inc""#), "{s}");
        assert!(s.contains("NOT registrar=foo"), "{s}");
        assert_eq!(
            parse(&s).unwrap(),
            q,
            "canonical form re-parses to the same query"
        );
    }

    #[test]
    fn errors_have_positions() {
        let cases = [
            ("ip=", 4),
            ("ip=1.2.3.4 AND", 15),
            ("(ip=1.2.3.4", 12),
            ("nope=1", 1),
            ("ip=notanip", 4),
            ("ip=1.2.3.4 ip=1.2.3.5", 12),
            ("\"unterminated", 1),
        ];
        for (q, pos) in cases {
            match parse(q) {
                Err(IntelError::Query { pos: p, .. }) => assert_eq!(p, pos, "{q}"),
                other => panic!("{q}: {other:?}"),
            }
        }
        let deep = format!("{}ip=1.2.3.4{}", "(".repeat(100), ")".repeat(100));
        assert!(parse(&deep).is_err());
    }
}
