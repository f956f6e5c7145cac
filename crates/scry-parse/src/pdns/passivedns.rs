//! gamelinux passivedns logs (`passivedns -l`), one answer per line:
//!
//! ```text
//! #timestamp||dns-client||dns-server||RR class||Query||Query Type||Answer||TTL||Count
//! 1322849924.408856||10.1.1.1||8.8.8.8||IN||upload.youtube.com.||A||74.125.43.117||46587||5
//! ```
//!
//! The timestamp is epoch seconds with microseconds; names keep their
//! trailing dot; `Count` (absent in old versions, which write eight fields)
//! is the number of repeats aggregated in memory. An answer that itself
//! contains `||` (TXT) is rebuilt from the middle fields. TXT answers are
//! written unquoted by passivedns and are quoted here. Rows of classes
//! other than IN are skipped.

use crate::error::{ParseError, ParseErrorKind};

use super::zeek::quote_txt;
use super::{PdnsRecord, RR_TXT, normalise_name, normalise_rdata, parse_epoch, parse_rrtype};

/// Parses one line: `Ok(None)` for comments, blank lines and non-IN rows.
pub fn parse_passivedns_line(line: &[u8]) -> Result<Option<PdnsRecord>, ParseError> {
    let line = std::str::from_utf8(line)
        .map_err(|e| {
            ParseError::new(ParseErrorKind::Encoding, "not utf-8")
                .at_column(e.valid_up_to() as u64 + 1)
        })?
        .trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let f: Vec<&str> = line.split("||").collect();
    if f.len() < 8 {
        return Err(ParseError::new(
            ParseErrorKind::Syntax,
            format!("{} ||-separated fields, expected 8 or 9", f.len()),
        ));
    }
    // Nine fields (with count) unless the answer holds `||` itself: the
    // last two are TTL and count when both are numbers.
    let with_count = f.len() >= 9
        && f[f.len() - 1].trim().parse::<u64>().is_ok()
        && f[f.len() - 2].trim().parse::<u64>().is_ok();
    let tail = if with_count { 2 } else { 1 };
    let answer = f[6..f.len() - tail].join("||");
    let ts = parse_epoch(f[0]).ok_or_else(|| {
        ParseError::new(ParseErrorKind::Value, format!("bad timestamp {:?}", f[0]))
            .in_field("timestamp")
    })?;
    if !f[3].trim().eq_ignore_ascii_case("IN") {
        return Ok(None);
    }
    let rrname = normalise_name(f[4]).map_err(|e| e.in_field("query"))?;
    let rrtype = parse_rrtype(f[5]).ok_or_else(|| {
        ParseError::new(
            ParseErrorKind::Value,
            format!("unknown query type {:?}", f[5]),
        )
        .in_field("query_type")
    })?;
    let count = if with_count {
        f[f.len() - 1].trim().parse::<u64>().unwrap_or(1)
    } else {
        1
    };
    let rdata = if rrtype == RR_TXT {
        quote_txt(&answer)
    } else {
        normalise_rdata(rrtype, &answer).map_err(|e| e.in_field("answer"))?
    };
    Ok(Some(PdnsRecord {
        rrname,
        rrtype,
        rdata,
        time_first: ts,
        time_last: ts,
        count: count.max(1),
        bailiwick: None,
        sensor_id: None,
        zone_time_first: None,
        zone_time_last: None,
    }))
}
