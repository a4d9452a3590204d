//! The minimal workloads of the footprint firmwares (`fp-*` binaries of each
//! board crate), also the building blocks of the conformance cases.
//!
//! Each workload calls `mark(Mark::Begin)` right before the handshake and
//! `mark(Mark::End)` right after it, so that a firmware can count the
//! instructions of the handshake alone; message protection runs after
//! `End`, so that its code is linked and its stack measured too.

#[cfg(any(feature = "ntlm", feature = "kerberos"))]
use rand_core::CryptoRng;

#[cfg(any(feature = "ntlm", feature = "kerberos"))]
use crate::{check, Outcome};
#[cfg(any(feature = "ntlm", feature = "kerberos"))]
use authcore::{Progress, Protect, Step, Time};

/// A context's [`Protect`] behind a vtable, for [`seal_across`]: one copy
/// of it serves every pair of contexts (NTLM and Kerberos, either way)
/// instead of one per pair, which the footprint firmware would count.
pub trait Sealer<R: ?Sized> {
    /// [`Protect::sizes`].
    fn dyn_sizes(&self) -> authcore::Sizes;
    /// [`Protect::seal`].
    fn dyn_seal(&mut self, rng: &mut R, buf: &mut [u8], len: usize) -> authcore::Result<usize>;
    /// [`Protect::unseal`].
    fn dyn_unseal(&mut self, buf: &mut [u8]) -> authcore::Result<core::ops::Range<usize>>;
}

#[cfg(any(feature = "ntlm", feature = "kerberos"))]
impl<R: CryptoRng + ?Sized, P: Protect> Sealer<R> for P {
    fn dyn_sizes(&self) -> authcore::Sizes {
        Protect::sizes(self)
    }
    fn dyn_seal(&mut self, rng: &mut R, buf: &mut [u8], len: usize) -> authcore::Result<usize> {
        Protect::seal(self, rng, buf, len)
    }
    fn dyn_unseal(&mut self, buf: &mut [u8]) -> authcore::Result<core::ops::Range<usize>> {
        Protect::unseal(self, buf)
    }
}

/// Seals `msg` with `ctx` in `buf` (its header, the message, its trailer) and
/// checks the message is not in the clear; returns the token's length.
#[cfg(any(feature = "ntlm", feature = "kerberos"))]
pub fn seal_one<R: ?Sized>(
    ctx: &mut dyn Sealer<R>,
    msg: &[u8],
    buf: &mut [u8],
    rng: &mut R,
) -> Result<usize, crate::Failure> {
    let s = ctx.dyn_sizes();
    let end = s.seal_header.saturating_add(msg.len());
    check(
        buf.len() >= end.saturating_add(s.seal_trailer),
        "seal buffer size",
    )?;
    buf.get_mut(s.seal_header..end)
        .ok_or(authcore::Error::BufferTooSmall { needed: end })?
        .copy_from_slice(msg);
    let n = ctx.dyn_seal(rng, buf, msg.len())?;
    let token = buf.get(..n).unwrap_or(&[]);
    check(
        msg.is_empty() || !token.windows(msg.len()).any(|w| same(w, msg)),
        "sealed message is in the clear",
    )?;
    Ok(n)
}

/// Byte-string equality as a plain loop: `==` on slices calls `memcmp`, which
/// would count in the footprint firmwares' increment as protocol code.
#[cfg(any(feature = "ntlm", feature = "kerberos"))]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Seals `msg` with `from` ([`seal_one`]), unseals it with `to` and compares.
#[cfg(any(feature = "ntlm", feature = "kerberos"))]
#[inline(never)]
pub fn seal_across<R: ?Sized>(
    from: &mut dyn Sealer<R>,
    to: &mut dyn Sealer<R>,
    msg: &[u8],
    buf: &mut [u8],
    rng: &mut R,
) -> Outcome {
    let n = seal_one(from, msg, buf, rng)?;
    let token = buf.get_mut(..n).unwrap_or(&mut []);
    let r = to.dyn_unseal(token)?;
    check(
        token.get(r).is_some_and(|m| same(m, msg)),
        "unsealed message differs",
    )
}

/// Where a workload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// The handshake starts.
    Begin,
    /// The handshake is complete.
    End,
}

/// The NTLM account every NTLM case uses.
pub const USER: &str = "alice";
/// Its domain.
pub const DOMAIN: &str = "EXAMPLE";
/// Its password.
pub const PASSWORD: &str = "correct horse battery staple";

/// A credential store with one account.
pub struct OneUser {
    #[cfg(feature = "ntlm")]
    hash: authcore::ntlm::NtHash,
}

#[cfg(feature = "ntlm")]
impl OneUser {
    /// The store holding `USER` in `DOMAIN` with `password`.
    pub fn new(password: &str) -> OneUser {
        OneUser {
            hash: authcore::ntlm::NtHash::from_password(password),
        }
    }
}

#[cfg(feature = "ntlm")]
impl authcore::ntlm::CredentialStore for OneUser {
    fn nt_hash(&self, user: &str, domain: &str) -> Option<authcore::ntlm::NtHash> {
        (user.eq_ignore_ascii_case(USER) && domain.eq_ignore_ascii_case(DOMAIN))
            .then(|| self.hash.clone())
    }
}

/// Runs NTLM up to the AUTHENTICATE: NEGOTIATE into `a`, CHALLENGE into `b`,
/// AUTHENTICATE into `a`; returns the AUTHENTICATE's length.
#[cfg(feature = "ntlm")]
#[inline(never)]
pub fn ntlm_tokens<R: CryptoRng + ?Sized, S: authcore::ntlm::CredentialStore>(
    init: &mut authcore::ntlm::Initiator,
    acc: &mut authcore::ntlm::Acceptor<'_, S>,
    rng: &mut R,
    now: Time,
    a: &mut [u8],
    b: &mut [u8],
) -> Result<usize, crate::Failure> {
    let Progress::Continue { written: n } = init.step(&[], a, now, rng)? else {
        return Err(crate::Failure::Mismatch("NTLM NEGOTIATE step"));
    };
    let Progress::Continue { written: n } = acc.step(a.get(..n).unwrap_or(&[]), b, now, rng)?
    else {
        return Err(crate::Failure::Mismatch("NTLM CHALLENGE step"));
    };
    let Progress::Complete { written: n } = init.step(b.get(..n).unwrap_or(&[]), a, now, rng)?
    else {
        return Err(crate::Failure::Mismatch("NTLM AUTHENTICATE step"));
    };
    Ok(n)
}

/// One NTLM handshake (NTLMv2 with MIC, extended session security, 128-bit
/// keys) between an initiator and an acceptor in this firmware, then one
/// sealed message each way.
#[cfg(feature = "ntlm")]
#[inline(never)]
pub fn ntlm_handshake<R: CryptoRng + ?Sized>(
    rng: &mut R,
    now: Time,
    mark: &mut dyn FnMut(Mark),
) -> Outcome {
    use authcore::ntlm::{Acceptor, AcceptorConfig, Initiator, InitiatorConfig, MAX_TOKEN_LEN};
    let mut a = [0u8; MAX_TOKEN_LEN];
    let mut b = [0u8; MAX_TOKEN_LEN];
    mark(Mark::Begin);
    let store = OneUser::new(PASSWORD);
    let mut init = Initiator::new(
        USER,
        DOMAIN,
        PASSWORD,
        InitiatorConfig::new().with_workstation("BOARD"),
    )?;
    let mut acc = Acceptor::new(&store, AcceptorConfig::new("SERVER", DOMAIN))?;
    let n = ntlm_tokens(&mut init, &mut acc, rng, now, &mut a, &mut b)?;
    let p = acc.step(a.get(..n).unwrap_or(&[]), &mut b, now, rng)?;
    mark(Mark::End);
    check(
        p == Progress::Complete { written: 0 },
        "NTLM acceptor completes",
    )?;
    seal_across(&mut init, &mut acc, b"ping from the initiator", &mut a, rng)?;
    seal_across(&mut acc, &mut init, b"pong from the acceptor", &mut a, rng)
}

/// MS-NLMP 4.2.4's user, as a credential store (the one-sided NTLM
/// firmware meets the spec's messages, not its own peer).
#[cfg(feature = "ntlm")]
pub(crate) struct SpecUser(pub(crate) authcore::ntlm::NtHash);

#[cfg(feature = "ntlm")]
impl authcore::ntlm::CredentialStore for SpecUser {
    fn nt_hash(&self, user: &str, domain: &str) -> Option<authcore::ntlm::NtHash> {
        (user
            .as_bytes()
            .eq_ignore_ascii_case(crate::vectors::NLMP_USER)
            && domain
                .as_bytes()
                .eq_ignore_ascii_case(crate::vectors::NLMP_DOMAIN))
        .then(|| self.0.clone())
    }
}

#[cfg(feature = "ntlm")]
fn spec_text(b: &'static [u8]) -> Result<&'static str, crate::Failure> {
    core::str::from_utf8(b).map_err(|_| crate::Failure::Mismatch("vector text"))
}

/// A "random" source that plays fixed bytes (then zeros): the spec's server
/// challenge, so that the acceptor's CHALLENGE is the one the spec's
/// AUTHENTICATE answers.
#[cfg(feature = "ntlm")]
pub(crate) struct Script<'a>(pub(crate) &'a [u8]);

#[cfg(feature = "ntlm")]
impl rand_core::TryRng for Script<'_> {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for d in dst {
            let (&first, rest) = self.0.split_first().unwrap_or((&0, &[]));
            *d = first;
            self.0 = rest;
        }
        Ok(())
    }
}

#[cfg(feature = "ntlm")]
impl rand_core::TryCryptoRng for Script<'_> {}

/// An NTLM server alone (a NAS, a router's web UI): our acceptor answers a
/// NEGOTIATE with the flags of MS-NLMP 4.2.4, takes the spec's AUTHENTICATE
/// (4.2.4.3, its server challenge played through the RNG; it predates the
/// MIC) and unseals the spec's sealed message (4.2.4.4), then seals a reply.
#[cfg(feature = "ntlm")]
#[inline(never)]
pub fn ntlm_acceptor_alone<R: CryptoRng + ?Sized>(
    rng: &mut R,
    _now: Time,
    mark: &mut dyn FnMut(Mark),
) -> Outcome {
    use crate::vectors as v;
    use authcore::ntlm::{Acceptor, AcceptorConfig, MAX_TOKEN_LEN};
    // NEGOTIATE: signature, type 1, 4.2.4's flags with REQUEST_TARGET, no
    // domain or workstation.
    const NEGOTIATE: [u8; 32] = [
        b'N', b'T', b'L', b'M', b'S', b'S', b'P', 0, 1, 0, 0, 0, 0x37, 0x82, 0x8a, 0xe2, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    let mut out = [0u8; MAX_TOKEN_LEN];
    // The spec's time is zero; its AUTHENTICATE carries no timestamp to check.
    let now = Time::from_unix_secs(1_700_000_000);
    mark(Mark::Begin);
    let store = SpecUser(authcore::ntlm::NtHash::from_password(spec_text(
        v::NLMP_PASSWORD,
    )?));
    let mut config = AcceptorConfig::new("Server", "Domain");
    config.require_mic = false;
    let mut acc = Acceptor::new(&store, config)?;
    let mut script = Script(v::NLMP_SERVER_CHALLENGE);
    let p = acc.step(&NEGOTIATE, &mut out, now, &mut script)?;
    check(
        matches!(p, Progress::Continue { .. }),
        "NTLM CHALLENGE step",
    )?;
    let p = acc.step(v::NLMP_4_2_4_AUTHENTICATE, &mut out, now, &mut script)?;
    mark(Mark::End);
    check(
        p == Progress::Complete { written: 0 },
        "NTLM acceptor completes",
    )?;
    let sealed = out
        .get_mut(..v::NLMP_4_2_4_SIGNATURE.len() + v::NLMP_4_2_4_SEALED.len())
        .ok_or(crate::Failure::Mismatch("seal buffer size"))?;
    let (sig, data) = sealed.split_at_mut(v::NLMP_4_2_4_SIGNATURE.len());
    sig.copy_from_slice(v::NLMP_4_2_4_SIGNATURE);
    data.copy_from_slice(v::NLMP_4_2_4_SEALED);
    let r = acc.unseal(sealed)?;
    check(
        sealed.get(r) == Some(v::NLMP_4_2_4_PLAINTEXT),
        "unsealed MS-NLMP 4.2.4.4",
    )?;
    let msg = b"reply from the acceptor";
    let n = seal_one(&mut acc, msg, &mut out, rng)?;
    check(n == acc.sizes().seal_header + msg.len(), "sealed reply")
}

/// An NTLM client alone (a printer scanning to an SMB share): our initiator
/// sends its NEGOTIATE, answers the spec's CHALLENGE (MS-NLMP 4.2.4.3) with
/// an AUTHENTICATE with MIC, and seals and signs a message (no peer here to
/// open them: the two-sided firmware and the conformance cases do).
#[cfg(feature = "ntlm")]
#[inline(never)]
pub fn ntlm_initiator_alone<R: CryptoRng + ?Sized>(
    rng: &mut R,
    now: Time,
    mark: &mut dyn FnMut(Mark),
) -> Outcome {
    use crate::vectors as v;
    use authcore::ntlm::{Initiator, InitiatorConfig, MAX_TOKEN_LEN};
    let mut out = [0u8; MAX_TOKEN_LEN];
    mark(Mark::Begin);
    let mut init = Initiator::new(
        spec_text(v::NLMP_USER)?,
        spec_text(v::NLMP_DOMAIN)?,
        spec_text(v::NLMP_PASSWORD)?,
        InitiatorConfig::new().with_workstation("COMPUTER"),
    )?;
    let p = init.step(&[], &mut out, now, rng)?;
    check(
        matches!(p, Progress::Continue { .. }),
        "NTLM NEGOTIATE step",
    )?;
    let p = init.step(v::NLMP_4_2_4_CHALLENGE, &mut out, now, rng)?;
    mark(Mark::End);
    check(
        matches!(p, Progress::Complete { written } if written > 0),
        "NTLM AUTHENTICATE step",
    )?;
    let msg = b"request from the initiator";
    let n = seal_one(&mut init, msg, &mut out, rng)?;
    check(n == init.sizes().seal_header + msg.len(), "sealed request")?;
    let mut sig = [0u8; 16];
    init.sign(msg, &mut sig)?;
    check(sig != [0; 16], "signature")
}

/// The MIT krb5 capture (`tests/vectors/mit-krb5-captures.txt`): the
/// service's key table, the capture's time and the ticket's session key.
#[cfg(feature = "kerberos")]
pub mod recorded {
    use authcore::crypto::{Etype, Key};
    use authcore::kerberos::wire::{
        Authenticator, EncTicketPart, KerberosString, PrincipalName, Ticket,
    };
    use authcore::kerberos::KeyEntry;
    use authcore::{Result, Time};

    pub use crate::vectors::{
        CAPTURE_GSS_AP_REP_TOKEN as AP_REP_TOKEN, CAPTURE_GSS_AP_REQ_TOKEN as AP_REQ_TOKEN,
        CAPTURE_SERVICE_TICKET as SERVICE_TICKET,
    };

    /// The service principal's components.
    pub const SERVICE: &[&[u8]] = &[b"host", b"service.authcore.test"];
    /// The capture's realm.
    pub const REALM: &[u8] = b"AUTHCORE.TEST";
    /// The client.
    pub static CLIENT: [KerberosString<'static>; 1] = [KerberosString(b"alice")];

    /// The client's principal name.
    pub fn client() -> PrincipalName<'static> {
        PrincipalName::new(authcore::kerberos::wire::name_type::PRINCIPAL, &CLIENT)
    }

    /// The service's key table entry (aes256-cts-hmac-sha1-96, the ticket's kvno).
    pub fn keytab() -> Result<[KeyEntry<'static>; 1]> {
        let kvno = Ticket::parse(SERVICE_TICKET)?.enc_part.kvno.unwrap_or(0);
        Ok([KeyEntry {
            principal: SERVICE,
            realm: REALM,
            kvno,
            key: Key::from_bytes(
                Etype::Aes256CtsHmacSha196,
                crate::vectors::CAPTURE_KEY_SERVICE,
            )?,
        }])
    }

    /// When MIT's client made its authenticator (its ctime and cusec).
    pub fn time() -> Result<Time> {
        let auth = Authenticator::parse(crate::vectors::CAPTURE_AP_REQ_AUTHENTICATOR)?;
        Ok(auth.ctime.to_time(auth.cusec))
    }

    /// The ticket's session key (from its decrypted EncTicketPart).
    pub fn session_key() -> Result<Key> {
        let part = EncTicketPart::parse(crate::vectors::CAPTURE_SERVICE_ENC_TICKET_PART)?;
        Key::from_bytes(Etype::from_i32(part.key.keytype)?, part.key.keyvalue)
    }
}

/// Room for the recorded AP-REQ's decryption (the acceptor decrypts in its
/// output buffer) and any AP-REP.
#[cfg(feature = "kerberos")]
pub const KRB_BUF_LEN: usize = 1024;

/// The Kerberos acceptor on MIT krb5's recorded AP-REQ with the service's
/// key, at the capture's time, then one sealed reply.
#[cfg(feature = "kerberos")]
#[inline(never)]
pub fn krb_accept_recorded<R: CryptoRng + ?Sized>(
    rng: &mut R,
    mark: &mut dyn FnMut(Mark),
) -> Outcome {
    use authcore::kerberos::{Acceptor, AcceptorConfig, ReplayCache};
    let mut out = [0u8; KRB_BUF_LEN];
    let keytab = recorded::keytab()?;
    let when = recorded::time()?;
    let mut cache = ReplayCache::<4>::new();
    mark(Mark::Begin);
    let mut acc = Acceptor::new(&keytab[..], &mut cache, AcceptorConfig::default())?;
    let p = acc.step(recorded::AP_REQ_TOKEN, &mut out, when, rng)?;
    mark(Mark::End);
    check(
        matches!(p, Progress::Complete { written } if written > 0),
        "AP-REP sent",
    )?;
    check(
        acc.identity()
            .is_some_and(|id| id.matches(&recorded::client(), recorded::REALM)),
        "identity alice@AUTHCORE.TEST",
    )?;
    let msg = b"reply to the MIT client";
    let n = seal_one(&mut acc, msg, &mut out, rng)?;
    check(n > msg.len(), "sealed reply")
}

/// One AP exchange inside the firmware on the recorded ticket: our initiator
/// (the MIT ticket and its session key) sends an AP-REQ with mutual
/// authentication, our acceptor verifies it with the service key and answers
/// with an AP-REP, the initiator verifies that; then one sealed message each
/// way.
#[cfg(feature = "kerberos")]
#[inline(never)]
pub fn krb_exchange_recorded<R: CryptoRng + ?Sized>(
    rng: &mut R,
    mark: &mut dyn FnMut(Mark),
) -> Outcome {
    use authcore::kerberos::{Acceptor, AcceptorConfig, Initiator, InitiatorConfig, ReplayCache};
    let mut a = [0u8; KRB_BUF_LEN];
    let mut b = [0u8; KRB_BUF_LEN];
    let keytab = recorded::keytab()?;
    let session_key = recorded::session_key()?;
    let when = recorded::time()?;
    let mut cache = ReplayCache::<4>::new();
    mark(Mark::Begin);
    let mut init = Initiator::new(
        recorded::SERVICE_TICKET,
        session_key,
        recorded::client(),
        recorded::REALM,
        InitiatorConfig::default(),
    )?;
    let mut acc = Acceptor::new(&keytab[..], &mut cache, AcceptorConfig::default())?;
    let Progress::Continue { written: n } = init.step(&[], &mut a, when, rng)? else {
        return Err(crate::Failure::Mismatch("AP-REQ step"));
    };
    let Progress::Complete { written: n } =
        acc.step(a.get(..n).unwrap_or(&[]), &mut b, when, rng)?
    else {
        return Err(crate::Failure::Mismatch("AP-REP step"));
    };
    let p = init.step(b.get(..n).unwrap_or(&[]), &mut a, when, rng)?;
    mark(Mark::End);
    check(
        p == Progress::Complete { written: 0 },
        "initiator completes on the AP-REP",
    )?;
    seal_across(&mut init, &mut acc, b"ping from the initiator", &mut a, rng)?;
    seal_across(&mut acc, &mut init, b"pong from the acceptor", &mut a, rng)
}

/// Negotiate inside the firmware: a client offering Kerberos (the recorded
/// ticket) and NTLM, a server with NTLM only, so SPNEGO falls back to NTLM
/// with the mechListMIC both ways; then one sealed message each way. Token
/// buffers of `spnego::MAX_NTLM_ONLY_TOKEN_LEN`, which also hold the
/// optimistic AP-REQ.
#[cfg(feature = "spnego")]
#[inline(never)]
pub fn negotiate_fallback<R: CryptoRng + ?Sized>(
    rng: &mut R,
    mark: &mut dyn FnMut(Mark),
) -> Outcome {
    use authcore::kerberos::{self, KeyEntry, ReplayCache};
    use authcore::ntlm::{self, AcceptorConfig, InitiatorConfig};
    use authcore::spnego::{Acceptor, Initiator, Mech, MAX_NTLM_ONLY_TOKEN_LEN};
    let mut a = [0u8; MAX_NTLM_ONLY_TOKEN_LEN];
    let mut b = [0u8; MAX_NTLM_ONLY_TOKEN_LEN];
    let session_key = recorded::session_key()?;
    let when = recorded::time()?;
    let store = OneUser::new(PASSWORD);
    mark(Mark::Begin);
    let krb = kerberos::Initiator::new(
        recorded::SERVICE_TICKET,
        session_key,
        recorded::client(),
        recorded::REALM,
        kerberos::InitiatorConfig::default(),
    )?;
    let ntlm_client = ntlm::Initiator::new(USER, DOMAIN, PASSWORD, InitiatorConfig::new())?;
    let mut init = Initiator::new(Some(krb), Some(ntlm_client))?;
    let no_keytab: Option<kerberos::Acceptor<'_, [KeyEntry<'_>], &mut ReplayCache<1>>> = None;
    let ntlm_server = ntlm::Acceptor::new(&store, AcceptorConfig::new("SERVER", DOMAIN))?;
    let mut acc = Acceptor::new(Some(ntlm_server), no_keytab);
    // Client token into `a`, server answer into `b`, until the client is done.
    let mut answer = 0usize;
    let mut rounds = 0u8;
    loop {
        rounds = rounds.wrapping_add(1);
        check(rounds <= 4, "Negotiate ends within four rounds")?;
        let (n, client_done) = match init.step(b.get(..answer).unwrap_or(&[]), &mut a, when, rng)? {
            Progress::Continue { written } => (written, false),
            Progress::Complete { written } => (written, true),
            Progress::SendToKdc { .. } => return Err(crate::Failure::Mismatch("Negotiate step")),
        };
        if client_done {
            check(n == 0, "Negotiate client's last token")?;
            break;
        }
        answer = match acc.step(a.get(..n).unwrap_or(&[]), &mut b, when, rng)? {
            Progress::Continue { written } | Progress::Complete { written } => written,
            Progress::SendToKdc { .. } => return Err(crate::Failure::Mismatch("Negotiate step")),
        };
    }
    mark(Mark::End);
    check(
        acc.mech() == Some(Mech::Ntlm),
        "Negotiate fell back to NTLM",
    )?;
    check(acc.mech_list_mic_exchanged(), "mechListMIC exchanged")?;
    check(acc.identity().is_some(), "Negotiate identity")?;
    seal_across(&mut init, &mut acc, b"ping over Negotiate", &mut a, rng)?;
    seal_across(&mut acc, &mut init, b"pong over Negotiate", &mut a, rng)
}
