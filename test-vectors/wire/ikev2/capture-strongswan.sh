#!/bin/sh
# Records an IKEv2 exchange between two strongSwan 5.9.8 charons running in two
# network namespaces on the host (see shared docs/lab.md, "childless IKE_SA in
# host namespaces"). The IKE_SA is childless (RFC 6023), so no kernel ESP SA is
# needed. Output: a pcap in $OUT (default /tmp/styx-ikev2-capture).
# Usage: sh capture-strongswan.sh            (as root)
#        VARIANT=frag sh capture-strongswan.sh
# VARIANT=frag: the responder accepts only ECP-256 (so the initiator's X25519 KE
# draws INVALID_KE_PAYLOAD, RFC 7296 §1.3) and both ends force RFC 7383
# fragmentation with a 128-octet fragment size, so IKE_AUTH travels in SKF.
VARIANT=${VARIANT:-plain}
set -eu
OUT=${OUT:-/tmp/styx-ikev2-capture}
A=styxwa; B=styxwb
rm -rf "$OUT"; mkdir -p "$OUT/a" "$OUT/b"
cleanup() {
  [ -f "$OUT/tcpdump.pid" ] && kill "$(cat "$OUT/tcpdump.pid")" 2>/dev/null || true
  for n in a b; do [ -f "$OUT/$n/charon.pid" ] && kill "$(cat "$OUT/$n/charon.pid")" 2>/dev/null || true; done
  sleep 0.5
  ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true
}
trap cleanup EXIT
ip netns add $A; ip netns add $B
ip link add sva netns $A type veth peer name svb netns $B
ip -n $A addr add 10.99.0.1/24 dev sva; ip -n $A link set sva up; ip -n $A link set lo up
ip -n $B addr add 10.99.0.2/24 dev svb; ip -n $B link set svb up; ip -n $B link set lo up

FRAGSIZE=''; FRAGMODE=''
if [ "$VARIANT" = frag ]; then FRAGSIZE='  fragment_size = 128'; FRAGMODE='    fragmentation = force'; fi
for n in a b; do
  props=aes256-sha256-x25519,aes128gcm16-prfsha256-ecp256
  [ "$VARIANT" = frag ] && [ $n = b ] && props=aes128gcm16-prfsha256-ecp256
  if [ $n = a ]; then me=10.99.0.1; peer=10.99.0.2; idme=alice@styx.test; idpeer=bob@styx.test;
  else me=10.99.0.2; peer=10.99.0.1; idme=bob@styx.test; idpeer=alice@styx.test; fi
  cat > "$OUT/$n/strongswan.conf" <<CONF
charon {
  # only what this exchange needs: the default set includes kernel-libipsec,
  # bypass-lan and forecast, which reroute or swallow the lab traffic
  load = random nonce openssl pem pkcs1 x509 curve25519 aes sha2 hmac kdf gcm kernel-netlink socket-default vici
  port = 500
  port_nat_t = 4500
  install_routes = no
  install_virtual_ip = no
  retransmit_tries = 2
$FRAGSIZE
  plugins {
    vici { socket = unix://$OUT/$n/charon.vici }
  }
  filelog {
    log { path = $OUT/$n/charon.log
      default = 1
      ike = 2 }
  }
}
CONF
  cat > "$OUT/$n/swanctl.conf" <<CONF
connections {
  lab {
    version = 2
    local_addrs = $me
    remote_addrs = $peer
    proposals = $props
$FRAGMODE
    childless = force
    local {
      auth = psk
      id = $idme
    }
    remote {
      auth = psk
      id = $idpeer
    }
  }
}
secrets {
  ike-lab {
    id-a = alice@styx.test
    id-b = bob@styx.test
    secret = styx-lab-not-a-secret
  }
}
CONF
done

ip netns exec $A tcpdump -Z root -i sva -w "$OUT/ike.pcap" -U udp port 500 or udp port 4500 >/dev/null 2>&1 &
echo $! > "$OUT/tcpdump.pid"; sleep 1
for n in a b; do
  ns=$A; [ $n = b ] && ns=$B
  STRONGSWAN_CONF="$OUT/$n/strongswan.conf" ip netns exec $ns unshare -m sh -c \
    "mount -t tmpfs tmpfs /run; exec /usr/lib/ipsec/charon" >"$OUT/$n/stdout" 2>&1 &
  echo $! > "$OUT/$n/charon.pid"
done
for n in a b; do
  i=0; while [ ! -S "$OUT/$n/charon.vici" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
  swanctl --load-all --uri "unix://$OUT/$n/charon.vici" --file "$OUT/$n/swanctl.conf" >/dev/null
done
swanctl --initiate --uri "unix://$OUT/a/charon.vici" --ike lab --timeout 10
swanctl --list-sas --uri "unix://$OUT/a/charon.vici"
sleep 1
swanctl --terminate --uri "unix://$OUT/a/charon.vici" --ike lab --timeout 10 || true
sleep 1
