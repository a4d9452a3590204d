//! The NTLM account of MS-NLMP 4.2.1 (User / Domain / Password), a store that
//! knows it, and in-process handshakes between authcore's two contexts.

use authcore::ntlm::{
    channel_bindings_hash, Acceptor, AcceptorConfig, CredentialStore, Initiator, InitiatorConfig,
    NtHash, MAX_TOKEN_LEN,
};
use authcore::{Progress, Step, Time};

use crate::CounterRng;

/// MS-NLMP 4.2.1 common values.
pub const USER: &str = "User";
/// MS-NLMP 4.2.1.
pub const DOMAIN: &str = "Domain";
/// MS-NLMP 4.2.1.
pub const PASSWORD: &str = "Password";
/// MS-NLMP 4.2.1 server name (the acceptor's NetBIOS computer name).
pub const SERVER: &str = "Server";
/// The SPN the initiator names and a checking acceptor expects.
pub const TARGET_NAME: &str = "HTTP/server.authcore.test";
/// Application data of the channel bindings both sides use (RFC 5929 style).
pub const CHANNEL_BINDINGS_DATA: &[u8] = b"tls-server-end-point:authcore-fuzz";

/// A fixed clock: the handshakes and skew checks run at this time.
pub const NOW: Time = Time::from_unix_secs(1_700_000_000);

/// Knows one account: `User` (any case, any domain) with `Password`.
pub struct Store;

impl CredentialStore for Store {
    fn nt_hash(&self, user: &str, _domain: &str) -> Option<NtHash> {
        user.eq_ignore_ascii_case(USER)
            .then(|| NtHash::from_password(PASSWORD))
    }
}

/// The MD5 of the channel bindings (MsvAvChannelBindings).
pub fn channel_bindings() -> [u8; 16] {
    channel_bindings_hash(CHANNEL_BINDINGS_DATA)
}

/// An initiator for the account, naming [`TARGET_NAME`] and sending the bindings.
pub fn initiator() -> Initiator {
    let config = InitiatorConfig::new()
        .with_target_name(TARGET_NAME)
        .with_channel_bindings(channel_bindings())
        .with_workstation("COMPUTER");
    Initiator::new(USER, DOMAIN, PASSWORD, config).expect("initiator config")
}

/// Acceptor settings; the optional checks are switched on by the bits of `sel`:
/// 1 allows anonymous, 2 drops the MIC requirement, 4 expects the target name,
/// 8 expects the channel bindings, 16 allows NTLMv1.
pub fn acceptor_config(sel: u8) -> AcceptorConfig<'static> {
    let mut c = AcceptorConfig::new(SERVER, DOMAIN);
    c.dns_computer_name = Some("server.authcore.test");
    c.dns_domain_name = Some("authcore.test");
    c.allow_anonymous = sel & 1 != 0;
    c.require_mic = sel & 2 == 0;
    if sel & 4 != 0 {
        c.target_name = Some(TARGET_NAME);
    }
    if sel & 8 != 0 {
        c.channel_bindings = Some(channel_bindings());
    }
    c.allow_ntlmv1 = sel & 16 != 0;
    c
}

/// A handshake run up to the acceptor's last step: the three messages, the
/// completed initiator and the acceptor waiting for AUTHENTICATE.
pub struct Handshake {
    pub negotiate: Vec<u8>,
    pub challenge: Vec<u8>,
    pub authenticate: Vec<u8>,
    pub initiator: Initiator,
    pub acceptor: Acceptor<'static, Store>,
}

/// Runs NEGOTIATE and CHALLENGE between [`initiator`] and an acceptor with
/// `acceptor_config(sel)`, and the initiator's AUTHENTICATE.
pub fn handshake(sel: u8, rng: &mut CounterRng) -> Handshake {
    let mut initiator = initiator();
    let mut acceptor = Acceptor::new(Store, acceptor_config(sel)).expect("acceptor config");
    let mut out = vec![0u8; MAX_TOKEN_LEN];
    let Ok(Progress::Continue { written }) = initiator.step(&[], &mut out, NOW, rng) else {
        panic!("initiator's first step failed");
    };
    let negotiate = out[..written].to_vec();
    let Ok(Progress::Continue { written }) = acceptor.step(&negotiate, &mut out, NOW, rng) else {
        panic!("acceptor refused authcore's NEGOTIATE");
    };
    let challenge = out[..written].to_vec();
    let Ok(Progress::Complete { written }) = initiator.step(&challenge, &mut out, NOW, rng) else {
        panic!("initiator refused authcore's CHALLENGE");
    };
    let authenticate = out[..written].to_vec();
    Handshake {
        negotiate,
        challenge,
        authenticate,
        initiator,
        acceptor,
    }
}

/// A completed pair of contexts (acceptor with default checks plus target
/// name and channel bindings).
pub fn established(rng: &mut CounterRng) -> (Initiator, Acceptor<'static, Store>) {
    let mut h = handshake(4 | 8, rng);
    let mut out = [0u8; 8];
    let r = h.acceptor.step(&h.authenticate, &mut out, NOW, rng);
    assert_eq!(r, Ok(Progress::Complete { written: 0 }), "handshake failed");
    (h.initiator, h.acceptor)
}
