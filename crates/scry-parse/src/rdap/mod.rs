//! RDAP domain responses (RFC 9083) to a [`RegistrationRecord`].
//!
//! Read: `ldhName` (else `unicodeName`), `events` (`registration`, `last
//! changed`, `expiration`), `status` (RFC 8056 spaced names become EPP codes),
//! `nameservers[].ldhName`, `secureDNS.delegationSigned`, and `entities` with
//! `roles` and a jCard `vcardArray` (RFC 7095: `fn`, `org`, `adr`, `tel`,
//! `email`). Entities nest: the registrar's `abuse` entity gives the abuse
//! contact; nesting is followed to [`MAX_ENTITY_DEPTH`]. Redactions per RFC
//! 9537 (`redacted[].name.type` such as "Registrant Email") are listed in
//! `redacted.fields`, as are placeholder values ("REDACTED FOR PRIVACY").
//!
//! Hostile input: at most [`MAX_RDAP_BYTES`]; JSON nesting is bounded by
//! serde_json's recursion limit (128), so deeply nested input is a syntax
//! error, never a stack overflow.

#[cfg(test)]
mod tests;

use serde_json::Value;

use crate::error::{ParseError, ParseErrorKind};
use crate::registration::{Contact, RegistrationRecord, Role, rfc3339};
use crate::whois::date::parse_date;
use crate::whois::values::{
    clean, country_code, is_placeholder, normalise_email, normalise_host, normalise_status,
    privacy_service_of,
};

/// Largest RDAP response accepted, in bytes.
pub const MAX_RDAP_BYTES: usize = 16 << 20;

/// Deepest entity nesting followed (registrar → abuse is depth 2).
pub const MAX_ENTITY_DEPTH: usize = 8;

/// Most entities, name servers or statuses read from one response.
const MAX_ITEMS: usize = 256;

/// Parses one RDAP domain response. A `domainSearchResults` response gives
/// its first domain (see [`parse_rdap_all`] for all of them).
///
/// Errors: `TooLarge` over [`MAX_RDAP_BYTES`]; `Encoding` for non-UTF-8;
/// `Syntax`/`Truncated` for invalid JSON (including nesting deeper than
/// 128); `Value` for an RDAP error response (`errorCode`), naming its code;
/// `Unsupported` for a non-domain object (`ip network`, `autnum`...).
pub fn parse_rdap(json: &[u8]) -> Result<RegistrationRecord, ParseError> {
    let mut all = parse_rdap_all(json)?;
    if all.is_empty() {
        return Err(
            ParseError::new(ParseErrorKind::Value, "search result holds no domains")
                .in_field("domainSearchResults"),
        );
    }
    Ok(all.swap_remove(0))
}

/// Parses an RDAP domain response or a `domainSearchResults` response into
/// one record per domain.
pub fn parse_rdap_all(json: &[u8]) -> Result<Vec<RegistrationRecord>, ParseError> {
    if json.len() > MAX_RDAP_BYTES {
        return Err(ParseError::new(
            ParseErrorKind::TooLarge,
            format!(
                "rdap response is {} bytes (max {MAX_RDAP_BYTES})",
                json.len()
            ),
        ));
    }
    let text = std::str::from_utf8(json).map_err(|e| {
        ParseError::new(ParseErrorKind::Encoding, format!("not utf-8: {e}"))
            .at_column(e.valid_up_to() as u64 + 1)
    })?;
    let v: Value = serde_json::from_str(text).map_err(|e| {
        let kind = if e.is_eof() {
            ParseErrorKind::Truncated
        } else {
            ParseErrorKind::Syntax
        };
        ParseError::new(kind, format!("invalid json: {e}"))
            .at_line(e.line() as u64)
            .at_column(e.column() as u64)
    })?;
    let Value::Object(obj) = &v else {
        return Err(ParseError::new(
            ParseErrorKind::Syntax,
            "rdap response is not a json object",
        ));
    };
    if let Some(code) = obj.get("errorCode") {
        let title = obj.get("title").and_then(Value::as_str).unwrap_or("");
        return Err(ParseError::new(
            ParseErrorKind::Value,
            format!("rdap error response {code}: {title}"),
        )
        .in_field("errorCode"));
    }
    if let Some(Value::Array(results)) = obj.get("domainSearchResults") {
        return results
            .iter()
            .take(MAX_ITEMS)
            .enumerate()
            .map(|(i, d)| {
                domain(d).map_err(|e| {
                    let f = e.field.clone().unwrap_or_default();
                    e.in_field(format!("domainSearchResults[{i}].{f}"))
                })
            })
            .collect();
    }
    domain(&v).map(|r| vec![r])
}

fn domain(v: &Value) -> Result<RegistrationRecord, ParseError> {
    let Value::Object(obj) = v else {
        return Err(ParseError::new(
            ParseErrorKind::Syntax,
            "domain is not an object",
        ));
    };
    match obj.get("objectClassName").and_then(Value::as_str) {
        Some("domain") => {}
        Some(other) => {
            return Err(ParseError::new(
                ParseErrorKind::Unsupported,
                format!("not a domain object: {other}"),
            )
            .in_field("objectClassName"));
        }
        None => {
            if !obj.contains_key("ldhName") && !obj.contains_key("unicodeName") {
                return Err(ParseError::new(
                    ParseErrorKind::Syntax,
                    "neither objectClassName nor ldhName: not an rdap domain",
                )
                .in_field("objectClassName"));
            }
        }
    }
    let mut rec = RegistrationRecord {
        source_format: "rdap".to_string(),
        ..RegistrationRecord::default()
    };
    let name = str_field(obj.get("ldhName")).or_else(|| str_field(obj.get("unicodeName")));
    rec.domain = name.map(|n| n.trim_end_matches('.').to_lowercase());
    if let Some(Value::Array(events)) = obj.get("events") {
        for e in events.iter().take(MAX_ITEMS) {
            let action = e.get("eventAction").and_then(Value::as_str).unwrap_or("");
            let Some(t) = e
                .get("eventDate")
                .and_then(Value::as_str)
                .and_then(|d| parse_date(d, false))
            else {
                continue;
            };
            let slot = match action.to_ascii_lowercase().as_str() {
                "registration" => &mut rec.created,
                "last changed" => &mut rec.updated,
                "expiration" => &mut rec.expires,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(rfc3339(t));
            }
        }
    }
    if let Some(Value::Array(st)) = obj.get("status") {
        for s in st.iter().take(MAX_ITEMS).filter_map(Value::as_str) {
            if let Some(n) = normalise_status(s)
                && !rec.statuses.contains(&n)
            {
                rec.statuses.push(n);
            }
        }
    }
    if let Some(Value::Array(ns)) = obj.get("nameservers") {
        for n in ns.iter().take(MAX_ITEMS) {
            let h = str_field(n.get("ldhName"))
                .or_else(|| str_field(n.get("unicodeName")))
                .and_then(normalise_host);
            if let Some(h) = h
                && !rec.name_servers.contains(&h)
            {
                rec.name_servers.push(h);
            }
        }
    }
    if let Some(sd) = obj.get("secureDNS") {
        match sd.get("delegationSigned").and_then(Value::as_bool) {
            Some(true) => rec.dnssec = Some("signed".to_string()),
            Some(false) => rec.dnssec = Some("unsigned".to_string()),
            None => {}
        }
    }
    if let Some(Value::Array(ents)) = obj.get("entities") {
        let mut budget = MAX_ITEMS;
        for e in ents {
            entity(&mut rec, e, None, 1, &mut budget);
        }
    }
    if let Some(Value::Array(red)) = obj.get("redacted") {
        for r in red.iter().take(MAX_ITEMS) {
            let ty = r
                .get("name")
                .and_then(|n| n.get("type").or_else(|| n.get("description")))
                .and_then(Value::as_str);
            if let Some(path) = ty.and_then(redaction_path) {
                rec.redacted.add(&path);
            } else {
                rec.redacted.any = true;
            }
        }
    }
    let reg = &rec.contacts.registrant;
    rec.privacy_service = privacy_service_of(
        reg.org.as_ref(),
        reg.name.as_ref(),
        reg.email.as_ref(),
        rec.registrar.name.as_ref(),
    );
    Ok(rec)
}

fn str_field(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// Walks one entity (and its nested entities).
fn entity(
    rec: &mut RegistrationRecord,
    e: &Value,
    parent_registrar: Option<()>,
    depth: usize,
    budget: &mut usize,
) {
    if depth > MAX_ENTITY_DEPTH || *budget == 0 {
        return;
    }
    *budget -= 1;
    let roles: Vec<String> = match e.get("roles") {
        Some(Value::Array(r)) => r
            .iter()
            .take(16)
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect(),
        _ => Vec::new(),
    };
    let card = vcard(e.get("vcardArray"));
    let is_registrar = roles.iter().any(|r| r == "registrar");
    if is_registrar {
        let name = card.fn_.clone().or_else(|| card.org.clone());
        if rec.registrar.name.is_none() {
            rec.registrar.name = name.filter(|n| !is_placeholder(n));
        }
        if let Some(Value::Array(ids)) = e.get("publicIds") {
            for id in ids.iter().take(16) {
                let ty = id.get("type").and_then(Value::as_str).unwrap_or("");
                if ty.to_ascii_lowercase().contains("iana")
                    && let Some(i) = id.get("identifier")
                {
                    let s = match i {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => continue,
                    };
                    if rec.registrar.iana_id.is_none() {
                        rec.registrar.iana_id = clean(&s);
                    }
                }
            }
        }
        if rec.registrar.url.is_none() {
            rec.registrar.url = card.url.clone();
        }
    }
    if parent_registrar.is_some() && roles.iter().any(|r| r == "abuse") {
        if rec.registrar.abuse_email.is_none() {
            rec.registrar.abuse_email = card.email.clone();
        }
        if rec.registrar.abuse_phone.is_none() {
            rec.registrar.abuse_phone = card.tel.clone();
        }
    }
    for r in &roles {
        let role = match r.as_str() {
            "registrant" => Role::Registrant,
            "administrative" => Role::Admin,
            "technical" => Role::Tech,
            "billing" => Role::Billing,
            _ => continue,
        };
        apply_card(rec, role, &card);
    }
    if let Some(Value::Array(nested)) = e.get("entities") {
        for n in nested {
            entity(rec, n, is_registrar.then_some(()), depth + 1, budget);
        }
    }
}

fn apply_card(rec: &mut RegistrationRecord, role: Role, card: &Card) {
    let mut redacted: Vec<&str> = Vec::new();
    let keep = |v: &Option<String>, field: &'static str, red: &mut Vec<&'static str>| match v {
        Some(s) if is_placeholder(s) => {
            red.push(field);
            None
        }
        other => other.clone(),
    };
    let c = rec.contacts.get_mut(role);
    if !c.is_empty() {
        return;
    }
    let mut n = Contact {
        name: keep(&card.fn_, "name", &mut redacted),
        org: keep(&card.org, "org", &mut redacted),
        street: card
            .street
            .iter()
            .filter(|s| !is_placeholder(s))
            .cloned()
            .collect(),
        city: keep(&card.city, "city", &mut redacted),
        state: keep(&card.state, "state", &mut redacted),
        postal: keep(&card.postal, "postal", &mut redacted),
        country: None,
        phone: keep(&card.tel, "phone", &mut redacted),
        fax: keep(&card.fax, "fax", &mut redacted),
        email: None,
    };
    if let Some(cc) = &card.country {
        n.country = country_code(cc);
        if n.country.is_none() && is_placeholder(cc) {
            redacted.push("country");
        }
    }
    if let Some(e) = &card.email {
        match normalise_email(e) {
            Some(e) => n.email = Some(e),
            None => redacted.push("email"),
        }
    }
    if card.street.iter().any(|s| is_placeholder(s)) {
        redacted.push("street");
    }
    *c = n;
    for f in redacted {
        rec.redacted.add(&format!("{}.{f}", role.as_str()));
    }
}

#[derive(Default, Debug)]
struct Card {
    fn_: Option<String>,
    org: Option<String>,
    street: Vec<String>,
    city: Option<String>,
    state: Option<String>,
    postal: Option<String>,
    country: Option<String>,
    tel: Option<String>,
    fax: Option<String>,
    email: Option<String>,
    url: Option<String>,
}

/// Reads the jCard properties Scry keeps. Malformed properties are skipped.
fn vcard(v: Option<&Value>) -> Card {
    let mut c = Card::default();
    let Some(Value::Array(top)) = v else { return c };
    let Some(Value::Array(props)) = top.get(1) else {
        return c;
    };
    for p in props.iter().take(MAX_ITEMS) {
        let Value::Array(p) = p else { continue };
        let (Some(Value::String(name)), Some(params)) = (p.first(), p.get(1)) else {
            continue;
        };
        let value = p.get(3);
        let text = || value.and_then(text_of);
        match name.to_ascii_lowercase().as_str() {
            "fn" => set(&mut c.fn_, text()),
            "org" => set(&mut c.org, text()),
            "email" => set(&mut c.email, text()),
            "url" => set(&mut c.url, text()),
            "tel" => {
                let is_fax = param_has(params, "type", "fax");
                let t = text().map(|t| t.trim_start_matches("tel:").to_string());
                if is_fax {
                    set(&mut c.fax, t);
                } else {
                    set(&mut c.tel, t);
                }
            }
            "adr" => {
                if let Some(Value::Array(parts)) = value {
                    // pobox, ext, street, locality, region, code, country
                    let part = |i: usize| -> Vec<String> {
                        match parts.get(i) {
                            Some(Value::String(s)) => clean(s).into_iter().collect(),
                            Some(Value::Array(a)) => a
                                .iter()
                                .take(8)
                                .filter_map(Value::as_str)
                                .filter_map(clean)
                                .collect(),
                            _ => Vec::new(),
                        }
                    };
                    if c.street.is_empty() {
                        c.street = part(2);
                    }
                    set(&mut c.city, part(3).into_iter().next());
                    set(&mut c.state, part(4).into_iter().next());
                    set(&mut c.postal, part(5).into_iter().next());
                    set(&mut c.country, part(6).into_iter().next());
                }
                if c.country.is_none()
                    && let Some(cc) = params.get("cc").and_then(Value::as_str)
                {
                    set(&mut c.country, clean(cc));
                }
            }
            _ => {}
        }
    }
    c
}

fn set(slot: &mut Option<String>, v: Option<String>) {
    if slot.is_none() {
        *slot = v;
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => clean(s),
        Value::Array(a) => {
            let parts: Vec<&str> = a.iter().take(8).filter_map(Value::as_str).collect();
            clean(&parts.join(" "))
        }
        _ => None,
    }
}

fn param_has(params: &Value, key: &str, want: &str) -> bool {
    match params.get(key) {
        Some(Value::String(s)) => s.eq_ignore_ascii_case(want),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .any(|s| s.eq_ignore_ascii_case(want)),
        _ => false,
    }
}

/// `Registrant Email` → `registrant.email` (RFC 9537 §6 names).
fn redaction_path(ty: &str) -> Option<String> {
    let l = ty.to_ascii_lowercase();
    let role = if l.contains("registrant") {
        "registrant"
    } else if l.contains("admin") {
        "admin"
    } else if l.contains("tech") {
        "tech"
    } else if l.contains("billing") {
        "billing"
    } else {
        return None;
    };
    let field = [
        ("email", "email"),
        ("fax", "fax"),
        ("phone", "phone"),
        ("street", "street"),
        ("city", "city"),
        ("postal", "postal"),
        ("state", "state"),
        ("province", "state"),
        ("country", "country"),
        ("organization", "org"),
        ("organisation", "org"),
        ("name", "name"),
        ("id", "id"),
    ]
    .iter()
    .find(|(k, _)| l.contains(k))?
    .1;
    Some(format!("{role}.{field}"))
}
