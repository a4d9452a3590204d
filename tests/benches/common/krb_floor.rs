//! The raw RustCrypto floor pieces shared by the `kerberos` and
//! `apreq_parts` benches: RFC 3961 key derivation and one RFC 3962
//! decryption/encryption, with nothing of authcore's but n-fold.

use std::hint::black_box;

use aes::cipher::block_padding::NoPadding;
use aes::cipher::consts::U16;
use aes::cipher::{
    BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockModeDecrypt,
    BlockModeEncrypt, BlockSizeUser, InnerIvInit, KeyInit,
};
use aes::{Aes256Dec, Aes256Enc};
use authcore::crypto::nfold::nfold;
use cts::{Decrypt, Encrypt};
use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const IV: [u8; 16] = [0; 16];

/// RFC 3961 DK of several (usage, kind) constants under one expanded base
/// key: for each, E(base, n-fold(constant)) chained once more for a 32-byte
/// key; all in one cipher backend call, the cheapest way through the `aes`
/// API (a call with VAES broadcasts the round keys, which costs more than a
/// few blocks).
pub fn dk_many<const N: usize>(base: &Aes256Enc, constants: [(u32, u8); N]) -> [[u8; 32]; N] {
    struct Dr<'a>(&'a [(u32, u8)], &'a mut [[u8; 32]]);
    impl BlockSizeUser for Dr<'_> {
        type BlockSize = U16;
    }
    impl BlockCipherEncClosure for Dr<'_> {
        fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
            for (&(usage, kind), out) in self.0.iter().zip(self.1.iter_mut()) {
                let u = usage.to_be_bytes();
                let mut block = [0u8; 16];
                nfold(&[u[0], u[1], u[2], u[3], kind], &mut block).unwrap();
                for half in out.chunks_mut(16) {
                    backend.encrypt_block_inplace((&mut block).into());
                    half.copy_from_slice(&block);
                }
            }
        }
    }
    let mut out = [[0u8; 32]; N];
    base.encrypt_with_backend(Dr(&constants, &mut out));
    out
}

pub const KE: u8 = 0xAA;
pub const KI: u8 = 0x55;
const KC: u8 = 0x99;

/// The raw block mode standing in for RFC 3962's cipher in a floor.
// Each bench including this module uses its own subset.
#[allow(dead_code)]
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// AES-CBC over the body rounded up to whole blocks: as many block calls
    /// as CTS, without its stealing (the two last blocks chained one after
    /// the other). A lower bound, not the etype's cipher.
    Cbc,
    /// The etype's own cipher: RustCrypto's `cts` crate, CBC-CS3, which is
    /// RFC 3962's ciphertext stealing (its section 5 and Appendix B vectors).
    Cts,
}

/// The crypto of decrypting one RFC 3962 ciphertext with Ke and Ki: expand
/// Ke for decryption, decrypt the body (`mode`), HMAC-SHA1 it. `body` is
/// rounded up to whole blocks; the ciphertext and MAC cover its first `len`
/// bytes (CBC decrypts the whole rounded body).
pub fn floor_decrypt(mode: Mode, [ke, ki]: [[u8; 32]; 2], body: &mut [u8], len: usize) {
    let dec = Aes256Dec::new(&ke.into());
    match mode {
        Mode::Cbc => {
            cbc::Decryptor::inner_iv_init(dec, &IV.into())
                .decrypt_padded::<NoPadding>(body)
                .unwrap();
        }
        Mode::Cts => {
            cts::CbcCs3::inner_iv_init(dec, &IV.into())
                .decrypt(&mut body[..len])
                .unwrap();
        }
    }
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(&ki).unwrap();
    mac.update(&body[..len]);
    black_box(mac.finalize());
}

/// The crypto of encrypting one RFC 3962 ciphertext (see [`floor_decrypt`]).
pub fn floor_encrypt(mode: Mode, [ke, ki]: [[u8; 32]; 2], body: &mut [u8], len: usize) {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(&ki).unwrap();
    mac.update(&body[..len]);
    black_box(mac.finalize());
    let enc = Aes256Enc::new(&ke.into());
    match mode {
        Mode::Cbc => {
            let padded = body.len();
            cbc::Encryptor::inner_iv_init(enc, &IV.into())
                .encrypt_padded::<NoPadding>(body, padded)
                .unwrap();
        }
        Mode::Cts => {
            cts::CbcCs3::inner_iv_init(enc, &IV.into())
                .encrypt(&mut body[..len])
                .unwrap();
        }
    }
}

/// The keys an RFC 4121 context derives from its (acceptor sub)key: Ke, Ki
/// and Kc of the sealing usages 22 and 24, Kc of the signing usages 23 and 25.
pub const CONTEXT_KEYS: [(u32, u8); 8] = [
    (22, KE),
    (22, KI),
    (22, KC),
    (24, KE),
    (24, KI),
    (24, KC),
    (23, KC),
    (25, KC),
];
