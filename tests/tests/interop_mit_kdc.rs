//! authcore's krb5 GSS contexts against a real MIT KDC realm (MIT krb5 1.20,
//! tests/interop/mit-realm.sh), once per etype: tickets and session keys the
//! KDC issues (with its PAC), MIT's GSS initiator and acceptor
//! (tests/interop/gss_peer.py), and the refusals both sides report.
//!
//! Per etype N the realm has `etypeN/localhost`, whose only key and whose
//! session keys are of etype N, and a client config permitting N only, so the
//! service key, the session key, both GSS subkeys and so every per-message
//! token are of etype N. Each test checks the etypes actually used: in the
//! AP-REQ, in the authenticator and the AP-REP (decrypted here with the session
//! key from the MIT credential cache), and in `klist -e`.
//!
//! Run by tests/run (`cargo test -p authcore-tests --test interop_mit_kdc --
//! --ignored` with the realm's exports); a missing realm fails the tests.

use std::net::TcpStream;

use authcore::crypto::{Etype, Key};
use authcore::kerberos::wire::{error_code, name_type, KerberosString, PrincipalName, Ticket};
use authcore::kerberos::{
    gss_flags, Acceptor, AcceptorConfig, Initiator, InitiatorConfig, KeyTable, ReplayCache,
    ReplayCheck,
};
use authcore::{Error, Progress, Step, Time};
use authcore_std::ccache::Credential;
use authcore_std::keytab::{Entry, Keytab};
use authcore_std::krb::{NameParts, SharedReplayCache};
use authcore_std::rng::OsRng;
use authcore_tests::krb_peer::*;
use authcore_tests::peer::{
    connect, listen, now, recv, send, spawn_peer, spawn_peer_server, HandshakeError, Peer,
};

/// Whether the RFC 4121 token format (and so an acceptor subkey) is used.
fn is_cfx(etype: Etype) -> bool {
    etype != Etype::Rc4Hmac
}

fn later(t: Time, secs: i64) -> Time {
    Time::from_unix_micros(t.unix_micros() + secs * 1_000_000)
}

/// Our acceptor's configuration for `etypeN/localhost`.
fn service_config<'a>(realm: &'a MitRealm, parts: &'a [KerberosString<'a>]) -> AcceptorConfig<'a> {
    AcceptorConfig {
        service: Some(PrincipalName::new(name_type::SRV_HST, parts)),
        service_realm: Some(realm.realm.as_bytes()),
        require_mutual: true,
        ..AcceptorConfig::default()
    }
}

fn service_parts(etype: Etype) -> [String; 2] {
    [format!("etype{}", etype.as_i32()), "localhost".into()]
}

fn strings(parts: &[String; 2]) -> [KerberosString<'_>; 2] {
    [
        KerberosString(parts[0].as_bytes()),
        KerberosString(parts[1].as_bytes()),
    ]
}

/// An MIT initiator (`gss_peer.py client --exercise`) with a fresh TGT of
/// etype N only, connected to us.
struct MitClient {
    _scratch: Scratch,
    env: MitEnv,
    peer: Peer,
    stream: TcpStream,
    message: String,
    service: String,
}

impl MitClient {
    fn start(realm: &MitRealm, etype: Etype, tag: &str) -> MitClient {
        let n = etype.as_i32();
        let scratch = Scratch::new(&format!("{tag}-{n}"));
        let env = MitEnv::new(&scratch, &realm.etype_config(etype));
        env.kinit(realm);
        let service = realm.etype_service(etype);
        // GSS host-based form, as applications name services.
        let target = service.replacen('/', "@", 1);
        let message = format!("MIT -> authcore, etype {n} ({tag})");
        let (listener, port) = listen();
        let addr = format!("127.0.0.1:{port}");
        let mut peer = env.with_vars(|vars| {
            spawn_peer(
                &[
                    "client",
                    "--mech",
                    "krb5",
                    "--backend",
                    "gssapi",
                    "--connect",
                    &addr,
                    "--target",
                    &target,
                    "--message",
                    &message,
                    "--exercise",
                ],
                vars,
            )
        });
        let stream = accept_peer(&listener, &mut peer);
        MitClient {
            _scratch: scratch,
            env,
            peer,
            stream,
            message,
            service,
        }
    }

    /// The service ticket MIT got for the handshake.
    fn credential(&self, realm: &MitRealm) -> Credential {
        self.env.credential(realm, &self.service)
    }

    /// Closes our side and returns (peer succeeded, stdout, stderr).
    fn finish(self) -> (bool, String, String) {
        drop(self.stream);
        self.peer.finish()
    }
}

/// Asserts the MIT initiator failed and names `text` (its rendering of the
/// KRB-ERROR code our acceptor sent).
fn assert_mit_reports(client: MitClient, text: &str) {
    let (ok, out, err) = client.finish();
    assert!(!ok, "the MIT initiator did not fail: {out}{err}");
    assert!(
        err.contains(text),
        "the MIT initiator did not report {text:?}: {err}"
    );
}

// ---- MIT initiator -> authcore acceptor, per etype --------------------------

fn mit_initiator_to_authcore_acceptor(etype: Etype) {
    let n = etype.as_i32();
    let realm = MitRealm::from_env();
    let keytab = Keytab::read(&realm.etype_keytab(etype)).unwrap();
    let kvno = keytab.entries[0].kvno;
    let parts = service_parts(etype);
    let names = strings(&parts);
    let mut cache = ReplayCache::<8>::new();
    let mut acc = Acceptor::new(&keytab, &mut cache, service_config(&realm, &names)).unwrap();

    let mut client = MitClient::start(&realm, etype, "mit-init");
    let (ap_req, outcome) = accept_from(&mut client.stream, &mut acc, now(), |_| {});
    let written = match outcome.result {
        Ok(Progress::Complete { written }) => written,
        ref other => {
            let (_, out, err) = client.finish();
            panic!("etype {n}: acceptor {other:?}; MIT: {out}{err}")
        }
    };
    assert!(written > 0, "no AP-REP for a mutual client");
    let facts = ap_req_facts(&ap_req);
    assert_eq!(facts.ticket_etype, n, "ticket enc-part etype");
    assert_eq!(facts.ticket_kvno, Some(kvno));
    assert_eq!(facts.authenticator_etype, n, "session key etype");
    assert_eq!(acc.identity().unwrap().to_string(), realm.user_principal());
    let want = gss_flags::CONF | gss_flags::INTEG | gss_flags::MUTUAL;
    assert_eq!(acc.flags() & want, want, "flags {:#x}", acc.flags());

    let got = server_exercise_krb(&mut client.stream, &mut acc, &mut no_tamper).unwrap();
    assert_eq!(got, client.message.as_bytes());

    // The keys behind the tokens: session key and both subkeys of etype N.
    let cred = client.credential(&realm);
    assert_eq!(cred.enctype, n, "ccache session key etype");
    let session_key = cred.key().unwrap();
    assert_eq!(authenticator_subkey_etype(&ap_req, &session_key), Some(n));
    assert_eq!(
        ap_rep_subkey_etype(&outcome.answer, &session_key),
        is_cfx(etype).then_some(n),
        "our acceptor subkey"
    );
    let klist = client.env.klist_e();
    let name = mit_enctype_name(etype);
    assert_eq!(
        klist_etypes(&klist, &client.service),
        format!("{name}, {name}")
    );

    let message = client.message.clone();
    let (ok, out, err) = client.finish();
    assert!(ok, "etype {n}: MIT initiator failed: {err}");
    assert_eq!(out, format!("{message}\nexercise: ok\n"), "{err}");
}

// ---- authcore initiator -> MIT acceptor, per etype --------------------------

/// A client environment with a TGT and a ticket for `etypeN/localhost`.
fn ticket_for(realm: &MitRealm, etype: Etype, tag: &str) -> (Scratch, MitEnv, Credential) {
    let scratch = Scratch::new(&format!("{tag}-{}", etype.as_i32()));
    let env = MitEnv::new(&scratch, &realm.etype_config(etype));
    env.kinit(realm);
    let service = realm.etype_service(etype);
    env.kvno(&service);
    let cred = env.credential(realm, &service);
    (scratch, env, cred)
}

/// `gss_peer.py server --mech krb5 --exercise` with `keytab`.
fn mit_server(
    scratch: &Scratch,
    config: &std::path::Path,
    keytab: &std::path::Path,
) -> (Peer, u16) {
    let env = MitEnv::new(scratch, config).with_keytab(keytab);
    env.with_vars(|vars| {
        spawn_peer_server(
            &["--mech", "krb5", "--backend", "gssapi", "--exercise"],
            vars,
        )
    })
}

fn initiator<'a>(cred: &'a Credential, client: &'a [KerberosString<'a>], nt: i32) -> Initiator<'a> {
    Initiator::new(
        &cred.ticket,
        cred.key().unwrap(),
        PrincipalName::new(nt, client),
        &cred.client.realm,
        InitiatorConfig::default(),
    )
    .unwrap()
}

fn authcore_initiator_to_mit_acceptor(etype: Etype) {
    let n = etype.as_i32();
    let realm = MitRealm::from_env();
    let (scratch, _env, cred) = ticket_for(&realm, etype, "ours-init");
    assert_eq!(cred.enctype, n, "session key etype from the KDC");
    let ticket = Ticket::parse(&cred.ticket).unwrap();
    assert_eq!(ticket.enc_part.etype, n, "ticket enc-part etype");

    let (peer, port) = mit_server(
        &scratch,
        &realm.etype_config(etype),
        &realm.etype_keytab(etype),
    );
    let mut s = connect(port);
    let client = NameParts::of(&cred.client);
    let client_strings = client.strings();
    let mut init = initiator(&cred, &client_strings, client.name_type());
    let outcome = match initiate_to(&mut s, &mut init, now(), |_| {}) {
        Ok(o) => o,
        Err(e) => {
            drop(s);
            let (_, out, err) = peer.finish();
            panic!("etype {n}: {e:?}; MIT: {out}{err}")
        }
    };
    let facts = ap_req_facts(&outcome.ap_req);
    assert_eq!(
        (facts.ticket_etype, facts.authenticator_etype),
        (n, n),
        "AP-REQ etypes"
    );
    let session_key = cred.key().unwrap();
    assert_eq!(
        authenticator_subkey_etype(&outcome.ap_req, &session_key),
        Some(n)
    );
    // MIT's acceptor subkey follows our subkey's etype (we send no RFC 4537
    // list). For rc4-hmac too, although RFC 4757 tokens cannot say which key
    // they use: both sides keep the initiator's subkey then.
    assert_eq!(
        ap_rep_subkey_etype(&outcome.answer, &session_key),
        Some(n),
        "MIT's acceptor subkey"
    );
    let message = format!("authcore -> MIT, etype {n}");
    client_exercise_krb(&mut s, &mut init, message.as_bytes(), &mut no_tamper).unwrap();
    drop(s);
    let (ok, out, err) = peer.finish();
    assert!(ok, "etype {n}: MIT acceptor failed: {err}");
    assert_eq!(
        out,
        format!(
            "authenticated: {}\nmessage: {message}\nexercise: ok\n",
            realm.user_principal()
        ),
        "{err}"
    );
}

macro_rules! per_etype {
    ($($mit_init:ident, $ours_init:ident, $etype:expr;)*) => {$(
        #[test]
        #[ignore = "needs the MIT realm: run by tests/run"]
        fn $mit_init() {
            mit_initiator_to_authcore_acceptor($etype);
        }

        #[test]
        #[ignore = "needs the MIT realm: run by tests/run"]
        fn $ours_init() {
            authcore_initiator_to_mit_acceptor($etype);
        }
    )*};
}

per_etype! {
    mit_initiator_aes128_sha1, authcore_initiator_aes128_sha1, Etype::Aes128CtsHmacSha196;
    mit_initiator_aes256_sha1, authcore_initiator_aes256_sha1, Etype::Aes256CtsHmacSha196;
    mit_initiator_aes128_sha256, authcore_initiator_aes128_sha256, Etype::Aes128CtsHmacSha256128;
    mit_initiator_aes256_sha384, authcore_initiator_aes256_sha384, Etype::Aes256CtsHmacSha384192;
    mit_initiator_rc4_hmac, authcore_initiator_rc4_hmac, Etype::Rc4Hmac;
}

// ---- refusals by our acceptor of real MIT AP-REQs ---------------------------

/// One MIT initiator against our acceptor over `keytab` at `now`, the AP-REQ
/// altered by `tamper`; returns the outcome and the client for its report.
fn refuse<K: KeyTable + ?Sized, C: ReplayCheck>(
    realm: &MitRealm,
    etype: Etype,
    tag: &str,
    acc: &mut Acceptor<'_, K, C>,
    at: impl FnOnce(Time) -> Time,
    tamper: impl FnOnce(&mut [u8]),
) -> (AcceptOutcome, MitClient) {
    let mut client = MitClient::start(realm, etype, tag);
    let (_, outcome) = accept_from(&mut client.stream, acc, at(now()), tamper);
    (outcome, client)
}

#[test]
#[ignore = "needs the MIT realm: run by tests/run"]
fn acceptor_refuses_a_key_version_it_lacks() {
    let realm = MitRealm::from_env();
    let etype = Etype::Aes256CtsHmacSha196;
    let mut keytab = Keytab::read(&realm.etype_keytab(etype)).unwrap();
    for e in &mut keytab.entries {
        e.kvno += 1;
    }
    let parts = service_parts(etype);
    let names = strings(&parts);
    let mut cache = ReplayCache::<4>::new();
    let mut acc = Acceptor::new(&keytab, &mut cache, service_config(&realm, &names)).unwrap();
    let (outcome, client) = refuse(&realm, etype, "kvno", &mut acc, |t| t, |_| {});
    assert_eq!(outcome.result, Err(Error::BadKeyVersion));
    assert_eq!(outcome.error_code(), error_code::KRB_AP_ERR_BADKEYVER);
    assert_mit_reports(client, "Key version is not available");
}

#[test]
#[ignore = "needs the MIT realm: run by tests/run"]
fn acceptor_refuses_a_skewed_clock() {
    let realm = MitRealm::from_env();
    let etype = Etype::Aes128CtsHmacSha256128;
    let keytab = Keytab::read(&realm.etype_keytab(etype)).unwrap();
    let parts = service_parts(etype);
    let names = strings(&parts);
    for skew in [3600, -3600] {
        let mut cache = ReplayCache::<4>::new();
        let mut acc = Acceptor::new(&keytab, &mut cache, service_config(&realm, &names)).unwrap();
        let (outcome, client) = refuse(&realm, etype, "skew", &mut acc, |t| later(t, skew), |_| {});
        assert_eq!(outcome.result, Err(Error::ClockSkew), "skew {skew}");
        assert_eq!(outcome.error_code(), error_code::KRB_AP_ERR_SKEW);
        assert_mit_reports(client, "Clock skew too great");
    }
}

#[test]
#[ignore = "needs the MIT realm: run by tests/run"]
fn acceptor_refuses_expired_and_future_tickets() {
    // An MIT initiator never presents a ticket outside its lifetime, so our
    // initiator carries the real MIT ticket, its authenticator dated `at`.
    let realm = MitRealm::from_env();
    let etype = Etype::Aes256CtsHmacSha384192;
    let (_scratch, _env, cred) = ticket_for(&realm, etype, "expired");
    let keytab = Keytab::read(&realm.etype_keytab(etype)).unwrap();
    let parts = service_parts(etype);
    let names = strings(&parts);
    let client = NameParts::of(&cred.client);
    let client_strings = client.strings();
    let end = Time::from_unix_secs(i64::from(cred.times.endtime));
    let start = Time::from_unix_secs(i64::from(cred.times.start()));
    for (at, error, code) in [
        (
            later(end, 3600),
            Error::Expired,
            error_code::KRB_AP_ERR_TKT_EXPIRED,
        ),
        (
            later(start, -3600),
            Error::NotYetValid,
            error_code::KRB_AP_ERR_TKT_NYV,
        ),
    ] {
        let mut init = initiator(&cred, &client_strings, client.name_type());
        let mut out = vec![0u8; 64 * 1024];
        let Ok(Progress::Continue { written }) = init.step(&[], &mut out, at, &mut OsRng) else {
            panic!("initiator did not start")
        };
        let mut cache = ReplayCache::<4>::new();
        let mut acc = Acceptor::new(&keytab, &mut cache, service_config(&realm, &names)).unwrap();
        let outcome = accept_token(&mut acc, &out[..written], at);
        assert_eq!(outcome.result, Err(error));
        assert_eq!(outcome.error_code(), code);
        // Our initiator names the acceptor's refusal.
        assert_eq!(
            init.step(&outcome.answer, &mut out, at, &mut OsRng),
            Err(Error::KrbError { code })
        );
    }
    // Within its lifetime the same ticket is accepted.
    let mut init = initiator(&cred, &client_strings, client.name_type());
    let mut out = vec![0u8; 64 * 1024];
    let Ok(Progress::Continue { written }) = init.step(&[], &mut out, now(), &mut OsRng) else {
        panic!("initiator did not start")
    };
    let mut cache = ReplayCache::<4>::new();
    let mut acc = Acceptor::new(&keytab, &mut cache, service_config(&realm, &names)).unwrap();
    let outcome = accept_token(&mut acc, &out[..written], now());
    assert!(outcome.result.is_ok(), "{outcome:?}");
    assert_eq!(
        init.step(&outcome.answer, &mut out, now(), &mut OsRng),
        Ok(Progress::Complete { written: 0 })
    );
}

#[test]
#[ignore = "needs the MIT realm: run by tests/run"]
fn acceptor_refuses_a_replayed_ap_req() {
    let realm = MitRealm::from_env();
    let etype = Etype::Aes256CtsHmacSha196;
    let keytab = Keytab::read(&realm.etype_keytab(etype)).unwrap();
    let parts = service_parts(etype);
    let names = strings(&parts);
    let shared = SharedReplayCache::default();
    let mut client = MitClient::start(&realm, etype, "replay");
    let ap_req = recv(&mut client.stream).unwrap();

    let mut first = Acceptor::new(&keytab, shared.clone(), service_config(&realm, &names)).unwrap();
    assert!(accept_token(&mut first, &ap_req, now()).result.is_ok());
    // A second acceptor sharing the cache (another connection of one server).
    let mut second =
        Acceptor::new(&keytab, shared.clone(), service_config(&realm, &names)).unwrap();
    let outcome = accept_token(&mut second, &ap_req, now());
    assert_eq!(outcome.result, Err(Error::Replay));
    assert_eq!(outcome.error_code(), error_code::KRB_AP_ERR_REPEAT);
    // Only the cache refused it: an acceptor with its own cache accepts.
    let mut fresh = ReplayCache::<4>::new();
    let mut third = Acceptor::new(&keytab, &mut fresh, service_config(&realm, &names)).unwrap();
    assert!(accept_token(&mut third, &ap_req, now()).result.is_ok());

    send(&mut client.stream, &outcome.answer);
    assert_mit_reports(client, "Request is a replay");
}

#[test]
#[ignore = "needs the MIT realm: run by tests/run"]
fn acceptor_refuses_a_modified_ticket_or_authenticator() {
    let realm = MitRealm::from_env();
    for etype in Etype::MODERN {
        let n = etype.as_i32();
        let keytab = Keytab::read(&realm.etype_keytab(etype)).unwrap();
        let parts = service_parts(etype);
        let names = strings(&parts);
        for part in ["ticket", "authenticator"] {
            let mut cache = ReplayCache::<4>::new();
            let mut acc =
                Acceptor::new(&keytab, &mut cache, service_config(&realm, &names)).unwrap();
            let (outcome, client) = refuse(
                &realm,
                etype,
                part,
                &mut acc,
                |t| t,
                |token| {
                    let facts = ap_req_facts(token);
                    let cipher = if part == "ticket" {
                        facts.ticket_cipher
                    } else {
                        facts.authenticator_cipher
                    };
                    token[cipher.start + cipher.len() / 2] ^= 0x01;
                },
            );
            assert!(
                matches!(outcome.result, Err(Error::Integrity { .. })),
                "etype {n}, {part}: {:?}",
                outcome.result
            );
            assert_eq!(
                outcome.error_code(),
                error_code::KRB_AP_ERR_MODIFIED,
                "etype {n}, {part}"
            );
            assert_mit_reports(client, "Message stream modified");
        }
    }
}

#[test]
#[ignore = "needs the MIT realm: run by tests/run"]
fn modified_per_message_tokens_are_refused_both_ways() {
    let realm = MitRealm::from_env();
    for etype in Etype::MODERN {
        let n = etype.as_i32();
        let keytab = Keytab::read(&realm.etype_keytab(etype)).unwrap();
        let parts = service_parts(etype);
        let names = strings(&parts);
        // MIT's sealed, integrity-only and MIC tokens, one flipped byte each.
        for index in 0..3 {
            let mut cache = ReplayCache::<4>::new();
            let mut acc =
                Acceptor::new(&keytab, &mut cache, service_config(&realm, &names)).unwrap();
            let mut client = MitClient::start(&realm, etype, "wrap");
            let (_, outcome) = accept_from(&mut client.stream, &mut acc, now(), |_| {});
            assert!(outcome.result.is_ok(), "{outcome:?}");
            let mut flip = |dir: Dir, i: usize, token: &mut [u8]| {
                if dir == Dir::In && i == index {
                    let last = token.len() - 1;
                    token[last] ^= 0x80;
                }
            };
            let result = server_exercise_krb(&mut client.stream, &mut acc, &mut flip);
            assert!(
                matches!(result, Err(HandshakeError::Ours(Error::Integrity { .. }))),
                "etype {n}, token {index}: {result:?}"
            );
            let (ok, _, _) = client.finish();
            assert!(!ok, "etype {n}: MIT went on after our refusal");
        }
        // Ours, flipped on the way to MIT's acceptor: MIT refuses them.
        let (scratch, _env, cred) = ticket_for(&realm, etype, "wrap-out");
        let client = NameParts::of(&cred.client);
        let client_strings = client.strings();
        for index in 0..3 {
            let (peer, port) = mit_server(
                &scratch,
                &realm.etype_config(etype),
                &realm.etype_keytab(etype),
            );
            let mut s = connect(port);
            let mut init = initiator(&cred, &client_strings, client.name_type());
            initiate_to(&mut s, &mut init, now(), |_| {}).unwrap();
            let mut flip = |dir: Dir, i: usize, token: &mut [u8]| {
                if dir == Dir::Out && i == index {
                    let last = token.len() - 1;
                    token[last] ^= 0x80;
                }
            };
            let result = client_exercise_krb(&mut s, &mut init, b"flipped", &mut flip);
            assert!(
                matches!(result, Err(HandshakeError::PeerClosed)),
                "etype {n}, token {index}: {result:?}"
            );
            drop(s);
            let (ok, out, err) = peer.finish();
            assert!(!ok, "etype {n}, token {index}: MIT accepted it: {out}");
            assert!(err.starts_with("error: "), "{err}");
            assert!(!out.contains("exercise: ok"), "{out}");
        }
    }
}

// ---- KRB-ERRORs from MIT's acceptor to our initiator --------------------------

#[test]
#[ignore = "needs the MIT realm: run by tests/run"]
fn authcore_initiator_reports_mit_krb_errors() {
    let realm = MitRealm::from_env();
    let etype = Etype::Aes128CtsHmacSha196;
    let (scratch, _env, cred) = ticket_for(&realm, etype, "mit-errors");
    let client = NameParts::of(&cred.client);
    let client_strings = client.strings();

    // A keytab whose only key is another version's (a key change the service
    // missed). MIT tries keys of other versions too, so the same key under
    // another kvno would pass there (our acceptor refuses it: see
    // acceptor_refuses_a_key_version_it_lacks).
    let mut shifted = Keytab::read(&realm.etype_keytab(etype)).unwrap();
    shifted.entries = shifted
        .entries
        .iter()
        .map(|e| {
            let key = Key::random(etype, &mut OsRng).unwrap();
            Entry::new(
                e.principal.clone(),
                e.timestamp,
                e.kvno + 1,
                e.enctype,
                key.as_bytes(),
            )
        })
        .collect();
    let shifted_path = scratch.path("shifted.keytab");
    shifted.write(&shifted_path).unwrap();
    // A keytab without the service at all.
    let other = realm.etype_keytab(Etype::Aes256CtsHmacSha196);

    let service_keytab = realm.etype_keytab(etype);
    fn untouched(_: &mut [u8]) {}
    fn flip_authenticator(token: &mut [u8]) {
        let c = ap_req_facts(token).authenticator_cipher;
        token[c.start + 20] ^= 0x01;
    }
    fn flip_ticket(token: &mut [u8]) {
        let c = ap_req_facts(token).ticket_cipher;
        token[c.start + 20] ^= 0x01;
    }
    // MIT 1.20 answers a ticket or authenticator that fails to decrypt with
    // KRB_AP_ERR_BAD_INTEGRITY (31); our acceptor sends KRB_AP_ERR_MODIFIED
    // (41) there, which MIT's initiator reports as well.
    let cases = [
        MitRefusal {
            what: "key of another version",
            keytab: &shifted_path,
            clock_offset_secs: 0,
            tamper: untouched,
            code: error_code::KRB_AP_ERR_BADKEYVER,
        },
        MitRefusal {
            what: "keytab without the service",
            keytab: &other,
            clock_offset_secs: 0,
            tamper: untouched,
            code: error_code::KRB_AP_ERR_NOT_US,
        },
        MitRefusal {
            what: "our clock an hour ahead",
            keytab: &service_keytab,
            clock_offset_secs: 3600,
            tamper: untouched,
            code: error_code::KRB_AP_ERR_SKEW,
        },
        MitRefusal {
            what: "modified authenticator",
            keytab: &service_keytab,
            clock_offset_secs: 0,
            tamper: flip_authenticator,
            code: error_code::KRB_AP_ERR_BAD_INTEGRITY,
        },
        MitRefusal {
            what: "modified ticket",
            keytab: &service_keytab,
            clock_offset_secs: 0,
            tamper: flip_ticket,
            code: error_code::KRB_AP_ERR_BAD_INTEGRITY,
        },
    ];
    for case in cases {
        let code = case.code;
        let (peer, port) = mit_server(&scratch, &realm.etype_config(etype), case.keytab);
        let mut s = connect(port);
        let mut init = initiator(&cred, &client_strings, client.name_type());
        let at = later(now(), case.clock_offset_secs);
        let result = initiate_to(&mut s, &mut init, at, case.tamper);
        let Err((HandshakeError::Ours(error), _)) = result else {
            let ok = result.is_ok();
            drop(s);
            panic!(
                "{}: expected KRB-ERROR {code}: ok={ok} {:?}",
                case.what,
                peer.finish()
            )
        };
        assert_eq!(error, Error::KrbError { code }, "{}", case.what);
        drop(s);
        let (ok, out, _) = peer.finish();
        assert!(
            !ok && !out.contains("authenticated"),
            "{}: {out}",
            case.what
        );
    }
}

/// A way to make MIT's acceptor refuse our AP-REQ, and the code it answers.
struct MitRefusal<'a> {
    what: &'a str,
    keytab: &'a std::path::Path,
    clock_offset_secs: i64,
    tamper: fn(&mut [u8]),
    code: i32,
}
