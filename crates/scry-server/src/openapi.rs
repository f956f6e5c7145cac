//! The OpenAPI 3 document, built from [`crate::ROUTES`].

use crate::{MAX_BULK, ROUTES};

fn params(path: &str, method: &str) -> serde_json::Value {
    let q = |name: &str, desc: &str, required: bool| serde_json::json!({"name": name, "in": "query", "required": required, "description": desc, "schema": {"type": "string"}});
    match (method, path) {
        ("get", "/api/v1/pivot") => serde_json::json!([
            q("field", "a pivot field (see `scry fields`)", true),
            q("value", "the value", true),
            q("scope", "current (default), historic or all", false),
            q("cursor", "next_cursor of the previous page", false),
            q("limit", "page size, 1..=10000 (default 1000)", false),
        ]),
        ("get", "/api/v1/risk") | ("get", "/api/v1/reputation") => serde_json::json!([
            q("domain", "a domain name", false),
            q("ip", "an IP address", false),
            q("email", "an e-mail address", false),
            q("indicator", "any of the three", false),
        ]),
        ("get", "/api/v1/graph") => serde_json::json!([
            q("seed", "a domain, or field=value", true),
            q("depth", "hops, 0..=4 (default 2)", false),
            q("max_nodes", "1..=10000 (default 500)", false),
            q("max_fanout", "values held by more domains are not expanded (default 200)", false),
        ]),
        ("get", "/api/v1/reverse-whois") => serde_json::json!([
            q("term", "a term (repeatable); every term must match", true),
            q("exclude", "a term that must not match (repeatable)", false),
            q("scope", "current (default) or historic", false),
        ]),
        ("get", "/api/v1/alerts") => serde_json::json!([q("state", "only alerts in this state", false)]),
        (_, p) if p.starts_with("/api/v1/pdns/") => {
            let mut v = vec![
                q("rrtype", "A, NS, MX...", false),
                q("time_first_before", "RFC 3339, date or -7d", false),
                q("time_first_after", "", false),
                q("time_last_before", "", false),
                q("time_last_after", "", false),
                q("limit", "records at most (default 10000)", false),
                q("offset", "records skipped", false),
            ];
            for name in p.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))) {
                v.push(serde_json::json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
            }
            serde_json::Value::Array(v)
        }
        (_, p) if p.contains('{') => serde_json::Value::Array(
            p.split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .map(|name| serde_json::json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
                .collect(),
        ),
        _ => serde_json::json!([]),
    }
}

fn obj(required: &[&str], props: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"type": "object", "required": required, "properties": props})
}

/// The JSON body a POST route takes.
fn request_body(path: &str) -> Option<serde_json::Value> {
    let strings = serde_json::json!({"type": "array", "items": {"type": "string"}});
    let s = serde_json::json!({"type": "string"});
    Some(match path {
        "/api/v1/risk" => obj(
            &["indicators"],
            serde_json::json!({"indicators": {"type": "array", "maxItems": MAX_BULK, "items": {"type": "string"}}}),
        ),
        "/api/v1/enrich" => obj(
            &["domains"],
            serde_json::json!({"domains": {"type": "array", "maxItems": MAX_BULK, "items": {"type": "string"}}}),
        ),
        "/api/v1/search" => obj(
            &["query"],
            serde_json::json!({"query": s, "cursor": s, "limit": {"type": "integer"}}),
        ),
        "/api/v1/monitors" => obj(
            &["kind", "name", "terms"],
            serde_json::json!({
                "kind": {"type": "string", "enum": ["brand", "nameserver", "registrant", "ip"]},
                "name": s, "terms": strings, "exclusions": strings,
                "match_substring_variations": {"type": "boolean"}
            }),
        ),
        "/api/v1/alerts/{id}/state" => obj(&["state"], serde_json::json!({"state": s, "note": s})),
        "/api/v1/keys" => obj(
            &["scope"],
            serde_json::json!({
                "scope": {"type": "string", "enum": ["read", "write", "admin"]},
                "name": s
            }),
        ),
        "/api/v1/export/{format}" => obj(
            &["domains"],
            serde_json::json!({"domains": strings, "origin": s}),
        ),
        _ => return None,
    })
}

/// The document.
pub(crate) fn document() -> serde_json::Value {
    let mut paths = serde_json::Map::new();
    for (method, path, scope, summary) in ROUTES {
        let entry = paths
            .entry(path.to_string())
            .or_insert_with(|| serde_json::json!({}));
        let mut op = serde_json::json!({
            "summary": summary,
            "parameters": params(path, method),
            "security": [{"apiKey": []}, {"bearer": []}],
            "x-scope": scope.as_str(),
            "responses": {
                "200": {"description": "OK"},
                "400": {"description": "invalid input; the error names the field", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "no or unknown API key"},
                "403": {"description": "the key's scope is too small"},
                "429": {"description": "rate limited; see Retry-After"}
            }
        });
        if let Some(schema) = request_body(path) {
            op["requestBody"] = serde_json::json!({
                "required": true,
                "content": {"application/json": {"schema": schema}}
            });
        }
        entry[*method] = op;
    }
    serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "Scry API", "version": "1"},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
                "bearer": {"type": "http", "scheme": "bearer"}
            },
            "schemas": {
                "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}
                }}}}
            }
        }
    })
}
