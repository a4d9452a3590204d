//! Kerberos etype throughput: encrypt+decrypt of each etype at 1 KiB and 64 KiB,
//! beside the "floor": the raw AES-CBC (or RC4) and HMAC calls of the same
//! RustCrypto crates over the same bytes, measured in the same run. The table at
//! the end prints MB/s for both and the share of the floor each etype reaches.

use std::hint::black_box;

use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit, StreamCipher};
use authcore::crypto::{Etype, Key};
use authcore_tests::bench_rng::TestRng;
use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, Mac};

const SIZES: [usize; 2] = [1024, 64 * 1024];
const USAGE: u32 = 22;

fn name(etype: Etype) -> &'static str {
    match etype {
        Etype::Aes128CtsHmacSha196 => "aes128-cts-hmac-sha1-96",
        Etype::Aes256CtsHmacSha196 => "aes256-cts-hmac-sha1-96",
        Etype::Aes128CtsHmacSha256128 => "aes128-cts-hmac-sha256-128",
        Etype::Aes256CtsHmacSha384192 => "aes256-cts-hmac-sha384-192",
        Etype::Rc4Hmac => "rc4-hmac",
        _ => "other",
    }
}

fn etypes(c: &mut Criterion) {
    for etype in Etype::MODERN {
        let key = Key::string_to_key(etype, b"password", b"EXAMPLE.COMuser", None)
            .expect("string-to-key");
        let keys = key.derive(USAGE).expect("derive");
        let mut group = c.benchmark_group(format!("etype/{}", name(etype)));
        for size in SIZES {
            let mut rng = TestRng::new(1);
            let overhead = etype.header_len() + etype.trailer_len();
            let mut buf = vec![0x5au8; size + overhead];
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, &size| {
                b.iter(|| {
                    let n = keys.encrypt(&mut rng, &mut buf, size).expect("encrypt");
                    let range = keys.decrypt(&mut buf[..n]).expect("decrypt");
                    black_box(range);
                })
            });
        }
        group.finish();
    }
}

/// CBC over `len` bytes (a multiple of 16 here; CTS costs the same block calls).
fn aes_cbc_roundtrip<C>(key: &[u8], buf: &mut [u8])
where
    C: aes::cipher::BlockCipherEncrypt + aes::cipher::BlockCipherDecrypt + KeyInit,
{
    let iv = [0u8; 16];
    let enc = cbc::Encryptor::<C>::new_from_slices(key, &iv).expect("cbc key");
    let blocks = buf.len() / 16 * 16;
    enc.encrypt_padded::<aes::cipher::block_padding::NoPadding>(&mut buf[..blocks], blocks)
        .expect("cbc encrypt");
    let dec = cbc::Decryptor::<C>::new_from_slices(key, &iv).expect("cbc key");
    dec.decrypt_padded::<aes::cipher::block_padding::NoPadding>(&mut buf[..blocks])
        .expect("cbc decrypt");
}

fn hmac_twice<M: Mac + Clone>(prepared: &M, data: &[u8]) {
    for _ in 0..2 {
        let mut m = prepared.clone();
        m.update(data);
        black_box(m.finalize());
    }
}

fn floors(c: &mut Criterion) {
    let key32 = [7u8; 32];
    for etype in Etype::MODERN {
        let mut group = c.benchmark_group(format!("floor/{}", name(etype)));
        for size in SIZES {
            group.throughput(Throughput::Bytes(size as u64));
            // Same bytes the etype touches: confounder + plaintext (+ IV for RFC 8009's MAC).
            let mut buf = vec![0x5au8; size + 16];
            match etype {
                Etype::Aes128CtsHmacSha196 | Etype::Aes256CtsHmacSha196 => {
                    let mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(&key32[..16]).unwrap();
                    let aes256 = etype == Etype::Aes256CtsHmacSha196;
                    group.bench_function(BenchmarkId::from_parameter(size), |b| {
                        b.iter(|| {
                            if aes256 {
                                aes_cbc_roundtrip::<aes::Aes256>(&key32, &mut buf);
                            } else {
                                aes_cbc_roundtrip::<aes::Aes128>(&key32[..16], &mut buf);
                            }
                            hmac_twice(&mac, &buf);
                        })
                    });
                }
                Etype::Aes128CtsHmacSha256128 => {
                    let mac =
                        <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key32[..16]).unwrap();
                    let mac_input = vec![0u8; size + 32];
                    group.bench_function(BenchmarkId::from_parameter(size), |b| {
                        b.iter(|| {
                            aes_cbc_roundtrip::<aes::Aes128>(&key32[..16], &mut buf);
                            hmac_twice(&mac, &mac_input);
                        })
                    });
                }
                Etype::Aes256CtsHmacSha384192 => {
                    let mac = <Hmac<sha2::Sha384> as KeyInit>::new_from_slice(&key32).unwrap();
                    let mac_input = vec![0u8; size + 32];
                    group.bench_function(BenchmarkId::from_parameter(size), |b| {
                        b.iter(|| {
                            aes_cbc_roundtrip::<aes::Aes256>(&key32, &mut buf);
                            hmac_twice(&mac, &mac_input);
                        })
                    });
                }
                Etype::Rc4Hmac => {
                    // Per message RFC 4757 needs HMAC(K1, data), K3 = HMAC(K1, cksum), and an
                    // RC4 key schedule + keystream; each side does it once.
                    let k1 = <Hmac<md5::Md5> as KeyInit>::new_from_slice(&key32[..16]).unwrap();
                    let data = &mut buf[..size + 8];
                    group.bench_function(BenchmarkId::from_parameter(size), |b| {
                        b.iter(|| {
                            for _ in 0..2 {
                                let mut m = k1.clone();
                                m.update(data);
                                let cksum = m.finalize().into_bytes();
                                let mut m = k1.clone();
                                m.update(&cksum);
                                let k3 = m.finalize().into_bytes();
                                let mut rc4 = rc4::Rc4::new_from_slice(&k3).unwrap();
                                rc4.apply_keystream(data);
                            }
                        })
                    });
                }
                _ => {}
            }
        }
        group.finish();
    }
}

/// Reads criterion's mean estimate (ns) for one benchmark id.
fn mean_ns(group: &str, size: usize) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").to_string());
    let path = format!(
        "{dir}/criterion/{}/{size}/new/estimates.json",
        group.replace('/', "_")
    );
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

fn report() {
    println!(
        "\n{:<28} {:>7} {:>12} {:>12} {:>9}",
        "etype", "size", "etype MB/s", "floor MB/s", "of floor"
    );
    for etype in Etype::MODERN {
        for size in SIZES {
            let (Some(e), Some(f)) = (
                mean_ns(&format!("etype/{}", name(etype)), size),
                mean_ns(&format!("floor/{}", name(etype)), size),
            ) else {
                println!(
                    "{:<28} {:>7} (no estimate: run without a filter)",
                    name(etype),
                    size
                );
                continue;
            };
            let mbs = |ns: f64| size as f64 / ns * 1e3;
            println!(
                "{:<28} {:>7} {:>12.1} {:>12.1} {:>8.1}%",
                name(etype),
                size,
                mbs(e),
                mbs(f),
                100.0 * f / e
            );
        }
    }
}

criterion_group!(benches, etypes, floors);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    report();
}
