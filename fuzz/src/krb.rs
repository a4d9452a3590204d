//! Kerberos fixtures taken from the MIT krb5 capture
//! (tests/vectors/mit-krb5-captures.txt): the service's long-term key and the
//! sequence numbers the captured AP exchange agreed on, the captured messages
//! themselves, and an independent peer to check established contexts with.

use authcore::crypto::{Etype, Key, MAX_OVERHEAD};
use authcore::gss::cfx::Cfx;
use authcore::gss::rc4::Rc4Hmac;
use authcore::kerberos::wire::{Authenticator, EncTicketPart, Ticket};
use authcore::kerberos::KeyEntry;
use authcore::Time;

use crate::CounterRng;

/// `key-service`: aes256-cts-hmac-sha1-96 key of
/// host/service.authcore.test@AUTHCORE.TEST.
pub const SERVICE_KEY: &str = "6de9ba3c9ca5e5adf21fb2d39fc6f71f2790a845801753aded999f8476b23a36";

/// The initiator's initial sequence number (the captured authenticator's
/// seq-number, 0x3cdbe13f).
pub const INITIATOR_SEQ: u32 = 0x3cdb_e13f;
/// The acceptor's initial sequence number (the captured EncAPRepPart's
/// seq-number, 0x2158fda9).
pub const ACCEPTOR_SEQ: u32 = 0x2158_fda9;

/// The RFC 4121 etypes, picked by the low two bits of `sel`.
pub fn cfx_etype(sel: u8) -> Etype {
    [
        Etype::Aes256CtsHmacSha196,
        Etype::Aes128CtsHmacSha196,
        Etype::Aes128CtsHmacSha256128,
        Etype::Aes256CtsHmacSha384192,
    ][usize::from(sel & 3)]
}

/// A key of `etype` made from the captured service key's first bytes.
pub fn key(etype: Etype) -> Key {
    let bytes = crate::hex(SERVICE_KEY);
    Key::from_bytes(etype, &bytes[..etype.key_len()]).expect("fixture key")
}

/// One record of the MIT capture file, by name.
pub fn capture(name: &str) -> Vec<u8> {
    static CAPTURES: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    let all = CAPTURES.get_or_init(|| {
        include_str!("../../tests/vectors/mit-krb5-captures.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains(':'))
            .map(|l| {
                let (k, v) = l.split_once(':').unwrap();
                (k.trim().to_string(), crate::hex(v))
            })
            .collect()
    });
    all.iter()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no capture {name}"))
        .1
        .clone()
}

/// The captured service principal, host/service.authcore.test@AUTHCORE.TEST.
pub const SERVICE: &[&[u8]] = &[b"host", b"service.authcore.test"];
/// The capture's realm.
pub const REALM: &[u8] = b"AUTHCORE.TEST";

/// The capture's time: the captured authenticator's ctime and cusec (MIT's
/// AP-REP echoes them, and the captured AP-REQ is within the skew of it).
pub fn capture_time() -> Time {
    let auth = capture("ap-req-authenticator");
    let auth = Authenticator::parse(&auth).expect("captured authenticator");
    auth.ctime.to_time(auth.cusec)
}

/// A key table holding the captured service key under the ticket's kvno.
pub fn keytab() -> Vec<KeyEntry<'static>> {
    let ticket = capture("service-ticket");
    let kvno = Ticket::parse(&ticket).unwrap().enc_part.kvno.unwrap();
    vec![KeyEntry {
        principal: SERVICE,
        realm: REALM,
        kvno,
        key: Key::from_bytes(Etype::Aes256CtsHmacSha196, &crate::hex(SERVICE_KEY)).unwrap(),
    }]
}

/// The session key inside the captured service ticket.
pub fn session_key() -> Key {
    let enc = capture("service-enc-ticket-part");
    let part = EncTicketPart::parse(&enc).unwrap();
    Key::from_bytes(
        Etype::from_i32(part.key.keytype).unwrap(),
        part.key.keyvalue,
    )
    .unwrap()
}

/// Encrypts `plain` under `key` and `usage`; returns the ciphertext.
pub fn encrypt(key: &Key, usage: u32, plain: &[u8], rng: &mut CounterRng) -> Vec<u8> {
    let mut buf = vec![0u8; plain.len() + MAX_OVERHEAD];
    let at = key.etype().header_len();
    buf[at..at + plain.len()].copy_from_slice(plain);
    let n = key
        .encrypt(usage, rng, &mut buf, plain.len())
        .expect("encrypt");
    buf.truncate(n);
    buf
}

/// An independent peer for a krb5 context: RFC 4121 tokens for AES keys,
/// RFC 4757 tokens for rc4-hmac, as `Session` picks them.
pub enum Peer {
    Cfx(Cfx),
    Rc4(Rc4Hmac),
}

impl Peer {
    pub fn new(key: &Key, initiator: bool, acceptor_subkey: bool, send: u32, recv: u32) -> Peer {
        if key.etype() == Etype::Rc4Hmac {
            let bytes: &[u8; 16] = key.as_bytes().try_into().unwrap();
            Peer::Rc4(Rc4Hmac::new(bytes, initiator, send, recv).unwrap())
        } else {
            let (send, recv) = (u64::from(send), u64::from(recv));
            Peer::Cfx(Cfx::new(key, initiator, acceptor_subkey, send, recv).unwrap())
        }
    }

    /// A sealed Wrap token of `msg`.
    pub fn wrap(&mut self, msg: &[u8], rng: &mut CounterRng) -> Vec<u8> {
        let (head, trail) = match self {
            Peer::Cfx(c) => (c.wrap_header_len(true), c.wrap_trailer_len(true)),
            Peer::Rc4(r) => (r.wrap_header_len(true), r.wrap_trailer_len(true)),
        };
        let mut buf = vec![0u8; head + msg.len() + trail];
        buf[head..head + msg.len()].copy_from_slice(msg);
        let n = match self {
            Peer::Cfx(c) => c.wrap(rng, true, &mut buf, msg.len()),
            Peer::Rc4(r) => r.wrap(rng, true, &mut buf, msg.len()),
        }
        .expect("peer wrap");
        buf.truncate(n);
        buf
    }

    /// The message of a sealed Wrap token.
    pub fn unwrap(&mut self, token: &[u8]) -> authcore::Result<Vec<u8>> {
        let mut buf = token.to_vec();
        let (range, sealed) = match self {
            Peer::Cfx(c) => c.unwrap(&mut buf),
            Peer::Rc4(r) => r.unwrap(&mut buf),
        }?;
        assert!(sealed, "peer got an unsealed token");
        Ok(buf[range].to_vec())
    }
}

/// How the unwrap targets cut a token for `unwrap_iov`: as the receiver's
/// `unwrap_iov_lens` says when that fits (`true`), else at arbitrary points.
pub fn iov_split(
    lens: authcore::Result<(usize, usize)>,
    token: &[u8],
) -> (bool, (&[u8], &[u8], &[u8])) {
    let (fits, h, t) = match lens {
        Ok((h, t)) if h + t <= token.len() => (true, h, t),
        _ => (false, token.len() / 3, token.len() / 4),
    };
    let (header, rest) = token.split_at(h);
    let (data, trailer) = rest.split_at(rest.len() - t);
    (fits, (header, data, trailer))
}

/// Asserts that `unwrap_iov` (its outcome `iov`, its message `data`) agrees
/// with the one-buffer `unwrap` of the same token (`whole`, over `buf`):
/// both accept with the same message, or both refuse, or the IOV cut did not
/// fit the token (`split` false) and only it refused.
pub fn assert_iov_agrees(
    whole: &authcore::Result<(core::ops::Range<usize>, bool)>,
    buf: &[u8],
    iov: authcore::Result<bool>,
    data: &[u8],
    split: bool,
) {
    match (whole, iov) {
        (Ok((range, sealed)), Ok(iov_sealed)) => {
            assert_eq!(*sealed, iov_sealed);
            assert_eq!(&buf[range.clone()], data, "unwrap_iov differs from unwrap");
        }
        (Ok((range, _)), Err(e)) => assert!(
            !split || range.len() != data.len(),
            "unwrap_iov refused what unwrap accepted: {e:?}"
        ),
        (Err(e), Ok(_)) => panic!("unwrap_iov accepted what unwrap refused ({e:?})"),
        (Err(_), Err(_)) => {}
    }
}
