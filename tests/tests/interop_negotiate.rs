//! Negotiate (SPNEGO) against independent initiators, each followed by sealed
//! messages and MICs both ways: pyspnego's own SPNEGO over its NTLM, and MIT
//! GSS-API's SPNEGO over krb5 (a ticket from the realm of mit-realm.sh) and
//! over gss-ntlmssp (a password, or the user file), including the case where
//! the client's first choice is Kerberos and the acceptor has only NTLM, so
//! the mechListMIC must be exchanged (RFC 4178 section 5; after it both
//! sides restart NTLM's RC4 states, which the sealed messages then check).
//!
//! Run by `tests/run` (`cargo test -p authcore-tests --test interop_negotiate -- --ignored`).

use std::io::Write;

use authcore::kerberos::{self, ReplayCache};
use authcore::spnego::{Acceptor, Mech};
use authcore::{ntlm, Error};
use authcore_std::keytab::Keytab;
use authcore_std::users::UsersFile;
use authcore_tests::krb_peer::{MitEnv, MitRealm, Scratch};
use authcore_tests::peer::*;

const DOMAIN: &str = "CORP";
const USER: &str = "alice";
const PASSWORD: &str = "Passw0rd!ü";

/// What the peer client is and what it holds.
struct Client<'a> {
    backend: &'a str,
    /// NTLM credentials on the command line (else only the environment's).
    password: Option<&'a str>,
    env: Vec<(String, String)>,
}

/// The outcome of one exchange: the acceptor's mechanism and whether the
/// mechListMIC went across, or its error; and the peer's output.
type Outcome = (
    Result<(Mech, bool, String), HandshakeError>,
    (bool, String, String),
);

fn run(client: &Client<'_>, users: Option<&UsersFile>, keytab: Option<&Keytab>) -> Outcome {
    let (listener, port) = listen();
    let addr = format!("127.0.0.1:{port}");
    let message = format!("{} -> authcore negotiate", client.backend);
    let mut args = vec![
        "client",
        "--mech",
        "spnego",
        "--backend",
        client.backend,
        "--connect",
        &addr,
        "--target",
        "host@localhost",
        "--message",
        &message,
        "--exercise",
    ];
    if let Some(p) = client.password {
        args.extend(["--user", USER, "--domain", DOMAIN, "--password", p]);
    }
    let env: Vec<(&str, &str)> = client
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let peer = spawn_peer(&args, &env);
    let mut s = accept(&listener);
    let mut replay = ReplayCache::<64>::new();
    let n = users.map(|u| {
        ntlm::Acceptor::new(u, ntlm::AcceptorConfig::new("AUTHCORE", "WORKGROUP")).unwrap()
    });
    let k = keytab.map(|kt| {
        kerberos::Acceptor::new(kt, &mut replay, kerberos::AcceptorConfig::default()).unwrap()
    });
    let mut ctx = Acceptor::new(n, k);
    let result = accept_handshake(&mut s, &mut ctx, |_, _| {}).map(|()| {
        let who = ctx
            .identity()
            .expect("identity after completion")
            .to_string();
        let echoed = server_exercise(&mut s, &mut ctx);
        assert_eq!(echoed, message.as_bytes());
        (ctx.mech().unwrap(), ctx.mech_list_mic_exchanged(), who)
    });
    drop(s);
    (result, peer.finish())
}

fn users() -> UsersFile {
    UsersFile::parse(&format!("{DOMAIN}:{USER}:{PASSWORD}\n")).unwrap()
}

/// A users file for gss-ntlmssp's initiator (it takes default NTLM
/// credentials from NTLM_USER_FILE), kept while the test runs.
struct UserFile(std::path::PathBuf);
impl UserFile {
    fn new(scratch: &Scratch) -> UserFile {
        let p = scratch.path("ntlm-users");
        let mut f = std::fs::File::create(&p).unwrap();
        writeln!(f, "{DOMAIN}:{USER}:{PASSWORD}").unwrap();
        UserFile(p)
    }
}

fn expect_ok(outcome: Outcome, case: &str) -> (Mech, bool, String) {
    let (result, (ok, out, err)) = outcome;
    let r = result.unwrap_or_else(|e| panic!("{case}: {e:?}: {out}{err}"));
    assert!(ok && out.contains("exercise: ok"), "{case}: {out}{err}");
    r
}

#[test]
#[ignore = "needs pyspnego: run by tests/run"]
fn pyspnego_negotiate_over_ntlm() {
    let client = Client {
        backend: "pyspnego",
        password: Some(PASSWORD),
        env: vec![],
    };
    let users = users();
    let (mech, _, who) = expect_ok(run(&client, Some(&users), None), "pyspnego");
    assert_eq!((mech, who.as_str()), (Mech::Ntlm, "CORP\\alice"));

    let wrong = Client {
        password: Some("not the password"),
        ..client
    };
    let (result, _) = run(&wrong, Some(&users), None);
    assert!(
        matches!(result, Err(HandshakeError::Ours(Error::LogonDenied))),
        "{result:?}"
    );
}

#[test]
#[ignore = "needs MIT krb5 and gss-ntlmssp: run by tests/run"]
fn mit_spnego_over_gss_ntlmssp_with_a_password() {
    let client = Client {
        backend: "gssapi",
        password: Some(PASSWORD),
        env: vec![],
    };
    let users = users();
    let (mech, _, who) = expect_ok(run(&client, Some(&users), None), "MIT SPNEGO + gss-ntlmssp");
    assert_eq!((mech, who.as_str()), (Mech::Ntlm, "CORP\\alice"));
}

#[test]
#[ignore = "needs the MIT realm of tests/interop/mit-realm.sh: run by tests/run"]
fn mit_spnego_over_krb5_and_the_ntlm_fallback_with_mech_list_mic() {
    let realm = MitRealm::from_env();
    let scratch = Scratch::new("negotiate");
    let env = MitEnv::new(&scratch, &realm.config);
    env.kinit(&realm);
    let user_file = UserFile::new(&scratch);
    let mut vars = env.vars();
    vars.push(("NTLM_USER_FILE".into(), user_file.0.display().to_string()));
    let keytab = Keytab::read(&realm.service_keytab).unwrap();
    let users = users();
    let client = Client {
        backend: "gssapi",
        password: None,
        env: vars,
    };

    // Both offered, both served: Kerberos, the client's first choice.
    let (mech, mic, who) = expect_ok(run(&client, Some(&users), Some(&keytab)), "krb5 + NTLM");
    assert_eq!(mech, Mech::Kerberos);
    assert!(!mic, "no mechListMIC is needed for the first choice");
    assert_eq!(who, format!("{}@{}", realm.user, realm.realm));

    // No keytab here: NTLM, which was not the client's first choice, so the
    // mechListMIC must protect the offer; the sealed messages after it show
    // both sides restarted their RC4 states the same way.
    let (mech, mic, who) = expect_ok(run(&client, Some(&users), None), "NTLM fallback");
    assert_eq!((mech, who.as_str()), (Mech::Ntlm, "CORP\\alice"));
    assert!(mic, "the mechListMIC was not exchanged");

    // Kerberos only (no users): Kerberos.
    let (mech, _, _) = expect_ok(run(&client, None, Some(&keytab)), "krb5 only");
    assert_eq!(mech, Mech::Kerberos);
}

// ---- authcore's Negotiate initiator -> peer acceptors ---------------------------

/// `gss_peer.py server --mech spnego` with `backend` in `env`; our initiator
/// with the given mechanisms; returns our mechanism and whether the
/// mechListMIC went across, and the peer's log.
fn initiator_to_peer(
    backend: &str,
    env: &[(String, String)],
    krb: Option<&authcore_std::ccache::Credential>,
    ntlm_password: Option<&str>,
) -> (Result<(Mech, bool), HandshakeError>, String) {
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (peer, port) = spawn_peer_server(
        &["--mech", "spnego", "--backend", backend, "--exercise"],
        &vars,
    );
    let mut s = connect(port);
    let parts = krb.map(|c| authcore_std::krb::NameParts::of(&c.client));
    let strings = parts.as_ref().map(|p| p.strings());
    let krb_ctx = match (krb, &parts, &strings) {
        (Some(c), Some(p), Some(st)) => Some(
            kerberos::Initiator::new(
                &c.ticket,
                c.key().unwrap(),
                authcore::kerberos::wire::PrincipalName::new(p.name_type(), st),
                &c.client.realm,
                kerberos::InitiatorConfig::default(),
            )
            .unwrap(),
        ),
        _ => None,
    };
    let ntlm_ctx = ntlm_password.map(|p| {
        ntlm::Initiator::new(
            USER,
            DOMAIN,
            p,
            ntlm::InitiatorConfig::new().with_target_name("host/localhost"),
        )
        .unwrap()
    });
    let mut ctx = authcore::spnego::Initiator::new(krb_ctx, ntlm_ctx).unwrap();
    let result = initiate(&mut s, &mut ctx, |_, _| {}).map(|()| {
        client_exercise(
            &mut s,
            &mut ctx,
            format!("authcore -> {backend} negotiate").as_bytes(),
        );
        (ctx.mech(), ctx.mech_list_mic_exchanged())
    });
    drop(s);
    let (ok, out, err) = peer.finish();
    let log = format!("{out}{err}");
    match result {
        Ok(r) if ok && log.contains("exercise: ok") => (Ok(r), log),
        Ok(_) => panic!("{backend}: the peer did not finish: {log}"),
        Err(e) => (Err(e), log),
    }
}

#[test]
#[ignore = "needs the MIT realm of tests/interop/mit-realm.sh, gss-ntlmssp and pyspnego: run by tests/run"]
fn authcore_negotiate_initiator_to_pyspnego_and_mit_spnego() {
    let realm = MitRealm::from_env();
    let scratch = Scratch::new("negotiate-init");
    let env = MitEnv::new(&scratch, &realm.config);
    env.kinit(&realm);
    env.kvno(&realm.service);
    let cred = env.credential(&realm, &realm.service);
    let user_file = UserFile::new(&scratch);
    let ntlm_users = (
        "NTLM_USER_FILE".to_string(),
        user_file.0.display().to_string(),
    );

    // pyspnego's Negotiate acceptor is NTLM-only here, and it feeds an
    // optimistic token to whatever mechanism it picks (pyspnego 0.12: our
    // AP-REQ would reach its NTLM parser), so it gets an NTLM-only offer;
    // the Kerberos-first fallback is checked against MIT's acceptor below.
    // NTLM alone: the MIC still goes both ways, as Windows does.
    let (r, log) = initiator_to_peer(
        "pyspnego",
        std::slice::from_ref(&ntlm_users),
        None,
        Some(PASSWORD),
    );
    assert_eq!(
        r.unwrap_or_else(|e| panic!("{e:?}: {log}")),
        (Mech::Ntlm, true),
        "{log}"
    );
    // A wrong password is refused by the peer.
    let (r, log) = initiator_to_peer(
        "pyspnego",
        std::slice::from_ref(&ntlm_users),
        None,
        Some("wrong"),
    );
    assert!(r.is_err() && !log.contains("authenticated:"), "{log}");

    // MIT's SPNEGO acceptor with the service keytab and NTLM users: Kerberos.
    let mut with_keytab = MitEnv::new(&scratch, &realm.config)
        .with_keytab(&realm.service_keytab)
        .vars();
    with_keytab.push(ntlm_users.clone());
    let (r, log) = initiator_to_peer("gssapi", &with_keytab, Some(&cred), Some(PASSWORD));
    assert_eq!(
        r.unwrap_or_else(|e| panic!("{e:?}: {log}")).0,
        Mech::Kerberos,
        "{log}"
    );
    assert!(
        log.contains(&format!("authenticated: {}@{}", realm.user, realm.realm)),
        "{log}"
    );

    // MIT's SPNEGO acceptor over gss-ntlmssp only: NTLM with the mechListMIC,
    // sealed messages after it (both sides restarted their RC4 states alike).
    let mut ntlm_only = MitEnv::new(&scratch, &realm.config).vars();
    ntlm_only.retain(|(k, _)| k != "KRB5_KTNAME");
    ntlm_only.push((
        "KRB5_KTNAME".into(),
        format!("FILE:{}", scratch.path("empty.keytab").display()),
    ));
    ntlm_only.push(ntlm_users);
    let (r, log) = initiator_to_peer("gssapi", &ntlm_only, None, Some(PASSWORD));
    assert_eq!(
        r.unwrap_or_else(|e| panic!("{e:?}: {log}")),
        (Mech::Ntlm, true),
        "{log}"
    );
}
