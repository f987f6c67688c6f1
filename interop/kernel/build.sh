#!/usr/bin/env bash
# Builds the lab's User-Mode Linux kernel from Debian's linux-source-6.1 and the
# fragment interop/kernel/uml.config, once: the result is cached outside the tree,
# keyed by the fragment's and the source's hash, so a fragment change builds anew
# and an unchanged one costs nothing. `build.sh --path` prints the kernel's path
# (building it when absent); docs/lab.md says how long a build takes.
#
# STYX_KERNEL_CACHE overrides the cache directory (default /var/cache/styx/uml-kernel).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
FRAGMENT=$HERE/uml.config
SOURCE=/usr/src/linux-source-6.1.tar.xz
CACHE=${STYX_KERNEL_CACHE:-/var/cache/styx/uml-kernel}

if [[ ! -f $SOURCE ]]; then
  echo "kernel: $SOURCE is missing (apt-get install linux-source-6.1, or run scripts/setup.sh)" >&2
  exit 2
fi
# The source package's version is part of the key: a Debian point release rebuilds.
key=$( { cat "$FRAGMENT"; dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || stat -c %s "$SOURCE"; } |
  sha256sum | cut -c1-16)
KERNEL=$CACHE/linux-$key

if [[ -x $KERNEL ]]; then
  [[ ${1:-} == --path ]] && echo "$KERNEL"
  exit 0
fi

mkdir -p "$CACHE"
work=$(mktemp -d "${TMPDIR:-/tmp}/styx-kernel.XXXXXX")
trap 'rm -rf "$work"' EXIT
started=$SECONDS
echo "kernel: building the lab's UML kernel (linux-$key, about 5 minutes on 2 idle cores)" >&2
tar -xJf "$SOURCE" -C "$work"
src=$(echo "$work"/linux-source-6.1)
log=$work/build.log
make_um() { make -C "$src" ARCH=um "$@" >>"$log" 2>&1; }
if ! make_um defconfig ||
  ! (cd "$src" && ARCH=um scripts/kconfig/merge_config.sh -m .config "$FRAGMENT" >>"$log" 2>&1) ||
  ! make_um olddefconfig; then
  tail -30 "$log" >&2
  echo "kernel: configuration failed" >&2
  exit 1
fi
# A line of the fragment that Kconfig dropped (a dependency missing, a name
# misspelt) would give a kernel without the feature and scenarios failing far
# from the cause: refuse it here, by name.
dropped=0
while IFS= read -r line; do
  case $line in
  CONFIG_*=*) want=$line ;;
  "# CONFIG_"*" is not set") want=$line ;;
  *) continue ;;
  esac
  name=${want#\# }
  name=${name%%[= ]*}
  have=$(grep -E "^(# )?$name[= ]" "$src/.config" || true)
  if [[ $want == "# "* ]]; then
    [[ -z $have || $have == "# "* ]] && continue
  else
    [[ $have == "$want" ]] && continue
  fi
  echo "kernel: the fragment asks for '$want' but the configuration has '${have:-nothing}'" >&2
  dropped=1
done <"$FRAGMENT"
((dropped)) && exit 1

if ! make_um -j"$(nproc)" linux; then
  grep -E 'error|Error' "$log" | head -20 >&2
  tail -20 "$log" >&2
  echo "kernel: build failed" >&2
  exit 1
fi
strip -o "$work/linux" "$src/linux" 2>/dev/null || cp "$src/linux" "$work/linux"
cp "$src/.config" "$KERNEL.config"
# Renamed into place last, within the cache's filesystem: a half-written kernel
# is never found by --path, and two builds at once do not mix.
cp "$work/linux" "$KERNEL.tmp.$$"
mv -f "$KERNEL.tmp.$$" "$KERNEL"
echo "kernel: built $KERNEL in $((SECONDS - started)) s" >&2
[[ ${1:-} == --path ]] && echo "$KERNEL"
exit 0
