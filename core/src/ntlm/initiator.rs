//! The client side (MS-NLMP 3.1.5): NEGOTIATE out, CHALLENGE in, AUTHENTICATE out.

use core::marker::PhantomData;
use core::ops::Range;

use rand_core::CryptoRng;

use crate::crypto::ntlm::{ntowfv2, Key16, NtHash, KEY_LEN};
use crate::step::{Progress, Protect, Step, Time};
use crate::{Error, Result};

use super::keys::{exchange_session_key, mic_key, ResponseKey};
use super::protect::{Role, SessionSecurity};
use super::wire::{
    av_flags, av_id, emit_blob_header, AuthenticateRepr, AvPairRepr, AvPairs, ChallengeRepr,
    NegotiateFlags, Payload, Sink, SliceSink, Text, Version, AV_HEADER_LEN, BLOB_HEADER_LEN,
    BLOB_TRAILER_LEN, EOL_PAIR, NT_PROOF_LEN,
};
use super::{
    MAX_DOMAIN_LEN, MAX_TARGET_INFO_LEN, MAX_TARGET_NAME_LEN, MAX_USER_LEN, MAX_WORKSTATION_LEN,
    NEGOTIATE_LEN,
};

/// Copies `s` into an empty bounded string or fails with `CapacityExceeded`.
fn fill<const N: usize>(
    dst: &mut heapless::String<N, u8>,
    s: &str,
    what: crate::What,
) -> Result<()> {
    dst.push_str(s)
        .map_err(|_| Error::CapacityExceeded { what })
}

/// What the initiator asks for in NEGOTIATE, as Windows does: UNICODE,
/// REQUEST_TARGET, SIGN, SEAL, NTLM, ALWAYS_SIGN, EXTENDED_SESSIONSECURITY,
/// VERSION, 128, KEY_EXCH, 56.
pub const INITIATOR_FLAGS: NegotiateFlags = NegotiateFlags::from_bits(
    NegotiateFlags::UNICODE.bits()
        | NegotiateFlags::REQUEST_TARGET.bits()
        | NegotiateFlags::SIGN.bits()
        | NegotiateFlags::SEAL.bits()
        | NegotiateFlags::NTLM.bits()
        | NegotiateFlags::ALWAYS_SIGN.bits()
        | NegotiateFlags::EXTENDED_SESSIONSECURITY.bits()
        | NegotiateFlags::VERSION.bits()
        | NegotiateFlags::NEGOTIATE_128.bits()
        | NegotiateFlags::KEY_EXCH.bits()
        | NegotiateFlags::NEGOTIATE_56.bits(),
);

/// What an [`Initiator`] needs besides the credentials.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct InitiatorConfig<'a> {
    /// The SPN of the service (e.g. `HTTP/www.example.com`), sent as
    /// MsvAvTargetName so that the server can check it was the intended target.
    pub target_name: Option<&'a str>,
    /// The 16-byte MD5 of the `gss_channel_bindings_struct` of the outer channel
    /// (for TLS, [`channel_bindings_hash`](super::channel_bindings_hash) of
    /// `tls-server-end-point:` and the certificate hash), sent as
    /// MsvAvChannelBindings; all zeros when `None`, meaning "no bindings".
    pub channel_bindings: Option<[u8; 16]>,
    /// The client's workstation name, sent in AUTHENTICATE.
    pub workstation: Option<&'a str>,
}

impl<'a> InitiatorConfig<'a> {
    /// No target name, no channel bindings, no workstation.
    pub fn new() -> InitiatorConfig<'a> {
        InitiatorConfig::default()
    }

    /// With this target SPN.
    pub fn with_target_name(mut self, spn: &'a str) -> Self {
        self.target_name = Some(spn);
        self
    }

    /// With these channel bindings (the MD5 of the bindings structure).
    pub fn with_channel_bindings(mut self, hash: [u8; 16]) -> Self {
        self.channel_bindings = Some(hash);
        self
    }

    /// With this workstation name.
    pub fn with_workstation(mut self, workstation: &'a str) -> Self {
        self.workstation = Some(workstation);
        self
    }
}

struct Client {
    user: heapless::String<MAX_USER_LEN, u8>,
    domain: heapless::String<MAX_DOMAIN_LEN, u8>,
    workstation: heapless::String<MAX_WORKSTATION_LEN, u8>,
    target_name: heapless::String<MAX_TARGET_NAME_LEN, u8>,
    channel_bindings: [u8; 16],
    /// NTOWFv2 (= LMOWFv2), prepared for the MACs taken under it; `None` for an
    /// anonymous context.
    response_key: Option<ResponseKey>,
}

// The variants share memory on purpose: the handshake state lives where the
// established RC4 states will, and there is no allocator to box either.
#[allow(clippy::large_enum_variant)]
enum Phase {
    /// Before (`false`) or after (`true`) NEGOTIATE went out: one variant, so
    /// that sending it flips a flag instead of moving the client state.
    Handshake(Client, bool),
    Established(SessionSecurity),
    EstablishedAnonymous,
    Failed,
}

/// The NTLM client context.
///
/// Keeps no password: the constructors reduce the credentials to NTOWFv2, the
/// only secret NTLMv2 needs, zeroized on drop.
///
/// Randomness: completing the handshake draws the 8-byte client challenge, then
/// (with key exchange) the 16-byte exported session key, in that order.
pub struct Initiator {
    phase: Phase,
}

impl Initiator {
    /// A context for `user` in `domain` with `password`.
    pub fn new(
        user: &str,
        domain: &str,
        password: &str,
        config: InitiatorConfig<'_>,
    ) -> Result<Initiator> {
        Initiator::with_nt_hash(user, domain, &NtHash::from_password(password), config)
    }

    /// A context for `user` in `domain` with the account's NT hash.
    pub fn with_nt_hash(
        user: &str,
        domain: &str,
        nt_hash: &NtHash,
        config: InitiatorConfig<'_>,
    ) -> Result<Initiator> {
        let response_key = ResponseKey::new(&ntowfv2(nt_hash, user, domain));
        Initiator::build(user, domain, Some(response_key), &config)
    }

    /// An anonymous context (MS-NLMP 3.2.5.1.2): empty user, an LmChallengeResponse
    /// of one zero byte and no NtChallengeResponse. It has no session key, so
    /// message protection is refused on it.
    pub fn anonymous(config: InitiatorConfig<'_>) -> Result<Initiator> {
        Initiator::build("", "", None, &config)
    }

    // Left to the inliner: a firmware usually has one of the constructors,
    // and kept out of line it measured 120 B more flash on thumbv7em.
    fn build(
        user: &str,
        domain: &str,
        response_key: Option<ResponseKey>,
        config: &InitiatorConfig<'_>,
    ) -> Result<Initiator> {
        // Built in place and filled afterwards: no bounded string is moved.
        let mut client = Client {
            user: heapless::String::new(),
            domain: heapless::String::new(),
            workstation: heapless::String::new(),
            target_name: heapless::String::new(),
            channel_bindings: config.channel_bindings.unwrap_or([0; 16]),
            response_key,
        };
        fill(&mut client.user, user, what!("NTLM user name"))?;
        fill(&mut client.domain, domain, what!("NTLM domain name"))?;
        let ws = config.workstation.unwrap_or("");
        fill(&mut client.workstation, ws, what!("NTLM workstation name"))?;
        let target = config.target_name.unwrap_or("");
        fill(&mut client.target_name, target, what!("NTLM target name"))?;
        Ok(Initiator {
            phase: Phase::Handshake(client, false),
        })
    }

    /// True once the handshake completed.
    pub fn is_complete(&self) -> bool {
        matches!(
            self.phase,
            Phase::Established(_) | Phase::EstablishedAnonymous
        )
    }

    /// The exported session key (feature `export-session-key`).
    #[cfg(feature = "export-session-key")]
    pub fn session_key(&self) -> Option<&[u8; 16]> {
        match &self.phase {
            Phase::Established(s) => Some(s.session_key()),
            _ => None,
        }
    }

    fn security(&mut self) -> Result<&mut SessionSecurity> {
        match &mut self.phase {
            Phase::Established(s) => Ok(s),
            Phase::EstablishedAnonymous => Err(Error::Policy {
                what: what!("anonymous NTLM context has no session key"),
            }),
            _ => Err(Error::WrongState),
        }
    }

    fn protect<T>(&mut self, f: impl FnOnce(&mut SessionSecurity) -> Result<T>) -> Result<T> {
        let r = self.security().and_then(f);
        if r.is_err() {
            self.phase = Phase::Failed;
        }
        r
    }
}

/// The NEGOTIATE this initiator sends: always the same bytes (header with both
/// name fields empty, then VERSION), so it is a constant rather than emitted.
/// The test below checks it against `NegotiateRepr::emit`.
const NEGOTIATE: [u8; NEGOTIATE_LEN] = {
    let [f0, f1, f2, f3] = INITIATOR_FLAGS.bits().to_le_bytes();
    let [v0, v1, v2, v3, v4, v5, v6, v7] = Version::AUTHCORE.to_bytes();
    // Empty fields point at the end of the header.
    let end = NEGOTIATE_LEN as u8;
    [
        b'N', b'T', b'L', b'M', b'S', b'S', b'P', 0, 1, 0, 0, 0, f0, f1, f2, f3, 0, 0, 0, 0, end,
        0, 0, 0, 0, 0, 0, 0, end, 0, 0, 0, v0, v1, v2, v3, v4, v5, v6, v7,
    ]
};

/// The server's pairs the client echoes: all but those it supplies itself.
fn echoed<'a>(pairs: &AvPairs<'a>) -> impl Iterator<Item = super::wire::AvPair<'a>> {
    pairs.iter().filter(|p| {
        !matches!(
            p.id,
            av_id::FLAGS | av_id::TARGET_NAME | av_id::CHANNEL_BINDINGS
        )
    })
}

/// How the established session is keyed from the exported key: plainly
/// (`step`), or after signing SPNEGO's mechListMIC. One `authenticate`
/// serves both, where a closure per caller made two copies of it.
pub(crate) enum Keying<'m> {
    Plain(PhantomData<&'m ()>),
    #[cfg(feature = "spnego")]
    MechListMic {
        list: &'m [u8],
        ours: &'m mut [u8; super::SIGNATURE_LEN],
        keystream: &'m mut [u8; 8],
    },
}

impl Keying<'_> {
    fn session(self, exported: &Key16, flags: NegotiateFlags) -> Result<SessionSecurity> {
        match self {
            Keying::Plain(_) => Ok(SessionSecurity::new(exported, flags, Role::Initiator)),
            #[cfg(feature = "spnego")]
            Keying::MechListMic {
                list,
                ours,
                keystream,
            } => SessionSecurity::sign_mech_list_mic(
                exported,
                flags,
                Role::Initiator,
                list,
                ours,
                keystream,
            ),
        }
    }
}

// Out of line: inlined into `step` it costs more flash (measured on thumbv7em, opt-level z).
#[inline(never)]
fn authenticate<R: CryptoRng + ?Sized>(
    client: &Client,
    input: &[u8],
    out: &mut [u8],
    now: Time,
    rng: &mut R,
    keys: Keying<'_>,
) -> Result<(usize, Phase)> {
    let challenge = ChallengeRepr::parse(input)?;
    let flags = NegotiateFlags::client_accept(INITIATOR_FLAGS, challenge.flags);
    // A constant: read in place, not rebuilt on the stack.
    const REQUIRED: [(NegotiateFlags, crate::What); 3] = [
        (
            NegotiateFlags::UNICODE,
            what!("NTLM server without UNICODE"),
        ),
        (
            NegotiateFlags::EXTENDED_SESSIONSECURITY,
            what!("NTLM server without extended session security"),
        ),
        (
            NegotiateFlags::NEGOTIATE_128,
            what!("NTLM server without 128-bit keys"),
        ),
    ];
    for &(flag, what) in &REQUIRED {
        if !flags.contains(flag) {
            return Err(Error::Policy { what });
        }
    }
    let info_len = challenge.target_info.as_ref().map_or(0, |t| t.wire_len());
    if info_len > MAX_TARGET_INFO_LEN {
        return Err(Error::CapacityExceeded {
            what: what!("NTLM CHALLENGE TargetInfo"),
        });
    }
    let pairs = challenge
        .target_info
        .as_ref()
        .and_then(|t| t.pairs())
        .unwrap_or(AvPairs::EMPTY);
    let server_time = pairs.timestamp();
    let sc = challenge.server_challenge;

    let anonymous = client.response_key.is_none();
    let mut client_challenge = [0u8; 8];
    let key_exch = flags.contains(NegotiateFlags::KEY_EXCH) && !anonymous;
    let mut random_key = Key16::from_bytes([0; KEY_LEN]);
    if !anonymous {
        rng.fill_bytes(&mut client_challenge);
    }
    if key_exch {
        rng.fill_bytes(&mut random_key.0);
    }

    // MS-NLMP 3.1.5.2.1: the server's time when it sent one (then the LMv2
    // response is Z(24)), the client's otherwise.
    let timestamp = server_time.unwrap_or_else(|| now.filetime());
    let lm = match (&client.response_key, server_time) {
        (Some(key), None) => key.lmv2_response(&sc, &client_challenge),
        _ => [0u8; 24],
    };
    let server_flags = pairs.flags().unwrap_or(0);
    let mut added: heapless::Vec<AvPairRepr<'_>, 3> = heapless::Vec::new();
    let mut add = |p| {
        added.push(p).map_err(|_| Error::CapacityExceeded {
            what: what!("NTLM AV pairs"),
        })
    };
    add(AvPairRepr::Flags(server_flags | av_flags::MIC_PRESENT))?;
    add(AvPairRepr::ChannelBindings(client.channel_bindings))?;
    if !client.target_name.is_empty() {
        add(AvPairRepr::TargetName(Text::Str(&client.target_name)))?;
    }
    let av_len = echoed(&pairs)
        .map(|p| p.value.len().saturating_add(AV_HEADER_LEN))
        .chain(added.iter().map(AvPairRepr::buffer_len))
        .fold(AV_HEADER_LEN, usize::saturating_add);
    let nt_len = NT_PROOF_LEN
        .saturating_add(BLOB_HEADER_LEN)
        .saturating_add(av_len)
        .saturating_add(BLOB_TRAILER_LEN);

    // Anonymous (MS-NLMP 3.2.5.1.2): an LM response of one zero byte, no NT
    // response, no names but the workstation, no session key, no MIC.
    let repr = AuthenticateRepr {
        flags: if anonymous {
            flags
                .difference(NegotiateFlags::SIGN | NegotiateFlags::SEAL | NegotiateFlags::KEY_EXCH)
                .union(NegotiateFlags::ANONYMOUS)
        } else {
            flags
        },
        lm_response: Payload::Bytes(lm.get(..if anonymous { 1 } else { 24 }).unwrap_or(&[])),
        nt_response: Payload::Reserve(if anonymous { 0 } else { nt_len }),
        domain: Text::Str(&client.domain),
        user: Text::Str(&client.user),
        workstation: Text::Str(&client.workstation),
        encrypted_session_key: Payload::Reserve(if key_exch { KEY_LEN } else { 0 }),
        // Without VERSION the MIC still sits at its fixed offset, after 8 zero bytes.
        version: flags
            .contains(NegotiateFlags::VERSION)
            .then_some(Version::AUTHCORE),
        mic: (!anonymous).then_some([0; 16]),
    };
    let layout = repr.emit(out)?;
    let Some(response_key) = &client.response_key else {
        // Nothing to sign or seal with.
        return Ok((layout.len, Phase::EstablishedAnonymous));
    };

    // The NTLMv2 client challenge ("temp"), written in place, then its proof.
    let nt = slice_mut(out, layout.nt_response.clone())?;
    let (proof_slot, blob) = nt
        .split_at_mut_checked(NT_PROOF_LEN)
        .ok_or(Error::WrongState)?;
    {
        let mut sink = SliceSink::new(blob);
        emit_blob_header(&mut sink, timestamp, &client_challenge)?;
        for p in echoed(&pairs) {
            AvPairRepr::Other {
                id: p.id,
                value: p.value,
            }
            .emit(&mut sink)?;
        }
        for p in &added {
            p.emit(&mut sink)?;
        }
        sink.put(&EOL_PAIR)?;
        sink.put(&[0; BLOB_TRAILER_LEN])?;
    }
    let proof = response_key.nt_proof(&sc, blob);
    proof_slot.copy_from_slice(&proof);

    let session_base_key = response_key.session_base_key(&proof);
    let exported = if key_exch {
        let enc = exchange_session_key(&session_base_key, random_key.as_bytes());
        slice_mut(out, layout.encrypted_session_key.clone())?.copy_from_slice(&enc);
        random_key
    } else {
        session_base_key
    };

    // MIC over NEGOTIATE (a constant), CHALLENGE as received and AUTHENTICATE with the MIC still zero.
    let mut mac = mic_key(&exported).start();
    mac.put(&NEGOTIATE)?;
    mac.put(input)?;
    mac.put(out.get(..layout.len).ok_or(Error::WrongState)?)?;
    let mic = mac.finalize();
    let mic_range = layout.mic.clone().ok_or(Error::WrongState)?;
    slice_mut(out, mic_range)?.copy_from_slice(&mic);

    Ok((
        layout.len,
        Phase::Established(keys.session(&exported, flags)?),
    ))
}

fn slice_mut(buf: &mut [u8], r: Range<usize>) -> Result<&mut [u8]> {
    // The ranges come from the layout `emit` just wrote into `buf`.
    buf.get_mut(r).ok_or(Error::WrongState)
}

impl Step for Initiator {
    fn step<R: CryptoRng + ?Sized>(
        &mut self,
        input: &[u8],
        out: &mut [u8],
        now: Time,
        rng: &mut R,
    ) -> Result<Progress> {
        // The phase is worked on in place (it is large) and replaced by the next
        // one in the arm that made it (no large temporaries), or by `Failed` on
        // any error: a failed context stays failed.
        let e = match &mut self.phase {
            Phase::Handshake(_, sent @ false) => match out.get_mut(..NEGOTIATE_LEN) {
                Some(dst) if input.is_empty() => {
                    dst.copy_from_slice(&NEGOTIATE);
                    *sent = true;
                    return Ok(Progress::Continue {
                        written: NEGOTIATE_LEN,
                    });
                }
                Some(_) => Error::WrongState,
                None if input.is_empty() => Error::BufferTooSmall {
                    needed: NEGOTIATE_LEN,
                },
                None => Error::WrongState,
            },
            Phase::Handshake(client, true) => {
                match authenticate(client, input, out, now, rng, Keying::Plain(PhantomData)) {
                    Ok((written, next)) => {
                        self.phase = next;
                        return Ok(Progress::Complete { written });
                    }
                    Err(e) => e,
                }
            }
            Phase::Established(_) | Phase::EstablishedAnonymous | Phase::Failed => {
                Error::WrongState
            }
        };
        self.phase = Phase::Failed;
        Err(e)
    }
}

#[cfg(feature = "spnego")]
impl Initiator {
    /// SPNEGO's NTLM leg after the CHALLENGE: writes the AUTHENTICATE into
    /// `out` like [`Step::step`] (returning its length) and signs our
    /// mechListMIC over `mech_list` into `ours` as the first message of the
    /// new session. For the acceptor's mechListMIC, which comes later and is
    /// checked with [`Initiator::verify_mech_list_mic`], `keystream` receives
    /// the first bytes of the receiving RC4 state: after both MICs each
    /// direction's RC4 state starts over (see
    /// [`SessionSecurity::exchange_mech_list_mic`]), so the receiving state
    /// is never advanced for it. Any error fails the context.
    // The step's four plus the list and the two values it leaves behind.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn authenticate_with_mech_list_mic<R: CryptoRng + ?Sized>(
        &mut self,
        input: &[u8],
        out: &mut [u8],
        now: Time,
        rng: &mut R,
        mech_list: &[u8],
        ours: &mut [u8; super::SIGNATURE_LEN],
        keystream: &mut [u8; 8],
    ) -> Result<usize> {
        let r = match &self.phase {
            Phase::Handshake(client, true) => {
                let keys = Keying::MechListMic {
                    list: mech_list,
                    ours,
                    keystream,
                };
                authenticate(client, input, out, now, rng, keys)
            }
            _ => Err(Error::WrongState),
        };
        match r {
            Ok((written, next @ Phase::Established(_))) => {
                self.phase = next;
                Ok(written)
            }
            // An anonymous logon has no keys to sign a mechListMIC with.
            Ok(_) => {
                self.phase = Phase::Failed;
                Err(Error::Policy {
                    what: what!("SPNEGO mechListMIC on an anonymous NTLM logon"),
                })
            }
            Err(e) => {
                self.phase = Phase::Failed;
                Err(e)
            }
        }
    }

    /// Checks the acceptor's mechListMIC with the `keystream` that
    /// [`Initiator::authenticate_with_mech_list_mic`] kept.
    pub(crate) fn verify_mech_list_mic(
        &mut self,
        mech_list: &[u8],
        mic: &[u8],
        keystream: &[u8; 8],
    ) -> Result<()> {
        self.protect(|s| s.verify_first_with_keystream(mech_list, mic, keystream))
    }
}

impl Protect for Initiator {
    super::protect::protect_through_session!();
}

impl core::fmt::Debug for Initiator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let phase = match self.phase {
            Phase::Handshake(_, false) => "start",
            Phase::Handshake(_, true) => "sent NEGOTIATE",
            Phase::Established(_) => "established",
            Phase::EstablishedAnonymous => "established (anonymous)",
            Phase::Failed => "failed",
        };
        f.debug_struct("Initiator").field("phase", &phase).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::super::wire::NegotiateRepr;
    use super::*;

    #[test]
    fn negotiate_constant_is_the_emitted_message() {
        let repr = NegotiateRepr {
            flags: INITIATOR_FLAGS,
            domain: &[],
            workstation: &[],
            version: Some(Version::AUTHCORE),
        };
        let mut buf = [0u8; 64];
        let n = repr.emit(&mut buf).unwrap();
        assert_eq!(&buf[..n], &NEGOTIATE[..]);
        assert_eq!(NegotiateRepr::parse(&NEGOTIATE).unwrap(), repr);
    }
}
