//! Threat feeds: any bytes, read as a list, CSV and JSON, give entries or errors.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scry_parse::feed::{FeedFormat, FeedReader, entries_from_json};

fuzz_target!(|data: &[u8]| {
    let _ = FeedFormat::sniff(data);
    let _ = entries_from_json(data);
    let text = String::from_utf8_lossy(data);
    for format in [FeedFormat::List, FeedFormat::Csv, FeedFormat::Json] {
        let mut r = FeedReader::new(format);
        for line in text.lines() {
            let _ = r.line(line);
        }
    }
});
