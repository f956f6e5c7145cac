use super::*;

fn json(s: &str) -> Value {
    last_json_line(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

fn find<'a>(r: &'a Read, measure: &str, peer: Option<&str>) -> &'a Figure {
    r.figures
        .iter()
        .find(|f| f.measure.starts_with(measure) && f.peer.as_ref().map(|p| p.0.as_str()) == peer)
        .unwrap_or_else(|| panic!("no figure {measure:?} / {peer:?} in {:#?}", r.figures))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn last_json_line_skips_text_and_broken_lines() {
    let out = "brands: 200\n{not json\n{\"a\":1}\nscry generate: 5 candidates\n{\"b\":2}\ntrailing text\n";
    assert_eq!(json(out)["b"], 2);
    assert!(last_json_line("no json here\n[1,2]\n").is_err());
    assert!(last_json_line("").is_err());
}

#[test]
fn time_v_report() {
    let stderr = "wrote out\n\tCommand being timed: \"generate out 100000\"\n\tUser time (seconds): 10.50\n\tSystem time (seconds): 1.25\n\tPercent of CPU this job got: 180%\n\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02.50\n\tMaximum resident set size (kbytes): 217088\n\tExit status: 0\n";
    let t = parse_time_v(stderr).unwrap_or_else(|e| panic!("{e}"));
    assert!(close(t.wall_s, 62.5));
    assert!(close(t.cpu_s, 11.75));
    assert_eq!(t.max_rss_kib, 217_088);
    let hours = stderr.replace("1:02.50", "1:00:01");
    assert!(close(
        parse_time_v(&hours).map_or(0.0, |t| t.wall_s),
        3601.0
    ));
    assert!(parse_time_v("Command exited with non-zero status 1\n").is_err());
    assert!(parse_time_v(&stderr.replace("1:02.50", "soon")).is_err());
}

#[test]
fn store_against_postgres() {
    let v = json(
        r#"{"domains":100000,"facts":1001020,"commit":"abc",
        "scry":{"ingest_s":10.0,"compaction_settle_s":1.0,"ingest_rss_kib":716800,"disk_bytes":209715200,
          "pivot_p50_us":500.0,"pivot_p99_us":900.0,"profile_small_p50_us":100.0,"profile_small_p99_us":175.0,
          "profile_big_p50_us":60.0,"profile_big_p99_us":80.0},
        "postgres":{"load_s":5.0,"disk_bytes":419430400,"pivot_p50_us":300.0,"pivot_p99_us":600.0,
          "profile_small_p50_us":130.0,"profile_small_p99_us":290.0,"profile_big_p50_us":90.0,"profile_big_p99_us":140.0}}"#
            .replace('\n', " ")
            .as_str(),
    );
    let r = store(&v);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let ingest = find(&r, "store ingest (", Some("PostgreSQL"));
    assert!(close(ingest.scry, 100_102.0));
    assert!(ingest.ratio().is_some_and(|x| close(x, 0.5)));
    let disk = find(&r, "store on-disk size", Some("PostgreSQL"));
    assert!(close(disk.scry, 200.0) && disk.ratio().is_some_and(|x| close(x, 2.0)));
    let pivot = find(&r, "pivot, 1,000 domains, p99", Some("PostgreSQL"));
    assert!(pivot.ratio().is_some_and(|x| close(x, 600.0 / 900.0)));
    assert!(close(find(&r, "store ingest peak RSS", None).scry, 700.0));
    assert_eq!(r.figures.len(), 9);
    // Without PostgreSQL the figures stay, without ratios, and the step fails.
    let mut alone = v.clone();
    alone["postgres"] = Value::Null;
    let r = store(&alone);
    assert_eq!(r.problems, ["PostgreSQL did not run"]);
    assert!(r.figures.iter().all(|f| f.peer.is_none()));
}

const ZONE: &str = r#"{"bench":"zone_parse","file":"/t/com.zone","bytes":15000000,"records":436000,"errors":0,"delegations":0,"wall_s":0.1,"cpu_s":0.08,"peak_rss_kib":2048,"peers":{"named-compilezone":{"wall_s":2.0,"cpu_s":1.6,"peak_rss_kib":102400},"ldns-read-zone":{"wall_s":1.5,"cpu_s":1.2,"peak_rss_kib":51200}}}"#;

#[test]
fn zone_parse_beside_bind_and_ldns() {
    let r = zone_parse(&json(ZONE));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.figures.len(), 6);
    let tp = find(&r, "zone parse throughput", Some("named-compilezone"));
    assert!(close(tp.scry, 150.0) && tp.ratio().is_some_and(|x| close(x, 20.0)));
    assert!(tp.target.is_some());
    let cpu = find(&r, "zone parse CPU time", Some("ldns-read-zone"));
    assert!(cpu.ratio().is_some_and(|x| close(x, 15.0)));
    let rss = find(&r, "zone parse peak RSS", Some("named-compilezone"));
    assert!(close(rss.scry, 2.0) && rss.ratio().is_some_and(|x| close(x, 50.0)));
    assert_eq!(r.notes, ["15.0 MB, 436000 records, 0 errors"]);
}

#[test]
fn zone_peer_failure_fails_the_step_but_keeps_figures() {
    let line = ZONE.replace(
        r#""ldns-read-zone":{"wall_s":1.5,"cpu_s":1.2,"peak_rss_kib":51200}"#,
        r#""ldns-read-zone":{"error":"ldns-read-zone failed: bad \"x\""}"#,
    );
    let r = zone_parse(&json(&line));
    assert_eq!(
        r.problems,
        [r#"ldns-read-zone: ldns-read-zone failed: bad "x""#]
    );
    assert_eq!(r.figures.len(), 3);
    let none = json(r#"{"bytes":1,"wall_s":1,"cpu_s":1,"peak_rss_kib":1,"peers":{}}"#);
    let r = zone_parse(&none);
    assert_eq!(r.figures.len(), 3);
    assert!(r.problems[0].starts_with("no peer ran"));
}

#[test]
fn zone_ingest_beside_named() {
    let t = TimeV {
        wall_s: 0.5,
        cpu_s: 0.7,
        max_rss_kib: 307_200,
    };
    let r = zone_ingest(&t, Some(&json(ZONE)));
    assert!(r.problems.is_empty());
    let wall = find(&r, "zone full ingest (", Some("named-compilezone"));
    assert!(wall.ratio().is_some_and(|x| close(x, 4.0)));
    let rss = find(&r, "zone full ingest peak RSS", Some("named-compilezone"));
    assert!(close(rss.scry, 300.0));
    let r = zone_ingest(&t, None);
    assert_eq!(r.figures.len(), 2);
    assert_eq!(r.problems.len(), 1);
}

#[test]
fn zone_next_day_ingest_and_diff() {
    let t = |wall_s, max_rss_kib| TimeV {
        wall_s,
        cpu_s: 1.0,
        max_rss_kib,
    };
    let r = zone_next_day(&t(3.0, 400_000), &t(2.5, 10_240), 60_000);
    assert!(r.problems.is_empty());
    let diff = find(&r, "zone diff of two stored snapshots", None);
    assert!(close(diff.scry, 2.5));
    assert!(close(find(&r, "zone diff peak RSS", None).scry, 10.0));
    assert!(r.notes[0].contains("60000 changes"));
    // A diff that found nothing means the second day was not the next day.
    let r = zone_next_day(&t(3.0, 400_000), &t(2.5, 10_240), 0);
    assert_eq!(r.problems.len(), 1);
}

#[test]
fn whois_beside_python_parsers() {
    let out = "corpus: 1500 files\nasyncwhois 1.1.15: 1400 records\n{\"bench\": \"whois_peers\", \"timed_files\": 1400, \"dropped\": 3, \"repeat\": 1, \"peers\": {\"asyncwhois 1.1.15\": 2000.0, \"python-whois 0.9.6\": 1800.0}, \"scry\": {\"bench\":\"whois_parse\",\"files\":1400,\"bytes\":5000000,\"with_data\":1300,\"repeat\":20,\"records\":28000,\"wall_s\":0.6,\"cpu_s\":0.5,\"records_per_cpu_s\":56000.0,\"records_per_s\":46666.0}}\n";
    let r = whois(&json(out));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.figures.len(), 2);
    let a = find(&r, "WHOIS parse", Some("asyncwhois 1.1.15"));
    assert!(a.ratio().is_some_and(|x| close(x, 28.0)));
    let p = find(&r, "WHOIS parse", Some("python-whois 0.9.6"));
    assert!(close(p.scry, 56_000.0));
    assert!(r.notes[0].contains("1400 files (3 dropped"));
    let r = whois(&json(r#"{"peers":{},"scry":null}"#));
    assert!(r.problems.iter().any(|p| p.contains("records_per_cpu_s")));
    assert!(r.problems.iter().any(|p| p == "no Python peer ran"));
}

const LOOKALIKE: &str = r#"{"bench":"lookalike","brands":200,"generate":{"candidates":900000,"wall_s":2.1,"cpu_s":2.0,"ms_per_brand_cpu":10.0},"dnstwist":{"version":"20250130","cpu_s":27.0,"permutations":800000,"ms_per_brand_cpu":135.0},"dnstwist_recall":{"permutations":800000,"any_pct":100.0,"default_pct":97.5,"threshold":70},"roundtrip":{"candidates":900000,"matched_any_pct":99.99,"matched_default_pct":95.0,"threshold":70},"fp":{"names":9900,"false_positives":30,"rate_pct":0.303,"threshold":70,"excluded":100},"match":{"domains":1000000,"brands":200,"threads":2,"wall_s":4.0,"cpu_s":7.9,"domains_per_s":250000.0,"matched":200000}}"#;

#[test]
fn lookalike_beside_dnstwist() {
    let r = lookalike(&json(LOOKALIKE));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let g = find(
        &r,
        "look-alike generation",
        Some("dnstwist 20250130 (Fuzzer)"),
    );
    assert!(g.ratio().is_some_and(|x| close(x, 13.5)));
    assert!(close(
        find(&r, "recall of dnstwist's permutations (any", None).scry,
        100.0
    ));
    assert!(close(find(&r, "false positives", None).scry, 0.303));
    assert!(close(
        find(&r, "look-alike match throughput", None).scry,
        250_000.0
    ));
    let m = find(&r, "look-alike match, 1,000,000 domains x 200 brands", None);
    assert!(close(m.scry, 4.0));
    assert_eq!(r.figures.len(), 7);
    assert_eq!(
        r.notes,
        [
            "200 brands; Scry 900000 candidates, dnstwist 800000 permutations; false positives 30 of 9900 names"
        ]
    );
}

#[test]
fn lookalike_without_dnstwist_fails() {
    let mut v = json(LOOKALIKE);
    v["dnstwist"] = serde_json::json!({"error": "No module named dnstwist"});
    let r = lookalike(&v);
    assert_eq!(r.problems, ["dnstwist: No module named dnstwist"]);
    assert!(find(&r, "look-alike generation", None).peer.is_none());
    if let Some(m) = v.as_object_mut() {
        m.remove("dnstwist");
        m.remove("match");
    }
    let r = lookalike(&v);
    assert_eq!(r.problems, ["dnstwist did not run", "no match figures"]);
}

#[test]
fn pdns_rates() {
    let line = r#"{"bench":"pdns_parse","lines":500000,"bytes":95000000,"threads":2,"line_1t":{"records":700000,"wall_s":0.3,"records_per_s":2333333.3,"records_per_cpu_s":2400000.0},"reader_1t":{"records":700000,"wall_s":0.4,"records_per_s":1750000.0,"records_per_cpu_s":null},"line_nt":{"records":700000,"wall_s":0.2,"records_per_s":3500000.0,"records_per_cpu_s":1800000.0},"pcap_1t":{"packets":200000,"records":150000,"errors":0,"wall_s":0.5,"packets_per_s":400000.0,"records_per_s":300000.0}}"#;
    let r = pdns(&json(line));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    // Three rates, two per-CPU-second rates (one was null), pcap.
    assert_eq!(r.figures.len(), 6);
    let nt = find(&r, "COF NDJSON line parser, 2 threads", None);
    assert!(close(nt.scry, 3_500_000.0) && nt.target.is_some());
    assert!(close(find(&r, "pcap DNS parse", None).scry, 400_000.0));
    assert_eq!(
        r.notes,
        ["500000 COF lines (95 MB); pcap: 200000 packets, 0 errors"]
    );
}

#[test]
fn generator_time_and_memory() {
    let t = TimeV {
        wall_s: 20.0,
        cpu_s: 30.0,
        max_rss_kib: 204_800,
    };
    let r = generator(&t, 100_000, 7);
    assert!(r.problems.is_empty());
    assert!(close(find(&r, "generator throughput", None).scry, 5_000.0));
    assert!(close(find(&r, "generator peak RSS", None).scry, 200.0));
    assert!(close(
        find(&r, "generate 100000 domains x 7 days", None).scry,
        20.0
    ));
}

#[test]
fn risk_scoring_rates() {
    let line = r#"{"bench":"risk_lexical","names":39000,"rounds":5,"scores_1t_per_s":500000.0,"scores_1t_per_cpu_s":520000.0,"scores_2t_per_s":900000.0,"scores_2t_per_cpu_s":0.0,"score_1t_per_s":200000.0,"score_2t_per_s":350000.0}"#;
    let r = risk(&json(line));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    // Four rates, and the one non-zero per-CPU-second rate.
    assert_eq!(r.figures.len(), 5);
    let cpu = find(
        &r,
        "lexical risk scores (no evidence), 1 thread, per CPU",
        None,
    );
    assert!(close(cpu.scry, 520_000.0));
    assert!(close(
        find(&r, "lexical risk scores (no evidence), 2 threads", None).scry,
        900_000.0
    ));
    assert!(close(
        find(&r, "lexical risk score with evidence, 1 thread", None).scry,
        200_000.0
    ));
    assert_eq!(r.notes, ["39000 names x 5 rounds"]);
    let r = risk(&json(r#"{"bench":"risk_lexical","scores_1t_per_s":1.0}"#));
    assert_eq!(r.problems.len(), 3);
}

#[test]
fn delivery_rates() {
    let line = r#"{"bench":"deliver","alerts":5000,"webhook":{"seconds":2.0,"alerts_per_s":2500.0},"hec":{"seconds":0.5,"alerts_per_s":10000.0},"syslog-tcp":{"seconds":0.25,"alerts_per_s":20000.0}}"#;
    let r = deliver(&json(line));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(close(
        find(&r, "alert delivery, webhook", None).scry,
        2_500.0
    ));
    assert!(close(
        find(&r, "alert delivery, syslog", None).scry,
        20_000.0
    ));
    let r = deliver(&json(r#"{"bench":"deliver","alerts":1}"#));
    assert_eq!(r.problems.len(), 3);
}

#[test]
fn generic_lines_give_numeric_members() {
    let v = json(
        r#"{"bench":"risk","domains_per_s":12345.0,"auc":0.97,"score":{"p99_us":35.0,"model":"v1"}}"#,
    );
    let r = generic(&v);
    assert!(r.problems.is_empty());
    assert_eq!(r.figures.len(), 3);
    let rate = find(&r, "domains_per_s", None);
    assert_eq!((rate.unit.as_str(), rate.better), ("/s", Better::Higher));
    let p99 = find(&r, "score.p99_us", None);
    assert_eq!((p99.unit.as_str(), p99.better), ("µs", Better::Lower));
    assert_eq!(find(&r, "auc", None).unit, "");
    let r = generic(&json(r#"{"bench":"risk"}"#));
    assert_eq!(r.problems.len(), 1);
}

#[test]
fn embedded_engine_beside_clickhouse() {
    let line = r#"{"bench":"engine","domains":100000,"queries":200,"embedded":{"profile_p50_ms":0.1,"profile_p99_ms":5.0,"pivot_p50_ms":0.3,"pivot_p99_ms":0.5,"reverse_p50_ms":0.4,"reverse_p99_ms":5.2,"facts":600000,"ingest_s":6.0,"facts_per_s":100000.0,"disk_bytes":104857600},"clickhouse":{"profile_p50_ms":300.0,"profile_p99_ms":700.0,"pivot_p50_ms":180.0,"pivot_p99_ms":380.0,"reverse_p50_ms":14.0,"reverse_p99_ms":37.0,"facts":600000,"ingest_s":3.0,"facts_per_s":200000.0,"disk_bytes":52428800}}"#;
    let r = engine(&json(line));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.figures.len(), 8);
    let ingest = find(&r, "engine ingest", Some("ClickHouse engine"));
    assert!(ingest.ratio().is_some_and(|x| close(x, 0.5)));
    let pivot = find(
        &r,
        "engine pivot, 100 domains, p50",
        Some("ClickHouse engine"),
    );
    assert!(pivot.ratio().is_some_and(|x| close(x, 600.0)));
    let disk = find(&r, "engine on-disk size", Some("ClickHouse engine"));
    assert!(close(disk.scry, 100.0) && close(disk.peer.as_ref().map_or(0.0, |p| p.1), 50.0));
    assert_eq!(
        r.notes,
        ["100000 domains, 600000 facts, 200 queries of each kind"]
    );
    let mut alone = json(line);
    if let Some(m) = alone.as_object_mut() {
        m.remove("clickhouse");
    }
    let r = engine(&alone);
    assert_eq!(r.problems, ["ClickHouse did not run"]);
    assert_eq!(r.figures.len(), 8);
    assert!(engine(&json(r#"{"bench":"engine"}"#)).figures.is_empty());
}
