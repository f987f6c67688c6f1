#!/usr/bin/env bash
# Childless IKE_SA setups per second (RFC 6023), Styx (styxd) against strongSwan
# (charon) as responder, driven by the same load generator, in two network
# namespaces joined by a veth pair on the host (docs/lab.md "Notes": no kernel
# SA is needed, so the host's unslowed CPU is used). The host's own interfaces
# are never touched; the namespaces and every process started go on exit.
#
#   bash bench/handshake/run-host.sh [-- LOADGEN ARGUMENTS]
#   RESPONDERS="styx strongswan" ROUNDS=2 bash bench/handshake/run-host.sh -- --concurrency 64
#   MEMORY=1 CHECKPOINTS=1000,5000,10000 bash bench/handshake/run-host.sh
#
# MEMORY=1 adds, after the rates, the memory per established IKE_SA
# (responder-memory.ts): a Styx engine's heap with --expose-gc, then the RSS
# of styxd and of charon holding that many kept (not deleted) IKE_SAs.
#
# Prints one JSON line per measurement (also kept in $WORK/results.jsonl) and
# a summary with the ratio Styx / strongSwan.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
[[ $(id -u) == 0 ]] || {
  echo "bench: needs root (network namespaces)" >&2
  exit 2
}
[[ ${1:-} == -- ]] && shift
LOADGEN_ARGS=${*:---workers 2 --concurrency 64 --warmup 3 --duration 10}
RESPONDERS=${RESPONDERS:-styx strongswan}
ROUNDS=${ROUNDS:-1}
CHILD=0
CHILD_ARGS=

WORK=$(mktemp -d /var/tmp/styx-handshake-XXXXXX)
BUILD=$WORK/build
RESULTS=$WORK/results.jsonl
NS_R=styxb-r-$$
NS_G=styxb-g-$$
RESP_ADDR=198.18.0.1
GEN_ADDR=198.18.0.2
RESP_PID=
# shellcheck source=bench/handshake/common.sh
source "$ROOT/bench/handshake/common.sh"

cleanup() {
  stop_responder
  ip netns del "$NS_R" 2>/dev/null || true
  ip netns del "$NS_G" 2>/dev/null || true
  [[ -n ${KEEP:-} ]] || rm -rf "$BUILD"
}
trap cleanup EXIT

echo "bench: compiling into $BUILD" >&2
compile_bench

# Two namespaces and a veth pair created directly inside them (RFC 2544's
# benchmarking range, 198.18.0.0/15).
ip netns add "$NS_R"
ip netns add "$NS_G"
ip link add vr netns "$NS_R" type veth peer name vg netns "$NS_G"
ip -n "$NS_R" addr add "$RESP_ADDR/24" dev vr
ip -n "$NS_G" addr add "$GEN_ADDR/24" dev vg
for ns in "$NS_R" "$NS_G"; do
  ip -n "$ns" link set lo up
done
ip -n "$NS_R" link set vr up
ip -n "$NS_G" link set vg up
ip netns exec "$NS_G" ping -c 1 -W 2 "$RESP_ADDR" >/dev/null

machine="nproc=$(nproc) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\" node=$(node -v)"
machine+=" commit=$BENCH_COMMIT charon=\"$(/usr/lib/ipsec/charon --version 2>&1 | head -1)\" kernel=$(uname -r) nice=${NICE:-0} sessions=${SESSIONS:-separate}"
echo "bench: $machine" >&2
echo "bench: load generator: $LOADGEN_ARGS" >&2

for ((round = 1; round <= ROUNDS; round++)); do
  for which in $RESPONDERS; do
    measure "$which"
  done
done

cat "$RESULTS"
if [[ ${MEMORY:-0} == 1 ]]; then
  CHECKPOINTS=${CHECKPOINTS:-1000,5000,10000}
  MEM=$WORK/memory.jsonl
  ip netns exec "$NS_G" node "$BUILD/bench/handshake/responder-memory.js" --engine \
    --checkpoints "$CHECKPOINTS" >>"$MEM" 2>"$WORK/memory-engine.err" ||
    tail -5 "$WORK/memory-engine.err" >&2
  for which in $RESPONDERS; do
    start_responder "$which"
    ip netns exec "$NS_G" node "$BUILD/bench/handshake/responder-memory.js" \
      --responder-pid "$RESP_PID" --target "$RESP_ADDR" --local "$GEN_ADDR" --label "$which" \
      --psk "$PSK" --checkpoints "$CHECKPOINTS" >>"$MEM" 2>"$WORK/memory-$which.err" ||
      tail -5 "$WORK/memory-$which.err" >&2
    stop_responder
  done
  cat "$MEM"
fi
echo "machine after: $machine load_after=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
node "$BUILD/bench/handshake/summarize.js" "$RESULTS"
echo "bench: logs and results in $WORK" >&2
