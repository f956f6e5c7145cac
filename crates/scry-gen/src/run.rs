//! The pipeline: a uniqueness pass over names, then per group of days a
//! parallel pass over chunks of blocks whose outputs are written in chunk
//! order (so the bytes do not depend on the thread count).

use std::collections::HashSet;
use std::fs::{self, File};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use serde_json::json;

use crate::emit;
use crate::rng::{fnv, mix};
use crate::tables::TLDS;
use crate::world::{BLOCK, Class, World, date_string};
use crate::{GenConfig, GenError, GenSummary, Phase, Progress};

/// Blocks per chunk of work (8192 domains).
const CHUNK_BLOCKS: u64 = 128;
/// Days per pass: bounds the number of open files.
const DAY_GROUP: u32 = 16;
/// Expected names per uniqueness group: bounds that pass's memory.
const NAMES_PER_GROUP: u64 = 30_000_000;
/// Largest dictionary file read (bytes).
const MAX_DICTIONARY: u64 = 16 << 20;
/// Largest accepted number of days.
const MAX_DAYS: u32 = 3_660;

const CLASSES: [Class; 6] = [
    Class::Benign,
    Class::Parked,
    Class::Phishing,
    Class::Dga,
    Class::Spam,
    Class::Sinkhole,
];

/// Generates the world described by `cfg` into `out_dir` (created if
/// missing; existing files with the same names are replaced).
pub fn generate(
    cfg: &GenConfig,
    out_dir: &Path,
    progress: &dyn Fn(Progress),
) -> Result<GenSummary, GenError> {
    validate(cfg)?;
    let extra = match &cfg.dictionary {
        Some(p) => read_dictionary(p)?,
        None => Vec::new(),
    };
    let mut world = World::new(cfg, &extra);
    let renames = unique_names(&world, progress)?;
    let mut summary = GenSummary {
        domains: cfg.domains,
        infrastructure: world.infra.len() as u64,
        renamed: renames.len() as u64,
        ..GenSummary::default()
    };
    world.renames = renames;
    let world = world;

    make_dirs(&world, out_dir)?;
    let mut files = Files::default();
    files.write_whole(
        &out_dir.join("asn/ip2asn-v4.tsv"),
        emit::ip2asn_v4().as_bytes(),
    )?;
    files.write_whole(
        &out_dir.join("asn/ip2asn-v6.tsv"),
        emit::ip2asn_v6().as_bytes(),
    )?;

    let mut counts = Counts::default();
    let threads = cfg.threads.max(1);
    let mut lo = 0;
    while lo < world.days {
        let hi = (lo + DAY_GROUP).min(world.days);
        let mut writers = open_group(&world, out_dir, lo, hi, &mut counts)?;
        run_group(
            &world,
            out_dir,
            lo,
            hi,
            threads,
            &mut writers,
            &mut counts,
            progress,
        )?;
        for w in &mut writers {
            w.finish(&mut files)?;
        }
        lo = hi;
    }
    summary.labels = CLASSES
        .iter()
        .zip(counts.labels)
        .map(|(c, n)| (c.as_str().to_string(), n))
        .collect();
    summary.listed = counts.listed;
    summary.zone_records = counts.zone;
    summary.pdns_records = counts.pdns;
    summary.ct_entries = counts.ct;
    summary.whois_records = counts.whois;
    files.files += counts.files;
    files.bytes += counts.bytes;

    let manifest = json!({
        "generator": "scry-gen",
        "format_version": 1,
        "seed": cfg.seed,
        "domains": cfg.domains,
        "days": cfg.days,
        "start_date": world.dates[0],
        "whois_benign": cfg.whois_benign,
        "whois_actor": cfg.whois_actor,
        "infrastructure_domains": summary.infrastructure,
        "labels": summary.labels.iter().map(|(k, v)| json!({"label": k, "domains": v})).collect::<Vec<_>>(),
        "listed": summary.listed,
        "zone_records": summary.zone_records,
        "pdns_records": summary.pdns_records,
        "ct_entries": summary.ct_entries,
        "whois_records": summary.whois_records,
    });
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');
    files.write_whole(&out_dir.join("manifest.json"), text.as_bytes())?;
    summary.files = files.files;
    summary.bytes = files.bytes;
    Ok(summary)
}

fn validate(cfg: &GenConfig) -> Result<(), GenError> {
    let bad = |m: &str| Err(GenError::InvalidConfig(m.to_string()));
    if cfg.domains == 0 {
        return bad("domains must be at least 1");
    }
    if cfg.domains > (1 << 40) {
        return bad("domains must be at most 2^40");
    }
    if cfg.days == 0 || cfg.days > MAX_DAYS {
        return bad("days must be between 1 and 3660");
    }
    for (name, p) in [
        ("whois_benign", cfg.whois_benign),
        ("whois_actor", cfg.whois_actor),
    ] {
        if !(0.0..=1.0).contains(&p) {
            return Err(GenError::InvalidConfig(format!(
                "{name} must be between 0 and 1"
            )));
        }
    }
    Ok(())
}

fn read_dictionary(path: &Path) -> Result<Vec<String>, GenError> {
    let f = File::open(path).map_err(|e| GenError::io(path, e))?;
    let mut text = String::new();
    f.take(MAX_DICTIONARY)
        .read_to_string(&mut text)
        .map_err(|e| GenError::io(path, e))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// A hasher for keys that are already well-mixed 64-bit fingerprints.
#[derive(Default)]
struct Fingerprint(u64);

impl Hasher for Fingerprint {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

fn fingerprint(fqdn: &str) -> u64 {
    mix(fnv(fqdn.as_bytes()))
}

/// Finds the names that collide with an earlier one and the attempt that
/// makes each unique. Processes TLDs in groups to bound memory.
fn unique_names(world: &World, progress: &dyn Fn(Progress)) -> Result<Vec<(u64, u32)>, GenError> {
    let total_weight: u64 = TLDS.iter().map(|t| u64::from(t.weight)).sum();
    let mut groups: Vec<Vec<usize>> = vec![Vec::new()];
    let mut load = 0u64;
    for (t, tld) in TLDS.iter().enumerate() {
        let expect = world.domains * u64::from(tld.weight) / total_weight.max(1);
        if load + expect > NAMES_PER_GROUP && !groups.last().is_none_or(Vec::is_empty) {
            groups.push(Vec::new());
            load = 0;
        }
        load += expect;
        if let Some(g) = groups.last_mut() {
            g.push(t);
        }
    }
    let mut renames: Vec<(u64, u32)> = Vec::new();
    let mut label = String::new();
    let total = world.domains * groups.len() as u64;
    let mut done = 0u64;
    for group in &groups {
        let mut in_group = [false; 64];
        let mut expect = 0u64;
        for &t in group {
            in_group[t] = true;
            expect += world.domains * u64::from(TLDS[t].weight) / total_weight.max(1);
        }
        // Actor domains crowd the cheap TLDs beyond their benign weight.
        let cap = (expect + expect / 4 + 1_024).min(world.domains + 1_024) as usize;
        let mut seen: HashSet<u64, BuildHasherDefault<Fingerprint>> =
            HashSet::with_capacity_and_hasher(cap, BuildHasherDefault::default());
        for r in &world.reserved {
            let tld = r.rsplit('.').next().unwrap_or("");
            if let Some(t) = TLDS.iter().position(|x| x.name == tld)
                && in_group[t]
            {
                seen.insert(fingerprint(r));
            }
        }
        for b in 0..world.blocks() {
            let block = world.block(b);
            let end = ((b + 1) * BLOCK).min(world.domains);
            for i in b * BLOCK..end {
                let mut attempt = 0u32;
                loop {
                    let tld = world.name(&block, i, attempt, &mut label);
                    if !in_group[tld] {
                        break;
                    }
                    label.push('.');
                    label.push_str(TLDS[tld].name);
                    if seen.insert(fingerprint(&label)) {
                        break;
                    }
                    attempt += 1;
                    if attempt > 1_000 {
                        return Err(GenError::NameSpace(i));
                    }
                }
                if attempt > 0 {
                    renames.push((i, attempt));
                }
            }
            done += end - b * BLOCK;
            if b % 1024 == 1023 {
                progress(Progress {
                    phase: Phase::Names,
                    done,
                    total,
                });
            }
        }
    }
    progress(Progress {
        phase: Phase::Names,
        done: total,
        total,
    });
    // Groups visit indices in order, so each group's run is sorted: one
    // sort merges them for binary search.
    renames.sort_unstable();
    Ok(renames)
}

fn make_dirs(world: &World, out: &Path) -> Result<(), GenError> {
    let mut dirs: Vec<PathBuf> = vec![
        out.join("asn"),
        out.join("feeds"),
        out.join("pdns"),
        out.join("ct"),
    ];
    for t in TLDS {
        dirs.push(out.join("zones").join(t.name));
    }
    for date in &world.dates {
        dirs.push(out.join("whois").join(date));
        dirs.push(out.join("rdap").join(date));
    }
    for d in dirs {
        fs::create_dir_all(&d).map_err(|e| GenError::io(&d, e))?;
    }
    Ok(())
}

/// Counts accumulated from chunks.
#[derive(Default, Debug)]
struct Counts {
    labels: [u64; 6],
    listed: u64,
    zone: u64,
    pdns: u64,
    ct: u64,
    whois: u64,
    files: u64,
    bytes: u64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        for (a, b) in self.labels.iter_mut().zip(o.labels) {
            *a += b;
        }
        self.listed += o.listed;
        self.zone += o.zone;
        self.pdns += o.pdns;
        self.ct += o.ct;
        self.whois += o.whois;
        self.files += o.files;
        self.bytes += o.bytes;
    }
}

/// Files and bytes written by the main thread.
#[derive(Default)]
struct Files {
    files: u64,
    bytes: u64,
}

impl Files {
    fn write_whole(&mut self, path: &Path, data: &[u8]) -> Result<(), GenError> {
        fs::write(path, data).map_err(|e| GenError::io(path, e))?;
        self.files += 1;
        self.bytes += data.len() as u64;
        Ok(())
    }
}

/// One output stream of a day group.
struct Stream {
    path: PathBuf,
    w: Option<BufWriter<File>>,
    bytes: u64,
}

impl Stream {
    fn open(path: PathBuf, header: &str) -> Result<Stream, GenError> {
        let f = File::create(&path).map_err(|e| GenError::io(&path, e))?;
        let mut w = BufWriter::with_capacity(256 << 10, f);
        w.write_all(header.as_bytes())
            .map_err(|e| GenError::io(&path, e))?;
        Ok(Stream {
            path,
            w: Some(w),
            bytes: header.len() as u64,
        })
    }

    fn none() -> Stream {
        Stream {
            path: PathBuf::new(),
            w: None,
            bytes: 0,
        }
    }

    fn write(&mut self, s: &str) -> Result<(), GenError> {
        if let Some(w) = &mut self.w {
            w.write_all(s.as_bytes())
                .map_err(|e| GenError::io(&self.path, e))?;
            self.bytes += s.len() as u64;
        }
        Ok(())
    }

    fn finish(&mut self, files: &mut Files) -> Result<(), GenError> {
        if let Some(mut w) = self.w.take() {
            w.flush().map_err(|e| GenError::io(&self.path, e))?;
            files.files += 1;
            files.bytes += self.bytes;
        }
        Ok(())
    }
}

/// Stream layout of a group of `nd` days: zones (tld-major), pDNS, CT,
/// then labels and the four feeds.
struct Layout {
    nd: usize,
}

impl Layout {
    fn zone(&self, tld: usize, k: usize) -> usize {
        tld * self.nd + k
    }
    fn pdns(&self, k: usize) -> usize {
        TLDS.len() * self.nd + k
    }
    fn ct(&self, k: usize) -> usize {
        TLDS.len() * self.nd + self.nd + k
    }
    fn labels(&self) -> usize {
        TLDS.len() * self.nd + 2 * self.nd
    }
    fn feed(&self, f: usize) -> usize {
        self.labels() + 1 + f
    }
    fn len(&self) -> usize {
        self.labels() + 5
    }
}

const URLHAUS_HEADER: &str = "################################################################\n\
# abuse.ch URLhaus Database Dump (CSV)                         #\n\
# Synthetic data generated by scry-gen: not real indicators    #\n\
################################################################\n\
#\n\
# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n";

fn open_group(
    world: &World,
    out: &Path,
    lo: u32,
    hi: u32,
    counts: &mut Counts,
) -> Result<Vec<Stream>, GenError> {
    let lay = Layout {
        nd: (hi - lo) as usize,
    };
    let mut streams: Vec<Stream> = (0..lay.len()).map(|_| Stream::none()).collect();
    for (t, tld) in TLDS.iter().enumerate() {
        for d in lo..hi {
            let (header, n) = emit::zone_header(world, t, d);
            counts.zone += n;
            let path = out
                .join("zones")
                .join(tld.name)
                .join(format!("{}.zone", world.dates[d as usize]));
            streams[lay.zone(t, (d - lo) as usize)] = Stream::open(path, &header)?;
        }
    }
    for d in lo..hi {
        let k = (d - lo) as usize;
        let date = &world.dates[d as usize];
        streams[lay.pdns(k)] =
            Stream::open(out.join("pdns").join(format!("{date}.cof.ndjson")), "")?;
        streams[lay.ct(k)] = Stream::open(out.join("ct").join(format!("{date}.jsonl")), "")?;
    }
    if lo == 0 {
        let mut labels = String::new();
        for inf in &world.infra {
            let v = json!({
                "domain": inf.fqdn,
                "label": "benign",
                "actor": null,
                "campaign": null,
                "listed": false,
                "brand": null,
                "registered": date_string(world.day_start(-9_000 + (fnv(inf.fqdn.as_bytes()) % 3_000) as i64)),
                "first_seen": world.dates[0],
                "deleted": null,
                "infrastructure": true,
                "brand_owner": inf.brand,
            });
            labels.push_str(&v.to_string());
            labels.push('\n');
        }
        streams[lay.labels()] = Stream::open(out.join("labels.ndjson"), &labels)?;
        let list_header = |what: &str| {
            format!(
                "# Synthetic {what} domain blocklist generated by scry-gen (seed {}, {} to {})\n# One domain per line. Not real indicators.\n",
                world.seed,
                world.dates[0],
                world.dates[world.dates.len() - 1]
            )
        };
        streams[lay.feed(0)] = Stream::open(
            out.join("feeds/phishing-domains.txt"),
            &list_header("phishing"),
        )?;
        streams[lay.feed(1)] = Stream::open(
            out.join("feeds/malware-domains.txt"),
            &list_header("malware"),
        )?;
        streams[lay.feed(2)] =
            Stream::open(out.join("feeds/spam-domains.txt"), &list_header("spam"))?;
        streams[lay.feed(3)] = Stream::open(out.join("feeds/urlhaus.csv"), URLHAUS_HEADER)?;
    }
    Ok(streams)
}

/// The output of one chunk.
struct ChunkOut {
    bufs: Vec<String>,
    counts: Counts,
}

#[allow(clippy::too_many_arguments)]
fn run_group(
    world: &World,
    out: &Path,
    lo: u32,
    hi: u32,
    threads: usize,
    streams: &mut [Stream],
    counts: &mut Counts,
    progress: &dyn Fn(Progress),
) -> Result<(), GenError> {
    let nchunks = world.blocks().div_ceil(CHUNK_BLOCKS);
    let threads = threads.min(nchunks.max(1) as usize);
    std::thread::scope(|scope| -> Result<(), GenError> {
        let mut rxs = Vec::new();
        let mut handles = Vec::new();
        for w in 0..threads {
            let (tx, rx) = mpsc::sync_channel::<Result<ChunkOut, GenError>>(2);
            rxs.push(rx);
            handles.push(scope.spawn(move || {
                let mut c = w as u64;
                while c < nchunks {
                    let r = run_chunk(world, out, c, lo, hi);
                    if tx.send(r).is_err() {
                        break;
                    }
                    c += threads as u64;
                }
            }));
        }
        let mut result = Ok(());
        for c in 0..nchunks {
            let got = match rxs[(c % threads as u64) as usize].recv() {
                Ok(Ok(chunk)) => chunk,
                Ok(Err(e)) => {
                    result = Err(e);
                    break;
                }
                Err(_) => {
                    result = Err(GenError::Worker(format!("worker stopped before chunk {c}")));
                    break;
                }
            };
            for (s, buf) in streams.iter_mut().zip(&got.bufs) {
                if !buf.is_empty() {
                    s.write(buf)?;
                }
            }
            counts.add(&got.counts);
            progress(Progress {
                phase: Phase::Domains,
                done: ((c + 1) * CHUNK_BLOCKS * BLOCK).min(world.domains)
                    + u64::from(lo / DAY_GROUP) * world.domains,
                total: world.domains * u64::from(world.days.div_ceil(DAY_GROUP)),
            });
        }
        drop(rxs);
        for h in handles {
            if h.join().is_err() && result.is_ok() {
                result = Err(GenError::Worker("a worker thread panicked".into()));
            }
        }
        result
    })
}

fn run_chunk(world: &World, out: &Path, c: u64, lo: u32, hi: u32) -> Result<ChunkOut, GenError> {
    let lay = Layout {
        nd: (hi - lo) as usize,
    };
    let mut bufs: Vec<String> = (0..lay.len()).map(|_| String::new()).collect();
    let mut counts = Counts::default();
    let first = lo == 0;
    let b_end = ((c + 1) * CHUNK_BLOCKS).min(world.blocks());
    let mut feeds: [String; 4] = Default::default();
    for b in c * CHUNK_BLOCKS..b_end {
        let block = world.block(b);
        let d0 = if block.kind != crate::world::BlockKind::Benign && block.own_ns {
            let ib = if block.infra == b {
                block.clone()
            } else {
                world.block(block.infra)
            };
            Some(world.fqdn(&ib, block.infra * BLOCK).0)
        } else {
            None
        };
        let end = ((b + 1) * BLOCK).min(world.domains);
        for i in b * BLOCK..end {
            let dom = world.domain(&block, i, d0.as_deref());
            for d in lo..hi {
                let k = (d - lo) as usize;
                if dom.alive(d) {
                    counts.zone +=
                        emit::zone_domain(world, &dom, d, &mut bufs[lay.zone(dom.tld, k)]);
                }
                counts.pdns += emit::pdns_domain(world, &dom, d, &mut bufs[lay.pdns(k)]);
                counts.ct += emit::ct_domain(world, &dom, d, &mut bufs[lay.ct(k)]);
            }
            if first {
                if let Some(pos) = CLASSES.iter().position(|&x| x == dom.class) {
                    counts.labels[pos] += 1;
                }
                emit::label_line(world, &dom, &mut bufs[lay.labels()]);
                if emit::feed_lines(world, &dom, &mut feeds) {
                    counts.listed += 1;
                }
                if dom.whois {
                    for d in emit::rdds_days(&dom, world.days) {
                        let date = &world.dates[d as usize];
                        let text = emit::whois_text(world, &dom, d);
                        let path = out
                            .join("whois")
                            .join(date)
                            .join(format!("{}.txt", dom.fqdn));
                        fs::write(&path, &text).map_err(|e| GenError::io(&path, e))?;
                        let mut json = emit::rdap_json(world, &dom, d).to_string();
                        json.push('\n');
                        let path = out
                            .join("rdap")
                            .join(date)
                            .join(format!("{}.json", dom.fqdn));
                        fs::write(&path, &json).map_err(|e| GenError::io(&path, e))?;
                        counts.whois += 1;
                        counts.files += 2;
                        counts.bytes += (text.len() + json.len()) as u64;
                    }
                }
            }
        }
    }
    if first {
        for (f, s) in feeds.into_iter().enumerate() {
            bufs[lay.feed(f)] = s;
        }
    }
    Ok(ChunkOut { bufs, counts })
}
