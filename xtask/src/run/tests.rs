use super::*;

fn runner(name: &str) -> (Runner, PathBuf) {
    let dir = std::env::temp_dir().join(format!("xtask-run-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let r = Runner::new(dir.clone(), dir.join("logs")).unwrap_or_else(|e| panic!("{e:#}"));
    (r, dir)
}

fn sh(script: &str) -> Command {
    let mut c = Command::new("sh");
    c.args(["-c", script]);
    c
}

#[test]
fn success_keeps_output_and_records_the_command() {
    let (r, dir) = runner("ok");
    let mut step = Step::new("demo", "");
    let out = r
        .run(
            &mut step,
            "echo",
            &mut sh("echo out; echo err >&2"),
            Duration::from_secs(10),
        )
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str()),
        ("out\n", "err\n")
    );
    assert_eq!(step.commands, ["sh -c 'echo out; echo err >&2'"]);
    assert!(dir.join("logs/01-demo-echo.stdout").is_file());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn failure_reports_status_and_output_tail() {
    let (r, dir) = runner("fail");
    let mut step = Step::new("demo", "");
    let err = r
        .run(
            &mut step,
            "fail",
            &mut sh("echo partial; echo 'boom: no such table' >&2; exit 3"),
            Duration::from_secs(10),
        )
        .map(|_| ())
        .map_err(|e| format!("{e:#}"));
    let Err(err) = err else {
        panic!("a failing command succeeded")
    };
    assert!(err.contains("exit status: 3"), "{err}");
    assert!(err.contains("boom: no such table"), "{err}");
    assert!(err.contains("partial"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn timeout_kills_the_process_group() {
    let (r, dir) = runner("timeout");
    let mut step = Step::new("demo", "");
    let start = Instant::now();
    // The child's own child must go too: the group is killed.
    let err = r
        .run(
            &mut step,
            "slow",
            &mut sh("sleep 30 & echo $! > child.pid; wait"),
            Duration::from_millis(500),
        )
        .map(|_| ())
        .map_err(|e| format!("{e:#}"));
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(err.is_err_and(|e| e.contains("timed out")));
    let pid = std::fs::read_to_string(dir.join("child.pid")).unwrap_or_default();
    let pid = pid.trim();
    assert!(!pid.is_empty());
    // Gone, or a zombie waiting for its new parent to reap it.
    let alive = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
            s.rsplit_once(") ")
                .is_some_and(|(_, r)| !r.starts_with('Z'))
        })
    };
    let mut tries = 0;
    while alive() && tries < 50 {
        std::thread::sleep(Duration::from_millis(100));
        tries += 1;
    }
    assert!(!alive(), "sleep {pid} survived the timeout");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn commands_are_shown_as_shell_lines() {
    let mut c = Command::new("/root/x/target/release/examples/bench");
    c.env("DNSTWIST_PYTHON", "/v/bin/python")
        .args(["--json", "it's", "a b", ""]);
    assert_eq!(
        display_cmd(&c),
        r"DNSTWIST_PYTHON=/v/bin/python /root/x/target/release/examples/bench --json 'it'\''s' 'a b' ''"
    );
    assert_eq!(shell_quote("target/bench-try"), "target/bench-try");
    assert_eq!(shell_quote("$HOME"), "'$HOME'");
}

#[test]
fn tail_prefers_stderr() {
    let out = Output {
        stdout: (1..=30).map(|i| format!("o{i}\n")).collect(),
        stderr: (1..=30).map(|i| format!("e{i}\n")).collect(),
    };
    assert_eq!(tail(&out, 5), "e26\ne27\ne28\ne29\ne30");
    let quiet = Output {
        stdout: "a\nb\nc\n".to_owned(),
        stderr: "only\n".to_owned(),
    };
    assert_eq!(tail(&quiet, 6), "a\nb\nc\nonly");
}
