//! Byte encodings of entities for ordered key-value engines.
//!
//! Every encoding is self-delimiting and order-preserving where order
//! matters, so composite keys can be concatenated and range-scanned:
//!
//! * names: `D` + reversed registrable labels, each followed by `.`, then
//!   `\0`, then the reversed subdomain labels, each followed by `.`, then
//!   `\x01`. `www.example.com` is `Dcom.example.\0www.\x01`: the prefix
//!   `Dcom.example.` is the whole subtree (`*.example.com`, wildcards), the
//!   prefix `Dcom.example.\0` is exactly one registrable domain and its hosts
//!   (a profile roll-up), and `foo.blogspot.com` is `Dcom.blogspot.foo.\0\x01`,
//!   outside `blogspot.com`'s own roll-up. Labels never contain `\0`/`\x01`.
//! * IPs: `I` + 16 bytes (IPv4 mapped into IPv6): a CIDR prefix is a range.
//! * e-mail, free text, hashes: a tag, the lower-case text, `\0` (normalised
//!   text never contains control characters).
//! * ASNs: `A` + 4 bytes big-endian; times: `M` + 8 bytes, sign bit flipped.

use scry_model::{DomainName, Email, Entity, Ip, IpNet, Predicate};

use crate::error::{Result, StoreError};

const T_DOMAIN: u8 = b'D';
const T_IP: u8 = b'I';
const T_EMAIL: u8 = b'E';
const T_ASN: u8 = b'A';
const T_TEXT: u8 = b'T';
const T_HASH: u8 = b'H';
const T_TIME: u8 = b'M';

/// Appends the encoding of a name.
pub(crate) fn push_name(out: &mut Vec<u8>, d: &DomainName) {
    out.push(T_DOMAIN);
    push_name_body(out, d);
}

fn push_name_body(out: &mut Vec<u8>, d: &DomainName) {
    let reg = d.registrable_or_self();
    for l in reg.rsplit('.') {
        out.extend_from_slice(l.as_bytes());
        out.push(b'.');
    }
    out.push(0);
    if let Some(sub) = d.subdomain() {
        for l in sub.rsplit('.') {
            out.extend_from_slice(l.as_bytes());
            out.push(b'.');
        }
    }
    out.push(1);
}

/// The key prefix covering a registrable domain and all its hosts.
pub(crate) fn registrable_prefix(registrable: &str) -> Vec<u8> {
    let mut out = vec![T_DOMAIN];
    for l in registrable.rsplit('.') {
        out.extend_from_slice(l.as_bytes());
        out.push(b'.');
    }
    out.push(0);
    out
}

/// The key prefix covering a name and every name below it, across
/// registrable boundaries (`*.example.com` and `example.com` itself).
pub(crate) fn subtree_prefix(name: &DomainName) -> Vec<u8> {
    if let (Some(reg), Some(sub)) = (name.registrable(), name.subdomain()) {
        let mut out = registrable_prefix(reg);
        for l in sub.rsplit('.') {
            out.extend_from_slice(l.as_bytes());
            out.push(b'.');
        }
        return out;
    }
    let mut out = vec![T_DOMAIN];
    for l in name.ascii().rsplit('.') {
        out.extend_from_slice(l.as_bytes());
        out.push(b'.');
    }
    out
}

/// The inclusive key range of the IPs in a prefix.
pub(crate) fn ip_range(net: &IpNet) -> (Vec<u8>, Vec<u8>) {
    let (lo, hi) = net.key_range();
    let mut a = vec![T_IP];
    a.extend_from_slice(&lo);
    let mut b = vec![T_IP];
    b.extend_from_slice(&hi);
    (a, b)
}

fn push_text(out: &mut Vec<u8>, tag: u8, s: &str) {
    out.push(tag);
    let at = out.len();
    out.extend_from_slice(s.as_bytes());
    // Normalised text has no control characters; keep the key
    // self-delimiting even if one slips through.
    for b in &mut out[at..] {
        if *b == 0 {
            *b = b' ';
        }
    }
    out.push(0);
}

/// [`push_text`] of `s.to_lowercase()`, without a copy when `s` is ASCII
/// (whose Unicode lower case is its ASCII lower case).
fn push_text_lower(out: &mut Vec<u8>, tag: u8, s: &str) {
    if s.is_ascii() {
        let at = out.len() + 1;
        push_text(out, tag, s);
        out[at..].make_ascii_lowercase();
    } else {
        push_text(out, tag, &s.to_lowercase());
    }
}

/// Appends an entity's key.
pub(crate) fn push_entity(out: &mut Vec<u8>, e: &Entity) {
    match e {
        Entity::Domain(d) => push_name(out, d),
        Entity::Ip(ip) => {
            out.push(T_IP);
            out.extend_from_slice(&ip.key());
        }
        Entity::Email(em) => push_text(out, T_EMAIL, &em.to_string()),
        Entity::Asn(a) => {
            out.push(T_ASN);
            out.extend_from_slice(&a.to_be_bytes());
        }
        Entity::Text(t) => push_text_lower(out, T_TEXT, t),
        Entity::Hash(h) => push_text(out, T_HASH, h),
        Entity::Time(t) => {
            out.push(T_TIME);
            out.extend_from_slice(&((*t as u64) ^ (1 << 63)).to_be_bytes());
        }
        #[allow(unreachable_patterns)]
        other => push_text(out, T_TEXT, &other.to_string()),
    }
}

/// An entity's key.
pub(crate) fn entity_key(e: &Entity) -> Vec<u8> {
    let mut v = Vec::with_capacity(32);
    push_entity(&mut v, e);
    v
}

/// Appends a predicate (2 bytes, big-endian).
pub(crate) fn push_pred(out: &mut Vec<u8>, p: Predicate) {
    out.extend_from_slice(&p.id().to_be_bytes());
}

fn corrupt(detail: impl Into<String>) -> StoreError {
    StoreError::Corruption {
        what: "key",
        detail: detail.into(),
    }
}

/// Decodes one entity from the front of `buf`; returns it and the rest.
/// Free text comes back lower-cased: the display form lives elsewhere.
pub(crate) fn read_entity(buf: &[u8]) -> Result<(Entity, &[u8])> {
    let (&tag, rest) = buf.split_first().ok_or_else(|| corrupt("empty key"))?;
    match tag {
        T_DOMAIN => {
            let end = rest
                .iter()
                .position(|b| *b == 1)
                .ok_or_else(|| corrupt("unterminated name"))?;
            Ok((
                Entity::Domain(read_name_body(&rest[..end])?),
                &rest[end + 1..],
            ))
        }
        T_IP => {
            if rest.len() < 16 {
                return Err(corrupt("short ip"));
            }
            let mut k = [0u8; 16];
            k.copy_from_slice(&rest[..16]);
            Ok((Entity::Ip(Ip::from_key(k)), &rest[16..]))
        }
        T_ASN => {
            if rest.len() < 4 {
                return Err(corrupt("short asn"));
            }
            let mut k = [0u8; 4];
            k.copy_from_slice(&rest[..4]);
            Ok((Entity::Asn(u32::from_be_bytes(k)), &rest[4..]))
        }
        T_TIME => {
            if rest.len() < 8 {
                return Err(corrupt("short time"));
            }
            let mut k = [0u8; 8];
            k.copy_from_slice(&rest[..8]);
            let t = (u64::from_be_bytes(k) ^ (1 << 63)) as i64;
            Ok((Entity::Time(t), &rest[8..]))
        }
        T_EMAIL | T_TEXT | T_HASH => {
            let end = rest
                .iter()
                .position(|b| *b == 0)
                .ok_or_else(|| corrupt("unterminated text"))?;
            let s = std::str::from_utf8(&rest[..end]).map_err(|e| corrupt(e.to_string()))?;
            let e = match tag {
                T_EMAIL => Entity::Email(Email::parse(s).map_err(|e| corrupt(e.to_string()))?),
                T_HASH => Entity::Hash(s.to_string()),
                _ => Entity::Text(s.to_string()),
            };
            Ok((e, &rest[end + 1..]))
        }
        other => Err(corrupt(format!("unknown entity tag {other:#x}"))),
    }
}

/// The name whose key body (between the tag and the `\x01` terminator) is
/// `body`: the labels put back in written order in one buffer that becomes
/// the name's text, and the registrable split the key records (left of
/// `\0`) handed to [`DomainName::from_stored`] instead of being derived
/// again. Keys are written only from normalised names (scry-model's
/// invariant); a corrupt one is an error, never a panic.
pub(crate) fn read_name_body(body: &[u8]) -> Result<DomainName> {
    let zero = body
        .iter()
        .position(|b| *b == 0)
        .ok_or_else(|| corrupt("name without registrable marker"))?;
    let mut joined = Vec::with_capacity(body.len());
    for l in body[zero + 1..]
        .rsplit(|b| *b == b'.')
        .filter(|l| !l.is_empty())
    {
        joined.extend_from_slice(l);
        joined.push(b'.');
    }
    let registrable_start = joined.len();
    for l in body[..zero]
        .rsplit(|b| *b == b'.')
        .filter(|l| !l.is_empty())
    {
        joined.extend_from_slice(l);
        joined.push(b'.');
    }
    // The last label's dot.
    joined.pop();
    let s = String::from_utf8(joined).map_err(|e| corrupt(e.to_string()))?;
    DomainName::from_stored(s, registrable_start).map_err(|e| corrupt(e.to_string()))
}

/// The length of the entity key at the front of `buf`, without decoding
/// it; `None` when it is cut short or unknown.
pub(crate) fn entity_len(buf: &[u8]) -> Option<usize> {
    let (&tag, rest) = buf.split_first()?;
    let body = match tag {
        T_DOMAIN => rest.iter().position(|b| *b == 1)? + 1,
        T_IP => 16,
        T_ASN => 4,
        T_TIME => 8,
        T_EMAIL | T_TEXT | T_HASH => rest.iter().position(|b| *b == 0)? + 1,
        _ => return None,
    };
    (body <= rest.len()).then_some(1 + body)
}

/// The reverse key (object · predicate · subject) of a forward key
/// (subject · predicate · object), into `out`.
pub(crate) fn reverse_key_into(fwd: &[u8], out: &mut Vec<u8>) -> Result<()> {
    let sl = entity_len(fwd).ok_or_else(|| corrupt("bad subject in a forward key"))?;
    let pred = fwd
        .get(sl..sl + 2)
        .ok_or_else(|| corrupt("short predicate"))?;
    let obj = &fwd[sl + 2..];
    if entity_len(obj) != Some(obj.len()) {
        return Err(corrupt("trailing bytes after the object"));
    }
    out.clear();
    out.extend_from_slice(obj);
    out.extend_from_slice(pred);
    out.extend_from_slice(&fwd[..sl]);
    Ok(())
}

/// Decodes a predicate from the front of `buf`.
pub(crate) fn read_pred(buf: &[u8]) -> Result<(Predicate, &[u8])> {
    if buf.len() < 2 {
        return Err(corrupt("short predicate"));
    }
    let id = u16::from_be_bytes([buf[0], buf[1]]);
    let p = Predicate::from_id(id).ok_or_else(|| corrupt(format!("unknown predicate {id}")))?;
    Ok((p, &buf[2..]))
}

/// The forward (as written) key of a name, from the front of its entity
/// key: `Dcom.example.\0www.\x01` gives `www.example.com.`. The trailing
/// dot keeps label boundaries, so the prefix `www.example.` covers
/// `www.example.com` and `www.example.co.uk` but not `www.examples.com`
/// (right-hand wildcards). `None` when `key` does not start with a name.
pub(crate) fn forward_name_key(key: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    forward_name_key_into(key, &mut out).then_some(out)
}

/// [`forward_name_key`] into `out` (cleared first), for callers that reuse
/// one buffer (a zone form's producer: one per delegation); false when
/// `key` does not start with a name.
pub(crate) fn forward_name_key_into(key: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let Some((&T_DOMAIN, rest)) = key.split_first() else {
        return false;
    };
    let Some(end) = rest.iter().position(|b| *b == 1) else {
        return false;
    };
    let body = &rest[..end];
    out.reserve(body.len());
    for l in body
        .split(|b| *b == b'.' || *b == 0)
        .filter(|l| !l.is_empty())
        .rev()
    {
        out.extend_from_slice(l);
        out.push(b'.');
    }
    true
}

/// Appends the written (ASCII) form of the name key at the front of `key`
/// to `out` (`Dcom.example.\0www.\x01` gives `www.example.com`); false
/// when `key` does not start with a valid name key.
pub(crate) fn push_name_ascii(key: &[u8], out: &mut String) -> bool {
    let Some((&T_DOMAIN, rest)) = key.split_first() else {
        return false;
    };
    let Some(end) = rest.iter().position(|b| *b == 1) else {
        return false;
    };
    let body = &rest[..end];
    let mut first = true;
    for l in body
        .split(|b| *b == b'.' || *b == 0)
        .filter(|l| !l.is_empty())
        .rev()
    {
        let Ok(l) = std::str::from_utf8(l) else {
            return false;
        };
        if !first {
            out.push('.');
        }
        out.push_str(l);
        first = false;
    }
    !first
}

/// The forward key prefix of a right-hand wildcard's fixed labels
/// (`www.example` for `www.example.*`).
pub(crate) fn forward_prefix(labels: &str) -> Vec<u8> {
    let mut out = labels
        .trim_end_matches('.')
        .to_ascii_lowercase()
        .into_bytes();
    out.push(b'.');
    out
}

/// Whether an entity key is a name.
pub(crate) fn is_name_key(key: &[u8]) -> bool {
    key.first() == Some(&T_DOMAIN)
}

/// The smallest key greater than every key with this prefix.
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut v = prefix.to_vec();
    while let Some(last) = v.pop() {
        if last < 0xff {
            v.push(last + 1);
            return Some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Entity {
        Entity::Domain(DomainName::parse(s).unwrap())
    }

    #[test]
    fn reverse_key_of_forward_key() {
        let ents = [
            d("www.example.co.uk"),
            Entity::Ip(Ip::parse("192.0.2.7").unwrap()),
            Entity::Ip(Ip::parse("2001:db8::1").unwrap()),
            Entity::Asn(64_500),
            Entity::Text("v=spf1 -all".into()),
            Entity::Time(-5),
        ];
        let mut out = Vec::new();
        for s in &ents {
            for o in &ents {
                let mut f = entity_key(s);
                push_pred(&mut f, Predicate::IP);
                push_entity(&mut f, o);
                reverse_key_into(&f, &mut out).unwrap();
                let mut want = entity_key(o);
                push_pred(&mut want, Predicate::IP);
                push_entity(&mut want, s);
                assert_eq!(out, want, "{s} {o}");
                // Truncated keys are errors, never panics.
                for cut in 0..f.len() {
                    assert!(reverse_key_into(&f[..cut], &mut out).is_err());
                }
            }
        }
    }

    #[test]
    fn forward_keys() {
        let f = |s: &str| forward_name_key(&entity_key(&d(s))).unwrap();
        assert_eq!(f("www.example.com"), b"www.example.com.");
        assert_eq!(f("a.b.example.co.uk"), b"a.b.example.co.uk.");
        assert_eq!(f("example.com"), b"example.com.");
        assert_eq!(f("com"), b"com.");
        assert!(forward_name_key(b"I0123456789abcdef").is_none());
        assert!(f("www.example.co.uk").starts_with(&forward_prefix("www.example")));
        assert!(!f("www.examples.com").starts_with(&forward_prefix("www.example")));
    }

    #[test]
    fn name_layout() {
        assert_eq!(
            entity_key(&d("www.example.com")),
            b"Dcom.example.\0www.\x01"
        );
        assert_eq!(entity_key(&d("example.com")), b"Dcom.example.\0\x01");
        assert_eq!(
            entity_key(&d("x.foo.blogspot.com")),
            b"Dcom.blogspot.foo.\0x.\x01"
        );
        assert!(entity_key(&d("a.example.com")).starts_with(&registrable_prefix("example.com")));
        assert!(
            !entity_key(&d("foo.blogspot.com")).starts_with(&registrable_prefix("blogspot.com"))
        );
        assert!(
            entity_key(&d("foo.blogspot.com"))
                .starts_with(&subtree_prefix(&DomainName::parse("blogspot.com").unwrap()))
        );
        let deep = DomainName::parse("dns.example.net").unwrap();
        assert!(entity_key(&d("ns1.dns.example.net")).starts_with(&subtree_prefix(&deep)));
        assert!(entity_key(&d("dns.example.net")).starts_with(&subtree_prefix(&deep)));
        assert!(!entity_key(&d("xdns.example.net")).starts_with(&subtree_prefix(&deep)));
        assert!(
            !entity_key(&d("examples.com"))
                .starts_with(&subtree_prefix(&DomainName::parse("example.com").unwrap()))
        );
    }

    #[test]
    fn roundtrip_kinds() {
        let es = [
            d("a.b.example.co.uk"),
            d("co.uk"),
            Entity::Ip(Ip::parse("192.0.2.1").unwrap()),
            Entity::Ip(Ip::parse("2001:db8::1").unwrap()),
            Entity::Asn(13335),
            Entity::Text("acme corp".into()),
            Entity::Hash("abcdef".into()),
            Entity::Time(-5),
            Entity::Time(1_700_000_000),
            Entity::Email(Email::parse("a@b.example").unwrap()),
        ];
        for e in es {
            let mut k = entity_key(&e);
            k.extend_from_slice(b"tail");
            let (back, rest) = read_entity(&k).unwrap();
            assert_eq!(back, e);
            assert_eq!(rest, b"tail");
            assert_eq!(entity_len(&k), Some(k.len() - 4), "{e:?}");
            assert_eq!(entity_len(&k[..k.len() - 5]), None, "{e:?} cut short");
        }
    }

    #[test]
    fn time_order() {
        assert!(entity_key(&Entity::Time(-1)) < entity_key(&Entity::Time(0)));
        assert!(entity_key(&Entity::Time(5)) < entity_key(&Entity::Time(500)));
    }

    #[test]
    fn cidr_range() {
        let net = IpNet::parse("192.0.2.0/24").unwrap();
        let (lo, hi) = ip_range(&net);
        let inside = entity_key(&Entity::Ip(Ip::parse("192.0.2.77").unwrap()));
        let outside = entity_key(&Entity::Ip(Ip::parse("192.0.3.0").unwrap()));
        assert!(lo <= inside && inside <= hi);
        assert!(!(lo <= outside && outside <= hi));
    }

    /// Names of every shape the store may hold: hosts, underscore and
    /// hyphen-edge labels, A-labels (valid, IDNA2003-only, bad), wildcards,
    /// public suffixes themselves, private-section, wildcard and exception
    /// rules of the Public Suffix List, unknown top-level domains.
    fn stored_name() -> impl Strategy<Value = String> {
        let label = prop_oneof![
            4 => "[a-z0-9]{1,12}",
            1 => "_[a-z]{1,8}",
            1 => "-?[a-z0-9]{1,6}-?",
            1 => prop::sample::select(vec!["xn--p1ai", "xn--i-7iq", "xn--80ak6aa92e", "xn--abc", "xn--mnchen-3ya"]).prop_map(str::to_string),
        ];
        let suffix = prop::sample::select(vec![
            "com",
            "co.uk",
            "uk",
            "blogspot.com",
            "kawasaki.jp",
            "city.kawasaki.jp",
            "ck",
            "www.ck",
            "mm",
            "jp",
            "kobe.jp",
            "internal",
            "xn--p1ai",
            "github.io",
            "s3.amazonaws.com",
            "za",
            "co.za",
        ]);
        (
            proptest::collection::vec(label, 0..4),
            suffix,
            any::<bool>(),
        )
            .prop_map(|(labels, suffix, wildcard)| {
                let mut parts: Vec<String> = Vec::new();
                if wildcard {
                    parts.push("*".into());
                }
                parts.extend(labels);
                parts.push(suffix.to_string());
                parts.join(".")
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// decode(encode(name)) is the name `parse` gives for its A-label
        /// form: same text, display form, split and flags, although the
        /// decoder trusts the key's split instead of deriving it.
        #[test]
        fn stored_names_decode_as_parsed(input in stored_name()) {
            let Ok(n) = DomainName::parse(&input) else { return Ok(()) };
            let k = entity_key(&Entity::Domain(n.clone()));
            let (back, rest) = read_entity(&k).unwrap();
            prop_assert!(rest.is_empty());
            let Entity::Domain(back) = back else { panic!("not a name") };
            let direct = DomainName::parse(n.ascii()).unwrap();
            prop_assert_eq!(back.ascii(), direct.ascii());
            prop_assert_eq!(back.unicode(), direct.unicode());
            prop_assert_eq!(back.registrable(), direct.registrable());
            prop_assert_eq!(back.subdomain(), direct.subdomain());
            prop_assert_eq!(back.suffix(), direct.suffix());
            prop_assert_eq!(back.label_count(), direct.label_count());
            prop_assert_eq!(back.flags(), direct.flags());
        }

        /// Whatever bytes a name key holds, decoding it returns a name or
        /// an error, never a panic.
        #[test]
        fn name_key_decoder_never_panics(body in proptest::collection::vec(prop::sample::select(vec![0u8, b'.', b'a', b'z', b'0', b'-', b'_', b'*', 0xc3, 0xa9, b'A']), 0..40)) {
            let _ = read_name_body(&body);
        }

        /// A text key is the key of the text lower-cased as Unicode has
        /// it, whether or not the ASCII path skipped the copy.
        #[test]
        fn text_keys_are_of_the_lowercased_text(t in "[a-zA-Z0-9 @._\u{0}\u{e9}\u{c9}\u{130}\u{3a3}-]{0,16}") {
            let mut want = vec![T_TEXT];
            want.extend(t.to_lowercase().bytes().map(|b| if b == 0 { b' ' } else { b }));
            want.push(0);
            prop_assert_eq!(entity_key(&Entity::Text(t.clone())), want);
        }

        #[test]
        fn name_key_roundtrip(labels in proptest::collection::vec("[a-z0-9]{1,10}", 1..5), tld in "(com|co\\.uk|net|blogspot\\.com)") {
            let name = format!("{}.{}", labels.join("."), tld);
            let e = d(&name);
            let k = entity_key(&e);
            let (back, rest) = read_entity(&k).unwrap();
            prop_assert_eq!(back, e);
            prop_assert!(rest.is_empty());
        }
    }
}
