# Shared by run-host.sh and uml-init.sh (sourced, not run): compiles the
# benchmark, writes the responders' configurations, starts and stops them in a
# network namespace. Everything lives in $WORK; nothing outside it is written.
#   Variables used: ROOT, WORK, BUILD, NS_R (responder namespace), RESP_ADDR,
#   GEN_ADDR, PSK, CHILD (1 = a CHILD_SA per setup).

PSK=${PSK:-styx handshake benchmark pre-shared key}
IKE_PROPOSAL=aes256gcm16-prfsha256-x25519
ESP_PROPOSAL=aes256gcm16
RESP_TS=10.200.0.0/16
GEN_TS=10.0.0.0/8
# Thresholds above anything the generator reaches: the benchmark measures
# setups, not cookie round trips (RFC 7296 §2.6) or per-peer throttling.
DOS_LIMIT=1000000

# Compiles the load generator, the memory probe and styxd to plain JavaScript
# (tsx would add seconds per start inside UML). By default from the last
# commit (git archive HEAD), so that other work in progress in the tree cannot
# break or change a run; BENCH_TREE=worktree compiles the working tree. Emits
# even with type errors, which the project's typecheck reports.
compile_bench() {
  local src=$ROOT
  if [[ ${BENCH_TREE:-commit} != worktree ]]; then
    src=$WORK/tree
    mkdir -p "$src"
    git -C "$ROOT" archive HEAD src bench | tar -x -C "$src"
    ln -sfn "$ROOT/node_modules" "$src/node_modules"
    echo '{ "type": "module" }' >"$src/package.json"
    BENCH_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
  else
    BENCH_COMMIT="$(git -C "$ROOT" rev-parse --short HEAD)+worktree"
  fi
  npx tsc --target ES2023 --module NodeNext --moduleResolution NodeNext --strict \
    --skipLibCheck --types node --resolveJsonModule --rootDir "$src" --outDir "$BUILD" \
    "$src/bench/handshake/loadgen.ts" "$src/bench/handshake/summarize.ts" \
    "$src/bench/handshake/responder-memory.ts" "$src/src/daemon/styxd-bin.ts" \
    >"$WORK/tsc.log" 2>&1 || {
    echo "bench: tsc reported errors (emitting anyway):" >&2
    head -20 "$WORK/tsc.log" >&2
  }
  # src/net loads the native addon from ../../build/Release relative to itself.
  ln -sfn "$ROOT/build" "$BUILD/build"
  # The build lives outside the repository: give it its packages and ESM mode.
  ln -sfn "$ROOT/node_modules" "$BUILD/node_modules"
  echo '{ "type": "module" }' >"$BUILD/package.json"
  [[ -f $BUILD/bench/handshake/loadgen.js ]] || {
    echo "bench: the load generator did not compile" >&2
    return 1
  }
  echo "bench: compiled commit $BENCH_COMMIT" >&2
}

write_styx_config() {
  local file=$WORK/styx.yaml
  {
    cat <<EOF
daemon:
  socket: $WORK/styx.sock
  log: { level: info }
  cookie_threshold: $DOS_LIMIT
  half_open_limit: $DOS_LIMIT
connections:
  bench:
    version: 2
    local_addrs: [$RESP_ADDR]
    remote_addrs: [%any]
    proposals: [$IKE_PROPOSAL]
    local: { auth: psk, id: responder.bench }
    remote: { auth: psk, id: "%any" }
    psk: { file: $WORK/psk }
    start_action: none
EOF
    if [[ $CHILD == 1 ]]; then
      cat <<EOF
    children:
      net:
        local_ts: [$RESP_TS]
        remote_ts: [$GEN_TS]
        mode: tunnel
        esp_proposals: [$ESP_PROPOSAL]
        start_action: none
EOF
    fi
  } >"$file"
  printf '%s' "$PSK" >"$WORK/psk"
  chmod 600 "$WORK/psk" "$file"
}

write_charon_config() {
  cat >"$WORK/strongswan.conf" <<EOF
charon {
  load_modular = no
  load = random nonce openssl kdf pem pkcs1 x509 pubkey kernel-netlink socket-default vici
  # Defaults kept: threads (16), half_open_timeout (30 s), ikesa_table_size.
  cookie_threshold = $DOS_LIMIT
  cookie_threshold_ip = $DOS_LIMIT
  block_threshold = $DOS_LIMIT
  plugins {
    vici {
      socket = unix://$WORK/charon.vici
    }
  }
  filelog {
    bench {
      path = $WORK/charon.log
      default = 1
    }
  }
  syslog {
    daemon {
      default = -1
    }
  }
}
swanctl {
  load = pem pkcs1 x509 pubkey openssl random
}
EOF
  {
    cat <<EOF
connections {
  bench {
    version = 2
    local_addrs = $RESP_ADDR
    proposals = $IKE_PROPOSAL
    local {
      auth = psk
      id = responder.bench
    }
    remote {
      auth = psk
    }
EOF
    if [[ $CHILD == 1 ]]; then
      cat <<EOF
    children {
      net {
        local_ts = $RESP_TS
        remote_ts = $GEN_TS
        esp_proposals = $ESP_PROPOSAL
      }
    }
EOF
    fi
    cat <<EOF
  }
}
secrets {
  ike-bench {
    secret = "$PSK"
  }
}
EOF
  } >"$WORK/swanctl.conf"
}

wait_for_file() {
  local path=$1 pid=$2 what=$3 i
  for ((i = 0; i < 300; i++)); do
    [[ -e $path ]] && return 0
    kill -0 "$pid" 2>/dev/null || {
      echo "bench: $what exited before it was ready" >&2
      return 1
    }
    sleep 0.1
  done
  echo "bench: $what not ready after 30 s" >&2
  return 1
}

# The PID measured must be the responder itself, not a wrapper that forked it.
check_comm() {
  local comm
  comm=$(cat "/proc/$RESP_PID/comm" 2>/dev/null || true)
  [[ $comm == "$1" ]] || {
    echo "bench: PID $RESP_PID is '$comm', not $1" >&2
    return 1
  }
}

# Starts one responder in $NS_R; sets RESP_PID. `ip netns exec`, `setsid` (we
# are not a process group leader), `nice`, `unshare` and `sh -c exec` all
# exec, so the PID we get is the responder's own.
# setsid puts the responder and the load generator each in a session, so an
# autogroup (sched_autogroup_enabled), of its own: on a machine shared with
# other work the scheduler then shares the CPU per group, not per thread, and
# charon's 16 threads do not get more of it than styxd's one. NICE (default 0)
# applies to both alike. SESSIONS=shared leaves both in the caller's session
# (then the scheduler shares per thread within it).
if [[ ${SESSIONS:-separate} == shared ]]; then SESSION_CMD=; else SESSION_CMD=setsid; fi
start_responder() {
  local which=$1
  case $which in
    styx)
      write_styx_config
      rm -f "$WORK/styx.sock"
      # STYXD_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=DIR", to see where the time goes.
      # shellcheck disable=SC2086
      ip netns exec "$NS_R" $SESSION_CMD nice -n "${NICE:-0}" node ${STYXD_NODE_ARGS:-} "$BUILD/src/daemon/styxd-bin.js" --config "$WORK/styx.yaml" \
        >"$WORK/styxd.log" 2>&1 &
      RESP_PID=$!
      wait_for_file "$WORK/styx.sock" "$RESP_PID" styxd
      check_comm node
      ;;
    strongswan)
      write_charon_config
      rm -f "$WORK/charon.vici"
      # Its own /run: charon refuses to start when /run/charon.pid exists (docs/lab.md).
      STRONGSWAN_CONF=$WORK/strongswan.conf ip netns exec "$NS_R" $SESSION_CMD nice -n "${NICE:-0}" unshare -m sh -c \
        'mount -t tmpfs tmpfs /run && exec /usr/lib/ipsec/charon' >"$WORK/charon.out" 2>&1 &
      RESP_PID=$!
      wait_for_file "$WORK/charon.vici" "$RESP_PID" charon
      check_comm charon
      STRONGSWAN_CONF=$WORK/strongswan.conf ip netns exec "$NS_R" swanctl --load-all --noprompt \
        --file "$WORK/swanctl.conf" --uri "unix://$WORK/charon.vici" >"$WORK/swanctl.out" 2>&1 || {
        echo "bench: swanctl --load-all failed:" >&2
        cat "$WORK/swanctl.out" >&2
        return 1
      }
      ;;
    *)
      echo "bench: unknown responder $which" >&2
      return 1
      ;;
  esac
}

stop_responder() {
  [[ -n ${RESP_PID:-} ]] || return 0
  kill -TERM "$RESP_PID" 2>/dev/null || true
  local i
  for ((i = 0; i < 50; i++)); do
    kill -0 "$RESP_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$RESP_PID" 2>/dev/null || true
  wait "$RESP_PID" 2>/dev/null || true
  RESP_PID=
}

# VmRSS and VmHWM of the responder in kB, as JSON fields.
responder_rss_json() {
  local rss hwm
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$RESP_PID/status" 2>/dev/null || echo null)
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$RESP_PID/status" 2>/dev/null || echo null)
  echo "\"responderRssKb\":${rss:-null},\"responderHwmKb\":${hwm:-null}"
}

udp_snmp() {
  ip netns exec "$1" cat /proc/net/snmp | grep '^Udp:' | tail -1
}

# One measurement: responder $1, generator arguments from LOADGEN_ARGS.
# Appends one JSON line to $RESULTS.
measure() {
  local which=$1 snmp_before snmp_after out
  start_responder "$which" || return 1
  sleep 1
  snmp_before=$(udp_snmp "$NS_R")
  out=$(ip netns exec "$NS_G" $SESSION_CMD nice -n "${NICE:-0}" node "$BUILD/bench/handshake/loadgen.js" \
    --target "$RESP_ADDR" --local "$GEN_ADDR" --responder-pid "$RESP_PID" --label "$which" \
    --psk "$PSK" --ike "$IKE_PROPOSAL" --remote-ts "$RESP_TS" \
    ${CHILD_ARGS:-} $LOADGEN_ARGS 2>"$WORK/loadgen-$which.err")
  snmp_after=$(udp_snmp "$NS_R")
  local rss
  rss=$(responder_rss_json)
  stop_responder
  if [[ -z $out ]]; then
    echo "bench: the load generator printed nothing; its stderr:" >&2
    tail -20 "$WORK/loadgen-$which.err" >&2
    return 1
  fi
  # Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors ...
  local udp
  udp=$(awk -v b="$snmp_before" -v a="$snmp_after" 'BEGIN {
    split(b, x, " "); split(a, y, " ");
    printf "\"responderUdp\":{\"inDatagrams\":%d,\"inErrors\":%d,\"rcvbufErrors\":%d}", \
      y[2]-x[2], y[4]-x[4], y[6]-x[6] }')
  echo "${out%\}},$udp,$rss}" >>"$RESULTS"
  echo "$which: $(echo "$out" | grep -o '"setupsPerSecond":[0-9.]*')" >&2
}
