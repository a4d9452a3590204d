//! What the krb5 initiator and acceptor share: the established context's
//! per-message protection, the peer identity, the in-place emission of
//! encrypted messages, and the KRB-ERROR code of a failure.

use core::fmt;
use core::ops::Range;

use rand_core::CryptoRng;
use zeroize::Zeroize;

use crate::crypto::{Etype, Key, UsageKeys, MAX_CONFOUNDER_LEN, MAX_OVERHEAD};
use crate::der::{self, tag, Encode, Writer};
use crate::gss::cfx::{self, Cfx};
use crate::gss::rc4::{self, Rc4Hmac};
use crate::gss::token::tok_id;
use crate::gss::IovLayout;
use crate::kerberos::wire::{
    error_code, KerberosString, PrincipalName, Realm, MAX_NAME_COMPONENTS,
};
use crate::{Error, Result, Sizes};

/// Largest context token a krb5 context emits: Windows' default
/// `MaxTokenSize`. An initiator refuses tickets whose AP-REQ would be longer.
pub const MAX_TOKEN_LEN: usize = 48_000;

/// Most bytes of a peer identity kept after the handshake: name components
/// and realm together.
pub const MAX_IDENTITY_LEN: usize = 128;

/// Most name components of a peer identity.
pub const MAX_IDENTITY_COMPONENTS: usize = MAX_NAME_COMPONENTS;

/// Bit mask keeping sequence numbers positive as signed 32-bit values, which
/// older peers store them in.
const SEQ_MASK: u32 = 0x7fff_ffff;

/// A random initial sequence number.
pub(crate) fn random_seq<R: CryptoRng + ?Sized>(rng: &mut R) -> u32 {
    let mut b = [0u8; 4];
    rng.fill_bytes(&mut b);
    u32::from_le_bytes(b) & SEQ_MASK
}

/// True for the etypes whose GSS tokens are RFC 4121 ("CFX") tokens.
pub(crate) const fn is_cfx(etype: Etype) -> bool {
    matches!(
        etype,
        Etype::Aes128CtsHmacSha196
            | Etype::Aes256CtsHmacSha196
            | Etype::Aes128CtsHmacSha256128
            | Etype::Aes256CtsHmacSha384192
    )
}

/// A client principal and realm, copied out of the ticket so it outlives the
/// handshake buffers. `Display` gives MIT's `user@REALM` text (components
/// joined by `/`, `/` and `@` inside them escaped).
#[derive(Clone, PartialEq, Eq)]
pub struct Identity {
    name_type: i32,
    count: u8,
    /// End offset of each component in `bytes`; the realm follows the last.
    ends: [u8; MAX_IDENTITY_COMPONENTS],
    len: u8,
    bytes: [u8; MAX_IDENTITY_LEN],
}

// MAX_IDENTITY_LEN and MAX_IDENTITY_COMPONENTS fit the u8 offsets.
const _: () = assert!(MAX_IDENTITY_LEN <= u8::MAX as usize);
const _: () = assert!(MAX_IDENTITY_COMPONENTS <= u8::MAX as usize);

impl Identity {
    /// Copies `name@realm`; [`Error::CapacityExceeded`] when it needs more
    /// than [`MAX_IDENTITY_LEN`] bytes or [`MAX_IDENTITY_COMPONENTS`] parts.
    pub fn new(name: &PrincipalName<'_>, realm: &[u8]) -> Result<Identity> {
        const FULL: Error = Error::CapacityExceeded {
            what: what!("client name"),
        };
        let mut id = Identity {
            name_type: name.name_type,
            count: 0,
            ends: [0; MAX_IDENTITY_COMPONENTS],
            len: 0,
            bytes: [0; MAX_IDENTITY_LEN],
        };
        let mut at = 0usize;
        for (i, component) in name.components().enumerate() {
            let end = at.checked_add(component.len()).ok_or(FULL)?;
            crate::bytes::copy(id.bytes.get_mut(at..end).ok_or(FULL)?, component);
            *id.ends.get_mut(i).ok_or(FULL)? = u8::try_from(end).map_err(|_| FULL)?;
            id.count = u8::try_from(i.saturating_add(1)).map_err(|_| FULL)?;
            at = end;
        }
        let end = at.checked_add(realm.len()).ok_or(FULL)?;
        crate::bytes::copy(id.bytes.get_mut(at..end).ok_or(FULL)?, realm);
        id.len = u8::try_from(end).map_err(|_| FULL)?;
        Ok(id)
    }

    /// The name type the ticket carried (a hint).
    pub fn name_type(&self) -> i32 {
        self.name_type
    }

    /// The name components in order.
    pub fn components(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let ends = self.ends.get(..usize::from(self.count)).unwrap_or(&[]);
        let mut start = 0usize;
        ends.iter().map(move |&end| {
            let part = self.bytes.get(start..usize::from(end)).unwrap_or(&[]);
            start = usize::from(end);
            part
        })
    }

    fn realm_start(&self) -> usize {
        usize::from(self.count)
            .checked_sub(1)
            .and_then(|last| self.ends.get(last))
            .map_or(0, |&e| usize::from(e))
    }

    /// The realm.
    pub fn realm(&self) -> &[u8] {
        self.bytes
            .get(self.realm_start()..usize::from(self.len))
            .unwrap_or(&[])
    }

    /// True when `name@realm` is this identity (name types not compared).
    pub fn matches(&self, name: &PrincipalName<'_>, realm: &[u8]) -> bool {
        self.realm() == realm && name.same_components(self.components())
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = [KerberosString(&[]); MAX_IDENTITY_COMPONENTS];
        for (slot, c) in parts.iter_mut().zip(self.components()) {
            *slot = KerberosString(c);
        }
        let parts = parts.get(..usize::from(self.count)).unwrap_or(&[]);
        let name = PrincipalName::new(self.name_type, parts);
        write!(f, "{name}@{}", KerberosString(self.realm()))
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identity({self})")
    }
}

/// The per-message tokens of an established context.
// No allocator to box into: the states share the context's inline storage,
// whose size `kerberos_ap.rs` measures.
#[allow(clippy::large_enum_variant)]
enum Protection {
    Cfx(Cfx),
    Rc4(Rc4Hmac),
}

/// An established context: per-message protection and the granted flags.
pub(crate) struct Session {
    protection: Protection,
    flags: u32,
    failed: bool,
}

impl Session {
    /// A session keyed with `key` (see [`Session::key`]).
    pub(crate) fn new(
        key: &Key,
        initiator: bool,
        acceptor_subkey: bool,
        send_seq: u32,
        recv_seq: u32,
        flags: u32,
    ) -> Result<Session> {
        let mut session = Session::unkeyed(flags);
        session.key(key, initiator, acceptor_subkey, send_seq, recv_seq)?;
        Ok(session)
    }

    /// A session with no keys, failed until [`Session::key`] succeeds: put
    /// where the context keeps it, then keyed there (half a kilobyte of
    /// keys is not moved through return values).
    pub(crate) const fn unkeyed(flags: u32) -> Session {
        Session {
            protection: Protection::Cfx(Cfx::UNKEYED),
            flags,
            failed: true,
        }
    }

    /// Keys an [`Session::unkeyed`] session where it lies: RFC 4121 tokens
    /// for the AES etypes, RFC 4757 tokens for rc4-hmac; other etypes are
    /// refused. On error the session stays failed.
    pub(crate) fn key(
        &mut self,
        key: &Key,
        initiator: bool,
        acceptor_subkey: bool,
        send_seq: u32,
        recv_seq: u32,
    ) -> Result<()> {
        self.failed = true;
        if is_cfx(key.etype()) {
            // Only an unkeyed session (which holds an unkeyed Cfx) is keyed.
            let Protection::Cfx(cfx) = &mut self.protection else {
                return Err(Error::WrongState);
            };
            cfx.key(
                key,
                initiator,
                acceptor_subkey,
                u64::from(send_seq),
                u64::from(recv_seq),
            )?;
        } else if key.etype() == Etype::Rc4Hmac {
            let bytes: &[u8; rc4::KEY_LEN] =
                key.as_bytes().try_into().map_err(|_| Error::BadKeyLength {
                    len: key.as_bytes().len(),
                })?;
            self.protection = Protection::Rc4(Rc4Hmac::new(bytes, initiator, send_seq, recv_seq)?);
        } else {
            return Err(Error::UnsupportedEtype {
                etype: key.etype().as_i32(),
            });
        }
        self.failed = false;
        Ok(())
    }

    pub(crate) fn flags(&self) -> u32 {
        self.flags
    }

    pub(crate) fn mic_len(&self) -> usize {
        match &self.protection {
            Protection::Cfx(c) => c.mic_len(),
            Protection::Rc4(r) => r.mic_len(),
        }
    }

    pub(crate) fn wrap_header_len(&self, confidential: bool) -> usize {
        match &self.protection {
            Protection::Cfx(c) => c.wrap_header_len(confidential),
            Protection::Rc4(r) => r.wrap_header_len(confidential),
        }
    }

    pub(crate) fn wrap_trailer_len(&self, confidential: bool) -> usize {
        match &self.protection {
            Protection::Cfx(c) => c.wrap_trailer_len(confidential),
            Protection::Rc4(r) => r.wrap_trailer_len(confidential),
        }
    }

    pub(crate) fn sizes(&self) -> Sizes {
        Sizes {
            max_token: MAX_TOKEN_LEN,
            max_signature: self.mic_len(),
            seal_header: self.wrap_header_len(true),
            seal_trailer: self.wrap_trailer_len(true),
            // CTS and RC4 need no padding from the caller.
            block_size: 1,
        }
    }

    fn guard<T>(&mut self, f: impl FnOnce(&mut Protection) -> Result<T>) -> Result<T> {
        if self.failed {
            return Err(Error::WrongState);
        }
        let r = f(&mut self.protection);
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    pub(crate) fn get_mic(&mut self, msg: &[u8], out: &mut [u8]) -> Result<usize> {
        self.guard(|p| match p {
            Protection::Cfx(c) => c.get_mic(msg, out),
            Protection::Rc4(r) => r.get_mic(msg, out),
        })
    }

    pub(crate) fn verify_mic(&mut self, msg: &[u8], token: &[u8]) -> Result<()> {
        self.guard(|p| match p {
            Protection::Cfx(c) => c.verify_mic(msg, token),
            Protection::Rc4(r) => r.verify_mic(msg, token),
        })
    }

    pub(crate) fn wrap<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        confidential: bool,
        buf: &mut [u8],
        data_len: usize,
    ) -> Result<usize> {
        self.guard(|p| match p {
            Protection::Cfx(c) => c.wrap(rng, confidential, buf, data_len),
            Protection::Rc4(r) => r.wrap(rng, confidential, buf, data_len),
        })
    }

    pub(crate) fn unwrap(&mut self, buf: &mut [u8]) -> Result<(Range<usize>, bool)> {
        self.guard(|p| match p {
            Protection::Cfx(c) => c.unwrap(buf),
            Protection::Rc4(r) => r.unwrap(buf),
        })
    }

    pub(crate) fn wrap_iov_lens(&self, confidential: bool, layout: IovLayout) -> (usize, usize) {
        match &self.protection {
            Protection::Cfx(c) => c.wrap_iov_lens(confidential, layout),
            Protection::Rc4(r) => r.wrap_iov_lens(confidential, layout),
        }
    }

    pub(crate) fn wrap_iov<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        confidential: bool,
        layout: IovLayout,
        [header, data, trailer]: [&mut [u8]; 3],
    ) -> Result<(usize, usize)> {
        self.guard(|p| match p {
            Protection::Cfx(c) => c.wrap_iov(rng, confidential, layout, header, data, trailer),
            Protection::Rc4(r) => r.wrap_iov(rng, confidential, layout, header, data, trailer),
        })
    }

    pub(crate) fn unwrap_iov_lens(&self, token: &[u8]) -> Result<(usize, usize)> {
        if self.failed {
            return Err(Error::WrongState);
        }
        match &self.protection {
            Protection::Cfx(c) => c.unwrap_iov_lens(token),
            Protection::Rc4(r) => r.unwrap_iov_lens(token),
        }
    }

    pub(crate) fn unwrap_iov(&mut self, [header, data, trailer]: [&mut [u8]; 3]) -> Result<bool> {
        self.guard(|p| match p {
            Protection::Cfx(c) => c.unwrap_iov(header, data, trailer),
            Protection::Rc4(r) => r.unwrap_iov(header, data, trailer),
        })
    }

    /// Unwrap that insists on confidentiality: a peer answering a sealed
    /// message with an integrity-only token is a downgrade, and fails the
    /// context.
    pub(crate) fn unseal(&mut self, buf: &mut [u8]) -> Result<Range<usize>> {
        let (range, sealed) = self.unwrap(buf)?;
        if !sealed {
            self.failed = true;
            return Err(Error::Policy {
                what: what!("Wrap token without confidentiality"),
            });
        }
        Ok(range)
    }
}

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// Largest MIC token of any etype.
pub const MAX_MIC_LEN: usize = max(cfx::MAX_MIC_LEN, rc4::MIC_LEN);
/// Largest Wrap header (confidential) of any etype.
pub const MAX_WRAP_HEADER_LEN: usize =
    max(cfx::HEADER_LEN + MAX_CONFOUNDER_LEN, rc4::WRAP_HEADER_LEN);
/// Largest Wrap trailer (confidential) of any etype.
pub const MAX_WRAP_TRAILER_LEN: usize = max(
    cfx::HEADER_LEN + MAX_OVERHEAD - MAX_CONFOUNDER_LEN,
    rc4::WRAP_TRAILER_LEN,
);

/// Largest IOV Wrap header ([`IovLayout::Rotated`], confidential) of any
/// etype: a static bound for `wrap_iov`'s header slice.
pub const MAX_WRAP_IOV_HEADER_LEN: usize = MAX_WRAP_HEADER_LEN + MAX_WRAP_TRAILER_LEN;
/// Largest IOV Wrap trailer ([`IovLayout::Trailer`], confidential) of any etype.
pub const MAX_WRAP_IOV_TRAILER_LEN: usize = MAX_WRAP_TRAILER_LEN;

/// Sizes before the etype is known: bounds over every etype.
pub(crate) const fn worst_sizes() -> Sizes {
    Sizes {
        max_token: MAX_TOKEN_LEN,
        max_signature: MAX_MIC_LEN,
        seal_header: MAX_WRAP_HEADER_LEN,
        seal_trailer: MAX_WRAP_TRAILER_LEN,
        block_size: 1,
    }
}

/// A failure inside a handshake step: the error for the caller and the
/// KRB-ERROR code for the peer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fail {
    pub(crate) error: Error,
    pub(crate) code: i32,
}

impl Fail {
    pub(crate) const fn new(error: Error, code: i32) -> Fail {
        Fail { error, code }
    }
}

impl From<Error> for Fail {
    fn from(error: Error) -> Fail {
        Fail {
            error,
            code: krb_error_code(&error),
        }
    }
}

/// The RFC 4120 section 7.5.9 code an acceptor reports for an error.
///
/// A ticket or authenticator that fails to decrypt is reported as
/// KRB_AP_ERR_MODIFIED (41), as Windows does and as RFC 4120 section 3.2.3
/// describes; MIT 1.20 answers the same failure with KRB_AP_ERR_BAD_INTEGRITY
/// (31). Clients of both treat either as a failed authentication.
pub const fn krb_error_code(error: &Error) -> i32 {
    match error {
        Error::Integrity { .. } | Error::BadCiphertextLength { .. } => {
            error_code::KRB_AP_ERR_MODIFIED
        }
        Error::ClockSkew => error_code::KRB_AP_ERR_SKEW,
        Error::Replay => error_code::KRB_AP_ERR_REPEAT,
        Error::Expired => error_code::KRB_AP_ERR_TKT_EXPIRED,
        Error::NotYetValid => error_code::KRB_AP_ERR_TKT_NYV,
        Error::BadKeyVersion => error_code::KRB_AP_ERR_BADKEYVER,
        Error::NoKey => error_code::KRB_AP_ERR_NOKEY,
        Error::UnknownPrincipal => error_code::KRB_AP_ERR_NOT_US,
        Error::UnsupportedEtype { .. } => error_code::KDC_ERR_ETYPE_NOSUPP,
        Error::UnsupportedChecksum { .. } => error_code::KRB_AP_ERR_INAPP_CKSUM,
        _ => error_code::KRB_ERR_GENERIC,
    }
}

/// `EncryptedData` whose ciphertext (`cipher_len` bytes) the caller already
/// placed where the writer will end up: `SEQUENCE { [0] etype, [1] kvno
/// OPTIONAL, [2] OCTET STRING }`.
pub(crate) fn encrypted_data_placed(
    w: &mut Writer<'_>,
    etype: Etype,
    kvno: Option<u32>,
    cipher_len: usize,
) -> Result<()> {
    w.sequence(|w| {
        w.field(2, |w| {
            w.placed(cipher_len);
            w.header(tag::OCTET_STRING, cipher_len);
            Ok(())
        })?;
        if let Some(kvno) = kvno {
            w.field(1, |w| kvno.encode(w))?;
        }
        w.field(0, |w| etype.as_i32().encode(w))
    })
}

/// RFC 2743 framing around a krb5 message: `[APPLICATION 0] { OID, TOK_ID,
/// message }`, the message written by `message`.
pub(crate) fn framed(
    w: &mut Writer<'_>,
    mech: &[u8],
    id: [u8; 2],
    message: impl FnOnce(&mut Writer<'_>) -> Result<()>,
) -> Result<()> {
    w.constructed(tag::application(0), |w| {
        message(w)?;
        w.bytes(&id);
        w.oid(mech);
        Ok(())
    })
}

/// The length [`emit_encrypted`] would write.
pub(crate) fn encrypted_len(
    plaintext: &dyn Encode,
    etype: Etype,
    what: crate::What,
    outer: &dyn Fn(&mut Writer<'_>, usize) -> Result<()>,
) -> Result<usize> {
    let plain_len = der::encoded_len(plaintext);
    if plain_len == 0 {
        return Err(Error::Malformed { what });
    }
    let cipher_len = etype
        .ciphertext_len(plain_len)
        .ok_or(Error::BufferTooSmall { needed: usize::MAX })?;
    let mut counter = Writer::counting();
    outer(&mut counter, cipher_len)?;
    Ok(counter.len())
}

/// Writes a structure whose last bytes are the encryption of `plaintext`,
/// without a copy: the plaintext is emitted where its ciphertext belongs,
/// encrypted in place under `keys` (one usage's), and `outer` then writes the rest in
/// front of it (it must call [`Writer::placed`] for the ciphertext length it
/// is given, as its last-written element). Returns the total length at the
/// start of `out`.
///
/// The DER writer fills from the end, so everything is first built at the end
/// of `out` (plaintext, then the ciphertext over it, then `outer` in front)
/// and moved to the front once: one encoding pass each instead of measuring
/// them first. When `out` is too small, what was written is wiped and the
/// exact size is reported as [`Error::BufferTooSmall`].
pub(crate) fn emit_encrypted<R: CryptoRng + ?Sized>(
    out: &mut [u8],
    keys: &UsageKeys,
    rng: &mut R,
    plaintext: &dyn Encode,
    what: crate::What,
    outer: &dyn Fn(&mut Writer<'_>, usize) -> Result<()>,
) -> Result<usize> {
    match emit_encrypted_at_end(out, keys, rng, plaintext, what, outer) {
        Err(Error::BufferTooSmall { .. }) => {
            out.zeroize();
            let needed = encrypted_len(plaintext, keys.etype(), what, outer)?;
            Err(Error::BufferTooSmall { needed })
        }
        other => other,
    }
}

fn emit_encrypted_at_end<R: CryptoRng + ?Sized>(
    out: &mut [u8],
    keys: &UsageKeys,
    rng: &mut R,
    plaintext: &dyn Encode,
    what: crate::What,
    outer: &dyn Fn(&mut Writer<'_>, usize) -> Result<()>,
) -> Result<usize> {
    const SHORT: Error = Error::BufferTooSmall { needed: usize::MAX };
    let etype = keys.etype();
    // The trailer (for des-cbc-md5 the most padding there can be) stays free
    // behind the plaintext.
    let plain_end = out.len().checked_sub(etype.trailer_len()).ok_or(SHORT)?;
    let mut w = Writer::new(out.get_mut(..plain_end).ok_or(SHORT)?);
    // Any encoding failure (or an empty encoding) is `what` being malformed.
    plaintext
        .encode(&mut w)
        .map_err(|_| Error::Malformed { what })?;
    let plain_len = w.len();
    if plain_len == 0 {
        return Err(Error::Malformed { what });
    }
    let plain_at = w.finish_at_end()?;
    let cipher_len = etype.ciphertext_len(plain_len).ok_or(SHORT)?;
    let cipher_at = plain_at.checked_sub(etype.header_len()).ok_or(SHORT)?;
    let cipher_end = cipher_at.checked_add(cipher_len).ok_or(SHORT)?;
    let cipher = out.get_mut(cipher_at..cipher_end).ok_or(SHORT)?;
    if keys.encrypt(rng, cipher, plain_len)? != cipher_len {
        return Err(Error::WrongState);
    }
    let mut w = Writer::new(out.get_mut(..cipher_end).ok_or(SHORT)?);
    outer(&mut w, cipher_len)?;
    w.finish()
}

/// Emits a framed KRB-ERROR token (`03 00`) into `out`; returns its length.
pub(crate) fn emit_error_token(
    out: &mut [u8],
    mech: &[u8],
    error: &crate::kerberos::wire::KrbError<'_>,
) -> Result<usize> {
    let mut w = Writer::new(out);
    framed(&mut w, mech, tok_id::KRB_ERROR, |w| error.encode(w))?;
    w.finish()
}

/// The realm and service a KRB-ERROR names.
#[derive(Clone, Copy)]
pub(crate) struct ErrorOrigin<'a> {
    pub(crate) mech: &'a [u8],
    pub(crate) realm: Realm<'a>,
    pub(crate) sname: PrincipalName<'a>,
}

/// The per-message calls (GSS_GetMIC, GSS_Wrap, … and their IOV forms) of a
/// context type with `session()`/`session_mut()` (`Result<&Session>`): the
/// initiator and the acceptor offer the same ones, written once here.
macro_rules! session_messages {
    () => {
        /// GSS_GetMIC.
        pub fn get_mic(&mut self, msg: &[u8], out: &mut [u8]) -> $crate::Result<usize> {
            self.session_mut()?.get_mic(msg, out)
        }

        /// GSS_VerifyMIC (in sequence).
        pub fn verify_mic(&mut self, msg: &[u8], token: &[u8]) -> $crate::Result<()> {
            self.session_mut()?.verify_mic(msg, token)
        }

        /// Bytes a Wrap token carries before the message.
        pub fn wrap_header_len(&self, confidential: bool) -> $crate::Result<usize> {
            Ok(self.session()?.wrap_header_len(confidential))
        }

        /// Bytes a Wrap token carries after the message (at most).
        pub fn wrap_trailer_len(&self, confidential: bool) -> $crate::Result<usize> {
            Ok(self.session()?.wrap_trailer_len(confidential))
        }

        /// GSS_Wrap in place: the message is at
        /// `buf[wrap_header_len(confidential)..][..data_len]`; returns the token
        /// length at the start of `buf`.
        pub fn wrap<R: rand_core::CryptoRng + ?Sized>(
            &mut self,
            rng: &mut R,
            confidential: bool,
            buf: &mut [u8],
            data_len: usize,
        ) -> $crate::Result<usize> {
            self.session_mut()?.wrap(rng, confidential, buf, data_len)
        }

        /// GSS_Unwrap in place: where the message lies in `buf`, and whether it
        /// was encrypted.
        pub fn unwrap(
            &mut self,
            buf: &mut [u8],
        ) -> $crate::Result<(core::ops::Range<usize>, bool)> {
            self.session_mut()?.unwrap(buf)
        }

        /// Header and trailer lengths of [`Self::wrap_iov`] tokens in `layout`
        /// (fixed per context; bounded by [`crate::kerberos::MAX_WRAP_IOV_HEADER_LEN`] and
        /// [`crate::kerberos::MAX_WRAP_IOV_TRAILER_LEN`]).
        pub fn wrap_iov_lens(
            &self,
            confidential: bool,
            layout: $crate::gss::IovLayout,
        ) -> $crate::Result<(usize, usize)> {
            Ok(self.session()?.wrap_iov_lens(confidential, layout))
        }

        /// GSS_Wrap without copies: the message in `data` is protected in place
        /// and the rest of the token written to the front of `header` and
        /// `trailer`; the token is `header[..h] | data | trailer[..t]`, `(h, t)`
        /// returned. A valid RFC 4121 (RRC 0 or RRC = the trailer length, see
        /// [`crate::gss::IovLayout`]) or RFC 4757 token that [`Self::unwrap`] and other
        /// implementations accept. See [`crate::gss::cfx::Cfx::wrap_iov`].
        pub fn wrap_iov<R: rand_core::CryptoRng + ?Sized>(
            &mut self,
            rng: &mut R,
            confidential: bool,
            layout: $crate::gss::IovLayout,
            header: &mut [u8],
            data: &mut [u8],
            trailer: &mut [u8],
        ) -> $crate::Result<(usize, usize)> {
            self.session_mut()?
                .wrap_iov(rng, confidential, layout, [header, data, trailer])
        }

        /// How to split a received Wrap token for [`Self::unwrap_iov`]: its header
        /// and trailer lengths, read off its first bytes (16 for RFC 4121 tokens,
        /// at most 17 for RFC 4757 ones). Tokens whose RFC 4121 RRC fits no split
        /// are [`crate::Error::IovSlices`] with zeros: unwrap those with
        /// [`Self::unwrap`]. Leaves the context as it is.
        pub fn unwrap_iov_lens(&self, token: &[u8]) -> $crate::Result<(usize, usize)> {
            self.session()?.unwrap_iov_lens(token)
        }

        /// GSS_Unwrap of a token split into `header | data | trailer` as
        /// [`Self::wrap_iov`] splits it: verifies and decrypts `data` in place
        /// (then all of it is the message); returns whether it was encrypted. A
        /// split the token does not have is [`crate::Error::IovSlices`]; tokens
        /// with another RFC 4121 RRC go through [`Self::unwrap`].
        pub fn unwrap_iov(
            &mut self,
            header: &mut [u8],
            data: &mut [u8],
            trailer: &mut [u8],
        ) -> $crate::Result<bool> {
            self.session_mut()?.unwrap_iov([header, data, trailer])
        }
    };
}
pub(crate) use session_messages;

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt::Write;

    /// `format!` into a fixed buffer (core uses no heap, tests included).
    fn text(args: fmt::Arguments<'_>) -> heapless::String<256> {
        let mut s = heapless::String::new();
        s.write_fmt(args).unwrap();
        s
    }

    #[test]
    fn identity_copy_display_and_bounds() {
        let parts = [KerberosString(b"HTTP"), KerberosString(b"web/x@y")];
        let name = PrincipalName::new(3, &parts);
        let id = Identity::new(&name, b"EXAMPLE.COM").unwrap();
        assert_eq!(text(format_args!("{id}")), "HTTP/web\\/x\\@y@EXAMPLE.COM");
        assert_eq!(id.realm(), b"EXAMPLE.COM");
        assert!(id.components().eq([&b"HTTP"[..], b"web/x@y"]));
        assert!(id.matches(&PrincipalName::new(1, &parts), b"EXAMPLE.COM"));
        assert!(!id.matches(&name, b"EXAMPLE.ORG"));
        assert!(!id.matches(&PrincipalName::new(1, &parts[..1]), b"EXAMPLE.COM"));

        let alice = [KerberosString(b"alice")];
        let id = Identity::new(&PrincipalName::new(1, &alice), b"R").unwrap();
        assert_eq!(text(format_args!("{id:?}")), "Identity(alice@R)");

        let long = [0x41u8; MAX_IDENTITY_LEN];
        let fits = [KerberosString(&long[..MAX_IDENTITY_LEN - 1])];
        assert!(Identity::new(&PrincipalName::new(1, &fits), b"R").is_ok());
        let too_long = [KerberosString(&long[..])];
        assert_eq!(
            Identity::new(&PrincipalName::new(1, &too_long), b"R"),
            Err(Error::CapacityExceeded {
                what: what!("client name")
            })
        );
    }

    #[test]
    fn error_codes() {
        assert_eq!(
            krb_error_code(&Error::Integrity {
                what: what!("checksum")
            }),
            41
        );
        assert_eq!(krb_error_code(&Error::BadKeyVersion), 44);
        assert_eq!(krb_error_code(&Error::NoKey), 45);
        assert_eq!(krb_error_code(&Error::Expired), 32);
        assert_eq!(krb_error_code(&Error::ClockSkew), 37);
        assert_eq!(krb_error_code(&Error::Replay), 34);
        assert_eq!(krb_error_code(&Error::WrongState), 60);
    }
}
