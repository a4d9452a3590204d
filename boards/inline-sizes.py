#!/usr/bin/env python3
"""Where a firmware's code bytes come from once LTO has inlined everything:
attributes each instruction of an ELF's .text to a function through the line
tables (llvm-objdump for the instructions, llvm-symbolizer --inlines for the
inlining chain) and sums the bytes per function name. The symbol table alone
(footprint.py's breakdown) charges inlined code to the caller.

    boards/inline-sizes.py ELF [inner|topN] [SYMBOL-REGEX] [ROWS]

inner: by innermost function (e.g. how much `?` (`branch`) costs across the
image); top2: within the symbols matching SYMBOL-REGEX, by the function inlined
directly into them ("(own)" is the symbol's own code); top3 and deeper: by the
chain of inlined functions that many levels down. Build the firmware with
line tables first; they do not change the code:

    (cd boards/mps2-an386 && CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
        CARGO_TARGET_DIR=/tmp/tgt-dbg cargo build --release --bin fp-ntlm \
        --no-default-features --features ntlm)
    boards/inline-sizes.py /tmp/tgt-dbg/thumbv7em-none-eabihf/release/fp-ntlm top2 'acceptor::authenticate$'
"""
import subprocess, sys, re, collections
elf = sys.argv[1]
mode = sys.argv[2] if len(sys.argv) > 2 else "inner"   # inner | top2 (outermost inlined callee below the symbol)
filt = sys.argv[3] if len(sys.argv) > 3 else None       # restrict to containing symbols matching this regex
dis = subprocess.run(["llvm-objdump", "-d", "--no-show-raw-insn", "--demangle", "--section=.text", elf],
                     capture_output=True, text=True).stdout
insns = []  # (addr, size, symbol)
sym = None
prev = None
data = False
for line in dis.splitlines():
    m = re.match(r"^([0-9a-f]+) <(.+)>:$", line)
    if m:
        # ARM mapping symbols ($t code, $d literal pool) mark regions inside a
        # function, not functions: a literal pool belongs to no inlined callee.
        if m.group(2).startswith("$"):
            data = m.group(2).startswith("$d")
            if prev is not None: insns[-1] = (insns[-1][0], int(m.group(1), 16) - insns[-1][0], insns[-1][2])
            prev = None; continue
        sym = re.sub(r"::h[0-9a-f]{16}$", "", m.group(2)); prev = None; data = False; continue
    if data: continue
    m = re.match(r"^\s+([0-9a-f]+):\s", line)
    if m and sym:
        a = int(m.group(1), 16)
        if prev is not None: insns[-1] = (insns[-1][0], a - insns[-1][0], insns[-1][2])
        insns.append((a, 2, sym)); prev = a
if filt: insns = [i for i in insns if re.search(filt, i[2])]
inp = "\n".join(hex(a) for a, _, _ in insns) + "\n"
out = subprocess.run(["llvm-symbolizer", "--inlines", "--functions=linkage", "--demangle", "--obj=" + elf],
                     input=inp, capture_output=True, text=True).stdout
blocks = out.strip("\n").split("\n\n")
sizes = collections.Counter()
for (a, n, s), b in zip(insns, blocks):
    lines = b.split("\n")
    funcs = [re.sub(r"::h[0-9a-f]{16}$", "", lines[i]) for i in range(0, len(lines), 2)]
    if mode == "inner":
        k = funcs[0]
    else:
        # funcs[-1] is the symbol's own function; topN takes the chain N-1 deep
        depth = int(mode[3:]) if mode[3:].isdigit() else 2
        k = " > ".join(reversed(funcs[-depth:-1])) if len(funcs) >= 2 else funcs[-1] + " (own)"
    sizes[k] += n
for k, v in sizes.most_common(int(sys.argv[4]) if len(sys.argv) > 4 else 40):
    print(v, k[:150])
