//! The Negotiate server context.

use rand_core::CryptoRng;

use super::wire::{NegState, NegTokenResp, NegotiationToken, MAX_RESP_OVERHEAD, NTLM_OID};
use super::{MAX_MECH_LIST_LEN, MAX_MECH_LIST_MIC_LEN};
use crate::gss::token::{KRB5_OID, MS_KRB5_OID};
use crate::kerberos::{self, KeyTable, ReplayCheck};
use crate::ntlm::{self, CredentialStore};
use crate::step::{Progress, Protect, Step, Time};
use crate::{Error, Result};

/// A mechanism Negotiate can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Mech {
    /// Kerberos (the krb5 OID, or the MS krb5 OID Windows lists first).
    Kerberos,
    /// NTLM.
    Ntlm,
}

impl Mech {
    pub(crate) fn of(oid: &[u8]) -> Option<Mech> {
        if oid == KRB5_OID || oid == MS_KRB5_OID {
            Some(Mech::Kerberos)
        } else if oid == NTLM_OID {
            Some(Mech::Ntlm)
        } else {
            None
        }
    }
}

/// Who the client is, from the mechanism that authenticated it.
#[derive(Debug, Clone, Copy)]
pub enum Identity<'i> {
    /// An NTLM logon.
    Ntlm(ntlm::Identity<'i>),
    /// A Kerberos client principal.
    Kerberos(&'i kerberos::Identity),
}

impl core::fmt::Display for Identity<'_> {
    /// `DOMAIN\user` (NTLM) or `user@REALM` (Kerberos), as the CLI prints them.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Identity::Ntlm(id) => write!(f, "{}\\{}", id.domain, id.user),
            Identity::Kerberos(id) => write!(f, "{id}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for the NegTokenInit (or a raw NTLM NEGOTIATE).
    Initial,
    /// Mechanism chosen; `legs` tokens fed to it so far.
    Running {
        legs: u8,
    },
    /// Kerberos done, our mechListMIC sent; waiting for the client's.
    AwaitingMic,
    /// Established through SPNEGO.
    Established,
    /// Raw NTLM, no SPNEGO around it.
    Raw,
    Failed,
}

/// The Negotiate server context over an NTLM and a Kerberos acceptor (either
/// may be absent: a device without a keytab negotiates NTLM only).
///
/// Call [`Step::step`] with each client token; tokens go out as SPNEGO
/// NegTokenResp. After `Complete`, [`Protect`] works through the chosen
/// mechanism and [`Acceptor::identity`] names the client.
pub struct Acceptor<'a, S: CredentialStore, K: KeyTable + ?Sized, C: ReplayCheck> {
    ntlm: Option<ntlm::Acceptor<'a, S>>,
    krb: Option<kerberos::Acceptor<'a, K, C>>,
    state: State,
    mech: Mech,
    /// The chosen mechanism was not the initiator's first: the mechListMIC
    /// must be exchanged (RFC 4178 section 5).
    mic_required: bool,
    /// Both mechListMICs went across and ours verified theirs.
    mic_exchanged: bool,
    /// The initiator's MechTypeList, which the mechListMIC covers.
    mech_list: heapless::Vec<u8, MAX_MECH_LIST_LEN>,
    error_token_len: usize,
}

impl<'a, S: CredentialStore, K: KeyTable + ?Sized, C: ReplayCheck> Acceptor<'a, S, K, C> {
    /// A context offering what it is given; with neither it can only refuse.
    pub fn new(
        ntlm: Option<ntlm::Acceptor<'a, S>>,
        krb: Option<kerberos::Acceptor<'a, K, C>>,
    ) -> Acceptor<'a, S, K, C> {
        Acceptor {
            ntlm,
            krb,
            state: State::Initial,
            mech: Mech::Ntlm,
            mic_required: false,
            mic_exchanged: false,
            mech_list: heapless::Vec::new(),
            error_token_len: 0,
        }
    }

    /// The mechanism chosen, once a token chose it.
    pub fn mech(&self) -> Option<Mech> {
        match self.state {
            State::Initial | State::Failed => None,
            _ => Some(self.mech),
        }
    }

    /// Whether the mechListMIC was exchanged (both ways, the client's
    /// verified): the offer list is then known not to have been altered.
    pub fn mech_list_mic_exchanged(&self) -> bool {
        self.mic_exchanged
    }

    /// Whether the context is established.
    pub fn is_established(&self) -> bool {
        self.ready().is_ok()
    }

    /// The authenticated client, once established.
    pub fn identity(&self) -> Option<Identity<'_>> {
        if !matches!(self.state, State::Established | State::Raw) {
            return None;
        }
        match self.mech {
            Mech::Ntlm => self.ntlm.as_ref()?.identity().map(Identity::Ntlm),
            Mech::Kerberos => self.krb.as_ref()?.identity().map(Identity::Kerberos),
        }
    }

    /// The chosen NTLM context (for its own accessors).
    pub fn ntlm(&self) -> Option<&ntlm::Acceptor<'a, S>> {
        self.ntlm.as_ref().filter(|_| self.mech == Mech::Ntlm)
    }

    /// The chosen Kerberos context (flags, channel binding, expiry).
    pub fn kerberos(&self) -> Option<&kerberos::Acceptor<'a, K, C>> {
        self.krb.as_ref().filter(|_| self.mech == Mech::Kerberos)
    }

    fn first_token<R: CryptoRng + ?Sized>(
        &mut self,
        input: &[u8],
        out: &mut [u8],
        now: Time,
        rng: &mut R,
    ) -> Result<Progress> {
        if input.starts_with(b"NTLMSSP\0") {
            let ntlm = self.ntlm.as_mut().ok_or(Error::Policy {
                what: what!("SPNEGO: no mechanism in common"),
            })?;
            self.state = State::Raw;
            self.mech = Mech::Ntlm;
            return ntlm.step(input, out, now, rng);
        }
        let init = NegotiationToken::parse_initial(input)?;
        let mut chosen = None;
        for oid in init.mech_types.iter() {
            let oid = oid?;
            let usable = match Mech::of(oid) {
                Some(Mech::Kerberos) if self.krb.is_some() => Some(Mech::Kerberos),
                Some(Mech::Ntlm) if self.ntlm.is_some() => Some(Mech::Ntlm),
                _ => None,
            };
            if let Some(mech) = usable {
                chosen = Some((oid, mech));
                break;
            }
        }
        let Some((oid, mech)) = chosen else {
            self.error_token_len = NegTokenResp {
                neg_state: Some(NegState::Reject),
                ..NegTokenResp::default()
            }
            .emit(out, None)
            .unwrap_or(0);
            return Err(Error::Policy {
                what: what!("SPNEGO: no mechanism in common"),
            });
        };
        self.mech = mech;
        self.mic_required = init.mech_types.first() != Some(oid);
        self.mech_list = heapless::Vec::from_slice(init.mech_types.der()).map_err(|_| {
            Error::CapacityExceeded {
                what: what!("SPNEGO NegTokenInit.mechTypes"),
            }
        })?;
        self.state = State::Running { legs: 0 };
        let resp = NegTokenResp {
            neg_state: Some(if self.mic_required {
                NegState::RequestMic
            } else {
                NegState::AcceptIncomplete
            }),
            // The OID as the initiator wrote it: Windows refuses an alias.
            supported_mech: Some(oid),
            ..NegTokenResp::default()
        };
        // An optimistic token belongs to the initiator's first mechanism only.
        match init.mech_token.filter(|_| !self.mic_required) {
            Some(token) => self.run(token, None, resp, out, now, rng),
            None => Ok(Progress::Continue {
                written: resp.emit(out, None)?,
            }),
        }
    }

    /// Feeds `token` to the chosen mechanism and answers with its output in
    /// `resp`, handling the mechListMIC when the mechanism completes.
    #[allow(clippy::too_many_arguments)]
    fn run<R: CryptoRng + ?Sized>(
        &mut self,
        token: &[u8],
        peer_mic: Option<&[u8]>,
        resp: NegTokenResp<'_>,
        out: &mut [u8],
        now: Time,
        rng: &mut R,
    ) -> Result<Progress> {
        let State::Running { legs } = self.state else {
            return Err(Error::WrongState);
        };
        self.state = State::Running {
            legs: legs.saturating_add(1),
        };
        let inner_out = out
            .get_mut(MAX_RESP_OVERHEAD..)
            .ok_or(Error::BufferTooSmall {
                needed: super::MAX_TOKEN_LEN,
            })?;
        let mut mic = [0u8; MAX_MECH_LIST_MIC_LEN];
        let (progress, mic_len) = match self.mech {
            Mech::Ntlm => {
                let ntlm = self.ntlm.as_mut().ok_or(Error::WrongState)?;
                if legs == 0 {
                    // NEGOTIATE in, CHALLENGE out.
                    (ntlm.step(token, inner_out, now, rng)?, 0)
                } else {
                    // AUTHENTICATE (with the client's mechListMIC, if any).
                    if self.mic_required && peer_mic.is_none() {
                        return Err(Error::Policy {
                            what: what!("SPNEGO mechListMIC missing"),
                        });
                    }
                    let ours = mic.first_chunk_mut().ok_or(Error::WrongState)?;
                    let sent = ntlm.authenticate_with_mech_list_mic(
                        token,
                        now,
                        &self.mech_list,
                        peer_mic,
                        ours,
                    )?;
                    self.mic_exchanged = sent;
                    let n = if sent { ntlm::SIGNATURE_LEN } else { 0 };
                    (Progress::Complete { written: 0 }, n)
                }
            }
            Mech::Kerberos => {
                let krb = self.krb.as_mut().ok_or(Error::WrongState)?;
                match krb.step(token, inner_out, now, rng) {
                    Ok(p) => {
                        // Ours now; the client's follows (AwaitingMic).
                        let n = if self.mic_required {
                            krb.sign(&self.mech_list, &mut mic)?
                        } else {
                            0
                        };
                        (p, n)
                    }
                    Err(e) => {
                        // The KRB-ERROR goes back inside a reject.
                        let n = krb.error_token_len();
                        if n > 0 {
                            self.error_token_len = NegTokenResp {
                                neg_state: Some(NegState::Reject),
                                ..NegTokenResp::default()
                            }
                            .emit(out, Some((MAX_RESP_OVERHEAD, n)))
                            .unwrap_or(0);
                        }
                        return Err(e);
                    }
                }
            }
        };
        let (written, complete) = match progress {
            Progress::Continue { written } => (written, false),
            Progress::Complete { written } => (written, true),
            Progress::SendToKdc { .. } => return Err(Error::WrongState),
        };
        let mut resp = NegTokenResp {
            mech_list_mic: mic.get(..mic_len).filter(|m| !m.is_empty()),
            ..resp
        };
        if complete {
            if self.mech == Mech::Kerberos && self.mic_required {
                resp.neg_state = Some(resp.neg_state.unwrap_or(NegState::AcceptIncomplete));
                self.state = State::AwaitingMic;
            } else {
                resp.neg_state = Some(NegState::AcceptCompleted);
                self.state = State::Established;
            }
        } else if resp.neg_state.is_none() {
            resp.neg_state = Some(NegState::AcceptIncomplete);
        }
        let placed = if written > 0 {
            Some((MAX_RESP_OVERHEAD, written))
        } else {
            None
        };
        let n = if let Some(p) = placed {
            resp.emit(out, Some(p))?
        } else {
            resp.response_token = None;
            resp.emit(out, None)?
        };
        Ok(if self.state == State::Established {
            Progress::Complete { written: n }
        } else {
            Progress::Continue { written: n }
        })
    }

    fn later_token<R: CryptoRng + ?Sized>(
        &mut self,
        input: &[u8],
        out: &mut [u8],
        now: Time,
        rng: &mut R,
    ) -> Result<Progress> {
        let t = NegotiationToken::parse_resp(input)?;
        if t.neg_state == Some(NegState::Reject) {
            return Err(Error::Policy {
                what: what!("SPNEGO rejected by the peer"),
            });
        }
        if let Some(mic) = t.mech_list_mic {
            if mic.len() > MAX_MECH_LIST_MIC_LEN {
                return Err(Error::Malformed {
                    what: what!("SPNEGO NegTokenResp.mechListMIC"),
                });
            }
        }
        match self.state {
            State::Running { .. } => {
                let token = t.response_token.ok_or(Error::Malformed {
                    what: what!("SPNEGO mechanism token"),
                })?;
                self.run(
                    token,
                    t.mech_list_mic,
                    NegTokenResp::default(),
                    out,
                    now,
                    rng,
                )
            }
            State::AwaitingMic => {
                let mic = t.mech_list_mic.ok_or(Error::Policy {
                    what: what!("SPNEGO mechListMIC missing"),
                })?;
                let krb = self.krb.as_mut().ok_or(Error::WrongState)?;
                krb.verify(&self.mech_list, mic)?;
                self.mic_exchanged = true;
                self.state = State::Established;
                let written = NegTokenResp {
                    neg_state: Some(NegState::AcceptCompleted),
                    ..NegTokenResp::default()
                }
                .emit(out, None)?;
                Ok(Progress::Complete { written })
            }
            _ => Err(Error::WrongState),
        }
    }

    /// Protection is offered once established (raw NTLM: once its logon is).
    fn ready(&self) -> Result<()> {
        if matches!(self.state, State::Established)
            || (self.state == State::Raw && self.identity().is_some())
        {
            Ok(())
        } else {
            Err(Error::WrongState)
        }
    }
}

impl<S: CredentialStore, K: KeyTable + ?Sized, C: ReplayCheck> Step for Acceptor<'_, S, K, C> {
    fn step<R: CryptoRng + ?Sized>(
        &mut self,
        input: &[u8],
        out: &mut [u8],
        now: Time,
        rng: &mut R,
    ) -> Result<Progress> {
        self.error_token_len = 0;
        let r = match self.state {
            State::Initial => self.first_token(input, out, now, rng),
            State::Raw => match self.ntlm.as_mut() {
                Some(ntlm) => ntlm.step(input, out, now, rng),
                None => Err(Error::WrongState),
            },
            State::Running { .. } | State::AwaitingMic => self.later_token(input, out, now, rng),
            State::Established | State::Failed => return Err(Error::WrongState),
        };
        if r.is_err() {
            self.state = State::Failed;
        }
        r
    }

    fn error_token_len(&self) -> usize {
        self.error_token_len
    }
}

impl<S: CredentialStore, K: KeyTable + ?Sized, C: ReplayCheck> Protect for Acceptor<'_, S, K, C> {
    super::protect_through_chosen!();
}

impl<S: CredentialStore, K: KeyTable + ?Sized, C: ReplayCheck> core::fmt::Debug
    for Acceptor<'_, S, K, C>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("spnego::Acceptor")
            .field("state", &self.state)
            .field("mech", &self.mech)
            .field("mic_required", &self.mic_required)
            .finish_non_exhaustive()
    }
}
