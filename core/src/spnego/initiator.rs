//! The Negotiate client context.

use rand_core::CryptoRng;

use super::acceptor::Mech;
use super::wire::{
    MechTypes, NegState, NegTokenInit, NegTokenResp, NegotiationToken, MAX_INIT_OVERHEAD,
    MAX_OWN_MECH_LIST_LEN, MAX_RESP_OVERHEAD, NTLM_OID,
};
use super::MAX_MECH_LIST_MIC_LEN;
use crate::gss::token::KRB5_OID;
use crate::kerberos;
use crate::ntlm;
use crate::step::{Progress, Protect, Step, Time};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    /// Tokens are going back and forth.
    Running,
    Established,
    Failed,
}

/// The Negotiate client context over a Kerberos initiator (a service ticket
/// for the target) and an NTLM initiator (a password); either may be absent.
///
/// It offers Kerberos first, with its AP-REQ as the optimistic token, and
/// NTLM after it; it follows the mechanism the acceptor picks. With NTLM it
/// always sends the mechListMIC (as Windows does when NTLM carries a MIC),
/// with Kerberos when the acceptor asks for it; an acceptor's mechListMIC is
/// always checked, and one is required whenever the acceptor did not take our
/// first choice.
pub struct Initiator<'a> {
    krb: Option<kerberos::Initiator<'a>>,
    ntlm: Option<ntlm::Initiator>,
    state: State,
    mech: Mech,
    /// Our MechTypeList, DER.
    mech_list: heapless::Vec<u8, MAX_OWN_MECH_LIST_LEN>,
    /// The chosen mechanism has produced its last token.
    inner_done: bool,
    mic_required: bool,
    our_mic_sent: bool,
    peer_mic_verified: bool,
    /// For the acceptor's NTLM mechListMIC (see
    /// `ntlm::Initiator::authenticate_with_mech_list_mic`).
    ntlm_keystream: [u8; 8],
}

impl<'a> Initiator<'a> {
    /// A context offering what it is given; with neither,
    /// [`Error::Policy`].
    pub fn new(
        krb: Option<kerberos::Initiator<'a>>,
        ntlm: Option<ntlm::Initiator>,
    ) -> Result<Initiator<'a>> {
        let (oids, first): (&[&[u8]], Mech) = match (krb.is_some(), ntlm.is_some()) {
            (true, true) => (&[KRB5_OID, NTLM_OID], Mech::Kerberos),
            (true, false) => (&[KRB5_OID], Mech::Kerberos),
            (false, true) => (&[NTLM_OID], Mech::Ntlm),
            (false, false) => {
                return Err(Error::Policy {
                    what: what!("SPNEGO: no mechanism in common"),
                })
            }
        };
        let mut buf = [0u8; MAX_OWN_MECH_LIST_LEN];
        let n = MechTypes::encode(oids, &mut buf)?;
        let der = buf.get(..n).ok_or(Error::WrongState)?;
        Ok(Initiator {
            krb,
            ntlm,
            state: State::Start,
            mech: first,
            mech_list: heapless::Vec::from_slice(der).map_err(|_| Error::WrongState)?,
            inner_done: false,
            mic_required: false,
            our_mic_sent: false,
            peer_mic_verified: false,
            ntlm_keystream: [0; 8],
        })
    }

    /// The mechanism in use (our first choice until the acceptor picks).
    pub fn mech(&self) -> Mech {
        self.mech
    }

    /// Whether the mechListMIC went both ways (ours sent, the acceptor's
    /// verified).
    pub fn mech_list_mic_exchanged(&self) -> bool {
        self.our_mic_sent && self.peer_mic_verified
    }

    /// The chosen Kerberos context (flags, expiry), once established.
    pub fn kerberos(&self) -> Option<&kerberos::Initiator<'a>> {
        self.krb
            .as_ref()
            .filter(|_| self.mech == Mech::Kerberos && self.state == State::Established)
    }

    /// Runs the chosen mechanism on `input` into `out[at..]`; returns the
    /// bytes written there and notes whether the mechanism is done; an NTLM
    /// AUTHENTICATE also leaves our mechListMIC in `mic[..*mic_len]`.
    // The step's four plus where to write and the MIC's two out-parameters.
    #[allow(clippy::too_many_arguments)]
    fn inner_step<R: CryptoRng + ?Sized>(
        &mut self,
        input: &[u8],
        out: &mut [u8],
        at: usize,
        now: Time,
        rng: &mut R,
        mic: &mut [u8; MAX_MECH_LIST_MIC_LEN],
        mic_len: &mut usize,
    ) -> Result<usize> {
        let inner_out = out.get_mut(at..).ok_or(Error::BufferTooSmall {
            needed: super::MAX_TOKEN_LEN,
        })?;
        let progress = match self.mech {
            Mech::Kerberos => {
                let krb = self.krb.as_mut().ok_or(Error::WrongState)?;
                krb.step(input, inner_out, now, rng)?
            }
            Mech::Ntlm => {
                let ntlm = self.ntlm.as_mut().ok_or(Error::WrongState)?;
                if input.is_empty() {
                    ntlm.step(input, inner_out, now, rng)?
                } else {
                    // The CHALLENGE: AUTHENTICATE out, our mechListMIC with it.
                    let ours = mic.first_chunk_mut().ok_or(Error::WrongState)?;
                    let n = ntlm.authenticate_with_mech_list_mic(
                        input,
                        inner_out,
                        now,
                        rng,
                        &self.mech_list,
                        ours,
                        &mut self.ntlm_keystream,
                    )?;
                    *mic_len = ntlm::SIGNATURE_LEN;
                    self.our_mic_sent = true;
                    Progress::Complete { written: n }
                }
            }
        };
        let (written, done) = match progress {
            Progress::Continue { written } => (written, false),
            Progress::Complete { written } => (written, true),
            Progress::SendToKdc { .. } => return Err(Error::WrongState),
        };
        self.inner_done = done;
        Ok(written)
    }

    fn first<R: CryptoRng + ?Sized>(
        &mut self,
        out: &mut [u8],
        now: Time,
        rng: &mut R,
    ) -> Result<Progress> {
        let mut mic = [0u8; MAX_MECH_LIST_MIC_LEN];
        let mut mic_len = 0;
        let n = self.inner_step(
            &[],
            out,
            MAX_INIT_OVERHEAD,
            now,
            rng,
            &mut mic,
            &mut mic_len,
        )?;
        self.state = State::Running;
        let init = NegTokenInit {
            mech_types: MechTypes::from_der(&self.mech_list)?,
            mech_token: None,
            mech_list_mic: None,
        };
        let written = init.emit_placed(out, MAX_INIT_OVERHEAD, n)?;
        Ok(Progress::Continue { written })
    }

    fn answer<R: CryptoRng + ?Sized>(
        &mut self,
        input: &[u8],
        out: &mut [u8],
        now: Time,
        rng: &mut R,
    ) -> Result<Progress> {
        let t = NegotiationToken::parse_resp(input)?;
        if t.neg_state == Some(NegState::Reject) {
            // A Kerberos acceptor's KRB-ERROR says why: its typed error.
            if let (Some(token), Mech::Kerberos, false) =
                (t.response_token, self.mech, self.inner_done)
            {
                if let Some(krb) = self.krb.as_mut() {
                    // A KRB-ERROR cannot complete it: this is its typed error.
                    let _never_complete = krb.step(token, out, now, rng)?;
                }
            }
            return Err(Error::Policy {
                what: what!("SPNEGO rejected by the peer"),
            });
        }
        if t.neg_state == Some(NegState::RequestMic) {
            self.mic_required = true;
        }
        let mut mic = [0u8; MAX_MECH_LIST_MIC_LEN];
        let mut mic_len = 0usize;
        // What the chosen mechanism takes now: its first call when the
        // acceptor picked another one than ours, else the acceptor's token.
        let mut feed = t.response_token;
        if let Some(oid) = t.supported_mech {
            let chosen = match Mech::of(oid) {
                Some(Mech::Kerberos) if self.krb.is_some() => Mech::Kerberos,
                Some(Mech::Ntlm) if self.ntlm.is_some() => Mech::Ntlm,
                _ => {
                    return Err(Error::Policy {
                        what: what!("SPNEGO NegTokenResp.supportedMech"),
                    })
                }
            };
            if chosen != self.mech {
                // Not our first choice: the mechListMIC must vouch for the offer.
                if t.response_token.is_some() {
                    return Err(Error::Malformed {
                        what: what!("SPNEGO NegTokenResp.responseToken"),
                    });
                }
                self.mech = chosen;
                self.mic_required = true;
                self.inner_done = false;
                feed = Some(&[]);
            }
        }
        let mut token_len = 0usize;
        if let Some(input) = feed {
            if self.inner_done {
                return Err(Error::Malformed {
                    what: what!("SPNEGO NegTokenResp.responseToken"),
                });
            }
            token_len = self.inner_step(
                input,
                out,
                MAX_RESP_OVERHEAD,
                now,
                rng,
                &mut mic,
                &mut mic_len,
            )?;
        }
        if let Some(peer) = t.mech_list_mic {
            if !self.inner_done {
                return Err(Error::Malformed {
                    what: what!("SPNEGO NegTokenResp.mechListMIC"),
                });
            }
            match self.mech {
                Mech::Ntlm => {
                    let ks = self.ntlm_keystream;
                    self.ntlm
                        .as_mut()
                        .ok_or(Error::WrongState)?
                        .verify_mech_list_mic(&self.mech_list, peer, &ks)?;
                }
                Mech::Kerberos => self
                    .krb
                    .as_mut()
                    .ok_or(Error::WrongState)?
                    .verify(&self.mech_list, peer)?,
            }
            self.peer_mic_verified = true;
        }
        // Kerberos signs its mechListMIC once done, when it is needed.
        if self.inner_done
            && self.mech == Mech::Kerberos
            && !self.our_mic_sent
            && (self.mic_required || self.peer_mic_verified)
        {
            let krb = self.krb.as_mut().ok_or(Error::WrongState)?;
            mic_len = krb.sign(&self.mech_list, &mut mic)?;
            self.our_mic_sent = true;
        }
        let completed = t.neg_state == Some(NegState::AcceptCompleted);
        if completed {
            if !self.inner_done || token_len > 0 {
                return Err(Error::Malformed {
                    what: what!("SPNEGO NegTokenResp.negState"),
                });
            }
            // Our MIC went out unanswered, or one was needed and never came.
            if (self.mic_required || self.our_mic_sent) && !self.peer_mic_verified {
                return Err(Error::Policy {
                    what: what!("SPNEGO mechListMIC missing"),
                });
            }
            if mic_len == 0 {
                self.state = State::Established;
                return Ok(Progress::Complete { written: 0 });
            }
        }
        let mic = mic.get(..mic_len).filter(|m| !m.is_empty());
        if token_len == 0 && mic.is_none() {
            return Err(Error::Malformed {
                what: what!("SPNEGO mechanism token"),
            });
        }
        let resp = NegTokenResp {
            mech_list_mic: mic,
            ..NegTokenResp::default()
        };
        let written = if token_len > 0 {
            resp.emit(out, Some((MAX_RESP_OVERHEAD, token_len)))?
        } else {
            resp.emit(out, None)?
        };
        if completed {
            // The acceptor completed and verified nothing of ours yet: only
            // reachable with a MIC to send, which is then our last token.
            self.state = State::Established;
            return Ok(Progress::Complete { written });
        }
        Ok(Progress::Continue { written })
    }

    fn ready(&self) -> Result<()> {
        if self.state == State::Established {
            Ok(())
        } else {
            Err(Error::WrongState)
        }
    }
}

impl Step for Initiator<'_> {
    fn step<R: CryptoRng + ?Sized>(
        &mut self,
        input: &[u8],
        out: &mut [u8],
        now: Time,
        rng: &mut R,
    ) -> Result<Progress> {
        let r = match self.state {
            State::Start if input.is_empty() => self.first(out, now, rng),
            State::Running => self.answer(input, out, now, rng),
            _ => Err(Error::WrongState),
        };
        if r.is_err() {
            self.state = State::Failed;
        }
        r
    }
}

impl Protect for Initiator<'_> {
    super::protect_through_chosen!();
}

impl core::fmt::Debug for Initiator<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("spnego::Initiator")
            .field("state", &self.state)
            .field("mech", &self.mech)
            .field("mic_required", &self.mic_required)
            .finish_non_exhaustive()
    }
}
