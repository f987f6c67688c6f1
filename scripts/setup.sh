#!/usr/bin/env bash
# Installs what Styx's tests and lab need on a fresh Debian machine with Node.js 20,
# as root. Idempotent: apt runs only when a package is missing, npm ci only when
# node_modules is older than package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

# Installed without recommends, so everything the lab loads is named here:
# charon's openssl and gcm plugins come in libstrongswan-standard-plugins, its
# eap-mschapv2 in libcharon-extauth-plugins; the native addon needs a C++
# compiler, make and python3 (node-gyp); the lab's kernel is built from
# linux-source-6.1 with bc, flex and bison (interop/kernel/build.sh); keepalived
# moves the VRRP virtual IP in the lab's high-availability scenarios.
APT_PACKAGES=(
  linux-source-6.1 bc flex bison xz-utils iproute2 iputils-ping tcpdump nftables iptables tshark procps psmisc
  openssl libcap2-bin util-linux
  strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-extra-plugins
  libstrongswan-standard-plugins libcharon-extauth-plugins keepalived
  g++ make python3
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts charon through systemd on install; the lab runs its own instances.
systemctl disable --now strongswan-starter strongswan >/dev/null 2>&1 || true

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  # node-gyp narrates the addon build on stderr: keep it for a failure only.
  npm_log=$(mktemp)
  if ! npm ci --no-audit --no-fund >"$npm_log" 2>&1; then
    tail -40 "$npm_log" >&2
    echo "setup: npm ci failed (full log: $npm_log)" >&2
    exit 1
  fi
  rm -f "$npm_log"
fi

# The lab's User-Mode Linux kernel: built once (about 5 minutes on 2 idle cores) and
# cached outside the tree, so later runs start at once.
bash interop/kernel/build.sh
