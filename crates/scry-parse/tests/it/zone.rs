//! Zone files: the real root zones in ../shared/data/zones, and the record
//! and delegation counts compared with BIND's `named-checkzone`.

use std::collections::{BTreeSet, HashSet};
use std::io::{BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;

use scry_parse::zone::{
    Delegations, Rdata, Soa, ZoneOptions, ZoneReader, ZoneRecord, rtype, type_name,
};

const ZONES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/zones");

/// Every zone file under the data directory (not the LICENSE files).
fn zone_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("root.zone"))
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(Path::new(ZONES), &mut out);
    assert!(
        out.len() >= 12,
        "expected the 12 root zone files, found {out:?}"
    );
    out
}

fn parse(bytes: &[u8], name: &str) -> (Vec<ZoneRecord>, Vec<String>) {
    let opts = ZoneOptions {
        origin: Some(".".into()),
        source_name: name.into(),
        allow_include: false,
        default_ttl: None,
    };
    let mut recs = Vec::new();
    let mut errs = Vec::new();
    for r in ZoneReader::new(bytes, opts) {
        match r {
            Ok(r) => recs.push(r),
            Err(e) => errs.push(e.to_string()),
        }
    }
    (recs, errs)
}

#[test]
fn real_root_zones_parse_without_errors() {
    for path in zone_files() {
        let name = path.display().to_string();
        let file = std::fs::File::open(&path).unwrap();
        let opts = ZoneOptions {
            origin: Some(".".into()),
            source_name: name.clone(),
            ..ZoneOptions::default()
        };
        let mut n = 0usize;
        let mut types = BTreeSet::new();
        for r in ZoneReader::new(BufReader::new(file), opts) {
            let r = r.unwrap_or_else(|e| panic!("{e}"));
            types.insert(type_name(r.rtype).into_owned());
            n += 1;
        }
        // These files have one record per line and no directives.
        let text = std::fs::read_to_string(&path).unwrap();
        let lines = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with(';'))
            .count();
        assert_eq!(n, lines, "{name}: records vs lines");
        for t in ["NS", "A", "AAAA", "DS"] {
            assert!(types.contains(t), "{name}: no {t} record in {types:?}");
        }
    }
}

#[test]
fn root_zone_2018_known_values() {
    let path = format!("{ZONES}/rootzone-2018/root.zone");
    let bytes = std::fs::read(&path).unwrap();
    let (recs, errs) = parse(&bytes, &path);
    assert!(errs.is_empty(), "{errs:?}");
    // Hand-checked against the file: line 1 and lines 19 (aaa.) and 11108.
    assert_eq!(&*recs[0].owner, "");
    assert_eq!(
        recs[0].rdata,
        Rdata::Soa(Box::new(Soa {
            mname: "a.root-servers.net".into(),
            rname: "nstld.verisign-grs.com".into(),
            serial: 2018031200,
            refresh: 1800,
            retry: 900,
            expire: 604800,
            minimum: 86400,
        }))
    );
    let aaa = recs.iter().find(|r| r.line == 19).unwrap();
    assert_eq!(
        (&*aaa.owner, aaa.ttl, aaa.rtype),
        ("aaa", 172800, rtype::NS)
    );
    assert_eq!(aaa.rdata, Rdata::Ns("ns1.dns.nic.aaa".into()));
    let a_root = recs.iter().find(|r| r.line == 11108).unwrap();
    assert_eq!(&*a_root.owner, "a.root-servers.net");
    assert_eq!(a_root.rdata, Rdata::A("198.41.0.4".parse().unwrap()));
    // The grouping of the ingest layer: `net` carries the root servers' glue.
    let net = Delegations::new(recs.into_iter().map(Ok), ".")
        .map(Result::unwrap)
        .find(|d| d.domain == "net")
        .unwrap();
    assert_eq!(net.ns.len(), 13);
    assert!(
        net.glue
            .iter()
            .any(|(h, a)| h == "a.root-servers.net" && a.to_string() == "198.41.0.4")
    );
    assert_eq!(net.ds, 1);
}

/// Our counts on a zone text: distinct records (BIND drops exact
/// duplicates), and delegated children (owners with NS, not the apex).
fn our_counts(text: &[u8], name: &str) -> (usize, usize) {
    let (recs, errs) = parse(text, name);
    assert!(errs.is_empty(), "{name}: {errs:?}");
    let distinct: HashSet<(String, u16, u16, String)> = recs
        .iter()
        .map(|r| (r.owner.to_string(), r.class, r.rtype, r.rdata.to_string()))
        .collect();
    let children: HashSet<&str> = recs
        .iter()
        .filter(|r| r.rtype == rtype::NS && !r.owner.is_empty())
        .map(|r| &*r.owner)
        .collect();
    // The same count through the ingest-layer grouping (input is sorted).
    let grouped: Vec<String> = Delegations::new(recs.iter().cloned().map(Ok), ".")
        .map(Result::unwrap)
        .filter(|d| !d.ns.is_empty())
        .map(|d| d.domain)
        .collect();
    let grouped_set: HashSet<&String> = grouped.iter().collect();
    assert_eq!(
        grouped.len(),
        grouped_set.len(),
        "{name}: a child was split"
    );
    assert_eq!(grouped.len(), children.len(), "{name}: grouping vs owners");
    (distinct.len(), children.len())
}

/// BIND's counts: `named-checkzone -D` dumps the loaded zone one record a
/// line. Integrity checks are off (`-i none` and friends): with them on,
/// named-checkzone looks up out-of-zone name servers in the DNS, which
/// tests must not do.
fn bind_counts(file: &Path) -> (usize, usize) {
    let out = match Command::new("timeout")
        .args([
            "300",
            "named-checkzone",
            "-i",
            "none",
            "-k",
            "ignore",
            "-n",
            "ignore",
            "-m",
            "ignore",
        ])
        .args([
            "-M", "ignore", "-S", "ignore", "-r", "ignore", "-T", "ignore", "-W", "ignore",
        ])
        .args(["-D", "-o", "-", "."])
        .arg(file)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("cannot run `timeout named-checkzone`: {e}"),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code() != Some(127),
        "named-checkzone is missing: install Debian's bind9-utils (apt-get install -y bind9-utils); \
         this test compares our counts with BIND's and does not skip"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "named-checkzone failed on {}: {stderr}\n{stdout}",
        file.display()
    );
    let mut records = 0;
    let mut children = HashSet::new();
    for line in stdout.lines() {
        // `-o -` also prints the "loaded serial" and "OK" lines.
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 5 || line.starts_with(';') || f[0] == "zone" {
            continue;
        }
        records += 1;
        if f[3] == "NS" && f[0] != "." {
            children.insert(f[0].to_ascii_lowercase());
        }
    }
    (records, children.len())
}

/// The input BIND is given: BIND only loads a zone with exactly one SOA,
/// at the apex. The root-zone-watch snapshots have none (a synthetic one is
/// prepended) and the 2018-01-29 file has a stray `test.` SOA (dropped).
/// Both parsers read this same text.
fn bind_loadable(text: &[u8], name: &str) -> Vec<u8> {
    let (recs, errs) = parse(text, name);
    assert!(errs.is_empty(), "{name}: {errs:?}");
    let stray: HashSet<u64> = recs
        .iter()
        .filter(|r| r.rtype == rtype::SOA && !r.owner.is_empty())
        .map(|r| r.line)
        .collect();
    let apex_soa = recs
        .iter()
        .any(|r| r.rtype == rtype::SOA && r.owner.is_empty());
    let mut out = Vec::with_capacity(text.len() + 200);
    if !apex_soa {
        out.extend_from_slice(
            b". 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400\n",
        );
    }
    for (i, line) in text.split_inclusive(|&b| b == b'\n').enumerate() {
        if !stray.contains(&(i as u64 + 1)) {
            out.extend_from_slice(line);
        }
    }
    out
}

#[test]
fn counts_match_bind_named_checkzone() {
    let dir = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for path in zone_files() {
        let name = path.display().to_string();
        let text = std::fs::read(&path).unwrap();
        let loadable = bind_loadable(&text, &name);
        let tmp = dir.path().join("zone");
        std::fs::File::create(&tmp)
            .unwrap()
            .write_all(&loadable)
            .unwrap();
        let ours = our_counts(&loadable, &name);
        let bind = bind_counts(&tmp);
        assert_eq!(
            ours, bind,
            "{name}: (records, delegated children) ours vs named-checkzone"
        );
        assert!(ours.1 > 1000, "{name}: only {} delegations", ours.1);
        compared += 1;
    }
    assert_eq!(compared, zone_files().len());
}
