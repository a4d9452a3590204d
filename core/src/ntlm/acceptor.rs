//! The server side (MS-NLMP 3.2.5): NEGOTIATE in, CHALLENGE out, AUTHENTICATE in
//! and verified against a [`CredentialStore`].

use core::marker::PhantomData;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;

use crate::crypto::ntlm::{ntowfv2, Key16, NtHash, KEY_LEN};
use crate::step::{Progress, Protect, Step, Time};
use crate::{Error, Result};

use super::keys::{exchange_session_key, mic_key, ResponseKey};
use super::protect::{Role, SessionSecurity};
use super::wire::{
    av_flags, AuthenticateRepr, AvPairRepr, ChallengeRepr, NegotiateFlags, NegotiateRepr,
    Ntlmv2Response, Payload, Sink, TargetInfo, Text, Version, MIC_LEN, MIC_OFFSET,
    NTLMV1_RESPONSE_LEN,
};
use super::{MAX_IDENTITY_LEN, MAX_NEGOTIATE_LEN, MAX_SERVER_NAME_LEN, MAX_TARGET_NAME_LEN};

/// Where an [`Acceptor`] looks up accounts.
pub trait CredentialStore {
    /// The NT hash (NTOWFv1) of `user` in `domain`, or `None` if there is no such
    /// account.
    ///
    /// The names are as the client sent them in AUTHENTICATE, decoded from
    /// UTF-16. Windows matches both case-insensitively, and clients send them in
    /// whatever case the user typed, so a store should compare case-insensitively
    /// too. `domain` may be empty (a user given as `user@REALM` usually comes with
    /// an empty domain) or a NetBIOS or DNS name; which domains it accepts for an
    /// account is the store's decision. The NTLMv2 proof is computed over the
    /// names exactly as received, so the store does not need to canonicalise them.
    fn nt_hash(&self, user: &str, domain: &str) -> Option<NtHash>;
}

impl<T: CredentialStore + ?Sized> CredentialStore for &T {
    fn nt_hash(&self, user: &str, domain: &str) -> Option<NtHash> {
        (**self).nt_hash(user, domain)
    }
}

/// Default bound on how far a client's NTLMv2 timestamp may be from `now`.
pub const DEFAULT_MAX_CLOCK_SKEW_SECS: u32 = 300;

/// Acceptor settings. Build with [`AcceptorConfig::new`] and adjust the fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AcceptorConfig<'a> {
    /// MsvAvNbComputerName, also the CHALLENGE TargetName (the server answers as
    /// `TARGET_TYPE_SERVER`). Required by MS-NLMP.
    pub nb_computer_name: &'a str,
    /// MsvAvNbDomainName. Required by MS-NLMP.
    pub nb_domain_name: &'a str,
    /// MsvAvDnsComputerName.
    pub dns_computer_name: Option<&'a str>,
    /// MsvAvDnsDomainName.
    pub dns_domain_name: Option<&'a str>,
    /// MsvAvDnsTreeName.
    pub dns_tree_name: Option<&'a str>,
    /// Refuse an NTLMv2 AUTHENTICATE that carries no MIC (default `true`): without
    /// it, the negotiated flags are not protected against a man in the middle.
    /// Windows and pyspnego clients send a MIC; gss-ntlmssp 1.2 clients do not
    /// (MsvAvFlags 0, no MIC field), so serving them needs `false`. A MIC that is
    /// present is always verified.
    pub require_mic: bool,
    /// The expected MsvAvChannelBindings: the MD5 of the outer channel's
    /// `gss_channel_bindings_struct` (see
    /// [`channel_bindings_hash`](super::channel_bindings_hash)). When set, a client
    /// sending other bindings, or none, is refused. Default `None`: not checked.
    pub channel_bindings: Option<[u8; 16]>,
    /// The expected MsvAvTargetName (this service's SPN), compared
    /// case-insensitively. When set, a client naming another target, or none, is
    /// refused. Default `None`: not checked.
    pub target_name: Option<&'a str>,
    /// How far the NTLMv2 client timestamp may be from `now`, checked when the
    /// client's AV pairs carry MsvAvTimestamp (default 300 s).
    pub max_clock_skew_secs: u32,
    /// Accept anonymous logons (default `false`).
    pub allow_anonymous: bool,
    /// Accept NTLMv1 responses (with extended session security only; default
    /// `false`). NTLMv1 is broken: enable only for peers that cannot do better.
    #[cfg(feature = "legacy")]
    pub allow_ntlmv1: bool,
}

impl<'a> AcceptorConfig<'a> {
    /// Defaults for a server with these NetBIOS names: MIC required, no channel
    /// bindings or target name expected, 300 s skew, no anonymous, no NTLMv1.
    pub fn new(nb_computer_name: &'a str, nb_domain_name: &'a str) -> AcceptorConfig<'a> {
        AcceptorConfig {
            nb_computer_name,
            nb_domain_name,
            dns_computer_name: None,
            dns_domain_name: None,
            dns_tree_name: None,
            require_mic: true,
            channel_bindings: None,
            target_name: None,
            max_clock_skew_secs: DEFAULT_MAX_CLOCK_SKEW_SECS,
            allow_anonymous: false,
            #[cfg(feature = "legacy")]
            allow_ntlmv1: false,
        }
    }

    fn check(&self) -> Result<()> {
        const WHAT: crate::What = what!("NTLM server name");
        for name in [
            Some(self.nb_computer_name),
            Some(self.nb_domain_name),
            self.dns_computer_name,
            self.dns_domain_name,
            self.dns_tree_name,
        ]
        .into_iter()
        .flatten()
        {
            if name.len() > MAX_SERVER_NAME_LEN {
                return Err(Error::CapacityExceeded { what: WHAT });
            }
        }
        if self.nb_computer_name.is_empty() || self.nb_domain_name.is_empty() {
            return Err(Error::Policy {
                what: what!("NTLM NetBIOS names are required"),
            });
        }
        if self
            .target_name
            .is_some_and(|t| t.len() > MAX_TARGET_NAME_LEN)
        {
            return Err(Error::CapacityExceeded {
                what: what!("NTLM target name"),
            });
        }
        Ok(())
    }
}

/// The authenticated client, as the acceptor saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity<'a> {
    /// UserName (empty when anonymous).
    pub user: &'a str,
    /// DomainName as the client sent it (may be empty).
    pub domain: &'a str,
    /// Workstation as the client sent it (may be empty).
    pub workstation: &'a str,
    /// An anonymous logon.
    pub anonymous: bool,
}

/// User, domain and workstation names, packed into one bounded string.
struct IdentityBuf {
    names: heapless::String<MAX_IDENTITY_LEN, u8>,
    user: u8,
    domain: u8,
    workstation: u8,
    anonymous: bool,
}

// The three lengths are u8.
const _: () = assert!(MAX_IDENTITY_LEN <= 255);

impl IdentityBuf {
    /// Built empty and filled in place ([`IdentityBuf::fill`]): a value
    /// returned inside a `Result` is copied out of it.
    fn empty(anonymous: bool) -> IdentityBuf {
        IdentityBuf {
            names: heapless::String::new(),
            user: 0,
            domain: 0,
            workstation: 0,
            anonymous,
        }
    }

    fn fill(&mut self, user: Text<'_>, domain: Text<'_>, workstation: Text<'_>) -> Result<()> {
        self.user = self.push(user)?;
        self.domain = self.push(domain)?;
        self.workstation = self.push(workstation)?;
        Ok(())
    }

    fn push(&mut self, text: Text<'_>) -> Result<u8> {
        const FULL: Error = Error::CapacityExceeded {
            what: what!("NTLM identity names"),
        };
        let start = self.names.len();
        for c in text.chars() {
            self.names
                .push_str(c?.encode_utf8(&mut [0; 4]))
                .map_err(|_| FULL)?;
        }
        u8::try_from(self.names.len().saturating_sub(start)).map_err(|_| FULL)
    }

    fn part(&self, skip: u8, len: u8) -> &str {
        let start = usize::from(skip);
        let end = start.saturating_add(usize::from(len));
        // Filled from whole chars by `push`, so the bounds are char boundaries.
        self.names.get(start..end).unwrap_or("")
    }

    fn identity(&self) -> Identity<'_> {
        Identity {
            user: self.part(0, self.user),
            domain: self.part(self.user, self.domain),
            workstation: self.part(self.user.saturating_add(self.domain), self.workstation),
            anonymous: self.anonymous,
        }
    }
}

/// What the acceptor supports, intersected with the client's NEGOTIATE.
const SUPPORTED: NegotiateFlags = NegotiateFlags::from_bits(
    NegotiateFlags::UNICODE.bits()
        | NegotiateFlags::SIGN.bits()
        | NegotiateFlags::SEAL.bits()
        | NegotiateFlags::ALWAYS_SIGN.bits()
        | NegotiateFlags::EXTENDED_SESSIONSECURITY.bits()
        | NegotiateFlags::NEGOTIATE_128.bits()
        | NegotiateFlags::NEGOTIATE_56.bits()
        | NegotiateFlags::KEY_EXCH.bits()
        | NegotiateFlags::VERSION.bits(),
);

/// What the acceptor needs to re-emit its CHALLENGE and to check AUTHENTICATE.
struct Challenged<'a> {
    config: AcceptorConfig<'a>,
    negotiate: heapless::Vec<u8, MAX_NEGOTIATE_LEN>,
    server_challenge: [u8; 8],
    timestamp: u64,
    flags: NegotiateFlags,
}

impl Challenged<'_> {
    /// Builds the CHALLENGE from the stored values and hands it to `f`: once to
    /// send it, once more to feed it to the MIC.
    /// One copy for both uses: `f` is a trait object, not a type parameter.
    fn with_challenge(
        &self,
        f: &mut dyn FnMut(&ChallengeRepr<'_>) -> Result<usize>,
    ) -> Result<usize> {
        let c = &self.config;
        // The names present, in Windows' order, then MsvAvTimestamp (the slot
        // after the last name: every slot starts as the timestamp).
        let mut pairs = [AvPairRepr::Timestamp(self.timestamp); 6];
        let mut n = 0usize;
        let mut put = |pair| {
            if let Some(slot) = pairs.get_mut(n) {
                *slot = pair;
                n = n.wrapping_add(1);
            }
        };
        put(AvPairRepr::NbDomainName(Text::Str(c.nb_domain_name)));
        put(AvPairRepr::NbComputerName(Text::Str(c.nb_computer_name)));
        if let Some(name) = c.dns_domain_name {
            put(AvPairRepr::DnsDomainName(Text::Str(name)));
        }
        if let Some(name) = c.dns_computer_name {
            put(AvPairRepr::DnsComputerName(Text::Str(name)));
        }
        if let Some(name) = c.dns_tree_name {
            put(AvPairRepr::DnsTreeName(Text::Str(name)));
        }
        let pairs = pairs.get(..=n).unwrap_or(&[]);
        let repr = ChallengeRepr {
            flags: self.flags,
            target_name: if self.flags.contains(NegotiateFlags::REQUEST_TARGET) {
                Text::Str(c.nb_computer_name)
            } else {
                Text::EMPTY
            },
            server_challenge: self.server_challenge,
            target_info: Some(TargetInfo::List(pairs)),
            version: self
                .flags
                .contains(NegotiateFlags::VERSION)
                .then_some(Version::AUTHCORE),
        };
        f(&repr)
    }
}

// The variants share memory on purpose: the handshake state lives where the
// established RC4 states will, and there is no allocator to box either.
#[allow(clippy::large_enum_variant)]
enum Phase<'a> {
    Initial(AcceptorConfig<'a>),
    Challenged(Challenged<'a>),
    Established {
        security: SessionSecurity,
        identity: IdentityBuf,
    },
    Anonymous(IdentityBuf),
    Failed,
}

/// The NTLM server context, checking clients against the store `S`.
///
/// Randomness: the first step draws the 8-byte server challenge.
///
/// A wrong password is [`Error::LogonDenied`], an account the store does not
/// know [`Error::UnknownPrincipal`]: the distinction is for logs; tell the peer
/// the same thing for both, or it can probe for account names.
///
/// `size_of` includes `S` (use a reference for a large store); with `&T` it is
/// within the 768-byte budget of DESIGN.md on 64-bit hosts (the tests print it).
pub struct Acceptor<'a, S: CredentialStore> {
    store: S,
    phase: Phase<'a>,
}

impl<'a, S: CredentialStore> Acceptor<'a, S> {
    /// A context answering as `config` says; over-long names are
    /// [`Error::CapacityExceeded`].
    pub fn new(store: S, config: AcceptorConfig<'a>) -> Result<Acceptor<'a, S>> {
        config.check()?;
        Ok(Acceptor {
            store,
            phase: Phase::Initial(config),
        })
    }

    /// True once the handshake completed.
    pub fn is_complete(&self) -> bool {
        matches!(self.phase, Phase::Established { .. } | Phase::Anonymous(_))
    }

    /// Who authenticated; `None` until the handshake completed.
    pub fn identity(&self) -> Option<Identity<'_>> {
        match &self.phase {
            Phase::Established { identity, .. } | Phase::Anonymous(identity) => {
                Some(identity.identity())
            }
            _ => None,
        }
    }

    /// The exported session key (feature `export-session-key`).
    #[cfg(feature = "export-session-key")]
    pub fn session_key(&self) -> Option<&[u8; 16]> {
        match &self.phase {
            Phase::Established { security, .. } => Some(security.session_key()),
            _ => None,
        }
    }

    fn protect<T>(&mut self, f: impl FnOnce(&mut SessionSecurity) -> Result<T>) -> Result<T> {
        let r = match &mut self.phase {
            Phase::Established { security, .. } => f(security),
            Phase::Anonymous(_) => Err(Error::Policy {
                what: what!("anonymous NTLM context has no session key"),
            }),
            _ => Err(Error::WrongState),
        };
        if r.is_err() {
            self.phase = Phase::Failed;
        }
        r
    }
}

// Left to the inliner (one caller, `step`): kept out of line it measured
// 80 B more flash on thumbv7em; inlined, `step`'s frame grows by 24 B.
fn challenge<'a, R: CryptoRng + ?Sized>(
    config: AcceptorConfig<'a>,
    input: &[u8],
    out: &mut [u8],
    now: Time,
    rng: &mut R,
) -> Result<(usize, Challenged<'a>)> {
    if input.len() > MAX_NEGOTIATE_LEN {
        return Err(Error::CapacityExceeded {
            what: what!("NTLM NEGOTIATE"),
        });
    }
    let negotiate = NegotiateRepr::parse(input)?;
    if !negotiate.flags.contains(NegotiateFlags::UNICODE) {
        return Err(Error::Policy {
            what: what!("NTLM client without UNICODE"),
        });
    }
    if !negotiate
        .flags
        .contains(NegotiateFlags::EXTENDED_SESSIONSECURITY)
    {
        return Err(Error::Policy {
            what: what!("NTLM client without extended session security"),
        });
    }
    let mut server_challenge = [0u8; 8];
    rng.fill_bytes(&mut server_challenge);
    let mut state = Challenged {
        config,
        negotiate: heapless::Vec::new(),
        server_challenge,
        timestamp: now.filetime(),
        flags: NegotiateFlags::server_reply(negotiate.flags, SUPPORTED),
    };
    state
        .negotiate
        .extend_from_slice(input)
        .map_err(|_| Error::CapacityExceeded {
            what: what!("NTLM NEGOTIATE"),
        })?;
    let written = state.with_challenge(&mut |c| c.emit(out))?;
    Ok((written, state))
}

fn bytes<'a>(p: &Payload<'a>) -> &'a [u8] {
    // Parsed messages only hold `Payload::Bytes`.
    match *p {
        Payload::Bytes(b) => b,
        Payload::Reserve(_) => &[],
    }
}

/// ExportedSessionKey: the key exchange key itself, or (with KEY_EXCH) the
/// client's random key decrypted with it.
fn exported_key(flags: NegotiateFlags, key_exchange_key: Key16, encrypted: &[u8]) -> Result<Key16> {
    if !flags.contains(NegotiateFlags::KEY_EXCH) {
        return Ok(key_exchange_key);
    }
    let k: &[u8; KEY_LEN] = encrypted.try_into().map_err(|_| Error::Malformed {
        what: what!("AUTHENTICATE EncryptedRandomSessionKey"),
    })?;
    // RC4 is its own inverse: the initiator's encryption decrypts.
    Ok(Key16::from_bytes(exchange_session_key(
        &key_exchange_key,
        k,
    )))
}

fn require_session_flags(flags: NegotiateFlags) -> Result<()> {
    if !flags.contains(NegotiateFlags::EXTENDED_SESSIONSECURITY) {
        return Err(Error::Policy {
            what: what!("NTLM without extended session security"),
        });
    }
    if !flags.contains(NegotiateFlags::NEGOTIATE_128) {
        return Err(Error::Policy {
            what: what!("NTLM without 128-bit keys"),
        });
    }
    Ok(())
}

// Out of line: inlined into `step` it costs more flash (measured on thumbv7em, opt-level z).
/// How the established session is keyed from the exported key: plainly
/// (`step`), or after SPNEGO's mechListMIC exchange. One `authenticate`
/// serves both, where a closure per caller made two copies of it.
pub(crate) enum Keying<'m> {
    Plain(PhantomData<&'m ()>),
    #[cfg(feature = "spnego")]
    MechListMic {
        list: &'m [u8],
        peer: &'m [u8],
        ours: &'m mut [u8; super::SIGNATURE_LEN],
    },
}

impl Keying<'_> {
    fn session(self, exported: &Key16, flags: NegotiateFlags) -> Result<SessionSecurity> {
        match self {
            Keying::Plain(_) => Ok(SessionSecurity::new(exported, flags, Role::Acceptor)),
            #[cfg(feature = "spnego")]
            Keying::MechListMic { list, peer, ours } => SessionSecurity::exchange_mech_list_mic(
                exported,
                flags,
                Role::Acceptor,
                list,
                peer,
                ours,
            ),
        }
    }
}

#[inline(never)]
fn authenticate<'a, S: CredentialStore>(
    state: &Challenged<'a>,
    store: &S,
    input: &[u8],
    now: Time,
    keys: Keying<'_>,
) -> Result<Phase<'a>> {
    let config = &state.config;
    let auth = AuthenticateRepr::parse(input)?;
    if !auth.flags.contains(NegotiateFlags::UNICODE) {
        return Err(Error::Policy {
            what: what!("NTLM client without UNICODE"),
        });
    }
    let flags = state.flags.intersection(auth.flags);
    let (lm, nt) = (bytes(&auth.lm_response), bytes(&auth.nt_response));

    // MS-NLMP 3.2.5.1.2: no user, no NT response, an LM response of Z(1) or none.
    let anonymous = auth.user.is_empty() && nt.is_empty() && (lm.is_empty() || lm == [0]);
    if anonymous && !config.allow_anonymous {
        return Err(Error::Policy {
            what: what!("anonymous NTLM logon"),
        });
    }
    // An anonymous logon keeps only the workstation (its user is empty).
    let domain = if anonymous { Text::EMPTY } else { auth.domain };
    let mut identity = IdentityBuf::empty(anonymous);
    identity.fill(auth.user, domain, auth.workstation)?;
    if anonymous {
        return Ok(Phase::Anonymous(identity));
    }
    if nt.len() == NTLMV1_RESPONSE_LEN {
        #[cfg(feature = "legacy")]
        return ntlmv1(state, store, &auth, identity, flags, keys);
        #[cfg(not(feature = "legacy"))]
        return Err(Error::Policy {
            what: what!("NTLMv1"),
        });
    }
    let response = Ntlmv2Response::parse(nt)?;
    let id = identity.identity();
    let nt_hash = store
        .nt_hash(id.user, id.domain)
        .ok_or(Error::UnknownPrincipal)?;
    let response_key = ResponseKey::new(&ntowfv2(&nt_hash, id.user, id.domain));
    drop(nt_hash);
    let proof = response_key.nt_proof(&state.server_challenge, response.blob);
    if !bool::from(proof.ct_eq(&response.proof)) {
        return Err(Error::LogonDenied);
    }
    let session_base_key = response_key.session_base_key(&proof);
    let exported = exported_key(flags, session_base_key, bytes(&auth.encrypted_session_key))?;

    let pairs = &response.av_pairs;
    if pairs.flags().unwrap_or(0) & av_flags::MIC_PRESENT != 0 {
        let mic = auth.mic.ok_or(Error::Malformed {
            what: what!("AUTHENTICATE MIC"),
        })?;
        let mut mac = mic_key(&exported).start();
        mac.put(&state.negotiate)?;
        state.with_challenge(&mut |c| c.emit_to(&mut mac).map(|()| 0))?;
        let (head, rest) = input
            .split_at_checked(MIC_OFFSET)
            .ok_or(Error::WrongState)?;
        let tail = rest.get(MIC_LEN..).ok_or(Error::WrongState)?;
        mac.put(head)?;
        mac.put(&[0; MIC_LEN])?;
        mac.put(tail)?;
        if !bool::from(mac.finalize().ct_eq(&mic)) {
            return Err(Error::Integrity { what: what!("MIC") });
        }
    } else if config.require_mic {
        return Err(Error::Policy {
            what: what!("NTLM MIC required"),
        });
    }
    if pairs.timestamp().is_some() {
        let limit = u64::from(config.max_clock_skew_secs).saturating_mul(10_000_000);
        if now.filetime().abs_diff(response.timestamp) > limit {
            return Err(Error::ClockSkew);
        }
    }
    if let Some(expected) = &config.channel_bindings {
        let ok = pairs
            .channel_bindings()
            .is_some_and(|cb| bool::from(cb.ct_eq(expected)));
        if !ok {
            return Err(Error::Policy {
                what: what!("NTLM channel bindings"),
            });
        }
    }
    if let Some(expected) = config.target_name {
        if !pairs
            .target_name()
            .is_some_and(|t| t.eq_ignore_case(expected))
        {
            return Err(Error::Policy {
                what: what!("NTLM target name"),
            });
        }
    }
    require_session_flags(flags)?;
    Ok(Phase::Established {
        security: keys.session(&exported, flags)?,
        identity,
    })
}

/// NTLMv1 with extended session security (MS-NLMP 3.3.1), `legacy` only.
#[cfg(feature = "legacy")]
fn ntlmv1<'a, S: CredentialStore>(
    state: &Challenged<'a>,
    store: &S,
    auth: &AuthenticateRepr<'_>,
    identity: IdentityBuf,
    flags: NegotiateFlags,
    keys: Keying<'_>,
) -> Result<Phase<'a>> {
    use super::keys::kxkey_v1_ess;
    use crate::crypto::ntlm::{ntlmv1_response, ntlmv1_session_base_key};

    let config = &state.config;
    if !config.allow_ntlmv1 {
        return Err(Error::Policy {
            what: what!("NTLMv1"),
        });
    }
    if !flags.contains(NegotiateFlags::EXTENDED_SESSIONSECURITY) {
        return Err(Error::Policy {
            what: what!("NTLMv1 without extended session security"),
        });
    }
    // NTLMv1 responses carry no AV pairs: nothing can hold a MIC, bindings or a target.
    if config.require_mic || config.channel_bindings.is_some() || config.target_name.is_some() {
        return Err(Error::Policy {
            what: what!("NTLMv1 cannot carry MIC, channel bindings or target name"),
        });
    }
    let lm: &[u8; 24] = bytes(&auth.lm_response)
        .try_into()
        .map_err(|_| Error::Malformed {
            what: what!("AUTHENTICATE LmChallengeResponse"),
        })?;
    let mut client_challenge = [0u8; 8];
    client_challenge.copy_from_slice(lm.get(..8).unwrap_or(&[0; 8]));
    let id = identity.identity();
    let nt_hash = store
        .nt_hash(id.user, id.domain)
        .ok_or(Error::UnknownPrincipal)?;
    let expected = ntlmv1_response(&nt_hash, &state.server_challenge, Some(&client_challenge));
    if !bool::from(expected.ct_eq(bytes(&auth.nt_response))) {
        return Err(Error::LogonDenied);
    }
    let session_base_key = ntlmv1_session_base_key(&nt_hash);
    let kxkey = kxkey_v1_ess(
        &session_base_key,
        &state.server_challenge,
        &client_challenge,
    );
    let exported = exported_key(flags, kxkey, bytes(&auth.encrypted_session_key))?;
    require_session_flags(flags)?;
    Ok(Phase::Established {
        security: keys.session(&exported, flags)?,
        identity,
    })
}

impl<S: CredentialStore> Step for Acceptor<'_, S> {
    fn step<R: CryptoRng + ?Sized>(
        &mut self,
        input: &[u8],
        out: &mut [u8],
        now: Time,
        rng: &mut R,
    ) -> Result<Progress> {
        // The phase is read in place (it is large) and replaced by the next one
        // in the arm that made it (no large temporaries), or by `Failed` on any
        // error: a failed context stays failed.
        let r = match &mut self.phase {
            Phase::Initial(config) => {
                // Moved out, not cloned (flash), and not the whole phase
                // either (stack): on error the context fails anyway.
                let config = core::mem::replace(config, AcceptorConfig::new("", ""));
                match challenge(config, input, out, now, rng) {
                    Ok((written, state)) => {
                        self.phase = Phase::Challenged(state);
                        return Ok(Progress::Continue { written });
                    }
                    Err(e) => e,
                }
            }
            Phase::Challenged(state) => {
                match authenticate(state, &self.store, input, now, Keying::Plain(PhantomData)) {
                    Ok(next) => {
                        self.phase = next;
                        return Ok(Progress::Complete { written: 0 });
                    }
                    Err(e) => e,
                }
            }
            Phase::Established { .. } | Phase::Anonymous(_) | Phase::Failed => Error::WrongState,
        };
        self.phase = Phase::Failed;
        Err(r)
    }
}

#[cfg(feature = "spnego")]
impl<S: CredentialStore> Acceptor<'_, S> {
    /// SPNEGO's last NTLM leg: checks the AUTHENTICATE in `input` like
    /// [`Step::step`] and, when the client sent a mechListMIC (`peer`) over
    /// `mech_list`, verifies it and signs ours into `ours` on the new session
    /// before either direction carries a message (see
    /// [`SessionSecurity::exchange_mech_list_mic`]). Returns whether `ours`
    /// was written. Any error fails the context.
    pub(crate) fn authenticate_with_mech_list_mic(
        &mut self,
        input: &[u8],
        now: Time,
        mech_list: &[u8],
        peer: Option<&[u8]>,
        ours: &mut [u8; super::SIGNATURE_LEN],
    ) -> Result<bool> {
        let r = match &self.phase {
            Phase::Challenged(state) => {
                let keys = match peer {
                    Some(peer) => Keying::MechListMic {
                        list: mech_list,
                        peer,
                        ours,
                    },
                    None => Keying::Plain(PhantomData),
                };
                authenticate(state, &self.store, input, now, keys)
            }
            _ => Err(Error::WrongState),
        };
        match r {
            // An anonymous logon has no keys to sign a mechListMIC with.
            Ok(Phase::Anonymous(_)) if peer.is_some() => {
                self.phase = Phase::Failed;
                Err(Error::Policy {
                    what: what!("SPNEGO mechListMIC on an anonymous NTLM logon"),
                })
            }
            Ok(next) => {
                self.phase = next;
                Ok(peer.is_some())
            }
            Err(e) => {
                self.phase = Phase::Failed;
                Err(e)
            }
        }
    }
}

impl<S: CredentialStore> Protect for Acceptor<'_, S> {
    super::protect::protect_through_session!();
}

impl<S: CredentialStore> core::fmt::Debug for Acceptor<'_, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let phase = match self.phase {
            Phase::Initial(_) => "initial",
            Phase::Challenged(_) => "sent CHALLENGE",
            Phase::Established { .. } => "established",
            Phase::Anonymous(_) => "established (anonymous)",
            Phase::Failed => "failed",
        };
        f.debug_struct("Acceptor")
            .field("phase", &phase)
            .field("identity", &self.identity())
            .finish()
    }
}
