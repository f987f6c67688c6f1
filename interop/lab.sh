#!/usr/bin/env bash
# npm run lab [-- PATTERN]: runs the lab scenarios whose name matches PATTERN (a
# regular expression; all when absent) inside User-Mode Linux (LAB_JOBS boots in
# parallel, one per CPU by default), prints a line per scenario and
# "N passed, N failed", and exits non-zero on any failure. See docs/lab.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PATTERN=${1:-}

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

# UML has one virtual CPU: with more host CPUs, boot several and give each
# every JOBS-th scenario. Each boot has its own results, runner log, init
# status and console files (suffix -<shard>).
JOBS=${LAB_JOBS:-$(nproc)}
((JOBS > 4)) && JOBS=4
((JOBS < 1)) && JOBS=1
echo "lab: booting $JOBS User-Mode Linux instance(s), logs in $RUN"

umls=()
tailer=
for ((shard = 0; shard < JOBS; shard++)); do
  : >"$RUN/results-$shard.txt"
  # setsid: each UML runs as a group of host processes; on a timeout or an
  # interrupt the whole group is killed so that none is left behind. stdin from
  # /dev/null: CI has no TTY.
  setsid /usr/bin/linux.uml mem=1G root=/dev/root rootfstype=hostfs rootflags=/ rw quiet \
    init="$ROOT/interop/uml-init.sh" con=null con0=fd:0,fd:1 \
    STYX_LAB_RUN="$RUN" STYX_LAB_ROOT="$ROOT" STYX_LAB_BUILD="$BUILD" \
    STYX_LAB_SHARD="$shard/$JOBS" STYX_LAB_KEEP="${STYX_LAB_KEEP:-}" \
    </dev/null >"$RUN/console-$shard.log" 2>&1 &
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

# A boot is stuck when the scenario it is running overruns its own bound (from
# its plan, written by the runner at start; 300 s to boot and write it). A slow
# but progressing boot is never cut: the limit fits the scenarios it runs.
# LAB_TIMEOUT, when set, also bounds the whole run.
started=$SECONDS
declare -A stuck_why=()
boot_running() { kill -0 "${umls[$1]}" 2>/dev/null; }
results_of() { grep -cE '^(PASS|FAIL) ' "$RUN/results-$1.txt" 2>/dev/null || true; }
check_stuck() {
  local shard=$1 plan=$RUN/plan-$1.txt now last done bound current
  now=$(date +%s)
  if [[ ! -f $plan ]]; then
    ((SECONDS - started > 300)) && stuck_why[$shard]="no scenario plan after 300 s (boot failed?)"
    return 0
  fi
  done=$(results_of "$shard")
  current=$(sed -n "$((done + 1))p" "$plan")
  [[ -n $current ]] || return 0
  bound=${current##* }
  last=$(stat -c %Y "$RUN/results-$shard.txt")
  [[ -s $RUN/results-$shard.txt ]] || last=$(stat -c %Y "$plan")
  if ((now - last > bound)); then
    stuck_why[$shard]="${current% *} overran its bound of ${bound} s"
  fi
}
while :; do
  alive=0
  for ((shard = 0; shard < JOBS; shard++)); do
    boot_running "$shard" || continue
    alive=1
    check_stuck "$shard"
    if [[ -n ${LAB_TIMEOUT:-} ]] && ((SECONDS - started > LAB_TIMEOUT)); then
      stuck_why[$shard]="the run overran LAB_TIMEOUT=${LAB_TIMEOUT} s"
    fi
    if [[ -n ${stuck_why[$shard]:-} ]]; then
      echo "lab: boot $shard/$JOBS stopped: ${stuck_why[$shard]}"
      kill -TERM -- "-${umls[$shard]}" 2>/dev/null || true
      sleep 2
      kill -KILL -- "-${umls[$shard]}" 2>/dev/null || true
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
# still counts what it passed; what it did not get to is named.
passed=0
failed=0
finished=1
for ((shard = 0; shard < JOBS; shard++)); do
  results=$RUN/results-$shard.txt
  passed=$((passed + $(grep -c '^PASS ' "$results" || true)))
  failed=$((failed + $(grep -c '^FAIL ' "$results" || true)))
  grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$results" && continue
  finished=0
  why=${stuck_why[$shard]:-the boot ended before its runner did}
  echo "lab: boot $shard/$JOBS did not finish ($why); last lines of its logs and console:"
  tail -20 "$RUN/runner-$shard.log" 2>/dev/null || true
  cat "$RUN/init-status-$shard" 2>/dev/null || true
  tail -20 "$RUN/console-$shard.log" || true
  if [[ -f $RUN/plan-$shard.txt ]]; then
    while read -r name _; do
      grep -qE "^(PASS|FAIL) ${name}( |:)" "$results" || echo "NOT RUN $name (boot $shard: $why)"
    done <"$RUN/plan-$shard.txt"
  fi
done
not_run=$(cat "$RUN"/plan-*.txt 2>/dev/null | wc -l)
not_run=$((not_run - passed - failed))
((finished)) || echo "lab: $not_run scenario(s) did not run (NOT RUN lines above)"
echo "$passed passed, $failed failed"
if ((!finished || failed > 0 || passed == 0)); then
  echo "lab: logs are under $RUN"
  exit 1
fi
# All passed: nothing to look at, unless asked to keep.
[[ -n ${STYX_LAB_KEEP:-} ]] || rm -rf "$RUN"
exit 0
