//! IP-to-ASN tables in the ip2asn TSV layout:
//! `range_start TAB range_end TAB as_number TAB country_code TAB as_description`.
//! Unrouted rows (AS 0) are read as `None`.

use scry_model::Ip;

use crate::error::{ParseError, ParseErrorKind};

/// One routed range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsnRange {
    /// First address.
    pub start: Ip,
    /// Last address.
    pub end: Ip,
    /// AS number.
    pub asn: u32,
    /// ISO 3166 country code, when given.
    pub country: Option<String>,
    /// The AS's name.
    pub org: Option<String>,
}

/// Parses one line; `Ok(None)` for unrouted ranges, comments and blank lines.
pub fn parse_ip2asn_line(line: &[u8]) -> Result<Option<AsnRange>, ParseError> {
    let s = std::str::from_utf8(line).map_err(|e| {
        ParseError::new(ParseErrorKind::Encoding, format!("not utf-8: {e}"))
            .at_column(e.valid_up_to() as u64 + 1)
    })?;
    let s = s.trim_end_matches(['\r', '\n']);
    if s.trim().is_empty() || s.starts_with('#') {
        return Ok(None);
    }
    let f: Vec<&str> = s.split('\t').collect();
    if f.len() < 3 {
        return Err(ParseError::new(
            ParseErrorKind::Syntax,
            format!("{} fields, expected 5", f.len()),
        ));
    }
    let ip = |i: usize, name: &str| {
        Ip::parse(f[i])
            .map_err(|e| ParseError::new(ParseErrorKind::Value, e.to_string()).in_field(name))
    };
    let start = ip(0, "range_start")?;
    let end = ip(1, "range_end")?;
    if start.is_v4() != end.is_v4() || start.key() > end.key() {
        return Err(ParseError::new(
            ParseErrorKind::Value,
            "range end before start or of another family",
        )
        .in_field("range_end"));
    }
    let asn = scry_model::parse_asn(f[2])
        .map_err(|e| ParseError::new(ParseErrorKind::Value, e.to_string()).in_field("as_number"))?;
    if asn == 0 {
        return Ok(None);
    }
    let opt = |i: usize| {
        f.get(i)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty() && *v != "None" && *v != "Unknown")
            .map(str::to_string)
    };
    Ok(Some(AsnRange {
        start,
        end,
        asn,
        country: opt(3),
        org: opt(4),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let r = parse_ip2asn_line(b"100.64.0.0\t100.65.255.255\t16509\tUS\tAMAZON-02")
            .unwrap()
            .unwrap();
        assert_eq!(
            (r.asn, r.country.as_deref(), r.org.as_deref()),
            (16509, Some("US"), Some("AMAZON-02"))
        );
        assert_eq!(
            parse_ip2asn_line(b"0.0.0.0\t100.63.255.255\t0\tNone\tNot routed").unwrap(),
            None
        );
        assert_eq!(parse_ip2asn_line(b"").unwrap(), None);
        let e = parse_ip2asn_line(b"1.2.3.4\t1.2.3.0\t5\tUS\tX").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("range_end"));
        let e = parse_ip2asn_line(b"1.2.3.4\tnope\t5").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("range_end"));
        let e = parse_ip2asn_line(b"1.2.3.0\t1.2.3.9\tASx").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("as_number"));
        assert!(parse_ip2asn_line(b"garbage").is_err());
    }
}
