#!/bin/sh
# PID 1 inside User-Mode Linux (see docs/lab.md). The kernel runs on the host's
# root filesystem over hostfs; this script prepares a minimal userland, loads the
# IPsec modules, runs the scenario runner and powers the machine off whatever
# happens. lab.sh passes STYX_LAB_RUN (the run directory, on hostfs),
# STYX_LAB_ROOT (the repository) and STYX_LAB_BUILD (the compiled runner) as
# kernel parameters, which reach us as environment variables.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
# The checkout may live under a directory hidden below by a private tmpfs
# (/tmp, /run, /dev/shm: a clone in /tmp is common). Keep a handle on it at
# /mnt first (mounts inside UML never touch the host), then put it back at its
# own path on top of the tmpfs, so every path the host passed us still works.
mount --bind "$STYX_LAB_ROOT" /mnt
export STYX_LAB_CHECKOUT=/mnt
mount -t tmpfs tmpfs /run
# A private /tmp: nothing of the host's /tmp is touched from inside.
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm
case $STYX_LAB_ROOT in
/run/* | /tmp/* | /dev/shm/*)
  mkdir -p "$STYX_LAB_ROOT" && mount --bind /mnt "$STYX_LAB_ROOT"
  ;;
esac

# STYX_LAB_SHARD is "k/N": this boot runs every N-th scenario from the k-th.
shard=${STYX_LAB_SHARD%%/*}
status=$STYX_LAB_RUN/init-status-$shard
echo "init: kernel $(uname -r)" > "$status"

# The host has no /lib/modules; give modprobe a root of its own whose
# lib/modules/<version> is the UML package's module tree, and point the kernel's
# own module loader (nft autoloads its expressions) at a wrapper using it.
modroot=/tmp/modroot
mkdir -p "$modroot/lib/modules/$(uname -r)"
mount --bind "/usr/lib/uml/modules/$(uname -r)" "$modroot/lib/modules/$(uname -r)"
cat > /tmp/modprobe.sh <<WRAP
#!/bin/sh
exec /sbin/modprobe -d $modroot "\$@"
WRAP
chmod +x /tmp/modprobe.sh
echo /tmp/modprobe.sh > /proc/sys/kernel/modprobe

for m in xfrm_user xfrm_algo esp4 ah4 esp6 ah6 xfrm4_tunnel xfrm6_tunnel tunnel4 tunnel6 \
  ipcomp ipcomp6 xfrm_ipcomp deflate lzo lzs gcm ccm ctr cbc chacha20poly1305 \
  sha256_generic sha512_generic aes_generic cmac xcbc veth bridge dummy \
  nf_conntrack nf_nat iptable_nat ip6table_nat xt_MASQUERADE; do
  modprobe -d "$modroot" "$m" 2>/dev/null || echo "init: no module $m" >> "$status"
done
ip link set lo up

cd "$STYX_LAB_ROOT" || poweroff -f
echo "init: running scenarios" >> "$status"
node "$STYX_LAB_BUILD/interop/runner/main.js" "$STYX_LAB_RUN" "$STYX_LAB_SHARD" \
  >> "$STYX_LAB_RUN/runner-$shard.log" 2>&1
echo "init: runner exit $?" >> "$status"
sync
poweroff -f
