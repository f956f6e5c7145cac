//! The infrastructure graph around an indicator: domains joined to the
//! values they hold (name servers, IPs, registrants, certificates...) by
//! edges with time windows, grown breadth-first by guided pivots.
//!
//! A domain node expands to its pivotable values held by at most
//! `max_fanout` domains (a popular name server joins nothing useful); a
//! value node expands to the domains holding it (at most `max_fanout`).
//! Growth stops at `depth` hops or `max_nodes` nodes, and the result says
//! whether it was cut. Domain nodes carry a quick risk score (listed,
//! stored proximity, threat model, look-alike).

use std::collections::{HashMap, VecDeque};

use scry_model::{DomainName, Entity, Predicate};
use scry_store::{PivotQuery, Scope, Store};
use serde::Serialize;

use crate::error::{IntelError, Result};
use crate::field::{resolve_field, resolve_value};
use crate::risk::RiskEngine;

/// Growth limits.
#[derive(Debug, Clone, Copy)]
pub struct GraphOptions {
    /// Hops from the seed.
    pub depth: usize,
    /// Nodes at most.
    pub max_nodes: usize,
    /// A value held by more domains than this is shown but not expanded.
    pub max_fanout: u64,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            depth: 2,
            max_nodes: 500,
            max_fanout: 200,
        }
    }
}

/// A node.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Node {
    /// Stable id: `domain:x.com`, `ip:192.0.2.1`, `registrant_email:a@b.c`...
    pub id: String,
    /// `domain` or the field of a value.
    #[serde(rename = "type")]
    pub kind: String,
    /// The value.
    pub label: String,
    /// Hops from the seed.
    pub depth: usize,
    /// Domains holding it (value nodes), current and historic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holders: Option<u64>,
    /// Quick risk 0-100 (domain nodes) and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<u8>,
    /// The component behind the risk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_reason: Option<String>,
}

/// An edge: a domain holds a value.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Edge {
    /// The domain node.
    pub source: String,
    /// The value node.
    pub target: String,
    /// The field.
    pub field: String,
    /// First seen (RFC 3339).
    pub first_seen: String,
    /// Last seen.
    pub last_seen: String,
    /// Held now.
    pub current: bool,
}

/// The graph.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Graph {
    /// The seed node's id.
    pub seed: String,
    /// Nodes, in discovery order.
    pub nodes: Vec<Node>,
    /// Edges.
    pub edges: Vec<Edge>,
    /// Growth stopped at `max_nodes` before the frontier was empty.
    pub truncated: bool,
}

/// Holders read per page once the graph is full (see `expand_value`).
const FULL_PAGE: usize = 32;

fn node_id(kind: &str, label: &str) -> String {
    format!("{kind}:{label}")
}

struct Builder<'a> {
    store: &'a dyn Store,
    engine: &'a RiskEngine<'a>,
    opts: GraphOptions,
    index: HashMap<String, usize>,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    /// (domain node, value node, predicate) pairs already joined.
    edge_seen: std::collections::HashSet<(usize, usize, Predicate)>,
    queue: VecDeque<(usize, Option<(Predicate, Entity)>)>,
    truncated: bool,
}

impl Builder<'_> {
    /// Adds a node (if new and room is left); its index.
    fn node(
        &mut self,
        kind: &str,
        label: &str,
        depth: usize,
        value: Option<(Predicate, Entity)>,
    ) -> Option<usize> {
        let id = node_id(kind, label);
        if let Some(&i) = self.index.get(&id) {
            return Some(i);
        }
        if self.nodes.len() >= self.opts.max_nodes {
            self.truncated = true;
            return None;
        }
        let (risk, risk_reason) = if kind == "domain" {
            match self.engine.quick_score(label) {
                Ok((r, why)) => (Some(r), Some(why)),
                Err(_) => (None, None),
            }
        } else {
            (None, None)
        };
        let i = self.nodes.len();
        self.nodes.push(Node {
            id: id.clone(),
            kind: kind.to_string(),
            label: label.to_string(),
            depth,
            holders: None,
            risk,
            risk_reason,
        });
        self.index.insert(id, i);
        if depth < self.opts.depth {
            self.queue.push_back((i, value));
        }
        Some(i)
    }

    fn edge(
        &mut self,
        domain: usize,
        value: usize,
        p: Predicate,
        field: &str,
        h: &scry_store::Holding,
    ) {
        if self.edge_seen.insert((domain, value, p)) {
            self.edges.push(Edge {
                source: self.nodes[domain].id.clone(),
                target: self.nodes[value].id.clone(),
                field: field.to_string(),
                first_seen: scry_model::format_time(h.window.first_seen),
                last_seen: scry_model::format_time(h.window.last_seen),
                current: h.current,
            });
        }
    }

    fn expand_domain(&mut self, i: usize) -> Result<()> {
        let Ok(name) = DomainName::from_normalised(&self.nodes[i].label) else {
            return Ok(());
        };
        let depth = self.nodes[i].depth + 1;
        let holdings: Vec<_> = self
            .store
            .holdings(&Entity::Domain(name))?
            .into_iter()
            .filter(|h| {
                h.predicate.info().is_some_and(|p| p.pivot) && h.predicate != Predicate::LISTED
            })
            .collect();
        // Holder counts only for values not yet nodes: a value node got
        // its count when it was made, and the store does not change here.
        let ids: Vec<(String, String)> = holdings
            .iter()
            .map(|h| (h.predicate.name(), h.object.to_string()))
            .collect();
        let fresh: Vec<usize> = ids
            .iter()
            .enumerate()
            .filter(|(_, (f, l))| {
                self.index
                    .get(&node_id(f, l))
                    .is_none_or(|&v| self.nodes[v].holders.is_none())
            })
            .map(|(k, _)| k)
            .collect();
        let mut counts = vec![None; holdings.len()];
        if !fresh.is_empty() {
            let got = self.store.value_counts(
                &fresh
                    .iter()
                    .map(|&k| (holdings[k].predicate, holdings[k].object.clone()))
                    .collect::<Vec<_>>(),
            )?;
            for (&k, c) in fresh.iter().zip(got) {
                counts[k] = Some(c.current + c.historic);
            }
        }
        for ((h, (field, label)), n) in holdings.iter().zip(ids).zip(counts) {
            let n = match n {
                Some(n) => n,
                // Made by an earlier holding of this same list.
                None => match self.index.get(&node_id(&field, &label)) {
                    Some(&v) => self.nodes[v].holders.unwrap_or(0),
                    None => 0,
                },
            };
            let expandable = n <= self.opts.max_fanout;
            let Some(v) = self.node(
                &field,
                &label,
                depth,
                expandable.then(|| (h.predicate, h.object.clone())),
            ) else {
                return Ok(());
            };
            self.nodes[v].holders = Some(n);
            self.edge(i, v, h.predicate, &field, h);
        }
        Ok(())
    }

    fn expand_value(&mut self, i: usize, p: Predicate, o: Entity) -> Result<()> {
        let depth = self.nodes[i].depth + 1;
        let field = p.name();
        let max = usize::try_from(self.opts.max_fanout).unwrap_or(usize::MAX);
        // Once the graph is full, only edges to domains already in it are
        // added, up to the first new domain: read the holders a short page
        // at a time (same order, same answer) instead of `max_fanout` at once.
        let step = if self.truncated { FULL_PAGE } else { max };
        let mut seen = 0usize;
        let mut after = None;
        loop {
            let page = self.store.pivot(&PivotQuery {
                predicate: p,
                object: o.clone(),
                scope: Scope::All,
                after: after.take(),
                limit: step.min(max - seen),
            })?;
            seen += page.domains.len();
            for (d, h) in page.domains {
                let Some(di) = self.node("domain", d.ascii(), depth, None) else {
                    return Ok(());
                };
                self.edge(di, i, p, &field, &h);
            }
            match page.next_cursor {
                Some(c) if seen < max => after = Some(c),
                _ => return Ok(()),
            }
        }
    }
}

/// Grows the graph around `seed`: a domain, or `field=value`.
pub fn graph(
    store: &dyn Store,
    engine: &RiskEngine<'_>,
    seed: &str,
    opts: &GraphOptions,
) -> Result<Graph> {
    if opts.max_nodes == 0 || opts.max_nodes > 10_000 {
        return Err(IntelError::InvalidValue {
            field: "max_nodes".into(),
            reason: "max_nodes must be 1..=10000".into(),
        });
    }
    if opts.depth > 4 {
        return Err(IntelError::InvalidValue {
            field: "depth".into(),
            reason: "depth must be 0..=4".into(),
        });
    }
    let mut b = Builder {
        store,
        engine,
        opts: *opts,
        index: HashMap::new(),
        nodes: Vec::new(),
        edges: Vec::new(),
        edge_seen: Default::default(),
        queue: VecDeque::new(),
        truncated: false,
    };
    let seed_id = match seed.split_once('=') {
        Some((field, value)) => {
            let p = resolve_field(field)?;
            let o = resolve_value(p, value)?;
            let label = o.to_string();
            let i = b.node(&p.name(), &label, 0, Some((p, o.clone())));
            if let Some(i) = i {
                let c = store.value_counts(&[(p, o)])?;
                b.nodes[i].holders = c.first().map(|c| c.current + c.historic);
            }
            node_id(&p.name(), &label)
        }
        None => {
            let d = DomainName::parse(seed).map_err(|e| IntelError::InvalidValue {
                field: "seed".into(),
                reason: e.to_string(),
            })?;
            let reg = d.registrable_or_self().to_string();
            b.node("domain", &reg, 0, None);
            node_id("domain", &reg)
        }
    };
    while let Some((i, value)) = b.queue.pop_front() {
        match value {
            Some((p, o)) => b.expand_value(i, p, o)?,
            None if b.nodes[i].kind == "domain" => b.expand_domain(i)?,
            None => {}
        }
    }
    Ok(Graph {
        seed: seed_id,
        nodes: b.nodes,
        edges: b.edges,
        truncated: b.truncated,
    })
}

#[cfg(test)]
mod tests;
