//! End-to-end tests of `authcore serve` / `authcore connect` with Kerberos
//! against the MIT realm of tests/interop/mit-realm.sh: tickets from `kinit` +
//! `kvno`, the service keytab `kadmin.local` exported, the CLI against itself
//! and against MIT GSS-API (tests/interop/gss_peer.py) both ways, `--service`,
//! and a client without a ticket.
//!
//! Ignored unless run by tests/run, which starts the realm and exports its
//! variables; when run, a missing realm fails the tests.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use authcore_std::keytab::Keytab;

mod common;
use common::*;

fn require_env(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{name} is not set: these tests need the MIT realm of \
             tests/interop/mit-realm.sh; run them through tests/run, or \
             `eval \"$(tests/interop/mit-realm.sh start)\"` first"
        ),
    }
}

/// The realm's files, from the environment.
struct Realm {
    dir: PathBuf,
    realm: String,
    user: String,
    user_keytab: PathBuf,
    config: PathBuf,
    service_keytab: PathBuf,
}

impl Realm {
    fn from_env() -> Realm {
        let file = |name: &str| {
            let p = PathBuf::from(require_env(name));
            assert!(p.is_file(), "{name}={} does not exist", p.display());
            p
        };
        Realm {
            dir: PathBuf::from(require_env("AUTHCORE_MIT_DIR")),
            realm: require_env("AUTHCORE_MIT_REALM"),
            user: require_env("AUTHCORE_MIT_USER"),
            user_keytab: file("AUTHCORE_MIT_USER_KEYTAB"),
            config: file("KRB5_CONFIG"),
            service_keytab: file("AUTHCORE_MIT_SERVICE_KEYTAB"),
        }
    }

    fn user_principal(&self) -> String {
        format!("{}@{}", self.user, self.realm)
    }

    /// Keytab of `etype17/localhost` (a second service, made by the script).
    fn second_service_keytab(&self) -> PathBuf {
        let p = self.dir.join("etype17.keytab");
        assert!(p.is_file(), "{} is missing: restart the realm", p.display());
        p
    }
}

/// A per-test directory holding the credential cache, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("authcore-cli-krb-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }

    fn ccache(&self) -> PathBuf {
        self.0.join("ccache")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The Kerberos environment of a child process: the realm's config, this
/// test's credential cache, and replay caches kept in the scratch directory.
fn krb_env(cmd: &mut Command, realm: &Realm, scratch: &Scratch) {
    krb_env_config(cmd, &realm.config, scratch);
}

/// [`krb_env`] with another client config (a per-etype one).
fn krb_env_config(cmd: &mut Command, config: &Path, scratch: &Scratch) {
    cmd.env("KRB5_CONFIG", config)
        .env("KRB5CCNAME", format!("FILE:{}", scratch.ccache().display()))
        .env("KRB5RCACHEDIR", &scratch.0);
}

fn run_tool(realm: &Realm, scratch: &Scratch, tool: &str, args: &[&str]) {
    run_tool_config(&realm.config, scratch, tool, args);
}

fn run_tool_config(config: &Path, scratch: &Scratch, tool: &str, args: &[&str]) {
    let mut cmd = Command::new(tool);
    cmd.args(args);
    krb_env_config(&mut cmd, config, scratch);
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A TGT for the user in the scratch cache.
fn kinit(realm: &Realm, scratch: &Scratch) {
    let keytab = realm.user_keytab.display().to_string();
    run_tool(
        realm,
        scratch,
        "kinit",
        &["-k", "-t", &keytab, &realm.user_principal()],
    );
}

fn kvno(realm: &Realm, scratch: &Scratch, service: &str) {
    run_tool(realm, scratch, "kvno", &[service]);
}

/// `authcore serve --package kerberos --keytab KEYTAB [extra]`.
fn serve(realm: &Realm, scratch: &Scratch, keytab: &Path, extra: &[&str]) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--package", "kerberos"])
        .arg("--keytab")
        .arg(keytab)
        .args(extra);
    krb_env(&mut cmd, realm, scratch);
    Server::spawn(&mut cmd)
}

/// `authcore connect --package kerberos --target TARGET --message MESSAGE`.
fn connect(
    realm: &Realm,
    scratch: &Scratch,
    port: u16,
    target: &str,
    message: &str,
) -> (bool, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(["connect", &format!("127.0.0.1:{port}")])
        .args(["--package", "kerberos", "--target", target])
        .args(["--message", message]);
    krb_env(&mut cmd, realm, scratch);
    outcome(cmd.output().unwrap())
}

#[test]
#[ignore = "needs the MIT realm: run by tests/run"]
fn connect_to_serve_with_a_kdc_ticket() {
    let realm = Realm::from_env();
    let scratch = Scratch::new("self");
    kinit(&realm, &scratch);
    kvno(&realm, &scratch, "host/localhost");
    let server = serve(&realm, &scratch, &realm.service_keytab, &[]);
    for target in [
        "host/localhost",
        "host@localhost",
        "host/localhost@AUTHCORE.TEST",
    ] {
        let message = format!("hello via {target}");
        let (ok, out, err) = connect(&realm, &scratch, server.port, target, &message);
        assert!(ok, "{target}: {err}");
        assert_eq!(out, format!("{message}\n"));
        assert_eq!(
            next_line(&server.stdout),
            format!("authenticated: {}", realm.user_principal())
        );
    }
}

#[test]
#[ignore = "needs the MIT realm: run by tests/run"]
fn mit_client_to_serve() {
    let realm = Realm::from_env();
    let scratch = Scratch::new("mit-client");
    // MIT gets the service ticket itself, with the TGT.
    kinit(&realm, &scratch);
    let server = serve(&realm, &scratch, &realm.service_keytab, &[]);
    let mut cmd = Command::new(python());
    cmd.arg(peer_script())
        .args(["client", "--mech", "krb5", "--backend", "gssapi"])
        .args(["--connect", &format!("127.0.0.1:{}", server.port)])
        .args(["--target", "host@localhost", "--message", "from MIT"]);
    krb_env(&mut cmd, &realm, &scratch);
    let (ok, out, err) = outcome(cmd.output().unwrap());
    assert!(ok, "MIT client: {err}");
    assert_eq!(out, "from MIT\n");
    assert_eq!(
        next_line(&server.stdout),
        format!("authenticated: {}", realm.user_principal())
    );
}

#[test]
#[ignore = "needs the MIT realm: run by tests/run"]
fn connect_to_mit_server() {
    let realm = Realm::from_env();
    let scratch = Scratch::new("mit-server");
    kinit(&realm, &scratch);
    kvno(&realm, &scratch, "host/localhost");
    let peer = MitServer::start(&realm.config, &scratch, &realm.service_keytab);
    let (ok, out, err) = connect(&realm, &scratch, peer.port, "host@localhost", "to MIT");
    assert!(ok, "{err}");
    assert_eq!(out, "to MIT\n");
    assert_eq!(
        next_line(&peer.out),
        format!("authenticated: {}", realm.user_principal())
    );
    assert_eq!(next_line(&peer.out), "message: to MIT");
    peer.finish("MIT server");
}

/// The MIT GSS-API acceptor (python `gssapi`) serving one client with
/// `keytab`, under the client config `config`.
struct MitServer {
    child: std::process::Child,
    out: std::sync::mpsc::Receiver<String>,
    port: u16,
}

impl MitServer {
    fn start(config: &Path, scratch: &Scratch, keytab: &Path) -> MitServer {
        let mut cmd = Command::new(python());
        cmd.arg(peer_script())
            .args(["server", "--mech", "krb5", "--backend", "gssapi"])
            .args(["--listen", "127.0.0.1:0"])
            .env("KRB5_KTNAME", format!("FILE:{}", keytab.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        krb_env_config(&mut cmd, config, scratch);
        let mut child = cmd.spawn().unwrap();
        let out = lines(child.stdout.take().unwrap());
        let port: u16 = next_line(&out)
            .trim_start_matches("listening on ")
            .parse()
            .unwrap();
        MitServer { child, out, port }
    }

    /// Waits for the server to exit and asserts it succeeded.
    fn finish(mut self, what: &str) {
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(status.success(), "{what}: {err}");
    }
}

#[test]
#[ignore = "needs the MIT realm: run by tests/run"]
fn serve_with_service_refuses_other_tickets_and_keeps_serving() {
    let realm = Realm::from_env();
    let scratch = Scratch::new("service");
    kinit(&realm, &scratch);
    kvno(&realm, &scratch, "host/localhost");
    kvno(&realm, &scratch, "etype17/localhost");
    // One keytab with both services; --service admits only one of them.
    let mut both = Keytab::read(&realm.service_keytab).unwrap();
    both.entries.extend(
        Keytab::read(&realm.second_service_keytab())
            .unwrap()
            .entries,
    );
    let keytab = scratch.0.join("both.keytab");
    both.write(&keytab).unwrap();

    for service in [
        "etype17/localhost",
        "etype17@localhost",
        "etype17/localhost@AUTHCORE.TEST",
    ] {
        let server = serve(&realm, &scratch, &keytab, &["--service", service]);
        let (ok, out, err) = connect(&realm, &scratch, server.port, "host/localhost", "nope");
        assert!(!ok, "{service}: a ticket for another service passed: {out}");
        assert!(out.is_empty(), "{out}");
        assert_eq!(err.lines().count(), 1, "one-line error expected: {err:?}");
        // The acceptor's KRB-ERROR reaches the client: KRB_AP_ERR_NOT_US.
        assert!(err.contains("KRB-ERROR 35"), "{err}");
        let log = next_line(&server.stderr);
        assert!(log.contains("unknown user or principal"), "{log}");
        // The server still serves the service it was given.
        let (ok, out, err) = connect(&realm, &scratch, server.port, "etype17/localhost", "yes");
        assert!(ok, "{service}: {err}");
        assert_eq!(out, "yes\n");
        assert_eq!(
            next_line(&server.stdout),
            format!("authenticated: {}", realm.user_principal())
        );
    }
    // A realm other than the ticket's is refused as well.
    let server = serve(
        &realm,
        &scratch,
        &keytab,
        &["--service", "etype17/localhost@OTHER.TEST"],
    );
    let (ok, _, err) = connect(&realm, &scratch, server.port, "etype17/localhost", "x");
    assert!(!ok && err.contains("KRB-ERROR 35"), "{err}");
}

#[test]
#[ignore = "needs the MIT realm: run by tests/run"]
fn connect_without_a_ticket_names_kvno() {
    let realm = Realm::from_env();
    let scratch = Scratch::new("no-ticket");
    kinit(&realm, &scratch);
    let server = serve(&realm, &scratch, &realm.service_keytab, &[]);
    let (ok, out, err) = connect(&realm, &scratch, server.port, "host/localhost", "x");
    assert!(!ok);
    assert!(out.is_empty(), "{out}");
    assert_eq!(err.lines().count(), 1, "one-line error expected: {err:?}");
    assert!(err.contains("`kvno host/localhost`"), "{err}");
    assert!(err.contains("host/localhost@AUTHCORE.TEST"), "{err}");
    // Nothing reached the server's handshake.
    assert!(server
        .stdout
        .recv_timeout(Duration::from_millis(200))
        .is_err());
}

/// The stderr lines of a served process until one starts with `prefix`.
fn stderr_line(server: &Server, prefix: &str) -> String {
    loop {
        let line = next_line(&server.stderr);
        if line.starts_with(prefix) {
            return line;
        }
    }
}

/// With `AUTHCORE_WRAP_IOV=1` the CLI wraps through the IOV form (rotated
/// layout, Windows' shape: everything before the data) and unwraps MIT's
/// tokens (RRC 0) through it: against MIT GSS-API as client and as server,
/// for every etype (service `etypeN/localhost`, client config allowing N only).
#[test]
#[ignore = "needs the MIT realm: run by tests/run"]
fn iov_wrap_against_mit_for_every_etype() {
    let realm = Realm::from_env();
    for n in [17, 18, 19, 20, 23] {
        let config = realm.dir.join(format!("krb5-etype{n}.conf"));
        let keytab = realm.dir.join(format!("etype{n}.keytab"));
        let scratch = Scratch::new(&format!("iov-{n}"));
        let keytab_arg = realm.user_keytab.display().to_string();
        let user = realm.user_principal();
        run_tool_config(
            &config,
            &scratch,
            "kinit",
            &["-k", "-t", &keytab_arg, &user],
        );
        let service = format!("etype{n}/localhost");
        run_tool_config(&config, &scratch, "kvno", &[&service]);
        // Token shapes: RFC 4121 with confidentiality is header 16 + the
        // confounder 16, then header copy 16 + MAC (12, 12, 16, 24); rc4-hmac
        // is framing 13 + 32 before the data and one byte of padding after.
        let (ours, mits) = match n {
            17 | 18 => ("60-byte header", "32-byte header"),
            19 => ("64-byte header", "32-byte header"),
            20 => ("72-byte header", "32-byte header"),
            _ => ("45-byte header", "45-byte header"),
        };
        let trailers = match n {
            17 | 18 => ("0-byte trailer", "28-byte trailer"),
            19 => ("0-byte trailer", "32-byte trailer"),
            20 => ("0-byte trailer", "40-byte trailer"),
            _ => ("1-byte trailer", "1-byte trailer"),
        };

        // MIT client -> our server.
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--package", "kerberos"])
            .arg("--keytab")
            .arg(&keytab)
            .env("AUTHCORE_WRAP_IOV", "1");
        krb_env_config(&mut cmd, &config, &scratch);
        let server = Server::spawn(&mut cmd);
        let message = format!("MIT to IOV server, etype {n}");
        let mut cmd = Command::new(python());
        cmd.arg(peer_script())
            .args(["client", "--mech", "krb5", "--backend", "gssapi"])
            .args(["--connect", &format!("127.0.0.1:{}", server.port)])
            .args(["--target", &format!("etype{n}@localhost")])
            .args(["--message", &message]);
        krb_env_config(&mut cmd, &config, &scratch);
        let (ok, out, err) = outcome(cmd.output().unwrap());
        assert!(ok, "etype {n}: MIT client: {err}");
        assert_eq!(out, format!("{message}\n"));
        assert_eq!(next_line(&server.stdout), format!("authenticated: {user}"));
        let len = message.len();
        assert_eq!(
            stderr_line(&server, "IOV unwrap"),
            format!("IOV unwrap: {mits}, {len}-byte data, {}", trailers.1),
            "etype {n}"
        );
        assert_eq!(
            stderr_line(&server, "IOV wrap"),
            format!("IOV wrap: {ours}, {len}-byte data, {}", trailers.0),
            "etype {n}"
        );
        drop(server);

        // Our client -> MIT server.
        let peer = MitServer::start(&config, &scratch, &keytab);
        let port = peer.port;
        let message = format!("IOV client to MIT, etype {n}");
        let mut cmd = Command::new(BIN);
        cmd.args(["connect", &format!("127.0.0.1:{port}")])
            .args(["--package", "kerberos", "--target", &service])
            .args(["--message", &message])
            .env("AUTHCORE_WRAP_IOV", "1");
        krb_env_config(&mut cmd, &config, &scratch);
        let (ok, out, err) = outcome(cmd.output().unwrap());
        assert!(ok, "etype {n}: {err}");
        assert_eq!(out, format!("{message}\n"));
        let len = message.len();
        assert_eq!(
            err,
            format!(
                "IOV wrap: {ours}, {len}-byte data, {}\nIOV unwrap: {mits}, {len}-byte data, {}\n",
                trailers.0, trailers.1
            ),
            "etype {n}"
        );
        assert_eq!(next_line(&peer.out), format!("authenticated: {user}"));
        assert_eq!(next_line(&peer.out), format!("message: {message}"));
        peer.finish(&format!("etype {n}: MIT server"));
    }
}
