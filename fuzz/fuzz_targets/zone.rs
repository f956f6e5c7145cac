//! Zone files: the reader never panics, ends, and what it parses, written
//! back in presentation form, parses to the same records.
#![no_main]

use std::fmt::Write as _;
use std::io::BufReader;

use libfuzzer_sys::fuzz_target;
use scry_parse::zone::{Delegations, ZoneItem, ZoneOptions, ZoneReader, type_name};

fuzz_target!(|data: &[u8]| {
    let Some((&first, text)) = data.split_first() else {
        return;
    };
    let origin = match first % 3 {
        0 => None,
        1 => Some(".".to_owned()),
        _ => Some("example.com".to_owned()),
    };
    let opts = ZoneOptions {
        origin: origin.clone(),
        source_name: "fuzz".to_owned(),
        allow_include: first & 0x10 != 0,
        default_ttl: (first & 0x20 != 0).then_some(3600),
    };
    // Small read buffers exercise lines split across chunks.
    let src = BufReader::with_capacity(1 + usize::from(first >> 4), text);
    let mut reader = ZoneReader::new(src, opts.clone());
    let mut records = Vec::new();
    let mut items = 0usize;
    while let Some(item) = reader.next_item() {
        items += 1;
        assert!(items <= text.len() + 2, "more items than input bytes");
        if let Ok(ZoneItem::Record(r)) = item {
            records.push(r);
        }
    }
    let mut again = String::new();
    for r in &records {
        let _ = writeln!(again, "{}. {} CLASS{} {} {}", r.owner, r.ttl, r.class, type_name(r.rtype), r.rdata);
    }
    let back: Vec<_> = ZoneReader::new(again.as_bytes(), opts)
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("re-parse failed: {e}\n{again}"));
    assert_eq!(back.len(), records.len());
    for (a, b) in records.iter().zip(&back) {
        assert_eq!((&a.owner, a.ttl, a.class, a.rtype, &a.rdata), (&b.owner, b.ttl, b.class, b.rtype, &b.rdata));
    }
    let grouped = Delegations::new(records.into_iter().map(Ok), origin.as_deref().unwrap_or("."));
    for d in grouped.flatten() {
        assert!(!d.domain.is_empty());
    }
});
