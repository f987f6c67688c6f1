#!/usr/bin/env bash
# The README's main job: install what is needed, boot the lab (User-Mode Linux),
# bring up a Styx <-> strongSwan IKEv2 tunnel, ping through it and show
# `styxctl status`, strongSwan's view, the kernel's SAs and the ESP on the wire.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cat <<'TEXT'
== the demo
Inside a User-Mode Linux kernel (it has ESP; the host kernel may not), five
network namespaces:

  alice 198.51.100.10 -- moon 192.0.2.1 ==[ wan ]== sun 192.0.2.2 -- bob 203.0.113.10
  (198.51.100.0/24)      Styx                       strongSwan 5.9.8   (203.0.113.0/24)

moon runs styxd, sun runs charon. `styxctl up gw` makes moon negotiate an IKEv2
tunnel (PSK, AES-GCM-256, X25519) for 198.51.100.0/24 <-> 203.0.113.0/24; alice
then pings bob through it, and tcpdump on the wan bridge must see only ESP.

TEXT
export STYX_LAB_KEEP=1
status=0
bash interop/lab.sh '^demo-styx-strongswan$' || status=$?
run=$(ls -td interop/out/*/ 2>/dev/null | head -1)
dir="${run}demo-styx-strongswan"
log="$dir/steps.log"
if [[ -f $log ]]; then
  echo
  echo "== what happened (from $log)"
  # The commands and their output, without the runner's bookkeeping and the
  # swanctl/ip/modprobe set-up output. Key material never reaches the
  # terminal, even the lab's throwaway keys.
  awk '/^\$ / { show = ($0 !~ /swanctl --load-all|ip -batch|modprobe|sysctl/) }
       /^\$ / || /^  \| / { if (show) print }' "$log" |
    sed -E -e 's/^  \| /    /' -e 's/((aead|enc|auth|auth-trunc|comp) [^ ]+) 0x[0-9a-f]+/\1 <key redacted>/'
fi
pcap="$dir/wan.pcap"
if [[ -f $pcap ]]; then
  echo
  echo "== on the wire between moon and sun (tshark reads $pcap)"
  tshark -r "$pcap" -Y "isakmp or esp or icmp" -T fields -e frame.number -e ip.src -e ip.dst -e _ws.col.Protocol -e esp.spi \
    -E header=y 2>/dev/null | head -12 | column -t
  esp=$(tshark -r "$pcap" -Y esp 2>/dev/null | wc -l)
  clear=$(tshark -r "$pcap" -Y icmp 2>/dev/null | wc -l)
  echo "ESP packets: $esp; ICMP packets in the clear: $clear"
fi
if ((status != 0)); then
  echo
  echo "== the demo failed; the last lines of both daemons' logs"
  for f in "$dir/styxd-moon.out" "$dir/sun/charon.log"; do
    [[ -f $f ]] || continue
    echo "-- $f"
    tail -25 "$f"
  done
  echo "(all logs: $dir)"
fi
exit "$status"
