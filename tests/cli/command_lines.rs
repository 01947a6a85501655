//! Every logged equivalent command runs exactly what it says. Operations are done with
//! hostile values (a file name, a friendly name, an output path, an AIA URL from a
//! certificate, a deploy target's folder and reload command, full of `;`, `$( )`,
//! backticks, `|`, quotes, newlines and non-ASCII); then each entry's command is pasted into bash with stand-ins for `certdesk` and `curl` that
//! record the arguments they get, and those must be what a POSIX shell parser (Python's
//! `shlex`) reads in the text, with the hostile values whole and nothing else run.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use crate::common::{self, EDGE, TestStore, fx, s};

/// A value no shell may interpret.
const HOSTILE: &str = "a;touch PWNED;$(touch PWNED2)`touch PWNED3`|cat 'q' \"dq\" é\\";

/// Serves `body` for any path, to `n` requests, on 127.0.0.1: its port.
fn serve_any(body: Vec<u8>, n: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    port
}

/// The words of `command` as Python's `shlex.split` reads them.
fn shlex(command: &str) -> Vec<String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, shlex, sys; print(json.dumps(shlex.split(sys.stdin.read())))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(command.as_bytes())?;
            child.wait_with_output()
        })
        .expect("python3 runs");
    assert!(out.status.success(), "shlex could not read {command:?}");
    serde_json::from_slice(&out.stdout).expect("json")
}

/// Runs `command` in bash in `dir` with stand-ins for certdesk and curl on PATH: the
/// argument vectors they got, in order, each with its program's name first.
fn paste(dir: &Path, command: &str) -> Vec<Vec<String>> {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    // One file per run, numbered in order, its words NUL-separated (a word may hold a
    // newline, never a NUL).
    let record = dir.join("argv");
    let _ = std::fs::remove_dir_all(&record);
    std::fs::create_dir_all(&record).expect("record");
    for program in ["certdesk", "curl"] {
        let stub = bin.join(program);
        std::fs::write(
            &stub,
            format!(
                "#!/bin/sh\nn=$(ls '{dir}' | wc -l)\nprintf '%s\\0' {program} \"$@\" > '{dir}'/$n\n",
                dir = s(&record)
            ),
        )
        .expect("stub");
        std::fs::set_permissions(&stub, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
    }
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", command])
        .current_dir(dir)
        .env("PATH", format!("{}:/usr/bin:/bin", s(&bin)))
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs = std::fs::read_dir(&record).expect("record").count();
    (0..runs)
        .map(|n| {
            let words = std::fs::read(record.join(n.to_string())).expect("a run");
            words
                .split(|b| *b == 0)
                .filter(|w| !w.is_empty())
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .collect()
        })
        .collect()
}

#[test]
fn every_logged_command_runs_exactly_its_arguments() {
    let t = TestStore::with_topology(EDGE);
    std::fs::copy(fx("root.pem"), t.dir.path().join("os-roots.pem")).expect("roots");
    let hostile_dir = t.dir.path().join(format!("in {HOSTILE}\nline two"));
    std::fs::create_dir_all(&hostile_dir).expect("dir");

    // An import from a hostile path, of a leaf whose AIA URL is hostile and answers.
    let inter = t.dir.path().join("inter.der");
    common::to_der(&fx("inter.pem"), &inter);
    let port = serve_any(std::fs::read(&inter).expect("inter"), 4);
    let url = format!("http://127.0.0.1:{port}/ca.der;touch${{IFS}}PWNED;|x");
    let ext = format!(
        "subjectAltName=DNS:aia.contoso.net\nextendedKeyUsage=serverAuth\nauthorityInfoAccess=caIssuers;URI:{}\n",
        url.replace('$', "\\$")
    );
    let (leaf, key) =
        common::issue_with_fixture_ca(t.dir.path(), "aia", "aia.contoso.net", &ext, None);
    let source = hostile_dir.join("leaf.pem");
    let mut pem = std::fs::read(&leaf).expect("leaf");
    pem.extend(std::fs::read(key).expect("key"));
    std::fs::write(&source, pem).expect("write");
    let report = t.json(&["import", s(&source), "--exportable", "true"]);
    let thumbprint = report["imported"][0]["thumbprint"]
        .as_str()
        .expect("imported")
        .to_owned();
    assert!(
        !report["fetched_issuers"].to_string().contains("[]"),
        "{report}"
    );

    // A hostile friendly name (no control characters: rename refuses those) and output.
    let name = HOSTILE.replace('\n', " ");
    let renamed = t.run(&["rename", &thumbprint, &name]);
    assert!(renamed.status.success(), "{}", common::stderr(&renamed));
    let output = hostile_dir.join("out.cer");
    t.json(&[
        "export",
        &thumbprint,
        "--output",
        s(&output),
        "--format",
        "der",
    ]);
    // A deploy target whose folder and reload command are hostile.
    let deploy_dir = t.dir.path().join(format!("in {HOSTILE}"));
    std::fs::create_dir_all(&deploy_dir).expect("dir");
    t.json(&[
        "deploy",
        "add",
        "web",
        "--cert",
        &thumbprint,
        "--to",
        s(&deploy_dir),
        "--reload",
        HOSTILE,
    ]);

    let log = t.json(&["log"]);
    let commands: Vec<String> = log
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["command"].as_str().map(str::to_owned))
        .collect();
    let expected_values = [
        s(&source).to_owned(),
        url.clone(),
        name.clone(),
        s(&output).to_owned(),
        s(&deploy_dir).to_owned(),
        HOSTILE.to_owned(),
    ];
    let mut seen = vec![false; expected_values.len()];
    let sandbox = tempfile::tempdir().expect("sandbox");
    for command in &commands {
        let words = shlex(command);
        let meant: Vec<Vec<String>> = words.split(|w| w == "&&").map(<[String]>::to_vec).collect();
        let ran = paste(sandbox.path(), command);
        assert_eq!(ran, meant, "pasting {command:?} ran other arguments");
        for (i, value) in expected_values.iter().enumerate() {
            if ran.iter().flatten().any(|w| w == value) {
                seen[i] = true;
            }
        }
        let side_effects: Vec<_> = std::fs::read_dir(sandbox.path())
            .expect("sandbox")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "bin" && n != "argv")
            .collect();
        assert!(side_effects.is_empty(), "{command:?} made {side_effects:?}");
    }
    assert_eq!(
        seen,
        vec![true; expected_values.len()],
        "every hostile value appears whole in some command: {commands:#?}"
    );
}
