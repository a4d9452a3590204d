#!/usr/bin/python3
"""An MIT krb5 GSS-API peer (python-gssapi) driven line by line over stdin/stdout,
for tests/tests/kerberos_mit_interop.rs.

  krb5_ap_peer.py accept                       keys from KRB5_KTNAME
  krb5_ap_peer.py initiate PRINCIPAL [nomutual]  ticket from KRB5CCNAME

With PEER_CHANNEL_BINDINGS set (hex), the context is bound to channel bindings
holding that application data (no addresses).

Commands, one per line, byte strings in hex ("-" for empty):
  step HEX          -> "token HEX done"   (done: 1 when the context is complete)
  name              -> "name TEXT"        (the initiator's name, acceptor side)
  flags             -> "flags N"
  wrap CONF HEX     -> "token HEX"
  unwrap HEX        -> "msg HEX ENCRYPTED"
  mic HEX           -> "token HEX"
  verify HEX HEX    -> "ok"
Any failure answers "err TEXT" and the peer keeps reading.
"""
import os
import sys

import gssapi
from gssapi.raw import ChannelBindings


def unhex(s):
    return b"" if s == "-" else bytes.fromhex(s)


def tohex(b):
    return b.hex() if b else "-"


def main():
    role = sys.argv[1]
    cb = os.environ.get("PEER_CHANNEL_BINDINGS")
    cb = ChannelBindings(application_data=bytes.fromhex(cb)) if cb else None
    if role == "accept":
        ctx = gssapi.SecurityContext(usage="accept", channel_bindings=cb)
    else:
        name = gssapi.Name(sys.argv[2], gssapi.NameType.kerberos_principal)
        flags = [
            gssapi.RequirementFlag.confidentiality,
            gssapi.RequirementFlag.integrity,
            gssapi.RequirementFlag.replay_detection,
            gssapi.RequirementFlag.out_of_sequence_detection,
        ]
        if len(sys.argv) < 4 or sys.argv[3] != "nomutual":
            flags.append(gssapi.RequirementFlag.mutual_authentication)
        ctx = gssapi.SecurityContext(
            name=name,
            usage="initiate",
            flags=flags,
            mech=gssapi.MechType.kerberos,
            channel_bindings=cb,
        )
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            cmd = words[0]
            if cmd == "step":
                out = ctx.step(unhex(words[1]) if role == "accept" or words[1] != "-" else None)
                reply = "token %s %d" % (tohex(out), 1 if ctx.complete else 0)
            elif cmd == "name":
                reply = "name %s" % ctx.initiator_name
            elif cmd == "flags":
                reply = "flags %d" % int(ctx.actual_flags)
            elif cmd == "wrap":
                res = ctx.wrap(unhex(words[2]), words[1] == "1")
                reply = "token %s" % tohex(res.message)
            elif cmd == "unwrap":
                res = ctx.unwrap(unhex(words[1]))
                reply = "msg %s %d" % (tohex(res.message), 1 if res.encrypted else 0)
            elif cmd == "mic":
                reply = "token %s" % tohex(ctx.get_signature(unhex(words[1])))
            elif cmd == "verify":
                ctx.verify_signature(unhex(words[1]), unhex(words[2]))
                reply = "ok"
            else:
                reply = "err unknown command %s" % cmd
        except Exception as e:  # noqa: BLE001 - every failure is reported to the test
            reply = "err %s" % " ".join(str(e).split())
        print(reply, flush=True)


if __name__ == "__main__":
    main()
