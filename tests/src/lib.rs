//! Shared helpers for the integration tests and benches.

pub mod bench_rng;
pub mod interop;
