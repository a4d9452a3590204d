//! The krb5 GSS acceptor: verifies an AP-REQ (RFC 4120 section 3.2.3, RFC 4121
//! section 4.1) and answers with an AP-REP when the client asks for mutual
//! authentication.
//!
//! # Buffers
//! The step input is borrowed and immutable, so the ticket and authenticator
//! are decrypted in the caller's `out` buffer used as scratch: `out` must hold
//! the larger of the two ciphertexts and [`MAX_AP_REP_TOKEN_LEN`]. A buffer
//! too small is reported as [`Error::BufferTooSmall`] *before* anything is
//! processed, and is the one error that leaves the acceptor usable (repeat the
//! call with a larger buffer). Decrypted material is zeroized before `step`
//! returns.
//!
//! # Checks, in MIT's order
//! krb5 framing with TOK_ID `01 00` (a raw AP-REQ is refused: MIT accepts one
//! only from DCE-style clients, which are not supported); user-to-user tickets
//! refused; the ticket's service against the configured name; the key from
//! the [`KeyTable`]; ticket decryption (key usage 2); authenticator decryption
//! with the session key (usage 11); the authenticator's client against the
//! ticket's; the authenticator time within the skew; the ticket's times and
//! INVALID flag; the 0x8003 checksum, its flags and channel bindings; the
//! mutual-authentication policy; and last the replay cache, so only
//! authenticators that pass every other check take room in it. Ticket
//! authorization data is not interpreted: any AD (MIT's PAC in AD-IF-RELEVANT
//! included) is tolerated. Transited realms and client addresses are not
//! checked.
//!
//! # Errors sent to the peer
//! After any failure the context is failed for good. When the AP-REQ was
//! readable and the client waits for an answer (mutual-required in the
//! AP-options or the GSS MUTUAL flag), a framed KRB-ERROR (TOK_ID `03 00`)
//! naming the ticket's service, with `stime` = `now` and the code MIT would
//! send ([`super::context::krb_error_code`]), is left in `out`;
//! [`Step::error_token_len`] says how long it is. Like MIT, a client that
//! expects no answer gets no error token.

use core::ops::Range;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::checksum_8003::{self, flags, ChannelBindings, GssChecksum, BND_LEN};
use super::context::{
    emit_encrypted, emit_error_token, encrypted_data_placed, framed, is_cfx, random_seq,
    ErrorOrigin, Fail, Identity, Session,
};
use super::keytab::KeyTable;
use super::replay::{replay_digest, ReplayCheck};
use super::wire::{
    ap_options, error_code, msg_type, ticket_flags, ApReq, Authenticator, EncApRepPart,
    EncTicketPart, EncryptionKey, KerberosTime, KrbError, PrincipalName, PVNO,
};
use crate::crypto::{usage, ChecksumType, Etype, Key, UsageKeys};
use crate::der::Encode;
use crate::gss::token::{tok_id, Krb5Token};
use crate::{Error, Progress, Protect, Result, Sizes, Step, Time};

/// Default allowed clock difference (MIT's `clockskew` default).
pub const DEFAULT_CLOCK_SKEW_SECS: u32 = 300;

/// Upper bound of the AP-REP token an acceptor emits (framing, AP-REP and
/// an EncAPRepPart with a 32-byte subkey under the etype of largest overhead).
pub const MAX_AP_REP_TOKEN_LEN: usize = 192;

/// MS-KILE's KERB-AP-OPTIONS authorization data in an authenticator.
const AD_AP_OPTIONS: i32 = 143;
/// KERB_AP_OPTIONS_CBT: the client insists on channel bindings.
const KERB_AP_OPTIONS_CBT: u32 = 0x4000;

/// How an [`Acceptor`] judges AP-REQs.
#[derive(Debug, Clone, Copy)]
pub struct AcceptorConfig<'a> {
    /// The service principal tickets must be for. `None`: any principal the
    /// key table has a key for (MIT's behaviour without a configured name).
    pub service: Option<PrincipalName<'a>>,
    /// With `service`, the realm tickets must be for (`None`: any realm).
    pub service_realm: Option<&'a [u8]>,
    /// Allowed clock difference, seconds.
    pub clock_skew_secs: u32,
    /// Channel bindings the initiator must have bound the context to.
    pub channel_bindings: Option<ChannelBindings<'a>>,
    /// With `channel_bindings`: also accept clients that bound nothing (an
    /// all-zero `Bnd`, or no checksum at all), as MIT does by default, unless
    /// they assert KERB_AP_OPTIONS_CBT. The default (`false`) refuses them:
    /// an acceptor that has bindings wants them checked.
    pub accept_unbound: bool,
    /// Refuse clients that do not ask for mutual authentication.
    pub require_mutual: bool,
}

impl Default for AcceptorConfig<'_> {
    fn default() -> Self {
        AcceptorConfig {
            service: None,
            service_realm: None,
            clock_skew_secs: DEFAULT_CLOCK_SKEW_SECS,
            channel_bindings: None,
            accept_unbound: false,
            require_mutual: false,
        }
    }
}

struct Established {
    session: Session,
    identity: Identity,
    endtime: Time,
}

// No allocator to box into: the states share the context's inline storage,
// whose size `kerberos_ap.rs` measures.
#[allow(clippy::large_enum_variant)]
enum State {
    Start,
    Established(Established),
    Failed,
}

/// The krb5 acceptor (server side of the AP exchange).
pub struct Acceptor<'a, K: KeyTable + ?Sized, C: ReplayCheck> {
    keytab: &'a K,
    replay: C,
    service: Option<PrincipalName<'a>>,
    service_realm: Option<&'a [u8]>,
    skew_secs: u32,
    bindings: Option<[u8; BND_LEN]>,
    accept_unbound: bool,
    require_mutual: bool,
    /// Whether the established context's client bound the configured
    /// channel bindings; beside the other flags rather than in
    /// [`Established`], where it would cost a padded 8 bytes.
    channel_bound: bool,
    state: State,
    error_token_len: usize,
}

/// What the acceptor keeps from a decrypted ticket.
struct TicketFacts {
    session_key: Key,
    identity: Identity,
    flags: u32,
    start: KerberosTime,
    end: KerberosTime,
}

/// What the acceptor keeps from a decrypted authenticator.
struct AuthFacts {
    ctime: KerberosTime,
    cusec: u32,
    subkey: Option<Key>,
    seq: u32,
    flags: u32,
    channel_bound: bool,
}

impl<'a, K: KeyTable + ?Sized, C: ReplayCheck> Acceptor<'a, K, C> {
    /// An acceptor using `keytab` for service keys and `replay` to refuse
    /// replayed authenticators (own a [`super::ReplayCache`] per acceptor only
    /// if each serves one client; share one otherwise, through `&mut` or a
    /// lock).
    pub fn new(keytab: &'a K, replay: C, config: AcceptorConfig<'a>) -> Result<Self> {
        let bindings = config.channel_bindings.map(|cb| cb.hash()).transpose()?;
        Ok(Acceptor {
            keytab,
            replay,
            service: config.service,
            service_realm: config.service_realm,
            skew_secs: config.clock_skew_secs,
            bindings,
            accept_unbound: config.accept_unbound,
            require_mutual: config.require_mutual,
            channel_bound: false,
            state: State::Start,
            error_token_len: 0,
        })
    }

    /// True once `step` returned `Complete`.
    pub fn is_established(&self) -> bool {
        matches!(self.state, State::Established(_))
    }

    /// The authenticated client, once established.
    pub fn identity(&self) -> Option<&Identity> {
        match &self.state {
            State::Established(e) => Some(&e.identity),
            _ => None,
        }
    }

    /// The GSS flags granted (see [`flags`]), once established.
    pub fn flags(&self) -> u32 {
        match &self.state {
            State::Established(e) => e.session.flags(),
            _ => 0,
        }
    }

    /// True when the client's channel bindings matched the configured ones.
    pub fn channel_bound(&self) -> bool {
        self.channel_bound && self.is_established()
    }

    /// When the ticket (and so the context) expires.
    pub fn expires(&self) -> Option<Time> {
        match &self.state {
            State::Established(e) => Some(e.endtime),
            _ => None,
        }
    }

    /// Gives back the replay cache handle.
    pub fn into_replay(self) -> C {
        self.replay
    }

    fn session(&self) -> Result<&Session> {
        match &self.state {
            State::Established(e) => Ok(&e.session),
            _ => Err(Error::WrongState),
        }
    }

    fn session_mut(&mut self) -> Result<&mut Session> {
        match &mut self.state {
            State::Established(e) => Ok(&mut e.session),
            _ => Err(Error::WrongState),
        }
    }

    fn skew_micros(&self) -> i64 {
        i64::from(self.skew_secs).saturating_mul(1_000_000)
    }

    fn accept<'i, R: CryptoRng + ?Sized>(
        &mut self,
        (token, req): (Krb5Token<'i>, ApReq<'i>),
        out: &mut [u8],
        now: Time,
        rng: &mut R,
        origin: &mut Option<ErrorOrigin<'i>>,
        reply_expected: &mut bool,
    ) -> core::result::Result<Progress, Fail> {
        let ticket = req.ticket;
        *origin = Some(ErrorOrigin {
            mech: token.mech,
            realm: ticket.realm,
            sname: ticket.sname,
        });
        *reply_expected = req.ap_options & ap_options::MUTUAL_REQUIRED != 0;
        if req.ap_options & ap_options::USE_SESSION_KEY != 0 {
            return Err(Fail::new(
                Error::Policy {
                    what: what!("user-to-user AP-REQ"),
                },
                error_code::KRB_AP_ERR_METHOD,
            ));
        }
        if let Some(service) = &self.service {
            let realm_ok = self.service_realm.is_none_or(|r| r == ticket.realm.0);
            if !realm_ok || !ticket.sname.same_components(service.components()) {
                return Err(Error::UnknownPrincipal.into());
            }
        }
        let etype = Etype::from_i32(ticket.enc_part.etype)?;
        let key = self
            .keytab
            .key(&ticket.sname, ticket.realm.0, ticket.enc_part.kvno, etype)?;
        let tkt = decrypt_ticket(&key, ticket.enc_part.cipher, out)?;
        drop(key);

        if req.authenticator.etype != tkt.session_key.etype().as_i32() {
            return Err(Error::Integrity {
                what: what!("authenticator etype differs from the session key's"),
            }
            .into());
        }
        // Decrypted in `out` as scratch, wiped whatever the outcome.
        let cipher = req.authenticator.cipher;
        let scratch = out.get_mut(..cipher.len()).ok_or(Error::BufferTooSmall {
            needed: cipher.len(),
        })?;
        scratch.copy_from_slice(cipher);
        let auth = self.check_authenticator(scratch, req.ap_options, &tkt, now, reply_expected);
        scratch.zeroize();
        let (auth, rep_keys) = auth?;

        // Ticket validity (RFC 4120 section 3.2.3), after the skew check as MIT.
        let skew = self.skew_micros();
        if tkt.flags & ticket_flags::INVALID != 0
            || tkt.start.to_time(0).unix_micros().saturating_sub(skew) > now.unix_micros()
        {
            return Err(Error::NotYetValid.into());
        }
        if now.unix_micros().saturating_sub(skew) > tkt.end.to_time(0).unix_micros() {
            return Err(Error::Expired.into());
        }

        let mutual = *reply_expected;
        if self.require_mutual && !mutual {
            return Err(Error::Policy {
                what: what!("client did not ask for mutual authentication"),
            }
            .into());
        }

        let context_key = auth.subkey.as_ref().unwrap_or(&tkt.session_key);
        // Refuse a context key no per-message token can use (des-cbc-md5)
        // before the authenticator takes room in the replay cache.
        if !is_cfx(context_key.etype()) && context_key.etype() != Etype::Rc4Hmac {
            return Err(Error::UnsupportedEtype {
                etype: context_key.etype().as_i32(),
            }
            .into());
        }

        let ctime = auth.ctime.to_time(auth.cusec);
        let digest = replay_digest(req.authenticator.cipher);
        self.replay
            .check_and_insert(&digest, ctime, now, self.skew_secs)?;

        let recv_seq = auth.seq;
        let mut granted = auth.flags;
        let (written, send_seq, acceptor_subkey) = if mutual {
            granted |= flags::MUTUAL;
            // RFC 4121 acceptor subkey only for CFX contexts: pre-CFX tokens do
            // not say which key they use (MIT does the same).
            let acceptor_subkey = if is_cfx(context_key.etype()) {
                Some(Key::random(context_key.etype(), rng)?)
            } else {
                None
            };
            let send_seq = random_seq(rng);
            let part = EncApRepPart {
                ctime: auth.ctime,
                cusec: auth.cusec,
                subkey: acceptor_subkey.as_ref().map(|k| EncryptionKey {
                    keytype: k.etype().as_i32(),
                    keyvalue: k.as_bytes(),
                }),
                seq_number: Some(send_seq),
            };
            let session_etype = tkt.session_key.etype();
            let mech = token.mech;
            let written = emit_encrypted(
                out,
                &rep_keys,
                rng,
                &part,
                what!("EncAPRepPart"),
                &|w, cipher_len| {
                    framed(w, mech, tok_id::AP_REP, |w| {
                        w.application(msg_type::AP_REP as u8, |w| {
                            w.sequence(|w| {
                                w.field(2, |w| {
                                    encrypted_data_placed(w, session_etype, None, cipher_len)
                                })?;
                                w.field(1, |w| msg_type::AP_REP.encode(w))?;
                                w.field(0, |w| PVNO.encode(w))
                            })
                        })
                    })
                },
            )?;
            (written, send_seq, acceptor_subkey)
        } else {
            // Without an AP-REP both directions start at the client's number.
            (0, recv_seq, None)
        };
        let key = acceptor_subkey.as_ref().unwrap_or(context_key);
        // Built where it stays: the context state (its keys and the client
        // identity, half a kilobyte) is placed unkeyed and keyed in place.
        self.state = State::Established(Established {
            session: Session::unkeyed(granted),
            identity: tkt.identity,
            endtime: tkt.end.to_time(0),
        });
        if let State::Established(e) = &mut self.state {
            e.session
                .key(key, false, acceptor_subkey.is_some(), send_seq, recv_seq)?;
        }
        self.channel_bound = auth.channel_bound;
        Ok(Progress::Complete { written })
    }

    /// Decrypts the authenticator in `scratch` and checks it; also returns
    /// the AP-REP's keys (usage 12), derived with the authenticator's in one
    /// pass over one expansion of the session key.
    // Out of line, with `decrypt_ticket`: inlined into `accept` they cost
    // 1 KB of thumbv7em flash. (Outlining `accept` and `step` too would save
    // 0.4 KB more but add 2.7 KB to the handshake's peak stack.)
    #[inline(never)]
    fn check_authenticator(
        &self,
        scratch: &mut [u8],
        ap_opts: u32,
        tkt: &TicketFacts,
        now: Time,
        reply_expected: &mut bool,
    ) -> core::result::Result<(AuthFacts, UsageKeys), Fail> {
        let (range, rep_keys) = tkt.session_key.decrypt_keeping(
            usage::AP_REQ_AUTHENTICATOR,
            scratch,
            usage::AP_REP_ENC_PART,
        )?;
        let plain = scratch.get(range).ok_or(Error::WrongState)?;
        let auth = Authenticator::parse(plain)?;
        if !tkt.identity.matches(&auth.cname, auth.crealm.0) {
            return Err(Fail::new(
                Error::Integrity {
                    what: what!("authenticator client differs from the ticket's"),
                },
                error_code::KRB_AP_ERR_BADMATCH,
            ));
        }
        let ctime = auth.ctime.to_time(auth.cusec);
        let off = ctime.unix_micros().saturating_sub(now.unix_micros());
        if off.unsigned_abs() > self.skew_micros().unsigned_abs() {
            return Err(Error::ClockSkew.into());
        }
        let subkey = match auth.subkey {
            Some(k) => Some(Key::from_wire(k.keytype, k.keyvalue)?),
            None => None,
        };
        let client_cbt = match auth.authorization_data {
            Some(ad) => match ad.find(AD_AP_OPTIONS)? {
                Some(v) => {
                    let v: [u8; 4] = v.try_into().map_err(|_| Error::Malformed {
                        what: what!("KERB-AP-OPTIONS authorization data"),
                    })?;
                    u32::from_le_bytes(v) & KERB_AP_OPTIONS_CBT != 0
                }
                None => false,
            },
            None => false,
        };
        // An unbound client is acceptable only when bindings are not required.
        let unbound_ok = |what| -> core::result::Result<(), Fail> {
            if self.bindings.is_some() && (!self.accept_unbound || client_cbt) {
                Err(Error::Policy { what }.into())
            } else {
                Ok(())
            }
        };
        let (token_flags, channel_bound) = match auth.cksum {
            None => {
                // MS-KILE: a missing checksum means no flags (MIT agrees).
                unbound_ok(what!("client sent no channel bindings"))?;
                (0, false)
            }
            Some(ck) if ck.cksumtype == checksum_8003::CKSUMTYPE_GSS => {
                let c = GssChecksum::parse(ck.checksum)?;
                let mut bound = false;
                if let Some(expected) = &self.bindings {
                    if c.unbound() {
                        unbound_ok(what!("client sent no channel bindings"))?;
                    } else if bool::from(c.bnd.ct_eq(expected)) {
                        bound = true;
                    } else {
                        return Err(Fail::new(
                            Error::Integrity {
                                what: what!("channel bindings"),
                            },
                            error_code::KRB_ERR_GENERIC,
                        ));
                    }
                }
                if c.flags & flags::DCE_STYLE != 0 {
                    return Err(Error::Policy {
                        what: what!("DCE-style context"),
                    }
                    .into());
                }
                (c.flags & flags::FROM_INITIATOR, bound)
            }
            Some(ck) => {
                // Samba sends a keyed checksum over empty data; verifying it
                // shows the authenticator was not lifted from another protocol.
                let cktype = ChecksumType::from_i32(ck.cksumtype)?;
                let key = subkey.as_ref().unwrap_or(&tkt.session_key);
                key.verify_checksum_of_type(cktype, usage::AP_REQ_AUTH_CKSUM, &[], ck.checksum)?;
                unbound_ok(what!("client sent no channel bindings"))?;
                let mut f = flags::REPLAY | flags::SEQUENCE;
                if ap_opts & ap_options::MUTUAL_REQUIRED != 0 {
                    f |= flags::MUTUAL;
                }
                (f, false)
            }
        };
        if token_flags & flags::MUTUAL != 0 {
            *reply_expected = true;
        }
        Ok((
            AuthFacts {
                ctime: auth.ctime,
                cusec: auth.cusec,
                subkey,
                seq: auth.seq_number.unwrap_or(0),
                flags: token_flags,
                channel_bound,
            },
            rep_keys,
        ))
    }

    super::context::session_messages!();
}

/// Decrypts the ticket in `out`, extracts what the acceptor keeps and
/// zeroizes the plaintext.
#[inline(never)] // see `check_authenticator`
fn decrypt_ticket(
    key: &Key,
    cipher: &[u8],
    out: &mut [u8],
) -> core::result::Result<TicketFacts, Fail> {
    let scratch = out.get_mut(..cipher.len()).ok_or(Error::BufferTooSmall {
        needed: cipher.len(),
    })?;
    scratch.copy_from_slice(cipher);
    let result = ticket_facts(key, scratch);
    scratch.zeroize();
    result
}

fn ticket_facts(key: &Key, scratch: &mut [u8]) -> core::result::Result<TicketFacts, Fail> {
    let range = key.decrypt(usage::TICKET, scratch)?;
    let part = EncTicketPart::parse(scratch.get(range).ok_or(Error::WrongState)?)?;
    Ok(TicketFacts {
        session_key: Key::from_wire(part.key.keytype, part.key.keyvalue)?,
        identity: Identity::new(&part.cname, part.crealm.0)?,
        flags: part.flags,
        start: part.starttime.unwrap_or(part.authtime),
        end: part.endtime,
    })
}

/// The krb5 AP-REQ token and the AP-REQ inside it.
fn parse_ap_req(input: &[u8]) -> Result<(Krb5Token<'_>, ApReq<'_>)> {
    let token = Krb5Token::parse(input)?;
    if token.tok_id != tok_id::AP_REQ {
        return Err(Error::Malformed {
            what: what!("krb5 token id (expected AP-REQ)"),
        });
    }
    let req = ApReq::parse(token.message)?;
    Ok((token, req))
}

/// Scratch an AP-REQ needs in `out`: its ciphertexts are decrypted there and
/// the AP-REP is written there.
fn scratch_needed(req: &ApReq<'_>) -> usize {
    req.ticket
        .enc_part
        .cipher
        .len()
        .max(req.authenticator.cipher.len())
        .max(MAX_AP_REP_TOKEN_LEN)
}

impl<K: KeyTable + ?Sized, C: ReplayCheck> Step for Acceptor<'_, K, C> {
    /// Takes the client's AP-REQ token; returns `Complete` with the AP-REP
    /// token (mutual) or nothing. Any other call is [`Error::WrongState`]
    /// (an established context stays usable).
    fn step<R: CryptoRng + ?Sized>(
        &mut self,
        input: &[u8],
        out: &mut [u8],
        now: Time,
        rng: &mut R,
    ) -> Result<Progress> {
        self.error_token_len = 0;
        if !matches!(self.state, State::Start) {
            return Err(Error::WrongState);
        }
        // Parsed once here: the scratch check needs the ciphertext lengths, and
        // a short buffer must be refused before anything changes (retryable).
        let (token, req) = match parse_ap_req(input) {
            Ok(parsed) => parsed,
            Err(e) => {
                self.state = State::Failed;
                out.zeroize();
                return Err(e);
            }
        };
        let needed = scratch_needed(&req);
        if out.len() < needed {
            return Err(Error::BufferTooSmall { needed });
        }
        let mut origin = None;
        let mut reply_expected = false;
        match self.accept(
            (token, req),
            out,
            now,
            rng,
            &mut origin,
            &mut reply_expected,
        ) {
            Ok(progress) => Ok(progress),
            Err(fail) => {
                self.state = State::Failed;
                out.zeroize();
                if let (true, Some(origin)) = (reply_expected, origin) {
                    let (stime, susec) = KerberosTime::from_time(now);
                    let error = KrbError {
                        ctime: None,
                        cusec: None,
                        stime,
                        susec,
                        error_code: fail.code,
                        crealm: None,
                        cname: None,
                        realm: origin.realm,
                        sname: origin.sname,
                        e_text: None,
                        e_data: None,
                    };
                    self.error_token_len = emit_error_token(out, origin.mech, &error).unwrap_or(0);
                }
                Err(fail.error)
            }
        }
    }

    fn error_token_len(&self) -> usize {
        self.error_token_len
    }
}

impl<K: KeyTable + ?Sized, C: ReplayCheck> Protect for Acceptor<'_, K, C> {
    /// Before establishment: the bounds over every etype.
    fn sizes(&self) -> Sizes {
        match self.session() {
            Ok(s) => s.sizes(),
            Err(_) => super::context::worst_sizes(),
        }
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
