#!/usr/bin/env bash
# A throwaway MIT Kerberos realm on loopback for interop tests.
#
#   tests/interop/mit-realm.sh start   create the realm (if not running) and start the KDC;
#                                      prints `export ...` lines for the realm
#   tests/interop/mit-realm.sh stop    stop the KDC started from this work dir
#   tests/interop/mit-realm.sh env     print the exports of the running realm
#   tests/interop/mit-realm.sh status  exit 0 if the KDC is running
#
# Everything lives in $AUTHCORE_MIT_DIR (default tests/.work/mit, gitignored):
# krb5.conf (KRB5_CONFIG), kdc.conf (KRB5_KDC_PROFILE), the database, the keytabs
# and kdc.log. `start` rebuilds the realm from scratch whenever its KDC is not
# running, so the keys are always those of the passwords below.
#
# For each etype N of 17 18 19 20 23 there is also a service principal
# etypeN/localhost whose only key is of etype N and whose session_enctypes is N
# (so its tickets and their session keys are both etype N), its keytab
# etypeN.keytab, and a client config krb5-etypeN.conf that includes krb5.conf and
# restricts permitted/default_tkt/default_tgs_enctypes to N (so that the TGT, the
# service ticket's session key and the GSS subkeys are all etype N).
#
# The KDC listens on 127.0.0.1:$AUTHCORE_KDC_PORT (UDP and TCP; default 28880). When
# the default port is taken by something else, the next free one is used; an
# explicitly set port that is taken is an error.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR=${AUTHCORE_MIT_DIR:-$ROOT/tests/.work/mit}
REALM=AUTHCORE.TEST
MASTER_PASSWORD='authcore-master-Pw1'
USER_PRINCIPAL=alice
USER_PASSWORD='alice-Pw-1234'
SERVICE_PRINCIPAL=host/localhost
SERVICE_PASSWORD='host-localhost-Pw-5678'
ENCTYPES="aes256-cts-hmac-sha384-192 aes128-cts-hmac-sha256-128 aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 arcfour-hmac"
# RFC 3961 numbers of the names above, in the same order.
ETYPE_NUMBERS="20 19 18 17 23"
export PATH="$PATH:/usr/sbin:/sbin"

die() { echo "mit-realm: $*" >&2; exit 1; }

kdc_pid() {
    local pid
    [[ -s $DIR/krb5kdc.pid ]] || return 1
    pid=$(<"$DIR/krb5kdc.pid")
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    # Only a krb5kdc counts: a recycled pid must not be mistaken for ours.
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == krb5kdc ]] || return 1
    echo "$pid"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

cmd_env() {
    [[ -s $DIR/env ]] || die "no realm in $DIR (run: $0 start)"
    cat "$DIR/env"
}

cmd_stop() {
    local pid
    if pid=$(kdc_pid); then
        kill "$pid"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        echo "mit-realm: stopped KDC (pid $pid)" >&2
    fi
    rm -f "$DIR/krb5kdc.pid"
}

pick_port() {
    local port=${AUTHCORE_KDC_PORT:-28880}
    if [[ -n ${AUTHCORE_KDC_PORT:-} ]]; then
        port_busy "$port" && die "port $port (AUTHCORE_KDC_PORT) is in use"
        echo "$port"; return
    fi
    for _ in $(seq 20); do
        port_busy "$port" || { echo "$port"; return; }
        port=$((port + 1))
    done
    die "no free port in 28880..$((port - 1)); set AUTHCORE_KDC_PORT"
}

write_config() {
    local port=$1
    cat >"$DIR/krb5.conf" <<CONF
[libdefaults]
    default_realm = $REALM
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    ignore_acceptor_hostname = true
    udp_preference_limit = 1465
    allow_rc4 = true
    permitted_enctypes = $ENCTYPES
    default_tkt_enctypes = $ENCTYPES
    default_tgs_enctypes = $ENCTYPES
    default_keytab_name = FILE:$DIR/service.keytab
    default_ccache_name = FILE:$DIR/ccache

[realms]
    $REALM = {
        kdc = 127.0.0.1:$port
    }

[domain_realm]
    localhost = $REALM
    .localhost = $REALM
CONF
    cat >"$DIR/kdc.conf" <<CONF
[kdcdefaults]
    kdc_listen = 127.0.0.1:$port
    kdc_tcp_listen = 127.0.0.1:$port

[realms]
    $REALM = {
        database_name = $DIR/principal
        key_stash_file = $DIR/stash
        acl_file = $DIR/kadm5.acl
        kdc_listen = 127.0.0.1:$port
        kdc_tcp_listen = 127.0.0.1:$port
        master_key_type = aes256-cts-hmac-sha1-96
        supported_enctypes = ${ENCTYPES// /:normal }:normal
        max_life = 10h
        max_renewable_life = 7d
    }

[logging]
    kdc = FILE:$DIR/kdc.log
    default = FILE:$DIR/kdc.log
CONF
    : >"$DIR/kadm5.acl"
    local names n i=0
    read -ra names <<<"$ENCTYPES"
    for n in $ETYPE_NUMBERS; do
        cat >"$DIR/krb5-etype$n.conf" <<CONF
[libdefaults]
    permitted_enctypes = ${names[i]}
    default_tkt_enctypes = ${names[i]}
    default_tgs_enctypes = ${names[i]}

include $DIR/krb5.conf
CONF
        i=$((i + 1))
    done
}

# etypeN/localhost: one key of etype N, and session keys of etype N only.
add_etype_services() {
    local names n i=0
    read -ra names <<<"$ENCTYPES"
    for n in $ETYPE_NUMBERS; do
        kadmin.local -r "$REALM" -q "addprinc -randkey -e ${names[i]}:normal etype$n/localhost"
        kadmin.local -r "$REALM" -q "setstr etype$n/localhost session_enctypes ${names[i]}"
        kadmin.local -r "$REALM" -q "ktadd -norandkey -k $DIR/etype$n.keytab etype$n/localhost"
        i=$((i + 1))
    done
}

# A realm made by an older version of this script lacks the per-etype files.
realm_complete() {
    local n
    [[ -s $DIR/env && -s $DIR/service.keytab ]] || return 1
    for n in $ETYPE_NUMBERS; do
        [[ -s $DIR/etype$n.keytab && -s $DIR/krb5-etype$n.conf ]] || return 1
    done
    grep -q AUTHCORE_MIT_ETYPES "$DIR/env"
}

cmd_start() {
    command -v krb5kdc >/dev/null && command -v kdb5_util >/dev/null && command -v kadmin.local >/dev/null \
        || die "MIT krb5 not installed (apt-get install krb5-kdc krb5-admin-server krb5-user)"
    if kdc_pid >/dev/null && realm_complete; then
        echo "mit-realm: KDC already running (pid $(kdc_pid))" >&2
        cat "$DIR/env"
        return
    fi
    cmd_stop
    rm -rf "$DIR"
    mkdir -p "$DIR"
    chmod 700 "$DIR"
    local port
    port=$(pick_port)
    write_config "$port"
    export KRB5_CONFIG=$DIR/krb5.conf KRB5_KDC_PROFILE=$DIR/kdc.conf
    local log=$DIR/setup.log
    {
        kdb5_util -r "$REALM" create -s -P "$MASTER_PASSWORD"
        local e=${ENCTYPES// /:normal,}:normal
        kadmin.local -r "$REALM" -q "addprinc -pw $USER_PASSWORD -e $e $USER_PRINCIPAL"
        kadmin.local -r "$REALM" -q "addprinc -pw $SERVICE_PASSWORD -e $e $SERVICE_PRINCIPAL"
        kadmin.local -r "$REALM" -q "ktadd -norandkey -k $DIR/service.keytab $SERVICE_PRINCIPAL"
        kadmin.local -r "$REALM" -q "ktadd -norandkey -k $DIR/user.keytab $USER_PRINCIPAL"
        add_etype_services
    } >"$log" 2>&1 || { cat "$log" >&2; die "realm creation failed (log: $log)"; }
    local n
    for n in $ETYPE_NUMBERS; do
        [[ -s $DIR/etype$n.keytab ]] || { cat "$log" >&2; die "no keytab for etype$n/localhost (log: $log)"; }
    done
    krb5kdc -r "$REALM" -P "$DIR/krb5kdc.pid" </dev/null >>"$DIR/kdc.log" 2>&1 \
        || { cat "$DIR/kdc.log" >&2; die "krb5kdc failed to start"; }
    for _ in $(seq 100); do port_busy "$port" && break; sleep 0.1; done
    port_busy "$port" || { cat "$DIR/kdc.log" >&2; die "KDC not listening on 127.0.0.1:$port"; }
    # A real AS exchange proves the KDC serves the realm before any test relies on it.
    echo "$USER_PASSWORD" | KRB5CCNAME=FILE:$DIR/ccache.check kinit "$USER_PRINCIPAL@$REALM" >>"$log" 2>&1 \
        || { cat "$log" "$DIR/kdc.log" >&2; die "kinit against the new KDC failed"; }
    rm -f "$DIR/ccache.check"
    cat >"$DIR/env" <<ENV
export KRB5_CONFIG=$DIR/krb5.conf
export KRB5_KDC_PROFILE=$DIR/kdc.conf
export KRB5CCNAME=FILE:$DIR/ccache
export KRB5_KTNAME=FILE:$DIR/service.keytab
export AUTHCORE_MIT_DIR=$DIR
export AUTHCORE_MIT_REALM=$REALM
export AUTHCORE_MIT_KDC=127.0.0.1:$port
export AUTHCORE_MIT_USER=$USER_PRINCIPAL
export AUTHCORE_MIT_USER_PASSWORD=$USER_PASSWORD
export AUTHCORE_MIT_USER_KEYTAB=$DIR/user.keytab
export AUTHCORE_MIT_SERVICE=$SERVICE_PRINCIPAL
export AUTHCORE_MIT_SERVICE_PASSWORD=$SERVICE_PASSWORD
export AUTHCORE_MIT_SERVICE_KEYTAB=$DIR/service.keytab
export AUTHCORE_MIT_ETYPES="$ETYPE_NUMBERS"
ENV
    echo "mit-realm: $REALM KDC on 127.0.0.1:$port (pid $(kdc_pid)), files in $DIR" >&2
    cat "$DIR/env"
}

case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    env) cmd_env ;;
    status) kdc_pid >/dev/null ;;
    *) die "usage: $0 start|stop|env|status" ;;
esac
