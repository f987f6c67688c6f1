#!/usr/bin/env bash
# IKE_SA + CHILD_SA setups per second with kernel SAs: Styx (styxd) against
# strongSwan (charon) as responder in one User-Mode Linux boot (docs/lab.md),
# where ESP exists; the responder installs each CHILD_SA's SAs and policies in
# the UML kernel, the load generator installs nothing (MemoryKernel). The same
# boot also measures childless setups, so the kernel's share can be seen. UML
# is slower than the host: only the ratio Styx / strongSwan means anything.
#
#   bash bench/handshake/run-uml.sh [-- LOADGEN ARGUMENTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
# The lab's kernel (interop/kernel/uml.config), built once and cached.
KERNEL=$(bash interop/kernel/build.sh --path) || exit 2
[[ ${1:-} == -- ]] && shift
LOADGEN_ARGS=${*:---workers 2 --concurrency 32 --warmup 5 --duration 15}
UML_TIMEOUT=${UML_TIMEOUT:-900}

# On hostfs, outside the UML's private /tmp, so that both sides see it.
WORK=$(mktemp -d /var/tmp/styx-handshake-uml-XXXXXX)
BUILD=$WORK/build
# shellcheck source=bench/handshake/common.sh
source "$ROOT/bench/handshake/common.sh"
echo "bench: compiling into $BUILD" >&2
compile_bench
{
  printf 'ROOT=%q\nWORK=%q\nBUILD=%q\n' "$ROOT" "$WORK" "$BUILD"
  printf 'LOADGEN_ARGS=%q\nRESPONDERS=%q\nROUNDS=%q\nMODES=%q\n' "$LOADGEN_ARGS" \
    "${RESPONDERS:-styx strongswan}" "${ROUNDS:-1}" "${MODES:-child childless}"
  printf 'STYXD_NODE_ARGS=%q\n' "${STYXD_NODE_ARGS:-}"
} >"$WORK/settings.sh"

host="commit=$BENCH_COMMIT nproc=$(nproc) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\" node=$(node -v)"
echo "bench: host $host; booting User-Mode Linux, logs in $WORK" >&2
# setsid: UML is a group of host processes; on a timeout the whole group goes.
setsid "$KERNEL" mem=1G root=/dev/root rootfstype=hostfs rootflags=/ rw quiet \
  init="$ROOT/bench/handshake/uml-init.sh" con=null con0=fd:0,fd:1 \
  STYX_BENCH_WORK="$WORK" </dev/null >"$WORK/console.log" 2>&1 &
uml=$!
deadline=$((SECONDS + UML_TIMEOUT))
while kill -0 "$uml" 2>/dev/null; do
  if ((SECONDS > deadline)); then
    echo "bench: UML timed out after ${UML_TIMEOUT}s, stopping it" >&2
    kill -TERM -- "-$uml" 2>/dev/null || true
    sleep 2
    kill -KILL -- "-$uml" 2>/dev/null || true
    break
  fi
  sleep 1
done
wait "$uml" 2>/dev/null || true
rm -rf "$BUILD"
cat "$WORK/status" 2>/dev/null || true
for mode in child childless; do
  [[ -s $WORK/results-$mode.jsonl ]] || continue
  echo "== $mode (inside UML) =="
  cat "$WORK/results-$mode.jsonl"
  cat "$WORK/summary-$mode.txt" 2>/dev/null || true
done
echo "bench: logs and results in $WORK" >&2
