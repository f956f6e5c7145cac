//! The key-alias table: label spellings to canonical fields.
//!
//! Keys are compared after [`norm_key`]: lower case, every run of
//! non-alphanumeric characters one space (`Registrant State/Province` is
//! `registrant state province`, `[Domain Name]` is `domain name`, `fax-no`
//! is `fax no`). A key is looked up whole in [`FIELDS`]; failing that it is
//! split into a contact-role prefix ([`ROLES`]) and a contact-field suffix
//! ([`CONTACT_FIELDS`]), so `Registrant Organization`, `admin-c`, `Tech
//! E-mail`, `Billing Contact Phone Number` and `AC E-Mail` need no entries of
//! their own. Section headings (a key with no value, or a bare label
//! followed by indented lines) are classified by [`section_of`].

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::registration::Role;

/// A field of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CField {
    /// The role's label with a value and no field (`Registrant: Google
    /// Inc.`): an organisation or a person, decided by the value.
    Whole,
    Name,
    Org,
    Street,
    City,
    State,
    Postal,
    Country,
    Phone,
    Fax,
    Email,
    /// A handle (`admin-c: GIH5-FRNIC`) naming a contact block.
    Handle,
    /// Known but not kept (`Phone Ext`, `Language`, `Type`).
    Skip,
}

/// What a key means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Domain,
    Registrar,
    RegistrarIanaId,
    WhoisServer,
    RegistrarUrl,
    AbuseEmail,
    AbusePhone,
    Created,
    Updated,
    Expires,
    Status,
    NameServer,
    Dnssec,
    /// Handle of a contact block being defined (`nic-hdl`).
    NicHandle,
    Contact(Role, CField),
    /// A contact field with no role: gets its role from the section or block.
    Bare(CField),
    /// Known but deliberately not kept.
    Skip,
}

/// What a section heading opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Contact(Role),
    Registrar,
    NameServers,
    Status,
    /// Keys inside keep their own meaning (`Relevant dates:`, `Domain:`).
    Plain,
    /// Not registration data about this domain (reseller, abuse note...).
    Ignore,
}

/// Normalised key: lower case, runs of non-alphanumerics as one space.
pub(crate) fn norm_key(k: &str) -> String {
    let mut out = String::with_capacity(k.len());
    norm_key_into(k, &mut out);
    out
}

/// [`norm_key`] appended to `out` (the lexer keeps every line's key in one
/// buffer instead of a string per line).
pub(crate) fn norm_key_into(k: &str, out: &mut String) {
    let start = out.len();
    // Short ASCII keys without a bilingual ` / ` (nearly all): the words,
    // one space apart, lower case, built in a stack buffer through a byte
    // table and appended at once.
    const CAP: usize = 128;
    if k.len() <= CAP && k.is_ascii() && !k.as_bytes().contains(&b'/') {
        let mut buf = [0u8; CAP];
        let mut n = 0;
        let mut gap = false;
        for &c in k.as_bytes() {
            let l = LOWER_ALNUM[usize::from(c)];
            if l == 0 {
                gap = true;
                continue;
            }
            if gap && n > 0 {
                buf[n] = b' ';
                n += 1;
            }
            gap = false;
            buf[n] = l;
            n += 1;
        }
        // Every space written stands for at least one byte skipped, so
        // `n <= k.len() <= CAP`; ASCII is UTF-8.
        out.push_str(std::str::from_utf8(&buf[..n]).unwrap_or_default());
        return;
    }
    if k.is_ascii() {
        out.reserve(k.len() * 2);
        let mut space = false;
        let b = k.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            if c.is_ascii_alphanumeric() {
                if space && out.len() > start {
                    out.push(' ');
                }
                space = false;
                out.push(char::from(c.to_ascii_lowercase()));
            } else if c == b'/'
                && i > 0
                && b[i - 1] == b' '
                && b.get(i + 1) == Some(&b' ')
                && out.len() > start
            {
                out.push_str(" /");
                space = true;
            } else {
                space = true;
            }
        }
        return;
    }
    let mut space = false;
    let b = k.as_bytes();
    for (i, c) in k.char_indices() {
        if c.is_ascii_alphanumeric() {
            if space && out.len() > start {
                out.push(' ');
            }
            space = false;
            out.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() {
            if space && out.len() > start {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else if c == '/'
            && i > 0
            && b[i - 1] == b' '
            && b.get(i + 1) == Some(&b' ')
            && out.len() > start
        {
            // ` / ` separates the halves of a bilingual label.
            out.push_str(" /");
            space = true;
        } else {
            space = true;
        }
    }
}

/// ASCII letters and digits in lower case; 0 for every other byte.
static LOWER_ALNUM: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// Whole keys (normalised) and their fields.
static FIELDS: &[(&str, Field)] = &[
    // Domain.
    ("domain name", Field::Domain),
    ("domain", Field::Domain),
    ("domainname", Field::Domain),
    ("complete domain name", Field::Domain),
    ("domain name commercial", Field::Domain),
    ("query", Field::Domain),
    ("nome de dominio", Field::Domain),
    ("dominio", Field::Domain),
    ("domain information domain name", Field::Domain),
    ("ドメイン名", Field::Domain),
    ("도메인이름", Field::Domain),
    // Registrar.
    ("registrar", Field::Registrar),
    ("registrar name", Field::Registrar),
    ("sponsoring registrar", Field::Registrar),
    ("registrar organization", Field::Registrar),
    ("registrar organisation", Field::Registrar),
    ("sponsoring registrar organization", Field::Registrar),
    ("authorized agency", Field::Registrar),
    ("registration service provider", Field::Registrar),
    ("registration service provided by", Field::Registrar),
    ("registrar of record", Field::Registrar),
    ("current registrar", Field::Registrar),
    ("registrar handle", Field::Registrar),
    ("provider", Field::Registrar),
    ("registrant registrar", Field::Registrar),
    ("registrar company", Field::Registrar),
    ("registar", Field::Registrar),
    ("registered by", Field::Registrar),
    (
        "registered for",
        Field::Contact(Role::Registrant, CField::Org),
    ),
    (
        "domain owner",
        Field::Contact(Role::Registrant, CField::Org),
    ),
    ("current registar", Field::Registrar),
    ("registar created", Field::Skip),
    ("agent", Field::Registrar),
    ("sponsoring registrar name", Field::Registrar),
    ("registrar iana id", Field::RegistrarIanaId),
    ("sponsoring registrar iana id", Field::RegistrarIanaId),
    ("registrar id", Field::RegistrarIanaId),
    ("iana id", Field::RegistrarIanaId),
    ("registrar whois server", Field::WhoisServer),
    ("whois server", Field::WhoisServer),
    ("referral whois", Field::WhoisServer),
    ("whois", Field::WhoisServer),
    ("registrar url", Field::RegistrarUrl),
    ("referral url", Field::RegistrarUrl),
    ("registrar website", Field::RegistrarUrl),
    ("registrar www", Field::RegistrarUrl),
    ("registrar web", Field::RegistrarUrl),
    ("registrar url registration services", Field::RegistrarUrl),
    ("registrar abuse contact email", Field::AbuseEmail),
    ("registrar abuse email", Field::AbuseEmail),
    ("abuse contact email", Field::AbuseEmail),
    ("abuse email", Field::AbuseEmail),
    ("registrar abuse contact phone", Field::AbusePhone),
    ("registrar abuse phone", Field::AbusePhone),
    ("abuse contact phone", Field::AbusePhone),
    // Dates.
    ("creation date", Field::Created),
    ("created", Field::Created),
    ("created on", Field::Created),
    ("created date", Field::Created),
    ("create date", Field::Created),
    ("registered", Field::Created),
    ("registered on", Field::Created),
    ("registered date", Field::Created),
    ("registration date", Field::Created),
    ("registration time", Field::Created),
    ("domain registration date", Field::Created),
    ("domain create date", Field::Created),
    ("domain created", Field::Created),
    ("domain registered", Field::Created),
    ("domain record activated", Field::Created),
    ("record created", Field::Created),
    ("entry created", Field::Created),
    ("entry updated", Field::Updated),
    ("record created on", Field::Created),
    ("activated", Field::Created),
    ("activated on", Field::Created),
    ("first registration date", Field::Created),
    ("registration", Field::Created),
    ("commencement date", Field::Created),
    ("created at", Field::Created),
    ("data de registro", Field::Created),
    ("fecha de registro", Field::Created),
    ("fecha de creacion", Field::Created),
    ("dateregistered", Field::Created),
    ("domain name commencement date", Field::Created),
    ("registered date time", Field::Created),
    ("登録年月日", Field::Created),
    ("等록일", Field::Created),
    ("등록일", Field::Created),
    ("registrationdate", Field::Created),
    ("updated date", Field::Updated),
    ("update date", Field::Updated),
    ("updated", Field::Updated),
    ("updated on", Field::Updated),
    ("last updated", Field::Updated),
    ("last updated on", Field::Updated),
    ("last updated date", Field::Updated),
    ("last update", Field::Updated),
    ("last modified", Field::Updated),
    ("last modified date", Field::Updated),
    ("modified", Field::Updated),
    ("modified date", Field::Updated),
    ("changed", Field::Updated),
    ("last changed", Field::Updated),
    ("last update date", Field::Updated),
    ("domain last updated date", Field::Updated),
    ("domain record last updated", Field::Updated),
    ("record last updated on", Field::Updated),
    ("record last updated", Field::Updated),
    ("domain datelastmodified", Field::Updated),
    ("datelastmodified", Field::Updated),
    ("modification date", Field::Updated),
    ("data de atualizacao", Field::Updated),
    ("fecha de ultima actualizacion", Field::Updated),
    ("最終更新", Field::Updated),
    ("최근 정보 변경일", Field::Updated),
    ("expiration date", Field::Expires),
    ("expiry date", Field::Expires),
    ("expires", Field::Expires),
    ("expires on", Field::Expires),
    ("expire date", Field::Expires),
    ("expire", Field::Expires),
    ("expired", Field::Expires),
    ("expiration time", Field::Expires),
    ("registry expiry date", Field::Expires),
    ("registrar registration expiration date", Field::Expires),
    ("registry expiration date", Field::Expires),
    ("domain expiration date", Field::Expires),
    ("record expires on", Field::Expires),
    ("record will expire on", Field::Expires),
    ("paid till", Field::Expires),
    ("free date", Field::Skip),
    ("renewal date", Field::Expires),
    ("renewal", Field::Expires),
    ("valid until", Field::Expires),
    ("valid date", Field::Expires),
    ("validity", Field::Expires),
    ("expiry", Field::Expires),
    ("domain expires", Field::Expires),
    ("domain expiration", Field::Expires),
    ("expiration", Field::Expires),
    ("exp date", Field::Expires),
    ("data de expiracao", Field::Expires),
    ("fecha de vencimiento", Field::Expires),
    ("fecha de expiracion", Field::Expires),
    ("expires at", Field::Expires),
    ("有効期限", Field::Expires),
    ("사용 종료일", Field::Expires),
    ("billed until", Field::Expires),
    ("registered until", Field::Expires),
    // Status.
    ("domain status", Field::Status),
    ("status", Field::Status),
    ("state", Field::Status),
    ("epp status", Field::Status),
    ("query status", Field::Status),
    ("registration status", Field::Status),
    ("domain state", Field::Status),
    // DNS-LU: `domaintype: ACTIVE`.
    ("domaintype", Field::Status),
    ("statut", Field::Status),
    ("状態", Field::Status),
    ("등록정보 보호", Field::Status),
    ("ステータス", Field::Status),
    // Name servers.
    ("name server", Field::NameServer),
    ("name servers", Field::NameServer),
    ("nameserver", Field::NameServer),
    ("nameservers", Field::NameServer),
    ("nserver", Field::NameServer),
    ("ns", Field::NameServer),
    ("dns", Field::NameServer),
    ("host name", Field::NameServer),
    ("hostname", Field::NameServer),
    ("domain nameservers", Field::NameServer),
    ("domain servers", Field::NameServer),
    ("name server name", Field::NameServer),
    ("nameserver name", Field::NameServer),
    ("primary server", Field::NameServer),
    ("secondary server", Field::NameServer),
    ("primary name server", Field::NameServer),
    ("secondary name server", Field::NameServer),
    ("primary name server hostname", Field::NameServer),
    ("secondary name server hostname", Field::NameServer),
    ("dns servers", Field::NameServer),
    ("servidor dns", Field::NameServer),
    ("ネームサーバ", Field::NameServer),
    ("호스트이름", Field::NameServer),
    ("ns name", Field::NameServer),
    // DNSSEC.
    ("dnssec", Field::Dnssec),
    ("signed", Field::Dnssec),
    ("signing key", Field::Skip),
    ("dnssec signed", Field::Dnssec),
    ("domain signed", Field::Dnssec),
    // Contact block handles.
    ("nic hdl", Field::NicHandle),
    ("nic hdl br", Field::NicHandle),
    ("nic handle", Field::NicHandle),
    // NORID names every object by its `NORID Handle`.
    ("norid handle", Field::NicHandle),
    // Generic contact fields (role from the section or block).
    ("name", Field::Bare(CField::Name)),
    ("person", Field::Bare(CField::Name)),
    ("personname", Field::Bare(CField::Name)),
    ("contact name", Field::Bare(CField::Name)),
    // An RPSL `role` object is a team or organisation, never a person.
    ("role", Field::Bare(CField::Org)),
    ("full name", Field::Bare(CField::Name)),
    ("contact", Field::Bare(CField::Whole)),
    ("descr", Field::Bare(CField::Whole)),
    ("nombre", Field::Bare(CField::Name)),
    ("organization", Field::Bare(CField::Org)),
    ("organisation", Field::Bare(CField::Org)),
    ("org", Field::Bare(CField::Org)),
    ("org name", Field::Bare(CField::Org)),
    ("organization name", Field::Bare(CField::Org)),
    ("company", Field::Bare(CField::Org)),
    ("company name", Field::Bare(CField::Org)),
    ("company english name", Field::Bare(CField::Org)),
    (
        "network service name",
        Field::Contact(Role::Registrant, CField::Org),
    ),
    ("holder english name", Field::Bare(CField::Name)),
    ("state or province", Field::Bare(CField::State)),
    ("postalcode", Field::Bare(CField::Postal)),
    ("postal", Field::Bare(CField::Postal)),
    ("zipcode", Field::Bare(CField::Postal)),
    ("address", Field::Bare(CField::Street)),
    ("street", Field::Bare(CField::Street)),
    ("street address", Field::Bare(CField::Street)),
    ("postal address", Field::Bare(CField::Street)),
    ("post address", Field::Bare(CField::Street)),
    ("postal area", Field::Bare(CField::City)),
    ("city", Field::Bare(CField::City)),
    ("state province", Field::Bare(CField::State)),
    ("province", Field::Bare(CField::State)),
    ("postal code", Field::Bare(CField::Postal)),
    ("postcode", Field::Bare(CField::Postal)),
    ("zip code", Field::Bare(CField::Postal)),
    ("zip", Field::Bare(CField::Postal)),
    ("pcode", Field::Bare(CField::Postal)),
    ("country", Field::Bare(CField::Country)),
    ("country code", Field::Bare(CField::Country)),
    ("countrycode", Field::Bare(CField::Country)),
    ("phone", Field::Bare(CField::Phone)),
    ("phone number", Field::Bare(CField::Phone)),
    ("telephone", Field::Bare(CField::Phone)),
    ("tel", Field::Bare(CField::Phone)),
    ("voice", Field::Bare(CField::Phone)),
    ("fax", Field::Bare(CField::Fax)),
    ("fax no", Field::Bare(CField::Fax)),
    ("fax number", Field::Bare(CField::Fax)),
    ("facsimile", Field::Bare(CField::Fax)),
    ("email", Field::Bare(CField::Email)),
    ("e mail", Field::Bare(CField::Email)),
    ("email address", Field::Bare(CField::Email)),
    ("mail", Field::Bare(CField::Email)),
    ("e mail address", Field::Bare(CField::Email)),
];

/// Contact-role prefixes (normalised), longest first.
static ROLES: &[(&str, Role)] = &[
    ("registry registrant", Role::Registrant),
    ("registrant contact", Role::Registrant),
    ("registrant", Role::Registrant),
    ("domain holder", Role::Registrant),
    ("domain registrant", Role::Registrant),
    ("organization using domain name", Role::Registrant),
    ("holder contact", Role::Registrant),
    ("holder", Role::Registrant),
    ("owner contact", Role::Registrant),
    ("owner", Role::Registrant),
    ("titular", Role::Registrant),
    ("titulaire", Role::Registrant),
    ("등록인", Role::Registrant),
    ("登録者", Role::Registrant),
    ("registry admin", Role::Admin),
    ("administrative contact agent", Role::Admin),
    ("administrative contact ac", Role::Admin),
    ("administrative contact", Role::Admin),
    ("administrative", Role::Admin),
    ("admin contact", Role::Admin),
    ("admin", Role::Admin),
    ("ac", Role::Admin),
    ("책임자", Role::Admin),
    ("registry tech", Role::Tech),
    ("technical contacts", Role::Tech),
    ("technical contact", Role::Tech),
    ("technical", Role::Tech),
    ("tech contact", Role::Tech),
    ("tech", Role::Tech),
    ("registry billing", Role::Billing),
    ("billing contact", Role::Billing),
    ("billing", Role::Billing),
    // DNS-LU: `org-country`, `adm-name`, `tec-email`, `bil-city`.
    ("org", Role::Registrant),
    ("adm", Role::Admin),
    ("tec", Role::Tech),
    ("bil", Role::Billing),
];

/// Contact-field suffixes (normalised).
static CONTACT_FIELDS: &[(&str, CField)] = &[
    ("", CField::Whole),
    ("name", CField::Name),
    ("contact name", CField::Name),
    ("contact", CField::Whole),
    ("person", CField::Name),
    ("organization", CField::Org),
    ("organisation", CField::Org),
    ("organization name", CField::Org),
    ("org", CField::Org),
    ("company", CField::Org),
    ("company name", CField::Org),
    ("contact organisation", CField::Org),
    ("contact organization", CField::Org),
    ("street", CField::Street),
    ("street1", CField::Street),
    ("street2", CField::Street),
    ("street3", CField::Street),
    ("street4", CField::Street),
    ("address", CField::Street),
    ("address1", CField::Street),
    ("address2", CField::Street),
    ("address3", CField::Street),
    ("contact address", CField::Street),
    ("postal address", CField::Street),
    ("주소", CField::Street),
    ("city", CField::City),
    ("contact city", CField::City),
    ("state province", CField::State),
    ("state or province", CField::State),
    ("postalcode", CField::Postal),
    ("zipcode", CField::Postal),
    ("state", CField::State),
    ("province", CField::State),
    ("contact state province", CField::State),
    ("postal code", CField::Postal),
    ("zip code", CField::Postal),
    ("zip", CField::Postal),
    ("postcode", CField::Postal),
    ("contact postal code", CField::Postal),
    ("우편번호", CField::Postal),
    ("country", CField::Country),
    ("country code", CField::Country),
    ("country economy", CField::Country),
    ("contact country", CField::Country),
    ("contact country code", CField::Country),
    ("phone", CField::Phone),
    ("phone number", CField::Phone),
    ("telephone", CField::Phone),
    ("contact phone", CField::Phone),
    ("voice", CField::Phone),
    ("전화번호", CField::Phone),
    ("fax", CField::Fax),
    ("fax no", CField::Fax),
    ("fax number", CField::Fax),
    ("facsimile", CField::Fax),
    ("contact fax", CField::Fax),
    ("email", CField::Email),
    ("e mail", CField::Email),
    ("contact email", CField::Email),
    ("contact e mail", CField::Email),
    ("email address", CField::Email),
    ("전자우편", CField::Email),
    ("c", CField::Handle),
    ("id", CField::Handle),
    ("handle", CField::Handle),
    ("contact id", CField::Handle),
    ("contact handle", CField::Handle),
    ("nic hdl", CField::Handle),
    ("phone ext", CField::Skip),
    ("fax ext", CField::Skip),
    ("language", CField::Skip),
    ("type", CField::Skip),
    ("contact type", CField::Skip),
    ("registrar", CField::Skip),
    ("created", CField::Skip),
    ("last update", CField::Skip),
    ("changed", CField::Skip),
    ("status", CField::Skip),
];

/// A multiply-rotate hash taking eight bytes a step (the Fx hash of
/// rustc): the maps below hold short static keys, where SipHash's DoS
/// resistance buys nothing and costs most of the lookup time.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }
}

/// A hash map keyed by short strings.
pub(crate) type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

fn fields_map() -> &'static FastMap<&'static str, Field> {
    static MAP: OnceLock<FastMap<&'static str, Field>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = FastMap::default();
        for (k, f) in FIELDS {
            // First entry wins, as in the table's order.
            m.entry(*k).or_insert(*f);
        }
        m
    })
}

/// Every role prefix joined to every contact-field suffix
/// (`registrant` + `organization` is `registrant organization`), built once:
/// a composite key is one hash lookup instead of a scan of the prefixes.
/// The first pair in table order wins, as a scan of [`ROLES`] (longest
/// first) and then [`CONTACT_FIELDS`] would find it.
fn role_keys() -> &'static FastMap<String, Field> {
    static MAP: OnceLock<FastMap<String, Field>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = FastMap::default();
        for (prefix, role) in ROLES {
            for (suffix, f) in CONTACT_FIELDS {
                let mut key = String::with_capacity(prefix.len() + 1 + suffix.len());
                key.push_str(prefix);
                if !suffix.is_empty() {
                    key.push(' ');
                    key.push_str(suffix);
                }
                m.entry(key).or_insert(Field::Contact(*role, *f));
            }
        }
        m
    })
}

/// Raw keys seen on this thread, with their normalised form and meaning.
/// Responses of one layout repeat the same few dozen keys, so most lines
/// skip normalising and classifying; the cache is emptied when it reaches
/// [`KEY_CACHE_MAX`] entries, so distinct hostile keys cannot grow it.
type KeyCache = FastMap<String, (String, Option<Field>)>;

pub(crate) const KEY_CACHE_MAX: usize = 4096;

/// Entries in this thread's key cache.
#[cfg(test)]
pub(crate) fn key_cache_len() -> usize {
    KEY_CACHE.with(|c| c.borrow().len())
}

thread_local! {
    static KEY_CACHE: std::cell::RefCell<KeyCache> = std::cell::RefCell::new(KeyCache::default());
}

/// Appends the normalised form of the raw key `raw` to `out` and returns
/// what it means: [`norm_key_into`] then [`classify`], memoised per thread.
pub(crate) fn key_info(raw: &str, out: &mut String) -> Option<Field> {
    KEY_CACHE.with(|cell| {
        let Ok(mut cache) = cell.try_borrow_mut() else {
            let start = out.len();
            norm_key_into(raw, out);
            return classify(&out[start..]);
        };
        if let Some((nk, field)) = cache.get(raw) {
            out.push_str(nk);
            return *field;
        }
        let start = out.len();
        norm_key_into(raw, out);
        let field = classify(&out[start..]);
        if cache.len() >= KEY_CACHE_MAX {
            cache.clear();
        }
        cache.insert(raw.to_string(), (out[start..].to_string(), field));
        field
    })
}

/// Classifies a normalised key.
pub(crate) fn classify(key: &str) -> Option<Field> {
    if key.is_empty() || key.len() > 80 {
        return None;
    }
    if let Some(f) = fields_map().get(key) {
        return Some(*f);
    }
    // `organization-loc` (.ua): the localised form of a known key.
    if let Some(head) = key.strip_suffix(" loc") {
        return classify(head);
    }
    // `ns_name_01`, `nserver 2`: a numbered repeat of a known key.
    if let Some((head, num)) = key.rsplit_once(' ')
        && num.bytes().all(|c| c.is_ascii_digit())
    {
        return classify(head);
    }
    // `domain_dateregistered`, `domain_datelastmodified`: a domain-scoped
    // form of a known date, status or name server key.
    if let Some(rest) = key.strip_prefix("domain ")
        && let Some(
            f @ (Field::Created
            | Field::Updated
            | Field::Expires
            | Field::Status
            | Field::NameServer
            | Field::Dnssec),
        ) = classify(rest)
    {
        return Some(f);
    }
    // `Nome de domínio / Domain Name`, `Data de registo / Creation Date`:
    // bilingual labels; either half may be the known one.
    if key.as_bytes().contains(&b'/') && key.contains(" / ") {
        return key.split(" / ").find_map(|part| classify(part.trim()));
    }
    // `Primary Server Hostname`, `Third Server Hostname`, `Name Server 1`.
    if (key.ends_with("server hostname")
        || key.ends_with("server host name")
        || key.ends_with(" nameserver")
        || key.ends_with(" name server"))
        && !key.contains("whois")
    {
        return Some(Field::NameServer);
    }
    // `Registrant Organization`, `admin-c`, `Tech E-mail`: role + field.
    role_keys().get(key).copied()
}

/// Section headings (normalised, without the colon) and what they open;
/// looked up after [`classify`] (a contact role's label opens that
/// contact's section).
static SECTIONS: &[(&str, Section)] = &[
    ("registrar", Section::Registrar),
    ("registrar information", Section::Registrar),
    ("sponsoring registrar", Section::Registrar),
    ("registrar details", Section::Registrar),
    ("registrar contact", Section::Registrar),
    ("authorized agency", Section::Registrar),
    ("registration service provider", Section::Registrar),
    ("provider", Section::Registrar),
    ("name servers", Section::NameServers),
    ("nameservers", Section::NameServers),
    ("name server", Section::NameServers),
    ("nameserver", Section::NameServers),
    ("domain nameservers", Section::NameServers),
    ("domain servers", Section::NameServers),
    ("domain servers in listed order", Section::NameServers),
    ("dns servers", Section::NameServers),
    ("servers", Section::NameServers),
    ("name servers information", Section::NameServers),
    ("nserver", Section::NameServers),
    ("dns", Section::NameServers),
    ("name server information", Section::NameServers),
    ("primary name server", Section::NameServers),
    ("secondary name server", Section::NameServers),
    ("ns", Section::NameServers),
    ("hosts", Section::NameServers),
    ("nameserver in listed order", Section::NameServers),
    ("name servers in listed order", Section::NameServers),
    ("servidores de nombre", Section::NameServers),
    ("nameserver information", Section::NameServers),
    ("registration status", Section::Status),
    ("domain status", Section::Status),
    ("status", Section::Status),
    // DNS Belgium: `Flags:` over indented EPP statuses.
    ("flags", Section::Status),
    ("contact information", Section::Contact(Role::Registrant)),
    (
        "registrant contact information",
        Section::Contact(Role::Registrant),
    ),
    ("domain holder", Section::Contact(Role::Registrant)),
    ("registrant information", Section::Contact(Role::Registrant)),
    ("owner information", Section::Contact(Role::Registrant)),
    (
        "administrative contact information",
        Section::Contact(Role::Admin),
    ),
    ("admin contact information", Section::Contact(Role::Admin)),
    (
        "technical contact information",
        Section::Contact(Role::Tech),
    ),
    ("tech contact information", Section::Contact(Role::Tech)),
    ("technical contacts", Section::Contact(Role::Tech)),
    (
        "billing contact information",
        Section::Contact(Role::Billing),
    ),
    ("reseller", Section::Ignore),
    ("abuse contact", Section::Ignore),
    ("data validation", Section::Ignore),
    ("onsite s", Section::Ignore),
    ("zone contact", Section::Ignore),
    ("zone c", Section::Ignore),
    ("keys", Section::Ignore),
    ("dnskey", Section::Ignore),
    ("ds", Section::Ignore),
    ("remarks", Section::Ignore),
    ("notice", Section::Ignore),
    ("terms of use", Section::Ignore),
    ("for more information", Section::Ignore),
    ("registrar abuse contact", Section::Ignore),
    ("organisation", Section::Contact(Role::Registrant)),
    ("organization", Section::Contact(Role::Registrant)),
    ("relevant dates", Section::Plain),
    ("domain information", Section::Plain),
    ("domain", Section::Plain),
    ("important dates", Section::Plain),
    ("dates", Section::Plain),
    ("domain name", Section::Plain),
    ("registration information", Section::Plain),
];

fn sections_map() -> &'static FastMap<&'static str, Section> {
    static MAP: OnceLock<FastMap<&'static str, Section>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = FastMap::default();
        for (k, s) in SECTIONS {
            m.entry(*k).or_insert(*s);
        }
        m
    })
}

/// Classifies a section heading (normalised, without the colon).
pub(crate) fn section_of(key: &str) -> Option<Section> {
    if let Some(Field::Contact(role, CField::Whole | CField::Name | CField::Handle)) = classify(key)
    {
        return Some(Section::Contact(role));
    }
    section_of_word(key)
}

/// [`section_of`] without the contact-role labels: the heading table and
/// its suffix rules.
pub(crate) fn section_of_word(key: &str) -> Option<Section> {
    if let Some(s) = sections_map().get(key) {
        return Some(*s);
    }
    if key.ends_with("name servers")
        || key.ends_with("nameservers")
        || key.starts_with("name servers")
        || key.starts_with("nameservers")
    {
        Some(Section::NameServers)
    } else if key.ends_with(" dates") || key.ends_with(" information") {
        Some(Section::Plain)
    } else {
        None
    }
}
