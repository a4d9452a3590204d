//! End-to-end tests of `authcore serve` / `authcore connect` with NTLM: against
//! itself, against misbehaving clients, and (ignored unless run by tests/run)
//! against the Python peers in tests/interop/gss_peer.py.

use std::io::Write;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::*;

fn users_file(tag: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("authcore-cli-users-{tag}-{}", std::process::id()));
    std::fs::write(&p, "CORP:alice:Passw0rd!\n:bob:hunter2\n").unwrap();
    p
}

fn serve(tag: &str, extra: &[&str]) -> Server {
    let users = users_file(tag);
    Server::spawn(
        Command::new(BIN)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--package",
                "ntlm",
                "--users",
            ])
            .arg(&users)
            .args(extra),
    )
}

fn connect(
    port: u16,
    user: &str,
    domain: &str,
    password: &str,
    message: &str,
) -> (bool, String, String) {
    let mut child = Command::new(BIN)
        .args([
            "connect",
            &format!("127.0.0.1:{port}"),
            "--package",
            "ntlm",
            "--user",
            user,
        ])
        .args(["--domain", domain, "--password-stdin", "--message", message])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    outcome(child.wait_with_output().unwrap())
}

#[test]
fn connect_to_serve() {
    let server = serve("self", &[]);
    let (ok, out, err) = connect(
        server.port,
        "alice",
        "CORP",
        "Passw0rd!",
        "hello from the CLI",
    );
    assert!(ok, "connect failed: {err}");
    assert_eq!(out, "hello from the CLI\n");
    assert_eq!(next_line(&server.stdout), "authenticated: CORP\\alice");
    // An empty domain in the users file matches any domain the client names.
    let (ok, out, err) = connect(server.port, "BOB", "ELSEWHERE", "hunter2", "second");
    assert!(ok, "connect failed: {err}");
    assert_eq!(out, "second\n");
    assert_eq!(next_line(&server.stdout), "authenticated: ELSEWHERE\\BOB");
}

#[test]
fn wrong_password_fails_on_both_sides_and_server_keeps_serving() {
    let server = serve("wrongpw", &[]);
    let (ok, out, err) = connect(server.port, "alice", "CORP", "nope", "x");
    assert!(!ok);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "one-line error expected: {err:?}");
    assert!(err.contains("rejected"), "{err}");
    let log = next_line(&server.stderr);
    assert!(log.contains("logon denied"), "{log}");
    let (ok, _, err) = connect(server.port, "alice", "CORP", "Passw0rd!", "still here");
    assert!(ok, "{err}");
}

#[test]
fn server_survives_misbehaving_clients() {
    let server = serve("hostile", &["--timeout", "2"]);
    let addr = ("127.0.0.1", server.port);
    // A length prefix of 4 GiB - 1.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(&[0xff, 0xff, 0xff, 0xff, 1, 2, 3]).unwrap();
    let log = next_line(&server.stderr);
    assert!(log.contains("exceeds the limit"), "{log}");
    // A garbage token in a well-formed frame.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(&[0, 0, 0, 5, b'h', b'e', b'l', b'l', b'o'])
        .unwrap();
    let log = next_line(&server.stderr);
    assert!(log.contains("handshake"), "{log}");
    // An early disconnect in the middle of a frame.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(&[0, 0, 0, 40, 1, 2]).unwrap();
    drop(s);
    let log = next_line(&server.stderr);
    assert!(log.contains("reading"), "{log}");
    // A client that never finishes is cut off at the deadline.
    let started = Instant::now();
    let _silent = TcpStream::connect(addr).unwrap();
    let log = next_line(&server.stderr);
    assert!(
        log.contains("deadline")
            || log.contains("timed out")
            || log.contains("Resource temporarily"),
        "{log}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    // And the server still serves.
    let (ok, out, err) = connect(server.port, "alice", "CORP", "Passw0rd!", "after the storm");
    assert!(ok, "{err}");
    assert_eq!(out, "after the storm\n");
}

#[test]
fn usage_errors_are_one_line() {
    let out = Command::new(BIN)
        .args(["serve", "--package", "ntlm"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--listen"), "{err}");
}

// ---- against the Python peers -----------------------------------------------

#[test]
#[ignore = "needs pyspnego and gss-ntlmssp: run by tests/run"]
fn python_clients_to_authcore_serve() {
    let server = serve("py-clients", &[]);
    for backend in ["pyspnego", "gssapi"] {
        let out = Command::new(python())
            .arg(peer_script())
            .args([
                "client",
                "--backend",
                backend,
                "--connect",
                &format!("127.0.0.1:{}", server.port),
            ])
            .args([
                "--user",
                "alice",
                "--domain",
                "CORP",
                "--password",
                "Passw0rd!",
            ])
            .args(["--message", &format!("from {backend}")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{backend}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("from {backend}\n")
        );
        assert_eq!(next_line(&server.stdout), "authenticated: CORP\\alice");
    }
}

#[test]
#[ignore = "needs pyspnego and gss-ntlmssp: run by tests/run"]
fn authcore_connect_to_python_servers() {
    let users = users_file("py-servers");
    for backend in ["pyspnego", "gssapi"] {
        let mut peer = Command::new(python())
            .arg(peer_script())
            .args(["server", "--backend", backend, "--listen", "127.0.0.1:0"])
            .env("NTLM_USER_FILE", &users)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let peer_out = lines(peer.stdout.take().unwrap());
        let port: u16 = next_line(&peer_out)
            .trim_start_matches("listening on ")
            .parse()
            .unwrap();
        let (ok, out, err) = connect(port, "alice", "CORP", "Passw0rd!", &format!("to {backend}"));
        assert!(ok, "{backend}: {err}");
        assert_eq!(out, format!("to {backend}\n"));
        assert_eq!(next_line(&peer_out), "authenticated: CORP\\alice");
        let _ = peer.kill();
        let _ = peer.wait();
    }
}
