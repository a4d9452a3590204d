//! Sets `cfg(authcore_host)` on the CPUs authcore treats as hosts (x86,
//! x86-64, AArch64): hardware AES and cheap unaligned moves, where the crate
//! trades a little code for speed (CTS loops inlined into the AES backend,
//! short copies inline, key arrays wiped as slices, small DER decoders
//! inline). Microcontrollers keep the smaller shapes. One place for the
//! decision instead of the architecture list at every use.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(authcore_host)");
    // Set by the builder (RUSTFLAGS, like sha2's and aes's backend cfgs), not
    // here: MD4, MD5 and SHA-1 over rolled compression functions (crypto::hash).
    println!("cargo::rustc-check-cfg=cfg(authcore_hash, values(\"compact\"))");
    println!("cargo::rerun-if-changed=build.rs");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if matches!(arch.as_str(), "x86" | "x86_64" | "aarch64") {
        println!("cargo::rustc-cfg=authcore_host");
    }
}
