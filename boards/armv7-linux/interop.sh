#!/usr/bin/env bash
# The std adapter and CLI cross-built for a constrained 32-bit ARM Linux
# device (armv7-unknown-linux-gnueabihf), run under qemu-user against host
# peers on loopback, both ways:
#
# NTLM (users file):
#   1. armv7 `authcore serve`   <- host `authcore connect`
#   2. host `authcore serve`    <- armv7 `authcore connect`
#   each with the right password (the echoed message must come back) and a
#   wrong one (the client must fail).
# Kerberos, in a private MIT realm this script starts and stops itself
# (tests/interop/mit-realm.sh with AUTHCORE_MIT_DIR in a scratch directory;
# realm AUTHCORE.TEST, tickets from kinit + kvno in a scratch ccache):
#   3. armv7 `authcore serve --keytab` <- host `authcore connect`
#   4. armv7 `authcore serve --keytab` <- MIT GSS-API client (gss_peer.py)
#   5. host `authcore serve`    <- armv7 `authcore connect` (KRB5CCNAME)
#   6. MIT GSS-API acceptor (gss_peer.py) <- armv7 `authcore connect`
#   7. after the service is re-keyed (a new kvno in a new keytab): the armv7
#      acceptor with the new keytab refuses the old ticket from the host
#      client, and the host acceptor with it refuses the armv7 client's.
#
# Prints one line per case, then "N passed, M failed"; exits non-zero on any
# failure. Needs qemu-user, gcc-arm-linux-gnueabihf, MIT krb5 (KDC, kadmin,
# kinit, kvno) and Python with python3-gssapi (AUTHCORE_PYTHON, else
# /usr/bin/python3): tests/run installs them.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=armv7-unknown-linux-gnueabihf
export CARGO_TERM_PROGRESS_WHEN=never
# kadmin.local lives in /usr/sbin.
export PATH="$PATH:/usr/sbin:/sbin"

cd "$ROOT"
echo "+ cargo build --release -p authcore-std (host)"
cargo build -q --release -p authcore-std
echo "+ cargo build --release -p authcore-std --target $TARGET"
# The cross linker and static linking, as in boards/armv7-linux/.cargo/config.toml
# (cargo reads that file only when run from inside boards/armv7-linux).
CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER=arm-linux-gnueabihf-gcc \
CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_RUSTFLAGS="-C target-feature=+crt-static" \
    cargo build -q --release -p authcore-std --target "$TARGET"
HOST_CLI=$ROOT/target/release/authcore
ARM_CLI=$ROOT/target/$TARGET/release/authcore
echo "armv7 CLI: $(stat -c %s "$ARM_CLI") bytes (static, with debug info)"
ARM=(qemu-arm -cpu cortex-a7 -L /usr/arm-linux-gnueabihf "$ARM_CLI")

WORK=$(mktemp -d)
SERVER_PID=""
REALM_DIR=$WORK/mit
REALM_STARTED=0
cleanup() {
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null || true
    if ((REALM_STARTED)); then
        AUTHCORE_MIT_DIR=$REALM_DIR "$ROOT/tests/interop/mit-realm.sh" stop || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
echo 'EXAMPLE:alice:correct horse battery staple' >"$WORK/users"

passed=0
failed=0
# A case's checks end in `&& st=0 || st=1` (a failed check must not trip
# `set -e`), then: result NAME "$st".
result() { # name ok?
    if [[ $2 == 0 ]]; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failed=$((failed + 1)); fi
}

# start_server SERVER-CMD... -- SERVE-ARGS...: runs `SERVER-CMD... serve
# --listen 127.0.0.1:0 SERVE-ARGS...`, sets SERVER_PID and PORT.
start_server() {
    local server=()
    while [[ $1 != -- ]]; do server+=("$1"); shift; done
    shift
    # A stale log would hold the previous server's port.
    rm -f "$WORK/server.out" "$WORK/server.err"
    "${server[@]}" serve --listen 127.0.0.1:0 --timeout 60 "$@" \
        >"$WORK/server.out" 2>"$WORK/server.err" &
    SERVER_PID=$!
    PORT=""
    local i
    # Polled without command substitutions or `wait`: bash can lose track of
    # the background server when its children are reaped concurrently.
    for ((i = 0; i < 300; i++)); do
        if grep -qs '^authcore: listening on 127\.0\.0\.1:' "$WORK/server.err"; then
            PORT=$(sed -n 's/^authcore: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/server.err")
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "server did not start:" >&2
    cat "$WORK/server.err" >&2
    return 1
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    SERVER_PID=""
}

# connect CLIENT... PASSWORD MESSAGE: prints the client's stdout.
connect() {
    local password=${*: -2:1} message=${*: -1}
    local client=("${@:1:$#-2}")
    printf '%s\n' "$password" | timeout 120 "${client[@]}" connect "127.0.0.1:$PORT" --package ntlm \
        --user alice --domain EXAMPLE --password-stdin --message "$message" 2>"$WORK/client.err"
}

run_pair() { # label server-cmd... -- client-cmd...
    local label=$1
    shift
    local server=() client=()
    while [[ $1 != -- ]]; do server+=("$1"); shift; done
    shift
    client=("$@")
    start_server "${server[@]}" -- --package ntlm --users "$WORK/users"
    local msg="sealed hello from $label" out rc
    out=$(connect "${client[@]}" 'correct horse battery staple' "$msg") && rc=0 || rc=$?
    [[ $rc == 0 && $out == "$msg" ]] && grep -q '^authenticated: EXAMPLE\\alice$' "$WORK/server.out" && st=0 || st=1
    result "NTLM $label: handshake, sealed message echoed, server saw EXAMPLE\\alice" $st
    if connect "${client[@]}" 'wrong password' "$msg" >/dev/null; then rc=0; else rc=$?; fi
    [[ $rc != 0 ]] && st=0 || st=1
    result "NTLM $label: wrong password refused ($(head -c 120 "$WORK/client.err"))" $st
    stop_server
}

run_pair "armv7 server <- host client" "${ARM[@]}" -- "$HOST_CLI"
run_pair "host server <- armv7 client" "$HOST_CLI" -- "${ARM[@]}"

# ---- Kerberos ------------------------------------------------------------------

# A realm of our own (its KDC on the first free port from 28880), so that this
# script needs nothing running and leaves nothing behind.
echo "+ tests/interop/mit-realm.sh start (private realm in $REALM_DIR)"
REALM_STARTED=1
realm_env=$(env -u AUTHCORE_KDC_PORT AUTHCORE_MIT_DIR="$REALM_DIR" "$ROOT/tests/interop/mit-realm.sh" start 2>"$WORK/realm.err") \
    || { cat "$WORK/realm.err" >&2; exit 1; }
eval "$realm_env"
# Our own ticket cache and replay caches (MIT's acceptor keeps one).
export KRB5CCNAME=FILE:$WORK/ccache KRB5RCACHEDIR=$WORK
USER_PRINCIPAL=$AUTHCORE_MIT_USER@$AUTHCORE_MIT_REALM
kinit -k -t "$AUTHCORE_MIT_USER_KEYTAB" "$USER_PRINCIPAL" >"$WORK/kinit.log" 2>&1 \
    && kvno host/localhost >>"$WORK/kinit.log" 2>&1 \
    || { cat "$WORK/kinit.log" >&2; exit 1; }
echo "realm $AUTHCORE_MIT_REALM, KDC $AUTHCORE_MIT_KDC; $(grep -o 'kvno = [0-9]*' "$WORK/kinit.log" | head -1) for host/localhost"

PYTHON=${AUTHCORE_PYTHON:-/usr/bin/python3}
GSS_PEER=$ROOT/tests/interop/gss_peer.py
if ! "$PYTHON" -c 'import gssapi' 2>/dev/null; then
    echo "interop.sh: $PYTHON cannot import gssapi (apt-get install python3-gssapi); the MIT peer cases fail" >&2
fi

# krb_connect CLIENT... MESSAGE: `connect --package kerberos` to PORT with the
# ticket in KRB5CCNAME; prints the client's stdout.
krb_connect() {
    local message=${*: -1}
    local client=("${@:1:$#-1}")
    timeout 120 "${client[@]}" connect "127.0.0.1:$PORT" --package kerberos --target host/localhost \
        --message "$message" 2>"$WORK/client.err" </dev/null
}

# After a failed client: the start of its error, for the case's line.
why() { [[ $rc == 0 ]] || echo " ($(head -c 160 "$WORK/client.err"))"; }

# Our acceptors print this line for the ticket's client.
saw_alice() { grep -qx "authenticated: $USER_PRINCIPAL" "$WORK/server.out"; }

krb_serve_pair() { # label server-cmd... -- client-cmd...
    local label=$1
    shift
    local server=() client=()
    while [[ $1 != -- ]]; do server+=("$1"); shift; done
    shift
    client=("$@")
    start_server "${server[@]}" -- --package kerberos --keytab "$AUTHCORE_MIT_SERVICE_KEYTAB"
    local msg="krb5 hello from $label" out rc
    out=$(krb_connect "${client[@]}" "$msg") && rc=0 || rc=$?
    [[ $rc == 0 && $out == "$msg" ]] && saw_alice && st=0 || st=1
    result "Kerberos $label: AP exchange, wrapped message echoed, server saw $USER_PRINCIPAL$(why)" $st
}

# 3: armv7 acceptor, host initiator; 4: then MIT's initiator on the same server.
krb_serve_pair "armv7 server <- host client" "${ARM[@]}" -- "$HOST_CLI"
msg="krb5 hello from MIT"
out=$(timeout 120 "$PYTHON" "$GSS_PEER" client --mech krb5 --backend gssapi --connect "127.0.0.1:$PORT" \
    --target host@localhost --message "$msg" 2>"$WORK/client.err") && rc=0 || rc=$?
[[ $rc == 0 && $out == "$msg" && $(grep -c "^authenticated: $USER_PRINCIPAL\$" "$WORK/server.out") == 2 ]] && st=0 || st=1
result "Kerberos armv7 server <- MIT GSS-API client (python-gssapi): AP exchange, message echoed, server saw $USER_PRINCIPAL$(why)" $st
stop_server

# 5: host acceptor, armv7 initiator.
krb_serve_pair "host server <- armv7 client" "$HOST_CLI" -- "${ARM[@]}"
stop_server

# 6: MIT's acceptor (service keytab), armv7 initiator.
rm -f "$WORK/peer.out" "$WORK/peer.err"
KRB5_KTNAME=FILE:$AUTHCORE_MIT_SERVICE_KEYTAB timeout 180 "$PYTHON" "$GSS_PEER" server --mech krb5 --backend gssapi \
    --listen 127.0.0.1:0 >"$WORK/peer.out" 2>"$WORK/peer.err" &
SERVER_PID=$!
PORT=""
for ((i = 0; i < 300; i++)); do
    PORT=$(sed -n 's/^listening on \([0-9]*\)$/\1/p' "$WORK/peer.out" 2>/dev/null || true)
    [[ -n $PORT ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
msg="krb5 hello to MIT"
if [[ -n $PORT ]]; then
    out=$(krb_connect "${ARM[@]}" "$msg") && rc=0 || rc=$?
else
    rc=1 out=""
    echo "MIT acceptor did not start: $(cat "$WORK/peer.err")" >"$WORK/client.err"
fi
for ((i = 0; i < 100; i++)); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.05; done
[[ $rc == 0 && $out == "$msg" ]] && grep -qx "authenticated: $USER_PRINCIPAL" "$WORK/peer.out" \
    && grep -qx "message: $msg" "$WORK/peer.out" && st=0 || st=1
result "Kerberos MIT GSS-API server (python-gssapi) <- armv7 client: AP exchange, message echoed, MIT saw $USER_PRINCIPAL$(why)" $st
stop_server

# 7: re-key the service (ktadd without -norandkey: new random keys under the
# next kvno, written to a new keytab). The tickets in the cache are still
# under the old kvno, so both acceptors must refuse them with the new keytab.
kadmin.local -r "$AUTHCORE_MIT_REALM" -q "ktadd -k $WORK/rekeyed.keytab host/localhost" >"$WORK/rekey.log" 2>&1 \
    || { cat "$WORK/rekey.log" >&2; exit 1; }
krb_refused_pair() { # label server-cmd... -- client-cmd...
    local label=$1
    shift
    local server=() client=()
    while [[ $1 != -- ]]; do server+=("$1"); shift; done
    shift
    client=("$@")
    start_server "${server[@]}" -- --package kerberos --keytab "$WORK/rekeyed.keytab"
    local rc
    if krb_connect "${client[@]}" "must not pass" >/dev/null; then rc=0; else rc=$?; fi
    # The acceptor answers KRB_AP_ERR_BADKEYVER (44, RFC 4120 7.5.9): it
    # holds no key of the ticket's kvno.
    [[ $rc != 0 ]] && ! saw_alice && grep -q 'KRB-ERROR 44\b' "$WORK/client.err" && st=0 || st=1
    result "Kerberos $label: ticket under the old kvno refused by the re-keyed acceptor ($(head -c 120 "$WORK/client.err"))" $st
    stop_server
}
krb_refused_pair "armv7 server <- host client" "${ARM[@]}" -- "$HOST_CLI"
krb_refused_pair "host server <- armv7 client" "$HOST_CLI" -- "${ARM[@]}"

echo "$passed passed, $failed failed"
((failed == 0))
