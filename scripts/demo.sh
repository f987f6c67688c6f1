#!/usr/bin/env bash
# The README's main job: install what is needed, boot the lab (User-Mode Linux),
# bring up a Styx <-> strongSwan IKEv2 tunnel, ping through it and show
# `styxctl status`, strongSwan's view and the kernel's counters.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export STYX_LAB_KEEP=1
status=0
bash interop/lab.sh '^demo-styx-strongswan$' || status=$?
run=$(ls -td interop/out/*/ 2>/dev/null | head -1)
log="${run}demo-styx-strongswan/steps.log"
if [[ -f $log ]]; then
  echo
  echo "== what happened (from $log)"
  # The commands and their output, without the runner's own bookkeeping.
  # Key material never reaches the terminal, even the lab's throwaway keys.
  grep -E '^(\$ |  \| )' "$log" | grep -v -E 'swanctl --load-all|ip -batch|modprobe|sysctl' |
    sed -E -e 's/^  \| /    /' -e 's/((aead|enc|auth|auth-trunc|comp) [^ ]+) 0x[0-9a-f]+/\1 <key redacted>/'
fi
exit "$status"
