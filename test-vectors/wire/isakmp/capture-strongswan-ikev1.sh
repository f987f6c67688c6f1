#!/usr/bin/env bash
# Captures an IKEv1 exchange (Main Mode, then Quick Mode) between two
# strongSwan charons, each in its own network namespace on the host, and
# prints every ISAKMP message (UDP payload) as hex with the keying material
# charon logs at level 4, so tests can decrypt the encrypted messages.
#
# Usage: capture-strongswan-ikev1.sh OUTDIR [psk|xauth|aggressive]
#   psk (default): Main Mode with a pre-shared key.
#   xauth: Main Mode with XAUTH PSK and Mode Config (Transaction exchanges).
#   aggressive: Aggressive Mode with a pre-shared key.
# Needs root, strongSwan 5.9 (charon, swanctl), tcpdump, tshark.
# Everything it creates (namespaces isk1a/isk1b, charons, tcpdump, WORK dir)
# is removed on exit.
set -euo pipefail
OUT=${1:?output directory}
MODE=${2:-psk}
WORK=$(mktemp -d /tmp/isk1.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  ip netns del isk1a 2>/dev/null || true
  ip netns del isk1b 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add isk1a
ip netns add isk1b
ip link add visk1a netns isk1a type veth peer name visk1b netns isk1b
ip -n isk1a addr add 10.77.0.1/24 dev visk1a
ip -n isk1b addr add 10.77.0.2/24 dev visk1b
ip -n isk1a link set visk1a up
ip -n isk1b link set visk1b up
ip -n isk1a link set lo up
ip -n isk1b link set lo up

write_conf() { # name local-addr remote-addr local-id remote-id local-ts remote-ts init|resp
  local d=$WORK/$1
  mkdir -p "$d"
  cat >"$d/strongswan.conf" <<CONF
charon {
  # Aggressive Mode with PSK exposes a hash of the key to eavesdroppers; fine
  # for a throwaway lab key, and charon insists on being told so.
  i_dont_care_about_security_and_use_aggressive_mode_psk = yes
  load = random nonce openssl pem pkcs1 x509 pubkey aes sha1 sha2 md5 hmac gmp kernel-netlink socket-default vici attr xauth-generic
  install_routes = no
  install_virtual_ip = no
  plugins {
    vici {
      socket = unix://$d/charon.vici
    }
  }
  filelog {
    log {
      path = $d/charon.log
      default = 1
      ike = 4
      append = no
    }
  }
}
CONF
  # XAUTH is a second authentication round after PSK (swanctl.conf local-xauth/remote-xauth).
  local extra_local='' extra_remote='' pools='' vips='' aggressive=no
  [ "$MODE" = aggressive ] && aggressive=yes
  if [ "$MODE" = xauth ]; then
    if [ "$8" = init ]; then
      extra_local=$'    }\n    local-xauth {\n      auth = xauth\n      xauth_id = styx-user'
      vips=$'    vips = 0.0.0.0'
    else
      extra_remote=$'    }\n    remote-xauth {\n      auth = xauth'
      pools=$'    pools = vpool'
    fi
  fi
  cat >"$d/swanctl.conf" <<CONF
connections {
  styx {
    version = 1
    aggressive = $aggressive
    local_addrs = $2
    remote_addrs = $3
    proposals = aes128-sha256-modp2048,aes256-sha1-modp1024
$vips
$pools
    local {
      auth = psk
      id = $4
$extra_local
    }
    remote {
      auth = psk
      id = $5
$extra_remote
    }
    children {
      net {
        local_ts = $6
        remote_ts = $7
        esp_proposals = aes128-sha256-modp2048,aes256gcm16-modp2048
        mode = tunnel
      }
    }
  }
}
pools {
  vpool {
    addrs = 10.77.9.0/24
    dns = 10.77.9.53
  }
}
secrets {
  ike-1 {
    id-a = a.styx.test
    id-b = b.styx.test
    secret = styx-test-psk
  }
  xauth-1 {
    id = styx-user
    secret = styx-xauth-password
  }
}
CONF
}
write_conf a 10.77.0.1 10.77.0.2 a.styx.test b.styx.test 10.77.1.0/24 10.77.2.0/24 init
write_conf b 10.77.0.2 10.77.0.1 b.styx.test a.styx.test 10.77.2.0/24 10.77.1.0/24 resp

start_charon() { # ns dir
  ip netns exec "$1" unshare -m sh -c \
    "mount -t tmpfs tmpfs /run; STRONGSWAN_CONF=$2/strongswan.conf exec /usr/lib/ipsec/charon" \
    >"$2/stdout" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do [ -S "$2/charon.vici" ] && return 0; sleep 0.2; done
  echo "charon in $1 did not start" >&2; cat "$2/stdout" >&2; return 1
}
ip netns exec isk1b tcpdump -i visk1b -U -w "$WORK/ike.pcap" udp port 500 or udp port 4500 \
  2>"$WORK/tcpdump.err" &
PIDS+=($!)
start_charon isk1a "$WORK/a"
start_charon isk1b "$WORK/b"
for n in a b; do
  STRONGSWAN_CONF=$WORK/$n/strongswan.conf swanctl --load-all \
    --uri "unix://$WORK/$n/charon.vici" --file "$WORK/$n/swanctl.conf" >/dev/null 2>&1
done
STRONGSWAN_CONF=$WORK/a/strongswan.conf timeout 20 swanctl --initiate \
  --uri "unix://$WORK/a/charon.vici" --child net >"$WORK/initiate.log" 2>&1 || true
sleep 1

mkdir -p "$OUT"
tshark -r "$WORK/ike.pcap" -T fields -e ip.src -e udp.payload >"$WORK/messages.tsv"
# One JSON file: the messages in wire order, each with the summary charon's
# initiator logged for it ("generating"/"parsed" ... [ payloads ]), and the
# IKE SA encryption key from the initiator's level-4 log.
python3 - "$WORK/messages.tsv" "$WORK/a/charon.log" "$MODE" >"$OUT/strongswan-ikev1-$MODE.json" <<'PY'
import json, re, subprocess, sys
tsv, log, mode = sys.argv[1:4]
lines = open(log).read().splitlines()
enc = [re.sub(r'^.*\[ENC\] ', '', l) for l in lines if '[ENC] generating' in l or '[ENC] parsed' in l]
def dump(label):
    for i, l in enumerate(lines):
        h = re.search(r'\[IKE\] ' + re.escape(label) + r' => (\d+) bytes', l)
        if not h:
            continue
        out = ''
        for d in lines[i + 1:]:
            m = re.match(r'^\S+\s+\d+: ((?:[0-9A-F]{2} ){1,16})', d)
            if not m:
                break
            out += m.group(1).replace(' ', '')
        return out[:2 * int(h.group(1))].lower()
msgs = []
rows = open(tsv).read().splitlines()
if len(rows) != len(enc):
    # Messages charon had not logged yet when the capture stopped are left out.
    sys.stderr.write('note: %d datagrams, %d charon log lines; keeping the first %d\n'
                     % (len(rows), len(enc), min(len(rows), len(enc))))
for row, summary in zip(rows, enc):
    src, payload = row.split('\t')
    msgs.append({'from': 'initiator' if src == '10.77.0.1' else 'responder',
                 'charon': summary, 'hex': payload})
version = subprocess.run(['/usr/lib/ipsec/charon', '--version'], capture_output=True, text=True).stdout.strip()
print(json.dumps({
  'source': 'Captured with capture-strongswan-ikev1.sh %s: two strongSwan charons (%s) in host network namespaces, '
            'initiator 10.77.0.1 (a.styx.test), responder 10.77.0.2 (b.styx.test), IKEv1 PSK, '
            'IKE aes128-sha256-modp2048,aes256-sha1-modp1024, ESP aes128-sha256-modp2048,aes256gcm16-modp2048. '
            'The host kernel has no ESP, so charon fails to install the SAs after Quick Mode and deletes them. '
            '"charon" is the initiator charon\'s own log line for each message.' % (mode, version),
  'encryptionKey': dump('encryption key Ka'),
  'initialIv': dump('initial IV'),
  'messages': msgs,
}, indent=2))
PY
echo "captured $(wc -l <"$WORK/messages.tsv") messages into $OUT/strongswan-ikev1-$MODE.json"
