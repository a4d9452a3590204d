#!/usr/bin/env bash
# The bare-metal boards' `cargo run` runner (their .cargo/config.toml):
#
#   boards/qemu-run.sh QEMU-COMMAND... ELF [ARGS...]
#
# runs `QEMU-COMMAND... ELF` and decodes the firmware's defmt frames (sent
# over semihosting to QEMU's standard output) with `defmt-print -e ELF`, one
# line per log call. Exits with QEMU's status, which is the firmware's
# semihosting exit code (0 only when every case passed); if QEMU succeeded
# but the decoder failed, with the decoder's.
#
# DEFMT_PRINT overrides the decoder binary (default: defmt-print on PATH,
# else ~/.cargo/bin/defmt-print; tests/run installs it).
set -uo pipefail

# Cargo appends the ELF (and any program arguments, which the firmware has no
# use for) to the runner's words: the ELF is the first argument that names an
# existing file after the QEMU words, i.e. the one following `-kernel`.
args=("$@")
elf=""
for ((i = 0; i < ${#args[@]}; i++)); do
    if [[ ${args[i]} == -kernel && $((i + 1)) -lt ${#args[@]} ]]; then
        elf=${args[i + 1]}
        break
    fi
done
if [[ -z $elf || ! -f $elf ]]; then
    echo "qemu-run.sh: no firmware after -kernel in: $*" >&2
    exit 2
fi

decoder=${DEFMT_PRINT:-}
if [[ -z $decoder ]]; then
    decoder=$(command -v defmt-print || true)
    [[ -z $decoder && -x $HOME/.cargo/bin/defmt-print ]] && decoder=$HOME/.cargo/bin/defmt-print
fi
if [[ -z $decoder ]]; then
    echo "qemu-run.sh: defmt-print not found (cargo install defmt-print --locked; tests/run installs it)" >&2
    exit 2
fi

# "{s}": the message alone, as the firmware wrote it (no level, no location),
# so each case stays one line and boards/footprint.py reads it as is.
"${args[@]}" | "$decoder" -e "$elf" --log-format '{s}'
status=("${PIPESTATUS[@]}")
if ((status[0] != 0)); then
    exit "${status[0]}"
fi
exit "${status[1]}"
