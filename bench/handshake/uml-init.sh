#!/bin/bash
# PID 1 inside User-Mode Linux for run-uml.sh (the approach of interop/uml-init.sh
# and docs/lab.md): a minimal userland, then the handshake
# benchmark in two namespaces, and power off whatever happens.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
WORK=$STYX_BENCH_WORK
status=$WORK/status
echo "uml: kernel $(uname -r) nproc=$(nproc)" >"$status"

# The lab kernel has ESP and its crypto built in: no modules to load.
ip link set lo up

# shellcheck disable=SC1091
source "$WORK/settings.sh"
# shellcheck source=bench/handshake/common.sh
source "$ROOT/bench/handshake/common.sh"
NS_R=resp
NS_G=gen
RESP_ADDR=198.18.0.1
GEN_ADDR=198.18.0.2
RESP_PID=
ip netns add "$NS_R"
ip netns add "$NS_G"
ip link add vr netns "$NS_R" type veth peer name vg netns "$NS_G"
ip -n "$NS_R" addr add "$RESP_ADDR/24" dev vr
ip -n "$NS_G" addr add "$GEN_ADDR/24" dev vg
for ns in "$NS_R" "$NS_G"; do ip -n "$ns" link set lo up; done
ip -n "$NS_R" link set vr up
ip -n "$NS_G" link set vg up

cd "$ROOT" || poweroff -f
echo "uml: load generator $LOADGEN_ARGS" >>"$status"
for mode in $MODES; do
  if [[ $mode == child ]]; then
    CHILD=1
    CHILD_ARGS="--esp $ESP_PROPOSAL"
  else
    CHILD=0
    CHILD_ARGS=
  fi
  RESULTS=$WORK/results-$mode.jsonl
  for ((round = 1; round <= ROUNDS; round++)); do
    for which in $RESPONDERS; do
      measure "$which" 2>>"$status" || echo "uml: $mode $which failed" >>"$status"
      # Kernel state left behind by a responder would burden the next one.
      echo "uml: after $mode $which: $(ip -n "$NS_R" xfrm state | grep -c '^src') SAs," \
        "$(ip -n "$NS_R" xfrm policy | grep -c '^src') policies left" >>"$status"
      ip -n "$NS_R" xfrm state flush
      ip -n "$NS_R" xfrm policy flush
      cp "$WORK/styxd.log" "$WORK/styxd-$mode.log" 2>/dev/null || true
      cp "$WORK/charon.log" "$WORK/charon-$mode.log" 2>/dev/null || true
    done
  done
  [[ -s $RESULTS ]] && node "$BUILD/bench/handshake/summarize.js" "$RESULTS" >"$WORK/summary-$mode.txt"
done
echo "uml: done" >>"$status"
sync
poweroff -f
