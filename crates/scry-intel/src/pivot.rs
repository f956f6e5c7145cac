//! Pivots: the domains that share a value.

use scry_store::{PivotQuery, Scope, Store};

use crate::error::Result;
use crate::field::{resolve_field, resolve_value};
use crate::output::PivotResult;

/// Largest page a caller may ask for.
pub const MAX_PAGE: usize = 10_000;

/// Runs a pivot: `field = value`, one page from `cursor`.
pub fn pivot(
    store: &dyn Store,
    field: &str,
    value: &str,
    scope: Scope,
    cursor: Option<&str>,
    limit: usize,
) -> Result<PivotResult> {
    let p = resolve_field(field)?;
    let object = resolve_value(p, value)?;
    let page = store.pivot(&PivotQuery {
        predicate: p,
        object: object.clone(),
        scope,
        after: cursor.map(str::to_string),
        limit: limit.clamp(1, MAX_PAGE),
    })?;
    Ok(PivotResult {
        field: p.name(),
        value: object.to_string(),
        total: page.count.current,
        historic_total: page.count.historic,
        scope: match scope {
            Scope::Current => "current",
            Scope::Historic => "historic",
            Scope::All => "all",
        }
        .to_string(),
        domains: page
            .domains
            .iter()
            .map(|(d, _)| d.ascii().to_string())
            .collect(),
        next_cursor: page.next_cursor,
    })
}
