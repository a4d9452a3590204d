#!/usr/bin/env bash
# Writes the five firmware binaries of a board crate (they differ only in
# the board type and the entry attribute): gen-bins.sh DIR CRATE TYPE ENTRY
set -euo pipefail
dir=$1 crate=$2 ty=$3 entry=$4
mkdir -p "$dir/src/bin"
head() {
    cat <<EOT
//! $1
#![no_std]
#![no_main]

use authcore_board_support::{firmware, TEST_EPOCH, TEST_SEED};
use $crate::$ty;
use $entry;

#[entry]
fn main() -> ! {
    // The public test seed and a constant boot nonce: fine for conformance
    // runs, never for a deployed device (see authcore_board_support::drbg).
    let Some(mut board) = $ty::take(&TEST_SEED, 1, TEST_EPOCH) else {
        firmware::exit(2)
    };
EOT
}
{ head "The conformance firmware: every case this build has; exits 0 only when all pass."
  echo "    firmware::conformance(&mut board)"; echo "}"; } > "$dir/src/bin/conformance.rs"
{ head "Footprint baseline: the board support alone (entropy, clock, logging, stack painting)."
  echo '    firmware::footprint(&mut board, "empty", &mut [])'; echo "}"; } > "$dir/src/bin/fp-empty.rs"
{ head "Footprint: one NTLM handshake (initiator and acceptor) and a sealed message each way."
  cat <<'EOT'
    firmware::footprint(
        &mut board,
        "ntlm",
        &mut [("NTLM handshake", &mut |rng, now, mark| {
            authcore_conformance::footprint::ntlm_handshake(rng, now, mark)
        })],
    )
}
EOT
} > "$dir/src/bin/fp-ntlm.rs"
{ head "Footprint: the Kerberos acceptor on MIT krb5's recorded AP-REQ, and a sealed reply."
  cat <<'EOT'
    firmware::footprint(
        &mut board,
        "krb-acceptor",
        &mut [("Kerberos acceptor on the recorded AP-REQ", &mut |rng, _, mark| {
            authcore_conformance::footprint::krb_accept_recorded(rng, mark)
        })],
    )
}
EOT
} > "$dir/src/bin/fp-krb-acceptor.rs"
{ head "Footprint of everything: NTLM both sides, Kerberos initiator and acceptor (AP exchange), sealed messages."
  cat <<'EOT'
    firmware::footprint(
        &mut board,
        "full",
        &mut [
            ("NTLM handshake", &mut |rng, now, mark| {
                authcore_conformance::footprint::ntlm_handshake(rng, now, mark)
            }),
            ("Kerberos AP exchange", &mut |rng, _, mark| {
                authcore_conformance::footprint::krb_exchange_recorded(rng, mark)
            }),
        ],
    )
}
EOT
} > "$dir/src/bin/fp-full.rs"
