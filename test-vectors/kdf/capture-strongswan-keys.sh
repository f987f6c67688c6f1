#!/bin/sh
# Records an IKEv2 exchange between two strongSwan 5.9.8 charons in two host
# network namespaces together with the secrets strongSwan derives, so that Styx's
# key derivation (RFC 7296 §2.14, §2.15) and SK payload protection (§3.14) can be
# checked against an independent implementation. The IKE_SA is childless
# (RFC 6023), so no kernel ESP SA is needed. The PSK is a published lab value.
# Writes $OUT/ike.pcap and $OUT/a/charon.log (initiator, "ike 4" logs the DH
# secret and the Sk_* keys); strongswan-keys-to-json.mjs turns them into JSON.
# Usage (as root): PROPOSAL=aes256-sha256-x25519 OUT=/tmp/x sh capture-strongswan-keys.sh
# VERSION=1 records IKEv1 Main Mode with PSK and one Quick Mode (ESP_PROPOSAL,
# with PFS when it names a DH group); the host kernel has no ESP, so installing
# the SA fails after the keys are derived and logged, which is all this needs.
set -eu
VERSION=${VERSION:-2}
ESP_PROPOSAL=${ESP_PROPOSAL:-aes128-sha256-modp2048}
OUT=${OUT:-/tmp/styx-kdf-capture}
PROPOSAL=${PROPOSAL:-aes256-sha256-x25519}
A=styxka; B=styxkb
rm -rf "$OUT"; mkdir -p "$OUT/a" "$OUT/b"
cleanup() {
  [ -f "$OUT/tcpdump.pid" ] && kill "$(cat "$OUT/tcpdump.pid")" 2>/dev/null || true
  for n in a b; do [ -f "$OUT/$n/charon.pid" ] && kill "$(cat "$OUT/$n/charon.pid")" 2>/dev/null || true; done
  sleep 0.5
  ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true
}
trap cleanup EXIT
ip netns add $A; ip netns add $B
ip link add ska netns $A type veth peer name skb netns $B
ip -n $A addr add 10.98.0.1/24 dev ska; ip -n $A link set ska up; ip -n $A link set lo up
ip -n $B addr add 10.98.0.2/24 dev skb; ip -n $B link set skb up; ip -n $B link set lo up

for n in a b; do
  if [ $n = a ]; then me=10.98.0.1; peer=10.98.0.2; idme=alice@styx.test; idpeer=bob@styx.test;
  else me=10.98.0.2; peer=10.98.0.1; idme=bob@styx.test; idpeer=alice@styx.test; fi
  if [ "$VERSION" = 1 ]; then
    CHILD="    children { lab { esp_proposals = $ESP_PROPOSAL
      local_ts = $me/32
      remote_ts = $peer/32 } }"
  else
    CHILD="    childless = force"
  fi
  cat > "$OUT/$n/strongswan.conf" <<CONF
charon {
  load = random nonce openssl pem pkcs1 x509 curve25519 aes sha2 hmac kdf gcm xcbc cmac kernel-netlink socket-default vici
  port = 500
  port_nat_t = 4500
  install_routes = no
  install_virtual_ip = no
  retransmit_tries = 2
  plugins {
    vici { socket = unix://$OUT/$n/charon.vici }
  }
  filelog {
    log { path = $OUT/$n/charon.log
      default = 1
      ike = 4
      chd = 4
      enc = 1 }
  }
}
CONF
  cat > "$OUT/$n/swanctl.conf" <<CONF
connections {
  lab {
    version = $VERSION
    local_addrs = $me
    remote_addrs = $peer
    proposals = $PROPOSAL
$CHILD
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

ip netns exec $A tcpdump -Z root -i ska -w "$OUT/ike.pcap" -U udp port 500 or udp port 4500 >/dev/null 2>&1 &
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
if [ "$VERSION" = 1 ]; then
  swanctl --initiate --uri "unix://$OUT/a/charon.vici" --child lab --timeout 10 || true
else
  swanctl --initiate --uri "unix://$OUT/a/charon.vici" --ike lab --timeout 10
fi
sleep 1
swanctl --terminate --uri "unix://$OUT/a/charon.vici" --ike lab --timeout 10 || true
sleep 1
