//! Kerberos fixtures taken from the MIT krb5 capture
//! (tests/vectors/mit-krb5-captures.txt): the service's long-term key and the
//! sequence numbers the captured AP exchange agreed on.

use authcore::crypto::{Etype, Key};

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
