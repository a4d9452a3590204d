//! The krb5 GSS initiator: builds the AP-REQ from a service ticket and its
//! session key (RFC 4120 section 3.2.2, RFC 4121 section 4.1) and checks the
//! acceptor's AP-REP.
//!
//! Ticket acquisition is not done here: the caller brings the DER ticket and
//! its session key (from a ccache, a TGS exchange, or `kerberos::mint` under the `testing` feature).
//!
//! The authenticator carries the 0x8003 checksum with the requested flags and
//! the channel-binding hash, a fresh random subkey of the session key's etype
//! and a random 31-bit sequence number; it is encrypted in place inside the
//! output token. With mutual authentication the first step returns `Continue`
//! and the second takes the AP-REP (or a KRB-ERROR, returned as
//! [`Error::KrbError`]); without it the first step returns `Complete`.
//!
//! Context key (as MIT): the acceptor's subkey from the AP-REP when the
//! context uses RFC 4121 tokens (AES), or when it is of another etype than
//! ours; otherwise our subkey. An rc4-hmac acceptor subkey of our etype is
//! ignored, because RFC 4757 tokens do not say which key they use.

use core::ops::Range;

use rand_core::CryptoRng;
use zeroize::Zeroize;

use super::checksum_8003::{self, flags, ChannelBindings, GssChecksum, BND_LEN, CKSUMTYPE_GSS};
use super::context::{
    emit_encrypted, encrypted_data_placed, encrypted_len, framed, is_cfx, random_seq, Session,
    MAX_TOKEN_LEN,
};
use super::wire::{
    ap_options, msg_type, ApRep, Authenticator, Checksum, EncApRepPart, EncryptionKey,
    KerberosString, KerberosTime, KrbError, PrincipalName, Ticket, PVNO,
};
use crate::crypto::{usage, Etype, Key, MAX_KEY_LEN};
use crate::der::{Encode, Writer};
use crate::gss::token::{tok_id, Krb5Token, KRB5_OID, MS_KRB5_OID};
use crate::{Error, Progress, Protect, Result, Sizes, Step, Time};

/// Which OID frames the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mech {
    /// 1.2.840.113554.1.2.2 (RFC 1964).
    #[default]
    Krb5,
    /// 1.2.840.48018.1.2.2, what older Windows peers expect.
    MsKrb5,
}

impl Mech {
    /// The OID's content octets.
    pub const fn oid(self) -> &'static [u8] {
        match self {
            Mech::Krb5 => KRB5_OID,
            Mech::MsKrb5 => MS_KRB5_OID,
        }
    }
}

/// What an [`Initiator`] asks for.
#[derive(Debug, Clone, Copy)]
pub struct InitiatorConfig<'a> {
    /// Ask for mutual authentication (an AP-REP). Default true.
    pub mutual: bool,
    /// GSS flags to request besides MUTUAL (see [`flags`]); default
    /// CONF | INTEG | REPLAY | SEQUENCE. DELEG and DCE_STYLE are refused.
    pub flags: u32,
    /// Channel bindings to bind the context to.
    pub channel_bindings: Option<ChannelBindings<'a>>,
    /// OID of the tokens.
    pub mech: Mech,
}

impl Default for InitiatorConfig<'_> {
    fn default() -> Self {
        InitiatorConfig {
            mutual: true,
            flags: flags::CONF | flags::INTEG | flags::REPLAY | flags::SEQUENCE,
            channel_bindings: None,
            mech: Mech::Krb5,
        }
    }
}

// No allocator to box into: the states share the context's inline storage,
// whose size `kerberos_ap.rs` measures.
#[allow(clippy::large_enum_variant)]
enum State {
    Start,
    AwaitApRep {
        subkey: Key,
        seq: u32,
        ctime: KerberosTime,
        cusec: u32,
    },
    Established(Session),
    Failed,
}

/// The krb5 initiator (client side of the AP exchange).
pub struct Initiator<'a> {
    ticket: &'a [u8],
    session_key: Key,
    client: PrincipalName<'a>,
    client_realm: &'a [u8],
    mutual: bool,
    flags: u32,
    bnd: [u8; BND_LEN],
    mech: Mech,
    state: State,
}

impl<'a> Initiator<'a> {
    /// An initiator presenting `ticket` (its DER encoding) with its
    /// `session_key`, as `client@client_realm`.
    pub fn new(
        ticket: &'a [u8],
        session_key: Key,
        client: PrincipalName<'a>,
        client_realm: &'a [u8],
        config: InitiatorConfig<'a>,
    ) -> Result<Self> {
        Ticket::parse(ticket)?;
        if config.flags & (flags::DELEG | flags::DCE_STYLE) != 0 {
            return Err(Error::Policy {
                what: what!("delegation and DCE style are not supported"),
            });
        }
        if !is_cfx(session_key.etype()) && session_key.etype() != Etype::Rc4Hmac {
            return Err(Error::UnsupportedEtype {
                etype: session_key.etype().as_i32(),
            });
        }
        let bnd = match &config.channel_bindings {
            Some(cb) => cb.hash()?,
            None => [0; BND_LEN],
        };
        let mut flags = config.flags & !flags::MUTUAL;
        if config.mutual {
            flags |= flags::MUTUAL;
        }
        let initiator = Initiator {
            ticket,
            session_key,
            client,
            client_realm,
            mutual: config.mutual,
            flags,
            bnd,
            mech: config.mech,
            state: State::Start,
        };
        // Refuses names that cannot be encoded and tickets too big to send.
        let max = initiator.max_ap_req_len()?;
        if max > MAX_TOKEN_LEN {
            return Err(Error::CapacityExceeded {
                what: what!("AP-REQ token (ticket too large)"),
            });
        }
        Ok(initiator)
    }

    /// True once `step` returned `Complete`.
    pub fn is_established(&self) -> bool {
        matches!(self.state, State::Established(_))
    }

    /// The GSS flags of the context (those requested), once established.
    pub fn flags(&self) -> u32 {
        match &self.state {
            State::Established(s) => s.flags(),
            _ => 0,
        }
    }

    fn ap_options(&self) -> u32 {
        if self.mutual {
            ap_options::MUTUAL_REQUIRED
        } else {
            0
        }
    }

    /// Writes the AP-REQ token around an authenticator ciphertext of
    /// `cipher_len` bytes already placed at the end.
    fn ap_req_outer(&self, w: &mut Writer<'_>, cipher_len: usize) -> Result<()> {
        let etype = self.session_key.etype();
        let ap_opts = self.ap_options();
        let ticket = self.ticket;
        framed(w, self.mech.oid(), tok_id::AP_REQ, |w| {
            w.application(msg_type::AP_REQ as u8, |w| {
                w.sequence(|w| {
                    w.field(4, |w| encrypted_data_placed(w, etype, None, cipher_len))?;
                    w.field(3, |w| {
                        w.bytes(ticket);
                        Ok(())
                    })?;
                    w.field(2, |w| {
                        w.kerberos_flags(ap_opts);
                        Ok(())
                    })?;
                    w.field(1, |w| msg_type::AP_REQ.encode(w))?;
                    w.field(0, |w| PVNO.encode(w))
                })
            })
        })
    }

    fn authenticator<'s>(
        &'s self,
        cksum: &'s [u8],
        ctime: KerberosTime,
        cusec: u32,
        subkey: &'s [u8],
        seq: u32,
    ) -> Authenticator<'s> {
        Authenticator {
            crealm: KerberosString(self.client_realm),
            cname: self.client,
            cksum: Some(Checksum {
                cksumtype: CKSUMTYPE_GSS,
                checksum: cksum,
            }),
            cusec,
            ctime,
            subkey: Some(EncryptionKey {
                keytype: self.session_key.etype().as_i32(),
                keyvalue: subkey,
            }),
            seq_number: Some(seq),
            authorization_data: None,
        }
    }

    fn checksum_bytes(&self) -> Result<[u8; checksum_8003::BASE_LEN]> {
        GssChecksum::new(self.bnd, self.flags)
            .to_base_bytes()
            .ok_or(Error::WrongState)
    }

    /// The longest AP-REQ token this initiator can emit (every field of the
    /// authenticator at its widest).
    fn max_ap_req_len(&self) -> Result<usize> {
        let cksum = self.checksum_bytes()?;
        let zeros = [0u8; MAX_KEY_LEN];
        let subkey = zeros
            .get(..self.session_key.etype().key_len())
            .ok_or(Error::WrongState)?;
        // The widest KerberosTime is as long as any other; cusec and seq at
        // their maxima take the most INTEGER octets.
        let auth = self.authenticator(&cksum, KerberosTime(0), 999_999, subkey, 0x7fff_ffff);
        encrypted_len(
            &auth,
            self.session_key.etype(),
            what!("Authenticator"),
            &|w, n| self.ap_req_outer(w, n),
        )
    }

    // Out of line: inlined into `step` it cost 200 B of thumbv7em flash.
    #[inline(never)]
    fn start<R: CryptoRng + ?Sized>(
        &mut self,
        input: &[u8],
        out: &mut [u8],
        now: Time,
        rng: &mut R,
    ) -> Result<Progress> {
        if !input.is_empty() {
            return Err(Error::WrongState);
        }
        let subkey = Key::random(self.session_key.etype(), rng)?;
        let seq = random_seq(rng);
        let (ctime, cusec) = KerberosTime::from_time(now);
        let cksum = self.checksum_bytes()?;
        let auth = self.authenticator(&cksum, ctime, cusec, subkey.as_bytes(), seq);
        let written = emit_encrypted(
            out,
            &self.session_key.cipher_keys(usage::AP_REQ_AUTHENTICATOR)?,
            rng,
            &auth,
            what!("Authenticator"),
            &|w, n| self.ap_req_outer(w, n),
        )?;
        if self.mutual {
            self.state = State::AwaitApRep {
                subkey,
                seq,
                ctime,
                cusec,
            };
            Ok(Progress::Continue { written })
        } else {
            // Without an AP-REP both directions start at our number.
            let session = Session::new(&subkey, true, false, seq, seq, self.flags)?;
            self.state = State::Established(session);
            Ok(Progress::Complete { written })
        }
    }

    fn finish(
        &self,
        input: &[u8],
        out: &mut [u8],
        subkey: &Key,
        seq: u32,
        ctime: KerberosTime,
        cusec: u32,
    ) -> Result<Session> {
        let token = Krb5Token::parse(input)?;
        match token.tok_id {
            tok_id::AP_REP => {}
            tok_id::KRB_ERROR => {
                let error = KrbError::parse(token.message)?;
                return Err(Error::KrbError {
                    code: error.error_code,
                });
            }
            _ => {
                return Err(Error::Malformed {
                    what: what!("krb5 token id (expected AP-REP or KRB-ERROR)"),
                })
            }
        }
        let rep = ApRep::parse(token.message)?;
        if rep.enc_part.etype != self.session_key.etype().as_i32() {
            return Err(Error::Integrity {
                what: what!("AP-REP etype differs from the session key's"),
            });
        }
        let cipher = rep.enc_part.cipher;
        let scratch = out.get_mut(..cipher.len()).ok_or(Error::BufferTooSmall {
            needed: cipher.len(),
        })?;
        scratch.copy_from_slice(cipher);
        let result = self.read_ap_rep(scratch, subkey, seq, ctime, cusec);
        scratch.zeroize();
        result
    }

    fn read_ap_rep(
        &self,
        scratch: &mut [u8],
        subkey: &Key,
        seq: u32,
        ctime: KerberosTime,
        cusec: u32,
    ) -> Result<Session> {
        let range = self.session_key.decrypt(usage::AP_REP_ENC_PART, scratch)?;
        let part = EncApRepPart::parse(scratch.get(range).ok_or(Error::WrongState)?)?;
        if part.ctime != ctime || part.cusec != cusec {
            return Err(Error::Integrity {
                what: what!("AP-REP does not answer our authenticator"),
            });
        }
        let acceptor_subkey = match part.subkey {
            Some(k) => Some(Key::from_wire(k.keytype, k.keyvalue)?),
            None => None,
        };
        let recv_seq = part.seq_number.unwrap_or(0);
        let use_acceptor = acceptor_subkey
            .as_ref()
            .filter(|k| is_cfx(subkey.etype()) || k.etype() != subkey.etype());
        let key = use_acceptor.unwrap_or(subkey);
        Session::new(key, true, use_acceptor.is_some(), seq, recv_seq, self.flags)
    }

    fn session(&self) -> Result<&Session> {
        match &self.state {
            State::Established(s) => Ok(s),
            _ => Err(Error::WrongState),
        }
    }

    fn session_mut(&mut self) -> Result<&mut Session> {
        match &mut self.state {
            State::Established(s) => Ok(s),
            _ => Err(Error::WrongState),
        }
    }

    super::context::session_messages!();
}

impl Step for Initiator<'_> {
    /// First call: empty input, writes the AP-REQ token. Second call (mutual
    /// only): the acceptor's AP-REP or KRB-ERROR token. A too-small `out` is
    /// reported before anything changes and can be retried; any other error
    /// fails the context.
    fn step<R: CryptoRng + ?Sized>(
        &mut self,
        input: &[u8],
        out: &mut [u8],
        now: Time,
        rng: &mut R,
    ) -> Result<Progress> {
        match core::mem::replace(&mut self.state, State::Failed) {
            State::Start => {
                self.state = State::Start;
                match self.start(input, out, now, rng) {
                    Err(e @ Error::BufferTooSmall { .. }) => Err(e),
                    Err(e) => {
                        self.state = State::Failed;
                        Err(e)
                    }
                    ok => ok,
                }
            }
            State::AwaitApRep {
                subkey,
                seq,
                ctime,
                cusec,
            } => match self.finish(input, out, &subkey, seq, ctime, cusec) {
                Ok(session) => {
                    self.state = State::Established(session);
                    Ok(Progress::Complete { written: 0 })
                }
                Err(e @ Error::BufferTooSmall { .. }) => {
                    self.state = State::AwaitApRep {
                        subkey,
                        seq,
                        ctime,
                        cusec,
                    };
                    Err(e)
                }
                Err(e) => {
                    out.zeroize();
                    Err(e)
                }
            },
            established @ State::Established(_) => {
                self.state = established;
                Err(Error::WrongState)
            }
            State::Failed => Err(Error::WrongState),
        }
    }
}

impl Protect for Initiator<'_> {
    /// `max_token` is this initiator's longest AP-REQ; the rest are bounds
    /// over every etype until established.
    fn sizes(&self) -> Sizes {
        let mut sizes = match self.session() {
            Ok(s) => s.sizes(),
            Err(_) => super::context::worst_sizes(),
        };
        sizes.max_token = self.max_ap_req_len().unwrap_or(MAX_TOKEN_LEN);
        sizes
    }

    fn sign(&mut self, data: &[u8], signature: &mut [u8]) -> Result<usize> {
        self.get_mic(data, signature)
    }

    fn verify(&mut self, data: &[u8], signature: &[u8]) -> Result<()> {
        self.verify_mic(data, signature)
    }

    fn seal<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        buf: &mut [u8],
        data_len: usize,
    ) -> Result<usize> {
        self.wrap(rng, true, buf, data_len)
    }

    /// Refuses (and fails the context on) a token without confidentiality.
    fn unseal(&mut self, buf: &mut [u8]) -> Result<Range<usize>> {
        self.session_mut()?.unseal(buf)
    }
}
