use super::*;

#[test]
fn values_are_rounded_for_people() {
    for (v, unit, want) in [
        (55_712.4, "records/s", "55,712 records/s"),
        (1_234_567.0, "", "1,234,567"),
        (-12_345.0, "s", "-12,345 s"),
        (100.0, "µs", "100 µs"),
        (99.94, "MB/s", "99.9 MB/s"),
        (10.0, "ms", "10.0 ms"),
        (4.871, "s", "4.87 s"),
        (0.0, "%", "0.00%"),
        (0.4321, "%", "0.432%"),
        (0.012_34, "s", "0.0123 s"),
        (0.000_000_1, "s", "0.000000 s"),
        (f64::NAN, "s", "–"),
        (f64::INFINITY, "MiB", "–"),
    ] {
        assert_eq!(fmt_value(v, unit), want, "{v} {unit}");
    }
}

#[test]
fn ratios_keep_about_three_digits() {
    assert_eq!(fmt_ratio(0.404), "0.40x");
    assert_eq!(fmt_ratio(2.5), "2.50x");
    assert_eq!(fmt_ratio(32.17), "32.2x");
    assert_eq!(fmt_ratio(134.6), "135x");
}

#[test]
fn ratio_says_how_much_better_scry_is() {
    // Lower is better: the peer's time over ours.
    let t = Figure::new("parse", "s", 2.0, Better::Lower).peer("named", 30.0);
    assert_eq!(t.ratio(), Some(15.0));
    // Higher is better: our rate over the peer's.
    let r = Figure::new("rate", "records/s", 50_000.0, Better::Higher).peer("py", 2_000.0);
    assert_eq!(r.ratio(), Some(25.0));
    // Slower than the peer: below 1.
    let s = Figure::new("ingest", "facts/s", 73.0, Better::Higher).peer("PG", 181.0);
    assert!(s.ratio().is_some_and(|x| (x - 0.403).abs() < 0.001));
    // No peer, or a zero that would divide: no ratio.
    assert_eq!(Figure::new("x", "s", 1.0, Better::Lower).ratio(), None);
    assert_eq!(
        Figure::new("x", "s", 0.0, Better::Lower)
            .peer("p", 1.0)
            .ratio(),
        None
    );
    assert_eq!(
        Figure::new("x", "s", f64::NAN, Better::Lower)
            .peer("p", 1.0)
            .ratio(),
        None
    );
}

#[test]
fn utc_timestamps() {
    assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
    assert_eq!(utc_timestamp(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(utc_timestamp(1_735_689_599), "2024-12-31T23:59:59Z");
    assert_eq!(utc_timestamp(1_735_689_600), "2025-01-01T00:00:00Z");
    assert_eq!(utc_timestamp(1_795_434_952), "2026-11-23T11:55:52Z");
    assert_eq!(utc_timestamp(-1), "1969-12-31T23:59:59Z");
}

#[test]
fn machine_from_proc_text() {
    let cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n";
    assert_eq!(
        parse_cpuinfo(cpuinfo),
        ("Intel(R) Xeon(R) CPU @ 2.20GHz".to_owned(), 2)
    );
    assert_eq!(parse_cpuinfo(""), ("unknown CPU".to_owned(), 0));
    let meminfo = "MemTotal:       24576000 kB\nMemFree:         1000 kB\n";
    assert_eq!(parse_meminfo_total(meminfo), 24_576_000);
    assert_eq!(parse_meminfo_total("garbage"), 0);
}

fn sample() -> Report {
    let mut ok = Step::new("zone", "Zone parse vs BIND.");
    ok.commands
        .push("target/release/examples/zone_bench com.zone --compare --json".to_owned());
    ok.seconds = 12.3;
    ok.figures.push(
        Figure::new("zone parse CPU time", "s", 0.68, Better::Lower)
            .peer("named-compilezone", 21.9)
            .target("≥ 20x named-compilezone"),
    );
    ok.figures.push(Figure::new(
        "zone parse peak RSS",
        "MiB",
        2.0,
        Better::Lower,
    ));
    ok.notes.push("156 MB, 4360000 records".to_owned());
    let mut failed = Step::new("whois", "WHOIS vs Python.");
    failed
        .commands
        .push("python3 bench/whois_peers.py".to_owned());
    failed.status = Status::Failed("`python3` failed (exit status: 1)\nTraceback | x".to_owned());
    let mut skipped = Step::new("risk", "Risk scoring.");
    skipped.status = Status::Skipped("not in this tree".to_owned());
    Report {
        scale: "small".to_owned(),
        scale_detail: vec!["zone 200000 delegations".to_owned()],
        peers: vec!["named-compilezone 9.18".to_owned()],
        date: "2026-11-23T12:00:00Z".to_owned(),
        commit: "abc123".to_owned(),
        dirty: true,
        command: "cargo xtask bench all --scale small".to_owned(),
        machine: Machine {
            cpu: "Test CPU".to_owned(),
            cores: 2,
            ram_kib: 24 << 20,
            kernel: "6.1".to_owned(),
            load_start: "1.00 0.50 0.25".to_owned(),
            load_end: "2.00 1.00 0.50".to_owned(),
        },
        steps: vec![ok, failed, skipped],
    }
}

#[test]
fn markdown_table_has_every_figure_peer_and_ratio() {
    let table = figures_table(&sample().steps);
    assert_eq!(
        table,
        "| step | measure | scry | peer | peer's figure | ratio | target |\n\
         |---|---|---|---|---|---|---|\n\
         | zone | zone parse CPU time | 0.680 s | named-compilezone | 21.9 s | 32.2x | ≥ 20x named-compilezone |\n\
         | zone | zone parse peak RSS | 2.00 MiB | – | – | – |  |\n\
         | whois | **failed**: `python3` failed (exit status: 1) | | | | | |\n\
         | risk | skipped: not in this tree | | | | | |\n"
    );
}

#[test]
fn markdown_report_names_machine_commit_scale_and_failures() {
    let md = sample().to_markdown();
    for want in [
        "# Scry benchmarks, scale `small`",
        "- command: `cargo xtask bench all --scale small`",
        "- date: 2026-11-23T12:00:00Z",
        "- commit: `abc123` (dirty: uncommitted changes)",
        "- machine: Test CPU, 2 cores, 24.0 GiB RAM, Linux 6.1; load average 1.00 0.50 0.25 at the start, 2.00 1.00 0.50 at the end",
        "- scale: zone 200000 delegations",
        "- peers: named-compilezone 9.18",
        "- steps: 2 run, 1 failed, 1 skipped",
        "### zone (ok, 12 s)",
        "```sh\ntarget/release/examples/zone_bench com.zone --compare --json\n```",
        "- 156 MB, 4360000 records",
        "### whois (**FAILED**, 0 s)",
        "Error:\n\n```text\n`python3` failed (exit status: 1)\nTraceback | x\n```",
        "### risk (skipped: not in this tree, 0 s)",
    ] {
        assert!(md.contains(want), "missing {want:?} in\n{md}");
    }
}

#[test]
fn json_report_keeps_status_errors_and_ratios() {
    let r = sample();
    assert_eq!(r.failed(), 1);
    let v = r.to_json();
    assert_eq!(v["scale"], "small");
    assert_eq!(v["dirty"], true);
    assert_eq!(v["failed_steps"], 1);
    assert_eq!(v["machine"]["cores"], 2);
    assert_eq!(v["machine"]["ram_kib"], 24u64 << 20);
    let steps = v["steps"].as_array().map(Vec::len);
    assert_eq!(steps, Some(3));
    assert_eq!(v["steps"][0]["status"], "ok");
    assert_eq!(v["steps"][0]["figures"][0]["peer"], "named-compilezone");
    assert_eq!(v["steps"][0]["figures"][0]["peer_value"], 21.9);
    let ratio = v["steps"][0]["figures"][0]["ratio"].as_f64();
    assert!(ratio.is_some_and(|x| (x - 21.9 / 0.68).abs() < 1e-9));
    assert_eq!(v["steps"][0]["figures"][1]["ratio"], Value::Null);
    assert_eq!(v["steps"][1]["status"], "failed");
    assert!(
        v["steps"][1]["error"]
            .as_str()
            .is_some_and(|e| e.contains("Traceback"))
    );
    assert_eq!(v["steps"][2]["status"], "skipped");
    assert_eq!(v["steps"][2]["skipped_because"], "not in this tree");
    // NaN is not JSON: it becomes null.
    let mut nan = sample();
    nan.steps[0].figures[0].scry = f64::NAN;
    assert_eq!(nan.to_json()["steps"][0]["figures"][0]["scry"], Value::Null);
}
