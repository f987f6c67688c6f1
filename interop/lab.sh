#!/usr/bin/env bash
# npm run lab [-- PATTERN]: runs the lab scenarios whose name matches PATTERN (a
# regular expression; all when absent) inside one User-Mode Linux boot, prints a
# line per scenario and "N passed, N failed", and exits non-zero on any failure.
# See docs/lab.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PATTERN=${1:-}
# Wall-clock bound for the whole boot; each scenario has its own, smaller one.
LAB_TIMEOUT=${LAB_TIMEOUT:-900}

if [[ ! -x /usr/bin/linux.uml ]]; then
  echo "lab: /usr/bin/linux.uml is missing (run scripts/setup.sh)" >&2
  exit 2
fi

# Node inside UML starts in ~1 s but tsx takes ~4 s more, and the drivers start
# many processes: compile the runner, scenarios, drivers and the src/ modules
# they import to plain JavaScript once, on the host. Type errors are reported by
# the typecheck step of the test command, not here; emit what compiles.
RUN_ID=$(date -u +%Y%m%d-%H%M%S)-$$
RUN=$ROOT/interop/out/$RUN_ID
# Each run compiles into its own directory: runs of several engineers at once
# must not delete each other's build.
BUILD=$ROOT/.lab/build-$RUN_ID
trap 'rm -rf "$BUILD"' EXIT
echo "lab: compiling"
tsc_log=$(mktemp)
shopt -s nullglob
drivers=(interop/drivers/*.ts)
if ! npx tsc --target ES2023 --module NodeNext --moduleResolution NodeNext --strict \
  --skipLibCheck --types node --resolveJsonModule --rootDir . --outDir "$BUILD" \
  interop/runner/main.ts "${drivers[@]}" >"$tsc_log" 2>&1; then
  echo "lab: tsc reported errors (emitting anyway):"
  head -20 "$tsc_log"
fi
rm -f "$tsc_log"
# src/net finds the native addon at ../../build/Release relative to its own
# module, as it would from src/: give the compiled tree the same view.
ln -sfn "$ROOT/build" "$BUILD/build"
if [[ ! -f $BUILD/interop/runner/main.js ]]; then
  echo "lab: the runner did not compile" >&2
  exit 2
fi

mkdir -p "$RUN"
node -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({ pattern: process.argv[2] }))' \
  "$RUN/run.json" "$PATTERN"
: >"$RUN/results.txt"
echo "lab: booting User-Mode Linux, logs in $RUN"

# setsid: UML runs as a group of host processes; on a timeout the whole group
# is killed so that none is left behind. stdin from /dev/null: CI has no TTY.
setsid /usr/bin/linux.uml mem=1G root=/dev/root rootfstype=hostfs rootflags=/ rw quiet \
  init="$ROOT/interop/uml-init.sh" con=null con0=fd:0,fd:1 \
  STYX_LAB_RUN="$RUN" STYX_LAB_ROOT="$ROOT" STYX_LAB_BUILD="$BUILD" STYX_LAB_KEEP="${STYX_LAB_KEEP:-}" \
  </dev/null >"$RUN/console.log" 2>&1 &
uml=$!
# Interrupted (Ctrl-C, CI cancel): take UML down with us.
trap 'kill -KILL -- "-$uml" 2>/dev/null; rm -rf "$BUILD"; exit 130' INT TERM
tail -n +1 -F --pid="$uml" "$RUN/results.txt" 2>/dev/null &
tailer=$!

timed_out=0
deadline=$((SECONDS + LAB_TIMEOUT))
while kill -0 "$uml" 2>/dev/null; do
  if ((SECONDS > deadline)); then
    timed_out=1
    echo "lab: timed out after ${LAB_TIMEOUT}s, stopping UML"
    kill -TERM -- "-$uml" 2>/dev/null || true
    sleep 2
    kill -KILL -- "-$uml" 2>/dev/null || true
    break
  fi
  sleep 1
done
wait "$uml" 2>/dev/null || true
wait "$tailer" 2>/dev/null || true

summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$RUN/results.txt" | tail -1 || true)
if [[ -z $summary ]] || ((timed_out)); then
  echo "lab: the runner did not finish; last lines of its log and the console:"
  tail -20 "$RUN/runner.log" 2>/dev/null || true
  cat "$RUN/init-status" 2>/dev/null || true
  tail -20 "$RUN/console.log" || true
  exit 1
fi
failed=${summary#*, }
failed=${failed%% *}
passed=${summary%% *}
if ((failed > 0 || passed == 0)); then
  echo "lab: logs of failed scenarios are under $RUN"
  exit 1
fi
# All passed: nothing to look at, unless asked to keep.
[[ -n ${STYX_LAB_KEEP:-} ]] || rm -rf "$RUN"
exit 0
