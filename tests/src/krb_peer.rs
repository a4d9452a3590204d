//! Kerberos against the MIT realm of `tests/interop/mit-realm.sh`: the realm's
//! files, MIT's `kinit`/`kvno`/`klist`, and authcore's krb5 contexts driven
//! against `gss_peer.py --mech krb5` over the CLI framing, including the
//! integrity-only round of `--exercise` that the Protect-level helpers of
//! [`crate::peer`] leave out.
//!
//! Every helper reads the realm from the environment `mit-realm.sh start`
//! exports; a missing variable or file fails the test (never a skip).

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use authcore::crypto::{usage, Etype, Key};
use authcore::gss::token::{tok_id, Krb5Token};
use authcore::kerberos::wire::{ApReq, Authenticator, EncApRepPart, KrbError};
use authcore::kerberos::{Acceptor, Initiator, KeyTable, ReplayCheck};
use authcore::{Progress, Protect, Step, Time};
use authcore_std::ccache::{Ccache, Credential};
use authcore_std::keytab::Principal;
use authcore_std::rng::OsRng;

use crate::interop::{require_env, require_file};
use crate::peer::{recv, send, HandshakeError, Peer};

/// The MIT realm's files and names.
pub struct MitRealm {
    /// `AUTHCORE_MIT_DIR`.
    pub dir: PathBuf,
    /// `AUTHCORE_MIT_REALM`.
    pub realm: String,
    /// `alice` (`AUTHCORE_MIT_USER`).
    pub user: String,
    /// A keytab with every key of the user (`AUTHCORE_MIT_USER_KEYTAB`).
    pub user_keytab: PathBuf,
    /// The realm's krb5.conf (`KRB5_CONFIG`).
    pub config: PathBuf,
    /// `host/localhost` (`AUTHCORE_MIT_SERVICE`).
    pub service: String,
    /// Its keytab, all five etypes (`AUTHCORE_MIT_SERVICE_KEYTAB`).
    pub service_keytab: PathBuf,
}

impl MitRealm {
    /// The realm the environment names; panics when it does not.
    pub fn from_env() -> MitRealm {
        let etypes = require_env("AUTHCORE_MIT_ETYPES");
        let realm = MitRealm {
            dir: PathBuf::from(require_env("AUTHCORE_MIT_DIR")),
            realm: require_env("AUTHCORE_MIT_REALM"),
            user: require_env("AUTHCORE_MIT_USER"),
            user_keytab: require_file("AUTHCORE_MIT_USER_KEYTAB"),
            config: require_file("KRB5_CONFIG"),
            service: require_env("AUTHCORE_MIT_SERVICE"),
            service_keytab: require_file("AUTHCORE_MIT_SERVICE_KEYTAB"),
        };
        for etype in Etype::MODERN {
            let n = etype.as_i32();
            assert!(
                etypes.split_whitespace().any(|e| e == n.to_string()),
                "AUTHCORE_MIT_ETYPES={etypes:?} lacks {n}: restart the realm \
                 (tests/interop/mit-realm.sh stop; start)"
            );
            for f in [realm.etype_keytab(etype), realm.etype_config(etype)] {
                assert!(f.is_file(), "{} is missing", f.display());
            }
        }
        realm
    }

    /// `etypeN/localhost`: its only key, and its session keys, are of `etype`.
    pub fn etype_service(&self, etype: Etype) -> String {
        format!("etype{}/localhost", etype.as_i32())
    }

    /// The keytab of [`MitRealm::etype_service`].
    pub fn etype_keytab(&self, etype: Etype) -> PathBuf {
        self.dir.join(format!("etype{}.keytab", etype.as_i32()))
    }

    /// A client config permitting `etype` only (it includes the realm's).
    pub fn etype_config(&self, etype: Etype) -> PathBuf {
        self.dir.join(format!("krb5-etype{}.conf", etype.as_i32()))
    }

    /// `alice@REALM`.
    pub fn user_principal(&self) -> String {
        format!("{}@{}", self.user, self.realm)
    }

    /// `name@REALM` as an adapter principal (name type NT-SRV-HST for two
    /// components, as MIT stores service tickets).
    pub fn principal(&self, name: &str) -> Principal {
        let mut p = Principal::parse(&format!("{name}@{}", self.realm)).expect("principal");
        if p.components.len() == 2 {
            p.name_type = authcore::kerberos::wire::name_type::SRV_HST;
        }
        p
    }
}

/// MIT's name of an etype as `klist -e` prints it.
pub fn mit_enctype_name(etype: Etype) -> &'static str {
    match etype {
        Etype::Rc4Hmac => "DEPRECATED:arcfour-hmac",
        other => other.name(),
    }
}

/// A scratch directory for one test (credential cache, replay cache, keytabs),
/// removed on drop.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "authcore-krbkdc-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The environment of an MIT tool or peer: its config, credential cache,
/// keytab and a private replay cache directory.
pub struct MitEnv {
    pub config: PathBuf,
    pub ccache: PathBuf,
    pub keytab: Option<PathBuf>,
    pub rcache_dir: PathBuf,
}

impl MitEnv {
    /// A client or server environment in `scratch` with `config`.
    pub fn new(scratch: &Scratch, config: &Path) -> MitEnv {
        MitEnv {
            config: config.to_path_buf(),
            ccache: scratch.path("ccache"),
            keytab: None,
            rcache_dir: scratch.dir.clone(),
        }
    }

    /// The same with the acceptor's keytab.
    pub fn with_keytab(mut self, keytab: &Path) -> MitEnv {
        self.keytab = Some(keytab.to_path_buf());
        self
    }

    /// Variable/value pairs for a child process.
    pub fn vars(&self) -> Vec<(String, String)> {
        let mut v = vec![
            ("KRB5_CONFIG".into(), self.config.display().to_string()),
            (
                "KRB5CCNAME".into(),
                format!("FILE:{}", self.ccache.display()),
            ),
            (
                "KRB5RCACHEDIR".into(),
                self.rcache_dir.display().to_string(),
            ),
        ];
        if let Some(kt) = &self.keytab {
            v.push(("KRB5_KTNAME".into(), format!("FILE:{}", kt.display())));
        }
        v
    }

    /// [`MitEnv::vars`] borrowed for [`crate::peer::spawn_peer`].
    pub fn with_vars<T>(&self, f: impl FnOnce(&[(&str, &str)]) -> T) -> T {
        let owned = self.vars();
        let borrowed: Vec<(&str, &str)> = owned
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        f(&borrowed)
    }

    /// Runs an MIT tool in this environment; panics with its output on failure.
    pub fn run(&self, tool: &str, args: &[&str]) -> String {
        let out = Command::new(tool)
            .args(args)
            .envs(self.vars())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {tool}: {e} (MIT krb5-user installed?)"));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{tool} {args:?} failed: {text}");
        text
    }

    /// `kinit` as the realm's user, from the user's keytab.
    pub fn kinit(&self, realm: &MitRealm) {
        let keytab = realm.user_keytab.display().to_string();
        self.run("kinit", &["-k", "-t", &keytab, &realm.user_principal()]);
    }

    /// `kvno SERVICE`: a service ticket into the cache.
    pub fn kvno(&self, service: &str) {
        self.run("kvno", &[service]);
    }

    /// `klist -e`.
    pub fn klist_e(&self) -> String {
        self.run("klist", &["-e"])
    }

    /// The cache's credential for `service`.
    pub fn credential(&self, realm: &MitRealm, service: &str) -> Credential {
        let cc = Ccache::read(&self.ccache).expect("read the MIT ccache");
        cc.find(&realm.principal(service))
            .unwrap_or_else(|| panic!("no ticket for {service} in {}", self.ccache.display()))
            .clone()
    }
}

/// `klist -e`'s "Etype (skey, tkt)" for `service`.
pub fn klist_etypes(klist: &str, service: &str) -> String {
    let mut lines = klist.lines();
    while let Some(line) = lines.next() {
        if line.split_whitespace().any(|w| w.starts_with(service)) {
            let next = lines.next().unwrap_or_default();
            if let Some((_, etypes)) = next.split_once("Etype (skey, tkt): ") {
                return etypes.trim().to_string();
            }
        }
    }
    panic!("no {service} with etypes in klist -e output:\n{klist}")
}

/// Accepts the connection of the peer client `peer`; fails with the peer's
/// stderr when it exits first, or after 30 s.
pub fn accept_peer(listener: &TcpListener, peer: &mut Peer) -> TcpStream {
    listener
        .set_nonblocking(true)
        .expect("nonblocking listener");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match listener.accept() {
            Ok((s, _)) => {
                s.set_nonblocking(false).expect("blocking stream");
                s.set_read_timeout(Some(Duration::from_secs(30)))
                    .expect("timeout");
                return s;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("accept: {e}"),
        }
        if let Ok(Some(status)) = peer.child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = peer.child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            panic!("the peer exited ({status}) before connecting: {err}");
        }
        assert!(
            Instant::now() < deadline,
            "the peer did not connect in 30 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// What an AP-REQ token carries in the clear, and where its ciphertexts lie.
#[derive(Debug, Clone)]
pub struct ApReqFacts {
    pub ap_options: u32,
    /// The service key's etype (the ticket's enc-part).
    pub ticket_etype: i32,
    pub ticket_kvno: Option<u32>,
    /// The session key's etype (the authenticator's enc-part).
    pub authenticator_etype: i32,
    /// Byte ranges of the ciphertexts within the token.
    pub ticket_cipher: Range<usize>,
    pub authenticator_cipher: Range<usize>,
}

/// Where `inner` lies in `outer` (it must be a subslice).
fn offset_in(outer: &[u8], inner: &[u8]) -> Range<usize> {
    let start = inner.as_ptr() as usize - outer.as_ptr() as usize;
    assert!(start + inner.len() <= outer.len(), "not a subslice");
    start..start + inner.len()
}

/// Parses a framed AP-REQ token.
pub fn ap_req_facts(token: &[u8]) -> ApReqFacts {
    let framed = Krb5Token::parse(token).expect("krb5 token");
    assert_eq!(framed.tok_id, tok_id::AP_REQ, "not an AP-REQ token");
    let req = ApReq::parse(framed.message).expect("AP-REQ");
    ApReqFacts {
        ap_options: req.ap_options,
        ticket_etype: req.ticket.enc_part.etype,
        ticket_kvno: req.ticket.enc_part.kvno,
        authenticator_etype: req.authenticator.etype,
        ticket_cipher: offset_in(token, req.ticket.enc_part.cipher),
        authenticator_cipher: offset_in(token, req.authenticator.cipher),
    }
}

/// The subkey etype of the authenticator of `ap_req`, decrypted with the
/// session key (`None`: no subkey).
pub fn authenticator_subkey_etype(ap_req: &[u8], session_key: &Key) -> Option<i32> {
    let facts = ap_req_facts(ap_req);
    let mut buf = ap_req[facts.authenticator_cipher].to_vec();
    let range = session_key
        .decrypt(usage::AP_REQ_AUTHENTICATOR, &mut buf)
        .expect("decrypt the authenticator with the session key");
    let auth = Authenticator::parse(&buf[range]).expect("Authenticator");
    auth.subkey.map(|k| k.keytype)
}

/// The acceptor subkey etype of a framed AP-REP, decrypted with the session
/// key (`None`: no subkey).
pub fn ap_rep_subkey_etype(ap_rep: &[u8], session_key: &Key) -> Option<i32> {
    let framed = Krb5Token::parse(ap_rep).expect("krb5 token");
    assert_eq!(framed.tok_id, tok_id::AP_REP, "not an AP-REP token");
    let rep = authcore::kerberos::wire::ApRep::parse(framed.message).expect("AP-REP");
    assert_eq!(rep.enc_part.etype, session_key.etype().as_i32());
    let mut buf = rep.enc_part.cipher.to_vec();
    let range = session_key
        .decrypt(usage::AP_REP_ENC_PART, &mut buf)
        .expect("decrypt the AP-REP with the session key");
    let part = EncApRepPart::parse(&buf[range]).expect("EncAPRepPart");
    part.subkey.map(|k| k.keytype)
}

/// The error code of a framed KRB-ERROR token.
pub fn krb_error_token_code(token: &[u8]) -> i32 {
    let framed = Krb5Token::parse(token).expect("krb5 token");
    assert_eq!(framed.tok_id, tok_id::KRB_ERROR, "not a KRB-ERROR token");
    KrbError::parse(framed.message)
        .expect("KRB-ERROR")
        .error_code
}

/// What an acceptor's step made of one AP-REQ.
#[derive(Debug)]
pub struct AcceptOutcome {
    pub result: authcore::Result<Progress>,
    /// The AP-REP (on success) or the KRB-ERROR token (on failure) left in
    /// `out`; empty when there was none.
    pub answer: Vec<u8>,
}

impl AcceptOutcome {
    /// The code of the KRB-ERROR token the acceptor left; panics if none.
    pub fn error_code(&self) -> i32 {
        assert!(
            self.result.is_err() && !self.answer.is_empty(),
            "no KRB-ERROR token: {self:?}"
        );
        krb_error_token_code(&self.answer)
    }
}

/// One acceptor step on `ap_req` at `now`.
pub fn accept_token<K: KeyTable + ?Sized, C: ReplayCheck>(
    acc: &mut Acceptor<'_, K, C>,
    ap_req: &[u8],
    now: Time,
) -> AcceptOutcome {
    let mut out = vec![0u8; 64 * 1024];
    let result = acc.step(ap_req, &mut out, now, &mut OsRng);
    let answer = match result {
        Ok(Progress::Complete { written } | Progress::Continue { written }) => {
            out[..written].to_vec()
        }
        Ok(Progress::SendToKdc { .. }) => panic!("acceptor asked for a KDC"),
        Err(_) => out[..acc.error_token_len()].to_vec(),
    };
    AcceptOutcome { result, answer }
}

/// Receives the AP-REQ from `s`, lets `tamper` alter it, steps the acceptor
/// at `now` and sends its answer (AP-REP, or the KRB-ERROR token as
/// `authcore serve` does, or nothing). Returns the AP-REQ as received.
pub fn accept_from<K: KeyTable + ?Sized, C: ReplayCheck>(
    s: &mut TcpStream,
    acc: &mut Acceptor<'_, K, C>,
    now: Time,
    tamper: impl FnOnce(&mut [u8]),
) -> (Vec<u8>, AcceptOutcome) {
    let mut ap_req = recv(s).expect("the peer's AP-REQ");
    tamper(&mut ap_req);
    let outcome = accept_token(acc, &ap_req, now);
    if outcome.result.is_ok() || !outcome.answer.is_empty() {
        send(s, &outcome.answer);
    }
    (ap_req, outcome)
}

/// What our initiator sent and got back.
#[derive(Debug, Default)]
pub struct InitiateOutcome {
    pub ap_req: Vec<u8>,
    /// The acceptor's answer (mutual authentication), as received.
    pub answer: Vec<u8>,
}

/// Runs our initiator over `s` at `now`; `tamper` may alter the AP-REQ.
pub fn initiate_to(
    s: &mut TcpStream,
    init: &mut Initiator<'_>,
    now: Time,
    tamper: impl FnOnce(&mut [u8]),
) -> Result<InitiateOutcome, (HandshakeError, InitiateOutcome)> {
    let mut out = vec![0u8; 64 * 1024];
    let mut outcome = InitiateOutcome::default();
    let progress = init
        .step(&[], &mut out, now, &mut OsRng)
        .map_err(|e| (HandshakeError::Ours(e), InitiateOutcome::default()))?;
    let (Progress::Continue { written } | Progress::Complete { written }) = progress else {
        panic!("initiator asked for a KDC");
    };
    outcome.ap_req = out[..written].to_vec();
    let mut token = outcome.ap_req.clone();
    tamper(&mut token);
    send(s, &token);
    outcome.answer = match recv(s) {
        Ok(a) => a,
        Err(_) => return Err((HandshakeError::PeerClosed, outcome)),
    };
    match progress {
        Progress::Continue { .. } => match init.step(&outcome.answer, &mut out, now, &mut OsRng) {
            Ok(Progress::Complete { written: 0 }) => Ok(outcome),
            Ok(p) => panic!("unexpected initiator progress {p:?}"),
            Err(e) => Err((HandshakeError::Ours(e), outcome)),
        },
        _ => {
            assert!(outcome.answer.is_empty(), "token after completion");
            Ok(outcome)
        }
    }
}

/// GSS_Wrap/Unwrap with the confidentiality choice, and MICs: the krb5
/// contexts' inherent methods, which [`Protect`] only covers sealed.
pub trait KrbProtect: Protect {
    fn wrap_msg(&mut self, confidential: bool, msg: &[u8]) -> authcore::Result<Vec<u8>>;
    /// The message and whether it was encrypted.
    fn unwrap_msg(&mut self, token: &mut [u8]) -> authcore::Result<(Vec<u8>, bool)>;
    fn mic(&mut self, msg: &[u8]) -> authcore::Result<Vec<u8>>;
    fn verify_mic_of(&mut self, msg: &[u8], mic: &[u8]) -> authcore::Result<()>;
}

macro_rules! krb_protect {
    () => {
        fn wrap_msg(&mut self, confidential: bool, msg: &[u8]) -> authcore::Result<Vec<u8>> {
            let header = self.wrap_header_len(confidential)?;
            let trailer = self.wrap_trailer_len(confidential)?;
            let mut buf = vec![0u8; header + msg.len() + trailer];
            buf[header..][..msg.len()].copy_from_slice(msg);
            let n = self.wrap(&mut OsRng, confidential, &mut buf, msg.len())?;
            buf.truncate(n);
            Ok(buf)
        }
        fn unwrap_msg(&mut self, token: &mut [u8]) -> authcore::Result<(Vec<u8>, bool)> {
            let (range, sealed) = self.unwrap(token)?;
            Ok((token[range].to_vec(), sealed))
        }
        fn mic(&mut self, msg: &[u8]) -> authcore::Result<Vec<u8>> {
            let mut sig = vec![0u8; self.sizes().max_signature];
            let n = self.get_mic(msg, &mut sig)?;
            sig.truncate(n);
            Ok(sig)
        }
        fn verify_mic_of(&mut self, msg: &[u8], mic: &[u8]) -> authcore::Result<()> {
            self.verify_mic(msg, mic)
        }
    };
}

impl KrbProtect for Initiator<'_> {
    krb_protect!();
}

impl<K: KeyTable + ?Sized, C: ReplayCheck> KrbProtect for Acceptor<'_, K, C> {
    krb_protect!();
}

/// Which way a per-message token travels, for tamper hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// From us to the peer.
    Out,
    /// From the peer to us (altered before we read it).
    In,
}

/// A tamper hook of the exercise: direction, index of the token in that
/// direction (0: sealed, 1: integrity-only, 2: MIC), the token.
pub type Tamper<'a> = &'a mut dyn FnMut(Dir, usize, &mut [u8]);

/// A hook that changes nothing.
pub fn no_tamper(_: Dir, _: usize, _: &mut [u8]) {}

fn recv_in(s: &mut TcpStream, tamper: Tamper<'_>, index: usize) -> Result<Vec<u8>, HandshakeError> {
    let mut t = recv(s).map_err(|_| HandshakeError::PeerClosed)?;
    tamper(Dir::In, index, &mut t);
    Ok(t)
}

fn send_out(s: &mut TcpStream, tamper: Tamper<'_>, index: usize, mut token: Vec<u8>) {
    tamper(Dir::Out, index, &mut token);
    send(s, &token);
}

/// Client side of `gss_peer.py --exercise` for krb5: sealed echo,
/// integrity-only echo, then a message with our MIC and the peer's MIC back.
/// Checks each answer's content and confidentiality.
pub fn client_exercise_krb<C: KrbProtect>(
    s: &mut TcpStream,
    ctx: &mut C,
    msg: &[u8],
    tamper: Tamper<'_>,
) -> Result<(), HandshakeError> {
    let ours = HandshakeError::Ours;
    send_out(s, tamper, 0, ctx.wrap_msg(true, msg).map_err(ours)?);
    let (echo, sealed) = ctx.unwrap_msg(&mut recv_in(s, tamper, 0)?).map_err(ours)?;
    assert_eq!((echo.as_slice(), sealed), (msg, true), "sealed echo");

    let plain = [b"integrity only: ".as_slice(), msg].concat();
    send_out(s, tamper, 1, ctx.wrap_msg(false, &plain).map_err(ours)?);
    let (echo, sealed) = ctx.unwrap_msg(&mut recv_in(s, tamper, 1)?).map_err(ours)?;
    assert_eq!((echo, sealed), (plain, false), "integrity-only echo");

    let data = [b"signed: ".as_slice(), msg].concat();
    send(s, &data);
    send_out(s, tamper, 2, ctx.mic(&data).map_err(ours)?);
    let theirs = recv_in(s, tamper, 2)?;
    ctx.verify_mic_of(&data, &theirs).map_err(ours)
}

/// Server side of `gss_peer.py --exercise` for krb5; returns the message.
pub fn server_exercise_krb<C: KrbProtect>(
    s: &mut TcpStream,
    ctx: &mut C,
    tamper: Tamper<'_>,
) -> Result<Vec<u8>, HandshakeError> {
    let ours = HandshakeError::Ours;
    let (msg, sealed) = ctx.unwrap_msg(&mut recv_in(s, tamper, 0)?).map_err(ours)?;
    assert!(sealed, "the peer's first message was not encrypted");
    send_out(s, tamper, 0, ctx.wrap_msg(true, &msg).map_err(ours)?);

    let (plain, sealed) = ctx.unwrap_msg(&mut recv_in(s, tamper, 1)?).map_err(ours)?;
    assert!(!sealed, "the integrity-only message was encrypted");
    send_out(s, tamper, 1, ctx.wrap_msg(false, &plain).map_err(ours)?);

    let data = recv(s).map_err(|_| HandshakeError::PeerClosed)?;
    let mic = recv_in(s, tamper, 2)?;
    ctx.verify_mic_of(&data, &mic).map_err(ours)?;
    send_out(s, tamper, 2, ctx.mic(&data).map_err(ours)?);
    Ok(msg)
}
