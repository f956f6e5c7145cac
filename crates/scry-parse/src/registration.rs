//! The normalised registration record shared by the WHOIS and RDAP parsers.
//!
//! Both parsers produce a [`RegistrationRecord`]: one shape whatever the
//! registry's format, so history, diffs and reverse WHOIS compare like with
//! like.
//!
//! Conventions:
//! - times are RFC 3339 strings in UTC with second precision
//!   (`2024-05-01T12:00:00Z`); a date without a time is midnight UTC and a
//!   local time with a known zone (`(JST)`, `+09:00`) is converted to UTC;
//! - `statuses` hold EPP codes in their RFC 5731 spelling
//!   (`clientTransferProhibited`) when the value is one, otherwise the
//!   registry's own status in lower case (`connect`, `registered`);
//! - `name_servers` are lower-case host names without the trailing dot, in
//!   the order given, without duplicates;
//! - a contact value that is a redaction placeholder ("REDACTED FOR
//!   PRIVACY", "Not Disclosed") is dropped and its path (for example
//!   `registrant.name`) is listed in `redacted.fields`;
//! - a registrant that is a proxy/privacy service ("Domains By Proxy, LLC")
//!   is kept as given and also named in `privacy_service`.

use serde::{Deserialize, Serialize};

use scry_model::{DomainName, Entity, Observation, Predicate, Window, parse_time};

/// The sponsoring registrar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Registrar {
    /// Registrar name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// IANA registrar id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iana_id: Option<String>,
    /// The registrar's WHOIS server (host name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub whois_server: Option<String>,
    /// The registrar's web site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Abuse contact e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abuse_email: Option<String>,
    /// Abuse contact phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abuse_phone: Option<String>,
}

impl Registrar {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        *self == Registrar::default()
    }
}

/// One contact (registrant, admin, tech or billing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    /// Person (or role) name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Street lines.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub street: Vec<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or province.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal: Option<String>,
    /// ISO 3166-1 alpha-2 country code, upper case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Phone number as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Fax number as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    /// E-mail address, lower case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Contact {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        *self == Contact::default()
    }
}

/// The four contact roles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contacts {
    /// The registrant (holder, owner).
    #[serde(skip_serializing_if = "Contact::is_empty")]
    pub registrant: Contact,
    /// The administrative contact.
    #[serde(skip_serializing_if = "Contact::is_empty")]
    pub admin: Contact,
    /// The technical contact.
    #[serde(skip_serializing_if = "Contact::is_empty")]
    pub tech: Contact,
    /// The billing contact.
    #[serde(skip_serializing_if = "Contact::is_empty")]
    pub billing: Contact,
}

/// Contact roles, for code that walks all four.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Registrant.
    Registrant,
    /// Administrative contact.
    Admin,
    /// Technical contact.
    Tech,
    /// Billing contact.
    Billing,
}

impl Role {
    /// All roles, registrant first.
    pub const ALL: [Role; 4] = [Role::Registrant, Role::Admin, Role::Tech, Role::Billing];

    /// Lower-case name (`registrant`, `admin`, `tech`, `billing`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Registrant => "registrant",
            Role::Admin => "admin",
            Role::Tech => "tech",
            Role::Billing => "billing",
        }
    }
}

impl Contacts {
    /// The contact with this role.
    pub fn get(&self, role: Role) -> &Contact {
        match role {
            Role::Registrant => &self.registrant,
            Role::Admin => &self.admin,
            Role::Tech => &self.tech,
            Role::Billing => &self.billing,
        }
    }

    /// The contact with this role, mutable.
    pub fn get_mut(&mut self, role: Role) -> &mut Contact {
        match role {
            Role::Registrant => &mut self.registrant,
            Role::Admin => &mut self.admin,
            Role::Tech => &mut self.tech,
            Role::Billing => &mut self.billing,
        }
    }
}

/// What was redacted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Redaction {
    /// Whether anything was redacted.
    pub any: bool,
    /// Redacted fields as `role.field` (`registrant.email`), sorted, unique.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

impl Redaction {
    /// Records a redacted field path.
    pub fn add(&mut self, path: &str) {
        self.any = true;
        if let Err(i) = self.fields.binary_search_by(|f| f.as_str().cmp(path)) {
            self.fields.insert(i, path.to_string());
        }
    }
}

/// One normalised WHOIS or RDAP record (see the module docs for the
/// conventions).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationRecord {
    /// The domain, lower case, no trailing dot (IDNs as given: A-label or U-label).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Sponsoring registrar.
    #[serde(skip_serializing_if = "Registrar::is_empty")]
    pub registrar: Registrar,
    /// Creation time, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last update time, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Expiry time, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Statuses: EPP codes, or the registry's own words in lower case.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<String>,
    /// Name servers, lower case, no trailing dot.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub name_servers: Vec<String>,
    /// DNSSEC: `signed` or `unsigned` (or the registry's word, lower case).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dnssec: Option<String>,
    /// Contacts.
    pub contacts: Contacts,
    /// What was redacted.
    pub redacted: Redaction,
    /// The privacy/proxy service, when the registrant is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy_service: Option<String>,
    /// The response says the domain is not registered.
    pub not_found: bool,
    /// The response is a rate-limit refusal, not data.
    pub rate_limited: bool,
    /// The input was larger than the parser accepts; nothing was parsed.
    pub too_large: bool,
    /// Which format matched (`rdap`, `whois:key-value`, `whois:jprs`...).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source_format: String,
}

impl RegistrationRecord {
    /// Whether the record carries any registration data.
    pub fn has_data(&self) -> bool {
        self.created.is_some()
            || self.expires.is_some()
            || self.updated.is_some()
            || !self.registrar.is_empty()
            || !self.name_servers.is_empty()
            || !self.statuses.is_empty()
            || Role::ALL.iter().any(|r| !self.contacts.get(*r).is_empty())
    }

    /// The record as observations of the shared predicate vocabulary, all
    /// about the record's domain and observed once at `observed_at` by
    /// `source`. Values that do not normalise (an e-mail without `@`, a
    /// broken name server) are skipped, as is everything when the record has
    /// no valid domain or is a not-found or rate-limit response. Redacted
    /// values were dropped at parse time, so they produce no facts.
    pub fn to_observations(&self, observed_at: i64, source: &str, now: i64) -> Vec<Observation> {
        let mut out = Vec::new();
        if self.not_found || self.rate_limited {
            return out;
        }
        let Some(domain) = self
            .domain
            .as_deref()
            .and_then(|d| DomainName::parse(d).ok())
        else {
            return out;
        };
        let subject = Entity::Domain(domain);
        let window = Window {
            first_seen: observed_at,
            last_seen: observed_at,
            count: 1,
        };
        let mut push = |p: Predicate, value: &str| {
            let Ok(object) = Entity::parse(p.object_kind(), value) else {
                return;
            };
            if let Ok(o) =
                Observation::new(subject.clone(), p, object, window, source.to_string(), now)
                && !out.contains(&o)
            {
                out.push(o);
            }
        };
        let r = &self.registrar;
        let opt = |v: &Option<String>| v.clone();
        for (p, v) in [
            (Predicate::REGISTRAR, opt(&r.name)),
            (Predicate::REGISTRAR_IANA_ID, opt(&r.iana_id)),
            (Predicate::WHOIS_SERVER, opt(&r.whois_server)),
            (Predicate::REGISTRAR_URL, opt(&r.url)),
            (Predicate::REGISTRAR_ABUSE_EMAIL, opt(&r.abuse_email)),
            (Predicate::CREATED, opt(&self.created)),
            (Predicate::UPDATED, opt(&self.updated)),
            (Predicate::EXPIRES, opt(&self.expires)),
            (Predicate::DNSSEC, opt(&self.dnssec)),
            (Predicate::PRIVACY_SERVICE, opt(&self.privacy_service)),
        ] {
            if let Some(v) = v {
                // Time objects must parse as times; everything else as its kind.
                if p.object_kind() == scry_model::EntityKind::Time && parse_time(&v).is_err() {
                    continue;
                }
                push(p, &v);
            }
        }
        for s in &self.statuses {
            push(Predicate::STATUS, s);
        }
        for ns in &self.name_servers {
            push(Predicate::NAMESERVER_HOST, ns);
        }
        for role in Role::ALL {
            let c = self.contacts.get(role);
            let preds = contact_predicates(role);
            let street = (!c.street.is_empty()).then(|| c.street.join(", "));
            for (p, v) in [
                (preds.name, &c.name),
                (preds.org, &c.org),
                (preds.email, &c.email),
                (preds.phone, &c.phone),
                (preds.street, &street),
                (preds.city, &c.city),
                (preds.state, &c.state),
                (preds.postal, &c.postal),
                (preds.country, &c.country),
            ] {
                if let (Some(p), Some(v)) = (p, v) {
                    push(p, v);
                }
            }
            if let Some(domain) = c
                .email
                .as_deref()
                .and_then(|e| scry_model::Email::parse(e).ok())
            {
                push(Predicate::EMAIL_DOMAIN, domain.domain().ascii());
            }
        }
        out
    }
}

struct ContactPredicates {
    name: Option<Predicate>,
    org: Option<Predicate>,
    email: Option<Predicate>,
    phone: Option<Predicate>,
    street: Option<Predicate>,
    city: Option<Predicate>,
    state: Option<Predicate>,
    postal: Option<Predicate>,
    country: Option<Predicate>,
}

fn contact_predicates(role: Role) -> ContactPredicates {
    match role {
        Role::Registrant => ContactPredicates {
            name: Some(Predicate::REGISTRANT_NAME),
            org: Some(Predicate::REGISTRANT_ORG),
            email: Some(Predicate::REGISTRANT_EMAIL),
            phone: Some(Predicate::REGISTRANT_PHONE),
            street: Some(Predicate::REGISTRANT_STREET),
            city: Some(Predicate::REGISTRANT_CITY),
            state: Some(Predicate::REGISTRANT_STATE),
            postal: Some(Predicate::REGISTRANT_POSTAL),
            country: Some(Predicate::REGISTRANT_COUNTRY),
        },
        Role::Admin => ContactPredicates {
            name: Some(Predicate::ADMIN_NAME),
            org: Some(Predicate::ADMIN_ORG),
            email: Some(Predicate::ADMIN_EMAIL),
            phone: Some(Predicate::ADMIN_PHONE),
            street: None,
            city: None,
            state: None,
            postal: None,
            country: None,
        },
        Role::Tech => ContactPredicates {
            name: Some(Predicate::TECH_NAME),
            org: Some(Predicate::TECH_ORG),
            email: Some(Predicate::TECH_EMAIL),
            phone: Some(Predicate::TECH_PHONE),
            street: None,
            city: None,
            state: None,
            postal: None,
            country: None,
        },
        Role::Billing => ContactPredicates {
            name: Some(Predicate::BILLING_NAME),
            org: Some(Predicate::BILLING_ORG),
            email: Some(Predicate::BILLING_EMAIL),
            phone: Some(Predicate::BILLING_PHONE),
            street: None,
            city: None,
            state: None,
            postal: None,
            country: None,
        },
    }
}

/// Formats epoch seconds as RFC 3339 UTC with second precision.
pub(crate) fn rfc3339(t: i64) -> String {
    scry_model::format_time(t)
}

#[cfg(test)]
mod tests;

/// One field that differs between two registration records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// `registrar`, `name_servers`, `statuses`, `registrant.email`,
    /// `expires` (a renewal when it moves later)...
    pub field: String,
    /// The value before (lists joined with `, `), if any.
    pub old: Option<String>,
    /// The value after, if any.
    pub new: Option<String>,
}

impl RegistrationRecord {
    /// What changed from `before` to `self`: registrar (a transfer), name
    /// servers, statuses, each registrant field, dates (an `expires` that
    /// moves later is a renewal), DNSSEC and privacy service. Lists compare
    /// as sets.
    pub fn diff(&self, before: &RegistrationRecord) -> Vec<FieldChange> {
        let mut out = Vec::new();
        let mut one = |field: &str, old: Option<String>, new: Option<String>| {
            let norm = |v: &Option<String>| v.as_ref().map(|s| s.trim().to_lowercase());
            if norm(&old) != norm(&new) {
                out.push(FieldChange {
                    field: field.to_string(),
                    old,
                    new,
                });
            }
        };
        let set = |v: &[String]| -> Option<String> {
            let mut s: Vec<String> = v.iter().map(|x| x.to_lowercase()).collect();
            s.sort();
            s.dedup();
            (!s.is_empty()).then(|| s.join(", "))
        };
        one(
            "registrar",
            before.registrar.name.clone(),
            self.registrar.name.clone(),
        );
        one(
            "name_servers",
            set(&before.name_servers),
            set(&self.name_servers),
        );
        one("statuses", set(&before.statuses), set(&self.statuses));
        one("created", before.created.clone(), self.created.clone());
        one("expires", before.expires.clone(), self.expires.clone());
        one("dnssec", before.dnssec.clone(), self.dnssec.clone());
        one(
            "privacy_service",
            before.privacy_service.clone(),
            self.privacy_service.clone(),
        );
        for role in Role::ALL {
            let (a, b) = (before.contacts.get(role), self.contacts.get(role));
            let r = role.as_str();
            one(&format!("{r}.name"), a.name.clone(), b.name.clone());
            one(&format!("{r}.org"), a.org.clone(), b.org.clone());
            one(&format!("{r}.email"), a.email.clone(), b.email.clone());
            one(&format!("{r}.phone"), a.phone.clone(), b.phone.clone());
            one(
                &format!("{r}.country"),
                a.country.clone(),
                b.country.clone(),
            );
            one(
                &format!("{r}.street"),
                (!a.street.is_empty()).then(|| a.street.join(", ")),
                (!b.street.is_empty()).then(|| b.street.join(", ")),
            );
        }
        out
    }
}
