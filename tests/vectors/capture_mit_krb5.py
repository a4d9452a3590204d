#!/usr/bin/python3
"""Records real Kerberos messages from a throwaway MIT krb5 realm.

Run with Debian's /usr/bin/python3 (needs python3-gssapi, python3-cryptography,
and krb5-kdc krb5-admin-server krb5-user installed):

    /usr/bin/python3 tests/vectors/capture_mit_krb5.py > tests/vectors/mit-krb5-captures.txt

What it does: creates realm AUTHCORE.TEST in a temp dir (own KRB5_CONFIG and
KRB5_KDC_PROFILE), starts krb5kdc on 127.0.0.1:60188, and puts a UDP relay on
127.0.0.1:60189 (the only KDC the clients know) that records every datagram.
Then: kinit for an unknown principal (KRB-ERROR), kinit alice (AS-REQ,
PREAUTH_REQUIRED KRB-ERROR, AS-REQ with PA-ENC-TIMESTAMP, AS-REP), and a GSS
krb5 exchange with mutual authentication between python-gssapi initiator and
acceptor (TGS-REQ/TGS-REP through the relay, AP-REQ and AP-REP tokens).

The realm is thrown away, so its keys are printed too: with them the encrypted
parts are decrypted here (aes256-cts-hmac-sha1-96, RFC 3962; the HMAC is
checked, so a wrong decryption cannot go unnoticed) and their plaintexts are
recorded as well.

Output: "name: hex" lines; "#" lines are comments.
"""

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

REALM = "AUTHCORE.TEST"
KDC_PORT = 60188
RELAY_PORT = 60189
SERVICE = "host/service.authcore.test"


# --- RFC 3961 / RFC 3962 decryption (aes256-cts-hmac-sha1-96) -------------

def nfold(data, nbytes):
    """RFC 3961 section 5.1 n-fold."""
    def rotate_right(buf, nbits):
        nbits %= len(buf) * 8
        bits = int.from_bytes(buf, "big")
        total = len(buf) * 8
        bits = ((bits >> nbits) | (bits << (total - nbits))) & ((1 << total) - 1)
        return bits.to_bytes(len(buf), "big")

    from math import gcd
    lcm = nbytes * len(data) // gcd(nbytes, len(data))
    big = b"".join(rotate_right(data, 13 * i) for i in range(lcm // len(data)))
    out = [0] * nbytes
    for i in range(0, lcm, nbytes):
        chunk = big[i:i + nbytes]
        carry = 0
        for j in range(nbytes - 1, -1, -1):
            s = out[j] + chunk[j] + carry
            out[j] = s & 0xff
            carry = s >> 8
        k = nbytes - 1
        while carry:
            s = out[k] + carry
            out[k] = s & 0xff
            carry = s >> 8
            k = (k - 1) % nbytes
    return bytes(out)


def aes_ecb(key, block, decrypt=False):
    c = Cipher(algorithms.AES(key), modes.ECB())
    op = c.decryptor() if decrypt else c.encryptor()
    return op.update(block) + op.finalize()


def derive(key, constant):
    """RFC 3961 DK for AES: DR then identity random-to-key."""
    block = nfold(constant, 16)
    out = b""
    while len(out) < len(key):
        block = aes_ecb(key, block)
        out += block
    return out[:len(key)]


def cts_decrypt(key, data):
    """CBC with ciphertext stealing, last two blocks swapped, zero IV."""
    if len(data) == 16:
        return aes_ecb(key, data, decrypt=True)
    n = (len(data) + 15) // 16
    m = len(data) - 16 * (n - 1)
    blocks = [data[16 * i:16 * i + 16] for i in range(n - 2)]
    prev = b"\0" * 16
    out = b""
    for b in blocks:
        out += bytes(x ^ y for x, y in zip(aes_ecb(key, b, True), prev))
        prev = b
    c_penult = data[16 * (n - 2):16 * (n - 1)]
    c_last = data[16 * (n - 1):]
    d = aes_ecb(key, c_penult, True)
    p_last = bytes(x ^ y for x, y in zip(d[:m], c_last))
    c_fixed = c_last + d[m:]
    p_penult = bytes(x ^ y for x, y in zip(aes_ecb(key, c_fixed, True), prev))
    return out + p_penult + p_last


def decrypt(key, usage, cipher):
    ke = derive(key, usage.to_bytes(4, "big") + b"\xaa")
    ki = derive(key, usage.to_bytes(4, "big") + b"\x55")
    body, mac = cipher[:-12], cipher[-12:]
    plain = cts_decrypt(ke, body)
    h = hmac.HMAC(ki, hashes.SHA1())
    h.update(plain)
    if h.finalize()[:12] != mac:
        raise ValueError(f"integrity check failed (usage {usage})")
    return plain[16:]


# --- Just enough DER to walk to the fields we decrypt -----------------------

def tlv(buf, i=0):
    t = buf[i]
    length = buf[i + 1]
    j = i + 2
    if length & 0x80:
        n = length & 0x7f
        length = int.from_bytes(buf[j:j + n], "big")
        j += n
    return t, buf[j:j + length], j + length


def children(content):
    out = {}
    i = 0
    while i < len(content):
        t, c, i = tlv(content, i)
        out[t] = c
    return out


def seq_items(content):
    items, i = [], 0
    while i < len(content):
        t, c, i = tlv(content, i)
        items.append(c)
    return items


def fields(app_bytes):
    """Fields of an [APPLICATION n] SEQUENCE, keyed by context number."""
    _, seq, _ = tlv(app_bytes)
    _, inner, _ = tlv(seq)
    return {t & 0x1f: c for t, c in children(inner).items()}


def unwrap(ctx):
    """Content of the single element inside an explicit tag."""
    return tlv(ctx)[1]


def whole(ctx):
    """The single element inside an explicit tag, with its header."""
    _, _, end = tlv(ctx)
    return ctx[:end]


def enc_data(ctx):
    f = {t & 0x1f: c for t, c in children(unwrap(ctx)).items()}
    return int.from_bytes(unwrap(f[0]), "big", signed=True), unwrap(f[2])


def key_of(enc_key_ctx):
    f = {t & 0x1f: c for t, c in children(unwrap(enc_key_ctx)).items()}
    return unwrap(f[1])


# --- The realm ----------------------------------------------------------------

def run(cmd, env, stdin=None, check=True):
    p = subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError(f"{cmd}: {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def keytab_key(env, keytab, principal):
    out = run(["klist", "-k", "-K", "-e", keytab], env).stdout
    for line in out.splitlines():
        if principal in line and "aes256-cts-hmac-sha1-96" in line:
            return bytes.fromhex(line.rsplit("0x", 1)[1].strip(" )"))
    raise RuntimeError(f"no key for {principal}")


class Relay(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.log = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", RELAY_PORT))
        self.sock.settimeout(0.2)
        self.stop = False

    def run(self):
        while not self.stop:
            try:
                data, client = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            up.settimeout(5)
            up.sendto(data, ("127.0.0.1", KDC_PORT))
            reply, _ = up.recvfrom(65535)
            up.close()
            self.log.append((data, reply))
            self.sock.sendto(reply, client)


def main():
    tmp = tempfile.mkdtemp(prefix="authcore-mit-")
    atexit.register(shutil.rmtree, tmp, True)
    env = dict(os.environ)
    env.update(
        KRB5_CONFIG=f"{tmp}/krb5.conf",
        KRB5_KDC_PROFILE=f"{tmp}/kdc.conf",
        KRB5CCNAME=f"FILE:{tmp}/ccache",
        KRB5_KTNAME=f"FILE:{tmp}/service.keytab",
        KRB5RCACHETYPE="none",
    )
    with open(f"{tmp}/krb5.conf", "w") as f:
        f.write(f"""[libdefaults]
 default_realm = {REALM}
 dns_lookup_kdc = false
 dns_lookup_realm = false
 dns_canonicalize_hostname = false
 rdns = false
 udp_preference_limit = 4000
 default_tkt_enctypes = aes256-cts-hmac-sha1-96
 default_tgs_enctypes = aes256-cts-hmac-sha1-96
 permitted_enctypes = aes256-cts-hmac-sha1-96
 forwardable = true
[realms]
 {REALM} = {{
  kdc = 127.0.0.1:{RELAY_PORT}
 }}
[domain_realm]
 .authcore.test = {REALM}
""")
    with open(f"{tmp}/kdc.conf", "w") as f:
        f.write(f"""[kdcdefaults]
 kdc_listen = 127.0.0.1:{KDC_PORT}
 kdc_tcp_listen = 127.0.0.1:{KDC_PORT}
[realms]
 {REALM} = {{
  database_name = {tmp}/principal
  key_stash_file = {tmp}/stash
  acl_file = {tmp}/kadm5.acl
  master_key_type = aes256-cts-hmac-sha1-96
  supported_enctypes = aes256-cts-hmac-sha1-96:normal
  max_life = 10h
  max_renewable_life = 7d
 }}
[logging]
 kdc = FILE:{tmp}/kdc.log
""")
    open(f"{tmp}/kadm5.acl", "w").close()
    run(["kdb5_util", "create", "-s", "-r", REALM, "-P", "masterpw"], env)
    for q in [
        "addprinc +requires_preauth -pw alicepw alice",
        f"addprinc -randkey {SERVICE}",
        f"ktadd -k {tmp}/service.keytab {SERVICE}",
        f"ktadd -k {tmp}/alice.keytab -norandkey alice",
        f"ktadd -k {tmp}/krbtgt.keytab -norandkey krbtgt/{REALM}",
    ]:
        run(["kadmin.local", "-r", REALM, "-q", q], env)

    relay = Relay()
    relay.start()
    kdc = subprocess.Popen(["krb5kdc", "-n", "-r", REALM], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        out = {}
        run(["kinit", "nobody"], env, stdin="x\n", check=False)
        unknown = relay.log[:]
        relay.log.clear()
        run(["kinit", "alice"], env, stdin="alicepw\n")
        as_log = relay.log[:]
        relay.log.clear()

        os.environ.update(env)
        import gssapi  # after the environment points at the realm
        target = gssapi.Name(f"host@service.authcore.test",
                             gssapi.NameType.hostbased_service)
        init = gssapi.SecurityContext(
            name=target, usage="initiate",
            flags=[gssapi.RequirementFlag.mutual_authentication,
                   gssapi.RequirementFlag.integrity,
                   gssapi.RequirementFlag.confidentiality])
        ap_req_token = init.step()
        acc_creds = gssapi.Credentials(usage="accept")
        acc = gssapi.SecurityContext(creds=acc_creds, usage="accept")
        ap_rep_token = acc.step(ap_req_token)
        init.step(ap_rep_token)
        assert init.complete and acc.complete
        tgs_log = relay.log[:]
    finally:
        relay.stop = True
        kdc.terminate()
        kdc.wait()

    service_key = keytab_key(env, f"{tmp}/service.keytab", SERVICE)
    alice_key = keytab_key(env, f"{tmp}/alice.keytab", "alice@")
    krbtgt_key = keytab_key(env, f"{tmp}/krbtgt.keytab", f"krbtgt/{REALM}")

    records = []

    def put(name, data, comment=None):
        if comment:
            records.append(f"# {comment}")
        records.append(f"{name}: {bytes(data).hex()}")

    put("key-service", service_key, f"aes256-cts-hmac-sha1-96 key of {SERVICE}@{REALM} (kvno in the AP-REQ ticket)")
    put("key-alice", alice_key, f"aes256-cts-hmac-sha1-96 key of alice@{REALM} (password alicepw, salt AUTHCORE.TESTalice)")
    put("key-krbtgt", krbtgt_key, f"aes256-cts-hmac-sha1-96 key of krbtgt/{REALM}@{REALM}")

    assert len(unknown) == 1
    put("as-req-unknown", unknown[0][0], "kinit nobody: AS-REQ")
    put("krb-error-unknown", unknown[0][1], "KDC answer: KRB-ERROR KDC_ERR_C_PRINCIPAL_UNKNOWN (6)")

    assert len(as_log) == 2, len(as_log)
    put("as-req-1", as_log[0][0], "kinit alice: AS-REQ without pre-authentication")
    put("krb-error-preauth", as_log[0][1], "KDC answer: KRB-ERROR KDC_ERR_PREAUTH_REQUIRED (25) with METHOD-DATA e-data")
    put("as-req-2", as_log[1][0], "AS-REQ with PA-ENC-TIMESTAMP")
    as_rep = as_log[1][1]
    put("as-rep", as_rep, "AS-REP")
    f = fields(as_rep)
    etype, cipher = enc_data(f[6])
    enc_as = decrypt(alice_key, 3, cipher)
    put("enc-as-rep-part", enc_as, "AS-REP enc-part decrypted with key-alice, key usage 3")
    tgt_session = key_of(fields(enc_as)[0])
    tgt = whole(f[5])
    put("tgt", tgt, "the TGT from the AS-REP")
    _, tgt_cipher = enc_data(fields(tgt)[3])
    put("tgt-enc-ticket-part", decrypt(krbtgt_key, 2, tgt_cipher),
        "TGT enc-part decrypted with key-krbtgt, key usage 2")

    assert len(tgs_log) == 1, len(tgs_log)
    tgs_req, tgs_rep = tgs_log[0]
    put("tgs-req", tgs_req, "python-gssapi init_sec_context: TGS-REQ for " + SERVICE)
    padata = seq_items(unwrap(fields(tgs_req)[3]))
    pa = {t & 0x1f: c for t, c in children(padata[0]).items()}
    pa_ap_req = unwrap(pa[2])
    put("tgs-req-ap-req", pa_ap_req, "its PA-TGS-REQ padata-value: AP-REQ with the TGT")
    _, auth_cipher = enc_data(fields(pa_ap_req)[4])
    tgs_auth = decrypt(tgt_session, 7, auth_cipher)
    put("tgs-req-authenticator", tgs_auth, "that AP-REQ's authenticator decrypted with the TGT session key, key usage 7")
    tgs_subkey = key_of(fields(tgs_auth)[6])
    put("tgs-rep", tgs_rep,
        "TGS-REP. The MIT client armors TGS-REQs with FAST (RFC 6113 section 5.4.1.1, PA-FX-FAST "
        "in both messages), so the reply key is strengthened and its enc-part is not decrypted here")
    _, rep_cipher = enc_data(fields(tgs_rep)[6])
    for key, usage in ((tgs_subkey, 9), (tgt_session, 8)):
        try:
            put("enc-tgs-rep-part", decrypt(key, usage, rep_cipher),
                f"TGS-REP enc-part decrypted, key usage {usage}")
            break
        except ValueError:
            pass

    put("gss-ap-req-token", ap_req_token,
        "gss_init_sec_context output (mutual, integ, conf): RFC 2743 framing, krb5 OID, 01 00, AP-REQ")
    _, body, _ = tlv(ap_req_token)
    _, _, oid_end = tlv(body)
    ap_req = body[oid_end + 2:]
    put("ap-req", ap_req, "the AP-REQ inside it")
    f = fields(ap_req)
    ticket = whole(f[3])
    put("service-ticket", ticket, "its Ticket")
    _, t_cipher = enc_data(fields(ticket)[3])
    enc_ticket = decrypt(service_key, 2, t_cipher)
    put("service-enc-ticket-part", enc_ticket, "Ticket enc-part decrypted with key-service, key usage 2")
    session = key_of(fields(enc_ticket)[1])
    _, a_cipher = enc_data(f[4])
    put("ap-req-authenticator", decrypt(session, 11, a_cipher),
        "AP-REQ authenticator decrypted with the ticket session key, key usage 11")
    put("gss-ap-rep-token", ap_rep_token, "gss_accept_sec_context output: framing, krb5 OID, 02 00, AP-REP")
    _, body, _ = tlv(ap_rep_token)
    _, _, oid_end = tlv(body)
    ap_rep = body[oid_end + 2:]
    put("ap-rep", ap_rep, "the AP-REP inside it")
    _, r_cipher = enc_data(fields(ap_rep)[2])
    put("enc-ap-rep-part", decrypt(session, 12, r_cipher),
        "AP-REP enc-part decrypted with the ticket session key, key usage 12")

    kdc_version = run(["dpkg-query", "-W", "-f", "${Version}", "krb5-kdc"], env).stdout
    print("# Real Kerberos messages captured from MIT krb5", kdc_version,
          "(Debian 12) on loopback,")
    print("# made by tests/vectors/capture_mit_krb5.py (see its docstring for how).")
    print("# Throwaway realm", REALM, "- all keys below are test keys.")
    print("# Format: 'name: hex'; '#' lines are comments.")
    print("\n".join(records))


if __name__ == "__main__":
    sys.exit(main())
