#!/bin/sh
# PID 1 inside User-Mode Linux (see docs/lab.md). The kernel runs on the host's
# root filesystem over hostfs; this script prepares a minimal userland, runs the
# scenario runner and powers the machine off whatever happens. lab.sh passes STYX_LAB_RUN (the run directory, on hostfs),
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
# Per-namespace /etc files of `ip netns exec` (a scenario's hosts file) stay in
# UML: a tmpfs on /etc/netns. Only the empty mount point is made on the host.
mkdir -p /etc/netns 2>/dev/null && mount -t tmpfs tmpfs /etc/netns
case $STYX_LAB_ROOT in
/run/* | /tmp/* | /dev/shm/*)
  mkdir -p "$STYX_LAB_ROOT" && mount --bind /mnt "$STYX_LAB_ROOT"
  ;;
esac

# STYX_LAB_BOOT is this boot's number: its files carry it as a suffix.
boot=$STYX_LAB_BOOT
status=$STYX_LAB_RUN/init-status-$boot
echo "init: kernel $(uname -r)" > "$status"

# The lab kernel has everything built in (interop/kernel/uml.config): no modules to load.
ip link set lo up

cd "$STYX_LAB_ROOT" || poweroff -f
echo "init: running scenarios" >> "$status"
node "$STYX_LAB_BUILD/interop/runner/main.js" "$STYX_LAB_RUN" "$boot" \
  >> "$STYX_LAB_RUN/runner-$boot.log" 2>&1
echo "init: runner exit $?" >> "$status"
sync
poweroff -f
