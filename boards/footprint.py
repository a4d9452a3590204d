#!/usr/bin/env python3
"""Builds the boards' footprint and conformance firmware, runs them under QEMU,
measures them, writes the numbers into boards/README.md and enforces the
budgets of DESIGN.md ("Budgets"). Exit status 0 only when every firmware ran
and passed and every budget holds, or, for the budgets listed in KNOWN_OVER
(not met yet), stays within its recorded ceiling.

    boards/footprint.py [--boards mps2-an386,microbit,...] [--no-readme]

Per board and firmware: flash (the loaded image: .vector_table/.text/.rodata/
.data...) and static RAM (.data/.bss/.uninit), and both as the increment over
the board's empty firmware (fp-empty: the board support alone). From the runs:
size_of each context, the peak stack of each handshake (stack painting inside
QEMU) and of each whole workload. On mps2-an386 (Cortex-M4): the instruction
count of one NTLM handshake and one Kerberos AP exchange, counted in QEMU's
execution trace (-d exec,nochain with one instruction per translation block:
one trace line per executed instruction, between the authcore_mark_begin and
authcore_mark_end symbols), cross-checked against QEMU's -icount shift=0
virtual clock (1 ns per instruction) read through SysTick. And on every
firmware's symbol table: no global allocator.

Every run goes through the board's `cargo run` runner, boards/qemu-run.sh
(QEMU, with the firmware's defmt frames decoded by defmt-print into the plain
lines parsed below), with any extra QEMU options inserted after the QEMU
program.
"""

import argparse
import os
import re
import shlex
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))

# Board folder -> target triple.
BOARDS = {
    "mps2-an386": "thumbv7em-none-eabihf",
    "lm3s6965evb": "thumbv7m-none-eabi",
    "microbit": "thumbv6m-none-eabi",
    "riscv-virt": "riscv32imac-unknown-none-elf",
}
# The board the budgets are defined on (thumbv7em, opt-level z, LTO).
BUDGET_BOARD = "mps2-an386"

# Firmware -> (cargo features, what it holds).
FIRMWARES = {
    "fp-empty": ("--no-default-features", "board support only (entropy, clock, logging, stack painting)"),
    "fp-ntlm": ("--no-default-features --features ntlm", "NTLM initiator + acceptor, one handshake, sealing"),
    "fp-ntlm-initiator": ("--no-default-features --features ntlm", "the NTLM initiator alone against MS-NLMP 4.2.4's CHALLENGE, sealing (a client device)"),
    "fp-ntlm-acceptor": ("--no-default-features --features ntlm", "the NTLM acceptor alone on MS-NLMP 4.2.4's AUTHENTICATE, unsealing and sealing (a server device)"),
    "fp-krb-acceptor": ("--no-default-features --features kerberos", "Kerberos acceptor on the recorded AP-REQ, sealing"),
    "fp-full": ("--no-default-features --features ntlm,kerberos", "NTLM both sides + Kerberos initiator and acceptor (AP exchange), sealing"),
    "conformance": ("", "every conformance case (vectors, handshakes, negatives, ticket minting)"),
}

# The footprint firmwares that carry protocol code (all but fp-empty and conformance).
PROTOCOL_FIRMWARES = [fw for fw in FIRMWARES if fw not in ("fp-empty", "conformance")]

KIB = 1024
BUDGETS = {
    "ntlm_flash": 16 * KIB,
    # The same 16 KiB held on each side of NTLM alone (a client or a server
    # device); the budget proper is `ntlm_flash`, on the firmware with both.
    "ntlm_side_flash": 16 * KIB,
    "full_flash": 64 * KIB,
    "ntlm_ctx": 768,
    "krb_ctx": 512,
    "stack": 8 * KIB,
}

# Budgets the code does not meet yet (issue 6 stays open until they hold). Each is
# held to a ceiling instead: the measured value when it was recorded. Going over
# the ceiling fails the run like any budget; meeting the real budget prints a
# reminder to drop the entry. The numbers are printed as EXCEEDED, never as ok.
KNOWN_OVER = {
    # Empty since 2026-12-06: NTLM both sides 16,248 B (18,188 B at the start of
    # that session, 29,164 B before the cuts of issue #6); everything 60.9 KB.
}

# Symbols a global allocator (or the alloc crate's allocation shims) brings.
ALLOC_SYMBOLS = re.compile(
    r"^(__rust_alloc|__rust_dealloc|__rust_realloc|__rust_alloc_zeroed|__rg_alloc|__rdl_alloc|"
    r"__rust_alloc_error_handler|__rust_no_alloc_shim_is_unstable|__rg_oom)|"
    r"_ZN5alloc5alloc|GlobalAlloc|__rust_alloc"
)


def log(msg):
    print(msg, flush=True)


# ---- ELF (32-bit little-endian) ------------------------------------------------

SHF_WRITE, SHF_ALLOC = 0x1, 0x2
SHT_NOBITS, SHT_SYMTAB = 8, 2


def read_elf(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 1 or data[5] != 1:
        raise SystemExit(f"{path}: not a 32-bit little-endian ELF")
    e_shoff, = struct.unpack_from("<I", data, 0x20)
    e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHH", data, 0x2E)
    sections = []
    for i in range(e_shnum):
        sections.append(struct.unpack_from("<IIIIIIIIII", data, e_shoff + i * e_shentsize))
    shstr = sections[e_shstrndx]

    def name_at(table, off):
        start = table[4] + off
        return data[start:data.index(b"\0", start)].decode()

    out = []
    symbols = {}
    for s in sections:
        name, typ, flags, addr, offset, size, link = s[0], s[1], s[2], s[3], s[4], s[5], s[6]
        out.append((name_at(shstr, name), typ, flags, size))
        if typ == SHT_SYMTAB:
            strtab = sections[link]
            for j in range(size // 16):
                st_name, st_value, st_size, st_info, st_other, st_shndx = struct.unpack_from(
                    "<IIIBBH", data, offset + j * 16)
                if st_name:
                    symbols[name_at(strtab, st_name)] = (st_value, st_size)
    return out, symbols


def crate_of(symbol):
    """The crate a Rust symbol belongs to (legacy or v0 mangling; for
    `<T as Trait>::f`, the crate of T), or the symbol itself."""
    if symbol.startswith("_R"):
        m = re.search(r"C(?:s[0-9a-zA-Z]*_)?(\d+)", symbol)
        if m:
            return symbol[m.end():m.end() + int(m.group(1))]
        return symbol
    m = re.match(r"_ZN(\d+)", symbol)
    if not m:
        return symbol
    name = symbol[m.end():m.end() + int(m.group(1))]
    if "$LT$" in name[:6]:
        inner = name.split("$LT$", 1)[1].replace("$RF$", "").replace("$u20$", " ")
        name = re.split(r"\.\.| |\$", inner)[0] or name
    return name.lstrip("_")


def breakdown(path, base):
    """Flash by crate of `path` over `base`: named symbols' sizes, plus the
    read-only data no symbol names (string and table literals)."""
    def by_crate(p):
        sections, symbols = read_elf(p)
        out = {}
        named = 0
        for sym, (value, size) in symbols.items():
            if size:
                c = crate_of(sym)
                out[c] = out.get(c, 0) + size
                named += size
        flash = footprint(p)[0]
        out["(unnamed read-only data, literals, tables)"] = flash - named
        return out
    a, b = by_crate(path), by_crate(base)
    diff = {k: a.get(k, 0) - b.get(k, 0) for k in set(a) | set(b)}
    return sorted(((v, k) for k, v in diff.items() if v), reverse=True)


def footprint(path):
    """(flash, static RAM, symbols) of a firmware ELF."""
    sections, symbols = read_elf(path)
    flash = ram = 0
    for name, typ, flags, size in sections:
        # The stack and heap "sections" of riscv-rt only reserve room.
        if not flags & SHF_ALLOC or name in (".stack", ".heap"):
            continue
        if typ != SHT_NOBITS:
            flash += size  # loaded from the image (.data too: its initial values)
        if flags & SHF_WRITE:
            ram += size
    return flash, ram, symbols


# ---- building and running --------------------------------------------------------


def cargo_build(board, firmware):
    features = FIRMWARES[firmware][0]
    cmd = ["cargo", "build", "--release", "--bin", firmware] + features.split()
    log(f"+ (cd boards/{board} && {' '.join(cmd)})")
    subprocess.run(cmd, cwd=os.path.join(HERE, board), check=True)
    return os.path.join(HERE, "target", BOARDS[board], "release", firmware)


def runner(board):
    """The board's `cargo run` runner: boards/qemu-run.sh (a path relative to
    the board folder, as cargo reads it) and the QEMU command it runs and
    decodes the defmt output of."""
    with open(os.path.join(HERE, board, ".cargo", "config.toml"), "rb") as f:
        config = tomllib.load(f)
    cmd = shlex.split(config["target"][BOARDS[board]]["runner"])
    if "/" in cmd[0]:
        cmd[0] = os.path.normpath(os.path.join(HERE, board, cmd[0]))
    return cmd


def run_qemu(board, elf, extra=(), timeout=600):
    cmd = runner(board)
    # QEMU options go right after the QEMU program, wherever the runner has it.
    at = next(i for i, word in enumerate(cmd) if os.path.basename(word).startswith("qemu-system-")) + 1
    cmd = cmd[:at] + list(extra) + cmd[at:] + [elf]
    t0 = time.monotonic()
    # Its own process group: on a timeout, QEMU and defmt-print (children of
    # the runner script) go too, instead of holding the output pipe open.
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        raw, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        raw, _ = p.communicate()
        raw += f"\nfootprint.py: killed after {timeout}s\n".encode()
    out = raw.decode(errors="replace")
    return p.returncode, out, time.monotonic() - t0


def count_exec_trace(board, elf, begin, end):
    """Instructions executed between each call of `begin` and the next call of
    `end` (trace lines strictly between the two), one trace line per
    instruction (one-insn-per-tb, nochain)."""
    with tempfile.TemporaryDirectory() as tmp:
        fifo = os.path.join(tmp, "exec.log")
        os.mkfifo(fifo)
        counts = []

        def reader():
            pc_re = re.compile(rb"\[[0-9a-f]+/([0-9a-f]+)/")
            inside, n = False, 0
            with open(fifo, "rb") as f:
                for line in f:
                    m = pc_re.search(line)
                    if not m:
                        continue
                    pc = int(m.group(1), 16)
                    if pc == begin and not inside:
                        inside, n = True, 0
                    elif pc == end and inside:
                        inside = False
                        counts.append(n)
                    elif inside:
                        n += 1

        t = threading.Thread(target=reader)
        t.start()
        rc, out, _ = run_qemu(board, elf, ["-accel", "tcg,one-insn-per-tb=on", "-d", "exec,nochain", "-D", fifo])
        t.join()
    return rc, counts


# ---- parsing run output -----------------------------------------------------------

WORKLOAD_RE = re.compile(
    r"^ok   (.+): handshake stack (\d+) bytes, workload stack (\d+) bytes, handshake ticks (\d+) at (\d+) Hz$")


def parse_run(out):
    r = {"sizes": {}, "workloads": [], "failed": [], "passed": None, "peak": None}
    for line in out.splitlines():
        if m := re.match(r"^size_of (\S+) = (\d+)$", line):
            r["sizes"][m.group(1)] = int(m.group(2))
        elif m := WORKLOAD_RE.match(line):
            r["workloads"].append({"label": m.group(1), "handshake": int(m.group(2)),
                                   "workload": int(m.group(3)), "ticks": int(m.group(4)), "hz": int(m.group(5))})
        elif line.startswith("FAIL "):
            r["failed"].append(line)
        elif m := re.match(r"^(\d+) passed, (\d+) failed$", line):
            r["passed"], r["failed_count"] = int(m.group(1)), int(m.group(2))
        elif m := re.match(r"^peak stack of all cases: (\d+) bytes$", line):
            r["peak"] = int(m.group(1))
    return r


# ---- main -----------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--boards", default=",".join(BOARDS), help="comma-separated board folders")
    ap.add_argument("--no-readme", action="store_true", help="do not rewrite boards/README.md")
    args = ap.parse_args()
    boards = [b for b in args.boards.split(",") if b]
    for b in boards:
        if b not in BOARDS:
            raise SystemExit(f"footprint.py: unknown board {b} (known: {', '.join(BOARDS)})")
    if BUDGET_BOARD not in boards:
        raise SystemExit(f"footprint.py: the budgets are measured on {BUDGET_BOARD}; include it")

    problems = []
    results = {}
    t_start = time.monotonic()
    for board in boards:
        results[board] = {}
        for fw in FIRMWARES:
            elf = cargo_build(board, fw)
            flash, ram, symbols = footprint(elf)
            allocs = sorted(s for s in symbols if ALLOC_SYMBOLS.search(s))
            if allocs:
                problems.append(f"{board}/{fw}: allocator symbols linked: {', '.join(allocs[:5])}")
            rc, out, secs = run_qemu(board, elf)
            run = parse_run(out)
            log(f"  {board}/{fw}: flash {flash} B, RAM {ram} B, QEMU exit {rc} in {secs:.1f}s")
            if rc != 0 or run["failed"]:
                problems.append(f"{board}/{fw}: exited {rc} under QEMU")
                sys.stdout.write(out)
                for line in run["failed"]:
                    problems.append(f"{board}/{fw}: {line}")
            results[board][fw] = {"flash": flash, "ram": ram, "run": run, "symbols": symbols, "elf": elf,
                                  "allocs": allocs}

    # Instruction counts on the Cortex-M4.
    full = results[BUDGET_BOARD]["fp-full"]
    sym = full["symbols"]
    begin, end = sym["authcore_mark_begin"][0] & ~1, sym["authcore_mark_end"][0] & ~1
    log(f"+ instruction count: {BUDGET_BOARD}/fp-full under QEMU -d exec,nochain, one instruction per TB")
    rc, counts = count_exec_trace(BUDGET_BOARD, full["elf"], begin, end)
    labels = [w["label"] for w in full["run"]["workloads"]]
    if rc != 0 or len(counts) != len(labels):
        problems.append(f"instruction count: trace run exited {rc} with {len(counts)} marked windows")
    rc, out, _ = run_qemu(BUDGET_BOARD, full["elf"], ["-icount", "shift=0"])
    icount = [w["ticks"] * 10**9 // w["hz"] for w in parse_run(out)["workloads"]]
    resolution = 10**9 // full["run"]["workloads"][0]["hz"] if full["run"]["workloads"] else 0
    insns = list(zip(labels, counts, icount))
    for label, n, ic in insns:
        log(f"  {label}: {n} instructions (icount cross-check: {ic} +- {resolution})")
        if abs(n - ic) > max(2 * resolution, n // 100):
            problems.append(f"instruction count of {label}: trace {n} and icount {ic} disagree")

    # Budgets (thumbv7em).
    r = results[BUDGET_BOARD]
    empty = r["fp-empty"]["flash"]
    sizes = r["conformance"]["run"]["sizes"]
    checks = [
        ("NTLM-only firmware, flash over empty", r["fp-ntlm"]["flash"] - empty, "ntlm_flash"),
        ("(one side) NTLM initiator alone, flash over empty", r["fp-ntlm-initiator"]["flash"] - empty, "ntlm_side_flash"),
        ("(one side) NTLM acceptor alone, flash over empty", r["fp-ntlm-acceptor"]["flash"] - empty, "ntlm_side_flash"),
        ("everything firmware, flash over empty", r["fp-full"]["flash"] - empty, "full_flash"),
        ("size_of ntlm::Initiator", sizes.get("ntlm::Initiator"), "ntlm_ctx"),
        ("size_of ntlm::Acceptor", sizes.get("ntlm::Acceptor"), "ntlm_ctx"),
        ("size_of kerberos::Initiator", sizes.get("kerberos::Initiator"), "krb_ctx"),
        ("size_of kerberos::Acceptor", sizes.get("kerberos::Acceptor"), "krb_ctx"),
    ]
    for fw in PROTOCOL_FIRMWARES:
        for w in r[fw]["run"]["workloads"]:
            checks.append((f"peak stack, {w['label']} ({fw})", w["handshake"], "stack"))
    n_fw = sum(len(v) for v in results.values())
    n_alloc = sum(1 for v in results.values() for f in v.values() if f["allocs"])
    budget_rows = []
    notices = []
    for what, value, key in checks:
        limit = BUDGETS[key]
        if value is None:
            problems.append(f"budget: {what} was not measured")
            budget_rows.append((what, "not measured", limit, "FAILED"))
            continue
        ok = value <= limit
        ceiling = KNOWN_OVER.get(key)
        if ok:
            status = "ok"
        elif ceiling is not None and value <= ceiling:
            status = f"EXCEEDED (known; ceiling {ceiling} B)"
            notices.append(f"over budget (known, issue open): {what} = {value} B > {limit} B, ceiling {ceiling} B")
        else:
            status = "EXCEEDED"
            problems.append(f"budget exceeded: {what} = {value} B > {limit} B"
                            + (f" and over its ceiling {ceiling} B" if ceiling is not None else ""))
        budget_rows.append((what, f"{value} B", limit, status))
    for key in KNOWN_OVER:
        values = [v for _, v, k in checks if k == key and v is not None]
        if values and max(values) <= BUDGETS[key]:
            notices.append(f"{key} now holds its budget: remove it from KNOWN_OVER")
    budget_rows.append(("global allocator linked (symbol table)",
                        f"{n_alloc} of {n_fw} firmwares", "none", "ok" if n_alloc == 0 else "EXCEEDED"))

    took = time.monotonic() - t_start
    contributors = {fw: breakdown(r[fw]["elf"], r["fp-empty"]["elf"]) for fw in PROTOCOL_FIRMWARES}
    md = render(boards, results, insns, resolution, budget_rows, contributors)
    if not args.no_readme:
        write_readme(md)
        log("boards/README.md: footprint section rewritten")
    log(md)
    log(f"footprint.py: {n_fw} firmwares built, run and measured in {took:.0f}s")
    for n in notices:
        log(f"footprint.py: {n}")
    if problems:
        for p in problems:
            log(f"footprint.py: {p}")
        log("footprint.py: FAILED")
        return 1
    if notices:
        log("footprint.py: every firmware passed; budgets hold or stay within their recorded ceilings (see above)")
    else:
        log("footprint.py: every firmware passed, every budget holds")
    return 0


def render(boards, results, insns, resolution, budget_rows, contributors):
    L = []
    L.append("Written by `boards/footprint.py` (run by `tests/run`); do not edit by hand.")
    L.append("")
    L.append("### Budgets (mps2-an386, thumbv7em-none-eabihf, opt-level z, LTO, codegen-units 1, panic abort)")
    L.append("")
    L.append("| budget | measured | limit | |")
    L.append("| --- | ---: | ---: | --- |")
    for what, value, limit, status in budget_rows:
        lim = f"{limit} B" if isinstance(limit, int) else limit
        L.append(f"| {what} | {value} | {lim} | {status} |")
    L.append("")
    L.append("The NTLM budget is held on `fp-ntlm`, both sides in one firmware. The \"(one side)\" rows are")
    L.append("the initiator alone (a client device) and the acceptor alone (a server device), each")
    L.append("against MS-NLMP 4.2.4's messages: they are held to the same 16 KiB so that they stay")
    L.append("within it, but they do not stand in for the budget.")
    L.append("")
    L.append(f"### Where the flash goes ({BUDGET_BOARD}, increment over `fp-empty`, by crate)")
    L.append("")
    L.append("Named symbols by the crate whose path they carry (a generic function instantiated for")
    L.append("authcore counts under the crate that defines it; `T` is a blanket impl), and the read-only data")
    L.append("no symbol names (string literals, panic locations, the firmware's recorded tokens).")
    L.append("")
    L.append("| crate | " + " | ".join(f"`{fw}`" for fw in contributors) + " |")
    L.append("| --- |" + " ---: |" * len(contributors))
    crates = {}
    for fw, rows in contributors.items():
        for v, k in rows:
            crates.setdefault(k, {})[fw] = v
    order = sorted(crates, key=lambda k: -max(abs(x) for x in crates[k].values()))
    for k in order[:14]:
        L.append(f"| {k} | " + " | ".join(str(crates[k].get(fw, 0)) for fw in contributors) + " |")
    rest = {fw: sum(crates[k].get(fw, 0) for k in order[14:]) for fw in contributors}
    L.append("| (others) | " + " | ".join(str(rest[fw]) for fw in contributors) + " |")
    L.append("")
    L.append("### Flash and static RAM")
    L.append("")
    L.append("Flash: the loaded image (vector table, code, read-only data, initial values of .data).")
    L.append("RAM: static data only (.data, .bss); the stack comes on top (see below).")
    L.append("The increment over `fp-empty` (the board support alone) is what the protocol code costs.")
    L.append("")
    L.append("| board | firmware | flash | RAM | flash over empty | RAM over empty |")
    L.append("| --- | --- | ---: | ---: | ---: | ---: |")
    for b in boards:
        e = results[b]["fp-empty"]
        for fw, r in results[b].items():
            L.append(f"| {b} | `{fw}` | {r['flash']} | {r['ram']} | {r['flash'] - e['flash']:+d} | {r['ram'] - e['ram']:+d} |")
    L.append("")
    L.append("Firmwares: " + "; ".join(f"`{k}`: {v[1]}" for k, v in FIRMWARES.items()) + ".")
    L.append("")
    L.append("### size_of the contexts")
    L.append("")
    names = sorted({n for b in boards for n in results[b]["conformance"]["run"]["sizes"]})
    L.append("| context | " + " | ".join(boards) + " |")
    L.append("| --- |" + " ---: |" * len(boards))
    for n in names:
        L.append(f"| `{n}` | " + " | ".join(str(results[b]["conformance"]["run"]["sizes"].get(n, "")) for b in boards) + " |")
    L.append("")
    L.append("`kerberos::Acceptor` is `Acceptor<'_, [KeyEntry], &mut ReplayCache<N>>` (key table and replay cache borrowed).")
    L.append("")
    L.append("### Peak stack (stack painting inside QEMU)")
    L.append("")
    L.append("*Handshake*: painted right before the handshake starts, read when it completes, so it counts the")
    L.append("library's own call depth (context construction and every `step`), not the caller's token buffers")
    L.append("and contexts. *Workload*: painted before the workload function, so it also counts its two token")
    L.append("buffers, the contexts and the sealed messages after the handshake. *All cases*: the conformance")
    L.append("firmware's deepest case, counted from the top of the stack.")
    L.append("")
    L.append("| board | firmware | workload | handshake | workload |")
    L.append("| --- | --- | --- | ---: | ---: |")
    for b in boards:
        for fw, r in results[b].items():
            for w in r["run"]["workloads"]:
                L.append(f"| {b} | `{fw}` | {w['label']} | {w['handshake']} | {w['workload']} |")
            if r["run"]["peak"] is not None:
                L.append(f"| {b} | `{fw}` | all cases | | {r['run']['peak']} |")
    L.append("")
    L.append("### Instructions (Cortex-M4, mps2-an386, `fp-full`)")
    L.append("")
    L.append("Counted in QEMU's execution trace (`-accel tcg,one-insn-per-tb=on -d exec,nochain`: one trace")
    L.append("line per executed instruction) between the calls of `authcore_mark_begin` and")
    L.append("`authcore_mark_end` around the handshake (context construction included, sealing not),")
    L.append(f"cross-checked with `-icount shift=0` (1 ns per instruction) read through SysTick (+-{resolution}).")
    L.append("")
    L.append("| handshake | instructions | icount cross-check |")
    L.append("| --- | ---: | ---: |")
    for label, n, ic in insns:
        L.append(f"| {label} | {n} | {ic} |")
    return "\n".join(L)


BEGIN, END = "<!-- footprint:begin -->", "<!-- footprint:end -->"


def write_readme(md):
    path = os.path.join(HERE, "README.md")
    text = open(path).read() if os.path.exists(path) else f"# boards\n\n## Footprint\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text += f"\n## Footprint\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{BEGIN}\n{md}\n{END}{tail}"
    if new != text:
        with open(path, "w") as f:
            f.write(new)


if __name__ == "__main__":
    sys.exit(main())
