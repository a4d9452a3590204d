//! The system clock as core's [`Time`].

use std::time::{SystemTime, UNIX_EPOCH};

use authcore::Time;

/// Now, from the system clock (before 1970 saturates to the epoch).
pub fn now() -> Time {
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Time::from_unix_micros(micros)
}
