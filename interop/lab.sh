#!/usr/bin/env bash
# npm run lab [-- PATTERN]: runs the lab scenarios whose name matches PATTERN (a
# regular expression; all when absent) inside User-Mode Linux (LAB_JOBS boots at
# once taking scenarios from one queue), prints a line per scenario and
# "N passed, N failed", and exits non-zero on any failure. See docs/lab.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PATTERN=${1:-}

# The lab's own kernel (interop/kernel/uml.config), built once and cached.
KERNEL=$(bash interop/kernel/build.sh --path) || exit 2

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
if ! npx tsc --target ES2023 --lib ES2023 --module NodeNext --moduleResolution NodeNext --strict \
  --skipLibCheck --types node --resolveJsonModule --rootDir . --outDir "$BUILD" \
  interop/runner/main.ts interop/runner/preflight.ts "${drivers[@]}" >"$tsc_log" 2>&1; then
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

# A missing charon plugin or UML module fails here, in one line, not as timeouts later.
node "$BUILD/interop/runner/preflight.js" || exit 2

mkdir -p "$RUN"
node -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({ pattern: process.argv[2] }))' \
  "$RUN/run.json" "$PATTERN"

node "$BUILD/interop/runner/main.js" --queue "$RUN" || exit 1
queued=$(wc -l <"$RUN/queue.txt")

# Each boot is one virtual CPU, and most of a scenario's time is spent waiting
# on protocol timers and peers, not computing: run one boot more than there
# are CPUs, each taking the next scenario from the queue (measured on 2 CPUs:
# 3 boots used 1.3 of them and passed all 95 scenarios in 11.5 min; 2 boots
# took 16 min; 4 overloaded the machine). Each boot has its own results,
# runner log, init status and console files (suffix -<boot>).
JOBS=${LAB_JOBS:-$(($(nproc) + 1))}
((JOBS > 4)) && JOBS=4
((JOBS > queued)) && JOBS=$queued
((JOBS < 1)) && JOBS=1
echo "lab: $queued scenario(s), $JOBS User-Mode Linux boot(s), logs in $RUN"

umls=()
tailer=
for ((boot = 0; boot < JOBS; boot++)); do
  : >"$RUN/results-$boot.txt"
  # setsid: each UML runs as a group of host processes; on a timeout or an
  # interrupt the whole group is killed so that none is left behind. stdin from
  # /dev/null: CI has no TTY.
  setsid "$KERNEL" mem=1G root=/dev/root rootfstype=hostfs rootflags=/ rw quiet \
    init="$ROOT/interop/uml-init.sh" con=null con0=fd:0,fd:1 \
    STYX_LAB_RUN="$RUN" STYX_LAB_ROOT="$ROOT" STYX_LAB_BUILD="$BUILD" \
    STYX_LAB_BOOT="$boot" STYX_LAB_KEEP="${STYX_LAB_KEEP:-}" \
    </dev/null >"$RUN/console-$boot.log" 2>&1 &
  umls+=("$!")
done
stop_umls() {
  for pid in "${umls[@]}"; do kill -"$1" -- "-$pid" 2>/dev/null || true; done
}
# Interrupted (Ctrl-C, CI cancel): take the UMLs down with us.
trap 'stop_umls KILL; kill "$tailer" 2>/dev/null; rm -rf "$BUILD"; exit 130' INT TERM
# Scenario lines as they come; the summary is ours, below.
tail -q -n +1 -F "$RUN"/results-*.txt 2>/dev/null \
  > >(grep --line-buffered -Ev '^[0-9]+ passed, [0-9]+ failed$') &
tailer=$!

# A boot is stuck when the scenario it is running overruns its own bound
# (current-K.txt, written by the runner as it starts each one), or when it has
# neither started a scenario nor finished after 300 s (it did not boot). A slow
# but progressing boot is never cut. LAB_TIMEOUT, when set, bounds the whole run.
started=$SECONDS
declare -A stuck_why=()
boot_running() { kill -0 "${umls[$1]}" 2>/dev/null; }
check_stuck() {
  local boot=$1 name bound since
  if [[ ! -f $RUN/current-$boot.txt ]]; then
    if [[ ! -s $RUN/results-$boot.txt ]] && ((SECONDS - started > 300)); then
      stuck_why[$boot]="no scenario started after 300 s (boot failed?)"
    fi
    return 0
  fi
  read -r name bound since <"$RUN/current-$boot.txt" || return 0
  [[ -n ${since:-} ]] || return 0
  if (($(date +%s) - since > bound)); then
    stuck_why[$boot]="$name overran its bound of ${bound} s"
  fi
}
while :; do
  alive=0
  for ((boot = 0; boot < JOBS; boot++)); do
    boot_running "$boot" || continue
    alive=1
    [[ -n ${stuck_why[$boot]:-} ]] && continue
    check_stuck "$boot"
    if [[ -n ${LAB_TIMEOUT:-} ]] && ((SECONDS - started > LAB_TIMEOUT)); then
      stuck_why[$boot]="the run overran LAB_TIMEOUT=${LAB_TIMEOUT} s"
    fi
    if [[ -n ${stuck_why[$boot]:-} ]]; then
      echo "lab: boot $boot stopped: ${stuck_why[$boot]}"
      kill -TERM -- "-${umls[$boot]}" 2>/dev/null || true
      sleep 2
      kill -KILL -- "-${umls[$boot]}" 2>/dev/null || true
    fi
  done
  ((alive)) || break
  sleep 2
done
for pid in "${umls[@]}"; do wait "$pid" 2>/dev/null || true; done
sleep 1
kill "$tailer" 2>/dev/null || true
wait "$tailer" 2>/dev/null || true

# Counted from the scenario lines themselves, so a boot that did not finish
# still counts what it passed; a queued scenario with no line is NOT RUN.
passed=$(cat "$RUN"/results-*.txt | grep -c '^PASS ' || true)
failed=$(cat "$RUN"/results-*.txt | grep -c '^FAIL ' || true)
for ((boot = 0; boot < JOBS; boot++)); do
  grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$RUN/results-$boot.txt" && continue
  why=${stuck_why[$boot]:-the boot ended before its runner did}
  echo "lab: boot $boot did not finish ($why); last lines of its logs and console:"
  tail -20 "$RUN/runner-$boot.log" 2>/dev/null || true
  cat "$RUN/init-status-$boot" 2>/dev/null || true
  tail -20 "$RUN/console-$boot.log" || true
done
not_run=0
while read -r name _; do
  # grep on the files, not `cat | grep -q`: with pipefail, grep -q quitting early
  # fails cat with SIGPIPE and a scenario that ran would read as NOT RUN.
  if ! grep -qhE "^(PASS|FAIL) ${name}( |:)" "$RUN"/results-*.txt; then
    echo "NOT RUN $name"
    not_run=$((not_run + 1))
  fi
done <"$RUN/queue.txt"
((not_run == 0)) || echo "lab: $not_run scenario(s) did not run (NOT RUN lines above)"
echo "$passed passed, $failed failed"
if ((not_run > 0 || failed > 0 || passed == 0)); then
  echo "lab: logs are under $RUN"
  exit 1
fi
# All passed: nothing to look at, unless asked to keep.
[[ -n ${STYX_LAB_KEEP:-} ]] || rm -rf "$RUN"
exit 0
