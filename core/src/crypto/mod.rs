//! Cryptographic glue over the RustCrypto crates.
//!
//! Kerberos (RFC 3961 framework, RFC 3962 AES-SHA1, RFC 8009 AES-SHA2, RFC 4757
//! RC4-HMAC, and DES under `legacy`) lives behind [`Key`]: one type whose methods
//! dispatch on its [`Etype`]. NTLM's primitives live in [`ntlm`].
//!
//! All encryption is in place. A ciphertext buffer is laid out as
//! `header | plaintext | trailer` where `header_len` and `trailer_len` depend on
//! the etype (AES: confounder before, HMAC after; RC4-HMAC: HMAC and confounder
//! before, nothing after). To encrypt, the caller writes the plaintext at
//! `buf[etype.header_len()..]` and calls [`Key::encrypt`]; to decrypt, it passes
//! the whole ciphertext to [`Key::decrypt`] and gets back the range of the
//! plaintext inside the same buffer, released only after the checksum verified.
//!
//! A context that protects many messages under one key usage keeps the
//! [`UsageKeys`] from [`Key::derive`] instead of re-deriving per message.
//! Key usage numbers are named in [`usage`]. [`nfold`] and [`cts`] are the
//! RFC 3961/3962 building blocks, public so their own published vectors can
//! pin them.

/// `Zeroize` for a struct of secret byte arrays, and with `drop` also
/// `ZeroizeOnDrop`. On hosts each array is wiped as one slice: zeroize's
/// array impl (what its derive uses) makes one volatile store per byte, its
/// slice impl one fill behind an optimization barrier, and an AP-REQ
/// acceptance wiped some 600 key bytes (2 % of its time). On
/// microcontrollers the byte loop stays: the fills unroll into more code
/// (+230 B of thumbv7em flash).
macro_rules! wipe_fields {
    ($ty:ident { $($field:tt),+ }) => {
        impl zeroize::Zeroize for $ty {
            fn zeroize(&mut self) {
                $(
                    #[cfg(authcore_host)]
                    zeroize::Zeroize::zeroize(self.$field.as_mut_slice());
                    #[cfg(not(authcore_host))]
                    zeroize::Zeroize::zeroize(&mut self.$field);
                )+
            }
        }
    };
    ($ty:ident { $($field:tt),+ }, drop) => {
        $crate::crypto::wipe_fields!($ty { $($field),+ });
        impl Drop for $ty {
            fn drop(&mut self) {
                zeroize::Zeroize::zeroize(self);
            }
        }
        impl zeroize::ZeroizeOnDrop for $ty {}
    };
}
pub(crate) use wipe_fields;

pub mod cts;
pub mod nfold;
pub mod ntlm;
mod upcase;
pub mod usage;

mod aes_sha1;
mod aes_sha2;
#[cfg(feature = "legacy")]
mod des;
mod etype;
#[cfg(test)]
mod etype_tests;
pub mod hash;
pub(crate) mod iov;
mod mac;
mod rc4_hmac;
mod rfc3961;

pub use etype::{
    ChecksumType, Etype, Key, Subkey, UsageKeys, MAX_CHECKSUM_LEN, MAX_CONFOUNDER_LEN, MAX_KEY_LEN,
    MAX_OVERHEAD, MAX_S2K_ITERATIONS, MAX_SALT_LEN,
};
#[cfg(feature = "kerberos")]
pub(crate) use etype::{Deriver, KeysRef};
