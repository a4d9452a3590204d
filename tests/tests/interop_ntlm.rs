//! NTLM against independent peers: pyspnego's own NTLM and MIT GSS-API with
//! gss-ntlmssp, both directions, each followed by sealed messages both ways and
//! MICs both ways; wrong passwords and tampered MICs are refused.
//!
//! Run by `tests/run` (`cargo test -p authcore-tests --test interop_ntlm -- --ignored`).

use std::io::Write;

use authcore::ntlm::{self, Acceptor, AcceptorConfig, Initiator, InitiatorConfig};
use authcore::Error;
use authcore_std::users::UsersFile;
use authcore_tests::peer::*;

const DOMAIN: &str = "CORP";
const USER: &str = "alice";
const PASSWORD: &str = "Passw0rd!ü";
/// A user and domain outside ASCII: NTOWFv2 upper-cases the user name, so the
/// peers' case mapping must agree with ours (letters whose simple and full
/// upper-case mappings are the same, as Python's `str.upper` uses the full one).
const INTL: Who = Who {
    user: "zoë.ωmega",
    domain: "ÉQUIPE",
};
const ASCII: Who = Who {
    user: USER,
    domain: DOMAIN,
};

/// Channel bindings' application data on each side (`None`: unbound), as a
/// TLS server's "tls-server-end-point:" and certificate hash would be.
#[derive(Clone, Copy)]
struct Cbt {
    ours: Option<&'static str>,
    peer: Option<&'static str>,
}
const UNBOUND: Cbt = Cbt {
    ours: None,
    peer: None,
};
const TLS_A: &str = "tls-server-end-point:sha256 of certificate A";
const TLS_B: &str = "tls-server-end-point:sha256 of certificate B";

impl Cbt {
    fn peer_args(&self) -> Vec<&'static str> {
        self.peer.map(|a| vec!["--cbt", a]).unwrap_or_default()
    }
    fn our_hash(&self) -> Option<[u8; 16]> {
        self.ours.map(|a| ntlm::channel_bindings_hash(a.as_bytes()))
    }
}

#[derive(Clone, Copy)]
struct Who {
    user: &'static str,
    domain: &'static str,
}
const BACKENDS: [&str; 2] = ["pyspnego", "gssapi"];

/// A users file for the peers' acceptors (gss-ntlmssp and pyspnego both read
/// NTLM_USER_FILE), kept for the test's lifetime.
fn users_file(who: Who) -> (tempfile_path::TempPath, String) {
    let path = tempfile_path::TempPath::new("ntlm-users");
    let mut f = std::fs::File::create(&path.0).unwrap();
    writeln!(f, "{}:{}:{PASSWORD}", who.domain, who.user).unwrap();
    let p = path.0.display().to_string();
    (path, p)
}

mod tempfile_path {
    pub struct TempPath(pub std::path::PathBuf);
    impl TempPath {
        pub fn new(name: &str) -> TempPath {
            let p = std::env::temp_dir().join(format!(
                "authcore-{name}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            TempPath(p)
        }
    }
    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

fn store(who: Who) -> UsersFile {
    UsersFile::parse(&format!("{}:{}:{PASSWORD}\n", who.domain, who.user)).unwrap()
}

fn acceptor_config(require_mic: bool) -> AcceptorConfig<'static> {
    let mut c = AcceptorConfig::new("AUTHCORE", "WORKGROUP");
    c.require_mic = require_mic;
    c
}

// ---- authcore initiator -> peer acceptor ------------------------------------

fn initiator_to_peer(
    backend: &str,
    who: Who,
    password: &str,
    tamper_mic: bool,
    cbt: Cbt,
) -> (bool, String) {
    let (_users, users_path) = users_file(who);
    let mut args = vec!["--backend", backend, "--exercise"];
    args.extend(cbt.peer_args());
    let (peer, port) = spawn_peer_server(&args, &[("NTLM_USER_FILE", &users_path)]);
    let mut s = connect(port);
    let mut config = InitiatorConfig::new().with_target_name("host/localhost");
    if let Some(hash) = cbt.our_hash() {
        config = config.with_channel_bindings(hash);
    }
    let mut ctx = Initiator::new(who.user, who.domain, password, config).unwrap();
    let result = initiate(&mut s, &mut ctx, |round, token| {
        if tamper_mic && round == 1 {
            // AUTHENTICATE: the MIC sits at a fixed offset when present.
            token[ntlm::wire::MIC_OFFSET] ^= 0x01;
        }
    });
    if result.is_ok() && !tamper_mic && password == PASSWORD {
        client_exercise(
            &mut s,
            &mut ctx,
            format!("authcore -> {backend}").as_bytes(),
        );
    }
    drop(s);
    let (ok, out, err) = peer.finish();
    (ok, format!("{out}{err}"))
}

#[test]
#[ignore = "needs pyspnego and gss-ntlmssp: run by tests/run"]
fn authcore_initiator_to_peer_acceptors() {
    for backend in BACKENDS {
        for who in [ASCII, INTL] {
            let (ok, log) = initiator_to_peer(backend, who, PASSWORD, false, UNBOUND);
            assert!(ok, "{backend} acceptor failed for {}: {log}", who.user);
            assert!(
                log.contains(&format!("authenticated: {}\\{}", who.domain, who.user)),
                "{backend}: {log}"
            );
            assert!(log.contains("exercise: ok"), "{backend}: {log}");
        }
    }
}

#[test]
#[ignore = "needs pyspnego and gss-ntlmssp: run by tests/run"]
fn peer_acceptors_refuse_wrong_password_and_tampered_mic() {
    for backend in BACKENDS {
        let (ok, log) = initiator_to_peer(backend, ASCII, "not the password", false, UNBOUND);
        assert!(
            !ok && !log.contains("authenticated:"),
            "{backend} accepted a wrong password: {log}"
        );
        let (ok, log) = initiator_to_peer(backend, ASCII, PASSWORD, true, UNBOUND);
        assert!(
            !ok && !log.contains("authenticated:"),
            "{backend} accepted a tampered MIC: {log}"
        );
    }
}

// ---- peer initiator -> authcore acceptor ------------------------------------

/// The peer's exit status, stdout and stderr.
type PeerOutcome = (bool, String, String);

/// Runs one peer client against an in-process acceptor; returns the acceptor's
/// handshake outcome and (when established) the exchanged message.
fn peer_to_acceptor(
    backend: &str,
    who: Who,
    password: &str,
    require_mic: bool,
    cbt: Cbt,
    tamper: impl FnMut(usize, &mut [u8]),
) -> (Result<Vec<u8>, HandshakeError>, PeerOutcome) {
    let (listener, port) = listen();
    let addr = format!("127.0.0.1:{port}");
    let message = format!("{backend} -> authcore");
    let mut args = vec![
        "client",
        "--backend",
        backend,
        "--connect",
        &addr,
        "--user",
        who.user,
        "--domain",
        who.domain,
        "--password",
        password,
        "--target",
        "host/localhost",
        "--message",
        &message,
        "--exercise",
    ];
    args.extend(cbt.peer_args());
    let peer = spawn_peer(&args, &[]);
    let mut s = accept(&listener);
    let users = store(who);
    let mut config = acceptor_config(require_mic);
    config.channel_bindings = cbt.our_hash();
    let mut ctx = Acceptor::new(&users, config).unwrap();
    let result = accept_handshake(&mut s, &mut ctx, tamper).map(|()| {
        let id = ctx.identity().expect("identity after completion");
        assert_eq!((id.user, id.domain), (who.user, who.domain));
        server_exercise(&mut s, &mut ctx)
    });
    drop(s);
    (result, peer.finish())
}

#[test]
#[ignore = "needs pyspnego and gss-ntlmssp: run by tests/run"]
fn peer_initiators_to_authcore_acceptor() {
    for backend in BACKENDS {
        // gss-ntlmssp 1.2 sends no MIC; pyspnego does, and then we demand it.
        let require_mic = backend == "pyspnego";
        for who in [ASCII, INTL] {
            let (result, (ok, out, err)) =
                peer_to_acceptor(backend, who, PASSWORD, require_mic, UNBOUND, |_, _| {});
            let msg = result.unwrap_or_else(|e| panic!("{backend}, {}: {e:?}: {err}", who.user));
            assert_eq!(msg, format!("{backend} -> authcore").as_bytes());
            assert!(ok, "{backend} client failed: {out}{err}");
            assert!(out.contains("exercise: ok"), "{backend}: {out}");
        }
    }
}

#[test]
#[ignore = "needs pyspnego and gss-ntlmssp: run by tests/run"]
fn authcore_acceptor_refuses_wrong_password() {
    for backend in BACKENDS {
        let (result, _) =
            peer_to_acceptor(backend, ASCII, "wrong password", false, UNBOUND, |_, _| {});
        match result {
            Err(HandshakeError::Ours(Error::LogonDenied)) => {}
            other => panic!("{backend}: expected LogonDenied, got {other:?}"),
        }
    }
}

#[test]
#[ignore = "needs pyspnego and gss-ntlmssp: run by tests/run"]
fn authcore_acceptor_refuses_tampered_mic() {
    // pyspnego sends a MIC: flip one bit of it in flight.
    let (result, _) = peer_to_acceptor(
        "pyspnego",
        ASCII,
        PASSWORD,
        true,
        UNBOUND,
        |round, token| {
            if round == 1 {
                token[ntlm::wire::MIC_OFFSET + 3] ^= 0x80;
            }
        },
    );
    match result {
        Err(HandshakeError::Ours(Error::Integrity { what })) if what == authcore::what!("MIC") => {}
        other => panic!("pyspnego: expected Integrity(MIC), got {other:?}"),
    }
    // gss-ntlmssp sends no MIC; with one required, its AUTHENTICATE is refused by
    // policy, and stripping the MIC-present flag would break its NTLMv2 proof.
    let (result, _) = peer_to_acceptor("gssapi", ASCII, PASSWORD, true, UNBOUND, |_, _| {});
    match result {
        Err(HandshakeError::Ours(Error::Policy { .. })) => {}
        other => panic!("gss-ntlmssp with a required MIC: expected Policy, got {other:?}"),
    }
}

// ---- channel bindings (Extended Protection) -----------------------------------

#[test]
#[ignore = "needs pyspnego and gss-ntlmssp: run by tests/run"]
fn channel_bindings_agree_with_peers_both_ways() {
    let bound = Cbt {
        ours: Some(TLS_A),
        peer: Some(TLS_A),
    };
    for backend in BACKENDS {
        let (ok, log) = initiator_to_peer(backend, ASCII, PASSWORD, false, bound);
        assert!(
            ok,
            "{backend} acceptor refused matching channel bindings: {log}"
        );
        assert!(log.contains("exercise: ok"), "{backend}: {log}");

        let require_mic = backend == "pyspnego";
        let (result, (ok, out, err)) =
            peer_to_acceptor(backend, ASCII, PASSWORD, require_mic, bound, |_, _| {});
        let msg =
            result.unwrap_or_else(|e| panic!("{backend} with channel bindings: {e:?}: {err}"));
        assert_eq!(msg, format!("{backend} -> authcore").as_bytes());
        assert!(ok && out.contains("exercise: ok"), "{backend}: {out}{err}");
    }
}

#[test]
#[ignore = "needs pyspnego and gss-ntlmssp: run by tests/run"]
fn authcore_acceptor_refuses_other_or_missing_channel_bindings() {
    let other = Cbt {
        ours: Some(TLS_A),
        peer: Some(TLS_B),
    };
    let missing = Cbt {
        ours: Some(TLS_A),
        peer: None,
    };
    for backend in BACKENDS {
        for (case, cbt) in [("other", other), ("missing", missing)] {
            let (result, _) = peer_to_acceptor(backend, ASCII, PASSWORD, false, cbt, |_, _| {});
            match result {
                Err(HandshakeError::Ours(Error::Policy { what }))
                    if what == authcore::what!("NTLM channel bindings") => {}
                other => panic!("{backend}, {case} bindings: expected Policy, got {other:?}"),
            }
        }
    }
}

#[test]
#[ignore = "needs pyspnego and gss-ntlmssp: run by tests/run"]
fn peer_acceptors_refuse_other_channel_bindings() {
    let other = Cbt {
        ours: Some(TLS_B),
        peer: Some(TLS_A),
    };
    for backend in BACKENDS {
        let (ok, log) = initiator_to_peer(backend, ASCII, PASSWORD, false, other);
        assert!(
            !ok && !log.contains("authenticated:"),
            "{backend} accepted other channel bindings: {log}"
        );
    }
}
