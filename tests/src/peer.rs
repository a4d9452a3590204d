//! Running the independent Python peers (`tests/interop/gss_peer.py`) and driving
//! authcore contexts against them over the CLI framing.
//!
//! Interop tests are `#[ignore]`d so `cargo test` stays fast and offline;
//! `tests/run` installs the peers and runs them with `--ignored`. When run, a
//! missing peer is a failure, never a skip.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use authcore::{Progress, Protect, Step};
use authcore_std::framing::{read_frame, write_frame, MAX_FRAME_LEN};

use authcore_std::rng::OsRng;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Python that has pyspnego and python-gssapi (`.venv`, made by tests/run).
pub fn python() -> PathBuf {
    let p = std::env::var_os("AUTHCORE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/python"));
    assert!(
        p.exists(),
        "no Python peer environment at {} (run tests/run)",
        p.display()
    );
    p
}

/// A running peer process, killed on drop.
pub struct Peer {
    pub child: Child,
    pub stdout: BufReader<ChildStdout>,
}

impl Peer {
    /// Waits for the process and returns (exit status ok, stdout rest, stderr).
    pub fn finish(mut self) -> (bool, String, String) {
        let mut out = String::new();
        let _ = self.stdout.read_to_string(&mut out);
        let status = self.child.wait().expect("wait for peer");
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        (status.success(), out, err)
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `gss_peer.py` with `args` and the given environment.
pub fn spawn_peer(args: &[&str], env: &[(&str, &str)]) -> Peer {
    let mut cmd = Command::new(python());
    cmd.arg(repo_root().join("tests/interop/gss_peer.py"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start gss_peer.py");
    let stdout = BufReader::new(child.stdout.take().expect("peer stdout"));
    Peer { child, stdout }
}

/// Starts a peer server on an ephemeral port; returns it and its port.
pub fn spawn_peer_server(args: &[&str], env: &[(&str, &str)]) -> (Peer, u16) {
    let mut all = vec!["server", "--listen", "127.0.0.1:0"];
    all.extend_from_slice(args);
    let mut peer = spawn_peer(&all, env);
    let mut line = String::new();
    peer.stdout.read_line(&mut line).expect("peer's first line");
    let port = line
        .trim()
        .strip_prefix("listening on ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("peer did not start: {line:?}"));
    (peer, port)
}

/// A listener for a peer client to connect to.
pub fn listen() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    (l, port)
}

/// Accepts one connection with sane timeouts.
pub fn accept(l: &TcpListener) -> TcpStream {
    let (s, _) = l.accept().expect("accept");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s
}

/// Connects with sane timeouts.
pub fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s
}

pub fn recv(s: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    read_frame(s, &mut buf, MAX_FRAME_LEN)?;
    Ok(buf)
}

pub fn send(s: &mut impl Write, data: &[u8]) {
    write_frame(s, data).expect("send frame");
}

/// Where a handshake failed: our context's own error, or the peer going away.
#[derive(Debug)]
pub enum HandshakeError {
    Ours(authcore::Error),
    PeerClosed,
}

/// The current time for contexts.
pub fn now() -> authcore::Time {
    authcore_std::clock::now()
}

/// Runs an initiator handshake; `tamper` may alter each outgoing token.
pub fn initiate<C: Step>(
    s: &mut TcpStream,
    ctx: &mut C,
    mut tamper: impl FnMut(usize, &mut [u8]),
) -> Result<(), HandshakeError> {
    let mut rng = OsRng;
    let mut out = vec![0u8; 64 * 1024];
    let mut input = Vec::new();
    for round in 0.. {
        match ctx
            .step(&input, &mut out, now(), &mut rng)
            .map_err(HandshakeError::Ours)?
        {
            Progress::Continue { written } => {
                tamper(round, &mut out[..written]);
                send(s, &out[..written]);
                input = recv(s).map_err(|_| HandshakeError::PeerClosed)?;
            }
            Progress::Complete { written } => {
                if written > 0 {
                    tamper(round, &mut out[..written]);
                    send(s, &out[..written]);
                    let answer = recv(s).map_err(|_| HandshakeError::PeerClosed)?;
                    assert!(answer.is_empty(), "token after completion");
                }
                return Ok(());
            }
            Progress::SendToKdc { .. } => panic!("unexpected KDC step"),
        }
    }
    unreachable!()
}

/// Runs an acceptor handshake; `tamper` may alter each incoming token.
pub fn accept_handshake<C: Step>(
    s: &mut TcpStream,
    ctx: &mut C,
    mut tamper: impl FnMut(usize, &mut [u8]),
) -> Result<(), HandshakeError> {
    let mut rng = OsRng;
    let mut out = vec![0u8; 64 * 1024];
    for round in 0.. {
        let mut input = recv(s).map_err(|_| HandshakeError::PeerClosed)?;
        tamper(round, &mut input);
        match ctx
            .step(&input, &mut out, now(), &mut rng)
            .map_err(HandshakeError::Ours)?
        {
            Progress::Continue { written } => send(s, &out[..written]),
            Progress::Complete { written } => {
                send(s, &out[..written]);
                return Ok(());
            }
            Progress::SendToKdc { .. } => panic!("unexpected KDC step"),
        }
    }
    unreachable!()
}

/// Seals `msg` into a fresh token.
pub fn seal<C: Protect>(ctx: &mut C, msg: &[u8]) -> Vec<u8> {
    let sizes = ctx.sizes();
    let mut buf = vec![0u8; sizes.seal_header + msg.len() + sizes.seal_trailer];
    buf[sizes.seal_header..][..msg.len()].copy_from_slice(msg);
    let n = ctx.seal(&mut OsRng, &mut buf, msg.len()).expect("seal");
    buf.truncate(n);
    buf
}

/// Unseals a token, returning the message.
pub fn unseal<C: Protect>(ctx: &mut C, mut token: Vec<u8>) -> authcore::Result<Vec<u8>> {
    let r = ctx.unseal(&mut token)?;
    Ok(token[r].to_vec())
}

/// Client side of `gss_peer.py --exercise` without the integrity-only round
/// (NTLM): sealed echo, then a message with our MIC and the peer's MIC back.
pub fn client_exercise<C: Protect>(s: &mut TcpStream, ctx: &mut C, msg: &[u8]) {
    send(s, &seal(ctx, msg));
    let echo = unseal(ctx, recv(s).expect("sealed echo")).expect("unseal the peer's echo");
    assert_eq!(echo, msg);
    let data = [b"signed: ".as_slice(), msg].concat();
    let mut sig = vec![0u8; ctx.sizes().max_signature];
    let n = ctx.sign(&data, &mut sig).expect("sign");
    send(s, &data);
    send(s, &sig[..n]);
    let theirs = recv(s).expect("peer's MIC");
    ctx.verify(&data, &theirs).expect("verify the peer's MIC");
}

/// Server side of `gss_peer.py --exercise` without the integrity-only round.
pub fn server_exercise<C: Protect>(s: &mut TcpStream, ctx: &mut C) -> Vec<u8> {
    let msg = unseal(ctx, recv(s).expect("sealed message")).expect("unseal the peer's message");
    send(s, &seal(ctx, &msg));
    let data = recv(s).expect("signed data");
    let mic = recv(s).expect("peer's MIC");
    ctx.verify(&data, &mic).expect("verify the peer's MIC");
    let mut sig = vec![0u8; ctx.sizes().max_signature];
    let n = ctx.sign(&data, &mut sig).expect("sign");
    send(s, &sig[..n]);
    msg
}
