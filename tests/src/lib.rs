//! Shared helpers for the integration tests (vector file reader).
